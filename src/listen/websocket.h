// A WebSocket client (RFC 6455) on Boost.Beast, for live sources: ws:// and wss:// (TLS
// with OpenSSL, certificates checked against the system's store or FetchOptions::ca_file,
// the host name verified).
//
// It connects only where the outbound policy (fetch/outbound.h) allows, as the fetcher
// does: the URL is checked before anything (scheme, credentials, internal names, literal
// addresses), then every address the name resolves to is checked, and only the allowed
// ones are tried. Connecting and the handshake have a deadline; a connection that sends no
// frame for idle_timeout is dropped (Beast pings it at half that time). Pings are answered
// and close frames honoured by Beast. Messages longer than max_message_bytes end the
// connection. Compression is never asked for.
//
// Not thread-safe, except Cancel(), which may be called from any thread to cut a blocking
// Connect or Read short.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "ecoute/fetch.h"
#include "ecoute/status.h"

#include "fetch/outbound.h"

namespace ecoute::listen {

struct WebSocketOptions {
  std::chrono::milliseconds connect_timeout{10'000};    // DNS and TCP connect
  std::chrono::milliseconds handshake_timeout{10'000};  // TLS and the HTTP upgrade
  std::chrono::milliseconds idle_timeout{60'000};
  size_t max_message_bytes = size_t{1} << 20;
  std::string user_agent;
  // Extra request headers of the upgrade ("Authorization: Bearer ..."): never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  OutboundPolicy outbound;
  std::string ca_file;  // PEM; empty: the system's certificates
};

// Why a connection failed, as StreamStatus::error_kind words it (live_stream.h).
struct WebSocketError {
  Status status;
  std::string kind;  // "unreachable", "refused_by_policy", "auth_refused", ...
  int http_status = 0;
  int64_t retry_after_seconds = 0;  // a 429's or 503's Retry-After, 0 when none
};

class WebSocketClient {
 public:
  explicit WebSocketClient(WebSocketOptions options);
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Connects to `url` (ws or wss) and upgrades. On failure, `error` (when not null) says
  // why: kInvalidArgument for a URL that is not ws(s) or has credentials, kPermissionDenied
  // "refused by the outbound policy: ..." (kind refused_by_policy), kDeadlineExceeded,
  // kUnavailable (unreachable; a TLS failure too), kUnauthenticated for 401/403
  // (auth_refused), kNotFound for 404, kResourceExhausted for 429 (rate_limited),
  // kFailedPrecondition for another answer than an upgrade (protocol). kCancelled-like
  // kUnavailable "cancelled" after Cancel(). Messages never show the URL's query.
  Status Connect(const std::string& url, WebSocketError* error = nullptr);

  // Reads the next whole message (text or binary) into `out`, replacing it. kUnavailable
  // "closed by the server: <reason>" after a close frame (closed_by_server() true),
  // kDeadlineExceeded when the connection went idle, kResourceExhausted past
  // max_message_bytes, kUnavailable for a network or protocol error, "cancelled" after
  // Cancel().
  Status Read(std::string& out);
  // Read, waiting no later than `until`: false when no message came by then (the read goes
  // on, the connection stays up; the next call continues it).
  Result<bool> ReadUntil(std::string& out, std::chrono::steady_clock::time_point until);
  bool closed_by_server() const { return closed_by_server_; }
  bool last_was_text() const { return last_was_text_; }

  // Sends a close frame (normal closure) and waits briefly for the server's; then the
  // connection is gone. Does nothing when not connected.
  void Close();

  // From any thread: makes the Connect or Read in progress (or the next one) fail at once.
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> cancelled_{false};
  bool closed_by_server_ = false;
  bool last_was_text_ = true;
};

// Checks a ws:// or wss:// URL before any connection, as CheckOutboundUrl checks an http(s)
// one (same messages; kInvalidArgument "not a ws or wss URL").
Result<OutboundUrl> CheckWebSocketUrl(const std::string& url, const OutboundPolicy& policy);

}  // namespace ecoute::listen
