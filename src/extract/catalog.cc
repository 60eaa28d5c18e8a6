// Loads the brand catalog (TOML). toml++ reports parse errors by exception; they are
// caught here, the one file that calls it, and become a Status.
#include "ecoute/catalog.h"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

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
  for (std::string& handle : brand.handles) {
    if (handle.front() != '@') handle.insert(0, 1, '@');
    if (handle.size() < 2) {
      return InvalidArgumentError(Where(source, table) + ": brand \"" + brand.name +
                                  "\": a handle is empty");
    }
  }
  for (std::string& domain : brand.domains) {
    domain = CleanDomain(domain);
    if (domain.find('.') == std::string::npos) {
      return InvalidArgumentError(Where(source, table) + ": brand \"" + brand.name +
                                  "\": domain \"" + domain +
                                  "\" is not a host name such as example.com");
    }
  }
  return brand;
}

}  // namespace

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
