// Watched sources (docs/WATCHING.md): listed by managers, changed by admins (route table).
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "listen/stream_runner.h"
#include "reply/vault.h"
#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

// `live`: the stream's status for a live source that has one running, else null.
json SourceJson(const WatchedSource& s, const std::map<int64_t, listen::StreamStatus>& live) {
  const auto stream = live.find(s.id);
  return {{"id", s.id},
          {"url", s.url},
          {"format", s.format},
          {"label", s.label},
          {"interval_seconds", s.interval_seconds},
          {"enabled", s.enabled},
          {"brand", s.brand},
          {"origin", s.origin},
          {"follow_case", s.follow_case ? json(*s.follow_case) : json(nullptr)},
          {"has_token", !s.secret.empty()},
          {"next_poll_at", FormatRfc3339(s.next_poll_at)},
          {"last_polled_at", OptionalTime(s.last_polled_at)},
          {"last_success_at", OptionalTime(s.last_success_at)},
          {"failures", s.failures},
          {"last_error", s.last_error},
          {"posts_seen", s.posts_seen},
          // Polled sources' failure state (docs/WATCHING.md): "" when fine.
          {"error_kind", s.error_kind},
          {"rate_limited_until", OptionalTime(s.rate_limited_until)},
          {"live", stream == live.end() ? json(nullptr) : listen::StatusJson(stream->second)}};
}

// The write-only `token` (a live source's access token): sealed into `secret`; "" or null
// removes it. It is never returned (`has_token` says whether there is one).
Status ApplyToken(const json& body, const reply::SecretVault& vault, WatchedSource& s) {
  auto it = body.find("token");
  if (it == body.end()) return OkStatus();
  if (it->is_null()) {
    s.secret.clear();
    return OkStatus();
  }
  std::string token;
  ECOUTE_RETURN_IF_ERROR(TextField(body, "token", 4096, false, "text", token));
  s.secret = token.empty() ? std::string() : vault.Seal(token);
  return OkStatus();
}

Status ApplySource(const json& body, WatchedSource& s) {
  for (auto [name, out] :
       {std::pair{"url", &s.url}, std::pair{"format", &s.format}, std::pair{"label", &s.label}}) {
    if (!body.contains(name)) continue;
    ECOUTE_RETURN_IF_ERROR(TextField(body, name, 2048, false, "text", *out));
  }
  if (body.contains("brand"))
    ECOUTE_RETURN_IF_ERROR(TextField(body, "brand", 200, false, "text", s.brand));
  if (body.contains("origin")) {
    ECOUTE_RETURN_IF_ERROR(TextField(body, "origin", 20, false, "text", s.origin));
    if (s.origin != "team" && s.origin != "proposal" && s.origin != "comments") {
      return FieldError("invalid", "origin", "origin: team, proposal or comments");
    }
  }
  if (auto it = body.find("follow_case"); it != body.end()) {
    if (it->is_null()) {
      s.follow_case.reset();
    } else if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      return FieldError("wrong_type", "follow_case", "follow_case: a case id or null",
                        {{"expected", "integer"}});
    } else {
      s.follow_case = it->get<int64_t>();
    }
  }
  if (auto it = body.find("interval_seconds"); it != body.end()) {
    if (!it->is_number_integer()) {
      return FieldError("wrong_type", "interval_seconds", "interval_seconds: a number of seconds",
                        {{"expected", "integer"}});
    }
    s.interval_seconds = it->get<int64_t>();
  }
  if (auto it = body.find("enabled"); it != body.end()) {
    if (!it->is_boolean()) {
      return FieldError("wrong_type", "enabled", "enabled: true or false",
                        {{"expected", "boolean"}});
    }
    s.enabled = it->get<bool>();
  }
  if (s.url.empty()) return FieldError("required", "url", "give the source's \"url\"");
  return OkStatus();
}

// The watcher's refusal of a source, on the field at fault.
Status SourceError(const Status& st) {
  if (st.code() != StatusCode::kInvalidArgument || DetailOf(st) != nullptr) return st;
  const std::string& m = st.message();
  if (m.starts_with("url")) {
    return WithDetail(
        st, {m.find("outbound policy") != std::string::npos ? "url_not_allowed" : "invalid_url",
             "url",
             {}});
  }
  if (m.starts_with("format")) return WithDetail(st, {"unknown_format", "format", {}});
  if (m.starts_with("interval_seconds")) {
    const size_t at = m.find("at least ");
    return WithDetail(st, {"too_small",
                           "interval_seconds",
                           {{"min", at == std::string::npos ? "" : m.substr(at + 9)}}});
  }
  return st;
}

}  // namespace

json WatchedSourceJson(const WatchedSource& source) { return SourceJson(source, {}); }

Response ListSources(Context& ctx) {
  Result<std::vector<WatchedSource>> sources = ctx.app.watcher().List();
  if (!sources) return ErrorResponse(sources.error());
  const std::map<int64_t, listen::StreamStatus> live = ctx.app.streams().Statuses();
  json list = json::array();
  for (const WatchedSource& s : *sources) {
    // A brand's own source (a proposal, a case's comments) is shown to those who see it.
    if (!s.brand.empty() && !ctx.scope.Sees(s.brand)) continue;
    list.push_back(SourceJson(s, live));
  }
  return JsonResponse({{"sources", list}});
}

Response CreateSource(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  WatchedSource s;
  if (Status st = ApplySource(*body, s); !st.ok()) return ErrorResponse(st);
  if (Status st = ApplyToken(*body, ctx.app.vault(), s); !st.ok()) return ErrorResponse(st);
  Result<WatchedSource> added = ctx.app.watcher().Add(s);
  if (!added) return ErrorResponse(SourceError(added.error()));
  ctx.app.streams().Sync();
  return JsonResponse(SourceJson(*added, ctx.app.streams().Statuses()), 201);
}

Response UpdateSource(Context& ctx) {
  Result<WatchedSource> s = ctx.app.watcher().Get(ctx.ids[0]);
  if (!s) return ErrorResponse(s.error());
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  if (Status st = ApplySource(*body, *s); !st.ok()) return ErrorResponse(st);
  if (Status st = ApplyToken(*body, ctx.app.vault(), *s); !st.ok()) return ErrorResponse(st);
  Result<WatchedSource> updated = ctx.app.watcher().Update(*s);
  if (!updated) return ErrorResponse(SourceError(updated.error()));
  ctx.app.streams().Sync();
  return JsonResponse(SourceJson(*updated, ctx.app.streams().Statuses()));
}

Response DeleteSource(Context& ctx) {
  if (Status st = ctx.app.watcher().Remove(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  ctx.app.streams().Sync();
  Response r;
  r.status = 204;
  return r;
}

}  // namespace ecoute::server
