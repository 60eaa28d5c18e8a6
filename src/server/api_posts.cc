// Posts: search, narrowed to the caller's brands, and push, through the service's ingest
// path (App::NewIngestor: group commit, then live updates and alerts).
#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/ingest.h"
#include "ecoute/json.h"
#include "ecoute/search.h"
#include "ecoute/sources.h"

#include "server/api_internal.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

Response SearchPosts(Context& ctx) {
  const std::string q(ctx.request.Query("q"));
  Result<SearchQuery> query = ParseSearchQuery(q, ctx.app.clock().Now());
  if (!query) {
    // "column 7: unterminated quote: ...": the column is the interface's to point at.
    const Status error = query.error();
    const std::string& m = error.message();
    std::string column;
    if (m.starts_with("column ")) column = m.substr(7, m.find(':') - 7);
    return ErrorResponse(WithDetail(error, {"invalid_query", "q", {{"column", column}}}));
  }
  // A brand by its catalog name or any alias, whatever its case or accents: brand:voltaire
  // is "Voltaire Énergie". A name the catalog does not know stays as given (and finds
  // nothing, or the brands of older posts).
  const std::shared_ptr<const BrandCatalog> catalog = ctx.app.catalog_snapshot();
  for (std::string& b : query->brands) {
    if (const Brand* known = FindBrand(*catalog, b)) b = known->name;
  }
  SearchOptions options;
  options.highlight_open = "\x01";
  options.highlight_close = "\x02";
  if (std::string_view l = ctx.request.Query("limit"); !l.empty()) {
    std::optional<int64_t> limit = ParseId(l);
    if (!limit || *limit > 200) {
      return ErrorResponse(400, "out_of_range", "limit: a number from 1 to 200", "limit",
                           {{"min", "1"}, {"max", "200"}});
    }
    options.limit = static_cast<int>(*limit);
  }
  std::string body = "{\"hits\":[";
  if (ctx.scope.Restrict(query->brands)) {
    Result<std::vector<SearchHit>> found = [&] {
      return ctx.app.store().Lock()->Search(*query, options);
    }();
    if (!found) return ErrorResponse(found.error());
    for (SearchHit& h : *found) {
      std::erase_if(h.brands, [&](const std::string& b) { return !ctx.scope.Sees(b); });
      // Another brand's cases do not exist for this caller, nor do their ids.
      std::vector<int64_t> cases;
      for (size_t i = 0; i < h.cases.size() && i < h.case_brands.size(); ++i) {
        if (ctx.scope.Sees(h.case_brands[i])) cases.push_back(h.cases[i]);
      }
      h.cases = std::move(cases);
      if (body.back() != '[') body += ',';
      AppendSearchHitJson(h, body);
    }
  }
  body += "]}";
  Response r;
  r.body = std::move(body);
  return r;
}

Response PushPosts(Context& ctx) {
  std::string bytes = std::move(ctx.request.body);
  const JsonShape shape = ScanJson(bytes);  // (not too deep: App::Handle checked)
  // One pretty-printed JSON object is one post: its white space outside strings is dropped
  // (a byte copy, no document tree) so that it is one line for the JSON-lines reader.
  if (shape.top_level_containers == 1 && !shape.top_level_other &&
      bytes.find('\n') != std::string::npos) {
    std::string line(bytes.size(), '\0');
    size_t length = 0;
    if (simdjson::minify(bytes.data(), bytes.size(), line.data(), length) == simdjson::SUCCESS) {
      line.resize(length);
      bytes = std::move(line);
    }
  }
  Result<std::unique_ptr<Ingestor>> ingestor =
      ctx.app.NewIngestor(static_cast<size_t>(std::max<int64_t>(1, ctx.app.config().ingest_batch)));
  if (!ingestor) return ErrorResponse(ingestor.error());
  const std::vector<Problem> problems = (*ingestor)->Read(bytes, "push", InputFormat::kJsonLines);
  const Status stored = (*ingestor)->Flush();
  const IngestChange& change = (*ingestor)->change();
  if (change.read == 0) {
    return ErrorResponse(400, "no_post",
                         problems.empty()
                             ? "no post in the body: send one JSON object, or JSON lines, each "
                               "with at least \"text\""
                             : problems.front().where + ": " + problems.front().message);
  }
  if (!stored.ok()) {
    // What was stored before stays stored; say how far it went.
    Response r = ErrorResponse(stored);
    r.body = Dump({{"error",
                    {{"code", StatusCodeName(stored.code())},
                     {"message", stored.message()},
                     {"stored_before_error", change.stored()}}}});
    return r;
  }
  json problem_list = json::array();
  for (const Problem& p : problems) problem_list.push_back(p.where + ": " + p.message);
  return JsonResponse({{"read", change.read},
                       {"new", change.created},
                       {"updated", change.updated},
                       {"unchanged", change.unchanged},
                       {"problems", problem_list},
                       {"cases", change.cases}},
                      problems.empty() ? 200 : 207);
}

}  // namespace ecoute::server
