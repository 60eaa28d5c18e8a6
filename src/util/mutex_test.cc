#include "util/mutex.h"

#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ecoute {
namespace {

// A counter shared by threads, annotated as the style guide asks.
class Counter {
 public:
  void Add() ECOUTE_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    ++count_;
    changed_.NotifyAll();
  }
  // Waits until the count reaches `target`; false if `timeout` passes first.
  bool WaitFor(int target, std::chrono::milliseconds timeout) ECOUTE_EXCLUDES(mu_) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    MutexLock lock(mu_);
    while (count_ < target) {
      if (!changed_.WaitUntil(mu_, deadline) && count_ < target) return false;
    }
    return true;
  }
  int count() ECOUTE_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return count_;
  }

 private:
  Mutex mu_;
  CondVar changed_;
  int count_ ECOUTE_GUARDED_BY(mu_) = 0;
};

TEST(MutexTest, GuardsACounterAcrossThreads) {
  Counter counter;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < 1000; ++i) counter.Add();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter.count(), 4000);
}

TEST(MutexTest, WaitWakesOnNotification) {
  Counter counter;
  std::thread adder([&counter] { counter.Add(); });
  EXPECT_TRUE(counter.WaitFor(1, std::chrono::seconds(30)));
  adder.join();
}

TEST(MutexTest, WaitUntilGivesUpAtTheDeadline) {
  Counter counter;
  EXPECT_FALSE(counter.WaitFor(1, std::chrono::milliseconds(10)));
}

TEST(MutexTest, WaitForReportsATimeout) {
  Mutex mu;
  CondVar never;
  MutexLock lock(mu);
  bool notified = true;  // a wake-up may be spurious: it returns true, and we wait again
  for (int i = 0; i < 100 && notified; ++i)
    notified = never.WaitFor(mu, std::chrono::milliseconds(1));
  EXPECT_FALSE(notified);
}

}  // namespace
}  // namespace ecoute
