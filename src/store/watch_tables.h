// The tables of source watching (watch/watcher.h): the feeds, pages and social endpoints
// the team follows, each with its polling state. Scheduling, politeness and fetching are
// the watcher's; these calls only keep the rows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

struct WatchedSource {
  int64_t id = 0;
  std::string url;              // http or https; unique
  std::string format = "auto";  // auto|feed|html|mastodon|bluesky|jsonl, or a live stream's
  std::string label;            // what the team calls it; free text
  int64_t interval_seconds = 900;
  bool enabled = true;
  // The brand it listens for ("" for none in particular: a network-wide stream, a source
  // the team added by hand).
  std::string brand;
  // Who added it: "team" (by hand), "proposal" (a brand's proposed source, accepted),
  // "comments" (the comments under a post of an open case, followed by ecoute).
  std::string origin = "team";
  // For origin "comments": the case whose conversation it follows.
  std::optional<int64_t> follow_case;
  // A stream's resume point (a Jetstream time_us, a Mastodon status id), kept as the
  // stream advances (SaveCursor); "" before the first event.
  std::string cursor;
  // An access token, encrypted at rest by the caller (reply/vault.h); "" for none. Never
  // returned by the API.
  std::string secret;

  // State, kept by the watcher (ignored by Add and Update).
  std::string etag;  // validators of the last success, sent back on the next poll
  std::string last_modified;
  int64_t next_poll_at = 0;  // seconds since the epoch
  std::optional<int64_t> last_polled_at;
  std::optional<int64_t> last_success_at;
  int failures = 0;        // consecutive errors; 0 after a success or a 304
  std::string last_error;  // why the last poll failed ("" after a success)
  // The kind of that failure, for the dashboard to say in words ("" after a success):
  // "unreachable", "refused_by_policy", "auth_refused", "rate_limited", "not_found",
  // "server_error", "http_error", "robots_disallowed", "unreadable", "not_stored" (the
  // kinds of listen/live_stream.h where they are the same things).
  std::string error_kind;
  // error_kind "rate_limited": when the source is asked again, the later of the Retry-After
  // and the back-off (capped as the back-off is).
  std::optional<int64_t> rate_limited_until;
  int64_t posts_seen = 0;  // posts handed to the sink, over the source's life
  int64_t created_at = 0;
};

// Not thread-safe: one caller at a time (Watcher holds its mutex around every call, and
// never during a fetch). Lookups that find nothing fail with kNotFound; storage failures
// with the codes of status.h.
class WatchTables {
 public:
  virtual ~WatchTables() = default;

  // Adds a source from its url, format, label, interval, enabled flag, brand, origin,
  // follow_case, cursor and secret, created and due
  // at `now`, with no state; returns its id. kAlreadyExists when the URL is watched
  // already: "url \"https://...\": already watched (source 3)".
  virtual Result<int64_t> AddSource(const WatchedSource& source, int64_t now) = 0;
  // Every source, by id.
  virtual Result<std::vector<WatchedSource>> ListSources() = 0;
  // kNotFound: "no watched source 3".
  virtual Result<WatchedSource> FindSource(int64_t id) = 0;
  // Writes the url, format, label, interval, enabled flag, validators, failures, last error
  // and its kind, rate_limited_until, next poll time, brand, origin, follow_case, cursor and
  // secret of source.id. kAlreadyExists, as AddSource, when another source has the URL.
  virtual Status UpdateSource(const WatchedSource& source) = 0;
  // kNotFound: "no watched source 3".
  virtual Status DeleteSource(int64_t id) = 0;

  // The enabled sources due at `now` (next_poll_at <= now), oldest due first, then by id.
  virtual Result<std::vector<int64_t>> DueSources(int64_t now) = 0;
  // Moves the source's next poll to `next_poll_at`.
  virtual Status DeferSource(int64_t id, int64_t next_poll_at) = 0;
  // A poll at `now` that succeeded (or found the resource unchanged), recorded only while
  // source `id` still has `url` (an Update may have changed it, a Remove removed it, during
  // the fetch): validators saved, failures and error cleared, next poll at now + interval,
  // `posts` added to posts_seen, error_kind and rate_limited_until cleared.
  virtual Status RecordSuccess(int64_t id, std::string_view url, std::string_view etag,
                               std::string_view last_modified, int64_t now, int64_t posts) = 0;
  // A poll at `polled_at` that failed: the count of consecutive failures, the reason, its
  // kind, until when it is rate-limited (nullopt when it is not) and the next poll time, as
  // the watcher computed them.
  struct Failure {
    int failures = 0;
    std::string_view error;
    std::string_view kind;
    std::optional<int64_t> rate_limited_until;
    int64_t polled_at = 0;
    int64_t next_poll_at = 0;
  };
  virtual Status RecordFailure(int64_t id, const Failure& failure) = 0;
  // Records a live stream's resume point; nothing else changes.
  virtual Status SaveCursor(int64_t id, std::string_view cursor) = 0;
};

// Opens the watching tables of the store's database at `db_path` (the SQLite file, created
// if missing), on a connection of their own, applying the schema's pending migrations
// (store/schema.h). Fails as OpenAccessTables (store/access_tables.h).
Result<std::unique_ptr<WatchTables>> OpenWatchTables(const std::string& db_path);

}  // namespace ecoute
