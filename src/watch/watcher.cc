#include "watch/watcher.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string_view>
#include <utility>

#include "ecoute/sources.h"

#include "listen/live_stream.h"

namespace ecoute::server {
namespace {

constexpr std::array<std::string_view, 6> kFormats = {"auto",     "feed",    "html",
                                                      "mastodon", "bluesky", "jsonl"};

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

// Whether robots.txt is asked before polling: pages are crawled, so they are; feeds and
// API endpoints are published to be polled, so they are not. "auto" is only known after
// the fetch, so it counts as a page unless its path says feed or JSON.
bool IsPage(const WatchedSource& source) {
  if (source.format == "html") return true;
  if (source.format != "auto") return false;
  const std::optional<UrlParts> parts = ParseUrlParts(source.url);
  if (!parts) return true;
  std::string path = parts->path;
  for (char& c : path) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  for (std::string_view extension :
       {".rss", ".atom", ".xml", ".rdf", ".json", ".jsonl", ".ndjson"}) {
    if (EndsWith(path, extension)) return false;
  }
  return true;
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
  MutexLock lock(db_mutex_);
  ECOUTE_ASSIGN_OR_RETURN(const std::vector<WatchedSource> sources, tables_->ListSources());
  for (const WatchedSource& source : sources) {
    if (!source.last_polled_at) continue;
    int64_t& when = host_last_request_[HostKey(source.url)];
    when = std::max(when, *source.last_polled_at);
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
  if (source.format == "mastodon_stream" && parts->scheme != "https") {
    return InvalidArgumentError("url \"" + source.url + "\": a Mastodon stream is an https URL");
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

PollReport Watcher::PollDueUntil(const Sink& sink, const std::atomic<bool>* stop) {
  MutexLock poll_lock(poll_mutex_);
  PollReport report;
  std::vector<int64_t> due;
  {
    MutexLock lock(db_mutex_);
    Result<std::vector<int64_t>> read = tables_->DueSources(clock_.Now());
    if (!read) return report;
    due = std::move(read).value();
  }
  for (const int64_t id : due) {
    if (stop != nullptr && stop->load()) break;
    WatchedSource source;
    {
      MutexLock lock(db_mutex_);
      const int64_t now = clock_.Now();
      // The list is as old as the fetches before: this one may have been removed, disabled
      // or changed since.
      Result<WatchedSource> fresh = tables_->FindSource(id);
      if (!fresh || !fresh->enabled || fresh->next_poll_at > now) continue;
      if (listen::IsLiveFormat(fresh->format)) {
        // A stream runner's: never polled, and not due again for a day.
        (void)tables_->DeferSource(id, now + 86400);
        continue;
      }
      source = std::move(fresh).value();
      auto [last, is_new] = host_last_request_.try_emplace(HostKey(source.url), now);
      if (!is_new && now < last->second + options_.min_host_interval_seconds) {
        // If it fails, the source stays due and is deferred next tick.
        (void)tables_->DeferSource(source.id, last->second + options_.min_host_interval_seconds);
        ++report.deferred;
        continue;
      }
      last->second = now;
    }
    const PollResult result = PollOne(source, sink);
    ++report.polled;
    switch (result.outcome) {
      case Outcome::kPosts:
        report.posts += result.posts;
        break;
      case Outcome::kNotModified:
        ++report.not_modified;
        break;
      case Outcome::kError:
        ++report.errors;
        break;
    }
  }
  return report;
}

Watcher::PollResult Watcher::PollOne(const WatchedSource& source, const Sink& sink) {
  polls_.fetch_add(1, std::memory_order_relaxed);
  auto error = [&](const std::string& why) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    SaveError(source, why);
    return PollResult{Outcome::kError, 0};
  };
  FetchOptions fetch = options_.fetch;
  fetch.etag = source.etag;
  fetch.last_modified = source.last_modified;
  fetch.honor_robots = IsPage(source);
  Result<FetchResult> fetched = Fetch(source.url, fetch);
  if (!fetched) return error(Reason(source.url, fetched.error().message()));
  if (fetched->not_modified) {
    // A 304 may carry fresh validators; without them, the old ones still hold.
    if (fetched->etag.empty()) fetched->etag = source.etag;
    if (fetched->last_modified.empty()) fetched->last_modified = source.last_modified;
    not_modified_.fetch_add(1, std::memory_order_relaxed);
    SaveSuccess(source, *fetched, 0);
    return {Outcome::kNotModified, 0};
  }
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadPosts(
      fetched->body, fetched->url, ResolveFormat(source, *fetched),
      [&](const Post& post) { posts.push_back(post); }, problems);
  // Problems that are not fatal are the readers' repairs: the posts they came with count.
  for (const Problem& problem : problems) {
    if (problem.is_fatal) return error("unreadable: " + problem.message);
  }
  if (Status stored = sink(posts, source); !stored.ok()) {
    return error("posts not stored: " + stored.message());
  }
  const auto count = static_cast<int64_t>(posts.size());
  posts_.fetch_add(count, std::memory_order_relaxed);
  SaveSuccess(source, *fetched, count);
  return {Outcome::kPosts, count};
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

void Watcher::SaveError(const WatchedSource& source, const std::string& why) {
  MutexLock lock(db_mutex_);
  const int64_t now = clock_.Now();
  Result<WatchedSource> current = tables_->FindSource(source.id);
  if (!current || current->url != source.url) return;
  const int failures = current->failures + 1;
  const int64_t next =
      now + Backoff(current->interval_seconds, failures, options_.max_backoff_seconds);
  (void)tables_->RecordFailure(source.id, failures, Bounded(why), now, next);
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
