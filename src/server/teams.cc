#include "server/teams.h"

#include <algorithm>
#include <utility>

namespace ecoute::server {

Result<std::unique_ptr<Teams>> Teams::Open(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<TeamTables> tables, OpenTeamTables(db_path));
  return std::make_unique<Teams>(std::move(tables));
}

Result<std::vector<Team>> Teams::List() {
  MutexLock lock(mu_);
  return tables_->ListTeams();
}

Result<Team> Teams::Get(int64_t id) {
  MutexLock lock(mu_);
  return tables_->GetTeam(id);
}

Result<Team> Teams::Find(std::string_view brand, std::string_view name) {
  MutexLock lock(mu_);
  ECOUTE_ASSIGN_OR_RETURN(std::vector<Team> teams, tables_->ListTeams());
  for (Team& t : teams) {
    if (SameBrand(t.brand, brand) && SameBrand(t.name, name)) return std::move(t);
  }
  return NotFoundError("no team \"" + std::string(name.substr(0, 80)) + "\" of " +
                       std::string(brand));
}

Result<Team> Teams::Create(const Team& team) {
  MutexLock lock(mu_);
  any_round_robin_ = -1;
  return tables_->CreateTeam(team);
}

Result<Team> Teams::Update(const Team& team) {
  MutexLock lock(mu_);
  any_round_robin_ = -1;
  return tables_->UpdateTeam(team);
}

Status Teams::Delete(int64_t id) {
  MutexLock lock(mu_);
  any_round_robin_ = -1;
  return tables_->DeleteTeam(id);
}

bool Teams::AnyRoundRobin() {
  MutexLock lock(mu_);
  if (any_round_robin_ < 0) {
    Result<std::vector<Team>> teams = tables_->ListTeams();
    if (!teams) return true;  // look, and fail there with the reason
    any_round_robin_ =
        std::any_of(teams->begin(), teams->end(), [](const Team& t) { return t.round_robin; }) ? 1
                                                                                               : 0;
  }
  return any_round_robin_ == 1;
}

Result<std::optional<User>> Teams::TakeTurn(std::string_view brand,
                                            const std::vector<User>& users) {
  MutexLock lock(mu_);
  ECOUTE_ASSIGN_OR_RETURN(std::vector<Team> teams, tables_->ListTeams());
  auto user = [&](int64_t id) -> const User* {
    auto it = std::find_if(users.begin(), users.end(), [&](const User& u) { return u.id == id; });
    return it == users.end() ? nullptr : &*it;
  };
  for (const Team& t : teams) {  // by brand, then name: the first round-robin team wins
    if (!t.round_robin || !SameBrand(t.brand, brand)) continue;
    const int64_t next = NextInTurn(t.members, t.last_assigned, [&](int64_t id) {
      const User* u = user(id);
      return u != nullptr && MayWorkOn(*u, brand);
    });
    if (next == 0) continue;
    ECOUTE_RETURN_IF_ERROR(tables_->SetLastAssigned(t.id, next));
    return std::optional<User>(*user(next));
  }
  return std::optional<User>();
}

}  // namespace ecoute::server
