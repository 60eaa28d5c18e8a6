#include "server/watcher.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "ecoute/sources.h"

#include "server/component_db.h"
#include "store/sqlite/sqlite.h"

namespace ecoute::server {
namespace {

// watched_sources holds the configuration and the polling state together: one row is read
// per poll and written once after it, so splitting them would only add a join.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE watched_sources (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  interval_seconds INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  next_poll_at INTEGER NOT NULL,
  last_polled_at INTEGER,
  last_success_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  posts_seen INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX watched_sources_due ON watched_sources (next_poll_at)
  WHERE enabled = 1;
)sql";
constexpr std::array<std::string_view, 1> kMigrations = {kVersion1};

// The columns ReadSource expects, in its order.
constexpr std::string_view kColumns =
    "id, url, format, label, interval_seconds, enabled, etag, last_modified, next_poll_at, "
    "last_polled_at, last_success_at, failures, last_error, posts_seen, created_at";

constexpr std::array<std::string_view, 6> kFormats = {"auto",     "feed",    "html",
                                                      "mastodon", "bluesky", "jsonl"};

// An error message is shown in the dashboard and the API: bounded, whatever a server sent.
constexpr size_t kMaxErrorBytes = 500;

std::string Select(std::string_view rest) {
  std::string sql = "SELECT ";
  sql += kColumns;
  sql += " FROM watched_sources ";
  sql += rest;
  return sql;
}

WatchedSource ReadSource(const sqlite::Statement& row) {
  WatchedSource s;
  s.id = row.Int(0);
  s.url = row.Text(1);
  s.format = row.Text(2);
  s.label = row.Text(3);
  s.interval_seconds = row.Int(4);
  s.enabled = row.Int(5) != 0;
  s.etag = row.Text(6);
  s.last_modified = row.Text(7);
  s.next_poll_at = row.Int(8);
  s.last_polled_at = row.OptionalInt(9);
  s.last_success_at = row.OptionalInt(10);
  s.failures = static_cast<int>(row.Int(11));
  s.last_error = row.Text(12);
  s.posts_seen = row.Int(13);
  s.created_at = row.Int(14);
  return s;
}

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

Watcher::Watcher(sqlite3* db, const Clock& clock, WatcherOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {}

Watcher::~Watcher() {
  Stop();
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Watcher>> Watcher::Open(const std::string& db_path, const Clock& clock,
                                               WatcherOptions options) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite3 * db, OpenComponentDb(db_path, "watcher", kMigrations));
  // Owned from here, so that every early return closes it.
  std::unique_ptr<Watcher> watcher(new Watcher(db, clock, std::move(options)));
  if (Status status = watcher->Prepare(); !status.ok()) {
    return Status(status.code(), db_path + ": " + status.message());
  }
  return Result<std::unique_ptr<Watcher>>(std::move(watcher));
}

Status Watcher::Prepare() {
  // Politeness outlives a restart: a host polled a moment before is not asked again at once.
  sqlite::Statement last(db_,
                         "SELECT url, last_polled_at FROM watched_sources "
                         "WHERE last_polled_at IS NOT NULL");
  if (!last.ok()) return last.status();
  while (last.Step()) {
    int64_t& when = host_last_request_[HostKey(std::string(last.Text(0)))];
    when = std::max(when, last.Int(1));
  }
  return last.status();
}

Status Watcher::Validate(const WatchedSource& source) const {
  const std::optional<UrlParts> parts = ParseUrlParts(source.url);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) {
    return InvalidArgumentError("url \"" + source.url + "\": not an http or https URL");
  }
  if (parts->has_credentials) {
    // They would be stored in clear and shown in lists; public sources need none.
    return InvalidArgumentError("url: user names and passwords in URLs are not accepted");
  }
  // Refused now what would be refused at every poll: a literal non-public address, an
  // internal name. A name that resolves inward is refused when the fetch connects.
  if (Result<OutboundUrl> checked = CheckOutboundUrl(source.url, options_.fetch.outbound);
      !checked) {
    return InvalidArgumentError("url \"" + source.url + "\": " + checked.error().message());
  }
  if (std::find(kFormats.begin(), kFormats.end(), source.format) == kFormats.end()) {
    return InvalidArgumentError("format \"" + source.format +
                                "\": expected auto, feed, html, mastodon, bluesky or jsonl");
  }
  if (source.interval_seconds < options_.min_interval_seconds) {
    return InvalidArgumentError("interval_seconds " + std::to_string(source.interval_seconds) +
                                ": at least " + std::to_string(options_.min_interval_seconds));
  }
  return OkStatus();
}

Result<WatchedSource> Watcher::GetLocked(int64_t id) {
  sqlite::Statement get(db_, Select("WHERE id = ?"));
  if (!get.ok()) return get.status();
  get.Bind(1, id);
  if (get.Step()) return ReadSource(get);
  if (!get.status().ok()) return get.status();
  return NotFoundError("no watched source " + std::to_string(id));
}

Result<WatchedSource> Watcher::Add(WatchedSource source) {
  ECOUTE_RETURN_IF_ERROR(Validate(source));
  std::lock_guard<std::mutex> lock(db_mutex_);
  sqlite::Statement existing(db_, "SELECT id FROM watched_sources WHERE url = ?");
  if (!existing.ok()) return existing.status();
  existing.Bind(1, source.url);
  if (existing.Step()) {
    return Status(StatusCode::kAlreadyExists, "url \"" + source.url +
                                                  "\": already watched (source " +
                                                  std::to_string(existing.Int(0)) + ")");
  }
  ECOUTE_RETURN_IF_ERROR(existing.status());
  const int64_t now = clock_.Now();
  sqlite::Statement insert(db_,
                           "INSERT INTO watched_sources (url, format, label, interval_seconds, "
                           "enabled, next_poll_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  insert.Bind(1, source.url)
      .Bind(2, source.format)
      .Bind(3, source.label)
      .Bind(4, source.interval_seconds)
      .Bind(5, int64_t{source.enabled ? 1 : 0})
      .Bind(6, now)
      .Bind(7, now);
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  return GetLocked(sqlite3_last_insert_rowid(db_));
}

Result<std::vector<WatchedSource>> Watcher::List() {
  std::lock_guard<std::mutex> lock(db_mutex_);
  sqlite::Statement list(db_, Select("ORDER BY id"));
  if (!list.ok()) return list.status();
  std::vector<WatchedSource> sources;
  while (list.Step()) sources.push_back(ReadSource(list));
  ECOUTE_RETURN_IF_ERROR(list.status());
  return sources;
}

Result<WatchedSource> Watcher::Get(int64_t id) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  return GetLocked(id);
}

Result<WatchedSource> Watcher::Update(const WatchedSource& source) {
  ECOUTE_RETURN_IF_ERROR(Validate(source));
  std::lock_guard<std::mutex> lock(db_mutex_);
  ECOUTE_ASSIGN_OR_RETURN(WatchedSource current, GetLocked(source.id));
  const int64_t now = clock_.Now();
  if (source.url != current.url) {
    sqlite::Statement existing(db_, "SELECT id FROM watched_sources WHERE url = ? AND id != ?");
    if (!existing.ok()) return existing.status();
    existing.Bind(1, source.url).Bind(2, source.id);
    if (existing.Step()) {
      return Status(StatusCode::kAlreadyExists, "url \"" + source.url +
                                                    "\": already watched (source " +
                                                    std::to_string(existing.Int(0)) + ")");
    }
    ECOUTE_RETURN_IF_ERROR(existing.status());
    // Another URL is another resource: its validators and its failures are not these.
    current.etag.clear();
    current.last_modified.clear();
    current.failures = 0;
    current.last_error.clear();
    current.next_poll_at = now;
  } else if (source.enabled && !current.enabled) {
    current.next_poll_at = std::min(current.next_poll_at, now);
  } else if (source.interval_seconds < current.interval_seconds && current.failures == 0 &&
             current.last_polled_at) {
    current.next_poll_at =
        std::min(current.next_poll_at, *current.last_polled_at + source.interval_seconds);
  }
  sqlite::Statement update(db_,
                           "UPDATE watched_sources SET url = ?, format = ?, label = ?, "
                           "interval_seconds = ?, enabled = ?, etag = ?, last_modified = ?, "
                           "failures = ?, last_error = ?, next_poll_at = ? WHERE id = ?");
  if (!update.ok()) return update.status();
  update.Bind(1, source.url)
      .Bind(2, source.format)
      .Bind(3, source.label)
      .Bind(4, source.interval_seconds)
      .Bind(5, int64_t{source.enabled ? 1 : 0})
      .Bind(6, current.etag)
      .Bind(7, current.last_modified)
      .Bind(8, int64_t{current.failures})
      .Bind(9, current.last_error)
      .Bind(10, current.next_poll_at)
      .Bind(11, source.id);
  ECOUTE_RETURN_IF_ERROR(update.Run());
  return GetLocked(source.id);
}

Status Watcher::Remove(int64_t id) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  sqlite::Statement remove(db_, "DELETE FROM watched_sources WHERE id = ?");
  if (!remove.ok()) return remove.status();
  remove.Bind(1, id);
  ECOUTE_RETURN_IF_ERROR(remove.Run());
  if (sqlite3_changes(db_) == 0) return NotFoundError("no watched source " + std::to_string(id));
  return OkStatus();
}

PollReport Watcher::PollDue(const Sink& sink) { return PollDueUntil(sink, nullptr); }

PollReport Watcher::PollDueUntil(const Sink& sink, const std::atomic<bool>* stop) {
  std::lock_guard<std::mutex> poll_lock(poll_mutex_);
  PollReport report;
  std::vector<int64_t> due;
  {
    std::lock_guard<std::mutex> lock(db_mutex_);
    sqlite::Statement select(db_,
                             "SELECT id FROM watched_sources WHERE enabled = 1 AND "
                             "next_poll_at <= ? ORDER BY next_poll_at, id");
    if (!select.ok()) return report;
    select.Bind(1, clock_.Now());
    while (select.Step()) due.push_back(select.Int(0));
  }
  for (const int64_t id : due) {
    if (stop != nullptr && stop->load()) break;
    WatchedSource source;
    {
      std::lock_guard<std::mutex> lock(db_mutex_);
      const int64_t now = clock_.Now();
      // The list is as old as the fetches before: this one may have been removed, disabled
      // or changed since.
      Result<WatchedSource> fresh = GetLocked(id);
      if (!fresh || !fresh->enabled || fresh->next_poll_at > now) continue;
      source = std::move(fresh).value();
      auto [last, is_new] = host_last_request_.try_emplace(HostKey(source.url), now);
      if (!is_new && now < last->second + options_.min_host_interval_seconds) {
        sqlite::Statement defer(db_, "UPDATE watched_sources SET next_poll_at = ? WHERE id = ?");
        if (defer.ok()) {
          defer.Bind(1, last->second + options_.min_host_interval_seconds).Bind(2, source.id);
          (void)defer.Run();  // if it fails, the source stays due and is deferred next tick
        }
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
  std::lock_guard<std::mutex> lock(db_mutex_);
  const int64_t now = clock_.Now();
  sqlite::Statement save(db_,
                         "UPDATE watched_sources SET etag = ?1, last_modified = ?2, "
                         "failures = 0, last_error = '', last_polled_at = ?3, "
                         "last_success_at = ?3, next_poll_at = ?3 + interval_seconds, "
                         "posts_seen = posts_seen + ?4 WHERE id = ?5 AND url = ?6");
  if (!save.ok()) return;
  save.Bind(1, fetched.etag)
      .Bind(2, fetched.last_modified)
      .Bind(3, now)
      .Bind(4, posts)
      .Bind(5, source.id)
      .Bind(6, source.url);
  (void)save.Run();  // a lost save only means one more fetch
}

void Watcher::SaveError(const WatchedSource& source, const std::string& why) {
  std::lock_guard<std::mutex> lock(db_mutex_);
  const int64_t now = clock_.Now();
  sqlite::Statement read(db_,
                         "SELECT failures, interval_seconds FROM watched_sources "
                         "WHERE id = ? AND url = ?");
  if (!read.ok()) return;
  read.Bind(1, source.id).Bind(2, source.url);
  if (!read.Step()) return;
  const int failures = static_cast<int>(read.Int(0)) + 1;
  const int64_t next = now + Backoff(read.Int(1), failures, options_.max_backoff_seconds);
  sqlite::Statement save(db_,
                         "UPDATE watched_sources SET failures = ?, last_error = ?, "
                         "last_polled_at = ?, next_poll_at = ? WHERE id = ?");
  if (!save.ok()) return;
  save.Bind(1, int64_t{failures})
      .Bind(2, Bounded(why))
      .Bind(3, now)
      .Bind(4, next)
      .Bind(5, source.id);
  (void)save.Run();
}

void Watcher::Start(Sink sink, std::chrono::milliseconds tick) {
  std::lock_guard<std::mutex> lock(thread_mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, sink = std::move(sink), tick] {
    while (!stop_.load()) {
      PollDueUntil(sink, &stop_);
      std::unique_lock<std::mutex> wait(wake_mutex_);
      wake_.wait_for(wait, tick, [this] { return stop_.load(); });
    }
  });
}

void Watcher::Stop() {
  std::lock_guard<std::mutex> lock(thread_mutex_);
  if (!thread_.joinable()) return;
  {
    // Under wake_mutex_, so that the thread cannot miss the notification between its check
    // and its wait.
    std::lock_guard<std::mutex> wake(wake_mutex_);
    stop_ = true;
  }
  wake_.notify_all();
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
