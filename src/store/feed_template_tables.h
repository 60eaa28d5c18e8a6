// The table of search-feed templates (docs/LISTENING.md): URLs an admin writes with "{query}"
// in them ("https://news.example/rss?q={query}"), filled with each brand's names to propose
// the brand's feeds (server/listening.h). Checking a template is the server's; these calls
// only keep the rows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

struct FeedTemplate {
  int64_t id = 0;
  std::string name;             // what the team calls it: "Presse (Google News)"
  std::string url_template;     // http(s), holds "{query}"
  std::string format = "feed";  // the format of the watched sources it proposes
  bool enabled = true;          // a disabled template proposes nothing
  int64_t created_at = 0;
};

// Not thread-safe: one caller at a time. Storage failures with the codes of status.h.
class FeedTemplateTables {
 public:
  virtual ~FeedTemplateTables() = default;

  // Every template, by id.
  virtual Result<std::vector<FeedTemplate>> ListFeedTemplates() = 0;
  // Makes the list `templates`, in one transaction: one whose id is stored is rewritten
  // (its created_at kept), one with id 0 is added, created at `now`; the stored ones not
  // given are deleted. kNotFound ("no feed template 3") for an id that is not stored, and
  // nothing changes. Returns the list as stored, by id.
  virtual Result<std::vector<FeedTemplate>> ReplaceFeedTemplates(
      const std::vector<FeedTemplate>& templates, int64_t now) = 0;
};

// Opens the feed templates of the store's database at `db_path` (created with the rest of
// the schema if needed), on a connection of its own. Fails as OpenAlertTables.
Result<std::unique_ptr<FeedTemplateTables>> OpenFeedTemplateTables(const std::string& db_path);

}  // namespace ecoute
