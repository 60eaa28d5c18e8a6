// A thin RAII layer over the SQLite C API: a connection, prepared statements with typed
// binds and reads, and errors as Status naming the statement that failed. Every value
// reaches SQL through a bind: no query is ever built from data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <sqlite3.h>

#include "ecoute/status.h"

namespace ecoute::sqlite {

// A Status for the connection's last error: "<what>: <sqlite message>".
Status Error(sqlite3* db, std::string_view what);

// A connection, closed (sqlite3_close_v2) when it goes. Like the connection, not
// thread-safe: one user at a time.
class Connection {
 public:
  // Fail with kNotFound naming the file when it cannot be opened. Open creates it when
  // missing.
  static Result<Connection> OpenReadOnly(const std::string& path);
  static Result<Connection> Open(const std::string& path);
  Connection() = default;
  explicit Connection(sqlite3* db) : db_(db) {}  // takes `db` over
  ~Connection();
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  // The rowid of the last insert; the rows changed by the last write.
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int64_t Changes() const { return sqlite3_changes64(db_); }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);  // check ok() or status()
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  const Status& status() const { return status_; }
  bool ok() const { return stmt_ != nullptr; }

  // Binds by 1-based index. Text is copied by SQLite (SQLITE_TRANSIENT) unless `is_static`.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindNull(int index);
  // Binds the text, or NULL when empty.
  Statement& BindOrNull(int index, std::string_view text);
  Statement& BindOrNull(int index, std::optional<int64_t> value);

  // Steps once: true with a row, false when done; an error leaves status() set.
  bool Step();
  // Steps to completion (a write); returns the status.
  Status Run();
  // Resets for the next use (bindings cleared).
  void Reset();

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::optional<int64_t> OptionalInt(int column) const {
    if (IsNull(column)) return std::nullopt;
    return Int(column);
  }
  std::string_view Text(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

// Runs one or more statements without results (schema, pragmas).
Status Exec(sqlite3* db, std::string_view sql);

// A write transaction: BEGIN IMMEDIATE takes the database's write lock at once, so that a
// transaction never fails halfway for want of it. Rolled back when it goes out of scope
// without a successful Commit.
class Transaction {
 public:
  static Result<Transaction> Begin(sqlite3* db);
  ~Transaction();
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;

  Status Commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;  // null once committed or moved from
};

// Runs `body` (returning Status) in one write Transaction: committed when it succeeds,
// rolled back when it or the commit fails.
template <typename Body>
Status InTransaction(sqlite3* db, Body&& body) {
  Result<Transaction> transaction = Transaction::Begin(db);
  if (!transaction) return transaction.error();
  ECOUTE_RETURN_IF_ERROR(std::forward<Body>(body)());
  return transaction->Commit();
}

}  // namespace ecoute::sqlite
