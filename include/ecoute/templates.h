// Reply templates (docs/REPLIES.md, "Templates"): the canned answers a care team keeps, as
// Zendesk macros or Freshdesk canned responses, each for a brand, a language and a topic or
// for every one. A template's body may hold the variables {{customer}}, {{brand}}, {{case}}
// and {{agent}}, filled in for the case being answered; any other variable is refused when
// the template is saved.
//
// `ecoute templates` and `ecoute serve` keep them in the same database; TemplateAdmin is the
// one way to change them, so both check them alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/catalog.h"
#include "ecoute/status.h"

namespace ecoute {

struct ReplyTemplate {
  int64_t id = 0;
  std::string name;        // what agents pick it by: 1 to kMaxTemplateNameBytes bytes, one line
  std::string brand;       // the catalog's name of the brand; "": every brand
  std::string lang;        // a short BCP 47 tag ("fr", "fr-CA"); "": every language
  std::string topic;       // a topic's name (TopicName: "delay"); "": every topic
  std::string body;        // 1 to kMaxTemplateBodyBytes bytes of UTF-8, with its variables
  std::string updated_by;  // who saved it last: "manager:marie", "cli:ops"
  int64_t updated_at = 0;  // seconds since the epoch
};

inline constexpr size_t kMaxTemplateNameBytes = 100;
inline constexpr size_t kMaxTemplateBodyBytes = 5000;

// The variables a body may hold, in the order the messages list them.
inline constexpr std::string_view kTemplateVariables[] = {"customer", "brand", "case", "agent"};

// Checks a template before it is saved, and writes its fields in their stored form: the name
// trimmed, the brand as the catalog names it (an alias resolved; compared without regard to
// case), the language tag in its usual case ("fr-CA"). Fails with kInvalidArgument saying
// what is wrong, where, and how to fix it: an empty or too long name or body, a brand not in
// `catalog`, a tag that is not a short BCP 47 one, an unknown topic, an unknown variable or
// an unclosed "{{" in the body (naming the variable and listing the known ones). id,
// updated_by and updated_at are not looked at.
Status CheckTemplate(const BrandCatalog& catalog, ReplyTemplate& t);

// The templates of one database. Thread-safe. Lookups that find nothing fail with kNotFound
// ("no template 3"); storage failures with the store's codes.
class TemplateAdmin {
 public:
  // Opens the template table of the database at `db_path` (created with the rest of the
  // schema if needed). Fails as UserAdmin::Open. `catalog` is what brands are checked
  // against.
  static Result<std::unique_ptr<TemplateAdmin>> Open(const std::string& db_path,
                                                     BrandCatalog catalog);
  // The same for a catalog that changes (the server's): `catalog` gives the one in force,
  // asked at each write; it must be thread-safe and outlive the TemplateAdmin.
  using CatalogSource = std::function<std::shared_ptr<const BrandCatalog>()>;
  static Result<std::unique_ptr<TemplateAdmin>> Open(const std::string& db_path,
                                                     CatalogSource catalog);
  virtual ~TemplateAdmin() = default;

  // Every template, by name then id.
  virtual Result<std::vector<ReplyTemplate>> List() = 0;
  virtual Result<ReplyTemplate> Get(int64_t id) = 0;
  // Checks (CheckTemplate) and adds the template; returns it as stored, with its id.
  virtual Result<ReplyTemplate> Add(ReplyTemplate t) = 0;
  // Checks and writes every field of template t.id; returns it as stored.
  virtual Result<ReplyTemplate> Update(ReplyTemplate t) = 0;
  virtual Status Remove(int64_t id) = 0;
};

}  // namespace ecoute
