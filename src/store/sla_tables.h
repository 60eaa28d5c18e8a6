// The tables of the SLA (alerts/sla.h): the policies and the escalation ladder as data,
// each case's current target and its computed deadline, and the escalation log that lets
// a case reach each level of the ladder once per target, whatever restarts or concurrent
// checks happen. The times and rules are the SLA module's; these calls keep the rows, each
// write atomic (docs/ALERTS.md).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ecoute/status.h"

#include "store/alert_tables.h"

namespace ecoute {

// A policy as stored: the SLA module gives the fields their meaning.
struct SlaPolicyRow {
  std::string brand;  // a brand's name or "*"
  int min_priority = 0;
  int64_t first_response_seconds = 0;
  int64_t next_response_seconds = 0;
  std::string time_zone;  // "": the clock always runs
  std::string hours;      // seven "HH:MM-HH:MM" or "" (closed), Monday first, comma separated
  std::string holidays;   // "YYYY-MM-DD" dates, space separated
};

struct SlaLevelRow {
  std::string name;
  std::vector<WebhookTarget> contacts;
};

struct SlaConfigRows {
  std::vector<SlaPolicyRow> policies;
  std::vector<SlaLevelRow> levels;
  std::string updated_by;
  int64_t updated_at = 0;
};

// An open case with a running target: what its deadline and its ladder depend on.
struct SlaTargetRow {
  int64_t case_id = 0;
  std::string brand;
  int priority = 0;
  int target = 0;  // 1 first response, 2 next response
  int64_t round = 0;
  int64_t since = 0;
  std::optional<int64_t> due_at;
  int escalation_level = 0;
};

// One step of a case's ladder, as the log keeps it.
struct SlaEscalationRow {
  int64_t case_id = 0;
  int64_t round = 0;
  int level = 0;
  int64_t at = 0;
  std::string actor;
  std::string reason;
  bool notified = false;
};

class SlaTables {
 public:
  virtual ~SlaTables() = default;

  // The policies and ladder saved last; nullopt before the first save (then the server
  // seeds them from its configuration file).
  virtual Result<std::optional<SlaConfigRows>> LoadConfig() = 0;
  // Replaces the policies and the ladder in one transaction, and marks every open case's
  // deadline to be computed again.
  virtual Status SaveConfig(const SlaConfigRows& config) = 0;

  // Open cases whose target changed (new target, priority or brand changed, policies
  // saved) and whose deadline must be computed, at most `limit`.
  virtual Result<std::vector<SlaTargetRow>> StaleDeadlines(int limit) = 0;
  // Stores the deadline of the case's target `round` (nullopt: no policy applies); does
  // nothing when the case has moved to another target meanwhile.
  virtual Status SetDeadline(int64_t case_id, int64_t round, std::optional<int64_t> due_at) = 0;
  // Open cases whose running target is unmet and due at or before `now`, below `top_level`,
  // earliest deadline first: `limit` of them from `offset` in that order.
  virtual Result<std::vector<SlaTargetRow>> Overdue(int64_t now, int top_level, int limit,
                                                    int64_t offset) = 0;
  // The running target of one case (kNotFound for an unknown case).
  virtual Result<SlaTargetRow> TargetOf(int64_t case_id) = 0;

  // Raises the case to `level` for its current target, in one transaction: the log's row,
  // the case's level and an "escalated" event of its timeline. False, with nothing
  // written, when the case is not at `round` any more, is already at `level` or above, or
  // the log has this level or a higher one for this round: each level is reached once per
  // target, ever.
  virtual Result<bool> ClaimEscalation(const SlaEscalationRow& escalation) = 0;
  // The escalation's alerts are queued.
  virtual Status MarkNotified(int64_t case_id, int64_t round, int level) = 0;
  // Escalations whose alerts were not queued (the process stopped between the two).
  virtual Result<std::vector<SlaEscalationRow>> Unnotified(int limit) = 0;
  // The case's escalations, oldest first.
  virtual Result<std::vector<SlaEscalationRow>> EscalationsOf(int64_t case_id) = 0;
};

// Opens the SLA tables of the store's database at `db_path` on a connection of their own,
// applying the schema's pending migrations. Fails as OpenAlertTables.
Result<std::unique_ptr<SlaTables>> OpenSlaTables(const std::string& db_path);

}  // namespace ecoute
