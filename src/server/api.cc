// The REST API under /api/v1, the health and metrics endpoints, and the dashboard's files.
//
// Every request goes through App::Handle: the route table says which role a route needs;
// the caller is authenticated (session cookie with a CSRF header for writes, or a bearer
// token); then the handler runs with a Scope, the one place where a caller's brands
// restrict what is read or changed. A handler never reaches the store without it.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "ecoute/ingest.h"
#include "ecoute/json.h"
#include "ecoute/report.h"
#include "ecoute/search.h"
#include "ecoute/sources.h"

#include "server/api_state.h"
#include "server/app.h"
#include "server/web_assets.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

constexpr std::string_view kSessionCookie = "ecoute_session";
// The deepest a case list pages: far beyond any inbox, far below an int's range.
constexpr int64_t kMaxOffset = 1'000'000;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

Response ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  Response r;
  r.status = http_status;
  r.body = Dump({{"error", {{"code", code}, {"message", message}}}});
  return r;
}

Response ErrorResponse(const Status& status) {
  if (status.code() == StatusCode::kInternal || status.code() == StatusCode::kDataLoss) {
    // The details go to the log, not to the client.
    spdlog::error("internal error: {}", status.message());
    return ErrorResponse(500, "internal", "internal error; the server log has the details");
  }
  std::string code(StatusCodeName(status.code()));
  if (status.code() == StatusCode::kResourceExhausted) code = "too_many_requests";
  return ErrorResponse(HttpStatusFor(status.code()), code, status.message());
}

Response JsonResponse(const json& j, int status = 200) {
  Response r;
  r.status = status;
  r.body = Dump(j);
  return r;
}

json OptionalTime(const std::optional<int64_t>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

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

// Byte offset in UTF-8 `text` -> offset in UTF-16 code units, for JavaScript.
int64_t Utf16Offset(std::string_view text, size_t byte_offset) {
  int64_t units = 0;
  for (size_t i = 0; i < byte_offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;        // four-byte sequences are surrogate pairs
  }
  return units;
}

}  // namespace

// ---- the caller and their scope ------------------------------------------------------------

// What a caller may see: every handler asks it, and nothing else decides.
class Scope {
 public:
  explicit Scope(const Principal& principal) : principal_(principal) {}
  const Principal& principal() const { return principal_; }
  bool Sees(std::string_view brand) const { return principal_.CanSeeBrand(brand); }
  bool all() const { return principal_.all_brands || principal_.role == Role::kAdmin; }

  // Narrows a brand filter to the visible brands: an empty filter (all brands) becomes the
  // caller's brands. False when nothing visible is left: the answer is then empty.
  bool Restrict(std::vector<std::string>& brands) const {
    if (all()) return true;
    if (brands.empty()) {
      brands = principal_.brands;
    } else {
      std::erase_if(brands, [&](const std::string& b) { return !Sees(b); });
    }
    return !brands.empty();
  }
  // A key for caches of scoped answers.
  std::string Key() const {
    if (all()) return "*";
    std::vector<std::string> sorted = principal_.brands;
    std::sort(sorted.begin(), sorted.end());
    std::string key;
    for (const std::string& b : sorted) key.append(b).push_back('\x1f');
    return key;
  }
  // A case the caller may not see does not exist for them.
  Status CheckCase(App& app, int64_t case_id) const {
    Result<std::string> brand = [&] {
      return app.store().Lock()->CaseBrand(case_id);
    }();
    if (!brand) return brand.error();
    if (!Sees(*brand)) return NotFoundError("no case " + std::to_string(case_id));
    return OkStatus();
  }
  bool SeesAll(const std::vector<std::string>& brands) const {
    if (all()) return true;
    if (brands.empty()) return false;  // "any brand" is more than a scoped caller may watch
    return std::all_of(brands.begin(), brands.end(), [&](const std::string& b) { return Sees(b); });
  }

 private:
  const Principal& principal_;
};

struct Context {
  App& app;
  Request& request;
  const Principal& principal;
  Scope scope;
  std::vector<int64_t> ids;          // the {id} parts of the path
  StreamCredential credential = {};  // what authenticated the caller
};

namespace {

Result<json> ParseBody(const Request& request) {
  if (request.body.empty()) return json::object();
  // (App::Handle has refused bodies nested deeper than kMaxJsonDepth.)
  json j = json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("the body must be a JSON object");
  }
  return j;
}

// A client's value, as an error message may name it: a string's first characters, else
// its kind. Never the value serialized, which may be huge (or deep).
std::string DescribeValue(const json& value) {
  if (value.is_string()) return "\"" + ShortQuote(value.get_ref<const std::string&>()) + "\"";
  return std::string("a value of type ") + value.type_name();
}

std::string StringField(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Actor(const Principal& p) {
  return std::string(p.role == Role::kAdmin     ? "admin:"
                     : p.role == Role::kManager ? "manager:"
                                                : "agent:") +
         p.name;
}

json UserJson(const User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"display_name", u.display_name},
          {"email", u.email},
          {"role", RoleName(u.role)},
          {"all_brands", u.all_brands || u.role == Role::kAdmin},
          {"brands", u.brands},
          {"disabled", u.disabled},
          {"created_at", FormatRfc3339(u.created_at)}};
}

json PrincipalJson(const Principal& p) {
  return {{"id", p.user_id},
          {"name", p.name},
          {"role", RoleName(p.role)},
          {"all_brands", p.all_brands || p.role == Role::kAdmin},
          {"brands", p.brands}};
}

// ---- health, metrics ---------------------------------------------------------------------

Response Healthz(Context&) { return JsonResponse({{"status", "ok"}}); }

Response Readyz(Context& ctx) {
  Result<StoreStats> stats = [&] {
    return ctx.app.store().Lock()->Stats();
  }();
  if (!stats) return ErrorResponse(503, "unavailable", "the store does not answer");
  return JsonResponse({{"status", "ready"}, {"posts", stats->posts}, {"cases", stats->cases}});
}

Response MetricsText(Context& ctx) {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = ctx.app.metrics().Render();
  return r;
}

Response OpenApi(Context&) {
  Response r;
  r.body = std::string(OpenApiDocument());
  return r;
}

// ---- session ------------------------------------------------------------------------------

Response SessionCookie(App& app, const NewSession& session, Response r) {
  std::string cookie = std::string(kSessionCookie) + "=" + session.token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(std::max<int64_t>(0, session.expires_at - app.clock().Now()));
  if (app.config().cookie_secure) cookie += "; Secure";
  r.headers.emplace_back("Set-Cookie", std::move(cookie));
  return r;
}

Response Login(App& app, Request& request) {
  Result<json> body = ParseBody(request);
  if (!body) return ErrorResponse(body.error());
  const std::string name = StringField(*body, "name");
  const std::string password = StringField(*body, "password");
  if (name.empty() || password.empty()) {
    return ErrorResponse(400, "invalid_argument", "give \"name\" and \"password\"");
  }
  Result<NewSession> session = app.access().Login(name, password, request.remote_address);
  app.metrics()
      .GetCounter("ecoute_logins_total", "Login attempts",
                  {{"result", session ? "ok" : StatusCodeName(session.error().code())}})
      .Inc();
  if (!session) {
    Response r = ErrorResponse(session.error());
    if (session.error().code() == StatusCode::kResourceExhausted) {
      r.headers.emplace_back("Retry-After", std::to_string(app.config().access.lockout_seconds));
    }
    return r;
  }
  return SessionCookie(
      app, *session,
      JsonResponse({{"user", PrincipalJson(session->principal)}, {"csrf", session->csrf_token}}));
}

Response GetSession(Context& ctx) {
  return JsonResponse({{"user", PrincipalJson(ctx.principal)}, {"csrf", ctx.principal.csrf_token}});
}

Response Logout(Context& ctx) {
  const std::string_view token = CookieValue(ctx.request.Header("cookie"), kSessionCookie);
  if (!token.empty()) (void)ctx.app.access().Logout(token);
  Response r;
  r.status = 204;
  r.body.clear();
  std::string cookie =
      std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (ctx.app.config().cookie_secure) cookie += "; Secure";
  r.headers.emplace_back("Set-Cookie", std::move(cookie));
  return r;
}

// ---- cases --------------------------------------------------------------------------------

Result<CaseFilter> CaseFilterFrom(const Context& ctx) {
  CaseFilter filter;
  const Request& q = ctx.request;
  for (const std::string& s : q.QueryAll("status")) {
    CaseStatus status;
    if (s == "open") {
      filter.statuses.insert(filter.statuses.end(),
                             {CaseStatus::kNew, CaseStatus::kAcknowledged, CaseStatus::kReopened});
      continue;
    }
    if (!ParseCaseStatus(s, status)) {
      return InvalidArgumentError("status \"" + ShortQuote(s) +
                                  "\": use new, acknowledged, resolved, closed, reopened or open");
    }
    filter.statuses.push_back(status);
  }
  for (const std::string& t : q.QueryAll("topic")) {
    Topic topic;
    if (!ParseTopic(t, topic)) {
      return InvalidArgumentError("unknown topic \"" + ShortQuote(t) + "\"");
    }
    filter.topics.push_back(topic);
  }
  filter.brands = q.QueryAll("brand");
  if (std::string_view a = q.Query("assignee"); !a.empty()) {
    filter.assignee = a == "me" ? ctx.principal.name : a == "none" ? "" : std::string(a);
  }
  if (q.Query("unanswered") == "true") filter.unanswered_only = true;
  if (std::string_view s = q.Query("sort"); !s.empty()) {
    if (s == "priority") {
      filter.sort = CaseSort::kPriority;
    } else if (s == "recent") {
      filter.sort = CaseSort::kRecent;
    } else if (s == "oldest") {
      filter.sort = CaseSort::kOldest;
    } else {
      return InvalidArgumentError("sort: use priority, recent or oldest");
    }
  }
  if (std::string_view l = q.Query("limit"); !l.empty()) {
    std::optional<int64_t> limit = ParseId(l);
    if (!limit || *limit > 500) return InvalidArgumentError("limit: a number from 1 to 500");
    filter.limit = static_cast<int>(*limit);
  }
  if (std::string_view o = q.Query("offset"); !o.empty()) {
    std::optional<int64_t> offset = o == "0" ? std::optional<int64_t>(0) : ParseId(o);
    if (!offset || *offset > kMaxOffset) {
      return InvalidArgumentError("offset: a number from 0 to " + std::to_string(kMaxOffset));
    }
    filter.offset = static_cast<int>(*offset);
  }
  return filter;
}

Response ListCases(Context& ctx) {
  App::ApiState& state = ctx.app.api_state();
  const int64_t now = ctx.app.clock().Now();
  const uint64_t generation = ctx.app.generation();
  std::string key = ctx.scope.Key();
  key.push_back('|');
  if (size_t q = ctx.request.target.find('?'); q != std::string::npos) {
    key.append(ctx.request.target, q + 1);
  }
  if (ctx.request.Query("assignee") == "me") key.append("|").append(ctx.principal.name);
  {
    std::shared_lock lock(state.cache_mutex);
    auto it = state.case_lists.find(key);
    if (it != state.case_lists.end() && it->second.generation == generation &&
        now - it->second.computed_at < 5) {
      Response r;
      r.body = it->second.body;
      return r;
    }
  }
  Result<CaseFilter> filter = CaseFilterFrom(ctx);
  if (!filter) return ErrorResponse(filter.error());
  std::string body = "{\"cases\":[";
  if (ctx.scope.Restrict(filter->brands)) {
    Result<std::vector<CaseSummary>> cases = [&] {
      return ctx.app.store().Lock()->ListCases(*filter);
    }();
    if (!cases) return ErrorResponse(cases.error());
    bool first = true;
    for (const CaseSummary& c : *cases) {
      if (!first) body.push_back(',');
      first = false;
      body += CaseSummaryJson(c, ctx.app.config().sla, now);
    }
  }
  body += "]}";
  {
    std::unique_lock lock(state.cache_mutex);
    if (state.case_lists.size() > 4096) state.case_lists.clear();  // bounded memory
    state.case_lists[key] = {generation, now, body};
  }
  Response r;
  r.body = std::move(body);
  return r;
}

// The cues of a post, re-found by the analyzer (which runs at memory speed) rather than
// stored: offsets in UTF-16 units of the text, for the dashboard's highlighting.
json CuesOf(const App& app, const CasePost& post, std::string_view brand) {
  Post p;
  p.id = post.ext_id;
  p.text = post.text;
  thread_local Analyzer::Scratch scratch;
  Analysis analysis;
  app.analyzer().Analyze(p, scratch, analysis);
  const std::string_view text = p.text;
  json cues = json::array();
  auto add = [&](std::string_view piece, std::string_view kind) {
    if (piece.empty() || piece.data() < text.data() ||
        piece.data() + piece.size() > text.data() + text.size()) {
      return;  // a cue from the lexicon rather than the text
    }
    const size_t begin = static_cast<size_t>(piece.data() - text.data());
    cues.push_back({{"start", Utf16Offset(text, begin)},
                    {"end", Utf16Offset(text, begin + piece.size())},
                    {"kind", kind},
                    {"label", piece}});
  };
  for (const BrandVerdict& verdict : analysis.brands) {
    if (!EqualsIgnoreCase(verdict.name, brand)) continue;
    for (const Span& span : verdict.spans) {
      if (span.end <= text.size() && span.begin < span.end) {
        add(text.substr(span.begin, span.end - span.begin), "brand");
      }
    }
    for (std::string_view cue : verdict.cues) add(cue, StanceName(verdict.stance));
  }
  for (const TopicVerdict& topic : analysis.topics) {
    for (std::string_view cue : topic.cues) add(cue, "topic");
  }
  for (const Money& m : analysis.facts.money) add(m.text, "fact");
  for (const Duration& d : analysis.facts.durations) add(d.text, "fact");
  std::sort(cues.begin(), cues.end(), [](const json& a, const json& b) {
    return a["start"].get<int64_t>() < b["start"].get<int64_t>();
  });
  // Overlapping cues (a brand inside a complaint phrase) keep the first.
  json kept = json::array();
  int64_t end = -1;
  for (json& cue : cues) {
    if (cue["start"].get<int64_t>() < end) continue;
    end = cue["end"].get<int64_t>();
    kept.push_back(std::move(cue));
  }
  return kept;
}

Response CaseDetailResponse(Context& ctx, int64_t id) {
  Result<CaseDetail> detail = [&] {
    return ctx.app.store().Lock()->GetCase(id);
  }();
  if (!detail) {
    if (detail.error().code() == StatusCode::kNotFound) {
      return ErrorResponse(NotFoundError("no case " + std::to_string(id)));
    }
    return ErrorResponse(detail.error());
  }
  const CaseSummary& c = detail->summary;
  if (!ctx.scope.Sees(c.brand))
    return ErrorResponse(NotFoundError("no case " + std::to_string(id)));
  std::vector<std::string> cues;
  cues.reserve(detail->posts.size());
  for (const CasePost& p : detail->posts) cues.push_back(Dump(CuesOf(ctx.app, p, c.brand)));
  const CaseSlaView sla = CaseSlaViewOf(c, ctx.app.config().sla, ctx.app.clock().Now());
  Response r;
  AppendCaseDetailJson(*detail, &sla, cues, r.body);
  return r;
}

// A case of another brand and a missing case get the same answer, after the same work.
Response GetCase(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  return CaseDetailResponse(ctx, id);
}

// An agent's action on a case, then the case as it now is.
template <typename Action>
Response CaseAction(Context& ctx, Action action) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  Status status = [&] {
    return action(*ctx.app.store().Lock(), *body);
  }();
  if (!status.ok()) return ErrorResponse(status);
  ctx.app.Touch();
  ctx.app.PublishCases({id});
  return CaseDetailResponse(ctx, id);
}

Response AssignCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) {
    std::string assignee = StringField(body, "assignee");
    if (assignee == "me") assignee = ctx.principal.name;
    return store.AssignCase(ctx.ids[0], assignee, Actor(ctx.principal), ctx.app.clock().Now());
  });
}

Response RespondCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) {
    return store.RecordResponse(ctx.ids[0], Actor(ctx.principal), ctx.app.clock().Now(),
                                StringField(body, "note"));
  });
}

Response ResolveCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) {
    return store.ResolveCase(ctx.ids[0], Actor(ctx.principal), ctx.app.clock().Now(),
                             StringField(body, "reason"));
  });
}

Response CloseCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) {
    return store.CloseCase(ctx.ids[0], Actor(ctx.principal), ctx.app.clock().Now(),
                           StringField(body, "reason"));
  });
}

Response ReopenCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) {
    return store.ReopenCase(ctx.ids[0], Actor(ctx.principal), ctx.app.clock().Now(),
                            StringField(body, "reason"));
  });
}

Response CorrectCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) -> Status {
    Correction c;
    auto post = body.find("post_id");
    if (post == body.end() || !post->is_number_integer()) {
      return InvalidArgumentError("give \"post_id\", the post whose verdict is corrected");
    }
    c.post_id = post->get<int64_t>();
    c.brand = StringField(body, "brand");
    if (!ctx.scope.Sees(c.brand)) {
      return InvalidArgumentError("brand \"" + ShortQuote(c.brand) + "\": give one of your brands");
    }
    if (!ParseStance(StringField(body, "stance"), c.stance)) {
      return InvalidArgumentError("stance: use complaint, praise, resolution, question or neutral");
    }
    if (auto topics = body.find("topics"); topics != body.end() && topics->is_array()) {
      for (const json& t : *topics) {
        Topic topic;
        if (!t.is_string() || !ParseTopic(t.get<std::string>(), topic)) {
          return InvalidArgumentError("unknown topic " + DescribeValue(t));
        }
        c.topics.push_back(topic);
      }
    }
    // The post must belong to this case: a correction elsewhere goes through its own case.
    Result<CaseDetail> detail = store.GetCase(ctx.ids[0]);
    if (!detail) return detail.error();
    if (std::none_of(detail->posts.begin(), detail->posts.end(),
                     [&](const CasePost& p) { return p.post_id == c.post_id; })) {
      return InvalidArgumentError("post " + std::to_string(c.post_id) + " is not in case " +
                                  std::to_string(ctx.ids[0]));
    }
    c.actor = Actor(ctx.principal);
    c.at = ctx.app.clock().Now();
    Result<int64_t> id = store.RecordCorrection(c);
    return id ? OkStatus() : id.error();
  });
}

// ---- posts --------------------------------------------------------------------------------

Response SearchPosts(Context& ctx) {
  const std::string q(ctx.request.Query("q"));
  Result<SearchQuery> query = ParseSearchQuery(q, ctx.app.clock().Now());
  if (!query) return ErrorResponse(query.error());
  SearchOptions options;
  options.highlight_open = "\x01";
  options.highlight_close = "\x02";
  if (std::string_view l = ctx.request.Query("limit"); !l.empty()) {
    std::optional<int64_t> limit = ParseId(l);
    if (!limit || *limit > 200) {
      return ErrorResponse(400, "invalid_argument", "limit: a number from 1 to 200");
    }
    options.limit = static_cast<int>(*limit);
  }
  std::string body = "{\"hits\":[";
  if (ctx.scope.Restrict(query->brands)) {
    Result<std::vector<SearchHit>> found = [&] {
      return ctx.app.store().Lock()->Search(*query, options);
    }();
    if (!found) return ErrorResponse(found.error());
    for (SearchHit& h : *found) {
      std::erase_if(h.brands, [&](const std::string& b) { return !ctx.scope.Sees(b); });
      // Another brand's cases do not exist for this caller, nor do their ids.
      std::vector<int64_t> cases;
      for (size_t i = 0; i < h.cases.size() && i < h.case_brands.size(); ++i) {
        if (ctx.scope.Sees(h.case_brands[i])) cases.push_back(h.cases[i]);
      }
      h.cases = std::move(cases);
      if (body.back() != '[') body += ',';
      AppendSearchHitJson(h, body);
    }
  }
  body += "]}";
  Response r;
  r.body = std::move(body);
  return r;
}

Response PushPosts(Context& ctx) {
  std::string bytes = std::move(ctx.request.body);
  const JsonShape shape = ScanJson(bytes);  // (not too deep: App::Handle checked)
  // One pretty-printed JSON object is one post: its white space outside strings is dropped
  // (a byte copy, no document tree) so that it is one line for the JSON-lines reader.
  if (shape.top_level_containers == 1 && !shape.top_level_other &&
      bytes.find('\n') != std::string::npos) {
    std::string line(bytes.size(), '\0');
    size_t length = 0;
    if (simdjson::minify(bytes.data(), bytes.size(), line.data(), length) == simdjson::SUCCESS) {
      line.resize(length);
      bytes = std::move(line);
    }
  }
  Result<std::unique_ptr<Ingestor>> ingestor =
      ctx.app.NewIngestor(static_cast<size_t>(std::max<int64_t>(1, ctx.app.config().ingest_batch)));
  if (!ingestor) return ErrorResponse(ingestor.error());
  const std::vector<Problem> problems = (*ingestor)->Read(bytes, "push", InputFormat::kJsonLines);
  const Status stored = (*ingestor)->Flush();
  const IngestChange& change = (*ingestor)->change();
  if (change.read == 0) {
    return ErrorResponse(400, "invalid_argument",
                         problems.empty()
                             ? "no post in the body: send one JSON object, or JSON lines, each "
                               "with at least \"text\""
                             : problems.front().where + ": " + problems.front().message);
  }
  if (!stored.ok()) {
    // What was stored before stays stored; say how far it went.
    Response r = ErrorResponse(stored);
    r.body = Dump({{"error",
                    {{"code", StatusCodeName(stored.code())},
                     {"message", stored.message()},
                     {"stored_before_error", change.stored()}}}});
    return r;
  }
  json problem_list = json::array();
  for (const Problem& p : problems) problem_list.push_back(p.where + ": " + p.message);
  return JsonResponse({{"read", change.read},
                       {"new", change.created},
                       {"updated", change.updated},
                       {"unchanged", change.unchanged},
                       {"problems", problem_list},
                       {"cases", change.cases}},
                      problems.empty() ? 200 : 207);
}

// ---- brands, reports ------------------------------------------------------------------------

Response ListBrands(Context& ctx) {
  json brands = json::array();
  for (const Brand& b : ctx.app.catalog().brands) {
    if (!ctx.scope.Sees(b.name)) continue;
    brands.push_back(
        {{"name", b.name}, {"aliases", b.aliases}, {"handles", b.handles}, {"domains", b.domains}});
  }
  return JsonResponse({{"brands", brands}});
}

Response GetReport(Context& ctx) {
  ReportOptions options;
  options.brands = ctx.request.QueryAll("brand");
  options.now = ctx.app.clock().Now();
  for (const TimeBound bound : {TimeBound::kSince, TimeBound::kUntil}) {
    const std::string name = bound == TimeBound::kSince ? "since" : "until";
    std::string_view text = ctx.request.Query(name);
    if (text.empty()) continue;
    std::optional<int64_t> when = ParseTimeBound(text, bound, options.now);
    if (!when) {
      return ErrorResponse(400, "invalid_argument",
                           name + " \"" + ShortQuote(text) + "\": not a date; " +
                               std::string(kTimeBoundForms));
    }
    (bound == TimeBound::kSince ? options.since : options.until) = when;
  }
  Report report;
  report.generated_at = options.now;
  if (ctx.scope.Restrict(options.brands)) {
    Result<Report> built = [&] {
      return ctx.app.store().Lock()->BuildReport(options);
    }();
    if (!built) return ErrorResponse(built.error());
    report = std::move(built).value();
  }
  Response r;
  if (ctx.request.Query("format") == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    AppendReportCsv(report, r.body);
  } else {
    AppendReportJson(report, r.body);
  }
  return r;
}

// ---- live updates -----------------------------------------------------------------------------

Response Events(Context& ctx) {
  Response r;
  r.content_type = "text/event-stream";
  App* app = &ctx.app;
  Principal principal = ctx.principal;
  StreamCredential credential = ctx.credential;
  r.on_stream = [app, principal, credential](std::shared_ptr<EventSink> sink) {
    sink->Send("retry: 3000\n: connected\n\n");
    app->live().Subscribe(std::move(sink), principal, credential, app->clock().Now());
  };
  return r;
}

// ---- sources --------------------------------------------------------------------------------

json SourceJson(const WatchedSource& s) {
  return {{"id", s.id},
          {"url", s.url},
          {"format", s.format},
          {"label", s.label},
          {"interval_seconds", s.interval_seconds},
          {"enabled", s.enabled},
          {"next_poll_at", FormatRfc3339(s.next_poll_at)},
          {"last_polled_at", OptionalTime(s.last_polled_at)},
          {"last_success_at", OptionalTime(s.last_success_at)},
          {"failures", s.failures},
          {"last_error", s.last_error},
          {"posts_seen", s.posts_seen}};
}

Status ApplySource(const json& body, WatchedSource& s) {
  if (body.contains("url")) s.url = StringField(body, "url");
  if (body.contains("format")) s.format = StringField(body, "format");
  if (body.contains("label")) s.label = StringField(body, "label");
  if (auto it = body.find("interval_seconds"); it != body.end()) {
    if (!it->is_number_integer()) return InvalidArgumentError("interval_seconds: a number");
    s.interval_seconds = it->get<int64_t>();
  }
  if (auto it = body.find("enabled"); it != body.end()) {
    if (!it->is_boolean()) return InvalidArgumentError("enabled: true or false");
    s.enabled = it->get<bool>();
  }
  return OkStatus();
}

Response ListSources(Context& ctx) {
  Result<std::vector<WatchedSource>> sources = ctx.app.watcher().List();
  if (!sources) return ErrorResponse(sources.error());
  json list = json::array();
  for (const WatchedSource& s : *sources) list.push_back(SourceJson(s));
  return JsonResponse({{"sources", list}});
}

Response CreateSource(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  WatchedSource s;
  if (Status st = ApplySource(*body, s); !st.ok()) return ErrorResponse(st);
  Result<WatchedSource> added = ctx.app.watcher().Add(s);
  if (!added) return ErrorResponse(added.error());
  return JsonResponse(SourceJson(*added), 201);
}

Response UpdateSource(Context& ctx) {
  Result<WatchedSource> s = ctx.app.watcher().Get(ctx.ids[0]);
  if (!s) return ErrorResponse(s.error());
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  if (Status st = ApplySource(*body, *s); !st.ok()) return ErrorResponse(st);
  Result<WatchedSource> updated = ctx.app.watcher().Update(*s);
  if (!updated) return ErrorResponse(updated.error());
  return JsonResponse(SourceJson(*updated));
}

Response DeleteSource(Context& ctx) {
  if (Status st = ctx.app.watcher().Remove(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

// ---- alert rules and deliveries ----------------------------------------------------------------

json RuleJson(const AlertRule& rule, bool show_secret) {
  json stances = json::array();
  for (Stance s : rule.stances) stances.push_back(StanceName(s));
  json topics = json::array();
  for (Topic t : rule.topics) topics.push_back(TopicName(t));
  return {{"id", rule.id},
          {"name", rule.name},
          {"brands", rule.brands},
          {"stances", stances},
          {"topics", topics},
          {"min_priority", rule.min_priority},
          {"on_case_opened", rule.on_case_opened},
          {"on_escalation", rule.on_escalation},
          {"on_spike", rule.on_spike},
          {"url", rule.target.url},
          {"secret", show_secret ? rule.target.secret : MaskSecret(rule.target.secret)},
          {"enabled", rule.enabled}};
}

Status ApplyRule(const json& body, AlertRule& rule) {
  if (body.contains("name")) rule.name = StringField(body, "name");
  if (body.contains("url")) rule.target.url = StringField(body, "url");
  if (body.contains("secret")) rule.target.secret = StringField(body, "secret");
  if (auto it = body.find("brands"); it != body.end()) {
    if (!it->is_array()) return InvalidArgumentError("brands: a list of brand names");
    rule.brands.clear();
    for (const json& b : *it) {
      if (!b.is_string()) return InvalidArgumentError("brands: a list of brand names");
      rule.brands.push_back(b.get<std::string>());
    }
  }
  if (auto it = body.find("stances"); it != body.end()) {
    rule.stances.clear();
    for (const json& s : *it) {
      Stance stance;
      if (!s.is_string() || !ParseStance(s.get<std::string>(), stance)) {
        return InvalidArgumentError("unknown stance " + DescribeValue(s));
      }
      rule.stances.push_back(stance);
    }
  }
  if (auto it = body.find("topics"); it != body.end()) {
    rule.topics.clear();
    for (const json& t : *it) {
      Topic topic;
      if (!t.is_string() || !ParseTopic(t.get<std::string>(), topic)) {
        return InvalidArgumentError("unknown topic " + DescribeValue(t));
      }
      rule.topics.push_back(topic);
    }
  }
  for (auto [name, flag] :
       {std::pair{"on_case_opened", &rule.on_case_opened},
        std::pair{"on_escalation", &rule.on_escalation}, std::pair{"on_spike", &rule.on_spike},
        std::pair{"enabled", &rule.enabled}}) {
    if (auto it = body.find(name); it != body.end()) {
      if (!it->is_boolean()) return InvalidArgumentError(std::string(name) + ": true or false");
      *flag = it->get<bool>();
    }
  }
  if (auto it = body.find("min_priority"); it != body.end()) {
    if (!it->is_number_integer()) return InvalidArgumentError("min_priority: 0 to 100");
    rule.min_priority = it->get<int>();
  }
  return OkStatus();
}

Response ListRules(Context& ctx) {
  Result<std::vector<AlertRule>> rules = ctx.app.alerts().ListRules();
  if (!rules) return ErrorResponse(rules.error());
  json list = json::array();
  for (const AlertRule& r : *rules) {
    if (ctx.scope.SeesAll(r.brands)) list.push_back(RuleJson(r, false));
  }
  return JsonResponse({{"rules", list}});
}

Response CreateRule(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  AlertRule rule;
  if (Status st = ApplyRule(*body, rule); !st.ok()) return ErrorResponse(st);
  if (rule.brands.empty() && !ctx.scope.all()) {
    return ErrorResponse(400, "invalid_argument",
                         "list the brands the rule watches in \"brands\" (yours only)");
  }
  if (!ctx.scope.SeesAll(rule.brands)) {
    return ErrorResponse(403, "permission_denied", "a rule may only watch your brands");
  }
  rule.created_by = ctx.principal.user_id;
  Result<AlertRule> created = ctx.app.alerts().CreateRule(rule);
  if (!created) return ErrorResponse(created.error());
  // The secret is shown once, to whoever created the rule.
  return JsonResponse(RuleJson(*created, true), 201);
}

Response UpdateRule(Context& ctx) {
  Result<AlertRule> rule = ctx.app.alerts().GetRule(ctx.ids[0]);
  if (!rule || !ctx.scope.SeesAll(rule->brands)) {
    return ErrorResponse(NotFoundError("no rule " + std::to_string(ctx.ids[0])));
  }
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  if (Status st = ApplyRule(*body, *rule); !st.ok()) return ErrorResponse(st);
  if (!ctx.scope.SeesAll(rule->brands)) {
    return ErrorResponse(403, "permission_denied", "a rule may only watch your brands");
  }
  Result<AlertRule> updated = ctx.app.alerts().UpdateRule(*rule);
  if (!updated) return ErrorResponse(updated.error());
  return JsonResponse(RuleJson(*updated, false));
}

Response DeleteRule(Context& ctx) {
  Result<AlertRule> rule = ctx.app.alerts().GetRule(ctx.ids[0]);
  if (!rule || !ctx.scope.SeesAll(rule->brands)) {
    return ErrorResponse(NotFoundError("no rule " + std::to_string(ctx.ids[0])));
  }
  if (Status st = ctx.app.alerts().DeleteRule(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

Response ListDeliveries(Context& ctx) {
  std::optional<DeliveryState> state;
  if (std::string_view s = ctx.request.Query("state"); !s.empty()) {
    DeliveryState parsed;
    if (!ParseDeliveryState(s, parsed)) {
      return ErrorResponse(400, "invalid_argument", "state: pending, delivered or dead");
    }
    state = parsed;
  }
  Result<std::vector<Delivery>> deliveries = ctx.app.alerts().ListDeliveries(state, 200);
  if (!deliveries) return ErrorResponse(deliveries.error());
  json list = json::array();
  for (const Delivery& d : *deliveries) {
    if (!ctx.scope.Sees(d.brand)) continue;
    list.push_back({{"id", d.id},
                    {"rule_id", d.rule_id ? json(*d.rule_id) : json(nullptr)},
                    {"url", d.url},
                    {"dedupe_key", d.dedupe_key},
                    {"event_kind", d.event_kind},
                    {"case_id", d.case_id},
                    {"brand", d.brand},
                    {"state", DeliveryStateName(d.state)},
                    {"attempts", d.attempts},
                    {"created_at", FormatRfc3339(d.created_at)},
                    {"next_attempt_at", FormatRfc3339(d.next_attempt_at)},
                    {"delivered_at", OptionalTime(d.delivered_at)},
                    {"last_error", d.last_error}});
  }
  return JsonResponse({{"deliveries", list}});
}

Response RetryDelivery(Context& ctx) {
  Result<Delivery> delivery = ctx.app.alerts().GetDelivery(ctx.ids[0]);
  if (!delivery || !ctx.scope.Sees(delivery->brand)) {
    return ErrorResponse(NotFoundError("no delivery " + std::to_string(ctx.ids[0])));
  }
  if (Status st = ctx.app.alerts().Retry(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  return JsonResponse({{"id", ctx.ids[0]}, {"state", "pending"}}, 202);
}

// ---- users and tokens --------------------------------------------------------------------------

Status ApplyUser(const json& body, User& user) {
  if (body.contains("name")) user.name = StringField(body, "name");
  if (body.contains("display_name")) user.display_name = StringField(body, "display_name");
  if (body.contains("email")) user.email = StringField(body, "email");
  if (body.contains("role") && !ParseRole(StringField(body, "role"), user.role)) {
    return InvalidArgumentError("role: admin, manager, agent or viewer");
  }
  if (auto it = body.find("all_brands"); it != body.end()) {
    if (!it->is_boolean()) return InvalidArgumentError("all_brands: true or false");
    user.all_brands = it->get<bool>();
  }
  if (auto it = body.find("brands"); it != body.end()) {
    if (!it->is_array()) return InvalidArgumentError("brands: a list of brand names");
    user.brands.clear();
    for (const json& b : *it) {
      if (!b.is_string()) return InvalidArgumentError("brands: a list of brand names");
      user.brands.push_back(b.get<std::string>());
    }
  }
  if (auto it = body.find("disabled"); it != body.end()) {
    if (!it->is_boolean()) return InvalidArgumentError("disabled: true or false");
    user.disabled = it->get<bool>();
  }
  return OkStatus();
}

Response ListUsers(Context& ctx) {
  Result<std::vector<User>> users = ctx.app.access().ListUsers();
  if (!users) return ErrorResponse(users.error());
  json list = json::array();
  for (const User& u : *users) list.push_back(UserJson(u));
  return JsonResponse({{"users", list}});
}

Response CreateUser(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  User user;
  if (Status st = ApplyUser(*body, user); !st.ok()) return ErrorResponse(st);
  Result<User> created = ctx.app.access().AddUser(user, StringField(*body, "password"));
  if (!created) return ErrorResponse(created.error());
  return JsonResponse(UserJson(*created), 201);
}

Response UpdateUser(Context& ctx) {
  Result<User> user = ctx.app.access().GetUser(ctx.ids[0]);
  if (!user) return ErrorResponse(user.error());
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  if (Status st = ApplyUser(*body, *user); !st.ok()) return ErrorResponse(st);
  Result<User> updated = ctx.app.access().UpdateUser(*user);
  if (!updated) return ErrorResponse(updated.error());
  if (std::string password = StringField(*body, "password"); !password.empty()) {
    if (Status st = ctx.app.access().SetPassword(ctx.ids[0], password); !st.ok()) {
      return ErrorResponse(st);
    }
  }
  return JsonResponse(UserJson(*updated));
}

Response DeleteUser(Context& ctx) {
  if (ctx.ids[0] == ctx.principal.user_id) {
    return ErrorResponse(409, "failed_precondition", "you cannot delete yourself");
  }
  if (Status st = ctx.app.access().DeleteUser(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

json TokenJson(const TokenInfo& t) {
  return {{"id", t.id},
          {"user_id", t.user_id},
          {"label", t.label},
          {"prefix", t.prefix},
          {"created_at", FormatRfc3339(t.created_at)},
          {"expires_at", OptionalTime(t.expires_at)},
          {"last_used_at", OptionalTime(t.last_used_at)}};
}

Response ListTokens(Context& ctx) {
  const bool admin = ctx.principal.role == Role::kAdmin;
  Result<std::vector<TokenInfo>> tokens = ctx.app.access().ListTokens(
      admin ? std::nullopt : std::optional<int64_t>(ctx.principal.user_id));
  if (!tokens) return ErrorResponse(tokens.error());
  json list = json::array();
  for (const TokenInfo& t : *tokens) list.push_back(TokenJson(t));
  return JsonResponse({{"tokens", list}});
}

Response CreateToken(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  std::optional<int64_t> expires;
  if (auto it = body->find("expires_days"); it != body->end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      return ErrorResponse(400, "invalid_argument", "expires_days: a number of days, 1 or more");
    }
    expires = ctx.app.clock().Now() + it->get<int64_t>() * 86400;
  }
  std::string label = StringField(*body, "label");
  if (label.empty()) return ErrorResponse(400, "invalid_argument", "give a \"label\"");
  Result<NewToken> token = ctx.app.access().CreateToken(ctx.principal.user_id, label, expires);
  if (!token) return ErrorResponse(token.error());
  return JsonResponse({{"token", token->token}, {"info", TokenJson(token->info)}}, 201);
}

Response DeleteToken(Context& ctx) {
  if (ctx.principal.role != Role::kAdmin) {
    Result<std::vector<TokenInfo>> own = ctx.app.access().ListTokens(ctx.principal.user_id);
    if (!own) return ErrorResponse(own.error());
    if (std::none_of(own->begin(), own->end(),
                     [&](const TokenInfo& t) { return t.id == ctx.ids[0]; })) {
      return ErrorResponse(NotFoundError("no token " + std::to_string(ctx.ids[0])));
    }
  }
  if (Status st = ctx.app.access().RevokeToken(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

// ---- corrections, for training ----------------------------------------------------------------

Response ListCorrections(Context& ctx) {
  Result<std::vector<Correction>> corrections = [&] {
    return ctx.app.store().Lock()->ListCorrections(0, 100000);
  }();
  if (!corrections) return ErrorResponse(corrections.error());
  // JSON lines in the format `ecoute train --data` reads.
  Response r;
  r.content_type = "application/x-ndjson";
  for (const Correction& c : *corrections) {
    if (!ctx.scope.Sees(c.brand)) continue;
    json topics = json::array();
    for (Topic t : c.topics) topics.push_back(TopicName(t));
    r.body += Dump({{"text", c.text},
                    {"brand", c.brand},
                    {"stance", StanceName(c.stance)},
                    {"topics", topics},
                    {"corrected_by", c.actor},
                    {"corrected_at", FormatRfc3339(c.at)}});
    r.body.push_back('\n');
  }
  return r;
}

// ---- routing ------------------------------------------------------------------------------------

bool MatchRoute(std::string_view pattern, std::string_view path, std::vector<int64_t>& ids) {
  ids.clear();
  while (!pattern.empty() && !path.empty()) {
    const size_t pe = pattern.find('/', 1);
    const size_t te = path.find('/', 1);
    std::string_view p = pattern.substr(0, pe);
    std::string_view t = path.substr(0, te);
    if (p == "/{id}") {
      std::optional<int64_t> id = t.size() > 1 ? ParseId(t.substr(1)) : std::nullopt;
      if (!id) return false;
      ids.push_back(*id);
    } else if (p != t) {
      return false;
    }
    pattern = pe == std::string_view::npos ? std::string_view() : pattern.substr(pe);
    path = te == std::string_view::npos ? std::string_view() : path.substr(te);
  }
  return pattern.empty() && path.empty();
}

Response StaticFile(const App& app, const Request& request) {
  std::string path = request.path == "/" ? "/index.html" : request.path;
  Response r;
  r.route = "static";
  if (!app.config().web_dir.empty()) {
    if (path.find("..") != std::string::npos)
      return ErrorResponse(404, "not_found", "no such page");
    std::FILE* f = std::fopen((app.config().web_dir + path).c_str(), "rb");
    if (f == nullptr) return ErrorResponse(404, "not_found", "no such page");
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) r.body.append(buffer, n);
    std::fclose(f);
    r.content_type = std::string(ContentTypeFor(path));
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  const WebAsset* asset = FindWebAsset(path);
  if (asset == nullptr) return ErrorResponse(404, "not_found", "no such page");
  const std::string etag = "\"" + std::string(asset->etag) + "\"";
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (request.Header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  r.content_type = std::string(ContentTypeFor(asset->path));
  r.body.assign(asset->data, asset->size);
  return r;
}

}  // namespace

void App::InitApi() {
  api_state_ = std::make_unique<ApiState>();
  api_state_->routes = {
      {"GET", "/api/v1/session", Role::kViewer, GetSession},
      {"DELETE", "/api/v1/session", Role::kViewer, Logout},
      {"GET", "/api/v1/events", Role::kViewer, Events},
      {"GET", "/api/v1/cases", Role::kViewer, ListCases},
      {"GET", "/api/v1/cases/{id}", Role::kViewer, GetCase},
      {"POST", "/api/v1/cases/{id}/assign", Role::kAgent, AssignCase},
      {"POST", "/api/v1/cases/{id}/respond", Role::kAgent, RespondCase},
      {"POST", "/api/v1/cases/{id}/resolve", Role::kAgent, ResolveCase},
      {"POST", "/api/v1/cases/{id}/close", Role::kAgent, CloseCase},
      {"POST", "/api/v1/cases/{id}/reopen", Role::kAgent, ReopenCase},
      {"POST", "/api/v1/cases/{id}/corrections", Role::kAgent, CorrectCase},
      {"GET", "/api/v1/corrections", Role::kManager, ListCorrections},
      {"GET", "/api/v1/posts", Role::kViewer, SearchPosts},
      {"POST", "/api/v1/posts", Role::kManager, PushPosts, true},
      {"GET", "/api/v1/brands", Role::kViewer, ListBrands},
      {"GET", "/api/v1/reports", Role::kViewer, GetReport},
      {"GET", "/api/v1/sources", Role::kManager, ListSources},
      {"POST", "/api/v1/sources", Role::kAdmin, CreateSource, true},
      {"PATCH", "/api/v1/sources/{id}", Role::kAdmin, UpdateSource, true},
      {"DELETE", "/api/v1/sources/{id}", Role::kAdmin, DeleteSource, true},
      {"GET", "/api/v1/rules", Role::kManager, ListRules},
      {"POST", "/api/v1/rules", Role::kManager, CreateRule},
      {"PATCH", "/api/v1/rules/{id}", Role::kManager, UpdateRule},
      {"DELETE", "/api/v1/rules/{id}", Role::kManager, DeleteRule},
      {"GET", "/api/v1/deliveries", Role::kManager, ListDeliveries},
      {"POST", "/api/v1/deliveries/{id}/retry", Role::kManager, RetryDelivery},
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
  for (const Route& r : const_cast<App&>(app).api_state().routes) {
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

Response App::Handle(Request& request) {
  Response response = [&]() -> Response {
    const std::string_view path = request.path;
    const bool read = request.method == "GET" || request.method == "HEAD";
    if (path == "/healthz" || path == "/readyz" || path == "/metrics" ||
        path == "/api/v1/openapi.json") {
      if (!read) return ErrorResponse(405, "method_not_allowed", "use GET");
      Principal nobody;
      Context ctx{*this, request, nobody, Scope(nobody), {}};
      Response r = path == "/healthz"   ? Healthz(ctx)
                   : path == "/readyz"  ? Readyz(ctx)
                   : path == "/metrics" ? MetricsText(ctx)
                                        : OpenApi(ctx);
      r.route = std::string(path);
      return r;
    }
    if (!path.starts_with("/api/")) {
      if (!read) return ErrorResponse(405, "method_not_allowed", "use GET");
      return StaticFile(*this, request);
    }
    // Before any other work, on every route: a body nested deeper than kMaxJsonDepth is
    // refused, whatever would read it (recursive walks of a deeper tree overflow the stack).
    if (!request.body.empty()) {
      if (Status shallow = CheckJsonDepth(request.body); !shallow.ok()) {
        return ErrorResponse(shallow);
      }
    }
    if (path == "/api/v1/session" && request.method == "POST") {
      // Login: refuse cross-site posts (the cookie is SameSite, the body JSON; a browser
      // sends Origin with every POST, and it must be this server).
      if (std::string_view origin = request.Header("origin"); !origin.empty()) {
        const std::string_view host = request.Header("host");
        const bool same = !host.empty() && (origin == "http://" + std::string(host) ||
                                            origin == "https://" + std::string(host));
        if (!same) return ErrorResponse(403, "permission_denied", "cross-site login refused");
      }
      Response r = Login(*this, request);
      r.route = "/api/v1/session";
      return r;
    }
    // Which route?
    const Route* route = nullptr;
    bool path_known = false;
    std::vector<int64_t> ids;
    for (const Route& r : api_state_->routes) {
      if (!MatchRoute(r.pattern, path, ids)) continue;
      path_known = true;
      if (r.method == request.method || (request.method == "HEAD" && r.method == "GET")) {
        route = &r;
        break;
      }
    }
    if (route == nullptr) {
      return path_known
                 ? ErrorResponse(405, "method_not_allowed", "method not allowed here")
                 : ErrorResponse(404, "not_found", "no such endpoint: see /api/v1/openapi.json");
    }
    // Who is asking?
    Result<Principal> principal =
        Status(StatusCode::kUnauthenticated, "log in, or send a bearer token");
    StreamCredential credential;
    std::string_view authorization = request.Header("authorization");
    if (authorization.size() > 7 && EqualsIgnoreCase(authorization.substr(0, 7), "bearer ")) {
      principal = access_->AuthenticateToken(authorization.substr(7));
      credential = {false, std::string(authorization.substr(7))};
    } else if (std::string_view session = CookieValue(request.Header("cookie"), kSessionCookie);
               !session.empty()) {
      principal = access_->AuthenticateSession(session);
      credential = {true, std::string(session)};
      if (principal && !read && !access_->CheckCsrf(*principal, request.Header("x-csrf-token"))) {
        Response r = ErrorResponse(403, "csrf", "missing or wrong X-CSRF-Token header");
        r.route = std::string(route->pattern);
        return r;
      }
    }
    if (!principal) {
      Response r = ErrorResponse(401, "unauthenticated", principal.error().message());
      r.route = std::string(route->pattern);
      return r;
    }
    // May they?
    const Scope scope(*principal);
    if (!principal->AtLeast(route->min_role) || (route->requires_all_brands && !scope.all())) {
      Response r = ErrorResponse(
          403, "permission_denied",
          "your role (" + std::string(RoleName(principal->role)) + ") may not do this");
      r.route = std::string(route->pattern);
      return r;
    }
    Context ctx{*this, request, *principal, scope, std::move(ids), std::move(credential)};
    Response r = route->handler(ctx);
    r.route = std::string(route->pattern);
    return r;
  }();
  return response;
}

}  // namespace ecoute::server
