// The API's refusals as an interface reads them (a stable code, the field at fault and the
// values the message quotes), brands checked against the catalog, topics by their names,
// brand aliases in search, and a rule's test delivery to a receiver on loopback.
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alerts/alerts.h"
#include "fetch/testing_http_server.h"
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

using nlohmann::json;

class ApiErrorsTest : public ApiTest {};

// The "error" object of a refusal, with its HTTP status checked.
json ErrorOf(const Response& r, int status) {
  EXPECT_EQ(r.status, status) << r.body;
  const json j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) {
    ADD_FAILURE() << r.body;
    return json::object();
  }
  EXPECT_TRUE(j["error"]["message"].is_string()) << r.body;
  return j["error"];
}

TEST_F(ApiErrorsTest, ValidationErrorsNameTheirCodeAndField) {
  json e =
      ErrorOf(Call("admin", "POST", "/api/v1/rules", R"({"url":"http://127.0.0.1:9/h"})"), 400);
  EXPECT_EQ(e["code"], "required");
  EXPECT_EQ(e["field"], "name");
  e = ErrorOf(Call("admin", "POST", "/api/v1/rules",
                   R"({"name":"r","url":"http://127.0.0.1:9/h","min_priority":300})"),
              400);
  EXPECT_EQ(e["code"], "out_of_range");
  EXPECT_EQ(e["field"], "min_priority");
  EXPECT_EQ(e["params"]["max"], "100");
  e = ErrorOf(Call("admin", "POST", "/api/v1/rules", R"({"name":"r","url":"ftp://x/h"})"), 400);
  EXPECT_EQ(e["code"], "invalid_url");
  EXPECT_EQ(e["field"], "url");
  e = ErrorOf(Call("admin", "POST", "/api/v1/rules", R"({"name":"r","url":"http://10.0.0.5/h"})"),
              400);
  EXPECT_EQ(e["code"], "url_not_allowed");
  e = ErrorOf(Call("admin", "POST", "/api/v1/sources",
                   R"({"url":"https://feeds.example.com/a","format":"pdf"})"),
              400);
  EXPECT_EQ(e["code"], "unknown_format");
  EXPECT_EQ(e["field"], "format");
  e = ErrorOf(Call("admin", "POST", "/api/v1/sources", R"({"label":"x"})"), 400);
  EXPECT_EQ(e["code"], "required");
  EXPECT_EQ(e["field"], "url");
  e = ErrorOf(Call("admin", "POST", "/api/v1/rules", "[1,2]"), 400);
  EXPECT_EQ(e["code"], "invalid_json");
  EXPECT_FALSE(e.contains("field"));
  e = ErrorOf(
      Call("agent_j", "POST", "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie")) + "/priority",
           R"({"priority":101})"),
      400);
  EXPECT_EQ(e["code"], "out_of_range");
  EXPECT_EQ(e["field"], "priority");
  e = ErrorOf(Call("agent_j", "POST",
                   "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie")) + "/notes", "{}"),
              400);
  EXPECT_EQ(e["code"], "required");
  EXPECT_EQ(e["field"], "text");
  e = ErrorOf(Call("admin", "POST", "/api/v1/users",
                   R"({"name":"Bad Name!","role":"agent","all_brands":true,)"
                   R"("password":"granite lantern harbor"})"),
              400);
  EXPECT_EQ(e["code"], "invalid_name");
  EXPECT_EQ(e["field"], "name");
  e = ErrorOf(Call("admin", "POST", "/api/v1/users",
                   R"({"name":"zoe","role":"agent","all_brands":true,"password":"short"})"),
              400);
  EXPECT_EQ(e["code"], "password_too_short");
  EXPECT_EQ(e["field"], "password");
  EXPECT_EQ(e["params"]["min"], "12");
  e = ErrorOf(Call("admin", "GET", "/api/v1/posts?q=%22unterminated"), 400);
  EXPECT_EQ(e["code"], "invalid_query");
  EXPECT_EQ(e["params"]["column"], "1");
  // A code without a field: the route's own checks.
  e = ErrorOf(Call("agent_j", "GET", "/api/v1/users"), 403);
  EXPECT_EQ(e["code"], "permission_denied");
  EXPECT_FALSE(e.contains("field"));
}

TEST_F(ApiErrorsTest, BrandsMustBeInTheCatalog) {
  json e = ErrorOf(Call("admin", "POST", "/api/v1/rules",
                        R"({"name":"r","url":"http://127.0.0.1:9/h","brands":["Voltair"]})"),
                   400);
  EXPECT_EQ(e["code"], "unknown_brand");
  EXPECT_EQ(e["field"], "brands");
  EXPECT_EQ(e["params"]["brand"], "Voltair");
  e = ErrorOf(Call("admin", "POST", "/api/v1/users",
                   R"({"name":"zoe","role":"agent","brands":["Nowhere"],)"
                   R"("password":"granite lantern harbor"})"),
              400);
  EXPECT_EQ(e["code"], "unknown_brand");
  EXPECT_EQ(e["field"], "brands");
  e = ErrorOf(Call("admin", "POST", "/api/v1/templates",
                   R"({"name":"t","brand":"Nowhere","body":"Bonjour"})"),
              400);
  EXPECT_EQ(e["code"], "unknown_brand");
  EXPECT_EQ(e["field"], "brand");
  // An alias, in any case and without accents, is stored as the catalog's name.
  Response rule =
      Call("admin", "POST", "/api/v1/rules",
           R"({"name":"r","url":"http://127.0.0.1:9/h","brands":["voltaire","LUNEA"]})");
  ASSERT_EQ(rule.status, 201) << rule.body;
  EXPECT_EQ(json::parse(rule.body)["brands"], json({"Voltaire Énergie", "Lunéa"}));
  Response user = Call("admin", "POST", "/api/v1/users",
                       R"({"name":"zoe","role":"agent","brands":["la jeanerie"],)"
                       R"("password":"granite lantern harbor"})");
  ASSERT_EQ(user.status, 201) << user.body;
  EXPECT_EQ(json::parse(user.body)["brands"], json({"Jeanerie"}));
}

TEST_F(ApiErrorsTest, AScopedUserNeedsBrandsOrAllBrands) {
  json e = ErrorOf(Call("admin", "POST", "/api/v1/users",
                        R"({"name":"zoe","role":"agent","password":"granite lantern harbor"})"),
                   400);
  EXPECT_EQ(e["code"], "brands_required");
  EXPECT_EQ(e["field"], "brands");
  ASSERT_EQ(Call("admin", "POST", "/api/v1/users",
                 R"({"name":"zoe","role":"agent","all_brands":true,)"
                 R"("password":"granite lantern harbor"})")
                .status,
            201);
  // Emptying a scoped user's brands is refused too; an admin needs none.
  const std::string agent = "/api/v1/users/" + std::to_string(UserId("agent_j"));
  e = ErrorOf(Call("admin", "PATCH", agent, R"({"brands":[]})"), 400);
  EXPECT_EQ(e["code"], "brands_required");
  EXPECT_EQ(Call("admin", "PATCH", agent, R"({"display_name":"Agent J"})").status, 200);
  EXPECT_EQ(Call("admin", "POST", "/api/v1/users",
                 R"({"name":"root2","role":"admin","password":"granite lantern harbor"})")
                .status,
            201);
}

TEST_F(ApiErrorsTest, RuleTopicsTakeTheirCodesOrTheirNames) {
  Response rule = Call("admin", "POST", "/api/v1/rules",
                       R"({"name":"r","url":"http://127.0.0.1:9/h",)"
                       R"("topics":["livraison","Produit défectueux","delay","billing"]})");
  ASSERT_EQ(rule.status, 201) << rule.body;
  EXPECT_EQ(json::parse(rule.body)["topics"],
            json({"delivery", "product_defect", "delay", "billing"}));
  const json e = ErrorOf(Call("admin", "POST", "/api/v1/rules",
                              R"({"name":"r","url":"http://127.0.0.1:9/h","topics":["weather"]})"),
                         400);
  EXPECT_EQ(e["code"], "unknown_topic");
  EXPECT_EQ(e["field"], "topics");
  EXPECT_EQ(e["params"]["topic"], "weather");
}

TEST_F(ApiErrorsTest, SearchTakesABrandByItsAlias) {
  const json by_name =
      CallJson("admin", "GET", "/api/v1/posts?q=brand:%22Voltaire%20%C3%89nergie%22");
  ASSERT_FALSE(by_name["hits"].empty());
  for (const std::string alias : {"voltaire", "Voltaire", "VOLTAIRE%20ENERGIE"}) {
    const json by_alias = CallJson("admin", "GET", "/api/v1/posts?q=brand:" + alias);
    EXPECT_EQ(by_alias["hits"].size(), by_name["hits"].size()) << alias;
  }
  // Within the caller's brands still: an agent of another brand finds nothing.
  EXPECT_TRUE(CallJson("agent_l", "GET", "/api/v1/posts?q=brand:voltaire")["hits"].empty());
}

TEST_F(ApiErrorsTest, ARuleSendsASignedTestDeliveryAndSaysHowItWent) {
  std::mutex mutex;
  std::vector<testing::HttpRequest> received;
  int answer = 204;
  testing::HttpServer receiver([&](const testing::HttpRequest& request) {
    std::lock_guard lock(mutex);
    received.push_back(request);
    testing::HttpResponse r;
    r.status = answer;
    return r;
  });
  Response created = Call(
      "manager_j", "POST", "/api/v1/rules",
      json({{"name", "team"}, {"brands", {"Jeanerie"}}, {"url", receiver.Url("/hook")}}).dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const json rule = json::parse(created.body);
  const std::string secret = rule["secret"];
  const std::string test = "/api/v1/rules/" + std::to_string(rule["id"].get<int64_t>()) + "/test";
  const json ok = CallJson("manager_j", "POST", test);
  EXPECT_EQ(ok["delivered"], true) << ok;
  EXPECT_EQ(ok["http_status"], 204);
  {
    std::lock_guard lock(mutex);
    ASSERT_EQ(received.size(), 1u);
    testing::HttpRequest& r = received[0];
    EXPECT_EQ(r.path, "/hook");
    EXPECT_EQ(r.headers["x-ecoute-event"], "test");
    EXPECT_EQ(r.headers["webhook-id"], ok["webhook_id"]);
    const int64_t timestamp = std::stoll(r.headers["webhook-timestamp"]);
    EXPECT_EQ(r.headers["webhook-signature"],
              StandardWebhookSignature(secret, r.headers["webhook-id"], timestamp, r.body));
    const json body = json::parse(r.body);
    EXPECT_EQ(body["event"], "test");
    EXPECT_EQ(body["rule"]["name"], "team");
    EXPECT_EQ(body["brand"], "Jeanerie");
    answer = 500;
  }
  const json failed = CallJson("manager_j", "POST", test);
  EXPECT_EQ(failed["delivered"], false);
  EXPECT_EQ(failed["http_status"], 500);
  EXPECT_EQ(failed["error"], "HTTP 500");
  // Nothing queued: no delivery listed, no dead letter.
  EXPECT_TRUE(CallJson("manager_j", "GET", "/api/v1/deliveries")["deliveries"].empty());
  // Another brand's manager has no such rule.
  EXPECT_EQ(Call("agent_j", "POST", test).status, 403);
  AddUser("manager_l", Role::kManager, {"Lunéa"});
  EXPECT_EQ(Call("manager_l", "POST", test).status, 404);
}

}  // namespace
}  // namespace ecoute::server
