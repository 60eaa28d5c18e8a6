// The inbox's saved views (docs/SERVER.md): a name and the query of the inbox's URL, kept
// for their owner, shared with a team or with everyone. A user lists their own and those
// shared with them, never one that names a brand outside their scope; only the owner or an
// admin deletes one.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "store/view_tables.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

constexpr size_t kMaxName = 100;
constexpr size_t kMaxQuery = 2000;

// The views' table, opened on first use on its own connection; every call under the lock.
struct Views {
  std::unique_lock<std::mutex> lock;
  ViewTables* tables = nullptr;
};

Result<Views> OpenViews(App& app) {
  App::ApiState& state = app.api_state();
  Views views{std::unique_lock<std::mutex>(state.views_mutex)};
  if (!state.views) {
    ECOUTE_ASSIGN_OR_RETURN(state.views, OpenViewTables(app.config().db_path));
  }
  views.tables = state.views.get();
  return views;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "a+b%C3%A9" -> "a bé".
std::string UrlDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The brands a view's query names ("brand=Fnac&brand=Darty").
std::vector<std::string> BrandsOf(std::string_view query) {
  std::vector<std::string> brands;
  while (!query.empty()) {
    const size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    if (pair.starts_with("brand=") && pair.size() > 6) brands.push_back(UrlDecode(pair.substr(6)));
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return brands;
}

bool SeesBrandsOf(const Scope& scope, const InboxView& view) {
  for (const std::string& brand : BrandsOf(view.query)) {
    if (!scope.Sees(brand)) return false;
  }
  return true;
}

// The names of the teams the caller is a member of (a view shared with "team:<name>" is
// theirs to see); none when the teams cannot be read.
std::vector<std::string> TeamsOf(App& app, const Principal& principal) {
  std::vector<std::string> names;
  Result<std::vector<Team>> teams = app.teams().List();
  if (!teams) return names;
  for (const Team& team : *teams) {
    if (std::find(team.members.begin(), team.members.end(), principal.user_id) !=
        team.members.end()) {
      names.push_back(team.name);
    }
  }
  return names;
}

// Whether the caller sees `view`: their own, one shared with everyone or one of their teams,
// and never one naming a brand outside their scope.
bool Sees(const Context& ctx, const InboxView& view) {
  if (!SeesBrandsOf(ctx.scope, view)) return false;
  if (EqualsIgnoreCase(view.owner, ctx.principal.name) || view.shared_with == "everyone") {
    return true;
  }
  for (const std::string& team : TeamsOf(ctx.app, ctx.principal)) {
    if (view.shared_with == "team:" + team) return true;
  }
  return false;
}

json ViewJson(const Context& ctx, const InboxView& v) {
  const bool mine = EqualsIgnoreCase(v.owner, ctx.principal.name);
  return {{"id", v.id},
          {"name", v.name},
          {"query", v.query},
          {"shared_with", v.shared_with},
          {"owner", v.owner},
          {"created_at", FormatRfc3339(v.created_at)},
          {"deletable", mine || ctx.principal.role == Role::kAdmin}};
}

Status ReadView(const Context& ctx, const json& body, InboxView& view) {
  ECOUTE_RETURN_IF_ERROR(TextField(body, "name", kMaxName, true, "the view's name", view.name));
  ECOUTE_RETURN_IF_ERROR(TextField(body, "query", kMaxQuery, false,
                                   "the inbox URL's query (status=new&sort=due)", view.query));
  if (!view.query.empty() && view.query.front() == '?') view.query.erase(0, 1);
  ECOUTE_RETURN_IF_ERROR(TextField(body, "shared_with", 120, false,
                                   "\"\", \"team:<name>\" or \"everyone\"", view.shared_with));
  const bool team = view.shared_with.starts_with("team:") && view.shared_with.size() > 5;
  if (!view.shared_with.empty() && view.shared_with != "everyone" && !team) {
    return InvalidArgumentError(
        "\"shared_with\": use \"\" (only you), \"team:<name>\" or "
        "\"everyone\"");
  }
  for (const std::string& brand : BrandsOf(view.query)) {
    if (!ctx.scope.Sees(brand)) {
      return InvalidArgumentError("\"query\" names brand \"" + ShortQuote(brand) +
                                  "\": give one of your brands");
    }
  }
  view.owner = ctx.principal.name;
  view.created_at = ctx.app.clock().Now();
  return OkStatus();
}

}  // namespace

Response ListViews(Context& ctx) {
  Result<Views> views = OpenViews(ctx.app);
  if (!views) return ErrorResponse(views.error());
  Result<std::vector<InboxView>> listed =
      views->tables->ListViews(ctx.principal.name, TeamsOf(ctx.app, ctx.principal));
  if (!listed) return ErrorResponse(listed.error());
  json out = json::array();
  for (const InboxView& v : *listed) {
    if (Sees(ctx, v)) out.push_back(ViewJson(ctx, v));
  }
  return JsonResponse({{"views", std::move(out)}});
}

Response CreateView(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  InboxView view;
  if (Status read = ReadView(ctx, *body, view); !read.ok()) return ErrorResponse(read);
  Result<Views> views = OpenViews(ctx.app);
  if (!views) return ErrorResponse(views.error());
  Result<InboxView> made = views->tables->CreateView(view);
  if (!made) return ErrorResponse(made.error());
  return JsonResponse({{"view", ViewJson(ctx, *made)}}, 201);
}

// A view the caller does not see is not found; one they see but did not save (shared with
// them) is refused unless they are an admin.
Response DeleteView(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  Result<Views> views = OpenViews(ctx.app);
  if (!views) return ErrorResponse(views.error());
  Result<InboxView> view = views->tables->GetView(id);
  const bool admin = ctx.principal.role == Role::kAdmin;
  if (!view || (!admin && !Sees(ctx, *view))) {
    if (view || view.error().code() == StatusCode::kNotFound) {
      return ErrorResponse(NotFoundError("no view " + std::to_string(id)));
    }
    return ErrorResponse(view.error());
  }
  if (!admin && !EqualsIgnoreCase(view->owner, ctx.principal.name)) {
    return ErrorResponse(403, "view_not_yours",
                         "only the user who saved a view (or an admin) may delete it");
  }
  if (Status deleted = views->tables->DeleteView(id); !deleted.ok()) {
    return ErrorResponse(deleted);
  }
  Response r;
  r.status = 204;
  return r;
}

}  // namespace ecoute::server
