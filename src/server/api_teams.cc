// Teams, the queues of a brand, and who a case may be assigned to (docs/CASES.md,
// docs/ACCESS.md). A team of a brand the caller does not see does not exist for them; a
// manager changes the teams of their brands only (route table: managers and above).
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/utf8.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

constexpr size_t kMaxTeamName = 64;
constexpr size_t kMaxMembers = 200;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A refusal naming the field at fault, in the API's error shape (ErrorResponse).
Response Refuse(int status, std::string_view code, std::string_view field, std::string_view message,
                const json& params = json::object()) {
  return ErrorResponse(status, code, message, field, params);
}

// The name of a user id among `users`; empty when it is none of them.
std::string NameOf(const std::vector<User>& users, int64_t id) {
  auto it = std::find_if(users.begin(), users.end(), [&](const User& u) { return u.id == id; });
  return it == users.end() ? std::string() : it->name;
}

json TeamJson(const Team& t, const std::vector<User>& users) {
  json members = json::array();
  for (int64_t id : t.members) {
    if (std::string name = NameOf(users, id); !name.empty()) members.push_back(name);
  }
  return {{"id", t.id},
          {"name", t.name},
          {"brand", t.brand},
          {"assignee", std::string(kTeamPrefix) + t.name},
          {"round_robin", t.round_robin},
          {"members", members},
          {"updated_by", t.updated_by},
          {"updated_at", FormatRfc3339(t.updated_at)}};
}

// The catalog's spelling of `brand`; empty when the catalog has no such brand.
std::string CatalogBrand(const App& app, std::string_view brand) {
  for (const Brand& b : app.catalog_snapshot()->brands) {
    if (SameBrand(b.name, brand)) return b.name;
  }
  return {};
}

// A team as the body gives it, over `team` (a PATCH changes what it names). nullopt when
// valid; else the answer.
std::optional<Response> ReadTeam(Context& ctx, const json& body, const std::vector<User>& users,
                                 Team& team) {
  if (body.contains("name")) {
    std::string name(Trim(StringField(body, "name")));
    if (name.empty() || name.size() > kMaxTeamName || !IsValidUtf8(name) ||
        std::any_of(name.begin(), name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
      return Refuse(400, "invalid_team_name", "name",
                    "\"name\": give a team name of 1 to 64 characters");
    }
    team.name = std::move(name);
  }
  if (body.contains("brand")) {
    const std::string brand = CatalogBrand(ctx.app, StringField(body, "brand"));
    if (brand.empty() || !ctx.scope.Sees(brand)) {
      return Refuse(400, "unknown_brand", "brand",
                    "\"brand\": give one of your brands, as the catalog names it");
    }
    team.brand = brand;
  }
  if (auto it = body.find("round_robin"); it != body.end()) {
    if (!it->is_boolean()) {
      return Refuse(400, "invalid_argument", "round_robin", "\"round_robin\": true or false");
    }
    team.round_robin = it->get<bool>();
  }
  if (auto it = body.find("members"); it != body.end()) {
    if (!it->is_array() || it->size() > kMaxMembers) {
      return Refuse(400, "invalid_argument", "members",
                    "\"members\": a list of user names (at most 200)");
    }
    team.members.clear();
    for (const json& m : *it) {
      const std::string name = m.is_string() ? Lower(m.get<std::string>()) : std::string();
      auto user =
          std::find_if(users.begin(), users.end(), [&](const User& u) { return u.name == name; });
      if (user == users.end()) {
        return Refuse(400, "invalid_member", "members",
                      "\"members\": " + DescribeValue(m) + " is no user",
                      {{"name", m.is_string() ? m.get<std::string>() : DescribeValue(m)}});
      }
      if (std::find(team.members.begin(), team.members.end(), user->id) == team.members.end()) {
        team.members.push_back(user->id);
      }
    }
  }
  if (team.name.empty() || team.brand.empty()) {
    return Refuse(400, "invalid_argument", team.name.empty() ? "name" : "brand",
                  "give the team's \"name\" and \"brand\"");
  }
  // Every member may work on the brand (which may have just changed).
  for (int64_t id : team.members) {
    auto user = std::find_if(users.begin(), users.end(), [&](const User& u) { return u.id == id; });
    if (user == users.end() || !MayWorkOn(*user, team.brand)) {
      const std::string name = user == users.end() ? std::to_string(id) : user->name;
      return Refuse(400, "invalid_member", "members",
                    "\"members\": " + name + " may not work on " + team.brand +
                        " (an enabled agent, manager or admin of the brand)",
                    {{"name", name}});
    }
  }
  team.updated_by = Actor(ctx.principal);
  team.updated_at = ctx.app.clock().Now();
  return std::nullopt;
}

Response TeamResult(const Result<Team>& team, const std::vector<User>& users, int status) {
  if (!team) {
    if (team.error().code() == StatusCode::kAlreadyExists) {
      return Refuse(409, "team_exists", "name", team.error().message());
    }
    return ErrorResponse(team.error());
  }
  return JsonResponse(TeamJson(*team, users), status);
}

// The team of the path, when the caller sees its brand.
Result<Team> VisibleTeam(Context& ctx) {
  Result<Team> team = ctx.app.teams().Get(ctx.ids.at(0));
  if (!team) return team.error();
  if (!ctx.scope.Sees(team->brand)) {
    return NotFoundError("no team " + std::to_string(ctx.ids.at(0)));
  }
  return team;
}

}  // namespace

// ---- teams ----------------------------------------------------------------------------------

Response ListTeams(Context& ctx) {
  Result<std::vector<User>> users = ctx.app.access().ListUsers();
  if (!users) return ErrorResponse(users.error());
  Result<std::vector<Team>> teams = ctx.app.teams().List();
  if (!teams) return ErrorResponse(teams.error());
  const std::string brand(ctx.request.Query("brand"));
  json list = json::array();
  for (const Team& t : *teams) {
    if (!ctx.scope.Sees(t.brand) || (!brand.empty() && !SameBrand(brand, t.brand))) continue;
    list.push_back(TeamJson(t, *users));
  }
  return JsonResponse({{"teams", list}});
}

Response CreateTeam(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  Result<std::vector<User>> users = ctx.app.access().ListUsers();
  if (!users) return ErrorResponse(users.error());
  Team team;
  if (std::optional<Response> refused = ReadTeam(ctx, *body, *users, team)) return *refused;
  return TeamResult(ctx.app.teams().Create(team), *users, 201);
}

Response UpdateTeam(Context& ctx) {
  Result<Team> team = VisibleTeam(ctx);
  if (!team) return ErrorResponse(team.error());
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  Result<std::vector<User>> users = ctx.app.access().ListUsers();
  if (!users) return ErrorResponse(users.error());
  if (std::optional<Response> refused = ReadTeam(ctx, *body, *users, *team)) return *refused;
  return TeamResult(ctx.app.teams().Update(*team), *users, 200);
}

Response DeleteTeam(Context& ctx) {
  Result<Team> team = VisibleTeam(ctx);
  if (!team) return ErrorResponse(team.error());
  if (Status deleted = ctx.app.teams().Delete(team->id); !deleted.ok()) {
    return ErrorResponse(deleted);
  }
  Response r;
  r.status = 204;
  r.body.clear();
  return r;
}

// ---- who a case may be assigned to ----------------------------------------------------------

Result<Assignees> AllowedAssignees(App& app, std::string_view brand) {
  Assignees out;
  ECOUTE_ASSIGN_OR_RETURN(std::vector<User> users, app.access().ListUsers());
  for (User& u : users) {
    if (MayWorkOn(u, brand)) out.users.push_back(std::move(u));
  }
  ECOUTE_ASSIGN_OR_RETURN(std::vector<Team> teams, app.teams().List());
  for (Team& t : teams) {
    if (SameBrand(t.brand, brand)) out.teams.push_back(std::move(t));
  }
  return out;
}

std::optional<Response> CheckAssignee(App& app, std::string_view brand, std::string& assignee) {
  if (assignee.empty()) return std::nullopt;  // unassigned
  Result<Assignees> allowed = AllowedAssignees(app, brand);
  if (!allowed) return ErrorResponse(allowed.error());
  if (assignee.starts_with(kTeamPrefix)) {
    const std::string_view name = std::string_view(assignee).substr(kTeamPrefix.size());
    for (const Team& t : allowed->teams) {
      if (SameBrand(t.name, name)) {
        assignee = std::string(kTeamPrefix) + t.name;  // the team's own spelling
        return std::nullopt;
      }
    }
  } else {
    const std::string name = Lower(assignee);
    for (const User& u : allowed->users) {
      if (u.name == name) {
        assignee = u.name;
        return std::nullopt;
      }
    }
  }
  return Refuse(400, "unknown_assignee", "assignee",
                "\"assignee\": " + DescribeValue(json(assignee)) +
                    " is neither a user allowed on " + std::string(brand) +
                    " nor a team of it; give a user's name, \"team:<name>\", \"me\" or \"\"",
                {{"assignee", assignee}});
}

namespace {

Response AssigneesResponse(App& app, const std::string& brand) {
  Result<Assignees> allowed = AllowedAssignees(app, brand);
  if (!allowed) return ErrorResponse(allowed.error());
  json users = json::array();
  for (const User& u : allowed->users) {
    users.push_back({{"name", u.name}, {"display_name", u.display_name}});
  }
  json teams = json::array();
  for (const Team& t : allowed->teams) {
    teams.push_back({{"id", t.id},
                     {"name", t.name},
                     {"assignee", std::string(kTeamPrefix) + t.name},
                     {"round_robin", t.round_robin}});
  }
  return JsonResponse({{"brand", brand}, {"users", users}, {"teams", teams}});
}

}  // namespace

Response ListAssignees(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  Result<std::string> brand = [&] { return ctx.app.store().Lock()->CaseBrand(id); }();
  if (!brand) return ErrorResponse(brand.error());
  return AssigneesResponse(ctx.app, *brand);
}

// For a brand rather than a case: the members a team of the brand may have.
Response ListBrandAssignees(Context& ctx) {
  const std::string brand = CatalogBrand(ctx.app, ctx.request.Query("brand"));
  if (brand.empty() || !ctx.scope.Sees(brand)) {
    return Refuse(400, "unknown_brand", "brand",
                  "\"brand\": give one of your brands, as the catalog names it");
  }
  return AssigneesResponse(ctx.app, brand);
}

}  // namespace ecoute::server
