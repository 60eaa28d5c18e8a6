// Assignment (docs/CASES.md): the assignee told, live or, when away, by e-mail or webhook
// through the alert engine's queue; new cases given in turn to a round-robin team's members.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "server/app.h"

namespace ecoute::server {
namespace {

// The actor of a round-robin assignment, in the case's timeline.
constexpr std::string_view kRoundRobinActor = "rule:round_robin";

std::string EventData(int64_t case_id, const std::string& brand, const std::string& assignee,
                      const std::string& by) {
  return nlohmann::json(
             {{"case_id", case_id}, {"assignee", assignee}, {"by", by}, {"brand", brand}})
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void App::NotifyAssigned(int64_t case_id, const std::string& brand, const std::string& assignee,
                         const std::string& by) {
  if (assignee.empty()) return;
  // Who is told: the user, or the members of the team.
  std::vector<std::string> names;
  Result<std::vector<User>> users = access_->ListUsers();
  if (!users) {
    spdlog::warn("assignment of case {}: {}", case_id, users.error().message());
    return;
  }
  if (assignee.starts_with(kTeamPrefix)) {
    Result<Team> team = teams_->Find(brand, std::string_view(assignee).substr(kTeamPrefix.size()));
    if (!team) return;
    for (const User& u : *users) {
      if (std::find(team->members.begin(), team->members.end(), u.id) != team->members.end()) {
        names.push_back(u.name);
      }
    }
  } else {
    names.push_back(assignee);
  }
  // Whoever gave themselves the case knows it already.
  std::erase(names, by);
  if (names.empty()) return;
  const std::vector<std::string> reached =
      live_.PublishTo("assigned", brand, EventData(case_id, brand, assignee, by), names);
  for (const User& u : *users) {
    if (std::find(names.begin(), names.end(), u.name) == names.end() ||
        std::find(reached.begin(), reached.end(), u.name) != reached.end() ||
        !MayWorkOn(u, brand)) {
      continue;
    }
    AlertEvent event;
    event.kind = "case.assigned";
    event.case_id = case_id;
    event.brand = brand;
    event.at = clock_.Now();
    event.detail = "assigned to " + assignee + " by " + by;
    if (!config_.public_url.empty()) {
      event.url = config_.public_url + "/#/cases/" + std::to_string(case_id);
    }
    Result<int> queued = 0;
    if (!u.email.empty() && alerts_->sends_mail()) {
      const std::string subject =
          "Case " + std::to_string(case_id) + " (" + brand + ") assigned to " + assignee;
      std::string text =
          "Case " + std::to_string(case_id) + " of " + brand + " was " + event.detail + ".\n";
      if (!event.url.empty()) text += "\n" + event.url + "\n";
      queued = alerts_->NotifyByMail(event, u.email, subject, text);
    } else if (!u.notify_webhook.empty()) {
      queued = alerts_->Notify(event, {{u.notify_webhook, u.notify_secret}});
    }
    if (!queued) {
      spdlog::warn("telling {} of case {}: {}", u.name, case_id, queued.error().message());
    }
  }
}

void App::AssignInTurn(const std::vector<int64_t>& case_ids) {
  if (case_ids.empty() || !teams_->AnyRoundRobin()) return;
  CaseFilter filter;
  filter.ids = case_ids;
  filter.limit = static_cast<int>(case_ids.size());
  Result<std::vector<CaseSummary>> cases = store_.Lock()->ListCases(filter);
  if (!cases) {
    spdlog::error("round-robin: {}", cases.error().message());
    return;
  }
  std::optional<std::vector<User>> users;  // read once, for the first case that needs them
  for (const CaseSummary& c : *cases) {
    // Just opened: its one post is new, and no one has it yet.
    if (c.posts != 1 || c.status != CaseStatus::kNew || !c.assignee.empty()) continue;
    if (!users) {
      Result<std::vector<User>> read = access_->ListUsers();
      if (!read) {
        spdlog::error("round-robin: {}", read.error().message());
        return;
      }
      users = std::move(read).value();
    }
    Result<std::optional<User>> next = teams_->TakeTurn(c.brand, *users);
    if (!next) {
      spdlog::error("round-robin for case {}: {}", c.id, next.error().message());
      continue;
    }
    if (!next->has_value()) continue;
    const std::string& name = (*next)->name;
    Status assigned =
        store_.Lock()->AssignCase(c.id, name, std::string(kRoundRobinActor), clock_.Now());
    if (!assigned.ok()) {
      spdlog::error("round-robin for case {}: {}", c.id, assigned.message());
      continue;
    }
    NotifyAssigned(c.id, c.brand, name, std::string(kRoundRobinActor));
  }
}

}  // namespace ecoute::server
