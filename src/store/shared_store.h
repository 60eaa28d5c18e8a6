// A Store shared between threads: the one place where the store's lock is taken.
//
// A Store is not thread-safe. SharedStore owns it behind one mutex, and the only way to
// reach it is Lock(), whose Access holds the mutex for as long as it lives:
//
//   Result<std::vector<CaseSummary>> cases = app.store().Lock()->ListCases(filter);
//
//   SharedStore::Access store = app.store().Lock();  // several calls under one lock
//   store->Ingest(batch, results);
//
// Keep an Access for the calls only, never across analysis, network or disk waits of
// other kinds: every other user of the store waits for it.
//
// Thread-safety: SharedStore is thread-safe; an Access belongs to the thread that took it.
// Clang's thread-safety analysis checks that the store is read only with the mutex held.
#pragma once

#include <memory>
#include <utility>

#include "ecoute/store.h"

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute {

class SharedStore {
 public:
  // The store, reached with the mutex held (the mutex is released when it goes).
  class ECOUTE_SCOPED_CAPABILITY Access {
   public:
    Access(const Access&) = delete;
    Access& operator=(const Access&) = delete;
    // Not annotated as the release of the mutex: clang 14 cannot follow a scoped capability
    // returned by a function (Lock()), and would report the caller's Access as released
    // without being held. The constructor's acquisition is checked.
    ~Access() ECOUTE_NO_THREAD_SAFETY_ANALYSIS { mu_.Unlock(); }

    Store* operator->() const { return store_; }
    Store& operator*() const { return *store_; }

   private:
    friend class SharedStore;
    // The mutex is held before the store is read.
    explicit Access(SharedStore& shared) ECOUTE_ACQUIRE(shared.mu_) : mu_(shared.mu_) {
      shared.mu_.Lock();
      store_ = shared.store_.get();
    }
    Mutex& mu_;
    Store* store_ = nullptr;
  };

  SharedStore() = default;
  explicit SharedStore(std::unique_ptr<Store> store) : store_(std::move(store)) {}
  SharedStore(const SharedStore&) = delete;
  SharedStore& operator=(const SharedStore&) = delete;

  // Replaces the store (at start-up, or to close it: nullptr).
  void Reset(std::unique_ptr<Store> store) ECOUTE_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    store_ = std::move(store);
  }

  // Blocks until the mutex is free. The store must be set.
  Access Lock() ECOUTE_EXCLUDES(mu_) { return Access(*this); }

 private:
  Mutex mu_;
  std::unique_ptr<Store> store_ ECOUTE_GUARDED_BY(mu_) ECOUTE_PT_GUARDED_BY(mu_);
};

}  // namespace ecoute
