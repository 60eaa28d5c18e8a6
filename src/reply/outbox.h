// The outbox of replies sent from ecoute (docs/REPLIES.md): the accounts each brand answers
// with, and the replies queued by agents, sent by a worker thread over their channel.
//
// States: queued -> sending -> sent | failed | uncertain; a retry (after 429, 5xx, a
// timeout) goes back to queued with its next attempt. A reply is written `sending` before
// its attempt, so that a process stopped mid-send finds it on restart: re-queued on the
// channels that recognise a repeat (Mastodon's Idempotency-Key, Bluesky's record key,
// webhook-id), `uncertain` for e-mail. An uncertain reply is never retried by itself.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/fetch.h"
#include "ecoute/post.h"
#include "ecoute/status.h"

#include "reply/senders.h"
#include "reply/vault.h"
#include "store/reply_tables.h"
#include "util/clock.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::reply {

struct ReplyOptions {
  // A reply fails after this many attempts that asked for a retry.
  int max_attempts = 6;
  // The wait after the n-th attempt: first_backoff * 2^(n-1), at most max_backoff; a
  // Retry-After from the platform is honoured up to max_retry_after.
  int64_t first_backoff_seconds = 30;
  int64_t max_backoff_seconds = 3600;
  int64_t max_retry_after_seconds = 86400;
  // Timeouts, the outbound policy and the CA file of every request.
  FetchOptions fetch;
  // The secret key file; empty: DefaultKeyFile(db).
  std::string key_file;
};

// An account as anyone may see it: the settings, never the secrets.
struct AccountView {
  std::string brand;
  std::string channel;
  nlohmann::json settings;
  bool has_secret = false;
  std::string updated_by;
  int64_t updated_at = 0;
};

// Thread-safe: every call may come from any thread while the worker sends. The tables are
// used under mutex_, never held during an attempt.
class Outbox {
 public:
  // Records a sent reply into its case (the ingest path, at integration); its failure is
  // reported in the reply's last_error, the reply staying sent.
  using OnSent = std::function<Status(const ReplyRecord&, const Post& sent)>;
  // The customer's post a reply answers (its case's), for the senders.
  using FindOriginal = std::function<Result<Post>(const ReplyRecord&)>;

  // Opens the reply tables of `db_path` and the vault of options.key_file (made if
  // missing). Fails as OpenReplyTables and SecretVault::Open.
  static Result<std::unique_ptr<Outbox>> Open(const std::string& db_path, const Clock& clock,
                                              ReplyOptions options = {});
  Outbox(std::unique_ptr<ReplyTables> tables, SecretVault vault, const Clock& clock,
         ReplyOptions options);
  ~Outbox();  // stops the worker
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // ---- accounts ----
  // Sets the account of (brand, channel). `secrets` nullopt keeps the current ones; the
  // fields given replace theirs. kInvalidArgument (ValidateAccount) naming what is wrong.
  Status SetAccount(const std::string& brand, const std::string& channel,
                    const nlohmann::json& settings, const std::optional<nlohmann::json>& secrets,
                    const std::string& actor);
  Result<std::vector<AccountView>> ListAccounts(const std::string& brand);  // "" every brand
  Status RemoveAccount(const std::string& brand, const std::string& channel);
  // Whether the brand has an account on the channel.
  bool HasAccount(const std::string& brand, const std::string& channel);

  // ---- replies ----
  // Queues `reply` (its case, brand, channel, text, recipient, in_reply_to, key, actor),
  // due now; the same idempotency key again returns the reply stored under it, and false.
  // kInvalidArgument for an empty text or key, a text over the channel's limit, an e-mail
  // without recipient; kFailedPrecondition when the brand has no account on the channel;
  // kAlreadyExists when the key belongs to another case's reply.
  Result<std::pair<ReplyRecord, bool>> Queue(ReplyRecord reply);
  Result<ReplyRecord> Get(int64_t id);
  Result<std::vector<ReplyRecord>> ForCase(int64_t case_id);
  // Queues a failed or uncertain reply again, due now, with a fresh set of attempts.
  // kFailedPrecondition for a reply in another state.
  Result<ReplyRecord> Retry(int64_t id);

  // Attempts reply `id` now when it is queued and due (`ecoute cases reply`), and returns
  // it as the attempt left it; a reply in another state, or waiting (a platform's
  // Retry-After, a back-off), is returned as it is.
  Result<ReplyRecord> SendNow(int64_t id) ECOUTE_EXCLUDES(send_mutex_, mutex_);
  // Attempts every queued reply that is due; returns how many.
  int SendDue() ECOUTE_EXCLUDES(send_mutex_, mutex_);
  // The worker: SendDue at once after Queue or Retry, else at least every second. Replies
  // left `sending` by a stopped process are settled first (see above).
  void Start();
  void Stop();

  // Set before Start.
  OnSent on_sent;
  FindOriginal find_original;
  std::function<void(const ReplyRecord&)> on_change;  // every change of state (live events)
  std::function<void(const Status&)> on_error;        // for the log: never a secret in it

 private:
  void Attempt(const ReplyRecord& due) ECOUTE_REQUIRES(send_mutex_) ECOUTE_EXCLUDES(mutex_);
  void Finish(ReplyRecord reply, const SendResult& result) ECOUTE_EXCLUDES(mutex_);
  Result<OpenAccount> OpenAccountOf(const std::string& brand, const std::string& channel)
      ECOUTE_EXCLUDES(mutex_);
  bool Write(const ReplyRecord& reply, std::string_view from) ECOUTE_EXCLUDES(mutex_);
  void Settle() ECOUTE_EXCLUDES(mutex_);
  void Run();
  void Wake() ECOUTE_EXCLUDES(wake_mutex_);
  void Report(const Status& status);
  void Changed(const ReplyRecord& reply);

  const Clock& clock_;
  const ReplyOptions options_;
  const SecretVault vault_;
  Mutex mutex_;
  std::unique_ptr<ReplyTables> tables_ ECOUTE_GUARDED_BY(mutex_);
  Mutex send_mutex_;
  Mutex wake_mutex_;
  CondVar wake_;
  bool woken_ ECOUTE_GUARDED_BY(wake_mutex_) = false;
  std::atomic<bool> stopping_{false};
  std::thread worker_;
};

// The JSON of a reply as the API shows it.
nlohmann::json ReplyJson(const ReplyRecord& reply);

}  // namespace ecoute::reply
