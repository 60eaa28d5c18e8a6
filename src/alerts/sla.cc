// SLA deadlines and the escalation ladder (docs/ALERTS.md). The escalation level lives in
// the store (EscalateCase writes it with an event of the case's timeline), so the monitor
// keeps no state of its own: a restart resumes the ladder where the cases stand.
#include "alerts/sla.h"

#include <algorithm>
#include <utility>

namespace ecoute::server {
namespace {

constexpr int kCasesPerPage = 500;
constexpr std::string_view kActor = "rule:sla";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// "1h", "90m", "45s": the largest unit that divides the time.
std::string FormatSeconds(int64_t seconds) {
  if (seconds > 0 && seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds > 0 && seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

// An open case waiting for its first response, past the deadline of its next level.
struct Overdue {
  CaseSummary summary;
  const SlaPolicy* policy = nullptr;
};

}  // namespace

SlaConfig DefaultSlaConfig() {
  SlaConfig config;
  config.policies = {{"*", 0, int64_t{24} * 3600}, {"*", 40, int64_t{4} * 3600}, {"*", 70, 3600}};
  config.levels = {{"agent", {}}, {"supervisor", {}}, {"manager", {}}};
  return config;
}

const SlaPolicy* PolicyFor(const SlaConfig& config, std::string_view brand, int priority) {
  auto best_of = [&](bool brand_specific) -> const SlaPolicy* {
    const SlaPolicy* best = nullptr;
    for (const SlaPolicy& policy : config.policies) {
      const bool names_brand = policy.brand != "*" && EqualsIgnoreCase(policy.brand, brand);
      if (brand_specific ? !names_brand : policy.brand != "*") continue;
      if (policy.min_priority > priority) continue;
      if (best == nullptr || policy.min_priority > best->min_priority) best = &policy;
    }
    return best;
  };
  const SlaPolicy* specific = best_of(true);
  return specific != nullptr ? specific : best_of(false);
}

std::string_view SlaStateName(SlaState state) {
  switch (state) {
    case SlaState::kNone:
      return "none";
    case SlaState::kOk:
      return "ok";
    case SlaState::kDueSoon:
      return "due_soon";
    case SlaState::kBreached:
      return "breached";
    case SlaState::kMet:
      return "met";
    case SlaState::kMissed:
      return "missed";
  }
  return "none";
}

SlaStatus SlaStatusOf(const SlaConfig& config, const CaseSummary& summary, int64_t now) {
  const SlaPolicy* policy = PolicyFor(config, summary.brand, summary.priority);
  if (policy == nullptr || policy->first_response_seconds <= 0) return {};
  const int64_t due = summary.opened_at + policy->first_response_seconds;
  if (summary.first_response_at) {
    return {*summary.first_response_at <= due ? SlaState::kMet : SlaState::kMissed, due};
  }
  if (!IsOpen(summary.status)) return {SlaState::kNone, due};
  if (now >= due) return {SlaState::kBreached, due};
  // Less than a quarter of the time left: (due - now) / T < 1/4, in integers.
  if (4 * (due - now) < policy->first_response_seconds) return {SlaState::kDueSoon, due};
  return {SlaState::kOk, due};
}

std::string DescribeBreach(const SlaPolicy& policy, int64_t waited_seconds) {
  std::string out = "no first response within " + FormatSeconds(waited_seconds);
  std::string scope;
  if (policy.brand != "*") scope = policy.brand;
  if (policy.min_priority > 0) {
    if (!scope.empty()) scope += ", ";
    scope += "priority ≥ " + std::to_string(policy.min_priority);
  }
  if (!scope.empty()) out += " (" + scope + ")";
  return out;
}

SlaMonitor::SlaMonitor(SharedStore& store, AlertEngine& alerts, const Clock& clock,
                       SlaConfig config)
    : store_(store), alerts_(alerts), clock_(clock), config_(std::move(config)) {}

SlaMonitor::~SlaMonitor() { Stop(); }

Result<std::vector<Escalation>> SlaMonitor::Tick() {
  MutexLock tick_lock(tick_mutex_);
  std::vector<Escalation> escalations;
  const int top_level = static_cast<int>(config_.levels.size()) - 1;
  if (top_level < 1) return escalations;
  const int64_t now = clock_.Now();

  // First the overdue cases, page by page, oldest first: cases opened meanwhile land after
  // the pages already read, so none is skipped.
  std::vector<Overdue> overdue;
  CaseFilter filter;
  filter.statuses = {CaseStatus::kNew, CaseStatus::kAcknowledged, CaseStatus::kReopened};
  filter.unanswered_only = true;
  // Only the cases that can be due: past the shortest deadline, below the top level.
  int64_t shortest = 0;
  for (const SlaPolicy& p : config_.policies) {
    if (p.first_response_seconds > 0 && (shortest == 0 || p.first_response_seconds < shortest)) {
      shortest = p.first_response_seconds;
    }
  }
  if (shortest == 0) return escalations;
  filter.opened_before = now - shortest + 1;
  filter.below_escalation_level = top_level;
  filter.sort = CaseSort::kOldest;
  filter.limit = kCasesPerPage;
  for (;;) {
    Result<std::vector<CaseSummary>> page = store_.Lock()->ListCases(filter);
    if (!page) return page.error();
    for (CaseSummary& summary : *page) {
      if (summary.first_response_at || !IsOpen(summary.status)) continue;
      if (summary.escalation_level >= top_level) continue;
      const SlaPolicy* policy = PolicyFor(config_, summary.brand, summary.priority);
      if (policy == nullptr || policy->first_response_seconds <= 0) continue;
      const int64_t deadline = summary.opened_at + (std::max(summary.escalation_level, 0) + 1) *
                                                       policy->first_response_seconds;
      if (now < deadline) continue;
      overdue.push_back({std::move(summary), policy});
    }
    if (static_cast<int>(page->size()) < kCasesPerPage) break;
    filter.offset += kCasesPerPage;
  }

  for (const Overdue& o : overdue) {
    const CaseSummary& summary = o.summary;
    const int from = std::max(summary.escalation_level, 0);
    const int to = from + 1;
    const std::string reason =
        DescribeBreach(*o.policy, static_cast<int64_t>(to) * o.policy->first_response_seconds);
    std::string url;
    {
      Result<CaseDetail> detail = store_.Lock()->GetCase(summary.id);
      if (!detail && detail.error().code() == StatusCode::kNotFound) continue;  // erased
      if (!detail) return detail.error();
      // Answered or escalated by someone since the listing: not this tick's to escalate.
      const CaseSummary& now_summary = detail->summary;
      if (now_summary.first_response_at || !IsOpen(now_summary.status) ||
          now_summary.escalation_level != summary.escalation_level) {
        continue;
      }
      for (const CasePost& post : detail->posts) {
        if (post.role == CaseRole::kOpening) url = post.url;
      }
    }
    AlertEvent event;
    event.kind = "case.escalated";
    event.case_id = summary.id;
    event.brand = summary.brand;
    event.stance = summary.stance;
    if (summary.topic) event.topics.push_back(*summary.topic);
    event.priority = summary.priority;
    event.escalation_level = to;
    event.escalation_name = config_.levels[static_cast<size_t>(to)].name;
    event.title = summary.title;
    event.url = std::move(url);
    event.customer = summary.customer;
    event.at = now;
    event.detail = reason;
    // The alerts are queued before the level is written: after a crash between the two, the
    // next tick escalates again and the dedupe keys drop the repeated alerts, so none is
    // lost. A failure to queue is reported, not fatal: a contact misconfigured must not keep
    // the case from climbing the ladder.
    if (Result<int> queued =
            alerts_.Notify(event, config_.levels[static_cast<size_t>(to)].contacts);
        !queued) {
      Report(Status(queued.error().code(), "case " + std::to_string(summary.id) +
                                               ": the contacts of level " + event.escalation_name +
                                               " were not notified: " + queued.error().message()));
    }
    if (Result<int> queued = alerts_.Publish(event); !queued) {
      Report(Status(queued.error().code(),
                    "case " + std::to_string(summary.id) +
                        ": the escalation was not published: " + queued.error().message()));
    }
    {
      const Status status =
          store_.Lock()->EscalateCase(summary.id, to, std::string(kActor), now, reason);
      // kInvalidArgument: an agent raised the level a moment ago; kNotFound: just erased.
      if (status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound) {
        continue;
      }
      if (!status.ok()) return status;
    }
    Escalation& e = escalations.emplace_back();
    e.case_id = summary.id;
    e.brand = summary.brand;
    e.from_level = from;
    e.to_level = to;
    e.reason = reason;
    if (on_escalated) on_escalated(e);
  }
  return escalations;
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
