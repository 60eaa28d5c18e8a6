// Alert rules and webhook delivery (docs/ALERTS.md): rules and the delivery queue are the
// alert tables (store/alert_tables.h), read and written under one mutex; the HTTP attempts
// run outside it.
#include "alerts/alerts.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <utility>

#include <sodium.h>

#include "fetch/fetcher.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {
namespace {

// Deliveries read per round, so that one round never holds thousands of rows in memory.
constexpr int kDueBatch = 64;
// Bytes of a receiver's answer kept: only its status matters, the rest is read and dropped.
constexpr size_t kMaxAnswerBytes = size_t{64} * 1024;

// The alert tables keep a rule's brands as one list: a brand holds no line break.
constexpr char kListSeparator = '\n';

// libsodium's random generator, once per process. False when it cannot start (no source
// of randomness): Open reports it.
bool InitLibrariesOnce() {
  static const bool kStarted = sodium_init() >= 0;
  return kStarted;
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

struct Outcome {
  bool delivered = false;
  bool gone = false;  // HTTP 410: the receiver asks never to be called again
  std::string error;
  long http_status = 0;  // NOLINT(google-runtime-int): libcurl's type. 0: no answer
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
  if (!status) return {false, false, status.error().message(), 0};
  if (*status >= 200 && *status < 300) return {true, false, "", *status};
  return {false, *status == 410, "HTTP " + std::to_string(*status), *status};
}

// The headers of one attempt: Standard Webhooks' (the id is the dedupe key, the same on
// every attempt, so that a receiver can drop repeats; the timestamp is this attempt's),
// ecoute's, and the deprecated signature when asked.
std::vector<std::string> SignedHeaders(const AlertOptions& options, std::string_view secret,
                                       const std::string& id, std::string_view kind,
                                       int64_t timestamp, std::string_view body) {
  std::vector<std::string> headers = {
      "Content-Type: application/json",
      "webhook-id: " + id,
      "webhook-timestamp: " + std::to_string(timestamp),
      "webhook-signature: " + StandardWebhookSignature(secret, id, timestamp, body),
      "X-Ecoute-Event: " + std::string(kind),
      "X-Ecoute-Delivery: " + id,
      "Expect:",  // no 100-continue round trip before the body
  };
  if (options.legacy_signature) {
    headers.push_back("X-Ecoute-Timestamp: " + std::to_string(timestamp));
    headers.push_back("X-Ecoute-Signature: " + WebhookSignature(secret, timestamp, body));
  }
  return headers;
}

// An e-mail delivery's url: "mailto:" and the address.
constexpr std::string_view kMailto = "mailto:";

Outcome Mail(const std::string& address, const std::string& message, const AlertOptions& options) {
  FetchOptions fetch;
  fetch.connect_timeout_ms = options.timeout_ms;
  fetch.timeout_ms = options.timeout_ms;
  fetch.outbound = options.outbound;
  fetch.ca_file = options.mail.ca_file;
  const MailCall call{options.mail.smtp_url,
                      options.mail.username,
                      options.mail.password,
                      options.mail.from,
                      {address},
                      message};
  SendTrace trace;
  const Status sent = SendMail(call, fetch, &trace);
  if (sent.ok()) return {true, false, ""};
  // 5xx: the server will never take it (no such mailbox...).
  return {false, trace.reply_code >= 500, "e-mail: " + sent.message()};
}

// A header's value on one line: line breaks would start another header.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// RFC 2047 for a UTF-8 subject: one base64 encoded-word.
std::string EncodedWord(std::string_view text) {
  const std::string line = OneLine(text);
  return "=?UTF-8?B?" + Base64(reinterpret_cast<const unsigned char*>(line.data()), line.size()) +
         "?=";
}

std::string MailDate(int64_t seconds) {
  const auto t = static_cast<time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

bool IsMailAddress(std::string_view a) {
  const size_t at = a.find('@');
  return !a.empty() && a.size() <= 254 && at != 0 && at != std::string_view::npos &&
         at + 1 < a.size() && a.find_first_of(" \t\r\n,;<>\"") == std::string_view::npos;
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
  if (event.round > 1) identity += "\nround " + std::to_string(event.round);
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

AlertEngine::AlertEngine(std::unique_ptr<AlertTables> tables, const Clock& clock,
                         AlertOptions options)
    : clock_(clock), options_(std::move(options)), tables_(std::move(tables)) {}

AlertEngine::~AlertEngine() { Stop(); }

Result<std::unique_ptr<AlertEngine>> AlertEngine::Open(const std::string& db_path,
                                                       const Clock& clock, AlertOptions options) {
  if (!InitLibrariesOnce()) return InternalError("libsodium could not start (no randomness)");
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<AlertTables> tables, OpenAlertTables(db_path));
  return Open(std::move(tables), clock, std::move(options));
}

Result<std::unique_ptr<AlertEngine>> AlertEngine::Open(std::unique_ptr<AlertTables> tables,
                                                       const Clock& clock, AlertOptions options) {
  if (!InitLibrariesOnce()) return InternalError("libsodium could not start (no randomness)");
  return std::unique_ptr<AlertEngine>(
      new AlertEngine(std::move(tables), clock, std::move(options)));
}

Result<AlertRule> AlertEngine::CreateRule(AlertRule rule) {
  ECOUTE_RETURN_IF_ERROR(ValidateRule(rule, /*secret_may_be_empty=*/true, options_.outbound));
  if (rule.target.secret.empty()) rule.target.secret = GenerateSecret();
  MutexLock lock(mutex_);
  ECOUTE_ASSIGN_OR_RETURN(rule.id, tables_->AddRule(rule));
  return rule;
}

Result<std::vector<AlertRule>> AlertEngine::ListRules() {
  MutexLock lock(mutex_);
  return tables_->ListRules();
}

Result<AlertRule> AlertEngine::GetRule(int64_t id) {
  MutexLock lock(mutex_);
  return tables_->FindRule(id);
}

Result<AlertRule> AlertEngine::UpdateRule(const AlertRule& rule) {
  ECOUTE_RETURN_IF_ERROR(ValidateRule(rule, /*secret_may_be_empty=*/true, options_.outbound));
  MutexLock lock(mutex_);
  ECOUTE_ASSIGN_OR_RETURN(AlertRule current, tables_->FindRule(rule.id));
  AlertRule updated = rule;
  if (updated.target.secret.empty()) updated.target.secret = current.target.secret;
  ECOUTE_RETURN_IF_ERROR(tables_->UpdateRule(updated));
  return updated;
}

Status AlertEngine::DeleteRule(int64_t id) {
  MutexLock lock(mutex_);
  return tables_->DeleteRule(id);
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
    MutexLock lock(mutex_);
    std::vector<AlertRule> rules;
    if (targets == nullptr) {
      ECOUTE_ASSIGN_OR_RETURN(std::vector<AlertRule> all, tables_->ListRules());
      for (AlertRule& rule : all) {
        if (Matches(rule, event)) rules.push_back(std::move(rule));
      }
      if (rules.empty()) return 0;
    }
    std::vector<QueuedDelivery> deliveries;
    auto add = [&](const AlertRule* rule, const WebhookTarget& target) {
      QueuedDelivery& d = deliveries.emplace_back();
      d.rule_id = rule != nullptr ? std::optional<int64_t>(rule->id) : std::nullopt;
      d.url = target.url;
      d.secret = target.secret;
      d.dedupe_key = DedupeKey(event, rule, target.url);
      d.event_kind = event.kind;
      d.case_id = event.case_id;
      d.brand = event.brand;
      d.body = WebhookBody(event, d.dedupe_key, rule);
      d.event_at = event.at;
    };
    for (const AlertRule& rule : rules) add(&rule, rule.target);
    if (targets != nullptr) {
      for (const WebhookTarget& target : *targets) add(nullptr, target);
    }
    ECOUTE_ASSIGN_OR_RETURN(queued, tables_->AddDeliveries(deliveries, now));
  }
  queued_ += queued;
  if (queued > 0) Wake();
  return queued;
}

Result<int> AlertEngine::NotifyByMail(const AlertEvent& event, std::string_view address,
                                      std::string_view subject, std::string_view text) {
  if (!sends_mail()) {
    return Status(StatusCode::kFailedPrecondition,
                  "no mail server: set [alerts] smtp_url and mail_from");
  }
  if (!IsMailAddress(address)) {
    return InvalidArgumentError("\"" + OneLine(address.substr(0, 80)) +
                                "\" is not an e-mail address");
  }
  QueuedDelivery d;
  d.url = std::string(kMailto) + std::string(address);
  d.dedupe_key = DedupeKey(event, nullptr, d.url);
  d.event_kind = event.kind;
  d.case_id = event.case_id;
  d.brand = event.brand;
  d.event_at = event.at;
  // RFC 5322 lines end in CRLF (the dot-stuffing of SMTP's DATA is the sender's).
  std::string crlf;
  for (char c : text) {
    if (c == '\n') {
      crlf += "\r\n";
    } else if (c != '\r') {
      crlf += c;
    }
  }
  d.body = "From: " + options_.mail.from + "\r\nTo: " + std::string(address) +
           "\r\nSubject: " + EncodedWord(subject) + "\r\nDate: " + MailDate(event.at) +
           "\r\nMessage-ID: <" + d.dedupe_key + "@ecoute>" +
           "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8"
           "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
           crlf + "\r\n";
  return Enqueue({std::move(d)});
}

Result<int> AlertEngine::Enqueue(std::vector<QueuedDelivery> deliveries) {
  int queued = 0;
  {
    MutexLock lock(mutex_);
    ECOUTE_ASSIGN_OR_RETURN(queued, tables_->AddDeliveries(deliveries, clock_.Now()));
  }
  queued_ += queued;
  if (queued > 0) Wake();
  return queued;
}

void AlertEngine::Wake() {
  MutexLock lock(wake_mutex_);
  woken_ = true;
  wake_.NotifyOne();
}

int AlertEngine::DeliverDue() {
  MutexLock deliver_lock(deliver_mutex_);
  int attempted = 0;
  int64_t after_id = 0;
  // Rounds of kDueBatch by id, so that deliveries rescheduled in this call (and due again
  // only if the clock moved) are not attempted twice in one call.
  while (!stopping_.load()) {
    std::vector<DueDelivery> due;
    {
      MutexLock lock(mutex_);
      Result<std::vector<DueDelivery>> read =
          tables_->DueDeliveries(clock_.Now(), after_id, kDueBatch);
      if (read) {
        due = std::move(read).value();
      } else {
        Report(read.error());
        break;
      }
    }
    for (const DueDelivery& d : due) {
      if (stopping_.load()) break;
      Attempt(d);
      ++attempted;
      after_id = d.id;
    }
    if (static_cast<int>(due.size()) < kDueBatch) break;
  }
  return attempted;
}

void AlertEngine::Attempt(const DueDelivery& due) {
  const int64_t timestamp = clock_.Now();
  const bool is_mail = std::string_view(due.url).starts_with(kMailto);
  const std::vector<std::string> headers =
      SignedHeaders(options_, due.secret, due.dedupe_key, due.event_kind, timestamp, due.body);
  const Outcome outcome = is_mail ? Mail(due.url.substr(kMailto.size()), due.body, options_)
                                  : Post(due.url, headers, due.body, options_);
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
    MutexLock lock(mutex_);
    const Status status = tables_->RecordAttempt(
        due.id, state, attempts, next_attempt_at,
        outcome.delivered ? std::optional<int64_t>(now) : std::nullopt, outcome.error);
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

Result<AlertEngine::TestOutcome> AlertEngine::SendTest(const AlertRule& rule) {
  ECOUTE_RETURN_IF_ERROR(ValidateTarget(rule.target, options_.outbound));
  AlertEvent event;
  event.kind = "test";
  event.brand = rule.brands.empty() ? std::string() : rule.brands.front();
  event.at = clock_.Now();
  event.detail = "A test delivery from ecoute for the rule \"" + rule.name +
                 "\": the signature checks out if your receiver verifies it.";
  // Each test its own id: a receiver that drops repeats still takes the next test.
  unsigned char nonce[8];
  randombytes_buf(nonce, sizeof nonce);
  const std::string id = "test_" + Hex(nonce, sizeof nonce);
  const std::string body = WebhookBody(event, id, &rule);
  const Outcome outcome = Post(
      rule.target.url, SignedHeaders(options_, rule.target.secret, id, event.kind, event.at, body),
      body, options_);
  TestOutcome out;
  out.delivered = outcome.delivered;
  out.http_status = outcome.http_status;
  out.error = outcome.error;
  out.webhook_id = id;
  return out;
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
    MutexLock lock(wake_mutex_);
    stopping_ = true;
    wake_.NotifyAll();
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
      MutexLock lock(mutex_);
      Result<std::optional<int64_t>> next = tables_->NextAttemptAt();
      if (next && next->has_value()) {
        wait_seconds = std::clamp<int64_t>(**next - clock_.Now(), 0, 1);
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    MutexLock lock(wake_mutex_);
    while (!woken_ && !stopping_.load()) {
      if (!wake_.WaitUntil(wake_mutex_, deadline)) break;
    }
    woken_ = false;
  }
}

Result<std::vector<Delivery>> AlertEngine::ListDeliveries(std::optional<DeliveryState> state,
                                                          int limit) {
  MutexLock lock(mutex_);
  return tables_->ListDeliveries(state, limit);
}

Result<Delivery> AlertEngine::GetDelivery(int64_t id) {
  MutexLock lock(mutex_);
  return tables_->FindDelivery(id);
}

Status AlertEngine::Retry(int64_t delivery_id) {
  {
    MutexLock lock(mutex_);
    ECOUTE_ASSIGN_OR_RETURN(const Delivery delivery, tables_->FindDelivery(delivery_id));
    if (delivery.state != DeliveryState::kDead) {
      return Status(StatusCode::kFailedPrecondition,
                    "delivery " + std::to_string(delivery_id) + " is " +
                        std::string(DeliveryStateName(delivery.state)) + ", not dead");
    }
    ECOUTE_RETURN_IF_ERROR(tables_->ReviveDelivery(delivery_id, clock_.Now()));
  }
  Wake();
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
  MutexLock lock(mutex_);
  Result<int64_t> pending = tables_->CountPending();
  return pending ? *pending : -1;
}

}  // namespace ecoute::server
