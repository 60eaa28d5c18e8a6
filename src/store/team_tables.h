// The tables of teams (docs/CASES.md): the queues of a brand, each with its members in order
// and, for round-robin assignment, the member who got the last case. Who may be a member and
// whose turn it is are the server's to decide (server/teams.h); these calls only keep the
// rows, each write atomic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

struct Team {
  int64_t id = 0;
  std::string name;   // unique within its brand, without regard to case
  std::string brand;  // a catalog name
  bool round_robin = false;
  std::vector<int64_t> members;  // user ids, in turn order
  int64_t last_assigned = 0;     // the member (user id) who got the last case; 0: none yet
  std::string updated_by;        // "agent:marie"
  int64_t updated_at = 0;
};

// Not thread-safe: one caller at a time. Lookups that find nothing fail with kNotFound
// ("no team 3"); a name taken in its brand with kAlreadyExists; storage failures with the
// codes of status.h. Members that are deleted users disappear from their teams.
class TeamTables {
 public:
  virtual ~TeamTables() = default;

  // Every team, by brand, then name (without regard to case).
  virtual Result<std::vector<Team>> ListTeams() = 0;
  virtual Result<Team> GetTeam(int64_t id) = 0;
  // Adds the team (its id and last_assigned ignored) with its members; returns it as stored.
  virtual Result<Team> CreateTeam(const Team& team) = 0;
  // Writes name, brand, round_robin, members, updated_by and updated_at of team.id (the
  // round-robin cursor stays); returns it as stored.
  virtual Result<Team> UpdateTeam(const Team& team) = 0;
  virtual Status DeleteTeam(int64_t id) = 0;
  // Records who got the team's last case.
  virtual Status SetLastAssigned(int64_t team_id, int64_t user_id) = 0;
};

// Opens the team tables of the store's database at `db_path` (created with the rest of the
// schema if needed), on a connection of its own. Fails as OpenAlertTables.
Result<std::unique_ptr<TeamTables>> OpenTeamTables(const std::string& db_path);

}  // namespace ecoute
