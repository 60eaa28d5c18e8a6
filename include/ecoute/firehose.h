// `ecoute bench firehose` as the library runs it (docs/LISTENING.md, "Bluesky, live"): a
// loopback Jetstream replays events to a service's own Jetstream stream — the WebSocket
// client, the event parser, the analyzer with the service's catalog and the SQLite store
// with its cases — and the run is measured: events read and parsed, posts matched and
// stored, memory over time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

struct FirehoseBenchOptions {
  std::string db_path;      // a fresh SQLite file (made)
  std::string brands_path;  // the catalog (TOML)
  std::string data_dir;     // lexicons and models ("" the default)
  bool no_model = false;
  // The events, in Jetstream's JSON, with increasing time_us (the last one's is the end).
  std::vector<std::string> events;
  int64_t last_time_us = 0;
  double events_per_second = 0;  // 0: as fast as the stream reads them
  double timeout_seconds = 600;  // give up after
};

// One sample, every quarter of a second.
struct FirehoseSample {
  double seconds = 0;  // since the stream connected
  int64_t events = 0;  // read and parsed
  int64_t matched = 0;
  double rss_mib = 0;  // resident memory of the process
  std::string state;   // the stream's ("connecting", "connected", "backoff"...)
  std::string last_error;
};

struct FirehoseBenchResult {
  double seconds = 0;  // from the connection to the last batch stored
  int64_t events = 0;
  int64_t matched = 0;  // posts stored (new or changed)
  int64_t malformed = 0;
  int64_t posts_stored = 0;  // posts in the store at the end
  int64_t cases = 0;
  double peak_rss_mib = 0;
  std::vector<FirehoseSample> samples;
  // With events_per_second: from an event's send to the `case` live update of the case it
  // opened (a subscriber of the service's live updates, as the dashboard's stream), for
  // the events whose author is "did:plc:brand<i>", i its index in `events`.
  std::vector<double> case_delays_seconds;
};

// Runs the replay. `on_sample` (may be null) sees each sample as it is taken. Fails as the
// service's start does, or with kDeadlineExceeded past timeout_seconds.
Result<FirehoseBenchResult> RunFirehoseBench(
    const FirehoseBenchOptions& options,
    const std::function<void(const FirehoseSample&)>& on_sample = nullptr);

}  // namespace ecoute
