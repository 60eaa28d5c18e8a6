// Teams, the queues of a brand (docs/CASES.md): who may be given a case of a brand, the
// teams a case may be assigned to ("team:<name>"), and round-robin assignment of new cases
// among a team's members.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/status.h"

#include "access/access.h"
#include "store/team_tables.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

using ::ecoute::Team;

// How an assignee is written: a user's name, or "team:" and a team's name.
inline constexpr std::string_view kTeamPrefix = "team:";

// Round-robin's decision: the member after `last` in `members` (from the first when `last`
// is not one of them), wrapping around, for whom `eligible` is true; 0 when none is.
template <typename Eligible>
int64_t NextInTurn(const std::vector<int64_t>& members, int64_t last, Eligible eligible) {
  size_t start = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i] == last) start = i + 1;
  }
  for (size_t k = 0; k < members.size(); ++k) {
    const int64_t id = members[(start + k) % members.size()];
    if (eligible(id)) return id;
  }
  return 0;
}

// The teams of every brand over their tables. Thread-safe: the tables are called under mu_.
class Teams {
 public:
  // Opens the team tables of the store's database `db_path` (OpenTeamTables).
  static Result<std::unique_ptr<Teams>> Open(const std::string& db_path);
  explicit Teams(std::unique_ptr<TeamTables> tables) : tables_(std::move(tables)) {}

  Result<std::vector<Team>> List() ECOUTE_EXCLUDES(mu_);
  Result<Team> Get(int64_t id) ECOUTE_EXCLUDES(mu_);
  // The team of `brand` named `name` (both without regard to case); kNotFound.
  Result<Team> Find(std::string_view brand, std::string_view name) ECOUTE_EXCLUDES(mu_);
  Result<Team> Create(const Team& team) ECOUTE_EXCLUDES(mu_);
  Result<Team> Update(const Team& team) ECOUTE_EXCLUDES(mu_);
  Status Delete(int64_t id) ECOUTE_EXCLUDES(mu_);

  // For a new case of `brand`: the next member in turn of the brand's first round-robin
  // team (by name) who may work on the brand (MayWorkOn among `users`), recorded as the
  // team's last; nullopt when the brand has no such team or none of its members may.
  Result<std::optional<User>> TakeTurn(std::string_view brand, const std::vector<User>& users)
      ECOUTE_EXCLUDES(mu_);
  // Whether any team assigns in turn: without one, new cases need no look-up.
  bool AnyRoundRobin() ECOUTE_EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::unique_ptr<TeamTables> tables_ ECOUTE_GUARDED_BY(mu_);
  // Cached: -1 unknown, else 0 or 1; reset by every write.
  int any_round_robin_ ECOUTE_GUARDED_BY(mu_) = -1;
};

}  // namespace ecoute::server
