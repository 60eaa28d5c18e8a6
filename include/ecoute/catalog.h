// The brand catalog: which brands to listen for, and every way people write them.
//
// A TOML file with one [[brand]] table per brand:
//   [[brand]]
//   name = "Bouygues Telecom"                         # canonical name, reported as is
//   aliases = ["Bouygues Télécom", "Bouygues", "BT"]  # other ways people write it
//   handles = ["@bouyguestelecom"]                    # its social accounts
//   domains = ["bouyguestelecom.fr"]                  # its web sites
//   common_word = true     # optional: the name is also a common word (see below)
//   not = ["Orange mécanique"]  # optional: phrases that look like the brand but are not
//
// Matching rules (docs/ANALYSIS.md tells them with examples):
// - aliases and the name match on word boundaries, insensitive to case, accents, hyphens,
//   apostrophes and spacing;
// - an alias of three letters or fewer written in capitals ("BT", "EDF") matches only
//   when written in capitals;
// - a name or alias that is also a common word ("Orange", "Free", "Apple", "United") —
//   listed in data/lexicon/common_words.txt or flagged `common_word = true` — counts only
//   with a sign of the brand nearby: a capital letter not at a sentence start, one of the
//   brand's handles or domains anywhere in the post, another of its aliases, or a topic
//   word in the same sentence;
// - a handle ("@bouyguestelecom") is a mention, and so is a domain or a URL whose host is
//   the domain or one of its subdomains.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

struct Brand {
  std::string name;
  std::vector<std::string> aliases;
  std::vector<std::string> handles;     // with their leading '@'
  std::vector<std::string> domains;     // lower case, without scheme or path
  std::vector<std::string> exclusions;  // the `not` phrases
  bool is_common_word = false;
};

struct BrandCatalog {
  std::vector<Brand> brands;
};

// Limits of one brand's definition, for the file and the API alike.
inline constexpr size_t kMaxBrandTermBytes = 200;  // a name, alias, handle, domain or phrase
inline constexpr size_t kMaxBrandTerms = 200;      // entries of each list

// What is wrong with a brand's definition: the field at fault ("name", "aliases[2]",
// "domains[0]"), a stable snake_case reason, and an English message that names the field
// ("aliases[2] is empty").
struct BrandProblem {
  std::string field;
  // "required" (no name), "empty_entry" (an entry blank once trimmed), "too_long",
  // "too_many" (entries), "invalid_text" (control characters, or a '/' in the name),
  // "no_letters" (a name or alias with no letter or digit once normalized),
  // "invalid_domain" (not a host name), "already_exists" (FindBrandClash).
  std::string reason;
  std::string message;
  // The values the message quotes: {"max", "200"}, {"value", "fnac"}, {"brand", "Fnac"}.
  std::vector<std::pair<std::string, std::string>> params = {};
};

// Cleans a definition in place, as the catalog file and the API both take it: every
// string trimmed of spaces and tabs, handles given their leading '@', domains reduced to
// their host ("https://www.Fnac.com/x" is "fnac.com"); then checks it. Returns its first
// problem, or nullopt when it is sound. The one check of both ParseCatalog and the server.
std::optional<BrandProblem> CleanBrand(Brand& brand);

// Another brand of `catalog` that `brand` would be mistaken for: one whose name or alias
// is, once normalized (case, accents, separators), the name or an alias of `brand`. The
// brand named `replacing` (the one being edited; "" for none) is skipped. Returns the
// problem, reason "already_exists", on `brand`'s field ("name", "aliases[1]"), or nullopt.
std::optional<BrandProblem> FindBrandClash(const BrandCatalog& catalog, const Brand& brand,
                                           std::string_view replacing);

// Parses catalog text. `source_name` names it in errors, which give the line and what is
// wrong: "brands.toml:7: brand \"Fnac\": aliases[2] is empty".
Result<BrandCatalog> ParseCatalog(std::string_view toml, std::string_view source_name);

// Reads and parses a catalog file.
Result<BrandCatalog> LoadCatalog(const std::string& path);

}  // namespace ecoute
