// FetchStream: a GET whose body is handed over as it arrives, against a loopback server.
#include <chrono>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "fetch/fetcher.h"
#include "fetch/testing_http_server.h"

namespace ecoute {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;

const std::string kToken = "Bearer tok-123456789";

FetchOptions Loopback() {
  FetchOptions options;
  options.connect_timeout_ms = 2000;
  options.outbound.allow_private = *ParseIpRanges({"127.0.0.0/8"});
  return options;
}

// FetchStream of `url` with the token header, the body gathered.
struct Gathered {
  Result<StreamHead> head = StreamHead{};
  std::vector<long> head_statuses;  // NOLINT(google-runtime-int): libcurl's type
  std::string body;
};

Gathered Gather(const std::string& url, const FetchOptions& options, long idle_ms = 5000,
                std::stop_token stop = {}) {
  Gathered g;
  StreamRequest request{url, {"Authorization: " + kToken}, idle_ms, std::move(stop)};
  g.head = FetchStream(
      request, options,
      [&](const StreamHead& head) {
        g.head_statuses.push_back(head.status);
        return true;
      },
      [&](std::string_view chunk) {
        g.body.append(chunk);
        return true;
      });
  return g;
}

TEST(FetchStreamTest, HandsTheHeadThenTheBodyWithTheHeadersSent) {
  HttpServer server([](const HttpRequest&) {
    return HttpResponse{200,
                        {{"Content-Type", "text/event-stream"}, {"Retry-After", "7"}},
                        std::string(100'000, 'x')};
  });
  const Gathered g = Gather(server.Url("/stream?tag=a"), Loopback());
  ASSERT_TRUE(g.head.has_value()) << g.head.error().message();
  EXPECT_EQ(g.head->status, 200);
  EXPECT_EQ(g.head->Header("content-type"), "text/event-stream");
  EXPECT_EQ(g.head->Header("retry-after"), "7");
  EXPECT_FALSE(g.head->stopped);
  EXPECT_EQ(g.head_statuses, std::vector<long>{200});
  EXPECT_EQ(g.body, std::string(100'000, 'x'));
  EXPECT_EQ(server.Requests().at(0).headers.at("authorization"), kToken);
}

TEST(FetchStreamTest, AnErrorStatusKeepsItsBodyOutOfTheChunks) {
  HttpServer server([](const HttpRequest&) {
    return HttpResponse{429, {{"Retry-After", "30"}}, "{\"error\":\"slow down\"}"};
  });
  const Gathered g = Gather(server.Url("/x"), Loopback());
  ASSERT_TRUE(g.head.has_value());
  EXPECT_EQ(g.head->status, 429);
  EXPECT_EQ(g.head->Header("retry-after"), "30");
  EXPECT_EQ(g.head->error_body, "{\"error\":\"slow down\"}");
  EXPECT_EQ(g.body, "");
}

TEST(FetchStreamTest, ASilentServerIsStalledAndTheMessageHasNoToken) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "late", 1500}; });
  const Gathered g = Gather(server.Url("/x"), Loopback(), 300);
  ASSERT_FALSE(g.head.has_value());
  EXPECT_EQ(g.head.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(g.head.error().message().find("stalled"), std::string::npos);
  EXPECT_EQ(g.head.error().message().find("tok-"), std::string::npos);
}

TEST(FetchStreamTest, StopsPromptlyFromAnotherThread) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "late", 3000}; });
  std::stop_source source;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    source.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  const Gathered g = Gather(server.Url("/x"), Loopback(), 10'000, source.get_token());
  const auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  ASSERT_TRUE(g.head.has_value());
  EXPECT_TRUE(g.head->stopped);
  EXPECT_LT(took, std::chrono::milliseconds(1000));
}

TEST(FetchStreamTest, ARedirectToAnotherHostDoesNotCarryTheHeaders) {
  HttpServer target([](const HttpRequest&) { return HttpResponse{200, {}, "there"}; });
  HttpServer same([&](const HttpRequest& r) {
    if (r.path == "/final") return HttpResponse{200, {}, "here"};
    return HttpResponse{302, {{"Location", "/final"}}, "moved"};
  });
  HttpServer elsewhere([&](const HttpRequest&) {
    const std::string to = "http://localhost:" + target.Url("/").substr(17);
    return HttpResponse{302, {{"Location", to}}, ""};
  });
  Gathered g = Gather(same.Url("/start"), Loopback());
  ASSERT_TRUE(g.head.has_value()) << g.head.error().message();
  EXPECT_EQ(g.body, "here");
  EXPECT_EQ(g.head->redirects, 1);
  EXPECT_EQ(same.Requests().at(1).headers.at("authorization"), kToken);

  g = Gather(elsewhere.Url("/start"), Loopback());
  ASSERT_TRUE(g.head.has_value()) << g.head.error().message();
  EXPECT_EQ(g.body, "there");
  EXPECT_EQ(target.Requests().at(0).headers.count("authorization"), 0u);
}

TEST(FetchStreamTest, TheOutboundPolicyHolds) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "x"}; });
  const Gathered g = Gather(server.Url("/x"), FetchOptions{});
  ASSERT_FALSE(g.head.has_value());
  EXPECT_EQ(g.head.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(g.head.error().message().find("tok-"), std::string::npos);
}

}  // namespace
}  // namespace ecoute
