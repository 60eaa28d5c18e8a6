#include "listen/stream_runner.h"

#include <condition_variable>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "ecoute/datetime.h"

namespace ecoute::listen {
namespace {

// What makes a running stream another: it restarts when one of these changes.
bool SameStream(const WatchedSource& a, const WatchedSource& b) {
  return a.url == b.url && a.format == b.format && a.secret == b.secret && a.brand == b.brand &&
         a.origin == b.origin && a.follow_case == b.follow_case;
}

void AddCounters(StreamStatus& into, const StreamStatus& from) {
  into.events += from.events;
  into.matched += from.matched;
  into.malformed += from.malformed;
  into.reconnects += from.reconnects;
}

}  // namespace

StreamRunner::StreamRunner(ListSources list, MakeContext make_context)
    : list_(std::move(list)), make_context_(std::move(make_context)) {}

StreamRunner::~StreamRunner() { Stop(); }

void StreamRunner::Register(std::string format, LiveStreamFactory factory) {
  MutexLock lock(mutex_);
  factories_[std::move(format)] = std::move(factory);
}

void StreamRunner::Sync() {
  MutexLock one_at_a_time(sync_mutex_);
  Result<std::vector<WatchedSource>> sources = list_();
  if (!sources) {
    spdlog::warn("live sources: {}", sources.error().message());
    return;
  }
  std::map<int64_t, const WatchedSource*> wanted;
  std::vector<std::unique_ptr<Running>> ending;
  {
    MutexLock lock(mutex_);
    if (!started_) return;
    for (const WatchedSource& s : *sources) {
      if (s.enabled && factories_.contains(s.format)) wanted.emplace(s.id, &s);
    }
    for (auto it = running_.begin(); it != running_.end();) {
      auto found = wanted.find(it->first);
      if (found != wanted.end() && SameStream(it->second->source, *found->second)) {
        ++it;
        continue;
      }
      it->second->thread.request_stop();
      ending.push_back(std::move(it->second));
      it = running_.erase(it);
    }
  }
  // Stopped before any new one starts: a changed source never has two streams at once.
  for (std::unique_ptr<Running>& r : ending) {
    if (r->thread.joinable()) r->thread.join();
    MutexLock lock(mutex_);
    AddCounters(earlier_[r->source.id], r->stream->status());
  }
  ending.clear();
  for (const auto& [id, source] : wanted) {
    LiveStreamFactory factory;
    {
      MutexLock lock(mutex_);
      if (!started_ || running_.contains(id)) continue;
      factory = factories_.at(source->format);
    }
    Result<LiveContext> context = make_context_(*source);
    if (!context) {
      spdlog::warn("live source {}: {}", id, context.error().message());
      continue;
    }
    auto running = std::make_unique<Running>();
    running->source = *source;
    running->stream = factory(std::move(context).value());
    if (!running->stream) continue;
    LiveStream* stream = running->stream.get();
    running->thread =
        std::jthread([stream](std::stop_token stop) { stream->Run(std::move(stop)); });
    {
      MutexLock lock(mutex_);
      if (started_) {
        running_.emplace(id, std::move(running));
        continue;
      }
    }
    running->thread.request_stop();  // Stop came meanwhile
    running->thread.join();
  }
}

std::map<int64_t, StreamStatus> StreamRunner::Statuses() const {
  MutexLock lock(mutex_);
  std::map<int64_t, StreamStatus> statuses;
  for (const auto& [id, running] : running_) {
    StreamStatus status = running->stream->status();
    if (auto it = earlier_.find(id); it != earlier_.end()) AddCounters(status, it->second);
    statuses.emplace(id, std::move(status));
  }
  return statuses;
}

std::map<int64_t, std::string> StreamRunner::Formats() const {
  MutexLock lock(mutex_);
  std::map<int64_t, std::string> formats;
  for (const auto& [id, running] : running_) formats.emplace(id, running->source.format);
  return formats;
}

void StreamRunner::Start(std::chrono::milliseconds tick) {
  {
    MutexLock lock(mutex_);
    started_ = true;
  }
  if (ticker_.joinable()) return;
  ticker_ = std::jthread([this, tick](const std::stop_token& stop) {
    std::mutex wait_mutex;
    std::condition_variable_any wake;
    while (!stop.stop_requested()) {
      Sync();
      std::unique_lock lock(wait_mutex);
      wake.wait_for(lock, stop, tick, [] { return false; });
    }
  });
}

void StreamRunner::Stop() {
  if (ticker_.joinable()) {
    ticker_.request_stop();
    ticker_.join();
  }
  std::map<int64_t, std::unique_ptr<Running>> ending;
  {
    MutexLock lock(mutex_);
    started_ = false;
    ending.swap(running_);
  }
  // Every stream asked first, then waited for: they stop in parallel.
  for (auto& [id, r] : ending) r->thread.request_stop();
  for (auto& [id, r] : ending) {
    if (r->thread.joinable()) r->thread.join();
  }
  MutexLock one_at_a_time(sync_mutex_);  // a Sync in progress has finished
}

nlohmann::json StatusJson(const StreamStatus& s) {
  const auto time = [](int64_t t) { return t > 0 ? nlohmann::json(FormatRfc3339(t)) : nullptr; };
  return {{"state", s.state},
          {"error_kind", s.error_kind},
          {"last_error", s.last_error},
          {"connected_since", time(s.connected_since)},
          {"last_event_at", time(s.last_event_at)},
          {"lag_seconds", s.lag_seconds},
          {"retry_at", time(s.retry_at)},
          {"failures", s.failures},
          {"events", s.events},
          {"matched", s.matched},
          {"malformed", s.malformed},
          {"reconnects", s.reconnects}};
}

}  // namespace ecoute::listen
