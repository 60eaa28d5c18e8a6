// The table of reply templates (ecoute/templates.h, docs/REPLIES.md): the canned answers of
// a care team, each for a brand, a language and a topic or for every one. Checking them and
// filling their variables in are reply/template.h's; these calls only keep the rows, each
// write atomic.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ecoute/status.h"
#include "ecoute/templates.h"

namespace ecoute {

// Not thread-safe: one caller at a time. Lookups that find nothing fail with kNotFound
// ("no template 3"); storage failures with the codes of status.h.
class TemplateTables {
 public:
  virtual ~TemplateTables() = default;

  // Every template, by name (without regard to case), then id.
  virtual Result<std::vector<ReplyTemplate>> ListTemplates() = 0;
  virtual Result<ReplyTemplate> GetTemplate(int64_t id) = 0;
  // Adds the template (its id ignored); returns it with the id assigned.
  virtual Result<ReplyTemplate> CreateTemplate(const ReplyTemplate& t) = 0;
  // Writes every field of template t.id; returns it as stored.
  virtual Result<ReplyTemplate> UpdateTemplate(const ReplyTemplate& t) = 0;
  virtual Status DeleteTemplate(int64_t id) = 0;
};

// Opens the template table of the store's database at `db_path` (created with the rest of
// the schema if needed), on a connection of its own. Fails as OpenAlertTables.
Result<std::unique_ptr<TemplateTables>> OpenTemplateTables(const std::string& db_path);

}  // namespace ecoute
