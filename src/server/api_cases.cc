// The inbox, a case with its posts, cues and timeline, agents' actions on a case, and the
// corrections kept for training. Every case is reached through Scope::CheckCase or a list
// narrowed by Scope::Restrict: a case of another brand does not exist for the caller.
#include <algorithm>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/json.h"

#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

// The deepest a case list pages: far beyond any inbox, far below an int's range.
constexpr int64_t kMaxOffset = 1'000'000;

// The longest note or declared response, in bytes.
constexpr size_t kMaxCaseText = 10'000;

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
      return FieldError("unknown_value", "status",
                        "status \"" + ShortQuote(s) +
                            "\": use new, acknowledged, resolved, closed, reopened or open",
                        {{"value", ShortQuote(s)}});
    }
    filter.statuses.push_back(status);
  }
  for (const std::string& t : q.QueryAll("topic")) {
    Topic topic;
    if (!ParseTopic(t, topic)) {
      return FieldError("unknown_topic", "topic", "unknown topic \"" + ShortQuote(t) + "\"",
                        {{"topic", ShortQuote(t)}});
    }
    filter.topics.push_back(topic);
  }
  filter.brands = q.QueryAll("brand");
  if (std::string_view a = q.Query("assignee"); !a.empty()) {
    filter.assignee = a == "me" ? ctx.principal.name : a == "none" ? "" : std::string(a);
  }
  if (q.Query("unanswered") == "true") filter.unanswered_only = true;
  if (std::string_view sla = q.Query("sla"); !sla.empty()) {
    if (sla != "breached") {
      return FieldError("unknown_value", "sla", "sla: only \"breached\" filters on it",
                        {{"value", ShortQuote(sla)}});
    }
    filter.overdue_at = ctx.app.clock().Now();
  }
  if (std::string_view s = q.Query("sort"); !s.empty()) {
    if (s == "priority") {
      filter.sort = CaseSort::kPriority;
    } else if (s == "recent") {
      filter.sort = CaseSort::kRecent;
    } else if (s == "oldest") {
      filter.sort = CaseSort::kOldest;
    } else if (s == "due") {
      filter.sort = CaseSort::kDue;
    } else {
      return FieldError("unknown_value", "sort", "sort: use priority, recent, oldest or due",
                        {{"value", ShortQuote(s)}});
    }
  }
  if (std::string_view l = q.Query("limit"); !l.empty()) {
    std::optional<int64_t> limit = ParseId(l);
    if (!limit || *limit > 500) {
      return FieldError("out_of_range", "limit", "limit: a number from 1 to 500",
                        {{"min", "1"}, {"max", "500"}});
    }
    filter.limit = static_cast<int>(*limit);
  }
  if (std::string_view o = q.Query("offset"); !o.empty()) {
    std::optional<int64_t> offset = o == "0" ? std::optional<int64_t>(0) : ParseId(o);
    if (!offset || *offset > kMaxOffset) {
      return FieldError("out_of_range", "offset",
                        "offset: a number from 0 to " + std::to_string(kMaxOffset),
                        {{"min", "0"}, {"max", std::to_string(kMaxOffset)}});
    }
    filter.offset = static_cast<int>(*offset);
  }
  return filter;
}

// The cues of a post, re-found by the analyzer (which runs at memory speed) rather than
// stored: offsets in UTF-16 units of the text, for the dashboard's highlighting.
json CuesOf(const App& app, const CasePost& post, std::string_view brand) {
  Post p;
  p.id = post.ext_id;
  p.text = post.text;
  thread_local Analyzer::Scratch scratch;
  Analysis analysis;
  // The analysis's brand names point into the analyzer: it is held while they are read.
  const std::shared_ptr<const Analyzer> analyzer = app.analyzer_snapshot();
  analyzer->Analyze(p, scratch, analysis);
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
  Result<CaseDetail> detail = [&] { return ctx.app.store().Lock()->GetCase(id); }();
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
  const CaseSlaView sla = CaseSlaViewOf(c, *ctx.app.sla().config(), ctx.app.clock().Now());
  Response r;
  AppendCaseDetailJson(*detail, &sla, cues, r.body);
  return r;
}

// The answer to an action whose body gives "expected_version" when the case has moved on
// (StaleCase), read under the same lock as the action it guards; nullopt to go on.
std::optional<Response> StaleCaseIn(Store& store, int64_t id, const json& body) {
  if (!body.contains("expected_version")) return std::nullopt;
  Result<CaseDetail> detail = store.GetCase(id);
  if (!detail) return ErrorResponse(detail.error());
  return StaleCase(*detail, body);
}

// An agent's action on a case, then the case as it now is. With "expected_version" in the
// body, the action is done only on the case at that version: else 409 case_changed.
template <typename Action>
Response CaseAction(Context& ctx, Action action) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  std::optional<Response> stale;
  Status status = [&] {
    auto store = ctx.app.store().Lock();
    stale = StaleCaseIn(*store, id, *body);
    return stale ? OkStatus() : action(*store, *body);
  }();
  if (stale) return std::move(*stale);
  if (!status.ok()) return ErrorResponse(status);
  ctx.app.Touch();
  ctx.app.PublishCases({id});
  return CaseDetailResponse(ctx, id);
}

// A correction as the body gives it: a post, one of the caller's brands, a stance, topics.
Status ReadCorrection(const Context& ctx, const json& body, Correction& c) {
  auto post = body.find("post_id");
  if (post == body.end() || !post->is_number_integer()) {
    return FieldError("required", "post_id",
                      "give \"post_id\", the post whose verdict is corrected");
  }
  c.post_id = post->get<int64_t>();
  ECOUTE_RETURN_IF_ERROR(
      TextField(body, "brand", 200, false, "the right brand (default: the case's)", c.brand));
  if (!c.brand.empty() && !ctx.scope.Sees(c.brand)) {
    return FieldError("not_your_brand", "brand",
                      "brand \"" + ShortQuote(c.brand) + "\": give one of your brands",
                      {{"brand", ShortQuote(c.brand)}});
  }
  if (!ParseStance(StringField(body, "stance"), c.stance)) {
    return FieldError("unknown_stance", "stance",
                      "stance: use complaint, praise, resolution, question or neutral");
  }
  if (auto topics = body.find("topics"); topics != body.end() && topics->is_array()) {
    for (const json& t : *topics) {
      Topic topic;
      if (!t.is_string() || !ParseTopic(t.get<std::string>(), topic)) {
        return FieldError("unknown_topic", "topics", "unknown topic " + DescribeValue(t));
      }
      c.topics.push_back(topic);
    }
  }
  return OkStatus();
}

}  // namespace

// ---- conflicts ------------------------------------------------------------------------------

int64_t CaseVersion(const CaseDetail& detail) { return static_cast<int64_t>(detail.events.size()); }

std::optional<Response> StaleCase(const CaseDetail& detail, const json& body) {
  auto expected = body.find("expected_version");
  if (expected == body.end() || expected->is_null()) return std::nullopt;
  if (!expected->is_number_integer() || expected->get<int64_t>() < 0) {
    return ErrorResponse(InvalidArgumentError(
        "\"expected_version\" is " + DescribeValue(*expected) +
        ": give the case's \"version\" as you read it, or leave it out to act regardless"));
  }
  const int64_t version = CaseVersion(detail);
  const int64_t seen = expected->get<int64_t>();
  if (seen == version) return std::nullopt;
  // The changes since: the timeline's newest entries, as many as it grew by.
  const int64_t grown = std::clamp<int64_t>(version - seen, 0, version);
  const json error = {
      {"code", "case_changed"},
      {"message", "case " + std::to_string(detail.summary.id) + " changed since version " +
                      std::to_string(seen) + ": it is at version " + std::to_string(version) +
                      "; send the action again with that version to apply it"}};
  Response r;
  r.status = 409;
  r.body =
      "{\"error\":" + Dump(error) + ",\"version\":" + std::to_string(version) + ",\"changes\":[";
  for (int64_t i = version - grown; i < version; ++i) {
    if (i > version - grown) r.body.push_back(',');
    AppendCaseEventJson(detail.events[static_cast<size_t>(i)], r.body);
  }
  r.body += "]}";
  return r;
}

// ---- the inbox and a case -------------------------------------------------------------------

Response ListCases(Context& ctx) {
  App::ApiState& state = ctx.app.api_state();
  const int64_t now = ctx.app.clock().Now();
  // Sorted by the next breach: the deadlines of targets started since the monitor's last
  // tick are computed first (cheap when there are none).
  if (ctx.request.Query("sort") == "due") {
    Result<int> written = ctx.app.sla().RefreshDeadlines();
    if (!written) return ErrorResponse(written.error());
    if (*written > 0) ctx.app.Touch();
  }
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
  const std::shared_ptr<const SlaConfig> sla = ctx.app.sla().config();
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
      body += CaseSummaryJson(c, *sla, now);
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

// A case of another brand and a missing case get the same answer, after the same work.
Response GetCase(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  return CaseDetailResponse(ctx, id);
}

// ---- agents' actions ------------------------------------------------------------------------

// To a user allowed on the case's brand, a team of the brand, or no one ("");
// the assignee is then told (App::NotifyAssigned).
Response AssignCase(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  std::string assignee = StringField(*body, "assignee");
  if (assignee == "me") assignee = ctx.principal.name;
  Result<std::string> brand = [&] { return ctx.app.store().Lock()->CaseBrand(id); }();
  if (!brand) return ErrorResponse(brand.error());
  if (std::optional<Response> refused = CheckAssignee(ctx.app, *brand, assignee)) return *refused;
  Response r = CaseAction(ctx, [&](Store& store, const json&) {
    return store.AssignCase(id, assignee, Actor(ctx.principal), ctx.app.clock().Now());
  });
  if (r.status == 200) ctx.app.NotifyAssigned(id, *brand, assignee, ctx.principal.name);
  return r;
}

// A response given elsewhere (phone, e-mail...): declared, with its channel and a note.
Response RespondCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) -> Status {
    std::string channel;
    std::string note;
    const std::string channels = "one of " + std::string(kDeclaredChannels);
    ECOUTE_RETURN_IF_ERROR(TextField(body, "channel", 32, true, channels, channel));
    if (!IsDeclaredChannel(channel)) {
      return FieldError("unknown_value", "channel",
                        "\"channel\" is \"" + ShortQuote(channel) + "\": give " + channels,
                        {{"value", ShortQuote(channel)}});
    }
    ECOUTE_RETURN_IF_ERROR(
        TextField(body, "note", kMaxCaseText, true, "what was answered, and to whom", note));
    return store.DeclareResponse(ctx.ids[0], channel, note, Actor(ctx.principal),
                                 ctx.app.clock().Now());
  });
}

// An internal note: for the team, never a response; 201 with its event.
Response AddCaseNote(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  CaseEvent event{ctx.app.clock().Now(), "note", Actor(ctx.principal), {}, std::nullopt};
  if (Status text = TextField(*body, "text", kMaxCaseText, true, "the note's text", event.reason);
      !text.ok()) {
    return ErrorResponse(text);
  }
  std::optional<Response> stale;
  Status status = [&] {
    auto store = ctx.app.store().Lock();
    stale = StaleCaseIn(*store, id, *body);
    return stale ? OkStatus() : store->AddNote(id, event.actor, event.at, event.reason);
  }();
  if (stale) return std::move(*stale);
  if (!status.ok()) return ErrorResponse(status);
  ctx.app.Touch();
  ctx.app.PublishCases({id});
  Response r;
  r.status = 201;
  r.body = "{\"event\":";
  AppendCaseEventJson(event, r.body);
  r.body += '}';
  return r;
}

// An agent's priority over the computed one: {"priority": 0..100 | null, "reason"}.
Response SetCasePriority(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) -> Status {
    auto it = body.find("priority");
    if (it == body.end()) {
      return FieldError("required", "priority",
                        "\"priority\" is missing: give a whole number from 0 to 100, or null to "
                        "clear");
    }
    std::optional<int> priority;
    if (!it->is_null()) {
      if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 100) {
        return FieldError("out_of_range", "priority",
                          "\"priority\" is " + DescribeValue(*it) +
                              ": give a whole number from 0 to 100, or null to clear",
                          {{"min", "0"}, {"max", "100"}});
      }
      priority = static_cast<int>(it->get<int64_t>());
    }
    std::string reason;
    ECOUTE_RETURN_IF_ERROR(TextField(body, "reason", 500, false, "why", reason));
    return store.SetPriority(ctx.ids[0], priority, Actor(ctx.principal), ctx.app.clock().Now(),
                             reason);
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

// ---- corrections ----------------------------------------------------------------------------

Response CorrectCase(Context& ctx) {
  return CaseAction(ctx, [&](Store& store, const json& body) -> Status {
    Correction c;
    ECOUTE_RETURN_IF_ERROR(ReadCorrection(ctx, body, c));
    // The post must belong to this case: a correction elsewhere goes through its own case.
    Result<CaseDetail> detail = store.GetCase(ctx.ids[0]);
    if (!detail) return detail.error();
    if (std::none_of(detail->posts.begin(), detail->posts.end(),
                     [&](const CasePost& p) { return p.post_id == c.post_id; })) {
      return FieldError(
          "post_not_in_case", "post_id",
          "post " + std::to_string(c.post_id) + " is not in case " + std::to_string(ctx.ids[0]));
    }
    // Another brand than the case's moves the case there (both brands are the caller's).
    const std::string& case_brand = detail->summary.brand;
    if (c.brand.empty()) c.brand = case_brand;
    if (!EqualsIgnoreCase(c.brand, case_brand)) c.from_brand = case_brand;
    c.actor = Actor(ctx.principal);
    c.at = ctx.app.clock().Now();
    Result<int64_t> id = store.RecordCorrection(c);
    return id ? OkStatus() : id.error();
  });
}

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
                    // the brand the analysis had named, when the agent changed it
                    {"from_brand", c.from_brand.empty() ? json(nullptr) : json(c.from_brand)},
                    {"stance", StanceName(c.stance)},
                    {"topics", topics},
                    {"corrected_by", c.actor},
                    {"corrected_at", FormatRfc3339(c.at)}});
    r.body.push_back('\n');
  }
  return r;
}

}  // namespace ecoute::server
