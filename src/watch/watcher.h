// Source watching: the feeds, pages and social JSON endpoints the team follows, polled on a
// schedule (docs/WATCHING.md).
//
// Each source has its own interval; a poll is a conditional GET (the ETag and Last-Modified
// of the last success), so an unchanged feed costs a 304 and no parsing. A failing source
// backs off exponentially; two requests to one host are kept apart (politeness); robots.txt
// is asked for pages. The sources and their state live in the store's database
// (WatchTables, store/watch_tables.h), so that a restart resumes the schedule where it was.
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
  // Politeness: two requests to one host (whatever the port) at least this far apart.
  int64_t min_host_interval_seconds = 10;
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
  int deferred = 0;  // due but held back by politeness
};

// Thread-safe: the API's threads may add, list and change sources while the background
// thread polls. The tables and the politeness record are used under db_mutex_, never held
// during a fetch or a sink call; polls are serialized by poll_mutex_; Start and Stop by
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

  // Receives the posts of one successful poll (possibly none); returns non-OK if they could
  // not be stored: the poll then counts as an error and the validators are not saved, so
  // that the next poll fetches the posts again.
  using Sink = std::function<Status(std::vector<Post>& posts, const WatchedSource& source)>;

  // Polls every enabled source due now (next_poll_at <= clock.Now()), oldest due first,
  // one at a time. A source whose host was asked less than min_host_interval_seconds ago
  // is deferred to when it may be. After a success or a 304: validators saved, failures
  // reset, next poll at now + interval. After an error (network, HTTP 4xx/5xx, robots.txt
  // refusal, a fatal reader problem, the sink failing): failures + 1, last_error says why,
  // next poll at now + min(max_backoff, interval * 2^failures). Calls are serialized.
  PollReport PollDue(const Sink& sink) ECOUTE_EXCLUDES(poll_mutex_, db_mutex_);

  // Polls in a background thread: PollDue every `tick` until Stop. Start while started
  // does nothing.
  void Start(Sink sink, std::chrono::milliseconds tick = std::chrono::milliseconds(1000))
      ECOUTE_EXCLUDES(thread_mutex_);
  // Waits for the poll in progress (the source being fetched; the others due are left for
  // the next start), then returns. Stop when stopped does nothing.
  void Stop() ECOUTE_EXCLUDES(thread_mutex_, wake_mutex_);

  // Totals since Open, for /metrics.
  struct Counters {
    int64_t polls = 0;
    int64_t errors = 0;
    int64_t not_modified = 0;
    int64_t posts = 0;
  };
  Counters counters() const;

 private:
  Watcher(std::unique_ptr<WatchTables> tables, const Clock& clock, WatcherOptions options);

  enum class Outcome { kPosts, kNotModified, kError };
  struct PollResult {
    Outcome outcome = Outcome::kError;
    int64_t posts = 0;
  };

  Status Prepare() ECOUTE_EXCLUDES(db_mutex_);
  Status Validate(const WatchedSource& source) const;
  PollReport PollDueUntil(const Sink& sink, const std::atomic<bool>* stop)
      ECOUTE_EXCLUDES(poll_mutex_, db_mutex_);
  PollResult PollOne(const WatchedSource& source, const Sink& sink) ECOUTE_REQUIRES(poll_mutex_)
      ECOUTE_EXCLUDES(db_mutex_);
  void SaveSuccess(const WatchedSource& source, const FetchResult& fetched, int64_t posts)
      ECOUTE_EXCLUDES(db_mutex_);
  void SaveError(const WatchedSource& source, const std::string& why) ECOUTE_EXCLUDES(db_mutex_);

  const Clock& clock_;
  const WatcherOptions options_;

  Mutex db_mutex_;  // one caller of the tables at a time
  std::unique_ptr<WatchTables> tables_ ECOUTE_GUARDED_BY(db_mutex_);
  // When each host (lower case, without port) was last asked, for politeness.
  std::map<std::string, int64_t> host_last_request_ ECOUTE_GUARDED_BY(db_mutex_);

  Mutex poll_mutex_;  // one PollDue at a time

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

}  // namespace ecoute::server
