// Alert rules and webhook deliveries (docs/ALERTS.md), a manager's (route table). A rule is
// seen and changed only by whoever sees every brand it watches (Scope::SeesAll); a delivery
// by whoever sees its brand.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

json RuleJson(const AlertRule& rule, bool show_secret) {
  json stances = json::array();
  for (Stance s : rule.stances) stances.push_back(StanceName(s));
  json topics = json::array();
  for (Topic t : rule.topics) topics.push_back(TopicName(t));
  return {{"id", rule.id},
          {"name", rule.name},
          {"brands", rule.brands},
          {"stances", stances},
          {"topics", topics},
          {"min_priority", rule.min_priority},
          {"on_case_opened", rule.on_case_opened},
          {"on_escalation", rule.on_escalation},
          {"on_spike", rule.on_spike},
          {"url", rule.target.url},
          {"secret", show_secret ? rule.target.secret : MaskSecret(rule.target.secret)},
          {"enabled", rule.enabled}};
}

json DeliveryJson(const Delivery& d) {
  return {{"id", d.id},
          {"rule_id", d.rule_id ? json(*d.rule_id) : json(nullptr)},
          {"url", d.url},
          {"dedupe_key", d.dedupe_key},
          {"event_kind", d.event_kind},
          {"case_id", d.case_id},
          {"brand", d.brand},
          {"state", DeliveryStateName(d.state)},
          {"attempts", d.attempts},
          {"created_at", FormatRfc3339(d.created_at)},
          {"next_attempt_at", FormatRfc3339(d.next_attempt_at)},
          {"delivered_at", OptionalTime(d.delivered_at)},
          {"last_error", d.last_error}};
}

// A list of strings in `field`, or a FieldError saying what it should hold.
Status StringList(const json& body, const char* field, std::string_view what,
                  std::vector<std::string>& out) {
  auto it = body.find(field);
  if (it == body.end()) return OkStatus();
  Status wrong =
      FieldError("wrong_type", field, std::string(field) + ": a list of " + std::string(what),
                 {{"expected", "list"}});
  if (!it->is_array()) return wrong;
  out.clear();
  for (const json& v : *it) {
    if (!v.is_string()) return wrong;
    out.push_back(v.get<std::string>());
  }
  return OkStatus();
}

Status ApplyRule(const json& body, const BrandCatalog& catalog, AlertRule& rule) {
  for (auto [name, out] : {std::pair{"name", &rule.name}, std::pair{"url", &rule.target.url},
                           std::pair{"secret", &rule.target.secret}}) {
    if (!body.contains(name)) continue;
    ECOUTE_RETURN_IF_ERROR(TextField(body, name, 2048, false, "text", *out));
  }
  if (body.contains("brands")) {
    ECOUTE_RETURN_IF_ERROR(StringList(body, "brands", "brand names", rule.brands));
    ECOUTE_RETURN_IF_ERROR(CatalogBrands(catalog, "brands", rule.brands));
  }
  if (std::vector<std::string> names; body.contains("stances")) {
    ECOUTE_RETURN_IF_ERROR(StringList(body, "stances", "stances", names));
    rule.stances.clear();
    for (const std::string& name : names) {
      Stance stance;
      if (!ParseStance(name, stance)) {
        return FieldError("unknown_stance", "stances", "unknown stance " + DescribeValue(name),
                          {{"stance", ShortQuote(name)}});
      }
      rule.stances.push_back(stance);
    }
  }
  if (std::vector<std::string> names; body.contains("topics")) {
    if (auto it = body.find("topics"); it->is_array()) {
      for (const json& t : *it) {
        if (!t.is_string()) {
          return FieldError("unknown_topic", "topics", "unknown topic " + DescribeValue(t));
        }
      }
    }
    ECOUTE_RETURN_IF_ERROR(StringList(body, "topics", "topics", names));
    rule.topics.clear();
    for (const std::string& name : names) {
      Topic topic;
      if (!ParseTopicOrLabel(name, topic)) {
        return FieldError("unknown_topic", "topics", "unknown topic " + DescribeValue(name),
                          {{"topic", ShortQuote(name)}});
      }
      if (std::find(rule.topics.begin(), rule.topics.end(), topic) == rule.topics.end()) {
        rule.topics.push_back(topic);
      }
    }
  }
  for (auto [name, flag] :
       {std::pair{"on_case_opened", &rule.on_case_opened},
        std::pair{"on_escalation", &rule.on_escalation}, std::pair{"on_spike", &rule.on_spike},
        std::pair{"enabled", &rule.enabled}}) {
    if (auto it = body.find(name); it != body.end()) {
      if (!it->is_boolean()) {
        return FieldError("wrong_type", name, std::string(name) + ": true or false",
                          {{"expected", "boolean"}});
      }
      *flag = it->get<bool>();
    }
  }
  if (auto it = body.find("min_priority"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 100) {
      return FieldError("out_of_range", "min_priority", "min_priority: a whole number, 0 to 100",
                        {{"min", "0"}, {"max", "100"}});
    }
    rule.min_priority = it->get<int>();
  }
  if (rule.name.find_first_not_of(" \t\r\n") == std::string::npos) {
    return FieldError("required", "name", "give the rule a \"name\"");
  }
  if (rule.target.url.empty()) {
    return FieldError("required", "url", "give the webhook's \"url\"");
  }
  return OkStatus();
}

// The alert engine's refusal of a target, on the field at fault.
Status TargetError(const Status& st) {
  if (st.code() != StatusCode::kInvalidArgument || DetailOf(st) != nullptr) return st;
  const std::string& m = st.message();
  if (m.starts_with("webhook URL")) {
    return WithDetail(
        st, {m.find("outbound policy") != std::string::npos ? "url_not_allowed" : "invalid_url",
             "url",
             {}});
  }
  if (m.find("secret") != std::string::npos) {
    if (m.find("at least") != std::string::npos) {
      return WithDetail(st,
                        {"secret_too_short", "secret", {{"min", std::to_string(kMinSecretBytes)}}});
    }
    return WithDetail(st, {"invalid_secret", "secret", {}});
  }
  return st;
}

Response NotYourBrands() {
  return ErrorResponse(403, "not_your_brand", "a rule may only watch your brands", "brands");
}

}  // namespace

// ---- rules ----------------------------------------------------------------------------------

Response ListRules(Context& ctx) {
  Result<std::vector<AlertRule>> rules = ctx.app.alerts().ListRules();
  if (!rules) return ErrorResponse(rules.error());
  json list = json::array();
  for (const AlertRule& r : *rules) {
    if (ctx.scope.SeesAll(r.brands)) list.push_back(RuleJson(r, false));
  }
  return JsonResponse({{"rules", list}});
}

Response CreateRule(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  AlertRule rule;
  if (Status st = ApplyRule(*body, *ctx.app.catalog_snapshot(), rule); !st.ok())
    return ErrorResponse(st);
  if (rule.brands.empty() && !ctx.scope.all()) {
    return ErrorResponse(400, "required",
                         "list the brands the rule watches in \"brands\" (yours only)", "brands");
  }
  if (!ctx.scope.SeesAll(rule.brands)) return NotYourBrands();
  rule.created_by = ctx.principal.user_id;
  Result<AlertRule> created = ctx.app.alerts().CreateRule(rule);
  if (!created) return ErrorResponse(TargetError(created.error()));
  // The secret is shown once, to whoever created the rule.
  return JsonResponse(RuleJson(*created, true), 201);
}

Response UpdateRule(Context& ctx) {
  Result<AlertRule> rule = ctx.app.alerts().GetRule(ctx.ids[0]);
  if (!rule || !ctx.scope.SeesAll(rule->brands)) {
    return ErrorResponse(NotFoundError("no rule " + std::to_string(ctx.ids[0])));
  }
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  // The secret is write-only: absent or empty, the stored one is kept.
  rule->target.secret.clear();
  if (Status st = ApplyRule(*body, *ctx.app.catalog_snapshot(), *rule); !st.ok())
    return ErrorResponse(st);
  if (rule->brands.empty() && !ctx.scope.all()) {
    return ErrorResponse(400, "required",
                         "list the brands the rule watches in \"brands\" (yours only)", "brands");
  }
  if (!ctx.scope.SeesAll(rule->brands)) return NotYourBrands();
  Result<AlertRule> updated = ctx.app.alerts().UpdateRule(*rule);
  if (!updated) return ErrorResponse(TargetError(updated.error()));
  return JsonResponse(RuleJson(*updated, false));
}

// A signed "test" event sent to the rule's receiver now, and what came of it: 200 either
// way, {"delivered", "http_status", "error", "webhook_id"}.
Response TestRule(Context& ctx) {
  Result<AlertRule> rule = ctx.app.alerts().GetRule(ctx.ids[0]);
  if (!rule || !ctx.scope.SeesAll(rule->brands)) {
    return ErrorResponse(NotFoundError("no rule " + std::to_string(ctx.ids[0])));
  }
  Result<AlertEngine::TestOutcome> sent = ctx.app.alerts().SendTest(*rule);
  if (!sent) return ErrorResponse(TargetError(sent.error()));
  return JsonResponse(
      {{"delivered", sent->delivered},
       {"http_status", sent->http_status > 0 ? json(sent->http_status) : json(nullptr)},
       {"error", sent->error},
       {"webhook_id", sent->webhook_id}});
}

Response DeleteRule(Context& ctx) {
  Result<AlertRule> rule = ctx.app.alerts().GetRule(ctx.ids[0]);
  if (!rule || !ctx.scope.SeesAll(rule->brands)) {
    return ErrorResponse(NotFoundError("no rule " + std::to_string(ctx.ids[0])));
  }
  if (Status st = ctx.app.alerts().DeleteRule(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

// ---- deliveries -----------------------------------------------------------------------------

Response ListDeliveries(Context& ctx) {
  std::optional<DeliveryState> state;
  if (std::string_view s = ctx.request.Query("state"); !s.empty()) {
    DeliveryState parsed;
    if (!ParseDeliveryState(s, parsed)) {
      return ErrorResponse(400, "unknown_value", "state: pending, delivered or dead", "state",
                           {{"value", ShortQuote(s)}});
    }
    state = parsed;
  }
  Result<std::vector<Delivery>> deliveries = ctx.app.alerts().ListDeliveries(state, 200);
  if (!deliveries) return ErrorResponse(deliveries.error());
  json list = json::array();
  for (const Delivery& d : *deliveries) {
    if (ctx.scope.Sees(d.brand)) list.push_back(DeliveryJson(d));
  }
  return JsonResponse({{"deliveries", list}});
}

Response RetryDelivery(Context& ctx) {
  Result<Delivery> delivery = ctx.app.alerts().GetDelivery(ctx.ids[0]);
  if (!delivery || !ctx.scope.Sees(delivery->brand)) {
    return ErrorResponse(NotFoundError("no delivery " + std::to_string(ctx.ids[0])));
  }
  if (Status st = ctx.app.alerts().Retry(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  return JsonResponse({{"id", ctx.ids[0]}, {"state", "pending"}}, 202);
}

}  // namespace ecoute::server
