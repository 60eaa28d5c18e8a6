// The firehose benchmark's run: a service (App) with its stream runner, a loopback
// Jetstream, and samples of the stream's counters and of the process's memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include <unistd.h>

#include "ecoute/firehose.h"

#include "listen/testing_jetstream_server.h"
#include "server/app.h"

namespace ecoute {
namespace {

double ResidentMiB() {
  long pages = 0;     // NOLINT(google-runtime-int): /proc's format
  long resident = 0;  // NOLINT(google-runtime-int)
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(statm);
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

// A live-updates subscriber that notes when each case event arrives, by the index of the
// event that opened it (its customer is "did:plc:brand<index>").
class CaseClock final : public server::EventSink {
 public:
  bool Send(std::string chunk) override {
    const auto now = std::chrono::steady_clock::now();
    if (!chunk.starts_with("event: case")) return true;
    constexpr std::string_view kCustomer = "\"customer\":\"did:plc:brand";
    const size_t at = chunk.find(kCustomer);
    if (at == std::string::npos) return true;
    size_t index = 0;
    for (size_t i = at + kCustomer.size(); i < chunk.size() && chunk[i] >= '0' && chunk[i] <= '9';
         ++i) {
      index = index * 10 + static_cast<size_t>(chunk[i] - '0');
    }
    std::lock_guard lock(mutex_);
    arrivals_.emplace(index, now);  // the first one: the case's opening
    return true;
  }
  bool IsOpen() const override { return true; }
  void End(std::string) override {}
  std::map<size_t, std::chrono::steady_clock::time_point> arrivals() const {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<size_t, std::chrono::steady_clock::time_point> arrivals_;
};

// Subscribes `clock` to the live updates as an administrator would.
Status SubscribeCaseClock(server::App& app, std::shared_ptr<CaseClock> clock) {
  User user;
  user.name = "firehose-bench";
  user.role = Role::kAdmin;
  ECOUTE_ASSIGN_OR_RETURN(const User added,
                          app.access().AddUser(user, "firehose bench correct horse battery"));
  ECOUTE_ASSIGN_OR_RETURN(const server::NewToken token,
                          app.access().CreateToken(added.id, "bench", std::nullopt));
  ECOUTE_ASSIGN_OR_RETURN(const server::Principal principal,
                          app.access().AuthenticateToken(token.token));
  app.live().Subscribe(std::move(clock), principal, {false, token.token}, app.clock().Now());
  return OkStatus();
}

}  // namespace

Result<FirehoseBenchResult> RunFirehoseBench(
    const FirehoseBenchOptions& options,
    const std::function<void(const FirehoseSample&)>& on_sample) {
  using server::App;
  using server::ServerConfig;
  ServerConfig config;
  config.db_path = options.db_path;
  config.brands_path = options.brands_path;
  config.data_dir = options.data_dir;
  config.no_model = options.no_model;
  config.contacts.enabled = false;
  const IpRange loopback = ParseIpRange("127.0.0.0/8").value();
  config.watcher.fetch.outbound.allow_private = {loopback};
  SystemClock clock;
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<App> app, App::Create(config, clock));

  std::vector<listen::testing::ReplayEvent> events;
  events.reserve(options.events.size());
  for (const std::string& text : options.events) events.push_back({0, text, false});
  listen::testing::JetstreamServerOptions server_options;
  server_options.events_per_second = options.events_per_second;
  listen::testing::JetstreamServer jetstream(std::move(events), server_options);

  WatchedSource source;
  source.url = jetstream.url();
  source.format = "jetstream";
  ECOUTE_ASSIGN_OR_RETURN(source, app->watcher().Add(source));
  auto case_clock = std::make_shared<CaseClock>();
  ECOUTE_RETURN_IF_ERROR(SubscribeCaseClock(*app, case_clock));
  using SteadyClock = std::chrono::steady_clock;
  const auto begin = SteadyClock::now();
  app->streams().Start();
  FirehoseBenchResult result;
  const std::string last = std::to_string(options.last_time_us);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const auto statuses = app->streams().Statuses();
    const auto it = statuses.find(source.id);
    FirehoseSample sample;
    sample.seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count();
    if (it != statuses.end()) {
      sample.events = it->second.events;
      sample.matched = it->second.matched;
      sample.state = it->second.state;
      sample.last_error = it->second.last_error;
      result.malformed = it->second.malformed;
    }
    sample.rss_mib = ResidentMiB();
    result.peak_rss_mib = std::max(result.peak_rss_mib, sample.rss_mib);
    result.samples.push_back(sample);
    if (on_sample) on_sample(sample);
    Result<WatchedSource> now = app->watcher().Get(source.id);
    if (now && now->cursor == last) break;
    if (sample.seconds > options.timeout_seconds) {
      app->streams().Stop();
      return DeadlineExceededError("the replay did not end within " +
                                   std::to_string(options.timeout_seconds) + " s");
    }
  }
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count();
  const auto statuses = app->streams().Statuses();
  if (const auto it = statuses.find(source.id); it != statuses.end()) {
    result.events = it->second.events;
    result.matched = it->second.matched;
    result.malformed = it->second.malformed;
  }
  app->streams().Stop();
  if (options.events_per_second > 0) {
    for (const auto& [index, arrived] : case_clock->arrivals()) {
      const auto sent =
          jetstream.replay_started() +
          std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(
              static_cast<double>(index) / options.events_per_second));
      result.case_delays_seconds.push_back(std::chrono::duration<double>(arrived - sent).count());
    }
  }
  ECOUTE_ASSIGN_OR_RETURN(const StoreStats stats, app->store().Lock()->Stats());
  result.posts_stored = stats.posts;
  result.cases = stats.cases;
  jetstream.Stop();
  return result;
}

}  // namespace ecoute
