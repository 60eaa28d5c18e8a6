// Fetching feeds and pages over HTTP(S) with libcurl: bounded in time, size and
// redirects, conditional (ETag, Last-Modified), compressed transfer accepted, and polite
// (a clear User-Agent; robots.txt honored for pages).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ecoute/status.h"

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

// Fetches `url` (http or https only). Fails with a message naming the URL and the reason:
// kInvalidArgument for a URL that is not http(s), kPermissionDenied when robots.txt
// disallows it, kDeadlineExceeded on timeout, kResourceExhausted past max_bytes,
// kUnavailable for network errors, too many redirects and HTTP errors (4xx, 5xx: the
// status is in the message).
Result<FetchResult> Fetch(const std::string& url, const FetchOptions& options);

// Whether robots.txt text allows `path` (with its query) for `agent`: the group naming the
// agent (case-insensitive product token, e.g. "ecoute"), else the "*" group; within it the
// longest matching Allow or Disallow rule wins, Allow on ties; "*" and "$" patterns
// supported. No rule, or no group: allowed.
bool RobotsAllow(std::string_view robots_txt, std::string_view agent, std::string_view path);

}  // namespace ecoute
