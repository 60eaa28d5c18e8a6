// Users, passwords, sessions, API tokens and login throttling (docs/ACCESS.md).
#include "access/access.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <utility>

#include <sodium.h>
#include <utf8proc.h>
#include <zxcvbn.h>

#include "util/utf8.h"

namespace ecoute::server {
namespace {

constexpr std::string_view kTokenPrefix = "ecoute_";
constexpr size_t kSecretBytes = 32;  // 256 bits: guessing is out of the question
constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxPasswordBytes = 1024;  // Argon2 takes any length; a bound stops abuse
constexpr size_t kMaxSecretLength = 256;    // longer than any token we issue
constexpr size_t kMaxTextLength = 200;      // display names, labels, brands
constexpr size_t kMaxEmailLength = 254;
constexpr size_t kMaxWebhookLength = 2000;
// Authentication results are reused this long: revocation by another process (the CLI)
// takes effect within it; changes made through the object take effect at once.
constexpr int64_t kCacheSeconds = 30;
constexpr size_t kMaxCachedPrincipals = 100000;
constexpr int64_t kLastUsedResolution = 60;
constexpr std::string_view kWrongCredentials = "wrong user name or password";
constexpr std::string_view kBadSession = "no such session, or it has expired; log in again";
constexpr std::string_view kBadToken = "unknown, revoked or expired API token";

Status UnauthenticatedError(std::string_view message) {
  return Status(StatusCode::kUnauthenticated, std::string(message));
}
Status FailedPreconditionError(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Case-folded and composed (NFC), so that "LUNÉA", "lunéa" and "lune\u0301a" compare equal.
std::string Fold(std::string_view s) {
  if (IsAscii(s)) return LowerAscii(s);
  utf8proc_uint8_t* folded = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (n < 0) return LowerAscii(s);  // not UTF-8: bytes as they are
  std::string out(reinterpret_cast<const char*>(folded), static_cast<size_t>(n));
  std::free(folded);
  return out;
}

size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string RandomBase64(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw.data(), raw.size());
  out.resize(out.find('\0'));
  return out;
}

// The form in which a session id or token is stored and looked up: a leaked database
// gives nothing that authenticates.
std::string Digest(std::string_view secret) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string(hex, sizeof hex - 1);  // without the NUL
}

Status ValidateName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("a user name is required");
  if (name.size() > kMaxNameLength) {
    return InvalidArgumentError("user name is longer than " + std::to_string(kMaxNameLength) +
                                " characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '@' || c == '-';
    if (!ok) {
      return InvalidArgumentError("user name \"" + std::string(name) +
                                  "\" may hold only letters a-z, digits and . _ @ -");
    }
  }
  return OkStatus();
}

Status ValidateText(std::string_view what, std::string_view text) {
  if (text.size() > kMaxTextLength) {
    return InvalidArgumentError(std::string(what) + " is longer than " +
                                std::to_string(kMaxTextLength) + " bytes");
  }
  if (!IsValidUtf8(text) || HasControlChars(text)) {
    return InvalidArgumentError(std::string(what) + " is not printable UTF-8 text");
  }
  return OkStatus();
}

// A notify webhook: empty, or an http(s) URL with a host and no credentials. The outbound
// policy (private addresses) is the alert engine's to apply, on each attempt.
Status ValidateNotifyWebhook(std::string_view url) {
  if (url.empty()) return OkStatus();
  const std::string_view rest = url.starts_with("https://")  ? url.substr(8)
                                : url.starts_with("http://") ? url.substr(7)
                                                             : std::string_view();
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (url.size() > kMaxWebhookLength || authority.empty() ||
      authority.find('@') != std::string_view::npos ||
      url.find_first_of(" \t\"<>\\") != std::string_view::npos || HasControlChars(url) ||
      !IsValidUtf8(url)) {
    return InvalidArgumentError("notify_webhook \"" + std::string(url.substr(0, 80)) +
                                "\" is not an http(s) URL with a host");
  }
  return OkStatus();
}

// The key a notify webhook's deliveries are signed with: "whsec_" and 32 random bytes in
// base64, as the alert rules' (Standard Webhooks).
std::string GenerateNotifySecret() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  std::string out(sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero(raw, sizeof raw);
  out.resize(out.find('\0'));
  return "whsec_" + out;
}

// Checks and tidies the fields every write of a user shares: brands trimmed and without
// duplicates, admins with every brand.
Status NormalizeProfile(User& user) {
  ECOUTE_RETURN_IF_ERROR(ValidateText("display name", user.display_name));
  if (!user.email.empty()) {
    const size_t at = user.email.find('@');
    if (user.email.size() > kMaxEmailLength || at == 0 || at == std::string::npos ||
        at + 1 == user.email.size() || user.email.find_first_of(" \t,;<>") != std::string::npos ||
        HasControlChars(user.email) || !IsValidUtf8(user.email)) {
      return InvalidArgumentError("\"" + user.email + "\" is not an e-mail address");
    }
  }
  ECOUTE_RETURN_IF_ERROR(ValidateNotifyWebhook(user.notify_webhook));
  if (user.role == Role::kAdmin) user.all_brands = true;
  std::vector<std::string> brands;
  if (!user.all_brands) {
    for (const std::string& raw : user.brands) {
      const std::string_view brand = TrimSpaces(raw);
      if (brand.empty()) return InvalidArgumentError("a brand name is empty");
      ECOUTE_RETURN_IF_ERROR(ValidateText("brand name", brand));
      const bool seen = std::any_of(brands.begin(), brands.end(),
                                    [&](const std::string& b) { return SameBrand(b, brand); });
      if (!seen) brands.emplace_back(brand);
    }
  }
  user.brands = std::move(brands);
  return OkStatus();
}

Principal PrincipalFor(const User& user) {
  Principal p;
  p.user_id = user.id;
  p.name = user.name;
  p.role = user.role;
  p.all_brands = user.all_brands || user.role == Role::kAdmin;
  p.brands = user.brands;
  return p;
}

User ToUser(StoredUser stored) {
  User user;
  user.id = stored.id;
  user.name = std::move(stored.name);
  user.display_name = std::move(stored.display_name);
  user.email = std::move(stored.email);
  user.notify_webhook = std::move(stored.notify_webhook);
  user.notify_secret = std::move(stored.notify_secret);
  // An unknown role (a file from a newer ecoute) grants the least.
  if (!ParseRole(stored.role, user.role)) user.role = Role::kViewer;
  user.all_brands = stored.all_brands;
  user.brands = std::move(stored.brands);
  user.disabled = stored.disabled;
  user.created_at = stored.created_at;
  return user;
}

StoredUser ToStored(const User& user) {
  StoredUser stored;
  stored.id = user.id;
  stored.name = user.name;
  stored.display_name = user.display_name;
  stored.email = user.email;
  stored.notify_webhook = user.notify_webhook;
  stored.notify_secret = user.notify_secret;
  stored.role = std::string(RoleName(user.role));
  stored.all_brands = user.all_brands;
  stored.disabled = user.disabled;
  stored.created_at = user.created_at;
  stored.brands = user.brands;
  return stored;
}

}  // namespace
}  // namespace ecoute::server

// What the public ecoute/users.h declares beside UserAdmin.
namespace ecoute {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kAgent:
      return "agent";
    case Role::kManager:
      return "manager";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

bool ParseRole(std::string_view name, Role& role) {
  const std::string lower = server::LowerAscii(name);
  for (Role r : {Role::kViewer, Role::kAgent, Role::kManager, Role::kAdmin}) {
    if (lower == RoleName(r)) {
      role = r;
      return true;
    }
  }
  return false;
}

std::string GeneratePassword() {
  // sodium_init is idempotent and thread-safe; the CLI may call this before any Open.
  if (sodium_init() < 0) std::abort();  // no entropy source: nothing secure can follow
  return server::RandomBase64(15);
}

}  // namespace ecoute

namespace ecoute::server {

bool SameBrand(std::string_view a, std::string_view b) {
  if (IsAscii(a) && IsAscii(b)) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
           });
  }
  return Fold(a) == Fold(b);
}

bool MayWorkOn(const User& user, std::string_view brand) {
  if (user.disabled || user.role < Role::kAgent) return false;
  if (user.all_brands || user.role == Role::kAdmin) return true;
  return std::any_of(user.brands.begin(), user.brands.end(),
                     [&](const std::string& b) { return SameBrand(b, brand); });
}

bool Principal::CanSeeBrand(std::string_view brand) const {
  if (all_brands) return true;
  return std::any_of(brands.begin(), brands.end(),
                     [&](const std::string& b) { return SameBrand(b, brand); });
}

AccessControl::AccessControl(PrivateKey, std::unique_ptr<AccessTables> tables, const Clock& clock,
                             AccessOptions options)
    : clock_(clock), options_(options), tables_(std::move(tables)) {}

AccessControl::~AccessControl() = default;

Result<std::unique_ptr<AccessControl>> AccessControl::Open(const std::string& db_path,
                                                           const Clock& clock,
                                                           AccessOptions options) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<AccessTables> tables, OpenAccessTables(db_path));
  return Open(std::move(tables), clock, options);
}

Result<std::unique_ptr<AccessControl>> AccessControl::Open(std::unique_ptr<AccessTables> tables,
                                                           const Clock& clock,
                                                           AccessOptions options) {
  if (sodium_init() < 0) return InternalError("libsodium cannot initialize (no entropy source)");
  auto access = std::make_unique<AccessControl>(PrivateKey{}, std::move(tables), clock, options);
  Result<std::string> dummy = access->HashPassword(GeneratePassword());
  if (!dummy) return dummy.error();
  access->dummy_hash_ = std::move(dummy).value();
  return access;
}

Result<std::string> AccessControl::HashPassword(std::string_view password) const {
  const unsigned long long ops = options_.fast_hashing_for_tests
                                     ? crypto_pwhash_OPSLIMIT_MIN
                                     : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const size_t mem = options_.fast_hashing_for_tests ? crypto_pwhash_MEMLIMIT_MIN
                                                     : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhaustedError("not enough memory to hash a password");
  }
  return std::string(hash);
}

Status AccessControl::CheckPassword(std::string_view password, std::string_view name) const {
  if (CodePoints(password) < options_.min_password_length) {
    return InvalidArgumentError("the password is too short: it needs at least " +
                                std::to_string(options_.min_password_length) + " characters");
  }
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgumentError("the password is longer than " + std::to_string(kMaxPasswordBytes) +
                                " bytes");
  }
  if (LowerAscii(password) == LowerAscii(name)) {
    return InvalidArgumentError("the password must not be the user name");
  }
  if (password.find('\0') != std::string_view::npos) {
    return InvalidArgumentError("the password must not contain a NUL character");
  }
  // Length alone lets "password1234" and twelve spaces through. zxcvbn knows the common
  // passwords, English words, names, keyboard runs, repeats, sequences and dates; the user
  // name and a few words French users favour are added to its dictionary.
  const std::string user_name(name);
  const char* const own_words[] = {user_name.c_str(), "ecoute",   "motdepasse", "azerty",
                                   "azertyuiop",      "soleil",   "bonjour",    "doudou",
                                   "loulou",          "chouchou", "jetaime",    "marseille",
                                   "coucou",          "chocolat", "admin",      nullptr};
  const std::string text(password);
  const double bits = ZxcvbnMatch(text.c_str(), const_cast<const char**>(own_words), nullptr);
  if (bits < options_.min_password_bits) {
    return InvalidArgumentError(
        "the password is too easy to guess (a common password, a word with digits, a keyboard "
        "run, a repeat or a date): use several unrelated words, or let `ecoute users add` "
        "generate one");
  }
  return OkStatus();
}

Status AccessControl::LoadBrands(User& user) {
  user.brands.clear();
  if (user.all_brands) return OkStatus();
  ECOUTE_ASSIGN_OR_RETURN(user.brands, tables_->UserBrands(user.id));
  return OkStatus();
}

Result<User> AccessControl::LoadUser(int64_t id) {
  ECOUTE_ASSIGN_OR_RETURN(StoredUser stored, tables_->FindUser(id));
  return ToUser(std::move(stored));
}

Result<User> AccessControl::LoadUserByName(std::string_view name) {
  Result<StoredUser> stored = tables_->FindUserByName(LowerAscii(name));
  if (!stored) {
    if (stored.error().code() == StatusCode::kNotFound) {
      return NotFoundError("no user named \"" + std::string(name) + "\"");
    }
    return stored.error();
  }
  return ToUser(std::move(stored).value());
}

void AccessControl::ForgetCache() {
  {
    MutexLock lock(cache_mu_);
    sessions_.clear();
    tokens_.clear();
    ++cache_generation_;
  }
  if (on_change_) on_change_();
}

// ---- users ----

Result<User> AccessControl::AddUser(User user, std::string_view password) {
  user.name = LowerAscii(TrimSpaces(user.name));
  ECOUTE_RETURN_IF_ERROR(ValidateName(user.name));
  ECOUTE_RETURN_IF_ERROR(NormalizeProfile(user));
  ECOUTE_RETURN_IF_ERROR(CheckPassword(password, user.name));
  // Hashing takes a tenth of a second by design: not under the lock.
  ECOUTE_ASSIGN_OR_RETURN(const std::string hash, HashPassword(password));
  user.created_at = clock_.Now();
  user.notify_secret = user.notify_webhook.empty() ? std::string() : GenerateNotifySecret();
  MutexLock lock(mu_);
  ECOUTE_ASSIGN_OR_RETURN(user.id, tables_->AddUser(ToStored(user), hash));
  return user;
}

Result<std::vector<User>> AccessControl::ListUsers() {
  MutexLock lock(mu_);
  ECOUTE_ASSIGN_OR_RETURN(std::vector<StoredUser> stored, tables_->ListUsers());
  std::vector<User> users;
  users.reserve(stored.size());
  for (StoredUser& user : stored) users.push_back(ToUser(std::move(user)));
  return users;
}

Result<User> AccessControl::GetUser(int64_t id) {
  MutexLock lock(mu_);
  return LoadUser(id);
}

Result<User> AccessControl::GetUserByName(std::string_view name) {
  MutexLock lock(mu_);
  return LoadUserByName(name);
}

Result<User> AccessControl::UpdateUser(const User& user) {
  User updated = user;
  ECOUTE_RETURN_IF_ERROR(NormalizeProfile(updated));
  {
    MutexLock lock(mu_);
    ECOUTE_ASSIGN_OR_RETURN(const User old, LoadUser(user.id));
    if (!user.name.empty() && LowerAscii(user.name) != old.name) {
      return InvalidArgumentError("a user's name cannot change (\"" + old.name + "\")");
    }
    updated.name = old.name;
    updated.created_at = old.created_at;
    // A new webhook gets a new key: the old receiver's key must not sign for the new one.
    updated.notify_secret =
        updated.notify_webhook.empty() ? std::string()
        : updated.notify_webhook == old.notify_webhook && !old.notify_secret.empty()
            ? old.notify_secret
            : GenerateNotifySecret();
    const bool was_admin = old.role == Role::kAdmin && !old.disabled;
    const bool is_admin = updated.role == Role::kAdmin && !updated.disabled;
    if (was_admin && !is_admin) {
      ECOUTE_ASSIGN_OR_RETURN(const int64_t admins, tables_->CountEnabledAdmins());
      if (admins <= 1) {
        return FailedPreconditionError("\"" + old.name +
                                       "\" is the last enabled admin; make another admin first");
      }
    }
    const bool access_changed = old.role != updated.role || old.all_brands != updated.all_brands ||
                                old.brands != updated.brands || old.disabled != updated.disabled;
    ECOUTE_RETURN_IF_ERROR(tables_->UpdateUser(ToStored(updated), clock_.Now(), access_changed));
  }
  // Even a new display name is fine to refetch; cheaper to reason about than exceptions.
  ForgetCache();
  return updated;
}

Status AccessControl::SetPassword(int64_t user_id, std::string_view password) {
  std::string name;
  {
    MutexLock lock(mu_);
    ECOUTE_ASSIGN_OR_RETURN(const User user, LoadUser(user_id));
    name = user.name;
  }
  ECOUTE_RETURN_IF_ERROR(CheckPassword(password, name));
  ECOUTE_ASSIGN_OR_RETURN(const std::string hash, HashPassword(password));
  {
    MutexLock lock(mu_);
    // Whoever knew the old password may hold a session: it ends with it.
    ECOUTE_RETURN_IF_ERROR(tables_->SetPasswordHash(user_id, hash, clock_.Now()));
  }
  ForgetCache();
  return OkStatus();
}

Status AccessControl::DeleteUser(int64_t id) {
  {
    MutexLock lock(mu_);
    ECOUTE_ASSIGN_OR_RETURN(const User user, LoadUser(id));
    if (user.role == Role::kAdmin && !user.disabled) {
      ECOUTE_ASSIGN_OR_RETURN(const int64_t admins, tables_->CountEnabledAdmins());
      if (admins <= 1) {
        return FailedPreconditionError("\"" + user.name +
                                       "\" is the last enabled admin; make another admin first");
      }
    }
    ECOUTE_RETURN_IF_ERROR(tables_->DeleteUser(id));
  }
  ForgetCache();
  return OkStatus();
}

Result<int64_t> AccessControl::CountUsers() {
  MutexLock lock(mu_);
  return tables_->CountUsers();
}

// ---- throttling ----

Status AccessControl::ReserveAttempt(const std::string& key, int64_t now) {
  MutexLock lock(cache_mu_);
  if (attempts_.size() >= attempts_sweep_at_) {
    // Entries with nothing to remember go; the threshold doubles so that sweeping stays
    // linear in the number of attempts even under a spray of distinct names.
    std::erase_if(attempts_, [&](const auto& entry) {
      const Attempts& a = entry.second;
      return a.in_flight == 0 && a.locked_until <= now &&
             now - a.window_start >= options_.failure_window_seconds;
    });
    attempts_sweep_at_ = std::max<size_t>(1024, 2 * attempts_.size());
  }
  Attempts& a = attempts_[key];
  if (a.locked_until > now) {
    return ResourceExhaustedError("too many failed logins; retry in " +
                                  std::to_string(a.locked_until - now) + " s");
  }
  if (a.locked_until != 0 || now - a.window_start >= options_.failure_window_seconds) {
    a.locked_until = 0;
    a.failures = 0;
    a.window_start = now;
  }
  // Attempts still verifying count as failures, so that a burst of parallel guesses cannot
  // get past the limit before the first of them fails.
  if (a.failures + a.in_flight >= options_.max_failures) {
    return ResourceExhaustedError("too many failed logins; retry in 1 s");
  }
  ++a.in_flight;
  return OkStatus();
}

void AccessControl::FinishAttempt(const std::string& key, bool failed, bool forget, int64_t now) {
  MutexLock lock(cache_mu_);
  auto it = attempts_.find(key);
  if (it == attempts_.end()) return;
  Attempts& a = it->second;
  if (a.in_flight > 0) --a.in_flight;
  if (failed) {
    if (now - a.window_start >= options_.failure_window_seconds) {
      a.failures = 0;
      a.window_start = now;
    }
    if (++a.failures >= options_.max_failures) {
      a.locked_until = now + options_.lockout_seconds;
      a.failures = 0;
    }
  } else if (forget) {
    a.failures = 0;
  }
  if (a.failures == 0 && a.in_flight == 0 && a.locked_until <= now) attempts_.erase(it);
}

// ---- sessions ----

Result<NewSession> AccessControl::Login(std::string_view name, std::string_view password,
                                        std::string_view remote_address) {
  const int64_t now = clock_.Now();
  const std::string login = LowerAscii(TrimSpaces(name.substr(0, kMaxNameLength + 1)));
  const std::string name_key = "n:" + login;
  const std::string address_key =
      remote_address.empty() ? std::string() : "a:" + std::string(remote_address.substr(0, 64));
  ECOUTE_RETURN_IF_ERROR(ReserveAttempt(name_key, now));
  if (!address_key.empty()) {
    if (Status status = ReserveAttempt(address_key, now); !status.ok()) {
      FinishAttempt(name_key, false, false, now);
      return status;
    }
  }
  auto finish = [&](bool failed) {
    const int64_t at = clock_.Now();
    FinishAttempt(name_key, failed, !failed, at);
    if (!address_key.empty()) FinishAttempt(address_key, failed, false, at);
  };

  std::optional<User> user;
  std::string hash;
  {
    MutexLock lock(mu_);
    Result<FoundLogin> found = tables_->FindLogin(login);
    if (found) {
      user = ToUser(std::move(found->user));
      hash = std::move(found->password_hash);
    } else if (found.error().code() != StatusCode::kNotFound) {
      finish(false);
      return found.error();
    }
  }
  // An unknown name costs one verification too, so that timing does not tell which names
  // exist.
  const std::string& against = user ? hash : dummy_hash_;
  const bool verified =
      crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0 &&
      user.has_value();
  if (!verified) {
    finish(true);
    return UnauthenticatedError(kWrongCredentials);
  }
  finish(false);
  if (user->disabled) {
    return PermissionDeniedError("the account \"" + user->name +
                                 "\" is disabled; ask an administrator");
  }
  std::optional<std::string> rehashed;
  const unsigned long long ops = options_.fast_hashing_for_tests
                                     ? crypto_pwhash_OPSLIMIT_MIN
                                     : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  const size_t mem = options_.fast_hashing_for_tests ? crypto_pwhash_MEMLIMIT_MIN
                                                     : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_needs_rehash(hash.c_str(), ops, mem) != 0) {
    Result<std::string> fresh = HashPassword(password);
    if (fresh) rehashed = std::move(fresh).value();  // else keep the old hash: it still works
  }

  NewSession session;
  session.token = RandomBase64(kSecretBytes);
  session.csrf_token = RandomBase64(kSecretBytes);
  session.expires_at = now + options_.session_seconds;
  {
    MutexLock lock(mu_);
    ECOUTE_RETURN_IF_ERROR(LoadBrands(*user));
    StoredSession stored;
    stored.digest = Digest(session.token);
    stored.user_id = user->id;
    stored.csrf_token = session.csrf_token;
    stored.created_at = now;
    stored.expires_at = session.expires_at;
    stored.last_seen_at = now;
    // Each login sweeps the sessions that can no longer be used.
    ECOUTE_RETURN_IF_ERROR(tables_->AddSession(stored, now - options_.idle_session_seconds,
                                               rehashed.value_or(std::string())));
  }
  session.principal = PrincipalFor(*user);
  session.principal.via_session = true;
  session.principal.csrf_token = session.csrf_token;
  return session;
}

Status AccessControl::Logout(std::string_view session_token) {
  if (session_token.empty() || session_token.size() > kMaxSecretLength) return OkStatus();
  const std::string digest = Digest(session_token);
  {
    MutexLock lock(mu_);
    ECOUTE_RETURN_IF_ERROR(tables_->DeleteSession(digest));
  }
  {
    MutexLock lock(cache_mu_);
    sessions_.erase(digest);
    ++cache_generation_;  // a lookup of this session in flight must not cache it again
  }
  if (on_change_) on_change_();
  return OkStatus();
}

Result<Principal> AccessControl::AuthenticateSession(std::string_view session_token, bool slide) {
  if (session_token.empty() || session_token.size() > kMaxSecretLength) {
    return UnauthenticatedError(kBadSession);
  }
  const std::string digest = Digest(session_token);
  const int64_t now = clock_.Now();
  uint64_t generation;
  int64_t cached_last_seen = 0;
  {
    MutexLock lock(cache_mu_);
    if (auto it = sessions_.find(digest); it != sessions_.end()) {
      CachedPrincipal& entry = it->second;
      if (entry.expires_at <= now || now - entry.last_seen_at > options_.idle_session_seconds) {
        sessions_.erase(it);
        return UnauthenticatedError(kBadSession);
      }
      if (now - entry.cached_at < kCacheSeconds) {
        if (slide) entry.last_seen_at = now;
        Principal principal = entry.principal;
        principal.valid_until =
            std::min(entry.expires_at, entry.last_seen_at + options_.idle_session_seconds);
        return principal;
      }
      // Stale: reread the database, keeping the activity it has not seen yet.
      cached_last_seen = entry.last_seen_at;
      sessions_.erase(it);
    }
    generation = cache_generation_;
  }

  CachedPrincipal entry;
  {
    MutexLock lock(mu_);
    Result<FoundSession> found = tables_->FindSession(digest);
    if (!found) {
      if (found.error().code() == StatusCode::kNotFound) return UnauthenticatedError(kBadSession);
      return found.error();
    }
    User user = ToUser(std::move(found->user));
    entry.principal.csrf_token = std::move(found->session.csrf_token);
    entry.expires_at = found->session.expires_at;
    entry.last_seen_at = std::max(found->session.last_seen_at, cached_last_seen);
    if (user.disabled || entry.expires_at <= now ||
        now - entry.last_seen_at > options_.idle_session_seconds) {
      ECOUTE_RETURN_IF_ERROR(tables_->DeleteSession(digest));
      return UnauthenticatedError(kBadSession);
    }
    ECOUTE_RETURN_IF_ERROR(LoadBrands(user));
    // Written once per cache period, not once per request.
    if (slide) ECOUTE_RETURN_IF_ERROR(tables_->TouchSession(digest, now));
    std::string csrf = std::move(entry.principal.csrf_token);
    entry.principal = PrincipalFor(user);
    entry.principal.via_session = true;
    entry.principal.csrf_token = std::move(csrf);
  }
  entry.cached_at = now;
  if (slide) entry.last_seen_at = now;
  Principal principal = entry.principal;
  principal.valid_until =
      std::min(entry.expires_at, entry.last_seen_at + options_.idle_session_seconds);
  MutexLock lock(cache_mu_);
  if (generation == cache_generation_) {
    if (sessions_.size() >= kMaxCachedPrincipals) sessions_.clear();
    sessions_[digest] = std::move(entry);
  }
  return principal;
}

Result<Principal> AccessControl::AuthenticateToken(std::string_view bearer_token) {
  if (bearer_token.size() > kMaxSecretLength || !bearer_token.starts_with(kTokenPrefix)) {
    return UnauthenticatedError(kBadToken);
  }
  const std::string digest = Digest(bearer_token);
  const int64_t now = clock_.Now();
  uint64_t generation;
  {
    MutexLock lock(cache_mu_);
    if (auto it = tokens_.find(digest); it != tokens_.end()) {
      const CachedPrincipal& entry = it->second;
      if (entry.expires_at != 0 && entry.expires_at <= now) {
        tokens_.erase(it);
        return UnauthenticatedError(kBadToken);
      }
      if (now - entry.cached_at < kCacheSeconds) {
        Principal principal = entry.principal;
        principal.valid_until = entry.expires_at;
        return principal;
      }
      tokens_.erase(it);
    }
    generation = cache_generation_;
  }

  CachedPrincipal entry;
  {
    MutexLock lock(mu_);
    Result<FoundToken> found = tables_->FindToken(digest);
    if (!found) {
      if (found.error().code() == StatusCode::kNotFound) return UnauthenticatedError(kBadToken);
      return found.error();
    }
    User user = ToUser(std::move(found->user));
    entry.token_id = found->token.id;
    const std::optional<int64_t> expires_at = found->token.expires_at;
    const std::optional<int64_t> last_used_at = found->token.last_used_at;
    if (user.disabled || (expires_at && *expires_at <= now)) {
      return UnauthenticatedError(kBadToken);
    }
    entry.expires_at = expires_at.value_or(0);
    ECOUTE_RETURN_IF_ERROR(LoadBrands(user));
    if (!last_used_at || now - *last_used_at >= kLastUsedResolution) {
      ECOUTE_RETURN_IF_ERROR(tables_->TouchToken(entry.token_id, now));
    }
    entry.principal = PrincipalFor(user);
  }
  entry.cached_at = now;
  Principal principal = entry.principal;
  principal.valid_until = entry.expires_at;
  MutexLock lock(cache_mu_);
  if (generation == cache_generation_) {
    if (tokens_.size() >= kMaxCachedPrincipals) tokens_.clear();
    tokens_[digest] = std::move(entry);
  }
  return principal;
}

bool AccessControl::CheckCsrf(const Principal& principal, std::string_view header_value) const {
  if (!principal.via_session) return true;
  const std::string& expected = principal.csrf_token;
  // The length is no secret (every token has the same); the bytes are compared in
  // constant time.
  if (expected.empty() || header_value.size() != expected.size()) return false;
  return sodium_memcmp(expected.data(), header_value.data(), expected.size()) == 0;
}

// ---- API tokens ----

Result<NewToken> AccessControl::CreateToken(int64_t user_id, std::string label,
                                            std::optional<int64_t> expires_at) {
  label = std::string(TrimSpaces(label));
  if (label.empty()) return InvalidArgumentError("a token needs a label (what it is for)");
  ECOUTE_RETURN_IF_ERROR(ValidateText("token label", label));
  const int64_t now = clock_.Now();
  if (expires_at && *expires_at <= now) {
    return InvalidArgumentError("the token's expiry is in the past");
  }
  NewToken token;
  token.token = std::string(kTokenPrefix) + RandomBase64(kSecretBytes);
  token.info.user_id = user_id;
  token.info.label = std::move(label);
  token.info.prefix = token.token.substr(0, kTokenPrefix.size() + 8);
  token.info.created_at = now;
  token.info.expires_at = expires_at;
  MutexLock lock(mu_);
  ECOUTE_ASSIGN_OR_RETURN(const User user, LoadUser(user_id));
  if (user.disabled) {
    return FailedPreconditionError("user \"" + user.name + "\" is disabled");
  }
  ECOUTE_ASSIGN_OR_RETURN(token.info.id, tables_->AddToken(token.info, Digest(token.token)));
  return token;
}

Result<std::vector<TokenInfo>> AccessControl::ListTokens(std::optional<int64_t> user_id) {
  MutexLock lock(mu_);
  return tables_->ListTokens(user_id);
}

Status AccessControl::RevokeToken(int64_t token_id) {
  {
    MutexLock lock(mu_);
    ECOUTE_RETURN_IF_ERROR(tables_->DeleteToken(token_id));
  }
  ForgetCache();
  return OkStatus();
}

}  // namespace ecoute::server
