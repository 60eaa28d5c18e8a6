// A mutex, its scoped lock and a condition variable that clang's thread-safety analysis
// understands (util/thread_annotations.h), so that a field marked
// `ECOUTE_GUARDED_BY(mu_)` is checked at compile time on every access.
//
//   class Counter {
//    public:
//     void Add() ECOUTE_EXCLUDES(mu_) { MutexLock lock(mu_); ++count_; }
//    private:
//     Mutex mu_;
//     int count_ ECOUTE_GUARDED_BY(mu_) = 0;
//   };
//
// Waiting: hold the lock and loop on the condition, which the analysis then checks too:
//
//   MutexLock lock(mu_);
//   while (!ready_) ready_cv_.Wait(mu_);
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "util/thread_annotations.h"

namespace ecoute {

// std::mutex with annotated Lock and Unlock. Not recursive; neither copyable nor movable.
class ECOUTE_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ECOUTE_ACQUIRE() { mu_.lock(); }
  void Unlock() ECOUTE_RELEASE() { mu_.unlock(); }

  // For a function that is only ever called with the lock held but cannot say so in its
  // declaration (a callback): tells the analysis, without checking, that it is held.
  void AssertHeld() const ECOUTE_ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex from construction to the end of the scope.
class ECOUTE_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ECOUTE_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() ECOUTE_RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable for Mutex. Each Wait releases `mu` while it sleeps and holds it
// again on return; wake-ups may be spurious, so callers loop on their condition.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  void Wait(Mutex& mu) ECOUTE_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // the caller's MutexLock still owns the mutex
  }

  // Returns false when `timeout` passed without a notification.
  template <class Rep, class Period>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> timeout) ECOUTE_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const std::cv_status status = cv_.wait_for(lock, timeout);
    lock.release();
    return status == std::cv_status::no_timeout;
  }

  // Returns false when `deadline` passed without a notification.
  template <class Clock, class Duration>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> deadline) ECOUTE_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const std::cv_status status = cv_.wait_until(lock, deadline);
    lock.release();
    return status == std::cv_status::no_timeout;
  }

  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace ecoute
