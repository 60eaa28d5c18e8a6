// Reply templates through the API: who reads and writes them, brand scoping (another
// brand's template does not exist for a scoped user), validation with messages that say
// how to fix, and the suggestions for a case, in order, with their text filled in.
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

class TemplateApiTest : public ApiTest {
 protected:
  // Adds a template as `who`; its id, or 0 (with a failure) when refused.
  int64_t Add(const std::string& who, const std::string& name, const std::string& brand,
              const std::string& lang, const std::string& topic, const std::string& body) {
    json in = {{"name", name}, {"brand", brand}, {"lang", lang}, {"topic", topic}, {"body", body}};
    Response r = Call(who, "POST", "/api/v1/templates", in.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return 0;
    return json::parse(r.body)["template"]["id"].get<int64_t>();
  }
  // The status and error message of a POST of `in` by the admin.
  std::pair<int, std::string> Refusal(const json& in, const std::string& who = "admin") {
    Response r = Call(who, "POST", "/api/v1/templates", in.dump());
    json j = json::parse(r.body, nullptr, false);
    return {r.status, j.contains("error") ? j["error"]["message"].get<std::string>() : r.body};
  }
  std::vector<int64_t> Ids(const json& list) {
    std::vector<int64_t> ids;
    for (const json& t : list["templates"]) ids.push_back(t["id"].get<int64_t>());
    return ids;
  }
  std::string Path(int64_t id) { return "/api/v1/templates/" + std::to_string(id); }
};

TEST_F(TemplateApiTest, AgentsReadManagersWriteWithinTheirBrands) {
  const int64_t every = Add("admin", "Bonjour", "", "", "", "Bonjour {{customer}}");
  const int64_t lunea = Add("admin", "Retard", "Lunéa", "fr", "delay", "Désolés {{customer}}");
  // A scoped manager writes for their brands only; an alias is stored as the catalog's name.
  Response created =
      Call("manager_j", "POST", "/api/v1/templates",
           R"({"name":" Colis ","brand":"la jeanerie","lang":"FR","topic":"delivery",)"
           R"("body":"Bonjour {{ customer }}, {{agent}} de {{brand}}."})");
  ASSERT_EQ(created.status, 201) << created.body;
  const json t = json::parse(created.body)["template"];
  EXPECT_EQ(t["name"], "Colis");
  EXPECT_EQ(t["brand"], "Jeanerie");
  EXPECT_EQ(t["lang"], "fr");
  EXPECT_EQ(t["topic"], "delivery");
  EXPECT_EQ(t["body"], "Bonjour {{ customer }}, {{agent}} de {{brand}}.");
  EXPECT_EQ(t["updated_by"], "manager:manager_j");
  EXPECT_EQ(t["updated_at"], "2026-11-25T09:46:40Z");
  const int64_t jeanerie = t["id"].get<int64_t>();
  EXPECT_EQ(Refusal({{"name", "x"}, {"brand", "Lunéa"}, {"body", "x"}}, "manager_j"),
            std::make_pair(403, std::string("brand \"Lunéa\" is not one of yours: give one of "
                                            "your brands")));
  EXPECT_EQ(Refusal({{"name", "x"}, {"body", "x"}}, "manager_j").first, 403);
  EXPECT_EQ(Refusal({{"name", "x"}, {"body", "x"}}, "agent_j").first, 403);
  EXPECT_EQ(Add("manager_all", "Merci", "", "", "", "Merci"), every + 3);
  // Reads: agents and up, each seeing their brands' and every brand's templates.
  EXPECT_EQ(Call("viewer_j", "GET", "/api/v1/templates").status, 403);
  EXPECT_EQ(Ids(CallJson("agent_j", "GET", "/api/v1/templates")),
            (std::vector<int64_t>{every, jeanerie, every + 3}));
  EXPECT_EQ(Ids(CallJson("agent_l", "GET", "/api/v1/templates")),
            (std::vector<int64_t>{every, every + 3, lunea}));
  EXPECT_EQ(Ids(CallJson("admin", "GET", "/api/v1/templates")).size(), 4u);
  // Another brand's template does not exist for a scoped manager; one for every brand is
  // theirs to read, not to change.
  EXPECT_EQ(Call("manager_j", "PATCH", Path(lunea), R"({"name":"x"})").status, 404);
  EXPECT_EQ(Call("manager_j", "DELETE", Path(lunea)).status, 404);
  Response shared = Call("manager_j", "PATCH", Path(every), R"({"name":"x"})");
  EXPECT_EQ(shared.status, 403) << shared.body;
  EXPECT_EQ(Call("manager_j", "DELETE", Path(every)).status, 403);
  // Nor may they move their template to another brand, or to every brand.
  EXPECT_EQ(Call("manager_j", "PATCH", Path(jeanerie), R"({"brand":"Lunéa"})").status, 403);
  EXPECT_EQ(Call("manager_j", "PATCH", Path(jeanerie), R"({"brand":""})").status, 403);
  EXPECT_EQ(Call("agent_j", "DELETE", Path(jeanerie)).status, 403);
}

TEST_F(TemplateApiTest, ChangesKeepWhatTheyDoNotSendAndDeletesAnswer204) {
  const int64_t id = Add("admin", "Colis", "Jeanerie", "fr", "delivery", "Bonjour {{customer}}");
  clock_.Advance(60);
  Response patched = Call("manager_j", "PATCH", Path(id), R"({"body":"Merci {{customer}}"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  const json t = json::parse(patched.body)["template"];
  EXPECT_EQ(t, json({{"id", id},
                     {"name", "Colis"},
                     {"brand", "Jeanerie"},
                     {"lang", "fr"},
                     {"topic", "delivery"},
                     {"body", "Merci {{customer}}"},
                     {"updated_by", "manager:manager_j"},
                     {"updated_at", "2026-11-25T09:47:40Z"}}));
  Response refused = Call("manager_j", "PATCH", Path(id), R"({"body":"{{client}}"})");
  EXPECT_EQ(refused.status, 400);
  Response removed = Call("manager_j", "DELETE", Path(id));
  EXPECT_EQ(removed.status, 204);
  EXPECT_EQ(removed.body, "");
  EXPECT_EQ(Call("manager_j", "DELETE", Path(id)).status, 404);
  EXPECT_EQ(Call("admin", "PATCH", Path(id), R"({"name":"x"})").status, 404);
  EXPECT_TRUE(CallJson("admin", "GET", "/api/v1/templates")["templates"].empty());
}

TEST_F(TemplateApiTest, ARefusedTemplateSaysWhatWhereAndHowToFix) {
  const json good = {{"name", "Retard"}, {"body", "Bonjour {{customer}}"}};
  auto with = [&](const char* key, const json& value) {
    json in = good;
    in[key] = value;
    return Refusal(in);
  };
  const std::string known =
      "the known variables are {{customer}}, {{brand}}, {{case}} and {{agent}}";
  EXPECT_EQ(with("body", "Bonjour {{client}}"),
            std::make_pair(400, "body: unknown variable {{client}}: " + known));
  EXPECT_EQ(with("body", "Bonjour {{ customer"),
            std::make_pair(400,
                           "body: the \"{{\" at byte 8 is not closed: write a variable as "
                           "{{customer}}, or remove the braces; " +
                               known));
  EXPECT_EQ(with("body", std::string(5001, 'b')),
            std::make_pair(400, std::string("\"body\" has 5001 bytes: give at most 5000")));
  EXPECT_EQ(with("body", " "),
            std::make_pair(400, std::string("\"body\" is missing or empty: give the text of the "
                                            "reply")));
  EXPECT_EQ(with("name", std::string(101, 'n')),
            std::make_pair(400, std::string("\"name\" has 101 bytes: give at most 100")));
  EXPECT_EQ(with("name", 7).first, 400);
  EXPECT_EQ(with("brand", "Darty"),
            std::make_pair(400, std::string("brand: \"Darty\" is not in the brand catalog: give a "
                                            "brand's name as the catalog has it, or \"\" for "
                                            "every brand")));
  EXPECT_EQ(with("lang", "français"),
            std::make_pair(400, std::string("lang: \"français\" is not a short BCP 47 language "
                                            "tag: give one such as \"fr\" or \"fr-CA\", or \"\" "
                                            "for every language")));
  EXPECT_EQ(with("topic", "weather").first, 400);
  EXPECT_NE(with("topic", "weather").second.find("give one of billing, delay,"), std::string::npos);
  EXPECT_EQ(Refusal(json::object()).second,
            "\"name\" is missing or empty: give the name agents pick the template by");
  EXPECT_TRUE(CallJson("admin", "GET", "/api/v1/templates")["templates"].empty());
}

TEST_F(TemplateApiTest, ACaseGetsItsTemplatesBestFirstWithTheirText) {
  const int64_t case_id = CaseOf("Jeanerie");
  const json detail = CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(case_id));
  const json& summary = detail.contains("case") ? detail["case"] : detail;
  const std::string topic = summary["topic"].is_string() ? summary["topic"].get<std::string>() : "";
  ASSERT_FALSE(topic.empty()) << detail.dump();
  const std::string other_topic = topic == "billing" ? "outage" : "billing";
  const int64_t generic = Add("admin", "Générique", "", "", "", "Bonjour {{customer}}");
  const int64_t brand_fr_topic = Add("admin", "Jeanerie fr sujet", "Jeanerie", "fr", topic,
                                     "{{customer}}: {{agent}} ({{brand}}, dossier {{case}})");
  const int64_t brand_any = Add("admin", "Jeanerie", "Jeanerie", "", "", "x");
  const int64_t brand_fr = Add("admin", "Jeanerie fr", "Jeanerie", "fr", "", "x");
  const int64_t any_fr_topic = Add("admin", "fr sujet", "", "fr", topic, "x");
  Add("admin", "Lunéa", "Lunéa", "", "", "x");                    // another brand
  Add("admin", "English", "", "en", "", "x");                     // another language
  Add("admin", "Autre sujet", "Jeanerie", "", other_topic, "x");  // another topic
  const json suggested =
      CallJson("agent_j", "GET", "/api/v1/cases/" + std::to_string(case_id) + "/templates");
  EXPECT_EQ(Ids(suggested),
            (std::vector<int64_t>{brand_fr_topic, brand_fr, brand_any, any_fr_topic, generic}));
  const json& best = suggested["templates"][0];
  EXPECT_EQ(best["body"], "{{customer}}: {{agent}} ({{brand}}, dossier {{case}})");
  EXPECT_EQ(best["text"], summary["customer"].get<std::string>() + ": agent_j (Jeanerie, dossier " +
                              std::to_string(case_id) + ")");
  EXPECT_EQ(best["brand"], "Jeanerie");
  EXPECT_EQ(best["lang"], "fr");
  EXPECT_EQ(best["topic"], topic);
  EXPECT_EQ(best["name"], "Jeanerie fr sujet");
  // Another brand's case does not exist for them; viewers get no suggestions.
  EXPECT_EQ(
      Call("agent_l", "GET", "/api/v1/cases/" + std::to_string(case_id) + "/templates").status,
      404);
  EXPECT_EQ(
      Call("viewer_j", "GET", "/api/v1/cases/" + std::to_string(case_id) + "/templates").status,
      403);
  EXPECT_EQ(Call("agent_j", "GET", "/api/v1/cases/999999/templates").status, 404);
}

}  // namespace
}  // namespace ecoute::server
