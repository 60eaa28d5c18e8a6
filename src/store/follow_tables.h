// The comment follower's memory (watch/comment_follower.h): for each web post of an open
// case, where its comments were found (or that none were), and the watched source that
// polls them. One row per post; these calls only keep the rows.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

struct CommentFollow {
  int64_t post_id = 0;  // the article (the store's post id)
  int64_t case_id = 0;  // the open case it was last seen in
  std::string article_url;
  // "following" (source_id polls its comments), "none" (the page offers no way to read
  // them), "error" (its page could not be read: tried again later), "stopped" (its case
  // closed, resolved or grew too old: its source was removed; added again if the case
  // reopens), "removed" (its source was removed by hand: never added again).
  std::string state;
  std::string kind;  // how the comments were found (CommentSource::kind), "" when not
  std::string source_url;
  std::string format;
  std::optional<int64_t> source_id;  // the watched source, while following
  int attempts = 0;                  // discovery fetches that failed in a row
  int64_t checked_at = 0;            // last discovery or change of state
  std::string detail;                // why "none", "error" or "stopped"
};

// Not thread-safe: one caller at a time (the follower holds its mutex). Lookups that find
// nothing fail with kNotFound; storage failures with the codes of status.h.
class FollowTables {
 public:
  virtual ~FollowTables() = default;
  // Inserts or replaces the row of follow.post_id.
  virtual Status SaveFollow(const CommentFollow& follow) = 0;
  // kNotFound: "no follow of post 3".
  virtual Result<CommentFollow> FindFollow(int64_t post_id) = 0;
  // The row whose source is `source_id`; kNotFound when none.
  virtual Result<CommentFollow> FindFollowBySource(int64_t source_id) = 0;
  // Every row in state "following", by post id.
  virtual Result<std::vector<CommentFollow>> ListFollowing() = 0;
  // The rows of these posts, by post id.
  virtual Result<std::vector<CommentFollow>> ListFollowsOf(
      const std::vector<int64_t>& post_ids) = 0;
};

// Opens the follower's table of the store's database at `db_path` (created with the rest of
// the schema if needed), on a connection of its own. Fails as OpenWatchTables.
Result<std::unique_ptr<FollowTables>> OpenFollowTables(const std::string& db_path);

}  // namespace ecoute
