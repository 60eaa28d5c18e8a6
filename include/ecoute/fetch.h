// Fetching a feed or a page over HTTP(S) as ecoute's pollers do (`ecoute fetch`, URLs given
// to `ecoute analyze`, `parse` and `ingest`, the server's watched sources): bounded in time,
// size and redirects, conditional with ETag and Last-Modified, compressed transfer
// accepted, polite (a clear User-Agent, robots.txt honored for pages).
//
// Every request is guarded by an OutboundPolicy: which addresses it may reach. Whoever may
// set a URL that ecoute fetches could otherwise aim it at the fetching machine's own
// network: loopback services, private ranges, the cloud's metadata service at
// 169.254.169.254. So the URL is checked before anything is sent, each redirect's URL
// likewise, and each address is checked again when the client connects to it, after DNS,
// so that neither a name resolving inward nor a redirect gets past it. Public addresses are
// allowed; the others only within the ranges the operator lists (allow_private). Proxies
// from the environment are ignored (a proxy would connect on the client's behalf,
// unchecked).
//
// Everything here is thread-safe: Fetch shares nothing between calls, and the rest are
// pure functions of their arguments.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/status.h"

namespace ecoute {

// An IPv4 or IPv6 address, bytes in network order (an IPv4 address in the first four).
struct IpAddress {
  bool is_v6 = false;
  std::array<uint8_t, 16> bytes{};

  bool operator==(const IpAddress& other) const = default;
  // "127.0.0.1", "::ffff:127.0.0.1": the canonical text (inet_ntop's).
  std::string ToString() const;
};

// A range of addresses: "10.0.0.0/8", "fd00::/8", "192.168.1.20/32".
struct IpRange {
  IpAddress network;
  int prefix_length = 0;

  bool Contains(const IpAddress& address) const;  // same family only
  std::string ToString() const;                   // "10.0.0.0/8"
};

// Parses a CIDR range, or an address alone (/32 or /128). Addresses are written as
// inet_pton reads them (dotted quads, IPv6 without brackets). kInvalidArgument, naming the
// text, for anything else, a prefix length beyond the family's, or bits set past the
// prefix ("10.0.0.1/8": the message suggests 10.0.0.0/8).
Result<IpRange> ParseIpRange(std::string_view text);
// Each of `texts` with ParseIpRange; the first error.
Result<std::vector<IpRange>> ParseIpRanges(const std::vector<std::string>& texts);
// The items of a comma-separated list, as an environment variable gives ranges
// ("127.0.0.0/8, 10.0.0.0/8"): trimmed of spaces, empty ones dropped.
std::vector<std::string> SplitCommaList(std::string_view text);

struct OutboundPolicy {
  // Non-public ranges that may be reached anyway (an intranet feed, a receiver on the same
  // host). Empty, the default: every non-public address is refused, and so are internal
  // host names (localhost, *.local, *.internal, metadata...) before any lookup.
  std::vector<IpRange> allow_private;
  // Ends every refusal: how to allow what was refused, in the words of the front end.
  std::string allow_hint = "allow it with [outbound] allow_private";
};

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
  // The certificates TLS peers are checked against (PEM); empty: the system's.
  std::string ca_file;
  // An HTTP error status (4xx, 5xx) is returned as a result, its status, headers and body
  // kept, instead of failing with kUnavailable: for callers that act on the status (a
  // poller honoring a 429's Retry-After).
  bool http_errors_as_results = false;
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
  // The final response's headers in order, names lower-cased, values trimmed.
  std::vector<std::pair<std::string, std::string>> headers;
  // Its Retry-After as sent (seconds, or an HTTP date), "" when none: with a 429 or a 503,
  // when to ask again.
  std::string retry_after;
};

// Fetches `url` (http or https only), following up to max_redirects redirects, each
// checked as the first URL is. Fails with a message naming the URL and the reason:
// kInvalidArgument for a URL that is not http(s) or carries a user name or password (the
// URL or a redirect's), kPermissionDenied when the outbound policy refuses it ("refused by
// the outbound policy: 127.0.0.1 is a loopback address (<allow_hint>)") or robots.txt
// disallows it, kDeadlineExceeded past timeout_ms (redirects included), kResourceExhausted
// past max_bytes, kUnavailable for network errors, too many redirects and HTTP errors
// (4xx, 5xx: the status is in the message; with http_errors_as_results, a result).
Result<FetchResult> Fetch(const std::string& url, const FetchOptions& options);

}  // namespace ecoute
