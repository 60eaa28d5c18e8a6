// The watcher against a real HTTP server on loopback, with a clock moved by hand.
#include "watch/watcher.h"

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ecoute/datetime.h"
#include "ecoute/store.h"

#include "fetch/testing_http_server.h"
#include "store/sqlite/testing.h"
#include "util/testing_event_counter.h"

namespace ecoute::server {
namespace {

using ecoute::testing::HttpRequest;
using ecoute::testing::HttpResponse;
using ecoute::testing::HttpServer;

constexpr int64_t kT0 = 1'800'000'000;

// An RSS feed of `items` entries, guids shop.example/1.. .
std::string Feed(int items) {
  std::string xml =
      "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Shop</title>"
      "<link>https://shop.example/</link>";
  for (int i = 1; i <= items; ++i) {
    const std::string n = std::to_string(i);
    xml += "<item><guid>https://shop.example/" + n + "</guid><title>Order " + n +
           "</title><description>My order " + n + " is late</description></item>";
  }
  return xml + "</channel></rss>";
}

// A site whose answers a test changes as it goes; the server thread reads them.
struct Site {
  std::mutex mutex;
  int status = 200;
  std::string etag = "\"v1\"";
  std::string last_modified = "Mon, 05 Jan 2026 09:00:00 GMT";
  std::string body = Feed(3);
  std::string robots;                                              // "" : no robots.txt (404)
  std::vector<std::pair<std::string, std::string>> error_headers;  // with a status other than 200

  HttpResponse Answer(const HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mutex);
    if (request.path == "/robots.txt") {
      if (robots.empty()) return {404, {}, "", 0};
      return {200, {{"Content-Type", "text/plain"}}, robots, 0};
    }
    if (status != 200) return {status, error_headers, "oops", 0};
    const auto match = request.headers.find("if-none-match");
    if (!etag.empty() && match != request.headers.end() && match->second == etag) {
      return {304, {{"ETag", etag}}, "", 0};
    }
    HttpResponse response{200, {{"Content-Type", "application/rss+xml"}}, body, 0};
    if (!etag.empty()) response.headers.emplace_back("ETag", etag);
    if (!last_modified.empty()) response.headers.emplace_back("Last-Modified", last_modified);
    return response;
  }
};

class WatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_watcher_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ecoute.db").string();
    // The store creates the file; the watcher adds its tables to it.
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
    ASSERT_TRUE(store) << store.error().ToString();
    options_.min_host_interval_seconds = 0;  // one loopback host for every source
    options_.fetch.timeout_ms = 5000;
    options_.fetch.connect_timeout_ms = 2000;
    // The test server is on loopback, which the outbound policy refuses unless told.
    options_.fetch.outbound.allow_private = ParseIpRanges({"127.0.0.0/8"}).value();
    Open();
  }
  void TearDown() override {
    watcher_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    watcher_.reset();
    Result<std::unique_ptr<Watcher>> opened = Watcher::Open(path_, clock_, options_);
    ASSERT_TRUE(opened) << opened.error().ToString();
    watcher_ = std::move(opened).value();
  }

  WatchedSource AddSource(const std::string& url, std::string format = "feed",
                          int64_t interval = 900) {
    WatchedSource source;
    source.url = url;
    source.format = std::move(format);
    source.interval_seconds = interval;
    Result<WatchedSource> added = watcher_->Add(source);
    EXPECT_TRUE(added) << added.error().ToString();
    return added ? *added : WatchedSource{};
  }

  WatchedSource Get(int64_t id) {
    Result<WatchedSource> source = watcher_->Get(id);
    EXPECT_TRUE(source) << source.error().ToString();
    return source ? *source : WatchedSource{};
  }

  // A sink that keeps what it is given, or fails with `fail_with` when set.
  Watcher::Sink Keep() {
    return [this](std::vector<Post>& posts, const WatchedSource& source) -> Status {
      ++sink_calls_;
      if (!fail_with_.empty()) return InternalError(fail_with_);
      for (Post& post : posts) received_.push_back(std::move(post));
      last_source_id_ = source.id;
      return OkStatus();
    };
  }

  std::filesystem::path dir_;
  std::string path_;
  ManualClock clock_{kT0};
  WatcherOptions options_;
  std::unique_ptr<Watcher> watcher_;
  std::vector<Post> received_;
  int sink_calls_ = 0;
  int64_t last_source_id_ = 0;
  std::string fail_with_;
};

TEST_F(WatcherTest, PollsAFeedAndHandsItsPostsToTheSink) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource source = AddSource(server.Url("/feed.xml"));
  EXPECT_EQ(source.next_poll_at, kT0);  // due at once
  EXPECT_EQ(source.created_at, kT0);

  const PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 1);
  EXPECT_EQ(report.posts, 3);
  EXPECT_EQ(report.errors, 0);
  EXPECT_EQ(report.not_modified, 0);
  EXPECT_EQ(report.deferred, 0);
  ASSERT_EQ(received_.size(), 3u);
  EXPECT_EQ(received_[0].id, "https://shop.example/1");
  EXPECT_EQ(received_[2].id, "https://shop.example/3");
  EXPECT_EQ(received_[0].source, "rss");
  EXPECT_EQ(last_source_id_, source.id);

  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);  // a feed: no robots.txt
  EXPECT_EQ(requests[0].path, "/feed.xml");
  EXPECT_EQ(requests[0].headers.count("if-none-match"), 0u);

  const WatchedSource after = Get(source.id);
  EXPECT_EQ(after.etag, "\"v1\"");
  EXPECT_EQ(after.last_modified, "Mon, 05 Jan 2026 09:00:00 GMT");
  EXPECT_EQ(after.failures, 0);
  EXPECT_EQ(after.last_error, "");
  EXPECT_EQ(after.last_polled_at, kT0);
  EXPECT_EQ(after.last_success_at, kT0);
  EXPECT_EQ(after.next_poll_at, kT0 + 900);
  EXPECT_EQ(after.posts_seen, 3);

  // Not due again before its interval.
  clock_.Advance(899);
  EXPECT_EQ(watcher_->PollDue(Keep()).polled, 0);
  EXPECT_EQ(server.Requests().size(), 1u);

  const Watcher::Counters counters = watcher_->counters();
  EXPECT_EQ(counters.polls, 1);
  EXPECT_EQ(counters.posts, 3);
  EXPECT_EQ(counters.errors, 0);
}

TEST_F(WatcherTest, SecondPollIsConditionalAndAnswered304) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource source = AddSource(server.Url("/feed.xml"));
  ASSERT_EQ(watcher_->PollDue(Keep()).posts, 3);

  clock_.Advance(900);
  const PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 1);
  EXPECT_EQ(report.not_modified, 1);
  EXPECT_EQ(report.posts, 0);
  EXPECT_EQ(report.errors, 0);
  EXPECT_EQ(sink_calls_, 1);  // the 304 brought nothing to store
  EXPECT_EQ(received_.size(), 3u);

  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].headers.at("if-none-match"), "\"v1\"");
  EXPECT_EQ(requests[1].headers.at("if-modified-since"), "Mon, 05 Jan 2026 09:00:00 GMT");

  const WatchedSource after = Get(source.id);
  EXPECT_EQ(after.etag, "\"v1\"");
  EXPECT_EQ(after.last_modified, "Mon, 05 Jan 2026 09:00:00 GMT");  // kept: the 304 had none
  EXPECT_EQ(after.next_poll_at, kT0 + 1800);
  EXPECT_EQ(after.last_success_at, kT0 + 900);
  EXPECT_EQ(after.posts_seen, 3);
  EXPECT_EQ(watcher_->counters().not_modified, 1);

  // A new version: fetched in full, with its own validators.
  {
    std::lock_guard<std::mutex> lock(site.mutex);
    site.etag = "\"v2\"";
    site.body = Feed(4);
  }
  clock_.Advance(900);
  EXPECT_EQ(watcher_->PollDue(Keep()).posts, 4);
  EXPECT_EQ(Get(source.id).etag, "\"v2\"");
  EXPECT_EQ(Get(source.id).posts_seen, 7);
}

TEST_F(WatcherTest, ErrorsBackOffExponentiallyUpToTheCapAndASuccessResets) {
  options_.max_backoff_seconds = 1000;
  Open();
  Site site;
  site.status = 500;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource source = AddSource(server.Url("/feed.xml?token=s3cret"), "feed", 100);

  const int64_t expected_delays[] = {200, 400, 800, 1000, 1000};
  for (int i = 0; i < 5; ++i) {
    const int64_t now = clock_.Now();
    const PollReport report = watcher_->PollDue(Keep());
    EXPECT_EQ(report.polled, 1);
    EXPECT_EQ(report.errors, 1);
    const WatchedSource after = Get(source.id);
    EXPECT_EQ(after.failures, i + 1);
    EXPECT_EQ(after.next_poll_at, now + expected_delays[i]) << "failure " << i + 1;
    EXPECT_EQ(after.last_polled_at, now);
    EXPECT_FALSE(after.last_success_at.has_value());
    EXPECT_EQ(after.last_error, "HTTP 500");  // the reason, not the URL and its query
    EXPECT_EQ(after.error_kind, "server_error");
    EXPECT_FALSE(after.rate_limited_until.has_value());
    // Not retried before its time.
    clock_.Set(after.next_poll_at - 1);
    EXPECT_EQ(watcher_->PollDue(Keep()).polled, 0);
    clock_.Set(after.next_poll_at);
  }
  EXPECT_EQ(sink_calls_, 0);

  {
    std::lock_guard<std::mutex> lock(site.mutex);
    site.status = 200;
  }
  const int64_t now = clock_.Now();
  const PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.errors, 0);
  EXPECT_EQ(report.posts, 3);
  const WatchedSource after = Get(source.id);
  EXPECT_EQ(after.failures, 0);
  EXPECT_EQ(after.last_error, "");
  EXPECT_EQ(after.error_kind, "");
  EXPECT_EQ(after.next_poll_at, now + 100);
  EXPECT_EQ(after.last_success_at, now);

  const Watcher::Counters counters = watcher_->counters();
  EXPECT_EQ(counters.polls, 6);
  EXPECT_EQ(counters.errors, 5);
}

TEST_F(WatcherTest, PolitenessDefersASecondSourceOnTheSameHost) {
  options_.min_host_interval_seconds = 10;
  Open();
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource first = AddSource(server.Url("/a.xml"));
  const WatchedSource second = AddSource(server.Url("/b.xml"));

  PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 1);
  EXPECT_EQ(report.deferred, 1);
  ASSERT_EQ(server.Requests().size(), 1u);
  EXPECT_EQ(server.Requests()[0].path, "/a.xml");  // due first (added first)
  EXPECT_EQ(Get(first.id).next_poll_at, kT0 + 900);
  EXPECT_EQ(Get(second.id).next_poll_at, kT0 + 10);
  EXPECT_EQ(Get(second.id).failures, 0);  // deferring is no failure

  clock_.Advance(9);
  report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 0);
  EXPECT_EQ(report.deferred, 0);

  clock_.Advance(1);
  report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 1);
  EXPECT_EQ(report.deferred, 0);
  ASSERT_EQ(server.Requests().size(), 2u);
  EXPECT_EQ(server.Requests()[1].path, "/b.xml");
  EXPECT_EQ(Get(second.id).next_poll_at, kT0 + 10 + 900);
}

TEST_F(WatcherTest, PolitenessOutlivesARestart) {
  options_.min_host_interval_seconds = 10;
  Open();
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  AddSource(server.Url("/a.xml"));
  ASSERT_EQ(watcher_->PollDue(Keep()).polled, 1);
  Open();
  const WatchedSource second = AddSource(server.Url("/b.xml"));
  EXPECT_EQ(watcher_->PollDue(Keep()).deferred, 1);
  EXPECT_EQ(Get(second.id).next_poll_at, kT0 + 10);
}

TEST_F(WatcherTest, DisabledSourceIsNotPolledUntilEnabled) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  WatchedSource source;
  source.url = server.Url("/feed.xml");
  source.format = "feed";
  source.enabled = false;
  Result<WatchedSource> added = watcher_->Add(source);
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_FALSE(added->enabled);

  clock_.Advance(5000);
  EXPECT_EQ(watcher_->PollDue(Keep()).polled, 0);
  EXPECT_TRUE(server.Requests().empty());

  WatchedSource enabled = *added;
  enabled.enabled = true;
  Result<WatchedSource> updated = watcher_->Update(enabled);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_TRUE(updated->enabled);
  EXPECT_EQ(watcher_->PollDue(Keep()).posts, 3);
}

TEST_F(WatcherTest, AddValidatesItsInput) {
  auto add = [&](const std::string& url, const std::string& format, int64_t interval) {
    WatchedSource source;
    source.url = url;
    source.format = format;
    source.interval_seconds = interval;
    return watcher_->Add(source);
  };
  const struct {
    std::string url;
    std::string format;
    int64_t interval;
  } invalid[] = {
      {"ftp://shop.example/feed.xml", "feed", 900},
      {"file:///etc/passwd", "auto", 900},
      {"not a url", "auto", 900},
      {"", "auto", 900},
      {"https://user:password@shop.example/feed.xml", "feed", 900},
      {"https://shop.example/feed.xml", "rss", 900},
      {"https://shop.example/feed.xml", "text", 900},
      {"https://shop.example/feed.xml", "feed", 59},
      {"https://shop.example/feed.xml", "feed", -1},
  };
  for (const auto& c : invalid) {
    Result<WatchedSource> added = add(c.url, c.format, c.interval);
    ASSERT_FALSE(added) << c.url << " " << c.format << " " << c.interval;
    EXPECT_EQ(added.error().code(), StatusCode::kInvalidArgument) << added.error().ToString();
  }
  EXPECT_EQ(add("https://shop.example/feed.xml", "feed", 59).error().message(),
            "interval_seconds 59: at least 60");

  Result<WatchedSource> added = add("https://shop.example/feed.xml", "feed", 60);
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_GT(added->id, 0);
  Result<WatchedSource> again = add("https://shop.example/feed.xml", "auto", 900);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists);

  Result<WatchedSource> other = add("http://shop.example/feed.xml", "feed", 900);
  ASSERT_TRUE(other) << other.error().ToString();
  // Update holds to the same rules.
  WatchedSource clash = *other;
  clash.url = "https://shop.example/feed.xml";
  EXPECT_EQ(watcher_->Update(clash).error().code(), StatusCode::kAlreadyExists);
  clash.url = "gopher://shop.example/";
  EXPECT_EQ(watcher_->Update(clash).error().code(), StatusCode::kInvalidArgument);
  WatchedSource unknown = *other;
  unknown.id = 999;
  EXPECT_EQ(watcher_->Update(unknown).error().code(), StatusCode::kNotFound);

  Result<std::vector<WatchedSource>> list = watcher_->List();
  ASSERT_TRUE(list) << list.error().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].url, "https://shop.example/feed.xml");
  EXPECT_EQ((*list)[1].url, "http://shop.example/feed.xml");
}

TEST_F(WatcherTest, AddRefusesWhatTheOutboundPolicyRefuses) {
  options_.fetch.outbound.allow_private.clear();  // the default: public addresses only
  Open();
  const std::string hint = " (allow it with [outbound] allow_private)";
  const std::pair<std::string, std::string> refused[] = {
      {"http://127.0.0.1:8080/feed.xml", "127.0.0.1 is a loopback address"},
      {"http://2130706433/feed.xml", "127.0.0.1 is a loopback address"},
      {"http://0x7f000001/feed.xml", "127.0.0.1 is a loopback address"},
      {"http://[::ffff:127.0.0.1]/feed.xml", "::ffff:127.0.0.1 is a loopback address"},
      {"http://10.1.2.3/feed.xml", "10.1.2.3 is a private address"},
      {"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"},
      {"http://[fd00::1]/feed.xml", "fd00::1 is a unique-local address"},
      {"http://localhost:9200/_search", "localhost is an internal host name"},
      {"http://metadata.google.internal/computeMetadata/v1/",
       "metadata.google.internal is an internal host name"},
  };
  for (const auto& [url, why] : refused) {
    WatchedSource source;
    source.url = url;
    Result<WatchedSource> added = watcher_->Add(source);
    ASSERT_FALSE(added) << url;
    EXPECT_EQ(added.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(added.error().message(),
              "url \"" + url + "\": refused by the outbound policy: " + why + hint);
  }
  // Update holds to the same rule.
  WatchedSource shop;
  shop.url = "https://shop.example/feed";
  Result<WatchedSource> added = watcher_->Add(shop);
  ASSERT_TRUE(added) << added.error().ToString();
  WatchedSource moved = *added;
  moved.url = "http://192.168.1.1/admin";
  Result<WatchedSource> updated = watcher_->Update(moved);
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().message(),
            "url \"http://192.168.1.1/admin\": refused by the outbound policy: 192.168.1.1 is a "
            "private address" +
                hint);
  EXPECT_EQ(Get(added->id).url, "https://shop.example/feed");
}

TEST_F(WatcherTest, APollRefusedByThePolicyReachesNothingAndSaysWhy) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource literal = AddSource(server.Url("/feed.xml"));
  // The operator then takes loopback out of the allow-list: the stored source is refused
  // at its next poll.
  options_.fetch.outbound.allow_private = ParseIpRanges({"10.0.0.0/8"}).value();
  Open();
  const std::string port = server.Url("").substr(std::string("http://127.0.0.1:").size());
  // A name is only refused once it resolves: Add lets it in, the poll stops it.
  const WatchedSource named = AddSource("http://localhost:" + port + "/feed.xml");
  const PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 2);
  EXPECT_EQ(report.errors, 2);
  EXPECT_EQ(sink_calls_, 0);
  EXPECT_TRUE(server.Requests().empty());
  const std::string hint = " (allow it with [outbound] allow_private)";
  EXPECT_EQ(Get(literal.id).last_error,
            "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint);
  EXPECT_EQ(Get(named.id).last_error,
            "refused by the outbound policy: localhost resolves to a loopback address" + hint);
  EXPECT_EQ(Get(named.id).failures, 1);
  EXPECT_EQ(Get(literal.id).error_kind, "refused_by_policy");
  EXPECT_EQ(Get(named.id).error_kind, "refused_by_policy");
}

TEST_F(WatcherTest, SinkFailureDoesNotSaveTheValidators) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource source = AddSource(server.Url("/feed.xml"), "feed", 100);

  fail_with_ = "disk full";
  PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.errors, 1);
  EXPECT_EQ(report.posts, 0);
  WatchedSource after = Get(source.id);
  EXPECT_EQ(after.etag, "");
  EXPECT_EQ(after.last_modified, "");
  EXPECT_EQ(after.failures, 1);
  EXPECT_EQ(after.last_error, "posts not stored: disk full");
  EXPECT_EQ(after.error_kind, "not_stored");
  EXPECT_EQ(after.next_poll_at, kT0 + 200);
  EXPECT_EQ(after.posts_seen, 0);

  // The next poll asks for everything again, and gets it.
  fail_with_.clear();
  clock_.Set(after.next_poll_at);
  report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.posts, 3);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].headers.count("if-none-match"), 0u);
  EXPECT_EQ(requests[1].headers.count("if-modified-since"), 0u);
  after = Get(source.id);
  EXPECT_EQ(after.etag, "\"v1\"");
  EXPECT_EQ(after.failures, 0);
}

TEST_F(WatcherTest, RemoveForgetsASource) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource kept = AddSource(server.Url("/a.xml"));
  const WatchedSource removed = AddSource(server.Url("/b.xml"));
  ASSERT_TRUE(watcher_->Remove(removed.id).ok());
  EXPECT_EQ(watcher_->Get(removed.id).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(watcher_->Remove(removed.id).code(), StatusCode::kNotFound);

  EXPECT_EQ(watcher_->PollDue(Keep()).polled, 1);
  ASSERT_EQ(server.Requests().size(), 1u);
  EXPECT_EQ(server.Requests()[0].path, "/a.xml");
  Result<std::vector<WatchedSource>> list = watcher_->List();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, kept.id);
  // The URL may be watched again.
  EXPECT_GT(AddSource(server.Url("/b.xml")).id, 0);
}

TEST_F(WatcherTest, PagesAskRobotsTxtAndFeedsDoNot) {
  Site site;
  site.robots = "User-agent: *\nDisallow: /private\n";
  site.body = "<!doctype html><html><title>Help</title><body><p>My parcel is lost</p></html>";
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource page = AddSource(server.Url("/private/forum"), "html");
  const WatchedSource open_page = AddSource(server.Url("/forum"), "auto");

  PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 2);
  EXPECT_EQ(report.errors, 1);
  EXPECT_EQ(report.posts, 1);
  const WatchedSource refused = Get(page.id);
  EXPECT_EQ(refused.failures, 1);
  EXPECT_EQ(refused.last_error, "disallowed by " + server.Url("/robots.txt"));
  EXPECT_EQ(refused.error_kind, "robots_disallowed");
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].source, "html");  // "auto" read the page as HTML
  EXPECT_EQ(received_[0].title, "Help");
  EXPECT_EQ(Get(open_page.id).failures, 0);

  // A feed under the disallowed path is polled all the same, without asking robots.txt.
  {
    std::lock_guard<std::mutex> lock(site.mutex);
    site.body = Feed(2);
  }
  const size_t before = server.Requests().size();
  AddSource(server.Url("/private/feed.rss"), "auto");
  report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 1);
  EXPECT_EQ(report.posts, 2);
  auto requests = server.Requests();
  ASSERT_EQ(requests.size(), before + 1);
  EXPECT_EQ(requests.back().path, "/private/feed.rss");

  // So are the comments feeds of blogs, "auto" as the comment follower adds them: WordPress
  // (/feed/, ?feed=comments-rss2, /wp-json/), Blogger (/feeds/.../comments/default).
  for (const std::string path :
       {"/private/2026/01/parcel/feed/", "/private/?feed=comments-rss2&p=12",
        "/private/feeds/123/comments/default", "/private/wp-json/wp/v2/comments?post=12"}) {
    AddSource(server.Url(path), "auto");
    const size_t asked = server.Requests().size();
    report = watcher_->PollDue(Keep());
    EXPECT_EQ(report.polled, 1) << path;
    requests = server.Requests();
    ASSERT_EQ(requests.size(), asked + 1) << path;
    EXPECT_EQ(requests.back().path, path);
  }
}

TEST_F(WatcherTest, UnreadableBodyIsAnError) {
  Site site;
  site.body = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource source = AddSource(server.Url("/feed"), "feed");
  const PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.errors, 1);
  EXPECT_EQ(sink_calls_, 0);
  const WatchedSource after = Get(source.id);
  EXPECT_EQ(after.failures, 1);
  EXPECT_EQ(after.etag, "");
  EXPECT_EQ(after.last_error.rfind("unreadable: ", 0), 0u) << after.last_error;
  EXPECT_EQ(after.error_kind, "unreadable");
}

TEST_F(WatcherTest, NetworkErrorIsAnError) {
  // A port nothing listens on: the server is gone once its scope ends.
  std::string url;
  {
    Site site;
    HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
    url = server.Url("/feed.xml");
  }
  const WatchedSource source = AddSource(url);
  EXPECT_EQ(watcher_->PollDue(Keep()).errors, 1);
  const WatchedSource after = Get(source.id);
  EXPECT_EQ(after.failures, 1);
  EXPECT_FALSE(after.last_error.empty());
  EXPECT_EQ(after.error_kind, "unreachable");
  EXPECT_EQ(after.next_poll_at, kT0 + 1800);
}

TEST_F(WatcherTest, NewUrlStartsAfresh) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource source = AddSource(server.Url("/a.xml"));
  ASSERT_EQ(watcher_->PollDue(Keep()).posts, 3);
  clock_.Advance(100);
  WatchedSource moved = Get(source.id);
  ASSERT_EQ(moved.etag, "\"v1\"");
  moved.url = server.Url("/b.xml");
  moved.label = "Shop forum";
  Result<WatchedSource> updated = watcher_->Update(moved);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->etag, "");
  EXPECT_EQ(updated->last_modified, "");
  EXPECT_EQ(updated->next_poll_at, kT0 + 100);
  EXPECT_EQ(updated->label, "Shop forum");
  EXPECT_EQ(updated->posts_seen, 3);  // the source's history stays

  EXPECT_EQ(watcher_->PollDue(Keep()).posts, 3);
  const auto requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].path, "/b.xml");
  EXPECT_EQ(requests[1].headers.count("if-none-match"), 0u);

  // A shorter interval counts from the last poll.
  WatchedSource faster = Get(source.id);
  EXPECT_EQ(faster.next_poll_at, kT0 + 100 + 900);
  faster.interval_seconds = 300;
  updated = watcher_->Update(faster);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->next_poll_at, kT0 + 100 + 300);
}

TEST_F(WatcherTest, SourcesAndStateSurviveAReopen) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  WatchedSource source;
  source.url = server.Url("/feed.xml");
  source.format = "feed";
  source.label = "Shop news";
  source.interval_seconds = 600;
  Result<WatchedSource> added = watcher_->Add(source);
  ASSERT_TRUE(added);
  ASSERT_EQ(watcher_->PollDue(Keep()).posts, 3);
  Open();
  const WatchedSource after = Get(added->id);
  EXPECT_EQ(after.url, source.url);
  EXPECT_EQ(after.format, "feed");
  EXPECT_EQ(after.label, "Shop news");
  EXPECT_EQ(after.interval_seconds, 600);
  EXPECT_EQ(after.etag, "\"v1\"");
  EXPECT_EQ(after.next_poll_at, kT0 + 600);
  EXPECT_EQ(after.posts_seen, 3);
}

TEST_F(WatcherTest, OpenRefusesAnotherProgramsDatabase) {
  const std::string other = (dir_ / "other.db").string();
  ASSERT_TRUE(ExecSqlForTest(other, "CREATE TABLE t (x)").ok());
  Result<std::unique_ptr<Watcher>> opened = Watcher::Open(other, clock_, options_);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), StatusCode::kDataLoss);
  // Nothing was written to it.
  const Result<std::vector<std::string>> count =
      QuerySqlForTest(other, "SELECT count(*) FROM sqlite_schema");
  ASSERT_TRUE(count.has_value()) << count.error().ToString();
  EXPECT_EQ(*count, std::vector<std::string>{"1"});
}

TEST_F(WatcherTest, BackgroundThreadPollsUntilStopped) {
  Site site;
  testing::EventCounter feed_requests;
  HttpServer server([&](const HttpRequest& r) {
    if (r.path == "/feed.xml") feed_requests.Add();
    return site.Answer(r);
  });
  std::mutex mutex;
  int64_t posts = 0;
  watcher_->Start(
      [&](std::vector<Post>& batch, const WatchedSource&) {
        std::lock_guard<std::mutex> lock(mutex);
        posts += static_cast<int64_t>(batch.size());
        return OkStatus();
      },
      std::chrono::milliseconds(5));
  watcher_->Start(Keep());  // already started: nothing
  // Sources added while it runs are picked up at the next tick.
  AddSource(server.Url("/feed.xml"));
  EXPECT_TRUE(feed_requests.WaitFor(1));
  watcher_->Stop();  // lets the poll in progress finish
  watcher_->Stop();
  EXPECT_EQ(watcher_->counters().polls, 1);
  {
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(posts, 3);
  }
  EXPECT_EQ(sink_calls_, 0);
  // Stopped: a due source stays unpolled, however long the ticks it would have had...
  clock_.Advance(900);
  EXPECT_EQ(watcher_->counters().polls, 1);
  // ...and is polled once the watcher starts again.
  watcher_->Start([](std::vector<Post>&, const WatchedSource&) { return OkStatus(); },
                  std::chrono::milliseconds(5));
  EXPECT_TRUE(feed_requests.WaitFor(2));  // conditional: a 304, nothing to store
  watcher_->Stop();
  EXPECT_EQ(watcher_->counters().polls, 2);
  EXPECT_EQ(feed_requests.count(), 2);
}

TEST_F(WatcherTest, ListingWhilePollingIsSafe) {
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  for (int i = 0; i < 5; ++i) AddSource(server.Url("/feed" + std::to_string(i) + ".xml"));
  std::thread poller([&] {
    (void)watcher_->PollDue([](std::vector<Post>&, const WatchedSource&) { return OkStatus(); });
  });
  for (int i = 0; i < 50; ++i) {
    Result<std::vector<WatchedSource>> list = watcher_->List();
    ASSERT_TRUE(list) << list.error().ToString();
    EXPECT_EQ(list->size(), 5u);
  }
  poller.join();
  EXPECT_EQ(watcher_->counters().polls, 5);
}

TEST_F(WatcherTest, RetryAfterInSecondsIsHonoredAndHoldsTheHostBack) {
  Site site;
  site.status = 429;
  site.error_headers = {{"Retry-After", "3600"}};
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource limited = AddSource(server.Url("/a.xml"), "feed", 100);
  PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.errors, 1);
  WatchedSource after = Get(limited.id);
  EXPECT_EQ(after.error_kind, "rate_limited");
  EXPECT_EQ(after.last_error, "HTTP 429 (Retry-After: 3600)");
  // The server asked for an hour: longer than the back-off (200 s), so an hour it is.
  EXPECT_EQ(after.next_poll_at, kT0 + 3600);
  EXPECT_EQ(after.rate_limited_until, kT0 + 3600);

  // Another source on the host waits too, without a failure of its own.
  const WatchedSource other = AddSource(server.Url("/b.xml"), "feed", 100);
  report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 0);
  EXPECT_EQ(report.deferred, 1);
  EXPECT_EQ(Get(other.id).next_poll_at, kT0 + 3600);
  EXPECT_EQ(Get(other.id).failures, 0);
  EXPECT_EQ(server.Requests().size(), 1u);
  Result<FetchResult> polite = watcher_->FetchPolitely(server.Url("/c.xml"), false);
  ASSERT_FALSE(polite);
  EXPECT_EQ(polite.error().code(), StatusCode::kResourceExhausted);

  // Then both are polled, and success clears the state.
  {
    std::lock_guard<std::mutex> lock(site.mutex);
    site.status = 200;
  }
  clock_.Set(kT0 + 3600);
  report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.polled, 2);
  after = Get(limited.id);
  EXPECT_EQ(after.error_kind, "");
  EXPECT_FALSE(after.rate_limited_until.has_value());
  EXPECT_EQ(after.failures, 0);
}

TEST_F(WatcherTest, RetryAfterAsAnHttpDateIsHonoredUpToTheCap) {
  options_.max_backoff_seconds = 5000;
  Open();
  Site site;
  site.status = 503;
  // kT0 + 7200 s.
  site.error_headers = {{"Retry-After", "Fri, 15 Jan 2027 10:00:00 GMT"}};
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  const WatchedSource source = AddSource(server.Url("/feed.xml"), "feed", 100);
  watcher_->PollDue(Keep());
  WatchedSource after = Get(source.id);
  EXPECT_EQ(after.error_kind, "rate_limited");  // a 503 that says when: a rate limit
  EXPECT_EQ(after.next_poll_at, kT0 + 5000);    // capped at max_backoff
  EXPECT_EQ(after.rate_limited_until, kT0 + 5000);

  // A date in the past, or nonsense, is no Retry-After: the back-off alone.
  for (const std::string value : {"Thu, 01 Jan 2015 00:00:00 GMT", "soon"}) {
    {
      std::lock_guard<std::mutex> lock(site.mutex);
      site.error_headers = {{"Retry-After", value}};
    }
    clock_.Set(after.next_poll_at);
    watcher_->PollDue(Keep());
    const WatchedSource again = Get(source.id);
    EXPECT_EQ(again.error_kind, "rate_limited") << value;  // a 503 with a Retry-After
    EXPECT_FALSE(again.rate_limited_until.has_value()) << value;
    EXPECT_EQ(again.next_poll_at, clock_.Now() + std::min<int64_t>(100 << again.failures, 5000))
        << value;
    after = again;
  }
}

TEST(WatcherErrorKindTest, EachStatusAndErrorHasItsKind) {
  EXPECT_EQ(ErrorKindOf(401, "", OkStatus()), "auth_refused");
  EXPECT_EQ(ErrorKindOf(403, "", OkStatus()), "auth_refused");
  EXPECT_EQ(ErrorKindOf(404, "", OkStatus()), "not_found");
  EXPECT_EQ(ErrorKindOf(410, "", OkStatus()), "not_found");
  EXPECT_EQ(ErrorKindOf(429, "", OkStatus()), "rate_limited");
  EXPECT_EQ(ErrorKindOf(503, "", OkStatus()), "server_error");
  EXPECT_EQ(ErrorKindOf(503, "60", OkStatus()), "rate_limited");
  EXPECT_EQ(ErrorKindOf(502, "", OkStatus()), "server_error");
  EXPECT_EQ(ErrorKindOf(400, "", OkStatus()), "http_error");
  EXPECT_EQ(ErrorKindOf(0, "", UnavailableError("cannot connect: Connection refused")),
            "unreachable");
  EXPECT_EQ(ErrorKindOf(0, "", DeadlineExceededError("timed out")), "unreachable");
  EXPECT_EQ(ErrorKindOf(0, "", PermissionDeniedError("u: disallowed by u/robots.txt")),
            "robots_disallowed");
  EXPECT_EQ(ErrorKindOf(0, "", PermissionDeniedError("refused by the outbound policy: x")),
            "refused_by_policy");
  EXPECT_EQ(ErrorKindOf(0, "", ResourceExhaustedError("larger than 10 bytes")), "unreadable");
  EXPECT_EQ(RetryAfterTime("120", 1000), 1120);
  EXPECT_EQ(RetryAfterTime(" 0 ", 1000), std::nullopt);
  EXPECT_EQ(RetryAfterTime("-5", 1000), std::nullopt);
  EXPECT_EQ(RetryAfterTime("", 1000), std::nullopt);
  EXPECT_EQ(RetryAfterTime("99999999999999999999999", 1000), 1000 + 366 * 86400);
  EXPECT_EQ(RetryAfterTime("Fri, 15 Jan 2027 10:00:00 GMT", kT0), kT0 + 7200);
}

TEST_F(WatcherTest, AuthAndMissingResourcesHaveTheirKinds) {
  Site site;
  HttpServer server([&](const HttpRequest& r) {
    if (r.path == "/private.xml") return HttpResponse{401, {}, "who are you", 0};
    if (r.path == "/forbidden.xml") return HttpResponse{403, {}, "no", 0};
    if (r.path == "/gone.xml") return HttpResponse{410, {}, "gone", 0};
    if (r.path == "/missing.xml") return HttpResponse{404, {}, "nope", 0};
    return site.Answer(r);
  });
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"/private.xml", "auth_refused"},
      {"/forbidden.xml", "auth_refused"},
      {"/gone.xml", "not_found"},
      {"/missing.xml", "not_found"}};
  std::vector<int64_t> ids;
  ids.reserve(expected.size());
  for (const auto& [path, kind] : expected) ids.push_back(AddSource(server.Url(path)).id);
  EXPECT_EQ(watcher_->PollDue(Keep()).errors, 4);
  for (size_t i = 0; i < ids.size(); ++i) {
    const WatchedSource after = Get(ids[i]);
    EXPECT_EQ(after.error_kind, expected[i].second) << expected[i].first;
    EXPECT_EQ(after.failures, 1);
    EXPECT_EQ(after.next_poll_at, kT0 + 1800);  // the back-off alone
  }
}

// A server that answers each connection on a thread of its own after `delay_ms`, counting
// the requests in flight at once, so that a test sees how many the watcher makes at a time.
class ConcurrentServer {
 public:
  ConcurrentServer(const char* address, int delay_ms) : delay_ms_(delay_ms) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    ::inet_pton(AF_INET, address, &sa.sin_addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0) << address;
    EXPECT_EQ(::listen(fd_, 64), 0);
    socklen_t length = sizeof sa;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &length);
    url_ = std::string("http://") + address + ":" + std::to_string(ntohs(sa.sin_port));
    thread_ = std::thread([this] { Serve(); });
  }
  ~ConcurrentServer() {
    stop_ = true;
    thread_.join();
    for (std::thread& t : handlers_) t.join();
    ::close(fd_);
  }
  std::string Url(const std::string& path) const { return url_ + path; }
  int max_in_flight() const { return max_in_flight_.load(); }
  int requests() const { return requests_.load(); }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client >= 0) handlers_.emplace_back([this, client] { Answer(client); });
    }
  }
  void Answer(int client) {
    const int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    ++requests_;
    char buffer[4096];
    (void)::recv(client, buffer, sizeof buffer, 0);  // one GET fits
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
    const std::string body = Feed(1);
    const std::string out =
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        "Connection: close\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    --in_flight_;  // before the answer is sent: the client's next request cannot overlap
    (void)::send(client, out.data(), out.size(), MSG_NOSIGNAL);
    ::close(client);
  }

  int delay_ms_;
  int fd_ = -1;
  std::string url_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> handlers_;  // the serving thread's alone
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  std::atomic<int> requests_{0};
};

TEST_F(WatcherTest, AtMostNRequestsInFlightPerHostAndHostsInParallel) {
  for (const int per_host : {1, 2}) {
    options_.max_requests_per_host = per_host;
    options_.max_parallel_polls = 4;
    Open();
    ConcurrentServer blog("127.0.0.1", 150);
    ConcurrentServer other("127.0.0.2", 150);
    std::vector<int64_t> ids;
    ids.reserve(6);
    for (int i = 0; i < 4; ++i) ids.push_back(AddSource(blog.Url("/" + std::to_string(i))).id);
    for (int i = 0; i < 2; ++i) ids.push_back(AddSource(other.Url("/" + std::to_string(i))).id);
    const auto start = std::chrono::steady_clock::now();
    const PollReport report = watcher_->PollDue(Keep());
    const auto took = std::chrono::steady_clock::now() - start;
    RecordProperty(
        "took_ms_with_" + std::to_string(per_host) + "_per_host",
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    EXPECT_EQ(report.polled, 6);
    EXPECT_EQ(report.errors, 0);
    EXPECT_EQ(blog.requests(), 4);
    EXPECT_EQ(other.requests(), 2);
    EXPECT_EQ(blog.max_in_flight(), per_host) << per_host;
    EXPECT_EQ(other.max_in_flight(), per_host) << per_host;
    // The blog's four polls, per_host at a time, overlap the other host's.
    EXPECT_LT(took, std::chrono::milliseconds(150 * (4 / per_host + 2) - 50)) << per_host;
    for (const int64_t id : ids) ASSERT_TRUE(watcher_->Remove(id).ok());
  }
}

TEST_F(WatcherTest, FetchPolitelyKeepsTheHostsSpacing) {
  options_.min_host_interval_seconds = 10;
  Open();
  Site site;
  HttpServer server([&](const HttpRequest& r) { return site.Answer(r); });
  AddSource(server.Url("/feed.xml"));
  EXPECT_EQ(watcher_->PollDue(Keep()).polled, 1);
  Result<FetchResult> early = watcher_->FetchPolitely(server.Url("/post/1"), true);
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(early.error().message(), "host busy: ask again at " + FormatRfc3339(kT0 + 10));
  clock_.Advance(10);
  Result<FetchResult> fetched = watcher_->FetchPolitely(server.Url("/post/1"), true);
  ASSERT_TRUE(fetched) << fetched.error().ToString();
  EXPECT_EQ(fetched->status, 200);
  // And the polls keep their distance from it.
  const WatchedSource second = AddSource(server.Url("/b.xml"));
  clock_.Set(kT0 + 15);
  const PollReport report = watcher_->PollDue(Keep());
  EXPECT_EQ(report.deferred, 1);
  EXPECT_EQ(Get(second.id).next_poll_at, kT0 + 20);
}

TEST(WatchTablesTest, BrandOriginCaseCursorAndSecretAreKeptAndACursorFollowsItsUrl) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("ecoute_watch_tables_test_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "ecoute.db").string();
  ASSERT_TRUE(OpenSqliteStore(path));
  Result<std::unique_ptr<WatchTables>> tables = OpenWatchTables(path);
  ASSERT_TRUE(tables) << tables.error().ToString();

  WatchedSource source;
  source.url = "https://blog.example/2026/12/panne/feed/";
  source.format = "feed";
  source.brand = "Fnac";
  source.origin = "comments";
  source.follow_case = 42;
  source.secret = "sealed";
  Result<int64_t> id = (*tables)->AddSource(source, kT0);
  ASSERT_TRUE(id) << id.error().ToString();
  ASSERT_TRUE((*tables)->SaveCursor(*id, "1733600000000000").ok());
  Result<WatchedSource> read = (*tables)->FindSource(*id);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->brand, "Fnac");
  EXPECT_EQ(read->origin, "comments");
  EXPECT_EQ(read->follow_case, std::optional<int64_t>(42));
  EXPECT_EQ(read->cursor, "1733600000000000");
  EXPECT_EQ(read->secret, "sealed");

  // The watcher keeps the cursor through an edit of the label, and drops it with the URL.
  ManualClock clock{kT0};
  Result<std::unique_ptr<Watcher>> watcher = Watcher::Open(path, clock);
  ASSERT_TRUE(watcher) << watcher.error().ToString();
  WatchedSource edit = *read;
  edit.label = "comments under the outage post";
  edit.cursor = "";
  Result<WatchedSource> relabelled = (*watcher)->Update(edit);
  ASSERT_TRUE(relabelled) << relabelled.error().ToString();
  EXPECT_EQ(relabelled->cursor, "1733600000000000");
  edit.url = "https://blog.example/2026/12/panne/comments/feed/";
  Result<WatchedSource> moved = (*watcher)->Update(edit);
  ASSERT_TRUE(moved) << moved.error().ToString();
  EXPECT_EQ(moved->cursor, "");
  EXPECT_EQ(moved->follow_case, std::optional<int64_t>(42));
  watcher->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecoute::server
