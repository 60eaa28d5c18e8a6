// `ecoute users` and `ecoute serve` end to end: the real binary, a real SQLite file, real
// HTTP on loopback and a real SIGTERM.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "command_runner.h"

namespace ecoute {
namespace {

using testing::RunCommand;
using testing::Slurp;

const std::string kBinary = ECOUTE_BINARY;
const std::string kBrands = std::string(ECOUTE_TEST_DATA_DIR) + "/sample/brands.toml";

class ServeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute-serve-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  testing::CommandResult Run(const std::string& args, const std::string& input = "") {
    const std::filesystem::path in = dir_ / "stdin";
    std::ofstream(in) << input;
    return RunCommand(kBinary, args, dir_, in.string());
  }

  std::filesystem::path dir_;
  std::string db_;
};

// The text after `marker` in `text`, up to the next space or end of line; "" when absent
// or when its line is not written whole yet.
std::string WordAfter(const std::string& text, const std::string& marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  const size_t begin = at + marker.size();
  const size_t end = text.find_first_of(" \n", begin);
  if (end == std::string::npos) return "";
  return text.substr(begin, end - begin);
}

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

long Get(const std::string& url, std::string& body) {
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status;
}

TEST_F(ServeCliTest, TheFirstAdminGetsARandomPasswordShownOnce) {
  testing::CommandResult added = Run("users add admin --role admin --db " + db_);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string password = WordAfter(added.out, "password: ");
  ASSERT_EQ(password.size(), 20u) << added.out;
  // Listed without any secret.
  testing::CommandResult listed = Run("users list --format json --db " + db_);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("\"admin\""), std::string::npos);
  EXPECT_EQ(listed.out.find(password), std::string::npos);
  EXPECT_EQ(listed.out.find("argon2"), std::string::npos);
  // Nowhere in the database in clear.
  EXPECT_EQ(Slurp(db_).find(password), std::string::npos);
  // A weak password is refused, saying why; a bad role is a usage error.
  testing::CommandResult weak =
      Run("users add marie --role agent --brands Jeanerie --password-stdin --db " + db_, "short\n");
  EXPECT_EQ(weak.exit_code, 65) << weak.err;
  EXPECT_NE(weak.err.find("12"), std::string::npos) << weak.err;
  EXPECT_EQ(Run("users add marie --role boss --db " + db_).exit_code, 64);
}

TEST_F(ServeCliTest, ServesUntilSigtermThenStopsCleanly) {
  ASSERT_EQ(Run("users add admin --role admin --db " + db_).exit_code, 0);
  const std::string log = (dir_ / "serve.log").string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(log.c_str(), "w", stderr);
    std::freopen("/dev/null", "w", stdout);
    ::execl(kBinary.c_str(), kBinary.c_str(), "serve", "--db", db_.c_str(), "--brands",
            kBrands.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  std::string url;
  for (int i = 0; i < 300 && url.empty(); ++i) {
    url = WordAfter(Slurp(log), "ecoute: listening on ");
    if (url.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(url.empty()) << Slurp(log);
  std::string body;
  EXPECT_EQ(Get(url + "healthz", body), 200);
  EXPECT_EQ(body, R"({"status":"ok"})");
  body.clear();
  EXPECT_EQ(Get(url + "api/v1/cases", body), 401);
  EXPECT_EQ(nlohmann::json::parse(body)["error"]["code"], "unauthenticated");
  body.clear();
  EXPECT_EQ(Get(url, body), 200);
  EXPECT_NE(body.find("<html"), std::string::npos);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(Slurp(log).find("stopped"), std::string::npos) << Slurp(log);
}

TEST_F(ServeCliTest, ABadSettingStopsTheStartAndSaysWhere) {
  const std::string config = (dir_ / "ecoute.toml").string();
  std::ofstream(config) << "[http]\nlisten = \"127.0.0.1:0\"\nthreds = 4\n";
  testing::CommandResult run =
      Run("serve --config " + config + " --db " + db_ + " --brands " + kBrands);
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(run.err.find(config + ":3: http.threds: unknown setting"), std::string::npos)
      << run.err;
  testing::CommandResult no_brands = Run("serve --db " + db_ + " --listen 127.0.0.1:0");
  EXPECT_EQ(no_brands.exit_code, 65);
  EXPECT_NE(no_brands.err.find("--brands"), std::string::npos) << no_brands.err;
}

}  // namespace
}  // namespace ecoute
