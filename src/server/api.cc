// The REST API under /api/v1, the health and metrics endpoints, and the dashboard's files:
// the route table and the one check every request passes.
//
// Every request goes through App::Handle: the route table says which role a route needs
// and whether it needs every brand; the caller is authenticated (session cookie with a
// CSRF header for writes, or a bearer token) and checked against their route here, and
// nowhere else. The handler (api_*.cc, api_internal.h) then runs with a Scope, the one place
// where a caller's brands restrict what is read or changed. A handler never reaches the
// store without it.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/api_internal.h"
#include "util/json.h"

namespace ecoute::server {

// ---- the caller and their scope -------------------------------------------------------------

bool Scope::Sees(std::string_view brand) const { return principal_.CanSeeBrand(brand); }

bool Scope::all() const { return principal_.all_brands || principal_.role == Role::kAdmin; }

bool Scope::Restrict(std::vector<std::string>& brands) const {
  if (all()) return true;
  if (brands.empty()) {
    brands = principal_.brands;
  } else {
    std::erase_if(brands, [&](const std::string& b) { return !Sees(b); });
  }
  return !brands.empty();
}

std::string Scope::Key() const {
  if (all()) return "*";
  std::vector<std::string> sorted = principal_.brands;
  std::sort(sorted.begin(), sorted.end());
  std::string key;
  for (const std::string& b : sorted) key.append(b).push_back('\x1f');
  return key;
}

Status Scope::CheckCase(App& app, int64_t case_id) const {
  Result<std::string> brand = [&] { return app.store().Lock()->CaseBrand(case_id); }();
  if (!brand) return brand.error();
  if (!Sees(*brand)) return NotFoundError("no case " + std::to_string(case_id));
  return OkStatus();
}

bool Scope::SeesAll(const std::vector<std::string>& brands) const {
  if (all()) return true;
  if (brands.empty()) return false;  // "any brand" is more than a scoped caller may watch
  return std::all_of(brands.begin(), brands.end(), [&](const std::string& b) { return Sees(b); });
}

bool Scope::SeesEveryonesTokens() const { return principal_.role == Role::kAdmin; }

// ---- who is asking --------------------------------------------------------------------------

std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view part = header.substr(0, end);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {

struct Caller {
  Result<Principal> principal =
      Status(StatusCode::kUnauthenticated, "log in, or send a bearer token");
  StreamCredential credential;  // what authenticated them, for live streams
  bool csrf_refused = false;    // a session's write without its CSRF token
};

// A bearer token, else the session cookie; a write made with the cookie must also carry
// the session's CSRF token.
Caller Authenticate(AccessControl& access, const Request& request, bool read) {
  Caller caller;
  std::string_view authorization = request.Header("authorization");
  if (authorization.size() > 7 && EqualsIgnoreCase(authorization.substr(0, 7), "bearer ")) {
    caller.principal = access.AuthenticateToken(authorization.substr(7));
    caller.credential = {false, std::string(authorization.substr(7))};
  } else if (std::string_view session = CookieValue(request.Header("cookie"), kSessionCookie);
             !session.empty()) {
    caller.principal = access.AuthenticateSession(session);
    caller.credential = {true, std::string(session)};
    caller.csrf_refused = caller.principal && !read &&
                          !access.CheckCsrf(*caller.principal, request.Header("x-csrf-token"));
  }
  return caller;
}

// ---- which route ----------------------------------------------------------------------------

bool MatchRoute(std::string_view pattern, std::string_view path, std::vector<int64_t>& ids,
                std::vector<std::string>& names) {
  ids.clear();
  names.clear();
  while (!pattern.empty() && !path.empty()) {
    const size_t pe = pattern.find('/', 1);
    const size_t te = path.find('/', 1);
    std::string_view p = pattern.substr(0, pe);
    std::string_view t = path.substr(0, te);
    if (p == "/{id}") {
      std::optional<int64_t> id = t.size() > 1 ? ParseId(t.substr(1)) : std::nullopt;
      if (!id) return false;
      ids.push_back(*id);
    } else if (p.starts_with("/{")) {  // a name: "/{brand}"
      if (t.size() < 2) return false;
      names.emplace_back(t.substr(1));
    } else if (p != t) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = te == std::string_view::npos ? std::string_view() : path.substr(te);
  }
  return pattern.empty() && path.empty();
}

// The route for the request's method and path (HEAD takes GET's), with the path's {id}s;
// nullptr when none, and `path_known` then says whether another method has one.
const Route* FindRoute(const std::vector<Route>& routes, const Request& request,
                       std::vector<int64_t>& ids, std::vector<std::string>& names,
                       bool& path_known) {
  path_known = false;
  for (const Route& r : routes) {
    if (!MatchRoute(r.pattern, request.path, ids, names)) continue;
    path_known = true;
    if (r.method == request.method || (request.method == "HEAD" && r.method == "GET")) return &r;
  }
  return nullptr;
}

// What answers without a login: health, readiness, metrics and the OpenAPI document.
bool IsServiceEndpoint(std::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics" ||
         path == "/api/v1/openapi.json";
}

Response ServiceEndpoint(App& app, Request& request) {
  const std::string_view path = request.path;
  Principal nobody;
  Context ctx{app, request, nobody, Scope(nobody), {}};
  Response r = path == "/healthz"   ? Healthz(ctx)
               : path == "/readyz"  ? Readyz(ctx)
               : path == "/metrics" ? MetricsText(ctx)
                                    : OpenApi(ctx);
  r.route = std::string(path);
  return r;
}

// Login refuses cross-site posts: the cookie is SameSite and the body JSON, and a browser
// sends Origin with every POST, which must then be this server.
Response LoginFromSameSite(App& app, Request& request) {
  if (std::string_view origin = request.Header("origin"); !origin.empty()) {
    const std::string_view host = request.Header("host");
    const bool same = !host.empty() && (origin == "http://" + std::string(host) ||
                                        origin == "https://" + std::string(host));
    if (!same) return ErrorResponse(403, "permission_denied", "cross-site login refused");
  }
  Response r = Login(app, request);
  r.route = "/api/v1/session";
  return r;
}

Response ForRoute(const Route& route, Response r) {
  r.route = std::string(route.pattern);
  return r;
}

}  // namespace

// ---- the route table ------------------------------------------------------------------------

// Each route with the least role it needs, and `true` where it also needs every brand.
void App::InitApi() {
  api_state_ = std::make_unique<ApiState>();
  api_state_->routes = {
      {"GET", "/api/v1/session", Role::kViewer, GetSession},
      {"DELETE", "/api/v1/session", Role::kViewer, Logout},
      {"GET", "/api/v1/events", Role::kViewer, Events},
      {"GET", "/api/v1/cases", Role::kViewer, ListCases},
      {"GET", "/api/v1/cases/{id}", Role::kViewer, GetCase},
      {"POST", "/api/v1/cases/bulk", Role::kAgent, BulkCases},
      {"GET", "/api/v1/views", Role::kViewer, ListViews},
      {"POST", "/api/v1/views", Role::kViewer, CreateView},
      {"DELETE", "/api/v1/views/{id}", Role::kViewer, DeleteView},
      {"POST", "/api/v1/cases/{id}/assign", Role::kAgent, AssignCase},
      {"GET", "/api/v1/cases/{id}/assignees", Role::kAgent, ListAssignees},
      {"POST", "/api/v1/cases/{id}/respond", Role::kAgent, RespondCase},
      {"POST", "/api/v1/cases/{id}/notes", Role::kAgent, AddCaseNote},
      {"POST", "/api/v1/cases/{id}/priority", Role::kAgent, SetCasePriority},
      {"POST", "/api/v1/cases/{id}/resolve", Role::kAgent, ResolveCase},
      {"POST", "/api/v1/cases/{id}/close", Role::kAgent, CloseCase},
      {"POST", "/api/v1/cases/{id}/reopen", Role::kAgent, ReopenCase},
      {"POST", "/api/v1/cases/{id}/corrections", Role::kAgent, CorrectCase},
      {"GET", "/api/v1/cases/{id}/presence", Role::kViewer, GetPresence},
      {"POST", "/api/v1/cases/{id}/presence", Role::kAgent, PostPresence},
      {"GET", "/api/v1/cases/{id}/sla", Role::kViewer, GetCaseSla},
      {"GET", "/api/v1/cases/{id}/follows", Role::kAgent, ListCaseFollows},
      {"POST", "/api/v1/cases/{id}/escalate", Role::kAgent, EscalateCase},
      {"GET", "/api/v1/sla", Role::kManager, GetSla},
      {"PUT", "/api/v1/sla", Role::kAdmin, PutSla},
      {"GET", "/api/v1/corrections", Role::kManager, ListCorrections},
      {"GET", "/api/v1/cases/{id}/reply-options", Role::kAgent, ReplyOptions},
      {"GET", "/api/v1/cases/{id}/replies", Role::kViewer, ListReplies},
      {"POST", "/api/v1/cases/{id}/replies", Role::kAgent, SendReply},
      {"POST", "/api/v1/replies/{id}/retry", Role::kAgent, RetryReply},
      {"GET", "/api/v1/brands/{brand}/accounts", Role::kAgent, ListAccounts},
      {"PUT", "/api/v1/brands/{brand}/accounts/{channel}", Role::kAdmin, PutAccount},
      {"DELETE", "/api/v1/brands/{brand}/accounts/{channel}", Role::kAdmin, DeleteAccount},
      {"GET", "/api/v1/cases/{id}/templates", Role::kAgent, CaseTemplates},
      {"GET", "/api/v1/templates", Role::kAgent, ListTemplates},
      {"POST", "/api/v1/templates", Role::kManager, CreateTemplate},
      {"PATCH", "/api/v1/templates/{id}", Role::kManager, UpdateTemplate},
      {"DELETE", "/api/v1/templates/{id}", Role::kManager, DeleteTemplate},
      {"GET", "/api/v1/posts", Role::kViewer, SearchPosts},
      {"POST", "/api/v1/posts", Role::kManager, PushPosts, true},
      {"GET", "/api/v1/brands", Role::kViewer, ListBrands},
      {"POST", "/api/v1/brands", Role::kAdmin, CreateBrand},
      {"POST", "/api/v1/brands/preview", Role::kAdmin, PreviewBrand},
      {"PUT", "/api/v1/brands/{brand}", Role::kAdmin, UpdateBrand},
      {"DELETE", "/api/v1/brands/{brand}", Role::kAdmin, DeleteBrand},
      {"GET", "/api/v1/brands/{brand}/listening", Role::kManager, GetListening},
      {"POST", "/api/v1/brands/{brand}/listening", Role::kAdmin, AcceptListening},
      {"GET", "/api/v1/listening/templates", Role::kAdmin, GetFeedTemplates},
      {"PUT", "/api/v1/listening/templates", Role::kAdmin, PutFeedTemplates},
      {"GET", "/api/v1/reports", Role::kViewer, GetReport},
      {"GET", "/api/v1/sources", Role::kManager, ListSources},
      {"POST", "/api/v1/sources", Role::kAdmin, CreateSource, true},
      {"PATCH", "/api/v1/sources/{id}", Role::kAdmin, UpdateSource, true},
      {"DELETE", "/api/v1/sources/{id}", Role::kAdmin, DeleteSource, true},
      {"GET", "/api/v1/rules", Role::kManager, ListRules},
      {"POST", "/api/v1/rules", Role::kManager, CreateRule},
      {"PATCH", "/api/v1/rules/{id}", Role::kManager, UpdateRule},
      {"DELETE", "/api/v1/rules/{id}", Role::kManager, DeleteRule},
      {"POST", "/api/v1/rules/{id}/test", Role::kManager, TestRule},
      {"GET", "/api/v1/deliveries", Role::kManager, ListDeliveries},
      {"POST", "/api/v1/deliveries/{id}/retry", Role::kManager, RetryDelivery},
      {"GET", "/api/v1/teams", Role::kAgent, ListTeams},
      {"GET", "/api/v1/assignees", Role::kAgent, ListBrandAssignees},
      {"POST", "/api/v1/teams", Role::kManager, CreateTeam},
      {"PATCH", "/api/v1/teams/{id}", Role::kManager, UpdateTeam},
      {"DELETE", "/api/v1/teams/{id}", Role::kManager, DeleteTeam},
      {"GET", "/api/v1/users", Role::kAdmin, ListUsers},
      {"POST", "/api/v1/users", Role::kAdmin, CreateUser},
      {"PATCH", "/api/v1/users/{id}", Role::kAdmin, UpdateUser},
      {"DELETE", "/api/v1/users/{id}", Role::kAdmin, DeleteUser},
      {"GET", "/api/v1/tokens", Role::kViewer, ListTokens},
      {"POST", "/api/v1/tokens", Role::kViewer, CreateToken},
      {"DELETE", "/api/v1/tokens/{id}", Role::kViewer, DeleteToken},
  };
}

std::vector<std::pair<std::string, std::string>> ApiRoutes(const App& app) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& r : app.api_state().routes) {
    out.emplace_back(std::string(r.method), std::string(r.pattern));
  }
  return out;
}

void App::Observe(const Request& request, const Response& response, double seconds) {
  const std::string_view route =
      response.route.empty() ? std::string_view("unmatched") : std::string_view(response.route);
  metrics_
      .GetCounter(
          "ecoute_http_requests_total", "HTTP requests answered",
          {{"method", request.method}, {"route", route}, {"code", std::to_string(response.status)}})
      .Inc();
  metrics_
      .GetHistogram("ecoute_http_request_seconds", "Time to answer a request", LatencyBuckets(),
                    {{"route", route}})
      .Observe(seconds);
}

// ---- the one check --------------------------------------------------------------------------

Response App::Handle(Request& request) {
  const std::string_view path = request.path;
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (IsServiceEndpoint(path)) {
    if (!read) return ErrorResponse(405, "method_not_allowed", "use GET");
    return ServiceEndpoint(*this, request);
  }
  if (!path.starts_with("/api/")) {
    if (!read) return ErrorResponse(405, "method_not_allowed", "use GET");
    return StaticFile(*this, request);
  }
  // Before any other work, on every route: a body nested deeper than kMaxJsonDepth is
  // refused, whatever would read it (recursive walks of a deeper tree overflow the stack).
  if (!request.body.empty()) {
    if (Status shallow = CheckJsonDepth(request.body); !shallow.ok()) {
      return ErrorResponse(WithDetail(shallow, {"too_deep", ""}));
    }
  }
  if (path == "/api/v1/session" && request.method == "POST") {
    return LoginFromSameSite(*this, request);
  }
  // Which route?
  std::vector<int64_t> ids;
  std::vector<std::string> names;
  bool path_known = false;
  const Route* route = FindRoute(api_state_->routes, request, ids, names, path_known);
  if (route == nullptr) {
    return path_known
               ? ErrorResponse(405, "method_not_allowed", "method not allowed here")
               : ErrorResponse(404, "not_found", "no such endpoint: see /api/v1/openapi.json");
  }
  // Who is asking?
  Caller caller = Authenticate(*access_, request, read);
  if (caller.csrf_refused) {
    return ForRoute(*route, ErrorResponse(403, "csrf", "missing or wrong X-CSRF-Token header"));
  }
  if (!caller.principal) {
    return ForRoute(*route,
                    ErrorResponse(401, "unauthenticated", caller.principal.error().message()));
  }
  // May they? The route's least role, and every brand where it needs them; the handler
  // then sees only what the Scope lets it.
  const Principal& principal = *caller.principal;
  const Scope scope(principal);
  if (!principal.AtLeast(route->min_role) || (route->requires_all_brands && !scope.all())) {
    return ForRoute(*route, ErrorResponse(403, "permission_denied",
                                          "your role (" + std::string(RoleName(principal.role)) +
                                              ") may not do this"));
  }
  Context ctx{*this,           request,        principal,
              scope,           std::move(ids), std::move(caller.credential),
              std::move(names)};
  return ForRoute(*route, route->handler(ctx));
}

}  // namespace ecoute::server
