// The tables of replies sent from ecoute (reply/outbox.h, docs/REPLIES.md): the accounts a
// brand answers with, per channel, their secrets sealed (reply/vault.h: the key is not in
// the database), and the outbox of replies with their attempts. Sending is the outbox's;
// these calls only keep the rows, each write atomic.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

// One account of a brand on one channel.
struct ReplyAccount {
  std::string brand;
  std::string channel;   // mastodon, bluesky, email, webhook
  std::string settings;  // a JSON object, without secrets: instance, handle, SMTP URL...
  std::string sealed;    // the secrets' JSON sealed by the vault (bytes); empty: none
  std::string updated_by;
  int64_t updated_at = 0;
};

// One reply in the outbox. `status` is one of queued, sending, sent, failed, uncertain.
struct ReplyRecord {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string brand;
  std::string channel;
  std::string in_reply_to;  // what is answered: a status URL, an AT URI, a Message-ID
  std::string recipient;    // an e-mail address, a handle
  std::string text;
  std::string idempotency_key;
  std::string status = "queued";
  int attempts = 0;
  std::optional<int64_t> next_attempt_at;  // when queued
  std::string last_error;
  std::string platform_id;
  std::string platform_url;
  std::string actor;  // "agent:marie"
  int64_t created_at = 0;
  std::optional<int64_t> sent_at;
};

// Not thread-safe: one caller at a time. Lookups that find nothing fail with kNotFound;
// storage failures with the codes of status.h.
class ReplyTables {
 public:
  virtual ~ReplyTables() = default;

  // ---- accounts ----
  // Adds or replaces the account of (brand, channel).
  virtual Status PutAccount(const ReplyAccount& account) = 0;
  // The accounts of `brand` (every brand when empty), by brand and channel.
  virtual Result<std::vector<ReplyAccount>> ListAccounts(std::string_view brand) = 0;
  // kNotFound: "no email account for brand Jeanerie".
  virtual Result<ReplyAccount> FindAccount(std::string_view brand, std::string_view channel) = 0;
  // kNotFound as FindAccount.
  virtual Status DeleteAccount(std::string_view brand, std::string_view channel) = 0;

  // ---- the outbox ----
  // Adds the reply (id ignored) unless one with its idempotency key exists: returns the
  // reply stored under the key, and whether it was added now.
  virtual Result<std::pair<ReplyRecord, bool>> AddReply(const ReplyRecord& reply) = 0;
  // kNotFound: "no reply 3".
  virtual Result<ReplyRecord> FindReply(int64_t id) = 0;
  // The replies of a case, oldest first.
  virtual Result<std::vector<ReplyRecord>> CaseReplies(int64_t case_id) = 0;
  // Replies in `status`, by id, at most `limit`; for "queued", only those due at `now`.
  virtual Result<std::vector<ReplyRecord>> RepliesIn(std::string_view status, int64_t now,
                                                     int limit) = 0;
  // Writes the reply's status, attempts, next attempt, error, platform id and URL and time
  // sent, if its status is still `from`; false when it was not (another caller moved it).
  virtual Result<bool> UpdateReply(const ReplyRecord& reply, std::string_view from) = 0;
  // The earliest next attempt of a queued reply; nullopt when none is queued.
  virtual Result<std::optional<int64_t>> NextAttemptAt() = 0;
};

// Opens the reply tables of the store's database at `db_path` (created with the rest of
// the schema if needed), on a connection of their own. Fails as OpenAlertTables.
Result<std::unique_ptr<ReplyTables>> OpenReplyTables(const std::string& db_path);

}  // namespace ecoute
