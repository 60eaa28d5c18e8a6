// The CLI and the API say the same things the same way: on one store, `ecoute search`,
// `ecoute cases` and `ecoute report` write the objects the API returns for the same
// request, and take the same since/until.
#include <sstream>

#include "command_runner.h"
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class CliApiJsonTest : public ApiTest {
 protected:
  ::ecoute::testing::CommandResult Ecoute(const std::string& args) {
    return ::ecoute::testing::RunCommand(ECOUTE_BINARY, args + " --db " + (dir_ / "t.db").string(),
                                         dir_);
  }
  // The API's answer to an admin, as a JSON value.
  json Api(const std::string& target) {
    Response r = Call("admin", "GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return json::parse(r.body);
  }
};

TEST_F(CliApiJsonTest, SearchHitsAreByteForByteTheApis) {
  // Filters only: no highlight marks (the CLI's <mark>, the dashboard's control bytes).
  const ::ecoute::testing::CommandResult run =
      Ecoute("search --format json --limit 50 brand:Jeanerie");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> hits = Lines(run.out);
  ASSERT_GE(hits.size(), 2u);
  std::string joined;
  for (const std::string& hit : hits) joined += (joined.empty() ? "" : ",") + hit;
  const Response api = Call("admin", "GET", "/api/v1/posts?q=brand:Jeanerie&limit=50");
  ASSERT_EQ(api.status, 200) << api.body;
  EXPECT_EQ(api.body, "{\"hits\":[" + joined + "]}");
  EXPECT_TRUE(json::parse(hits[0]).contains("ext_id"));
}

TEST_F(CliApiJsonTest, CasesAreTheApisWithoutItsSlaPolicy) {
  ::ecoute::testing::CommandResult run = Ecoute("cases --format json --limit 100");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> lines = Lines(run.out);
  const json api = Api("/api/v1/cases?limit=100")["cases"];
  ASSERT_EQ(lines.size(), api.size());
  ASSERT_FALSE(lines.empty());
  for (size_t i = 0; i < lines.size(); ++i) {
    json from_api = api[i];
    from_api.erase("escalation_name");
    from_api.erase("sla");
    EXPECT_EQ(json::parse(lines[i]), from_api) << lines[i];
  }

  const int64_t id = api[0]["id"].get<int64_t>();
  run = Ecoute("cases show " + std::to_string(id) + " --format json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json detail = Api("/api/v1/cases/" + std::to_string(id));
  detail["case"].erase("escalation_name");
  detail["case"].erase("sla");
  for (json& post : detail["posts"]) post.erase("cues");
  EXPECT_EQ(json::parse(run.out), detail) << run.out;
}

TEST_F(CliApiJsonTest, ReportsTakeTheSameBoundsWithTheSameMeaning) {
  // A date as until takes in its whole day: the posts of the 20th count.
  ::ecoute::testing::CommandResult run =
      Ecoute("report --format json --since 2026-11-20 --until 2026-11-20");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json cli = json::parse(run.out);
  json api = Api("/api/v1/reports?since=2026-11-20&until=2026-11-20");
  EXPECT_EQ(cli["until"], "2026-11-21T00:00:00Z");
  EXPECT_EQ(api["until"], cli["until"]);
  int64_t mentions = 0;
  for (const json& brand : cli["brands"]) mentions += brand["mentions"].get<int64_t>();
  EXPECT_GT(mentions, 0);
  cli.erase("generated_at");
  api.erase("generated_at");
  EXPECT_EQ(cli, api);

  // Every form of age, on both sides; seconds on neither.
  for (const std::string age : {"90m", "12h", "7d", "2w"}) {
    SCOPED_TRACE(age);
    EXPECT_EQ(Ecoute("report --format json --since " + age).exit_code, 0);
    EXPECT_EQ(Call("admin", "GET", "/api/v1/reports?since=" + age).status, 200);
  }
  run = Ecoute("report --since 90s");
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_NE(run.err.find("--since 90s: not a date; write YYYY-MM-DD"), std::string::npos)
      << run.err;
  const Response refused = Call("admin", "GET", "/api/v1/reports?since=90s");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("not a date; write YYYY-MM-DD"), std::string::npos) << refused.body;
}

}  // namespace
}  // namespace ecoute::server
