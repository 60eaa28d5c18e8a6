// The report's figures (JSON or CSV), narrowed to the caller's brands.
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "ecoute/report.h"

#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

constexpr int64_t kMaxMinCases = 1000000;

Response GetReport(Context& ctx) {
  ReportOptions options;
  options.brands = ctx.request.QueryAll("brand");
  options.now = ctx.app.clock().Now();
  for (const TimeBound bound : {TimeBound::kSince, TimeBound::kUntil}) {
    const std::string name = bound == TimeBound::kSince ? "since" : "until";
    std::string_view text = ctx.request.Query(name);
    if (text.empty()) continue;
    std::optional<int64_t> when = ParseTimeBound(text, bound, options.now);
    if (!when) {
      return ErrorResponse(
          400, "invalid_date",
          name + " \"" + ShortQuote(text) + "\": not a date; " + std::string(kTimeBoundForms),
          name);
    }
    (bound == TimeBound::kSince ? options.since : options.until) = when;
  }
  int64_t min_cases = kDefaultMinCases;
  if (std::string_view text = ctx.request.Query("min_cases"); !text.empty()) {
    std::optional<int64_t> parsed = text == "0" ? std::optional<int64_t>(0) : ParseId(text);
    if (!parsed || *parsed > kMaxMinCases) {
      return ErrorResponse(400, "invalid_argument",
                           "min_cases: a number from 0 to " + std::to_string(kMaxMinCases));
    }
    min_cases = *parsed;
  }
  Report report;
  report.generated_at = options.now;
  if (ctx.scope.Restrict(options.brands)) {
    Result<Report> built = [&] { return ctx.app.store().Lock()->BuildReport(options); }();
    if (!built) return ErrorResponse(built.error());
    report = std::move(built).value();
  }
  // The intervals are computed here, the store's lock released.
  AddUncertainty(report, min_cases);
  Response r;
  if (ctx.request.Query("format") == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    AppendReportCsv(report, r.body);
  } else {
    AppendReportJson(report, r.body);
  }
  return r;
}

}  // namespace ecoute::server
