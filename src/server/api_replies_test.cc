// Replies through the API: accounts (secrets never shown), reply options, sending against a
// loopback Mastodon, live "reply" events scoped by brand, and the access matrix. Every
// answer and every log line of the run is searched for the secrets.
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "reply/testing_platforms.h"
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

const std::string kToken = "mastodon-token-1";

class ReplyApiTest : public ApiTest {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
    spdlog::set_level(spdlog::level::debug);
    ApiTest::SetUp();
  }
  void TearDown() override {
    ApiTest::TearDown();
    spdlog::set_default_logger(previous_);
    for (const std::string& secret :
         {kToken, std::string("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")}) {
      EXPECT_EQ(log_.str().find(secret), std::string::npos) << "a secret in the log";
      for (const std::string& body : answers_) {
        EXPECT_EQ(body.find(secret), std::string::npos) << "a secret in an answer: " << body;
      }
    }
  }
  void Adjust(ServerConfig& config) override {
    config.replies.fetch.outbound.allow_private = {ParseIpRange("127.0.0.0/8").value()};
    config.replies.fetch.timeout_ms = 2000;
  }
  Response Do(const std::string& who, const std::string& method, const std::string& target,
              const std::string& body = "") {
    Response r = Call(who, method, target, body);
    answers_.push_back(r.body);
    return r;
  }
  std::string MastodonAccount(const std::string& url) {
    return json({{"settings", {{"instance", url}, {"handle", "@jeanerie"}}},
                 {"secrets", {{"token", kToken}}}})
        .dump();
  }

  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
  std::vector<std::string> answers_;
};

TEST_F(ReplyApiTest, AccountsAreSetByAdminsAndShownWithoutSecrets) {
  Response put = Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/mastodon",
                    MastodonAccount("https://mastodon.example"));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(json::parse(put.body)["account"]["has_secret"], true);
  for (const char* who : {"agent_j", "manager_j", "admin"}) {
    Response list = Do(who, "GET", "/api/v1/brands/Jeanerie/accounts");
    ASSERT_EQ(list.status, 200) << who;
    EXPECT_EQ(json::parse(list.body)["accounts"].size(), 1u);
  }
  // An agent of another brand sees no account of this one; nobody below admin changes one.
  EXPECT_EQ(Do("agent_l", "GET", "/api/v1/brands/Jeanerie/accounts").status, 404);
  EXPECT_EQ(Do("manager_j", "PUT", "/api/v1/brands/Jeanerie/accounts/mastodon",
               MastodonAccount("https://m.example"))
                .status,
            403);
  EXPECT_EQ(Do("agent_j", "DELETE", "/api/v1/brands/Jeanerie/accounts/mastodon").status, 403);
  // Secrets omitted: kept.
  Response update = Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/mastodon",
                       R"({"settings":{"instance":"https://mastodon.example","handle":"@j2"}})");
  ASSERT_EQ(update.status, 200) << update.body;
  EXPECT_EQ(json::parse(update.body)["account"]["has_secret"], true);
  EXPECT_EQ(Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/webhook",
               R"({"settings":{"url":"http://169.254.169.254/"},"secrets":{"secret":"x"}})")
                .status,
            400);
  EXPECT_EQ(Do("admin", "DELETE", "/api/v1/brands/Jeanerie/accounts/mastodon").status, 204);
  EXPECT_EQ(Do("admin", "DELETE", "/api/v1/brands/Jeanerie/accounts/mastodon").status, 404);
}

TEST_F(ReplyApiTest, AgentsReplyForTheirBrandsOnlyAndViewersSendNothing) {
  testing::HttpServer hook([](const testing::HttpRequest&) {
    return testing::HttpResponse{200, {}, "", 0};
  });
  ASSERT_EQ(Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/webhook",
               json({{"settings", {{"url", hook.Url("/h")}}},
                     {"secrets", {{"secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}}})
                   .dump())
                .status,
            200);
  const std::string base = "/api/v1/cases/" + std::to_string(CaseOf("Jeanerie"));
  Response options = Do("agent_j", "GET", base + "/reply-options");
  ASSERT_EQ(options.status, 200) << options.body;
  bool webhook_available = false;
  const json parsed = json::parse(options.body);
  for (const json& o : parsed["options"]) {
    if (o["channel"] == "webhook") webhook_available = o["available"].get<bool>();
    if (o["channel"] == "bluesky") {
      EXPECT_EQ(o["limit"]["max"], 300);
    }
  }
  EXPECT_TRUE(webhook_available) << options.body;
  const std::string body = R"({"channel":"webhook","text":"Bonjour","idempotency_key":"draft-1"})";
  EXPECT_EQ(Do("viewer_j", "POST", base + "/replies", body).status, 403);
  EXPECT_EQ(Do("agent_l", "POST", base + "/replies", body).status, 404);
  EXPECT_EQ(Do("agent_l", "GET", base + "/replies").status, 404);
  EXPECT_EQ(Do("agent_l", "GET", base + "/reply-options").status, 404);
  Response sent = Do("agent_j", "POST", base + "/replies", body);
  ASSERT_EQ(sent.status, 202) << sent.body;
  const json reply = json::parse(sent.body)["reply"];
  EXPECT_EQ(reply["actor"], "agent:agent_j");
  EXPECT_EQ(reply["status"], "queued");
  // A double click: the same reply.
  Response again = Do("agent_j", "POST", base + "/replies", body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["reply"]["id"], reply["id"]);
  app_->replies().SendDue();
  Response list = Do("viewer_j", "GET", base + "/replies");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body)["replies"][0]["status"], "sent");
  EXPECT_EQ(hook.Requests().size(), 1u);
  const std::string retry =
      "/api/v1/replies/" + std::to_string(reply["id"].get<int64_t>()) + "/retry";
  EXPECT_EQ(Do("agent_l", "POST", retry).status, 404);
  EXPECT_EQ(Do("agent_j", "POST", retry).status, 409);  // sent: nothing to retry
  EXPECT_EQ(Do("agent_j", "POST", base + "/replies",
               R"({"channel":"bluesky","text":"x","idempotency_key":"d2"})")
                .status,
            400);
}

TEST_F(ReplyApiTest, ASentReplyIsRecordedThroughTheCallbackAndStreamedToItsBrandOnly) {
  testing::HttpServer hook([](const testing::HttpRequest&) {
    return testing::HttpResponse{200, {}, "", 0};
  });
  std::vector<std::pair<ReplyRecord, Post>> recorded;
  app_->record_sent_reply = [&](const ReplyRecord& r, const Post& p) {
    recorded.emplace_back(r, p);
    return OkStatus();
  };
  StreamReader jeanerie;
  StreamReader lunea;
  ASSERT_TRUE(app_->Start({.http = true, .background = false}).ok());
  const std::string base_url = "http://127.0.0.1:" + std::to_string(app_->port());
  std::thread a = Stream(base_url + "/api/v1/events", tokens_["agent_j"], jeanerie);
  std::thread b = Stream(base_url + "/api/v1/events", tokens_["agent_l"], lunea);
  ASSERT_TRUE(WaitFor([&] { return app_->live().subscribers() == 2; }));
  ASSERT_EQ(Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/webhook",
               json({{"settings", {{"url", hook.Url("/hook")}}},
                     {"secrets", {{"secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}}})
                   .dump())
                .status,
            200);
  const int64_t case_id = CaseOf("Jeanerie");
  ASSERT_EQ(Do("agent_j", "POST", "/api/v1/cases/" + std::to_string(case_id) + "/replies",
               R"({"channel":"webhook","text":"Bonjour","idempotency_key":"draft-9"})")
                .status,
            202);
  app_->replies().SendDue();
  EXPECT_TRUE(WaitFor([&] { return jeanerie.Text().find("event: reply") != std::string::npos; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(lunea.Text().find("event: reply"), std::string::npos);
  jeanerie.stop = true;
  lunea.stop = true;
  a.join();
  b.join();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].first.case_id, case_id);
  EXPECT_EQ(recorded[0].second.source, "webhook");
}

// Without a test's callback, a sent reply goes through the ingest path: it joins its case at
// once as the brand's reply (an observed response, "replied" by the agent), and the same
// status read back from the platform later, by its id or by its URL, is not stored twice.
TEST_F(ReplyApiTest, ASentMastodonReplyIsTheObservedResponseAndIsRecognisedWhenReadBack) {
  testing::FakeMastodon m;
  ASSERT_TRUE(app_->Start({.http = false, .background = false}).ok());
  const Response customer =
      Do("admin", "POST", "/api/v1/posts",
         json({{"id", "social.example/statuses/55"},
               {"source", "mastodon"},
               {"url", "https://social.example/@client/55"},
               {"text", "@jeanerie mon jean est arrivé déchiré, inadmissible"},
               {"lang", "fr"},
               {"published_at", "2026-11-20T08:00:00Z"},
               {"author", {{"handle", "@client@social.example"}}}})
             .dump());
  ASSERT_EQ(customer.status, 200) << customer.body;
  const json opened = json::parse(customer.body)["cases"];
  ASSERT_EQ(opened.size(), 1u) << customer.body;
  const int64_t case_id = opened[0].get<int64_t>();
  const std::string base = "/api/v1/cases/" + std::to_string(case_id);
  ASSERT_EQ(
      Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/mastodon", MastodonAccount(m.Url()))
          .status,
      200);
  Response sent = Do("agent_j", "POST", base + "/replies",
                     R"({"channel":"mastodon","text":"Désolés ! Écrivez-nous en privé.",)"
                     R"("idempotency_key":"draft-m1"})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  const json options = CallJson("agent_j", "GET", base + "/reply-options");
  for (const json& o : options["options"]) {
    if (o["channel"] == "mastodon") {
      EXPECT_EQ(o.value("account_name", ""), "@jeanerie") << o;
    }
  }
  app_->replies().SendDue();
  EXPECT_TRUE(m.problems().empty()) << m.problems().front();
  ASSERT_EQ(m.Statuses().size(), 1u);
  EXPECT_EQ(m.Statuses().begin()->second["in_reply_to_id"], m.remote_status_id);

  const json detail = CallJson("agent_j", "GET", base);
  EXPECT_EQ(detail["case"]["response_kind"], "observed");
  EXPECT_EQ(detail["case"]["status"], "acknowledged");
  ASSERT_EQ(detail["posts"].size(), 2u);
  const json reply = detail["posts"][1];
  EXPECT_EQ(reply["role"], "brand_reply");
  // Mastodon shows a reply to the customer only with their handle in it.
  EXPECT_EQ(reply["text"], "@client@social.example Désolés ! Écrivez-nous en privé.");
  bool replied_event = false;
  for (const json& e : detail["events"]) {
    replied_event |= e["kind"] == "replied" && e["actor"] == "agent:agent_j";
  }
  EXPECT_TRUE(replied_event) << detail["events"].dump();
  const json listed = CallJson("agent_j", "GET", base + "/replies");
  EXPECT_EQ(listed["replies"][0]["status"], "sent");
  EXPECT_EQ(listed["replies"][0]["platform_url"], reply["url"]);

  // Read back from the platform: by its id, then by its URL from another instance.
  json back = {{"id", reply["ext_id"]},
               {"source", "mastodon"},
               {"url", reply["url"]},
               {"text", reply["text"]},
               {"author", {{"handle", "@jeanerie"}}},
               {"parent_id", "social.example/statuses/55"}};
  for (const char* id : {"", "social.example/statuses/9001"}) {
    if (*id != '\0') back["id"] = id;
    const Response again = Do("admin", "POST", "/api/v1/posts", back.dump());
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json::parse(again.body)["new"], 0) << id << ": " << again.body;
  }
  EXPECT_EQ(CallJson("agent_j", "GET", base)["posts"].size(), 2u);
}

// Reply options come from what is known of the posts: the reader that made each (not the
// shape of its id), the author's address, the contact routes found beside a blog post.
TEST_F(ReplyApiTest, ReplyOptionsComeFromTheSourcesAndTheContactRoutes) {
  testing::FakeMastodon m;
  const json blog = {
      {"id", "https://blog.example/2026/11/jean-dechire"},
      {"source", "html"},
      {"url", "https://blog.example/2026/11/jean-dechire"},
      {"title", "Jeanerie : mon jean déchiré"},
      {"text", "@jeanerie mon jean est arrivé déchiré, inadmissible, et personne ne répond."},
      {"lang", "fr"},
      {"published_at", "2026-11-20T08:00:00Z"},
      {"author", {{"name", "Jane"}}},
      {"contacts",
       {{{"kind", "email"}, {"value", "jane@blog.example"}},
        {{"kind", "mastodon"}, {"value", "@jane@social.example"}},
        {{"kind", "x"}, {"value", "@jane"}},
        {{"kind", "contact_page"}, {"value", "https://blog.example/contact"}},
        {{"kind", "website"}, {"value", "https://blog.example/"}}}}};
  const Response pushed = Do("admin", "POST", "/api/v1/posts", blog.dump());
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  ASSERT_EQ(json::parse(pushed.body)["cases"].size(), 1u) << pushed.body;
  const int64_t case_id = json::parse(pushed.body)["cases"][0].get<int64_t>();
  const std::string base = "/api/v1/cases/" + std::to_string(case_id);
  EXPECT_EQ(CallJson("agent_j", "GET", base)["posts"][0]["source"], "html");
  ASSERT_EQ(
      Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/mastodon", MastodonAccount(m.Url()))
          .status,
      200);
  const json mastodon_only = json::parse(Do("agent_j", "GET", base + "/reply-options").body);
  const json expected_contacts = {
      {{"kind", "email"}, {"value", "jane@blog.example"}, {"allows", json::array()}},
      {{"kind", "mastodon"}, {"value", "@jane@social.example"}, {"allows", {"reply_mastodon"}}},
      {{"kind", "x"}, {"value", "@jane"}, {"allows", json::array()}},
      {{"kind", "contact_page"}, {"value", "https://blog.example/contact"}, {"allows", {"visit"}}},
      {{"kind", "website"}, {"value", "https://blog.example/"}, {"allows", {"visit"}}}};
  EXPECT_EQ(mastodon_only["contacts"], expected_contacts);
  const json expected_options = {
      {{"channel", "mastodon"},
       {"available", true},
       {"account", true},
       {"account_name", "@jeanerie"},
       {"recipient", "@jane@social.example"},
       {"in_reply_to", ""},
       {"limit", {{"max", 500}, {"unit", "characters"}}},
       {"why_not", ""}},
      {{"channel", "bluesky"},
       {"available", false},
       {"account", false},
       {"recipient", ""},
       {"in_reply_to", ""},
       {"limit", {{"max", 300}, {"unit", "graphemes"}}},
       {"why_not", "the customer did not write on bluesky"}},
      {{"channel", "email"},
       {"available", false},
       {"account", false},
       {"recipient", "jane@blog.example"},
       {"in_reply_to", ""},
       {"limit", nullptr},
       {"why_not", "no email account for Jeanerie: an admin adds one in Settings"}},
      {{"channel", "webhook"},
       {"available", false},
       {"account", false},
       {"recipient", "Jane"},
       {"in_reply_to", "https://blog.example/2026/11/jean-dechire"},
       {"limit", nullptr},
       {"why_not", "no webhook account for Jeanerie: an admin adds one in Settings"}}};
  EXPECT_EQ(mastodon_only["options"], expected_options);
  ASSERT_EQ(Do("admin", "PUT", "/api/v1/brands/Jeanerie/accounts/email",
               json({{"settings",
                      {{"smtp_url", "smtp://127.0.0.1:2525"},
                       {"from", "service@jeanerie.example"},
                       {"username", "service"}}},
                     {"secrets", {{"password", "mail-password"}}}})
                   .dump())
                .status,
            200);
  const json both = json::parse(Do("agent_j", "GET", base + "/reply-options").body);
  EXPECT_EQ(both["contacts"][0]["allows"], json({"reply_email"}));
  EXPECT_EQ(both["options"][2]["available"], true);

  // A Mastodon reply with no status to answer: a public post that mentions the handle.
  ASSERT_TRUE(app_->Start({.http = false, .background = false}).ok());
  const Response sent = Do("agent_j", "POST", base + "/replies",
                           R"({"channel":"mastodon","text":"Bonjour Jane, écrivez-nous.",)"
                           R"("idempotency_key":"mention-1"})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  app_->replies().SendDue();
  EXPECT_TRUE(m.problems().empty());
  ASSERT_EQ(m.Statuses().size(), 1u);
  const json status = m.Statuses().begin()->second;
  EXPECT_EQ(status["content"], "@jane@social.example Bonjour Jane, écrivez-nous.");
  EXPECT_EQ(status["in_reply_to_id"], "");
  EXPECT_EQ(CallJson("agent_j", "GET", base + "/replies")["replies"][0]["status"], "sent");
  EXPECT_EQ(CallJson("agent_j", "GET", base)["case"]["response_kind"], "observed");
}

// A mail read by any door is answered by e-mail: its Message-ID is what the reply answers,
// its author's address the recipient; a Mastodon status is known by its source whatever
// its id looks like.
TEST_F(ReplyApiTest, AMailAndAStatusAreKnownByTheirSource) {
  const json mail = {{"id", "<4f2a@mail.example>"},
                     {"source", "email"},
                     {"title", "Jean déchiré"},
                     {"text", "Bonjour Jeanerie, mon jean est arrivé déchiré, inadmissible."},
                     {"lang", "fr"},
                     {"published_at", "2026-11-20T08:00:00Z"},
                     {"author", {{"handle", "client@mail.example"}}}};
  const json status = {{"id", "109876"},
                       {"source", "mastodon"},
                       {"url", "https://social.example/@client2/109876"},
                       {"text", "@jeanerie mon jean est arrivé déchiré, inadmissible"},
                       {"lang", "fr"},
                       {"published_at", "2026-11-20T09:00:00Z"},
                       {"author", {{"handle", "client2@social.example"}}}};
  for (const json& post : {mail, status}) {
    const Response pushed = Do("admin", "POST", "/api/v1/posts", post.dump());
    ASSERT_EQ(pushed.status, 200) << pushed.body;
    const json cases = json::parse(pushed.body)["cases"];
    ASSERT_EQ(cases.size(), 1u) << pushed.body;
    const json options = json::parse(
        Do("agent_j", "GET",
           "/api/v1/cases/" + std::to_string(cases[0].get<int64_t>()) + "/reply-options")
            .body);
    const json& by_mail = options["options"][2];
    const json& on_mastodon = options["options"][0];
    if (post["source"] == "email") {
      EXPECT_EQ(by_mail["in_reply_to"], "<4f2a@mail.example>");
      EXPECT_EQ(by_mail["recipient"], "client@mail.example");
      EXPECT_EQ(on_mastodon["why_not"],
                "the customer did not write on mastodon and left no Mastodon handle");
    } else {
      EXPECT_EQ(on_mastodon["in_reply_to"], "https://social.example/@client2/109876");
      EXPECT_EQ(on_mastodon["recipient"], "@client2@social.example");
      EXPECT_EQ(by_mail["recipient"], "");
      EXPECT_EQ(by_mail["why_not"], "no email account for Jeanerie: an admin adds one in Settings");
    }
    EXPECT_EQ(options["contacts"], json::array());
  }
}

}  // namespace
}  // namespace ecoute::server
