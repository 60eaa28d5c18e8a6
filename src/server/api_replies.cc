// Replies sent from ecoute where the customer spoke, and the brands' reply accounts
// (docs/REPLIES.md). A reply, its options and its retry belong to a case: whoever does not
// see the case's brand sees none of them. Accounts are read by agents of the brand, without
// their secrets (has_secret only), and changed by admins.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "server/reply_options.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

json AccountJson(const reply::AccountView& a) {
  return {{"brand", a.brand},           {"channel", a.channel},
          {"settings", a.settings},     {"has_secret", a.has_secret},
          {"updated_by", a.updated_by}, {"updated_at", FormatRfc3339(a.updated_at)}};
}

Result<CaseDetail> ScopedCase(Context& ctx) {
  ECOUTE_RETURN_IF_ERROR(ctx.scope.CheckCase(ctx.app, ctx.ids[0]));
  return ctx.app.store().Lock()->GetCase(ctx.ids[0]);
}

}  // namespace

Response ReplyOptions(Context& ctx) {
  Result<CaseDetail> detail = ScopedCase(ctx);
  if (!detail) return ErrorResponse(detail.error());
  const std::string& brand = detail->summary.brand;
  json answer = ReplyOptionsJson(*detail, [&](std::string_view channel) {
    return ctx.app.replies().HasAccount(brand, std::string(channel));
  });
  // Who the reply will come from, as its settings name it (never a secret).
  if (Result<std::vector<reply::AccountView>> accounts = ctx.app.replies().ListAccounts(brand)) {
    for (json& option : answer["options"]) {
      for (const reply::AccountView& a : *accounts) {
        if (a.channel != option["channel"]) continue;
        for (const char* key : {"handle", "from"}) {
          if (a.settings.contains(key) && a.settings[key].is_string()) {
            option["account_name"] = a.settings[key];
            break;
          }
        }
      }
    }
  }
  return JsonResponse(answer);
}

Response ListReplies(Context& ctx) {
  if (Status seen = ctx.scope.CheckCase(ctx.app, ctx.ids[0]); !seen.ok()) {
    return ErrorResponse(seen);
  }
  Result<std::vector<ReplyRecord>> replies = ctx.app.replies().ForCase(ctx.ids[0]);
  if (!replies) return ErrorResponse(replies.error());
  json list = json::array();
  for (const ReplyRecord& r : *replies) list.push_back(reply::ReplyJson(r));
  return JsonResponse({{"replies", list}});
}

Response SendReply(Context& ctx) {
  Result<CaseDetail> detail = ScopedCase(ctx);
  if (!detail) return ErrorResponse(detail.error());
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  if (std::optional<Response> stale = StaleCase(*detail, *body)) return std::move(*stale);
  ReplyRecord r;
  r.case_id = ctx.ids[0];
  r.brand = detail->summary.brand;
  r.channel = StringField(*body, "channel");
  r.text = StringField(*body, "text");
  r.idempotency_key = StringField(*body, "idempotency_key");
  r.actor = Actor(ctx.principal);
  if (!reply::IsChannel(r.channel)) {
    return ErrorResponse(400, "unknown_value", "channel: mastodon, bluesky, email or webhook",
                         "channel", {{"value", ShortQuote(r.channel)}});
  }
  const std::optional<ReplyTarget> target = ReplyTargetOn(*detail, r.channel);
  if (!target) {
    return ErrorResponse(400, "channel_unavailable",
                         "the customer did not write on " + r.channel + ": choose another channel",
                         "channel", {{"channel", r.channel}});
  }
  r.in_reply_to = target->in_reply_to;
  r.recipient = body->contains("recipient") ? StringField(*body, "recipient") : target->recipient;
  if (r.channel != "email" && r.channel != "webhook") r.recipient = target->recipient;
  Result<std::pair<ReplyRecord, bool>> queued = ctx.app.replies().Queue(r);
  if (!queued) return ErrorResponse(queued.error());
  return JsonResponse({{"reply", reply::ReplyJson(queued->first)}}, queued->second ? 202 : 200);
}

Response RetryReply(Context& ctx) {
  Result<ReplyRecord> r = ctx.app.replies().Get(ctx.ids[0]);
  if (!r || !ctx.scope.Sees(r->brand)) {
    return ErrorResponse(NotFoundError("no reply " + std::to_string(ctx.ids[0])));
  }
  Result<ReplyRecord> retried = ctx.app.replies().Retry(ctx.ids[0]);
  if (!retried) return ErrorResponse(retried.error());
  return JsonResponse({{"reply", reply::ReplyJson(*retried)}}, 202);
}

Response ListAccounts(Context& ctx) {
  const std::string& brand = ctx.names[0];
  if (!ctx.scope.Sees(brand)) return ErrorResponse(NotFoundError("no brand " + brand));
  Result<std::vector<reply::AccountView>> accounts = ctx.app.replies().ListAccounts(brand);
  if (!accounts) return ErrorResponse(accounts.error());
  json list = json::array();
  for (const reply::AccountView& a : *accounts) list.push_back(AccountJson(a));
  return JsonResponse({{"accounts", list}});
}

Response PutAccount(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  const json settings = body->value("settings", json::object());
  std::optional<json> secrets;
  if (body->contains("secrets")) secrets = (*body)["secrets"];
  const std::string& brand = ctx.names[0];
  const std::string& channel = ctx.names[1];
  if (Status set =
          ctx.app.replies().SetAccount(brand, channel, settings, secrets, Actor(ctx.principal));
      !set.ok()) {
    return ErrorResponse(set);
  }
  Result<std::vector<reply::AccountView>> accounts = ctx.app.replies().ListAccounts(brand);
  if (!accounts) return ErrorResponse(accounts.error());
  for (const reply::AccountView& a : *accounts) {
    if (a.channel == channel) return JsonResponse({{"account", AccountJson(a)}});
  }
  return ErrorResponse(InternalError("the account was not kept"));
}

Response DeleteAccount(Context& ctx) {
  if (Status removed = ctx.app.replies().RemoveAccount(ctx.names[0], ctx.names[1]); !removed.ok()) {
    return ErrorResponse(removed);
  }
  Response r;
  r.status = 204;
  return r;
}

}  // namespace ecoute::server
