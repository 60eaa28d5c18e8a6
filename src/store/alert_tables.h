// The tables of alerts (alerts/alerts.h): the rules that say which events a team wants
// pushed to it, and the queue of webhook deliveries with their attempts. Matching, signing
// and sending are the alert engine's; these calls only keep the rows, each write atomic.
// (The SLA monitor keeps no state of its own: a case's escalation is in the store.)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/status.h"

namespace ecoute {

// Where a webhook goes, and the key its body is signed with.
struct WebhookTarget {
  std::string url;  // http:// or https://, without user name or password
  // "whsec_" and the key in base64 (Standard Webhooks), or the key's bytes themselves (the
  // secrets of ecoute 0.1). Either way the key is at least kMinSecretBytes bytes.
  std::string secret;
};

struct AlertRule {
  int64_t id = 0;
  std::string name;
  // Each filter is "any" when empty; a case event matches when it passes all of them.
  std::vector<std::string> brands;  // compared without regard to case; no line breaks
  std::vector<Stance> stances;
  std::vector<Topic> topics;  // matches when the event has one of them
  int min_priority = 0;       // 0..100
  // Which events the rule wants. "case.opened" and "case.reopened" go with on_case_opened.
  // A spike is about volume, not a case: only `brands` filters it.
  bool on_case_opened = true;
  bool on_escalation = false;
  bool on_spike = false;
  WebhookTarget target;
  bool enabled = true;
  int64_t created_by = 0;  // the user id
};

enum class DeliveryState : uint8_t { kPending, kDelivered, kDead };

// A delivery as listed: without its body or secret.
struct Delivery {
  int64_t id = 0;
  std::optional<int64_t> rule_id;  // none for a Notify
  std::string url;
  std::string dedupe_key;
  std::string event_kind;
  int64_t case_id = 0;
  std::string brand;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  int64_t created_at = 0;
  int64_t next_attempt_at = 0;
  std::optional<int64_t> delivered_at;
  // "HTTP 500", "timeout after 5000 ms", "cannot connect: Connection refused", "refused by
  // the outbound policy: ..." (then never the system's reason: see OutboundRefusal).
  std::string last_error;
};

// A delivery to queue. The body and the secret are kept with it, so that a retry after a
// restart sends the same bytes, signed with the key the event was queued for.
struct QueuedDelivery {
  std::optional<int64_t> rule_id;
  std::string url;
  std::string secret;
  std::string dedupe_key;
  std::string event_kind;
  int64_t case_id = 0;
  std::string brand;
  std::string body;
  int64_t event_at = 0;
};

// A pending delivery whose attempt is due: what sending it takes.
struct DueDelivery {
  int64_t id = 0;
  std::string url;
  std::string secret;
  std::string dedupe_key;
  std::string event_kind;
  std::string body;
  int64_t event_at = 0;
  int attempts = 0;
};

// Not thread-safe: one caller at a time (AlertEngine holds its mutex around every call, and
// never during an HTTP attempt). Each call that writes more than one row does so in one
// transaction, all or nothing; writes are durable when they return. Lookups that find
// nothing fail with kNotFound; storage failures with the codes of status.h.
class AlertTables {
 public:
  virtual ~AlertTables() = default;

  // ---- rules ----

  // Adds the rule (id ignored); returns its id.
  virtual Result<int64_t> AddRule(const AlertRule& rule) = 0;
  // Every rule, by id, secrets included.
  virtual Result<std::vector<AlertRule>> ListRules() = 0;
  // kNotFound: "no alert rule 4". Stances and topics a later ecoute added are left out.
  virtual Result<AlertRule> FindRule(int64_t id) = 0;
  // Replaces every field of the rule of rule.id.
  virtual Status UpdateRule(const AlertRule& rule) = 0;
  // Removes the rule and its pending deliveries; delivered and dead ones stay as history.
  // kNotFound: "no alert rule 4".
  virtual Status DeleteRule(int64_t id) = 0;

  // ---- deliveries ----

  // Queues the deliveries, pending and due at `now`; one whose dedupe key is already queued
  // is skipped. Returns the number added.
  virtual Result<int> AddDeliveries(std::span<const QueuedDelivery> deliveries, int64_t now) = 0;
  // Pending deliveries due at `now` with an id above `after_id`, by id, at most `limit`.
  virtual Result<std::vector<DueDelivery>> DueDeliveries(int64_t now, int64_t after_id,
                                                         int limit) = 0;
  // Records an attempt: the delivery's new state, attempt count, next attempt time, time
  // of delivery (when delivered) and error ("" when delivered).
  virtual Status RecordAttempt(int64_t id, DeliveryState state, int attempts,
                               int64_t next_attempt_at, std::optional<int64_t> delivered_at,
                               std::string_view last_error) = 0;
  // The earliest next attempt of a pending delivery; nullopt when none is pending.
  virtual Result<std::optional<int64_t>> NextAttemptAt() = 0;
  // Newest first, at most `limit` (0 or less: none); every state when `state` is nullopt.
  virtual Result<std::vector<Delivery>> ListDeliveries(std::optional<DeliveryState> state,
                                                       int limit) = 0;
  // kNotFound: "no delivery 12".
  virtual Result<Delivery> FindDelivery(int64_t id) = 0;
  // Makes a dead delivery pending again, due at `now`, with no attempts; does nothing to a
  // delivery that is not dead.
  virtual Status ReviveDelivery(int64_t id, int64_t now) = 0;
  virtual Result<int64_t> CountPending() = 0;
};

// Opens the alert tables of the store's database at `db_path` (the SQLite file, created if
// missing), on a connection of their own that syncs every commit to disk, applying the
// schema's pending migrations (store/schema.h). Fails as OpenAccessTables
// (store/access_tables.h).
Result<std::unique_ptr<AlertTables>> OpenAlertTables(const std::string& db_path);

}  // namespace ecoute
