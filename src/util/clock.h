// Wall-clock time in seconds, behind an interface: the system clock in production, a clock
// the tests move by hand (SLA timers, retry backoff, session expiry, login throttling,
// polling schedules).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace ecoute {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the epoch.
  virtual int64_t Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now) : now_(now) {}
  int64_t Now() const override { return now_.load(); }
  void Set(int64_t now) { now_.store(now); }
  void Advance(int64_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace ecoute
