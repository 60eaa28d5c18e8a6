// Service levels: how soon a case must get the brand's response (the first one, then the
// next one after each customer's follow-up or reopen), counted in the brand's business
// hours, and the ladder a case climbs (agent, supervisor, manager...) while it waits past
// its deadline (docs/ALERTS.md). The policies and the ladder are data (store/sla_tables.h),
// edited while the server runs.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ecoute/cases.h"
#include "ecoute/status.h"
#include "ecoute/store.h"

#include "alerts/alerts.h"
#include "store/shared_store.h"
#include "store/sla_tables.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

// When the SLA clock runs: within each day's opening hours, in a time zone, except on
// holidays. Without a time zone it always runs.
struct BusinessHours {
  std::string time_zone;  // IANA name: "Europe/Paris"; "": always
  // Per weekday, Monday first: [open, close) in minutes after local midnight; nullopt:
  // closed all day.
  std::array<std::optional<std::pair<int, int>>, 7> days{};
  std::vector<std::string> holidays;  // local dates, "YYYY-MM-DD"
};

struct SlaPolicy {
  std::string brand = "*";  // a brand's name, or "*" for every brand
  int min_priority = 0;     // applies to cases of this priority and above
  int64_t first_response_seconds = int64_t{4} * 3600;
  int64_t next_response_seconds = 0;  // 0: as first_response_seconds
  BusinessHours hours;
};

struct EscalationLevel {
  std::string name;                     // "agent", "supervisor", "manager"
  std::vector<WebhookTarget> contacts;  // told when a case reaches this level
};

struct SlaConfig {
  std::vector<SlaPolicy> policies;
  std::vector<EscalationLevel> levels;  // levels[0] is where every case starts
  std::string updated_by;               // who saved it last ("config" when seeded)
  int64_t updated_at = 0;
};

// Priority 70 and above: 1 h; 40 and above: 4 h; else 24 h; levels agent, supervisor and
// manager without contacts.
SlaConfig DefaultSlaConfig();

// "09:00-18:00" -> {540, 1080}; nullopt unless HH:MM-HH:MM with open < close <= 24:00.
std::optional<std::pair<int, int>> ParseHoursRange(std::string_view text);
std::string FormatHoursRange(const std::pair<int, int>& range);
// "2026-12-25": a valid date as YYYY-MM-DD.
bool IsIsoDate(std::string_view text);
// Whether the system's time zone database knows `name`.
bool IsKnownTimeZone(const std::string& name);

// The instant `seconds` of business time after `start` (start itself when seconds is 0 and
// the clock runs then); nullopt when the hours never open (no open day within ten years)
// or the time zone is unknown.
std::optional<int64_t> AddBusinessTime(const BusinessHours& hours, int64_t start, int64_t seconds);
// The business time between `from` and `to` (0 when to <= from).
int64_t BusinessSecondsBetween(const BusinessHours& hours, int64_t from, int64_t to);

// The first error of a configuration, as the API reports it: the field at fault
// ("policies[2].first_response", "levels[0].name") and a sentence. Contacts are checked
// against `outbound`.
struct SlaConfigError {
  std::string field;
  std::string message;
};
std::optional<SlaConfigError> ValidateSlaConfig(const SlaConfig& config,
                                                const OutboundPolicy& outbound);

// The configuration as stored, and back.
SlaConfigRows ToRows(const SlaConfig& config);
SlaConfig FromRows(const SlaConfigRows& rows);

// The policy for a case: among the policies naming its brand (without regard to case), the
// one with the highest min_priority at or below `priority`; when none of them applies,
// the same among the "*" policies; nullptr when none applies either.
const SlaPolicy* PolicyFor(const SlaConfig& config, std::string_view brand, int priority);

// The kind of a case's current target (CaseSummary::sla_target).
enum class SlaTarget : uint8_t { kNone = 0, kFirstResponse = 1, kNextResponse = 2 };
std::string_view SlaTargetName(SlaTarget target);  // "", "first_response", "next_response"

// The time a policy gives for a target (next response: first_response when not set).
int64_t TargetSeconds(const SlaPolicy& policy, SlaTarget target);

// kNone: no target, no policy applies, or the case was closed without an answer. A running
// target: kOk, kDueSoon (less than 25 % of the business time left), kBreached. Answered:
// kMet (by the deadline) or kMissed.
enum class SlaState : uint8_t { kNone, kOk, kDueSoon, kBreached, kMet, kMissed };
std::string_view SlaStateName(SlaState state);  // "none", "ok", "due_soon", ...

struct SlaStatus {
  SlaState state = SlaState::kNone;
  SlaTarget target = SlaTarget::kNone;
  std::optional<int64_t> due_at;        // the current target's deadline
  std::optional<int64_t> seconds_left;  // a running target's: negative when overdue
};

// A summary read before version 6 of the store (sla_round 0) has its first response as
// target, from its opening.
SlaStatus SlaStatusOf(const SlaConfig& config, const CaseSummary& summary, int64_t now);

// "no first response within 2h (Fnac, priority ≥ 70)": an escalation's reason, for a case
// under `policy` that waited `waited_seconds` of business time for `target`.
std::string DescribeBreach(const SlaPolicy& policy, SlaTarget target, int64_t waited_seconds);

struct Escalation {
  int64_t case_id = 0;
  std::string brand;
  int64_t round = 0;
  int from_level = 0;
  int to_level = 0;
  std::string escalation_name;
  std::string actor;  // "rule:sla", or the agent who escalated by hand
  std::string reason;
};

// Thread-safe: Tick may be called from any thread, also while the monitor's own thread
// runs; ticks are serialized by tick_mutex_. The configuration is read and replaced under
// config_mutex_, so a change applies at the next tick without a restart.
class SlaMonitor {
 public:
  SlaMonitor(SharedStore& store, std::unique_ptr<SlaTables> tables, AlertEngine& alerts,
             const Clock& clock, SlaConfig seed);
  ~SlaMonitor();  // stops the thread
  SlaMonitor(const SlaMonitor&) = delete;
  SlaMonitor& operator=(const SlaMonitor&) = delete;

  // Reads the policies and ladder saved in the tables; on the first start, saves the seed
  // (the configuration file's [sla]) there instead.
  Status Load() ECOUTE_EXCLUDES(config_mutex_);
  // The configuration in force.
  std::shared_ptr<const SlaConfig> config() const ECOUTE_EXCLUDES(config_mutex_);
  // Saves a configuration (validated by the caller) and puts it in force: the open cases'
  // deadlines are computed again.
  Status SetConfig(SlaConfig config, const std::string& actor) ECOUTE_EXCLUDES(config_mutex_);

  // Computes the deadlines the tables mark as stale (new targets, priorities or brands
  // changed, policies saved). Returns how many it wrote.
  Result<int> RefreshDeadlines() ECOUTE_EXCLUDES(config_mutex_);

  // Escalates each open case whose current target is unmet past its deadline: with T its
  // policy's time for the target, a case reaches level k once k * T of business time has
  // passed since the target started, up to the last level. A case late by several levels
  // (after downtime) goes straight to the level it has reached, in one escalation: each
  // level is reached at most once per target (the escalation log's key), so concurrent
  // ticks and restarts cannot escalate twice. Each escalation is logged with the level,
  // then its alerts are queued (one Notify to the level's contacts, one Publish to the
  // rules that want "case.escalated"), then marked as sent; alerts left unsent by a crash
  // are sent by a later tick.
  Result<std::vector<Escalation>> Tick() ECOUTE_EXCLUDES(tick_mutex_, config_mutex_);

  // An agent raises an open case one level (kFailedPrecondition when it is closed, resolved
  // or at the top already), with a reason: the same log, event and alerts as the monitor's.
  Result<Escalation> EscalateByHand(int64_t case_id, const std::string& actor,
                                    const std::string& reason)
      ECOUTE_EXCLUDES(tick_mutex_, config_mutex_);

  // The case's escalations, oldest first (its ladder, as the case page shows it).
  Result<std::vector<SlaEscalationRow>> EscalationsOf(int64_t case_id)
      ECOUTE_EXCLUDES(tables_mutex_);

  // Runs Tick every `interval` on a thread of its own, until Stop.
  void Start(std::chrono::milliseconds interval) ECOUTE_EXCLUDES(wake_mutex_);
  void Stop() ECOUTE_EXCLUDES(wake_mutex_);

  // Called after each escalation (live updates). Set it before Start.
  std::function<void(const Escalation&)> on_escalated;
  // Called with what a Tick cannot return: a failed Tick of the thread, alerts that could
  // not be queued for an escalation (the escalation itself is recorded). For the log.
  std::function<void(const Status&)> on_error;

 private:
  struct Due;  // an overdue case and the level it reached
  void Run(std::chrono::milliseconds interval) ECOUTE_EXCLUDES(tick_mutex_, wake_mutex_);
  void Report(const Status& status);
  Result<std::vector<Due>> FindOverdue(const SlaConfig& config, int64_t now);
  // Logs the escalation; queues its alerts when the log took it. nullopt when it did not.
  Result<std::optional<Escalation>> Escalate(const SlaConfig& config, const SlaTargetRow& target,
                                             int to_level, const std::string& actor,
                                             const std::string& reason, int64_t now);
  void SendAlerts(const SlaConfig& config, const SlaEscalationRow& row);
  Status ResendUnnotified(const SlaConfig& config, int64_t now);

  SharedStore& store_;  // thread-safe: each call takes the store's own lock
  Mutex tables_mutex_;  // one call at a time on the tables' connection
  const std::unique_ptr<SlaTables> tables_ ECOUTE_PT_GUARDED_BY(tables_mutex_);
  AlertEngine& alerts_;
  const Clock& clock_;
  mutable Mutex config_mutex_;
  std::shared_ptr<const SlaConfig> config_ ECOUTE_GUARDED_BY(config_mutex_);
  Mutex tick_mutex_;  // one Tick (or hand escalation) at a time
  Mutex wake_mutex_;
  CondVar wake_;  // with wake_mutex_: lets Stop cut the wait between ticks short
  bool stopping_ ECOUTE_GUARDED_BY(wake_mutex_) = false;
  std::thread thread_;  // started and joined by the owner's thread (Start, Stop)
};

}  // namespace ecoute::server
