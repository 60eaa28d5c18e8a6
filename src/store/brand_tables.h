// The brand catalog of `ecoute serve` (docs/BRANDS.md): each brand's definition with where
// it came from, the truth once the server has started. The catalog file seeds it with the
// brands it has never held; the API adds, edits and deletes them. A deleted brand keeps its
// row, marked, so that the file does not bring it back. Checking a definition is the
// catalog's (CleanBrand, ecoute/catalog.h); rebuilding the analyzer is the server's: these
// calls only keep the rows.
//
// The previews of a definition read the newest stored posts back through these tables too
// (RecentPosts), on this connection rather than the store's, so that a preview never holds
// the store's lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/catalog.h"
#include "ecoute/post.h"
#include "ecoute/status.h"

namespace ecoute {

struct StoredBrand {
  Brand brand;                 // its name is unique, without regard to case
  std::string origin = "api";  // "file": seeded from the catalog file; "api": written through it
  int64_t created_at = 0;      // seconds since the epoch
  int64_t updated_at = 0;
  std::string updated_by;  // "admin:marie"; "file" for a seeded brand
};

// A stored post as it is read again: enough of it to analyze it anew and show it.
struct RecentPost {
  int64_t id = 0;  // the store's id
  // id (the source's, else ""), url, title, text, links (one per line in the store: those of
  // the markup and of the text), author (handle and name), published_at (RFC 3339, or "").
  Post post;
};

// Not thread-safe: one caller at a time (the server serializes its changes to the catalog
// and gives each preview's read its own turn). A brand's name is looked up without regard to
// case; one that finds nothing in force fails with kNotFound ("no brand \"Fnac\""); storage
// failures with the codes of status.h.
class BrandTables {
 public:
  virtual ~BrandTables() = default;

  // The brands in force (not deleted), in the order they were first added.
  virtual Result<std::vector<StoredBrand>> ListBrands() = 0;
  // Adds a brand with its definition, origin, times and author; kAlreadyExists when a brand
  // in force has its name. A deleted brand of that name comes back, with this definition.
  // Returns it as stored.
  virtual Result<StoredBrand> AddBrand(const StoredBrand& brand) = 0;
  // Writes the definition (its name's spelling included), origin, updated_at and updated_by
  // of the brand in force named brand.brand.name; created_at stays. Returns it as stored.
  virtual Result<StoredBrand> UpdateBrand(const StoredBrand& brand) = 0;
  // Marks the brand in force named `name` deleted at `now`.
  virtual Status DeleteBrand(std::string_view name, int64_t now) = 0;
  // Adds, with origin "file" at `now`, each brand of `catalog` whose name the table has
  // never held (in force or deleted), in the catalog's order; the others keep their stored
  // definition. Returns the names added. One transaction.
  virtual Result<std::vector<std::string>> SeedBrands(const BrandCatalog& catalog, int64_t now) = 0;
  // The newest `limit` stored posts (by the store's id: the last stored first).
  virtual Result<std::vector<RecentPost>> RecentPosts(int limit) = 0;
};

// Opens the brand tables of the store's database at `db_path` (created with the rest of
// the schema if needed), on a connection of their own. Fails as OpenTeamTables.
Result<std::unique_ptr<BrandTables>> OpenBrandTables(const std::string& db_path);

}  // namespace ecoute
