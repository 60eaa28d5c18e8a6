#include "listen/mastodon_stream.h"

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "listen/testing_mastodon_server.h"
#include "util/mutex.h"

namespace ecoute::listen {
namespace {

using std::chrono::milliseconds;

// What the stream handed over: the sink's and save_cursor's records.
class Recorder {
 public:
  LiveSink Sink() {
    return [this](std::vector<Post>& posts, const WatchedSource&,
                  bool only_with_brands) -> Result<int64_t> {
      MutexLock lock(mu_);
      if (failures_to_come_ > 0) {
        --failures_to_come_;
        return UnavailableError("database is locked");
      }
      for (const Post& p : posts) ids_.push_back(p.id);
      only_with_brands_ = only_with_brands;
      return Result<int64_t>(static_cast<int64_t>(posts.size()));
    };
  }
  std::function<Status(std::string_view)> SaveCursor() {
    return [this](std::string_view cursor) {
      MutexLock lock(mu_);
      cursor_.assign(cursor);
      return OkStatus();
    };
  }
  std::vector<std::string> ids() {
    MutexLock lock(mu_);
    return ids_;
  }
  std::string cursor() {
    MutexLock lock(mu_);
    return cursor_;
  }
  bool only_with_brands() {
    MutexLock lock(mu_);
    return only_with_brands_;
  }
  // The next `count` batches are refused, as by a store that cannot write.
  void FailNext(int count) {
    MutexLock lock(mu_);
    failures_to_come_ = count;
  }

 private:
  Mutex mu_;
  std::vector<std::string> ids_ ECOUTE_GUARDED_BY(mu_);
  std::string cursor_ ECOUTE_GUARDED_BY(mu_);
  bool only_with_brands_ ECOUTE_GUARDED_BY(mu_) = true;
  int failures_to_come_ ECOUTE_GUARDED_BY(mu_) = 0;
};

// "127.0.0.1/statuses/3" ... for ids first..last: the post ids of the test server's statuses.
std::vector<std::string> PostIds(int first, int last) {
  std::vector<std::string> out;
  for (int i = first; i <= last; ++i) out.push_back("127.0.0.1/statuses/" + std::to_string(i));
  return out;
}

// Waits up to 10 s for `done`.
bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

class MastodonStreamTest : public ::testing::Test {
 protected:
  // Starts a stream of `path` on the test server with `token` and `cursor`.
  void Start(const std::string& path, const std::string& token = "", const std::string& cursor = "",
             const std::string& brand = "acme") {
    LiveContext context;
    context.source.id = 1;
    context.source.url = server_.Url(path);
    context.source.format = "mastodon_stream";
    context.source.brand = brand;
    context.source.cursor = cursor;
    context.sink = recorder_.Sink();
    context.save_cursor = recorder_.SaveCursor();
    context.token = token;
    context.clock = &clock_;
    context.fetch.outbound.allow_private = *ParseIpRanges({"127.0.0.0/8"});
    MastodonStreamOptions options;
    options.min_backoff_ms = 50;
    options.max_backoff_ms = 200;
    options.idle_timeout_ms = 2'000;
    options.cursor_save_interval_ms = 0;
    stream_ = NewMastodonStream(std::move(context), options);
    thread_ = std::jthread([this](std::stop_token stop) { stream_->Run(std::move(stop)); });
  }
  // Stops the stream; returns how long Run took to return.
  milliseconds Stop() {
    const auto start = std::chrono::steady_clock::now();
    thread_.request_stop();
    thread_.join();
    return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  }
  bool WaitConnected() {
    return WaitFor(
        [&] { return server_.OpenStreams() == 1 && stream_->status().state == "connected"; });
  }
  void TearDown() override {
    if (thread_.joinable()) Stop();
  }

  testing::MastodonServer server_;
  Recorder recorder_;
  ManualClock clock_{1'800'000'000};
  std::unique_ptr<LiveStream> stream_;
  std::jthread thread_;
};

TEST_F(MastodonStreamTest, BackfillsTheGapsAndHandsEachStatusOnce) {
  for (int id = 1; id <= 3; ++id) server_.Post(id, "status " + std::to_string(id));
  Start("/api/v1/streaming/hashtag?tag=acme", "", "2");
  ASSERT_TRUE(WaitConnected());
  // The back-fill brought what came after the cursor; the stream brings the rest.
  server_.Post(4, "live");
  ASSERT_TRUE(WaitFor([&] { return recorder_.ids().size() == 2; }));
  EXPECT_EQ(recorder_.ids(), PostIds(3, 4));
  EXPECT_FALSE(recorder_.only_with_brands());  // the brand's hashtag chose them
  EXPECT_EQ(recorder_.cursor(), "4");

  // The instance goes down; 45 statuses (more than a page) are written meanwhile.
  server_.RefuseStreams(503);
  server_.CloseStreams();
  ASSERT_TRUE(WaitFor([&] { return stream_->status().state == "backoff"; }));
  for (int id = 5; id <= 49; ++id) server_.Post(id, "while down " + std::to_string(id));
  server_.Post(50, "another tag", "other");
  server_.RefuseStreams(0);
  ASSERT_TRUE(WaitConnected());
  server_.Post(51, "live again");
  ASSERT_TRUE(WaitFor([&] { return recorder_.ids().size() == 48; }));
  std::vector<std::string> ids = recorder_.ids();
  std::sort(ids.begin() + 2, ids.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::vector<std::string> want = PostIds(3, 49);
  want.emplace_back("127.0.0.1/statuses/51");
  EXPECT_EQ(ids, want);
  EXPECT_EQ(recorder_.cursor(), "51");
  const StreamStatus status = stream_->status();
  EXPECT_GE(status.reconnects, 1);
  EXPECT_EQ(status.matched, 48);
  EXPECT_EQ(status.failures, 0);
  // Nothing more comes late.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(recorder_.ids().size(), 48u);
}

TEST_F(MastodonStreamTest, HandsAnEditAgainAndSkipsDeletesAndMalformedEvents) {
  Start("/api/v1/streaming/public", "", "", "");
  ASSERT_TRUE(WaitConnected());
  server_.Post(7, "first");
  server_.Edit(7, "first, edited");
  server_.SendRaw("event: delete\ndata: 7\n\nevent: update\ndata: {not json\n\n");
  server_.Post(8, "second", "");
  ASSERT_TRUE(WaitFor([&] { return recorder_.ids().size() == 3; }));
  EXPECT_EQ(recorder_.ids(),
            (std::vector<std::string>{"127.0.0.1/statuses/7", "127.0.0.1/statuses/7",
                                      "127.0.0.1/statuses/8"}));
  EXPECT_TRUE(recorder_.only_with_brands());  // a public stream: only posts naming a brand
  const StreamStatus status = stream_->status();
  EXPECT_EQ(status.events, 5);
  EXPECT_EQ(status.malformed, 1);
  EXPECT_EQ(status.last_event_at, clock_.Now());
}

TEST_F(MastodonStreamTest, SendsTheTokenAndNeverShowsIt) {
  const std::string token = "s3cret-token-value";
  server_.RequireToken(token);
  server_.Post(1, "before");
  Start("/api/v1/streaming/hashtag?tag=acme", token);
  ASSERT_TRUE(WaitConnected());
  ASSERT_TRUE(WaitFor([&] { return recorder_.ids().size() == 1; }));
  for (const testing::MastodonRequest& r : server_.Requests()) {
    EXPECT_EQ(r.headers.at("authorization"), "Bearer " + token) << r.path;
  }
  EXPECT_EQ(Stop().count() < 1000, true);
  EXPECT_EQ(stream_->status().state, "stopped");
}

TEST_F(MastodonStreamTest, ARefusedTokenIsAuthRefusedAndNotInTheStatus) {
  server_.RequireToken("the-right-one");
  const std::string token = "a-wrong-token-4242";
  Start("/api/v1/streaming/hashtag?tag=acme", token);
  ASSERT_TRUE(WaitFor([&] { return stream_->status().failures >= 2; }));
  const StreamStatus status = stream_->status();
  EXPECT_EQ(status.error_kind, "auth_refused");
  EXPECT_NE(status.last_error.find("401"), std::string::npos) << status.last_error;
  EXPECT_EQ(status.last_error.find(token), std::string::npos);
  EXPECT_EQ(status.state, "backoff");
}

TEST_F(MastodonStreamTest, NoTokenIsAuthRefusedToo) {
  server_.RequireToken("the-right-one");
  Start("/api/v1/streaming/public");
  ASSERT_TRUE(WaitFor([&] { return stream_->status().failures >= 1; }));
  EXPECT_EQ(stream_->status().error_kind, "auth_refused");
  for (const testing::MastodonRequest& r : server_.Requests()) {
    EXPECT_EQ(r.headers.count("authorization"), 0u);
  }
}

TEST_F(MastodonStreamTest, RateLimitedWaitsForRetryAfterAndStopsPromptly) {
  server_.RateLimit("120");
  Start("/api/v1/streaming/hashtag?tag=acme");
  ASSERT_TRUE(WaitFor([&] { return stream_->status().failures >= 1; }));
  const StreamStatus status = stream_->status();
  EXPECT_EQ(status.error_kind, "rate_limited");
  EXPECT_EQ(status.state, "backoff");
  EXPECT_EQ(status.retry_at, clock_.Now() + 120);
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(server_.Requests().size(), 1u);  // no second try before Retry-After
  EXPECT_LT(Stop().count(), 1000);
}

TEST_F(MastodonStreamTest, ClassifiesNotFoundAndServerEnds) {
  Start("/api/v1/streaming/nothing/here");
  ASSERT_TRUE(WaitFor([&] { return !stream_->status().error_kind.empty(); }));
  EXPECT_EQ(stream_->status().error_kind, "protocol");  // not a streaming URL at all
  Stop();

  server_.RefuseStreams(404);
  Start("/api/v1/streaming/hashtag?tag=gone");
  ASSERT_TRUE(WaitFor([&] { return stream_->status().failures >= 1; }));
  EXPECT_EQ(stream_->status().error_kind, "not_found");
  server_.RefuseStreams(0);
  ASSERT_TRUE(WaitConnected());
  server_.CloseStreams();
  ASSERT_TRUE(WaitFor([&] { return stream_->status().error_kind == "closed_by_server"; }));
}

TEST_F(MastodonStreamTest, AStatusTheStoreRefusedComesAgainAndTheCursorWaitsForIt) {
  server_.Post(1, "stored");
  Start("/api/v1/streaming/hashtag?tag=acme", "", "");
  ASSERT_TRUE(WaitConnected());
  ASSERT_EQ(recorder_.cursor(), "1");
  recorder_.FailNext(1);
  server_.Post(2, "refused once");
  // The refusal ends the connection; the next one's back-fill brings the status again.
  ASSERT_TRUE(WaitFor([&] { return recorder_.ids().size() == 2; }));
  EXPECT_EQ(recorder_.ids(), PostIds(1, 2));
  EXPECT_EQ(recorder_.cursor(), "2");
  EXPECT_GE(stream_->status().reconnects, 1);
}

TEST_F(MastodonStreamTest, StopsPromptlyWhileConnected) {
  Start("/api/v1/streaming/hashtag?tag=acme");
  ASSERT_TRUE(WaitConnected());
  EXPECT_LT(Stop().count(), 1000);
  EXPECT_EQ(stream_->status().state, "stopped");
}

TEST(MastodonStreamUrlTest, ReadsTheStreamsAndTheirTimelines) {
  struct UrlCase {
    std::string_view url;
    std::string_view kind;  // "" : not a stream URL
    std::string_view timeline;
  };
  const UrlCase cases[] = {
      {"https://mastodon.social/api/v1/streaming/hashtag?tag=acme", "hashtag",
       "https://mastodon.social/api/v1/timelines/tag/acme?limit=40"},
      {"https://m.example:8443/api/v1/streaming/hashtag/local?tag=%23caf%C3%A9", "hashtag/local",
       "https://m.example:8443/api/v1/timelines/tag/caf%C3%A9?limit=40&local=true"},
      {"https://m.example/api/v1/streaming/public", "public",
       "https://m.example/api/v1/timelines/public?limit=40"},
      {"https://m.example/api/v1/streaming/public/local", "public/local",
       "https://m.example/api/v1/timelines/public?limit=40&local=true"},
      {"https://m.example/api/v1/streaming/hashtag", "", ""},  // no tag
      {"https://m.example/api/v1/streaming/user", "", ""},     // needs an account
      {"https://m.example/api/v1/timelines/public", "", ""},
      {"ftp://m.example/api/v1/streaming/public", "", ""},
  };
  for (const UrlCase& c : cases) {
    const std::optional<MastodonStreamUrl> url = ParseMastodonStreamUrl(c.url);
    if (c.kind.empty()) {
      EXPECT_FALSE(url.has_value()) << c.url;
      continue;
    }
    ASSERT_TRUE(url.has_value()) << c.url;
    EXPECT_EQ(url->kind, c.kind);
    EXPECT_EQ(url->timeline_url, c.timeline);
  }
}

TEST(MastodonStreamUrlTest, OrdersStatusIdsAsNumbers) {
  EXPECT_LT(CompareStatusIds("9", "10"), 0);
  EXPECT_GT(CompareStatusIds("113456789012345678", "99999999999999999"), 0);
  EXPECT_EQ(CompareStatusIds("42", "42"), 0);
  EXPECT_EQ(CompareStatusIds("042", "42"), 0);
  EXPECT_LT(CompareStatusIds("", "1"), 0);
  EXPECT_LT(CompareStatusIds("abc", "1"), 0);
}

}  // namespace
}  // namespace ecoute::listen
