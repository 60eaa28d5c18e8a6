// The fetcher against a real HTTP server on loopback (testing_http_server.h).
#include "fetch/fetcher.h"

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

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

// The test server is on loopback, which the outbound policy refuses unless told.
std::vector<IpRange> Ranges(const std::vector<std::string>& texts) {
  Result<std::vector<IpRange>> ranges = ParseIpRanges(texts);
  EXPECT_TRUE(ranges) << ranges.error().ToString();
  return ranges ? *ranges : std::vector<IpRange>{};
}

FetchOptions Quick() {
  FetchOptions options;
  options.timeout_ms = 5000;
  options.connect_timeout_ms = 2000;
  options.outbound.allow_private = Ranges({"127.0.0.0/8"});
  return options;
}

const std::string kHint = " (allow it with [outbound] allow_private)";

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

TEST(FetchTest, HttpErrorsAsResultsKeepTheStatusHeadersAndRetryAfter) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/busy") return HttpResponse{429, {{"Retry-After", " 120 "}}, "slow down", 0};
    return HttpResponse{200, {{"X-Thing", "a"}}, "ok", 0};
  });
  FetchOptions options = Quick();
  options.honor_robots = false;
  auto refused = Fetch(server.Url("/busy"), options);
  ASSERT_FALSE(refused.has_value());  // by default an error, as before
  EXPECT_EQ(refused.error().message(), server.Url("/busy") + ": HTTP 429");

  options.http_errors_as_results = true;
  auto busy = Fetch(server.Url("/busy"), options);
  ASSERT_TRUE(busy.has_value()) << busy.error().ToString();
  EXPECT_EQ(busy->status, 429);
  EXPECT_EQ(busy->retry_after, "120");
  EXPECT_EQ(busy->body, "slow down");
  auto fine = Fetch(server.Url("/"), options);
  ASSERT_TRUE(fine.has_value()) << fine.error().ToString();
  EXPECT_EQ(fine->retry_after, "");
  bool found = false;
  for (const auto& [name, value] : fine->headers)
    found = found || (name == "x-thing" && value == "a");
  EXPECT_TRUE(found);
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

TEST(FetchTest, ALoopbackServerIsRefusedUnlessAllowed) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/feed.xml") return HttpResponse{200, {}, "<rss/>", 0};
    return NotFound();
  });
  FetchOptions strict = Quick();
  strict.outbound.allow_private.clear();
  auto refused = Fetch(server.Url("/feed.xml"), strict);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.error().message(), server.Url("/feed.xml") +
                                           ": refused by the outbound policy: 127.0.0.1 is a "
                                           "loopback address" +
                                           kHint);
  // Every spelling of the address, and the names that lead to it, refused before a byte
  // reaches the server.
  const std::string port = server.Url("").substr(std::string("http://127.0.0.1:").size());
  const std::pair<std::string, std::string> spellings[] = {
      {"2130706433", "127.0.0.1 is a loopback address"},
      {"0x7f000001", "127.0.0.1 is a loopback address"},
      {"0177.0.0.1", "127.0.0.1 is a loopback address"},
      {"127.1", "127.0.0.1 is a loopback address"},
      {"127.0.0.1.", "127.0.0.1 is a loopback address"},
      {"[::1]", "::1 is a loopback address"},
      {"[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address"},
      {"[::ffff:7f00:1]", "::ffff:127.0.0.1 is a loopback address"},
      {"localhost", "localhost is an internal host name"},
  };
  for (const auto& [host, why] : spellings) {
    const std::string url = "http://" + host + ":" + port + "/feed.xml";
    auto result = Fetch(url, strict);
    ASSERT_FALSE(result.has_value()) << url;
    EXPECT_EQ(result.error().code(), StatusCode::kPermissionDenied) << url;
    EXPECT_EQ(result.error().message(), url + ": refused by the outbound policy: " + why + kHint);
  }
  EXPECT_TRUE(server.Requests().empty());

  // Allowed, the same spellings reach it: the refusals above were the policy's.
  auto allowed = Fetch(server.Url("/feed.xml"), Quick());
  ASSERT_TRUE(allowed.has_value()) << allowed.error().ToString();
  EXPECT_EQ(allowed->body, "<rss/>");
  auto decimal = Fetch("http://2130706433:" + port + "/feed.xml", Quick());
  ASSERT_TRUE(decimal.has_value()) << decimal.error().ToString();
  EXPECT_EQ(decimal->body, "<rss/>");
  EXPECT_EQ(server.Requests().size(), 4u);  // robots.txt and the feed, twice
}

TEST(FetchTest, TheAddressANameLeadsToIsCheckedOnConnection) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "secret", 0}; });
  const std::string port = server.Url("").substr(std::string("http://127.0.0.1:").size());
  // An allow-list for another range: the name is no longer refused up front, so only the
  // check of the address libcurl connects to stands between it and the server.
  FetchOptions intranet = Quick();
  intranet.outbound.allow_private = Ranges({"10.0.0.0/8"});
  for (const bool robots : {true, false}) {
    intranet.honor_robots = robots;
    const std::string url = "http://localhost:" + port + "/internal";
    auto result = Fetch(url, intranet);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), StatusCode::kPermissionDenied);
    // The class the name resolves to, not the address, and nothing the system said.
    EXPECT_EQ(
        result.error().message(),
        url + ": refused by the outbound policy: localhost resolves to a loopback address" + kHint);
  }
  EXPECT_TRUE(server.Requests().empty());
}

TEST(FetchTest, ARedirectIsCheckedAsTheFirstUrlWas) {
  std::string port;
  HttpServer server([&](const HttpRequest& r) {
    const std::map<std::string, std::string> targets = {
        {"/to-other-loopback", "http://127.0.0.2:" + port + "/feed"},
        {"/to-ipv6-loopback", "http://[::1]:" + port + "/feed"},
        {"/to-mapped", "http://[::ffff:127.0.0.3]:" + port + "/feed"},
        {"/to-metadata", "http://169.254.169.254/latest/meta-data/"},
        {"/to-credentials", "http://user:pw@127.0.0.1:" + port + "/feed"},
        {"/to-allowed", "/feed"},
    };
    if (auto it = targets.find(r.path); it != targets.end()) {
      return HttpResponse{302, {{"Location", it->second}}, "", 0};
    }
    if (r.path == "/feed") return HttpResponse{200, {}, "<rss/>", 0};
    return NotFound();
  });
  port = server.Url("").substr(std::string("http://127.0.0.1:").size());
  // The server's one address is allowed; the rest of loopback is not.
  FetchOptions options = Quick();
  options.honor_robots = false;
  options.outbound.allow_private = Ranges({"127.0.0.1/32"});

  auto allowed = Fetch(server.Url("/to-allowed"), options);
  ASSERT_TRUE(allowed.has_value()) << allowed.error().ToString();
  EXPECT_EQ(allowed->body, "<rss/>");
  EXPECT_EQ(allowed->redirects, 1);
  EXPECT_EQ(allowed->url, server.Url("/feed"));

  struct Refused {
    std::string path;
    StatusCode code;
    std::string message;
  };
  const Refused refused[] = {
      {"/to-other-loopback", StatusCode::kPermissionDenied,
       "redirected to http://127.0.0.2:" + port +
           ": refused by the outbound policy: 127.0.0.2 is a loopback address" + kHint},
      {"/to-ipv6-loopback", StatusCode::kPermissionDenied,
       "redirected to http://[::1]:" + port +
           ": refused by the outbound policy: ::1 is a loopback address" + kHint},
      {"/to-mapped", StatusCode::kPermissionDenied,
       "redirected to http://[::ffff:127.0.0.3]:" + port +
           ": refused by the outbound policy: ::ffff:127.0.0.3 is a loopback address" + kHint},
      {"/to-metadata", StatusCode::kPermissionDenied,
       "redirected to http://169.254.169.254: refused by the outbound policy: 169.254.169.254 "
       "is a link-local address" +
           kHint},
      // Its user info is left out of the message, as it is of the request.
      {"/to-credentials", StatusCode::kInvalidArgument,
       "redirected to http://127.0.0.1:" + port +
           ": user names and passwords in URLs are not accepted"},
  };
  for (const Refused& r : refused) {
    SCOPED_TRACE(r.path);
    auto result = Fetch(server.Url(r.path), options);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code(), r.code);
    EXPECT_EQ(result.error().message(), server.Url(r.path) + ": " + r.message);
  }
  // Only the first hops reached the server (the allowed redirect's target once).
  std::vector<std::string> paths;
  for (const HttpRequest& r : server.Requests()) paths.push_back(r.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/to-allowed", "/feed", "/to-other-loopback",
                                             "/to-ipv6-loopback", "/to-mapped", "/to-metadata",
                                             "/to-credentials"}));
}

TEST(FetchTest, ProxiesFromTheEnvironmentAreIgnored) {
  // A proxy would connect on the client's behalf, out of the guard's sight: with one set in
  // the environment, a refused address stays refused and an allowed one is reached
  // directly.
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "direct", 0}; });
  ::setenv("http_proxy", "http://192.0.2.1:3128", 1);
  ::setenv("ALL_PROXY", "http://192.0.2.1:3128", 1);
  FetchOptions strict = Quick();
  strict.outbound.allow_private.clear();
  auto refused = Fetch(server.Url("/a"), strict);
  auto direct = Fetch(server.Url("/a"), Quick());
  ::unsetenv("http_proxy");
  ::unsetenv("ALL_PROXY");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(direct.has_value()) << direct.error().ToString();
  EXPECT_EQ(direct->body, "direct");
}

TEST(HttpPostTest, PostsAndReturnsTheStatusWithoutFollowingARedirect) {
  HttpServer server([](const HttpRequest& r) {
    if (r.path == "/moved") return HttpResponse{302, {{"Location", "/hook"}}, "", 0};
    if (r.path == "/slow") return HttpResponse{200, {}, "", 700};
    if (r.path == "/big") return HttpResponse{200, {}, std::string(100'000, 'x'), 0};
    return HttpResponse{r.path == "/hook" ? 201 : 404, {}, "ok", 0};
  });
  FetchOptions options = Quick();
  options.max_bytes = 1000;
  Result<long> status = HttpPost(server.Url("/hook"), {"Content-Type: application/json", "X-A: b"},
                                 "{\"a\":1}", options);
  ASSERT_TRUE(status.has_value()) << status.error().ToString();
  EXPECT_EQ(*status, 201);
  std::vector<HttpRequest> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].body, "{\"a\":1}");
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(requests[0].headers.at("x-a"), "b");
  EXPECT_EQ(requests[0].headers.at("user-agent"), options.user_agent);

  Result<long> moved = HttpPost(server.Url("/moved"), {}, "x", options);
  ASSERT_TRUE(moved.has_value()) << moved.error().ToString();
  EXPECT_EQ(*moved, 302);
  Result<long> big = HttpPost(server.Url("/big"), {}, "x", options);  // the answer is dropped
  ASSERT_TRUE(big.has_value()) << big.error().ToString();
  EXPECT_EQ(*big, 200);
  EXPECT_EQ(server.Requests().size(), 3u);  // the redirect was not followed

  options.timeout_ms = 200;
  Result<long> slow = HttpPost(server.Url("/slow"), {}, "x", options);
  ASSERT_FALSE(slow.has_value());
  EXPECT_EQ(slow.error().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(slow.error().message(), "timeout after 200 ms");
}

TEST(HttpPostTest, ARefusedAddressIsNeverConnectedTo) {
  HttpServer server([](const HttpRequest&) { return HttpResponse{200, {}, "ok", 0}; });
  const std::string port = server.Url("").substr(std::string("http://127.0.0.1:").size());
  FetchOptions strict = Quick();
  strict.outbound.allow_private.clear();
  const std::pair<std::string, std::string> refused[] = {
      {server.Url("/hook"), "127.0.0.1 is a loopback address"},
      {"http://0x7f000001:" + port + "/hook", "127.0.0.1 is a loopback address"},
      {"http://[::ffff:127.0.0.1]:" + port + "/hook", "::ffff:127.0.0.1 is a loopback address"},
      {"http://localhost:" + port + "/hook", "localhost is an internal host name"},
  };
  for (const auto& [url, why] : refused) {
    Result<long> status = HttpPost(url, {}, "x", strict);
    ASSERT_FALSE(status.has_value()) << url;
    EXPECT_EQ(status.error().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(status.error().message(), "refused by the outbound policy: " + why + kHint);
  }
  // On connection too: the name passes the first check with an allow-list for elsewhere.
  FetchOptions intranet = Quick();
  intranet.outbound.allow_private = Ranges({"10.0.0.0/8"});
  Result<long> named = HttpPost("http://localhost:" + port + "/hook", {}, "x", intranet);
  ASSERT_FALSE(named.has_value());
  EXPECT_EQ(named.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(named.error().message(),
            "refused by the outbound policy: localhost resolves to a loopback address" + kHint);
  EXPECT_TRUE(server.Requests().empty());

  Result<long> credentials = HttpPost("http://user:pw@127.0.0.1:" + port + "/", {}, "x", Quick());
  ASSERT_FALSE(credentials.has_value());
  EXPECT_EQ(credentials.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(credentials.error().message(), "user names and passwords in URLs are not accepted");

  // An allowed address keeps the system's reason.
  std::string closed;
  {
    HttpServer gone([](const HttpRequest&) { return NotFound(); });
    closed = gone.Url("/hook");
  }
  Result<long> refused_connection = HttpPost(closed, {}, "x", Quick());
  ASSERT_FALSE(refused_connection.has_value());
  EXPECT_EQ(refused_connection.error().code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused_connection.error().message(), "cannot connect: Connection refused");
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
