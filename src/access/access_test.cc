// Access control on a real SQLite file and a clock moved by hand: users, logins and their
// throttling, sessions and their timeouts, API tokens, CSRF, brand scopes, and what rests
// on disk.
#include "access/access.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/sqlite/testing.h"

namespace ecoute::server {
namespace {

constexpr int64_t kT0 = 1767603600;  // 2026-01-05T09:00:00Z
constexpr int64_t kHour = 3600;
constexpr std::string_view kPassword = "correct horse battery";

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_access_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ecoute.db").string();
    options_.fast_hashing_for_tests = true;
    Reopen();
  }
  void TearDown() override {
    access_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    access_.reset();
    Result<std::unique_ptr<AccessControl>> opened = AccessControl::Open(path_, clock_, options_);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    access_ = std::move(opened).value();
  }

  User Add(std::string name, Role role, std::vector<std::string> brands = {}) {
    User user;
    user.name = std::move(name);
    user.role = role;
    user.brands = std::move(brands);
    Result<User> added = access_->AddUser(user, kPassword);
    EXPECT_TRUE(added.has_value()) << added.error().ToString();
    return added.has_value() ? added.value() : User{};
  }

  NewSession LogIn(std::string_view name, std::string_view address = "10.0.0.1") {
    Result<NewSession> session = access_->Login(name, kPassword, address);
    EXPECT_TRUE(session.has_value()) << session.error().ToString();
    return session.has_value() ? session.value() : NewSession{};
  }

  StatusCode SessionCode(const std::string& token) {
    return access_->AuthenticateSession(token).error().code();
  }
  StatusCode TokenCode(const std::string& token) {
    return access_->AuthenticateToken(token).error().code();
  }

  std::filesystem::path dir_;
  std::string path_;
  ManualClock clock_{kT0};
  AccessOptions options_;
  std::unique_ptr<AccessControl> access_;
};

TEST_F(AccessTest, LoginOpensASessionThatAuthenticates) {
  const User marie = Add("Marie.Dupont", Role::kAgent, {"Lunéa", "Fnac"});
  EXPECT_EQ(marie.name, "marie.dupont");  // logins are lower-case
  EXPECT_EQ(marie.created_at, kT0);

  const NewSession session = LogIn("MARIE.dupont");
  EXPECT_EQ(session.token.size(), 43u);  // 32 bytes in base64url
  EXPECT_EQ(session.expires_at, kT0 + 12 * kHour);
  Result<Principal> principal = access_->AuthenticateSession(session.token);
  ASSERT_TRUE(principal.has_value()) << principal.error().ToString();
  EXPECT_EQ(principal->user_id, marie.id);
  EXPECT_EQ(principal->name, "marie.dupont");
  EXPECT_EQ(principal->role, Role::kAgent);
  EXPECT_TRUE(principal->via_session);
  EXPECT_EQ(principal->csrf_token, session.csrf_token);
  EXPECT_EQ(principal->brands, (std::vector<std::string>{"Lunéa", "Fnac"}));
  EXPECT_TRUE(principal->AtLeast(Role::kAgent));
  EXPECT_FALSE(principal->AtLeast(Role::kManager));

  // From the database rather than the cache: the same principal.
  clock_.Advance(60);
  principal = access_->AuthenticateSession(session.token);
  ASSERT_TRUE(principal.has_value()) << principal.error().ToString();
  EXPECT_EQ(principal->name, "marie.dupont");
  EXPECT_EQ(principal->csrf_token, session.csrf_token);
  EXPECT_TRUE(principal->CanSeeBrand("lunéa"));
  EXPECT_FALSE(principal->CanSeeBrand("Darty"));
  EXPECT_EQ(SessionCode("not a session"), StatusCode::kUnauthenticated);
  EXPECT_EQ(SessionCode(""), StatusCode::kUnauthenticated);
}

TEST_F(AccessTest, WrongPasswordAndUnknownUserFailAlike) {
  Add("marie", Role::kAgent);
  Result<NewSession> wrong = access_->Login("marie", "wrong password!!", "10.0.0.1");
  Result<NewSession> unknown = access_->Login("nobody", kPassword, "10.0.0.2");
  ASSERT_FALSE(wrong.has_value());
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(wrong.error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message(), unknown.error().message());
}

TEST_F(AccessTest, FiveFailuresLockTheNameEvenWithTheRightPassword) {
  Add("marie", Role::kAgent);
  for (int i = 0; i < 5; ++i) {
    // A new address each time: only the name's count can lock.
    Result<NewSession> failed =
        access_->Login("marie", "wrong password!!", "10.0.0." + std::to_string(i));
    EXPECT_EQ(failed.error().code(), StatusCode::kUnauthenticated) << i;
  }
  Result<NewSession> locked = access_->Login("Marie", kPassword, "10.0.1.1");
  ASSERT_FALSE(locked.has_value());
  EXPECT_EQ(locked.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(locked.error().message(), "too many failed logins; retry in 900 s");

  clock_.Advance(15 * 60 - 1);
  EXPECT_EQ(access_->Login("marie", kPassword, "10.0.1.1").error().code(),
            StatusCode::kResourceExhausted);
  clock_.Advance(1);
  EXPECT_TRUE(access_->Login("marie", kPassword, "10.0.1.1").has_value());
}

TEST_F(AccessTest, FailuresFromOneAddressLockThatAddress) {
  Add("marie", Role::kAgent);
  for (int i = 0; i < 5; ++i) {
    (void)access_->Login("guess" + std::to_string(i), "wrong password!!", "203.0.113.9");
  }
  EXPECT_EQ(access_->Login("marie", kPassword, "203.0.113.9").error().code(),
            StatusCode::kResourceExhausted);
  // Marie from her own desk is not locked out by someone else's guesses.
  EXPECT_TRUE(access_->Login("marie", kPassword, "10.0.0.1").has_value());
}

TEST_F(AccessTest, FailuresOutsideTheWindowDoNotAccumulate) {
  Add("marie", Role::kAgent);
  for (int i = 0; i < 4; ++i) (void)access_->Login("marie", "wrong password!!", "10.0.0.1");
  clock_.Advance(int64_t{15} * 60);
  for (int i = 0; i < 4; ++i) (void)access_->Login("marie", "wrong password!!", "10.0.0.1");
  EXPECT_TRUE(access_->Login("marie", kPassword, "10.0.0.1").has_value());
}

TEST_F(AccessTest, ASuccessfulLoginClearsTheNamesFailures) {
  Add("marie", Role::kAgent);
  for (int i = 0; i < 4; ++i) (void)access_->Login("marie", "wrong password!!", "");
  EXPECT_TRUE(access_->Login("marie", kPassword, "").has_value());
  for (int i = 0; i < 4; ++i) (void)access_->Login("marie", "wrong password!!", "");
  EXPECT_TRUE(access_->Login("marie", kPassword, "").has_value());
}

TEST_F(AccessTest, SessionsEndTwelveHoursAfterLoginHoweverActive) {
  Add("marie", Role::kAgent);
  const NewSession session = LogIn("marie");
  for (int hour = 1; hour < 12; ++hour) {
    clock_.Advance(kHour);
    EXPECT_TRUE(access_->AuthenticateSession(session.token).has_value()) << hour;
  }
  clock_.Advance(kHour);
  EXPECT_EQ(SessionCode(session.token), StatusCode::kUnauthenticated);
}

TEST_F(AccessTest, IdleSessionsEndAfterTwoHours) {
  Add("marie", Role::kAgent);
  const NewSession active = LogIn("marie");
  const NewSession idle = LogIn("marie");
  // Each request slides the idle timeout.
  clock_.Advance(2 * kHour - 10);
  EXPECT_TRUE(access_->AuthenticateSession(active.token).has_value());
  clock_.Advance(2 * kHour - 10);
  EXPECT_TRUE(access_->AuthenticateSession(active.token).has_value());
  EXPECT_EQ(SessionCode(idle.token), StatusCode::kUnauthenticated);
  clock_.Advance(2 * kHour + 1);
  EXPECT_EQ(SessionCode(active.token), StatusCode::kUnauthenticated);
}

TEST_F(AccessTest, IdleTimeoutHoldsWhileTheSessionIsCached) {
  Add("marie", Role::kAgent);
  const NewSession session = LogIn("marie");
  EXPECT_TRUE(access_->AuthenticateSession(session.token).has_value());
  clock_.Advance(2 * kHour + 1);
  EXPECT_EQ(SessionCode(session.token), StatusCode::kUnauthenticated);
  clock_.Advance(60);  // and the database agrees
  EXPECT_EQ(SessionCode(session.token), StatusCode::kUnauthenticated);
}

TEST_F(AccessTest, LogoutEndsTheSession) {
  Add("marie", Role::kAgent);
  const NewSession session = LogIn("marie");
  EXPECT_TRUE(access_->AuthenticateSession(session.token).has_value());
  EXPECT_TRUE(access_->Logout(session.token).ok());
  EXPECT_EQ(SessionCode(session.token), StatusCode::kUnauthenticated);
  EXPECT_TRUE(access_->Logout(session.token).ok());  // twice is fine
}

TEST_F(AccessTest, TokensAuthenticateUntilRevoked) {
  const User bot = Add("ci-bot", Role::kViewer, {"Fnac"});
  Result<NewToken> token = access_->CreateToken(bot.id, "nightly report", std::nullopt);
  ASSERT_TRUE(token.has_value()) << token.error().ToString();
  EXPECT_TRUE(token->token.starts_with("ecoute_"));
  EXPECT_EQ(token->token.size(), 7u + 43u);
  EXPECT_EQ(token->info.prefix, token->token.substr(0, 15));
  EXPECT_EQ(token->info.label, "nightly report");

  Result<Principal> principal = access_->AuthenticateToken(token->token);
  ASSERT_TRUE(principal.has_value()) << principal.error().ToString();
  EXPECT_EQ(principal->user_id, bot.id);
  EXPECT_FALSE(principal->via_session);
  EXPECT_TRUE(access_->CheckCsrf(*principal, ""));  // no cookie, no CSRF
  // A token is not a session, nor the reverse.
  EXPECT_EQ(SessionCode(token->token), StatusCode::kUnauthenticated);
  EXPECT_EQ(TokenCode(token->token.substr(7)), StatusCode::kUnauthenticated);

  Result<std::vector<TokenInfo>> listed = access_->ListTokens(bot.id);
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, token->info.id);
  EXPECT_EQ((*listed)[0].last_used_at, kT0);
  EXPECT_EQ(access_->ListTokens(std::nullopt)->size(), 1u);
  EXPECT_EQ(access_->ListTokens(bot.id + 1)->size(), 0u);

  ASSERT_TRUE(access_->RevokeToken(token->info.id).ok());
  EXPECT_EQ(TokenCode(token->token), StatusCode::kUnauthenticated);  // at once, despite the cache
  EXPECT_EQ(access_->RevokeToken(token->info.id).code(), StatusCode::kNotFound);
}

TEST_F(AccessTest, TokensRecordTheirUseAtMostOnceAMinute) {
  const User bot = Add("ci-bot", Role::kViewer);
  const NewToken token = access_->CreateToken(bot.id, "ci", std::nullopt).value();
  auto last_used = [&] { return access_->ListTokens(bot.id).value()[0].last_used_at; };
  EXPECT_EQ(last_used(), std::nullopt);
  ASSERT_TRUE(access_->AuthenticateToken(token.token).has_value());
  EXPECT_EQ(last_used(), kT0);
  clock_.Advance(40);  // past the cache, within the minute
  ASSERT_TRUE(access_->AuthenticateToken(token.token).has_value());
  EXPECT_EQ(last_used(), kT0);
  clock_.Advance(40);
  ASSERT_TRUE(access_->AuthenticateToken(token.token).has_value());
  EXPECT_EQ(last_used(), kT0 + 80);
}

TEST_F(AccessTest, TokensExpire) {
  const User bot = Add("ci-bot", Role::kViewer);
  const NewToken token = access_->CreateToken(bot.id, "ci", kT0 + kHour).value();
  EXPECT_TRUE(access_->AuthenticateToken(token.token).has_value());
  clock_.Advance(kHour);
  EXPECT_EQ(TokenCode(token.token), StatusCode::kUnauthenticated);
  EXPECT_EQ(access_->CreateToken(bot.id, "ci", kT0).error().code(),
            StatusCode::kInvalidArgument);  // already past
  EXPECT_EQ(access_->CreateToken(bot.id, " ", std::nullopt).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(access_->CreateToken(bot.id + 1, "ci", std::nullopt).error().code(),
            StatusCode::kNotFound);
}

TEST_F(AccessTest, SecretsRestOnlyAsHashes) {
  const User bot = Add("ci-bot", Role::kViewer);
  const NewToken token = access_->CreateToken(bot.id, "ci", std::nullopt).value();
  const NewSession session = LogIn("ci-bot");
  access_.reset();  // closing checkpoints the write-ahead log into the file

  const Result<std::vector<std::string>> hashes =
      QuerySqlForTest(path_, "SELECT password_hash FROM access_users");
  ASSERT_TRUE(hashes.has_value()) << hashes.error().ToString();
  ASSERT_EQ(hashes->size(), 1u);
  EXPECT_TRUE(hashes->front().starts_with("$argon2id$")) << hashes->front();
  const Result<std::vector<std::string>> digests =
      QuerySqlForTest(path_, "SELECT digest FROM access_tokens");
  ASSERT_TRUE(digests.has_value()) << digests.error().ToString();
  ASSERT_EQ(digests->size(), 1u);
  EXPECT_EQ(digests->front().size(), 64u);  // SHA-256 in hex

  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) bytes += Slurp(entry.path());
  EXPECT_EQ(bytes.find(token.token), std::string::npos);
  EXPECT_EQ(bytes.find(token.token.substr(15)), std::string::npos);
  EXPECT_EQ(bytes.find(session.token), std::string::npos);
  EXPECT_EQ(bytes.find(kPassword), std::string::npos);
}

TEST_F(AccessTest, RefusesWeakPasswords) {
  User user;
  user.name = "marie";
  Result<User> weak = access_->AddUser(user, "short");
  ASSERT_FALSE(weak.has_value());
  EXPECT_EQ(weak.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(weak.error().message().find("at least 12 characters"), std::string::npos)
      << weak.error().message();
  // Characters, not bytes: 11 accented letters are still too short.
  EXPECT_EQ(access_->AddUser(user, "ééééééééééé").error().code(), StatusCode::kInvalidArgument);
  user.name = "marie.dupont";
  EXPECT_EQ(access_->AddUser(user, "Marie.Dupont").error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(access_->CountUsers().value(), 0);
  const User added = Add("marie", Role::kAgent);
  EXPECT_EQ(access_->SetPassword(added.id, "short").code(), StatusCode::kInvalidArgument);
}

TEST_F(AccessTest, RefusesDuplicateNamesWhateverTheCase) {
  Add("marie", Role::kAgent);
  User again;
  again.name = "MARIE";
  Result<User> added = access_->AddUser(again, kPassword);
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(access_->CountUsers().value(), 1);
}

TEST_F(AccessTest, RefusesBadNamesAndFields) {
  struct BadUser {
    std::string_view name;
    std::string_view email;
    std::string_view brand;
  };
  constexpr BadUser kBad[] = {
      {"", "", ""},                     // no name
      {"marie dupont", "", ""},         // a space
      {"rené", "", ""},                 // not ASCII
      {"marie", "not an address", ""},  // e-mail without @
      {"marie", "", " "},               // empty brand
      {"marie", "", "Fnac\nDarty"},     // control character
      {std::string_view("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "",
       ""},  // 65 characters
  };
  for (const BadUser& bad : kBad) {
    SCOPED_TRACE(std::string(bad.name) + "|" + std::string(bad.email) + "|" +
                 std::string(bad.brand));
    User user;
    user.name = bad.name;
    user.email = bad.email;
    if (!bad.brand.empty()) user.brands.emplace_back(bad.brand);
    EXPECT_EQ(access_->AddUser(user, kPassword).error().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(AccessTest, AdminsSeeEveryBrand) {
  const User admin = Add("root", Role::kAdmin, {"Fnac"});
  EXPECT_TRUE(admin.all_brands);
  EXPECT_TRUE(admin.brands.empty());
  const NewSession session = LogIn("root");
  EXPECT_TRUE(session.principal.CanSeeBrand("Darty"));
}

TEST_F(AccessTest, ChangingBrandsOrRoleEndsSessions) {
  User marie = Add("marie", Role::kAgent, {"Fnac"});
  const NewSession first = LogIn("marie");
  ASSERT_TRUE(access_->AuthenticateSession(first.token).has_value());

  marie.display_name = "Marie Dupont";  // not about access: sessions go on
  ASSERT_TRUE(access_->UpdateUser(marie).has_value());
  EXPECT_TRUE(access_->AuthenticateSession(first.token).has_value());

  marie.brands = {"Fnac", "Darty"};
  Result<User> updated = access_->UpdateUser(marie);
  ASSERT_TRUE(updated.has_value()) << updated.error().ToString();
  EXPECT_EQ(updated->display_name, "Marie Dupont");
  EXPECT_EQ(SessionCode(first.token), StatusCode::kUnauthenticated);
  const NewSession second = LogIn("marie");
  EXPECT_TRUE(access_->AuthenticateSession(second.token)->CanSeeBrand("darty"));

  marie.role = Role::kManager;
  ASSERT_TRUE(access_->UpdateUser(marie).has_value());
  EXPECT_EQ(SessionCode(second.token), StatusCode::kUnauthenticated);
  EXPECT_EQ(access_->GetUser(marie.id)->role, Role::kManager);

  marie.name = "someone-else";
  EXPECT_EQ(access_->UpdateUser(marie).error().code(), StatusCode::kInvalidArgument);
  marie.id += 100;
  marie.name.clear();
  EXPECT_EQ(access_->UpdateUser(marie).error().code(), StatusCode::kNotFound);
}

TEST_F(AccessTest, SetPasswordEndsSessionsAndReplacesTheOldPassword) {
  const User marie = Add("marie", Role::kAgent);
  const NewSession session = LogIn("marie");
  ASSERT_TRUE(access_->SetPassword(marie.id, "a brand new passphrase").ok());
  EXPECT_EQ(SessionCode(session.token), StatusCode::kUnauthenticated);
  EXPECT_EQ(access_->Login("marie", kPassword, "").error().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(access_->Login("marie", "a brand new passphrase", "").has_value());
  EXPECT_EQ(access_->SetPassword(marie.id + 1, "a brand new passphrase").code(),
            StatusCode::kNotFound);
}

TEST_F(AccessTest, CanSeeBrandIgnoresCaseAndComposition) {
  Principal p;
  p.brands = {"Lunéa", "Fnac"};
  struct BrandCase {
    std::string_view brand;
    bool want;
  };
  constexpr BrandCase kCases[] = {
      {"Lunéa", true},       {"LUNÉA", true},   // upper case, accent included
      {"lune\u0301a", true},                    // decomposed é
      {"lunea", false},                         // the accent matters
      {"fnac", true},        {"Fnac ", false},  // an exact name, not a prefix
      {"Darty", false},      {"", false},
  };
  for (const BrandCase& c : kCases) {
    SCOPED_TRACE(c.brand);
    EXPECT_EQ(p.CanSeeBrand(c.brand), c.want);
  }
  p.all_brands = true;
  EXPECT_TRUE(p.CanSeeBrand("Darty"));
}

TEST_F(AccessTest, CsrfTokenMustMatchTheSession) {
  Add("marie", Role::kAgent);
  const NewSession session = LogIn("marie");
  const Principal principal = access_->AuthenticateSession(session.token).value();
  EXPECT_EQ(session.csrf_token.size(), 43u);
  EXPECT_NE(session.csrf_token, session.token);
  EXPECT_TRUE(access_->CheckCsrf(principal, session.csrf_token));
  EXPECT_FALSE(access_->CheckCsrf(principal, ""));
  EXPECT_FALSE(access_->CheckCsrf(principal, session.token));
  std::string altered = session.csrf_token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(access_->CheckCsrf(principal, altered));
  EXPECT_FALSE(access_->CheckCsrf(principal, session.csrf_token + "x"));
  const NewSession other = LogIn("marie");
  EXPECT_FALSE(access_->CheckCsrf(principal, other.csrf_token));
}

TEST_F(AccessTest, DisabledUsersCannotLogInOrUseTokens) {
  Add("root", Role::kAdmin);
  User marie = Add("marie", Role::kAgent);
  const NewToken token = access_->CreateToken(marie.id, "script", std::nullopt).value();
  const NewSession session = LogIn("marie");
  ASSERT_TRUE(access_->AuthenticateToken(token.token).has_value());

  marie.disabled = true;
  ASSERT_TRUE(access_->UpdateUser(marie).has_value());
  EXPECT_EQ(TokenCode(token.token), StatusCode::kUnauthenticated);
  EXPECT_EQ(SessionCode(session.token), StatusCode::kUnauthenticated);
  EXPECT_EQ(access_->Login("marie", kPassword, "").error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(access_->Login("marie", "wrong password!!", "").error().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(access_->CreateToken(marie.id, "again", std::nullopt).error().code(),
            StatusCode::kFailedPrecondition);

  marie.disabled = false;
  ASSERT_TRUE(access_->UpdateUser(marie).has_value());
  EXPECT_TRUE(access_->AuthenticateToken(token.token).has_value());
}

TEST_F(AccessTest, DeleteUserRemovesSessionsAndTokens) {
  Add("root", Role::kAdmin);
  const User marie = Add("marie", Role::kAgent);
  const NewToken token = access_->CreateToken(marie.id, "script", std::nullopt).value();
  const NewSession session = LogIn("marie");
  ASSERT_TRUE(access_->DeleteUser(marie.id).ok());
  EXPECT_EQ(TokenCode(token.token), StatusCode::kUnauthenticated);
  EXPECT_EQ(SessionCode(session.token), StatusCode::kUnauthenticated);
  EXPECT_EQ(access_->ListTokens(std::nullopt)->size(), 0u);
  EXPECT_EQ(access_->GetUser(marie.id).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(access_->DeleteUser(marie.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(access_->CountUsers().value(), 1);
}

TEST_F(AccessTest, TheLastAdminStays) {
  User root = Add("root", Role::kAdmin);
  EXPECT_EQ(access_->DeleteUser(root.id).code(), StatusCode::kFailedPrecondition);
  root.role = Role::kManager;
  EXPECT_EQ(access_->UpdateUser(root).error().code(), StatusCode::kFailedPrecondition);
  Add("second", Role::kAdmin);
  EXPECT_TRUE(access_->UpdateUser(root).has_value());
}

TEST_F(AccessTest, UsersOutliveTheConnectionAndListByName) {
  Add("zoe", Role::kViewer, {"Fnac"});
  Add("albert", Role::kManager);
  Reopen();
  Result<std::vector<User>> users = access_->ListUsers();
  ASSERT_TRUE(users.has_value()) << users.error().ToString();
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "albert");
  EXPECT_EQ((*users)[1].name, "zoe");
  EXPECT_EQ((*users)[1].brands, std::vector<std::string>{"Fnac"});
  EXPECT_EQ(access_->GetUserByName("ZOE")->id, (*users)[1].id);
  EXPECT_TRUE(LogIn("zoe").principal.CanSeeBrand("FNAC"));
}

TEST_F(AccessTest, LoginRehashesPasswordsMadeAtAnOldCost) {
  Add("marie", Role::kAgent);
  options_.fast_hashing_for_tests = false;  // the production cost is now the current one
  Reopen();
  auto stored_hash = [&] {
    Result<std::unique_ptr<AccessTables>> tables = OpenAccessTables(path_);
    if (!tables) return tables.error().ToString();
    Result<FoundLogin> login = (*tables)->FindLogin("marie");
    return login ? login->password_hash : login.error().ToString();
  };
  const std::string before = stored_hash();
  LogIn("marie");
  const std::string after = stored_hash();
  EXPECT_NE(before, after);
  EXPECT_TRUE(after.starts_with("$argon2id$"));
  LogIn("marie");
  EXPECT_EQ(stored_hash(), after);  // once only
}

TEST_F(AccessTest, RefusesADatabaseThatIsNotEcoutes) {
  const std::string other = (dir_ / "other.db").string();
  ASSERT_TRUE(ExecSqlForTest(other, "CREATE TABLE invoices(id INTEGER)").ok());
  Result<std::unique_ptr<AccessControl>> opened = AccessControl::Open(other, clock_, options_);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code(), StatusCode::kDataLoss);
}

TEST_F(AccessTest, AuthenticatesFromManyThreads) {
  const User bot = Add("ci-bot", Role::kViewer);
  const NewToken token = access_->CreateToken(bot.id, "ci", std::nullopt).value();
  Add("marie", Role::kAgent);
  const NewSession session = LogIn("marie");
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (t == 0 && i % 500 == 0) clock_.Advance(31);  // through the database now and then
        if (!access_->AuthenticateToken(token.token).has_value()) ++failures;
        if (!access_->AuthenticateSession(session.token).has_value()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kViewer, Role::kAgent, Role::kManager, Role::kAdmin}) {
    Role parsed = Role::kViewer;
    ASSERT_TRUE(ParseRole(RoleName(role), parsed));
    EXPECT_EQ(parsed, role);
  }
  Role parsed;
  EXPECT_TRUE(ParseRole("Admin", parsed));
  EXPECT_FALSE(ParseRole("root", parsed));
}

TEST(GeneratePasswordTest, IsLongAndDifferentEachTime) {
  const std::string a = GeneratePassword();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_NE(a, GeneratePassword());
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
}

}  // namespace
}  // namespace ecoute::server
