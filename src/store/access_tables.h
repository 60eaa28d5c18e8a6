// The tables of access control (access/access.h): users and the brands they may see,
// browser sessions, API tokens. What the rows mean (roles, expiry, throttling, hashing) is
// access control's business; these calls only keep them, each write atomic.
//
// Secrets never reach these tables in plaintext: callers give password hashes and the
// digests of session ids and tokens.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

// A user as stored. The role is kept as its name ("viewer", "agent", "manager", "admin"):
// access control interprets it, including a name it does not know.
struct StoredUser {
  int64_t id = 0;
  std::string name;  // lower case, unique
  std::string display_name;
  std::string email;
  std::string role;
  bool all_brands = false;
  bool disabled = false;
  int64_t created_at = 0;
  std::string notify_webhook;  // where to notify them when away: an http(s) URL, or empty
  std::string notify_secret;   // the key their notify webhook's deliveries are signed with
  // The brands seen when not all_brands, in the user's order. Loaded by the calls that say
  // so; written by AddUser and UpdateUser.
  std::vector<std::string> brands;
};

// An API token as listed: never its plaintext nor its digest.
struct StoredToken {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string label;
  std::string prefix;  // "ecoute_" and the next 8 characters, to recognize a token in a list
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> last_used_at;  // updated at most once a minute
};

// A browser session, known by the digest of its id.
struct StoredSession {
  std::string digest;
  int64_t user_id = 0;
  std::string csrf_token;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t last_seen_at = 0;
};

// What a login checks: the user (brands not loaded) and the hash of their password.
struct FoundLogin {
  StoredUser user;
  std::string password_hash;
};

// A session found by its digest, with its user (brands not loaded).
struct FoundSession {
  StoredSession session;
  StoredUser user;
};

// A token found by its digest, with its user (brands not loaded).
struct FoundToken {
  StoredToken token;
  StoredUser user;
};

// Not thread-safe: one caller at a time (AccessControl holds its mutex around every call).
// Each call that writes more than one row does so in one transaction, all or nothing.
// Lookups that find nothing fail with kNotFound; storage failures with the codes of
// status.h (kUnavailable when another process holds the database too long, kDataLoss on
// a corrupt file...).
class AccessTables {
 public:
  virtual ~AccessTables() = default;

  // ---- users ----

  // Adds the user (id ignored) with their brands; returns the id. kAlreadyExists
  // ("user \"marie\" already exists") when the name is taken.
  virtual Result<int64_t> AddUser(const StoredUser& user, std::string_view password_hash) = 0;
  // Every user, by name, brands loaded.
  virtual Result<std::vector<StoredUser>> ListUsers() = 0;
  // Brands loaded. kNotFound: "no user with id 7".
  virtual Result<StoredUser> FindUser(int64_t id) = 0;
  // By the exact (lower-case) name, brands loaded. kNotFound: "no user named \"marie\"".
  virtual Result<StoredUser> FindUserByName(std::string_view name) = 0;
  // By the exact (lower-case) name, with the password hash. kNotFound as FindUserByName.
  virtual Result<FoundLogin> FindLogin(std::string_view name) = 0;
  // The user's brands, in order (none for an unknown id).
  virtual Result<std::vector<std::string>> UserBrands(int64_t user_id) = 0;
  virtual Result<int64_t> CountUsers() = 0;
  // Users with the role "admin" and not disabled.
  virtual Result<int64_t> CountEnabledAdmins() = 0;
  // Writes the display name, e-mail, notify webhook and its secret, role, all_brands,
  // disabled flag and brands of user.id
  // (its name and creation time stay), changed at `now`, and ends the user's sessions when
  // `end_sessions`.
  virtual Status UpdateUser(const StoredUser& user, int64_t now, bool end_sessions) = 0;
  // Replaces the password hash, changed at `now`, and ends the user's sessions. kNotFound:
  // "no user with id 7".
  virtual Status SetPasswordHash(int64_t user_id, std::string_view password_hash, int64_t now) = 0;
  // Removes the user, their brands, sessions and tokens (explicitly, whether or not another
  // connection enforces foreign keys). OK when there is no such user.
  virtual Status DeleteUser(int64_t id) = 0;

  // ---- sessions ----

  // Adds the session after sweeping the sessions that can no longer be used (expired at
  // session.created_at, or idle since before `idle_before`), and, when `rehashed_password`
  // is not empty, gives the session's user that new hash.
  virtual Status AddSession(const StoredSession& session, int64_t idle_before,
                            std::string_view rehashed_password) = 0;
  // kNotFound when no session has this digest.
  virtual Result<FoundSession> FindSession(std::string_view digest) = 0;
  virtual Status TouchSession(std::string_view digest, int64_t last_seen_at) = 0;
  // OK whether or not the session existed.
  virtual Status DeleteSession(std::string_view digest) = 0;

  // ---- API tokens ----

  // Adds the token (id and last_used_at ignored) under `digest`; returns its id.
  virtual Result<int64_t> AddToken(const StoredToken& token, std::string_view digest) = 0;
  // The tokens of one user, or of all users (nullopt), by id.
  virtual Result<std::vector<StoredToken>> ListTokens(std::optional<int64_t> user_id) = 0;
  // kNotFound when no token has this digest.
  virtual Result<FoundToken> FindToken(std::string_view digest) = 0;
  virtual Status TouchToken(int64_t token_id, int64_t last_used_at) = 0;
  // kNotFound: "no API token with id 3".
  virtual Status DeleteToken(int64_t token_id) = 0;
};

// Opens the access tables of the store's database at `db_path` (the SQLite file, created if
// missing), on a connection of their own, applying the schema's pending migrations
// (store/schema.h). Fails with kDataLoss on a file that holds other tables but is not an
// ecoute database, kFailedPrecondition on a file written by a newer ecoute,
// kNotFound/kPermissionDenied when it cannot be opened; messages start with the path.
Result<std::unique_ptr<AccessTables>> OpenAccessTables(const std::string& db_path);

}  // namespace ecoute
