// Reply templates (docs/REPLIES.md, "Templates"): read by agents, written by managers. A
// template for a brand is seen and changed only by whoever sees the brand (another brand's
// template does not exist for them, as another brand's case); one for every brand (brand
// "") is read by all, and changed only by whoever sees every brand. A case's suggestions are
// its brand's templates and those for every brand, best first, with their text for it.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reply/template.h"
#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

json TemplateJson(const ReplyTemplate& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"brand", t.brand},
          {"lang", t.lang},
          {"topic", t.topic},
          {"body", t.body},
          {"updated_by", t.updated_by},
          {"updated_at", FormatRfc3339(t.updated_at)}};
}

bool Sees(const Scope& scope, const ReplyTemplate& t) {
  return t.brand.empty() || scope.Sees(t.brand);
}

// A template for every brand concerns every brand's cases.
bool MayWrite(const Scope& scope, const ReplyTemplate& t) {
  return t.brand.empty() ? scope.all() : scope.Sees(t.brand);
}

Response MayNotWrite(const ReplyTemplate& t) {
  return ErrorResponse(
      403, "not_your_brand",
      t.brand.empty() ? "a template for every brand (brand \"\") needs access to every brand: "
                        "give one of your brands in \"brand\""
                      : "brand \"" + t.brand + "\" is not one of yours: give one of your brands",
      "brand");
}

// The fields of `body` into `t`: every one when creating (name and body required), only
// those present when changing.
Status ApplyFields(const json& body, bool create, ReplyTemplate& t) {
  struct Field {
    const char* name;
    size_t max_bytes;
    bool required;
    std::string_view what;
    std::string* out;
  };
  const Field fields[] = {
      {"name", kMaxTemplateNameBytes, true, "the name agents pick the template by", &t.name},
      {"brand", 200, false, "a brand of the catalog, or \"\" for every brand", &t.brand},
      {"lang", 35, false, "a language tag such as \"fr\", or \"\" for every language", &t.lang},
      {"topic", 64, false, "a topic such as \"delay\", or \"\" for every topic", &t.topic},
      {"body", kMaxTemplateBodyBytes, true, "the text of the reply", &t.body},
  };
  for (const Field& f : fields) {
    if (!create && !body.contains(f.name)) continue;
    ECOUTE_RETURN_IF_ERROR(TextField(body, f.name, f.max_bytes, f.required, f.what, *f.out));
  }
  return OkStatus();
}

// The template the path names, if the caller sees it.
Result<ReplyTemplate> ScopedTemplate(Context& ctx) {
  Result<ReplyTemplate> t = ctx.app.templates().Get(ctx.ids[0]);
  if (!t || !Sees(ctx.scope, *t)) return NotFoundError("no template " + std::to_string(ctx.ids[0]));
  return t;
}

// CheckTemplate's refusal ("brand: ...") on the field it names, with a code.
Status TemplateError(const Status& st, const ReplyTemplate& t) {
  if (st.code() != StatusCode::kInvalidArgument || DetailOf(st) != nullptr) return st;
  const std::string& m = st.message();
  const std::string field = m.substr(0, m.find(':'));
  if (field == "brand")
    return WithDetail(st, {"unknown_brand", field, {{"brand", ShortQuote(t.brand)}}});
  if (field == "lang") return WithDetail(st, {"invalid_lang", field, {}});
  if (field == "topic")
    return WithDetail(st, {"unknown_topic", field, {{"topic", ShortQuote(t.topic)}}});
  if (field == "name")
    return WithDetail(st,
                      {m.find("give") != std::string::npos ? "required" : "too_long", field, {}});
  if (field == "body") {
    if (m.find("unknown variable") != std::string::npos) {
      return WithDetail(st, {"unknown_variable", field, {}});
    }
    return WithDetail(
        st,
        {m.find("write the text") != std::string::npos ? "required" : "invalid_text", field, {}});
  }
  return st;
}

// Checks the template, then whether the caller may write it, then saves it.
Response Save(Context& ctx, ReplyTemplate t, bool create) {
  if (Status st = CheckTemplate(*ctx.app.catalog_snapshot(), t); !st.ok()) {
    return ErrorResponse(TemplateError(st, t));
  }
  if (!MayWrite(ctx.scope, t)) return MayNotWrite(t);
  t.updated_by = Actor(ctx.principal);
  t.updated_at = ctx.app.clock().Now();
  Result<ReplyTemplate> saved =
      create ? ctx.app.templates().Add(std::move(t)) : ctx.app.templates().Update(std::move(t));
  if (!saved) return ErrorResponse(saved.error());
  return JsonResponse({{"template", TemplateJson(*saved)}}, create ? 201 : 200);
}

}  // namespace

Response ListTemplates(Context& ctx) {
  Result<std::vector<ReplyTemplate>> all = ctx.app.templates().List();
  if (!all) return ErrorResponse(all.error());
  json list = json::array();
  for (const ReplyTemplate& t : *all) {
    if (Sees(ctx.scope, t)) list.push_back(TemplateJson(t));
  }
  return JsonResponse({{"templates", list}});
}

Response CreateTemplate(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  ReplyTemplate t;
  if (Status st = ApplyFields(*body, true, t); !st.ok()) return ErrorResponse(st);
  return Save(ctx, std::move(t), true);
}

Response UpdateTemplate(Context& ctx) {
  Result<ReplyTemplate> t = ScopedTemplate(ctx);
  if (!t) return ErrorResponse(t.error());
  if (!MayWrite(ctx.scope, *t)) return MayNotWrite(*t);
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  if (Status st = ApplyFields(*body, false, *t); !st.ok()) return ErrorResponse(st);
  return Save(ctx, std::move(t).value(), false);
}

Response DeleteTemplate(Context& ctx) {
  Result<ReplyTemplate> t = ScopedTemplate(ctx);
  if (!t) return ErrorResponse(t.error());
  if (!MayWrite(ctx.scope, *t)) return MayNotWrite(*t);
  if (Status st = ctx.app.templates().Remove(t->id); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

Response CaseTemplates(Context& ctx) {
  if (Status seen = ctx.scope.CheckCase(ctx.app, ctx.ids[0]); !seen.ok()) {
    return ErrorResponse(seen);
  }
  Result<CaseDetail> detail = ctx.app.store().Lock()->GetCase(ctx.ids[0]);
  if (!detail) return ErrorResponse(detail.error());
  Result<std::vector<ReplyTemplate>> all = ctx.app.templates().List();
  if (!all) return ErrorResponse(all.error());
  const CaseSummary& c = detail->summary;
  reply::CaseTraits traits{c.brand, "", c.topic ? std::string(TopicName(*c.topic)) : ""};
  for (const CasePost& p : detail->posts) {
    if (p.role == CaseRole::kOpening) {
      traits.lang = p.lang;
      break;
    }
  }
  const reply::TemplateValues values{c.customer, c.brand, std::to_string(c.id), ctx.principal.name};
  json list = json::array();
  for (const ReplyTemplate& t : reply::SuggestTemplates(*all, traits)) {
    list.push_back({{"id", t.id},
                    {"name", t.name},
                    {"brand", t.brand},
                    {"lang", t.lang},
                    {"topic", t.topic},
                    {"body", t.body},
                    {"text", reply::RenderTemplate(t.body, values)}});
  }
  return JsonResponse({{"templates", list}});
}

}  // namespace ecoute::server
