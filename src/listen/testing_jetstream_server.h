// A Jetstream for tests and benchmarks: a loopback WebSocket server (Boost.Beast) that
// replays a list of events in Jetstream's documented shape, at a controlled rate or as fast
// as it can, honouring the `cursor` of the request (it replays the events whose time_us is
// at or after it, in the list's order, so that a list may hold events out of order: a
// reply before its parent). It can end its first connection abruptly after some events,
// send frames that are not events (binary frames, text that is not JSON), and records the
// request targets it was asked.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

namespace ecoute::listen::testing {

struct ReplayEvent {
  int64_t time_us = 0;
  std::string text;     // what is sent (an event's JSON, or anything)
  bool binary = false;  // sent as a binary frame
};

// The JSON of a post created by `did` (a create commit of app.bsky.feed.post), replying to
// `parent_uri` when not empty.
inline std::string PostEventJson(std::string_view did, std::string_view rkey, int64_t time_us,
                                 std::string_view text, std::string_view parent_uri = "",
                                 std::string_view lang = "en",
                                 std::string_view operation = "create") {
  nlohmann::json record = {{"$type", "app.bsky.feed.post"},
                           {"text", text},
                           {"createdAt", "2026-11-20T08:12:00.000Z"},
                           {"langs", {lang}}};
  if (!parent_uri.empty()) {
    record["reply"] = {{"root", {{"uri", parent_uri}, {"cid", "bafyroot"}}},
                       {"parent", {{"uri", parent_uri}, {"cid", "bafyparent"}}}};
  }
  nlohmann::json event = {
      {"did", did},
      {"time_us", time_us},
      {"kind", "commit"},
      {"commit",
       {{"rev", "3l3qo2vutsw2b"},
        {"operation", operation},
        {"collection", "app.bsky.feed.post"},
        {"rkey", rkey},
        {"record", record},
        {"cid", "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}}};
  return event.dump();
}

// "at://<did>/app.bsky.feed.post/<rkey>"
inline std::string PostUri(std::string_view did, std::string_view rkey) {
  return "at://" + std::string(did) + "/app.bsky.feed.post/" + std::string(rkey);
}

struct JetstreamServerOptions {
  double events_per_second = 0;  // 0: as fast as the connection takes them
  size_t drop_after = 0;         // the first connection ends abruptly after this many; 0: never
};

class JetstreamServer {
 public:
  using Options = JetstreamServerOptions;

  explicit JetstreamServer(std::vector<ReplayEvent> events, Options options = {})
      : events_(std::move(events)), options_(options) {
    namespace net = boost::asio;
    acceptor_.open(net::ip::tcp::v4());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~JetstreamServer() { Stop(); }
  JetstreamServer(const JetstreamServer&) = delete;
  JetstreamServer& operator=(const JetstreamServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/subscribe"; }
  size_t connections() const { return connections_.load(); }
  size_t sent() const { return sent_.load(); }
  // When the first connection's replay began (steady clock); the epoch before that. With
  // events_per_second, event i of the list is sent at this time + i / rate.
  std::chrono::steady_clock::time_point replay_started() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(replay_started_.load()));
  }
  // The request targets, one per connection ("/subscribe?wantedCollections=...&cursor=...").
  std::vector<std::string> targets() const {
    std::lock_guard lock(mutex_);
    return targets_;
  }
  // Waits until `n` events were sent in all (false after `timeout`).
  bool WaitSent(size_t n, std::chrono::milliseconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (sent_.load() < n) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  void Stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    const int fd = connection_fd_.load();
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  static int64_t CursorOf(std::string_view target) {
    const size_t at = target.find("cursor=");
    if (at == std::string_view::npos) return 0;
    int64_t cursor = 0;
    for (size_t i = at + 7; i < target.size() && target[i] >= '0' && target[i] <= '9'; ++i) {
      cursor = cursor * 10 + (target[i] - '0');
    }
    return cursor;
  }

  void Serve() {
    namespace beast = boost::beast;
    namespace http = beast::http;
    namespace websocket = beast::websocket;
    while (!stopping_.load()) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_.load()) return;
      connection_fd_ = socket.native_handle();
      if (stopping_.load()) ::shutdown(socket.native_handle(), SHUT_RDWR);
      const size_t number = connections_.fetch_add(1);
      beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request, ec);
      if (ec) continue;
      const std::string target(request.target());
      {
        std::lock_guard lock(mutex_);
        targets_.push_back(target);
      }
      websocket::stream<boost::asio::ip::tcp::socket> ws(std::move(socket));
      ws.accept(request, ec);
      if (ec) continue;
      Replay(ws, CursorOf(target), number == 0 ? options_.drop_after : 0);
      connection_fd_ = -1;
    }
  }

  template <typename Ws>
  void Replay(Ws& ws, int64_t cursor, size_t drop_after) {
    boost::system::error_code ec;
    const auto start = std::chrono::steady_clock::now();
    int64_t never = 0;
    replay_started_.compare_exchange_strong(never, start.time_since_epoch().count());
    size_t count = 0;
    for (const ReplayEvent& event : events_) {
      if (stopping_.load()) return;
      if (event.time_us < cursor) continue;
      if (options_.events_per_second > 0) {
        std::this_thread::sleep_until(
            start + std::chrono::microseconds(static_cast<int64_t>(
                        static_cast<double>(count) * 1e6 / options_.events_per_second)));
      }
      ws.binary(event.binary);
      ws.write(boost::asio::buffer(event.text), ec);
      if (ec) return;
      ++count;
      sent_.fetch_add(1);
      if (drop_after > 0 && count == drop_after) {
        ws.next_layer().close(ec);  // no close frame: the connection just ends
        return;
      }
    }
    // Live tail: nothing more to send; answers pings and a close until the end.
    boost::beast::flat_buffer incoming;
    while (!stopping_.load()) {
      ws.read(incoming, ec);
      if (ec) return;
      incoming.clear();
    }
  }

  std::vector<ReplayEvent> events_;
  const Options options_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_{ioc_};
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connection_fd_{-1};
  std::atomic<size_t> connections_{0};
  std::atomic<size_t> sent_{0};
  std::atomic<int64_t> replay_started_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
};

}  // namespace ecoute::listen::testing
