#include "watch/watcher.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>

#include "ecoute/datetime.h"
#include "ecoute/sources.h"

#include "listen/live_stream.h"

namespace ecoute::server {
namespace {

constexpr std::array<std::string_view, 8> kFormats = {
    "auto", "feed", "html", "mastodon", "bluesky", "jsonl", "jetstream", "mastodon_stream"};

// An error message is shown in the dashboard and the API: bounded, whatever a server sent.
constexpr size_t kMaxErrorBytes = 500;

// The host politeness counts requests against: two ports of one machine are one host.
std::string HostKey(const std::string& url) {
  const std::optional<UrlParts> parts = ParseUrlParts(url);
  return parts ? parts->host : url;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string Lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return text;
}

// Whether a path names a feed or an API endpoint by one of its segments: the feeds of
// blogs and their comments (WordPress /feed/, /comments/feed/, Blogger /feeds/.../comments/
// default, /rss, /atom) and WordPress's REST API (/wp-json/...).
bool HasFeedSegment(std::string_view path) {
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    for (std::string_view name : {"feed", "feeds", "rss", "atom", "comments", "wp-json"}) {
      if (segment == name) return true;
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return false;
}

// Whether robots.txt is asked before polling: pages are crawled, so they are; feeds and
// API endpoints are published to be polled, so they are not. "auto" is only known after
// the fetch, so it counts as a page unless its path says feed or JSON (an extension, a
// feed segment) or its query asks WordPress for a feed (?feed=rss2, ?feed=comments-rss2).
bool IsPage(const WatchedSource& source) {
  if (source.format == "html") return true;
  if (source.format != "auto") return false;
  const std::optional<UrlParts> parts = ParseUrlParts(source.url);
  if (!parts) return true;
  const std::string path = Lower(parts->path);
  for (std::string_view extension :
       {".rss", ".atom", ".xml", ".rdf", ".json", ".jsonl", ".ndjson"}) {
    if (EndsWith(path, extension)) return false;
  }
  if (HasFeedSegment(path)) return false;
  const std::string query = "&" + Lower(parts->query);
  return query.find("&feed=") == std::string::npos;
}

// The format to read a fetched body with: the source's, or for "auto" what the body and
// the URL's path say, then the Content-Type when they only see text.
InputFormat ResolveFormat(const WatchedSource& source, const FetchResult& fetched) {
  InputFormat format = InputFormat::kAuto;
  ParseInputFormat(source.format, format);
  if (format != InputFormat::kAuto) return format;
  const std::optional<UrlParts> parts = ParseUrlParts(fetched.url);
  const std::string name = parts ? parts->path : fetched.url;
  format = DetectInputFormat(fetched.body, name);
  if (format != InputFormat::kText) return format;
  const std::string_view type = fetched.content_type;
  if (type.find("html") != std::string_view::npos) return InputFormat::kHtml;
  if (type.find("xml") != std::string_view::npos) return InputFormat::kFeed;
  return format;
}

// Fetch messages start with the URL; the source is known, and its URL may carry a query
// that is nobody's business in an error list, so the reason alone is kept.
std::string Reason(const std::string& url, const std::string& message) {
  std::string_view why = message;
  if (why.size() > url.size() + 2 && why.substr(0, url.size()) == url &&
      why.substr(url.size(), 2) == ": ") {
    why.remove_prefix(url.size() + 2);
  }
  return std::string(why);
}

std::string Bounded(std::string text) {
  if (text.size() <= kMaxErrorBytes) return text;
  size_t cut = kMaxErrorBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

// interval * 2^failures, capped, without overflowing on a long run of failures.
int64_t Backoff(int64_t interval, int failures, int64_t cap) {
  int64_t delay = std::max<int64_t>(interval, 1);
  for (int i = 0; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

}  // namespace

std::string ErrorKindOf(long status, std::string_view retry_after, const Status& error) {
  if (status > 0) {
    if (status == 401 || status == 403) return "auth_refused";
    if (status == 404 || status == 410) return "not_found";
    if (status == 429 || (status == 503 && !retry_after.empty())) return "rate_limited";
    if (status >= 500) return "server_error";
    return "http_error";
  }
  switch (error.code()) {
    case StatusCode::kPermissionDenied:
      return error.message().find(": disallowed by ") != std::string::npos ? "robots_disallowed"
                                                                           : "refused_by_policy";
    case StatusCode::kInvalidArgument:
      return "refused_by_policy";
    case StatusCode::kResourceExhausted:
      return "unreadable";
    default:
      return "unreachable";
  }
}

std::optional<int64_t> RetryAfterTime(std::string_view value, int64_t now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size()) {
    if (seconds <= 0) return std::nullopt;
    // A year is longer than any back-off cap: it only keeps the sum from overflowing.
    return now + std::min<int64_t>(seconds, int64_t{366} * 86400);
  }
  if (error == std::errc::result_out_of_range) return now + int64_t{366} * 86400;
  const std::optional<int64_t> date = ParseDateTime(value);
  if (!date || *date <= now) return std::nullopt;
  return date;
}

Watcher::Watcher(std::unique_ptr<WatchTables> tables, const Clock& clock, WatcherOptions options)
    : clock_(clock), options_(std::move(options)), tables_(std::move(tables)) {}

Watcher::~Watcher() { Stop(); }

Result<std::unique_ptr<Watcher>> Watcher::Open(const std::string& db_path, const Clock& clock,
                                               WatcherOptions options) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<WatchTables> tables, OpenWatchTables(db_path));
  Result<std::unique_ptr<Watcher>> watcher = Open(std::move(tables), clock, std::move(options));
  if (!watcher) {
    return Status(watcher.error().code(), db_path + ": " + watcher.error().message());
  }
  return watcher;
}

Result<std::unique_ptr<Watcher>> Watcher::Open(std::unique_ptr<WatchTables> tables,
                                               const Clock& clock, WatcherOptions options) {
  // Owned from here, so that every early return closes the tables.
  std::unique_ptr<Watcher> watcher(new Watcher(std::move(tables), clock, std::move(options)));
  ECOUTE_RETURN_IF_ERROR(watcher->Prepare());
  return Result<std::unique_ptr<Watcher>>(std::move(watcher));
}

Status Watcher::Prepare() {
  // Politeness outlives a restart: a host polled a moment before is not asked again at once.
  // So does a Retry-After.
  std::vector<WatchedSource> sources;
  {
    MutexLock lock(db_mutex_);
    ECOUTE_ASSIGN_OR_RETURN(sources, tables_->ListSources());
  }
  MutexLock lock(host_mutex_);
  for (const WatchedSource& source : sources) {
    HostState& host = hosts_[HostKey(source.url)];
    if (source.last_polled_at) {
      host.last_request = std::max(host.last_request.value_or(0), *source.last_polled_at);
    }
    if (source.rate_limited_until) {
      host.not_before = std::max(host.not_before, *source.rate_limited_until);
    }
  }
  return OkStatus();
}

Status Watcher::Validate(const WatchedSource& source) const {
  // A Jetstream is a WebSocket: its URL is checked as the http(s) URL it upgrades from.
  const bool is_jetstream = source.format == "jetstream";
  std::string url = source.url;
  if (is_jetstream) {
    const size_t colon = url.find("://");
    std::string scheme = colon == std::string::npos ? "" : url.substr(0, colon);
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "ws" && scheme != "wss") {
      return InvalidArgumentError("url \"" + source.url + "\": a jetstream is a ws or wss URL");
    }
    url = (scheme == "ws" ? "http" : "https") + url.substr(colon);
  }
  const std::optional<UrlParts> parts = ParseUrlParts(url);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) {
    return InvalidArgumentError("url \"" + source.url + "\": not an http or https URL");
  }
  // A token never travels in clear.
  if (source.format == "mastodon_stream" && parts->scheme != "https" && !source.secret.empty()) {
    return InvalidArgumentError("url \"" + source.url +
                                "\": a Mastodon stream with a token is an https URL");
  }
  if (parts->has_credentials) {
    // They would be stored in clear and shown in lists; public sources need none.
    return InvalidArgumentError("url: user names and passwords in URLs are not accepted");
  }
  // Refused now what would be refused at every poll: a literal non-public address, an
  // internal name. A name that resolves inward is refused when the fetch connects.
  if (Result<OutboundUrl> checked = CheckOutboundUrl(url, options_.fetch.outbound); !checked) {
    return InvalidArgumentError("url \"" + source.url + "\": " + checked.error().message());
  }
  if (std::find(kFormats.begin(), kFormats.end(), source.format) == kFormats.end() &&
      !listen::IsLiveFormat(source.format)) {
    return InvalidArgumentError(
        "format \"" + source.format +
        "\": expected auto, feed, html, mastodon, bluesky, jsonl, jetstream or mastodon_stream");
  }
  if (source.interval_seconds < options_.min_interval_seconds) {
    return InvalidArgumentError("interval_seconds " + std::to_string(source.interval_seconds) +
                                ": at least " + std::to_string(options_.min_interval_seconds));
  }
  return OkStatus();
}

Result<WatchedSource> Watcher::Add(const WatchedSource& source) {
  ECOUTE_RETURN_IF_ERROR(Validate(source));
  MutexLock lock(db_mutex_);
  ECOUTE_ASSIGN_OR_RETURN(const int64_t id, tables_->AddSource(source, clock_.Now()));
  return tables_->FindSource(id);
}

Result<std::vector<WatchedSource>> Watcher::List() {
  MutexLock lock(db_mutex_);
  return tables_->ListSources();
}

Result<WatchedSource> Watcher::Get(int64_t id) {
  MutexLock lock(db_mutex_);
  return tables_->FindSource(id);
}

Result<WatchedSource> Watcher::Update(const WatchedSource& source) {
  ECOUTE_RETURN_IF_ERROR(Validate(source));
  MutexLock lock(db_mutex_);
  ECOUTE_ASSIGN_OR_RETURN(WatchedSource current, tables_->FindSource(source.id));
  const int64_t now = clock_.Now();
  if (source.url != current.url) {
    // Another URL is another resource: its validators and its failures are not these.
    current.etag.clear();
    current.last_modified.clear();
    current.failures = 0;
    current.last_error.clear();
    current.error_kind.clear();
    current.rate_limited_until.reset();
    current.cursor.clear();
    current.next_poll_at = now;
  } else if ((source.enabled && !current.enabled) ||
             (listen::IsLiveFormat(current.format) && !listen::IsLiveFormat(source.format))) {
    // Enabled again, or a live source (never due) turned into a polled one: due now.
    current.next_poll_at = std::min(current.next_poll_at, now);
  } else if (source.interval_seconds < current.interval_seconds && current.failures == 0 &&
             current.last_polled_at) {
    current.next_poll_at =
        std::min(current.next_poll_at, *current.last_polled_at + source.interval_seconds);
  }
  WatchedSource updated = source;
  updated.etag = current.etag;
  updated.last_modified = current.last_modified;
  updated.failures = current.failures;
  updated.last_error = current.last_error;
  updated.error_kind = current.error_kind;
  updated.rate_limited_until = current.rate_limited_until;
  updated.next_poll_at = current.next_poll_at;
  updated.cursor = current.cursor;  // a stream's resume point is state, as the validators
  ECOUTE_RETURN_IF_ERROR(tables_->UpdateSource(updated));
  return tables_->FindSource(source.id);
}

Status Watcher::SaveCursor(int64_t id, std::string_view cursor) {
  MutexLock lock(db_mutex_);
  return tables_->SaveCursor(id, cursor);
}

Status Watcher::Remove(int64_t id) {
  MutexLock lock(db_mutex_);
  return tables_->DeleteSource(id);
}

PollReport Watcher::PollDue(const Sink& sink) { return PollDueUntil(sink, nullptr); }

int64_t Watcher::AdmitLocked(const std::string& host, int64_t now) {
  HostState& state = hosts_[host];
  int64_t when = state.not_before;
  if (state.last_request) {
    when = std::max(when, *state.last_request + options_.min_host_interval_seconds);
  }
  if (now < when) return when;
  if (state.in_flight >= std::max(options_.max_requests_per_host, 1)) return -1;
  ++state.in_flight;
  state.last_request = now;
  return 0;
}

void Watcher::ReleaseLocked(const std::string& host, std::optional<int64_t> not_before) {
  HostState& state = hosts_[host];
  --state.in_flight;
  if (not_before) state.not_before = std::max(state.not_before, *not_before);
  ++releases_;
}

// The due sources are started in order, each on a thread of its own, as their hosts admit
// them; one whose host is busy stays in the queue until a request ends.
PollReport Watcher::PollDueUntil(const Sink& sink, const std::atomic<bool>* stop) {
  MutexLock poll_lock(poll_mutex_);
  PollReport report;
  std::deque<int64_t> queue;
  {
    MutexLock lock(db_mutex_);
    Result<std::vector<int64_t>> read = tables_->DueSources(clock_.Now());
    if (!read) return report;
    queue.assign(read->begin(), read->end());
  }
  const int max_running = std::max(options_.max_parallel_polls, 1);
  std::vector<std::thread> workers;
  int running = 0;  // under host_mutex_
  while (!queue.empty() && (stop == nullptr || !stop->load())) {
    int64_t seen = 0;
    {
      MutexLock lock(host_mutex_);
      seen = releases_;
    }
    for (auto it = queue.begin(); it != queue.end();) {
      WatchedSource source;
      {
        MutexLock lock(db_mutex_);
        // The list is as old as the fetches before: this one may have been removed,
        // disabled or changed since.
        Result<WatchedSource> fresh = tables_->FindSource(*it);
        if (!fresh || !fresh->enabled || fresh->next_poll_at > clock_.Now()) {
          it = queue.erase(it);
          continue;
        }
        if (listen::IsLiveFormat(fresh->format)) {
          // A stream runner's: never polled, and not due again for a day.
          (void)tables_->DeferSource(*it, clock_.Now() + 86400);
          it = queue.erase(it);
          continue;
        }
        source = std::move(fresh).value();
      }
      const std::string host = HostKey(source.url);
      MutexLock lock(host_mutex_);
      if (running >= max_running) break;
      const int64_t when = AdmitLocked(host, clock_.Now());
      if (when == -1) {  // busy: tried again when a request ends
        ++it;
        continue;
      }
      it = queue.erase(it);
      if (when > 0) {
        // If it fails, the source stays due and is deferred next tick.
        MutexLock db_lock(db_mutex_);
        (void)tables_->DeferSource(source.id, when);
        ++report.deferred;
        continue;
      }
      ++running;
      workers.emplace_back([this, &sink, &report, &running, host, source = std::move(source)] {
        const PollResult result = PollOne(source, sink);
        {
          MutexLock done(host_mutex_);
          ReleaseLocked(host, result.host_not_before);
          --running;
          ++report.polled;
          if (result.outcome == Outcome::kPosts) report.posts += result.posts;
          if (result.outcome == Outcome::kNotModified) ++report.not_modified;
          if (result.outcome == Outcome::kError) ++report.errors;
        }
        host_freed_.NotifyAll();
      });
    }
    if (queue.empty()) break;
    // Every source left waits for a host or a thread: until a request ends (or briefly, so
    // that Stop is heard).
    MutexLock lock(host_mutex_);
    if (releases_ == seen) host_freed_.WaitFor(host_mutex_, std::chrono::milliseconds(50));
  }
  for (std::thread& worker : workers) worker.join();
  return report;
}

Result<FetchResult> Watcher::FetchPolitely(const std::string& url, bool honor_robots) {
  const std::string host = HostKey(url);
  {
    MutexLock lock(host_mutex_);
    const int64_t now = clock_.Now();
    int64_t when = AdmitLocked(host, now);
    if (when == -1) when = now + 1;
    if (when > 0) {
      return Status(StatusCode::kResourceExhausted,
                    "host busy: ask again at " + FormatRfc3339(when));
    }
  }
  FetchOptions fetch = options_.fetch;
  fetch.honor_robots = honor_robots;
  fetch.http_errors_as_results = true;
  Result<FetchResult> fetched = Fetch(url, fetch);
  std::optional<int64_t> not_before;
  if (fetched && (fetched->status == 429 || fetched->status == 503)) {
    not_before = RetryAfterTime(fetched->retry_after, clock_.Now());
  }
  {
    MutexLock lock(host_mutex_);
    ReleaseLocked(host, not_before);
  }
  host_freed_.NotifyAll();
  return fetched;
}

Watcher::PollResult Watcher::PollOne(const WatchedSource& source, const Sink& sink) {
  polls_.fetch_add(1, std::memory_order_relaxed);
  auto error = [&](const Failure& failure) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (on_failure) on_failure(failure.kind);
    SaveError(source, failure);
    return PollResult{Outcome::kError, 0, failure.retry_after};
  };
  FetchOptions fetch = options_.fetch;
  fetch.etag = source.etag;
  fetch.last_modified = source.last_modified;
  fetch.honor_robots = IsPage(source);
  fetch.http_errors_as_results = true;
  Result<FetchResult> fetched = Fetch(source.url, fetch);
  if (!fetched) {
    return error({Reason(source.url, fetched.error().message()),
                  ErrorKindOf(0, "", fetched.error()), std::nullopt});
  }
  if (fetched->status >= 400) {
    Failure failure{"HTTP " + std::to_string(fetched->status),
                    ErrorKindOf(fetched->status, fetched->retry_after, OkStatus()), std::nullopt};
    if (failure.kind == "rate_limited") {
      const int64_t now = clock_.Now();
      failure.retry_after = RetryAfterTime(fetched->retry_after, now);
      if (failure.retry_after) {
        failure.retry_after = std::min(*failure.retry_after, now + options_.max_backoff_seconds);
        failure.why += " (Retry-After: " + fetched->retry_after.substr(0, 64) + ")";
      }
    }
    return error(failure);
  }
  if (fetched->not_modified) {
    // A 304 may carry fresh validators; without them, the old ones still hold.
    if (fetched->etag.empty()) fetched->etag = source.etag;
    if (fetched->last_modified.empty()) fetched->last_modified = source.last_modified;
    not_modified_.fetch_add(1, std::memory_order_relaxed);
    SaveSuccess(source, *fetched, 0);
    return {Outcome::kNotModified, 0, std::nullopt};
  }
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadPosts(
      fetched->body, fetched->url, ResolveFormat(source, *fetched),
      [&](const Post& post) { posts.push_back(post); }, problems);
  // Problems that are not fatal are the readers' repairs: the posts they came with count.
  for (const Problem& problem : problems) {
    if (problem.is_fatal) return error({"unreadable: " + problem.message, "unreadable", {}});
  }
  // The fetches run side by side; the sink is called one poll at a time, as it always was.
  Status stored;
  {
    MutexLock lock(sink_mutex_);
    stored = sink(posts, source);
  }
  if (!stored.ok()) {
    return error({"posts not stored: " + stored.message(), "not_stored", {}});
  }
  const auto count = static_cast<int64_t>(posts.size());
  posts_.fetch_add(count, std::memory_order_relaxed);
  SaveSuccess(source, *fetched, count);
  return {Outcome::kPosts, count, std::nullopt};
}

// The WHERE url = ? of both saves: an Update that changed the URL during the fetch made
// these validators another resource's, and a Remove made them nobody's.
void Watcher::SaveSuccess(const WatchedSource& source, const FetchResult& fetched, int64_t posts) {
  MutexLock lock(db_mutex_);
  const int64_t now = clock_.Now();
  // A lost save only means one more fetch.
  (void)tables_->RecordSuccess(source.id, source.url, fetched.etag, fetched.last_modified, now,
                               posts);
}

void Watcher::SaveError(const WatchedSource& source, const Failure& failure) {
  MutexLock lock(db_mutex_);
  const int64_t now = clock_.Now();
  Result<WatchedSource> current = tables_->FindSource(source.id);
  if (!current || current->url != source.url) return;
  WatchTables::Failure record;
  record.failures = current->failures + 1;
  const std::string why = Bounded(failure.why);
  record.error = why;
  record.kind = failure.kind;
  record.polled_at = now;
  // The back-off, or longer when the server asked for longer; never past the cap.
  int64_t delay = Backoff(current->interval_seconds, record.failures, options_.max_backoff_seconds);
  if (failure.retry_after) {
    delay = std::min(std::max(delay, *failure.retry_after - now), options_.max_backoff_seconds);
    record.rate_limited_until = now + delay;
  }
  record.next_poll_at = now + delay;
  (void)tables_->RecordFailure(source.id, record);
}

Result<int64_t> Watcher::CountBackingOff() {
  MutexLock lock(db_mutex_);
  ECOUTE_ASSIGN_OR_RETURN(const std::vector<WatchedSource> sources, tables_->ListSources());
  return static_cast<int64_t>(
      std::count_if(sources.begin(), sources.end(),
                    [](const WatchedSource& s) { return s.enabled && s.failures > 0; }));
}

void Watcher::Start(Sink sink, std::chrono::milliseconds tick) {
  MutexLock lock(thread_mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, sink = std::move(sink), tick] {
    while (!stop_.load()) {
      PollDueUntil(sink, &stop_);
      MutexLock wait(wake_mutex_);
      const auto deadline = std::chrono::steady_clock::now() + tick;
      while (!stop_.load()) {
        if (!wake_.WaitUntil(wake_mutex_, deadline)) break;
      }
    }
  });
}

void Watcher::Stop() {
  MutexLock lock(thread_mutex_);
  if (!thread_.joinable()) return;
  {
    // Under wake_mutex_, so that the thread cannot miss the notification between its check
    // and its wait.
    MutexLock wake(wake_mutex_);
    stop_ = true;
  }
  wake_.NotifyAll();
  thread_.join();
}

Watcher::Counters Watcher::counters() const {
  Counters c;
  c.polls = polls_.load(std::memory_order_relaxed);
  c.errors = errors_.load(std::memory_order_relaxed);
  c.not_modified = not_modified_.load(std::memory_order_relaxed);
  c.posts = posts_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace ecoute::server
