#include "listen/websocket.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/ssl.h>

namespace ecoute::listen {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using Tcp = net::ip::tcp;
using ErrorCode = boost::system::error_code;

using PlainSocket = websocket::stream<beast::tcp_stream>;
using SecureSocket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

constexpr std::string_view kCancelled = "cancelled";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

IpAddress AddressOf(const net::ip::address& address) {
  IpAddress ip;
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), ip.bytes.begin());
  } else {
    ip.is_v6 = true;
    const auto bytes = address.to_v6().to_bytes();
    std::copy(bytes.begin(), bytes.end(), ip.bytes.begin());
  }
  return ip;
}

WebSocketError Failure(Status status, std::string kind, int http_status = 0) {
  return WebSocketError{std::move(status), std::move(kind), http_status, 0};
}

// The answer to a refused upgrade, as a kind of failure.
WebSocketError UpgradeFailure(const websocket::response_type& response) {
  const int code = static_cast<int>(response.result_int());
  const std::string why = "the server answered HTTP " + std::to_string(code);
  WebSocketError error;
  error.http_status = code;
  if (code == 401 || code == 403) {
    error = Failure(Status(StatusCode::kUnauthenticated, why), "auth_refused", code);
  } else if (code == 404) {
    error = Failure(NotFoundError(why), "not_found", code);
  } else if (code == 429 || code == 503) {
    error =
        Failure(ResourceExhaustedError(why), code == 429 ? "rate_limited" : "unreachable", code);
    const auto it = response.find(http::field::retry_after);
    if (it != response.end()) {
      const std::string value(it->value());
      if (!value.empty() &&
          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        error.retry_after_seconds = std::min<int64_t>(std::stoll(value.substr(0, 9)), 86400);
      }
    }
  } else {
    error = Failure(Status(StatusCode::kFailedPrecondition, why + ", not a WebSocket upgrade"),
                    "protocol", code);
  }
  return error;
}

}  // namespace

Result<OutboundUrl> CheckWebSocketUrl(const std::string& url, const OutboundPolicy& policy) {
  const size_t colon = url.find("://");
  const std::string scheme = colon == std::string::npos ? "" : Lower(url.substr(0, colon));
  if (scheme != "ws" && scheme != "wss") return InvalidArgumentError("not a ws or wss URL");
  // The outbound check reads http(s) URLs: the same URL with the matching scheme.
  const std::string as_http = (scheme == "ws" ? "http" : "https") + url.substr(colon);
  Result<OutboundUrl> checked = CheckOutboundUrl(as_http, policy);
  if (!checked) {
    if (checked.error().code() == StatusCode::kInvalidArgument &&
        checked.error().message().find("not an http") != std::string::npos) {
      return InvalidArgumentError("not a ws or wss URL");
    }
    return checked.error();
  }
  checked->scheme = scheme;
  return checked;
}

struct WebSocketClient::Impl {
  explicit Impl(WebSocketOptions o) : options(std::move(o)) {}

  // Runs the context until `done` (an operation's handler sets it).
  void RunUntil(const bool& done) {
    ioc.restart();
    while (!done && ioc.run_one() > 0) {
    }
  }

  beast::tcp_stream* Lowest() {
    if (plain) return &beast::get_lowest_layer(*plain);
    if (secure) return &beast::get_lowest_layer(*secure);
    return nullptr;
  }

  void Drop() {
    if (beast::tcp_stream* lowest = Lowest()) lowest->close();
    if (read_pending) {
      // The aborted read's handler runs before its stream goes.
      ioc.restart();
      ioc.poll();
      read_pending = false;
    }
    plain.reset();
    secure.reset();
  }

  Result<Tcp::resolver::results_type> Resolve(const std::string& host, const std::string& port);
  template <typename Socket>
  Status Upgrade(Socket& socket, const std::string& host_header, const std::string& target,
                 WebSocketError& error);
  template <typename Socket>
  Result<bool> ReadFrom(Socket& socket, std::string& out, bool& closed, bool& text,
                        std::chrono::steady_clock::time_point until);

  WebSocketOptions options;
  net::io_context ioc;
  std::optional<ssl::context> tls;
  std::unique_ptr<PlainSocket> plain;
  std::unique_ptr<SecureSocket> secure;
  beast::flat_buffer buffer;
  // A read outlives a ReadUntil that timed out: its state is here, not on the stack.
  bool read_pending = false;
  bool read_done = false;
  ErrorCode read_result;
  net::steady_timer wait_timer{ioc};
};

Result<Tcp::resolver::results_type> WebSocketClient::Impl::Resolve(const std::string& host,
                                                                   const std::string& port) {
  Tcp::resolver resolver(ioc);
  net::steady_timer deadline(ioc, options.connect_timeout);
  bool done = false;
  bool timed_out = false;
  ErrorCode result;
  Tcp::resolver::results_type endpoints;
  resolver.async_resolve(host, port, [&](const ErrorCode& ec, Tcp::resolver::results_type found) {
    result = ec;
    endpoints = std::move(found);
    done = true;
    deadline.cancel();
  });
  deadline.async_wait([&](const ErrorCode& ec) {
    if (ec || done) return;
    timed_out = true;
    resolver.cancel();
  });
  RunUntil(done);
  ioc.restart();
  ioc.poll();  // the timer's cancelled wait
  if (timed_out) {
    return DeadlineExceededError("timeout after " +
                                 std::to_string(options.connect_timeout.count()) + " ms");
  }
  if (result) return UnavailableError("unknown host (" + result.message() + ")");
  return endpoints;
}

template <typename Socket>
Status WebSocketClient::Impl::Upgrade(Socket& socket, const std::string& host_header,
                                      const std::string& target, WebSocketError& error) {
  beast::get_lowest_layer(socket).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = options.handshake_timeout;
  timeouts.idle_timeout = options.idle_timeout;
  timeouts.keep_alive_pings = true;
  socket.set_option(timeouts);
  socket.read_message_max(options.max_message_bytes);
  const std::string user_agent = options.user_agent;
  const auto headers = options.headers;
  socket.set_option(websocket::stream_base::decorator([user_agent, headers](auto& request) {
    if (!user_agent.empty()) request.set(http::field::user_agent, user_agent);
    for (const auto& [name, value] : headers) request.set(name, value);
  }));
  websocket::response_type response;
  bool done = false;
  ErrorCode result;
  socket.async_handshake(response, host_header, target, [&](const ErrorCode& ec) {
    result = ec;
    done = true;
  });
  RunUntil(done);
  if (!result) return OkStatus();
  if (result == websocket::error::upgrade_declined) {
    error = UpgradeFailure(response);
    return error.status;
  }
  if (result == beast::error::timeout) {
    error =
        Failure(DeadlineExceededError("handshake timeout after " +
                                      std::to_string(options.handshake_timeout.count()) + " ms"),
                "unreachable");
  } else {
    error = Failure(UnavailableError("handshake failed: " + result.message()), "protocol");
  }
  return error.status;
}

template <typename Socket>
Result<bool> WebSocketClient::Impl::ReadFrom(Socket& socket, std::string& out, bool& closed,
                                             bool& text,
                                             std::chrono::steady_clock::time_point until) {
  if (!read_pending) {
    buffer.clear();
    read_pending = true;
    read_done = false;
    socket.async_read(buffer, [this](const ErrorCode& ec, size_t) {
      read_result = ec;
      read_done = true;
    });
  }
  if (!read_done) {
    bool expired = false;
    const bool bounded = until != std::chrono::steady_clock::time_point::max();
    if (bounded) {
      wait_timer.expires_at(until);
      wait_timer.async_wait([&expired](const ErrorCode& ec) {
        if (!ec) expired = true;
      });
    }
    ioc.restart();
    while (!read_done && !expired && ioc.run_one() > 0) {
    }
    if (bounded) {
      wait_timer.cancel();
      ioc.restart();
      ioc.poll();  // the timer's handler, before `expired` goes out of scope
    }
    if (!read_done) return false;
  }
  read_pending = false;
  const ErrorCode result = read_result;
  if (!result) {
    out.resize(buffer.size());
    net::buffer_copy(net::buffer(out.data(), out.size()), buffer.data());
    text = socket.got_text();
    return true;
  }
  if (result == websocket::error::closed) {
    closed = true;
    std::string reason(socket.reason().reason.c_str());
    return UnavailableError("closed by the server (code " +
                            std::to_string(static_cast<int>(socket.reason().code)) +
                            (reason.empty() ? ")" : "): " + reason));
  }
  if (result == beast::error::timeout) return DeadlineExceededError("no frame, connection idle");
  if (result == websocket::error::message_too_big) {
    return ResourceExhaustedError("a message over " + std::to_string(options.max_message_bytes) +
                                  " bytes");
  }
  return UnavailableError(result.message());
}

WebSocketClient::WebSocketClient(WebSocketOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

WebSocketClient::~WebSocketClient() {
  try {
    if (impl_) impl_->Drop();
  } catch (...) {  // closing a socket that failed: nothing left to do
  }
}

void WebSocketClient::Cancel() {
  cancelled_ = true;
  Impl* impl = impl_.get();
  // Run by the thread driving the context, in its current or next operation.
  net::post(impl->ioc, [impl] {
    if (beast::tcp_stream* lowest = impl->Lowest()) lowest->cancel();
  });
}

Status WebSocketClient::Connect(const std::string& url, WebSocketError* error_out) {
  WebSocketError ignored;
  WebSocketError& error = error_out != nullptr ? *error_out : ignored;
  closed_by_server_ = false;
  impl_->Drop();
  auto fail = [&](Status status, std::string kind) {
    impl_->Drop();
    error = Failure(std::move(status), std::move(kind));
    return error.status;
  };
  if (cancelled_) return fail(UnavailableError(std::string(kCancelled)), "");
  Result<OutboundUrl> checked = CheckWebSocketUrl(url, impl_->options.outbound);
  if (!checked) {
    return fail(checked.error(), checked.error().code() == StatusCode::kPermissionDenied
                                     ? "refused_by_policy"
                                     : "protocol");
  }
  const bool is_secure = checked->scheme == "wss";
  std::string host = checked->host;
  const std::string port = checked->port.empty() ? (is_secure ? "443" : "80") : checked->port;
  const std::string host_header = checked->port.empty() ? host : host + ":" + port;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  Result<Tcp::resolver::results_type> endpoints = impl_->Resolve(host, port);
  if (!endpoints) return fail(endpoints.error(), "unreachable");
  std::vector<Tcp::endpoint> allowed;
  std::string refusal;
  for (const auto& entry : *endpoints) {
    std::string why = OutboundRefusal(impl_->options.outbound, checked->host,
                                      AddressOf(entry.endpoint().address()));
    if (why.empty()) {
      allowed.push_back(entry.endpoint());
    } else if (refusal.empty()) {
      refusal = std::move(why);
    }
  }
  if (allowed.empty()) {
    return fail(PermissionDeniedError(refusal.empty() ? "no address" : refusal),
                "refused_by_policy");
  }
  if (cancelled_) return fail(UnavailableError(std::string(kCancelled)), "");
  try {
    if (is_secure) {
      impl_->tls.emplace(ssl::context::tls_client);
      impl_->tls->set_verify_mode(ssl::verify_peer);
      if (impl_->options.ca_file.empty()) {
        impl_->tls->set_default_verify_paths();
      } else {
        impl_->tls->load_verify_file(impl_->options.ca_file);
      }
      impl_->secure = std::make_unique<SecureSocket>(impl_->ioc, *impl_->tls);
    } else {
      impl_->plain = std::make_unique<PlainSocket>(impl_->ioc);
    }
  } catch (const std::exception& e) {
    return fail(UnavailableError(std::string("TLS set-up: ") + e.what()), "unreachable");
  }
  beast::tcp_stream& lowest = *impl_->Lowest();
  lowest.expires_after(impl_->options.connect_timeout);
  bool done = false;
  ErrorCode result;
  lowest.async_connect(allowed, [&](const ErrorCode& ec, const Tcp::endpoint&) {
    result = ec;
    done = true;
  });
  impl_->RunUntil(done);
  if (cancelled_) return fail(UnavailableError(std::string(kCancelled)), "");
  if (result == beast::error::timeout) {
    return fail(
        DeadlineExceededError("timeout after " +
                              std::to_string(impl_->options.connect_timeout.count()) + " ms"),
        "unreachable");
  }
  if (result) return fail(UnavailableError("cannot connect: " + result.message()), "unreachable");
  if (is_secure) {
    SSL* native = impl_->secure->next_layer().native_handle();
    SSL_set_tlsext_host_name(native, host.c_str());
    SSL_set1_host(native, host.c_str());
    lowest.expires_after(impl_->options.handshake_timeout);
    done = false;
    impl_->secure->next_layer().async_handshake(ssl::stream_base::client, [&](const ErrorCode& ec) {
      result = ec;
      done = true;
    });
    impl_->RunUntil(done);
    if (result) {
      return fail(UnavailableError("TLS handshake failed: " + result.message()), "unreachable");
    }
  }
  const std::string target = checked->path_and_query.empty() ? "/" : checked->path_and_query;
  Status upgraded = is_secure ? impl_->Upgrade(*impl_->secure, host_header, target, error)
                              : impl_->Upgrade(*impl_->plain, host_header, target, error);
  if (cancelled_) return fail(UnavailableError(std::string(kCancelled)), "");
  if (!upgraded.ok()) {
    impl_->Drop();
    return upgraded;
  }
  return OkStatus();
}

Status WebSocketClient::Read(std::string& out) {
  Result<bool> read = ReadUntil(out, std::chrono::steady_clock::time_point::max());
  if (!read) return read.error();
  return *read ? OkStatus() : UnavailableError("connection ended");
}

Result<bool> WebSocketClient::ReadUntil(std::string& out,
                                        std::chrono::steady_clock::time_point until) {
  if (cancelled_) return UnavailableError(std::string(kCancelled));
  if (!impl_->plain && !impl_->secure) return UnavailableError("not connected");
  Result<bool> read =
      impl_->plain ? impl_->ReadFrom(*impl_->plain, out, closed_by_server_, last_was_text_, until)
                   : impl_->ReadFrom(*impl_->secure, out, closed_by_server_, last_was_text_, until);
  if (cancelled_) {
    impl_->Drop();
    return UnavailableError(std::string(kCancelled));
  }
  if (!read) impl_->Drop();
  return read;
}

void WebSocketClient::Close() {
  if (!impl_->plain && !impl_->secure) return;
  if (!cancelled_) {
    bool done = false;
    auto on_close = [&](const ErrorCode&) { done = true; };
    if (impl_->plain) {
      impl_->plain->async_close(websocket::close_code::normal, on_close);
    } else {
      impl_->secure->async_close(websocket::close_code::normal, on_close);
    }
    impl_->RunUntil(done);
  }
  impl_->Drop();
}

}  // namespace ecoute::listen
