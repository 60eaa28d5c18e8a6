// The service: one store, its analyzer, access control, alerts and SLA escalation, the
// source watcher, live updates and metrics, behind one HTTP server. Every new post flows
// analyze -> store -> cases -> live updates and alerts, whether pushed or polled.
//
// The REST API is App::Handle (api.cc): it authenticates every request, checks the caller
// against the route table in one place, and hands the handler (api_*.cc) a Scope, the one
// place where the caller's brands narrow what is read or changed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/catalog.h"
#include "ecoute/ingest.h"
#include "ecoute/json.h"
#include "ecoute/post.h"
#include "ecoute/status.h"
#include "ecoute/store.h"
#include "ecoute/templates.h"

#include "access/access.h"
#include "alerts/alerts.h"
#include "alerts/sla.h"
#include "http/http.h"
#include "listen/stream_runner.h"
#include "reply/outbox.h"
#include "reply/vault.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/site_contacts.h"
#include "server/teams.h"
#include "store/brand_tables.h"
#include "store/shared_store.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"
#include "watch/comment_follower.h"
#include "watch/watcher.h"

namespace ecoute::server {

// What one ingestion did, for the API's answer and the logs.
struct IngestSummary {
  int64_t read = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  std::vector<int64_t> cases;         // opened or joined, each once
  std::vector<std::string> problems;  // "push:3: not JSON..."
};

class Listening;  // listening.h

// The summary of what an Ingestor did.
IngestSummary SummaryOf(const IngestChange& change);

// What opened a live stream: a browser session or an API token, kept (in memory only) so
// that the stream can be re-checked against it for as long as it lives.
struct StreamCredential {
  bool session = false;  // the session cookie's value; otherwise a bearer token
  std::string secret;
};

// Subscribers of the live inbox (server-sent events), each seeing only its brands, and
// each bound to the session or token that opened it: Recheck() authenticates them again,
// closes those whose access has ended and re-scopes the others to their user's current
// role and brands. Thread-safe: mutex_ guards every field; authentication runs outside
// it, the sinks' Send, End and IsOpen (which do not block) under it.
class LiveUpdates {
 public:
  using Authenticator = std::function<Result<Principal>(const StreamCredential&)>;
  // Set before the first Subscribe: how to re-authenticate, and the longest a stream may
  // live before the client must reconnect and authenticate again (0: no limit).
  void Configure(Authenticator authenticate, int64_t max_lifetime_seconds);

  // Adds the stream, then authenticates it once more, so that access ended between the
  // request and now is not missed.
  void Subscribe(std::shared_ptr<EventSink> sink, Principal principal,
                 const StreamCredential& credential, int64_t now);
  // Sends `event` with `data` (one JSON line) to every subscriber allowed to see `brand`.
  void Publish(std::string_view event, std::string_view brand, std::string_view data);
  // Sends `event` with `data` to the streams of the users named in `users` (and no one
  // else's) that see `brand`; returns the names among `users` that had such a stream open.
  std::vector<std::string> PublishTo(std::string_view event, std::string_view brand,
                                     std::string_view data, const std::vector<std::string>& users);
  // A comment line to every subscriber, so proxies keep the streams open; drops the
  // closed ones.
  void Ping();
  // Re-authenticates every stream. One that no longer authenticates ends with
  // `event: end` and `{"reason":"unauthenticated"}`; one past its lifetime with
  // `{"reason":"reconnect"}` (EventSource reconnects by itself and authenticates anew).
  // Returns the earliest time (seconds) at which a stream's access or lifetime lapses,
  // 0 when none will: the caller checks again then.
  int64_t Recheck(int64_t now);
  void CloseAll();
  int64_t subscribers() const;
  // How many Recheck()s have finished. The periodic checks run one at a time: once this
  // has grown by two since a change (of access, of the clock), one of them began after it.
  int64_t rechecks() const;

 private:
  struct Subscriber {
    uint64_t id = 0;
    std::shared_ptr<EventSink> sink;
    Principal principal;
    StreamCredential credential;
    int64_t ends_at = 0;      // the end of its lifetime (0: none)
    uint64_t last_check = 0;  // the number of the latest check applied to it
  };
  // Re-authenticates one subscriber's credential; false when it ended it.
  bool Verify(uint64_t id, const StreamCredential& credential, int64_t now);

  mutable Mutex mutex_;
  Authenticator authenticate_ ECOUTE_GUARDED_BY(mutex_);
  int64_t max_lifetime_seconds_ ECOUTE_GUARDED_BY(mutex_) = 0;
  uint64_t next_id_ ECOUTE_GUARDED_BY(mutex_) = 1;
  uint64_t checks_started_ ECOUTE_GUARDED_BY(mutex_) = 0;
  int64_t rechecks_ ECOUTE_GUARDED_BY(mutex_) = 0;
  std::vector<Subscriber> subscribers_ ECOUTE_GUARDED_BY(mutex_);
};

// The brand catalog in force and the analyzer built on it (docs/BRANDS.md): made together,
// never changed, replaced as a whole when a brand changes.
struct ServedCatalog {
  std::vector<StoredBrand> brands;  // with their origin and times, in the catalog's order
  BrandCatalog catalog;             // their definitions, in the same order
  std::unique_ptr<Analyzer> analyzer;
};

// Thread-safe once started: Handle, the ingest path and PublishCases run on any thread at
// once (the group commit, the spike counts and the pinger each have their mutex; the
// store has its own). Create, Start and Stop are called from one thread.
class App {
 public:
  // Opens the store, seeds its brand catalog from the catalog file (brands it never held
  // are added; the others keep their stored definition), builds the analyzer on the
  // stored catalog, opens access control, alerts and the watcher on the same database file.
  // Nothing is started.
  static Result<std::unique_ptr<App>> Create(ServerConfig config, const Clock& clock);
  ~App();

  // Binds the HTTP server and starts it, with the alert worker, the SLA monitor and the
  // watcher (each can be left off for tests).
  struct StartOptions {
    bool http = true;
    bool background = true;  // alert worker, SLA monitor, watcher, follower, site contacts, pings
  };
  Status Start(StartOptions options);
  Status Start() { return Start(StartOptions{}); }
  // Graceful: stops accepting, finishes requests in flight, closes streams, stops the
  // background work (pending deliveries and sources stay persisted).
  void Stop();
  uint16_t port() const;

  // The whole API, for the HTTP server and for tests without sockets.
  Response Handle(Request& request);

  // The service's ingest path (ecoute/ingest.h): an Ingestor that stores through the group
  // commit and, after each batch, counts mentions for spikes, publishes the cases it
  // touched and raises their alerts. `batch` is capped at the Ingestor's maximum.
  Result<std::unique_ptr<Ingestor>> NewIngestor(size_t batch, bool require_brand = false);
  // Analyzes and stores posts (already read; they are moved from), then publishes what
  // changed. `source` names where they came from for logs ("push", a source URL); a post
  // whose id starts with `derived_id_prefix` (not empty) has an id the reader made up
  // ("push:3").
  Result<IngestSummary> IngestPosts(std::vector<Post>& posts, std::string_view source,
                                    std::string_view derived_id_prefix);
  // The live streams' sink (listen::LiveSink): analyzes and stores one batch of a live
  // source, then publishes what changed. `only_with_brands`: posts that name no brand of
  // the catalog are dropped (counted), except replies to posts kept in the batch. Returns
  // the posts stored new or changed.
  Result<int64_t> IngestLive(std::vector<Post>& posts, const WatchedSource& source,
                             bool only_with_brands);
  // Brings the live sources' series of /metrics up to date (per source and format:
  // events, matched, malformed, reconnects, lag, connected); called before rendering.
  void RefreshStreamMetrics();

  // Components, for the API and tests.
  const ServerConfig& config() const { return config_; }
  const Clock& clock() const { return clock_; }
  // The store, behind its one mutex: every call goes through store().Lock().
  SharedStore& store() { return store_; }
  // The brand catalog in force, and the analyzer built on it. A change to the catalog
  // replaces both at once: hold a snapshot for the whole of a piece of work (a request, an
  // ingest), which then sees one catalog throughout, and the analyses it made stay valid
  // (their brand names point into the analyzer) for as long as it holds the analyzer.
  std::shared_ptr<const ServedCatalog> brands_snapshot() const ECOUTE_EXCLUDES(brands_mutex_);
  std::shared_ptr<const BrandCatalog> catalog_snapshot() const;
  std::shared_ptr<const Analyzer> analyzer_snapshot() const;
  AccessControl& access() { return *access_; }
  AlertEngine& alerts() { return *alerts_; }
  SlaMonitor& sla() { return *sla_; }
  Watcher& watcher() { return *watcher_; }
  // The comments under the web posts of open cases (watch/comment_follower.h).
  CommentFollower& follower() { return *follower_; }
  // What the watcher hands each poll's posts to: the comments of a followed article made
  // part of its conversation (CommentFollower::Prepare), then IngestPosts.
  Watcher::Sink WatchSink();
  // The live sources' streams (started with the background work).
  listen::StreamRunner& streams() { return *streams_; }
  // Seals and opens the secrets kept in the database (sources' tokens), with the key of
  // the reply accounts' (reply/vault.h).
  const reply::SecretVault& vault() const { return *vault_; }
  reply::Outbox& replies() { return *replies_; }
  TemplateAdmin& templates() { return *templates_; }
  SiteContacts& site_contacts() { return *site_contacts_; }
  Teams& teams() { return *teams_; }
  // The sources proposed for each brand, the feed templates, the search back-fill.
  Listening& listening() { return *listening_; }
  Metrics& metrics() { return metrics_; }
  LiveUpdates& live() { return live_; }
  // Bumped by every write to cases: the API's cached case lists are valid while it holds.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  void Touch() { generation_.fetch_add(1, std::memory_order_acq_rel); }
  // Publishes the current summary of these cases to the live inbox, and alerts for those
  // just opened or reopened. `urls` gives the URL of posts known to have joined them (from
  // the batch just stored), saving a read.
  void PublishCases(const std::vector<int64_t>& case_ids,
                    const std::map<int64_t, std::string>& urls = {});

  // Records a reply the outbox sent into its case: the sent post joins it as the brand's
  // reply, an observed response, through the ingest path (RecordSentReply). Tests may set
  // another before Start. Called on the reply worker's thread; the cases it touched are
  // then published.
  reply::Outbox::OnSent record_sent_reply;

  // Assignment (assignment.cc, docs/CASES.md). Tells the assignee of case `case_id` (a user,
  // or each member of a "team:<name>") that `by` gave it to them: a live `assigned` event to
  // their own open streams, else, when they have none, an e-mail (their address, when the
  // alerts have a mail server) or their notify webhook, through the alert engine's queue.
  // Failures are logged: the assignment stands.
  void NotifyAssigned(int64_t case_id, const std::string& brand, const std::string& assignee,
                      const std::string& by);
  // Round-robin: each of these cases that was just opened and has no assignee goes to the
  // next member in turn of its brand's round-robin team (Teams::TakeTurn), by
  // "rule:round_robin", who is notified.
  void AssignInTurn(const std::vector<int64_t>& case_ids);
  Status RecordSentReply(const ReplyRecord& reply, const Post& sent);

  // Reads the recent past of the catalog's brand `brand` (its name) once, in the background:
  // its back-fill searches, stored through IngestPosts (Listening::Backfill). Called when a
  // brand's proposals are accepted, and meant for a brand just added.
  void BackfillBrand(const std::string& brand);
  // Changes to the brand catalog (app_brands.cc; the API checks the caller). Each cleans and
  // checks the definition (CleanBrand, FindBrandClash: FieldErrors on "name",
  // "aliases[2]"...), builds the analyzer on the catalog it makes, writes the brand tables,
  // records the brands in the store (SyncBrands) and swaps the snapshot: ingests already
  // running finish with the analyzer they hold. One change at a time. `actor` is who made
  // it ("admin:marie"). A deleted brand's posts and cases stay; new posts no longer match it.
  Result<StoredBrand> AddBrand(Brand brand, const std::string& actor)
      ECOUTE_EXCLUDES(brands_change_mutex_);
  // Replaces the definition of the brand named `name` (kNotFound without one). Its name
  // cannot change ("name_fixed"): the store, users, rules and teams know it by its name.
  Result<StoredBrand> ReplaceBrand(const std::string& name, Brand brand, const std::string& actor)
      ECOUTE_EXCLUDES(brands_change_mutex_);
  Status RemoveBrand(const std::string& name) ECOUTE_EXCLUDES(brands_change_mutex_);
  // An analyzer on `catalog` built as the server builds its own (its data directory), with
  // the trained models or without them (which brands a post names does not depend on them).
  Result<std::unique_ptr<Analyzer>> BuildAnalyzer(const BrandCatalog& catalog,
                                                  bool with_models) const;
  // The newest `limit` stored posts, read back for a preview (BrandTables::RecentPosts).
  Result<std::vector<RecentPost>> RecentPosts(int limit) ECOUTE_EXCLUDES(brand_tables_mutex_);

  struct ApiState;  // the API's route table and caches (api_internal.h)
  ApiState& api_state() { return *api_state_; }
  const ApiState& api_state() const { return *api_state_; }

 private:
  App(ServerConfig config, const Clock& clock);
  void InitApi();  // api.cc
  // Group commit: batches ingested at the same time by several requests are stored in one
  // transaction, so that they share its commit and its disk flush.
  struct PendingBatch;
  Status StoreBatch(std::span<const IngestItem> items, std::vector<IngestResult>& results);
  void WriteGroup(const std::vector<PendingBatch*>& group);  // locks the store
  void Observe(const Request& request, const Response& response, double seconds);  // api.cc

  ServerConfig config_;
  const Clock& clock_;
  // The brand catalog (app_brands.cc): seeded from the file, read from the tables, served
  // as snapshots. Changes hold brands_change_mutex_ throughout; brands_mutex_ guards only
  // the pointer, brand_tables_mutex_ the tables' one connection.
  Status LoadBrands(const BrandCatalog& file);
  // Builds the catalog of `brands` and its analyzer, records the brands in the store, and
  // serves them from now on. `built` is the analyzer when the caller has built it already.
  Status InstallCatalog(std::vector<StoredBrand> brands, std::unique_ptr<Analyzer> built)
      ECOUTE_REQUIRES(brands_change_mutex_);
  std::string data_dir_;
  Mutex brands_change_mutex_;
  mutable Mutex brands_mutex_;
  std::shared_ptr<const ServedCatalog> brands_ ECOUTE_GUARDED_BY(brands_mutex_);
  Mutex brand_tables_mutex_;
  std::unique_ptr<BrandTables> brand_tables_ ECOUTE_GUARDED_BY(brand_tables_mutex_);
  SharedStore store_;
  Mutex commit_mutex_;
  CondVar commit_done_;  // a group was written: committing_ is false again
  std::vector<PendingBatch*> commit_queue_ ECOUTE_GUARDED_BY(commit_mutex_);
  bool committing_ ECOUTE_GUARDED_BY(commit_mutex_) = false;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<AlertEngine> alerts_;
  std::unique_ptr<SlaMonitor> sla_;
  std::unique_ptr<Watcher> watcher_;
  std::unique_ptr<CommentFollower> follower_;
  std::unique_ptr<reply::SecretVault> vault_;
  std::unique_ptr<listen::StreamRunner> streams_;
  void WireStreams();  // the runner, its "jetstream" factory and its metrics
  std::unique_ptr<reply::Outbox> replies_;
  std::unique_ptr<TemplateAdmin> templates_;
  std::unique_ptr<Teams> teams_;
  std::unique_ptr<Listening> listening_;
  void WireReplies();  // the outbox's callbacks: the case's post, sent replies, live events
  // Routes looked up on the sites of web posts whose page gives no way to write; the case
  // is published again when some were found.
  std::unique_ptr<SiteContacts> site_contacts_;
  void WireSiteContacts();
  Metrics metrics_;
  LiveUpdates live_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<ApiState> api_state_;
  // Spikes: mentions per brand and hour over the last two days, from the posts ingested
  // since the start, and the brand-hours already alerted.
  void CountMentions(std::span<const IngestItem> items, int64_t now);
  // What follows a stored batch: metrics, spikes, live updates and alerts.
  void AfterStored(std::span<const IngestItem> items, std::span<const IngestResult> results,
                   std::chrono::duration<double> analysis, std::chrono::duration<double> store);
  Mutex spikes_mutex_;
  std::map<std::string, std::map<int64_t, int64_t>> hourly_mentions_
      ECOUTE_GUARDED_BY(spikes_mutex_);
  std::set<std::pair<std::string, int64_t>> spikes_alerted_ ECOUTE_GUARDED_BY(spikes_mutex_);
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
  // Pings the live streams and re-checks their access, every stream_check_ms and when the
  // access of one lapses. (A change made through access_ re-checks them at once, in the
  // request that made it.)
  void GuardStreams();
  std::thread pinger_;
  // Guards no field (stopping_ is atomic): Stop() notifies under it, so that the pinger,
  // which checks stopping_ under it before each wait, cannot miss the wake-up.
  Mutex pinger_mutex_;
  CondVar pinger_wake_;
  bool started_background_ = false;
};

// The API's routes, as (method, path template): for the OpenAPI contract test.
std::vector<std::pair<std::string, std::string>> ApiRoutes(const App& app);

// What the SLA policy says of a case now, for its JSON (ecoute/json.h).
CaseSlaView CaseSlaViewOf(const CaseSummary& summary, const SlaConfig& sla, int64_t now);
// The JSON of a case summary as the API and the live updates send it: AppendCaseSummaryJson
// with the SLA's view.
std::string CaseSummaryJson(const CaseSummary& summary, const SlaConfig& sla, int64_t now);

}  // namespace ecoute::server
