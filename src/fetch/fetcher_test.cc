// The fetcher against a real HTTP server on loopback (testing_http_server.h).
#include "fetch/fetcher.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "fetch/testing_http_server.h"

namespace ecoute {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;

HttpResponse NotFound() { return {404, {}, "no such page", 0}; }

std::string Gzip(const std::string& text) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY);  // 31: gzip
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

FetchOptions Quick() {
  FetchOptions options;
  options.timeout_ms = 5000;
  options.connect_timeout_ms = 2000;
  return options;
}

TEST(FetchTest, GetsAPageAndSaysWhoAsks) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/feed.xml") {
      return HttpResponse{200, {{"Content-Type", "application/rss+xml"}}, "<rss/>", 0};
    }
    return NotFound();
  });
  auto result = Fetch(server.Url("/feed.xml"), Quick());
  ASSERT_TRUE(result.has_value()) << result.error().ToString();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "<rss/>");
  EXPECT_EQ(result->content_type, "application/rss+xml");
  EXPECT_EQ(result->url, server.Url("/feed.xml"));
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);  // robots.txt first (404: everything allowed), then the page
  EXPECT_EQ(requests[0].path, "/robots.txt");
  EXPECT_EQ(requests[1].path, "/feed.xml");
  EXPECT_EQ(requests[1].headers.at("user-agent"), Quick().user_agent);
  EXPECT_NE(requests[1].headers.at("accept-encoding").find("gzip"), std::string::npos);
}

TEST(FetchTest, FollowsRedirectsWithinTheBound) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/old") return HttpResponse{301, {{"Location", "/new"}}, "", 0};
    if (r.path == "/new") return HttpResponse{200, {}, "moved here", 0};
    if (r.path.rfind("/loop", 0) == 0) {
      return HttpResponse{302, {{"Location", r.path + "x"}}, "", 0};
    }
    return NotFound();
  });
  auto moved = Fetch(server.Url("/old"), Quick());
  ASSERT_TRUE(moved.has_value()) << moved.error().ToString();
  EXPECT_EQ(moved->body, "moved here");
  EXPECT_EQ(moved->url, server.Url("/new"));
  EXPECT_EQ(moved->redirects, 1);

  auto loop = Fetch(server.Url("/loop"), Quick());
  ASSERT_FALSE(loop.has_value());
  EXPECT_EQ(loop.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(loop.error().message(), server.Url("/loop") + ": more than 5 redirects");
}

TEST(FetchTest, DecodesGzipAndStopsPastTheSizeLimit) {
  const std::string page(5000, 'a');
  HttpServer server([&](const HttpRequest& r) {
    if (r.path == "/gz") return HttpResponse{200, {{"Content-Encoding", "gzip"}}, Gzip(page), 0};
    if (r.path == "/big") return HttpResponse{200, {}, page, 0};
    return NotFound();
  });
  auto gz = Fetch(server.Url("/gz"), Quick());
  ASSERT_TRUE(gz.has_value()) << gz.error().ToString();
  EXPECT_EQ(gz->body, page);

  FetchOptions small = Quick();
  small.max_bytes = 1000;
  auto big = Fetch(server.Url("/big"), small);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(big.error().message(),
            server.Url("/big") + ": larger than 1000 bytes (raise the size limit to fetch it)");
}

TEST(FetchTest, ConditionalGetAnswersNotModified) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path != "/feed") return NotFound();
    const auto match = r.headers.find("if-none-match");
    if (match != r.headers.end() && match->second == "\"v1\"") return HttpResponse{304, {}, "", 0};
    return HttpResponse{200,
                        {{"ETag", "\"v1\""}, {"Last-Modified", "Mon, 23 Nov 2026 08:00:00 GMT"}},
                        "<feed/>",
                        0};
  });
  auto first = Fetch(server.Url("/feed"), Quick());
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_FALSE(first->not_modified);
  EXPECT_EQ(first->etag, "\"v1\"");
  EXPECT_EQ(first->last_modified, "Mon, 23 Nov 2026 08:00:00 GMT");

  FetchOptions again = Quick();
  again.etag = first->etag;
  again.last_modified = first->last_modified;
  auto second = Fetch(server.Url("/feed"), again);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_TRUE(second->not_modified);
  EXPECT_EQ(second->status, 304);
  EXPECT_EQ(second->body, "");
  EXPECT_EQ(server.Requests().back().headers.at("if-modified-since"),
            "Mon, 23 Nov 2026 08:00:00 GMT");
}

TEST(FetchTest, HonorsRobotsTxt) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/robots.txt") {
      return HttpResponse{200, {}, "User-agent: *\nDisallow: /private\n", 0};
    }
    return HttpResponse{200, {}, "page " + r.path, 0};
  });
  auto denied = Fetch(server.Url("/private/a.html"), Quick());
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(denied.error().message(),
            server.Url("/private/a.html") + ": disallowed by " + server.Url("/robots.txt"));
  auto allowed = Fetch(server.Url("/public/b.html"), Quick());
  ASSERT_TRUE(allowed.has_value()) << allowed.error().ToString();
  EXPECT_EQ(allowed->body, "page /public/b.html");
  FetchOptions rude = Quick();
  rude.honor_robots = false;
  EXPECT_TRUE(Fetch(server.Url("/private/a.html"), rude).has_value());
}

TEST(FetchTest, AnUnreachableRobotsTxtStopsTheFetch) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/robots.txt") return HttpResponse{503, {}, "busy", 0};
    return HttpResponse{200, {}, "page", 0};
  });
  auto result = Fetch(server.Url("/a"), Quick());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.error().message().find("robots.txt unreachable (HTTP 503"), std::string::npos)
      << result.error().message();
}

TEST(FetchTest, ErrorsSayWhichUrlAndWhy) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/slow") return HttpResponse{200, {}, "late", 700};
    return NotFound();
  });
  FetchOptions impatient = Quick();
  impatient.honor_robots = false;
  impatient.timeout_ms = 200;
  auto slow = Fetch(server.Url("/slow"), impatient);
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(slow.error().message().rfind(server.Url("/slow") + ": timed out", 0), 0u)
      << slow.error().message();

  auto missing = Fetch(server.Url("/nope"), Quick());
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(), server.Url("/nope") + ": HTTP 404");

  for (const std::string url : {"ftp://example.org/feed", "file:///etc/passwd", "not a url"}) {
    auto refused = Fetch(url, Quick());
    ASSERT_FALSE(refused.has_value()) << url;
    EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(refused.error().message(), url + ": not an http or https URL");
  }
}

TEST(FetchTest, AClosedPortIsUnavailable) {
  std::string url;
  {
    HttpServer server([](const HttpRequest&) { return NotFound(); });
    url = server.Url("/gone");
  }  // the server is gone: nothing listens on its port now
  auto result = Fetch(url, Quick());
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.error().message().rfind(url + ": robots.txt unreachable", 0), 0u)
      << result.error().message();
}

TEST(RobotsTest, TheLongestMatchingRuleWins) {
  const std::string robots =
      "# comment\n"
      "User-agent: *\n"
      "Disallow: /private\n"
      "Allow: /private/open\n"
      "Disallow: /*.pdf$\n"
      "\n"
      "User-agent: BadBot\n"
      "Disallow: /\n";
  EXPECT_FALSE(RobotsAllow(robots, "ecoute", "/private/x"));
  EXPECT_TRUE(RobotsAllow(robots, "ecoute", "/private/open/x"));
  EXPECT_FALSE(RobotsAllow(robots, "ecoute", "/docs/a.pdf"));
  EXPECT_TRUE(RobotsAllow(robots, "ecoute", "/docs/a.pdf?x=1"));  // "$" anchors the end
  EXPECT_TRUE(RobotsAllow(robots, "ecoute", "/blog/post"));
  EXPECT_FALSE(RobotsAllow(robots, "badbot", "/blog/post"));  // its own group, any case
}

TEST(RobotsTest, AnAgentsOwnGroupReplacesTheStarGroup) {
  const std::string robots =
      "User-agent: *\nDisallow: /\n\nUser-agent: ecoute\nUser-agent: other\nDisallow: /admin\n";
  EXPECT_TRUE(RobotsAllow(robots, "ecoute", "/blog"));
  EXPECT_FALSE(RobotsAllow(robots, "ecoute", "/admin/x"));
  EXPECT_FALSE(RobotsAllow(robots, "somebot", "/blog"));
  EXPECT_TRUE(RobotsAllow("User-agent: *\nDisallow:\n", "ecoute", "/x"));  // empty: allow
  EXPECT_TRUE(RobotsAllow("", "ecoute", "/x"));
}

}  // namespace
}  // namespace ecoute
