#include "fetch/fetcher.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include <curl/curl.h>

namespace ecoute {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    char b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a + 32);
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b + 32);
    if (a != b) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// What one transfer collects through libcurl's callbacks.
struct Transfer {
  std::string body;
  size_t max_bytes = 0;
  bool too_big = false;
  std::string etag;
  std::string last_modified;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (t->body.size() + bytes > t->max_bytes) {
    t->too_big = true;
    return 0;  // aborts the transfer
  }
  t->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (StartsWithIgnoreCase(line, "HTTP/")) {
    // A new response (after a redirect): its headers replace the previous ones'.
    t->etag.clear();
    t->last_modified.clear();
  } else if (StartsWithIgnoreCase(line, "etag:")) {
    t->etag = Trim(line.substr(5));
  } else if (StartsWithIgnoreCase(line, "last-modified:")) {
    t->last_modified = Trim(line.substr(14));
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

// The parts of a URL libcurl's parser finds; false when it is not an http(s) URL.
struct UrlParts {
  std::string scheme;
  std::string host;
  std::string port;
  std::string path_and_query;
};

bool SplitUrl(const std::string& url, UrlParts& parts) {
  std::unique_ptr<CURLU, CurlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return false;
  auto get = [&](CURLUPart part, std::string& out) {
    char* value = nullptr;
    if (curl_url_get(u.get(), part, &value, 0) != CURLUE_OK || value == nullptr) return false;
    out = value;
    curl_free(value);
    return true;
  };
  if (!get(CURLUPART_SCHEME, parts.scheme) || !get(CURLUPART_HOST, parts.host)) return false;
  if (parts.scheme != "http" && parts.scheme != "https") return false;
  get(CURLUPART_PORT, parts.port);
  if (!get(CURLUPART_PATH, parts.path_and_query)) parts.path_and_query = "/";
  std::string query;
  if (get(CURLUPART_QUERY, query)) parts.path_and_query += "?" + query;
  return true;
}

// One GET, following redirects within the options' bounds. An HTTP error status is a
// result here, not a failure: the callers decide.
Result<FetchResult> Get(const std::string& url, const FetchOptions& options, bool conditional) {
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return InternalError(url + ": libcurl could not start a transfer");
  Transfer transfer;
  transfer.max_bytes = options.max_bytes;
  char error[CURL_ERROR_SIZE] = {};
  std::unique_ptr<curl_slist, CurlDeleter> headers;
  auto add_header = [&](const std::string& header) {
    curl_slist* grown = curl_slist_append(headers.get(), header.c_str());
    if (grown != nullptr) {
      (void)headers.release();
      headers.reset(grown);
    }
  };
  if (conditional && !options.etag.empty()) add_header("If-None-Match: " + options.etag);
  if (conditional && !options.last_modified.empty()) {
    add_header("If-Modified-Since: " + options.last_modified);
  }
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, options.max_redirects);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    const std::string why = error[0] != '\0' ? error : curl_easy_strerror(code);
    if (transfer.too_big || code == CURLE_FILESIZE_EXCEEDED) {
      return ResourceExhaustedError(url + ": larger than " + std::to_string(options.max_bytes) +
                                    " bytes (raise the size limit to fetch it)");
    }
    if (code == CURLE_OPERATION_TIMEDOUT) {
      return DeadlineExceededError(url + ": timed out (" + why + ")");
    }
    if (code == CURLE_TOO_MANY_REDIRECTS) {
      return UnavailableError(url + ": more than " + std::to_string(options.max_redirects) +
                              " redirects");
    }
    if (code == CURLE_UNSUPPORTED_PROTOCOL) {
      return InvalidArgumentError(url + ": only http and https are fetched (" + why + ")");
    }
    return UnavailableError(url + ": " + why);
  }
  FetchResult result;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &result.redirects);
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  result.url = effective != nullptr ? effective : url;
  char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) result.content_type = type;
  result.etag = std::move(transfer.etag);
  result.last_modified = std::move(transfer.last_modified);
  if (result.status == 304) {
    result.not_modified = true;
    return result;
  }
  result.body = std::move(transfer.body);
  return result;
}

// Whether `path` matches a robots.txt pattern: a prefix, where "*" matches any run and a
// final "$" anchors the end.
bool RobotsMatch(std::string_view pattern, std::string_view path) {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  // Greedy matching with backtracking on the last '*', as for shell globs.
  size_t p = 0;
  size_t s = 0;
  size_t star = std::string_view::npos;
  size_t star_s = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_s = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (p == pattern.size() && !anchored) {
      return true;  // the pattern is a prefix of the path
    } else if (star != std::string_view::npos) {
      p = star + 1;
      s = ++star_s;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool RobotsAllow(std::string_view robots_txt, std::string_view agent, std::string_view path) {
  struct Rule {
    bool allow;
    std::string_view pattern;
  };
  // Groups: consecutive User-agent lines, then their rules.
  std::vector<Rule> mine;
  std::vector<Rule> anyone;
  bool has_mine = false;
  bool in_agents = false;  // the previous line was a User-agent line
  bool group_mine = false;
  bool group_any = false;
  size_t pos = 0;
  while (pos < robots_txt.size()) {
    size_t end = robots_txt.find('\n', pos);
    if (end == std::string_view::npos) end = robots_txt.size();
    std::string_view line = robots_txt.substr(pos, end - pos);
    pos = end + 1;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (StartsWithIgnoreCase(key, "user-agent") && key.size() == 10) {
      if (!in_agents) {
        group_mine = false;
        group_any = false;
      }
      in_agents = true;
      if (value == "*") {
        group_any = true;
      } else if (!value.empty() && value.size() <= agent.size() &&
                 StartsWithIgnoreCase(agent, value)) {
        group_mine = true;
        has_mine = true;
      }
      continue;
    }
    in_agents = false;
    const bool is_allow = StartsWithIgnoreCase(key, "allow") && key.size() == 5;
    const bool is_disallow = StartsWithIgnoreCase(key, "disallow") && key.size() == 8;
    if (!is_allow && !is_disallow) continue;
    if (value.empty()) continue;  // "Disallow:" with nothing allows everything
    if (group_mine) mine.push_back({is_allow, value});
    if (group_any) anyone.push_back({is_allow, value});
  }
  const std::vector<Rule>& rules = has_mine ? mine : anyone;
  size_t best_length = 0;
  bool allowed = true;
  bool matched = false;
  for (const Rule& rule : rules) {
    if (!RobotsMatch(rule.pattern, path)) continue;
    if (!matched || rule.pattern.size() > best_length ||
        (rule.pattern.size() == best_length && rule.allow)) {
      best_length = rule.pattern.size();
      allowed = rule.allow;
      matched = true;
    }
  }
  return allowed;
}

Result<FetchResult> Fetch(const std::string& url, const FetchOptions& options) {
  UrlParts parts;
  if (!SplitUrl(url, parts)) {
    return InvalidArgumentError(url + ": not an http or https URL");
  }
  if (options.honor_robots) {
    std::string robots_url = parts.scheme + "://" + parts.host;
    if (!parts.port.empty()) robots_url += ":" + parts.port;
    robots_url += "/robots.txt";
    FetchOptions robots_options = options;
    robots_options.max_bytes = 512 * 1024;
    robots_options.honor_robots = false;
    // RFC 9309: a robots.txt that cannot be reached (network error, 5xx) disallows all for
    // now; one that does not exist (4xx) allows all.
    Result<FetchResult> robots = Get(robots_url, robots_options, false);
    if (!robots) {
      return UnavailableError(url + ": robots.txt unreachable, not fetching (" +
                              robots.error().message() + ")");
    }
    if (robots->status >= 500) {
      return UnavailableError(url + ": robots.txt unreachable (HTTP " +
                              std::to_string(robots->status) + " at " + robots_url +
                              "), not fetching");
    }
    // The product token is the User-Agent's first word ("ecoute" of "ecoute/0.1 (...)").
    const std::string agent = options.user_agent.substr(0, options.user_agent.find('/'));
    if (robots->status < 400 && !RobotsAllow(robots->body, agent, parts.path_and_query)) {
      return PermissionDeniedError(url + ": disallowed by " + robots_url);
    }
  }
  ECOUTE_ASSIGN_OR_RETURN(FetchResult result, Get(url, options, true));
  if (result.status >= 400) {
    return UnavailableError(url + ": HTTP " + std::to_string(result.status) +
                            (result.url != url ? " (at " + result.url + ")" : ""));
  }
  return result;
}

}  // namespace ecoute
