// For tests only: counts what other threads report (a delivery made, a source polled) and
// lets the test wait until enough has happened, instead of sleeping and hoping. The
// deadline only bounds a failure: a passing test waits no longer than the events take.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace ecoute::testing {

// Thread-safe.
class EventCounter {
 public:
  void Add() {
    {
      std::lock_guard lock(mutex_);
      ++count_;
    }
    changed_.notify_all();
  }

  // Whether at least `n` events have been reported, waiting for them up to `deadline`.
  bool WaitFor(int64_t n, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return count_ >= n; });
  }

  int64_t count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int64_t count_ = 0;
};

}  // namespace ecoute::testing
