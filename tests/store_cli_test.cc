// The store's subcommands end to end — `ingest`, `search`, `cases`, `report`, `forget` — on
// a real database file in a temp folder, with the real binary: exact exit codes, outputs
// and messages.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "command_runner.h"

namespace {

namespace fs = std::filesystem;

using ecoute::testing::CommandResult;
using ecoute::testing::Slurp;

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

constexpr const char* kBrands = R"([[brand]]
name = "Fnac"
handles = ["@fnac"]
domains = ["fnac.com"]

[[brand]]
name = "Darty"
handles = ["@darty_sav"]
)";

// A complaint, the brand's reply, the customer's thanks; another customer's unanswered
// complaint; and one line that is not JSON.
constexpr const char* kPosts =
    R"({"id": "1", "author": {"handle": "@marie"}, "published_at": "2026-03-02T09:00:00Z", "text": "@fnac commande jamais livrée, je veux être remboursée. Scandaleux."}
{"id": "2", "author": {"handle": "@fnac"}, "published_at": "2026-03-02T10:30:00Z", "parent_id": "1", "text": "@marie Bonjour Marie, nous regardons votre commande en message privé."}
{"id": "3", "author": {"handle": "@marie"}, "published_at": "2026-03-03T08:00:00Z", "parent_id": "2", "text": "@fnac remboursement reçu, merci beaucoup pour votre aide !"}
not json
{"id": "4", "author": {"handle": "@paul"}, "published_at": "2026-03-04T12:00:00Z", "text": "@darty_sav mon four est en panne depuis deux semaines et personne ne rappelle. Inadmissible."}
)";

class StoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("store_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    brands_ = Write("brands.toml", kBrands);
    posts_ = Write("posts.jsonl", kPosts);
    db_ = (dir_ / "ecoute.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  CommandResult Ecoute(const std::string& args) {
    return ecoute::testing::RunCommand(ECOUTE_BINARY, args, dir_);
  }

  CommandResult Ingest() {
    return Ecoute("ingest --db " + db_ + " --brands " + brands_ + " " + posts_);
  }

  fs::path dir_;
  std::string brands_;
  std::string posts_;
  std::string db_;
};

TEST_F(StoreCliTest, IngestStoresOnceAndSaysWhatItDid) {
  CommandResult run = Ingest();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("posts.jsonl:4: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("read 4 posts from 1 input"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("new 4, updated 0, unchanged 0; 1 problem reported above"),
            std::string::npos)
      << run.err;
  run = Ingest();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("new 0, updated 0, unchanged 4"), std::string::npos) << run.err;
}

TEST_F(StoreCliTest, IngestNeedsACatalogAndSaysWhichFileIsMissing) {
  CommandResult run = Ecoute("ingest --db " + db_ + " " + posts_);
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_NE(run.err.find("--brands is required"), std::string::npos) << run.err;
  run =
      Ecoute("ingest --db " + db_ + " --brands " + brands_ + " " + (dir_ / "nope.jsonl").string());
  EXPECT_EQ(run.exit_code, 66);
  EXPECT_NE(run.err.find("nope.jsonl: cannot open"), std::string::npos) << run.err;
}

TEST_F(StoreCliTest, SearchFindsStemsAndFilters) {
  ASSERT_EQ(Ingest().exit_code, 0);
  CommandResult run = Ecoute("search --db " + db_ + " --format json remboursée");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> hits = JsonLines(run.out);
  std::vector<std::string> ids;
  ids.reserve(hits.size());
  for (const auto& hit : hits) ids.push_back(hit["ext_id"]);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3"}));

  run = Ecoute("search --db " + db_ + " --format json 'panne brand:darty stance:complaint'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  hits = JsonLines(run.out);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]["ext_id"], "4");
  EXPECT_EQ(hits[0]["author"], "@paul");
  EXPECT_EQ(hits[0]["snippet"],
            "@darty_sav mon four est en <mark>panne</mark> depuis deux semaines et personne ne "
            "rappelle. Inadmissible.");
  EXPECT_EQ(hits[0]["brands"], nlohmann::json::array({"Darty"}));
}

TEST_F(StoreCliTest, SearchSyntaxErrorsSayWhere) {
  ASSERT_EQ(Ingest().exit_code, 0);
  CommandResult run = Ecoute("search --db " + db_ + " 'colis \"perdu'");
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_NE(run.err.find("query: column 7: unterminated quote"), std::string::npos) << run.err;
  run = Ecoute("search --db " + db_ + " 'colis brand:Boulanger'");
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(run.err.find("brand \"Boulanger\" is not in the store"), std::string::npos) << run.err;
  run = Ecoute("search --db " + (dir_ / "none.db").string() + " colis");
  EXPECT_EQ(run.exit_code, 66);
  EXPECT_NE(run.err.find("none.db: no such database"), std::string::npos) << run.err;
}

TEST_F(StoreCliTest, CasesListShowAndAgentActions) {
  ASSERT_EQ(Ingest().exit_code, 0);
  CommandResult run = Ecoute("cases --db " + db_ + " --format json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> cases = JsonLines(run.out);
  ASSERT_EQ(cases.size(), 2u);
  // Open cases first: Paul's unanswered one, then Marie's resolved one.
  EXPECT_EQ(cases[0]["brand"], "Darty");
  EXPECT_EQ(cases[0]["status"], "new");
  EXPECT_EQ(cases[1]["brand"], "Fnac");
  EXPECT_EQ(cases[1]["status"], "resolved");
  EXPECT_EQ(cases[1]["first_response_at"], "2026-03-02T10:30:00Z");
  EXPECT_EQ(cases[1]["posts"], 3);
  const int darty = cases[0]["id"];

  run = Ecoute("cases show " + std::to_string(darty) + " --db " + db_ + " --format text");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("opened  by rule:complaint"), std::string::npos) << run.out;

  run = Ecoute("cases respond " + std::to_string(darty) + " --db " + db_ +
               " --by lea --channel phone --note 'rappelé au téléphone'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "case " + std::to_string(darty) + " is acknowledged\n");
  run = Ecoute("cases note " + std::to_string(darty) + " --db " + db_ +
               " --by lea --text 'attend la logistique'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = Ecoute("cases priority " + std::to_string(darty) + " --db " + db_ +
               " --by lea --set 90 --reason 'client fragile'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = Ecoute("cases show " + std::to_string(darty) + " --db " + db_ + " --format text");
  EXPECT_NE(run.out.find("priority 90 (set by an agent)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(" (declared)\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("note (internal)  by agent:lea  — attend la logistique"),
            std::string::npos)
      << run.out;
  run = Ecoute("cases resolve " + std::to_string(darty) + " --db " + db_ + " --by lea");
  EXPECT_EQ(run.exit_code, 64);  // --reason is required
  run = Ecoute("cases resolve " + std::to_string(darty) + " --db " + db_ +
               " --by lea --reason 'four remplacé'");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = Ecoute("cases --db " + db_ + " --format json --status open");
  EXPECT_EQ(JsonLines(run.out).size(), 0u);
  run = Ecoute("cases show 999 --db " + db_);
  EXPECT_EQ(run.exit_code, 66);
  EXPECT_NE(run.err.find("no case 999"), std::string::npos) << run.err;
}

TEST_F(StoreCliTest, ReportInFourFormats) {
  ASSERT_EQ(Ingest().exit_code, 0);
  CommandResult run = Ecoute("report --db " + db_ + " --format json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report["brands"].size(), 2u);
  const nlohmann::json& fnac = report["brands"][0];
  EXPECT_EQ(fnac["brand"], "Fnac");
  EXPECT_EQ(fnac["cases"], 1);
  EXPECT_EQ(fnac["responded"], 1);
  EXPECT_EQ(fnac["recovered"], 1);
  EXPECT_EQ(fnac["first_response_median_s"], 5400);
  EXPECT_EQ(fnac["word_of_mouth"], 12 + 3 * fnac["praise"].get<int>());
  const nlohmann::json& darty = report["brands"][1];
  EXPECT_EQ(darty["brand"], "Darty");
  EXPECT_EQ(darty["unanswered"], 1);

  run = Ecoute("report --db " + db_ + " --format csv");
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.rfind("brand,mentions,complaints,", 0), 0u) << run.out;
  const fs::path html = dir_ / "report.html";
  run = Ecoute("report --db " + db_ + " --format html --out " + html.string());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string page = Slurp(html);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  run = Ecoute("report --db " + db_ + " --since 2026-13-01");
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_NE(run.err.find("--since 2026-13-01"), std::string::npos) << run.err;
}

TEST_F(StoreCliTest, ForgetErasesAnAuthorEverywhere) {
  ASSERT_EQ(Ingest().exit_code, 0);
  CommandResult run = Ecoute("forget --db " + db_ + " --author @marie");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("forgot @marie: 2 posts, 1 cases removed", 0), 0u) << run.out;
  run = Ecoute("search --db " + db_ + " --format json remboursée");
  EXPECT_EQ(run.out, "");
  run = Ecoute("forget --db " + db_ + " --author @marie");
  EXPECT_EQ(run.exit_code, 66);
  run = Ecoute("forget --db " + db_);
  EXPECT_EQ(run.exit_code, 64);
}

}  // namespace
