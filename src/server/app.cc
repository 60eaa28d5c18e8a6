#include "server/app.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "listen/jetstream.h"
#include "listen/mastodon_stream.h"
#include "server/api_internal.h"
#include "server/listening.h"
#include "util/datetime.h"

namespace ecoute::server {

// ---- live updates ------------------------------------------------------------------------

namespace {

std::string EndChunk(std::string_view reason) {
  return "event: end\ndata: {\"reason\":\"" + std::string(reason) + "\"}\n\n";
}

}  // namespace

void LiveUpdates::Configure(Authenticator authenticate, int64_t max_lifetime_seconds) {
  MutexLock lock(mutex_);
  authenticate_ = std::move(authenticate);
  max_lifetime_seconds_ = max_lifetime_seconds;
}

void LiveUpdates::Subscribe(std::shared_ptr<EventSink> sink, Principal principal,
                            const StreamCredential& credential, int64_t now) {
  uint64_t id;
  {
    MutexLock lock(mutex_);
    id = next_id_++;
    const int64_t ends_at = max_lifetime_seconds_ > 0 ? now + max_lifetime_seconds_ : 0;
    subscribers_.push_back({id, std::move(sink), std::move(principal), credential, ends_at});
  }
  // Added first, then checked: a revocation after this check finds the stream listed.
  Verify(id, credential, now);
}

bool LiveUpdates::Verify(uint64_t id, const StreamCredential& credential, int64_t now) {
  Authenticator authenticate;
  uint64_t check;
  {
    MutexLock lock(mutex_);
    authenticate = authenticate_;
    check = ++checks_started_;
  }
  if (!authenticate) return true;
  Result<Principal> principal = authenticate(credential);
  MutexLock lock(mutex_);
  auto it = std::find_if(subscribers_.begin(), subscribers_.end(),
                         [&](const Subscriber& s) { return s.id == id; });
  if (it == subscribers_.end()) return false;
  // Two checks of one stream may overlap (the periodic one, the one an access change
  // started): a check that began before the latest one applied read older state.
  if (principal && check < it->last_check) return true;
  it->last_check = check;
  if (!principal || (it->ends_at != 0 && now >= it->ends_at)) {
    it->sink->End(EndChunk(principal ? "reconnect" : "unauthenticated"));
    subscribers_.erase(it);
    return false;
  }
  // The user's role and brands as they are now: a user moved to another brand stops
  // receiving the old one's cases.
  it->principal = std::move(principal).value();
  return true;
}

int64_t LiveUpdates::Recheck(int64_t now) {
  std::vector<std::pair<uint64_t, StreamCredential>> open;
  {
    MutexLock lock(mutex_);
    std::erase_if(subscribers_, [](const Subscriber& s) { return !s.sink->IsOpen(); });
    open.reserve(subscribers_.size());
    for (const Subscriber& s : subscribers_) open.emplace_back(s.id, s.credential);
  }
  // Authentication reads the database at times: not under the lock that Publish takes.
  for (const auto& [id, credential] : open) Verify(id, credential, now);
  int64_t earliest = 0;
  MutexLock lock(mutex_);
  ++rechecks_;
  for (const Subscriber& s : subscribers_) {
    for (int64_t lapse : {s.principal.valid_until, s.ends_at}) {
      if (lapse != 0 && (earliest == 0 || lapse < earliest)) earliest = lapse;
    }
  }
  return earliest;
}

void LiveUpdates::Publish(std::string_view event, std::string_view brand, std::string_view data) {
  std::string chunk;
  chunk.reserve(data.size() + event.size() + 16);
  chunk.append("event: ").append(event).append("\ndata: ").append(data).append("\n\n");
  MutexLock lock(mutex_);
  std::erase_if(subscribers_, [&](Subscriber& s) {
    if (!s.principal.CanSeeBrand(brand)) return !s.sink->IsOpen();
    return !s.sink->Send(chunk);
  });
}

std::vector<std::string> LiveUpdates::PublishTo(std::string_view event, std::string_view brand,
                                                std::string_view data,
                                                const std::vector<std::string>& users) {
  std::string chunk;
  chunk.append("event: ").append(event).append("\ndata: ").append(data).append("\n\n");
  std::vector<std::string> reached;
  MutexLock lock(mutex_);
  std::erase_if(subscribers_, [&](Subscriber& s) {
    const bool addressed = std::find(users.begin(), users.end(), s.principal.name) != users.end();
    if (!addressed || !s.principal.CanSeeBrand(brand)) return !s.sink->IsOpen();
    if (!s.sink->Send(chunk)) return true;
    if (std::find(reached.begin(), reached.end(), s.principal.name) == reached.end()) {
      reached.push_back(s.principal.name);
    }
    return false;
  });
  return reached;
}

void LiveUpdates::Ping() {
  MutexLock lock(mutex_);
  std::erase_if(subscribers_, [](Subscriber& s) { return !s.sink->Send(": ping\n\n"); });
}

void LiveUpdates::CloseAll() {
  MutexLock lock(mutex_);
  subscribers_.clear();
}

int64_t LiveUpdates::subscribers() const {
  MutexLock lock(mutex_);
  return static_cast<int64_t>(subscribers_.size());
}

int64_t LiveUpdates::rechecks() const {
  MutexLock lock(mutex_);
  return rechecks_;
}

// ---- the case summary as JSON -------------------------------------------------------------

CaseSlaView CaseSlaViewOf(const CaseSummary& c, const SlaConfig& sla, int64_t now) {
  CaseSlaView view;
  const size_t level = static_cast<size_t>(std::max(0, c.escalation_level));
  if (level < sla.levels.size()) view.escalation_name = sla.levels[level].name;
  const SlaStatus status = SlaStatusOf(sla, c, now);
  view.state = SlaStateName(status.state);
  view.target = SlaTargetName(status.target);
  view.due_at = status.due_at;
  view.seconds_left = status.seconds_left;
  return view;
}

std::string CaseSummaryJson(const CaseSummary& c, const SlaConfig& sla, int64_t now) {
  const CaseSlaView view = CaseSlaViewOf(c, sla, now);
  std::string out;
  AppendCaseSummaryJson(c, &view, out);
  return out;
}

// ---- the service ---------------------------------------------------------------------------

App::App(ServerConfig config, const Clock& clock) : config_(std::move(config)), clock_(clock) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(ServerConfig config, const Clock& clock) {
  if (config.brands_path.empty()) {
    return InvalidArgumentError(
        "no brand catalog: give --brands FILE (or [analysis] brands in the config file)");
  }
  std::unique_ptr<App> app(new App(std::move(config), clock));
  const ServerConfig& c = app->config_;
  ECOUTE_ASSIGN_OR_RETURN(const BrandCatalog file, LoadCatalog(c.brands_path));
  app->data_dir_ = c.data_dir.empty() ? DefaultDataDir() : c.data_dir;
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(c.db_path, c.store));
  app->store_.Reset(std::move(store));
  ECOUTE_RETURN_IF_ERROR(app->LoadBrands(file));
  ECOUTE_ASSIGN_OR_RETURN(app->access_, AccessControl::Open(c.db_path, clock, c.access));
  ECOUTE_ASSIGN_OR_RETURN(app->alerts_, AlertEngine::Open(c.db_path, clock, c.alerts));
  ECOUTE_ASSIGN_OR_RETURN(app->watcher_, Watcher::Open(c.db_path, clock, c.watcher));
  ECOUTE_ASSIGN_OR_RETURN(app->follower_, CommentFollower::Open(c.db_path, app->store_,
                                                                *app->watcher_, clock, c.follow));
  app->follower_->on_error = [](const Status& status) {
    spdlog::info("comments: {}", status.message());
  };
  ECOUTE_ASSIGN_OR_RETURN(app->replies_, reply::Outbox::Open(c.db_path, clock, c.replies));
  {
    // The outbox made the key file if it was missing: the sources' tokens share it.
    const std::string key_file =
        c.replies.key_file.empty() ? reply::DefaultKeyFile(c.db_path) : c.replies.key_file;
    ECOUTE_ASSIGN_OR_RETURN(reply::SecretVault vault, reply::SecretVault::Open(key_file));
    app->vault_ = std::make_unique<reply::SecretVault>(vault);
  }
  app->WireStreams();
  App* self = app.get();
  ECOUTE_ASSIGN_OR_RETURN(
      app->templates_, TemplateAdmin::Open(c.db_path, [self] { return self->catalog_snapshot(); }));
  ECOUTE_ASSIGN_OR_RETURN(app->teams_, Teams::Open(c.db_path));
  ECOUTE_ASSIGN_OR_RETURN(app->listening_, Listening::Open(*app));
  app->WireReplies();
  app->WireSiteContacts();
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<SlaTables> sla_tables, OpenSlaTables(c.db_path));
  app->sla_ =
      std::make_unique<SlaMonitor>(app->store_, std::move(sla_tables), *app->alerts_, clock, c.sla);
  ECOUTE_RETURN_IF_ERROR(app->sla_->Load());
  app->sla_->on_escalated = [self](const Escalation& e) {
    self->metrics_.GetCounter("ecoute_escalations_total", "Cases escalated (SLA monitor or agent)")
        .Inc();
    self->Touch();
    self->live_.Publish("sla", e.brand,
                        Dump(nlohmann::json{{"case_id", e.case_id},
                                            {"level", e.to_level},
                                            {"escalation_name", e.escalation_name},
                                            {"actor", e.actor},
                                            {"reason", e.reason}}));
    self->PublishCases({e.case_id});
  };
  Histogram& webhook_latency = app->metrics_.GetHistogram(
      "ecoute_alert_delivery_seconds", "From the event to its webhook's acknowledgement",
      LatencyBuckets());
  app->alerts_->on_delivered = [&webhook_latency](double seconds) {
    webhook_latency.Observe(seconds);
  };
  app->alerts_->on_error = [](const Status& status) {
    spdlog::warn("alerts: {}", status.message());
  };
  app->sla_->on_error = [](const Status& status) { spdlog::warn("sla: {}", status.message()); };
  // Live streams stay bound to the session or token that opened them.
  AccessControl* access = app->access_.get();
  app->live_.Configure(
      [access](const StreamCredential& credential) {
        return credential.session ? access->AuthenticateSession(credential.secret, false)
                                  : access->AuthenticateToken(credential.secret);
      },
      c.stream_max_seconds);
  app->access_->set_on_change([self] { self->live_.Recheck(self->clock_.Now()); });
  // Counters the components keep, read at scrape time.
  Metrics& m = app->metrics_;
  AlertEngine* alerts = app->alerts_.get();
  Watcher* watcher = app->watcher_.get();
  m.AddCallbackGauge("ecoute_alert_deliveries_delivered", "Webhook deliveries acknowledged",
                     [alerts] { return static_cast<double>(alerts->counters().delivered); });
  m.AddCallbackGauge("ecoute_alert_delivery_failures", "Webhook attempts that failed",
                     [alerts] { return static_cast<double>(alerts->counters().failed_attempts); });
  m.AddCallbackGauge("ecoute_alert_deliveries_dead", "Webhook deliveries given up (dead letters)",
                     [alerts] { return static_cast<double>(alerts->counters().dead); });
  m.AddCallbackGauge("ecoute_watch_polls", "Source polls",
                     [watcher] { return static_cast<double>(watcher->counters().polls); });
  m.AddCallbackGauge("ecoute_watch_poll_errors", "Source polls that failed",
                     [watcher] { return static_cast<double>(watcher->counters().errors); });
  m.AddCallbackGauge("ecoute_watch_posts", "Posts read from watched sources",
                     [watcher] { return static_cast<double>(watcher->counters().posts); });
  m.AddCallbackGauge("ecoute_watch_sources_backing_off",
                     "Enabled sources whose last poll failed, waiting for their back-off",
                     [watcher] {
                       const Result<int64_t> count = watcher->CountBackingOff();
                       return count ? static_cast<double>(*count) : 0.0;
                     });
  watcher->on_failure = [self](std::string_view kind) {
    self->metrics_
        .GetCounter("ecoute_watch_errors_total", "Source polls that failed, by kind of failure",
                    {{"kind", kind}})
        .Inc();
  };
  app->InitApi();
  return app;
}

Status App::Start(StartOptions options) {
  if (options.http) {
    HttpOptions http = config_.http;
    ECOUTE_RETURN_IF_ERROR(ParseListen(config_.listen, http.address, http.port));
    // Posts are untrusted web content: the dashboard runs no inline script or style, loads
    // nothing from elsewhere, and cannot be framed.
    http.default_headers = {
        {"Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"}};
    http_ = std::make_unique<HttpServer>(
        http, [this](Request& request) { return Handle(request); },
        [this](const Request& request, const Response& response, double seconds) {
          Observe(request, response, seconds);
        });
    ECOUTE_RETURN_IF_ERROR(http_->Listen());
    metrics_.AddCallbackGauge("ecoute_http_connections", "Open HTTP connections",
                              [this] { return static_cast<double>(http_->connections()); });
    http_->Start();
  }
  if (options.background) {
    started_background_ = true;
    alerts_->Start();
    replies_->Start();
    site_contacts_->Start();
    sla_->Start(std::chrono::milliseconds(config_.sla_tick_ms));
    watcher_->Start(WatchSink(), std::chrono::milliseconds(config_.watch_tick_ms));
    follower_->Start(std::chrono::milliseconds(config_.follow_tick_ms));
    streams_->Start();
  }
  if ((options.http || options.background) && !pinger_.joinable()) {
    pinger_ = std::thread([this] { GuardStreams(); });
  }
  metrics_.AddCallbackGauge("ecoute_live_subscribers", "Open live-update streams",
                            [this] { return static_cast<double>(live_.subscribers()); });
  metrics_.AddCallbackGauge("ecoute_alert_queue_depth", "Webhook deliveries waiting",
                            [this] { return static_cast<double>(alerts_->PendingCount()); });
  return OkStatus();
}

void App::Stop() {
  if (stopping_.exchange(true)) return;
  // New requests first, so that nothing is accepted that the background work would miss.
  if (http_) http_->Stop(std::chrono::milliseconds(10'000));
  live_.CloseAll();
  {
    MutexLock lock(pinger_mutex_);
    pinger_wake_.NotifyAll();
  }
  if (pinger_.joinable()) pinger_.join();
  if (listening_) listening_->Stop();
  if (streams_) streams_->Stop();
  if (started_background_) {
    follower_->Stop();
    watcher_->Stop();
    sla_->Stop();
    alerts_->Stop();
    replies_->Stop();
    site_contacts_->Stop();
  }
}

Watcher::Sink App::WatchSink() {
  return [this](std::vector<Post>& posts, const WatchedSource& source) -> Status {
    ECOUTE_RETURN_IF_ERROR(follower_->Prepare(posts, source));
    Result<IngestSummary> summary = IngestPosts(posts, source.url, "");
    return summary ? OkStatus() : summary.error();
  };
}

void App::WireReplies() {
  replies_->find_original = [this](const ReplyRecord& r) -> Result<Post> {
    Result<CaseDetail> detail = store_.Lock()->GetCase(r.case_id);
    if (!detail) return detail.error();
    if (detail->posts.empty())
      return NotFoundError("case " + std::to_string(r.case_id) + " has no post");
    const CasePost* answered = &detail->posts.front();
    for (const CasePost& p : detail->posts) {
      if (!r.in_reply_to.empty() && (p.ext_id == r.in_reply_to || p.url == r.in_reply_to))
        answered = &p;
    }
    Post post;
    post.id = answered->ext_id;
    post.url = answered->url;
    post.text = answered->text;
    post.author.handle = answered->author;
    post.title = detail->summary.title;
    return post;
  };
  replies_->on_sent = [this](const ReplyRecord& r, const Post& sent) -> Status {
    Status recorded = record_sent_reply ? record_sent_reply(r, sent) : RecordSentReply(r, sent);
    Touch();
    PublishCases({r.case_id});
    return recorded;
  };
  replies_->on_change = [this](const ReplyRecord& r) {
    live_.Publish("reply", r.brand,
                  nlohmann::json({{"case_id", r.case_id}, {"id", r.id}, {"status", r.status}})
                      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
  replies_->on_error = [](const Status& status) { spdlog::warn("replies: {}", status.message()); };
}

void App::WireSiteContacts() {
  site_contacts_ = std::make_unique<SiteContacts>(store_, clock_, config_.contacts);
  site_contacts_->on_found = [this](int64_t case_id) {
    metrics_.GetCounter("ecoute_site_contacts_found_total", "Posts given routes from their site")
        .Inc();
    Touch();
    PublishCases({case_id});
  };
  site_contacts_->on_error = [](const Status& status) { spdlog::info("{}", status.message()); };
}

void App::BackfillBrand(const std::string& brand) { listening_->Backfill(brand); }

uint16_t App::port() const { return http_ ? http_->port() : 0; }

void App::GuardStreams() {
  using std::chrono::steady_clock;
  constexpr auto kPingEvery = std::chrono::seconds(15);
  const auto check_every =
      std::chrono::milliseconds(std::max<int64_t>(10, config_.stream_check_ms));
  auto next_ping = steady_clock::now() + kPingEvery;
  auto next_check = steady_clock::now() + check_every;
  while (!stopping_.load()) {
    {
      MutexLock lock(pinger_mutex_);
      if (!stopping_.load()) pinger_wake_.WaitUntil(pinger_mutex_, std::min(next_ping, next_check));
    }
    if (stopping_.load()) break;
    const auto at = steady_clock::now();
    if (at >= next_check) {
      const int64_t now = clock_.Now();
      const int64_t lapse = live_.Recheck(now);
      next_check = at + check_every;
      // A session that ends before the next check is ended on time, to the second.
      if (lapse != 0) {
        next_check =
            std::min(next_check, at + std::chrono::seconds(std::max<int64_t>(1, lapse - now)));
      }
    }
    if (at >= next_ping) {
      live_.Ping();
      next_ping = at + kPingEvery;
    }
  }
}

struct App::PendingBatch {
  std::span<const IngestItem> items;
  std::vector<IngestResult> results;
  Status status;
  bool done = false;
};

// The first request to find no group being written becomes its writer: it takes every
// batch queued so far (its own included) and stores them together, while later requests
// queue for the next group. Requests analyze in parallel; the store takes one writer.
Status App::StoreBatch(std::span<const IngestItem> items, std::vector<IngestResult>& results) {
  PendingBatch mine;
  mine.items = items;
  std::vector<PendingBatch*> group;
  {
    MutexLock lock(commit_mutex_);
    commit_queue_.push_back(&mine);
    while (!mine.done && committing_) commit_done_.Wait(commit_mutex_);
    if (mine.done) {  // stored by another request's group
      results = std::move(mine.results);
      return mine.status;
    }
    committing_ = true;
    group.swap(commit_queue_);  // holds `mine`
  }
  WriteGroup(group);
  {
    MutexLock lock(commit_mutex_);
    for (PendingBatch* batch : group) batch->done = true;
    committing_ = false;
    commit_done_.NotifyAll();
  }
  results = std::move(mine.results);
  return mine.status;
}

// One transaction for the group (the waiting requests learn the outcome under
// commit_mutex_, from StoreBatch); if it fails, each batch again on its own, so that a
// request's bad post fails that request only.
void App::WriteGroup(const std::vector<PendingBatch*>& group) {
  SharedStore::Access store = store_.Lock();
  metrics_.GetCounter("ecoute_store_groups_total", "Groups of ingest batches stored together")
      .Inc();
  if (group.size() > 1) {
    std::vector<IngestItem> all;
    for (const PendingBatch* batch : group)
      all.insert(all.end(), batch->items.begin(), batch->items.end());
    std::vector<IngestResult> results;
    if (store->Ingest(all, results).ok()) {
      size_t next = 0;
      for (PendingBatch* batch : group) {
        const size_t n = batch->items.size();
        batch->results.assign(
            std::make_move_iterator(results.begin() + static_cast<std::ptrdiff_t>(next)),
            std::make_move_iterator(results.begin() + static_cast<std::ptrdiff_t>(next + n)));
        next += n;
      }
      return;
    }
  }
  for (PendingBatch* batch : group) {
    batch->status = store->Ingest(batch->items, batch->results);
  }
}

IngestSummary SummaryOf(const IngestChange& change) {
  IngestSummary summary;
  summary.read = change.read;
  summary.created = change.created;
  summary.updated = change.updated;
  summary.unchanged = change.unchanged;
  summary.cases = change.cases;
  for (const Problem& p : change.problems) summary.problems.push_back(p.where + ": " + p.message);
  return summary;
}

Result<std::unique_ptr<Ingestor>> App::NewIngestor(size_t batch, bool require_brand) {
  constexpr size_t kMaxBatch = 100000;  // the Ingestor's
  // Analysis needs no lock: the analyzer is shared, the scratch is this thread's.
  thread_local Analyzer::Scratch scratch;
  IngestorOptions options;
  options.batch = std::clamp<size_t>(batch, 1, kMaxBatch);
  options.ingested_at = clock_.Now();
  // The Ingestor borrows the analyzer: its store callback holds the snapshot, so that the
  // analyzer outlives the Ingestor whatever the catalog becomes meanwhile.
  std::shared_ptr<const Analyzer> analyzer = analyzer_snapshot();
  const Analyzer& borrowed = *analyzer;
  options.require_brand = require_brand;
  ECOUTE_ASSIGN_OR_RETURN(
      std::unique_ptr<Ingestor> ingestor,
      Ingestor::Create(
          borrowed,
          [this, held = std::move(analyzer)](std::span<const IngestItem> items,
                                             std::vector<IngestResult>& results) {
            (void)held;
            return StoreBatch(items, results);
          },
          options, &scratch));
  using Seconds = std::chrono::duration<double>;
  Ingestor* self = ingestor.get();
  ingestor->set_on_stored(
      [this, self, analysis_seen = Seconds(0), store_seen = Seconds(0)](
          std::span<const IngestItem> items, std::span<const IngestResult> results) mutable {
        const IngestChange& change = self->change();
        AfterStored(items, results, change.analysis_time - analysis_seen,
                    change.store_time - store_seen);
        analysis_seen = change.analysis_time;
        store_seen = change.store_time;
      });
  return ingestor;
}

Status App::RecordSentReply(const ReplyRecord& reply, const Post& sent) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<Ingestor> ingestor, NewIngestor(1));
  Result<IngestResult> stored = ingestor->IngestSentReply(reply.case_id, sent, reply.actor);
  return stored.error();
}

Result<IngestSummary> App::IngestPosts(std::vector<Post>& posts, std::string_view source,
                                       std::string_view derived_id_prefix) {
  if (posts.empty()) return IngestSummary{};
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<Ingestor> ingestor, NewIngestor(posts.size()));
  for (Post& post : posts) {
    const bool derived =
        !derived_id_prefix.empty() && std::string_view(post.id).starts_with(derived_id_prefix);
    (void)ingestor->Add(std::move(post), derived);  // a failure stays in status()
  }
  ECOUTE_RETURN_IF_ERROR(ingestor->Flush());
  IngestSummary summary = SummaryOf(ingestor->change());
  spdlog::debug("ingested {} posts from {}: {} new, {} updated, {} cases", summary.read, source,
                summary.created, summary.updated, summary.cases.size());
  return summary;
}

Result<int64_t> App::IngestLive(std::vector<Post>& posts, const WatchedSource& source,
                                bool only_with_brands) {
  if (posts.empty()) return int64_t{0};
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<Ingestor> ingestor,
                          NewIngestor(posts.size(), only_with_brands));
  for (Post& post : posts) (void)ingestor->Add(std::move(post), false);
  ECOUTE_RETURN_IF_ERROR(ingestor->Flush());
  const IngestChange& change = ingestor->change();
  if (change.without_brand > 0) {
    metrics_
        .GetCounter("ecoute_stream_posts_without_brand_total",
                    "Live posts analyzed and dropped: they name no brand of the catalog")
        .Inc(static_cast<double>(change.without_brand));
  }
  spdlog::debug("live source {}: {} posts, {} new, {} updated, {} without brand", source.id,
                change.read, change.created, change.updated, change.without_brand);
  return change.created + change.updated;
}

void App::WireStreams() {
  Watcher* watcher = watcher_.get();
  streams_ = std::make_unique<listen::StreamRunner>(
      [watcher] { return watcher->List(); },
      [this, watcher](const WatchedSource& source) -> Result<listen::LiveContext> {
        listen::LiveContext context;
        context.source = source;
        context.sink = [this](std::vector<Post>& posts, const WatchedSource& s,
                              bool only_with_brands) {
          return IngestLive(posts, s, only_with_brands);
        };
        const int64_t id = source.id;
        context.save_cursor = [watcher, id](std::string_view cursor) {
          return watcher->SaveCursor(id, cursor);
        };
        if (!source.secret.empty()) {
          Result<std::string> token = vault_->Unseal(source.secret);
          if (!token) return token.error();
          context.token = std::move(token).value();
        }
        context.clock = &clock_;
        context.fetch = config_.watcher.fetch;
        return context;
      });
  streams_->Register("jetstream", [](listen::LiveContext context) {
    return listen::NewJetstream(std::move(context));
  });
  streams_->Register("mastodon_stream", [](listen::LiveContext context) {
    return listen::NewMastodonStream(std::move(context));
  });
}

void App::RefreshStreamMetrics() {
  const std::map<int64_t, std::string> formats = streams_->Formats();
  for (const auto& [id, status] : streams_->Statuses()) {
    const auto format = formats.find(id);
    if (format == formats.end()) continue;
    const std::string source = std::to_string(id);
    const MetricLabels labels = {{"source", source}, {"format", format->second}};
    const auto advance = [&](std::string_view name, std::string_view help, int64_t total) {
      Counter& counter = metrics_.GetCounter(name, help, labels);
      counter.Inc(static_cast<double>(total) - counter.value());  // a decrease is ignored
    };
    advance("ecoute_stream_events_total", "Events read from a live source", status.events);
    advance("ecoute_stream_matched_total", "Live posts stored (they name a brand)", status.matched);
    advance("ecoute_stream_malformed_total", "Live events that could not be read",
            status.malformed);
    advance("ecoute_stream_reconnects_total", "Reconnections of a live source", status.reconnects);
    metrics_
        .GetGauge("ecoute_stream_lag_seconds", "Arrival minus the last event's own time", labels)
        .Set(status.lag_seconds);
    metrics_.GetGauge("ecoute_stream_connected", "1 while a live source is connected", labels)
        .Set(status.state == "connected" ? 1 : 0);
  }
}

void App::AfterStored(std::span<const IngestItem> items, std::span<const IngestResult> results,
                      std::chrono::duration<double> analysis, std::chrono::duration<double> store) {
  std::set<int64_t> touched;
  std::map<int64_t, std::string> urls;  // a post's URL by the cases it opened or joined
  std::vector<int64_t> on_web;          // cases a web page opened or joined: their site may help
  std::vector<int64_t> fresh;           // cases of new posts: some were just opened
  int64_t stored = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    const IngestResult& r = results[i];
    for (int64_t id : r.cases) urls.emplace(id, items[i].post->url);
    if (r.outcome == IngestOutcome::kUnchanged) continue;
    if (r.outcome == IngestOutcome::kNew) fresh.insert(fresh.end(), r.cases.begin(), r.cases.end());
    ++stored;
    touched.insert(r.cases.begin(), r.cases.end());
    if (SiteContacts::IsWebPage(items[i].post->source, items[i].post->url)) {
      on_web.insert(on_web.end(), r.cases.begin(), r.cases.end());
    }
  }
  site_contacts_->Enqueue(on_web);  // looked up on the worker's thread
  CountMentions(items, clock_.Now());
  metrics_.GetCounter("ecoute_posts_ingested_total", "Posts stored, new or updated")
      .Inc(static_cast<double>(stored));
  metrics_.GetHistogram("ecoute_analysis_seconds", "Analysis time per batch", LatencyBuckets())
      .Observe(analysis.count());
  metrics_.GetHistogram("ecoute_store_seconds", "Store time per batch", LatencyBuckets())
      .Observe(store.count());
  if (!touched.empty()) {
    AssignInTurn(fresh);  // before the cases are published, with their assignee
    Touch();
    PublishCases(std::vector<int64_t>(touched.begin(), touched.end()), urls);
  }
}

void App::CountMentions(std::span<const IngestItem> items, int64_t now) {
  constexpr int64_t kHour = 3600;
  constexpr int64_t kWindowHours = 48;
  const int64_t current = now / kHour * kHour;
  // The window: kWindowHours hours, the current one last.
  const int64_t first = current - (kWindowHours - 1) * kHour;
  std::set<std::string> brands;
  std::vector<AlertEvent> events;
  std::vector<nlohmann::json> live;  // one per event
  {
    MutexLock lock(spikes_mutex_);
    for (const IngestItem& item : items) {
      const std::optional<int64_t> at = ParseDateTime(item.post->published_at);
      const int64_t hour = (at ? *at : now) / kHour * kHour;
      // Old posts (a backfill) say nothing about what happens now.
      if (hour < first || hour > current) continue;
      for (const BrandVerdict& verdict : item.analysis->brands) {
        std::string brand(verdict.name);
        ++hourly_mentions_[brand][hour];
        brands.insert(std::move(brand));
      }
    }
    for (const std::string& brand : brands) {
      std::map<int64_t, int64_t>& hours = hourly_mentions_[brand];
      hours.erase(hours.begin(), hours.lower_bound(first));
      std::vector<int64_t> counts(kWindowHours, 0);
      for (const auto& [hour, count] : hours) {
        // (A clock set back leaves hours after `current`: they wait.)
        if (hour <= current) counts[static_cast<size_t>((hour - first) / kHour)] = count;
      }
      for (const Spike& spike : DetectSpikes(counts, first)) {
        if (spike.hour != current || !spikes_alerted_.insert({brand, spike.hour}).second) continue;
        AlertEvent event;
        event.kind = "spike";
        event.brand = brand;
        event.at = now;
        event.detail = std::to_string(spike.mentions) + " mentions this hour, " +
                       std::to_string(std::llround(spike.baseline)) + " expected";
        // The live event carries the figures, for the dashboard to word in its language.
        live.push_back(nlohmann::json({{"brand", brand},
                                       {"detail", event.detail},
                                       {"mentions", spike.mentions},
                                       {"expected", std::llround(spike.baseline)},
                                       {"hour", FormatRfc3339(spike.hour)}}));
        events.push_back(std::move(event));
      }
    }
    std::erase_if(spikes_alerted_, [&](const auto& key) { return key.second < first; });
  }
  for (size_t i = 0; i < events.size(); ++i) {
    const AlertEvent& event = events[i];
    spdlog::info("spike for {}: {}", event.brand, event.detail);
    metrics_.GetCounter("ecoute_spikes_total", "Mention spikes detected").Inc();
    live_.Publish("spike", event.brand,
                  live[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    Result<int> queued = alerts_->Publish(event);
    if (!queued) spdlog::error("spike alert for {}: {}", event.brand, queued.error().message());
  }
}

void App::PublishCases(const std::vector<int64_t>& case_ids,
                       const std::map<int64_t, std::string>& urls) {
  if (case_ids.empty()) return;
  const int64_t now = clock_.Now();
  CaseFilter filter;
  filter.ids = case_ids;
  filter.limit = static_cast<int>(case_ids.size());
  Result<std::vector<CaseSummary>> summaries = store_.Lock()->ListCases(filter);
  if (!summaries) {
    spdlog::error("live updates: {}", summaries.error().message());
    return;
  }
  for (const CaseSummary& c : *summaries) {
    live_.Publish("case", c.brand, CaseSummaryJson(c, *sla_->config(), now));
    // A case that has just been opened (one post) or reopened raises alerts. A reopened
    // case is one whose timeline ends with its reopening (later follow-ups end with
    // "joined"): only then is its detail read.
    const bool is_new = c.posts == 1 && c.status == CaseStatus::kNew;
    bool is_reopened = false;
    auto known = urls.find(c.id);
    std::string url = known == urls.end() ? std::string() : known->second;
    if (c.status == CaseStatus::kReopened || (is_new && known == urls.end())) {
      Result<CaseDetail> detail = store_.Lock()->GetCase(c.id);
      if (!detail) continue;
      is_reopened = c.status == CaseStatus::kReopened && !detail->events.empty() &&
                    detail->events.back().kind == "reopened";
      if (!detail->posts.empty()) url = detail->posts.front().url;
    }
    if (!is_new && !is_reopened) continue;
    AlertEvent event;
    event.kind = is_new ? "case.opened" : "case.reopened";
    event.case_id = c.id;
    event.brand = c.brand;
    event.stance = c.stance;
    if (c.topic) event.topics.push_back(*c.topic);
    event.priority = c.priority;
    event.escalation_level = c.escalation_level;
    event.title = c.title;
    event.customer = c.customer;
    event.url = url;
    event.at = now;
    Result<int> queued = alerts_->Publish(event);
    if (!queued) spdlog::error("alerts for case {}: {}", c.id, queued.error().message());
  }
}

}  // namespace ecoute::server
