// Replies sent from ecoute and the brands' reply accounts (docs/REPLIES.md), as the
// command line uses them: `ecoute accounts set|list|remove` and `ecoute cases reply`. The
// same outbox, senders, secret key file and outbound policy as `ecoute serve`, read from
// the same settings (ServeOptions: the TOML file, ECOUTE_<SECTION>_<KEY>, the flags).
//
// Secrets go in and never come out: an account is listed with has_secret only, and no
// message names a secret.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecoute/serve.h"
#include "ecoute/status.h"

namespace ecoute {

// An account as anyone may see it.
struct ReplyAccountInfo {
  std::string brand;
  std::string channel;                                        // mastodon, bluesky, email, webhook
  std::vector<std::pair<std::string, std::string>> settings;  // by name
  bool has_secret = false;
  std::string updated_by;
  int64_t updated_at = 0;  // seconds since the epoch
};

// A reply as the outbox keeps it.
struct ReplyInfo {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string channel;
  std::string status;  // queued, sending, sent, failed, uncertain
  std::string recipient;
  std::string in_reply_to;
  std::string idempotency_key;
  int attempts = 0;
  std::optional<int64_t> next_attempt_at;
  std::string last_error;  // what, why, how to fix
  std::string platform_id;
  std::string platform_url;
};

struct ReplyRequest {
  int64_t case_id = 0;
  std::string channel;
  std::string text;
  std::optional<std::string> recipient;  // e-mail and webhook only; else the case's
  std::string idempotency_key;           // the same key again: the same reply
  std::string actor;                     // "agent:marie"
  bool retry = false;  // a failed or uncertain reply under this key is queued again
};

class ReplyDesk {
 public:
  using Getenv = Service::Getenv;

  // Reads the settings as `ecoute serve` does (Service::Configure). Nothing is opened yet;
  // the process's log lines go to stderr from here on (standard output is the answer).
  static Result<std::unique_ptr<ReplyDesk>> Configure(const ServeOptions& options,
                                                      const Getenv& getenv);
  virtual ~ReplyDesk() = default;

  // Sets the account of (brand, channel): `settings` replace theirs; `secret` is the
  // channel's one secret (token, app password, password, webhook secret), nullopt keeps
  // the current one. kInvalidArgument naming a missing or unknown setting, a missing secret
  // or a URL the outbound policy refuses.
  virtual Status SetAccount(const std::string& brand, const std::string& channel,
                            const std::vector<std::pair<std::string, std::string>>& settings,
                            const std::optional<std::string>& secret, const std::string& actor) = 0;
  virtual Result<std::vector<ReplyAccountInfo>> ListAccounts(const std::string& brand) = 0;
  // kNotFound when there is no such account.
  virtual Status RemoveAccount(const std::string& brand, const std::string& channel) = 0;

  // Queues a reply in the outbox and makes its first attempt at once; returns it as that
  // attempt left it (sent, queued for a retry, failed or uncertain). A key already used
  // returns its reply, attempted again when still queued. Needs the brand catalog (the
  // sent reply is analyzed into its case). kNotFound for an unknown case, kInvalidArgument
  // for a channel the customer cannot be reached on, kFailedPrecondition without account.
  virtual Result<ReplyInfo> Reply(const ReplyRequest& request) = 0;
};

}  // namespace ecoute
