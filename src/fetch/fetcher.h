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
#include <string>
#include <string_view>
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

// Whether robots.txt text allows `path` (with its query) for `agent`: the group naming the
// agent (case-insensitive product token, e.g. "ecoute"), else the "*" group; within it the
// longest matching Allow or Disallow rule wins, Allow on ties; "*" and "$" patterns
// supported. No rule, or no group: allowed.
bool RobotsAllow(std::string_view robots_txt, std::string_view agent, std::string_view path);

}  // namespace ecoute
