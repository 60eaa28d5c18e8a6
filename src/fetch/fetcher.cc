#include "fetch/fetcher.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <vector>

#include <curl/curl.h>
#include <sys/socket.h>

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
  size_t received = 0;  // body bytes
  size_t max_bytes = 0;
  bool too_big = false;
  std::string etag;
  std::string last_modified;
  bool keep_headers = false;  // SendHttp's: every header of the final response
  std::vector<std::pair<std::string, std::string>> headers;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (t->received + bytes > t->max_bytes) {
    t->too_big = true;
    return 0;  // aborts the transfer
  }
  t->received += bytes;
  t->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (StartsWithIgnoreCase(line, "HTTP/")) {
    // A new response (after a 1xx): its headers replace the previous ones'.
    t->etag.clear();
    t->last_modified.clear();
    t->headers.clear();
    return size * count;
  }
  if (t->keep_headers) {
    if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& ch : name) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
      }
      t->headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
    }
  }
  if (StartsWithIgnoreCase(line, "etag:")) {
    t->etag = Trim(line.substr(5));
  } else if (StartsWithIgnoreCase(line, "last-modified:")) {
    t->last_modified = Trim(line.substr(14));
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// The connect-time half of the outbound guard: libcurl asks it for every socket it opens,
// with the address it is about to connect to, after DNS, for each address it tries.
struct ConnectGuard {
  const OutboundPolicy* policy = nullptr;
  std::string host;     // the host of the request in progress, for the message
  std::string refusal;  // why a connection was refused; "" when none was
};

curl_socket_t OpenGuardedSocket(void* user, curlsocktype /*purpose*/,
                                struct curl_sockaddr* address) {
  auto* guard = static_cast<ConnectGuard*>(user);
  const std::optional<IpAddress> ip = IpAddressOf(&address->addr, address->addrlen);
  if (!ip) {
    guard->refusal = "refused by the outbound policy: " + guard->host + " is not an IP host";
    return CURL_SOCKET_BAD;
  }
  std::string why = OutboundRefusal(*guard->policy, guard->host, *ip);
  if (!why.empty()) {
    // libcurl tries the host's other addresses, if any, and fails when none is left.
    guard->refusal = std::move(why);
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

curl_slist* Append(std::unique_ptr<curl_slist, CurlDeleter>& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown != nullptr) {
    (void)list.release();
    list.reset(grown);
  }
  return grown;
}

// The options every request shares: protocols, no proxy, the guard, the bounds.
void SetCommonOptions(CURL* c, const FetchOptions& options, ConnectGuard& guard, Transfer& transfer,
                      char* error) {
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are followed by hand, checked
  // A proxy from the environment (http_proxy, ALL_PROXY...) would make the connection on
  // our behalf, where the guard cannot see the address.
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenGuardedSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
}

bool IsRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Why a GET failed, for the caller to prefix with the URL. The guard's refusal comes first:
// a refused address was never connected to, whatever libcurl made of it.
Status GetError(CURLcode code, const char* error, const Transfer& transfer,
                const ConnectGuard& guard, const FetchOptions& options, const std::string& where) {
  if (!guard.refusal.empty()) return PermissionDeniedError(where + guard.refusal);
  const std::string why = error[0] != '\0' ? error : curl_easy_strerror(code);
  if (transfer.too_big || code == CURLE_FILESIZE_EXCEEDED) {
    return ResourceExhaustedError(where + "larger than " + std::to_string(options.max_bytes) +
                                  " bytes (raise the size limit to fetch it)");
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return DeadlineExceededError(where + "timed out (" + why + ")");
  }
  if (code == CURLE_UNSUPPORTED_PROTOCOL) {
    return InvalidArgumentError(where + "only http and https are fetched (" + why + ")");
  }
  return UnavailableError(where + why);
}

// The result of a final (not redirected) response to `url`.
FetchResult GetResult(CURL* c, long status, const std::string& url, long redirects,
                      Transfer& transfer) {
  FetchResult result;
  result.status = status;
  result.redirects = redirects;
  result.url = url;
  char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) result.content_type = type;
  result.etag = std::move(transfer.etag);
  result.last_modified = std::move(transfer.last_modified);
  result.not_modified = status == 304;
  if (!result.not_modified) result.body = std::move(transfer.body);
  result.headers = std::move(transfer.headers);
  for (const auto& [name, value] : result.headers) {
    if (name == "retry-after") {
      result.retry_after = value;
      break;
    }
  }
  return result;
}

// A GET, following redirects by hand so that each one's URL goes through CheckOutboundUrl
// before anything is sent to it. An HTTP error status is a result here, not a failure: the
// callers decide. Messages give the reason alone; the callers add the URL.
Result<FetchResult> Get(const std::string& url, const FetchOptions& options, bool conditional) {
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return InternalError("libcurl could not start a transfer");
  Transfer transfer;
  ConnectGuard guard;
  guard.policy = &options.outbound;
  char error[CURL_ERROR_SIZE] = {};
  std::unique_ptr<curl_slist, CurlDeleter> headers;
  if (conditional && !options.etag.empty()) Append(headers, "If-None-Match: " + options.etag);
  if (conditional && !options.last_modified.empty()) {
    Append(headers, "If-Modified-Since: " + options.last_modified);
  }
  CURL* c = curl.get();
  SetCommonOptions(c, options, guard, transfer, error);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  // timeout_ms bounds the whole fetch, redirects included: each hop gets what is left.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
  std::string current = url;
  for (long redirects = 0;; ++redirects) {
    // Said of a redirect's target: its origin only, as its user info may be a password.
    const std::string where = redirects == 0 ? "" : "redirected to " + UrlOrigin(current) + ": ";
    Result<OutboundUrl> checked = CheckOutboundUrl(current, options.outbound);
    if (!checked) return Status(checked.error().code(), where + checked.error().message());
    const long left_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                               deadline - std::chrono::steady_clock::now())
                                               .count());
    if (left_ms <= 0) return DeadlineExceededError(where + "timed out");
    guard.host = checked->host;
    guard.refusal.clear();
    transfer = Transfer{};
    transfer.max_bytes = options.max_bytes;
    transfer.keep_headers = true;  // the result's headers (Retry-After)
    error[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, current.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(options.connect_timeout_ms, left_ms));
    const CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) return GetError(code, error, transfer, guard, options, where);

    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    char* location = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
    if (!IsRedirect(status) || location == nullptr) {
      return GetResult(c, status, current, redirects, transfer);
    }
    if (redirects == options.max_redirects) {
      return UnavailableError("more than " + std::to_string(options.max_redirects) + " redirects");
    }
    current = location;
  }
}

// Why a transfer that is not a GET failed, its reason alone (not the URL: it may be a
// credential).
Status TransferError(CURL* c, CURLcode code, const char* error, const ConnectGuard& guard,
                     const FetchOptions& options) {
  // The policy's reason before anything the system says: a refused address was never
  // connected to, and "Connection refused" would tell what lies behind it.
  if (!guard.refusal.empty()) return PermissionDeniedError(guard.refusal);
  const std::string why = error[0] != '\0' ? error : curl_easy_strerror(code);
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return DeadlineExceededError("timeout after " + std::to_string(options.timeout_ms) + " ms");
  }
  if (code == CURLE_COULDNT_CONNECT) {
    // The system's reason ("Connection refused", "No route to host") says more than
    // libcurl's "Couldn't connect to server".
    long os_error = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_error);
    return UnavailableError(
        "cannot connect: " +
        (os_error != 0
             ? std::error_code(static_cast<int>(os_error), std::generic_category()).message()
             : why));
  }
  if (code == CURLE_COULDNT_RESOLVE_HOST) return UnavailableError("unknown host (" + why + ")");
  return UnavailableError(why);
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
  Result<OutboundUrl> parts = CheckOutboundUrl(url, options.outbound);
  if (!parts) return Status(parts.error().code(), url + ": " + parts.error().message());
  if (options.honor_robots) {
    std::string robots_url = parts->scheme + "://" + parts->host;
    if (!parts->port.empty()) robots_url += ":" + parts->port;
    robots_url += "/robots.txt";
    FetchOptions robots_options = options;
    robots_options.max_bytes = size_t{512} * 1024;
    robots_options.honor_robots = false;
    // RFC 9309: a robots.txt that cannot be reached (network error, 5xx) disallows all for
    // now; one that does not exist (4xx) allows all.
    Result<FetchResult> robots = Get(robots_url, robots_options, false);
    if (!robots && robots.error().code() == StatusCode::kPermissionDenied) {
      // The host itself is refused: that, not robots.txt, is the reason to give.
      return PermissionDeniedError(url + ": " + robots.error().message());
    }
    if (!robots) {
      return UnavailableError(url + ": robots.txt unreachable, not fetching (" + robots_url + ": " +
                              robots.error().message() + ")");
    }
    if (robots->status >= 500) {
      return UnavailableError(url + ": robots.txt unreachable (HTTP " +
                              std::to_string(robots->status) + " at " + robots_url +
                              "), not fetching");
    }
    // The product token is the User-Agent's first word ("ecoute" of "ecoute/0.1 (...)").
    const std::string agent = options.user_agent.substr(0, options.user_agent.find('/'));
    if (robots->status < 400 && !RobotsAllow(robots->body, agent, parts->path_and_query)) {
      return PermissionDeniedError(url + ": disallowed by " + robots_url);
    }
  }
  Result<FetchResult> result = Get(url, options, true);
  if (!result) return Status(result.error().code(), url + ": " + result.error().message());
  if (result->status >= 400 && !options.http_errors_as_results) {
    return UnavailableError(url + ": HTTP " + std::to_string(result->status) +
                            (result->url != url ? " (at " + result->url + ")" : ""));
  }
  return result;
}

Result<long> HttpPost(const std::string& url, const std::vector<std::string>& header_lines,
                      std::string_view body, const FetchOptions& options) {
  // The general request, whose answer past max_bytes also keeps its status.
  ECOUTE_ASSIGN_OR_RETURN(
      HttpAnswer answer,
      SendHttp(HttpCall{"POST", url, header_lines, std::string(body)}, options, nullptr));
  return answer.status;
}

std::string HttpAnswer::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

Result<HttpAnswer> SendHttp(const HttpCall& call, const FetchOptions& options, SendTrace* trace) {
  if (trace != nullptr) *trace = SendTrace{};
  ECOUTE_ASSIGN_OR_RETURN(OutboundUrl parts, CheckOutboundUrl(call.url, options.outbound));
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return InternalError("libcurl could not start a transfer");
  Transfer transfer;
  transfer.max_bytes = options.max_bytes;
  transfer.keep_headers = true;
  ConnectGuard guard;
  guard.policy = &options.outbound;
  guard.host = parts.host;
  std::unique_ptr<curl_slist, CurlDeleter> headers;
  for (const std::string& line : call.header_lines) Append(headers, line);
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  SetCommonOptions(c, options, guard, transfer, error);
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  if (!call.body.empty() || call.method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  if (call.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (call.method != "POST") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  const CURLcode code = curl_easy_perform(c);
  HttpAnswer answer;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.too_big && answer.status != 0)) {
    answer.headers = std::move(transfer.headers);
    answer.body = std::move(transfer.body);
    answer.truncated = transfer.too_big;
    return answer;
  }
  if (trace != nullptr) {
    long request_bytes = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_off_t uploaded = 0;
    curl_easy_getinfo(c, CURLINFO_REQUEST_SIZE, &request_bytes);
    curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    trace->request_sent = request_bytes > 0 && static_cast<size_t>(uploaded) >= call.body.size();
  }
  return TransferError(c, code, error, guard, options);
}

namespace {

// The message SendMail uploads, read by libcurl in pieces.
struct MailUpload {
  std::string_view rest;
  bool finished = false;  // libcurl has read it all
};

size_t ReadMail(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<MailUpload*>(user);
  const size_t n = std::min(size * count, upload->rest.size());
  std::copy_n(upload->rest.data(), n, buffer);
  upload->rest.remove_prefix(n);
  if (n == 0) upload->finished = true;
  return n;
}

// Why SendMail failed, by libcurl's code and the server's last reply code.
Status MailError(CURLcode code, long reply, const std::string& why) {
  switch (code) {
    case CURLE_LOGIN_DENIED:
      return Status(StatusCode::kUnauthenticated,
                    "the mail server refused the user name or password (" + why + ")");
    case CURLE_USE_SSL_FAILED:
      return Status(StatusCode::kFailedPrecondition,
                    "the mail server offers no STARTTLS: nothing was sent (use a server with TLS)");
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
      return Status(StatusCode::kFailedPrecondition,
                    "no verified TLS with the mail server: " + why);
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError("the mail server did not answer in time (" + why + ")");
    default:
      break;
  }
  if (reply >= 400) {
    return UnavailableError("the mail server refused the message: " + std::to_string(reply) + " (" +
                            why + ")");
  }
  return UnavailableError(why);
}

}  // namespace

Status SendMail(const MailCall& mail, const FetchOptions& options, SendTrace* trace) {
  SendTrace local;
  SendTrace& t = trace != nullptr ? *trace : local;
  t = SendTrace{};
  ECOUTE_ASSIGN_OR_RETURN(OutboundUrl parts, CheckOutboundMailUrl(mail.url, options.outbound));
  if (mail.recipients.empty()) return InvalidArgumentError("a message needs a recipient");
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return InternalError("libcurl could not start a transfer");
  Transfer transfer;
  transfer.max_bytes = options.max_bytes;
  ConnectGuard guard;
  guard.policy = &options.outbound;
  guard.host = parts.host;
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  SetCommonOptions(c, options, guard, transfer, error);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_URL, mail.url.c_str());
  curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
  if (!mail.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, mail.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, mail.password.c_str());
  }
  const std::string from = "<" + mail.from + ">";
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  std::unique_ptr<curl_slist, CurlDeleter> recipients;
  for (const std::string& r : mail.recipients) Append(recipients, "<" + r + ">");
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  MailUpload upload{mail.message, false};
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadMail);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  const CURLcode code = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.reply_code);
  if (code == CURLE_OK) return OkStatus();
  t.request_sent = upload.finished;
  if (!guard.refusal.empty()) return PermissionDeniedError(guard.refusal);
  const std::string why = error[0] != '\0' ? error : curl_easy_strerror(code);
  return MailError(code, t.reply_code, why);
}

// ---------------------------------------------------------------------------------------
// Streaming GETs.

namespace {

// Past this, a redirect's body, or an error response's, is not read further.
constexpr size_t kMaxRedirectBody = size_t{64} * 1024;
constexpr size_t kMaxErrorBody = 1024;

// How often a streaming transfer looks at its stop token and its idle time when no byte
// comes: the bound on how late a stop takes effect.
constexpr int kStreamPollMs = 100;

struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};

// What one streaming transfer (one hop) collects through libcurl's callbacks.
struct StreamTransfer {
  const StreamHeadCallback* on_head = nullptr;
  const StreamChunkCallback* on_chunk = nullptr;
  StreamHead head;
  bool is_redirect = false;  // the final headers were a redirect's: follow it
  bool head_given = false;   // on_head has seen the head
  bool stopped = false;      // a callback asked to stop
  bool has_enough = false;   // an error or redirect body read as far as wanted
  size_t dropped_bytes = 0;  // a redirect's body, read and dropped
  std::chrono::steady_clock::time_point last_byte;
};

size_t OnStreamHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<StreamTransfer*>(user);
  const size_t bytes = size * count;
  t->last_byte = std::chrono::steady_clock::now();
  const std::string_view line(data, bytes);
  if (StartsWithIgnoreCase(line, "HTTP/")) {
    // A new response (after a 1xx, or a hop): its status line.
    t->head.headers.clear();
    t->head.status = 0;
    const size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      long status = 0;  // NOLINT(google-runtime-int): libcurl's type
      for (size_t i = space + 1; i < line.size() && i < space + 4; ++i) {
        if (line[i] < '0' || line[i] > '9') break;
        status = status * 10 + (line[i] - '0');
      }
      t->head.status = status;
    }
    return bytes;
  }
  if (!Trim(line).empty()) {
    if (const size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      for (char& ch : name) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
      }
      t->head.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
    }
    return bytes;
  }
  // The blank line: this response's headers are all in.
  if (t->head.status >= 100 && t->head.status < 200) return bytes;
  if (IsRedirect(t->head.status) && !t->head.Header("location").empty()) {
    t->is_redirect = true;
    return bytes;
  }
  t->head_given = true;
  const bool go_on = (*t->on_head)(t->head);
  // Whatever time the callback took is not the server's silence.
  t->last_byte = std::chrono::steady_clock::now();
  if (!go_on) {
    t->stopped = true;
    return 0;  // aborts the transfer
  }
  return bytes;
}

size_t OnStreamBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<StreamTransfer*>(user);
  const size_t bytes = size * count;
  t->last_byte = std::chrono::steady_clock::now();
  if (!t->head_given) {
    t->dropped_bytes += bytes;
    if (t->dropped_bytes > kMaxRedirectBody) {
      t->has_enough = true;
      return 0;
    }
    return bytes;
  }
  if (t->head.status < 200 || t->head.status >= 300) {
    std::string& body = t->head.error_body;
    body.append(data, std::min(bytes, kMaxErrorBody - body.size()));
    if (body.size() >= kMaxErrorBody) {
      t->has_enough = true;
      return 0;
    }
    return bytes;
  }
  if (!(*t->on_chunk)(std::string_view(data, bytes))) {
    t->stopped = true;
    return 0;
  }
  return bytes;
}

// How one hop of a streaming transfer ended.
struct StreamOutcome {
  CURLcode code = CURLE_OK;
  bool is_stalled = false;
  bool is_stopped = false;  // the stop token
};

// Runs the transfer on `c` through a multi handle, so that the stop token and the idle
// time are looked at every kStreamPollMs even when no byte comes.
StreamOutcome PerformStream(CURL* c, const StreamRequest& request, StreamTransfer& t) {
  StreamOutcome outcome;
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (!multi) {
    outcome.code = CURLE_OUT_OF_MEMORY;
    return outcome;
  }
  CURLM* m = multi.get();
  curl_multi_add_handle(m, c);
  const auto idle = std::chrono::milliseconds(std::max(request.idle_timeout_ms, 1L));
  t.last_byte = std::chrono::steady_clock::now();
  for (;;) {
    int running = 0;
    if (curl_multi_perform(m, &running) != CURLM_OK) {
      outcome.code = CURLE_RECV_ERROR;
      break;
    }
    if (running == 0) {
      int left = 0;
      while (CURLMsg* message = curl_multi_info_read(m, &left)) {
        if (message->msg == CURLMSG_DONE) outcome.code = message->data.result;
      }
      break;
    }
    if (request.stop.stop_requested()) {
      outcome.is_stopped = true;
      break;
    }
    if (std::chrono::steady_clock::now() - t.last_byte > idle) {
      outcome.is_stalled = true;
      break;
    }
    curl_multi_poll(m, nullptr, 0, kStreamPollMs, nullptr);
  }
  curl_multi_remove_handle(m, c);
  return outcome;
}

// Why a streaming hop failed, its reason alone.
Status StreamError(CURL* c, CURLcode code, const char* error, const ConnectGuard& guard) {
  if (!guard.refusal.empty()) return PermissionDeniedError(guard.refusal);
  const std::string why = error[0] != '\0' ? error : curl_easy_strerror(code);
  if (code == CURLE_OPERATION_TIMEDOUT) return DeadlineExceededError("timed out (" + why + ")");
  if (code == CURLE_COULDNT_CONNECT) {
    long os_error = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_error);
    return UnavailableError(
        "cannot connect: " +
        (os_error != 0
             ? std::error_code(static_cast<int>(os_error), std::generic_category()).message()
             : why));
  }
  if (code == CURLE_COULDNT_RESOLVE_HOST) return UnavailableError("unknown host (" + why + ")");
  if (code == CURLE_UNSUPPORTED_PROTOCOL) {
    return InvalidArgumentError("only http and https are fetched (" + why + ")");
  }
  return UnavailableError(why);
}

// Whether a redirect from `from` to `to` may carry the request's own headers (a token):
// the same host or one of its subdomains, and no step down from https to http.
bool KeepsHeaders(const OutboundUrl& from, const OutboundUrl& to) {
  if (from.scheme == "https" && to.scheme != "https") return false;
  if (to.host == from.host) return true;
  return to.host.size() > from.host.size() && to.host.ends_with(from.host) &&
         to.host[to.host.size() - from.host.size() - 1] == '.';
}

}  // namespace

std::string StreamHead::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

Result<StreamHead> FetchStream(const StreamRequest& request, const FetchOptions& options,
                               const StreamHeadCallback& on_head,
                               const StreamChunkCallback& on_chunk) {
  ECOUTE_ASSIGN_OR_RETURN(const OutboundUrl first, CheckOutboundUrl(request.url, options.outbound));
  InitCurlOnce();
  std::string current = request.url;
  for (long redirects = 0;; ++redirects) {  // NOLINT(google-runtime-int): libcurl's type
    const std::string where = redirects == 0 ? "" : "redirected to " + UrlOrigin(current) + ": ";
    Result<OutboundUrl> checked = CheckOutboundUrl(current, options.outbound);
    if (!checked) return Status(checked.error().code(), where + checked.error().message());
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return InternalError("libcurl could not start a transfer");
    CURL* c = curl.get();
    ConnectGuard guard;
    guard.policy = &options.outbound;
    guard.host = checked->host;
    char error[CURL_ERROR_SIZE] = {};
    Transfer unused;  // SetCommonOptions' callbacks, replaced below by the streaming ones
    SetCommonOptions(c, options, guard, unused, error);
    StreamTransfer t;
    t.on_head = &on_head;
    t.on_chunk = &on_chunk;
    t.head.url = current;
    t.head.redirects = redirects;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnStreamBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnStreamHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_URL, current.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms);
    std::unique_ptr<curl_slist, CurlDeleter> headers;
    if (redirects == 0 || KeepsHeaders(first, *checked)) {
      for (const std::string& line : request.header_lines) Append(headers, line);
    }
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

    const StreamOutcome outcome = PerformStream(c, request, t);
    if (outcome.is_stopped || t.stopped) {
      t.head.stopped = true;
      return std::move(t.head);
    }
    if (outcome.is_stalled) {
      return DeadlineExceededError(where + "stalled: no data for " +
                                   std::to_string(request.idle_timeout_ms / 1000) + " s");
    }
    const bool is_complete =
        outcome.code == CURLE_OK || (outcome.code == CURLE_WRITE_ERROR && t.has_enough);
    if (!is_complete) {
      const Status failure = StreamError(c, outcome.code, error, guard);
      return Status(failure.code(), where + failure.message());
    }
    if (!t.is_redirect) return std::move(t.head);
    char* location = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
    if (location == nullptr) return std::move(t.head);
    if (redirects == options.max_redirects) {
      return UnavailableError("more than " + std::to_string(options.max_redirects) + " redirects");
    }
    current = location;
  }
}

}  // namespace ecoute
