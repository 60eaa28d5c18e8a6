// The tables of `ecoute serve` in the store's one migration chain: files written before they
// joined it (each group versioned apart in server_schema) upgrade in place, without loss;
// files from a newer ecoute are refused.
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "ecoute/store.h"

#include "store/access_tables.h"
#include "store/alert_tables.h"
#include "store/sqlite/fts5_tokenizer.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite.h"
#include "store/sqlite/testing.h"
#include "store/watch_tables.h"

namespace ecoute {
namespace {

// The server's tables as the components created them before version 4, each recorded at
// version 1 in server_schema, with a few rows.
constexpr std::string_view kServerTablesVersionedApart = R"sql(
CREATE TABLE server_schema(component TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE access_users(  id INTEGER PRIMARY KEY,  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL DEFAULT '',  email TEXT NOT NULL DEFAULT '',  role TEXT NOT NULL,
  all_brands INTEGER NOT NULL DEFAULT 0,  disabled INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT NOT NULL,  created_at INTEGER NOT NULL,  updated_at INTEGER NOT NULL);
CREATE TABLE access_user_brands(
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,  brand TEXT NOT NULL,  PRIMARY KEY (user_id, position));
CREATE TABLE access_sessions(  digest TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,  created_at INTEGER NOT NULL,  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX access_sessions_user ON access_sessions(user_id);
CREATE TABLE access_tokens(  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  digest TEXT NOT NULL UNIQUE,  label TEXT NOT NULL,  prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL,  expires_at INTEGER,  last_used_at INTEGER);
CREATE INDEX access_tokens_user ON access_tokens(user_id);
INSERT INTO server_schema VALUES ('access', 1);

CREATE TABLE alert_rules(  id INTEGER PRIMARY KEY, name TEXT NOT NULL, brands TEXT NOT NULL,
  stances TEXT NOT NULL, topics TEXT NOT NULL, min_priority INTEGER NOT NULL,
  on_case_opened INTEGER NOT NULL, on_escalation INTEGER NOT NULL,
  on_spike INTEGER NOT NULL, url TEXT NOT NULL, secret TEXT NOT NULL,
  enabled INTEGER NOT NULL, created_by INTEGER NOT NULL);
CREATE TABLE alert_deliveries(  id INTEGER PRIMARY KEY, rule_id INTEGER, url TEXT NOT NULL,
  secret TEXT NOT NULL,  dedupe_key TEXT NOT NULL UNIQUE, event_kind TEXT NOT NULL,
  case_id INTEGER NOT NULL, brand TEXT NOT NULL, body TEXT NOT NULL,
  event_at INTEGER NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER, last_error TEXT NOT NULL);
CREATE INDEX alert_deliveries_due ON alert_deliveries(state, next_attempt_at);
INSERT INTO server_schema VALUES ('alerts', 1);

CREATE TABLE watched_sources (  id INTEGER PRIMARY KEY,  url TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,  label TEXT NOT NULL DEFAULT '',  interval_seconds INTEGER NOT NULL,
  enabled INTEGER NOT NULL,  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',  next_poll_at INTEGER NOT NULL,
  last_polled_at INTEGER,  last_success_at INTEGER,  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',  posts_seen INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE INDEX watched_sources_due ON watched_sources (next_poll_at) WHERE enabled = 1;
INSERT INTO server_schema VALUES ('watcher', 1);

INSERT INTO access_users VALUES
  (1, 'marie', 'Marie', 'marie@example.com', 'agent', 0, 0, '$argon2id$hash', 100, 100);
INSERT INTO access_user_brands VALUES (1, 0, 'Fnac'), (1, 1, 'Darty');
INSERT INTO access_sessions VALUES ('session-digest', 1, 'csrf', 100, 50000, 200);
INSERT INTO access_tokens VALUES (3, 1, 'token-digest', 'ci', 'ecoute_abcdefgh', 100, NULL, 150);
INSERT INTO alert_rules VALUES (4, 'support', 'Fnac', 'complaint', 'delivery', 20, 1, 0, 0,
  'https://hooks.example.com/a', 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0', 1, 1);
INSERT INTO alert_deliveries VALUES (12, 4, 'https://hooks.example.com/a', 'whsec_x', 'key-1',
  'case.opened', 9, 'Fnac', '{}', 100, 2, 8, 100, 4000, NULL, 'HTTP 500');
INSERT INTO watched_sources VALUES (5, 'https://shop.example.com/feed.xml', 'feed', 'Shop', 600,
  1, '"v1"', '', 700, 100, 100, 0, '', 3, 50);
)sql";

class TablesMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_tables_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ecoute.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A file as an earlier ecoute left it: the store's schema at `store_version` (0: the
  // store never opened it), then the server's tables versioned apart.
  void WriteEarlierFile(int store_version, std::string_view server_tables) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    sqlite::Connection db(raw);
    ASSERT_TRUE(RegisterFts5Tokenizer(db.get()).ok());
    ASSERT_TRUE(MigrateTo(db.get(), store_version).ok());
    ASSERT_TRUE(
        sqlite::Exec(db.get(), "PRAGMA application_id = " + std::to_string(kApplicationId)).ok());
    ASSERT_TRUE(sqlite::Exec(db.get(), server_tables).ok());
  }

  std::string Version() {
    Result<std::vector<std::string>> version = QuerySqlForTest(path_, "PRAGMA user_version");
    return version && version->size() == 1 ? version->front() : "?";
  }

  bool HasServerSchema() {
    Result<std::vector<std::string>> tables =
        QuerySqlForTest(path_, "SELECT name FROM sqlite_schema WHERE name = 'server_schema'");
    return !tables || !tables->empty();
  }

  void ExpectRowsKept() {
    Result<std::unique_ptr<AccessTables>> access = OpenAccessTables(path_);
    ASSERT_TRUE(access) << access.error().ToString();
    Result<StoredUser> marie = (*access)->FindUserByName("marie");
    ASSERT_TRUE(marie) << marie.error().ToString();
    EXPECT_EQ(marie->role, "agent");
    EXPECT_EQ(marie->brands, (std::vector<std::string>{"Fnac", "Darty"}));
    EXPECT_EQ((*access)->FindLogin("marie")->password_hash, "$argon2id$hash");
    Result<FoundSession> session = (*access)->FindSession("session-digest");
    ASSERT_TRUE(session) << session.error().ToString();
    EXPECT_EQ(session->session.csrf_token, "csrf");
    EXPECT_EQ(session->user.name, "marie");
    Result<FoundToken> token = (*access)->FindToken("token-digest");
    ASSERT_TRUE(token) << token.error().ToString();
    EXPECT_EQ(token->token.prefix, "ecoute_abcdefgh");
    EXPECT_EQ(token->token.last_used_at, 150);

    Result<std::unique_ptr<AlertTables>> alerts = OpenAlertTables(path_);
    ASSERT_TRUE(alerts) << alerts.error().ToString();
    Result<AlertRule> rule = (*alerts)->FindRule(4);
    ASSERT_TRUE(rule) << rule.error().ToString();
    EXPECT_EQ(rule->brands, std::vector<std::string>{"Fnac"});
    EXPECT_EQ(rule->stances, std::vector<Stance>{Stance::kComplaint});
    EXPECT_EQ(rule->min_priority, 20);
    Result<Delivery> delivery = (*alerts)->FindDelivery(12);
    ASSERT_TRUE(delivery) << delivery.error().ToString();
    EXPECT_EQ(delivery->state, DeliveryState::kDead);
    EXPECT_EQ(delivery->last_error, "HTTP 500");

    Result<std::unique_ptr<WatchTables>> watch = OpenWatchTables(path_);
    ASSERT_TRUE(watch) << watch.error().ToString();
    Result<WatchedSource> source = (*watch)->FindSource(5);
    ASSERT_TRUE(source) << source.error().ToString();
    EXPECT_EQ(source->etag, "\"v1\"");
    EXPECT_EQ(source->posts_seen, 3);
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(TablesMigrationTest, ServerTablesVersionedApartJoinTheChainWithTheirRows) {
  WriteEarlierFile(3, kServerTablesVersionedApart);
  ExpectRowsKept();
  EXPECT_EQ(Version(), std::to_string(SchemaVersion()));
  EXPECT_FALSE(HasServerSchema());
  // The store opens the upgraded file as its own.
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
  ASSERT_TRUE(store) << store.error().ToString();
  EXPECT_TRUE((*store)->Stats().has_value());
}

TEST_F(TablesMigrationTest, ServerTablesWrittenBeforeTheStoreGetTheStoresTablesToo) {
  WriteEarlierFile(0, kServerTablesVersionedApart);
  ExpectRowsKept();
  EXPECT_EQ(Version(), std::to_string(SchemaVersion()));
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
  ASSERT_TRUE(store) << store.error().ToString();
}

TEST_F(TablesMigrationTest, AFreshFileGetsEveryTable) {
  Result<std::unique_ptr<WatchTables>> watch = OpenWatchTables(path_);
  ASSERT_TRUE(watch) << watch.error().ToString();
  EXPECT_EQ(Version(), std::to_string(SchemaVersion()));
  Result<std::vector<std::string>> tables = QuerySqlForTest(
      path_,
      "SELECT name FROM sqlite_schema WHERE name IN ('posts', 'access_users', 'alert_rules', "
      "'watched_sources') ORDER BY name");
  ASSERT_TRUE(tables) << tables.error().ToString();
  EXPECT_EQ(*tables,
            (std::vector<std::string>{"access_users", "alert_rules", "posts", "watched_sources"}));
}

TEST_F(TablesMigrationTest, AFileFromANewerVersionIsRefused) {
  ASSERT_TRUE(OpenSqliteStore(path_).has_value());
  ASSERT_TRUE(SetSchemaVersionForTest(path_, SchemaVersion() + 1).ok());
  EXPECT_EQ(OpenAccessTables(path_).error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(OpenAlertTables(path_).error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(OpenWatchTables(path_).error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(OpenSqliteStore(path_).error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Version(), std::to_string(SchemaVersion() + 1));
}

TEST_F(TablesMigrationTest, ServerTablesVersionedApartByANewerVersionAreRefused) {
  WriteEarlierFile(3, kServerTablesVersionedApart);
  ASSERT_TRUE(ExecSqlForTest(path_,
                             "UPDATE server_schema SET version = 2 "
                             "WHERE component = 'alerts'")
                  .ok());
  Result<std::unique_ptr<AccessTables>> access = OpenAccessTables(path_);
  ASSERT_FALSE(access);
  EXPECT_EQ(access.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(access.error().message().find("the alerts tables have version 2"), std::string::npos)
      << access.error().message();
  // Nothing changed: the migration was rolled back.
  EXPECT_EQ(Version(), "3");
  EXPECT_TRUE(HasServerSchema());
}

TEST_F(TablesMigrationTest, AnotherProgramsFileIsRefusedUntouched) {
  ASSERT_TRUE(ExecSqlForTest(path_, "CREATE TABLE invoices(id INTEGER)").ok());
  EXPECT_EQ(OpenAccessTables(path_).error().code(), StatusCode::kDataLoss);
  EXPECT_EQ(Version(), "0");
  EXPECT_EQ(*QuerySqlForTest(path_, "SELECT count(*) FROM sqlite_schema"),
            std::vector<std::string>{"1"});
}

}  // namespace
}  // namespace ecoute
