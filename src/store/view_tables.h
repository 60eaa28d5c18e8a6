// The inbox's saved views (docs/DASHBOARD.md): a name and the query of the inbox's URL
// ("status=new&brand=Jeanerie&sort=due"), saved by a user for themselves, a team or
// everyone. Who may see and delete one is the API's to decide; these calls keep the rows,
// each write atomic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

struct InboxView {
  int64_t id = 0;
  std::string owner;  // the user who saved it
  std::string name;
  std::string query;        // without the leading '?'
  std::string shared_with;  // "" (the owner only), "team:<name>" or "everyone"
  int64_t created_at = 0;
};

// Not thread-safe: one caller at a time. Lookups that find nothing fail with kNotFound
// ("no view 3"); storage failures with the codes of status.h.
class ViewTables {
 public:
  virtual ~ViewTables() = default;

  // The views `user` sees: their own, those shared with everyone, and those shared with
  // one of `teams` (team names, without "team:"); by name without regard to case, then id.
  virtual Result<std::vector<InboxView>> ListViews(const std::string& user,
                                                   const std::vector<std::string>& teams) = 0;
  virtual Result<InboxView> GetView(int64_t id) = 0;
  // Adds the view (its id ignored); returns it as stored.
  virtual Result<InboxView> CreateView(const InboxView& view) = 0;
  virtual Status DeleteView(int64_t id) = 0;
};

// Opens the views' table of the store's database at `db_path` (created with the rest of
// the schema if needed), on a connection of its own. Fails as OpenAlertTables.
Result<std::unique_ptr<ViewTables>> OpenViewTables(const std::string& db_path);

}  // namespace ecoute
