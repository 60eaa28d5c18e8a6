// The search-feed templates in SQLite: feed_templates (schema.cc, version 10).
#include "store/feed_template_tables.h"

#include <set>
#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

class SqliteFeedTemplateTables final : public FeedTemplateTables {
 public:
  explicit SqliteFeedTemplateTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<std::vector<FeedTemplate>> ListFeedTemplates() override {
    std::vector<FeedTemplate> out;
    sqlite::Statement s(db(),
                        "SELECT id, name, url_template, format, enabled, created_at "
                        "FROM feed_templates ORDER BY id");
    if (!s.ok()) return s.status();
    while (s.Step()) {
      FeedTemplate t;
      t.id = s.Int(0);
      t.name = s.Text(1);
      t.url_template = s.Text(2);
      t.format = s.Text(3);
      t.enabled = s.Int(4) != 0;
      t.created_at = s.Int(5);
      out.push_back(std::move(t));
    }
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }

  Result<std::vector<FeedTemplate>> ReplaceFeedTemplates(const std::vector<FeedTemplate>& templates,
                                                         int64_t now) override {
    ECOUTE_RETURN_IF_ERROR(sqlite::InTransaction(db(), [&]() -> Status {
      ECOUTE_ASSIGN_OR_RETURN(const std::vector<FeedTemplate> stored, ListFeedTemplates());
      std::set<int64_t> kept;
      for (const FeedTemplate& t : templates) {
        if (t.id != 0) kept.insert(t.id);
      }
      for (int64_t id : kept) {
        bool found = false;
        for (const FeedTemplate& t : stored) found = found || t.id == id;
        if (!found) return NotFoundError("no feed template " + std::to_string(id));
      }
      for (const FeedTemplate& t : stored) {
        if (kept.count(t.id) != 0) continue;
        sqlite::Statement drop(db(), "DELETE FROM feed_templates WHERE id = ?1");
        if (!drop.ok()) return drop.status();
        drop.Bind(1, t.id);
        ECOUTE_RETURN_IF_ERROR(drop.Run());
      }
      for (const FeedTemplate& t : templates) ECOUTE_RETURN_IF_ERROR(Write(t, now));
      return OkStatus();
    }));
    return ListFeedTemplates();
  }

 private:
  sqlite3* db() const { return db_.get(); }

  Status Write(const FeedTemplate& t, int64_t now) {
    sqlite::Statement s(db(), t.id == 0 ? "INSERT INTO feed_templates(name, url_template, format, "
                                          "enabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                                        : "UPDATE feed_templates SET name = ?1, url_template = ?2, "
                                          "format = ?3, enabled = ?4 WHERE id = ?5");
    if (!s.ok()) return s.status();
    s.Bind(1, t.name).Bind(2, t.url_template).Bind(3, t.format).Bind(4, int64_t{t.enabled});
    s.Bind(5, t.id == 0 ? now : t.id);
    return s.Run();
  }

  sqlite::Connection db_;
};

}  // namespace

Result<std::unique_ptr<FeedTemplateTables>> OpenFeedTemplateTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, sqlite::OpenTablesConnection(db_path, ""));
  return std::unique_ptr<FeedTemplateTables>(
      std::make_unique<SqliteFeedTemplateTables>(std::move(db)));
}

}  // namespace ecoute
