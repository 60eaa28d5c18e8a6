// Alert rules and webhook deliveries (docs/ALERTS.md), a manager's (route table). A rule is
// seen and changed only by whoever sees every brand it watches (Scope::SeesAll); a delivery
// by whoever sees its brand.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "util/datetime.h"

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

Status ApplyRule(const json& body, AlertRule& rule) {
  if (body.contains("name")) rule.name = StringField(body, "name");
  if (body.contains("url")) rule.target.url = StringField(body, "url");
  if (body.contains("secret")) rule.target.secret = StringField(body, "secret");
  if (auto it = body.find("brands"); it != body.end()) {
    if (!it->is_array()) return InvalidArgumentError("brands: a list of brand names");
    rule.brands.clear();
    for (const json& b : *it) {
      if (!b.is_string()) return InvalidArgumentError("brands: a list of brand names");
      rule.brands.push_back(b.get<std::string>());
    }
  }
  if (auto it = body.find("stances"); it != body.end()) {
    rule.stances.clear();
    for (const json& s : *it) {
      Stance stance;
      if (!s.is_string() || !ParseStance(s.get<std::string>(), stance)) {
        return InvalidArgumentError("unknown stance " + DescribeValue(s));
      }
      rule.stances.push_back(stance);
    }
  }
  if (auto it = body.find("topics"); it != body.end()) {
    rule.topics.clear();
    for (const json& t : *it) {
      Topic topic;
      if (!t.is_string() || !ParseTopic(t.get<std::string>(), topic)) {
        return InvalidArgumentError("unknown topic " + DescribeValue(t));
      }
      rule.topics.push_back(topic);
    }
  }
  for (auto [name, flag] :
       {std::pair{"on_case_opened", &rule.on_case_opened},
        std::pair{"on_escalation", &rule.on_escalation}, std::pair{"on_spike", &rule.on_spike},
        std::pair{"enabled", &rule.enabled}}) {
    if (auto it = body.find(name); it != body.end()) {
      if (!it->is_boolean()) return InvalidArgumentError(std::string(name) + ": true or false");
      *flag = it->get<bool>();
    }
  }
  if (auto it = body.find("min_priority"); it != body.end()) {
    if (!it->is_number_integer()) return InvalidArgumentError("min_priority: 0 to 100");
    rule.min_priority = it->get<int>();
  }
  return OkStatus();
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
  if (Status st = ApplyRule(*body, rule); !st.ok()) return ErrorResponse(st);
  if (rule.brands.empty() && !ctx.scope.all()) {
    return ErrorResponse(400, "invalid_argument",
                         "list the brands the rule watches in \"brands\" (yours only)");
  }
  if (!ctx.scope.SeesAll(rule.brands)) {
    return ErrorResponse(403, "permission_denied", "a rule may only watch your brands");
  }
  rule.created_by = ctx.principal.user_id;
  Result<AlertRule> created = ctx.app.alerts().CreateRule(rule);
  if (!created) return ErrorResponse(created.error());
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
  if (Status st = ApplyRule(*body, *rule); !st.ok()) return ErrorResponse(st);
  if (!ctx.scope.SeesAll(rule->brands)) {
    return ErrorResponse(403, "permission_denied", "a rule may only watch your brands");
  }
  Result<AlertRule> updated = ctx.app.alerts().UpdateRule(*rule);
  if (!updated) return ErrorResponse(updated.error());
  return JsonResponse(RuleJson(*updated, false));
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
      return ErrorResponse(400, "invalid_argument", "state: pending, delivered or dead");
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
