// The SQLite store: opening a file (pragmas, migrations, read-only checks), the prepared
// statements, the brands of the catalog, and the helpers the store's files share.
#include "store/sqlite/sqlite_store.h"

#include <array>
#include <cctype>
#include <initializer_list>

#include "store/sqlite/fts5_tokenizer.h"
#include "store/sqlite/schema.h"
#include "util/url.h"

namespace ecoute::sqlite {
namespace {

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(' ', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

constexpr char kCueSeparator = '|';

}  // namespace

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string WithAt(std::string_view name) {
  std::string out = "@";
  out.append(name);
  return out;
}

std::string JoinCues(const std::vector<std::string_view>& cues) {
  std::string out;
  for (std::string_view cue : cues) {
    if (!out.empty()) out += kCueSeparator;
    out += cue;
  }
  return out;
}

std::string Excerpt(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const size_t space = text.rfind(' ', cut);
  if (space != std::string_view::npos && space > max_bytes / 2) cut = space;
  return std::string(text.substr(0, cut)) + "…";
}

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ",?";
  return out;
}

Status SqliteStore::Prepare() {
  static constexpr std::array<std::string_view, kStatementCount> kSql = {
      "SELECT id FROM sources WHERE kind = ?1",
      "INSERT INTO sources(kind) VALUES (?1)",
      "SELECT id FROM authors WHERE key = ?1",
      "INSERT INTO authors(key, name, handle, url, followers) VALUES (?1, ?2, ?3, ?4, ?5)",
      "SELECT id, content_hash, version FROM posts WHERE source_id = ?1 AND ext_id = ?2",
      "SELECT id, content_hash, version FROM posts WHERE url = ?1 ORDER BY id LIMIT 1",
      "SELECT id, content_hash, version FROM posts WHERE content_hash = ?1 AND ext_id IS NULL "
      "AND author_id IS ?2 LIMIT 1",
      "INSERT INTO posts(source_id, ext_id, url, content_hash, author_id, title, text, lang, "
      "published_at, updated_at, ingested_at, at, parent_ext_id, parent_url, links, comments, "
      "shares, likes, stance, confidence, severity, priority, facts, topic, topics, tags, "
      "reasons) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
      "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
      "INSERT INTO post_versions(post_id, version, title, text, content_hash, updated_at, "
      "replaced_at) SELECT id, version, title, text, content_hash, updated_at, ?2 FROM posts "
      "WHERE id = ?1",
      "UPDATE posts SET content_hash = ?2, title = ?3, text = ?4, lang = ?5, updated_at = ?6, "
      "links = ?7, comments = ?8, shares = ?9, likes = ?10, stance = ?11, confidence = ?12, "
      "severity = ?13, priority = ?14, facts = ?15, topic = ?16, topics = ?17, tags = ?18, "
      "reasons = ?19, version = version + 1 WHERE id = ?1",
      "DELETE FROM post_brands WHERE post_id = ?1",
      "INSERT INTO post_brands(post_id, brand_id, stance, confidence, mentions, is_by_brand, at, "
      "cues, topics) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      "SELECT c.id, c.brand_id, c.status, c.customer_id, c.last_activity_at, "
      "c.first_response_at IS NOT NULL FROM case_posts cp JOIN cases c ON c.id = cp.case_id "
      "WHERE cp.post_id = ?1",
      "SELECT id, status, customer_id, last_activity_at, first_response_at IS NOT NULL FROM "
      "cases WHERE customer_id = ?1 AND brand_id = ?2 AND merged_into IS NULL ORDER BY id DESC "
      "LIMIT 1",
      "INSERT INTO cases(brand_id, customer_id, status, priority, topic, opened_at, "
      "last_activity_at, opening_post_id) VALUES (?1, ?2, 0, ?3, ?4, ?5, ?5, ?6)",
      "INSERT OR IGNORE INTO case_posts(case_id, post_id, role, rule, at) VALUES (?1, ?2, ?3, "
      "?4, ?5)",
      "UPDATE cases SET last_activity_at = max(last_activity_at, ?2), priority = max(priority, "
      "?3), status = coalesce(?4, status), first_response_at = coalesce(first_response_at, ?5), "
      "resolved_at = CASE WHEN ?4 = 2 THEN ?6 WHEN ?4 IN (0, 1, 4) THEN NULL ELSE resolved_at "
      "END, recovered = CASE WHEN ?4 = 2 THEN ?7 WHEN ?4 IS NOT NULL THEN 0 ELSE recovered END "
      "WHERE id = ?1",
      "INSERT INTO case_events(case_id, at, kind, actor, reason, post_id) VALUES (?1, ?2, ?3, "
      "?4, ?5, ?6)",
      "SELECT id, status, customer_id, last_activity_at, first_response_at IS NOT NULL, "
      "brand_id FROM cases WHERE id = ?1",
      "SELECT p.author_id, p.at, coalesce((SELECT stance FROM post_brands WHERE post_id = p.id "
      "AND brand_id = ?2), p.stance), p.priority, p.topic FROM posts p WHERE p.id = ?1",
      "INSERT INTO posts_fts(rowid, title, body, tags) SELECT id, title || char(31) || lang, "
      "text || char(31) || lang, tags FROM posts WHERE id >= ?1 ORDER BY id",
      // A post that joins a case without changing its status: only what changes is
      // written, so that the indexes on status and priority are left alone.
      "UPDATE cases SET last_activity_at = ?2 WHERE id = ?1 AND last_activity_at < ?2",
      "UPDATE cases SET priority = ?2 WHERE id = ?1 AND priority < ?2",
      "UPDATE posts SET contacts = ?2 WHERE id = ?1",
      "SELECT coalesce(contacts, '') FROM posts WHERE id = ?1",
      // The brand's reply seen in the channel: an observed response.
      "UPDATE cases SET first_observed_at = ?2 WHERE id = ?1 AND first_observed_at IS NULL",
      // Replies ecoute sent: whether this post is one, the one at this URL.
      "SELECT post_id FROM case_posts WHERE post_id = ?1 AND rule = 'sent' LIMIT 1",
      "SELECT p.id FROM posts p JOIN case_posts cp ON cp.post_id = p.id WHERE p.url = ?1 AND "
      "cp.rule = 'sent' LIMIT 1",
  };
  statements_.clear();
  statements_.reserve(kStatementCount);
  for (std::string_view sql : kSql) {
    statements_.emplace_back(db_, sql);
    if (!statements_.back().ok()) return statements_.back().status();
  }
  return OkStatus();
}

Status SqliteStore::LoadBrands() {
  brands_.clear();
  brand_by_name_.clear();
  brand_by_handle_.clear();
  brand_by_domain_.clear();
  sqlite::Statement select(db_, "SELECT id, name, handles, domains FROM brands ORDER BY id");
  if (!select.ok()) return select.status();
  while (select.Step()) {
    BrandRow row;
    row.id = select.Int(0);
    row.name = std::string(select.Text(1));
    row.handles = SplitSpaces(select.Text(2));
    row.domains = SplitSpaces(select.Text(3));
    brand_by_name_[Lower(row.name)] = brands_.size();
    for (const std::string& handle : row.handles) brand_by_handle_[handle] = row.id;
    for (const std::string& domain : row.domains) brand_by_domain_[domain] = row.id;
    brands_.push_back(std::move(row));
  }
  return select.status();
}

Status SqliteStore::SyncBrands(const BrandCatalog& catalog) {
  auto run = [&]() -> Status {
    sqlite::Statement upsert(db_,
                             "INSERT INTO brands(name, handles, domains) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT(name) DO UPDATE SET handles = excluded.handles, "
                             "domains = excluded.domains");
    if (!upsert.ok()) return upsert.status();
    for (const Brand& brand : catalog.brands) {
      std::string handles, domains;
      for (const std::string& h : brand.handles) {
        if (!handles.empty()) handles += ' ';
        handles += Lower(h);
      }
      for (const std::string& d : brand.domains) {
        if (!domains.empty()) domains += ' ';
        domains += Lower(d);
      }
      ECOUTE_RETURN_IF_ERROR(upsert.Bind(1, brand.name).Bind(2, handles).Bind(3, domains).Run());
    }
    return OkStatus();
  };
  ECOUTE_RETURN_IF_ERROR(InTransaction(run));
  return LoadBrands();
}

// The brand that wrote the post, from its author's handle or profile URL or the post's
// own URL; 0 for a customer.
int64_t SqliteStore::BrandOfAuthor(const Post& post) const {
  if (!post.author.handle.empty()) {
    if (auto found = brand_by_handle_.find(Lower(post.author.handle));
        found != brand_by_handle_.end()) {
      return found->second;
    }
  }
  for (const std::string* url : {&post.author.url, &post.url}) {
    if (url->empty()) continue;
    // The host, then each parent domain: "sav.darty.com", "darty.com", "com".
    const std::string full_host = UrlHost(*url);
    for (std::string_view host = full_host; !host.empty();) {
      if (auto found = brand_by_domain_.find(std::string(host)); found != brand_by_domain_.end()) {
        return found->second;
      }
      const size_t dot = host.find('.');
      if (dot == std::string_view::npos) break;
      host.remove_prefix(dot + 1);
    }
  }
  return 0;
}

// Whether the text opens with @handles (at most eight) among which one of the brand's.
bool SqliteStore::IsAddressedTo(std::string_view text, int64_t brand) const {
  size_t i = 0;
  for (int handles = 0; handles < 8; ++handles) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '.')) ++i;
    if (i >= text.size() || text[i] != '@') return false;
    size_t end = i + 1;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                                 text[end] == '_' || text[end] == '.' || text[end] == '-')) {
      ++end;
    }
    while (end > i + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
    if (auto found = brand_by_handle_.find(Lower(text.substr(i, end - i)));
        found != brand_by_handle_.end() && found->second == brand) {
      return true;
    }
    if (end == i + 1) return false;
    i = end;
  }
  return false;
}

Result<int64_t> SqliteStore::BrandIdByName(std::string_view name) const {
  if (auto found = brand_by_name_.find(Lower(name)); found != brand_by_name_.end()) {
    return brands_[found->second].id;
  }
  return InvalidArgumentError("brand \"" + std::string(name) +
                              "\" is not in the store: ingest with a catalog that has it");
}

Result<StoreStats> SqliteStore::Stats() {
  sqlite::Statement select(
      db_,
      "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM authors), (SELECT count(*) "
      "FROM brands), (SELECT count(*) FROM cases), (SELECT count(*) FROM cases WHERE status IN "
      "(0, 1, 4)), (SELECT count(*) FROM post_versions)");
  if (!select.ok()) return select.status();
  if (!select.Step()) return select.status();
  return StoreStats{select.Int(0), select.Int(1), select.Int(2),
                    select.Int(3), select.Int(4), select.Int(5)};
}

}  // namespace ecoute::sqlite

namespace ecoute {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  sqlite3* db = nullptr;
  const int flags =
      options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    Status status = sqlite::Error(db, path + ": cannot open the database");
    sqlite3_close_v2(db);
    return status;
  }
  auto store = std::make_unique<sqlite::SqliteStore>(db, options);
  auto fail = [&](const Status& status) {
    return Status(status.code(), path + ": " + status.message());
  };
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  if (Status status = RegisterFts5Tokenizer(db); !status.ok()) return fail(status);
  {
    sqlite::Statement check(db,
                            "SELECT (SELECT application_id FROM pragma_application_id), "
                            "(SELECT count(*) FROM sqlite_schema)");
    if (!check.ok()) return fail(check.status());
    if (check.Step() && check.Int(0) != kApplicationId && check.Int(1) > 0) {
      return DataLossError(path +
                           ": not an ecoute database (it holds other tables); give "
                           "another --db file");
    }
    if (!check.status().ok()) return fail(check.status());
  }
  // A page cache of 256 MiB and reads through mmap keep the indexes of a few million posts
  // in memory instead of going to the kernel for each page; checkpoints every 64 MiB of WAL
  // rather than 4 MiB write a page changed by many batches once (13 % faster ingest).
  std::string pragmas =
      "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA cache_size = -262144; "
      "PRAGMA mmap_size = 4294967296; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = "
      "16384;";
  if (!options.read_only) {
    pragmas += "PRAGMA journal_mode = WAL;";
    pragmas +=
        options.sync_every_commit ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
  }
  if (Status status = sqlite::Exec(db, pragmas); !status.ok()) return fail(status);
  if (!options.read_only) {
    if (Status status = Migrate(db); !status.ok()) return fail(status);
  } else {
    sqlite::Statement version(db, "PRAGMA user_version");
    if (!version.ok() || !version.Step() || version.Int(0) != SchemaVersion()) {
      return Status(StatusCode::kFailedPrecondition,
                    path +
                        ": the database is empty or from another version of ecoute; run "
                        "`ecoute ingest --db " +
                        path + "` first");
    }
  }
  if (Status status = store->Prepare(); !status.ok()) return fail(status);
  if (Status status = store->LoadBrands(); !status.ok()) return fail(status);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ecoute
