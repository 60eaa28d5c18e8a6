// The server's brand catalog in SQLite: catalog_brands (schema.cc, version 10), and the
// newest posts read back for a preview.
#include "store/brand_tables.h"

#include <string_view>
#include <utility>

#include "ecoute/datetime.h"

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kColumns =
    "SELECT name, aliases, handles, domains, exclusions, common_word, origin, created_at, "
    "updated_at, updated_by FROM catalog_brands ";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += '\n';
    out += item;
  }
  return out;
}

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (std::string_view line = text.substr(0, end); !line.empty()) out.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

StoredBrand ReadBrand(const sqlite::Statement& s) {
  StoredBrand b;
  b.brand.name = s.Text(0);
  b.brand.aliases = Split(s.Text(1));
  b.brand.handles = Split(s.Text(2));
  b.brand.domains = Split(s.Text(3));
  b.brand.exclusions = Split(s.Text(4));
  b.brand.is_common_word = s.Int(5) != 0;
  b.origin = s.Text(6);
  b.created_at = s.Int(7);
  b.updated_at = s.Int(8);
  b.updated_by = s.Text(9);
  return b;
}

// Binds name, the lists, common_word, origin, updated_at and updated_by as ?1 to ?9.
void BindDefinition(sqlite::Statement& s, const StoredBrand& b) {
  s.Bind(1, b.brand.name)
      .Bind(2, Join(b.brand.aliases))
      .Bind(3, Join(b.brand.handles))
      .Bind(4, Join(b.brand.domains))
      .Bind(5, Join(b.brand.exclusions))
      .Bind(6, int64_t{b.brand.is_common_word})
      .Bind(7, b.origin)
      .Bind(8, b.updated_at)
      .Bind(9, b.updated_by);
}

std::string NoBrand(std::string_view name) { return "no brand \"" + std::string(name) + "\""; }

class SqliteBrandTables final : public BrandTables {
 public:
  explicit SqliteBrandTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<std::vector<StoredBrand>> ListBrands() override {
    sqlite::Statement s(db(), std::string(kColumns) + "WHERE deleted_at IS NULL ORDER BY id");
    if (!s.ok()) return s.status();
    std::vector<StoredBrand> out;
    while (s.Step()) out.push_back(ReadBrand(s));
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }

  Result<StoredBrand> AddBrand(const StoredBrand& brand) override {
    ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
      ECOUTE_ASSIGN_OR_RETURN(const std::optional<bool> deleted, Known(brand.brand.name));
      if (deleted && !*deleted) {
        return Status(StatusCode::kAlreadyExists,
                      "brand \"" + brand.brand.name + "\" already exists");
      }
      // A deleted brand's row comes back to life: its id (its place in the catalog's
      // order) changes, as for a brand added now.
      if (deleted) {
        sqlite::Statement drop(db(), "DELETE FROM catalog_brands WHERE name = ?1");
        if (!drop.ok()) return drop.status();
        ECOUTE_RETURN_IF_ERROR(drop.Bind(1, brand.brand.name).Run());
      }
      return Insert(brand);
    }));
    return Find(brand.brand.name);
  }

  Result<StoredBrand> UpdateBrand(const StoredBrand& brand) override {
    sqlite::Statement s(db(),
                        "UPDATE catalog_brands SET name = ?1, aliases = ?2, handles = ?3, "
                        "domains = ?4, exclusions = ?5, common_word = ?6, origin = ?7, "
                        "updated_at = ?8, updated_by = ?9 "
                        "WHERE name = ?1 AND deleted_at IS NULL");
    if (!s.ok()) return s.status();
    BindDefinition(s, brand);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return NotFoundError(NoBrand(brand.brand.name));
    return Find(brand.brand.name);
  }

  Status DeleteBrand(std::string_view name, int64_t now) override {
    sqlite::Statement s(db(),
                        "UPDATE catalog_brands SET deleted_at = ?2, updated_at = ?2 "
                        "WHERE name = ?1 AND deleted_at IS NULL");
    if (!s.ok()) return s.status();
    ECOUTE_RETURN_IF_ERROR(s.Bind(1, name).Bind(2, now).Run());
    if (db_.Changes() == 0) return NotFoundError(NoBrand(name));
    return OkStatus();
  }

  Result<std::vector<std::string>> SeedBrands(const BrandCatalog& catalog, int64_t now) override {
    std::vector<std::string> added;
    ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
      added.clear();
      for (const Brand& brand : catalog.brands) {
        ECOUTE_ASSIGN_OR_RETURN(const std::optional<bool> deleted, Known(brand.name));
        if (deleted) continue;
        StoredBrand seeded{brand, "file", now, now, "file"};
        ECOUTE_RETURN_IF_ERROR(Insert(seeded));
        added.push_back(brand.name);
      }
      return OkStatus();
    }));
    return added;
  }

  Result<std::vector<RecentPost>> RecentPosts(int limit) override {
    sqlite::Statement s(
        db(),
        "SELECT p.id, coalesce(p.ext_id, ''), coalesce(p.url, ''), p.title, p.text, "
        "coalesce(p.links, ''), coalesce(a.handle, ''), coalesce(a.name, ''), p.published_at, "
        "coalesce(src.kind, '') FROM posts p LEFT JOIN authors a ON a.id = p.author_id "
        "LEFT JOIN sources src ON src.id = p.source_id ORDER BY p.id DESC LIMIT ?1");
    if (!s.ok()) return s.status();
    s.Bind(1, int64_t{limit});
    std::vector<RecentPost> out;
    while (s.Step()) {
      RecentPost& r = out.emplace_back();
      r.id = s.Int(0);
      r.post.id = s.Text(1);
      r.post.url = s.Text(2);
      r.post.title = s.Text(3);
      r.post.text = s.Text(4);
      r.post.links = Split(s.Text(5));
      r.post.author.handle = s.Text(6);
      r.post.author.name = s.Text(7);
      if (std::optional<int64_t> at = s.OptionalInt(8)) r.post.published_at = FormatRfc3339(*at);
      r.post.source = s.Text(9);
    }
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }

 private:
  sqlite3* db() const { return db_.get(); }

  // nullopt when the table never held `name`; else whether that brand is deleted.
  Result<std::optional<bool>> Known(std::string_view name) {
    sqlite::Statement s(db(), "SELECT deleted_at IS NOT NULL FROM catalog_brands WHERE name = ?1");
    if (!s.ok()) return s.status();
    s.Bind(1, name);
    if (!s.Step()) {
      ECOUTE_RETURN_IF_ERROR(s.status());
      return std::optional<bool>();
    }
    return std::optional<bool>(s.Int(0) != 0);
  }

  Status Insert(const StoredBrand& brand) {
    sqlite::Statement s(db(),
                        "INSERT INTO catalog_brands(name, aliases, handles, domains, exclusions, "
                        "common_word, origin, updated_at, updated_by, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!s.ok()) return s.status();
    BindDefinition(s, brand);
    s.Bind(10, brand.created_at);
    return s.Run();
  }

  Result<StoredBrand> Find(std::string_view name) {
    sqlite::Statement s(db(), std::string(kColumns) + "WHERE name = ?1 AND deleted_at IS NULL");
    if (!s.ok()) return s.status();
    s.Bind(1, name);
    if (!s.Step()) {
      ECOUTE_RETURN_IF_ERROR(s.status());
      return NotFoundError(NoBrand(name));
    }
    return ReadBrand(s);
  }

  sqlite::Connection db_;
};

}  // namespace

Result<std::unique_ptr<BrandTables>> OpenBrandTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, sqlite::OpenTablesConnection(db_path, ""));
  return std::unique_ptr<BrandTables>(std::make_unique<SqliteBrandTables>(std::move(db)));
}

}  // namespace ecoute
