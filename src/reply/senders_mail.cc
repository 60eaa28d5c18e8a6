// The e-mail and webhook senders.
#include <algorithm>
#include <ctime>

#include <sodium.h>

#include "ecoute/datetime.h"

#include "alerts/alerts.h"
#include "reply/senders.h"

namespace ecoute::reply {

using nlohmann::json;

namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// A header's text: as it is when printable ASCII, else RFC 2047 encoded words.
std::string HeaderText(std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F;
  });
  if (plain) return std::string(text);
  return "=?UTF-8?B?" + Base64(text) + "?=";
}

// The body in base64, lines of 76 characters (RFC 2045).
std::string BodyBase64(std::string_view text) {
  const std::string encoded = Base64(text);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

std::string Rfc5322Date(int64_t seconds) {
  const time_t t = static_cast<time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buffer;
}

bool IsHeaderSafe(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

}  // namespace

std::string MailMessageId(std::string_view idempotency_key, std::string_view from) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(idempotency_key.data()),
                     idempotency_key.size());
  std::string domain(from.substr(from.rfind('@') + 1));
  if (domain.empty() || domain.size() == from.size()) domain = "ecoute.invalid";
  return "<reply-" + Hex(digest, 16) + "@" + domain + ">";
}

namespace internal {

SendResult SendMail(const Outgoing& o, const FetchOptions& fetch, int64_t now) {
  SendResult r;
  const std::string from = Setting(o.account.settings, "from");
  const std::string& to = o.reply.recipient;
  if (to.empty() || to.find('@') == std::string::npos || !IsHeaderSafe(to) || !IsHeaderSafe(from)) {
    r.error = "email: no address to write to (give the customer's e-mail address as recipient)";
    return r;
  }
  const std::string message_id = MailMessageId(o.reply.idempotency_key, from);
  std::string subject = o.original.title.empty() ? "Your message" : o.original.title;
  std::replace(subject.begin(), subject.end(), '\n', ' ');
  std::replace(subject.begin(), subject.end(), '\r', ' ');
  if (!subject.starts_with("Re:")) subject = "Re: " + subject;
  std::string m = "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + HeaderText(subject) +
                  "\r\nDate: " + Rfc5322Date(now) + "\r\nMessage-ID: " + message_id + "\r\n";
  const std::string& parent = o.reply.in_reply_to;
  if (parent.starts_with("<") && parent.ends_with(">") && IsHeaderSafe(parent)) {
    m += "In-Reply-To: " + parent + "\r\nReferences: " + parent + "\r\n";
  }
  m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
       "Content-Transfer-Encoding: base64\r\n\r\n" +
       BodyBase64(o.reply.text);
  MailCall mail{Setting(o.account.settings, "smtp_url"),
                Setting(o.account.settings, "username"),
                Setting(o.account.secrets, "password"),
                from,
                {to},
                m};
  SendTrace trace;
  const Status sent = ecoute::SendMail(mail, fetch, &trace);
  if (sent.ok()) {
    r.verdict = Verdict::kSent;
    r.platform_id = message_id;
    r.sent.source = "email";
    r.sent.id = message_id;
    r.sent.title = subject;
    r.sent.text = o.reply.text;
    r.sent.author.handle = from;
    r.sent.published_at = FormatRfc3339(now);
    r.sent.parent_id = o.original.id;
    r.sent.parent_url = o.original.url;
    return r;
  }
  r.error = "email: " + sent.message();
  const StatusCode code = sent.code();
  if (code == StatusCode::kUnauthenticated) {
    r.error += ": set the account's user name and password again";
  } else if (code == StatusCode::kFailedPrecondition || code == StatusCode::kPermissionDenied ||
             code == StatusCode::kInvalidArgument || trace.reply_code >= 500) {
    r.error += code == StatusCode::kFailedPrecondition ? "" : ": fix the account or the address";
  } else if (trace.reply_code < 400 && trace.request_sent) {
    // SMTP has no way to ask whether a message arrived: never sent twice on a guess.
    r.verdict = Verdict::kUncertain;
    r.error +=
        ": the connection ended after the whole message was sent; it may have been "
        "delivered: check the mailbox before retrying";
  } else {
    // A 4xx (the server may take it later), or nothing was sent.
    r.verdict = Verdict::kRetry;
  }
  return r;
}

SendResult SendWebhook(const Outgoing& o, const FetchOptions& fetch, int64_t now) {
  const std::string body =
      json({{"type", "reply"},
            {"idempotency_key", o.reply.idempotency_key},
            {"case_id", o.reply.case_id},
            {"brand", o.reply.brand},
            {"text", o.reply.text},
            {"recipient", o.reply.recipient},
            {"in_reply_to", o.reply.in_reply_to},
            {"actor", o.reply.actor},
            {"created_at", FormatRfc3339(o.reply.created_at)},
            {"post",
             {{"id", o.original.id}, {"url", o.original.url}, {"source", o.original.source}}}})
          .dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string& id = o.reply.idempotency_key;
  HttpCall call{"POST",
                Setting(o.account.settings, "url"),
                {"Content-Type: application/json", "User-Agent: ecoute-webhook/0.1",
                 "webhook-id: " + id, "webhook-timestamp: " + std::to_string(now),
                 "webhook-signature: " + server::StandardWebhookSignature(
                                             Setting(o.account.secrets, "secret"), id, now, body),
                 "X-Ecoute-Event: reply"},
                body};
  SendTrace trace;
  Result<HttpAnswer> answer = SendHttp(call, fetch, &trace);
  if (!answer || answer->status < 200 || answer->status >= 300) {
    // Receivers drop repeats by webhook-id (Standard Webhooks): a retry is safe.
    return NotSent(answer, trace, true, "webhook", "check the receiver's settings", now);
  }
  SendResult r;
  r.verdict = Verdict::kSent;
  r.platform_id = id;
  r.sent.source = "webhook";
  r.sent.id = "webhook:" + id;
  r.sent.text = o.reply.text;
  r.sent.published_at = FormatRfc3339(now);
  r.sent.parent_id = o.original.id;
  r.sent.parent_url = o.original.url;
  return r;
}

}  // namespace internal
}  // namespace ecoute::reply
