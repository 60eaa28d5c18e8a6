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

#include <string>
#include <string_view>
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

// Parses catalog text. `source_name` names it in errors, which give the line and what is
// wrong: "brands.toml:7: brand \"Fnac\": aliases[2] is empty".
Result<BrandCatalog> ParseCatalog(std::string_view toml, std::string_view source_name);

// Reads and parses a catalog file.
Result<BrandCatalog> LoadCatalog(const std::string& path);

}  // namespace ecoute
