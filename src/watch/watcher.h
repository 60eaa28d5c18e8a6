// Source watching: the feeds, pages and social JSON endpoints the team follows, polled on a
// schedule (docs/WATCHING.md).
//
// Each source has its own interval; a poll is a conditional GET (the ETag and Last-Modified
// of the last success), so an unchanged feed costs a 304 and no parsing. A failing source
// backs off exponentially, and a server's Retry-After (429, 503) is honored; requests to one
// host are kept apart and few at a time (politeness), whoever asks: the polls and the fetches
// other parts make through FetchPolitely; robots.txt is asked for pages. A failure is
// recorded with its kind (WatchedSource::error_kind) for the dashboard to say in words. The sources
// and their state live in the store's database (WatchTables, store/watch_tables.h), so that a
// restart resumes the schedule where it was.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/status.h"

#include "fetch/fetcher.h"
#include "store/watch_tables.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

// A source with its configuration and polling state: store/watch_tables.h.
using ::ecoute::WatchedSource;

struct WatcherOptions {
  // Politeness: two requests to one host (whatever the port) at least this far apart...
  int64_t min_host_interval_seconds = 10;
  // ... and at most this many in flight to one host at a time (polls and FetchPolitely).
  int max_requests_per_host = 1;
  // Sources polled at once, on as many threads, each on another host (or within
  // max_requests_per_host of one).
  int max_parallel_polls = 4;
  // A failing source is retried after interval * 2^failures, never later than this.
  int64_t max_backoff_seconds = int64_t{6} * 3600;
  // The shortest interval Add and Update accept.
  int64_t min_interval_seconds = 60;
  // Limits, User-Agent and outbound policy of every fetch; the validators and honor_robots
  // are set per source.
  FetchOptions fetch;
};

// What one PollDue did. `polled` counts every source fetched (304s and errors included).
struct PollReport {
  int polled = 0;
  int not_modified = 0;
  int errors = 0;
  int64_t posts = 0;
  int deferred = 0;  // due but held back by politeness (spacing, a host's Retry-After)
};

// Thread-safe: the API's threads may add, list and change sources while the background
// thread polls. The tables are used under db_mutex_ and the politeness record under
// host_mutex_, neither held during a fetch or a sink call; PollDue calls are serialized by
// poll_mutex_ (the polls of one run on up to max_parallel_polls threads); Start and Stop by
// thread_mutex_.
class Watcher {
 public:
  // Opens the watching tables of the store's database `db_path` (OpenWatchTables: created
  // with the rest of the schema if needed). kDataLoss for another program's file,
  // kFailedPrecondition for a file from a newer ecoute.
  static Result<std::unique_ptr<Watcher>> Open(const std::string& db_path, const Clock& clock,
                                               WatcherOptions options = {});
  // The same over tables already open (another backend, a test's).
  static Result<std::unique_ptr<Watcher>> Open(std::unique_ptr<WatchTables> tables,
                                               const Clock& clock, WatcherOptions options = {});
  ~Watcher();  // stops the background thread
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Adds a source, due at once. kInvalidArgument for a URL that is not http(s) (ws or wss
  // for format "jetstream", https for "mastodon_stream": live sources, which PollDue
  // leaves to a stream runner), carries a
  // user name or password, or is refused by options.fetch.outbound before any lookup (a
  // literal non-public address, an internal name: CheckOutboundUrl), an unknown format or
  // an interval below the minimum; kAlreadyExists when the URL is watched already. Returns
  // it with its id and state.
  Result<WatchedSource> Add(const WatchedSource& source) ECOUTE_EXCLUDES(db_mutex_);
  // Every source, by id.
  Result<std::vector<WatchedSource>> List() ECOUTE_EXCLUDES(db_mutex_);
  // kNotFound for an unknown id.
  Result<WatchedSource> Get(int64_t id) ECOUTE_EXCLUDES(db_mutex_);
  // Changes url, format, label, interval and enabled (the state fields are ignored), with
  // Add's validations. A new URL starts afresh: validators and failures cleared, due at once;
  // so does a source enabled again. A shorter interval takes effect from the last poll.
  Result<WatchedSource> Update(const WatchedSource& source) ECOUTE_EXCLUDES(db_mutex_);
  // kNotFound for an unknown id. A poll in progress for it is forgotten when it ends.
  Status Remove(int64_t id) ECOUTE_EXCLUDES(db_mutex_);
  // Records a live source's resume point (WatchTables::SaveCursor).
  Status SaveCursor(int64_t id, std::string_view cursor) ECOUTE_EXCLUDES(db_mutex_);

  // Receives the posts of one successful poll (possibly none), one call at a time (the
  // polls' threads take turns); returns non-OK if they could not be stored: the poll then counts as
  // an error and the validators are not saved, so that the next poll fetches the posts again.
  using Sink = std::function<Status(std::vector<Post>& posts, const WatchedSource& source)>;

  // Polls every enabled source due now (next_poll_at <= clock.Now()), oldest due first, up
  // to max_parallel_polls at once and max_requests_per_host at once on one host (a source
  // whose host is busy waits for it, within this call). A source whose host was asked less
  // than min_host_interval_seconds ago, or told us to wait (Retry-After), is deferred to
  // when it may be. After a success or a 304: validators saved, failures and error kind
  // reset, next poll at now + interval. After an error (network, HTTP 4xx/5xx, robots.txt
  // refusal, a fatal reader problem, the sink failing): failures + 1, last_error says why
  // and error_kind what kind of failure it is (ErrorKindOf), next poll at now +
  // min(max_backoff, max(interval * 2^failures, Retry-After)); a Retry-After is also
  // recorded as rate_limited_until and holds back the host's other sources. Returns when
  // every poll it started has ended. Calls are serialized.
  PollReport PollDue(const Sink& sink) ECOUTE_EXCLUDES(poll_mutex_, db_mutex_, host_mutex_);

  // A GET for another part that fetches from the hosts the watcher polls (the comment
  // follower's discovery of a post's comments feed), under the same per-host rules as the
  // polls: with the watcher's fetch options (robots.txt asked when `honor_robots`). Never
  // waits: kResourceExhausted "host busy: ask again at <RFC 3339>" when the host has
  // max_requests_per_host requests in flight, was asked less than min_host_interval_seconds
  // ago or asked us to wait; otherwise Fetch's result (HTTP errors as results, a 429's
  // Retry-After then holding back the host's polls too).
  Result<FetchResult> FetchPolitely(const std::string& url, bool honor_robots)
      ECOUTE_EXCLUDES(host_mutex_);

  // Polls in a background thread: PollDue every `tick` until Stop. Start while started
  // does nothing.
  void Start(Sink sink, std::chrono::milliseconds tick = std::chrono::milliseconds(1000))
      ECOUTE_EXCLUDES(thread_mutex_);
  // Waits for the poll in progress (the source being fetched; the others due are left for
  // the next start), then returns. Stop when stopped does nothing.
  void Stop() ECOUTE_EXCLUDES(thread_mutex_, wake_mutex_);

  // Called after every failed poll with its error kind, from the polling threads (set it
  // before Start): /metrics counts them.
  std::function<void(std::string_view kind)> on_failure;

  // Totals since Open, for /metrics.
  struct Counters {
    int64_t polls = 0;
    int64_t errors = 0;
    int64_t not_modified = 0;
    int64_t posts = 0;
  };
  Counters counters() const;
  // The enabled sources whose last poll failed (waiting for their back-off), for /metrics.
  Result<int64_t> CountBackingOff() ECOUTE_EXCLUDES(db_mutex_);

 private:
  Watcher(std::unique_ptr<WatchTables> tables, const Clock& clock, WatcherOptions options);

  enum class Outcome { kPosts, kNotModified, kError };
  struct PollResult {
    Outcome outcome = Outcome::kError;
    int64_t posts = 0;
    std::optional<int64_t> host_not_before;  // a Retry-After: the host asks us to wait
  };
  // A failed poll, as SaveError records it.
  struct Failure {
    std::string why;
    std::string kind;
    std::optional<int64_t> retry_after;  // when the server said to come back
  };
  // Per host (lower case, without port): the politeness record.
  struct HostState {
    std::optional<int64_t> last_request;
    int in_flight = 0;
    int64_t not_before = 0;  // a Retry-After
  };
  // Whether a request to `host` may start at `now`: 0 when it may (then counted in
  // flight), else when to ask again (-1: when a request in flight ends).
  int64_t AdmitLocked(const std::string& host, int64_t now) ECOUTE_REQUIRES(host_mutex_);
  // A request to `host` ended; `not_before`: the host asked us to wait until then.
  void ReleaseLocked(const std::string& host, std::optional<int64_t> not_before)
      ECOUTE_REQUIRES(host_mutex_);

  Status Prepare() ECOUTE_EXCLUDES(db_mutex_);
  Status Validate(const WatchedSource& source) const;
  PollReport PollDueUntil(const Sink& sink, const std::atomic<bool>* stop)
      ECOUTE_EXCLUDES(poll_mutex_, db_mutex_);
  PollResult PollOne(const WatchedSource& source, const Sink& sink) ECOUTE_EXCLUDES(db_mutex_);
  void SaveSuccess(const WatchedSource& source, const FetchResult& fetched, int64_t posts)
      ECOUTE_EXCLUDES(db_mutex_);
  void SaveError(const WatchedSource& source, const Failure& failure) ECOUTE_EXCLUDES(db_mutex_);

  const Clock& clock_;
  const WatcherOptions options_;

  Mutex db_mutex_;  // one caller of the tables at a time
  std::unique_ptr<WatchTables> tables_ ECOUTE_GUARDED_BY(db_mutex_);
  Mutex host_mutex_;
  std::map<std::string, HostState> hosts_ ECOUTE_GUARDED_BY(host_mutex_);
  int64_t releases_ ECOUTE_GUARDED_BY(host_mutex_) = 0;  // requests ended, ever
  CondVar host_freed_;                                   // with host_mutex_: a request ended

  Mutex poll_mutex_;  // one PollDue at a time
  Mutex sink_mutex_;  // one sink call at a time, whichever thread polled

  Mutex thread_mutex_;  // serializes Start and Stop
  std::thread thread_ ECOUTE_GUARDED_BY(thread_mutex_);
  // Set by Stop under wake_mutex_, read by the polling thread without it.
  std::atomic<bool> stop_{false};
  Mutex wake_mutex_;
  CondVar wake_;  // with wake_mutex_: lets Stop cut the wait between ticks short

  std::atomic<int64_t> polls_{0};
  std::atomic<int64_t> errors_{0};
  std::atomic<int64_t> not_modified_{0};
  std::atomic<int64_t> posts_{0};
};

// The kind of a failed fetch, for WatchedSource::error_kind: from the HTTP status of an
// answer (`status` > 0; with `retry_after` its Retry-After, "" when none) or else from the
// fetch's error. "unreachable" (DNS, refused connection, TLS, timeout), "refused_by_policy"
// (the outbound policy, a redirect to another scheme), "robots_disallowed",
// "auth_refused" (401, 403), "not_found" (404, 410), "rate_limited" (429, or 503 with a
// Retry-After), "server_error" (5xx), "http_error" (another 4xx), "unreadable" (too large).
std::string ErrorKindOf(long status, std::string_view retry_after, const Status& error);

// When a Retry-After value (delay-seconds, or an HTTP date) received at `now` says to ask
// again, in seconds since the epoch; nullopt when it is neither or not in the future.
std::optional<int64_t> RetryAfterTime(std::string_view value, int64_t now);

}  // namespace ecoute::server
