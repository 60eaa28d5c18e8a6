// Bulk actions and saved views through the API: every case checked against the caller's
// scope and answered on its own, the cap on ids, merges; views seen by their owner and
// those they are shared with, deleted only by their owner or an admin.
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

class BulkApiTest : public ApiTest {
 protected:
  std::vector<int64_t> CasesOf(const std::string& brand) {
    std::vector<int64_t> ids;
    const json list = CallJson("admin", "GET", "/api/v1/cases?limit=500");
    for (const json& c : list["cases"]) {
      if (c["brand"] == brand) ids.push_back(c["id"].get<int64_t>());
    }
    return ids;
  }
  json Bulk(const std::string& who, const json& body, int expected = 200) {
    Response r = Call(who, "POST", "/api/v1/cases/bulk", body.dump());
    EXPECT_EQ(r.status, expected) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  // Two more Jeanerie complaints, each its own case.
  void MoreJeanerieCases() {
    ASSERT_TRUE(Push("admin",
                     R"({"id":"b1","source":"jsonl","author":{"handle":"@ines"},)"
                     R"("published_at":"2026-11-20T09:00:00Z","text":"@jeanerie colis jamais )"
                     R"(livré, aucune réponse, remboursez-moi"})"
                     "\n"
                     R"({"id":"b2","source":"jsonl","author":{"handle":"@hugo"},)"
                     R"("published_at":"2026-11-20T09:30:00Z","text":"@jeanerie commande )"
                     R"(toujours pas livrée, service client injoignable"})"));
  }
  std::string Status(int64_t id) {
    return CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(id))["case"]["status"];
  }
};

TEST_F(BulkApiTest, AScopedAgentActsOnTheirCasesAndAnotherBrandsIsNotFound) {
  const std::vector<int64_t> jeanerie = CasesOf("Jeanerie");
  const std::vector<int64_t> lunea = CasesOf("Lunéa");
  ASSERT_GE(jeanerie.size(), 1u);
  ASSERT_GE(lunea.size(), 1u);
  const std::string lunea_status = Status(lunea[0]);
  const json out = Bulk("agent_j", {{"ids", {jeanerie[0], lunea[0], 999999}},
                                    {"action", "resolve"},
                                    {"reason", "panne générale réglée"}});
  ASSERT_EQ(out["results"].size(), 3u);
  EXPECT_EQ(out["results"][0], json({{"id", jeanerie[0]}, {"ok", true}}));
  // Another brand's case and a missing one get the same answer: nothing leaks.
  EXPECT_EQ(out["results"][1]["ok"], false);
  EXPECT_EQ(out["results"][1]["error"]["code"], "not_found");
  EXPECT_EQ(out["results"][2]["error"]["code"], "not_found");
  EXPECT_EQ(out["results"][1]["error"]["message"].get<std::string>().find("Lun"),
            std::string::npos);
  EXPECT_EQ(out["done"], 1);
  EXPECT_EQ(out["failed"], 2);
  EXPECT_EQ(Status(jeanerie[0]), "resolved");
  EXPECT_EQ(Status(lunea[0]), lunea_status);
  // Again: already resolved, reported for that case alone.
  const json again =
      Bulk("agent_j", {{"ids", {jeanerie[0]}}, {"action", "resolve"}, {"reason", "x"}});
  EXPECT_EQ(again["results"][0]["error"]["code"], "failed_precondition");
  // A viewer may not act at all.
  Bulk("viewer_j", {{"ids", {jeanerie[0]}}, {"action", "note"}, {"text", "x"}}, 403);
}

TEST_F(BulkApiTest, EveryActionChecksItsFieldsAndTheIdsAreCapped) {
  const int64_t id = CaseOf("Jeanerie");
  Bulk("admin", {{"ids", json::array()}, {"action", "note"}, {"text", "x"}}, 400);
  Bulk("admin", {{"ids", {id}}, {"action", "delete"}}, 400);
  Bulk("admin", {{"ids", {id}}, {"action", "note"}}, 400);
  Bulk("admin", {{"ids", {id}}, {"action", "resolve"}}, 400);
  Bulk("admin", {{"ids", {id}}, {"action", "merge"}}, 400);
  Bulk("admin", {{"ids", {"1"}}, {"action", "note"}, {"text", "x"}}, 400);
  json many = json::array();
  for (int i = 1; i <= 501; ++i) many.push_back(i);
  const json capped = Bulk("admin", {{"ids", many}, {"action", "note"}, {"text", "x"}}, 400);
  EXPECT_EQ(capped["error"]["code"], "too_many_cases");
  // Assign and note, each an event of the case.
  json out = Bulk("agent_j", {{"ids", {id, id}}, {"action", "assign"}, {"assignee", "me"}});
  ASSERT_EQ(out["results"].size(), 1u);  // an id given twice is acted on once
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(id))["case"]["assignee"],
            "agent_j");
  out = Bulk("agent_j", {{"ids", {id}}, {"action", "note"}, {"text", "vu en réunion"}});
  EXPECT_EQ(out["done"], 1);
  const json events = CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(id))["events"];
  EXPECT_EQ(events.back()["kind"], "note");
  EXPECT_EQ(events.back()["reason"], "vu en réunion");
}

TEST_F(BulkApiTest, MergeKeepsOneCaseOfTheBrandAndNeverReachesAnother) {
  MoreJeanerieCases();
  const std::vector<int64_t> jeanerie = CasesOf("Jeanerie");
  const std::vector<int64_t> lunea = CasesOf("Lunéa");
  ASSERT_GE(jeanerie.size(), 2u);
  const int64_t kept = jeanerie[0];
  const int64_t posts =
      CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(kept))["case"]["posts"];
  const int64_t dup_posts =
      CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(jeanerie[1]))["case"]["posts"];
  // Into another brand's case: not found, before anything is done.
  Bulk("agent_j", {{"ids", {jeanerie[1]}}, {"action", "merge"}, {"into", lunea[0]}}, 404);
  // The admin merging across brands: refused for that case.
  json out = Bulk("admin", {{"ids", {lunea[0]}}, {"action", "merge"}, {"into", kept}});
  EXPECT_EQ(out["results"][0]["error"]["code"], "failed_precondition");
  out = Bulk("agent_j", {{"ids", {kept, jeanerie[1]}}, {"action", "merge"}, {"into", kept}});
  EXPECT_EQ(out["results"][0], json({{"id", kept}, {"ok", true}}));
  EXPECT_EQ(out["results"][1], json({{"id", jeanerie[1]}, {"ok", true}}));
  const json merged = CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(jeanerie[1]));
  EXPECT_EQ(merged["case"]["merged_into"], kept);
  EXPECT_EQ(merged["case"]["status"], "closed");
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(kept))["case"]["posts"],
            posts + dup_posts);
  const json list = CallJson("admin", "GET", "/api/v1/cases?limit=500");
  for (const json& c : list["cases"]) {
    EXPECT_NE(c["id"], jeanerie[1]) << "a merged case stays out of the inbox";
  }
}

TEST_F(BulkApiTest, ViewsAreSeenByTheirOwnerAndThoseTheyAreSharedWith) {
  auto save = [&](const std::string& who, const json& body, int expected = 201) {
    Response r = Call(who, "POST", "/api/v1/views", body.dump());
    EXPECT_EQ(r.status, expected) << r.body;
    json j = json::parse(r.body, nullptr, false);
    return j.contains("view") ? j["view"]["id"].get<int64_t>() : int64_t{0};
  };
  auto names = [&](const std::string& who) {
    std::vector<std::string> out;
    const json list = CallJson(who, "GET", "/api/v1/views");
    for (const json& v : list["views"]) out.push_back(v["name"]);
    return out;
  };
  const int64_t mine =
      save("agent_j", {{"name", "Mes urgences"}, {"query", "?status=new&sort=due"}});
  const int64_t shared = save("agent_j", {{"name", "Jeanerie ouverts"},
                                          {"query", "status=open&brand=Jeanerie"},
                                          {"shared_with", "everyone"}});
  save("agent_j", {{"name", "SAV"}, {"query", "status=new"}, {"shared_with", "team:sav"}});
  save("admin",
       {{"name", "Tout Lunéa"}, {"query", "brand=Lun%C3%A9a"}, {"shared_with", "everyone"}});
  // Refused: a brand outside the caller's scope, a bad sharing, no name.
  save("agent_j", {{"name", "x"}, {"query", "brand=Lun%C3%A9a"}}, 400);
  save("agent_j", {{"name", "x"}, {"shared_with", "friends"}}, 400);
  save("agent_j", {{"query", "status=new"}}, 400);
  EXPECT_EQ(names("agent_j"),
            (std::vector<std::string>{"Jeanerie ouverts", "Mes urgences", "SAV"}));
  // The Lunéa agent sees neither the Jeanerie view shared with everyone nor agent_j's own.
  EXPECT_EQ(names("agent_l"), std::vector<std::string>{"Tout Lunéa"});
  EXPECT_EQ(names("manager_all"), (std::vector<std::string>{"Jeanerie ouverts", "Tout Lunéa"}));
  const json first = CallJson("agent_j", "GET", "/api/v1/views")["views"][1];
  EXPECT_EQ(first["query"], "status=new&sort=due");
  EXPECT_EQ(first["shared_with"], "");
  EXPECT_EQ(first["deletable"], true);
  // Deleting: a view shared with you is not yours; one you do not see does not exist.
  EXPECT_EQ(Call("manager_all", "DELETE", "/api/v1/views/" + std::to_string(shared)).status, 403);
  EXPECT_EQ(Call("agent_l", "DELETE", "/api/v1/views/" + std::to_string(mine)).status, 404);
  EXPECT_EQ(Call("agent_j", "DELETE", "/api/v1/views/" + std::to_string(mine)).status, 204);
  EXPECT_EQ(Call("admin", "DELETE", "/api/v1/views/" + std::to_string(shared)).status, 204);
  EXPECT_EQ(Call("admin", "DELETE", "/api/v1/views/" + std::to_string(shared)).status, 404);
  EXPECT_EQ(names("agent_j"), std::vector<std::string>{"SAV"});
}

}  // namespace
}  // namespace ecoute::server
