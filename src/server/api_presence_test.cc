// Presence on a case (who has it open, who is typing) and the conflict check of agents'
// actions (expected_version, 409 case_changed), each within the caller's brands.
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/app.h"
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

using nlohmann::json;

// Suites of their own (a suite's fixture is one class, and ApiTest's is per file).
class PresenceTest : public ApiTest {};
class PresenceLiveTest : public LiveApiTest {};
class ConflictTest : public ApiTest {};

std::string CasePath(int64_t id) { return "/api/v1/cases/" + std::to_string(id); }

TEST_F(PresenceTest, PresenceListsWhoIsOnACaseUntilTheyLeaveOrLapse) {
  const std::string base = CasePath(CaseOf("Jeanerie")) + "/presence";
  EXPECT_EQ(CallJson("agent_j", "GET", base)["users"], json::array());
  json seen = CallJson("agent_j", "POST", base, R"({"state":"viewing"})");
  EXPECT_EQ(seen["users"], json::parse(R"([{"name":"agent_j","state":"viewing"}])"));
  CallJson("admin", "POST", base, R"({"state":"typing"})");
  EXPECT_EQ(CallJson("viewer_j", "GET", base)["users"],
            json::parse(R"([{"name":"admin","state":"typing"},)"
                        R"({"name":"agent_j","state":"viewing"}])"));
  // "left" takes the word back at once; silence lapses it.
  CallJson("admin", "POST", base, R"({"state":"left"})");
  EXPECT_EQ(CallJson("agent_j", "GET", base)["users"].size(), 1u);
  clock_.Advance(31);  // a word lapses after 30 s
  EXPECT_EQ(CallJson("agent_j", "GET", base)["users"], json::array());
  // A state it does not know, or none, is refused; a viewer only reads.
  Response bad = Call("agent_j", "POST", base, R"({"state":"sleeping"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["error"]["code"], "invalid_argument");
  EXPECT_EQ(Call("agent_j", "POST", base, "{}").status, 400);
  EXPECT_EQ(Call("viewer_j", "POST", base, R"({"state":"viewing"})").status, 403);
  EXPECT_EQ(
      Call("agent_j", "POST", "/api/v1/cases/999999/presence", R"({"state":"viewing"})").status,
      404);
}

TEST_F(PresenceTest, AnotherBrandsAgentNeitherSeesNorSetsPresence) {
  const std::string base = CasePath(CaseOf("Jeanerie")) + "/presence";
  CallJson("agent_j", "POST", base, R"({"state":"typing"})");
  Response read = Call("agent_l", "GET", base);
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(read.body.find("agent_j"), std::string::npos);
  EXPECT_EQ(Call("agent_l", "POST", base, R"({"state":"viewing"})").status, 404);
  EXPECT_EQ(CallJson("agent_j", "GET", base)["users"].size(), 1u);
}

TEST_F(PresenceLiveTest, PresenceGoesLiveOnlyToTheStreamsOfTheCasesBrand) {
  StartHttp();
  StreamReader jeanerie;
  StreamReader lunea;
  std::thread a = Stream(base_ + "/api/v1/events", tokens_["viewer_j"], jeanerie);
  std::thread b = Stream(base_ + "/api/v1/events", tokens_["agent_l"], lunea);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 2; }));
  const int64_t id = CaseOf("Jeanerie");
  ASSERT_EQ(Call("agent_j", "POST", CasePath(id) + "/presence", R"({"state":"typing"})").status,
            200);
  const std::string event = "event: presence\ndata: {\"case_id\":" + std::to_string(id) +
                            ",\"users\":[{\"name\":\"agent_j\",\"state\":\"typing\"}]}";
  ASSERT_TRUE(WaitFor([&] { return jeanerie.Text().find(event) != std::string::npos; }))
      << jeanerie.Text();
  // A repeated word (a heartbeat) changes nothing and sends nothing.
  ASSERT_EQ(Call("agent_j", "POST", CasePath(id) + "/presence", R"({"state":"typing"})").status,
            200);
  // The Lunéa agent's refused attempt sends nothing either.
  EXPECT_EQ(Call("agent_l", "POST", CasePath(id) + "/presence", R"({"state":"viewing"})").status,
            404);
  ASSERT_EQ(Call("agent_j", "POST", CasePath(id) + "/presence", R"({"state":"left"})").status, 200);
  ASSERT_TRUE(WaitFor([&] { return jeanerie.Text().find("\"users\":[]") != std::string::npos; }));
  std::string text = jeanerie.Text();
  size_t count = 0;
  for (size_t at = text.find("event: presence"); at != std::string::npos;
       at = text.find("event: presence", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 2u) << text;
  EXPECT_EQ(lunea.Text().find("presence"), std::string::npos) << lunea.Text();
  jeanerie.stop = true;
  lunea.stop = true;
  a.join();
  b.join();
}

// Every action takes an optional expected_version: the case's version as the agent read it.
TEST_F(ConflictTest, AnActionOnACaseThatChangedSinceItWasReadIsRefusedWithTheChanges) {
  const int64_t id = CaseOf("Jeanerie");
  const std::string base = CasePath(id);
  const json read = CallJson("agent_j", "GET", base);
  const int64_t version = read["version"];
  EXPECT_EQ(version, static_cast<int64_t>(read["events"].size()));
  // A teammate adds a note: the version grows, and the old one is stale.
  ASSERT_EQ(Call("admin", "POST", base + "/notes", R"({"text":"j'appelle la cliente"})").status,
            201);
  json after = CallJson("agent_j", "GET", base);
  EXPECT_EQ(after["version"], version + 1);
  const std::string stale = ",\"expected_version\":" + std::to_string(version) + "}";
  const std::pair<std::string, std::string> actions[] = {
      {"/assign", R"({"assignee":"me")"},
      {"/respond", R"({"channel":"phone","note":"appelée")"},
      {"/notes", R"({"text":"vu")"},
      {"/priority", R"({"priority":90)"},
      {"/resolve", R"({"reason":"fait")"},
      {"/close", R"({"reason":"fait")"},
      {"/reopen", R"({"reason":"encore")"},
      {"/corrections", R"({"post_id":1,"stance":"complaint")"},
      {"/replies", R"({"channel":"webhook","text":"Bonjour")"},
  };
  for (const auto& [path, body] : actions) {
    Response r = Call("agent_j", "POST", base + path, body + stale);
    ASSERT_EQ(r.status, 409) << path << ": " << r.body;
    json j = json::parse(r.body);
    EXPECT_EQ(j["error"]["code"], "case_changed") << path;
    EXPECT_EQ(j["version"], version + 1) << path;
    ASSERT_EQ(j["changes"].size(), 1u) << path;
    EXPECT_EQ(j["changes"][0]["kind"], "note");
    EXPECT_EQ(j["changes"][0]["actor"], "admin:admin");
  }
  // Nothing was done.
  EXPECT_EQ(CallJson("agent_j", "GET", base)["version"], version + 1);
  // With the current version, or none, the action goes through; a bad one is a 400.
  EXPECT_EQ(Call("agent_j", "POST", base + "/assign", R"({"assignee":"me","expected_version":"x"})")
                .status,
            400);
  Response current =
      Call("agent_j", "POST", base + "/assign",
           R"({"assignee":"me","expected_version":)" + std::to_string(version + 1) + "}");
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(json::parse(current.body)["version"], version + 2);
  EXPECT_EQ(
      Call("agent_j", "POST", base + "/priority", R"({"priority":80,"expected_version":null})")
          .status,
      200);
  // Another brand's agent learns nothing: 404, as for a missing case.
  Response other = Call("agent_l", "POST", base + "/assign", R"({"assignee":"me")" + stale);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body.find("changes"), std::string::npos);
}

}  // namespace
}  // namespace ecoute::server
