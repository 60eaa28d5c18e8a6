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
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "ecoute/store.h"

namespace ecoute {

class SharedStore {
 public:
  // The store, reached with the mutex held (the mutex is released when it goes).
  class Access {
   public:
    Store* operator->() const { return &store_; }
    Store& operator*() const { return store_; }

   private:
    friend class SharedStore;
    // lock_ is declared first: the mutex is held before `store` is read.
    Access(std::mutex& mu, const std::unique_ptr<Store>& store) : lock_(mu), store_(*store) {}
    std::unique_lock<std::mutex> lock_;
    Store& store_;
  };

  SharedStore() = default;
  explicit SharedStore(std::unique_ptr<Store> store) : store_(std::move(store)) {}
  SharedStore(const SharedStore&) = delete;
  SharedStore& operator=(const SharedStore&) = delete;

  // Replaces the store (at start-up, or to close it: nullptr).
  void Reset(std::unique_ptr<Store> store) {
    std::lock_guard lock(mu_);
    store_ = std::move(store);
  }

  // Blocks until the mutex is free. The store must be set.
  Access Lock() { return Access(mu_, store_); }

 private:
  std::mutex mu_;
  std::unique_ptr<Store> store_;  // guarded by mu_
};

}  // namespace ecoute
