// For tests only: a small HTTP/1.1 server on 127.0.0.1 (an ephemeral port), answering each
// request (headers and body) with what a handler returns, one connection at a time,
// "Connection: close".
// Real sockets, so that the fetcher is tested against real HTTP over loopback.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/mutex.h"

namespace ecoute::testing {

struct HttpRequest {
  std::string method;
  std::string path;                            // with the query
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // Content-Length bytes of it
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int delay_ms = 0;   // wait before answering (to test timeouts)
  bool drop = false;  // close the connection without answering, the request read
};

class HttpServer {
 public:
  explicit HttpServer(std::function<HttpResponse(const HttpRequest&)> handler)
      : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      std::perror("testing::HttpServer: cannot listen on 127.0.0.1");
      std::abort();
    }
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HttpServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // The requests received so far, in order.
  std::vector<HttpRequest> Requests() ECOUTE_EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      Handle(fd);
      ::close(fd);
    }
  }

  // Reads until the headers and Content-Length bytes of body are in, or 5 s pass.
  void Handle(int fd) ECOUTE_EXCLUDES(mutex_) {
    std::string data;
    size_t header_end = std::string::npos;
    size_t wanted = std::string::npos;
    char buffer[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while ((wanted == std::string::npos || data.size() < wanted) &&
           std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      data.append(buffer, static_cast<size_t>(n));
      if (header_end == std::string::npos &&
          (header_end = data.find("\r\n\r\n")) != std::string::npos) {
        wanted = header_end + 4;
        std::string lower = data.substr(0, header_end);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const size_t length = lower.find("\r\ncontent-length:");
        if (length != std::string::npos) wanted += std::stoul(lower.substr(length + 17));
      }
    }
    if (header_end == std::string::npos) return;
    HttpRequest request;
    size_t line_end = data.find("\r\n");
    const std::string first = data.substr(0, line_end);
    const size_t space = first.find(' ');
    request.method = first.substr(0, space);
    request.path = first.substr(space + 1, first.rfind(' ') - space - 1);
    size_t pos = line_end + 2;
    while (pos < header_end + 2) {
      line_end = data.find("\r\n", pos);
      if (line_end == std::string::npos || line_end == pos) break;
      const std::string line = data.substr(pos, line_end - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t value = colon + 1;
        while (value < line.size() && line[value] == ' ') ++value;
        request.headers[name] = line.substr(value);
      }
      pos = line_end + 2;
    }
    request.body = data.substr(header_end + 4);
    {
      MutexLock lock(mutex_);
      requests_.push_back(request);
    }
    const HttpResponse response = handler_(request);
    if (response.drop) return;
    if (response.delay_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(response.delay_ms));
    }
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " X\r\n";
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "Connection: close\r\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    if (request.method != "HEAD") out += response.body;
    size_t sent = 0;
    while (sent < out.size()) {
      const ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  std::function<HttpResponse(const HttpRequest&)> handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Mutex mutex_;
  std::vector<HttpRequest> requests_ ECOUTE_GUARDED_BY(mutex_);
};

}  // namespace ecoute::testing
