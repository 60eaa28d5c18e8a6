// Loads the brand catalog (TOML). toml++ reports parse errors by exception; they are
// caught here, the one file that calls it, and become a Status.
#include "ecoute/catalog.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include <toml++/toml.h>

#include "text/normalize.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

std::string Where(std::string_view source_name, const toml::node& node) {
  std::string out(source_name);
  out += ':';
  out += std::to_string(node.source().begin.line);
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// A domain as people paste it ("https://www.Fnac.com/") reduced to its host ("fnac.com").
std::string CleanDomain(std::string_view d) {
  std::string s = Trim(d);
  if (auto p = s.find("://"); p != std::string::npos) s.erase(0, p + 3);
  if (auto p = s.find_first_of("/?#"); p != std::string::npos) s.erase(p);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  if (s.rfind("www.", 0) == 0) s.erase(0, 4);
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

Status ReadStrings(std::string_view source, const Brand& brand, const toml::node& node,
                   std::string_view key, std::vector<std::string>& out) {
  const toml::array* array = node.as_array();
  if (array == nullptr) {
    return InvalidArgumentError(Where(source, node) + ": brand \"" + brand.name +
                                "\": " + std::string(key) + " must be an array of strings");
  }
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    const auto* value = item.as_string();
    std::string text = value == nullptr ? std::string() : Trim(value->get());
    if (value == nullptr || text.empty()) {
      return InvalidArgumentError(Where(source, item) + ": brand \"" + brand.name +
                                  "\": " + std::string(key) + "[" + std::to_string(i) + "] " +
                                  (value == nullptr ? "is not a string" : "is empty"));
    }
    out.push_back(std::move(text));
  }
  return OkStatus();
}

Result<Brand> ReadBrand(std::string_view source, const toml::table& table) {
  Brand brand;
  const toml::node* name = table.get("name");
  if (name == nullptr || !name->is_string() || Trim(name->as_string()->get()).empty()) {
    return InvalidArgumentError(Where(source, table) +
                                ": [[brand]] needs a non-empty string `name`");
  }
  brand.name = Trim(name->as_string()->get());
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "name") continue;
    if (k == "aliases") {
      ECOUTE_RETURN_IF_ERROR(ReadStrings(source, brand, node, k, brand.aliases));
    } else if (k == "handles") {
      ECOUTE_RETURN_IF_ERROR(ReadStrings(source, brand, node, k, brand.handles));
    } else if (k == "domains") {
      ECOUTE_RETURN_IF_ERROR(ReadStrings(source, brand, node, k, brand.domains));
    } else if (k == "not") {
      ECOUTE_RETURN_IF_ERROR(ReadStrings(source, brand, node, k, brand.exclusions));
    } else if (k == "common_word") {
      if (!node.is_boolean()) {
        return InvalidArgumentError(Where(source, node) + ": brand \"" + brand.name +
                                    "\": common_word must be true or false");
      }
      brand.is_common_word = node.as_boolean()->get();
    } else {
      return InvalidArgumentError(Where(source, node) + ": brand \"" + brand.name +
                                  "\": unknown key `" + std::string(k) +
                                  "` (expected name, aliases, handles, domains, common_word, not)");
    }
  }
  if (std::optional<BrandProblem> problem = CleanBrand(brand)) {
    return InvalidArgumentError(Where(source, table) + ": brand \"" + brand.name +
                                "\": " + problem->message);
  }
  return brand;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string Item(std::string_view list, size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

// The first problem of one list of the definition: a blank, long or unprintable entry,
// or too many of them.
std::optional<BrandProblem> CheckList(std::string_view list, std::vector<std::string>& items) {
  if (items.size() > kMaxBrandTerms) {
    return BrandProblem{std::string(list),
                        "too_many",
                        std::string(list) + " has " + std::to_string(items.size()) +
                            " entries: give at most " + std::to_string(kMaxBrandTerms),
                        {{"max", std::to_string(kMaxBrandTerms)}}};
  }
  for (size_t i = 0; i < items.size(); ++i) {
    items[i] = Trim(items[i]);
    const std::string field = Item(list, i);
    if (items[i].empty()) return BrandProblem{field, "empty_entry", field + " is empty"};
    if (items[i].size() > kMaxBrandTermBytes) {
      return BrandProblem{field,
                          "too_long",
                          field + " has " + std::to_string(items[i].size()) +
                              " bytes: give at most " + std::to_string(kMaxBrandTermBytes),
                          {{"max", std::to_string(kMaxBrandTermBytes)}}};
    }
    if (HasControl(items[i]) || !IsValidUtf8(items[i])) {
      return BrandProblem{field, "invalid_text", field + " holds characters that are not text"};
    }
  }
  return std::nullopt;
}

bool HasWordCodepoint(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    size_t length = 0;
    if (IsWordCodepoint(DecodeUtf8(text, i, length))) return true;
    i += std::max<size_t>(length, 1);
  }
  return false;
}

// Words a brand is known by: its name, then its aliases, each with its field.
std::vector<std::pair<std::string, std::string>> Terms(const Brand& brand) {
  std::vector<std::pair<std::string, std::string>> terms;
  terms.emplace_back("name", NormalizeTerm(brand.name));
  for (size_t i = 0; i < brand.aliases.size(); ++i) {
    terms.emplace_back(Item("aliases", i), NormalizeTerm(brand.aliases[i]));
  }
  return terms;
}

}  // namespace

std::optional<BrandProblem> CleanBrand(Brand& brand) {
  brand.name = Trim(brand.name);
  if (brand.name.empty()) return BrandProblem{"name", "required", "a brand needs a name"};
  if (brand.name.size() > kMaxBrandTermBytes) {
    return BrandProblem{"name",
                        "too_long",
                        "the name has " + std::to_string(brand.name.size()) +
                            " bytes: give at most " + std::to_string(kMaxBrandTermBytes),
                        {{"max", std::to_string(kMaxBrandTermBytes)}}};
  }
  if (HasControl(brand.name) || !IsValidUtf8(brand.name) ||
      brand.name.find('/') != std::string::npos) {
    return BrandProblem{"name", "invalid_text",
                        "the name holds characters it may not (control characters, '/')"};
  }
  const std::pair<const char*, std::vector<std::string>*> lists[] = {{"aliases", &brand.aliases},
                                                                     {"handles", &brand.handles},
                                                                     {"domains", &brand.domains},
                                                                     {"not", &brand.exclusions}};
  for (const auto& [list, items] : lists) {
    if (std::optional<BrandProblem> problem = CheckList(list, *items)) return problem;
  }
  for (const auto& [field, term] : Terms(brand)) {
    if (!HasWordCodepoint(term)) {
      return BrandProblem{field, "no_letters", field + " has no letter or digit once normalized"};
    }
  }
  for (size_t i = 0; i < brand.handles.size(); ++i) {
    std::string& handle = brand.handles[i];
    if (handle.front() != '@') handle.insert(0, 1, '@');
    if (handle.size() < 2) {
      return BrandProblem{Item("handles", i), "empty_entry", "a handle is empty"};
    }
  }
  for (size_t i = 0; i < brand.domains.size(); ++i) {
    std::string& domain = brand.domains[i];
    domain = CleanDomain(domain);
    if (domain.find('.') == std::string::npos || domain.find(' ') != std::string::npos) {
      return BrandProblem{Item("domains", i),
                          "invalid_domain",
                          "domain \"" + domain + "\" is not a host name such as example.com",
                          {{"value", domain}}};
    }
  }
  return std::nullopt;
}

std::optional<BrandProblem> FindBrandClash(const BrandCatalog& catalog, const Brand& brand,
                                           std::string_view replacing) {
  const std::vector<std::pair<std::string, std::string>> mine = Terms(brand);
  const std::string skipped = NormalizeTerm(replacing);
  for (const Brand& other : catalog.brands) {
    if (!skipped.empty() && NormalizeTerm(other.name) == skipped) continue;
    for (const auto& [other_field, other_term] : Terms(other)) {
      for (const auto& [field, term] : mine) {
        if (term.empty() || term != other_term) continue;
        return BrandProblem{field,
                            "already_exists",
                            field + " is already " +
                                (other_field == "name" ? "the name" : "an alias") + " of brand \"" +
                                other.name + "\"",
                            {{"brand", other.name}}};
      }
    }
  }
  return std::nullopt;
}

Result<BrandCatalog> ParseCatalog(std::string_view text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(std::string(source_name) + ":" +
                                std::to_string(e.source().begin.line) + ": " +
                                std::string(e.description()));
  }
  BrandCatalog catalog;
  for (const auto& [key, node] : root) {
    if (key.str() != "brand") {
      return InvalidArgumentError(Where(source_name, node) + ": unknown top-level key `" +
                                  std::string(key.str()) +
                                  "`; a catalog holds [[brand]] tables only");
    }
  }
  const toml::node* brands = root.get("brand");
  if (brands == nullptr) return catalog;  // an empty catalog is valid
  const toml::array* array = brands->as_array();
  if (array == nullptr) {
    return InvalidArgumentError(Where(source_name, *brands) +
                                ": `brand` must be written [[brand]] (an array of tables)");
  }
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (table == nullptr) {
      return InvalidArgumentError(Where(source_name, item) + ": each brand must be a table");
    }
    ECOUTE_ASSIGN_OR_RETURN(Brand brand, ReadBrand(source_name, *table));
    catalog.brands.push_back(std::move(brand));
  }
  return catalog;
}

Result<BrandCatalog> LoadCatalog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open the brand catalog");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return ParseCatalog(buffer.str(), path);
}

}  // namespace ecoute
