// The senders: one reply posted where the customer spoke, over the channel's own protocol
// (docs/REPLIES.md): Mastodon's REST API, Bluesky's XRPC, SMTP, a signed webhook. Each
// sender makes one attempt and says what became of it; the outbox (reply/outbox.h) decides
// about retries. Every request goes through src/fetch, under the outbound policy.
//
// A sender never puts a secret in an error: messages say what happened, why, and how to
// fix it, naming the platform and the account's public settings only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/fetch.h"
#include "ecoute/post.h"
#include "ecoute/status.h"

#include "fetch/fetcher.h"
#include "store/reply_tables.h"

namespace ecoute::reply {

// The channels, in the order options are offered.
inline constexpr std::string_view kChannels[] = {"mastodon", "bluesky", "email", "webhook"};
bool IsChannel(std::string_view channel);

// The settings and the secrets each channel's account takes, required ones first.
struct AccountFields {
  std::vector<std::string> settings;
  std::vector<std::string> optional_settings;
  std::vector<std::string> secrets;
};
AccountFields FieldsOf(std::string_view channel);
// kInvalidArgument naming the first missing or unknown field, or a URL the outbound policy
// refuses before any lookup; secrets are checked for presence only.
Status ValidateAccount(std::string_view channel, const nlohmann::json& settings,
                       const nlohmann::json& secrets, const OutboundPolicy& policy);

// An account with its secrets opened.
struct OpenAccount {
  std::string brand;
  std::string channel;
  nlohmann::json settings = nlohmann::json::object();
  nlohmann::json secrets = nlohmann::json::object();
};

// One reply to send.
struct Outgoing {
  ReplyRecord reply;
  OpenAccount account;
  Post original;  // the customer's post answered (its id, URL, title, author)
};

enum class Verdict { kSent, kRetry, kFailed, kUncertain };

struct SendResult {
  Verdict verdict = Verdict::kFailed;
  std::string error;                // "" when sent
  std::optional<int64_t> retry_at;  // when the platform asked to wait (Retry-After)
  std::string platform_id;
  std::string platform_url;
  Post sent;  // the reply as ecoute's reader of the channel will read it
};

// One attempt over the reply's channel. `now` dates what is sent (seconds).
SendResult Send(const Outgoing& outgoing, const FetchOptions& fetch, int64_t now);

// The most a channel's text may hold, and in what: Mastodon 500 characters (code points, a
// default the instance may raise), Bluesky 300 graphemes; nullopt for email and webhooks.
struct TextLimit {
  int limit = 0;
  std::string unit;  // "characters", "graphemes"
};
std::optional<TextLimit> LimitOf(std::string_view channel);
// How long `text` is in `unit`.
int TextLength(std::string_view text, std::string_view unit);
// Extended grapheme clusters (Unicode's rules, UAX #29, as utf8proc implements them): what
// a reader sees as one character, "é" decomposed, a flag or a family emoji each one.
int CountGraphemes(std::string_view utf8);

// The record key of a Bluesky reply: a TID (13 base32-sortable characters) made from the
// reply's creation time and its idempotency key, the same on every attempt, so that a retry
// finds the record rather than posting twice.
std::string BlueskyRecordKey(std::string_view idempotency_key, int64_t created_at);
// The Message-ID of an e-mail reply, "<hex@domain>", from its idempotency key.
std::string MailMessageId(std::string_view idempotency_key, std::string_view from);

namespace internal {
// Shared by the senders' files.
std::string PercentEncode(std::string_view text);
std::string HostOf(std::string_view url);  // lower case, without port or user info
std::string TrimSlash(std::string text);
std::optional<int64_t> RetryAt(const HttpAnswer& answer, int64_t now);
// The verdict of an HTTP exchange that did not succeed (a failure, or a status not 2xx);
// `what` names the step ("Mastodon: posting the reply"), `dedupes` whether the platform
// recognises a repeat (a request that may have arrived is then retried, not uncertain).
SendResult NotSent(const Result<HttpAnswer>& answer, const SendTrace& trace, bool dedupes,
                   std::string_view what, std::string_view fix_credentials, int64_t now);
std::string Setting(const nlohmann::json& j, const char* name);
SendResult SendMail(const Outgoing& outgoing, const FetchOptions& fetch, int64_t now);
SendResult SendWebhook(const Outgoing& outgoing, const FetchOptions& fetch, int64_t now);
}  // namespace internal

}  // namespace ecoute::reply
