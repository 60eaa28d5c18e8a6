// Following the conversation under every complaint (docs/LISTENING.md, "Comments under a
// complaint"): when a post of an open case is a web article, page or forum thread, its
// comments are found once (sources/comment_feeds.h) and polled as a watched source (origin
// "comments", the case's brand, follow_case set) on a schedule that slows as the case
// ages; the source goes when the case is resolved, closed or too old. The brand's reply
// and the customer's follow-up then join the case by the threading rules (docs/CASES.md):
// Prepare gives each comment read from such a source the article as parent when the
// source names none.
//
// The watcher polls the sources with its own politeness (host spacing, conditional GET,
// back-off, robots.txt for pages); the follower only adds, reschedules and removes them,
// and fetches each article once to discover where its comments are.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ecoute/fetch.h"
#include "ecoute/post.h"
#include "ecoute/status.h"

#include "store/follow_tables.h"
#include "store/shared_store.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "watch/watcher.h"

namespace ecoute::server {

// One step of the schedule: while the case's last activity is less than `until_seconds`
// old, its comments are polled every `interval_seconds`.
struct FollowStep {
  int64_t until_seconds = 0;
  int64_t interval_seconds = 0;
};

struct CommentFollowerOptions {
  bool enabled = true;
  // The first day every 15 minutes, to three days hourly, to a week every 4 hours, to 30
  // days every 12 hours; then no more (docs/LISTENING.md says why).
  std::vector<FollowStep> schedule = {{86'400, 900},
                                      {int64_t{3} * 86'400, 3'600},
                                      {int64_t{7} * 86'400, int64_t{4} * 3'600},
                                      {int64_t{30} * 86'400, int64_t{12} * 3'600}};
  // A case opened longer ago than this is no longer followed, however active.
  int64_t max_case_age_seconds = int64_t{30} * 86'400;
  // A page that could not be read is tried again after this, at most max_attempts times.
  int64_t retry_seconds = 3'600;
  int max_attempts = 3;
  // Pages read for discovery per scan, so that a scan stays short; the rest wait.
  int max_discoveries_per_scan = 20;
  // Open cases looked at per scan (the most recently active first).
  int max_cases = 5'000;
  // The discovery fetch: robots.txt honoured; the outbound policy is the server's.
  FetchOptions fetch = [] {
    FetchOptions f;
    f.user_agent = "ecoute/0.1 (following the comments under a post; honors robots.txt)";
    f.connect_timeout_ms = 5'000;
    f.timeout_ms = 15'000;
    f.max_redirects = 5;
    f.max_bytes = size_t{4} << 20;
    f.honor_robots = true;
    return f;
  }();
};

// The polling interval for a case whose last activity is `age_seconds` old: the first step
// whose `until_seconds` is above it; 0 past the last step (no more polling).
int64_t FollowInterval(const std::vector<FollowStep>& schedule, int64_t age_seconds);

// What one Scan did.
struct FollowScan {
  int cases = 0;        // open cases looked at
  int discovered = 0;   // articles whose page was read
  int followed = 0;     // sources added
  int none = 0;         // articles found without a way to read their comments
  int errors = 0;       // pages that could not be read
  int rescheduled = 0;  // sources given a new interval or case
  int stopped = 0;      // sources removed
};

// Thread-safe: scans are serialized by scan_mutex_; the table is used under mutex_, never
// held during a fetch or a store call; Start and Stop from one thread.
class CommentFollower {
 public:
  using FetchFunction = std::function<Result<FetchResult>(const std::string&, const FetchOptions&)>;

  // Opens the follower's table on the store's database `db_path`.
  static Result<std::unique_ptr<CommentFollower>> Open(const std::string& db_path,
                                                       SharedStore& store, Watcher& watcher,
                                                       const Clock& clock,
                                                       CommentFollowerOptions options);
  CommentFollower(SharedStore& store, Watcher& watcher, std::unique_ptr<FollowTables> tables,
                  const Clock& clock, CommentFollowerOptions options);
  ~CommentFollower();  // stops the thread
  CommentFollower(const CommentFollower&) = delete;
  CommentFollower& operator=(const CommentFollower&) = delete;

  FetchFunction fetch = Fetch;  // tests may count or refuse; set before Start
  std::function<void(const Status&)> on_error;

  // Looks at the open cases: discovers the comments of their web posts not seen yet, adds
  // their sources, gives the followed ones the interval of their case's age, and removes
  // those whose case is no longer open, or too old. Fails only when the store cannot be read.
  Result<FollowScan> Scan() ECOUTE_EXCLUDES(scan_mutex_, mutex_);

  // For the watcher's sink: the posts read from a source this follower added, made part of
  // its article's conversation. The article itself (read again with its page) is dropped,
  // and so is a comment the case already holds by another path (the same anchor, "#comment-
  // 12", read from the page before its feed); a comment without parent gets the article's
  // URL as parent_url; a post answering something else than the article or the case's
  // posts (a site-wide feed's other articles) is dropped. Posts of other sources are left
  // as they are.
  Status Prepare(std::vector<Post>& posts, const WatchedSource& source) ECOUTE_EXCLUDES(mutex_);

  // The follows of the posts of case `case_id` (whatever case they were last seen in).
  Result<std::vector<CommentFollow>> FollowsOf(int64_t case_id) ECOUTE_EXCLUDES(mutex_);

  // Scans every `tick` in a background thread until Stop.
  void Start(std::chrono::milliseconds tick = std::chrono::seconds(60))
      ECOUTE_EXCLUDES(thread_mutex_);
  void Stop() ECOUTE_EXCLUDES(thread_mutex_, wake_mutex_);

  const CommentFollowerOptions& options() const { return options_; }

 private:
  // A web post of an open case, as the scan sees it.
  struct Article {
    int64_t post_id = 0;
    int64_t case_id = 0;
    std::string url;
    std::string title;
    std::string brand;
    int64_t opened_at = 0;
    int64_t last_activity_at = 0;
    bool too_old = false;  // opened longer ago than max_case_age_seconds
  };
  // What the scan remembers of a case between scans, so that only changed cases are read.
  struct SeenCase {
    int64_t last_activity_at = -1;
    std::vector<Article> articles;
  };

  Result<std::map<int64_t, Article>> OpenArticles(FollowScan& report) ECOUTE_REQUIRES(scan_mutex_)
      ECOUTE_EXCLUDES(mutex_);
  void Follow(const Article& article, FollowScan& report, int& discoveries)
      ECOUTE_REQUIRES(scan_mutex_) ECOUTE_EXCLUDES(mutex_);
  void Discover(const Article& article, CommentFollow follow, FollowScan& report)
      ECOUTE_REQUIRES(scan_mutex_) ECOUTE_EXCLUDES(mutex_);
  void AddSource(const Article& article, CommentFollow& follow, FollowScan& report)
      ECOUTE_REQUIRES(scan_mutex_) ECOUTE_EXCLUDES(mutex_);
  void StopFollowing(CommentFollow follow, const std::string& why, FollowScan& report)
      ECOUTE_REQUIRES(scan_mutex_) ECOUTE_EXCLUDES(mutex_);
  Status Save(const CommentFollow& follow) ECOUTE_EXCLUDES(mutex_);
  void Report(const Status& status);

  SharedStore& store_;
  Watcher& watcher_;
  const Clock& clock_;
  const CommentFollowerOptions options_;

  Mutex scan_mutex_;  // one scan at a time
  std::map<int64_t, SeenCase> seen_ ECOUTE_GUARDED_BY(scan_mutex_);
  Mutex mutex_;  // one caller of the table at a time
  std::unique_ptr<FollowTables> tables_ ECOUTE_GUARDED_BY(mutex_);

  Mutex thread_mutex_;
  std::thread thread_ ECOUTE_GUARDED_BY(thread_mutex_);
  std::atomic<bool> stop_{false};
  Mutex wake_mutex_;
  CondVar wake_;
};

}  // namespace ecoute::server
