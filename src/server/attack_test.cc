// The attacks of the 2026-12-07 review of a running `ecoute serve`, replayed: JSON depth
// bombs on every route, error messages that echoed client values, live streams that outlived
// the access that opened them, scoped users learning other brands' case ids, enumeration of
// case ids, links with scripts in them, faked search highlights, guessable passwords and
// paging past an int. Each test failed before its fix.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "server/testing_api.h"
#include "util/json.h"

namespace ecoute::server {
namespace {

std::string Nested(size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

// As a deployment runs by default: no private address allowed outbound.
class AttackTest : public ApiTest {
 protected:
  void Adjust(ServerConfig& config) override {
    config.alerts.outbound.allow_private.clear();
    config.watcher.fetch.outbound.allow_private.clear();
  }
};

// ---- finding 1: one request took the process down ------------------------------------------

TEST(JsonDepthTest, ScansDepthAndTopLevelWithoutParsing) {
  EXPECT_EQ(ScanJson(R"({"a":[1,{"b":2}]})").max_depth, 3);
  // Brackets inside strings, escaped quotes included, are text.
  EXPECT_EQ(ScanJson(R"({"a":"[[[[\"[[[["})").max_depth, 1);
  const JsonShape deep = ScanJson(Nested(65));
  EXPECT_TRUE(deep.too_deep);
  EXPECT_EQ(deep.too_deep_at, 64u);
  EXPECT_FALSE(ScanJson(Nested(64)).too_deep);
  const JsonShape lines = ScanJson("{\"a\":1}\n{\"b\":2}\n");
  EXPECT_EQ(lines.top_level_containers, 2);
  EXPECT_FALSE(lines.top_level_other);
  EXPECT_TRUE(ScanJson("{} 12").top_level_other);
  EXPECT_TRUE(CheckJsonDepth(Nested(64)).ok());
  const Status refused = CheckJsonDepth(Nested(100'000));
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(),
            "the JSON nests arrays and objects deeper than 64 levels (at byte 64); send flatter "
            "JSON");
}

TEST_F(AttackTest, DepthBombsOnEveryRouteAnswer400WithoutEchoingTheValue) {
  for (size_t depth : {size_t{65}, size_t{50'000}, size_t{100'000}}) {
    const std::string bomb = Nested(depth);
    for (const auto& [method, pattern] : ApiRoutes(*app_)) {
      if (method == "GET") continue;
      const std::string path = Concrete(pattern);
      for (const std::string& body :
           {R"({"topics":)" + bomb + R"(,"stances":["complaint"],"post_id":1,"brand":"Jeanerie"})",
            // Pushed posts arrive pretty-printed too.
            "{\n  \"id\": \"deep\",\n  \"text\": \"@jeanerie colis perdu\",\n  \"extra\": " + bomb +
                "\n}\n"}) {
        Response r = Call("admin", method, path, body);
        EXPECT_EQ(r.status, 400) << method << " " << path << " at depth " << depth;
        EXPECT_NE(r.body.find("deeper than 64 levels"), std::string::npos) << r.body;
        EXPECT_LT(r.body.size(), 300u) << method << " " << path;
      }
    }
    // The login route, before any authentication, too.
    Response login = Call("", "POST", "/api/v1/session", R"({"name":)" + bomb + "}");
    EXPECT_EQ(login.status, 400);
  }
  // Still answering, and a body 64 deep is read as before.
  EXPECT_EQ(Call("", "GET", "/healthz").status, 200);
  Response flat =
      Call("admin", "POST", "/api/v1/posts",
           R"({"id":"flat-1","text":"@jeanerie colis perdu, honteux","x":)" + Nested(60) + "}");
  EXPECT_EQ(flat.status, 200) << flat.body;
}

TEST_F(AttackTest, ClientValuesAreNeverEchoedWhole) {
  const int64_t id = CaseOf("Jeanerie");
  const std::string huge(100'000, 'x');
  for (const auto& [method, path, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/api/v1/cases/" + std::to_string(id) + "/corrections",
            R"({"post_id":1,"brand":"Jeanerie","stance":"complaint","topics":[")" + huge +
                R"("]})"},
           {"POST", "/api/v1/cases/" + std::to_string(id) + "/corrections",
            R"({"post_id":1,"brand":"Jeanerie","stance":"complaint","topics":[{"a":[1,2,3]}]})"},
           {"POST", "/api/v1/cases/" + std::to_string(id) + "/corrections",
            R"({"post_id":1,"brand":")" + huge + R"(","stance":"complaint"})"},
           {"POST", "/api/v1/rules",
            R"({"name":"r","brands":["Jeanerie"],"stances":[")" + huge + R"("]})"},
           {"POST", "/api/v1/rules", R"({"name":"r","brands":["Jeanerie"],"topics":[[[[1]]]]})"},
           {"GET", "/api/v1/cases?topic=" + huge, ""},
           {"GET", "/api/v1/cases?status=" + huge, ""}}) {
    Response r = Call("manager_j", method, path, body);
    EXPECT_EQ(r.status, 400) << path;
    EXPECT_LT(r.body.size(), 300u) << r.body.substr(0, 300);
  }
  // A value that is not a string is named by its type.
  Response typed =
      Call("manager_j", "POST", "/api/v1/rules",
           R"({"name":"r","brands":["Jeanerie"],"topics":[{"secret":"do not echo me"}]})");
  EXPECT_EQ(typed.status, 400);
  EXPECT_NE(typed.body.find("unknown topic a value of type object"), std::string::npos)
      << typed.body;
  EXPECT_EQ(typed.body.find("do not echo me"), std::string::npos);
}

TEST_F(AttackTest, APrettyPrintedPushIsStoredWithoutReserializing) {
  Response r = Call("admin", "POST", "/api/v1/posts",
                    "{\n  \"id\": \"pretty-1\",\n  \"text\": \"@jeanerie  commande  66666 "
                    "perdue, inadmissible\",\n  \"author\": \"@pp\"\n}\n");
  ASSERT_EQ(r.status, 200) << r.body;
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["new"], 1);
  // The text kept as written, its double spaces included (inside a string, not layout).
  const json hits = CallJson("admin", "GET", "/api/v1/posts?q=66666")["hits"];
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0]["snippet"].get<std::string>().find("commande  \x01"
                                                       "66666"),
            std::string::npos)
      << hits[0]["snippet"];
}

// ---- finding 2: live streams outlived the access that opened them ----------------------------

class StreamAttackTest : public LiveApiTest {
 protected:
  void Adjust(ServerConfig& config) override {
    config.stream_check_ms = 50;
    config.stream_max_seconds = int64_t{24} * 3600;
  }
  // Logs in as `name` over the API: the session cookie's value and its CSRF token.
  std::pair<std::string, std::string> LogIn(const std::string& name) {
    Response r =
        Call("", "POST", "/api/v1/session",
             R"({"name":")" + name + R"(","password":"correct horse battery )" + name + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    std::string cookie;
    for (const auto& [header, value] : r.headers) {
      if (header == "Set-Cookie") cookie = value.substr(0, value.find(';'));
    }
    return {cookie, json::parse(r.body)["csrf"].get<std::string>()};
  }
  // Waits for the server to end the stream, then returns what it sent.
  std::string Ended(StreamReader& reader, std::thread& thread) {
    const bool ended = WaitFor([&] { return reader.ended.load(); });
    if (!ended) reader.stop = true;
    thread.join();
    EXPECT_TRUE(ended) << "the stream is still open: " << reader.Text();
    return reader.Text();
  }
  void PushComplaint(const std::string& handle, const std::string& marker) {
    ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                   R"({"id":")" + marker + R"(","text":")" + handle + " commande " + marker +
                       R"( jamais livrée, inadmissible","author":"@c)" + marker + R"("})")
                  .status,
              200);
  }
  static constexpr std::string_view kUnauthenticated =
      "event: end\ndata: {\"reason\":\"unauthenticated\"}\n\n";
};

TEST_F(StreamAttackTest, RevokingTheTokenEndsItsStream) {
  StartHttp();
  StreamReader reader;
  std::thread t = Stream(base_ + "/api/v1/events", tokens_["agent_j"], reader);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 1; }));
  ASSERT_EQ(Call("admin", "DELETE", "/api/v1/tokens/" + std::to_string(TokenId("agent_j"))).status,
            204);
  // Ended by the revocation itself, before the request answered: nothing published after
  // it reaches the stream.
  EXPECT_EQ(app_->live().subscribers(), 0);
  PushComplaint("@jeanerie", "70001");
  const std::string text = Ended(reader, t);
  EXPECT_NE(text.find(kUnauthenticated), std::string::npos) << text;
  EXPECT_EQ(text.find("70001"), std::string::npos) << text;
  // And the token opens no new one.
  StreamReader again;
  std::thread u = Stream(base_ + "/api/v1/events", tokens_["agent_j"], again);
  Ended(again, u);
  EXPECT_EQ(again.status, 401);
}

TEST_F(StreamAttackTest, LoggingOutEndsTheSessionsStream) {
  StartHttp();
  const auto [cookie, csrf] = LogIn("agent_j");
  StreamReader reader;
  std::thread t = StreamWithHeader(base_ + "/api/v1/events", "Cookie: " + cookie, reader);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 1; }));
  ASSERT_EQ(Call("", "DELETE", "/api/v1/session", "", {{"cookie", cookie}, {"x-csrf-token", csrf}})
                .status,
            204);
  PushComplaint("@jeanerie", "70002");
  const std::string text = Ended(reader, t);
  EXPECT_NE(text.find(kUnauthenticated), std::string::npos) << text;
  EXPECT_EQ(text.find("70002"), std::string::npos) << text;
}

TEST_F(StreamAttackTest, DisablingOrDeletingTheUserEndsTheirStreams) {
  StartHttp();
  const auto [cookie, csrf] = LogIn("agent_j");
  StreamReader by_session, by_token, other;
  std::thread a = StreamWithHeader(base_ + "/api/v1/events", "Cookie: " + cookie, by_session);
  std::thread b = Stream(base_ + "/api/v1/events", tokens_["agent_j"], by_token);
  std::thread c = Stream(base_ + "/api/v1/events", tokens_["manager_j"], other);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 3; }));
  ASSERT_EQ(Call("admin", "PATCH", "/api/v1/users/" + std::to_string(UserId("agent_j")),
                 R"({"disabled":true})")
                .status,
            200);
  EXPECT_NE(Ended(by_session, a).find(kUnauthenticated), std::string::npos);
  EXPECT_NE(Ended(by_token, b).find(kUnauthenticated), std::string::npos);
  // Someone else's stream goes on, and sees the next case.
  PushComplaint("@jeanerie", "70003");
  EXPECT_TRUE(WaitFor([&] { return other.Text().find("70003") != std::string::npos; }));
  ASSERT_EQ(Call("admin", "DELETE", "/api/v1/users/" + std::to_string(UserId("manager_j"))).status,
            204);
  EXPECT_NE(Ended(other, c).find(kUnauthenticated), std::string::npos);
  EXPECT_EQ(app_->live().subscribers(), 0);
}

TEST_F(StreamAttackTest, AnExpiredSessionEndsItsStreamOnTime) {
  StartHttp();
  const auto [cookie, csrf] = LogIn("agent_j");
  StreamReader reader;
  std::thread t = StreamWithHeader(base_ + "/api/v1/events", "Cookie: " + cookie, reader);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 1; }));
  // The stream itself is no activity: with nothing else, the session's idle timeout passes.
  clock_.Advance(app_->config().access.idle_session_seconds - 60);
  // Two periodic checks finished: the second began after the clock moved.
  const int64_t rechecks = app_->live().rechecks();
  EXPECT_TRUE(WaitFor([&] { return app_->live().rechecks() >= rechecks + 2; }));
  EXPECT_EQ(app_->live().subscribers(), 1);
  clock_.Advance(61);
  const std::string text = Ended(reader, t);
  EXPECT_NE(text.find(kUnauthenticated), std::string::npos) << text;
}

TEST_F(StreamAttackTest, AStreamEndsAfterItsLifetimeAndTheClientReconnects) {
  StartHttp();
  StreamReader reader;
  std::thread t = Stream(base_ + "/api/v1/events", tokens_["agent_j"], reader);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 1; }));
  clock_.Advance(app_->config().stream_max_seconds);
  const std::string text = Ended(reader, t);
  EXPECT_NE(text.find("event: end\ndata: {\"reason\":\"reconnect\"}\n\n"), std::string::npos)
      << text;
}

TEST_F(StreamAttackTest, AUserMovedToAnotherBrandStopsReceivingTheOldOne) {
  StartHttp();
  StreamReader reader;
  std::thread t = Stream(base_ + "/api/v1/events", tokens_["agent_j"], reader);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 1; }));
  ASSERT_EQ(Call("admin", "PATCH", "/api/v1/users/" + std::to_string(UserId("agent_j")),
                 R"({"brands":["Lunéa"]})")
                .status,
            200);
  // Their token still authenticates: the stream stays open, with the new scope.
  PushComplaint("@jeanerie", "70004");
  PushComplaint("@lunea_rail", "70005");
  ASSERT_TRUE(WaitFor([&] { return reader.Text().find("70005") != std::string::npos; }))
      << reader.Text();
  EXPECT_EQ(reader.Text().find("70004"), std::string::npos) << reader.Text();
  EXPECT_FALSE(reader.ended.load());
  reader.stop = true;
  t.join();
}

TEST_F(StreamAttackTest, ARevokedTokenIsRefusedOnEveryRoute) {
  const std::string token = tokens_["agent_j"];
  ASSERT_EQ(Call("admin", "DELETE", "/api/v1/tokens/" + std::to_string(TokenId("agent_j"))).status,
            204);
  for (const auto& [method, pattern] : ApiRoutes(*app_)) {
    Response r = Call("agent_j", method, Concrete(pattern), "{}");
    EXPECT_EQ(r.status, 401) << method << " " << pattern;
  }
}

// ---- finding 3: webhooks and sources aimed inside ------------------------------------------

TEST_F(AttackTest, WebhooksAndSourcesCannotBeAimedInside) {
  for (const std::string url :
       {"http://127.0.0.1:8080/", "http://localhost/", "http://2130706433/", "http://0x7f000001/",
        "http://0177.0.0.1/", "http://127.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/",
        "http://10.0.0.5/", "http://192.168.1.1/", "http://172.16.0.1/", "http://[fd00::1]/",
        "http://[fe80::1]/", "http://0.0.0.0/", "http://user:pass@hooks.example.com/x",
        "https://token@hooks.example.com/x"}) {
    Response rule = Call("manager_j", "POST", "/api/v1/rules",
                         json({{"name", "r"}, {"brands", {"Jeanerie"}}, {"url", url}}).dump());
    EXPECT_EQ(rule.status, 400) << url << ": " << rule.body;
    Response source =
        Call("admin", "POST", "/api/v1/sources", json({{"url", url}, {"format", "feed"}}).dump());
    EXPECT_EQ(source.status, 400) << url << ": " << source.body;
  }
  // No delivery was attempted anywhere.
  EXPECT_EQ(CallJson("manager_j", "GET", "/api/v1/deliveries")["deliveries"].size(), 0u);
  // A public receiver is accepted; its secret is shown once, then masked entirely.
  Response ok = Call("manager_j", "POST", "/api/v1/rules",
                     R"({"name":"ok","brands":["Jeanerie"],"url":"https://hooks.example.com/x"})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  const std::string secret = json::parse(ok.body)["secret"];
  EXPECT_TRUE(secret.starts_with("whsec_")) << secret;
  const json listed = CallJson("manager_j", "GET", "/api/v1/rules");
  ASSERT_EQ(listed["rules"].size(), 1u);
  const std::string masked = listed["rules"][0]["secret"];
  EXPECT_EQ(masked.find(secret.substr(6, 4)), std::string::npos) << masked;
}

// ---- finding 4: the low ones --------------------------------------------------------------------

TEST_F(AttackTest, SearchHitsListOnlyTheCallersCases) {
  Response pushed = Call("admin", "POST", "/api/v1/posts",
                         R"({"id":"both-1","text":"@jeanerie et @lunea_rail : commande 70010 )"
                         R"(jamais livrée et train annulé, inadmissible","author":"@both"})");
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  const json all = CallJson("admin", "GET", "/api/v1/posts?q=70010")["hits"];
  ASSERT_EQ(all.size(), 1u);
  ASSERT_EQ(all[0]["cases"].size(), 2u) << all[0];  // one case per brand
  const json mine = CallJson("agent_j", "GET", "/api/v1/posts?q=70010")["hits"];
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(mine[0]["cases"].size(), 1u) << mine[0];
  const int64_t seen = mine[0]["cases"][0].get<int64_t>();
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(seen))["case"]["brand"],
            "Jeanerie");
}

TEST_F(AttackTest, AnotherBrandsCaseAndAMissingOneLookAlike) {
  const int64_t lunea = CaseOf("Lunéa");
  const int64_t missing = 999'999;
  Response hidden = Call("agent_j", "GET", "/api/v1/cases/" + std::to_string(lunea));
  Response absent = Call("agent_j", "GET", "/api/v1/cases/" + std::to_string(missing));
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(absent.status, 404);
  auto without_id = [](std::string body, int64_t id) {
    const std::string text = std::to_string(id);
    return body.replace(body.find(text), text.size(), "N");
  };
  EXPECT_EQ(without_id(hidden.body, lunea), without_id(absent.body, missing));
  EXPECT_EQ(hidden.body, R"({"error":{"code":"not_found","message":"no case )" +
                             std::to_string(lunea) + R"("}})");
}

TEST_F(AttackTest, OnlyWebLinksAreStoredAndShown) {
  for (const std::string url : {"javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)",
                                "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x"}) {
    const std::string id = "link-" + std::to_string(url.size());
    Response r = Call("admin", "POST", "/api/v1/posts",
                      R"({"id":")" + id + R"(","text":"@jeanerie colis )" + id +
                          R"( perdu, honteux","author":"@l)" + id + R"(","url":")" + url + R"("})");
    ASSERT_EQ(r.status, 200) << r.body;
    const json hits = CallJson("admin", "GET", "/api/v1/posts?q=" + id)["hits"];
    ASSERT_EQ(hits.size(), 1u) << url;
    EXPECT_EQ(hits[0]["url"], "") << url;
  }
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                 R"({"id":"link-ok","text":"@jeanerie colis linkok perdu","author":"@lok",)"
                 R"("url":"https://blog.example.org/colis"})")
                .status,
            200);
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/posts?q=linkok")["hits"][0]["url"],
            "https://blog.example.org/colis");
}

TEST_F(AttackTest, ControlCharactersCannotFakeHighlights) {
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                 R"({"id":"ctl-1","text":"@jeanerie \u0001faux\u0002 remboursement 70020 )"
                 R"(attendu","author":"@ctl"})")
                .status,
            200);
  const json hits = CallJson("admin", "GET", "/api/v1/posts?q=70020")["hits"];
  ASSERT_EQ(hits.size(), 1u);
  const std::string snippet = hits[0]["snippet"];
  // The one highlight is the word searched for.
  EXPECT_EQ(std::count(snippet.begin(), snippet.end(), '\x01'), 1) << snippet;
  EXPECT_NE(snippet.find("\x01"
                         "70020\x02"),
            std::string::npos)
      << snippet;
  EXPECT_NE(snippet.find(" faux "), std::string::npos) << snippet;
  // Filter-only searches show an excerpt: no marks there either.
  const json filtered = CallJson("admin", "GET", "/api/v1/posts?q=author:@ctl");
  for (const json& hit : filtered["hits"]) {
    const std::string excerpt = hit["snippet"];
    EXPECT_EQ(excerpt.find_first_of("\x01\x02"), std::string::npos) << excerpt;
  }
}

TEST_F(AttackTest, PagingPastTheLimitIsRefusedNotWrapped) {
  for (const char* offset : {"2147483648", "4294967296", "99999999999", "1000001"}) {
    Response r = Call("admin", "GET", std::string("/api/v1/cases?offset=") + offset);
    EXPECT_EQ(r.status, 400) << offset;
    EXPECT_NE(r.body.find("offset: a number from 0 to 1000000"), std::string::npos) << r.body;
  }
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/cases?offset=1000000")["cases"].size(), 0u);
}

TEST_F(AttackTest, GuessablePasswordsAreRefusedWithAReason) {
  for (const std::string password :
       {"password1234", "            ", "azertyuiop12", "aaaaaaaaaaaaaaaa", "123456789012",
        "motdepasse2026", "marie.dupont2026"}) {
    Response r = Call("admin", "POST", "/api/v1/users",
                      json({{"name", "marie.dupont"},
                            {"role", "agent"},
                            {"brands", {"Jeanerie"}},
                            {"password", password}})
                          .dump());
    EXPECT_EQ(r.status, 400) << "\"" << password << "\" was accepted";
    EXPECT_NE(r.body.find("too easy to guess"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("code":"weak_password")"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find(R"("field":"password")"), std::string::npos) << r.body;
  }
  Response strong = Call("admin", "POST", "/api/v1/users",
                         json({{"name", "marie.dupont"},
                               {"role", "agent"},
                               {"brands", {"Jeanerie"}},
                               {"password", "granite lantern harbor"}})
                             .dump());
  EXPECT_EQ(strong.status, 201) << strong.body;
}

}  // namespace
}  // namespace ecoute::server
