// Access control for `ecoute serve`: users with a role and the brands they may see,
// passwords (Argon2id), browser sessions with a CSRF token, API tokens, and login
// throttling. docs/ACCESS.md describes the model; `ecoute users` administers it through
// UserAdmin (ecoute/users.h, where users and roles are declared).
//
// Secrets never rest in plaintext: passwords are stored as Argon2id hashes, session ids and
// API tokens as SHA-256 digests. The plaintext of a session or token exists only in the
// NewSession or NewToken that creates it. Nothing here logs.
//
// State lives in the store's database, in tables of its own reached through AccessTables
// (store/access_tables.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecoute/status.h"
#include "ecoute/users.h"

#include "store/access_tables.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

// The roles and users of the public ecoute/users.h, under the names the server uses.
using ecoute::GeneratePassword;
using ecoute::ParseRole;
using ecoute::Role;
using ecoute::RoleName;
using ecoute::User;

// Who is making a request, once authenticated.
struct Principal {
  int64_t user_id = 0;
  std::string name;
  Role role = Role::kViewer;
  bool all_brands = false;
  std::vector<std::string> brands;
  bool via_session = false;  // a browser session (cookie), as opposed to an API token
  std::string csrf_token;    // sessions only: what the X-CSRF-Token header must carry
  // When this authentication lapses if nothing else happens: a session's absolute end or
  // idle deadline, whichever is first; a token's expiry; 0 for a token that never expires.
  int64_t valid_until = 0;

  // True when the user sees every brand, or `brand` is one of theirs. Compares without
  // regard to case ("lunéa" matches "LUNÉA") or Unicode composition.
  bool CanSeeBrand(std::string_view brand) const;
  // True when the user's role is `role` or a more powerful one.
  bool AtLeast(Role role) const { return this->role >= role; }
};

// Whether two brand names are the same brand: without regard to case ("lunéa" is "LUNÉA")
// or Unicode composition.
bool SameBrand(std::string_view a, std::string_view b);

// True when `user` may be given a case of `brand`: enabled, agent or above, and seeing the
// brand (compared as Principal::CanSeeBrand does).
bool MayWorkOn(const User& user, std::string_view brand);

struct NewSession {
  std::string token;  // the cookie's value; shown once, stored only as its digest
  std::string csrf_token;
  int64_t expires_at = 0;  // the absolute end; the idle timeout may end it sooner
  Principal principal;
};

// An API token as listed, never its plaintext: id, user_id, label, prefix ("ecoute_" and
// the next 8 characters), created_at, expires_at, last_used_at (updated at most once a
// minute).
using TokenInfo = StoredToken;

struct NewToken {
  TokenInfo info;
  std::string token;  // the plaintext ("ecoute_..."), shown once
};

struct AccessOptions {
  int64_t session_seconds = int64_t{12} * 3600;      // a session ends this long after login
  int64_t idle_session_seconds = int64_t{2} * 3600;  // ... or after this long without a request
  // Login throttling, per user name and per remote address: after max_failures failures
  // within failure_window_seconds, every attempt is refused for lockout_seconds.
  int max_failures = 5;
  int64_t failure_window_seconds = int64_t{15} * 60;
  int64_t lockout_seconds = int64_t{15} * 60;
  size_t min_password_length = 12;  // in characters (code points)
  // How hard a password must be to guess, as zxcvbn estimates it in bits (log2 of the
  // guesses): 40 bits is about a trillion guesses, each an Argon2id hash.
  double min_password_bits = 40;
  // Argon2id at libsodium's minimum cost instead of its interactive one (64 MiB, about
  // 0.1 s per hash): for tests only.
  bool fast_hashing_for_tests = false;
};

// Users, sessions and tokens over the access tables. Thread-safe: every method may be
// called from any thread. The tables, which are not thread-safe, are called under mu_,
// never while a password is hashed; the cache and the login throttling live under
// cache_mu_. When both are held, mu_ is taken first.
// Authentication (AuthenticateSession, AuthenticateToken) is served from a memory cache
// most of the time; the cache lives 30 s and is emptied by every change made through this
// object, so a change made by another process (`ecoute users`) takes effect within 30 s.
class AccessControl {
  struct PrivateKey {
    explicit PrivateKey() = default;
  };

 public:
  // Opens the access tables of the store's database `db_path` (OpenAccessTables: created
  // with the rest of the schema if needed). Fails with kDataLoss on a file that holds other
  // tables but is not an ecoute database, kFailedPrecondition on a file written by a newer
  // ecoute, kNotFound/kPermissionDenied when it cannot be opened. `clock` must outlive the
  // object.
  static Result<std::unique_ptr<AccessControl>> Open(const std::string& db_path, const Clock& clock,
                                                     AccessOptions options = {});
  // The same over tables already open (another backend, a test's).
  static Result<std::unique_ptr<AccessControl>> Open(std::unique_ptr<AccessTables> tables,
                                                     const Clock& clock,
                                                     AccessOptions options = {});
  // For Open only (PrivateKey cannot be named outside).
  AccessControl(PrivateKey, std::unique_ptr<AccessTables> tables, const Clock& clock,
                AccessOptions options);
  ~AccessControl();
  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  // Adds a user (user.id and created_at are assigned; the name is lower-cased; admins get
  // all brands). Fails with kInvalidArgument on a bad name, brand, e-mail or a weak
  // password (the message says the minimum length), kAlreadyExists when the name is taken
  // (in any case).
  Result<User> AddUser(User user, std::string_view password);
  // Every user, by name.
  Result<std::vector<User>> ListUsers();
  // kNotFound when there is no such user.
  Result<User> GetUser(int64_t id);
  Result<User> GetUserByName(std::string_view name);
  // Changes the role, brands, display name, e-mail, notify webhook (a new URL gets a new
  // notify_secret) and disabled flag of user.id (the name
  // cannot change: kInvalidArgument unless it is empty or the same). Ends the user's
  // sessions when the role, brands or disabled flag change. kNotFound when there is no such
  // user; kFailedPrecondition when it would leave no enabled admin.
  Result<User> UpdateUser(const User& user);
  // Replaces the password (same rules as AddUser) and ends the user's sessions.
  Status SetPassword(int64_t user_id, std::string_view password);
  // Removes the user, their sessions and tokens. kNotFound; kFailedPrecondition when it is
  // the last enabled admin.
  Status DeleteUser(int64_t id);

  // Checks a password and opens a session. Wrong password and unknown user fail alike
  // (kUnauthenticated, same message, about the same time); a disabled user with the right
  // password gets kPermissionDenied. After max_failures failures for one name or one
  // remote address (may be empty) within the window, every attempt fails with
  // kResourceExhausted ("too many failed logins; retry in N s") until the lockout passes,
  // even with the right password. Takes one Argon2id verification (about 0.1 s).
  Result<NewSession> Login(std::string_view name, std::string_view password,
                           std::string_view remote_address);
  // Ends a session; OK whether or not it existed.
  Status Logout(std::string_view session_token);
  // The session's principal, sliding its idle timeout (unless `slide` is false: a live
  // stream re-checking the session it was opened with is no activity of the user's).
  // kUnauthenticated when the session is unknown, expired, idle too long, or its user is
  // disabled.
  Result<Principal> AuthenticateSession(std::string_view session_token, bool slide = true);
  // The token's principal. kUnauthenticated when the token is unknown, revoked, expired, or
  // its user is disabled.
  Result<Principal> AuthenticateToken(std::string_view bearer_token);
  // True when `header_value` is the session's CSRF token (constant-time comparison). Always
  // true for a principal authenticated by API token: no browser sends it by itself.
  bool CheckCsrf(const Principal& principal, std::string_view header_value) const;

  // A new API token for the user. kNotFound for no such user, kInvalidArgument for an
  // empty or long label or an expiry in the past, kFailedPrecondition for a disabled user.
  Result<NewToken> CreateToken(int64_t user_id, std::string label,
                               std::optional<int64_t> expires_at);
  // The tokens of one user, or of all users (nullopt), by id; never their plaintext.
  Result<std::vector<TokenInfo>> ListTokens(std::optional<int64_t> user_id);
  // kNotFound when there is no such token.
  Status RevokeToken(int64_t token_id);
  Result<int64_t> CountUsers();

  // Called after every change that may end or narrow someone's access (logout, a token
  // revoked, a user changed, disabled, deleted or given a new password), once this
  // object's locks are released: the server re-checks its open streams there. Set once,
  // before use.
  void set_on_change(std::function<void()> on_change) { on_change_ = std::move(on_change); }

 private:
  // Login attempts for one name or address.
  struct Attempts {
    int failures = 0;  // within the window that started at window_start
    int64_t window_start = 0;
    int64_t locked_until = 0;
    int in_flight = 0;  // attempts still verifying their password
  };
  // An authenticated session or token, remembered for a short while.
  struct CachedPrincipal {
    Principal principal;
    int64_t cached_at = 0;
    int64_t expires_at = 0;    // absolute end of the session or token (0: none)
    int64_t last_seen_at = 0;  // sessions: the last request, for the idle timeout
    int64_t token_id = 0;
  };

  Result<std::string> HashPassword(std::string_view password) const;
  Status CheckPassword(std::string_view password, std::string_view name) const;
  Result<User> LoadUser(int64_t id) ECOUTE_REQUIRES(mu_);
  Result<User> LoadUserByName(std::string_view name) ECOUTE_REQUIRES(mu_);
  Status LoadBrands(User& user) ECOUTE_REQUIRES(mu_);
  void ForgetCache() ECOUTE_EXCLUDES(cache_mu_);
  // Throttling: Reserve refuses when the key is locked, else counts an attempt in flight
  // that Finish settles.
  Status ReserveAttempt(const std::string& key, int64_t now) ECOUTE_EXCLUDES(cache_mu_);
  void FinishAttempt(const std::string& key, bool failed, bool forget, int64_t now)
      ECOUTE_EXCLUDES(cache_mu_);

  const Clock& clock_;
  const AccessOptions options_;
  std::function<void()> on_change_;
  std::string dummy_hash_;  // verified for unknown users, so that they take as long

  Mutex mu_;  // one caller of the tables at a time
  std::unique_ptr<AccessTables> tables_ ECOUTE_GUARDED_BY(mu_);

  Mutex cache_mu_;
  uint64_t cache_generation_ ECOUTE_GUARDED_BY(cache_mu_) = 0;
  // By session digest.
  std::unordered_map<std::string, CachedPrincipal> sessions_ ECOUTE_GUARDED_BY(cache_mu_);
  // By token digest.
  std::unordered_map<std::string, CachedPrincipal> tokens_ ECOUTE_GUARDED_BY(cache_mu_);
  // By "n:name" or "a:address".
  std::unordered_map<std::string, Attempts> attempts_ ECOUTE_GUARDED_BY(cache_mu_);
  // attempts_ is swept of stale entries past this size.
  size_t attempts_sweep_at_ ECOUTE_GUARDED_BY(cache_mu_) = 1024;
};

}  // namespace ecoute::server
