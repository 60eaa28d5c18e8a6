// Service levels: how soon a case must get the brand's first response, and the ladder a
// case climbs (agent, supervisor, manager...) while it waits past its deadline
// (docs/ALERTS.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecoute/cases.h"
#include "ecoute/status.h"
#include "ecoute/store.h"

#include "alerts/alerts.h"
#include "store/shared_store.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

struct SlaPolicy {
  std::string brand = "*";  // a brand's name, or "*" for every brand
  int min_priority = 0;     // applies to cases of this priority and above
  int64_t first_response_seconds = int64_t{4} * 3600;
};

struct EscalationLevel {
  std::string name;                     // "agent", "supervisor", "manager"
  std::vector<WebhookTarget> contacts;  // told when a case reaches this level
};

struct SlaConfig {
  std::vector<SlaPolicy> policies;
  std::vector<EscalationLevel> levels;  // levels[0] is where every case starts
};

// Priority 70 and above: 1 h; 40 and above: 4 h; else 24 h; levels agent, supervisor and
// manager without contacts.
SlaConfig DefaultSlaConfig();

// The policy for a case: among the policies naming its brand (without regard to case), the
// one with the highest min_priority at or below `priority`; when none of them applies,
// the same among the "*" policies; nullptr when none applies either.
const SlaPolicy* PolicyFor(const SlaConfig& config, std::string_view brand, int priority);

// kNone: no policy applies, or the case was closed unanswered. Open and unanswered: kOk,
// kDueSoon (less than 25 % of the time left), kBreached. Answered: kMet (by the deadline)
// or kMissed.
enum class SlaState : uint8_t { kNone, kOk, kDueSoon, kBreached, kMet, kMissed };
std::string_view SlaStateName(SlaState state);  // "none", "ok", "due_soon", ...

struct SlaStatus {
  SlaState state = SlaState::kNone;
  std::optional<int64_t> due_at;  // the first response's deadline
};

SlaStatus SlaStatusOf(const SlaConfig& config, const CaseSummary& summary, int64_t now);

// "no first response within 2h (Fnac, priority ≥ 70)": an escalation's reason, for a case
// under `policy` that waited `waited_seconds` (a multiple of the policy's time).
std::string DescribeBreach(const SlaPolicy& policy, int64_t waited_seconds);

struct Escalation {
  int64_t case_id = 0;
  std::string brand;
  int from_level = 0;
  int to_level = 0;
  std::string reason;
};

// Thread-safe: Tick may be called from any thread, also while the monitor's own thread
// runs; calls are serialized by tick_mutex_. The store is reached through SharedStore's
// own lock, the alerts through AlertEngine, which is thread-safe.
class SlaMonitor {
 public:
  // Every call into `store` goes through its lock, never held while alerts are queued.
  SlaMonitor(SharedStore& store, AlertEngine& alerts, const Clock& clock, SlaConfig config);
  ~SlaMonitor();  // stops the thread
  SlaMonitor(const SlaMonitor&) = delete;
  SlaMonitor& operator=(const SlaMonitor&) = delete;

  // Escalates each open, unanswered case whose deadline passed: a case at level k goes to
  // k + 1 once now >= opened_at + (k + 1) * T, T being its policy's time, up to the last
  // level; one level per case per Tick, so that a ladder missed during downtime is climbed
  // one tick at a time and every level hears of it. Each escalation is one EscalateCase
  // (actor "rule:sla"), one Notify to the new level's contacts and one Publish to the rules
  // that want escalations ("case.escalated"), the alerts queued first so that a crash
  // between them and the level's write only repeats alerts the dedupe keys drop. A case
  // answered never escalates.
  Result<std::vector<Escalation>> Tick() ECOUTE_EXCLUDES(tick_mutex_);

  // Runs Tick every `interval` on a thread of its own, until Stop.
  void Start(std::chrono::milliseconds interval) ECOUTE_EXCLUDES(wake_mutex_);
  void Stop() ECOUTE_EXCLUDES(wake_mutex_);

  // Called after each escalation (live updates). Set it before Start.
  std::function<void(const Escalation&)> on_escalated;
  // Called with what a Tick cannot return: a failed Tick of the thread, alerts that could
  // not be queued for an escalation (the escalation itself is recorded). For the log.
  std::function<void(const Status&)> on_error;

 private:
  void Run(std::chrono::milliseconds interval) ECOUTE_EXCLUDES(tick_mutex_, wake_mutex_);
  void Report(const Status& status);

  SharedStore& store_;  // thread-safe: each call takes the store's own lock
  AlertEngine& alerts_;
  const Clock& clock_;
  const SlaConfig config_;
  Mutex tick_mutex_;  // one Tick at a time
  Mutex wake_mutex_;
  CondVar wake_;  // with wake_mutex_: lets Stop cut the wait between ticks short
  bool stopping_ ECOUTE_GUARDED_BY(wake_mutex_) = false;
  std::thread thread_;  // started and joined by the owner's thread (Start, Stop)
};

}  // namespace ecoute::server
