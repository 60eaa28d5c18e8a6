// The API's JSON in and out: request bodies read, answers and errors written, and the one
// table from status codes to HTTP statuses.
#include <charconv>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

}  // namespace

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Response ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  Response r;
  r.status = http_status;
  r.body = Dump({{"error", {{"code", code}, {"message", message}}}});
  return r;
}

Response ErrorResponse(const Status& status) {
  if (status.code() == StatusCode::kInternal || status.code() == StatusCode::kDataLoss) {
    // The details go to the log, not to the client.
    spdlog::error("internal error: {}", status.message());
    return ErrorResponse(500, "internal", "internal error; the server log has the details");
  }
  std::string code(StatusCodeName(status.code()));
  if (status.code() == StatusCode::kResourceExhausted) code = "too_many_requests";
  return ErrorResponse(HttpStatusFor(status.code()), code, status.message());
}

Response JsonResponse(const json& j, int status) {
  Response r;
  r.status = status;
  r.body = Dump(j);
  return r;
}

json OptionalTime(const std::optional<int64_t>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

Result<json> ParseBody(const Request& request) {
  if (request.body.empty()) return json::object();
  json j = json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("the body must be a JSON object");
  }
  return j;
}

std::string DescribeValue(const json& value) {
  if (value.is_string()) return "\"" + ShortQuote(value.get_ref<const std::string&>()) + "\"";
  return std::string("a value of type ") + value.type_name();
}

std::string StringField(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status TextField(const json& j, const char* name, size_t max_bytes, bool required,
                 std::string_view what, std::string& out) {
  out.clear();
  auto it = j.find(name);
  const bool absent = it == j.end() || it->is_null();
  if (!absent && !it->is_string()) {
    return InvalidArgumentError("\"" + std::string(name) + "\" is " + DescribeValue(*it) +
                                ": give a string, " + std::string(what));
  }
  if (!absent) out = it->get<std::string>();
  if (required && out.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgumentError("\"" + std::string(name) + "\" is missing or empty: give " +
                                std::string(what));
  }
  if (out.size() > max_bytes) {
    return InvalidArgumentError("\"" + std::string(name) + "\" has " + std::to_string(out.size()) +
                                " bytes: give at most " + std::to_string(max_bytes));
  }
  return OkStatus();
}

std::string Actor(const Principal& p) {
  return std::string(p.role == Role::kAdmin     ? "admin:"
                     : p.role == Role::kManager ? "manager:"
                                                : "agent:") +
         p.name;
}

}  // namespace ecoute::server
