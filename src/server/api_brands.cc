// The brand catalog (docs/BRANDS.md): everyone reads the brands they see; administrators
// add, edit and delete them, and preview a definition on the newest stored posts before
// saving it. The App checks and applies the changes (app_brands.cc).
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/datetime.h"

#include "server/api_internal.h"
#include "util/utf8.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

constexpr int64_t kDefaultPreviewPosts = 1000;
constexpr int64_t kMaxPreviewPosts = 5000;
constexpr size_t kMaxListedPosts = 200;  // of each list of a preview; the counts are whole
constexpr size_t kPreviewTextChars = 280;
constexpr size_t kMaxWords = 20;

json BrandJson(const StoredBrand& b) {
  return {{"name", b.brand.name},
          {"aliases", b.brand.aliases},
          {"handles", b.brand.handles},
          {"domains", b.brand.domains},
          {"not", b.brand.exclusions},
          {"common_word", b.brand.is_common_word},
          {"origin", b.origin},
          {"created_at", FormatRfc3339(b.created_at)},
          {"updated_at", FormatRfc3339(b.updated_at)}};
}

// The list `name` of the body: absent or null is empty; anything but an array of strings is
// refused, on the list or on its entry ("aliases[2]").
Status ReadList(const json& j, const std::string& prefix, const char* name,
                std::vector<std::string>& out) {
  out.clear();
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return OkStatus();
  const std::string field = prefix + name;
  if (!it->is_array()) {
    return FieldError("wrong_type", field,
                      field + " is " + DescribeValue(*it) + ": give a list of strings",
                      {{"expected", "array"}});
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    if (!item.is_string()) {
      const std::string at = field + "[" + std::to_string(i) + "]";
      return FieldError("wrong_type", at, at + " is " + DescribeValue(item) + ": give a string",
                        {{"expected", "string"}});
    }
    out.push_back(item.get<std::string>());
  }
  return OkStatus();
}

// A brand's definition as the body `j` gives it; fields are named after `prefix`. The
// read-only fields of BrandJson (origin, times) are ignored, so that a brand read can be
// sent back. Cleaning and checking are CleanBrand's, later.
Status ReadBrand(const json& j, const std::string& prefix, Brand& out) {
  out = Brand();
  auto name = j.find("name");
  if (name != j.end() && !name->is_null()) {
    if (!name->is_string()) {
      return FieldError("wrong_type", prefix + "name",
                        prefix + "name is " + DescribeValue(*name) + ": give a string",
                        {{"expected", "string"}});
    }
    out.name = name->get<std::string>();
  }
  ECOUTE_RETURN_IF_ERROR(ReadList(j, prefix, "aliases", out.aliases));
  ECOUTE_RETURN_IF_ERROR(ReadList(j, prefix, "handles", out.handles));
  ECOUTE_RETURN_IF_ERROR(ReadList(j, prefix, "domains", out.domains));
  ECOUTE_RETURN_IF_ERROR(ReadList(j, prefix, "not", out.exclusions));
  auto common = j.find("common_word");
  if (common != j.end() && !common->is_null()) {
    if (!common->is_boolean()) {
      return FieldError("wrong_type", prefix + "common_word", prefix + "common_word: true or false",
                        {{"expected", "boolean"}});
    }
    out.is_common_word = common->get<bool>();
  }
  return OkStatus();
}

// ---- the preview ----------------------------------------------------------------------------

// At most `chars` code points of `text`: when longer, its first `chars` - 1 and "…".
std::string Excerpt(std::string_view text, size_t chars) {
  size_t at = 0;
  size_t count = 0;
  size_t cut = 0;
  while (at < text.size() && count < chars) {
    size_t length = 0;
    DecodeUtf8(text, at, length);
    at += std::max<size_t>(length, 1);
    if (++count + 1 == chars) cut = at;
  }
  if (at >= text.size()) return std::string(text);
  return std::string(text.substr(0, cut)) + "…";
}

// The words of `text` that named the brand `name` in `analysis` (each once, in text order);
// nullopt when the analysis does not name it.
std::optional<std::vector<std::string>> MatchedWords(const Analysis& analysis,
                                                     std::string_view text, std::string_view name) {
  for (const BrandVerdict& verdict : analysis.brands) {
    if (!EqualsIgnoreCase(verdict.name, name)) continue;
    std::vector<std::string> words;
    for (const Span& span : verdict.spans) {
      if (span.end > text.size() || span.begin >= span.end) continue;
      std::string word(text.substr(span.begin, span.end - span.begin));
      if (std::find(words.begin(), words.end(), word) == words.end()) words.push_back(word);
      if (words.size() == kMaxWords) break;
    }
    return words;
  }
  return std::nullopt;
}

json PreviewPostJson(const RecentPost& r, const std::vector<std::string>& words) {
  return {{"id", r.id},
          {"url", r.post.url},
          {"author", r.post.author.handle.empty() ? r.post.author.name : r.post.author.handle},
          {"published_at", r.post.published_at.empty() ? json(nullptr) : json(r.post.published_at)},
          {"text", Excerpt(r.post.text, kPreviewTextChars)},
          {"words", words}};
}

struct PreviewRequest {
  Brand brand;
  int64_t limit = kDefaultPreviewPosts;
};

Result<PreviewRequest> ReadPreview(const json& body, const BrandCatalog& current) {
  PreviewRequest out;
  auto brand = body.find("brand");
  if (brand == body.end() || brand->is_null()) {
    return FieldError("required", "brand", "\"brand\" is missing: give the brand's definition");
  }
  if (!brand->is_object()) {
    return FieldError(
        "wrong_type", "brand",
        "\"brand\" is " + DescribeValue(*brand) + ": give an object, as POST /brands takes",
        {{"expected", "object"}});
  }
  ECOUTE_RETURN_IF_ERROR(ReadBrand(*brand, "brand.", out.brand));
  if (std::optional<BrandProblem> problem = CleanBrand(out.brand)) {
    return BrandProblemError(*problem, "brand.");
  }
  // Judged as saving it would: against the other brands.
  if (std::optional<BrandProblem> clash = FindBrandClash(current, out.brand, out.brand.name)) {
    return BrandProblemError(*clash, "brand.");
  }
  if (auto limit = body.find("limit"); limit != body.end() && !limit->is_null()) {
    if (!limit->is_number_integer() || limit->get<int64_t>() < 1 ||
        limit->get<int64_t>() > kMaxPreviewPosts) {
      return FieldError("out_of_range", "limit",
                        "limit: a number of posts from 1 to " + std::to_string(kMaxPreviewPosts),
                        {{"min", "1"}, {"max", std::to_string(kMaxPreviewPosts)}});
    }
    out.limit = limit->get<int64_t>();
  }
  return out;
}

// `catalog` with `brand` in place of the brand of its name, or added at its end.
BrandCatalog WithBrand(const BrandCatalog& catalog, const Brand& brand) {
  BrandCatalog out = catalog;
  for (Brand& b : out.brands) {
    if (EqualsIgnoreCase(b.name, brand.name)) {
      b = brand;
      return out;
    }
  }
  out.brands.push_back(brand);
  return out;
}

}  // namespace

// ---- the handlers ---------------------------------------------------------------------------

Response ListBrands(Context& ctx) {
  const std::shared_ptr<const ServedCatalog> served = ctx.app.brands_snapshot();
  json brands = json::array();
  for (const StoredBrand& b : served->brands) {
    if (ctx.scope.Sees(b.brand.name)) brands.push_back(BrandJson(b));
  }
  return JsonResponse({{"brands", brands}});
}

Response CreateBrand(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  Brand brand;
  if (Status read = ReadBrand(*body, "", brand); !read.ok()) return ErrorResponse(read);
  Result<StoredBrand> added = ctx.app.AddBrand(std::move(brand), Actor(ctx.principal));
  if (!added) return ErrorResponse(added.error());
  // Its recent past, read in the background, so that its inbox does not start empty
  // (docs/LISTENING.md, "Accepting, and the back-fill").
  ctx.app.BackfillBrand(added->brand.name);
  return JsonResponse(BrandJson(*added), 201);
}

Response UpdateBrand(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  Brand brand;
  if (Status read = ReadBrand(*body, "", brand); !read.ok()) return ErrorResponse(read);
  Result<StoredBrand> replaced =
      ctx.app.ReplaceBrand(ctx.names[0], std::move(brand), Actor(ctx.principal));
  if (!replaced) return ErrorResponse(replaced.error());
  return JsonResponse(BrandJson(*replaced));
}

Response DeleteBrand(Context& ctx) {
  if (Status removed = ctx.app.RemoveBrand(ctx.names[0]); !removed.ok()) {
    return ErrorResponse(removed);
  }
  Response r;
  r.status = 204;
  r.body.clear();
  return r;
}

// The definition given, in the catalog in force (in place of the brand of its name, or
// added), analyzes the newest stored posts: those it names, and those the definition in
// force names that it would not. Only administrators preview, and they see every brand.
Response PreviewBrand(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  const std::shared_ptr<const ServedCatalog> served = ctx.app.brands_snapshot();
  Result<PreviewRequest> request = ReadPreview(*body, served->catalog);
  if (!request) return ErrorResponse(request.error());
  Result<std::unique_ptr<Analyzer>> candidate =
      ctx.app.BuildAnalyzer(WithBrand(served->catalog, request->brand), false);
  if (!candidate) return ErrorResponse(candidate.error());
  Result<std::vector<RecentPost>> posts = ctx.app.RecentPosts(static_cast<int>(request->limit));
  if (!posts) return ErrorResponse(posts.error());
  const std::string& name = request->brand.name;
  Analyzer::Scratch scratch;
  Analysis analysis;
  json matched = json::array();
  json lost = json::array();
  int64_t matched_count = 0;
  int64_t lost_count = 0;
  for (const RecentPost& r : *posts) {
    (*candidate)->Analyze(r.post, scratch, analysis);
    std::optional<std::vector<std::string>> words = MatchedWords(analysis, r.post.text, name);
    if (words) {
      ++matched_count;
      if (matched.size() < kMaxListedPosts) matched.push_back(PreviewPostJson(r, *words));
      continue;
    }
    served->analyzer->Analyze(r.post, scratch, analysis);
    std::optional<std::vector<std::string>> before = MatchedWords(analysis, r.post.text, name);
    if (!before) continue;
    ++lost_count;
    if (lost.size() < kMaxListedPosts) lost.push_back(PreviewPostJson(r, *before));
  }
  return JsonResponse({{"brand", name},
                       {"scanned", posts->size()},
                       {"matched", matched_count},
                       {"lost_count", lost_count},
                       {"posts", matched},
                       {"lost", lost}});
}

}  // namespace ecoute::server
