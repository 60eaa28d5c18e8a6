#include "listen/jetstream.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ecoute/datetime.h"

#include "listen/websocket.h"
#include "util/json.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::listen {
namespace {

namespace dom = simdjson::dom;

constexpr std::string_view kPostCollection = "app.bsky.feed.post";
constexpr std::string_view kProfileUrl = "https://bsky.app/profile/";

bool IsUriPart(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == ':' || c == '~' || c == '%';
  });
}

// "https://bsky.app/profile/<did>/post/<rkey>" of "at://<did>/app.bsky.feed.post/<rkey>";
// "" for another URI.
std::string PostUrlOf(std::string_view uri) {
  constexpr std::string_view kScheme = "at://";
  if (!uri.starts_with(kScheme)) return {};
  uri.remove_prefix(kScheme.size());
  const size_t slash = uri.find('/');
  if (slash == std::string_view::npos) return {};
  const std::string_view authority = uri.substr(0, slash);
  std::string_view rest = uri.substr(slash + 1);
  if (!rest.starts_with(kPostCollection) || rest.substr(kPostCollection.size(), 1) != "/")
    return {};
  const std::string_view rkey = rest.substr(kPostCollection.size() + 1);
  if (!IsUriPart(authority) || !IsUriPart(rkey)) return {};
  return std::string(kProfileUrl) + std::string(authority) + "/post/" + std::string(rkey);
}

void AddLink(std::string_view link, std::vector<std::string>& links) {
  if (link.empty() || std::find(links.begin(), links.end(), link) != links.end()) return;
  links.emplace_back(link);
}

// Links of the record's facets and of its embed (external, or the media of a record with
// media).
void ReadLinks(dom::object record, std::vector<std::string>& links) {
  dom::array facets;
  if (!record["facets"].get(facets)) {
    for (dom::element facet : facets) {
      dom::array features;
      if (facet["features"].get(features)) continue;
      for (dom::element feature : features) {
        std::string_view type;
        std::string_view uri;
        if (!feature["$type"].get(type) && type == "app.bsky.richtext.facet#link" &&
            !feature["uri"].get(uri)) {
          AddLink(uri, links);
        }
      }
    }
  }
  dom::element embed;
  if (record["embed"].get(embed)) return;
  std::string_view uri;
  if (!embed["external"]["uri"].get(uri) || !embed["media"]["external"]["uri"].get(uri)) {
    AddLink(uri, links);
  }
}

bool ReadPost(std::string_view did, dom::object commit, Post& post) {
  std::string_view rkey;
  dom::object record;
  std::string_view text;
  if (commit["rkey"].get(rkey) || !IsUriPart(rkey) || !IsUriPart(did)) return false;
  if (commit["record"].get(record) || record["text"].get(text)) return false;
  std::string_view type;
  if (!record["$type"].get(type) && type != kPostCollection) return false;
  post.source = "bluesky";
  post.id.assign("at://").append(did).append("/").append(kPostCollection).append("/").append(rkey);
  post.url.assign(kProfileUrl).append(did).append("/post/").append(rkey);
  post.author.handle.assign(did);
  post.author.url.assign(kProfileUrl).append(did);
  post.text.assign(text);
  std::string_view created;
  if (!record["createdAt"].get(created)) {
    if (const std::optional<int64_t> at = ParseDateTime(created)) {
      post.published_at = FormatRfc3339(*at);
    }
  }
  dom::array langs;
  std::string_view lang;
  if (!record["langs"].get(langs) && !langs.at(0).get(lang)) post.lang.assign(lang);
  std::string_view parent;
  if (!record["reply"]["parent"]["uri"].get(parent)) {
    post.parent_id.assign(parent);
    post.parent_url = PostUrlOf(parent);
  }
  ReadLinks(record, post.links);
  // The record's bytes: an edit (an update with other content) is a new version.
  post.content_hash = ContentHash(simdjson::minify(record));
  return true;
}

void Clear(Post& post) {
  post.id.clear();
  post.source.clear();
  post.url.clear();
  post.title.clear();
  post.text.clear();
  post.lang.clear();
  post.author = Author{};
  post.published_at.clear();
  post.updated_at.clear();
  post.parent_id.clear();
  post.parent_url.clear();
  post.links.clear();
  post.contacts.clear();
  post.comments = post.shares = post.likes = -1;
  post.content_hash.clear();
}

}  // namespace

void ParseJetstreamEvent(std::string_view json, dom::parser& parser, JetstreamEvent& out) {
  out.kind = JetstreamEventKind::kMalformed;
  out.time_us = 0;
  Clear(out.post);
  // No deeper than any JSON the service reads; the depth is kept when the parser grows.
  if (parser.max_depth() != static_cast<size_t>(kMaxJsonDepth) || parser.capacity() < json.size()) {
    if (parser.allocate(std::max(json.size(), parser.capacity()), kMaxJsonDepth)) return;
  }
  dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) return;
  dom::object event;
  if (root.get_object().get(event)) return;
  int64_t time_us = 0;
  std::string_view kind;
  std::string_view did;
  if (event["time_us"].get(time_us) || time_us <= 0 || event["kind"].get(kind) ||
      event["did"].get(did)) {
    return;
  }
  out.time_us = time_us;
  if (kind != "commit") {
    out.kind = JetstreamEventKind::kSkipped;
    return;
  }
  dom::object commit;
  std::string_view operation;
  std::string_view collection;
  if (event["commit"].get(commit) || commit["operation"].get(operation) ||
      commit["collection"].get(collection)) {
    return;
  }
  if (collection != kPostCollection || (operation != "create" && operation != "update")) {
    out.kind = JetstreamEventKind::kSkipped;
    return;
  }
  if (ReadPost(did, commit, out.post)) out.kind = JetstreamEventKind::kPost;
}

std::string JetstreamUrl(const std::string& source_url, int64_t cursor_us) {
  std::string url = source_url;
  const size_t hash = url.find('#');
  if (hash != std::string::npos) url.resize(hash);
  const bool has_query = url.find('?') != std::string::npos;
  if (url.find("wantedCollections=") == std::string::npos) {
    url += has_query ? "&" : "?";
    url += "wantedCollections=app.bsky.feed.post";
  }
  if (cursor_us > 0) {
    url += url.find('?') != std::string::npos ? "&" : "?";
    url += "cursor=" + std::to_string(cursor_us);
  }
  return url;
}

namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The ids of the posts handed to the sink lately, oldest forgotten first: a reply whose
// parent is among them need not wait for it.
class RecentIds {
 public:
  explicit RecentIds(size_t capacity) : capacity_(capacity) {}
  bool Contains(const std::string& id) const { return ids_.contains(id); }
  void Add(const std::string& id) {
    if (!ids_.insert(id).second) return;
    order_.push_back(id);
    if (order_.size() > capacity_) {
      ids_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  size_t capacity_;
  std::unordered_set<std::string> ids_;
  std::deque<std::string> order_;
};

struct PendingPost {
  int64_t time_us = 0;
  bool carried = false;  // already held back once
  Post post;
};

class Jetstream final : public LiveStream {
 public:
  Jetstream(LiveContext context, JetstreamOptions options)
      : context_(std::move(context)), options_(options), recent_(65536) {
    const std::string& saved = context_.source.cursor;
    if (!saved.empty() && saved.size() < 19 &&
        std::all_of(saved.begin(), saved.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      cursor_ = std::stoll(saved);
    }
  }

  void Run(std::stop_token stop) override;
  StreamStatus status() const override {
    MutexLock lock(mutex_);
    return status_;
  }

 private:
  // One connection, from connecting to its end. Returns whether any event was read.
  bool Connection(WebSocketClient& client, const std::stop_token& stop);
  // Hands the batch to the sink; false when the sink failed (status says why).
  bool Flush(std::vector<PendingPost>& batch, int64_t last_time_us);
  void Fail(const std::string& kind, const std::string& why);
  void Update(const std::function<void(StreamStatus&)>& change) {
    MutexLock lock(mutex_);
    change(status_);
  }
  int64_t Now() const { return context_.clock != nullptr ? context_.clock->Now() : 0; }

  LiveContext context_;
  const JetstreamOptions options_;
  int64_t cursor_ = 0;            // the last event stored (time_us), 0: none yet
  bool cursor_dirty_ = false;     // cursor_ is ahead of the saved one
  int64_t last_cursor_save_ = 0;  // steady seconds of the last save
  RecentIds recent_;
  std::vector<PendingPost> carried_;  // replies waiting one batch for their parent
  dom::parser parser_;
  int64_t retry_after_seconds_ = 0;

  mutable Mutex mutex_;
  StreamStatus status_ ECOUTE_GUARDED_BY(mutex_);
};

void Jetstream::Fail(const std::string& kind, const std::string& why) {
  Update([&](StreamStatus& s) {
    s.error_kind = kind;
    s.last_error = why;
  });
}

void Jetstream::Run(std::stop_token stop) {
  WebSocketOptions ws;
  ws.connect_timeout = std::chrono::milliseconds(context_.fetch.connect_timeout_ms);
  ws.handshake_timeout = std::chrono::milliseconds(context_.fetch.connect_timeout_ms);
  ws.idle_timeout = options_.idle_timeout;
  ws.max_message_bytes = options_.max_message_bytes;
  ws.user_agent = context_.fetch.user_agent;
  ws.outbound = context_.fetch.outbound;
  ws.ca_file = context_.fetch.ca_file;
  if (!context_.token.empty()) ws.headers.emplace_back("Authorization", "Bearer " + context_.token);
  WebSocketClient client(ws);
  std::mutex wait_mutex;
  std::condition_variable_any wake;
  std::stop_callback on_stop(stop, [&] {
    client.Cancel();
    std::lock_guard lock(wait_mutex);
    wake.notify_all();
  });
  std::mt19937_64 random(std::random_device{}());
  int failures = 0;
  bool first = true;
  while (!stop.stop_requested()) {
    if (!first) Update([](StreamStatus& s) { ++s.reconnects; });
    first = false;
    const bool got_events = Connection(client, stop);
    if (stop.stop_requested()) break;
    failures = got_events ? 1 : failures + 1;
    // min_backoff * 2^(failures-1), capped, then jittered down by up to half.
    auto delay = options_.min_backoff;
    for (int i = 1; i < failures && delay < options_.max_backoff; ++i) delay *= 2;
    delay = std::min(delay, options_.max_backoff);
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    delay = std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(delay.count()) * jitter(random)));
    delay = std::max<std::chrono::milliseconds>(delay, std::chrono::seconds(retry_after_seconds_));
    retry_after_seconds_ = 0;
    const int64_t retry_at =
        Now() + std::chrono::duration_cast<std::chrono::seconds>(delay).count();
    Update([&](StreamStatus& s) {
      s.state = "backoff";
      s.failures = failures;
      s.retry_at = retry_at;
      s.connected_since = 0;
    });
    std::unique_lock lock(wait_mutex);
    wake.wait_for(lock, stop, delay, [] { return false; });
  }
  client.Close();
  Update([](StreamStatus& s) {
    s.state = "stopped";
    s.connected_since = 0;
  });
}

bool Jetstream::Connection(WebSocketClient& client, const std::stop_token& stop) {
  Update([](StreamStatus& s) { s.state = "connecting"; });
  const int64_t from = cursor_ > 0 ? std::max<int64_t>(1, cursor_ - options_.rewind_us) : 0;
  WebSocketError error;
  if (Status connected = client.Connect(JetstreamUrl(context_.source.url, from), &error);
      !connected.ok()) {
    if (!stop.stop_requested()) Fail(error.kind, connected.message());
    retry_after_seconds_ = error.retry_after_seconds;
    return false;
  }
  Update([&](StreamStatus& s) {
    s.state = "connected";
    s.connected_since = Now();
    s.failures = 0;
    s.retry_at = 0;
    s.error_kind.clear();
    s.last_error.clear();
  });
  bool got_events = false;
  std::vector<PendingPost> batch;
  std::string message;
  JetstreamEvent event;
  int64_t last_time_us = 0;  // of the last event read, any kind
  auto batch_deadline = std::chrono::steady_clock::time_point::max();
  while (!stop.stop_requested()) {
    Result<bool> read = client.ReadUntil(message, batch_deadline);
    if (!read) {
      // What was read before the end is stored, so that the cursor advances past it.
      if (!stop.stop_requested()) {
        Fail(client.closed_by_server()                               ? "closed_by_server"
             : read.error().code() == StatusCode::kResourceExhausted ? "protocol"
                                                                     : "unreachable",
             read.error().message());
        Flush(batch, last_time_us);
      }
      return got_events;
    }
    if (*read) {
      got_events = true;
      const int64_t now_us = NowMicros();
      if (!client.last_was_text()) {
        event.kind = JetstreamEventKind::kMalformed;
      } else {
        ParseJetstreamEvent(message, parser_, event);
      }
      Update([&](StreamStatus& s) {
        ++s.events;
        s.last_event_at = now_us / 1'000'000;
        if (event.kind == JetstreamEventKind::kMalformed) ++s.malformed;
        if (event.time_us > 0) s.lag_seconds = static_cast<double>(now_us - event.time_us) / 1e6;
      });
      if (event.time_us > 0) last_time_us = std::max(last_time_us, event.time_us);
      // The first event since the last flush starts the batch's clock, whatever its kind:
      // a stretch of events without posts still moves the cursor.
      if (batch_deadline == std::chrono::steady_clock::time_point::max()) {
        batch_deadline = std::chrono::steady_clock::now() + options_.max_batch_delay;
      }
      if (event.kind == JetstreamEventKind::kPost) {
        batch.push_back({event.time_us, false, std::move(event.post)});
      }
      if (batch.size() < options_.max_batch && std::chrono::steady_clock::now() < batch_deadline) {
        continue;
      }
    }
    batch_deadline = std::chrono::steady_clock::time_point::max();
    if (!Flush(batch, last_time_us)) {
      client.Close();
      return got_events;
    }
  }
  return got_events;
}

bool Jetstream::Flush(std::vector<PendingPost>& batch, int64_t last_time_us) {
  // The replies held back last time go first; each post comes after its parent when both
  // are here.
  std::vector<PendingPost> all = std::move(carried_);
  carried_.clear();
  for (PendingPost& p : batch) all.push_back(std::move(p));
  batch.clear();
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < all.size(); ++i) index.emplace(all[i].post.id, i);
  std::vector<Post> posts;
  std::vector<char> placed(all.size(), 0);
  int64_t oldest_held = 0;
  const auto place = [&](size_t i, auto& self) -> void {
    if (placed[i] != 0) return;
    placed[i] = 1;
    const std::string& parent = all[i].post.parent_id;
    if (auto it = index.find(parent); !parent.empty() && it != index.end()) self(it->second, self);
    posts.push_back(std::move(all[i].post));
  };
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string& parent = all[i].post.parent_id;
    if (!all[i].carried && !parent.empty() && !index.contains(parent) &&
        !recent_.Contains(parent) && placed[i] == 0) {
      placed[i] = 1;
      all[i].carried = true;
      oldest_held = oldest_held == 0 ? all[i].time_us : std::min(oldest_held, all[i].time_us);
      carried_.push_back(std::move(all[i]));
    }
  }
  for (size_t i = 0; i < all.size(); ++i) place(i, place);
  int64_t stored = 0;
  if (!posts.empty()) {
    std::vector<std::string> ids;
    ids.reserve(posts.size());
    for (const Post& p : posts) ids.push_back(p.id);
    Result<int64_t> sunk = context_.sink(posts, context_.source, true);
    if (!sunk) {
      Fail("", "posts not stored: " + sunk.error().message());
      carried_.clear();
      return false;
    }
    stored = *sunk;
    for (const std::string& id : ids) recent_.Add(id);
  }
  // Up to the last event read, except what waits for its parent.
  int64_t cursor = last_time_us;
  if (oldest_held > 0) cursor = std::min(cursor, oldest_held - 1);
  const int64_t steady_now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
  if (cursor > cursor_) {
    cursor_ = cursor;
    cursor_dirty_ = true;
  }
  // After stored posts at once; while nothing is stored, at most every few seconds.
  if (cursor_dirty_ && context_.save_cursor &&
      (!posts.empty() || steady_now - last_cursor_save_ >= 5)) {
    if (context_.save_cursor(std::to_string(cursor_)).ok()) {
      cursor_dirty_ = false;
      last_cursor_save_ = steady_now;
    }
  }
  if (stored > 0) Update([&](StreamStatus& s) { s.matched += stored; });
  return true;
}

}  // namespace

std::unique_ptr<LiveStream> NewJetstream(LiveContext context, JetstreamOptions options) {
  return std::make_unique<Jetstream>(std::move(context), options);
}

std::unique_ptr<LiveStream> NewJetstream(LiveContext context) {
  return NewJetstream(std::move(context), JetstreamOptions{});
}

}  // namespace ecoute::listen
