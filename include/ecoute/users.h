// The accounts of `ecoute serve` (docs/ACCESS.md), as `ecoute users` administers them:
// users with a role and the brands they may see, their passwords, and their API tokens.
//
// Secrets never rest in plaintext: passwords are stored as Argon2id hashes and API tokens
// as SHA-256 digests. A token's plaintext exists only in the NewApiToken that creates it.
// Nothing here logs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

// What a user may do, ordered by power: each role can do what the ones below it can.
// viewer reads; agent also acts on cases; manager also edits rules and alerts; admin also
// manages users and sees every brand.
enum class Role : uint8_t { kViewer, kAgent, kManager, kAdmin };

// "viewer", "agent", "manager", "admin".
std::string_view RoleName(Role role);
// Parses a role name (as RoleName spells it, any case); false when it is none.
bool ParseRole(std::string_view name, Role& role);

struct User {
  int64_t id = 0;
  std::string name;  // the login: unique, stored lower-case, [a-z0-9._@-], 1 to 64 chars
  std::string display_name;
  std::string email;  // optional: where a case assigned to them is announced when they are away
  // Optional: an http(s) URL that gets a signed webhook (docs/ALERTS.md) for a case assigned
  // to them while they are away, signed with notify_secret (generated when the URL is set).
  std::string notify_webhook;
  std::string notify_secret;
  Role role = Role::kViewer;
  bool all_brands = false;          // always true for admins
  std::vector<std::string> brands;  // the brands seen when not all_brands (catalog names)
  bool disabled = false;
  int64_t created_at = 0;
};

// A strong random password: 20 characters of base64url (120 bits). Thread-safe.
std::string GeneratePassword();

// An API token as listed, never its plaintext. Times are seconds since the epoch.
struct ApiToken {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string label;
  std::string prefix;  // "ecoute_" and the next 8 characters, to recognize a token in a list
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;    // none: never expires
  std::optional<int64_t> last_used_at;  // updated at most once a minute
};

struct NewApiToken {
  ApiToken info;
  std::string token;  // the plaintext ("ecoute_..."), shown once
};

// The users and tokens of one database, the one `ecoute serve` runs on. Changes take
// effect in a server running on the same database within 30 s (its cache's life). Every
// method is thread-safe. Storage failures come with the store's codes (kUnavailable when
// another process holds the database too long, kDataLoss on a corrupt file...).
class UserAdmin {
 public:
  // Opens the access tables of the database at `db_path` (created with the rest of the
  // schema if needed). Fails with kDataLoss on a file that holds other tables but is not an
  // ecoute database, kFailedPrecondition on a file written by a newer ecoute,
  // kNotFound/kPermissionDenied when it cannot be opened.
  static Result<std::unique_ptr<UserAdmin>> Open(const std::string& db_path);
  virtual ~UserAdmin() = default;

  // Adds a user (user.id and created_at are assigned; the name is lower-cased; admins get
  // all brands). Fails with kInvalidArgument on a bad name, brand, e-mail or a weak
  // password (the message says the minimum length: 12 characters, about 40 bits as zxcvbn
  // estimates them), kAlreadyExists when the name is taken (in any case).
  virtual Result<User> AddUser(User user, std::string_view password) = 0;
  // Every user, by name.
  virtual Result<std::vector<User>> ListUsers() = 0;
  // kNotFound when there is no such user.
  virtual Result<User> GetUserByName(std::string_view name) = 0;
  // Replaces the password (same rules as AddUser) and ends the user's sessions. kNotFound
  // when there is no such user.
  virtual Status SetPassword(int64_t user_id, std::string_view password) = 0;
  // Removes the user, their sessions and tokens. kNotFound; kFailedPrecondition when it is
  // the last enabled admin.
  virtual Status DeleteUser(int64_t user_id) = 0;

  // A new API token for the user. kNotFound for no such user, kInvalidArgument for an
  // empty or long label or an expiry in the past, kFailedPrecondition for a disabled user.
  virtual Result<NewApiToken> CreateToken(int64_t user_id, std::string label,
                                          std::optional<int64_t> expires_at) = 0;
  // The tokens of one user, or of all users (nullopt), by id.
  virtual Result<std::vector<ApiToken>> ListTokens(std::optional<int64_t> user_id) = 0;
  // kNotFound when there is no such token.
  virtual Status RevokeToken(int64_t token_id) = 0;
};

}  // namespace ecoute
