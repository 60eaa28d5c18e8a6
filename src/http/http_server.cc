// The HTTP/1.1 server on Boost.Beast: one session per connection, each on its own strand,
// reading with a hand-driven request parser so that the common small request costs one
// socket read and no composed operation.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/http.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// Beyond this many bytes waiting for a slow event-stream reader, the stream is dropped.
constexpr size_t kMaxQueuedStreamBytes = 1 << 20;
// The most one socket read asks for.
constexpr size_t kMaxReadBytes = size_t{64} * 1024;
// After an error response, how long unread request bytes are drained before closing, so that
// closing with unread data (which sends a reset) does not destroy the response in flight.
constexpr std::chrono::milliseconds kLingerTime{1'000};
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// PercentDecode into `out`, reusing its capacity.
void PercentDecodeInto(std::string_view text, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(c == '+' && plus_is_space ? ' ' : c);
  }
}

// The Date header, formatted once a second per thread.
std::string_view HttpDate() {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached = -1;
  thread_local std::array<char, 40> text{};
  thread_local size_t size = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached) {
    std::tm t{};
    gmtime_r(&now, &t);
    const int n = std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                kDays[static_cast<size_t>(t.tm_wday) % 7], t.tm_mday,
                                kMonths[static_cast<size_t>(t.tm_mon) % 12], t.tm_year + 1900,
                                t.tm_hour, t.tm_min, t.tm_sec);
    size = n > 0 ? std::min(static_cast<size_t>(n), text.size() - 1) : 0;
    cached = now;
  }
  return {text.data(), size};
}

// A header the handler sets must not smuggle a line break into the response.
bool IsSafeHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c == '\r' || c == '\n' || c == ':' || c == ' ') return false;
  }
  return value.find_first_of("\r\n") == std::string_view::npos;
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  std::string out = R"({"error":{"code":")";
  out.append(code);
  out.append(R"(","message":")");
  out.append(message);
  out.append("\"}}");
  return out;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  Response response;
  response.status = status;
  response.body = ErrorJson(code, message);
  return response;
}

// Statuses whose responses never carry a body nor, here, a Content-Length.
bool IsBodiless(unsigned status) { return status < 200 || status == 204 || status == 304; }

class Session;
class Server;

// The publisher's handle on one event stream. The bytes queue here under a mutex; the
// session takes them on its strand. Once closed, it never touches the session again, so
// that a sink may outlive the server. Thread-safe: mu_ guards the queue and its flush state.
class StreamSink final : public EventSink {
 public:
  explicit StreamSink(std::weak_ptr<Session> session) : session_(std::move(session)) {}

  bool Send(std::string chunk) override;
  bool IsOpen() const override {
    return open_.load(std::memory_order_acquire) && !ending_.load(std::memory_order_acquire);
  }
  void End(std::string last_chunk) override;
  // True once End() was called: the session closes when nothing is left to write.
  bool ending() const { return ending_.load(std::memory_order_acquire); }

  // On the session's strand: moves the queued bytes into `out`; false (and no write in
  // flight any more) when there are none.
  bool TakeQueued(std::string& out);
  void Close();

 private:
  mutable Mutex mu_;
  std::atomic<bool> open_{true};
  std::atomic<bool> ending_{false};
  bool writing_ ECOUTE_GUARDED_BY(mu_) = false;  // a flush is posted or a write is in flight
  size_t in_flight_ ECOUTE_GUARDED_BY(mu_) = 0;
  std::string queued_ ECOUTE_GUARDED_BY(mu_);
  std::weak_ptr<Session> session_;
};

// State shared by the acceptor and every session. Thread-safe: mu_ guards the registry of
// sessions and streams, lifecycle_mu_ the start and stop; the rest is set before Start().
class Server {
 public:
  Server(HttpOptions options, Handler handler, Observer observer);
  ~Server() { StopOrTerminate(std::chrono::milliseconds(0)); }

  Status Listen();
  void Start();
  void Stop(std::chrono::milliseconds grace);
  // Stop() for a destructor. Stopping throws only when a thread cannot be joined or memory
  // runs out; the I/O threads may then still run on this server, so the process ends, with
  // a message, rather than destroy it under them.
  void StopOrTerminate(std::chrono::milliseconds grace) noexcept;
  uint16_t port() const { return port_; }

  const HttpOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const Observer& observer() const { return observer_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // False once Stop() has begun: the session must close.
  bool Register(Session* session, std::weak_ptr<Session> weak);
  void Unregister(Session* session);
  bool RegisterStream(const std::shared_ptr<StreamSink>& sink);
  void UnregisterStream(StreamSink* sink);

  std::atomic<int64_t> connections{0};
  std::atomic<int64_t> streams{0};

 private:
  void DoAccept();
  void OnAccept(beast::error_code ec, Tcp::socket socket);
  std::vector<std::shared_ptr<Session>> LiveSessions();
  bool WaitForNoConnections(Clock::time_point deadline) const;

  const HttpOptions options_;
  const Handler handler_;
  const Observer observer_;
  std::atomic<bool> stopping_{false};
  uint16_t port_ = 0;

  Mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_ ECOUTE_GUARDED_BY(mu_);
  std::unordered_map<StreamSink*, std::shared_ptr<StreamSink>> sinks_ ECOUTE_GUARDED_BY(mu_);
  bool closing_ ECOUTE_GUARDED_BY(mu_) = false;

  Mutex lifecycle_mu_;
  bool started_ ECOUTE_GUARDED_BY(lifecycle_mu_) = false;
  bool stopped_ ECOUTE_GUARDED_BY(lifecycle_mu_) = false;

  // Declared after the state above: destroying the io_context destroys the sessions still
  // queued in it, and they unregister themselves.
  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  net::strand<net::io_context::executor_type> accept_strand_;
  Tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server& server, Tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    server_.connections.fetch_add(1, std::memory_order_relaxed);
    beast::error_code ec;
    auto address = stream_.socket().remote_endpoint(ec).address();
    if (!ec) {
      if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
      }
      remote_address_ = address.to_string();
    }
  }

  ~Session() {
    server_.Unregister(this);
    server_.connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void Start() {
    if (!server_.Register(this, weak_from_this())) return;  // stopping: the socket closes
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->BeginRequest(); });
  }

  auto executor() { return stream_.get_executor(); }

  // On the strand, when the server stops: requests being handled finish, the rest closes.
  void Shutdown() {
    stop_requested_ = true;
    if (state_ != State::kResponding) Close();
  }

  // On the strand.
  void Close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    if (sink_) {
      sink_->Close();
      if (stream_counted_) {
        stream_counted_ = false;
        server_.streams.fetch_sub(1, std::memory_order_relaxed);
        server_.UnregisterStream(sink_.get());
      }
    }
    stream_.close();
  }

  // On the strand: writes what the sink has queued, then again until it is empty.
  void FlushStream() {
    if (state_ != State::kStreaming || writing_stream_) return;
    if (!sink_->TakeQueued(stream_out_)) {
      if (sink_->ending()) Close();
      return;
    }
    writing_stream_ = true;
    net::async_write(stream_, net::buffer(stream_out_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_stream_ = false;
                       if (ec) {
                         self->Close();
                         return;
                       }
                       self->FlushStream();
                     });
  }

 private:
  enum class State { kReading, kResponding, kStreaming, kLingering, kClosed };

  void BeginRequest() {
    if (stop_requested_ || server_.stopping()) {
      Close();
      return;
    }
    state_ = State::kReading;
    const HttpOptions& options = server_.options();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(
        std::min<size_t>(options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
    parser_->body_limit(options.max_body_bytes);
    continue_sent_ = false;
    if (first_request_) {
      // A new connection gets read_timeout for its whole first request, not an idle wait.
      first_request_ = false;
      awaiting_first_byte_ = false;
      stream_.expires_after(options.read_timeout);
    } else {
      awaiting_first_byte_ = true;
      stream_.expires_after(options.idle_timeout);
    }
    ParseBuffered();
  }

  // Feeds the buffered bytes (pipelined requests leave some) to the parser, then reads more
  // or answers.
  void ParseBuffered() {
    if (buffer_.size() > 0 && awaiting_first_byte_) {
      // The idle wait is over: the whole request must now arrive within read_timeout.
      awaiting_first_byte_ = false;
      stream_.expires_after(server_.options().read_timeout);
    }
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) {
        ReplyError(ec);
        return;
      }
      if (used == 0) break;
    }
    if (parser_->is_done()) {
      OnRequest();
      return;
    }
    if (parser_->is_header_done() && !continue_sent_) {
      continue_sent_ = true;
      if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
        net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                         [self = shared_from_this()](beast::error_code ec, size_t) {
                           if (self->state_ == State::kClosed) return;
                           if (ec) {
                             self->Close();
                             return;
                           }
                           self->ReadSome();
                         });
        return;
      }
    }
    ReadSome();
  }

  void ReadSome() {
    const size_t size = beast::read_size(buffer_, kMaxReadBytes);
    stream_.async_read_some(buffer_.prepare(size),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (self->state_ == State::kClosed) return;
                              // End of stream, timeout, reset: nothing to answer.
                              if (ec) {
                                self->Close();
                                return;
                              }
                              self->buffer_.commit(n);
                              self->ParseBuffered();
                            });
  }

  void OnRequest() {
    state_ = State::kResponding;
    started_ = Clock::now();
    auto& message = parser_->get();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == http::verb::head;
    version_ = message.version();
    FillRequest(message, /*with_body=*/true);
    try {
      reply_ = server_.handler() ? server_.handler()(request_)
                                 : ErrorResponse(404, "not_found", "not found");
    } catch (...) {
      // The exception's text may hold internals: the client gets a fixed message.
      reply_ = ErrorResponse(500, "internal", "internal error");
    }
    if (reply_.on_stream) {
      if (!head_) {
        StartStream();
        return;
      }
      reply_.on_stream = nullptr;
      reply_.content_type = "text/event-stream";
      keep_alive_ = false;
    }
    WriteResponse();
  }

  void FillRequest(const http::request<http::string_body>& message, bool with_body) {
    request_.method.assign(message.method_string());
    const std::string_view target = message.target();
    request_.target.assign(target);
    std::string_view path = target;
    std::string_view query;
    if (const size_t hash = path.find('#'); hash != std::string_view::npos) {
      path = path.substr(0, hash);
    }
    if (const size_t question = path.find('?'); question != std::string_view::npos) {
      query = path.substr(question + 1);
      path = path.substr(0, question);
    }
    // An absolute-form target ("http://host/path"): the path starts after the authority.
    if (path.starts_with("http://") || path.starts_with("https://")) {
      const size_t slash = path.find('/', path.find("//") + 2);
      path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
    }
    PercentDecodeInto(path, /*plus_is_space=*/false, request_.path);

    size_t count = 0;
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      if (count == request_.query.size()) request_.query.emplace_back();
      auto& [name, value] = request_.query[count++];
      const size_t eq = pair.find('=');
      PercentDecodeInto(pair.substr(0, eq), true, name);
      PercentDecodeInto(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
                        true, value);
    }
    request_.query.resize(count);

    count = 0;
    for (const auto& field : message) {
      if (count == request_.headers.size()) request_.headers.emplace_back();
      auto& [name, value] = request_.headers[count++];
      name.assign(field.name_string());
      for (char& c : name) c = LowerAscii(c);
      value.assign(field.value());
    }
    request_.headers.resize(count);

    if (with_body) {
      request_.body = std::move(parser_->get().body());
    } else {
      request_.body.clear();
    }
    request_.remote_address.assign(remote_address_);
  }

  // Status, Server, Date, the handler's headers, then the defaults it did not override.
  void BuildHeader(std::string_view content_type) {
    response_ = http::response<http::string_body>();
    response_.version(version_);
    const int status = reply_.status >= 100 && reply_.status <= 999 ? reply_.status : 500;
    response_.result(static_cast<unsigned>(status));
    for (const auto& [name, value] : reply_.headers) {
      if (IsSafeHeader(name, value)) response_.insert(name, value);
    }
    if (!content_type.empty() && response_.find(http::field::content_type) == response_.end()) {
      response_.set(http::field::content_type, content_type);
    }
    for (const auto& [name, value] : server_.options().default_headers) {
      if (response_.find(name) == response_.end() && IsSafeHeader(name, value)) {
        response_.insert(name, value);
      }
    }
    if (response_.find(http::field::server) == response_.end()) {
      response_.set(http::field::server, "ecoute");
    }
    response_.set(http::field::date, HttpDate());
  }

  void WriteResponse() {
    state_ = State::kResponding;
    BuildHeader(reply_.content_type);
    if (!IsBodiless(response_.result_int())) {
      response_.content_length(reply_.body.size());
      if (!head_) response_.body() = std::move(reply_.body);
    }
    if (stop_requested_ || server_.stopping()) keep_alive_ = false;
    response_.keep_alive(keep_alive_);
    // Also bounds the write: a peer that stops reading is dropped.
    stream_.expires_after(server_.options().idle_timeout);
    http::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWritten(ec); });
  }

  void OnWritten(beast::error_code ec) {
    if (!response_.body().empty()) reply_.body = std::move(response_.body());
    if (const Observer& observer = server_.observer()) {
      const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
      try {
        observer(request_, reply_, seconds);
      } catch (...) {
        // Metrics and logs must not take the connection down.
      }
    }
    if (state_ == State::kClosed) return;
    if (ec) {
      Close();
      return;
    }
    if (!keep_alive_ || stop_requested_ || server_.stopping()) {
      Linger();
      return;
    }
    BeginRequest();
  }

  void ReplyError(beast::error_code ec) {
    state_ = State::kResponding;
    started_ = Clock::now();
    keep_alive_ = false;
    head_ = false;
    version_ = 11;
    if (parser_->is_header_done()) {
      FillRequest(parser_->get(), /*with_body=*/false);
    } else {
      request_ = Request();
      request_.remote_address = remote_address_;
    }
    if (ec == http::error::body_limit) {
      reply_ = ErrorResponse(413, "payload_too_large",
                             "the request body is larger than " +
                                 std::to_string(server_.options().max_body_bytes) + " bytes");
    } else if (ec == http::error::header_limit) {
      reply_ = ErrorResponse(431, "headers_too_large", "the request headers are too large");
    } else {
      reply_ = ErrorResponse(400, "bad_request", "malformed HTTP request");
    }
    WriteResponse();
  }

  // Half-closes, then drains what the peer still sends until it closes too or time runs out.
  void Linger() {
    state_ = State::kLingering;
    beast::error_code ec;
    stream_.socket().shutdown(Tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (self->state_ == State::kClosed) return;
                              if (ec) {
                                self->Close();
                                return;
                              }
                              self->Drain();
                            });
  }

  void StartStream() {
    state_ = State::kStreaming;
    BuildHeader("");
    // The stream's bytes, not the handler's content type, decide what this is.
    response_.set(http::field::content_type, "text/event-stream");
    if (response_.find(http::field::cache_control) == response_.end()) {
      response_.set(http::field::cache_control, "no-store");
    }
    // No Content-Length and no chunking: the body runs until the connection closes.
    response_.set(http::field::connection, "keep-alive");
    stream_.expires_never();
    sink_ = std::make_shared<StreamSink>(weak_from_this());
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->OnStreamHeaderWritten(ec);
                      });
  }

  void OnStreamHeaderWritten(beast::error_code ec) {
    if (state_ != State::kStreaming) return;
    if (ec || !server_.RegisterStream(sink_)) {
      Close();
      return;
    }
    stream_counted_ = true;
    server_.streams.fetch_add(1, std::memory_order_relaxed);
    WatchPeer();
    auto on_stream = std::move(reply_.on_stream);
    reply_.on_stream = nullptr;
    try {
      on_stream(sink_);
    } catch (...) {
      Close();
    }
  }

  // A read kept pending for the stream's whole life: it ends when the peer goes away.
  void WatchPeer() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (self->state_ != State::kStreaming) return;
                              if (ec) {
                                self->Close();
                                return;
                              }
                              self->WatchPeer();
                            });
  }

  Server& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  Request request_;
  Response reply_;
  std::string remote_address_;
  Clock::time_point started_;
  State state_ = State::kReading;
  unsigned version_ = 11;
  bool first_request_ = true;
  bool awaiting_first_byte_ = false;
  bool continue_sent_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  bool stop_requested_ = false;
  std::shared_ptr<StreamSink> sink_;
  bool stream_counted_ = false;
  bool writing_stream_ = false;
  std::string stream_out_;
  std::array<char, 512> scratch_{};
};

bool StreamSink::Send(std::string chunk) {
  MutexLock lock(mu_);
  if (!open_.load(std::memory_order_relaxed) || ending_.load(std::memory_order_relaxed)) {
    return false;
  }
  std::shared_ptr<Session> session = session_.lock();
  if (!session) {
    open_.store(false, std::memory_order_release);
    return false;
  }
  if (queued_.size() + in_flight_ + chunk.size() > kMaxQueuedStreamBytes) {
    // A consumer this slow would grow memory without bound: drop it.
    open_.store(false, std::memory_order_release);
    net::post(session->executor(), [session] { session->Close(); });
    return false;
  }
  if (queued_.empty()) {
    queued_ = std::move(chunk);
  } else {
    queued_.append(chunk);
  }
  // Posting under the lock: once Close() has run, nothing reaches the io_context any more.
  if (!writing_) {
    writing_ = true;
    net::post(session->executor(), [session] { session->FlushStream(); });
  }
  return true;
}

void StreamSink::End(std::string last_chunk) {
  MutexLock lock(mu_);
  if (!open_.load(std::memory_order_relaxed) || ending_.exchange(true)) return;
  std::shared_ptr<Session> session = session_.lock();
  if (!session) {
    open_.store(false, std::memory_order_release);
    return;
  }
  queued_.append(last_chunk);
  // A flush in progress ends with the session's Close(); otherwise one is posted now.
  if (!writing_) {
    writing_ = true;
    net::post(session->executor(), [session] { session->FlushStream(); });
  }
}

bool StreamSink::TakeQueued(std::string& out) {
  MutexLock lock(mu_);
  in_flight_ = 0;
  if (queued_.empty() || !open_.load(std::memory_order_relaxed)) {
    writing_ = false;
    return false;
  }
  out.swap(queued_);
  queued_.clear();
  in_flight_ = out.size();
  return true;
}

void StreamSink::Close() {
  MutexLock lock(mu_);
  open_.store(false, std::memory_order_release);
  queued_.clear();
  queued_.shrink_to_fit();
}

Server::Server(HttpOptions options, Handler handler, Observer observer)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      observer_(std::move(observer)),
      ioc_(std::max(1, options_.threads)),
      accept_strand_(net::make_strand(ioc_)),
      acceptor_(accept_strand_),
      accept_retry_(accept_strand_) {}

Status Server::Listen() {
  const std::string where =
      (options_.address.find(':') != std::string::npos ? "[" + options_.address + "]"
                                                       : options_.address) +
      ":" + std::to_string(options_.port);
  beast::error_code ec;
  const auto address = net::ip::make_address(options_.address, ec);
  if (ec) return UnavailableError("cannot listen on " + where + ": invalid address");
  const Tcp::endpoint endpoint(address, options_.port);
  auto fail = [&](std::string_view step) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return UnavailableError("cannot listen on " + where + ": " + std::string(step) + ": " +
                            ec.message());
  };
  if (acceptor_.is_open()) acceptor_.close(ec);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  // Lets a restarted server bind while old connections sit in TIME_WAIT; on Linux it does
  // not let two servers listen on one port.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("setsockopt");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail("getsockname");
  return OkStatus();
}

void Server::Start() {
  MutexLock lock(lifecycle_mu_);
  if (started_ || stopped_) return;
  started_ = true;
  work_.emplace(net::make_work_guard(ioc_));
  if (acceptor_.is_open()) net::post(accept_strand_, [this] { DoAccept(); });
  const int threads = std::max(1, options_.threads);
  threads_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

void Server::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, Tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void Server::OnAccept(beast::error_code ec, Tcp::socket socket) {
  if (stopping() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors, most likely: retrying at once would spin.
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping()) DoAccept();
    });
    return;
  }
  if (connections.load(std::memory_order_relaxed) >= options_.max_connections) {
    socket.close(ec);
  } else {
    socket.set_option(Tcp::no_delay(true), ec);
    std::make_shared<Session>(*this, std::move(socket))->Start();
  }
  DoAccept();
}

bool Server::Register(Session* session, std::weak_ptr<Session> weak) {
  MutexLock lock(mu_);
  if (closing_) return false;
  sessions_.emplace(session, std::move(weak));
  return true;
}

void Server::Unregister(Session* session) {
  MutexLock lock(mu_);
  sessions_.erase(session);
}

bool Server::RegisterStream(const std::shared_ptr<StreamSink>& sink) {
  MutexLock lock(mu_);
  if (closing_) return false;
  sinks_.emplace(sink.get(), sink);
  return true;
}

void Server::UnregisterStream(StreamSink* sink) {
  MutexLock lock(mu_);
  sinks_.erase(sink);
}

void Server::StopOrTerminate(std::chrono::milliseconds grace) noexcept {
  try {
    Stop(grace);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecoute: the HTTP server could not stop: %s\n", e.what());
    std::terminate();
  } catch (...) {
    std::fputs("ecoute: the HTTP server could not stop\n", stderr);
    std::terminate();
  }
}

std::vector<std::shared_ptr<Session>> Server::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  MutexLock lock(mu_);
  live.reserve(sessions_.size());
  for (const auto& [raw, weak] : sessions_) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

bool Server::WaitForNoConnections(Clock::time_point deadline) const {
  while (connections.load(std::memory_order_relaxed) > 0) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

void Server::Stop(std::chrono::milliseconds grace) {
  {
    MutexLock lock(lifecycle_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  {
    MutexLock lock(mu_);
    closing_ = true;
    stopping_.store(true, std::memory_order_release);
  }
  if (threads_.empty()) {
    // Never started: nothing runs, nothing is connected.
    beast::error_code ec;
    acceptor_.close(ec);
    return;
  }
  net::post(accept_strand_, [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_retry_.cancel();
  });
  for (auto& session : LiveSessions()) {
    net::post(session->executor(), [session] { session->Shutdown(); });
  }
  if (!WaitForNoConnections(Clock::now() + grace)) {
    for (auto& session : LiveSessions()) {
      net::post(session->executor(), [session] { session->Close(); });
    }
    WaitForNoConnections(Clock::now() + std::chrono::milliseconds(200));
  }
  work_.reset();
  ioc_.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  // Sessions still queued in the stopped io_context die with it; their sinks must not post
  // to it meanwhile.
  MutexLock lock(mu_);
  for (auto& [raw, sink] : sinks_) sink->Close();
  sinks_.clear();
}

}  // namespace

std::string_view Request::Header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return {};
}

std::string_view Request::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return {};
}

std::vector<std::string> Request::QueryAll(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : query) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  PercentDecodeInto(text, plus_is_space, out);
  return out;
}

struct HttpServer::Impl {
  Impl(HttpOptions options, Handler handler, Observer observer)
      : server(std::move(options), std::move(handler), std::move(observer)) {}
  Server server;
};

HttpServer::HttpServer(HttpOptions options, Handler handler, Observer observer)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(observer))) {}

HttpServer::~HttpServer() { impl_->server.StopOrTerminate(kDefaultGrace); }

Status HttpServer::Listen() { return impl_->server.Listen(); }

uint16_t HttpServer::port() const { return impl_->server.port(); }

void HttpServer::Start() { impl_->server.Start(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->server.Stop(grace); }

int64_t HttpServer::connections() const {
  return impl_->server.connections.load(std::memory_order_relaxed);
}

int64_t HttpServer::streams() const {
  return impl_->server.streams.load(std::memory_order_relaxed);
}

}  // namespace ecoute::server
