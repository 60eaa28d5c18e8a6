// ecoute's one outbound HTTP(S) client, over libcurl: fetching feeds and pages (bounded in
// time, size and redirects, conditional with ETag and Last-Modified, compressed transfer
// accepted, polite: a clear User-Agent, robots.txt honored for pages) and posting webhooks.
//
// Every request is guarded by an OutboundPolicy (fetch/outbound.h): its URL is checked
// before anything is sent, each redirect's URL likewise, and each address the client
// connects to is checked at that moment, so that no spelling of an address, no DNS answer
// and no redirect reaches a non-public address the policy does not allow. Proxies from the
// environment are ignored (a proxy would connect on the client's behalf, unchecked).
//
// Fetch, its options and its result are declared in the public ecoute/fetch.h; here are the
// webhooks' POST and the robots.txt rules.
#pragma once

#include <cstddef>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/fetch.h"
#include "ecoute/status.h"

#include "fetch/outbound.h"

namespace ecoute {

// POSTs `body` to `url` with `header_lines` ("Name: value"; "Name:" removes one libcurl
// would add), under the same guard as Fetch, and returns the response's HTTP status,
// whatever it is: the caller decides what a 3xx, 4xx or 5xx means. A redirect is never
// followed (a body replayed elsewhere is not what the URL's owner configured). The
// response body is read up to max_bytes and dropped; past that the transfer stops and the
// status stands. Uses user_agent, connect_timeout_ms, timeout_ms, max_bytes and outbound
// of `options`. Messages give the reason alone, not the URL (it may be a credential):
// kInvalidArgument as Fetch, kPermissionDenied "refused by the outbound policy: ...",
// kDeadlineExceeded "timeout after 5000 ms", kUnavailable "cannot connect: Connection
// refused", "unknown host (...)" or libcurl's description.
Result<long> HttpPost(const std::string& url, const std::vector<std::string>& header_lines,
                      std::string_view body, const FetchOptions& options);

// One HTTP request as SendHttp makes it.
struct HttpCall {
  std::string method = "GET";  // GET, POST, PUT, DELETE...
  std::string url;
  std::vector<std::string> header_lines;  // "Name: value"
  std::string body;                       // sent when not empty, or when the method is POST
};

// Its answer: the final response's status, headers and body.
struct HttpAnswer {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  // The response's headers in order, names lower-cased, values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;        // at most max_bytes of it
  bool truncated = false;  // the body was longer: the transfer stopped there
  // The first value of header `name` (lower case), "" when absent.
  std::string Header(std::string_view name) const;
};

// What a failed exchange may have done, for whoever decides whether to try again: a
// request whose bytes were all written may have been acted on even though no answer came.
struct SendTrace {
  bool request_sent = false;
  long reply_code = 0;  // NOLINT(google-runtime-int): SMTP, the server's last reply code
};

// Sends `call` under the same guard as Fetch and returns the response whatever its status:
// the caller decides what a 4xx or 5xx means. A redirect is never followed. Uses
// user_agent, connect_timeout_ms, timeout_ms, max_bytes, ca_file and outbound of `options`.
// Failures as HttpPost's; `trace` (when given) says whether the request had been sent
// when the connection failed or timed out (the answer is then unknown).
Result<HttpAnswer> SendHttp(const HttpCall& call, const FetchOptions& options,
                            SendTrace* trace = nullptr);

// One message for SendMail.
struct MailCall {
  // smtp://host:587 (STARTTLS, required) or smtps://host:465 (TLS from the start); the
  // outbound policy judges the host as for HTTP.
  std::string url;
  std::string username;  // empty: no authentication
  std::string password;
  std::string from;                     // the envelope sender, an address alone
  std::vector<std::string> recipients;  // addresses alone
  std::string message;                  // RFC 5322: headers, a blank line, the body; CRLF lines
};

// Sends `mail` over SMTP with TLS required: a server that offers no STARTTLS, or whose
// certificate does not verify against options.ca_file (else the system's), is refused
// before anything is sent. Uses connect_timeout_ms, timeout_ms, ca_file and outbound of
// `options`. Fails, never naming the password: kInvalidArgument for a URL that is not
// smtp(s) or carries credentials, kPermissionDenied "refused by the outbound policy: ...",
// kUnauthenticated when the server refuses the user name or password, kFailedPrecondition
// when TLS cannot be had ("no STARTTLS"; the certificate), kUnavailable when the server
// refuses the message (its reply code in trace->reply_code: 4xx may pass later, 5xx not)
// or the connection fails, kDeadlineExceeded past timeout_ms. trace->request_sent: the
// whole message had been sent when the failure came (it may have been accepted).
Status SendMail(const MailCall& mail, const FetchOptions& options, SendTrace* trace = nullptr);

// One streaming GET (FetchStream): a response read as it arrives, for as long as the
// server keeps it open (Server-Sent Events, a long poll).
struct StreamRequest {
  std::string url;
  // Extra request headers, "Name: value" ("Authorization: Bearer ..."). Their values never
  // appear in a message. Sent again on a redirect only when it stays on the same host (or
  // one of its subdomains) without leaving https.
  std::vector<std::string> header_lines;
  // No byte for this long (headers, body or a server's heartbeat) ends the transfer with
  // kDeadlineExceeded "stalled: ...". There is no bound on the whole transfer.
  long idle_timeout_ms = 60'000;  // NOLINT(google-runtime-int): libcurl's type
  // Requested from another thread: the transfer ends within about 100 ms, as a success
  // with StreamHead::stopped set.
  std::stop_token stop;
};

// The final response of a FetchStream (after redirects), as known once its headers are in.
struct StreamHead {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  std::string url;  // the URL finally requested, after redirects
  // The response's headers in order, names lower-cased, values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;
  long redirects = 0;  // NOLINT(google-runtime-int): libcurl's type
  // Not 2xx: the first KiB of the body (an API's error message), which on_chunk never sees.
  std::string error_body;
  // The transfer ended because `stop` was requested or a callback returned false, not
  // because the server ended the response.
  bool stopped = false;
  // The first value of header `name` (lower case), "" when absent.
  std::string Header(std::string_view name) const;
};

// Called once with the final response's head, before any of its body; returning false ends
// the transfer (StreamHead::stopped). May block (the body waits in the socket).
using StreamHeadCallback = std::function<bool(const StreamHead& head)>;
// Called with each piece of a 2xx body as it arrives (undecoded: no Accept-Encoding is
// sent); returning false ends the transfer (StreamHead::stopped).
using StreamChunkCallback = std::function<bool(std::string_view chunk)>;

// GETs `request.url` under the same guard as Fetch (the URL, each redirect's URL and each
// address connected to are checked; no proxy; User-Agent, connect_timeout_ms, max_redirects,
// ca_file and outbound of `options`), handing the body to `on_chunk` as it arrives. Returns
// the head when the server ended the response or the transfer was stopped, whatever the
// status (the caller decides what a 4xx means). Fails, with the reason alone (neither the
// URL nor a header value): kInvalidArgument and kPermissionDenied as Fetch,
// kDeadlineExceeded "stalled: no data for 60 s" past idle_timeout_ms or "timed out" when
// connecting, kUnavailable for network errors and too many redirects. Thread-safe: shares
// nothing between calls.
Result<StreamHead> FetchStream(const StreamRequest& request, const FetchOptions& options,
                               const StreamHeadCallback& on_head,
                               const StreamChunkCallback& on_chunk);

// Whether robots.txt text allows `path` (with its query) for `agent`: the group naming the
// agent (case-insensitive product token, e.g. "ecoute"), else the "*" group; within it the
// longest matching Allow or Disallow rule wins, Allow on ties; "*" and "$" patterns
// supported. No rule, or no group: allowed.
bool RobotsAllow(std::string_view robots_txt, std::string_view agent, std::string_view path);

}  // namespace ecoute
