// UserAdmin (ecoute/users.h) on a real SQLite file: what `ecoute users` does, end to end.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ecoute/users.h"

namespace ecoute {
namespace {

constexpr std::string_view kPassword = "correct horse battery";

class UserAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_user_admin_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<UserAdmin>> opened = UserAdmin::Open((dir_ / "ecoute.db").string());
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    admin_ = std::move(opened).value();
  }
  void TearDown() override {
    admin_.reset();
    std::filesystem::remove_all(dir_);
  }

  User Add(std::string name, Role role, std::vector<std::string> brands) {
    User user;
    user.name = std::move(name);
    user.role = role;
    user.brands = std::move(brands);
    Result<User> added = admin_->AddUser(user, kPassword);
    EXPECT_TRUE(added.has_value()) << added.error().ToString();
    return added.has_value() ? *added : User{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<UserAdmin> admin_;
};

TEST(UserRoleTest, NamesParseBackInAnyCase) {
  for (Role role : {Role::kViewer, Role::kAgent, Role::kManager, Role::kAdmin}) {
    Role parsed = Role::kViewer;
    std::string upper(RoleName(role));
    for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
    ASSERT_TRUE(ParseRole(upper, parsed)) << upper;
    EXPECT_EQ(parsed, role);
  }
  Role untouched = Role::kAgent;
  EXPECT_FALSE(ParseRole("owner", untouched));
  EXPECT_EQ(untouched, Role::kAgent);
}

TEST(UserRoleTest, GeneratedPasswordsAreLongAndDiffer) {
  const std::string a = GeneratePassword();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, GeneratePassword());
}

TEST_F(UserAdminTest, AddsListsAndDeletesUsers) {
  const User admin = Add("Alice", Role::kAdmin, {});
  EXPECT_EQ(admin.name, "alice");  // stored lower-case
  EXPECT_TRUE(admin.all_brands);   // admins see every brand
  Add("bob", Role::kAgent, {"Lunéa"});

  Result<std::vector<User>> users = admin_->ListUsers();
  ASSERT_TRUE(users.has_value()) << users.error().ToString();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[1].name, "bob");
  EXPECT_EQ((*users)[1].brands, std::vector<std::string>{"Lunéa"});

  Result<User> bob = admin_->GetUserByName("bob");
  ASSERT_TRUE(bob.has_value());
  EXPECT_TRUE(admin_->SetPassword(bob->id, "another horse battery staple").ok());
  EXPECT_EQ(admin_->SetPassword(bob->id, "short").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(admin_->DeleteUser(bob->id).ok());
  EXPECT_EQ(admin_->GetUserByName("bob").error().code(), StatusCode::kNotFound);
  // The last enabled admin stays.
  EXPECT_EQ(admin_->DeleteUser(admin.id).code(), StatusCode::kFailedPrecondition);
}

TEST_F(UserAdminTest, RefusesATakenNameInAnyCase) {
  Add("carol", Role::kViewer, {"Lunéa"});
  User again;
  again.name = "CAROL";
  again.role = Role::kViewer;
  again.all_brands = true;
  EXPECT_EQ(admin_->AddUser(again, kPassword).error().code(), StatusCode::kAlreadyExists);
}

TEST_F(UserAdminTest, IssuesListsAndRevokesTokensShowingTheSecretOnce) {
  const User dave = Add("dave", Role::kManager, {"Lunéa"});
  constexpr int64_t kFarFuture = 4102444800;  // 2100-01-01
  Result<NewApiToken> made = admin_->CreateToken(dave.id, "ci", kFarFuture);
  ASSERT_TRUE(made.has_value()) << made.error().ToString();
  EXPECT_EQ(made->token.rfind("ecoute_", 0), 0u);
  EXPECT_EQ(made->token.rfind(made->info.prefix, 0), 0u);  // the prefix begins the secret

  Result<std::vector<ApiToken>> tokens = admin_->ListTokens(dave.id);
  ASSERT_TRUE(tokens.has_value());
  ASSERT_EQ(tokens->size(), 1u);
  const ApiToken& listed = (*tokens)[0];
  EXPECT_EQ(listed.id, made->info.id);
  EXPECT_EQ(listed.user_id, dave.id);
  EXPECT_EQ(listed.label, "ci");
  EXPECT_EQ(listed.expires_at, kFarFuture);
  EXPECT_FALSE(listed.last_used_at.has_value());
  EXPECT_EQ(listed.prefix, made->info.prefix);
  EXPECT_NE(listed.prefix, made->token);  // never the whole secret

  EXPECT_TRUE(admin_->RevokeToken(listed.id).ok());
  EXPECT_EQ(admin_->RevokeToken(listed.id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(admin_->ListTokens(std::nullopt)->empty());
}

}  // namespace
}  // namespace ecoute
