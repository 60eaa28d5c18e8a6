// UserAdmin (ecoute/users.h): the public face of AccessControl for `ecoute users`, on the
// system clock.
#include <utility>

#include "ecoute/users.h"

#include "access/access.h"
#include "util/clock.h"

namespace ecoute {
namespace {

ApiToken ToApiToken(const server::TokenInfo& info) {
  ApiToken token;
  token.id = info.id;
  token.user_id = info.user_id;
  token.label = info.label;
  token.prefix = info.prefix;
  token.created_at = info.created_at;
  token.expires_at = info.expires_at;
  token.last_used_at = info.last_used_at;
  return token;
}

class AccessUserAdmin final : public UserAdmin {
 public:
  Status OpenTables(const std::string& db_path) {
    ECOUTE_ASSIGN_OR_RETURN(access_, server::AccessControl::Open(db_path, clock_));
    return OkStatus();
  }

  Result<User> AddUser(User user, std::string_view password) override {
    return access_->AddUser(std::move(user), password);
  }
  Result<std::vector<User>> ListUsers() override { return access_->ListUsers(); }
  Result<User> GetUserByName(std::string_view name) override {
    return access_->GetUserByName(name);
  }
  Status SetPassword(int64_t user_id, std::string_view password) override {
    return access_->SetPassword(user_id, password);
  }
  Status DeleteUser(int64_t user_id) override { return access_->DeleteUser(user_id); }

  Result<NewApiToken> CreateToken(int64_t user_id, std::string label,
                                  std::optional<int64_t> expires_at) override {
    ECOUTE_ASSIGN_OR_RETURN(server::NewToken made,
                            access_->CreateToken(user_id, std::move(label), expires_at));
    return NewApiToken{ToApiToken(made.info), std::move(made.token)};
  }
  Result<std::vector<ApiToken>> ListTokens(std::optional<int64_t> user_id) override {
    ECOUTE_ASSIGN_OR_RETURN(std::vector<server::TokenInfo> listed, access_->ListTokens(user_id));
    std::vector<ApiToken> tokens;
    tokens.reserve(listed.size());
    for (const server::TokenInfo& info : listed) tokens.push_back(ToApiToken(info));
    return tokens;
  }
  Status RevokeToken(int64_t token_id) override { return access_->RevokeToken(token_id); }

 private:
  const SystemClock clock_{};  // before access_, which borrows it
  std::unique_ptr<server::AccessControl> access_;
};

}  // namespace

Result<std::unique_ptr<UserAdmin>> UserAdmin::Open(const std::string& db_path) {
  auto admin = std::make_unique<AccessUserAdmin>();
  ECOUTE_RETURN_IF_ERROR(admin->OpenTables(db_path));
  return std::unique_ptr<UserAdmin>(std::move(admin));
}

}  // namespace ecoute
