// Presence on a case: who has it open and who is typing, so that two agents see each other
// before they collide. Held in memory only (a restart forgets it, and a word lapses after
// CasePresence::kTtlSeconds: the dashboard repeats it while the case stays open), and sent
// live as `presence` events to the streams that see the case's brand.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

// The most users kept on one case: beyond, the oldest word gives way.
constexpr size_t kMaxPerCase = 64;
// The most cases with someone on them: beyond, the whole table is dropped (it is rebuilt
// by the next heartbeats).
constexpr size_t kMaxCases = 10'000;

bool SameUsers(const std::vector<CasePresence::Entry>& a,
               const std::vector<CasePresence::Entry>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.state == y.state;
  });
}

json UsersJson(const std::vector<CasePresence::Entry>& users) {
  json list = json::array();
  for (const CasePresence::Entry& e : users) list.push_back({{"name", e.name}, {"state", e.state}});
  return list;
}

json PresenceJson(int64_t case_id, const std::vector<CasePresence::Entry>& users) {
  return {{"case_id", case_id}, {"users", UsersJson(users)}};
}

}  // namespace

bool CasePresence::Prune(std::vector<Entry>& list, int64_t now) {
  const size_t before = list.size();
  std::erase_if(list, [&](const Entry& e) { return e.expires_at <= now; });
  return list.size() != before;
}

bool CasePresence::Update(int64_t case_id, const std::string& name, std::string_view state,
                          int64_t now, std::vector<Entry>& users) {
  MutexLock lock(mutex_);
  if (cases_.size() >= kMaxCases && !cases_.contains(case_id)) cases_.clear();
  std::vector<Entry>& list = cases_[case_id];
  const std::vector<Entry> before = list;
  Prune(list, now);
  auto it = std::find_if(list.begin(), list.end(), [&](const Entry& e) { return e.name == name; });
  if (state == "left") {
    if (it != list.end()) list.erase(it);
  } else if (it != list.end()) {
    it->state = std::string(state);
    it->expires_at = now + kTtlSeconds;
  } else {
    if (list.size() >= kMaxPerCase) {
      list.erase(std::min_element(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
        return a.expires_at < b.expires_at;
      }));
    }
    list.push_back({name, std::string(state), now + kTtlSeconds});
    std::sort(list.begin(), list.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
  }
  users = list;
  if (list.empty()) cases_.erase(case_id);
  return !SameUsers(before, users);
}

std::vector<CasePresence::Entry> CasePresence::Users(int64_t case_id, int64_t now) {
  MutexLock lock(mutex_);
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return {};
  Prune(it->second, now);
  std::vector<Entry> users = it->second;
  if (users.empty()) cases_.erase(it);
  return users;
}

// GET /api/v1/cases/{id}/presence: {"case_id", "users": [{"name", "state"}]}.
Response GetPresence(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  const int64_t now = ctx.app.clock().Now();
  return JsonResponse(PresenceJson(id, ctx.app.api_state().presence.Users(id, now)));
}

// POST /api/v1/cases/{id}/presence {"state": "viewing" | "typing" | "left"}: the caller's
// word on the case, answered with the list; a change of the list goes live to the streams
// that see the case's brand.
Response PostPresence(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  Result<std::string> brand = [&] { return ctx.app.store().Lock()->CaseBrand(id); }();
  if (!brand) return ErrorResponse(brand.error());
  if (!ctx.scope.Sees(*brand)) return ErrorResponse(NotFoundError("no case " + std::to_string(id)));
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  const std::string state = StringField(*body, "state");
  if (state != "viewing" && state != "typing" && state != "left") {
    auto given = body->find("state");
    return ErrorResponse(InvalidArgumentError(
        "\"state\" is " + (given == body->end() ? std::string("missing") : DescribeValue(*given)) +
        ": give viewing, typing or left"));
  }
  std::vector<CasePresence::Entry> users;
  const bool changed = ctx.app.api_state().presence.Update(id, ctx.principal.name, state,
                                                           ctx.app.clock().Now(), users);
  const json answer = PresenceJson(id, users);
  if (changed) ctx.app.live().Publish("presence", *brand, Dump(answer));
  return JsonResponse(answer);
}

}  // namespace ecoute::server
