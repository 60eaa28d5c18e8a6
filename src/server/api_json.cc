// The API's JSON in and out: request bodies read, answers and errors written, and the one
// table from status codes to HTTP statuses.
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "server/api_internal.h"
#include "text/normalize.h"
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

// The details of the latest refusals made on this thread, newest last: a handful, since a
// request is answered soon after it is refused.
constexpr size_t kKeptDetails = 8;
struct KeptDetail {
  StatusCode code;
  std::string message;
  ErrorDetail detail;
};
thread_local std::vector<KeptDetail> kept_details;

}  // namespace

Status WithDetail(const Status& status, ErrorDetail detail) {
  if (kept_details.size() >= kKeptDetails) kept_details.erase(kept_details.begin());
  kept_details.push_back({status.code(), status.message(), std::move(detail)});
  return status;
}

Status FieldError(std::string reason, std::string field, std::string message,
                  std::vector<std::pair<std::string, std::string>> params) {
  return WithDetail(InvalidArgumentError(std::move(message)),
                    {std::move(reason), std::move(field), std::move(params)});
}

const ErrorDetail* DetailOf(const Status& status) {
  for (auto it = kept_details.rbegin(); it != kept_details.rend(); ++it) {
    if (it->code == status.code() && it->message == status.message()) return &it->detail;
  }
  return nullptr;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

namespace {

json ErrorObject(std::string_view code, std::string_view message, std::string_view field,
                 const json& params) {
  json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  if (params.is_object() && !params.empty()) error["params"] = params;
  return error;
}

}  // namespace

Response ErrorResponse(int http_status, std::string_view code, std::string_view message,
                       std::string_view field, const json& params) {
  Response r;
  r.status = http_status;
  r.body = Dump({{"error", ErrorObject(code, message, field, params)}});
  return r;
}

json ErrorJson(const Status& status) {
  if (status.code() == StatusCode::kInternal || status.code() == StatusCode::kDataLoss) {
    // The details go to the log, not to the client.
    spdlog::error("internal error: {}", status.message());
    return ErrorObject("internal", "internal error; the server log has the details", "", {});
  }
  std::string code(StatusCodeName(status.code()));
  if (status.code() == StatusCode::kResourceExhausted) code = "too_many_requests";
  const ErrorDetail* detail = DetailOf(status);
  if (detail == nullptr) return ErrorObject(code, status.message(), "", {});
  json params = json::object();
  for (const auto& [name, value] : detail->params) params[name] = value;
  return ErrorObject(detail->reason.empty() ? code : detail->reason, status.message(),
                     detail->field, params);
}

Response ErrorResponse(const Status& status) {
  Response r;
  r.status = HttpStatusFor(status.code());  // internal and data loss: 500
  r.body = Dump({{"error", ErrorJson(status)}});
  return r;
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
    return WithDetail(InvalidArgumentError("the body must be a JSON object"), {"invalid_json", ""});
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
    return FieldError("wrong_type", name,
                      "\"" + std::string(name) + "\" is " + DescribeValue(*it) +
                          ": give a string, " + std::string(what),
                      {{"expected", "string"}});
  }
  if (!absent) out = it->get<std::string>();
  if (required && out.find_first_not_of(" \t\r\n") == std::string::npos) {
    return FieldError(
        "required", name,
        "\"" + std::string(name) + "\" is missing or empty: give " + std::string(what));
  }
  if (out.size() > max_bytes) {
    return FieldError("too_long", name,
                      "\"" + std::string(name) + "\" has " + std::to_string(out.size()) +
                          " bytes: give at most " + std::to_string(max_bytes),
                      {{"max", std::to_string(max_bytes)}});
  }
  return OkStatus();
}

const Brand* FindBrand(const BrandCatalog& catalog, std::string_view name) {
  const std::string wanted = NormalizeTerm(name);
  if (wanted.empty()) return nullptr;
  for (const Brand& b : catalog.brands) {
    if (NormalizeTerm(b.name) == wanted) return &b;
  }
  for (const Brand& b : catalog.brands) {
    for (const std::string& alias : b.aliases) {
      if (NormalizeTerm(alias) == wanted) return &b;
    }
  }
  return nullptr;
}

Status CatalogBrands(const BrandCatalog& catalog, std::string_view field,
                     std::vector<std::string>& brands) {
  std::vector<std::string> names;
  for (const std::string& given : brands) {
    const Brand* b = FindBrand(catalog, given);
    if (b == nullptr) {
      return FieldError("unknown_brand", std::string(field),
                        "brand \"" + ShortQuote(given) +
                            "\" is not in the brand catalog: give a brand's name or alias "
                            "(GET /api/v1/brands)",
                        {{"brand", ShortQuote(given)}});
    }
    if (std::find(names.begin(), names.end(), b->name) == names.end()) names.push_back(b->name);
  }
  brands = std::move(names);
  return OkStatus();
}

namespace {

// Topics by their code and by their name in the dashboard's languages, as a user may type
// them: English, then French.
struct TopicNames {
  Topic topic;
  std::string_view en;
  std::string_view fr;
};
constexpr TopicNames kTopicNames[] = {
    {Topic::kBilling, "billing", "facturation"},
    {Topic::kDelay, "delay", "retard"},
    {Topic::kSupport, "support", "service client"},
    {Topic::kProductDefect, "product defect", "produit défectueux"},
    {Topic::kCancellation, "cancellation", "résiliation"},
    {Topic::kContract, "contract", "contrat"},
    {Topic::kStaffAttitude, "staff attitude", "attitude du personnel"},
    {Topic::kDelivery, "delivery", "livraison"},
    {Topic::kOutage, "outage", "panne"},
    {Topic::kOther, "other", "autre"},
};

}  // namespace

bool ParseTopicOrLabel(std::string_view text, Topic& out) {
  if (ParseTopic(text, out)) return true;
  const std::string wanted = NormalizeTerm(text);
  for (const TopicNames& t : kTopicNames) {
    if (wanted == NormalizeTerm(TopicName(t.topic)) || wanted == NormalizeTerm(t.en) ||
        wanted == NormalizeTerm(t.fr)) {
      out = t.topic;
      return true;
    }
  }
  return false;
}

std::string Actor(const Principal& p) {
  return std::string(p.role == Role::kAdmin     ? "admin:"
                     : p.role == Role::kManager ? "manager:"
                                                : "agent:") +
         p.name;
}

}  // namespace ecoute::server
