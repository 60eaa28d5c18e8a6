// The REST API's insides, shared by the files of its parts (docs/SERVER.md):
//   api.cc          the route table, each route with its least role and whether it needs
//                   every brand; the one check every request passes against it
//                   (authentication, role, brands) in App::Handle; Scope;
//   api_json.cc     request bodies read, answers and errors written;
//   api_public.cc   what answers without a login: health, readiness, metrics, the OpenAPI
//                   document, the dashboard's files;
//   api_users.cc    the session (login, logout), users, API tokens;
//   api_cases.cc    the inbox, a case with its cues, agents' actions, corrections;
//   api_posts.cc    search and push;
//   api_report.cc   the report;
//   api_brands.cc   the brand catalog: list, add, edit, delete, preview;
//   api_events.cc   the live stream;
//   api_sources.cc  watched sources;
//   api_rules.cc    alert rules and webhook deliveries;
//   api_replies.cc  replies sent from ecoute and the brands' reply accounts;
//   api_templates.cc  reply templates, and those suggested for a case;
//   api_presence.cc who has a case open, and who is typing on it;
//   api_teams.cc    teams (a brand's queues) and who a case may be assigned to;
//   api_sla.cc      SLA policies and ladder, a case's SLA, escalation by hand;
//   api_bulk.cc     bulk actions on the inbox's selected cases;
//   api_views.cc    the inbox's saved views;
//   api_follows.cc  the comments followed under a case's web posts.
//   api_listening.cc  the sources proposed for a brand, the feed templates (listening.h).
// A handler runs only once its caller has passed its route's check, and narrows what it
// reads and changes to the caller's brands by asking the Scope: it decides nothing else
// about access. Not a public header: only src/server includes it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/status.h"

#include "access/access.h"
#include "http/http.h"
#include "server/app.h"
#include "server/teams.h"
#include "store/view_tables.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

struct Context;  // a request being handled, by a caller who passed its route's check
using RouteHandler = Response (*)(Context&);

struct Route {
  std::string_view method;
  std::string_view pattern;  // "/api/v1/cases/{id}/respond"
  Role min_role;
  RouteHandler handler;
  bool requires_all_brands = false;  // changes that concern every brand (ingest, sources)
};

// Who has a case open, in memory only: each user's latest word on a case ("viewing",
// "typing") lapses kTtlSeconds after it was said, and "left" takes it back at once.
// Thread-safe: mutex_ guards every field.
class CasePresence {
 public:
  static constexpr int64_t kTtlSeconds = 30;
  struct Entry {
    std::string name;
    std::string state;  // "viewing" or "typing"
    int64_t expires_at = 0;
  };
  // Records `name`'s `state` on the case ("left" removes them); `users` becomes the case's
  // list after it. True when the list (names and states) changed, lapsed entries included.
  bool Update(int64_t case_id, const std::string& name, std::string_view state, int64_t now,
              std::vector<Entry>& users) ECOUTE_EXCLUDES(mutex_);
  // Those on the case now, by name.
  std::vector<Entry> Users(int64_t case_id, int64_t now) ECOUTE_EXCLUDES(mutex_);

 private:
  // Drops the lapsed entries of `list`; true when there were some.
  static bool Prune(std::vector<Entry>& list, int64_t now);

  Mutex mutex_;
  std::unordered_map<int64_t, std::vector<Entry>> cases_ ECOUTE_GUARDED_BY(mutex_);
};

struct App::ApiState {
  // Case lists, by scope and query, valid for one generation of the store's cases and for
  // a few seconds (SLA states move with time).
  struct CachedList {
    uint64_t generation = 0;
    int64_t computed_at = 0;
    std::string body;
  };
  // A reader-writer lock, so that concurrent case lists read the cache together;
  // util/mutex.h has no annotated shared mutex, so case_lists is unannotated: it is read
  // under a shared_lock and written under a unique_lock of cache_mutex (api_cases.cc).
  std::shared_mutex cache_mutex;
  std::unordered_map<std::string, CachedList> case_lists;
  std::vector<Route> routes;
  CasePresence presence;
  // The inbox's saved views, opened on first use (api_views.cc); used under views_mutex.
  std::mutex views_mutex;
  std::unique_ptr<ViewTables> views;
};

// ---- the caller and their scope (api.cc) ----------------------------------------------------

// What a caller may see and change, once their route's role is checked: every handler asks
// it, and nothing else decides. Borrows the principal, which must outlive it.
class Scope {
 public:
  explicit Scope(const Principal& principal) : principal_(principal) {}
  const Principal& principal() const { return principal_; }
  bool Sees(std::string_view brand) const;
  // Every brand: an admin, or a user with all_brands.
  bool all() const;
  // Narrows a brand filter to the visible brands: an empty filter (all brands) becomes the
  // caller's brands. False when nothing visible is left: the answer is then empty.
  bool Restrict(std::vector<std::string>& brands) const;
  // A key for caches of scoped answers.
  std::string Key() const;
  // A case the caller may not see does not exist for them: kNotFound, as for a missing one.
  Status CheckCase(App& app, int64_t case_id) const;
  // Whether the caller sees each of `brands`; an empty list ("any brand") only with all().
  bool SeesAll(const std::vector<std::string>& brands) const;
  // API tokens: an admin sees and revokes everyone's, anyone else their own.
  bool SeesEveryonesTokens() const;

 private:
  const Principal& principal_;
};

struct Context {
  App& app;
  Request& request;
  const Principal& principal;
  Scope scope;
  std::vector<int64_t> ids;             // the {id} parts of the path
  StreamCredential credential = {};     // what authenticated the caller
  std::vector<std::string> names = {};  // the other {name} parts: "/brands/{brand}"
};

inline constexpr std::string_view kSessionCookie = "ecoute_session";

// The value of cookie `name` in a Cookie header; empty when absent.
std::string_view CookieValue(std::string_view header, std::string_view name);
// ASCII letters compared without regard to case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// ---- bodies and answers (api_json.cc) -------------------------------------------------------

// What an interface that translates needs of a refusal beyond its English message: a stable
// snake_case reason ("required", "unknown_brand"), the request field at fault ("brands"),
// and the values the message quotes ({"brand", "Voltair"}).
struct ErrorDetail {
  std::string reason;
  std::string field;
  std::vector<std::pair<std::string, std::string>> params = {};
};
// `status` with a detail that ErrorResponse(status) answers with: its reason as the code,
// its field and params. The detail is kept beside the Status, for the thread that made it
// (a request is validated and answered on one thread), and found again by the Status's
// code and message: a Status passed through ECOUTE_RETURN_IF_ERROR keeps it.
Status WithDetail(const Status& status, ErrorDetail detail);
// kInvalidArgument refusing a request's field: WithDetail({reason, field, params}).
Status FieldError(std::string reason, std::string field, std::string message,
                  std::vector<std::pair<std::string, std::string>> params = {});
// The detail given to this Status on this thread, or null.
const ErrorDetail* DetailOf(const Status& status);

// Compact JSON; invalid UTF-8 in strings is replaced, never thrown on.
std::string Dump(const nlohmann::json& j);
// {"error": {"code", "message", "field"?, "params"?}}: `code` a stable snake_case word the
// dashboard translates, `message` an English sentence for API users, `field` the request
// field at fault (omitted when empty), `params` the values the message quotes (omitted when
// empty). docs/SERVER.md lists the codes.
Response ErrorResponse(int http_status, std::string_view code, std::string_view message,
                       std::string_view field = {},
                       const nlohmann::json& params = nlohmann::json::object());
// The HTTP status and code of a Status (one table); a Status with a detail (WithDetail,
// FieldError) gives its reason as the code, with its field and params. Internal errors are logged,
// and the client told only that there was one.
Response ErrorResponse(const Status& status);
// The "error" object of ErrorResponse(status), for answers that carry several (bulk).
nlohmann::json ErrorJson(const Status& status);
Response JsonResponse(const nlohmann::json& j, int status = 200);
// A time as RFC 3339, or null.
nlohmann::json OptionalTime(const std::optional<int64_t>& t);
// A positive decimal number; nullopt for anything else.
std::optional<int64_t> ParseId(std::string_view text);
// The request's body as a JSON object (an empty body is an empty object); kInvalidArgument
// for anything else. (App::Handle has refused bodies nested deeper than kMaxJsonDepth.)
Result<nlohmann::json> ParseBody(const Request& request);
// A client's value, as an error message may name it: a string's first characters, else
// its kind. Never the value serialized, which may be huge (or deep).
std::string DescribeValue(const nlohmann::json& value);
// The string field `name`, or empty when absent or not a string.
std::string StringField(const nlohmann::json& j, const char* name);
// The string field `name` of at most `max_bytes` bytes into `out`; kInvalidArgument
// naming the field, its limit and `what` it should hold when it is not a string, is
// empty (when `required`) or too long.
Status TextField(const nlohmann::json& j, const char* name, size_t max_bytes, bool required,
                 std::string_view what, std::string& out);
// The catalog's brand named `name` or one of its aliases, compared without regard to case,
// accents or separators ("voltaire" finds "Voltaire Énergie"); null when none.
const Brand* FindBrand(const BrandCatalog& catalog, std::string_view name);
// Each of `brands` replaced by its catalog name (FindBrand), duplicates dropped;
// FieldError "unknown_brand" on `field`, with param "brand", for one not in the catalog.
Status CatalogBrands(const BrandCatalog& catalog, std::string_view field,
                     std::vector<std::string>& brands);
// A topic by its code ("delivery") or its name in English or French ("livraison",
// "Produit défectueux"), without regard to case or accents.
bool ParseTopicOrLabel(std::string_view text, Topic& out);
// Who acted, as the case timeline records it: "agent:marie".
std::string Actor(const Principal& p);

// ---- the handlers, by file ------------------------------------------------------------------

// api_public.cc: answered without a login.
Response Healthz(Context& ctx);
Response Readyz(Context& ctx);
Response MetricsText(Context& ctx);
Response OpenApi(Context& ctx);
// The dashboard's files (compiled in, or from [http] web_dir).
Response StaticFile(const App& app, const Request& request);

// api_users.cc
Response Login(App& app, Request& request);  // before any login: App::Handle calls it
Response GetSession(Context& ctx);
Response Logout(Context& ctx);
Response ListUsers(Context& ctx);
Response CreateUser(Context& ctx);
Response UpdateUser(Context& ctx);
Response DeleteUser(Context& ctx);
Response ListTokens(Context& ctx);
Response CreateToken(Context& ctx);
Response DeleteToken(Context& ctx);

// api_cases.cc
// A case's version, for conflict detection: the length of its timeline, which only grows
// (every change to a case is an entry of it: an event, or a post joining).
int64_t CaseVersion(const CaseDetail& detail);
// When `body` gives "expected_version" and the case is at another version: the 409
// {"error": {"code": "case_changed"}, "version", "changes": [the events since]}; a 400 when
// "expected_version" is not a whole number; nullopt (go on) when absent, null or current.
std::optional<Response> StaleCase(const CaseDetail& detail, const nlohmann::json& body);
Response ListCases(Context& ctx);
Response GetCase(Context& ctx);
Response AssignCase(Context& ctx);
Response RespondCase(Context& ctx);  // declared response
Response AddCaseNote(Context& ctx);
Response SetCasePriority(Context& ctx);
Response ResolveCase(Context& ctx);
Response CloseCase(Context& ctx);
Response ReopenCase(Context& ctx);
Response CorrectCase(Context& ctx);
Response ListCorrections(Context& ctx);

// api_posts.cc
Response SearchPosts(Context& ctx);
Response PushPosts(Context& ctx);

// api_report.cc
Response GetReport(Context& ctx);

// api_brands.cc (app_brands.cc: the App's side)
// A brand definition's problem (ecoute/catalog.h) as the API refuses it: its reason as the
// code, its field after `prefix` ("brand." in a preview: "brand.aliases[2]"), its params;
// 409 for "already_exists", else 400.
Status BrandProblemError(const BrandProblem& problem, std::string_view prefix);
Response ListBrands(Context& ctx);
Response CreateBrand(Context& ctx);
Response UpdateBrand(Context& ctx);
Response DeleteBrand(Context& ctx);
Response PreviewBrand(Context& ctx);

// api_events.cc
Response Events(Context& ctx);

// api_sources.cc
Response ListSources(Context& ctx);
Response CreateSource(Context& ctx);
Response UpdateSource(Context& ctx);
Response DeleteSource(Context& ctx);
// A watched source as the API shows it (its token never).
nlohmann::json WatchedSourceJson(const WatchedSource& source);

// api_listening.cc
Response GetListening(Context& ctx);
Response AcceptListening(Context& ctx);
Response GetFeedTemplates(Context& ctx);
Response PutFeedTemplates(Context& ctx);

// api_rules.cc
Response ListRules(Context& ctx);
Response CreateRule(Context& ctx);
Response UpdateRule(Context& ctx);
Response DeleteRule(Context& ctx);
Response TestRule(Context& ctx);
Response ListDeliveries(Context& ctx);
Response RetryDelivery(Context& ctx);

// api_replies.cc
Response ReplyOptions(Context& ctx);
Response ListReplies(Context& ctx);
Response SendReply(Context& ctx);
Response RetryReply(Context& ctx);
Response ListAccounts(Context& ctx);
Response PutAccount(Context& ctx);
Response DeleteAccount(Context& ctx);

// api_presence.cc
Response GetPresence(Context& ctx);
Response PostPresence(Context& ctx);

// api_templates.cc
Response ListTemplates(Context& ctx);
Response CreateTemplate(Context& ctx);
Response UpdateTemplate(Context& ctx);
Response DeleteTemplate(Context& ctx);
Response CaseTemplates(Context& ctx);

// api_teams.cc
Response ListTeams(Context& ctx);
Response CreateTeam(Context& ctx);
Response UpdateTeam(Context& ctx);
Response DeleteTeam(Context& ctx);
Response ListAssignees(Context& ctx);
Response ListBrandAssignees(Context& ctx);
// Who a case of a brand may be assigned to: the users allowed on it (MayWorkOn), by name,
// and its teams.
struct Assignees {
  std::vector<User> users;
  std::vector<Team> teams;
};
Result<Assignees> AllowedAssignees(App& app, std::string_view brand);
// Checks an assignee for a case of `brand` and writes it as stored (a user's name in lower
// case, a team's name as the team spells it); "" (unassign) passes. nullopt when allowed;
// else the answer: 400 unknown_assignee (field "assignee").
std::optional<Response> CheckAssignee(App& app, std::string_view brand, std::string& assignee);

// ---- service levels (api_sla.cc) ------------------------------------------------------------

Response GetSla(Context& ctx);
Response PutSla(Context& ctx);
Response GetCaseSla(Context& ctx);
// api_follows.cc
Response ListCaseFollows(Context& ctx);
Response EscalateCase(Context& ctx);
// api_bulk.cc
Response BulkCases(Context& ctx);

// api_views.cc
Response ListViews(Context& ctx);
Response CreateView(Context& ctx);
Response DeleteView(Context& ctx);

}  // namespace ecoute::server
