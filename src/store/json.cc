#include "ecoute/json.h"

#include "util/datetime.h"
#include "util/json.h"

namespace ecoute {
namespace {

void AppendKey(std::string_view key, std::string& out) {
  out += out.back() == '{' ? "\"" : ",\"";
  out += key;
  out += "\":";
}

void AppendString(std::string_view key, std::string_view value, std::string& out) {
  AppendKey(key, out);
  AppendJsonString(value, out);
}

void AppendInt(std::string_view key, int64_t value, std::string& out) {
  AppendKey(key, out);
  out += std::to_string(value);
}

void AppendTime(std::string_view key, std::optional<int64_t> at, std::string& out) {
  AppendKey(key, out);
  if (at) {
    AppendJsonString(FormatRfc3339(*at), out);
  } else {
    out += "null";
  }
}

void AppendStrings(std::string_view key, const std::vector<std::string>& values, std::string& out) {
  AppendKey(key, out);
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(values[i], out);
  }
  out += ']';
}

void AppendInts(std::string_view key, const std::vector<int64_t>& values, std::string& out) {
  AppendKey(key, out);
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  out += ']';
}

void AppendCasePostJson(const CasePost& p, const std::string* cues, std::string& out) {
  out += '{';
  AppendInt("post_id", p.post_id, out);
  AppendString("ext_id", p.ext_id, out);
  AppendString("source", p.source, out);
  AppendString("role", CaseRoleName(p.role), out);
  AppendString("author", p.author, out);
  AppendString("published_at", p.published_at, out);
  AppendString("stance", StanceName(p.stance), out);
  AppendString("url", p.url, out);
  AppendString("text", p.text, out);
  AppendKey("contacts", out);
  out += '[';
  for (size_t i = 0; i < p.contacts.size(); ++i) {
    out += i > 0 ? ",{" : "{";
    AppendString("kind", p.contacts[i].kind, out);
    AppendString("value", p.contacts[i].value, out);
    if (p.contacts[i].where == "site") AppendString("where", "site", out);
    out += '}';
  }
  out += ']';
  AppendStrings("reasons", p.reasons, out);
  AppendKey("reach", out);
  out += '{';
  AppendInt("followers", p.followers, out);
  AppendInt("comments", p.comments, out);
  AppendInt("shares", p.shares, out);
  AppendInt("likes", p.likes, out);
  out += '}';
  if (cues != nullptr && !cues->empty()) {
    AppendKey("cues", out);
    out += *cues;
  }
  out += '}';
}

}  // namespace

void AppendSearchHitJson(const SearchHit& hit, std::string& out) {
  out += '{';
  AppendInt("post_id", hit.post_id, out);
  AppendString("ext_id", hit.ext_id, out);
  AppendString("url", hit.url, out);
  AppendString("title", hit.title, out);
  AppendString("author", hit.author, out);
  AppendString("published_at", hit.published_at, out);
  AppendString("lang", hit.lang, out);
  AppendString("stance", StanceName(hit.stance), out);
  AppendStrings("brands", hit.brands, out);
  AppendInts("cases", hit.cases, out);
  AppendString("snippet", hit.snippet, out);
  AppendKey("score", out);
  AppendNumber(hit.score, 4, out);
  out += '}';
}

void AppendCaseSummaryJson(const CaseSummary& c, const CaseSlaView* sla, std::string& out) {
  out += '{';
  AppendInt("id", c.id, out);
  AppendString("brand", c.brand, out);
  AppendString("customer", c.customer, out);
  AppendString("status", CaseStatusName(c.status), out);
  AppendInt("priority", c.priority, out);
  AppendKey("topic", out);
  if (c.topic) {
    AppendJsonString(TopicName(*c.topic), out);
  } else {
    out += "null";
  }
  AppendString("stance", StanceName(c.stance), out);
  AppendTime("opened_at", c.opened_at, out);
  AppendTime("last_activity_at", c.last_activity_at, out);
  AppendTime("first_response_at", c.first_response_at, out);
  AppendTime("first_observed_response_at", c.first_observed_response_at, out);
  AppendTime("first_declared_response_at", c.first_declared_response_at, out);
  AppendKey("response_kind", out);
  if (std::string_view kind = ResponseKind(c); kind.empty()) {
    out += "null";
  } else {
    AppendJsonString(kind, out);
  }
  AppendKey("priority_override", out);
  out += c.priority_override ? std::to_string(*c.priority_override) : std::string("null");
  AppendTime("resolved_at", c.resolved_at, out);
  AppendInt("posts", c.posts, out);
  AppendString("title", c.title, out);
  AppendString("assignee", c.assignee, out);
  AppendInt("escalation_level", c.escalation_level, out);
  if (c.merged_into) AppendInt("merged_into", *c.merged_into, out);  // only on a merged case
  if (sla != nullptr) {
    AppendString("escalation_name", sla->escalation_name, out);
    AppendKey("sla", out);
    out += '{';
    AppendString("state", sla->state, out);
    AppendTime("due_at", sla->due_at, out);
    AppendKey("target", out);
    if (sla->target.empty()) {
      out += "null";
    } else {
      AppendJsonString(sla->target, out);
    }
    AppendKey("seconds_left", out);
    out += sla->seconds_left ? std::to_string(*sla->seconds_left) : std::string("null");
    AppendInt("level", c.escalation_level, out);
    AppendString("escalation_name", sla->escalation_name, out);
    out += '}';
  }
  out += '}';
}

void AppendCaseEventJson(const CaseEvent& e, std::string& out) {
  out += '{';
  AppendTime("at", e.at, out);
  AppendString("kind", e.kind, out);
  AppendString("actor", e.actor, out);
  AppendString("reason", e.reason, out);
  AppendKey("post_id", out);
  out += e.post_id ? std::to_string(*e.post_id) : std::string("null");
  out += '}';
}

void AppendCaseDetailJson(const CaseDetail& detail, const CaseSlaView* sla,
                          std::span<const std::string> post_cues, std::string& out) {
  out += "{\"case\":";
  AppendCaseSummaryJson(detail.summary, sla, out);
  out += ",\"posts\":[";
  for (size_t i = 0; i < detail.posts.size(); ++i) {
    if (i > 0) out += ',';
    AppendCasePostJson(detail.posts[i], i < post_cues.size() ? &post_cues[i] : nullptr, out);
  }
  out += "],\"events\":[";
  for (size_t i = 0; i < detail.events.size(); ++i) {
    if (i > 0) out += ',';
    AppendCaseEventJson(detail.events[i], out);
  }
  // Grows with every change to the case (each is a timeline entry): for conflict detection.
  out += "],\"version\":" + std::to_string(detail.events.size()) + '}';
}

}  // namespace ecoute
