// Watched sources (docs/WATCHING.md): listed by managers, changed by admins (route table).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "util/datetime.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

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

}  // namespace

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

}  // namespace ecoute::server
