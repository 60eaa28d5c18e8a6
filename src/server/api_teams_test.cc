// Assignment and teams through the API: only a user allowed on the case's brand or a team
// of it may be given a case; teams are scoped to their brand; round-robin gives new cases
// in turn, skipping a disabled member; the assignee alone hears of it live, and by e-mail
// when away.
#include <mutex>
#include <string>
#include <vector>

#include "fetch/testing_http_server.h"
#include "fetch/testing_smtp_server.h"
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

class AssignTest : public ApiTest {
 protected:
  std::string CaseUrl(const std::string& brand) {
    return "/api/v1/cases/" + std::to_string(CaseOf(brand));
  }
  Response Assign(const std::string& who, const std::string& url, const std::string& assignee) {
    return Call(who, "POST", url + "/assign", json({{"assignee", assignee}}).dump());
  }
  std::string Assignee(const std::string& url) {
    return CallJson("admin", "GET", url)["case"]["assignee"].get<std::string>();
  }
  Response CreateTeam(const std::string& who, const json& team) {
    return Call(who, "POST", "/api/v1/teams", team.dump());
  }
};

TEST_F(AssignTest, OnlyAUserAllowedOnTheBrandOrOneOfItsTeamsIsAccepted) {
  const std::string j = CaseUrl("Jeanerie");
  AddUser("agent_off", Role::kAgent, {"Jeanerie"});
  User off = app_->access().GetUserByName("agent_off").value();
  off.disabled = true;
  ASSERT_TRUE(app_->access().UpdateUser(off));
  for (const char* refused : {"nobody", "agent_l", "viewer_j", "agent_off", "team:ghosts"}) {
    SCOPED_TRACE(refused);
    Response r = Assign("admin", j, refused);
    EXPECT_EQ(r.status, 400) << r.body;
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["code"], "unknown_assignee");
    EXPECT_EQ(error["field"], "assignee");
  }
  EXPECT_EQ(Assignee(j), "");  // nothing was written
  EXPECT_EQ(Assign("admin", j, "AGENT_J").status, 200);
  EXPECT_EQ(Assignee(j), "agent_j");
  EXPECT_EQ(Assign("admin", j, "manager_all").status, 200);
  ASSERT_EQ(CreateTeam("manager_j", {{"name", "Billing"}, {"brand", "jeanerie"}}).status, 201);
  EXPECT_EQ(Assign("agent_j", j, "team:billing").status, 200);
  EXPECT_EQ(Assignee(j), "team:Billing");
  EXPECT_EQ(CallJson("agent_j", "GET", "/api/v1/cases?assignee=team:Billing")["cases"].size(), 1u);
  EXPECT_EQ(Assign("agent_j", j, "").status, 200);  // unassigned
  EXPECT_EQ(Assignee(j), "");
  // A team of another brand is no team of this case's.
  ASSERT_EQ(CreateTeam("admin", {{"name", "Trains"}, {"brand", "Lunéa"}}).status, 201);
  EXPECT_EQ(Assign("admin", j, "team:Trains").status, 400);
}

TEST_F(AssignTest, TheAssigneesOfACaseAreThoseAllowedOnItsBrand) {
  const std::string j = CaseUrl("Jeanerie");
  ASSERT_EQ(CreateTeam("manager_j", {{"name", "Billing"}, {"brand", "Jeanerie"}}).status, 201);
  const json a = CallJson("agent_j", "GET", j + "/assignees");
  std::vector<std::string> names;
  for (const json& u : a["users"]) names.push_back(u["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"admin", "agent_j", "manager_all", "manager_j"}));
  ASSERT_EQ(a["teams"].size(), 1u);
  EXPECT_EQ(a["teams"][0]["assignee"], "team:Billing");
  // A Lunéa agent cannot see the case, its assignees, nor assign it.
  EXPECT_EQ(Call("agent_l", "GET", j + "/assignees").status, 404);
  EXPECT_EQ(Assign("agent_l", j, "agent_l").status, 404);
  EXPECT_EQ(Call("viewer_j", "GET", j + "/assignees").status, 403);
}

TEST_F(AssignTest, TeamsAreScopedToTheirBrand) {
  Response made = CreateTeam(
      "manager_j", {{"name", "Billing"}, {"brand", "Jeanerie"}, {"members", {"agent_j"}}});
  ASSERT_EQ(made.status, 201) << made.body;
  const int64_t id = json::parse(made.body)["id"];
  const std::string url = "/api/v1/teams/" + std::to_string(id);
  // Another brand's manager, or an agent, cannot see or change it.
  EXPECT_EQ(CallJson("agent_l", "GET", "/api/v1/teams")["teams"].size(), 0u);
  EXPECT_EQ(CallJson("agent_j", "GET", "/api/v1/teams")["teams"].size(), 1u);
  EXPECT_EQ(Call("agent_j", "PATCH", url, R"({"round_robin":true})").status, 403);
  AddUser("manager_l", Role::kManager, {"Lunéa"});
  EXPECT_EQ(Call("manager_l", "PATCH", url, R"({"round_robin":true})").status, 404);
  EXPECT_EQ(Call("manager_l", "DELETE", url).status, 404);
  // Nor create one in a brand that is not theirs, nor put a stranger in one.
  Response other = CreateTeam("manager_j", {{"name", "Trains"}, {"brand", "Lunéa"}});
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(json::parse(other.body)["error"]["code"], "unknown_brand");
  Response stranger = Call("manager_j", "PATCH", url, R"({"members":["agent_j","agent_l"]})");
  EXPECT_EQ(stranger.status, 400);
  EXPECT_EQ(json::parse(stranger.body)["error"]["code"], "invalid_member");
  EXPECT_EQ(CreateTeam("manager_j", {{"name", "billing"}, {"brand", "Jeanerie"}}).status, 409);
  EXPECT_EQ(CreateTeam("manager_j", {{"name", ""}, {"brand", "Jeanerie"}}).status, 400);
  // Its manager changes and deletes it.
  const json changed = CallJson("manager_j", "PATCH", url,
                                R"({"members":["manager_j","agent_j"],"round_robin":true})");
  EXPECT_EQ(changed["members"], json({"manager_j", "agent_j"}));
  EXPECT_EQ(changed["round_robin"], true);
  EXPECT_EQ(Call("manager_j", "DELETE", url).status, 204);
  EXPECT_EQ(CallJson("manager_j", "GET", "/api/v1/teams")["teams"].size(), 0u);
}

TEST_F(AssignTest, RoundRobinGivesNewCasesInTurnSkippingADisabledMember) {
  AddUser("agent_k", Role::kAgent, {"Jeanerie"});
  AddUser("agent_m", Role::kAgent, {"Jeanerie"});
  ASSERT_EQ(CreateTeam("manager_j", {{"name", "Desk"},
                                     {"brand", "Jeanerie"},
                                     {"round_robin", true},
                                     {"members", {"agent_j", "agent_k", "agent_m"}}})
                .status,
            201);
  User k = app_->access().GetUserByName("agent_k").value();
  k.disabled = true;
  ASSERT_TRUE(app_->access().UpdateUser(k));
  std::vector<std::string> got;
  for (int i = 1; i <= 3; ++i) {
    const std::string author = "@rr_customer_" + std::to_string(i);
    const std::string id = "rr-" + std::to_string(i);
    ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                   json({{"id", id},
                         {"author", author},
                         {"text", "@jeanerie commande 7000" + std::to_string(i) +
                                      " jamais livrée, c'est honteux"}})
                       .dump())
                  .status,
              200);
    const json cases = CallJson("admin", "GET", "/api/v1/cases?brand=Jeanerie&limit=100");
    for (const json& c : cases["cases"]) {
      if (c["customer"] == author) got.push_back(c["assignee"]);
    }
  }
  EXPECT_EQ(got, (std::vector<std::string>{"agent_j", "agent_m", "agent_j"}));
  // The timeline says who assigned it.
  const json mine = CallJson("agent_j", "GET", "/api/v1/cases?assignee=me");
  ASSERT_FALSE(mine["cases"].empty());
  const json detail = CallJson(
      "admin", "GET", "/api/v1/cases/" + std::to_string(mine["cases"][0]["id"].get<int64_t>()));
  bool by_rule = false;
  for (const json& e : detail["events"]) by_rule |= e["actor"] == "rule:round_robin";
  EXPECT_TRUE(by_rule);
}

class AssignLiveTest : public LiveApiTest {
 protected:
  void Adjust(ServerConfig& config) override {
    const std::string tls = std::string(ECOUTE_TEST_DATA_DIR) + "/test/tls/";
    config.alerts.mail.smtp_url = smtp_.Url();
    config.alerts.mail.username = "care@example.com";
    config.alerts.mail.password = "mail password 1";
    config.alerts.mail.from = "ecoute@example.com";
    config.alerts.mail.ca_file = tls + "cert.pem";
  }
  testing::SmtpServer smtp_{std::string(ECOUTE_TEST_DATA_DIR) + "/test/tls/cert.pem",
                            std::string(ECOUTE_TEST_DATA_DIR) + "/test/tls/key.pem"};
};

TEST_F(AssignLiveTest, TheAssignedEventReachesTheAssigneeAlone) {
  StartHttp();
  StreamReader assignee;
  StreamReader colleague;
  std::thread a = Stream(base_ + "/api/v1/events", tokens_["agent_j"], assignee);
  std::thread b = Stream(base_ + "/api/v1/events", tokens_["manager_j"], colleague);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 2; }));
  const std::string j = "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie"));
  ASSERT_EQ(Call("admin", "POST", j + "/assign", R"({"assignee":"agent_j"})").status, 200);
  ASSERT_TRUE(
      WaitFor([&] { return assignee.Text().find("event: assigned") != std::string::npos; }));
  EXPECT_NE(assignee.Text().find("\"assignee\":\"agent_j\""), std::string::npos);
  EXPECT_NE(assignee.Text().find("\"by\":\"admin\""), std::string::npos);
  // The colleague sees the case change, not the notification.
  ASSERT_TRUE(WaitFor([&] { return colleague.Text().find("event: case") != std::string::npos; }));
  EXPECT_EQ(colleague.Text().find("event: assigned"), std::string::npos);
  EXPECT_EQ(smtp_.Sessions().size(), 0u);  // present: no e-mail
  assignee.stop = true;
  colleague.stop = true;
  a.join();
  b.join();
}

TEST_F(AssignLiveTest, AnAwayAssigneeGetsAnEmail) {
  User u = app_->access().GetUserByName("agent_j").value();
  u.email = "agent.j@example.com";
  ASSERT_TRUE(app_->access().UpdateUser(u));
  StartHttp();
  const std::string j = "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie"));
  ASSERT_EQ(Call("admin", "POST", j + "/assign", R"({"assignee":"agent_j"})").status, 200);
  ASSERT_TRUE(WaitFor([&] { return smtp_.Accepted() == 1; }));
  const testing::SmtpSession s = smtp_.Sessions().at(0);
  EXPECT_EQ(s.recipients, std::vector<std::string>{"agent.j@example.com"});
  EXPECT_EQ(s.mail_from, "ecoute@example.com");
  EXPECT_NE(s.data.find("was assigned to agent_j by admin"), std::string::npos) << s.data;
  const json deliveries = CallJson("admin", "GET", "/api/v1/deliveries");
  ASSERT_EQ(deliveries["deliveries"].size(), 1u);
  EXPECT_EQ(deliveries["deliveries"][0]["state"], "delivered");
}

TEST_F(AssignLiveTest, AnAwayAssigneeWithoutEmailGetsTheirWebhookSigned) {
  std::mutex mutex;
  std::vector<testing::HttpRequest> received;
  testing::HttpServer receiver([&](const testing::HttpRequest& request) {
    std::lock_guard lock(mutex);
    received.push_back(request);
    return testing::HttpResponse{};
  });
  const json user = CallJson("admin", "PATCH", "/api/v1/users/" + std::to_string(UserId("agent_j")),
                             json({{"notify_webhook", receiver.Url("/me")}}).dump());
  ASSERT_EQ(user["notify_webhook"], receiver.Url("/me")) << user.dump();
  StartHttp();
  const std::string j = "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie"));
  ASSERT_EQ(Call("manager_j", "POST", j + "/assign", R"({"assignee":"agent_j"})").status, 200);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mutex);
    return !received.empty();
  }));
  std::lock_guard lock(mutex);
  EXPECT_EQ(received[0].path, "/me");
  EXPECT_EQ(received[0].headers["x-ecoute-event"], "case.assigned");
  EXPECT_FALSE(received[0].headers["webhook-signature"].empty());
  EXPECT_NE(received[0].body.find("assigned to agent_j by manager_j"), std::string::npos)
      << received[0].body;
  EXPECT_EQ(smtp_.Sessions().size(), 0u);  // no address: no e-mail
}

TEST_F(AssignTest, ANotifyWebhookIsValidatedAndGetsASecret) {
  const std::string url = "/api/v1/users/" + std::to_string(UserId("agent_j"));
  Response bad = Call("admin", "PATCH", url, R"({"notify_webhook":"ftp://example.com/x"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  const json ok =
      CallJson("admin", "PATCH", url, R"({"notify_webhook":"https://hooks.example.com/ecoute"})");
  EXPECT_EQ(ok["notify_webhook"], "https://hooks.example.com/ecoute");
  EXPECT_EQ(ok["notify_secret"].get<std::string>().rfind("whsec_", 0), 0u);
}

}  // namespace
}  // namespace ecoute::server
