// The HTTP/1.1 server under `ecoute serve`, on Boost.Beast/Asio: keep-alive, bounded
// header and body sizes, read and idle timeouts, a cap on connections, server-sent event
// streams, and a graceful stop. Beast stays inside http_server.cc: the rest of the server
// sees only these plain types, so that the API compiles fast and can be tested without
// sockets.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/status.h"

namespace ecoute::server {

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // as sent: "/api/v1/cases?status=new"
  std::string path;    // the target's path, percent-decoded: "/api/v1/cases"
  // The query's parameters in order, percent-decoded ("+" is a space).
  std::vector<std::pair<std::string, std::string>> query;
  // Header names lower-cased, values as sent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // the peer's IP address, "127.0.0.1"

  // The first header or query parameter of that name, "" when absent.
  std::string_view Header(std::string_view lower_case_name) const;
  std::string_view Query(std::string_view name) const;
  // Every value of a repeated query parameter (brand=a&brand=b).
  std::vector<std::string> QueryAll(std::string_view name) const;
};

// A stream of server-sent events, held by whoever publishes to it. Send() queues the
// bytes for the connection (already formatted: "event: case\ndata: {...}\n\n") and
// returns false once the peer is gone or the server is stopping; the holder then drops it.
// Thread-safe.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual bool Send(std::string chunk) = 0;
  virtual bool IsOpen() const = 0;
  // Queues `last_chunk` (may be empty), then closes the connection once it is written:
  // the stream's end, decided by the server (its access was revoked, its time is up).
  // Send() fails from then on.
  virtual void End(std::string last_chunk) = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  // Extra headers (Set-Cookie, Location, Retry-After, Cache-Control...).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The route template that answered ("/api/v1/cases/{id}"), for metrics; never sent.
  std::string route;
  // When set, the response is a never-ending text/event-stream: the server sends the
  // status and headers (no body, no Content-Length), then calls this once with the sink
  // that writes to this connection. The connection is closed when the peer leaves or the
  // server stops; it is never reused for another request.
  std::function<void(std::shared_ptr<EventSink>)> on_stream;
};

struct HttpOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: an ephemeral port, see HttpServer::port()
  int threads = 2;       // I/O threads, each running handlers
  size_t max_header_bytes = size_t{16} * 1024;
  size_t max_body_bytes = size_t{16} * 1024 * 1024;  // 413 beyond
  std::chrono::milliseconds read_timeout{30'000};    // to receive one whole request
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive between requests
  int max_connections = 10'000;  // beyond, new connections are accepted then closed
  // Headers added to every response (security headers: Content-Security-Policy,
  // X-Content-Type-Options, ...), unless the response sets the same name.
  std::vector<std::pair<std::string, std::string>> default_headers;
};

// Called on an I/O thread for each request; must not block for long.
using Handler = std::function<Response(Request&)>;
// Called after each response is written (not for streams): for metrics and access logs.
using Observer = std::function<void(const Request&, const Response&, double seconds)>;

class HttpServer {
 public:
  HttpServer(HttpOptions options, Handler handler, Observer observer = nullptr);
  ~HttpServer();  // Stop()s if running (and ends the process if that fails)
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. kUnavailable (naming the address and port) when it cannot.
  Status Listen();
  uint16_t port() const;  // the bound port, after Listen()

  // Starts the I/O threads and returns.
  void Start();
  // Stops accepting, lets requests being handled finish and their responses be written
  // (for at most `grace`), closes idle keep-alive connections and event streams, then
  // joins the threads. Idempotent.
  static constexpr std::chrono::milliseconds kDefaultGrace{10'000};
  void Stop(std::chrono::milliseconds grace = kDefaultGrace);

  // Open connections, including streams (a gauge for /metrics).
  int64_t connections() const;
  int64_t streams() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-decodes `text` ("+" as space when `plus_is_space`); invalid escapes are kept as
// written.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace ecoute::server
