// `ecoute templates` end to end: the real binary on a real SQLite file, checked as the API
// checks (brands against the catalog, tags, topics, variables), with JSON output.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "command_runner.h"

namespace ecoute {
namespace {

using nlohmann::json;
using testing::RunCommand;

const std::string kBinary = ECOUTE_BINARY;
const std::string kBrands = std::string(ECOUTE_TEST_DATA_DIR) + "/sample/brands.toml";

class TemplatesCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute-templates-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  testing::CommandResult Run(const std::string& args) {
    const std::filesystem::path in = dir_ / "stdin";
    std::ofstream(in) << "";
    return RunCommand(kBinary, args + " --db " + db_, dir_, in.string());
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(TemplatesCliTest, AddListEditRemove) {
  testing::CommandResult added =
      Run("templates add --name Retard --brand lunea --brands " + kBrands +
          " --lang FR --topic delay --body 'Bonjour {{ customer }}, {{agent}} de {{brand}}' "
          "--by ops --format json");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const json t = json::parse(added.out);
  EXPECT_EQ(t["name"], "Retard");
  EXPECT_EQ(t["brand"], "Lunéa");
  EXPECT_EQ(t["lang"], "fr");
  EXPECT_EQ(t["topic"], "delay");
  EXPECT_EQ(t["body"], "Bonjour {{ customer }}, {{agent}} de {{brand}}");
  EXPECT_EQ(t["updated_by"], "cli:ops");
  const std::string id = std::to_string(t["id"].get<int64_t>());

  std::ofstream(dir_ / "body.txt") << "Merci {{customer}}.\n";
  testing::CommandResult every = Run("templates add --name Merci --body-file " +
                                     (dir_ / "body.txt").string() + " --format json");
  ASSERT_EQ(every.exit_code, 0) << every.err;
  EXPECT_EQ(json::parse(every.out)["body"], "Merci {{customer}}.\n");
  EXPECT_EQ(json::parse(every.out)["brand"], "");

  testing::CommandResult listed = Run("templates list --format json");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  // By name: Merci, then Retard.
  const size_t first_end = listed.out.find('\n');
  EXPECT_EQ(json::parse(listed.out.substr(0, first_end))["name"], "Merci") << listed.out;
  EXPECT_EQ(json::parse(listed.out.substr(first_end + 1)), t);

  // A template for a brand is changed with the catalog at hand; only what is given changes.
  EXPECT_EQ(Run("templates edit " + id + " --name x").exit_code, 64);
  testing::CommandResult edited = Run(
      "templates edit " + id + " --name 'Retard de train' --brands " + kBrands + " --format json");
  ASSERT_EQ(edited.exit_code, 0) << edited.err;
  EXPECT_EQ(json::parse(edited.out)["name"], "Retard de train");
  EXPECT_EQ(json::parse(edited.out)["body"], t["body"]);

  testing::CommandResult removed = Run("templates remove " + id);
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.out, "removed template " + id + "\n");
  EXPECT_EQ(Run("templates remove " + id).exit_code, 66);
  testing::CommandResult text = Run("templates list --format text");
  EXPECT_NE(text.out.find("Merci"), std::string::npos);
  EXPECT_EQ(text.out.find("Retard"), std::string::npos);
}

TEST_F(TemplatesCliTest, RefusedAsTheApiRefuses) {
  testing::CommandResult unknown = Run("templates add --name x --body 'Bonjour {{client}}'");
  EXPECT_EQ(unknown.exit_code, 65);
  EXPECT_NE(unknown.err.find("body: unknown variable {{client}}: the known variables are "
                             "{{customer}}, {{brand}}, {{case}} and {{agent}}"),
            std::string::npos)
      << unknown.err;
  testing::CommandResult brand =
      Run("templates add --name x --body y --brand Darty --brands " + kBrands);
  EXPECT_EQ(brand.exit_code, 65);
  EXPECT_NE(brand.err.find("brand: \"Darty\" is not in the brand catalog"), std::string::npos)
      << brand.err;
  EXPECT_EQ(Run("templates add --name x --body y --brand Lunéa").exit_code, 64);  // no catalog
  EXPECT_EQ(Run("templates add --name x --body y --lang french").exit_code, 65);
  EXPECT_EQ(Run("templates add --name x --body y --topic weather").exit_code, 65);
  EXPECT_EQ(Run("templates add --name x").exit_code, 64);  // no body
  EXPECT_EQ(Run("templates list --format json").out, "");
}

}  // namespace
}  // namespace ecoute
