// The session (login, who am I, logout), users and API tokens. Users are an admin's
// (route table); tokens anyone's own, and everyone's for an admin (Scope).
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/api_internal.h"
#include "util/datetime.h"
#include "util/json.h"

namespace ecoute::server {

using nlohmann::json;

namespace {

json UserJson(const User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"display_name", u.display_name},
          {"email", u.email},
          {"notify_webhook", u.notify_webhook},
          {"notify_secret", u.notify_secret},  // the users API is an admin's
          {"role", RoleName(u.role)},
          {"all_brands", u.all_brands || u.role == Role::kAdmin},
          {"brands", u.brands},
          {"disabled", u.disabled},
          {"created_at", FormatRfc3339(u.created_at)}};
}

json PrincipalJson(const Principal& p) {
  return {{"id", p.user_id},
          {"name", p.name},
          {"role", RoleName(p.role)},
          {"all_brands", p.all_brands || p.role == Role::kAdmin},
          {"brands", p.brands}};
}

json TokenJson(const TokenInfo& t) {
  return {{"id", t.id},
          {"user_id", t.user_id},
          {"label", t.label},
          {"prefix", t.prefix},
          {"created_at", FormatRfc3339(t.created_at)},
          {"expires_at", OptionalTime(t.expires_at)},
          {"last_used_at", OptionalTime(t.last_used_at)}};
}

Response SessionCookie(App& app, const NewSession& session, Response r) {
  std::string cookie = std::string(kSessionCookie) + "=" + session.token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(std::max<int64_t>(0, session.expires_at - app.clock().Now()));
  if (app.config().cookie_secure) cookie += "; Secure";
  r.headers.emplace_back("Set-Cookie", std::move(cookie));
  return r;
}

Status ApplyUser(const json& body, const BrandCatalog& catalog, User& user) {
  for (auto [name, out] :
       {std::pair{"name", &user.name}, std::pair{"display_name", &user.display_name},
        std::pair{"email", &user.email}, std::pair{"notify_webhook", &user.notify_webhook}}) {
    if (!body.contains(name)) continue;
    ECOUTE_RETURN_IF_ERROR(TextField(body, name, 1024, false, "text", *out));
  }
  if (body.contains("role") && !ParseRole(StringField(body, "role"), user.role)) {
    return FieldError("unknown_role", "role", "role: admin, manager, agent or viewer");
  }
  for (auto [name, flag] :
       {std::pair{"all_brands", &user.all_brands}, std::pair{"disabled", &user.disabled}}) {
    if (auto it = body.find(name); it != body.end()) {
      if (!it->is_boolean()) {
        return FieldError("wrong_type", name, std::string(name) + ": true or false",
                          {{"expected", "boolean"}});
      }
      *flag = it->get<bool>();
    }
  }
  if (auto it = body.find("brands"); it != body.end()) {
    Status wrong =
        FieldError("wrong_type", "brands", "brands: a list of brand names", {{"expected", "list"}});
    if (!it->is_array()) return wrong;
    user.brands.clear();
    for (const json& b : *it) {
      if (!b.is_string()) return wrong;
      user.brands.push_back(b.get<std::string>());
    }
    ECOUTE_RETURN_IF_ERROR(CatalogBrands(catalog, "brands", user.brands));
  }
  // Without every brand, a user sees only their brands: none would show them nothing.
  const bool scoped = user.role != Role::kAdmin && !user.all_brands;
  const bool touched =
      body.contains("brands") || body.contains("all_brands") || body.contains("role");
  if (scoped && touched && user.brands.empty()) {
    return FieldError("brands_required", "brands",
                      "give the user's brands in \"brands\", or \"all_brands\": true: "
                      "a user without brands sees no case");
  }
  return OkStatus();
}

// The access layer's refusal of a user, on the field at fault.
Status UserError(const Status& st) {
  if (DetailOf(st) != nullptr) return st;
  const std::string& m = st.message();
  if (st.code() == StatusCode::kAlreadyExists) return WithDetail(st, {"name_taken", "name", {}});
  if (st.code() != StatusCode::kInvalidArgument) return st;
  if (m.starts_with("the password")) {
    if (m.find("too short") != std::string::npos) {
      const size_t at = m.find("at least ");
      std::string min = at == std::string::npos ? "" : m.substr(at + 9);
      min = min.substr(0, min.find(' '));
      return WithDetail(st, {"password_too_short", "password", {{"min", min}}});
    }
    if (m.find("too easy") != std::string::npos)
      return WithDetail(st, {"weak_password", "password", {}});
    if (m.find("user name") != std::string::npos) {
      return WithDetail(st, {"password_is_name", "password", {}});
    }
    return WithDetail(st, {"invalid_password", "password", {}});
  }
  if (m.find("user name") != std::string::npos || m.find("user's name") != std::string::npos) {
    return WithDetail(
        st, {m.find("required") != std::string::npos ? "required" : "invalid_name", "name", {}});
  }
  if (m.find("e-mail") != std::string::npos) return WithDetail(st, {"invalid_email", "email", {}});
  if (m.find("display name") != std::string::npos) {
    return WithDetail(st, {"invalid_text", "display_name", {}});
  }
  return st;
}

}  // namespace

// ---- session --------------------------------------------------------------------------------

Response Login(App& app, Request& request) {
  Result<json> body = ParseBody(request);
  if (!body) return ErrorResponse(body.error());
  const std::string name = StringField(*body, "name");
  const std::string password = StringField(*body, "password");
  if (name.empty() || password.empty()) {
    return ErrorResponse(400, "required", "give \"name\" and \"password\"",
                         name.empty() ? "name" : "password");
  }
  Result<NewSession> session = app.access().Login(name, password, request.remote_address);
  app.metrics()
      .GetCounter("ecoute_logins_total", "Login attempts",
                  {{"result", session ? "ok" : StatusCodeName(session.error().code())}})
      .Inc();
  if (!session) {
    Response r = ErrorResponse(session.error());
    if (session.error().code() == StatusCode::kResourceExhausted) {
      r.headers.emplace_back("Retry-After", std::to_string(app.config().access.lockout_seconds));
    }
    return r;
  }
  return SessionCookie(
      app, *session,
      JsonResponse({{"user", PrincipalJson(session->principal)}, {"csrf", session->csrf_token}}));
}

Response GetSession(Context& ctx) {
  return JsonResponse({{"user", PrincipalJson(ctx.principal)}, {"csrf", ctx.principal.csrf_token}});
}

Response Logout(Context& ctx) {
  const std::string_view token = CookieValue(ctx.request.Header("cookie"), kSessionCookie);
  if (!token.empty()) (void)ctx.app.access().Logout(token);
  Response r;
  r.status = 204;
  r.body.clear();
  std::string cookie =
      std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (ctx.app.config().cookie_secure) cookie += "; Secure";
  r.headers.emplace_back("Set-Cookie", std::move(cookie));
  return r;
}

// ---- users ----------------------------------------------------------------------------------

Response ListUsers(Context& ctx) {
  Result<std::vector<User>> users = ctx.app.access().ListUsers();
  if (!users) return ErrorResponse(users.error());
  json list = json::array();
  for (const User& u : *users) list.push_back(UserJson(u));
  return JsonResponse({{"users", list}});
}

Response CreateUser(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  User user;
  if (Status st = ApplyUser(*body, *ctx.app.catalog_snapshot(), user); !st.ok())
    return ErrorResponse(st);
  if (user.name.empty()) return ErrorResponse(FieldError("required", "name", "give a \"name\""));
  const std::string password = StringField(*body, "password");
  if (password.empty()) {
    return ErrorResponse(FieldError("required", "password", "give a \"password\""));
  }
  Result<User> created = ctx.app.access().AddUser(user, password);
  if (!created) return ErrorResponse(UserError(created.error()));
  return JsonResponse(UserJson(*created), 201);
}

Response UpdateUser(Context& ctx) {
  Result<User> user = ctx.app.access().GetUser(ctx.ids[0]);
  if (!user) return ErrorResponse(user.error());
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  if (Status st = ApplyUser(*body, *ctx.app.catalog_snapshot(), *user); !st.ok())
    return ErrorResponse(st);
  Result<User> updated = ctx.app.access().UpdateUser(*user);
  if (!updated) return ErrorResponse(UserError(updated.error()));
  if (std::string password = StringField(*body, "password"); !password.empty()) {
    if (Status st = ctx.app.access().SetPassword(ctx.ids[0], password); !st.ok()) {
      return ErrorResponse(UserError(st));
    }
  }
  return JsonResponse(UserJson(*updated));
}

Response DeleteUser(Context& ctx) {
  if (ctx.ids[0] == ctx.principal.user_id) {
    return ErrorResponse(409, "cannot_delete_self", "you cannot delete yourself");
  }
  if (Status st = ctx.app.access().DeleteUser(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

// ---- API tokens -----------------------------------------------------------------------------

Response ListTokens(Context& ctx) {
  Result<std::vector<TokenInfo>> tokens = ctx.app.access().ListTokens(
      ctx.scope.SeesEveryonesTokens() ? std::nullopt
                                      : std::optional<int64_t>(ctx.principal.user_id));
  if (!tokens) return ErrorResponse(tokens.error());
  json list = json::array();
  for (const TokenInfo& t : *tokens) list.push_back(TokenJson(t));
  return JsonResponse({{"tokens", list}});
}

Response CreateToken(Context& ctx) {
  Result<json> body = ParseBody(ctx.request);
  if (!body) return ErrorResponse(body.error());
  std::optional<int64_t> expires;
  if (auto it = body->find("expires_days"); it != body->end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      return ErrorResponse(400, "out_of_range", "expires_days: a number of days, 1 or more",
                           "expires_days", {{"min", "1"}});
    }
    expires = ctx.app.clock().Now() + it->get<int64_t>() * 86400;
  }
  std::string label = StringField(*body, "label");
  if (label.empty()) return ErrorResponse(400, "required", "give a \"label\"", "label");
  Result<NewToken> token = ctx.app.access().CreateToken(ctx.principal.user_id, label, expires);
  if (!token) return ErrorResponse(token.error());
  return JsonResponse({{"token", token->token}, {"info", TokenJson(token->info)}}, 201);
}

// Another user's token does not exist for a caller who does not see everyone's.
Response DeleteToken(Context& ctx) {
  if (!ctx.scope.SeesEveryonesTokens()) {
    Result<std::vector<TokenInfo>> own = ctx.app.access().ListTokens(ctx.principal.user_id);
    if (!own) return ErrorResponse(own.error());
    if (std::none_of(own->begin(), own->end(),
                     [&](const TokenInfo& t) { return t.id == ctx.ids[0]; })) {
      return ErrorResponse(NotFoundError("no token " + std::to_string(ctx.ids[0])));
    }
  }
  if (Status st = ctx.app.access().RevokeToken(ctx.ids[0]); !st.ok()) return ErrorResponse(st);
  Response r;
  r.status = 204;
  return r;
}

}  // namespace ecoute::server
