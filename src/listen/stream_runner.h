// Keeps one LiveStream (live_stream.h) running per enabled live source: a thread each,
// started when the source appears or is enabled, stopped when it is removed or disabled,
// restarted when its URL, format, brand or token changes. Sync() reconciles; the service
// calls it every second and after every change of sources through the API.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/status.h"

#include "listen/live_stream.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::listen {

// Thread-safe: Sync, Statuses, Start and Stop may be called from any thread.
class StreamRunner {
 public:
  // Every watched source (the live ones are picked by format).
  using ListSources = std::function<Result<std::vector<WatchedSource>>()>;
  // The context a stream of `source` is given (sink, save_cursor, token, clock, fetch
  // options); an error leaves the source without a stream until the next Sync.
  using MakeContext = std::function<Result<LiveContext>(const WatchedSource& source)>;

  StreamRunner(ListSources list, MakeContext make_context);
  ~StreamRunner();  // Stop()
  StreamRunner(const StreamRunner&) = delete;
  StreamRunner& operator=(const StreamRunner&) = delete;

  // The factory of the streams of `format` ("jetstream", "mastodon_stream"). Set before
  // Start; a format without a factory is left alone.
  void Register(std::string format, LiveStreamFactory factory) ECOUTE_EXCLUDES(mutex_);

  // Starts the streams of the enabled live sources that have none, stops those of sources
  // removed, disabled or changed (a changed one starts again with its new settings). The
  // streams stopped are waited for outside the lock. Does nothing before Start or after
  // Stop.
  void Sync() ECOUTE_EXCLUDES(mutex_, sync_mutex_);

  // The status of each running stream by source id; the counters include those of the
  // source's earlier streams since the runner was made.
  std::map<int64_t, StreamStatus> Statuses() const ECOUTE_EXCLUDES(mutex_);
  // The format of each running stream by source id (for /metrics' labels).
  std::map<int64_t, std::string> Formats() const ECOUTE_EXCLUDES(mutex_);

  // Sync now, then every `tick` on a thread of the runner's, until Stop.
  void Start(std::chrono::milliseconds tick = std::chrono::milliseconds(1000))
      ECOUTE_EXCLUDES(mutex_);
  // Stops the ticking thread and every stream (each is asked to stop, then all are waited
  // for). Start may be called again afterwards.
  void Stop() ECOUTE_EXCLUDES(mutex_, sync_mutex_);

 private:
  struct Running {
    WatchedSource source;
    std::unique_ptr<LiveStream> stream;
    std::jthread thread;
  };

  ListSources list_;
  MakeContext make_context_;
  Mutex sync_mutex_;  // one Sync at a time
  mutable Mutex mutex_;
  std::map<std::string, LiveStreamFactory, std::less<>> factories_ ECOUTE_GUARDED_BY(mutex_);
  std::map<int64_t, std::unique_ptr<Running>> running_ ECOUTE_GUARDED_BY(mutex_);
  // The counters of the streams already stopped, by source id.
  std::map<int64_t, StreamStatus> earlier_ ECOUTE_GUARDED_BY(mutex_);
  bool started_ ECOUTE_GUARDED_BY(mutex_) = false;  // between Start and Stop
  std::jthread ticker_;                             // Start/Stop only
};

// The JSON of a status as the API shows it (`live` of a source): the fields of the
// struct, times RFC 3339 or null when 0.
nlohmann::json StatusJson(const StreamStatus& status);

}  // namespace ecoute::listen
