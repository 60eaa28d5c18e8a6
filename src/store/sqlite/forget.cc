// Erasure and retention: forgetting an author, dropping posts older than a cutoff, each
// with an audit line that says what was removed, never whose (docs/STORE.md).
#include <initializer_list>

#include "store/sqlite/sqlite_store.h"
#include "util/datetime.h"

namespace ecoute::sqlite {

// A merged case has no posts of its own: it stays while the case it went into does.
Status SqliteStore::RemoveEmptyCasesAndAuthors() {
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(
      db_,
      "DELETE FROM cases WHERE NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.case_id = "
      "cases.id) AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.id = cases.merged_into)"));
  const int64_t cases = sqlite3_changes(db_);
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(
      db_,
      "DELETE FROM authors WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.author_id = "
      "authors.id) AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.customer_id = authors.id)"));
  (void)cases;
  author_ids_.clear();
  return OkStatus();
}

Result<ForgetSummary> SqliteStore::ForgetAuthor(const std::string& author, int64_t now) {
  ForgetSummary summary;
  auto run = [&]() -> Status {
    // Who: the exact handle (or key) or profile URL; else the handle without its "@";
    // else the display name, when exactly one author bears it (erasing two people because
    // they share a name would be wrong).
    std::vector<int64_t> ids;
    const std::string key = Lower(author);
    for (const auto& [sql, value] : std::initializer_list<std::pair<const char*, std::string>>{
             {"SELECT id FROM authors WHERE key = ?1 OR url = ?1", key},
             {"SELECT id FROM authors WHERE key = ?1", key.starts_with('@') ? "" : WithAt(key)},
             {"SELECT id FROM authors WHERE name = ?1 COLLATE NOCASE", author}}) {
      if (value.empty()) continue;
      sqlite::Statement find(db_, sql);
      if (!find.ok()) return find.status();
      find.Bind(1, value);
      while (find.Step()) ids.push_back(find.Int(0));
      if (!find.status().ok()) return find.status();
      if (!ids.empty()) break;
    }
    if (ids.empty()) {
      return NotFoundError("no author \"" + author +
                           "\" in the store (give a handle such as @name, a profile URL or a "
                           "display name)");
    }
    if (ids.size() > 1) {
      return Status(StatusCode::kFailedPrecondition,
                    std::to_string(ids.size()) + " authors are named \"" + author +
                        "\": give the handle (@name) or the profile URL of the one to forget");
    }
    const std::string list = Placeholders(ids.size());
    auto run_with_ids = [&](const std::string& sql, int64_t* changes) -> Status {
      sqlite::Statement statement(db_, sql);
      if (!statement.ok()) return statement.status();
      for (size_t i = 0; i < ids.size(); ++i) statement.Bind(static_cast<int>(i + 1), ids[i]);
      ECOUTE_RETURN_IF_ERROR(statement.Run());
      if (changes != nullptr) *changes = sqlite3_changes(db_);
      return OkStatus();
    };
    ECOUTE_RETURN_IF_ERROR(
        run_with_ids("DELETE FROM cases WHERE customer_id IN (" + list + ")", &summary.cases));
    ECOUTE_RETURN_IF_ERROR(
        run_with_ids("DELETE FROM posts WHERE author_id IN (" + list + ")", &summary.posts));
    ECOUTE_RETURN_IF_ERROR(
        run_with_ids("DELETE FROM authors WHERE id IN (" + list + ")", &summary.authors));
    ECOUTE_RETURN_IF_ERROR(RemoveEmptyCasesAndAuthors());
    sqlite::Statement audit(db_, "INSERT INTO audit(at, action, detail) VALUES (?1, ?2, ?3)");
    if (!audit.ok()) return audit.status();
    // The audit says that an erasure happened and what it removed, never whose.
    return audit.Bind(1, now)
        .Bind(2, "forget_author")
        .Bind(3, std::to_string(summary.posts) + " posts, " + std::to_string(summary.cases) +
                     " cases, " + std::to_string(summary.authors) + " author records removed")
        .Run();
  };
  ECOUTE_RETURN_IF_ERROR(InTransaction(run));
  // Deleted rows are overwritten (secure_delete); rewriting the full-text index drops the
  // deleted entries from its segments too, and the checkpoint empties the WAL.
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db_, "INSERT INTO posts_fts(posts_fts) VALUES ('optimize')"));
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)"));
  return summary;
}

Result<int64_t> SqliteStore::ForgetOlderThan(int64_t cutoff, int64_t now) {
  int64_t removed = 0;
  auto run = [&]() -> Status {
    sqlite::Statement remove(db_, "DELETE FROM posts WHERE at < ?1");
    if (!remove.ok()) return remove.status();
    ECOUTE_RETURN_IF_ERROR(remove.Bind(1, cutoff).Run());
    removed = sqlite3_changes(db_);
    ECOUTE_RETURN_IF_ERROR(RemoveEmptyCasesAndAuthors());
    sqlite::Statement audit(db_, "INSERT INTO audit(at, action, detail) VALUES (?1, ?2, ?3)");
    if (!audit.ok()) return audit.status();
    return audit.Bind(1, now)
        .Bind(2, "retention")
        .Bind(3,
              std::to_string(removed) + " posts older than " + FormatRfc3339(cutoff) + " removed")
        .Run();
  };
  ECOUTE_RETURN_IF_ERROR(InTransaction(run));
  return removed;
}

}  // namespace ecoute::sqlite
