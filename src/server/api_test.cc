// The API, end to end on a real SQLite file: the OpenAPI document against the routes and
// their answers, the access matrix (every route x role x brand scope), CSRF, login
// throttling, pushed posts, live updates and webhooks over real HTTP on loopback.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fetch/testing_http_server.h"
#include "server/app.h"
#include "server/config.h"
#include "server/testing_api.h"
#include "server/web_assets.h"
#include "util/clock.h"
#include "util/datetime.h"

namespace ecoute::server {
namespace {

using nlohmann::json;

// ---- the OpenAPI document and the routes --------------------------------------------------

// A small validator for the subset of JSON Schema the document uses: types (with null),
// required properties, properties, items, enums and $ref.
void Validate(const json& schema, const json& value, const json& doc, const std::string& where,
              std::vector<std::string>& errors) {
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const std::string name = ref.substr(ref.rfind('/') + 1);
    Validate(doc["components"]["schemas"][name], value, doc, where, errors);
    return;
  }
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_array()) {
      for (const json& t : schema["type"]) types.push_back(t);
    } else {
      types.push_back(schema["type"]);
    }
    auto is = [&](const std::string& t) {
      return (t == "object" && value.is_object()) || (t == "array" && value.is_array()) ||
             (t == "string" && value.is_string()) ||
             (t == "integer" && value.is_number_integer()) ||
             (t == "number" && value.is_number()) || (t == "boolean" && value.is_boolean()) ||
             (t == "null" && value.is_null());
    };
    if (std::none_of(types.begin(), types.end(), is)) {
      errors.push_back(where + ": " + value.type_name() + " is not " + schema["type"].dump());
      return;
    }
  }
  if (schema.contains("enum") && !value.is_null()) {
    const json& values = schema["enum"];
    if (std::find(values.begin(), values.end(), value) == values.end()) {
      errors.push_back(where + ": " + value.dump() + " not in " + values.dump());
    }
  }
  if (value.is_object()) {
    if (schema.contains("required")) {
      for (const json& name : schema["required"]) {
        if (!value.contains(name.get<std::string>())) {
          errors.push_back(where + ": missing \"" + name.get<std::string>() + "\"");
        }
      }
    }
    if (schema.contains("properties")) {
      for (auto& [name, sub] : schema["properties"].items()) {
        if (value.contains(name)) Validate(sub, value[name], doc, where + "." + name, errors);
      }
    }
  }
  if (value.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < value.size() && i < 20; ++i) {
      Validate(schema["items"], value[i], doc, where + "[" + std::to_string(i) + "]", errors);
    }
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(ApiTest, TheOpenApiDocumentDescribesEveryRouteAndOnlyThem) {
  json doc = json::parse(OpenApiDocument());
  ASSERT_EQ(doc["openapi"], "3.1.0");
  std::set<std::pair<std::string, std::string>> documented;
  for (auto& [path, item] : doc["paths"].items()) {
    for (auto& [method, op] : item.items()) documented.insert({method, path});
  }
  std::set<std::pair<std::string, std::string>> routed = {{"get", "/healthz"},
                                                          {"get", "/readyz"},
                                                          {"get", "/metrics"},
                                                          {"get", "/api/v1/openapi.json"},
                                                          {"post", "/api/v1/session"}};
  for (const auto& [method, pattern] : ApiRoutes(*app_)) routed.insert({Lower(method), pattern});
  EXPECT_EQ(documented, routed);
  // Served as is.
  Response served = Call("", "GET", "/api/v1/openapi.json");
  EXPECT_EQ(served.status, 200);
  EXPECT_EQ(json::parse(served.body), doc);
}

TEST_F(ApiTest, EveryReadAnswersAsTheDocumentSays) {
  json doc = json::parse(OpenApiDocument());
  const int64_t case_id = CaseOf("Jeanerie");
  ASSERT_EQ(Call("admin", "POST", "/api/v1/sources",
                 R"({"url":"http://127.0.0.1:9/feed.xml","format":"feed","interval_seconds":900})")
                .status,
            201);
  ASSERT_EQ(Call("admin", "POST", "/api/v1/rules",
                 R"({"name":"j","brands":["Jeanerie"],"url":"http://127.0.0.1:9/hook"})")
                .status,
            201);
  ASSERT_EQ(
      Call("admin", "POST", "/api/v1/templates", R"({"name":"t","body":"{{customer}}"})").status,
      201);
  std::map<std::string, std::string> targets = {
      {"/api/v1/cases/{id}", "/api/v1/cases/" + std::to_string(case_id)},
      {"/api/v1/posts", "/api/v1/posts?q=livr%C3%A9e"},
      {"/api/v1/cases/{id}/reply-options",
       "/api/v1/cases/" + std::to_string(case_id) + "/reply-options"},
      {"/api/v1/cases/{id}/replies", "/api/v1/cases/" + std::to_string(case_id) + "/replies"},
      {"/api/v1/brands/{brand}/accounts", "/api/v1/brands/Jeanerie/accounts"},
      {"/api/v1/brands/{brand}/listening", "/api/v1/brands/Jeanerie/listening"},
      {"/api/v1/cases/{id}/templates", "/api/v1/cases/" + std::to_string(case_id) + "/templates"},
      {"/api/v1/cases/{id}/presence", "/api/v1/cases/" + std::to_string(case_id) + "/presence"},
      {"/api/v1/cases/{id}/assignees", "/api/v1/cases/" + std::to_string(case_id) + "/assignees"},
      {"/api/v1/assignees", "/api/v1/assignees?brand=Jeanerie"},
      {"/api/v1/cases/{id}/sla", "/api/v1/cases/" + std::to_string(case_id) + "/sla"},
      {"/api/v1/cases/{id}/follows", "/api/v1/cases/" + std::to_string(case_id) + "/follows"},
  };
  int checked = 0;
  for (auto& [path, item] : doc["paths"].items()) {
    if (!item.contains("get") || path == "/api/v1/events") continue;
    const json& op = item["get"];
    const json& ok = op["responses"]["200"]["content"];
    if (!ok.contains("application/json")) continue;
    const std::string target = targets.count(path) ? targets[path] : path;
    Response r = Call("admin", "GET", target);
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    std::vector<std::string> errors;
    Validate(ok["application/json"]["schema"], json::parse(r.body), doc, path, errors);
    EXPECT_TRUE(errors.empty()) << path << ":\n" << ::testing::PrintToString(errors);
    ++checked;
  }
  EXPECT_GE(checked, 14);
  // And the actions answer a CaseDetail.
  Response assigned = Call("admin", "POST", "/api/v1/cases/" + std::to_string(case_id) + "/assign",
                           R"({"assignee":"agent_j"})");
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  std::vector<std::string> errors;
  Validate(doc["components"]["schemas"]["CaseDetail"], json::parse(assigned.body), doc, "assign",
           errors);
  EXPECT_TRUE(errors.empty()) << ::testing::PrintToString(errors);
}

// ---- access control -------------------------------------------------------------------------

TEST_F(ApiTest, EveryRouteChecksTheRoleOfItsCaller) {
  const std::map<std::string, Role> roles = {{"admin", Role::kAdmin},
                                             {"manager_j", Role::kManager},
                                             {"agent_j", Role::kAgent},
                                             {"viewer_j", Role::kViewer}};
  json doc = json::parse(OpenApiDocument());
  const int64_t case_id = CaseOf("Jeanerie");
  int checked = 0;
  for (const auto& [method, pattern] : ApiRoutes(*app_)) {
    if (pattern == "/api/v1/events") continue;  // a stream: tested over HTTP below
    std::string target = pattern;
    if (size_t id = target.find("{id}"); id != std::string::npos) {
      // Cases exist; users and tokens are not touched (the matrix runs as those users).
      target.replace(id, 4, target.starts_with("/api/v1/cases") ? std::to_string(case_id) : "999");
    }
    if (target == "/api/v1/posts" && method == "GET") target += "?q=colis";
    const std::string role_name = doc["paths"][pattern][Lower(method)]["x-ecoute-role"];
    // Nobody: 401 everywhere.
    Response anonymous = Call("", method, target, "{}");
    EXPECT_EQ(anonymous.status, 401) << method << " " << target;
    EXPECT_EQ(json::parse(anonymous.body)["error"]["code"], "unauthenticated");
    for (const auto& [user, role] : roles) {
      Role needed = Role::kViewer;
      ASSERT_TRUE(ParseRole(role_name.substr(0, role_name.find(',')), needed)) << role_name;
      const bool needs_all = role_name.find("all brands") != std::string::npos;
      Response r = Call(user, method, target, "{}");
      const bool allowed = role >= needed && (!needs_all || role == Role::kAdmin);
      if (allowed) {
        EXPECT_NE(r.status, 401) << user << " " << method << " " << target << ": " << r.body;
        EXPECT_NE(r.status, 403) << user << " " << method << " " << target << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << user << " " << method << " " << target << ": " << r.body;
        EXPECT_EQ(json::parse(r.body)["error"]["code"], "permission_denied");
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 120);
}

TEST_F(ApiTest, AnAgentOfOneBrandNeverSeesAnotherBrandsCases) {
  const int64_t jeanerie = CaseOf("Jeanerie");
  const int64_t lunea = CaseOf("Lunéa");
  const std::string j = "/api/v1/cases/" + std::to_string(jeanerie);
  const std::string l = "/api/v1/cases/" + std::to_string(lunea);
  // The inbox, the case, every action on it.
  for (const std::string who : {"agent_j", "viewer_j", "manager_j"}) {
    json cases = CallJson(who, "GET", "/api/v1/cases?limit=100");
    ASSERT_FALSE(cases["cases"].empty()) << who;
    for (const json& c : cases["cases"]) EXPECT_EQ(c["brand"], "Jeanerie") << who;
    EXPECT_EQ(Call(who, "GET", l).status, 404) << who;
    EXPECT_EQ(Call(who, "GET", j).status, 200) << who;
    // Asking for another brand by name gives nothing, not an error that tells it exists.
    EXPECT_TRUE(CallJson(who, "GET", "/api/v1/cases?brand=Lun%C3%A9a")["cases"].empty());
  }
  for (const std::string action :
       {"assign", "respond", "resolve", "close", "reopen", "notes", "priority"}) {
    EXPECT_EQ(Call("agent_j", "POST", l + "/" + action, R"({"reason":"x","assignee":"me"})").status,
              404)
        << action;
  }
  EXPECT_EQ(Call("agent_j", "POST", l + "/corrections",
                 R"({"post_id":1,"brand":"Lunéa","stance":"praise"})")
                .status,
            404);
  // Search: the Lunéa complaint ("supprimé") is not found by the Jeanerie agent, even by
  // naming the brand or the case.
  EXPECT_FALSE(CallJson("agent_l", "GET", "/api/v1/posts?q=supprim%C3%A9")["hits"].empty());
  EXPECT_TRUE(CallJson("agent_j", "GET", "/api/v1/posts?q=supprim%C3%A9")["hits"].empty());
  EXPECT_TRUE(CallJson("agent_j", "GET", "/api/v1/posts?q=brand:Lun%C3%A9a%20supprim%C3%A9")["hits"]
                  .empty());
  EXPECT_TRUE(
      CallJson("agent_j", "GET", "/api/v1/posts?q=case:" + std::to_string(lunea))["hits"].empty());
  // Reports and exports, brands.
  json report = CallJson("agent_j", "GET", "/api/v1/reports");
  ASSERT_EQ(report["brands"].size(), 1u);
  EXPECT_EQ(report["brands"][0]["brand"], "Jeanerie");
  EXPECT_TRUE(CallJson("agent_j", "GET", "/api/v1/reports?brand=Lun%C3%A9a")["brands"].empty());
  Response csv = Call("agent_j", "GET", "/api/v1/reports?format=csv");
  EXPECT_EQ(csv.body.find("Lun"), std::string::npos);
  json brands = CallJson("agent_j", "GET", "/api/v1/brands");
  ASSERT_EQ(brands["brands"].size(), 1u);
  EXPECT_EQ(brands["brands"][0]["name"], "Jeanerie");
  // The Lunéa agent, symmetrically, may act on their case.
  EXPECT_EQ(Call("agent_l", "POST", l + "/assign", R"({"assignee":"me"})").status, 200);
  EXPECT_EQ(CallJson("agent_l", "GET", l)["case"]["assignee"], "agent_l");
}

TEST_F(ApiTest, TheReportRanksFromMinCasesAndCarriesItsIntervals) {
  json report = CallJson("agent_j", "GET", "/api/v1/reports");
  EXPECT_EQ(report["min_cases"], 10);  // the default
  EXPECT_EQ(report["bootstrap_resamples"], 2000);
  ASSERT_EQ(report["brands"].size(), 1u);
  const json& b = report["brands"][0];
  EXPECT_EQ(b["ranked"], b["cases"].get<int>() >= 10);
  EXPECT_EQ(b["response_rate_ci"].is_null(), b["cases"] == 0);
  report = CallJson("agent_j", "GET", "/api/v1/reports?min_cases=0");
  EXPECT_EQ(report["min_cases"], 0);
  EXPECT_EQ(report["brands"][0]["ranked"], true);
  EXPECT_EQ(report["brands"][0]["rank"], 1);
  report = CallJson("agent_j", "GET", "/api/v1/reports?min_cases=1000000");
  EXPECT_EQ(report["brands"][0]["ranked"], false);
  EXPECT_TRUE(report["brands"][0]["rank"].is_null());
  for (const char* bad : {"ten", "-1", "1.5", "1000001"}) {
    Response r = Call("agent_j", "GET", std::string("/api/v1/reports?min_cases=") + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("min_cases"), std::string::npos) << r.body;
  }
}

TEST_F(ApiTest, RulesAndDeliveriesStayWithinTheManagersBrands) {
  Response other = Call("manager_j", "POST", "/api/v1/rules",
                        R"({"name":"x","brands":["Lunéa"],"url":"http://127.0.0.1:9/h"})");
  EXPECT_EQ(other.status, 403);
  Response any =
      Call("manager_j", "POST", "/api/v1/rules", R"({"name":"x","url":"http://127.0.0.1:9/h"})");
  EXPECT_EQ(any.status, 400) << "a rule on every brand is more than one brand's manager sees";
  Response own = Call("manager_j", "POST", "/api/v1/rules",
                      R"({"name":"mine","brands":["Jeanerie"],"url":"http://127.0.0.1:9/h"})");
  ASSERT_EQ(own.status, 201) << own.body;
  const json created = json::parse(own.body);
  EXPECT_GE(created["secret"].get<std::string>().size(), 16u) << "shown once, in full";
  ASSERT_EQ(Call("admin", "POST", "/api/v1/rules", R"({"name":"all","url":"http://127.0.0.1:9/h"})")
                .status,
            201);
  json listed = CallJson("manager_j", "GET", "/api/v1/rules");
  ASSERT_EQ(listed["rules"].size(), 1u);
  EXPECT_EQ(listed["rules"][0]["name"], "mine");
  EXPECT_NE(listed["rules"][0]["secret"], created["secret"]) << "masked afterwards";
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/rules")["rules"].size(), 2u);
  const int64_t admins_rule = CallJson("admin", "GET", "/api/v1/rules")["rules"][1]["id"];
  EXPECT_EQ(Call("manager_j", "DELETE", "/api/v1/rules/" + std::to_string(admins_rule)).status,
            404);
}

TEST_F(ApiTest, SessionsNeedTheCsrfHeaderToWrite) {
  Response login = Call("", "POST", "/api/v1/session",
                        R"({"name":"agent_j","password":"correct horse battery agent_j"})");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string cookie;
  for (const auto& [name, value] : login.headers) {
    if (name == "Set-Cookie") cookie = value;
  }
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  const std::string session = cookie.substr(0, cookie.find(';'));
  const std::string csrf = json::parse(login.body)["csrf"];
  const std::string target = "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie")) + "/assign";
  Response without = Call("", "POST", target, R"({"assignee":"me"})", {{"cookie", session}});
  EXPECT_EQ(without.status, 403);
  EXPECT_EQ(json::parse(without.body)["error"]["code"], "csrf");
  Response wrong = Call("", "POST", target, R"({"assignee":"me"})",
                        {{"cookie", session}, {"x-csrf-token", "nope"}});
  EXPECT_EQ(wrong.status, 403);
  Response with = Call("", "POST", target, R"({"assignee":"me"})",
                       {{"cookie", session}, {"x-csrf-token", csrf}});
  EXPECT_EQ(with.status, 200) << with.body;
  EXPECT_EQ(json::parse(with.body)["case"]["assignee"], "agent_j");
  // Reads need no header; logging out ends the session.
  EXPECT_EQ(Call("", "GET", "/api/v1/session", "", {{"cookie", session}}).status, 200);
  EXPECT_EQ(Call("", "DELETE", "/api/v1/session", "", {{"cookie", session}, {"x-csrf-token", csrf}})
                .status,
            204);
  EXPECT_EQ(Call("", "GET", "/api/v1/session", "", {{"cookie", session}}).status, 401);
  // A login from another site is refused, even one whose name starts like this one's.
  for (const char* origin : {"https://evil.example", "http://127.0.0.1:8080.evil.example"}) {
    EXPECT_EQ(Call("", "POST", "/api/v1/session",
                   R"({"name":"agent_j","password":"correct horse battery agent_j"})",
                   {{"origin", origin}, {"host", "127.0.0.1:8080"}})
                  .status,
              403)
        << origin;
  }
  EXPECT_EQ(Call("", "POST", "/api/v1/session",
                 R"({"name":"agent_j","password":"correct horse battery agent_j"})",
                 {{"origin", "http://127.0.0.1:8080"}, {"host", "127.0.0.1:8080"}})
                .status,
            200);
}

TEST_F(ApiTest, LoginsAreThrottled) {
  for (int i = 0; i < 5; ++i) {
    Response r = Call("", "POST", "/api/v1/session", R"({"name":"agent_j","password":"wrong"})");
    EXPECT_EQ(r.status, 401);
  }
  Response locked = Call("", "POST", "/api/v1/session",
                         R"({"name":"agent_j","password":"correct horse battery agent_j"})");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(json::parse(locked.body)["error"]["code"], "too_many_requests");
  bool has_retry_after = false;
  for (const auto& [name, value] : locked.headers) has_retry_after |= name == "Retry-After";
  EXPECT_TRUE(has_retry_after);
  clock_.Advance(int64_t{16} * 60);
  EXPECT_EQ(Call("", "POST", "/api/v1/session",
                 R"({"name":"agent_j","password":"correct horse battery agent_j"})")
                .status,
            200);
}

// ---- cases and posts ------------------------------------------------------------------------

TEST_F(ApiTest, ACaseShowsItsPostsCuesAndTimelineAndAgentsActOnIt) {
  const int64_t id = CaseOf("Jeanerie");
  const std::string base = "/api/v1/cases/" + std::to_string(id);
  json detail = CallJson("agent_j", "GET", base);
  EXPECT_EQ(detail["case"]["status"], "new");
  ASSERT_EQ(detail["posts"].size(), 2u);
  const json& opening = detail["posts"][0];
  EXPECT_EQ(opening["role"], "opening");
  // The cues cut the text where they say (offsets in UTF-16 units: this text is BMP only,
  // so code points).
  const std::string text = opening["text"];
  std::u32string code_points;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    code_points.push_back(c);
    i += static_cast<size_t>(n);
  }
  bool found_complaint = false;
  for (const json& cue : opening["cues"]) {
    const int64_t start = cue["start"];
    const int64_t end = cue["end"];
    ASSERT_LT(start, end);
    ASSERT_LE(end, static_cast<int64_t>(code_points.size()));
    found_complaint |= cue["kind"] == "complaint";
  }
  EXPECT_TRUE(found_complaint) << opening["cues"].dump();
  // respond -> acknowledged, with its events; resolve needs a reason.
  json responded =
      CallJson("agent_j", "POST", base + "/respond", R"({"channel":"phone","note":"appelée"})");
  EXPECT_EQ(responded["case"]["status"], "acknowledged");
  EXPECT_EQ(responded["case"]["first_response_at"], "2026-11-25T09:46:40Z");
  EXPECT_EQ(responded["case"]["first_declared_response_at"], "2026-11-25T09:46:40Z");
  EXPECT_EQ(responded["case"]["response_kind"], "declared");
  EXPECT_EQ(responded["events"].back()["kind"], "acknowledged");
  Response no_reason = Call("agent_j", "POST", base + "/resolve", "{}");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(json::parse(no_reason.body)["error"]["code"], "invalid_argument");
  json resolved = CallJson("agent_j", "POST", base + "/resolve", R"({"reason":"renvoyé"})");
  EXPECT_EQ(resolved["case"]["status"], "resolved");
  Response again = Call("agent_j", "POST", base + "/resolve", R"({"reason":"encore"})");
  EXPECT_EQ(again.status, 409);
  // A correction is kept for training, and exported as JSON lines.
  const int64_t post_id = opening["post_id"];
  Response corrected =
      Call("agent_j", "POST", base + "/corrections",
           R"({"post_id":)" + std::to_string(post_id) +
               R"(,"brand":"Jeanerie","stance":"complaint","topics":["delivery","support"]})");
  ASSERT_EQ(corrected.status, 200) << corrected.body;
  EXPECT_EQ(json::parse(corrected.body)["events"].back()["kind"], "corrected");
  Response exported = Call("manager_j", "GET", "/api/v1/corrections");
  json line = json::parse(exported.body.substr(0, exported.body.find('\n')));
  EXPECT_EQ(line["brand"], "Jeanerie");
  EXPECT_EQ(std::set<std::string>(line["topics"].begin(), line["topics"].end()),
            (std::set<std::string>{"delivery", "support"}));
  EXPECT_EQ(line["corrected_by"], "agent:agent_j");
}

// Notes, declared responses and the priority override: each field checked, each refusal
// naming the field and how to fix it; a viewer may do none of it.
TEST_F(ApiTest, AgentsAddNotesDeclareResponsesAndOverrideThePriority) {
  const std::string base = "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie"));
  EXPECT_EQ(Call("viewer_j", "POST", base + "/notes", R"({"text":"x"})").status, 403);
  EXPECT_EQ(Call("viewer_j", "POST", base + "/priority", R"({"priority":1})").status, 403);
  const auto refused = [&](const std::string& route, const std::string& body,
                           const std::string& field) {
    Response r = Call("agent_j", "POST", base + route, body);
    EXPECT_EQ(r.status, 400) << route << " " << body;
    EXPECT_NE(r.body.find("\\\"" + field + "\\\""), std::string::npos) << r.body;
  };
  refused("/notes", "{}", "text");
  refused("/notes", R"({"text":5})", "text");
  refused("/notes", R"({"text":")" + std::string(10'001, 'a') + R"("})", "text");
  refused("/respond", R"({"note":"appelée"})", "channel");
  refused("/respond", R"({"channel":"pigeon","note":"appelée"})", "channel");
  refused("/respond", R"({"channel":"phone","note":"  "})", "note");
  refused("/priority", "{}", "priority");
  refused("/priority", R"({"priority":101})", "priority");
  refused("/priority", R"({"priority":"high"})", "priority");
  refused("/priority", R"({"priority":88.5})", "priority");
  refused("/priority", R"({"priority":50,"reason":["x"]})", "reason");

  Response noted = Call("agent_j", "POST", base + "/notes", R"({"text":"cliente fidèle"})");
  ASSERT_EQ(noted.status, 201) << noted.body;
  const json event = json::parse(noted.body)["event"];
  EXPECT_EQ(event["kind"], "note");
  EXPECT_EQ(event["reason"], "cliente fidèle");
  EXPECT_EQ(event["post_id"], nullptr);
  json c = CallJson("agent_j", "GET", base);
  EXPECT_EQ(c["case"]["status"], "new");
  EXPECT_EQ(c["case"]["response_kind"], nullptr);
  EXPECT_EQ(c["events"].back()["kind"], "note");
  EXPECT_TRUE(c["posts"][0]["reasons"].is_array());
  EXPECT_TRUE(c["posts"][0]["reach"]["likes"].is_number_integer());

  c = CallJson("agent_j", "POST", base + "/priority", R"({"priority":90,"reason":"VIP"})");
  EXPECT_EQ(c["case"]["priority"], 90);
  EXPECT_EQ(c["case"]["priority_override"], 90);
  EXPECT_EQ(c["events"].back()["kind"], "priority");
  c = CallJson("agent_j", "POST", base + "/priority", R"({"priority":null})");
  EXPECT_EQ(c["case"]["priority_override"], nullptr);

  c = CallJson("agent_j", "POST", base + "/respond",
               R"({"channel":"private_message","note":"répondu en message privé"})");
  EXPECT_EQ(c["case"]["response_kind"], "declared");
  bool declared = false;
  for (const json& e : c["events"]) {
    declared |=
        e["kind"] == "declared" && e["reason"] == "private_message: répondu en message privé";
  }
  EXPECT_TRUE(declared) << c["events"].dump();
}

// A brand correction moves the case: only between two brands of the caller's.
TEST_F(ApiTest, ABrandCorrectionMovesTheCaseWithinTheCallersBrands) {
  const int64_t id = CaseOf("Jeanerie");
  const std::string base = "/api/v1/cases/" + std::to_string(id);
  const int64_t post_id = CallJson("agent_j", "GET", base)["posts"][0]["post_id"];
  const std::string body =
      R"({"post_id":)" + std::to_string(post_id) + R"(,"brand":"Lunéa","stance":"complaint"})";
  EXPECT_EQ(Call("agent_j", "POST", base + "/corrections", body).status, 400);
  EXPECT_EQ(Call("admin", "POST", base + "/corrections",
                 R"({"post_id":)" + std::to_string(post_id) +
                     R"(,"brand":"Nowhere","stance":"complaint"})")
                .status,
            400);
  json moved = CallJson("admin", "POST", base + "/corrections", body);
  EXPECT_EQ(moved["case"]["brand"], "Lunéa");
  EXPECT_EQ(moved["events"].back()["kind"], "rebranded");
  EXPECT_EQ(Call("agent_j", "GET", base).status, 404);
  EXPECT_EQ(Call("agent_l", "GET", base).status, 200);
  // Kept for training with the brand it was taken from.
  const Response kept = Call("admin", "GET", "/api/v1/corrections");
  ASSERT_EQ(kept.status, 200);
  const json line = json::parse(kept.body.substr(0, kept.body.find('\n')));
  EXPECT_EQ(line["brand"], "Lunéa");
  EXPECT_EQ(line["from_brand"], "Jeanerie");
  EXPECT_EQ(line["stance"], "complaint");
}

TEST_F(ApiTest, PushedPostsAreStoredAndBadLinesReported) {
  Response r = Call("admin", "POST", "/api/v1/posts",
                    "{\"id\":\"p1\",\"text\":\"@jeanerie colis jamais livré, remboursez-moi\","
                    "\"author\":\"@zoe\"}\nnot json\n{\"id\":\"p2\"}\n");
  ASSERT_EQ(r.status, 207) << r.body;
  json j = json::parse(r.body);
  EXPECT_EQ(j["read"], 1);
  EXPECT_EQ(j["new"], 1);
  ASSERT_EQ(j["problems"].size(), 2u);
  EXPECT_NE(j["problems"][0].get<std::string>().find("push:2"), std::string::npos);
  ASSERT_EQ(j["cases"].size(), 1u);
  // The same post again: stored once.
  Response again = Call("admin", "POST", "/api/v1/posts",
                        "{\"id\":\"p1\",\"text\":\"@jeanerie colis jamais livré, remboursez-moi\","
                        "\"author\":\"@zoe\"}");
  EXPECT_EQ(json::parse(again.body)["unchanged"], 1);
  // Nothing readable.
  Response bad = Call("admin", "POST", "/api/v1/posts", "nothing here");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(json::parse(bad.body)["error"]["message"].get<std::string>().find("push:1"),
            std::string::npos);
}

// Pushes that arrive together may share one transaction; each request still gets its own
// counts. Request k sends 10 + k new posts and one already stored.
TEST_F(ApiTest, ConcurrentPushesAllLandAndEachGetsItsOwnCounts) {
  const int64_t before = app_->store().Lock()->Stats()->posts;
  const std::string stored =
      ReadFile(std::string(ECOUTE_TEST_DATA_DIR) + "/sample/posts/conversations.jsonl");
  const std::string old_line = stored.substr(0, stored.find('\n') + 1);
  constexpr int kRequests = 8;
  std::vector<json> answers(kRequests);
  std::vector<std::thread> threads;
  for (int k = 0; k < kRequests; ++k) {
    std::string body = old_line;
    for (int i = 0; i < 10 + k; ++i) {
      const std::string id = "g" + std::to_string(k) + "-" + std::to_string(i);
      body += "{\"id\":\"" + id + "\",\"author\":\"@client" + id +
              "\",\"text\":\"@jeanerie commande " + id + " jamais livrée\"}\n";
    }
    threads.emplace_back([this, &answers, k, body] {
      answers[k] = json::parse(Call("admin", "POST", "/api/v1/posts", body).body, nullptr, false);
    });
  }
  for (std::thread& t : threads) t.join();
  int64_t total = 0;
  for (int k = 0; k < kRequests; ++k) {
    SCOPED_TRACE("request " + std::to_string(k));
    EXPECT_EQ(answers[k]["read"], 11 + k);
    EXPECT_EQ(answers[k]["new"], 10 + k);
    EXPECT_EQ(answers[k]["unchanged"], 1);
    EXPECT_EQ(answers[k]["cases"].size(), static_cast<size_t>(10 + k));
    total += 10 + k;
  }
  EXPECT_EQ(app_->store().Lock()->Stats()->posts, before + total);
}

TEST_F(ApiTest, BadRequestsGetAStableCodeAndAMessage) {
  auto code = [&](const Response& r) { return json::parse(r.body)["error"]["code"]; };
  Response unknown = Call("admin", "GET", "/api/v1/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(code(unknown), "not_found");
  Response method = Call("admin", "PUT", "/api/v1/cases");
  EXPECT_EQ(method.status, 405);
  EXPECT_EQ(code(method), "method_not_allowed");
  EXPECT_EQ(Call("admin", "GET", "/api/v1/cases/999999").status, 404);
  EXPECT_EQ(Call("admin", "GET", "/api/v1/cases/abc").status, 404);
  Response status = Call("admin", "GET", "/api/v1/cases?status=sleeping");
  EXPECT_EQ(status.status, 400);
  EXPECT_NE(json::parse(status.body)["error"]["message"].get<std::string>().find("sleeping"),
            std::string::npos);
  Response query = Call("admin", "GET", "/api/v1/posts?q=%22unterminated");
  EXPECT_EQ(query.status, 400);
  EXPECT_EQ(json::parse(query.body)["error"]["message"].get<std::string>().rfind("column 1", 0),
            0u);
  Response body = Call("admin", "POST", "/api/v1/rules", "[1,2]");
  EXPECT_EQ(body.status, 400);
  Response weak =
      Call("admin", "POST", "/api/v1/users", R"({"name":"x","password":"short","role":"agent"})");
  EXPECT_EQ(weak.status, 400);
}

TEST_F(ApiTest, TheDashboardIsServedWithItsSecurityHeaders) {
  Response index = Call("", "GET", "/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<html"), std::string::npos);
  EXPECT_EQ(index.body.find("<script>"), std::string::npos) << "no inline script";
  EXPECT_EQ(Call("", "GET", "/nothing.js").status, 404);
  EXPECT_EQ(Call("", "GET", "/healthz").status, 200);
  Response metrics = Call("", "GET", "/metrics");
  EXPECT_NE(metrics.body.find("ecoute_posts_ingested_total 13"), std::string::npos) << metrics.body;
}

// Sources on one loopback host, polled without waiting between them.
class ApiSourcesTest : public ApiTest {
  void Adjust(ServerConfig& config) override { config.watcher.min_host_interval_seconds = 0; }
};

TEST_F(ApiSourcesTest, AFailingSourceSaysItsKindOfFailureAndMetricsCountIt) {
  testing::HttpServer server([](const testing::HttpRequest& r) {
    if (r.path == "/private.xml") return testing::HttpResponse{401, {}, "who?", 0};
    return testing::HttpResponse{429, {{"Retry-After", "120"}}, "later", 0};
  });
  for (const std::string path : {"/private.xml", "/limited.xml"}) {
    ASSERT_EQ(Call("admin", "POST", "/api/v1/sources",
                   R"({"url":")" + server.Url(path) + R"(","format":"feed"})")
                  .status,
              201);
  }
  const json fresh = CallJson("manager_j", "GET", "/api/v1/sources")["sources"];
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_EQ(fresh[0]["error_kind"], "");
  EXPECT_TRUE(fresh[0]["rate_limited_until"].is_null());

  const PollReport report =
      app_->watcher().PollDue([](std::vector<Post>&, const WatchedSource&) { return OkStatus(); });
  EXPECT_EQ(report.errors, 2);
  const json sources = CallJson("manager_j", "GET", "/api/v1/sources")["sources"];
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0]["error_kind"], "auth_refused");
  EXPECT_EQ(sources[0]["last_error"], "HTTP 401");
  EXPECT_TRUE(sources[0]["rate_limited_until"].is_null());
  EXPECT_EQ(sources[1]["error_kind"], "rate_limited");
  // Retry-After 120 s is shorter than the back-off (the interval, doubled): the back-off wins.
  EXPECT_EQ(sources[1]["rate_limited_until"], FormatRfc3339(kNow + 1800));
  EXPECT_EQ(sources[1]["next_poll_at"], FormatRfc3339(kNow + 1800));

  const std::string metrics = Call("", "GET", "/metrics").body;
  EXPECT_NE(metrics.find("ecoute_watch_errors_total{kind=\"auth_refused\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ecoute_watch_errors_total{kind=\"rate_limited\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("ecoute_watch_sources_backing_off 2"), std::string::npos);
}

TEST_F(ApiTest, AMentionSpikeRaisesItsAlert) {
  ASSERT_EQ(Call("admin", "POST", "/api/v1/rules",
                 R"({"name":"spikes","brands":["Jeanerie"],"on_case_opened":false,)"
                 R"("on_spike":true,"url":"http://127.0.0.1:9/spike"})")
                .status,
            201);
  // A quiet day: one mention an hour for 30 hours, then a burst of 12 this hour. Posts
  // at the edges of the two-day window, and beyond, count or not without harm.
  std::string quiet;
  const int64_t hour = kNow / 3600 * 3600;
  for (int h : {47, 48, 49, 100}) {
    quiet += R"({"id":"edge)" + std::to_string(h) + R"(","text":"Jeanerie","author":"@e)" +
             std::to_string(h) + R"(","published_at":")" + FormatRfc3339(hour - int64_t{h} * 3600) +
             "\"}\n";
  }
  for (int h = 30; h >= 1; --h) {
    quiet += R"({"id":"q)" + std::to_string(h) + R"(","text":"Jeanerie, mon jean préféré",)" +
             R"("author":"@fan)" + std::to_string(h) + R"(","published_at":")" +
             FormatRfc3339(hour - int64_t{h} * 3600 + 60) + "\"}\n";
  }
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts", quiet).status, 200);
  EXPECT_TRUE(app_->alerts().ListDeliveries(std::nullopt, 10)->empty());
  std::string burst;
  for (int i = 0; i < 12; ++i) {
    burst += R"({"id":"b)" + std::to_string(i) + R"(","text":"Jeanerie encore en rupture !",)" +
             R"("author":"@b)" + std::to_string(i) + R"(","published_at":")" +
             FormatRfc3339(hour + 60 + i) + "\"}\n";
  }
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts", burst).status, 200);
  Result<std::vector<Delivery>> deliveries = app_->alerts().ListDeliveries(std::nullopt, 10);
  ASSERT_TRUE(deliveries);
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ(deliveries->front().event_kind, "spike");
  EXPECT_EQ(deliveries->front().brand, "Jeanerie");
  // More of the same hour: the spike is already known.
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                 R"({"id":"b99","text":"Jeanerie encore","author":"@b99"})")
                .status,
            200);
  EXPECT_EQ(app_->alerts().ListDeliveries(std::nullopt, 10)->size(), 1u);
}

// ---- over real HTTP ---------------------------------------------------------------------------

TEST_F(LiveApiTest, TheInboxUpdatesLiveWithinTheCallersBrands) {
  StartHttp();
  StreamReader jeanerie;
  StreamReader lunea;
  std::thread a = Stream(base_ + "/api/v1/events", tokens_["agent_j"], jeanerie);
  std::thread b = Stream(base_ + "/api/v1/events", tokens_["agent_l"], lunea);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 2; }));
  ASSERT_EQ(
      Call(
          "admin", "POST", "/api/v1/posts",
          R"({"id":"live-1","text":"@jeanerie commande 77777 toujours pas livrée, inadmissible","author":"@zoe"})")
          .status,
      200);
  // (The SLA monitor may also send the sample's overdue Jeanerie case, escalated.)
  ASSERT_TRUE(WaitFor([&] { return jeanerie.Text().find("77777") != std::string::npos; }))
      << jeanerie.Text();
  EXPECT_NE(jeanerie.Text().find("event: case\ndata: {"), std::string::npos);
  // The other brand's agent saw no Jeanerie case (only, perhaps, their own brand's).
  EXPECT_EQ(lunea.Text().find("Jeanerie"), std::string::npos) << lunea.Text();
  EXPECT_EQ(lunea.Text().find("77777"), std::string::npos) << lunea.Text();
  jeanerie.stop = true;
  lunea.stop = true;
  a.join();
  b.join();
}

TEST_F(LiveApiTest, APushedComplaintReachesItsWebhookSigned) {
  std::mutex mutex;
  std::vector<testing::HttpRequest> received;
  testing::HttpServer receiver([&](const testing::HttpRequest& request) {
    std::lock_guard lock(mutex);
    received.push_back(request);
    return testing::HttpResponse{};
  });
  StartHttp();
  Response rule = Call("manager_j", "POST", "/api/v1/rules",
                       R"({"name":"complaints","brands":["Jeanerie"],"stances":["complaint"],)"
                       R"("url":")" +
                           receiver.Url("/hook") + R"("})");
  ASSERT_EQ(rule.status, 201) << rule.body;
  ASSERT_EQ(
      Call(
          "admin", "POST", "/api/v1/posts",
          R"({"id":"hook-1","text":"@jeanerie commande 88888 jamais livrée, c'est honteux","author":"@zoe"})")
          .status,
      200);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mutex);
    return !received.empty();
  }));
  std::lock_guard lock(mutex);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].method, "POST");
  EXPECT_EQ(received[0].path, "/hook");
  EXPECT_EQ(received[0].headers["x-ecoute-event"], "case.opened");
  EXPECT_EQ(received[0].headers["x-ecoute-signature"].rfind("sha256=", 0), 0u);
  EXPECT_FALSE(received[0].headers["x-ecoute-delivery"].empty());
}

}  // namespace
}  // namespace ecoute::server
