// Alert rules and webhook delivery (docs/ALERTS.md): rules and the delivery queue are two
// tables of the store's SQLite file, read and written under one mutex; the HTTP attempts
// run outside it.
#include "server/alerts.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <memory>
#include <utility>

#include <sodium.h>
#include <sqlite3.h>

#include "fetch/fetcher.h"
#include "server/component_db.h"
#include "store/sqlite/sqlite.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {
namespace {

constexpr std::string_view kComponent = "alerts";
// Deliveries read per round, so that one round never holds thousands of rows in memory.
constexpr int kDueBatch = 64;
// Bytes of a receiver's answer kept: only its status matters, the rest is read and dropped.
constexpr size_t kMaxAnswerBytes = 64 * 1024;

// Lists of names are kept in one column, one name per line (names hold no newline).
constexpr char kListSeparator = '\n';

// libsodium's random generator, once per process. False when it cannot start (no source
// of randomness): Open reports it.
bool InitLibrariesOnce() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string Hex(const unsigned char* bytes, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += kListSeparator;
    out += name;
  }
  return out;
}

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t end = text.find(kListSeparator);
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

template <typename Enum, typename NameOf>
std::string JoinNames(const std::vector<Enum>& values, NameOf name_of) {
  std::vector<std::string> names;
  for (Enum value : values) names.emplace_back(name_of(value));
  return Join(names);
}

template <typename Enum, typename Parse>
std::vector<Enum> SplitNames(std::string_view text, Parse parse) {
  std::vector<Enum> out;
  for (const std::string& name : Split(text)) {
    Enum value{};
    if (parse(name, value)) out.push_back(value);  // a name a later version removed: skipped
  }
  return out;
}

Status ValidateRule(const AlertRule& rule, bool secret_may_be_empty, const OutboundPolicy& policy) {
  if (rule.name.empty()) return InvalidArgumentError("an alert rule needs a name");
  if (rule.min_priority < 0 || rule.min_priority > 100) {
    return InvalidArgumentError("min_priority must be within 0..100, not " +
                                std::to_string(rule.min_priority));
  }
  for (const std::string& brand : rule.brands) {
    if (brand.empty() || brand.find(kListSeparator) != std::string::npos) {
      return InvalidArgumentError("a brand of an alert rule is empty or holds a line break");
    }
  }
  if (secret_may_be_empty && rule.target.secret.empty()) {
    return ValidateTarget({rule.target.url, std::string(kMinSecretBytes, 'x')}, policy);
  }
  return ValidateTarget(rule.target, policy);
}

std::string Base64(const unsigned char* bytes, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

// A Standard Webhooks secret: "whsec_" and 32 random bytes in base64.
std::string GenerateSecret() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string secret = std::string(kSecretPrefix) + Base64(bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return secret;
}

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> HmacSha256(std::string_view key,
                                                                   std::string_view data) {
  InitLibrariesOnce();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
}

bool IsCaseOpening(std::string_view kind) {
  return kind == "case.opened" || kind == "case.reopened";
}

bool Matches(const AlertRule& rule, const AlertEvent& event) {
  if (!rule.enabled) return false;
  const bool wanted = (IsCaseOpening(event.kind) && rule.on_case_opened) ||
                      (event.kind == "case.escalated" && rule.on_escalation) ||
                      (event.kind == "spike" && rule.on_spike);
  if (!wanted) return false;
  if (!rule.brands.empty()) {
    const std::string brand = Lower(event.brand);
    if (std::none_of(rule.brands.begin(), rule.brands.end(),
                     [&](const std::string& b) { return Lower(b) == brand; })) {
      return false;
    }
  }
  if (event.kind == "spike") return true;
  if (!rule.stances.empty() &&
      std::find(rule.stances.begin(), rule.stances.end(), event.stance) == rule.stances.end()) {
    return false;
  }
  if (!rule.topics.empty() && std::none_of(rule.topics.begin(), rule.topics.end(), [&](Topic t) {
        return std::find(event.topics.begin(), event.topics.end(), t) != event.topics.end();
      })) {
    return false;
  }
  return event.priority >= rule.min_priority;
}

// The wait before the next attempt after `attempts` failed ones.
int64_t Backoff(const AlertOptions& options, int attempts) {
  int64_t delay = std::max<int64_t>(options.first_backoff_seconds, 1);
  for (int i = 1; i < attempts && delay < options.max_backoff_seconds; ++i) delay *= 2;
  delay = std::min(delay, std::max<int64_t>(options.max_backoff_seconds, 1));
  if (options.jitter > 0) {
    const auto spread = static_cast<uint32_t>(
        std::min<double>(std::floor(static_cast<double>(delay) * options.jitter), 1e9));
    if (spread > 0) delay += randombytes_uniform(spread + 1);
  }
  return delay;
}

constexpr std::string_view kRuleColumns =
    "id, name, brands, stances, topics, min_priority, on_case_opened, on_escalation, "
    "on_spike, url, secret, enabled, created_by";

AlertRule ReadRuleRow(const sqlite::Statement& s) {
  AlertRule rule;
  rule.id = s.Int(0);
  rule.name = s.Text(1);
  rule.brands = Split(s.Text(2));
  rule.stances = SplitNames<Stance>(s.Text(3), ParseStance);
  rule.topics = SplitNames<Topic>(s.Text(4), ParseTopic);
  rule.min_priority = static_cast<int>(s.Int(5));
  rule.on_case_opened = s.Int(6) != 0;
  rule.on_escalation = s.Int(7) != 0;
  rule.on_spike = s.Int(8) != 0;
  rule.target.url = s.Text(9);
  rule.target.secret = s.Text(10);
  rule.enabled = s.Int(11) != 0;
  rule.created_by = s.Int(12);
  return rule;
}

// Binds a rule's fields to ?2..?13 (?1 is the id when updating).
void BindRule(sqlite::Statement& s, const AlertRule& rule) {
  s.Bind(2, rule.name)
      .Bind(3, Join(rule.brands))
      .Bind(4, JoinNames(rule.stances, StanceName))
      .Bind(5, JoinNames(rule.topics, TopicName))
      .Bind(6, static_cast<int64_t>(rule.min_priority))
      .Bind(7, int64_t{rule.on_case_opened})
      .Bind(8, int64_t{rule.on_escalation})
      .Bind(9, int64_t{rule.on_spike})
      .Bind(10, rule.target.url)
      .Bind(11, rule.target.secret)
      .Bind(12, int64_t{rule.enabled})
      .Bind(13, rule.created_by);
}

struct Outcome {
  bool delivered = false;
  bool gone = false;  // HTTP 410: the receiver asks never to be called again
  std::string error;
};

Outcome Post(const std::string& url, const std::vector<std::string>& header_lines,
             const std::string& body, const AlertOptions& options) {
  FetchOptions fetch;
  fetch.user_agent = options.user_agent;
  fetch.connect_timeout_ms = options.timeout_ms;
  fetch.timeout_ms = options.timeout_ms;
  // Only the status of the answer matters: the rest is read up to this bound and dropped.
  fetch.max_bytes = kMaxAnswerBytes;
  fetch.outbound = options.outbound;
  // A redirect is not followed: a 3xx counts as a failed attempt and shows in last_error.
  Result<long> status = HttpPost(url, header_lines, body, fetch);  // NOLINT(google-runtime-int)
  if (!status) return {false, false, status.error().message()};
  if (*status >= 200 && *status < 300) return {true, false, ""};
  return {false, *status == 410, "HTTP " + std::to_string(*status)};
}

}  // namespace

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kDead:
      return "dead";
  }
  return "pending";
}

bool ParseDeliveryState(std::string_view name, DeliveryState& out) {
  for (DeliveryState state :
       {DeliveryState::kPending, DeliveryState::kDelivered, DeliveryState::kDead}) {
    if (DeliveryStateName(state) == name) {
      out = state;
      return true;
    }
  }
  return false;
}

Status ValidateTarget(const WebhookTarget& target, const OutboundPolicy& policy) {
  InitLibrariesOnce();
  if (Result<OutboundUrl> url = CheckOutboundUrl(target.url, policy); !url) {
    if (url.error().code() == StatusCode::kPermissionDenied) {
      return InvalidArgumentError("webhook URL " + url.error().message());
    }
    return InvalidArgumentError("webhook URL: " + url.error().message() +
                                " (give http:// or https://, a host, and no user:password@)");
  }
  const std::optional<std::string> key = WebhookKey(target.secret);
  if (!key) {
    return InvalidArgumentError("a webhook secret that starts with \"" +
                                std::string(kSecretPrefix) +
                                "\" must be followed by its key in base64");
  }
  if (key->size() < kMinSecretBytes) {
    return InvalidArgumentError("a webhook secret must be at least " +
                                std::to_string(kMinSecretBytes) + " bytes long" +
                                (target.secret.starts_with(kSecretPrefix) ? " once decoded" : ""));
  }
  return OkStatus();
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  const auto mac = HmacSha256(key, data);
  return Hex(mac.data(), mac.size());
}

std::optional<std::string> WebhookKey(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::string(secret);
  const std::string_view encoded = secret.substr(kSecretPrefix.size());
  std::string key(encoded.size(), '\0');
  // Padded, as the specification's examples are, or without the "=" some senders drop.
  for (const int variant :
       {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING}) {
    size_t size = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), encoded.data(),
                          encoded.size(), nullptr, &size, &end, variant) == 0 &&
        end == encoded.data() + encoded.size()) {
      key.resize(size);
      return key;
    }
  }
  return std::nullopt;
}

std::string StandardWebhookSignature(std::string_view secret, std::string_view id,
                                     int64_t timestamp, std::string_view body) {
  const std::string key = WebhookKey(secret).value_or(std::string(secret));
  std::string signed_text(id);
  signed_text += '.';
  signed_text += std::to_string(timestamp);
  signed_text += '.';
  signed_text += body;
  const auto mac = HmacSha256(key, signed_text);
  return "v1," + Base64(mac.data(), mac.size());
}

std::string WebhookSignature(std::string_view secret, int64_t timestamp, std::string_view body) {
  std::string signed_text = std::to_string(timestamp);
  signed_text += '.';
  signed_text += body;
  return "sha256=" + HmacSha256Hex(secret, signed_text);
}

std::string MaskSecret(std::string_view secret) {
  // Nothing of the key, not even its length: the prefix only says which kind it is.
  constexpr std::string_view kMask = "••••••••";
  if (secret.starts_with(kSecretPrefix)) return std::string(kSecretPrefix) + std::string(kMask);
  return std::string(kMask);
}

std::string DedupeKey(const AlertEvent& event, const AlertRule* rule, std::string_view url) {
  InitLibrariesOnce();
  std::string identity = rule != nullptr ? "rule:" + std::to_string(rule->id) : "url:";
  if (rule == nullptr) identity += url;
  identity += '\n';
  identity += event.kind;
  identity += '\n';
  identity += std::to_string(event.case_id);
  identity += '\n';
  identity += std::to_string(event.escalation_level);
  if (event.kind != "case.opened" && event.kind != "case.escalated") {
    identity += '\n';
    identity += Lower(event.brand);
    identity += '\n';
    identity += std::to_string(event.at);
  }
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(identity.data()),
                     identity.size());
  return Hex(hash, 16);
}

std::string WebhookBody(const AlertEvent& event, std::string_view dedupe_key,
                        const AlertRule* rule) {
  std::string out = "{\"delivery\":";
  AppendJsonString(dedupe_key, out);
  out += ",\"event\":";
  AppendJsonString(event.kind, out);
  out += ",\"at\":";
  out += std::to_string(event.at);
  out += ",\"time\":";
  AppendJsonString(FormatRfc3339(event.at), out);
  out += ",\"brand\":";
  AppendJsonString(event.brand, out);
  out += ",\"case\":";
  if (event.case_id == 0) {
    out += "null";
  } else {
    out += "{\"id\":";
    out += std::to_string(event.case_id);
    out += ",\"stance\":";
    AppendJsonString(StanceName(event.stance), out);
    out += ",\"topics\":[";
    for (size_t i = 0; i < event.topics.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(TopicName(event.topics[i]), out);
    }
    out += "],\"priority\":";
    out += std::to_string(event.priority);
    out += ",\"escalation_level\":";
    out += std::to_string(event.escalation_level);
    out += ",\"escalation\":";
    AppendJsonString(event.escalation_name, out);
    out += ",\"title\":";
    AppendJsonString(event.title, out);
    out += ",\"url\":";
    AppendJsonString(event.url, out);
    out += ",\"customer\":";
    AppendJsonString(event.customer, out);
    out += '}';
  }
  out += ",\"detail\":";
  AppendJsonString(event.detail, out);
  out += ",\"rule\":";
  if (rule == nullptr) {
    out += "null";
  } else {
    out += "{\"id\":";
    out += std::to_string(rule->id);
    out += ",\"name\":";
    AppendJsonString(rule->name, out);
    out += '}';
  }
  out += '}';
  return out;
}

// A pending delivery read for an attempt.
struct AlertEngine::Due {
  int64_t id = 0;
  std::string url;
  std::string secret;
  std::string dedupe_key;
  std::string kind;
  std::string body;
  int64_t event_at = 0;
  int attempts = 0;
};

AlertEngine::AlertEngine(sqlite3* db, const Clock& clock, AlertOptions options)
    : db_(db), clock_(clock), options_(std::move(options)) {}

AlertEngine::~AlertEngine() {
  Stop();
  sqlite3_close_v2(db_);
}

// The body and the secret are kept with the delivery: a retry after a restart sends the
// same bytes, signed with the key the event was queued for.
constexpr std::string_view kVersion1 =
    "CREATE TABLE alert_rules("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL, brands TEXT NOT NULL,"
    "  stances TEXT NOT NULL, topics TEXT NOT NULL, min_priority INTEGER NOT NULL,"
    "  on_case_opened INTEGER NOT NULL, on_escalation INTEGER NOT NULL,"
    "  on_spike INTEGER NOT NULL, url TEXT NOT NULL, secret TEXT NOT NULL,"
    "  enabled INTEGER NOT NULL, created_by INTEGER NOT NULL);"
    "CREATE TABLE alert_deliveries("
    "  id INTEGER PRIMARY KEY, rule_id INTEGER, url TEXT NOT NULL, secret TEXT NOT NULL,"
    "  dedupe_key TEXT NOT NULL UNIQUE, event_kind TEXT NOT NULL,"
    "  case_id INTEGER NOT NULL, brand TEXT NOT NULL, body TEXT NOT NULL,"
    "  event_at INTEGER NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,"
    "  delivered_at INTEGER, last_error TEXT NOT NULL);"
    "CREATE INDEX alert_deliveries_due ON alert_deliveries(state, next_attempt_at);";
constexpr std::array<std::string_view, 1> kMigrations = {kVersion1};

Result<std::unique_ptr<AlertEngine>> AlertEngine::Open(const std::string& db_path,
                                                       const Clock& clock, AlertOptions options) {
  if (!InitLibrariesOnce()) return InternalError("libsodium could not start (no randomness)");
  ECOUTE_ASSIGN_OR_RETURN(sqlite3 * db, OpenComponentDb(db_path, kComponent, kMigrations));
  // Owned from here: the destructor closes the connection on every path.
  std::unique_ptr<AlertEngine> engine(new AlertEngine(db, clock, std::move(options)));
  // FULL sync: a delivery acknowledged to the API must survive a power loss, and alerts are
  // few enough that the cost does not show.
  if (Status status = sqlite::Exec(db, "PRAGMA synchronous = FULL"); !status.ok()) {
    return Status(status.code(), db_path + ": " + status.message());
  }
  return engine;
}

Result<AlertRule> AlertEngine::CreateRule(AlertRule rule) {
  ECOUTE_RETURN_IF_ERROR(ValidateRule(rule, /*secret_may_be_empty=*/true, options_.outbound));
  if (rule.target.secret.empty()) rule.target.secret = GenerateSecret();
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite::Statement insert(db_, "INSERT INTO alert_rules(" + std::string(kRuleColumns) +
                                    ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                    "?11, ?12, ?13)");
  if (!insert.ok()) return insert.status();
  BindRule(insert, rule);
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  rule.id = sqlite3_last_insert_rowid(db_);
  return rule;
}

Result<AlertRule> AlertEngine::ReadRule(int64_t id) {
  sqlite::Statement select(
      db_, "SELECT " + std::string(kRuleColumns) + " FROM alert_rules WHERE id = ?1");
  if (!select.ok()) return select.status();
  select.Bind(1, id);
  if (select.Step()) return ReadRuleRow(select);
  if (!select.status().ok()) return select.status();
  return NotFoundError("no alert rule " + std::to_string(id));
}

Result<std::vector<AlertRule>> AlertEngine::ListRules() {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadRules();
}

Result<std::vector<AlertRule>> AlertEngine::ReadRules() {
  sqlite::Statement select(db_,
                           "SELECT " + std::string(kRuleColumns) + " FROM alert_rules ORDER BY id");
  if (!select.ok()) return select.status();
  std::vector<AlertRule> rules;
  while (select.Step()) rules.push_back(ReadRuleRow(select));
  if (!select.status().ok()) return select.status();
  return rules;
}

Result<AlertRule> AlertEngine::GetRule(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadRule(id);
}

Result<AlertRule> AlertEngine::UpdateRule(const AlertRule& rule) {
  ECOUTE_RETURN_IF_ERROR(ValidateRule(rule, /*secret_may_be_empty=*/true, options_.outbound));
  std::lock_guard<std::mutex> lock(mutex_);
  ECOUTE_ASSIGN_OR_RETURN(AlertRule current, ReadRule(rule.id));
  AlertRule updated = rule;
  if (updated.target.secret.empty()) updated.target.secret = current.target.secret;
  sqlite::Statement update(db_,
                           "UPDATE alert_rules SET name = ?2, brands = ?3, stances = ?4, "
                           "topics = ?5, min_priority = ?6, on_case_opened = ?7, "
                           "on_escalation = ?8, on_spike = ?9, url = ?10, secret = ?11, "
                           "enabled = ?12, created_by = ?13 WHERE id = ?1");
  if (!update.ok()) return update.status();
  update.Bind(1, rule.id);
  BindRule(update, updated);
  ECOUTE_RETURN_IF_ERROR(update.Run());
  return updated;
}

Status AlertEngine::DeleteRule(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db_, "BEGIN IMMEDIATE"));
  auto run = [&](std::string_view sql) {
    sqlite::Statement s(db_, sql);
    if (!s.ok()) return s.status();
    s.Bind(1, id);
    return s.Run();
  };
  Status status = run("DELETE FROM alert_rules WHERE id = ?1");
  const bool found = sqlite3_changes(db_) > 0;
  if (status.ok() && found) {
    status = run("DELETE FROM alert_deliveries WHERE rule_id = ?1 AND state = 0");
  }
  if (!status.ok() || !found) {
    (void)sqlite::Exec(db_, "ROLLBACK");
    return status.ok() ? NotFoundError("no alert rule " + std::to_string(id)) : status;
  }
  return sqlite::Exec(db_, "COMMIT");
}

Result<int> AlertEngine::Publish(const AlertEvent& event) { return Queue(event, nullptr); }

Result<int> AlertEngine::Notify(const AlertEvent& event,
                                const std::vector<WebhookTarget>& targets) {
  for (const WebhookTarget& target : targets) {
    ECOUTE_RETURN_IF_ERROR(ValidateTarget(target, options_.outbound));
  }
  if (targets.empty()) return 0;
  return Queue(event, &targets);
}

Result<int> AlertEngine::Queue(const AlertEvent& event, const std::vector<WebhookTarget>* targets) {
  const int64_t now = clock_.Now();
  int queued = 0;
  {
    // The rules are read and matched under the same lock as the inserts: a rule deleted
    // meanwhile gets no delivery.
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<AlertRule> rules;
    if (targets == nullptr) {
      ECOUTE_ASSIGN_OR_RETURN(std::vector<AlertRule> all, ReadRules());
      for (AlertRule& rule : all) {
        if (Matches(rule, event)) rules.push_back(std::move(rule));
      }
      if (rules.empty()) return 0;
    }
    ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db_, "BEGIN IMMEDIATE"));
    sqlite::Statement insert(
        db_,
        "INSERT OR IGNORE INTO alert_deliveries(rule_id, url, secret, dedupe_key, event_kind, "
        "case_id, brand, body, event_at, state, attempts, created_at, next_attempt_at, "
        "delivered_at, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, 0, ?10, ?10, "
        "NULL, '')");
    auto add = [&](const AlertRule* rule, const WebhookTarget& target) {
      const std::string key = DedupeKey(event, rule, target.url);
      insert.BindOrNull(1, rule != nullptr ? std::optional<int64_t>(rule->id) : std::nullopt)
          .Bind(2, target.url)
          .Bind(3, target.secret)
          .Bind(4, key)
          .Bind(5, event.kind)
          .Bind(6, event.case_id)
          .Bind(7, event.brand)
          .Bind(8, WebhookBody(event, key, rule))
          .Bind(9, event.at)
          .Bind(10, now);
      Status status = insert.Run();
      if (status.ok()) queued += sqlite3_changes(db_);
      return status;
    };
    Status status = insert.status();
    for (size_t i = 0; status.ok() && i < rules.size(); ++i)
      status = add(&rules[i], rules[i].target);
    for (size_t i = 0; status.ok() && targets != nullptr && i < targets->size(); ++i) {
      status = add(nullptr, (*targets)[i]);
    }
    if (status.ok()) status = sqlite::Exec(db_, "COMMIT");
    if (!status.ok()) {
      (void)sqlite::Exec(db_, "ROLLBACK");
      return status;
    }
  }
  queued_ += queued;
  if (queued > 0) {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    woken_ = true;
    wake_.notify_one();
  }
  return queued;
}

int AlertEngine::DeliverDue() {
  std::lock_guard<std::mutex> deliver_lock(deliver_mutex_);
  int attempted = 0;
  int64_t after_id = 0;
  // Rounds of kDueBatch by id, so that deliveries rescheduled in this call (and due again
  // only if the clock moved) are not attempted twice in one call.
  while (!stopping_.load()) {
    std::vector<Due> due;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sqlite::Statement select(db_,
                               "SELECT id, url, secret, dedupe_key, event_kind, body, event_at, "
                               "attempts FROM alert_deliveries WHERE state = 0 AND "
                               "next_attempt_at <= ?1 AND id > ?2 ORDER BY id LIMIT ?3");
      if (!select.ok()) {
        Report(select.status());
        break;
      }
      select.Bind(1, clock_.Now()).Bind(2, after_id).Bind(3, int64_t{kDueBatch});
      while (select.Step()) {
        Due& d = due.emplace_back();
        d.id = select.Int(0);
        d.url = select.Text(1);
        d.secret = select.Text(2);
        d.dedupe_key = select.Text(3);
        d.kind = select.Text(4);
        d.body = select.Text(5);
        d.event_at = select.Int(6);
        d.attempts = static_cast<int>(select.Int(7));
      }
      if (!select.status().ok()) Report(select.status());
    }
    for (const Due& d : due) {
      if (stopping_.load()) break;
      Attempt(d);
      ++attempted;
      after_id = d.id;
    }
    if (static_cast<int>(due.size()) < kDueBatch) break;
  }
  return attempted;
}

void AlertEngine::Attempt(const Due& due) {
  const int64_t timestamp = clock_.Now();
  // Standard Webhooks: the id is the dedupe key, the same on every attempt, so that a
  // receiver can drop repeats; the timestamp is this attempt's.
  std::vector<std::string> headers = {
      "Content-Type: application/json",
      "webhook-id: " + due.dedupe_key,
      "webhook-timestamp: " + std::to_string(timestamp),
      "webhook-signature: " +
          StandardWebhookSignature(due.secret, due.dedupe_key, timestamp, due.body),
      "X-Ecoute-Event: " + due.kind,
      "X-Ecoute-Delivery: " + due.dedupe_key,
      "Expect:",  // no 100-continue round trip before the body
  };
  if (options_.legacy_signature) {
    headers.push_back("X-Ecoute-Timestamp: " + std::to_string(timestamp));
    headers.push_back("X-Ecoute-Signature: " + WebhookSignature(due.secret, timestamp, due.body));
  }
  const Outcome outcome = Post(due.url, headers, due.body, options_);
  const int attempts = due.attempts + 1;
  const int64_t now = clock_.Now();
  DeliveryState state = DeliveryState::kPending;
  int64_t next_attempt_at = now;
  if (outcome.delivered) {
    state = DeliveryState::kDelivered;
  } else if (outcome.gone || attempts >= options_.max_attempts) {
    state = DeliveryState::kDead;
  } else {
    next_attempt_at = now + Backoff(options_, attempts);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sqlite::Statement update(db_,
                             "UPDATE alert_deliveries SET state = ?2, attempts = ?3, "
                             "next_attempt_at = ?4, delivered_at = ?5, last_error = ?6 "
                             "WHERE id = ?1");
    Status status = update.status();
    if (update.ok()) {
      update.Bind(1, due.id)
          .Bind(2, static_cast<int64_t>(state))
          .Bind(3, static_cast<int64_t>(attempts))
          .Bind(4, next_attempt_at)
          .BindOrNull(5, outcome.delivered ? std::optional<int64_t>(now) : std::nullopt)
          .Bind(6, outcome.error);
      status = update.Run();
    }
    // The attempt was made whatever this says; if the row could not be updated, the
    // delivery is attempted again later: at least once, never lost.
    if (!status.ok()) {
      Report(Status(status.code(), "delivery " + std::to_string(due.id) + ": " + status.message()));
    }
  }
  if (outcome.delivered) {
    ++delivered_;
    if (on_delivered) on_delivered(static_cast<double>(now - due.event_at));
    return;
  }
  ++failed_attempts_;
  if (state == DeliveryState::kDead) {
    ++dead_;
    Report(UnavailableError("delivery " + std::to_string(due.id) + " to " + UrlOrigin(due.url) +
                            " is dead after " + std::to_string(attempts) +
                            " attempt(s): " + outcome.error));
  }
}

void AlertEngine::Report(const Status& status) {
  if (on_error) on_error(status);
}

void AlertEngine::Start() {
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { Run(); });
}

void AlertEngine::Stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  stopping_ = false;
}

void AlertEngine::Run() {
  while (!stopping_.load()) {
    DeliverDue();
    // The next due time, to sleep until it; at most a second, as the clock may be moved
    // by hand (tests) or jump.
    int64_t wait_seconds = 1;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      sqlite::Statement next(db_,
                             "SELECT min(next_attempt_at) FROM alert_deliveries WHERE state = 0");
      if (next.ok() && next.Step() && !next.IsNull(0)) {
        wait_seconds = std::clamp<int64_t>(next.Int(0) - clock_.Now(), 0, 1);
      }
    }
    std::unique_lock<std::mutex> lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::seconds(wait_seconds),
                   [this] { return woken_ || stopping_.load(); });
    woken_ = false;
  }
}

namespace {

// The columns ReadDelivery reads, in its order.
constexpr std::string_view kDeliveryColumns =
    "SELECT id, rule_id, url, dedupe_key, event_kind, case_id, brand, state, attempts, "
    "created_at, next_attempt_at, delivered_at, last_error FROM alert_deliveries ";

Delivery ReadDelivery(const sqlite::Statement& select) {
  Delivery d;
  d.id = select.Int(0);
  d.rule_id = select.OptionalInt(1);
  d.url = select.Text(2);
  d.dedupe_key = select.Text(3);
  d.event_kind = select.Text(4);
  d.case_id = select.Int(5);
  d.brand = select.Text(6);
  d.state = static_cast<DeliveryState>(select.Int(7));
  d.attempts = static_cast<int>(select.Int(8));
  d.created_at = select.Int(9);
  d.next_attempt_at = select.Int(10);
  d.delivered_at = select.OptionalInt(11);
  d.last_error = select.Text(12);
  return d;
}

}  // namespace

Result<std::vector<Delivery>> AlertEngine::ListDeliveries(std::optional<DeliveryState> state,
                                                          int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite::Statement select(db_, std::string(kDeliveryColumns) +
                                    "WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2");
  if (!select.ok()) return select.status();
  select.BindOrNull(1, state ? std::optional<int64_t>(static_cast<int64_t>(*state)) : std::nullopt);
  select.Bind(2, static_cast<int64_t>(std::max(limit, 0)));
  std::vector<Delivery> out;
  while (select.Step()) out.push_back(ReadDelivery(select));
  if (!select.status().ok()) return select.status();
  return out;
}

Result<Delivery> AlertEngine::GetDelivery(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite::Statement select(db_, std::string(kDeliveryColumns) + "WHERE id = ?1");
  if (!select.ok()) return select.status();
  select.Bind(1, id);
  if (!select.Step()) {
    if (!select.status().ok()) return select.status();
    return NotFoundError("no delivery " + std::to_string(id));
  }
  return ReadDelivery(select);
}

Status AlertEngine::Retry(int64_t delivery_id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sqlite::Statement select(db_, "SELECT state FROM alert_deliveries WHERE id = ?1");
    if (!select.ok()) return select.status();
    select.Bind(1, delivery_id);
    if (!select.Step()) {
      if (!select.status().ok()) return select.status();
      return NotFoundError("no delivery " + std::to_string(delivery_id));
    }
    const auto state = static_cast<DeliveryState>(select.Int(0));
    if (state != DeliveryState::kDead) {
      return Status(StatusCode::kFailedPrecondition,
                    "delivery " + std::to_string(delivery_id) + " is " +
                        std::string(DeliveryStateName(state)) + ", not dead");
    }
    select.Reset();
    sqlite::Statement update(db_,
                             "UPDATE alert_deliveries SET state = 0, attempts = 0, "
                             "next_attempt_at = ?2 WHERE id = ?1 AND state = 2");
    if (!update.ok()) return update.status();
    update.Bind(1, delivery_id).Bind(2, clock_.Now());
    ECOUTE_RETURN_IF_ERROR(update.Run());
  }
  std::lock_guard<std::mutex> lock(wake_mutex_);
  woken_ = true;
  wake_.notify_one();
  return OkStatus();
}

AlertEngine::Counters AlertEngine::counters() const {
  Counters c;
  c.delivered = delivered_.load();
  c.failed_attempts = failed_attempts_.load();
  c.dead = dead_.load();
  c.queued = queued_.load();
  return c;
}

int64_t AlertEngine::PendingCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  sqlite::Statement count(db_, "SELECT count(*) FROM alert_deliveries WHERE state = 0");
  if (!count.ok() || !count.Step()) return -1;
  return count.Int(0);
}

}  // namespace ecoute::server
