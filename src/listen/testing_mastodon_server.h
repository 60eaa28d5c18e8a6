// For tests only: a Mastodon instance on 127.0.0.1 (an ephemeral port) speaking the two
// parts of the API a live Mastodon source uses, over real sockets:
// - the streaming API, GET /api/v1/streaming/hashtag?tag=<tag> (and /public): Server-Sent
//   Events (text/event-stream, the body running until the connection closes), each status
//   posted as "event: update" / "data: <status JSON>", a ":thump" heartbeat now and then;
// - the REST timelines, GET /api/v1/timelines/tag/<tag> and /timelines/public, newest
//   first, with since_id, max_id and limit as Mastodon reads them, and a Link header.
// It can require a token (401 without it), answer 429 with a Retry-After, refuse streams
// for a while (503), and close the open streams mid-way. One thread per connection.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
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

// A request the server received: its path with the query, and its headers (names
// lower-cased).
struct MastodonRequest {
  std::string path;
  std::map<std::string, std::string> headers;
};

class MastodonServer {
 public:
  MastodonServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 16) != 0) {
      std::perror("testing::MastodonServer: cannot listen on 127.0.0.1");
      std::abort();
    }
    socklen_t length = sizeof address;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    accept_thread_ = std::thread([this] { Accept(); });
  }
  ~MastodonServer() {
    stop_ = true;
    accept_thread_.join();
    CloseStreams();
    for (std::thread& t : connection_threads_) t.join();
    ::close(listen_fd_);
  }
  MastodonServer(const MastodonServer&) = delete;
  MastodonServer& operator=(const MastodonServer&) = delete;

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Adds a status (id `id`, a number) to the timelines and sends it to the open streams.
  // Its tag is `tag`; "" for none (public streams only).
  void Post(int64_t id, const std::string& text, const std::string& tag = "acme") {
    const std::string json = StatusJson(id, text, tag);
    MutexLock lock(mu_);
    statuses_.push_back({id, tag, json});
    Broadcast(tag, "event: update\ndata: " + json + "\n\n");
  }
  // Sends an edit of status `id` ("status.update") to the open streams.
  void Edit(int64_t id, const std::string& text, const std::string& tag = "acme") {
    MutexLock lock(mu_);
    Broadcast(tag, "event: status.update\ndata: " + StatusJson(id, text, tag) + "\n\n");
  }
  // Sends raw bytes to the open streams (a test's own events, heartbeats, malformed data).
  void SendRaw(const std::string& bytes) {
    MutexLock lock(mu_);
    Broadcast("", bytes, true);
  }
  // Closes every open stream connection, as an instance restarting does.
  void CloseStreams() {
    MutexLock lock(mu_);
    for (Stream& s : streams_) {
      ::shutdown(s.fd, SHUT_RDWR);
      s.is_closed = true;
    }
    streams_cv_.NotifyAll();
  }
  int OpenStreams() {
    MutexLock lock(mu_);
    return static_cast<int>(std::count_if(streams_.begin(), streams_.end(),
                                          [](const Stream& s) { return !s.is_closed; }));
  }

  // Every request must carry "Authorization: Bearer <token>" ("" : none needed).
  void RequireToken(const std::string& token) {
    MutexLock lock(mu_);
    token_ = token;
  }
  // Every request answered 429 with this Retry-After while set ("" to stop).
  void RateLimit(const std::string& retry_after) {
    MutexLock lock(mu_);
    retry_after_ = retry_after;
  }
  // Stream requests answered with `status` (503: the instance is down) while not 0.
  void RefuseStreams(int status) {
    MutexLock lock(mu_);
    refuse_streams_ = status;
  }
  std::vector<MastodonRequest> Requests() {
    MutexLock lock(mu_);
    return requests_;
  }

  static std::string StatusJson(int64_t id, const std::string& text, const std::string& tag) {
    const std::string n = std::to_string(id);
    std::string tags = "[]";
    if (!tag.empty()) {
      tags = "[{\"name\":\"" + tag + "\",\"url\":\"https://social.example/tags/" + tag + "\"}]";
    }
    return "{\"id\":\"" + n +
           "\",\"created_at\":\"2026-12-07T10:00:00.000Z\",\"in_reply_to_id\":null,"
           "\"uri\":\"https://social.example/users/alice/statuses/" +
           n + "\",\"url\":\"https://social.example/@alice/" + n + "\",\"content\":\"<p>" + text +
           "</p>\",\"language\":\"en\",\"account\":{\"id\":\"1\",\"username\":\"alice\","
           "\"acct\":\"alice\",\"display_name\":\"Alice\",\"url\":\"https://social.example/"
           "@alice\","
           "\"followers_count\":3},\"tags\":" +
           tags + ",\"replies_count\":0,\"reblogs_count\":0,\"favourites_count\":1}";
  }

 private:
  struct Status {
    int64_t id;
    std::string tag;
    std::string json;
  };
  struct Stream {
    int fd;
    std::string tag;  // "" for a public stream
    bool is_closed = false;
  };

  void Accept() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      connection_threads_.emplace_back([this, fd] {
        Handle(fd);
        ::close(fd);
      });
    }
  }

  static bool SendAll(int fd, const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  void Broadcast(const std::string& tag, const std::string& bytes, bool to_all = false)
      ECOUTE_REQUIRES(mu_) {
    for (Stream& s : streams_) {
      if (s.is_closed || !(to_all || s.tag.empty() || s.tag == tag)) continue;
      if (!SendAll(s.fd, bytes)) s.is_closed = true;
    }
  }

  static std::string Answer(int status, const std::string& body,
                            const std::vector<std::string>& headers = {}) {
    std::string out =
        "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n";
    for (const std::string& h : headers) out += h + "\r\n";
    return out + "\r\n" + body;
  }

  static std::string QueryValue(const std::string& path, const std::string& key) {
    const size_t q = path.find('?');
    if (q == std::string::npos) return {};
    const std::string query = "&" + path.substr(q + 1);
    const size_t at = query.find("&" + key + "=");
    if (at == std::string::npos) return {};
    const size_t start = at + key.size() + 2;
    return query.substr(start, query.find('&', start) - start);
  }

  // Reads one request's head (the client sends no body).
  static bool ReadRequest(int fd, MastodonRequest& request) {
    std::string data;
    char buffer[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return false;
      data.append(buffer, static_cast<size_t>(n));
    }
    const size_t first_end = data.find("\r\n");
    const std::string first = data.substr(0, first_end);
    const size_t space = first.find(' ');
    request.path = first.substr(space + 1, first.rfind(' ') - space - 1);
    for (size_t pos = first_end + 2; pos < data.size();) {
      const size_t end = data.find("\r\n", pos);
      if (end == std::string::npos || end == pos) break;
      const std::string line = data.substr(pos, end - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      pos = end + 2;
    }
    return true;
  }

  void Handle(int fd) ECOUTE_EXCLUDES(mu_) {
    MastodonRequest request;
    if (!ReadRequest(fd, request)) return;
    std::string refusal;
    {
      MutexLock lock(mu_);
      requests_.push_back(request);
      const auto auth = request.headers.find("authorization");
      if (!retry_after_.empty()) {
        refusal =
            Answer(429, "{\"error\":\"Too many requests\"}", {"Retry-After: " + retry_after_});
      } else if (!token_.empty() &&
                 (auth == request.headers.end() || auth->second != "Bearer " + token_)) {
        refusal = Answer(401, "{\"error\":\"The access token is invalid\"}");
      } else if (refuse_streams_ != 0 && request.path.starts_with("/api/v1/streaming/")) {
        refusal = Answer(refuse_streams_, "{\"error\":\"unavailable\"}");
      }
    }
    if (!refusal.empty()) {
      SendAll(fd, refusal);
      return;
    }
    if (request.path.starts_with("/api/v1/streaming/")) {
      ServeStream(fd, request.path);
    } else if (request.path.starts_with("/api/v1/timelines/")) {
      SendAll(fd, Timeline(request.path));
    } else {
      SendAll(fd, Answer(404, "{\"error\":\"Record not found\"}"));
    }
  }

  void ServeStream(int fd, const std::string& path) ECOUTE_EXCLUDES(mu_) {
    const std::string tag =
        path.starts_with("/api/v1/streaming/hashtag") ? QueryValue(path, "tag") : "";
    MutexLock lock(mu_);
    // The stream's head, then its events, under the lock: nothing posted is lost between.
    if (!SendAll(fd,
                 "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 "Cache-Control: no-store\r\nConnection: close\r\n\r\n:)\n")) {
      return;
    }
    streams_.push_back({fd, tag});
    const auto mine = [this, fd]() ECOUTE_REQUIRES(mu_) {
      return std::find_if(streams_.begin(), streams_.end(),
                          [fd](const Stream& s) { return s.fd == fd; });
    };
    for (;;) {
      if (stop_ || mine()->is_closed) {
        streams_.erase(mine());
        return;
      }
      // A heartbeat now and then, as Mastodon's every 15 s.
      if (!streams_cv_.WaitFor(mu_, std::chrono::milliseconds(200)) && !SendAll(fd, ":thump\n")) {
        mine()->is_closed = true;
      }
    }
  }

  std::string Timeline(const std::string& path) ECOUTE_EXCLUDES(mu_) {
    const bool is_tag = path.starts_with("/api/v1/timelines/tag/");
    std::string tag;
    if (is_tag) {
      tag = path.substr(22, path.find('?') - 22);
    }
    const std::string since = QueryValue(path, "since_id");
    const std::string max = QueryValue(path, "max_id");
    const std::string limit_text = QueryValue(path, "limit");
    const size_t limit = limit_text.empty() ? 20 : std::min<size_t>(40, std::stoul(limit_text));
    std::vector<Status> page;
    {
      MutexLock lock(mu_);
      for (const Status& s : statuses_) {
        if (is_tag && s.tag != tag) continue;
        if (!since.empty() && s.id <= std::stoll(since)) continue;
        if (!max.empty() && s.id >= std::stoll(max)) continue;
        page.push_back(s);
      }
    }
    std::sort(page.begin(), page.end(),
              [](const Status& a, const Status& b) { return a.id > b.id; });
    if (page.size() > limit) page.resize(limit);
    std::string body = "[";
    for (const Status& s : page) body += (body.size() > 1 ? "," : "") + s.json;
    body += "]";
    std::vector<std::string> headers;
    if (!page.empty()) {
      headers.push_back("Link: <" +
                        Url("/api/v1/timelines?max_id=" + std::to_string(page.back().id)) +
                        ">; rel=\"next\"");
    }
    return Answer(200, body, headers);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;  // the accept thread's, joined at the end
  Mutex mu_;
  CondVar streams_cv_;
  std::vector<Status> statuses_ ECOUTE_GUARDED_BY(mu_);
  std::vector<Stream> streams_ ECOUTE_GUARDED_BY(mu_);
  std::vector<MastodonRequest> requests_ ECOUTE_GUARDED_BY(mu_);
  std::string token_ ECOUTE_GUARDED_BY(mu_);
  std::string retry_after_ ECOUTE_GUARDED_BY(mu_);
  int refuse_streams_ ECOUTE_GUARDED_BY(mu_) = 0;
};

}  // namespace ecoute::testing
