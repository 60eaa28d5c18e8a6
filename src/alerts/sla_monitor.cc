// The SLA monitor (alerts/sla.h): deadlines computed in business hours and written back to
// the store, and the escalation ladder, each step logged once per target before its alerts.
#include <algorithm>
#include <utility>

#include "alerts/sla.h"

namespace ecoute::server {
namespace {

constexpr int kCasesPerPage = 500;
constexpr std::string_view kActor = "rule:sla";
// An escalation whose alerts were not marked sent this long after it was logged: its
// process stopped in between (a live one marks them within the same call).
constexpr int64_t kResendAfterSeconds = 30;

}  // namespace

// An overdue case, and the level its wait has reached.
struct SlaMonitor::Due {
  SlaTargetRow target;
  int level = 0;
  std::string reason;
};

SlaMonitor::SlaMonitor(SharedStore& store, std::unique_ptr<SlaTables> tables, AlertEngine& alerts,
                       const Clock& clock, SlaConfig seed)
    : store_(store),
      tables_(std::move(tables)),
      alerts_(alerts),
      clock_(clock),
      config_(std::make_shared<const SlaConfig>(std::move(seed))) {}

SlaMonitor::~SlaMonitor() { Stop(); }

Status SlaMonitor::Load() {
  std::shared_ptr<const SlaConfig> seed = config();
  Result<std::optional<SlaConfigRows>> saved = [&] {
    MutexLock lock(tables_mutex_);
    return tables_->LoadConfig();
  }();
  if (!saved) return saved.error();
  if (*saved) {
    auto loaded = std::make_shared<const SlaConfig>(FromRows(**saved));
    MutexLock lock(config_mutex_);
    config_ = std::move(loaded);
    return OkStatus();
  }
  SlaConfig first = *seed;
  first.updated_by = "config";
  first.updated_at = clock_.Now();
  return SetConfig(std::move(first), "config");
}

std::shared_ptr<const SlaConfig> SlaMonitor::config() const {
  MutexLock lock(config_mutex_);
  return config_;
}

Status SlaMonitor::SetConfig(SlaConfig config, const std::string& actor) {
  config.updated_by = actor;
  config.updated_at = clock_.Now();
  {
    MutexLock lock(tables_mutex_);
    ECOUTE_RETURN_IF_ERROR(tables_->SaveConfig(ToRows(config)));
  }
  auto next = std::make_shared<const SlaConfig>(std::move(config));
  {
    MutexLock lock(config_mutex_);
    config_ = std::move(next);
  }
  return RefreshDeadlines().error();
}

Result<int> SlaMonitor::RefreshDeadlines() {
  const std::shared_ptr<const SlaConfig> config = this->config();
  int written = 0;
  for (;;) {
    MutexLock lock(tables_mutex_);
    ECOUTE_ASSIGN_OR_RETURN(std::vector<SlaTargetRow> stale,
                            tables_->StaleDeadlines(kCasesPerPage));
    for (const SlaTargetRow& row : stale) {
      std::optional<int64_t> due;
      const SlaPolicy* policy = PolicyFor(*config, row.brand, row.priority);
      const auto target = static_cast<SlaTarget>(row.target);
      if (policy != nullptr && target != SlaTarget::kNone) {
        due = AddBusinessTime(policy->hours, row.since, TargetSeconds(*policy, target));
      }
      ECOUTE_RETURN_IF_ERROR(tables_->SetDeadline(row.case_id, row.round, due));
      ++written;
    }
    if (static_cast<int>(stale.size()) < kCasesPerPage) break;
  }
  return written;
}

Result<std::vector<SlaMonitor::Due>> SlaMonitor::FindOverdue(const SlaConfig& config, int64_t now) {
  std::vector<Due> due;
  const int top = static_cast<int>(config.levels.size()) - 1;
  if (top < 1) return due;
  // Read first, escalate after: an escalation changes what the query selects.
  std::vector<SlaTargetRow> rows;
  for (int64_t offset = 0;; offset += kCasesPerPage) {
    MutexLock lock(tables_mutex_);
    ECOUTE_ASSIGN_OR_RETURN(std::vector<SlaTargetRow> page,
                            tables_->Overdue(now, top, kCasesPerPage, offset));
    rows.insert(rows.end(), page.begin(), page.end());
    if (static_cast<int>(page.size()) < kCasesPerPage) break;
  }
  for (SlaTargetRow& row : rows) {
    const SlaPolicy* policy = PolicyFor(config, row.brand, row.priority);
    const auto target = static_cast<SlaTarget>(row.target);
    if (policy == nullptr || target == SlaTarget::kNone) continue;
    const int64_t allowed = TargetSeconds(*policy, target);
    // The highest level whose time has come: k * T of business time since the target.
    int level = row.escalation_level;
    while (level < top) {
      const std::optional<int64_t> at =
          AddBusinessTime(policy->hours, row.since, static_cast<int64_t>(level + 1) * allowed);
      if (!at || *at > now) break;
      ++level;
    }
    if (level <= row.escalation_level) continue;
    std::string reason = DescribeBreach(*policy, target, static_cast<int64_t>(level) * allowed);
    due.push_back({std::move(row), level, std::move(reason)});
  }
  return due;
}

Result<std::vector<Escalation>> SlaMonitor::Tick() {
  MutexLock tick_lock(tick_mutex_);
  std::vector<Escalation> escalations;
  ECOUTE_RETURN_IF_ERROR(RefreshDeadlines().error());
  const std::shared_ptr<const SlaConfig> config = this->config();
  const int64_t now = clock_.Now();
  ECOUTE_RETURN_IF_ERROR(ResendUnnotified(*config, now));
  ECOUTE_ASSIGN_OR_RETURN(std::vector<Due> overdue, FindOverdue(*config, now));
  for (const Due& d : overdue) {
    ECOUTE_ASSIGN_OR_RETURN(
        std::optional<Escalation> done,
        Escalate(*config, d.target, d.level, std::string(kActor), d.reason, now));
    if (done) escalations.push_back(std::move(*done));
  }
  return escalations;
}

Result<Escalation> SlaMonitor::EscalateByHand(int64_t case_id, const std::string& actor,
                                              const std::string& reason) {
  MutexLock tick_lock(tick_mutex_);
  const std::shared_ptr<const SlaConfig> config = this->config();
  const int64_t now = clock_.Now();
  Result<CaseDetail> detail = store_.Lock()->GetCase(case_id);
  if (!detail) return detail.error();
  if (!IsOpen(detail->summary.status)) {
    return Status(StatusCode::kFailedPrecondition,
                  "case " + std::to_string(case_id) + " is " +
                      std::string(CaseStatusName(detail->summary.status)) +
                      ": only an open case is escalated");
  }
  Result<SlaTargetRow> target = [&] {
    MutexLock lock(tables_mutex_);
    return tables_->TargetOf(case_id);
  }();
  if (!target) return target.error();
  const int top = static_cast<int>(config->levels.size()) - 1;
  if (target->escalation_level >= top) {
    return Status(StatusCode::kFailedPrecondition,
                  "case " + std::to_string(case_id) + " is at the last level of the ladder");
  }
  ECOUTE_ASSIGN_OR_RETURN(
      std::optional<Escalation> done,
      Escalate(*config, *target, target->escalation_level + 1, actor, reason, now));
  if (!done) {
    return Status(
        StatusCode::kFailedPrecondition,
        "case " + std::to_string(case_id) + " was escalated meanwhile: reload it and try again");
  }
  return std::move(*done);
}

Result<std::optional<Escalation>> SlaMonitor::Escalate(const SlaConfig& config,
                                                       const SlaTargetRow& target, int to_level,
                                                       const std::string& actor,
                                                       const std::string& reason, int64_t now) {
  SlaEscalationRow row;
  row.case_id = target.case_id;
  row.round = target.round;
  row.level = to_level;
  row.at = now;
  row.actor = actor;
  row.reason = reason;
  {
    MutexLock lock(tables_mutex_);
    ECOUTE_ASSIGN_OR_RETURN(const bool claimed, tables_->ClaimEscalation(row));
    if (!claimed) return std::optional<Escalation>();
  }
  SendAlerts(config, row);
  Escalation e;
  e.case_id = target.case_id;
  e.brand = target.brand;
  e.round = target.round;
  e.from_level = target.escalation_level;
  e.to_level = to_level;
  if (static_cast<size_t>(to_level) < config.levels.size()) {
    e.escalation_name = config.levels[static_cast<size_t>(to_level)].name;
  }
  e.actor = actor;
  e.reason = reason;
  if (on_escalated) on_escalated(e);
  return std::optional<Escalation>(std::move(e));
}

// Queues the escalation's alerts, then marks them sent. A failure to queue is reported, not
// retried: a contact misconfigured must not keep the ladder from moving.
void SlaMonitor::SendAlerts(const SlaConfig& config, const SlaEscalationRow& row) {
  Result<CaseDetail> detail = store_.Lock()->GetCase(row.case_id);
  if (detail) {
    const CaseSummary& summary = detail->summary;
    AlertEvent event;
    event.kind = "case.escalated";
    event.case_id = summary.id;
    event.brand = summary.brand;
    event.stance = summary.stance;
    if (summary.topic) event.topics.push_back(*summary.topic);
    event.priority = summary.priority;
    event.escalation_level = row.level;
    event.round = row.round;
    const auto level = static_cast<size_t>(row.level);
    if (level < config.levels.size()) event.escalation_name = config.levels[level].name;
    event.title = summary.title;
    for (const CasePost& post : detail->posts) {
      if (post.role == CaseRole::kOpening) event.url = post.url;
    }
    event.customer = summary.customer;
    event.at = row.at;
    event.detail = row.reason;
    const std::string where = "case " + std::to_string(summary.id) + ": ";
    if (level < config.levels.size()) {
      if (Result<int> queued = alerts_.Notify(event, config.levels[level].contacts); !queued) {
        Report(
            Status(queued.error().code(), where + "the contacts of level " + event.escalation_name +
                                              " were not notified: " + queued.error().message()));
      }
    }
    if (Result<int> queued = alerts_.Publish(event); !queued) {
      Report(Status(queued.error().code(),
                    where + "the escalation was not published: " + queued.error().message()));
    }
  } else if (detail.error().code() != StatusCode::kNotFound) {
    Report(detail.error());
    return;  // left unsent: a later tick tries again
  }
  MutexLock lock(tables_mutex_);
  if (Status marked = tables_->MarkNotified(row.case_id, row.round, row.level); !marked.ok()) {
    Report(marked);
  }
}

Status SlaMonitor::ResendUnnotified(const SlaConfig& config, int64_t now) {
  Result<std::vector<SlaEscalationRow>> rows = [&] {
    MutexLock lock(tables_mutex_);
    return tables_->Unnotified(kCasesPerPage);
  }();
  if (!rows) return rows.error();
  for (const SlaEscalationRow& row : *rows) {
    if (row.at > now - kResendAfterSeconds) continue;  // another process is sending it
    SendAlerts(config, row);
  }
  return OkStatus();
}

Result<std::vector<SlaEscalationRow>> SlaMonitor::EscalationsOf(int64_t case_id) {
  MutexLock lock(tables_mutex_);
  return tables_->EscalationsOf(case_id);
}

void SlaMonitor::Report(const Status& status) {
  if (on_error) on_error(status);
}

void SlaMonitor::Start(std::chrono::milliseconds interval) {
  if (thread_.joinable()) return;
  {
    MutexLock lock(wake_mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this, interval] { Run(interval); });
}

void SlaMonitor::Stop() {
  {
    MutexLock lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void SlaMonitor::Run(std::chrono::milliseconds interval) {
  for (;;) {
    if (Result<std::vector<Escalation>> done = Tick(); !done) {
      Report(done.error());
    }
    MutexLock lock(wake_mutex_);
    const auto deadline = std::chrono::steady_clock::now() + interval;
    while (!stopping_) {
      if (!wake_.WaitUntil(wake_mutex_, deadline)) break;
    }
    if (stopping_) return;
  }
}

}  // namespace ecoute::server
