// Bulk actions on the inbox's selected cases (docs/SERVER.md): assign, note, resolve, close
// or merge into one case, each case checked against the caller's scope on its own and
// answered on its own. A case the caller may not see is "not found", as a missing one.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

// The most cases one request acts on: an inbox page's selection with room to spare.
constexpr size_t kMaxBulkIds = 500;
constexpr size_t kMaxText = 10'000;

struct BulkRequest {
  std::vector<int64_t> ids;  // each once, in the order given
  std::string action;
  std::string assignee;
  std::string text;  // the note, or the reason to resolve or close
  int64_t into = 0;
};

Status ReadIds(const json& body, std::vector<int64_t>& ids) {
  auto it = body.find("ids");
  if (it == body.end() || !it->is_array() || it->empty()) {
    return InvalidArgumentError("give \"ids\", the cases to act on (an array of case ids)");
  }
  for (const json& id : *it) {
    if (!id.is_number_integer() || id.get<int64_t>() <= 0) {
      return InvalidArgumentError("\"ids\" holds " + DescribeValue(id) + ": give case ids");
    }
    const int64_t value = id.get<int64_t>();
    if (std::find(ids.begin(), ids.end(), value) == ids.end()) ids.push_back(value);
  }
  return OkStatus();
}

Status ReadBulk(const Context& ctx, const json& body, BulkRequest& bulk) {
  bulk.action = StringField(body, "action");
  if (bulk.action == "assign") {
    auto it = body.find("assignee");
    if (it == body.end() || !it->is_string()) {
      return InvalidArgumentError("give \"assignee\": a user, \"me\", or \"\" to unassign");
    }
    ECOUTE_RETURN_IF_ERROR(TextField(body, "assignee", 200, false, "a user", bulk.assignee));
    if (bulk.assignee == "me") bulk.assignee = ctx.principal.name;
  } else if (bulk.action == "note") {
    ECOUTE_RETURN_IF_ERROR(TextField(body, "text", kMaxText, true, "the note's text", bulk.text));
  } else if (bulk.action == "resolve" || bulk.action == "close") {
    ECOUTE_RETURN_IF_ERROR(
        TextField(body, "reason", kMaxText, true, "why, for every case", bulk.text));
  } else if (bulk.action == "merge") {
    auto it = body.find("into");
    if (it == body.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
      return InvalidArgumentError("give \"into\", the id of the case the others merge into");
    }
    bulk.into = it->get<int64_t>();
  } else {
    return InvalidArgumentError("\"action\": use assign, note, resolve, close or merge");
  }
  return OkStatus();
}

// Assigns case `id` as POST /cases/{id}/assign would: only to someone allowed on its brand
// (CheckAssignee), and the assignee is told.
Status Assign(Context& ctx, const BulkRequest& bulk, int64_t id) {
  Result<std::string> brand = ctx.app.store().Lock()->CaseBrand(id);
  if (!brand) return brand.error();
  std::string assignee = bulk.assignee;
  if (CheckAssignee(ctx.app, *brand, assignee)) {
    return FieldError("unknown_assignee", "assignee",
                      "\"" + bulk.assignee + "\" may not be given a case of " + *brand,
                      {{"assignee", bulk.assignee}});
  }
  Status done =
      ctx.app.store().Lock()->AssignCase(id, assignee, Actor(ctx.principal), ctx.app.clock().Now());
  if (done.ok()) ctx.app.NotifyAssigned(id, *brand, assignee, ctx.principal.name);
  return done;
}

Status Apply(Context& ctx, const BulkRequest& bulk, int64_t id) {
  if (bulk.action == "assign") return Assign(ctx, bulk, id);
  const std::string actor = Actor(ctx.principal);
  const int64_t now = ctx.app.clock().Now();
  auto store = ctx.app.store().Lock();
  if (bulk.action == "note") return store->AddNote(id, actor, now, bulk.text);
  if (bulk.action == "resolve") return store->ResolveCase(id, actor, now, bulk.text);
  if (bulk.action == "close") return store->CloseCase(id, actor, now, bulk.text);
  return store->MergeCase(bulk.into, id, actor, now);
}

}  // namespace

// POST /api/v1/cases/bulk: {"ids", "action", "assignee"?, "text"?, "reason"?, "into"?} ->
// {"results": [{"id", "ok", "error"?}], "done", "failed"}; one live `case` event per case
// changed.
Response BulkCases(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  BulkRequest bulk;
  if (Status ids = ReadIds(*body, bulk.ids); !ids.ok()) return ErrorResponse(ids);
  if (bulk.ids.size() > kMaxBulkIds) {
    return ErrorResponse(400, "too_many_cases",
                         "at most " + std::to_string(kMaxBulkIds) + " cases at a time (" +
                             std::to_string(bulk.ids.size()) + " given): act on fewer");
  }
  if (Status read = ReadBulk(ctx, *body, bulk); !read.ok()) return ErrorResponse(read);
  if (bulk.action == "merge") {
    // The kept case must be the caller's to see, as any other.
    if (Status visible = ctx.scope.CheckCase(ctx.app, bulk.into); !visible.ok()) {
      return ErrorResponse(visible);
    }
  }
  json results = json::array();
  std::vector<int64_t> changed;
  int64_t failed = 0;
  for (const int64_t id : bulk.ids) {
    json result = {{"id", id}, {"ok", true}};
    Status status = ctx.scope.CheckCase(ctx.app, id);
    if (status.ok() && !(bulk.action == "merge" && id == bulk.into)) {
      status = Apply(ctx, bulk, id);
      if (status.ok()) changed.push_back(id);
    }
    if (!status.ok()) {
      result["ok"] = false;
      result["error"] = ErrorJson(status);
      ++failed;
    }
    results.push_back(std::move(result));
  }
  if (!changed.empty()) {
    if (bulk.action == "merge") changed.push_back(bulk.into);
    ctx.app.Touch();
    ctx.app.PublishCases(changed);
  }
  return JsonResponse({{"results", std::move(results)},
                       {"done", static_cast<int64_t>(bulk.ids.size()) - failed},
                       {"failed", failed}});
}

}  // namespace ecoute::server
