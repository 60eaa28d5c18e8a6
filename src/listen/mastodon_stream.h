// A Mastodon instance's streaming API, as a live source (listen/live_stream.h): the
// statuses of a hashtag, or of the whole public timeline, as they are posted.
//
// The source's URL names the stream: https://<instance>/api/v1/streaming/hashtag?tag=<tag>,
// .../streaming/hashtag/local?tag=<tag>, .../streaming/public or .../streaming/public/local
// (or /public/remote). It is read as Server-Sent Events (listen/sse.h): `update` carries a
// new status, `status.update` an edited one, `delete` an id (nothing is removed). Each status
// becomes a post as the Mastodon reader makes it (ReadMastodon, ecoute/sources.h).
//
// Each (re)connection first fills the gap since the last status stored: once the stream has
// answered, the REST timeline of the same kind (/api/v1/timelines/tag/<tag>,
// /api/v1/timelines/public) is read since the cursor, newest page first, paging down with
// max_id until the cursor is reached (at most max_backfill_pages pages), then the stream
// is read; statuses the back-fill already handed over are not handed again. The cursor is
// the highest status id stored (Mastodon ids are numbers written as strings), saved as
// posts are stored. Without a cursor (a new source), the back-fill reads one page.
//
// The source's token, when set, is sent as "Authorization: Bearer <token>" and never
// appears in a status or a message. Failures are classified into StreamStatus::error_kind
// and the connection is tried again after an exponential back-off (1 s doubling to 5 min,
// jittered; a 429's Retry-After is honored).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "listen/live_stream.h"

namespace ecoute::listen {

// What a Mastodon stream's URL says.
struct MastodonStreamUrl {
  std::string origin;  // "https://mastodon.social" (with a port when the URL has one)
  std::string kind;    // "hashtag", "hashtag/local", "public", "public/local", "public/remote"
  std::string tag;     // the hashtag, decoded, without "#"; "" for a public stream
  // The REST timeline that back-fills it, without paging parameters:
  // "https://mastodon.social/api/v1/timelines/tag/rust?limit=40".
  std::string timeline_url;
};

// Reads a streaming URL; nullopt when it is not one of the forms above (or a hashtag stream
// without a tag).
std::optional<MastodonStreamUrl> ParseMastodonStreamUrl(std::string_view url);

// Orders Mastodon status ids, numbers written in decimal: by length, then as text. Negative
// when a is before b, 0 when equal, positive after. Ids that are not all digits sort before
// any that are.
int CompareStatusIds(std::string_view a, std::string_view b);

// Knobs with production defaults; tests shorten them.
struct MastodonStreamOptions {
  int64_t min_backoff_ms = 1'000;
  int64_t max_backoff_ms = 300'000;
  // A 429's Retry-After is honored up to this.
  int64_t max_retry_after_ms = 3'600'000;
  // No byte for this long (Mastodon sends a heartbeat every 15 s) ends the connection.
  long idle_timeout_ms = 60'000;  // NOLINT(google-runtime-int): libcurl's type
  int max_backfill_pages = 10;    // of 40 statuses
  // A connection that lasted this long resets the back-off.
  int64_t healthy_after_ms = 60'000;
  // The cursor is saved at most this often (and when a connection ends).
  int64_t cursor_save_interval_ms = 1'000;
};

// The stream of `context.source` (format "mastodon_stream"). Thread-safe as LiveStream says.
std::unique_ptr<LiveStream> NewMastodonStream(LiveContext context);
std::unique_ptr<LiveStream> NewMastodonStream(LiveContext context, MastodonStreamOptions options);

}  // namespace ecoute::listen
