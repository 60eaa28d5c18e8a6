#include "listen/mastodon_stream.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <unordered_set>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "ecoute/datetime.h"
#include "ecoute/sources.h"

#include "fetch/outbound.h"
#include "listen/sse.h"
#include "util/mutex.h"

namespace ecoute::listen {
namespace {

namespace dom = simdjson::dom;

// The REST timelines' largest page.
constexpr int kPageSize = 40;
// Ids handed to the sink lately, so that the stream does not hand again what the
// back-fill just did.
constexpr size_t kRememberedIds = 4096;

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int FromHex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && FromHex(s[i + 1]) >= 0 && FromHex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(FromHex(s[i + 1]) * 16 + FromHex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '-' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

// The value of `key` in a query string, decoded; nullopt when absent.
std::optional<std::string> QueryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<MastodonStreamUrl> ParseMastodonStreamUrl(std::string_view url) {
  const std::optional<UrlParts> parts = ParseUrlParts(std::string(url));
  if (!parts || (parts->scheme != "https" && parts->scheme != "http") || parts->has_credentials) {
    return std::nullopt;
  }
  constexpr std::string_view kPrefix = "/api/v1/streaming/";
  std::string_view path = parts->path;
  if (!path.starts_with(kPrefix)) return std::nullopt;
  path.remove_prefix(kPrefix.size());
  if (path.ends_with('/')) path.remove_suffix(1);
  MastodonStreamUrl out;
  out.kind.assign(path);
  out.origin = parts->scheme + "://" + parts->host + (parts->port.empty() ? "" : ":" + parts->port);
  std::string flags;
  if (out.kind == "hashtag" || out.kind == "hashtag/local") {
    std::string tag = QueryValue(parts->query, "tag").value_or("");
    if (!tag.empty() && tag.front() == '#') tag.erase(0, 1);
    if (tag.empty()) return std::nullopt;
    out.tag = std::move(tag);
    if (out.kind == "hashtag/local") flags = "&local=true";
    out.timeline_url = out.origin + "/api/v1/timelines/tag/" + PercentEncode(out.tag) +
                       "?limit=" + std::to_string(kPageSize) + flags;
    return out;
  }
  if (out.kind == "public/local") flags = "&local=true";
  if (out.kind == "public/remote") flags = "&remote=true";
  if (out.kind != "public" && flags.empty()) return std::nullopt;
  out.timeline_url =
      out.origin + "/api/v1/timelines/public?limit=" + std::to_string(kPageSize) + flags;
  return out;
}

int CompareStatusIds(std::string_view a, std::string_view b) {
  const bool a_number = IsDigits(a);
  const bool b_number = IsDigits(b);
  if (a_number != b_number) return a_number ? 1 : -1;
  if (a_number) {
    // Leading zeros do not make a number larger.
    while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
    while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  }
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

namespace {

// How a connection (or a back-fill) ended; an empty kind and error: it did not fail.
struct Ending {
  std::string kind;   // StreamStatus::error_kind
  std::string error;  // StreamStatus::last_error
  int64_t retry_after_ms = -1;

  bool failed() const { return !kind.empty() || !error.empty(); }
};

// The Retry-After of a response, in ms from `now` (seconds since the epoch); -1 if none.
int64_t RetryAfterMs(const StreamHead& head, int64_t now) {
  const std::string value = head.Header("retry-after");
  if (value.empty()) return -1;
  if (IsDigits(value)) return value.size() > 9 ? 999'999'999'000 : std::stoll(value) * 1000;
  const std::optional<int64_t> at = ParseDateTime(value);
  if (!at) return -1;
  return std::max<int64_t>(0, *at - now) * 1000;
}

// An HTTP answer that is not the one wanted, as a failure.
Ending HttpFailure(const StreamHead& head, std::string_view what, bool has_token, int64_t now) {
  Ending ending;
  const std::string status = "HTTP " + std::to_string(head.status);
  if (head.status == 401 || head.status == 403) {
    ending.kind = "auth_refused";
    ending.error = std::string(what) + ": " + status +
                   (has_token ? ": the instance refused the token"
                              : ": the instance wants a token for this stream");
  } else if (head.status == 429) {
    ending.kind = "rate_limited";
    ending.retry_after_ms = RetryAfterMs(head, now);
    ending.error = std::string(what) + ": " + status + ": rate limited";
  } else if (head.status == 404 || head.status == 410) {
    ending.kind = "not_found";
    ending.error = std::string(what) + ": " + status + ": no such stream or timeline";
  } else if (head.status >= 500) {
    ending.kind = "unreachable";
    ending.error = std::string(what) + ": " + status + ": the instance is failing";
  } else {
    ending.kind = "protocol";
    ending.error = std::string(what) + ": unexpected " + status;
  }
  return ending;
}

// A failure of FetchStream itself, as an ending.
Ending FetchFailure(const Status& error, std::string_view what, bool was_connected) {
  Ending ending;
  ending.error = std::string(what) + ": " + error.message();
  switch (error.code()) {
    case StatusCode::kPermissionDenied:
      ending.kind = "refused_by_policy";
      break;
    case StatusCode::kInvalidArgument:
      ending.kind = "protocol";
      break;
    case StatusCode::kUnavailable:
      // Once the stream was open, a cut connection is the server's (or the network's) end.
      ending.kind = was_connected ? "closed_by_server" : "unreachable";
      break;
    default:
      ending.kind = "unreachable";
      break;
  }
  return ending;
}

class MastodonStream final : public LiveStream {
 public:
  MastodonStream(LiveContext context, MastodonStreamOptions options)
      : context_(std::move(context)),
        options_(options),
        url_(ParseMastodonStreamUrl(context_.source.url)),
        cursor_(context_.source.cursor),
        random_(std::random_device{}()) {
    if (context_.clock == nullptr) context_.clock = &system_clock_;
    // A hashtag the brand chose selects its posts; a public timeline is everyone's.
    only_with_brands_ =
        !(url_ && url_->kind.starts_with("hashtag") && !context_.source.brand.empty());
  }

  void Run(std::stop_token stop) override;

  StreamStatus status() const override {
    MutexLock lock(mu_);
    return status_;
  }

 private:
  // One connection: the stream's head, the back-fill, then the events until it ends.
  Ending Connect(const std::stop_token& stop);
  Ending Backfill(const std::stop_token& stop);
  // One page of a REST timeline: its statuses handed to the sink. `oldest` gets the
  // page's lowest id, `count` its number of statuses.
  Ending BackfillPage(const std::stop_token& stop, const std::string& url, std::string& newest,
                      std::string& oldest, int& count);
  void OnEvent(const SseEvent& event, Ending& ending);
  // Reads the statuses of `json` (one status or an array), hands those not handed lately
  // (all of them for edits) to the sink, and raises `newest` to the highest id handed.
  // Fails (an ending with an error) when the sink fails.
  Ending HandStatuses(std::string_view json, bool is_edit, std::string& newest);
  void Remember(const std::string& id);
  void AdvanceCursor(const std::string& newest, bool force);
  std::vector<std::string> RequestHeaders() const;
  int64_t BackoffMs(const Ending& ending);
  // Sleeps until `ms` have passed or `stop` is requested.
  static void Sleep(const std::stop_token& stop, int64_t ms);
  std::string Scrub(std::string text) const;

  LiveContext context_;
  MastodonStreamOptions options_;
  std::optional<MastodonStreamUrl> url_;
  SystemClock system_clock_;
  bool only_with_brands_ = true;

  // The Run thread's own.
  std::string cursor_;        // the highest id stored
  std::string saved_cursor_;  // what save_cursor last recorded
  std::chrono::steady_clock::time_point saved_at_{};
  std::deque<std::string> remembered_order_;
  std::unordered_set<std::string> remembered_;
  dom::parser parser_;
  std::mt19937_64 random_;
  int attempts_ = 0;  // consecutive unhealthy connections, for the back-off

  mutable Mutex mu_;
  StreamStatus status_ ECOUTE_GUARDED_BY(mu_);
};

std::string MastodonStream::Scrub(std::string text) const {
  const std::string& token = context_.token;
  if (token.empty()) return text;
  for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
    text.replace(at, token.size(), "[token]");
  }
  return text;
}

std::vector<std::string> MastodonStream::RequestHeaders() const {
  std::vector<std::string> lines = {"Accept: text/event-stream, application/json"};
  if (!context_.token.empty()) lines.push_back("Authorization: Bearer " + context_.token);
  return lines;
}

void MastodonStream::Sleep(const std::stop_token& stop, int64_t ms) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock<std::mutex> lock(m);
  cv.wait_for(lock, stop, std::chrono::milliseconds(ms), [] { return false; });
}

int64_t MastodonStream::BackoffMs(const Ending& ending) {
  const int doublings = std::min(attempts_ - 1, 30);
  const int64_t base =
      std::min(options_.max_backoff_ms, options_.min_backoff_ms << std::max(doublings, 0));
  // Half fixed, half random: many streams cut at once do not all come back at once.
  const int64_t half = base / 2;
  int64_t delay = half + static_cast<int64_t>(random_() % static_cast<uint64_t>(half + 1));
  if (ending.retry_after_ms >= 0) {
    delay = std::max(delay, std::min(ending.retry_after_ms, options_.max_retry_after_ms));
  }
  return delay;
}

void MastodonStream::Remember(const std::string& id) {
  if (!remembered_.insert(id).second) return;
  remembered_order_.push_back(id);
  if (remembered_order_.size() > kRememberedIds) {
    remembered_.erase(remembered_order_.front());
    remembered_order_.pop_front();
  }
}

void MastodonStream::AdvanceCursor(const std::string& newest, bool force) {
  if (!newest.empty() && CompareStatusIds(newest, cursor_) > 0) cursor_ = newest;
  if (cursor_ == saved_cursor_ || !context_.save_cursor) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - saved_at_ < std::chrono::milliseconds(options_.cursor_save_interval_ms)) {
    return;
  }
  // A cursor not saved is only a longer back-fill next time: the store keeps each post once.
  if (context_.save_cursor(cursor_).ok()) saved_cursor_ = cursor_;
  saved_at_ = now;
}

Ending MastodonStream::HandStatuses(std::string_view json, bool is_edit, std::string& newest) {
  dom::element root;
  if (parser_.parse(json.data(), json.size()).get(root)) {
    MutexLock lock(mu_);
    ++status_.malformed;
    return {};
  }
  std::vector<dom::element> items;
  dom::array array;
  if (!root.get_array().get(array)) {
    for (dom::element item : array) items.push_back(item);
  } else {
    items.push_back(root);
  }
  std::vector<Post> posts;
  std::vector<std::string> ids;
  int64_t malformed = 0;
  const int64_t now = context_.clock->Now();
  double lag = -1;
  for (dom::element item : items) {
    std::string_view id_view;
    std::string id;
    if (!item["id"].get(id_view)) id.assign(id_view);
    if (!is_edit && !id.empty() && remembered_.contains(id)) continue;
    const size_t before = posts.size();
    std::vector<Problem> problems;
    ReadMastodon(
        simdjson::minify(item), context_.source.url,
        [&posts](const Post& post) { posts.push_back(post); }, problems);
    if (posts.size() == before) {
      ++malformed;
      continue;
    }
    if (const std::optional<int64_t> at = ParseDateTime(posts.back().published_at)) {
      lag = static_cast<double>(std::max<int64_t>(0, now - *at));
    }
    if (!id.empty()) ids.push_back(std::move(id));
  }
  int64_t stored = 0;
  if (!posts.empty()) {
    Result<int64_t> result = context_.sink(posts, context_.source, only_with_brands_);
    if (!result) {
      Ending ending;
      ending.error = "could not store the posts: " + result.error().message();
      return ending;
    }
    stored = *result;
  }
  for (const std::string& id : ids) {
    Remember(id);
    if (IsDigits(id) && CompareStatusIds(id, newest) > 0) newest = id;
  }
  MutexLock lock(mu_);
  status_.matched += stored;
  status_.malformed += malformed;
  if (lag >= 0) status_.lag_seconds = lag;
  return {};
}

Ending MastodonStream::BackfillPage(const std::stop_token& stop, const std::string& url,
                                    std::string& newest, std::string& oldest, int& count) {
  std::string body;
  bool is_too_big = false;
  StreamRequest request{url, RequestHeaders(), options_.idle_timeout_ms, stop};
  Result<StreamHead> head = FetchStream(
      request, context_.fetch, [](const StreamHead&) { return true; },
      [&](std::string_view chunk) {
        if (body.size() + chunk.size() > context_.fetch.max_bytes) {
          is_too_big = true;
          return false;
        }
        body.append(chunk);
        return true;
      });
  if (!head) return FetchFailure(head.error(), "back-fill", false);
  if (head->stopped && !is_too_big) return {};
  if (head->status != 200)
    return HttpFailure(*head, "back-fill", !context_.token.empty(), context_.clock->Now());
  if (is_too_big) return {"protocol", "back-fill: a timeline page larger than the size limit", -1};
  // The page's ids, for paging down and counting.
  dom::element root;
  dom::array array;
  if (parser_.parse(body).get(root) || root.get_array().get(array)) {
    return {"protocol", "back-fill: the timeline is not a JSON array of statuses", -1};
  }
  count = 0;
  oldest.clear();
  for (dom::element item : array) {
    ++count;
    std::string_view id;
    if (item["id"].get(id) || !IsDigits(id)) continue;
    if (oldest.empty() || CompareStatusIds(id, oldest) < 0) oldest.assign(id);
  }
  {
    MutexLock lock(mu_);
    status_.events += count;
  }
  return HandStatuses(body, false, newest);
}

Ending MastodonStream::Backfill(const std::stop_token& stop) {
  const std::string since = cursor_;
  std::string newest;
  std::string max_id;
  for (int page = 0; page < options_.max_backfill_pages && !stop.stop_requested(); ++page) {
    std::string url = url_->timeline_url;
    if (!since.empty()) url += "&since_id=" + since;
    if (!max_id.empty()) url += "&max_id=" + max_id;
    std::string oldest;
    int count = 0;
    Ending ending = BackfillPage(stop, url, newest, oldest, count);
    if (ending.failed()) return ending;
    // Stopped halfway: the cursor stays, and the next start reads the gap again.
    if (stop.stop_requested()) return {};
    // A new source starts from the newest page; a full page may hide more below it.
    if (since.empty() || count < kPageSize || oldest.empty()) break;
    if (CompareStatusIds(oldest, since) <= 0) break;
    max_id = oldest;
  }
  // Only now is every status between the old cursor and the newest one stored (or, past
  // max_backfill_pages, given up).
  if (!stop.stop_requested()) AdvanceCursor(newest, true);
  return {};
}

void MastodonStream::OnEvent(const SseEvent& event, Ending& ending) {
  {
    MutexLock lock(mu_);
    ++status_.events;
    status_.last_event_at = context_.clock->Now();
  }
  if (event.type != "update" && event.type != "status.update") return;  // delete, others
  std::string newest;
  ending = HandStatuses(event.data, event.type == "status.update", newest);
  if (!ending.failed()) AdvanceCursor(newest, false);
}

Ending MastodonStream::Connect(const std::stop_token& stop) {
  SseParser parser;
  Ending ending;
  bool is_connected = false;
  const StreamRequest request{context_.source.url, RequestHeaders(), options_.idle_timeout_ms,
                              stop};
  const auto on_head = [&](const StreamHead& head) {
    if (head.status != 200) return true;  // its error body is read, the failure told below
    const std::string type = head.Header("content-type");
    if (!type.starts_with("text/event-stream")) {
      ending = {"protocol",
                "stream: not an event stream (Content-Type \"" + type.substr(0, 60) + "\")", -1};
      return false;
    }
    is_connected = true;
    ending = Backfill(stop);
    if (ending.failed()) return false;
    // Connected once caught up: what comes now is live.
    MutexLock lock(mu_);
    status_.state = "connected";
    status_.connected_since = context_.clock->Now();
    status_.failures = 0;
    status_.error_kind.clear();
    status_.last_error.clear();
    return true;
  };
  const auto on_chunk = [&](std::string_view chunk) {
    parser.Feed(chunk, [&](const SseEvent& event) {
      if (!ending.failed()) OnEvent(event, ending);
    });
    return !ending.failed();
  };
  Result<StreamHead> head = FetchStream(request, context_.fetch, on_head, on_chunk);
  if (parser.oversized() > 0) {
    MutexLock lock(mu_);
    status_.malformed += parser.oversized();
  }
  AdvanceCursor({}, true);
  if (stop.stop_requested() || ending.failed()) return ending;
  if (!head) return FetchFailure(head.error(), "stream", is_connected);
  if (head->status != 200) {
    return HttpFailure(*head, "stream", !context_.token.empty(), context_.clock->Now());
  }
  return {"closed_by_server", "stream: the instance ended the stream", -1};
}

void MastodonStream::Run(std::stop_token stop) {
  if (!url_) {
    MutexLock lock(mu_);
    status_.state = "stopped";
    status_.error_kind = "protocol";
    status_.last_error =
        "not a Mastodon streaming URL (https://<instance>/api/v1/streaming/hashtag?tag=<tag> "
        "or .../streaming/public)";
  }
  for (bool is_first = true; url_ && !stop.stop_requested(); is_first = false) {
    {
      MutexLock lock(mu_);
      status_.state = "connecting";
      if (!is_first) ++status_.reconnects;
    }
    const auto started = std::chrono::steady_clock::now();
    const Ending ending = Connect(stop);
    if (stop.stop_requested()) break;
    const bool was_healthy = std::chrono::steady_clock::now() - started >=
                             std::chrono::milliseconds(options_.healthy_after_ms);
    attempts_ = was_healthy ? 1 : attempts_ + 1;
    const int64_t delay = BackoffMs(ending);
    {
      MutexLock lock(mu_);
      status_.state = "backoff";
      status_.error_kind = ending.kind;
      status_.last_error = Scrub(ending.error);
      ++status_.failures;
      status_.retry_at = context_.clock->Now() + (delay + 999) / 1000;
    }
    Sleep(stop, delay);
  }
  if (url_) AdvanceCursor({}, true);
  while (!url_ && !stop.stop_requested()) Sleep(stop, 3'600'000);  // nothing to do but wait
  MutexLock lock(mu_);
  status_.state = "stopped";
  status_.retry_at = 0;
}

}  // namespace

std::unique_ptr<LiveStream> NewMastodonStream(LiveContext context) {
  return NewMastodonStream(std::move(context), MastodonStreamOptions{});
}

std::unique_ptr<LiveStream> NewMastodonStream(LiveContext context, MastodonStreamOptions options) {
  return std::make_unique<MastodonStream>(std::move(context), options);
}

}  // namespace ecoute::listen
