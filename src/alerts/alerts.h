// Alerts: rules that say which case events a team wants pushed to it, and webhooks signed
// as Standard Webhooks (https://www.standardwebhooks.com/) that carry them, at least once,
// with retries and dead letters (docs/ALERTS.md).
//
// Every delivery is written to the store's database (AlertTables, store/alert_tables.h)
// before its first attempt and after each one, so that a restart resumes where the last
// process stopped. The HTTP call is made without holding the tables' lock: API threads keep
// publishing while the worker waits on a slow receiver.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/status.h"

#include "fetch/outbound.h"
#include "store/alert_tables.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

// Where a webhook goes (WebhookTarget), what a rule asks for (AlertRule) and how a delivery
// stands (DeliveryState, Delivery) are kept in the alert tables: store/alert_tables.h.
using ::ecoute::AlertRule;
using ::ecoute::Delivery;
using ::ecoute::DeliveryState;
using ::ecoute::WebhookTarget;

constexpr size_t kMinSecretBytes = 16;
constexpr std::string_view kSecretPrefix = "whsec_";

struct AlertEvent {
  std::string kind;     // "case.opened", "case.reopened", "case.escalated", "spike"
  int64_t case_id = 0;  // 0 for a spike
  std::string brand;
  Stance stance = Stance::kComplaint;
  std::vector<Topic> topics;
  int priority = 0;
  int escalation_level = 0;
  // The case's SLA target the escalation is for (1 the first, then one more per target): a
  // level reached again for a later target is another event.
  int64_t round = 0;
  std::string escalation_name;  // the level's name: "supervisor"
  std::string title;
  std::string url;  // the opening post's URL
  std::string customer;
  int64_t at = 0;      // when it happened, seconds since the epoch
  std::string detail;  // a sentence for humans: the escalation's reason, the spike's figures
};

std::string_view DeliveryStateName(DeliveryState state);  // "pending", "delivered", "dead"
bool ParseDeliveryState(std::string_view name, DeliveryState& out);

// The mail server that carries e-mail deliveries (AlertEngine::NotifyByMail): [alerts]
// smtp_url, smtp_username, smtp_password, mail_from. No smtp_url: no e-mail is sent.
struct MailSettings {
  std::string smtp_url;  // smtp://host:587 (STARTTLS) or smtps://host:465
  std::string username;  // empty: no authentication
  std::string password;
  std::string from;     // the sender's address: "ecoute@example.com"
  std::string ca_file;  // certificates to verify the server with (empty: the system's)
};

struct AlertOptions {
  // A delivery is dead after this many failed attempts.
  int max_attempts = 8;
  // The wait after the n-th failed attempt: first_backoff * 2^(n-1), at most max_backoff,
  // plus up to `jitter` of itself at random so that receivers coming back up are not hit by
  // every retry in the same second. Tests set jitter to 0.
  int64_t first_backoff_seconds = 5;
  int64_t max_backoff_seconds = 3600;
  double jitter = 0.1;
  long timeout_ms = 5000;  // NOLINT(google-runtime-int): libcurl's type
  std::string user_agent = "ecoute-webhook/0.1";
  // Which receivers may be reached, checked when a rule or a contact is given and again
  // on every attempt: public addresses only by default.
  OutboundPolicy outbound;
  // E-mail deliveries (NotifyByMail) go through this server.
  MailSettings mail;
  // Also send X-Ecoute-Timestamp and X-Ecoute-Signature, the signature of ecoute 0.1.
  // Deprecated: receivers should check webhook-signature; removed in the next release.
  bool legacy_signature = true;
};

// Thread-safe: rules, events and deliveries may be added, read and changed from any
// thread while the worker delivers. The tables are called under mutex_, never held during
// an HTTP attempt; DeliverDue runs under deliver_mutex_, one call at a time, taking
// mutex_ for each read and write of the tables.
class AlertEngine {
 public:
  // Opens the alert tables of the store's database `db_path` (OpenAlertTables: created
  // with the rest of the schema if needed). Fails with kFailedPrecondition on a file written
  // by a newer ecoute, kDataLoss on another program's file.
  static Result<std::unique_ptr<AlertEngine>> Open(const std::string& db_path, const Clock& clock,
                                                   AlertOptions options = {});
  // The same over tables already open (another backend, a test's).
  static Result<std::unique_ptr<AlertEngine>> Open(std::unique_ptr<AlertTables> tables,
                                                   const Clock& clock, AlertOptions options = {});
  ~AlertEngine();  // stops the worker
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Fails with kInvalidArgument on an empty name, a priority outside 0..100, or a target
  // ValidateTarget refuses under options.outbound. An empty secret is generated ("whsec_"
  // and 32 random bytes in base64): the result holds it, the only time the caller sees it
  // unless it lists the rules. `rule.id` is ignored.
  Result<AlertRule> CreateRule(AlertRule rule);
  Result<std::vector<AlertRule>> ListRules();  // by id, secrets included
  Result<AlertRule> GetRule(int64_t id);       // kNotFound for an unknown id
  // Replaces the rule of that id; an empty secret keeps the current one. kNotFound for an
  // unknown id.
  Result<AlertRule> UpdateRule(const AlertRule& rule);
  // Removes the rule and its pending deliveries; delivered and dead ones stay as history.
  Status DeleteRule(int64_t id);

  // Queues (persists) one delivery per enabled rule that matches the event; returns the
  // number queued. An event whose dedupe key is already queued is not queued again.
  Result<int> Publish(const AlertEvent& event);
  // Queues the event to these targets (escalation contacts), without a rule. Fails with
  // kInvalidArgument, queueing nothing, when a target is invalid (ValidateTarget under
  // options.outbound).
  Result<int> Notify(const AlertEvent& event, const std::vector<WebhookTarget>& targets);

  // Queues the event as an e-mail to `address` (a delivery whose url is "mailto:" and the
  // address, in the same queue, with the same retries and dead letters as a webhook's):
  // `subject` and `text` (plain UTF-8) make the message. Fails with kFailedPrecondition when
  // options.mail has no smtp_url or from, kInvalidArgument on an address that is not one.
  Result<int> NotifyByMail(const AlertEvent& event, std::string_view address,
                           std::string_view subject, std::string_view text);
  bool sends_mail() const { return !options_.mail.smtp_url.empty() && !options_.mail.from.empty(); }

  // Attempts every pending delivery whose next attempt is due (clock.Now()); returns the
  // number attempted. One caller at a time: a second waits for the first.
  int DeliverDue() ECOUTE_EXCLUDES(deliver_mutex_, mutex_);
  // A background thread that runs DeliverDue: at once after a Publish or Notify that
  // queued something, else at the next due time, at least every second (so that a
  // ManualClock moved by a test is noticed).
  void Start();
  // Finishes the attempt in progress and joins the thread; pending deliveries stay in the
  // file for the next Open.
  void Stop();

  // What a test delivery came to.
  struct TestOutcome {
    bool delivered = false;
    long http_status = 0;  // NOLINT(google-runtime-int): libcurl's type. 0: no answer
    std::string error;     // empty when delivered
    std::string webhook_id;
  };
  // Sends `rule` a "test" event at once, signed and sent as every delivery is (the same
  // headers, body shape and outbound policy), and waits for the answer. Not queued: it is
  // not retried, not listed, and its failure makes no dead letter. kInvalidArgument when
  // the rule's target is invalid (ValidateTarget).
  Result<TestOutcome> SendTest(const AlertRule& rule);

  // Newest first; every state when `state` is empty.
  Result<std::vector<Delivery>> ListDeliveries(std::optional<DeliveryState> state, int limit);
  // One delivery; kNotFound for an unknown id.
  Result<Delivery> GetDelivery(int64_t id);
  // Revives a dead delivery: pending, due now, with a fresh set of attempts. kNotFound for
  // an unknown id, kFailedPrecondition for one that is not dead.
  Status Retry(int64_t delivery_id);

  struct Counters {
    int64_t delivered = 0;
    int64_t failed_attempts = 0;
    int64_t dead = 0;
    int64_t queued = 0;
  };
  Counters counters() const;  // since Open
  int64_t PendingCount();     // -1 when the database cannot be read

  // Called by the delivering thread after each successful delivery with the seconds from
  // the event to its delivery. Set it before Start.
  std::function<void(double)> on_delivered;
  // Called by the delivering thread with what it cannot return to anyone: a delivery gone
  // dead (kUnavailable, naming the receiver's origin only: a URL's path may be a
  // credential), a database error. For the log. Set it before Start.
  std::function<void(const Status&)> on_error;

 private:
  AlertEngine(std::unique_ptr<AlertTables> tables, const Clock& clock, AlertOptions options);
  // To `targets`, or to the matching rules when null.
  Result<int> Queue(const AlertEvent& event, const std::vector<WebhookTarget>* targets)
      ECOUTE_EXCLUDES(mutex_, wake_mutex_);
  // Adds ready deliveries to the queue and wakes the worker.
  Result<int> Enqueue(std::vector<QueuedDelivery> deliveries) ECOUTE_EXCLUDES(mutex_, wake_mutex_);
  void Attempt(const DueDelivery& due) ECOUTE_REQUIRES(deliver_mutex_) ECOUTE_EXCLUDES(mutex_);
  void Report(const Status& status);
  void Run() ECOUTE_EXCLUDES(mutex_, deliver_mutex_, wake_mutex_);
  // Wakes the worker: something is due now.
  void Wake() ECOUTE_EXCLUDES(wake_mutex_);

  const Clock& clock_;
  const AlertOptions options_;
  Mutex mutex_;  // one caller of the tables at a time
  std::unique_ptr<AlertTables> tables_ ECOUTE_GUARDED_BY(mutex_);
  Mutex deliver_mutex_;  // one DeliverDue at a time
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_attempts_{0};
  std::atomic<int64_t> dead_{0};
  std::atomic<int64_t> queued_{0};
  // The worker.
  Mutex wake_mutex_;
  CondVar wake_;  // with wake_mutex_
  bool woken_ ECOUTE_GUARDED_BY(wake_mutex_) = false;
  std::atomic<bool> stopping_{false};
  std::thread worker_;
};

// kInvalidArgument, saying what is wrong and how to fix it, unless the URL is http(s) with
// a host, without user name or password, and not refused by `policy` before any lookup
// (CheckOutboundUrl: a literal non-public address, an internal name), and the secret's key
// (WebhookKey) is at least kMinSecretBytes long. Names are checked on each attempt.
Status ValidateTarget(const WebhookTarget& target, const OutboundPolicy& policy);

// The key of one event for one receiver: the first 32 hex digits of the SHA-256 of the rule
// (or, without one, the target URL), the event kind, the case, the escalation level and, for
// events that repeat (reopenings, spikes), the brand and time. Stable: the same event for
// the same receiver always has the same key, sent as webhook-id and X-Ecoute-Delivery.
std::string DedupeKey(const AlertEvent& event, const AlertRule* rule, std::string_view url);

// The JSON body of a delivery (docs/ALERTS.md): one object, no trailing newline.
std::string WebhookBody(const AlertEvent& event, std::string_view dedupe_key,
                        const AlertRule* rule);

// The HMAC key of a secret: the base64 after "whsec_" decoded (padded or not), or, without
// the prefix, the secret's bytes. nullopt for "whsec_" followed by something not base64.
std::optional<std::string> WebhookKey(std::string_view secret);

// The webhook-signature header of Standard Webhooks: "v1," and the base64 HMAC-SHA256 of
// "<id>.<timestamp>.<body>" keyed with WebhookKey(secret) (the secret's bytes when it does
// not decode, which ValidateTarget prevents).
std::string StandardWebhookSignature(std::string_view secret, std::string_view id,
                                     int64_t timestamp, std::string_view body);

// "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body), keyed with the secret's
// text as it is: X-Ecoute-Signature, deprecated (AlertOptions::legacy_signature).
std::string WebhookSignature(std::string_view secret, int64_t timestamp, std::string_view body);
// Lower-case hex HMAC-SHA256 of `data` with a key of any length.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// A secret as the API shows it after its creation: a fixed mask that tells nothing of its
// length or content, "whsec_••••••••" for a Standard Webhooks secret, "••••••••" otherwise.
std::string MaskSecret(std::string_view secret);

}  // namespace ecoute::server
