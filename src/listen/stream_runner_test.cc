#include "listen/stream_runner.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "util/mutex.h"

namespace ecoute::listen {
namespace {

// A stream that counts and waits for its stop.
class FakeStream final : public LiveStream {
 public:
  explicit FakeStream(std::atomic<int>& running) : running_(running) {}
  void Run(std::stop_token stop) override {
    ++running_;
    while (!stop.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    --running_;
  }
  StreamStatus status() const override {
    StreamStatus s;
    s.state = "connected";
    s.events = 5;
    return s;
  }

 private:
  std::atomic<int>& running_;
};

class StreamRunnerTest : public ::testing::Test {
 protected:
  StreamRunnerTest()
      : runner_(
            [this]() -> Result<std::vector<WatchedSource>> {
              MutexLock lock(mutex_);
              return sources_;
            },
            [this](const WatchedSource& source) -> Result<LiveContext> {
              ++contexts_;
              LiveContext context;
              context.source = source;
              return context;
            }) {
    runner_.Register("jetstream", [this](const LiveContext&) {
      ++made_;
      return std::make_unique<FakeStream>(running_);
    });
  }

  void SetSources(std::vector<WatchedSource> sources) {
    MutexLock lock(mutex_);
    sources_ = std::move(sources);
  }

  static WatchedSource Source(int64_t id, std::string format, bool enabled = true) {
    WatchedSource s;
    s.id = id;
    s.url = "wss://j" + std::to_string(id) + ".example/subscribe";
    s.format = std::move(format);
    s.enabled = enabled;
    return s;
  }

  bool WaitRunning(int n) {
    for (int i = 0; i < 2000 && running_.load() != n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return running_.load() == n;
  }

  Mutex mutex_;
  std::vector<WatchedSource> sources_ ECOUTE_GUARDED_BY(mutex_);
  std::atomic<int> running_{0};
  std::atomic<int> made_{0};
  std::atomic<int> contexts_{0};
  StreamRunner runner_;
};

TEST_F(StreamRunnerTest, OneStreamPerEnabledLiveSourceOfARegisteredFormat) {
  SetSources({Source(1, "jetstream"), Source(2, "feed"), Source(3, "jetstream", false),
              Source(4, "mastodon_stream")});
  runner_.Sync();  // before Start: nothing
  EXPECT_EQ(made_.load(), 0);
  runner_.Start(std::chrono::hours(1));
  ASSERT_TRUE(WaitRunning(1));
  EXPECT_EQ(made_.load(), 1);
  const auto statuses = runner_.Statuses();
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses.begin()->first, 1);
  EXPECT_EQ(runner_.Formats().at(1), "jetstream");
  runner_.Sync();  // unchanged: nothing restarted
  EXPECT_EQ(made_.load(), 1);
}

TEST_F(StreamRunnerTest, RemovedDisabledAndChangedSourcesAreStoppedOrRestarted) {
  SetSources({Source(1, "jetstream"), Source(2, "jetstream")});
  runner_.Start(std::chrono::hours(1));
  ASSERT_TRUE(WaitRunning(2));
  WatchedSource changed = Source(1, "jetstream");
  changed.url = "wss://elsewhere.example/subscribe";
  SetSources({changed, Source(2, "jetstream", false)});
  runner_.Sync();
  ASSERT_TRUE(WaitRunning(1));
  EXPECT_EQ(made_.load(), 3);
  // The restarted source's counters carry on from its first stream's.
  EXPECT_EQ(runner_.Statuses().at(1).events, 10);
  SetSources({});
  runner_.Sync();
  EXPECT_TRUE(WaitRunning(0));
  EXPECT_TRUE(runner_.Statuses().empty());
}

TEST_F(StreamRunnerTest, StopEndsEveryStreamAndStartResumesThem) {
  SetSources({Source(1, "jetstream"), Source(2, "jetstream")});
  runner_.Start(std::chrono::milliseconds(10));
  ASSERT_TRUE(WaitRunning(2));
  const auto started = std::chrono::steady_clock::now();
  runner_.Stop();
  EXPECT_EQ(running_.load(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
  runner_.Sync();  // stopped: nothing
  EXPECT_EQ(running_.load(), 0);
  runner_.Start(std::chrono::milliseconds(10));
  EXPECT_TRUE(WaitRunning(2));
}

TEST(StreamStatusJsonTest, TimesAreRfc3339OrNull) {
  StreamStatus s;
  s.state = "connected";
  s.connected_since = 1795600000;
  s.events = 3;
  const nlohmann::json j = StatusJson(s);
  EXPECT_EQ(j["state"], "connected");
  EXPECT_EQ(j["connected_since"], "2026-11-25T09:46:40Z");
  EXPECT_TRUE(j["last_event_at"].is_null());
  EXPECT_TRUE(j["retry_at"].is_null());
  EXPECT_EQ(j["events"], 3);
}

}  // namespace
}  // namespace ecoute::listen
