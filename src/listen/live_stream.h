// Live sources: connections that stay open and deliver posts as they are written (the
// Bluesky Jetstream firehose, Mastodon's streaming API), next to the watcher's polled ones
// (docs/LISTENING.md). A live source is a watched source (store/watch_tables.h) whose
// format names a stream kind ("jetstream", "mastodon_stream"); the watcher leaves it alone
// and a StreamRunner (listen/stream_runner.h) keeps one LiveStream per enabled live source.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/status.h"

#include "fetch/fetcher.h"
#include "store/watch_tables.h"
#include "util/clock.h"

namespace ecoute::listen {

// What Settings, the API and /metrics show of one live source. Times are seconds since
// the epoch (0: never).
struct StreamStatus {
  // "connecting", "connected", "backoff" (waiting retry_at before reconnecting), "stopped".
  std::string state = "connecting";
  // Why the last connection failed or ended, as a kind the dashboard translates: "" (none),
  // "unreachable" (DNS, refused, timeout, TLS), "refused_by_policy" (outbound guard),
  // "auth_refused" (401/403), "rate_limited" (429, with retry_at from Retry-After),
  // "closed_by_server" (a close frame, end of stream), "protocol" (not the protocol
  // expected: bad handshake, not JSON), "not_found" (404).
  std::string error_kind;
  std::string last_error;  // a line for the dashboard, without the URL's query or a token
  int64_t connected_since = 0;
  int64_t last_event_at = 0;  // when the last event arrived
  double lag_seconds = 0;     // arrival time minus the last event's own time
  int64_t retry_at = 0;       // state "backoff": when the next attempt is
  int failures = 0;           // consecutive failed connections
  int64_t events = 0;         // events read since the server started
  int64_t matched = 0;        // of which posts kept (they name a brand of the catalog)
  int64_t malformed = 0;      // frames or events that could not be read (skipped)
  int64_t reconnects = 0;
};

// Hands the posts of one batch to the ingest path. `only_with_brands`: posts that name no
// brand of the catalog are analyzed and dropped (the firehose's case). Returns the number of
// posts stored, or an error when they could not be: the stream then does not advance its
// cursor past them.
using LiveSink = std::function<Result<int64_t>(std::vector<Post>& posts,
                                               const WatchedSource& source, bool only_with_brands)>;

// Everything a LiveStream is given.
struct LiveContext {
  WatchedSource source;  // as stored when the stream started (cursor included)
  LiveSink sink;
  // Records the resume point once the posts before it are stored (WatchTables::SaveCursor).
  std::function<Status(std::string_view cursor)> save_cursor;
  // The source's token, decrypted ("" for none); never logged.
  std::string token;
  const Clock* clock = nullptr;
  // User-Agent, limits and the outbound policy (fetch/outbound.h): a stream connects only
  // to addresses the policy allows, as every other outbound request.
  FetchOptions fetch;
};

// One live connection, reconnecting on its own. Run is called on a thread of its own and
// returns once `stop` is requested (promptly: a blocking read is cut short); status() may
// be called from any thread at any time.
class LiveStream {
 public:
  virtual ~LiveStream() = default;
  virtual void Run(std::stop_token stop) = 0;
  virtual StreamStatus status() const = 0;
};

using LiveStreamFactory = std::function<std::unique_ptr<LiveStream>(LiveContext context)>;

// Whether a watched source's format names a live stream (the watcher never polls those).
inline bool IsLiveFormat(std::string_view format) {
  return format == "jetstream" || format == "mastodon_stream";
}

}  // namespace ecoute::listen
