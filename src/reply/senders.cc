// The senders' common part, Mastodon and Bluesky. E-mail and webhooks: senders_mail.cc.
#include "reply/senders.h"

#include <algorithm>
#include <cctype>

#include <sodium.h>
#include <utf8proc.h>

#include "ecoute/datetime.h"

#include "fetch/outbound.h"

namespace ecoute::reply {

using nlohmann::json;

bool IsChannel(std::string_view channel) {
  return std::find(std::begin(kChannels), std::end(kChannels), channel) != std::end(kChannels);
}

AccountFields FieldsOf(std::string_view channel) {
  if (channel == "mastodon") return {{"instance", "handle"}, {}, {"token"}};
  if (channel == "bluesky") return {{"handle"}, {"service"}, {"app_password"}};
  if (channel == "email") return {{"smtp_url", "from"}, {"username"}, {"password"}};
  if (channel == "webhook") return {{"url"}, {}, {"secret"}};
  return {};
}

Status ValidateAccount(std::string_view channel, const json& settings, const json& secrets,
                       const OutboundPolicy& policy) {
  if (!IsChannel(channel)) {
    return InvalidArgumentError("unknown channel \"" + std::string(channel).substr(0, 40) +
                                "\": mastodon, bluesky, email or webhook");
  }
  if (!settings.is_object() || !secrets.is_object()) {
    return InvalidArgumentError("settings and secrets are JSON objects");
  }
  const AccountFields fields = FieldsOf(channel);
  for (const std::string& name : fields.settings) {
    if (internal::Setting(settings, name.c_str()).empty()) {
      return InvalidArgumentError(std::string(channel) + " accounts need settings." + name);
    }
  }
  for (const auto& [name, value] : settings.items()) {
    const bool known =
        std::count(fields.settings.begin(), fields.settings.end(), name) +
            std::count(fields.optional_settings.begin(), fields.optional_settings.end(), name) >
        0;
    if (!known || !value.is_string()) {
      return InvalidArgumentError("settings." + name.substr(0, 40) + ": not a setting of " +
                                  std::string(channel) + " accounts (a string expected)");
    }
  }
  for (const std::string& name : fields.secrets) {
    if (internal::Setting(secrets, name.c_str()).empty()) {
      return InvalidArgumentError(std::string(channel) + " accounts need secrets." + name);
    }
  }
  for (const char* url_field : {"instance", "service", "url"}) {
    const std::string url = internal::Setting(settings, url_field);
    if (url.empty()) continue;
    Result<OutboundUrl> checked = CheckOutboundUrl(url, policy);
    if (!checked) {
      return InvalidArgumentError("settings." + std::string(url_field) + ": " +
                                  checked.error().message());
    }
  }
  if (const std::string smtp = internal::Setting(settings, "smtp_url"); !smtp.empty()) {
    Result<OutboundUrl> checked = CheckOutboundMailUrl(smtp, policy);
    if (!checked) return InvalidArgumentError("settings.smtp_url: " + checked.error().message());
  }
  return OkStatus();
}

std::optional<TextLimit> LimitOf(std::string_view channel) {
  if (channel == "mastodon") return TextLimit{500, "characters"};
  if (channel == "bluesky") return TextLimit{300, "graphemes"};
  return std::nullopt;
}

int CountGraphemes(std::string_view utf8) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(utf8.size());
  utf8proc_int32_t previous = -1;
  utf8proc_int32_t state = 0;
  int count = 0;
  while (left > 0) {
    utf8proc_int32_t c = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &c);
    if (n <= 0) {  // an invalid byte counts as one grapheme of its own
      n = 1;
      c = -1;
    }
    if (previous < 0 || c < 0 || utf8proc_grapheme_break_stateful(previous, c, &state)) ++count;
    previous = c;
    p += n;
    left -= n;
  }
  return count;
}

int TextLength(std::string_view text, std::string_view unit) {
  if (unit == "graphemes") return CountGraphemes(text);
  int n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string BlueskyRecordKey(std::string_view idempotency_key, int64_t created_at) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(idempotency_key.data()),
                     idempotency_key.size());
  uint64_t salt = 0;
  for (int i = 0; i < 8; ++i) salt = (salt << 8) | digest[i];
  // A TID: 53 bits of microseconds since the epoch, 10 bits of "clock id"; top bit zero.
  const uint64_t micros =
      static_cast<uint64_t>(std::max<int64_t>(created_at, 0)) * 1000000 + (salt >> 10) % 1000000;
  const uint64_t tid = ((micros & ((uint64_t{1} << 53) - 1)) << 10) | (salt & 0x3FF);
  constexpr std::string_view kAlphabet = "234567abcdefghijklmnopqrstuvwxyz";
  std::string out(13, '2');
  for (int i = 12; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[(tid >> (5 * (12 - i))) & 31];
  }
  return out;
}

namespace internal {

std::string Setting(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (!url.starts_with("[")) url = url.substr(0, url.find(':'));
  std::string host(url);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

std::string TrimSlash(std::string text) {
  while (!text.empty() && text.back() == '/') text.pop_back();
  return text;
}

std::optional<int64_t> RetryAt(const HttpAnswer& answer, int64_t now) {
  const std::string after = answer.Header("retry-after");
  if (!after.empty() && std::all_of(after.begin(), after.end(), ::isdigit) && after.size() < 10) {
    return now + std::stoll(after);
  }
  if (std::optional<int64_t> at = after.empty() ? std::nullopt : ParseDateTime(after)) {
    return std::max(now, *at);  // an HTTP-date (RFC 9110): "Wed, 21 Oct 2026 07:28:00 GMT"
  }
  // Mastodon's rate limiter says when the window resets.
  if (std::optional<int64_t> reset = ParseDateTime(answer.Header("x-ratelimit-reset"))) {
    return std::max(now, *reset);
  }
  return std::nullopt;
}

// The platform's own words, from a JSON error body: Mastodon's "error", XRPC's "message".
std::string PlatformWords(const std::string& body) {
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return {};
  std::string words = Setting(j, "message");
  if (words.empty()) words = Setting(j, "error_description");
  if (words.empty()) words = Setting(j, "error");
  if (words.size() > 200) words = words.substr(0, 200) + "...";
  return words;
}

SendResult NotSent(const Result<HttpAnswer>& answer, const SendTrace& trace, bool dedupes,
                   std::string_view what, std::string_view fix_credentials, int64_t now) {
  SendResult r;
  const std::string prefix = std::string(what) + ": ";
  if (!answer) {
    const StatusCode code = answer.error().code();
    if (code == StatusCode::kPermissionDenied || code == StatusCode::kInvalidArgument) {
      r.verdict = Verdict::kFailed;
      r.error = prefix + answer.error().message() + " (fix the account's address)";
    } else if (trace.request_sent && !dedupes) {
      r.verdict = Verdict::kUncertain;
      r.error = prefix + answer.error().message() +
                " after the request was sent: it may have arrived; check before retrying";
    } else {
      r.verdict = Verdict::kRetry;
      r.error = prefix + answer.error().message();
    }
    return r;
  }
  const long status = answer->status;  // NOLINT(google-runtime-int)
  const std::string words = PlatformWords(answer->body);
  r.error = prefix + "HTTP " + std::to_string(status) + (words.empty() ? "" : " (" + words + ")");
  if (status == 401 || status == 403) {
    r.verdict = Verdict::kFailed;
    r.error += ": the credentials were refused; " + std::string(fix_credentials);
  } else if (status == 429) {
    r.verdict = Verdict::kRetry;
    r.retry_at = RetryAt(*answer, now);
    r.error += ": rate limited, tried again later";
  } else if (status == 408 || status >= 500) {
    r.verdict = Verdict::kRetry;
  } else {
    r.verdict = Verdict::kFailed;
    r.error += ": the platform refused the reply; change it and send a new one";
  }
  return r;
}

}  // namespace internal

namespace {

using internal::NotSent;
using internal::Setting;

const char* const kMastodonFix = "give a new access token (write:statuses) in the account";
const char* const kBlueskyFix = "check the handle and give a new app password in the account";

std::vector<std::string> JsonHeaders(const std::string& bearer) {
  std::vector<std::string> h = {"Content-Type: application/json", "Accept: application/json"};
  if (!bearer.empty()) h.push_back("Authorization: Bearer " + bearer);
  return h;
}

// The id of the customer's status on the brand's instance: the last segment of its URL
// when it lives there, else what the instance's search resolves the URL to.
Result<std::string> MastodonLocalId(const Outgoing& o, const std::string& instance,
                                    const FetchOptions& fetch, SendResult& failure, int64_t now) {
  const std::string& url = o.reply.in_reply_to;
  const std::string token = Setting(o.account.secrets, "token");
  if (internal::HostOf(url) == internal::HostOf(instance)) {
    const std::string last = url.substr(url.find_last_of('/') + 1);
    if (!last.empty() && std::all_of(last.begin(), last.end(), ::isdigit)) return last;
  }
  HttpCall search{"GET",
                  instance + "/api/v2/search?q=" + internal::PercentEncode(url) +
                      "&resolve=true&type=statuses&limit=1",
                  JsonHeaders(token), ""};
  SendTrace trace;
  Result<HttpAnswer> answer = SendHttp(search, fetch, &trace);
  if (!answer || answer->status != 200) {
    failure =
        NotSent(answer, trace, true, "Mastodon: finding the customer's status", kMastodonFix, now);
    return UnavailableError(failure.error);
  }
  const json j = json::parse(answer->body, nullptr, false);
  if (j.is_object() && j.contains("statuses") && j["statuses"].is_array() &&
      !j["statuses"].empty() && j["statuses"][0].is_object()) {
    // find, not [] on a const object: an answer without "id" is not undefined behaviour.
    if (std::string id = Setting(j["statuses"][0], "id"); !id.empty()) return id;
  }
  failure.verdict = Verdict::kFailed;
  failure.error = "Mastodon: " + instance +
                  " cannot find the customer's status (deleted, or its server unreachable): "
                  "answer it another way";
  return NotFoundError(failure.error);
}

SendResult SendMastodon(const Outgoing& o, const FetchOptions& fetch, int64_t now) {
  const std::string instance = internal::TrimSlash(Setting(o.account.settings, "instance"));
  SendResult r;
  // No status of the customer's to answer (their handle was found beside a blog post): a
  // public post that mentions them.
  const bool mention = o.reply.in_reply_to.empty();
  Result<std::string> local_id = std::string();
  if (!mention) local_id = MastodonLocalId(o, instance, fetch, r, now);
  if (!local_id) return r;
  std::string text = o.reply.text;
  // The customer hears of a reply that mentions them.
  if (!o.reply.recipient.empty() && text.find(o.reply.recipient) == std::string::npos) {
    text = o.reply.recipient + " " + text;
  }
  json body = {{"status", text}, {"visibility", "public"}};
  if (!mention) body["in_reply_to_id"] = *local_id;
  HttpCall post{"POST", instance + "/api/v1/statuses",
                JsonHeaders(Setting(o.account.secrets, "token")),
                body.dump(-1, ' ', false, json::error_handler_t::replace)};
  post.header_lines.push_back("Idempotency-Key: " + o.reply.idempotency_key);
  SendTrace trace;
  Result<HttpAnswer> answer = SendHttp(post, fetch, &trace);
  if (!answer || answer->status != 200) {
    return NotSent(answer, trace, true, "Mastodon: posting the reply", kMastodonFix, now);
  }
  const json status = json::parse(answer->body, nullptr, false);
  if (!status.is_object() || !status.contains("id") || !status["id"].is_string()) {
    r.verdict = Verdict::kRetry;  // the Idempotency-Key makes the next attempt find it
    r.error = "Mastodon: posting the reply: an answer without the status";
    return r;
  }
  r.verdict = Verdict::kSent;
  r.platform_id = status["id"].get<std::string>();
  r.platform_url = Setting(status, "url");
  if (r.platform_url.empty()) r.platform_url = Setting(status, "uri");
  Post& sent = r.sent;
  sent.source = "mastodon";
  sent.id = internal::HostOf(instance) + "/statuses/" + r.platform_id;  // as the reader names it
  sent.url = r.platform_url;
  sent.text = text;
  sent.author.handle = Setting(o.account.settings, "handle");
  sent.published_at = FormatRfc3339(now);
  if (!mention) {
    sent.parent_id = o.original.id;
    sent.parent_url = o.original.url.empty() ? o.reply.in_reply_to : o.original.url;
  }
  return r;
}

// ---- Bluesky ----

struct BlueskySession {
  std::string jwt;
  std::string did;
  std::string handle;
};

Result<BlueskySession> CreateSession(const Outgoing& o, const std::string& service,
                                     const FetchOptions& fetch, SendResult& failure, int64_t now) {
  HttpCall call{"POST", service + "/xrpc/com.atproto.server.createSession", JsonHeaders(""),
                json({{"identifier", Setting(o.account.settings, "handle")},
                      {"password", Setting(o.account.secrets, "app_password")}})
                    .dump()};
  SendTrace trace;
  Result<HttpAnswer> answer = SendHttp(call, fetch, &trace);
  if (!answer || answer->status != 200) {
    failure = NotSent(answer, trace, true, "Bluesky: logging in", kBlueskyFix, now);
    return UnavailableError(failure.error);
  }
  const json j = json::parse(answer->body, nullptr, false);
  BlueskySession session;
  if (j.is_object()) {
    session = {Setting(j, "accessJwt"), Setting(j, "did"), Setting(j, "handle")};
  }
  if (session.jwt.empty() || session.did.empty()) {
    failure.verdict = Verdict::kRetry;
    failure.error = "Bluesky: logging in: an answer without a session";
    return UnavailableError(failure.error);
  }
  return session;
}

// The parent (the customer's post) and the thread's root, as strong references.
Result<std::pair<json, json>> ReplyRefs(const Outgoing& o, const std::string& service,
                                        const BlueskySession& session, const FetchOptions& fetch,
                                        SendResult& failure, int64_t now) {
  HttpCall call{
      "GET",
      service + "/xrpc/app.bsky.feed.getPosts?uris=" + internal::PercentEncode(o.reply.in_reply_to),
      JsonHeaders(session.jwt), ""};
  SendTrace trace;
  Result<HttpAnswer> answer = SendHttp(call, fetch, &trace);
  if (!answer || answer->status != 200) {
    failure =
        NotSent(answer, trace, true, "Bluesky: reading the customer's post", kBlueskyFix, now);
    return UnavailableError(failure.error);
  }
  const json j = json::parse(answer->body, nullptr, false);
  if (!j.is_object() || !j.contains("posts") || !j["posts"].is_array() || j["posts"].empty() ||
      !j["posts"][0].is_object() || Setting(j["posts"][0], "cid").empty()) {
    failure.verdict = Verdict::kFailed;
    failure.error = "Bluesky: the customer's post is gone (deleted?): answer it another way";
    return NotFoundError(failure.error);
  }
  const json& post = j["posts"][0];
  json parent = {{"uri", Setting(post, "uri")}, {"cid", Setting(post, "cid")}};
  json root = parent;
  if (post.contains("record") && post["record"].is_object() && post["record"].contains("reply") &&
      post["record"]["reply"].is_object()) {
    const json& reply = post["record"]["reply"];
    if (reply.contains("root") && reply["root"].is_object() &&
        !Setting(reply["root"], "cid").empty()) {
      root = {{"uri", Setting(reply["root"], "uri")}, {"cid", Setting(reply["root"], "cid")}};
    }
  }
  return std::make_pair(root, parent);
}

void FillBlueskySent(const Outgoing& o, const BlueskySession& session, const json& record,
                     SendResult& r) {
  r.verdict = Verdict::kSent;
  r.error.clear();
  r.platform_id = Setting(record, "uri");
  const std::string rkey = r.platform_id.substr(r.platform_id.find_last_of('/') + 1);
  const std::string profile = session.handle.empty() ? session.did : session.handle;
  r.platform_url = "https://bsky.app/profile/" + profile + "/post/" + rkey;
  Post& sent = r.sent;
  sent.source = "bluesky";
  sent.id = r.platform_id;  // the AT URI, as the reader names posts
  sent.url = r.platform_url;
  sent.text = o.reply.text;
  sent.author.handle = session.handle;
  sent.published_at = FormatRfc3339(o.reply.created_at);
  sent.parent_id = o.reply.in_reply_to;
  sent.parent_url = o.original.url;
}

SendResult SendBluesky(const Outgoing& o, const FetchOptions& fetch, int64_t now) {
  SendResult r;
  if (const int n = CountGraphemes(o.reply.text); n > 300) {
    r.error = "Bluesky: the reply is " + std::to_string(n) +
              " graphemes long and Bluesky takes 300: shorten it";
    return r;
  }
  std::string service = internal::TrimSlash(Setting(o.account.settings, "service"));
  if (service.empty()) service = "https://bsky.social";
  Result<BlueskySession> session = CreateSession(o, service, fetch, r, now);
  if (!session) return r;
  const std::string rkey = BlueskyRecordKey(o.reply.idempotency_key, o.reply.created_at);
  if (o.reply.attempts > 1) {  // an earlier attempt may have created it
    HttpCall get{
        "GET",
        service + "/xrpc/com.atproto.repo.getRecord?repo=" + internal::PercentEncode(session->did) +
            "&collection=app.bsky.feed.post&rkey=" + rkey,
        JsonHeaders(session->jwt), ""};
    Result<HttpAnswer> found = SendHttp(get, fetch);
    if (found && found->status == 200) {
      const json record = json::parse(found->body, nullptr, false);
      if (record.is_object() && !Setting(record, "uri").empty()) {
        FillBlueskySent(o, *session, record, r);
        return r;
      }
    }
  }
  Result<std::pair<json, json>> refs = ReplyRefs(o, service, *session, fetch, r, now);
  if (!refs) return r;
  const json record = {{"$type", "app.bsky.feed.post"},
                       {"text", o.reply.text},
                       {"createdAt", FormatRfc3339(o.reply.created_at)},
                       {"reply", {{"root", refs->first}, {"parent", refs->second}}}};
  HttpCall create{"POST", service + "/xrpc/com.atproto.repo.createRecord",
                  JsonHeaders(session->jwt),
                  json({{"repo", session->did},
                        {"collection", "app.bsky.feed.post"},
                        {"rkey", rkey},
                        {"record", record}})
                      .dump(-1, ' ', false, json::error_handler_t::replace)};
  SendTrace trace;
  Result<HttpAnswer> answer = SendHttp(create, fetch, &trace);
  if (!answer || answer->status != 200) {
    // The record key makes a repeat fail rather than post twice: retrying is safe.
    return NotSent(answer, trace, true, "Bluesky: posting the reply", kBlueskyFix, now);
  }
  const json created = json::parse(answer->body, nullptr, false);
  if (!created.is_object() || Setting(created, "uri").empty()) {
    r.verdict = Verdict::kRetry;
    r.error = "Bluesky: posting the reply: an answer without the record";
    return r;
  }
  FillBlueskySent(o, *session, created, r);
  return r;
}

}  // namespace

SendResult Send(const Outgoing& outgoing, const FetchOptions& fetch, int64_t now) {
  const std::string& channel = outgoing.reply.channel;
  if (channel == "mastodon") return SendMastodon(outgoing, fetch, now);
  if (channel == "bluesky") return SendBluesky(outgoing, fetch, now);
  if (channel == "email") return internal::SendMail(outgoing, fetch, now);
  if (channel == "webhook") return internal::SendWebhook(outgoing, fetch, now);
  SendResult r;
  r.error = "unknown channel " + channel;
  return r;
}

}  // namespace ecoute::reply
