// From a brand to its listening (docs/LISTENING.md): the sources proposed for a brand, which
// are watched, accepting them (admins), and the search-feed templates (admins).
#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fetch/outbound.h"
#include "server/api_internal.h"
#include "server/listening.h"
#include "util/datetime.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

constexpr size_t kMaxTemplates = 50;
constexpr size_t kMaxAccepted = 200;
// What a template's sources may be read as: the polled formats.
constexpr std::array<std::string_view, 6> kTemplateFormats = {"auto",  "feed",     "html",
                                                              "jsonl", "mastodon", "bluesky"};

json ProposalJson(const Proposal& p) {
  json params = json::object();
  for (const auto& [key, value] : p.params) params[key] = value;
  json out = {{"kind", p.kind},
              {"url", p.url},
              {"format", p.format},
              {"brand", p.brand},
              {"label", p.label},
              {"reason", p.reason},
              {"reason_code", p.reason_code},
              {"params", params},
              {"accepted", p.accepted}};
  if (p.source_id) out["source_id"] = *p.source_id;
  return out;
}

json BackfillJson(const std::optional<BackfillOutcome>& o) {
  if (!o) return nullptr;
  return {{"started_at", FormatRfc3339(o->started_at)},
          {"at", o->at != 0 ? json(FormatRfc3339(o->at)) : json(nullptr)},
          {"running", o->running},
          {"searches", o->searches},
          {"read", o->read},
          {"kept", o->kept},
          {"posts", o->posts},
          {"errors", o->errors}};
}

json TemplateJson(const FeedTemplate& t) {
  return {
      {"id", t.id},         {"name", t.name},       {"url_template", t.url_template},
      {"format", t.format}, {"enabled", t.enabled}, {"created_at", FormatRfc3339(t.created_at)}};
}

// The catalog's brand of the path (a copy: the catalog may change meanwhile), if the caller
// sees it.
Result<Brand> PathBrand(const Context& ctx) {
  const std::shared_ptr<const BrandCatalog> catalog = ctx.app.catalog_snapshot();
  const Brand* brand = FindBrand(*catalog, ctx.names[0]);
  if (brand == nullptr || !ctx.scope.Sees(brand->name)) {
    return NotFoundError("no brand " + ctx.names[0]);
  }
  return *brand;
}

// A refusal of templates[index], with the index among its params.
Status AtIndex(const Status& st, size_t index) {
  const ErrorDetail* found = DetailOf(st);
  ErrorDetail detail = found != nullptr ? *found : ErrorDetail{"invalid", "templates"};
  detail.params.emplace_back("index", std::to_string(index));
  return WithDetail(Status(st.code(), "templates[" + std::to_string(index) + "]: " + st.message()),
                    std::move(detail));
}

Status CheckTemplateUrl(const std::string& url_template, const OutboundPolicy& policy) {
  if (url_template.find("{query}") == std::string::npos) {
    return FieldError("missing_query", "url_template",
                      "\"url_template\" has no {query}: put it where the search terms go, as "
                      "https://news.example/rss?q={query}");
  }
  const std::string filled = FillTemplate(url_template, "ecoute");
  const std::optional<UrlParts> parts = ParseUrlParts(filled);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https") || parts->has_credentials) {
    return FieldError("invalid_url", "url_template",
                      "\"url_template\": an http or https URL without user name or password");
  }
  if (Result<OutboundUrl> checked = CheckOutboundUrl(filled, policy); !checked) {
    return FieldError("url_not_allowed", "url_template",
                      "\"url_template\": " + checked.error().message());
  }
  return OkStatus();
}

// One template of a PUT, checked; `stored` gives the ids that may be named.
Result<FeedTemplate> ReadTemplate(const json& item, const std::vector<FeedTemplate>& stored,
                                  const OutboundPolicy& policy) {
  if (!item.is_object()) {
    return FieldError("wrong_type", "templates",
                      "a template is an object {\"name\", \"url_template\", \"format\"}");
  }
  FeedTemplate t;
  if (auto id = item.find("id"); id != item.end() && !id->is_null()) {
    const bool known = id->is_number_integer() &&
                       std::any_of(stored.begin(), stored.end(), [&](const FeedTemplate& s) {
                         return s.id == id->get<int64_t>();
                       });
    if (!known) {
      return FieldError(
          "unknown_template", "id",
          "\"id\": no feed template " + DescribeValue(*id) + " (leave it out for a new template)");
    }
    t.id = id->get<int64_t>();
  }
  ECOUTE_RETURN_IF_ERROR(TextField(item, "name", 100, true, "the template's name", t.name));
  ECOUTE_RETURN_IF_ERROR(
      TextField(item, "url_template", 2048, true, "a URL with {query}", t.url_template));
  ECOUTE_RETURN_IF_ERROR(CheckTemplateUrl(t.url_template, policy));
  ECOUTE_RETURN_IF_ERROR(TextField(item, "format", 32, false, "a source format", t.format));
  if (t.format.empty()) t.format = "feed";
  if (std::find(kTemplateFormats.begin(), kTemplateFormats.end(), t.format) ==
      kTemplateFormats.end()) {
    return FieldError(
        "unknown_format", "format",
        "\"format\" \"" + t.format + "\": expected auto, feed, html, jsonl, mastodon or bluesky",
        {{"format", t.format}});
  }
  if (auto enabled = item.find("enabled"); enabled != item.end() && !enabled->is_null()) {
    if (!enabled->is_boolean()) {
      return FieldError("wrong_type", "enabled", "\"enabled\": true or false",
                        {{"expected", "boolean"}});
    }
    t.enabled = enabled->get<bool>();
  }
  return t;
}

// The URLs of `body["accept"]`, each one of `proposals`.
Result<std::vector<const Proposal*>> ReadAccepted(const json& body,
                                                  const std::vector<Proposal>& proposals,
                                                  const std::string& brand) {
  auto accept = body.find("accept");
  if (accept == body.end() || !accept->is_array()) {
    return FieldError("required", "accept",
                      "give \"accept\": the URLs of the proposals to watch ([] for none)");
  }
  if (accept->size() > kMaxAccepted) {
    return FieldError("too_many", "accept",
                      "\"accept\": at most " + std::to_string(kMaxAccepted) + " URLs at once",
                      {{"max", std::to_string(kMaxAccepted)}});
  }
  std::vector<const Proposal*> chosen;
  for (const json& url : *accept) {
    const Proposal* found = nullptr;
    for (const Proposal& p : proposals) {
      if (url.is_string() && p.url == url.get<std::string>()) found = &p;
    }
    if (found == nullptr) {
      return FieldError("not_proposed", "accept",
                        "\"accept\": " + DescribeValue(url) + " is not proposed for " + brand,
                        {{"url", url.is_string() ? url.get<std::string>() : ""}});
    }
    if (std::find(chosen.begin(), chosen.end(), found) == chosen.end()) chosen.push_back(found);
  }
  return chosen;
}

}  // namespace

Response GetListening(Context& ctx) {
  Result<Brand> brand = PathBrand(ctx);
  if (!brand) return ErrorResponse(brand.error());
  Result<std::vector<Proposal>> proposals = ctx.app.listening().Proposals(*brand);
  if (!proposals) return ErrorResponse(proposals.error());
  json list = json::array();
  for (const Proposal& p : *proposals) list.push_back(ProposalJson(p));
  json instances = json::array();
  for (const std::string& base : ctx.app.config().listening.mastodon_instances) {
    instances.push_back(base.substr(base.find("://") + 3));
  }
  return JsonResponse(
      {{"brand", brand->name},
       {"proposals", list},
       {"mastodon_instances", instances},
       {"last_backfill", BackfillJson(ctx.app.listening().LastBackfill(brand->name))}});
}

Response AcceptListening(Context& ctx) {
  Result<Brand> brand = PathBrand(ctx);
  if (!brand) return ErrorResponse(brand.error());
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  Result<std::vector<Proposal>> proposals = ctx.app.listening().Proposals(*brand);
  if (!proposals) return ErrorResponse(proposals.error());
  Result<std::vector<const Proposal*>> chosen = ReadAccepted(*body, *proposals, brand->name);
  if (!chosen) return ErrorResponse(chosen.error());
  json created = json::array();
  json existing = json::array();
  json errors = json::array();
  std::optional<Status> first_error;
  for (const Proposal* p : *chosen) {
    if (p->accepted) {
      existing.push_back(*p->source_id);
      continue;
    }
    WatchedSource source;
    source.url = p->url;
    source.format = p->format;
    source.label = p->label;
    source.brand = p->brand;
    source.origin = "proposal";
    Result<WatchedSource> added = ctx.app.watcher().Add(source);
    if (!added) {
      errors.push_back({{"url", p->url}, {"error", ErrorJson(added.error())}});
      if (!first_error) first_error = added.error();
      continue;
    }
    created.push_back(WatchedSourceJson(*added));
  }
  // Nothing could be watched: the refusal, and no back-fill.
  if (first_error && created.empty() && existing.empty()) return ErrorResponse(*first_error);
  ctx.app.BackfillBrand(brand->name);
  return JsonResponse({{"brand", brand->name},
                       {"created", created},
                       {"existing", existing},
                       {"errors", errors},
                       {"backfill", {{"queued", true}}}});
}

Response GetFeedTemplates(Context& ctx) {
  Result<std::vector<FeedTemplate>> templates = ctx.app.listening().Templates();
  if (!templates) return ErrorResponse(templates.error());
  json list = json::array();
  for (const FeedTemplate& t : *templates) list.push_back(TemplateJson(t));
  return JsonResponse({{"templates", list}});
}

Response PutFeedTemplates(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  auto items = body->find("templates");
  if (items == body->end() || !items->is_array()) {
    return ErrorResponse(
        FieldError("required", "templates", "give \"templates\": the whole list ([] for none)"));
  }
  if (items->size() > kMaxTemplates) {
    return ErrorResponse(FieldError("too_many", "templates",
                                    "at most " + std::to_string(kMaxTemplates) + " templates",
                                    {{"max", std::to_string(kMaxTemplates)}}));
  }
  Result<std::vector<FeedTemplate>> stored = ctx.app.listening().Templates();
  if (!stored) return ErrorResponse(stored.error());
  std::vector<FeedTemplate> templates;
  for (size_t i = 0; i < items->size(); ++i) {
    Result<FeedTemplate> t =
        ReadTemplate((*items)[i], *stored, ctx.app.config().watcher.fetch.outbound);
    if (!t) return ErrorResponse(AtIndex(t.error(), i));
    const bool twice = std::any_of(templates.begin(), templates.end(), [&](const FeedTemplate& o) {
      return (t->id != 0 && o.id == t->id) || o.url_template == t->url_template;
    });
    if (twice) {
      return ErrorResponse(AtIndex(
          FieldError("duplicate_template", "url_template", "the same template is given twice"), i));
    }
    templates.push_back(std::move(t).value());
  }
  Result<std::vector<FeedTemplate>> saved = ctx.app.listening().ReplaceTemplates(templates);
  if (!saved) return ErrorResponse(saved.error());
  json list = json::array();
  for (const FeedTemplate& t : *saved) list.push_back(TemplateJson(t));
  return JsonResponse({{"templates", list}});
}

}  // namespace ecoute::server
