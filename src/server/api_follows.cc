// The comments ecoute follows under a case's web posts (docs/LISTENING.md, "Comments under a
// complaint"): for each post, where its comments are read and the state of the watched
// source that polls them.
#include <string>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "util/datetime.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

std::string HostOf(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  const size_t end = url.find_first_of("/?#", scheme + 3);
  std::string host = url.substr(scheme + 3, end == std::string::npos ? end : end - scheme - 3);
  if (host.rfind("www.", 0) == 0) host.erase(0, 4);
  return host;
}

json FollowJson(const CommentFollow& f, Watcher& watcher) {
  json source = nullptr;
  if (f.source_id) {
    if (Result<WatchedSource> s = watcher.Get(*f.source_id); s) {
      source = {{"id", s->id},
                {"url", s->url},
                {"format", s->format},
                {"interval_seconds", s->interval_seconds},
                {"enabled", s->enabled},
                {"next_poll_at", FormatRfc3339(s->next_poll_at)},
                {"last_polled_at", OptionalTime(s->last_polled_at)},
                {"last_success_at", OptionalTime(s->last_success_at)},
                {"failures", s->failures},
                {"last_error", s->last_error},
                {"posts_seen", s->posts_seen}};
    }
  }
  return {{"post_id", f.post_id},
          {"article_url", f.article_url},
          {"host", HostOf(f.article_url)},
          {"state", f.state},
          {"kind", f.kind},
          {"source_url", f.source_url},
          {"format", f.format},
          {"checked_at", FormatRfc3339(f.checked_at)},
          {"detail", f.detail},
          {"source", source}};
}

}  // namespace

Response ListCaseFollows(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok()) {
    return ErrorResponse(visible);
  }
  Result<std::vector<CommentFollow>> follows = ctx.app.follower().FollowsOf(id);
  if (!follows) return ErrorResponse(follows.error());
  json list = json::array();
  for (const CommentFollow& f : *follows) list.push_back(FollowJson(f, ctx.app.watcher()));
  return JsonResponse({{"case_id", id},
                       {"enabled", ctx.app.follower().options().enabled},
                       {"now", FormatRfc3339(ctx.app.clock().Now())},
                       {"follows", list}});
}

}  // namespace ecoute::server
