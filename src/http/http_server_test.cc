#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http.h"

namespace ecoute::server {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// --- libcurl client -------------------------------------------------------------------------

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string headers;  // the raw header block
  long connects = 0;    // new connections this transfer needed
};

size_t Append(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// One handle, so that consecutive requests may reuse its connection.
class Client {
 public:
  Client() : curl_(curl_easy_init()) {}
  ~Client() { curl_easy_cleanup(curl_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Reply Fetch(const std::string& url, const std::string& method = "GET",
              const std::string& body = "", const std::vector<std::string>& headers = {}) {
    Reply reply;
    curl_easy_reset(curl_);  // keeps the live connections
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, Append);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &reply.headers);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10'000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    if (method == "HEAD") {
      curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else if (method == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (method != "GET") {
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    curl_slist* list = nullptr;
    for (const auto& header : headers) list = curl_slist_append(list, header.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    reply.code = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &reply.connects);
    curl_slist_free_all(list);
    return reply;
  }

 private:
  CURL* curl_;
};

// Every value of a response header, by case-insensitive name.
std::vector<std::string> HeaderValues(const std::string& block, std::string_view name) {
  std::vector<std::string> values;
  size_t start = 0;
  while (start < block.size()) {
    size_t end = block.find("\r\n", start);
    if (end == std::string::npos) end = block.size();
    const std::string_view line(block.data() + start, end - start);
    const size_t colon = line.find(':');
    if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      values.emplace_back(value);
    }
    start = end + 2;
  }
  return values;
}

std::string HeaderValue(const std::string& block, std::string_view name) {
  auto values = HeaderValues(block, name);
  return values.empty() ? std::string("<absent>") : values.front();
}

// --- raw sockets, for what libcurl will not send --------------------------------------------

int Connect(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether a socket listens on the loopback port: with SO_REUSEADDR, binding the port fails
// only then (connections still open on it do not prevent it), and nothing connects.
bool IsListening(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return true;
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool bound = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return !bound;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

struct Received {
  std::string data;
  bool closed = false;  // the peer closed (or reset) the connection
};

// Reads until the peer closes, `done` says enough, or `timeout` passes.
Received Receive(int fd, std::chrono::milliseconds timeout,
                 const std::function<bool(const std::string&)>& done = nullptr) {
  Received received;
  const auto deadline = Clock::now() + timeout;
  while (!(done && done(received.data))) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      received.closed = true;
      break;
    }
    received.data.append(buffer, static_cast<size_t>(n));
  }
  return received;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// --- fixture ----------------------------------------------------------------------------------

HttpOptions TestOptions() {
  HttpOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  return options;
}

Response Text(std::string body, int status = 200) {
  Response response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

class HttpServerTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  void StartServer(HttpOptions options, Handler handler, Observer observer = nullptr) {
    server_ =
        std::make_unique<HttpServer>(std::move(options), std::move(handler), std::move(observer));
    const Status status = server_->Listen();
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_NE(server_->port(), 0);
    server_->Start();
  }

  std::string Url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(target);
  }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, HandlerSeesDecodedRequest) {
  std::mutex mu;
  Request seen;
  StartServer(TestOptions(), [&](Request& request) {
    std::lock_guard lock(mu);
    seen = request;
    return Text("ok", 201);
  });
  Client client;
  const Reply reply =
      client.Fetch(Url("/a%20b/c%2Fd?x=1&y=a+b%26c&flag&x=2&&e%3D=%C3%A9"), "POST", "hello body",
                   {"X-Custom-Thing: Some Value", "Content-Type: text/plain"});
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(reply.body, "ok");
  EXPECT_EQ(HeaderValue(reply.headers, "content-type"), "text/plain");
  EXPECT_EQ(HeaderValue(reply.headers, "content-length"), "2");
  EXPECT_EQ(HeaderValue(reply.headers, "server"), "ecoute");

  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/a%20b/c%2Fd?x=1&y=a+b%26c&flag&x=2&&e%3D=%C3%A9");
  EXPECT_EQ(seen.path, "/a b/c/d");
  const std::vector<std::pair<std::string, std::string>> query = {
      {"x", "1"}, {"y", "a b&c"}, {"flag", ""}, {"x", "2"}, {"e=", "\xC3\xA9"}};
  EXPECT_EQ(seen.query, query);
  EXPECT_EQ(seen.Query("x"), "1");
  EXPECT_EQ(seen.Query("missing"), "");
  EXPECT_EQ(seen.QueryAll("x"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(seen.Header("x-custom-thing"), "Some Value");
  EXPECT_EQ(seen.Header("content-type"), "text/plain");
  EXPECT_EQ(seen.Header("content-length"), "10");
  EXPECT_EQ(seen.Header("X-Custom-Thing"), "");  // names are lower-cased
  EXPECT_EQ(seen.body, "hello body");
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
}

TEST_F(HttpServerTest, KeepAliveReusesTheConnection) {
  StartServer(TestOptions(), [](Request& request) { return Text(request.path); });
  Client client;
  const Reply first = client.Fetch(Url("/one"));
  const Reply second = client.Fetch(Url("/two"));
  ASSERT_EQ(first.code, CURLE_OK);
  ASSERT_EQ(second.code, CURLE_OK);
  EXPECT_EQ(first.body, "/one");
  EXPECT_EQ(second.body, "/two");
  EXPECT_EQ(first.connects, 1);
  EXPECT_EQ(second.connects, 0);  // no new connection: the first was reused
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(HttpServerTest, ConnectionCloseIsHonored) {
  StartServer(TestOptions(), [](Request&) { return Text("bye"); });
  Client client;
  const Reply first = client.Fetch(Url("/"), "GET", "", {"Connection: close"});
  ASSERT_EQ(first.code, CURLE_OK);
  EXPECT_EQ(first.body, "bye");
  EXPECT_EQ(HeaderValue(first.headers, "connection"), "close");
  EXPECT_TRUE(WaitFor([&] { return server_->connections() == 0; }));
  const Reply second = client.Fetch(Url("/"));
  ASSERT_EQ(second.code, CURLE_OK);
  EXPECT_EQ(second.connects, 1);
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveCloses) {
  StartServer(TestOptions(), [](Request&) { return Text("old"); });
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.0\r\n\r\n"));
  const Received received = Receive(fd, 5s);
  close(fd);
  EXPECT_TRUE(received.closed);
  EXPECT_TRUE(received.data.starts_with("HTTP/1.0 200 OK\r\n")) << received.data;
  EXPECT_TRUE(received.data.ends_with("\r\n\r\nold")) << received.data;
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer(TestOptions(), [](Request& request) { return Text(request.path); });
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                      "GET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  const Received received = Receive(fd, 5s);
  close(fd);
  EXPECT_TRUE(received.closed);
  const size_t one = received.data.find("\r\n\r\n/1");
  const size_t two = received.data.find("\r\n\r\n/2");
  const size_t three = received.data.find("\r\n\r\n/3");
  ASSERT_NE(one, std::string::npos) << received.data;
  ASSERT_NE(two, std::string::npos) << received.data;
  ASSERT_NE(three, std::string::npos) << received.data;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
  EXPECT_TRUE(received.data.ends_with("/3"));
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413) {
  HttpOptions options = TestOptions();
  options.max_body_bytes = 100;
  std::atomic<int> calls{0};
  StartServer(options, [&](Request&) {
    ++calls;
    return Text("no");
  });
  Client client;
  const Reply reply = client.Fetch(Url("/upload"), "POST", std::string(1000, 'x'));
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.body, R"({"error":{"code":"payload_too_large",)"
                        R"("message":"the request body is larger than 100 bytes"}})");
  EXPECT_EQ(HeaderValue(reply.headers, "content-type"), "application/json");
  EXPECT_EQ(HeaderValue(reply.headers, "connection"), "close");
  EXPECT_EQ(calls.load(), 0);

  // At the limit, the body goes through.
  const Reply fits = client.Fetch(Url("/upload"), "POST", std::string(100, 'x'));
  EXPECT_EQ(fits.status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpServerTest, ExpectContinueGetsTheBodyRead) {
  std::string seen;
  StartServer(TestOptions(), [&](Request& request) {
    seen = request.body;
    return Text("got");
  });
  Client client;
  const std::string body(5000, 'y');
  const Reply reply = client.Fetch(Url("/"), "POST", body, {"Expect: 100-continue"});
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "got");
  EXPECT_EQ(seen, body);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  HttpOptions options = TestOptions();
  options.max_header_bytes = 1024;
  StartServer(options, [](Request&) { return Text("no"); });
  Client client;
  const Reply reply = client.Fetch(Url("/"), "GET", "", {"X-Big: " + std::string(4000, 'h')});
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 431);
  EXPECT_EQ(
      reply.body,
      R"({"error":{"code":"headers_too_large","message":"the request headers are too large"}})");
}

TEST_F(HttpServerTest, MalformedRequestLineIs400ThenClose) {
  StartServer(TestOptions(), [](Request&) { return Text("no"); });
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "THIS IS NOT HTTP\r\n\r\n"));
  const Received received = Receive(fd, 5s);
  close(fd);
  EXPECT_TRUE(received.closed);
  EXPECT_TRUE(received.data.starts_with("HTTP/1.1 400 Bad Request\r\n")) << received.data;
  EXPECT_TRUE(received.data.ends_with(
      R"({"error":{"code":"bad_request","message":"malformed HTTP request"}})"))
      << received.data;
}

TEST_F(HttpServerTest, ReadTimeoutClosesAHalfSentRequest) {
  HttpOptions options = TestOptions();
  options.read_timeout = 200ms;
  StartServer(options, [](Request&) { return Text("no"); });
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: a\r\n"));  // no blank line: never ends
  const Received received = Receive(fd, 5s);
  close(fd);
  EXPECT_TRUE(received.closed);
  EXPECT_EQ(received.data, "");
  EXPECT_TRUE(WaitFor([&] { return server_->connections() == 0; }));
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpOptions options = TestOptions();
  options.idle_timeout = 200ms;
  StartServer(options, [](Request&) { return Text("hi"); });
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  const Received received = Receive(fd, 5s);
  close(fd);
  EXPECT_TRUE(received.closed);
  EXPECT_TRUE(received.data.ends_with("\r\n\r\nhi")) << received.data;
}

TEST_F(HttpServerTest, HandlerExceptionIs500WithoutItsText) {
  StartServer(TestOptions(),
              [](Request&) -> Response { throw std::runtime_error("secret database password"); });
  Client client;
  const Reply reply = client.Fetch(Url("/boom"));
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body, R"({"error":{"code":"internal","message":"internal error"}})");
  EXPECT_EQ(reply.headers.find("secret"), std::string::npos);
  // The connection stays usable.
  const Reply again = client.Fetch(Url("/boom"));
  EXPECT_EQ(again.status, 500);
  EXPECT_EQ(again.connects, 0);
}

TEST_F(HttpServerTest, HeadSendsTheLengthButNoBody) {
  std::string method;
  StartServer(TestOptions(), [&](Request& request) {
    method = request.method;
    return Text("hello world");
  });
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "HEAD /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  const Received received = Receive(fd, 5s);
  close(fd);
  EXPECT_TRUE(received.closed);
  EXPECT_EQ(method, "HEAD");
  EXPECT_TRUE(received.data.starts_with("HTTP/1.1 200 OK\r\n")) << received.data;
  EXPECT_EQ(HeaderValue(received.data, "content-length"), "11");
  EXPECT_TRUE(received.data.ends_with("\r\n\r\n")) << received.data;

  Client client;
  const Reply reply = client.Fetch(Url("/x"), "HEAD");
  ASSERT_EQ(reply.code, CURLE_OK);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "");
}

TEST_F(HttpServerTest, DefaultHeadersUnlessTheResponseSetsThem) {
  HttpOptions options = TestOptions();
  options.default_headers = {{"X-Frame-Options", "DENY"},
                             {"Content-Security-Policy", "default-src 'none'"}};
  StartServer(options, [](Request& request) {
    Response response = Text("x");
    if (request.path == "/override") response.headers = {{"x-frame-options", "SAMEORIGIN"}};
    return response;
  });
  Client client;
  const Reply plain = client.Fetch(Url("/"));
  EXPECT_EQ(HeaderValues(plain.headers, "x-frame-options"), std::vector<std::string>{"DENY"});
  EXPECT_EQ(HeaderValue(plain.headers, "content-security-policy"), "default-src 'none'");
  const Reply overridden = client.Fetch(Url("/override"));
  EXPECT_EQ(HeaderValues(overridden.headers, "x-frame-options"),
            std::vector<std::string>{"SAMEORIGIN"});
  EXPECT_EQ(HeaderValue(overridden.headers, "content-security-policy"), "default-src 'none'");
  EXPECT_EQ(HeaderValue(overridden.headers, "server"), "ecoute");
}

TEST_F(HttpServerTest, ObserverSeesEachResponse) {
  std::mutex mu;
  std::vector<std::pair<std::string, int>> seen;
  double seconds = -1;
  StartServer(
      TestOptions(),
      [](Request& request) {
        Response response = Text("body");
        response.route = "/r/{id}";
        if (request.path == "/missing") response.status = 404;
        return response;
      },
      [&](const Request& request, const Response& response, double elapsed) {
        std::lock_guard lock(mu);
        seen.emplace_back(request.path + " " + response.route + " " + response.body,
                          response.status);
        seconds = elapsed;
      });
  Client client;
  client.Fetch(Url("/r/1"));
  client.Fetch(Url("/missing"));
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return seen.size() == 2;
  }));
  std::lock_guard lock(mu);
  EXPECT_EQ(seen[0], std::make_pair(std::string("/r/1 /r/{id} body"), 200));
  EXPECT_EQ(seen[1], std::make_pair(std::string("/missing /r/{id} body"), 404));
  EXPECT_GE(seconds, 0.0);
}

// A handler that answers /events with a stream and hands its sink to the test.
struct StreamCatcher {
  std::mutex mu;
  std::promise<std::shared_ptr<EventSink>> promise;

  Handler MakeHandler() {
    return [this](Request&) {
      Response response;
      response.on_stream = [this](std::shared_ptr<EventSink> sink) {
        std::lock_guard lock(mu);
        promise.set_value(std::move(sink));
      };
      return response;
    };
  }
};

TEST_F(HttpServerTest, EventStreamDeliversEventsInOrder) {
  HttpOptions options = TestOptions();
  options.read_timeout = 100ms;  // must not apply to a stream
  options.default_headers = {{"X-Content-Type-Options", "nosniff"}};
  StreamCatcher catcher;
  auto future = catcher.promise.get_future();
  StartServer(options, catcher.MakeHandler());
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /events HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\n\r\n"));
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  std::shared_ptr<EventSink> sink = future.get();
  EXPECT_TRUE(sink->IsOpen());
  EXPECT_EQ(server_->streams(), 1);

  // A half-sent request on another connection, begun after the stream's: once read_timeout
  // has closed it, it would have closed the stream too if it applied there.
  const int half_sent = Connect(server_->port());
  ASSERT_GE(half_sent, 0);
  ASSERT_TRUE(SendAll(half_sent, "GET / HTTP/1.1\r\nHost: a\r\n"));
  EXPECT_TRUE(Receive(half_sent, 5s).closed);
  close(half_sent);
  EXPECT_TRUE(sink->IsOpen());
  std::thread publisher([&] {
    EXPECT_TRUE(sink->Send("event: case\ndata: 1\n\n"));
    EXPECT_TRUE(sink->Send("event: case\ndata: 2\n\n"));
    EXPECT_TRUE(sink->Send("event: case\ndata: 3\n\n"));
  });
  publisher.join();
  const Received received = Receive(fd, 5s, [](const std::string& data) {
    return data.find("data: 3\n\n") != std::string::npos;
  });
  EXPECT_FALSE(received.closed);
  const size_t end = received.data.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  const std::string head = received.data.substr(0, end + 2);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_EQ(HeaderValue(head, "content-type"), "text/event-stream");
  EXPECT_EQ(HeaderValue(head, "cache-control"), "no-store");
  EXPECT_EQ(HeaderValue(head, "connection"), "keep-alive");
  EXPECT_EQ(HeaderValue(head, "x-content-type-options"), "nosniff");
  EXPECT_EQ(HeaderValue(head, "content-length"), "<absent>");
  EXPECT_EQ(HeaderValue(head, "transfer-encoding"), "<absent>");
  EXPECT_EQ(received.data.substr(end + 4),
            "event: case\ndata: 1\n\nevent: case\ndata: 2\n\nevent: case\ndata: 3\n\n");

  close(fd);
  EXPECT_TRUE(WaitFor([&] { return !sink->IsOpen(); }));
  EXPECT_FALSE(sink->Send("data: late\n\n"));
  EXPECT_TRUE(WaitFor([&] { return server_->streams() == 0 && server_->connections() == 0; }));
}

TEST_F(HttpServerTest, SlowStreamConsumerIsDropped) {
  StreamCatcher catcher;
  auto future = catcher.promise.get_future();
  StartServer(TestOptions(), catcher.MakeHandler());
  const int fd = Connect(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  std::shared_ptr<EventSink> sink = future.get();
  // The client never reads: once the socket buffers fill, the queue reaches its bound.
  const std::string chunk = "data: " + std::string(size_t{16} * 1024, 'z') + "\n\n";
  bool refused = false;
  for (int i = 0; i < 8192 && !refused; ++i) refused = !sink->Send(chunk);
  EXPECT_TRUE(refused);
  EXPECT_FALSE(sink->IsOpen());
  EXPECT_TRUE(WaitFor([&] { return server_->streams() == 0; }));
  close(fd);
}

TEST_F(HttpServerTest, StopClosesStreamsAndIdleConnections) {
  StreamCatcher catcher;
  auto future = catcher.promise.get_future();
  StartServer(TestOptions(), catcher.MakeHandler());
  const int stream_fd = Connect(server_->port());
  const int idle_fd = Connect(server_->port());
  ASSERT_GE(stream_fd, 0);
  ASSERT_GE(idle_fd, 0);
  ASSERT_TRUE(SendAll(stream_fd, "GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  std::shared_ptr<EventSink> sink = future.get();
  ASSERT_TRUE(WaitFor([&] { return server_->connections() == 2; }));

  server_->Stop(2s);
  EXPECT_FALSE(sink->IsOpen());
  EXPECT_FALSE(sink->Send("data: after\n\n"));
  EXPECT_EQ(server_->connections(), 0);
  EXPECT_EQ(server_->streams(), 0);
  EXPECT_TRUE(Receive(stream_fd, 5s).closed);
  EXPECT_TRUE(Receive(idle_fd, 5s).closed);
  close(stream_fd);
  close(idle_fd);
  server_.reset();
  EXPECT_FALSE(sink->Send("data: after the server is gone\n\n"));  // the sink outlives it
}

TEST_F(HttpServerTest, GracefulStopFinishesTheRequestInProgress) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  StartServer(TestOptions(), [&](Request&) {
    entered.set_value();
    released.wait();  // the request is in progress until the test says
    return Text("finished");
  });
  const uint16_t port = server_->port();
  std::future<Reply> reply = std::async(std::launch::async, [&] {
    Client client;
    return client.Fetch(Url("/slow"));
  });
  entered.get_future().wait();
  std::thread stopper([&] { server_->Stop(5s); });
  // The handler finishes only once the stop is under way: the port no longer listens.
  EXPECT_TRUE(WaitFor([&] { return !IsListening(port); }));
  release.set_value();
  stopper.join();
  const Reply got = reply.get();
  ASSERT_EQ(got.code, CURLE_OK);
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "finished");
  EXPECT_EQ(HeaderValue(got.headers, "connection"), "close");
  EXPECT_EQ(server_->connections(), 0);

  const int fd = Connect(port);
  EXPECT_EQ(fd, -1);
  if (fd >= 0) close(fd);
  server_->Stop();  // idempotent
}

TEST_F(HttpServerTest, ListenOnAPortInUseFails) {
  StartServer(TestOptions(), [](Request&) { return Text("first"); });
  HttpOptions options = TestOptions();
  options.port = server_->port();
  HttpServer second(options, [](Request&) { return Text("second"); });
  const Status status = second.Listen();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos)
      << status.message();
}

TEST_F(HttpServerTest, ConnectionsBeyondTheCapAreClosed) {
  HttpOptions options = TestOptions();
  options.max_connections = 2;
  StartServer(options, [](Request&) { return Text("in"); });
  const int first = Connect(server_->port());
  const int second = Connect(server_->port());
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  ASSERT_TRUE(WaitFor([&] { return server_->connections() == 2; }));

  const int third = Connect(server_->port());
  ASSERT_GE(third, 0);  // the kernel accepts; the server then closes it
  const Received refused = Receive(third, 5s);
  EXPECT_TRUE(refused.closed);
  EXPECT_EQ(refused.data, "");
  close(third);
  EXPECT_EQ(server_->connections(), 2);

  ASSERT_TRUE(SendAll(first, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  const Received served = Receive(first, 5s);
  EXPECT_TRUE(served.data.ends_with("\r\n\r\nin")) << served.data;
  close(first);
  close(second);
}

TEST(PercentDecodeTest, Cases) {
  EXPECT_EQ(PercentDecode("%41%zz+b", true), "A%zz b");
  EXPECT_EQ(PercentDecode("%41%zz+b", false), "A%zz+b");
  EXPECT_EQ(PercentDecode("", true), "");
  EXPECT_EQ(PercentDecode("plain", false), "plain");
  EXPECT_EQ(PercentDecode("%2f%2F", false), "//");
  EXPECT_EQ(PercentDecode("%c3%A9t%C3%A9", false), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%4", false), "%4");
  EXPECT_EQ(PercentDecode("%%41", false), "%A");
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("%00x", false), std::string("\0x", 2));
}

}  // namespace
}  // namespace ecoute::server
