// ecoute's one outbound HTTP(S) client, over libcurl: fetching feeds and pages (bounded in
// time, size and redirects, conditional with ETag and Last-Modified, compressed transfer
// accepted, polite: a clear User-Agent, robots.txt honored for pages) and posting webhooks.
//
// Every request is guarded by an OutboundPolicy (fetch/outbound.h): its URL is checked
// before anything is sent, each redirect's URL likewise, and each address the client
// connects to is checked at that moment, so that no spelling of an address, no DNS answer
// and no redirect reaches a non-public address the policy does not allow. Proxies from the
// environment are ignored (a proxy would connect on the client's behalf, unchecked).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/status.h"

#include "fetch/outbound.h"

namespace ecoute {

struct FetchOptions {
  // Sent with every request; says who fetches and why.
  std::string user_agent = "ecoute/0.1 (monitoring public posts; honors robots.txt)";
  long connect_timeout_ms = 10'000;
  long timeout_ms = 30'000;  // the whole transfer
  long max_redirects = 5;
  size_t max_bytes = size_t{20} << 20;  // decoded body
  // Conditional GET: the validators of the last fetch; a 304 answers "not modified".
  std::string etag;
  std::string last_modified;
  // Ask the site's robots.txt before fetching (pages; feeds are meant to be polled).
  bool honor_robots = true;
  // Which addresses may be reached: by default public ones only.
  OutboundPolicy outbound;
};

struct FetchResult {
  long status = 0;           // HTTP status of the last response
  std::string url;           // the URL finally fetched, after redirects
  std::string content_type;  // as the server sent it, "" when none
  std::string body;          // decoded (gzip/deflate undone); empty on 304
  std::string etag;          // validators to send next time ("" when none)
  std::string last_modified;
  bool not_modified = false;  // 304: keep what you had
  long redirects = 0;
};

// Fetches `url` (http or https only), following up to max_redirects redirects, each
// checked as the first URL is. Fails with a message naming the URL and the reason:
// kInvalidArgument for a URL that is not http(s) or carries a user name or password (the
// URL or a redirect's), kPermissionDenied when the outbound policy refuses it ("refused by
// the outbound policy: ...", see OutboundRefusal) or robots.txt disallows it,
// kDeadlineExceeded past timeout_ms (redirects included), kResourceExhausted past
// max_bytes, kUnavailable for network errors, too many redirects and HTTP errors (4xx,
// 5xx: the status is in the message).
Result<FetchResult> Fetch(const std::string& url, const FetchOptions& options);

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

// Whether robots.txt text allows `path` (with its query) for `agent`: the group naming the
// agent (case-insensitive product token, e.g. "ecoute"), else the "*" group; within it the
// longest matching Allow or Disallow rule wins, Allow on ties; "*" and "$" patterns
// supported. No rule, or no group: allowed.
bool RobotsAllow(std::string_view robots_txt, std::string_view agent, std::string_view path);

}  // namespace ecoute
