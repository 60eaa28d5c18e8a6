// Contact routes from a post's site (docs/SOURCES.md, "Routes from the site"): when a case's
// customer wrote on a web page (a blog post, an authorless article) that gives no way to write
// to them, a background worker reads the site's home page and the contact page it links (two
// fetches at most), through the guarded Fetch (robots.txt, the outbound policy, short
// timeouts), and adds the routes found there to that post. Once per site and day: an
// in-memory cache keyed by the site (scheme, host and port) keeps what was found, so later
// posts of the site get it without a fetch (a restart forgets it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ecoute/fetch.h"
#include "ecoute/post.h"
#include "ecoute/status.h"

#include "store/shared_store.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

struct SiteLookupOptions {
  bool enabled = true;  // [contacts] site_lookup
  // Who fetches and why, short timeouts, small pages, robots.txt honoured; the outbound
  // policy is the server's ([outbound] allow_private).
  FetchOptions fetch = [] {
    FetchOptions f;
    f.user_agent =
        "ecoute/0.1 (looking for how to reach a post's writer on its site; honors robots.txt)";
    f.connect_timeout_ms = 5'000;
    f.timeout_ms = 10'000;
    f.max_redirects = 3;
    f.max_bytes = size_t{2} << 20;
    return f;
  }();
  int64_t per_site_seconds = 86'400;  // a site is fetched at most once in this time
  size_t max_pending = 1'024;         // cases waiting; beyond, new ones are dropped
  size_t max_sites = 10'000;          // sites remembered; beyond, the oldest are forgotten
};

// Thread-safe: Enqueue from any thread; Start and Stop from one. Callbacks are set before
// Start and run on the worker's thread.
class SiteContacts {
 public:
  using FetchFunction = std::function<Result<FetchResult>(const std::string&, const FetchOptions&)>;

  SiteContacts(SharedStore& store, const Clock& clock, SiteLookupOptions options);
  ~SiteContacts();
  SiteContacts(const SiteContacts&) = delete;
  SiteContacts& operator=(const SiteContacts&) = delete;

  // Routes were added to a post of this case.
  std::function<void(int64_t case_id)> on_found;
  std::function<void(const Status&)> on_error;
  FetchFunction fetch = Fetch;  // tests may count or refuse

  // Whether a post of this source at this URL is a web page whose site may be looked up
  // (an HTML page or a feed entry with an http(s) URL).
  static bool IsWebPage(std::string_view source, std::string_view url);

  // Queues cases for a look-up, without blocking and without reading anything: a case
  // already queued is not queued twice; past max_pending, new ones are dropped. Nothing
  // when disabled.
  void Enqueue(const std::vector<int64_t>& case_ids) ECOUTE_EXCLUDES(mutex_);
  // The worker thread: looks up the queued cases in turn. Stop finishes the look-up in
  // progress (its fetches are bounded by the timeouts) and drops the queue.
  void Start() ECOUTE_EXCLUDES(mutex_);
  void Stop() ECOUTE_EXCLUDES(mutex_);

  // One case, now, on the caller's thread: when its customer's posts give no way to write
  // and one is a web page, the routes of that page's site (from the cache, else fetched)
  // are added to it. OkStatus when there is nothing to do.
  Status LookUp(int64_t case_id) ECOUTE_EXCLUDES(mutex_);

  struct Counters {
    int64_t lookups = 0;  // cases examined
    int64_t fetches = 0;  // pages requested (robots.txt not counted), refused ones included
    int64_t found = 0;    // posts given routes
  };
  Counters counters() const ECOUTE_EXCLUDES(mutex_);
  // Nothing queued and no look-up in progress (for tests and metrics).
  bool idle() const ECOUTE_EXCLUDES(mutex_);

 private:
  struct Site {
    int64_t fetched_at = 0;
    std::vector<ContactRoute> routes;
  };
  // The routes of the site at `home`: its home page's, then its contact page's when the
  // home page (or the post's own page, `page_routes`) links one and no way to write is
  // known yet. A refusal (robots.txt, the outbound policy) ends the look-up.
  std::vector<ContactRoute> FetchSite(const std::string& home,
                                      const std::vector<ContactRoute>& page_routes);
  // The cached routes of `home` when fetched less than per_site_seconds ago.
  bool Cached(const std::string& home, std::vector<ContactRoute>& routes) ECOUTE_EXCLUDES(mutex_);
  void Remember(const std::string& home, std::vector<ContactRoute> routes) ECOUTE_EXCLUDES(mutex_);
  void Run();

  SharedStore& store_;
  const Clock& clock_;
  const SiteLookupOptions options_;
  mutable Mutex mutex_;
  CondVar wake_;
  std::deque<int64_t> queue_ ECOUTE_GUARDED_BY(mutex_);
  std::set<int64_t> queued_ ECOUTE_GUARDED_BY(mutex_);
  std::map<std::string, Site> sites_ ECOUTE_GUARDED_BY(mutex_);
  bool busy_ ECOUTE_GUARDED_BY(mutex_) = false;
  bool stopping_ ECOUTE_GUARDED_BY(mutex_) = false;
  Counters counters_ ECOUTE_GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace ecoute::server
