// The SLA through the API: policies read and replaced (validated field by field, in force
// without a restart), the SLA of a case in its summary, sort by the next breach, and
// escalation by hand within the caller's brands.
#include <gtest/gtest.h>

#include "server/testing_api.h"

namespace ecoute::server {
namespace {

using nlohmann::json;

class SlaApiTest : public ApiTest {};

TEST_F(SlaApiTest, SlaPoliciesAreReadByManagersAndReplacedByAdminsWithClearErrors) {
  json sla = CallJson("manager_j", "GET", "/api/v1/sla");
  ASSERT_TRUE(sla["policies"].is_array());
  ASSERT_EQ(sla["levels"].size(), 3u);
  EXPECT_EQ(sla["levels"][0]["name"], "agent");
  EXPECT_EQ(sla["updated_by"], "config");  // seeded from the configuration on first start
  EXPECT_EQ(Call("manager_j", "PUT", "/api/v1/sla", sla.dump()).status, 403);
  EXPECT_EQ(Call("agent_j", "GET", "/api/v1/sla").status, 403);

  auto error = [&](const json& body) {
    Response r = Call("admin", "PUT", "/api/v1/sla", body.dump());
    EXPECT_EQ(r.status, 400) << r.body;
    json e = json::parse(r.body)["error"];
    EXPECT_EQ(e["code"], "invalid_sla");
    return e["field"].get<std::string>();
  };
  json bad = sla;
  bad["policies"][2]["first_response"] = 0;
  EXPECT_EQ(error(bad), "policies[2].first_response");
  bad = sla;
  bad["policies"][0]["hours"] = {{"time_zone", "Europe/Nowhere"},
                                 {"days", {{"mon", "09:00-18:00"}}}};
  EXPECT_EQ(error(bad), "policies[0].hours.time_zone");
  bad["policies"][0]["hours"] = {{"time_zone", "Europe/Paris"}, {"days", {{"tue", "18:00-09:00"}}}};
  EXPECT_EQ(error(bad), "policies[0].hours.days.tue");
  bad = sla;
  bad["levels"][1]["name"] = "";
  EXPECT_EQ(error(bad), "levels[1].name");
  bad["levels"] = json::array();
  EXPECT_EQ(error(bad), "levels");

  // Jeanerie's cases within 10 minutes of business time in Paris, every day.
  json good = sla;
  json days = json::object();
  for (const char* d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}) days[d] = "00:00-24:00";
  good["policies"].push_back(
      {{"brand", "Jeanerie"},
       {"first_response", 600},
       {"next_response", 300},
       {"hours", {{"time_zone", "Europe/Paris"}, {"days", days}, {"holidays", json::array()}}}});
  Response saved = Call("admin", "PUT", "/api/v1/sla", good.dump());
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(json::parse(saved.body)["updated_by"], "admin:admin");
  json again = CallJson("admin", "GET", "/api/v1/sla");
  EXPECT_EQ(again["policies"].back()["brand"], "Jeanerie");
  EXPECT_EQ(again["policies"].back()["hours"]["days"]["mon"], "00:00-24:00");
  // Applied at once: a Jeanerie case's deadline is its target's start + 10 minutes.
  const int64_t id = CaseOf("Jeanerie");
  json c = CallJson("agent_j", "GET", "/api/v1/cases/" + std::to_string(id))["case"];
  ASSERT_TRUE(c["sla"].contains("target"));
  if (!c["sla"]["target"].is_null()) {
    json detail = CallJson("agent_j", "GET", "/api/v1/cases/" + std::to_string(id) + "/sla");
    EXPECT_EQ(detail["policy"]["first_response"], 600);
    EXPECT_EQ(detail["ladder"].size(), 3u);
  }
  // A manager of Jeanerie sees the general policies and Jeanerie's, never another brand's.
  good["policies"].push_back({{"brand", "Lunéa"}, {"first_response", 60}});
  ASSERT_EQ(Call("admin", "PUT", "/api/v1/sla", good.dump()).status, 200);
  const json seen = CallJson("manager_j", "GET", "/api/v1/sla")["policies"];
  for (const json& p : seen) {
    EXPECT_NE(p["brand"], "Lunéa");
  }
}

TEST_F(SlaApiTest, CasesCarryTheirSlaAndSortByTheNextBreach) {
  json cases = CallJson("admin", "GET", "/api/v1/cases?sort=due&limit=100")["cases"];
  ASSERT_FALSE(cases.empty());
  // Running targets first, by deadline; then the rest.
  bool running = true;
  std::string last;
  for (const json& c : cases) {
    const json& sla = c["sla"];
    for (const char* key :
         {"state", "due_at", "target", "seconds_left", "level", "escalation_name"}) {
      EXPECT_TRUE(sla.contains(key)) << key;
    }
    const bool has = !sla["seconds_left"].is_null();
    if (!has) running = false;
    EXPECT_TRUE(has || !running);
    if (has) {
      EXPECT_FALSE(!running) << "a running target after one without";
      const std::string due = sla["due_at"];
      EXPECT_LE(last, due);
      last = due;
    }
  }
  EXPECT_EQ(Call("admin", "GET", "/api/v1/cases?sort=nope").status, 400);
}

TEST_F(SlaApiTest, AnAgentEscalatesACaseOfTheirBrandsWithAReason) {
  const int64_t jeanerie = CaseOf("Jeanerie");
  const int64_t lunea = CaseOf("Lunéa");
  const std::string j = "/api/v1/cases/" + std::to_string(jeanerie);
  const std::string l = "/api/v1/cases/" + std::to_string(lunea);
  // Another brand's case does not exist for the caller; a viewer may not act.
  EXPECT_EQ(Call("agent_l", "POST", j + "/escalate", R"({"reason":"x"})").status, 404);
  EXPECT_EQ(Call("agent_l", "GET", j + "/sla").status, 404);
  EXPECT_EQ(Call("viewer_j", "POST", j + "/escalate", R"({"reason":"x"})").status, 403);
  Response no_reason = Call("agent_j", "POST", j + "/escalate", R"({"reason":"  "})");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(json::parse(no_reason.body)["error"]["code"], "reason_required");
  EXPECT_EQ(json::parse(no_reason.body)["error"]["field"], "reason");

  const int before = CallJson("agent_j", "GET", j)["case"]["escalation_level"].get<int>();
  if (before >= 2) GTEST_SKIP() << "the sample case is already at the top";
  if (CallJson("agent_j", "GET", j)["case"]["status"] == "resolved" ||
      CallJson("agent_j", "GET", j)["case"]["status"] == "closed") {
    ASSERT_EQ(Call("agent_j", "POST", j + "/reopen", R"({"reason":"again"})").status, 200);
  }
  Response done = Call("agent_j", "POST", j + "/escalate", R"({"reason":"a journalist asks"})");
  ASSERT_EQ(done.status, 200) << done.body;
  json sla = json::parse(done.body);
  EXPECT_EQ(sla["case"]["escalation_level"],
            CallJson("agent_j", "GET", j)["case"]["escalation_level"]);
  bool found = false;
  const json events = CallJson("agent_j", "GET", j)["events"];
  for (const json& e : events) {
    if (e["kind"] == "escalated" && e["actor"] == "agent:agent_j") {
      found = true;
      EXPECT_EQ(e["reason"], "a journalist asks");
    }
  }
  EXPECT_TRUE(found) << events.dump();
  // Lunéa's own agent may escalate their case.
  EXPECT_NE(Call("agent_l", "POST", l + "/escalate", R"({"reason":"x"})").status, 404);
}

}  // namespace
}  // namespace ecoute::server
