// The reply templates in SQLite: reply_templates (schema.cc, version 5).
#include "store/template_tables.h"

#include <string_view>
#include <utility>

#include "store/sqlite/sqlite.h"
#include "store/sqlite/tables_connection.h"

namespace ecoute {
namespace {

constexpr std::string_view kColumns =
    "SELECT id, name, brand, lang, topic, body, updated_by, updated_at FROM reply_templates ";

ReplyTemplate ReadTemplate(const sqlite::Statement& s) {
  ReplyTemplate t;
  t.id = s.Int(0);
  t.name = s.Text(1);
  t.brand = s.Text(2);
  t.lang = s.Text(3);
  t.topic = s.Text(4);
  t.body = s.Text(5);
  t.updated_by = s.Text(6);
  t.updated_at = s.Int(7);
  return t;
}

std::string NoTemplate(int64_t id) { return "no template " + std::to_string(id); }

class SqliteTemplateTables final : public TemplateTables {
 public:
  explicit SqliteTemplateTables(sqlite::Connection db) : db_(std::move(db)) {}

  Result<std::vector<ReplyTemplate>> ListTemplates() override {
    sqlite::Statement s(db(), std::string(kColumns) + "ORDER BY name COLLATE NOCASE, id");
    if (!s.ok()) return s.status();
    std::vector<ReplyTemplate> out;
    while (s.Step()) out.push_back(ReadTemplate(s));
    ECOUTE_RETURN_IF_ERROR(s.status());
    return out;
  }

  Result<ReplyTemplate> GetTemplate(int64_t id) override {
    sqlite::Statement s(db(), std::string(kColumns) + "WHERE id = ?1");
    if (!s.ok()) return s.status();
    s.Bind(1, id);
    if (s.Step()) return ReadTemplate(s);
    ECOUTE_RETURN_IF_ERROR(s.status());
    return NotFoundError(NoTemplate(id));
  }

  Result<ReplyTemplate> CreateTemplate(const ReplyTemplate& t) override {
    sqlite::Statement s(db(),
                        "INSERT INTO reply_templates(name, brand, lang, topic, body, updated_by, "
                        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!s.ok()) return s.status();
    Bind(s, t);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    return GetTemplate(sqlite3_last_insert_rowid(db()));
  }

  Result<ReplyTemplate> UpdateTemplate(const ReplyTemplate& t) override {
    sqlite::Statement s(db(),
                        "UPDATE reply_templates SET name = ?1, brand = ?2, lang = ?3, topic = ?4, "
                        "body = ?5, updated_by = ?6, updated_at = ?7 WHERE id = ?8");
    if (!s.ok()) return s.status();
    Bind(s, t);
    s.Bind(8, t.id);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return NotFoundError(NoTemplate(t.id));
    return GetTemplate(t.id);
  }

  Status DeleteTemplate(int64_t id) override {
    sqlite::Statement s(db(), "DELETE FROM reply_templates WHERE id = ?1");
    if (!s.ok()) return s.status();
    s.Bind(1, id);
    ECOUTE_RETURN_IF_ERROR(s.Run());
    if (db_.Changes() == 0) return NotFoundError(NoTemplate(id));
    return OkStatus();
  }

 private:
  sqlite3* db() const { return db_.get(); }

  static void Bind(sqlite::Statement& s, const ReplyTemplate& t) {
    s.Bind(1, t.name)
        .Bind(2, t.brand)
        .Bind(3, t.lang)
        .Bind(4, t.topic)
        .Bind(5, t.body)
        .Bind(6, t.updated_by)
        .Bind(7, t.updated_at);
  }

  sqlite::Connection db_;
};

}  // namespace

Result<std::unique_ptr<TemplateTables>> OpenTemplateTables(const std::string& db_path) {
  ECOUTE_ASSIGN_OR_RETURN(sqlite::Connection db, sqlite::OpenTablesConnection(db_path, ""));
  return std::unique_ptr<TemplateTables>(std::make_unique<SqliteTemplateTables>(std::move(db)));
}

}  // namespace ecoute
