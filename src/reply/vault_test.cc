#include "reply/vault.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace ecoute::reply {
namespace {

std::filesystem::path TempDir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("ecoute-vault-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(VaultTest, MakesAKeyFileReadableByItsOwnerOnlyAndKeepsIt) {
  const auto dir = TempDir();
  const std::string file = DefaultKeyFile((dir / "e.db").string());
  EXPECT_EQ(file, (dir / "e.db.key").string());
  Result<SecretVault> vault = SecretVault::Open(file);
  ASSERT_TRUE(vault) << vault.error().ToString();
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(info.st_size, 32);
  const std::string sealed = vault->Seal("token-123");
  EXPECT_EQ(sealed.find("token-123"), std::string::npos);
  EXPECT_NE(vault->Seal("token-123"), sealed);  // a fresh nonce each time
  Result<SecretVault> again = SecretVault::Open(file);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->Unseal(sealed));
  EXPECT_EQ(*again->Unseal(sealed), "token-123");
  std::filesystem::remove_all(dir);
}

TEST(VaultTest, AnotherKeyGivesAClearError) {
  std::array<unsigned char, 32> a{};
  std::array<unsigned char, 32> b{};
  b[0] = 1;
  const std::string sealed = SecretVault::FromKey(a).Seal("app password");
  Result<std::string> opened = SecretVault::FromKey(b).Unseal(sealed);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(opened.error().message().find("key file"), std::string::npos);
  EXPECT_EQ(opened.error().message().find(sealed), std::string::npos);
  EXPECT_FALSE(SecretVault::FromKey(a).Unseal("sb1:not base64!"));
  EXPECT_FALSE(SecretVault::FromKey(a).Unseal(""));
}

TEST(VaultTest, RefusesAKeyFileOthersMayReadOrOfTheWrongSize) {
  const auto dir = TempDir();
  const std::string file = (dir / "k").string();
  { std::ofstream(file) << "short"; }
  ::chmod(file.c_str(), 0600);
  Result<SecretVault> wrong_size = SecretVault::Open(file);
  ASSERT_FALSE(wrong_size);
  EXPECT_EQ(wrong_size.error().code(), StatusCode::kFailedPrecondition);
  ::chmod(file.c_str(), 0644);
  Result<SecretVault> open_to_all = SecretVault::Open(file);
  ASSERT_FALSE(open_to_all);
  EXPECT_NE(open_to_all.error().message().find("chmod 600"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecoute::reply
