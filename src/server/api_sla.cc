// Service levels through the API (docs/ALERTS.md): the policies and the escalation ladder
// (read by managers, replaced by admins, in force at once), a case's SLA with its ladder,
// and an agent's escalation by hand.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecoute/json.h"

#include "server/api_internal.h"
#include "util/datetime.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr size_t kMaxReason = 2'000;
constexpr size_t kMaxPolicies = 500;
constexpr size_t kMaxLevels = 20;
constexpr size_t kMaxContacts = 20;
constexpr size_t kMaxHolidays = 400;

// {"error": {"code": "invalid_sla", "message", "field"}}: the field at fault, for the form.
Response InvalidSla(const std::string& field, const std::string& message) {
  return JsonResponse(
      {{"error", {{"code", "invalid_sla"}, {"message", field + ": " + message}, {"field", field}}}},
      400);
}

json HoursJson(const BusinessHours& h) {
  if (h.time_zone.empty()) return nullptr;
  json days = json::object();
  for (size_t d = 0; d < kDays.size(); ++d) {
    days[std::string(kDays[d])] = h.days[d] ? json(FormatHoursRange(*h.days[d])) : json(nullptr);
  }
  return {{"time_zone", h.time_zone}, {"days", days}, {"holidays", h.holidays}};
}

json PolicyJson(const SlaPolicy& p) {
  return {{"brand", p.brand},
          {"min_priority", p.min_priority},
          {"first_response", p.first_response_seconds},
          {"next_response", p.next_response_seconds},
          {"hours", HoursJson(p.hours)}};
}

json ConfigJson(const SlaConfig& config, const Scope& scope) {
  json policies = json::array();
  for (const SlaPolicy& p : config.policies) {
    if (p.brand == "*" || scope.Sees(p.brand)) policies.push_back(PolicyJson(p));
  }
  json levels = json::array();
  for (const EscalationLevel& l : config.levels) {
    json contacts = json::array();
    for (const WebhookTarget& t : l.contacts) {
      contacts.push_back({{"url", t.url}, {"secret", MaskSecret(t.secret)}});
    }
    levels.push_back({{"name", l.name}, {"contacts", contacts}});
  }
  return {{"policies", policies},
          {"levels", levels},
          {"updated_by", config.updated_by},
          {"updated_at",
           config.updated_at > 0 ? json(FormatRfc3339(config.updated_at)) : json(nullptr)}};
}

// An integer field in [min, max]; `fallback` when absent and not required.
bool IntField(const json& j, const char* name, int64_t min, int64_t max, bool required,
              int64_t fallback, int64_t& out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    out = fallback;
    return !required;
  }
  if (!it->is_number_integer()) return false;
  out = it->get<int64_t>();
  return out >= min && out <= max;
}

std::optional<SlaConfigError> ReadHours(const json& j, const std::string& at, BusinessHours& h) {
  if (j.is_null()) return std::nullopt;
  if (!j.is_object()) return SlaConfigError{at, "an object {time_zone, days, holidays}, or null"};
  h.time_zone = StringField(j, "time_zone");
  if (h.time_zone.empty()) return SlaConfigError{at + ".time_zone", "give an IANA time zone"};
  const json days = j.value("days", json::object());
  if (!days.is_object()) return SlaConfigError{at + ".days", "an object from mon to sun"};
  for (size_t d = 0; d < kDays.size(); ++d) {
    auto it = days.find(std::string(kDays[d]));
    if (it == days.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
      continue;
    }
    const std::string field = at + ".days." + std::string(kDays[d]);
    if (!it->is_string()) return SlaConfigError{field, "opening hours as \"09:00-18:00\""};
    h.days[d] = ParseHoursRange(it->get<std::string>());
    if (!h.days[d]) return SlaConfigError{field, "opening hours as \"09:00-18:00\""};
  }
  if (auto it = j.find("holidays"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > kMaxHolidays) {
      return SlaConfigError{at + ".holidays", "a list of dates as \"2026-12-25\""};
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& day = (*it)[i];
      if (!day.is_string()) {
        return SlaConfigError{at + ".holidays[" + std::to_string(i) + "]", "a date as YYYY-MM-DD"};
      }
      h.holidays.push_back(day.get<std::string>());
    }
  }
  return std::nullopt;
}

std::optional<SlaConfigError> ReadPolicies(const json& body, SlaConfig& config) {
  auto policies = body.find("policies");
  if (policies == body.end() || !policies->is_array() || policies->size() > kMaxPolicies) {
    return SlaConfigError{"policies", "a list of at most 500 policies"};
  }
  constexpr int64_t kYear = int64_t{365} * 86400;
  for (size_t i = 0; i < policies->size(); ++i) {
    const json& p = (*policies)[i];
    const std::string at = "policies[" + std::to_string(i) + "]";
    if (!p.is_object()) return SlaConfigError{at, "a policy object"};
    SlaPolicy& policy = config.policies.emplace_back();
    policy.brand = p.contains("brand") ? StringField(p, "brand") : "*";
    int64_t value = 0;
    if (!IntField(p, "min_priority", 0, 100, false, 0, value)) {
      return SlaConfigError{at + ".min_priority", "give a priority from 0 to 100"};
    }
    policy.min_priority = static_cast<int>(value);
    if (!IntField(p, "first_response", 1, kYear, true, 0, value)) {
      return SlaConfigError{at + ".first_response", "give a time in seconds, 1 to 365 days"};
    }
    policy.first_response_seconds = value;
    if (!IntField(p, "next_response", 0, kYear, false, 0, value)) {
      return SlaConfigError{at + ".next_response",
                            "give a time in seconds up to 365 days, or 0 for the first response's"};
    }
    policy.next_response_seconds = value;
    if (auto e = ReadHours(p.value("hours", json(nullptr)), at + ".hours", policy.hours)) return e;
  }
  return std::nullopt;
}

// A contact given without its secret (or with the mask GET shows) keeps the secret it has.
std::optional<SlaConfigError> ReadLevels(const json& body, const SlaConfig& current,
                                         SlaConfig& config) {
  auto levels = body.find("levels");
  if (levels == body.end() || !levels->is_array() || levels->empty() ||
      levels->size() > kMaxLevels) {
    return SlaConfigError{"levels", "a list of 1 to 20 levels, level 0 first"};
  }
  for (size_t i = 0; i < levels->size(); ++i) {
    const json& l = (*levels)[i];
    const std::string at = "levels[" + std::to_string(i) + "]";
    if (!l.is_object()) return SlaConfigError{at, "a level object {name, contacts}"};
    EscalationLevel& level = config.levels.emplace_back();
    level.name = StringField(l, "name");
    const json contacts = l.value("contacts", json::array());
    if (!contacts.is_array() || contacts.size() > kMaxContacts) {
      return SlaConfigError{at + ".contacts", "a list of at most 20 {url, secret}"};
    }
    for (size_t j = 0; j < contacts.size(); ++j) {
      const std::string where = at + ".contacts[" + std::to_string(j) + "]";
      if (!contacts[j].is_object()) return SlaConfigError{where, "an object {url, secret}"};
      WebhookTarget target{StringField(contacts[j], "url"), StringField(contacts[j], "secret")};
      if (target.secret.empty() || target.secret == MaskSecret(target.secret)) {
        target.secret.clear();
        for (const EscalationLevel& old : current.levels) {
          for (const WebhookTarget& t : old.contacts) {
            if (t.url == target.url && target.secret.empty()) target.secret = t.secret;
          }
        }
        if (target.secret.empty()) {
          return SlaConfigError{where + ".secret", "give the secret of a new contact"};
        }
      }
      level.contacts.push_back(std::move(target));
    }
  }
  return std::nullopt;
}

}  // namespace

Response GetSla(Context& ctx) {
  return JsonResponse(ConfigJson(*ctx.app.sla().config(), ctx.scope));
}

Response PutSla(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  const std::shared_ptr<const SlaConfig> current = ctx.app.sla().config();
  SlaConfig config;
  if (auto e = ReadPolicies(*body, config)) return InvalidSla(e->field, e->message);
  if (auto e = ReadLevels(*body, *current, config)) return InvalidSla(e->field, e->message);
  if (auto e = ValidateSlaConfig(config, ctx.app.config().alerts.outbound)) {
    return InvalidSla(e->field, e->message);
  }
  if (Status saved = ctx.app.sla().SetConfig(std::move(config), Actor(ctx.principal));
      !saved.ok()) {
    return ErrorResponse(saved);
  }
  ctx.app.Touch();  // every SLA state may have moved
  return JsonResponse(ConfigJson(*ctx.app.sla().config(), ctx.scope));
}

// A case's SLA: the summary's view, the policy that applies, the ladder with the levels
// reached for the current target, and every escalation of the case.
Response GetCaseSla(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok())
    return ErrorResponse(visible);
  Result<CaseDetail> detail = [&] { return ctx.app.store().Lock()->GetCase(id); }();
  if (!detail) return ErrorResponse(detail.error());
  Result<std::vector<SlaEscalationRow>> log = ctx.app.sla().EscalationsOf(id);
  if (!log) return ErrorResponse(log.error());
  const std::shared_ptr<const SlaConfig> config = ctx.app.sla().config();
  const CaseSummary& c = detail->summary;
  std::string summary;
  const CaseSlaView view = CaseSlaViewOf(c, *config, ctx.app.clock().Now());
  AppendCaseSummaryJson(c, &view, summary);
  json ladder = json::array();
  for (size_t i = 0; i < config->levels.size(); ++i) {
    json reached = nullptr;
    for (const SlaEscalationRow& e : *log) {
      if (e.round == c.sla_round && e.level == static_cast<int>(i)) {
        reached = {{"at", FormatRfc3339(e.at)}, {"actor", e.actor}, {"reason", e.reason}};
      }
    }
    ladder.push_back({{"level", i}, {"name", config->levels[i].name}, {"reached", reached}});
  }
  json escalations = json::array();
  for (const SlaEscalationRow& e : *log) {
    escalations.push_back({{"round", e.round},
                           {"level", e.level},
                           {"at", FormatRfc3339(e.at)},
                           {"actor", e.actor},
                           {"reason", e.reason}});
  }
  const SlaPolicy* policy = PolicyFor(*config, c.brand, c.priority);
  json out = {{"case", json::parse(summary)},
              {"policy", policy != nullptr ? PolicyJson(*policy) : json(nullptr)},
              {"round", c.sla_round},
              {"since", c.sla_round > 0 ? json(FormatRfc3339(c.sla_since)) : json(nullptr)},
              {"ladder", ladder},
              {"escalations", escalations}};
  return JsonResponse(out);
}

// POST /api/v1/cases/{id}/escalate {"reason"}: one level up, by hand.
Response EscalateCase(Context& ctx) {
  const int64_t id = ctx.ids.at(0);
  if (Status visible = ctx.scope.CheckCase(ctx.app, id); !visible.ok())
    return ErrorResponse(visible);
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  std::string reason;
  if (Status s =
          TextField(*body, "reason", kMaxReason, true, "why the case goes up the ladder", reason);
      !s.ok()) {
    return JsonResponse(
        {{"error", {{"code", "reason_required"}, {"message", s.message()}, {"field", "reason"}}}},
        400);
  }
  Result<Escalation> done = ctx.app.sla().EscalateByHand(id, Actor(ctx.principal), reason);
  if (!done) return ErrorResponse(done.error());
  return GetCaseSla(ctx);
}

}  // namespace ecoute::server
