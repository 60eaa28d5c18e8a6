// The server's metrics, served on /metrics in the Prometheus text exposition format 0.0.4.
//
// A registry of families (one name, one type, one help, fixed label names), each with one
// child per combination of label values. Looking a child up takes the registry's mutex, so
// hot paths look it up once and keep the reference; updating a child is lock-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

// Only goes up. Thread-safe, lock-free.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // A negative `v` is ignored: a counter that went down would read as a restart.
  void Inc(double v = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into buckets fixed at creation. Thread-safe, lock-free.
class Histogram {
 public:
  // `bounds`: the buckets' upper bounds (inclusive), sorted, without +Inf (always added).
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // A NaN is ignored: it belongs in no bucket and would make the sum NaN forever.
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations at or below bounds()[i], and with i == bounds().size() all of them: the
  // cumulative counts the format wants. The total is the sum of the buckets read, so that
  // _count and the +Inf bucket agree even while Observe runs.
  std::vector<uint64_t> CumulativeCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  // Per bucket, not cumulative, the last one +Inf: one increment per Observe.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Label name and value pairs, in the family's label order.
using MetricLabels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// The registry. Thread-safe: every member function may be called from any thread; lookups
// and Render take mutex_, and the children they return update lock-free.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Each returns the child for these label values, creating the family and the child on
  // first use; the family's help, label names (in the order given) and buckets are the
  // first call's. References stay valid for the registry's lifetime.
  //
  // A call whose type or label names disagree with the family's first registration is a
  // programming error: it gets a working child that is never rendered (and asserts in
  // debug builds).
  Counter& GetCounter(std::string_view name, std::string_view help, MetricLabels labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, MetricLabels labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, std::vector<double> buckets,
                          MetricLabels labels = {});

  // A gauge without labels read at scrape time (queue depths, open connections). `read` is
  // called by Render, without the registry's lock held, from the scraping thread. Adding
  // one under an existing callback's name replaces it.
  void AddCallbackGauge(std::string_view name, std::string_view help, std::function<double()> read);

  // Every family, sorted by name: "# HELP", "# TYPE", then one line per child (sorted by
  // label values); histograms as _bucket{le=...} (cumulative, +Inf included), _sum, _count.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram, kCallbackGauge };
  struct Family;
  // The family `name`, created with these help and label names when new; null when it
  // exists with another type or other label names.
  Family* FamilyLocked(std::string_view name, std::string_view help, Type type, MetricLabels labels)
      ECOUTE_REQUIRES(mutex_);

  mutable Mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_ ECOUTE_GUARDED_BY(mutex_);
  // The children of inconsistent calls: alive as long as the registry, never rendered.
  std::vector<std::unique_ptr<Counter>> stray_counters_ ECOUTE_GUARDED_BY(mutex_);
  std::vector<std::unique_ptr<Gauge>> stray_gauges_ ECOUTE_GUARDED_BY(mutex_);
  std::vector<std::unique_ptr<Histogram>> stray_histograms_ ECOUTE_GUARDED_BY(mutex_);
};

// Upper bounds for request and poll latencies in seconds, 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();

}  // namespace ecoute::server
