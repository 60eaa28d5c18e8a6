// The outbox against loopback platforms speaking the real protocols: Mastodon's REST API and
// Bluesky's XRPC (testing_platforms.h), SMTP with STARTTLS (fetch/testing_smtp_server.h), a
// webhook receiver. Each failure mode ends in a clear state and never in a duplicate.
#include "reply/outbox.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "alerts/alerts.h"
#include "fetch/testing_smtp_server.h"
#include "reply/testing_platforms.h"

namespace ecoute::reply {
namespace {

using nlohmann::json;
using testing::Scripted;

constexpr int64_t kNow = 1795600000;
const std::string kTls = std::string(ECOUTE_TEST_DATA_DIR) + "/test/tls/";

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute-outbox-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    outbox_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    outbox_.reset();
    ReplyOptions options;
    options.fetch.timeout_ms = 700;
    options.fetch.connect_timeout_ms = 500;
    options.fetch.outbound.allow_private = ParseIpRanges({"127.0.0.0/8"}).value();
    options.fetch.ca_file = kTls + "cert.pem";
    options.max_attempts = 3;
    Result<std::unique_ptr<Outbox>> outbox =
        Outbox::Open((dir_ / "e.db").string(), clock_, options);
    ASSERT_TRUE(outbox) << outbox.error().ToString();
    outbox_ = std::move(outbox).value();
    outbox_->find_original = [this](const ReplyRecord&) -> Result<Post> { return original_; };
    outbox_->on_sent = [this](const ReplyRecord& r, const Post& post) {
      recorded_.emplace_back(r, post);
      return OkStatus();
    };
    outbox_->on_error = [this](const Status& s) { errors_.push_back(s.message()); };
  }
  ReplyRecord Reply(const std::string& channel, const std::string& key,
                    const std::string& in_reply_to,
                    const std::string& text = "Bonjour, on s'en occupe.") {
    ReplyRecord r;
    r.case_id = 7;
    r.brand = "Jeanerie";
    r.channel = channel;
    r.in_reply_to = in_reply_to;
    r.text = text;
    r.idempotency_key = key;
    r.actor = "agent:marie";
    return r;
  }
  ReplyRecord QueueAndSend(const ReplyRecord& r) {
    Result<std::pair<ReplyRecord, bool>> queued = outbox_->Queue(r);
    EXPECT_TRUE(queued) << queued.error().ToString();
    if (!queued) return {};
    outbox_->SendDue();
    return outbox_->Get(queued->first.id).value();
  }
  void Mastodon(const testing::FakeMastodon& m) {
    ASSERT_TRUE(outbox_
                    ->SetAccount("Jeanerie", "mastodon",
                                 {{"instance", m.Url()}, {"handle", "@jeanerie"}},
                                 json{{"token", "mastodon-token-1"}}, "admin")
                    .ok());
  }
  void Bluesky(const testing::FakeBluesky& b) {
    ASSERT_TRUE(outbox_
                    ->SetAccount("Jeanerie", "bluesky",
                                 {{"service", b.Url()}, {"handle", "brand.bsky.social"}},
                                 json{{"app_password", "abcd-efgh-ijkl-mnop"}}, "admin")
                    .ok());
  }
  void ExpectNoSecretInErrors() {
    for (const std::string& e : errors_) {
      for (const char* secret : {"mastodon-token-1", "abcd-efgh-ijkl-mnop", "mail password 1"}) {
        EXPECT_EQ(e.find(secret), std::string::npos) << e;
      }
    }
  }

  std::filesystem::path dir_;
  ManualClock clock_{kNow};
  std::unique_ptr<Outbox> outbox_;
  Post original_;
  std::vector<std::pair<ReplyRecord, Post>> recorded_;
  std::vector<std::string> errors_;
};

TEST_F(OutboxTest, RepliesOnMastodonToTheStatusOnTheBrandsInstance) {
  testing::FakeMastodon m;
  Mastodon(m);
  original_.id = "127.0.0.1/statuses/42";
  original_.url = m.Url() + "/@marie/42";
  ReplyRecord r = Reply("mastodon", "k-1", original_.url);
  r.recipient = "@marie";
  const ReplyRecord sent = QueueAndSend(r);
  EXPECT_EQ(sent.status, "sent") << sent.last_error;
  EXPECT_EQ(sent.attempts, 1);
  ASSERT_EQ(m.Statuses().size(), 1u);
  const json status = m.Statuses().at("k-1");
  EXPECT_EQ(status["in_reply_to_id"], "42");  // local: no search needed
  EXPECT_EQ(status["content"], "@marie Bonjour, on s'en occupe.");
  EXPECT_EQ(sent.platform_url, m.Url() + "/@brand/1000");
  EXPECT_TRUE(m.problems().empty()) << m.problems()[0];
  // What the case records is the post the Mastodon reader will read back.
  ASSERT_EQ(recorded_.size(), 1u);
  EXPECT_EQ(recorded_[0].second.id, "127.0.0.1/statuses/1000");
  EXPECT_EQ(recorded_[0].second.source, "mastodon");
  EXPECT_EQ(recorded_[0].second.parent_id, "127.0.0.1/statuses/42");
  EXPECT_EQ(recorded_[0].first.id, sent.id);
}

TEST_F(OutboxTest, ARemoteStatusIsResolvedThroughTheInstancesSearch) {
  testing::FakeMastodon m;
  Mastodon(m);
  const ReplyRecord sent =
      QueueAndSend(Reply("mastodon", "k-2", "https://other.example/@marie/42"));
  EXPECT_EQ(sent.status, "sent") << sent.last_error;
  EXPECT_EQ(m.Statuses().at("k-2")["in_reply_to_id"], "777");
  const auto requests = m.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_TRUE(requests[0].path.starts_with("/api/v2/search?q=https%3A%2F%2Fother.example"));
  EXPECT_EQ(requests[1].headers.at("idempotency-key"), "k-2");
  EXPECT_EQ(requests[1].headers.at("authorization"), "Bearer mastodon-token-1");
}

TEST_F(OutboxTest, TheSameKeyIsTheSameReply) {
  testing::FakeMastodon m;
  Mastodon(m);
  Result<std::pair<ReplyRecord, bool>> first =
      outbox_->Queue(Reply("mastodon", "k-3", m.Url() + "/@m/1"));
  Result<std::pair<ReplyRecord, bool>> again =
      outbox_->Queue(Reply("mastodon", "k-3", m.Url() + "/@m/1"));
  ASSERT_TRUE(first && again);
  EXPECT_TRUE(first->second);
  EXPECT_FALSE(again->second);
  EXPECT_EQ(first->first.id, again->first.id);
  ReplyRecord other_case = Reply("mastodon", "k-3", m.Url() + "/@m/1");
  other_case.case_id = 8;
  EXPECT_EQ(outbox_->Queue(other_case).error().code(), StatusCode::kAlreadyExists);
  outbox_->SendDue();
  outbox_->SendDue();
  EXPECT_EQ(m.Statuses().size(), 1u);
}

TEST_F(OutboxTest, RefusedCredentialsAndValidationFailClearly) {
  testing::FakeMastodon m;
  m.token = "another token";
  Mastodon(m);
  const ReplyRecord refused = QueueAndSend(Reply("mastodon", "k-4", m.Url() + "/@m/1"));
  EXPECT_EQ(refused.status, "failed");
  EXPECT_NE(refused.last_error.find("HTTP 401"), std::string::npos) << refused.last_error;
  EXPECT_NE(refused.last_error.find("new access token"), std::string::npos);

  m.token = "mastodon-token-1";
  m.Script({{422, {}, 0}});
  const ReplyRecord invalid = QueueAndSend(Reply("mastodon", "k-5", m.Url() + "/@m/1"));
  EXPECT_EQ(invalid.status, "failed");
  EXPECT_NE(invalid.last_error.find("HTTP 422 (scripted failure)"), std::string::npos);
  EXPECT_TRUE(m.Statuses().empty());
  ExpectNoSecretInErrors();
}

TEST_F(OutboxTest, RateLimitsHonourRetryAfterAndServerErrorsBackOff) {
  testing::FakeMastodon m;
  Mastodon(m);
  m.Script({{429, {{"Retry-After", "120"}}, 0}, {503, {}, 0}});
  ReplyRecord r = QueueAndSend(Reply("mastodon", "k-6", m.Url() + "/@m/1"));
  EXPECT_EQ(r.status, "queued");
  EXPECT_EQ(r.next_attempt_at, kNow + 120);
  EXPECT_NE(r.last_error.find("rate limited"), std::string::npos);
  EXPECT_EQ(outbox_->SendDue(), 0);  // not due yet
  clock_.Advance(120);
  outbox_->SendDue();
  r = outbox_->Get(r.id).value();
  EXPECT_EQ(r.status, "queued");
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.next_attempt_at, kNow + 120 + 60);  // 30 s doubled
  clock_.Advance(60);
  outbox_->SendDue();
  r = outbox_->Get(r.id).value();
  EXPECT_EQ(r.status, "sent") << r.last_error;
  EXPECT_EQ(m.Statuses().size(), 1u);
}

// Retry-After may also be an HTTP-date (RFC 9110 section 10.2.3): kNow + 300 s here.
TEST_F(OutboxTest, ARetryAfterDateIsHonouredToo) {
  testing::FakeMastodon m;
  Mastodon(m);
  m.Script({{429, {{"Retry-After", "Wed, 25 Nov 2026 09:51:40 GMT"}}, 0}});
  const ReplyRecord r = QueueAndSend(Reply("mastodon", "k-6d", m.Url() + "/@m/1"));
  EXPECT_EQ(r.status, "queued");
  EXPECT_EQ(r.next_attempt_at, kNow + 300);
}

TEST_F(OutboxTest, TimeoutsAndDroppedConnectionsNeverPostTwiceOnMastodon) {
  testing::FakeMastodon m;
  Mastodon(m);
  m.Script({{0, {}, 0}, {200, {}, 1500}});  // made then dropped; made but too slow
  ReplyRecord r = QueueAndSend(Reply("mastodon", "k-7", m.Url() + "/@m/1"));
  EXPECT_EQ(r.status, "queued");  // the Idempotency-Key makes the retry safe
  clock_.Advance(30);
  outbox_->SendDue();
  r = outbox_->Get(r.id).value();
  EXPECT_EQ(r.status, "queued") << r.last_error;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the slow answer is over
  clock_.Advance(60);
  outbox_->SendDue();
  r = outbox_->Get(r.id).value();
  EXPECT_EQ(r.status, "sent") << r.last_error;
  EXPECT_EQ(m.Statuses().size(), 1u);
  EXPECT_EQ(recorded_.size(), 1u);
}

TEST_F(OutboxTest, GivesUpAfterTheLastAttempt) {
  testing::FakeMastodon m;
  Mastodon(m);
  m.Script({{500, {}, 0}, {500, {}, 0}, {500, {}, 0}});
  ReplyRecord r = QueueAndSend(Reply("mastodon", "k-8", m.Url() + "/@m/1"));
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(3600);
    outbox_->SendDue();
  }
  r = outbox_->Get(r.id).value();
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.last_error.find("gave up after 3 attempts"), std::string::npos) << r.last_error;
  ASSERT_TRUE(outbox_->Retry(r.id));
  outbox_->SendDue();
  EXPECT_EQ(outbox_->Get(r.id)->status, "sent");
  EXPECT_EQ(outbox_->Retry(r.id).error().code(), StatusCode::kFailedPrecondition);
}

TEST_F(OutboxTest, RepliesOnBlueskyInTheThreadWithAStableRecordKey) {
  testing::FakeBluesky b;
  Bluesky(b);
  original_.id = "at://did:plc:marie/app.bsky.feed.post/3kabc";
  original_.url = "https://bsky.app/profile/marie.bsky.social/post/3kabc";
  b.Script({{0, {}, 0}});  // made, then the connection drops
  ReplyRecord r = QueueAndSend(Reply("bluesky", "k-9", original_.id));
  EXPECT_EQ(r.status, "queued");
  clock_.Advance(30);
  outbox_->SendDue();
  r = outbox_->Get(r.id).value();
  EXPECT_EQ(r.status, "sent") << r.last_error;
  ASSERT_EQ(b.Records().size(), 1u);  // found by its key, not posted again
  const std::string rkey = BlueskyRecordKey("k-9", kNow);
  EXPECT_EQ(b.Records().count(rkey), 1u);
  EXPECT_EQ(r.platform_id, "at://did:plc:brand/app.bsky.feed.post/" + rkey);
  EXPECT_EQ(r.platform_url, "https://bsky.app/profile/brand.bsky.social/post/" + rkey);
  ASSERT_EQ(recorded_.size(), 1u);
  EXPECT_EQ(recorded_[0].second.id, r.platform_id);  // the reader's id: the AT URI
  EXPECT_EQ(recorded_[0].second.url, r.platform_url);
  EXPECT_TRUE(b.problems().empty()) << b.problems()[0];
}

TEST_F(OutboxTest, BlueskyCountsGraphemesAndRefusesAWrongAppPassword) {
  testing::FakeBluesky b;
  Bluesky(b);
  std::string family;  // one grapheme of 7 code points, 300 times
  for (int i = 0; i < 300; ++i) family += "\U0001F468\u200D\U0001F469\u200D\U0001F467";
  EXPECT_EQ(CountGraphemes(family), 300);
  EXPECT_EQ(CountGraphemes("e\u0301\U0001F1EB\U0001F1F7"), 2);  // é decomposed, a flag
  EXPECT_TRUE(
      outbox_->Queue(Reply("bluesky", "k-10", "at://did:plc:m/app.bsky.feed.post/1", family)));
  EXPECT_EQ(outbox_->Queue(Reply("bluesky", "k-11", "at://x", family + "!")).error().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(outbox_
                  ->SetAccount("Jeanerie", "bluesky",
                               {{"service", b.Url()}, {"handle", "brand.bsky.social"}},
                               json{{"app_password", "wrong-pass-word-xxxx"}}, "admin")
                  .ok());
  outbox_->SendDue();
  const ReplyRecord r = outbox_->ForCase(7)->front();
  EXPECT_EQ(r.status, "failed");
  EXPECT_NE(r.last_error.find("app password"), std::string::npos) << r.last_error;
  EXPECT_EQ(r.last_error.find("wrong-pass-word-xxxx"), std::string::npos);
}

void MailAccount(Outbox& outbox, const testing::SmtpServer& smtp) {
  ASSERT_TRUE(outbox
                  .SetAccount("Jeanerie", "email",
                              {{"smtp_url", smtp.Url()},
                               {"from", "care@example.com"},
                               {"username", "care@example.com"}},
                              json{{"password", "mail password 1"}}, "admin")
                  .ok());
}

TEST_F(OutboxTest, EmailsInTheThreadAndNeverGuessesAfterADrop) {
  testing::SmtpServer smtp(kTls + "cert.pem", kTls + "key.pem");
  MailAccount(*outbox_, smtp);
  original_.title = "Commande 1234 pas reçue";
  ReplyRecord r = Reply("email", "k-12", "<abc@mail.example.org>", "Bonjour Marie,\nc'est réglé.");
  r.recipient = "marie@example.org";
  const ReplyRecord sent = QueueAndSend(r);
  EXPECT_EQ(sent.status, "sent") << sent.last_error;
  EXPECT_EQ(sent.platform_id, MailMessageId("k-12", "care@example.com"));
  const std::string data = smtp.Sessions().back().data;
  EXPECT_NE(data.find("In-Reply-To: <abc@mail.example.org>\r\n"), std::string::npos);
  EXPECT_NE(data.find("References: <abc@mail.example.org>\r\n"), std::string::npos);
  EXPECT_NE(data.find("Message-ID: " + sent.platform_id + "\r\n"), std::string::npos);
  EXPECT_NE(data.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_TRUE(smtp.Sessions().back().tls);

  testing::SmtpBehaviour drop;
  drop.drop_after_data = true;
  smtp.Set(drop);
  r.idempotency_key = "k-13";
  const ReplyRecord dropped = QueueAndSend(r);
  EXPECT_EQ(dropped.status, "uncertain") << dropped.last_error;
  EXPECT_NE(dropped.last_error.find("check the mailbox"), std::string::npos);
  clock_.Advance(86400);
  EXPECT_EQ(outbox_->SendDue(), 0);  // never retried by itself
  ExpectNoSecretInErrors();
}

TEST_F(OutboxTest, AStopMidSendRequeuesWhatDedupesAndLeavesEmailUncertain) {
  testing::FakeMastodon m;
  testing::SmtpServer smtp(kTls + "cert.pem", kTls + "key.pem");
  Mastodon(m);
  MailAccount(*outbox_, smtp);
  ReplyRecord mail = Reply("email", "k-14", "");
  mail.recipient = "marie@example.org";
  const int64_t mail_id = outbox_->Queue(mail)->first.id;
  const int64_t toot_id = outbox_->Queue(Reply("mastodon", "k-15", m.Url() + "/@m/1"))->first.id;
  // As a process stopped mid-send leaves them.
  {
    std::unique_ptr<ReplyTables> tables = OpenReplyTables((dir_ / "e.db").string()).value();
    for (int64_t id : {mail_id, toot_id}) {
      ReplyRecord r = tables->FindReply(id).value();
      r.status = "sending";
      ASSERT_TRUE(*tables->UpdateReply(r, "queued"));
    }
  }
  Reopen();
  outbox_->Start();
  outbox_->Stop();
  EXPECT_EQ(outbox_->Get(mail_id)->status, "uncertain");
  EXPECT_NE(outbox_->Get(toot_id)->status, "sending");
  EXPECT_EQ(smtp.Accepted(), 0);
}

TEST_F(OutboxTest, WebhooksAreSignedAsAlertWebhooks) {
  testing::HttpServer receiver([](const testing::HttpRequest&) {
    return testing::HttpResponse{204, {}, "", 0};
  });
  ASSERT_TRUE(outbox_
                  ->SetAccount("Jeanerie", "webhook", {{"url", receiver.Url("/hook")}},
                               json{{"secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}, "admin")
                  .ok());
  const ReplyRecord sent = QueueAndSend(Reply("webhook", "k-16", ""));
  EXPECT_EQ(sent.status, "sent") << sent.last_error;
  const testing::HttpRequest hook = receiver.Requests().at(0);
  EXPECT_EQ(hook.headers.at("webhook-id"), "k-16");
  EXPECT_EQ(hook.headers.at("webhook-signature"),
            server::StandardWebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "k-16",
                                             std::stoll(hook.headers.at("webhook-timestamp")),
                                             hook.body));
  EXPECT_EQ(json::parse(hook.body)["text"], "Bonjour, on s'en occupe.");
}

TEST_F(OutboxTest, AccountsKeepSecretsSealedAndOutOfLists) {
  ASSERT_TRUE(outbox_
                  ->SetAccount("Jeanerie", "mastodon",
                               {{"instance", "https://mastodon.example"}, {"handle", "@j"}},
                               json{{"token", "mastodon-token-1"}}, "admin")
                  .ok());
  // Settings changed, secrets omitted: kept.
  ASSERT_TRUE(outbox_
                  ->SetAccount("Jeanerie", "mastodon",
                               {{"instance", "https://mastodon.example"}, {"handle", "@j2"}},
                               std::nullopt, "admin")
                  .ok());
  const std::vector<AccountView> accounts = outbox_->ListAccounts("jeanerie").value();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_TRUE(accounts[0].has_secret);
  EXPECT_EQ(accounts[0].settings["handle"], "@j2");
  std::unique_ptr<ReplyTables> tables = OpenReplyTables((dir_ / "e.db").string()).value();
  const ReplyAccount stored = tables->FindAccount("Jeanerie", "mastodon").value();
  EXPECT_EQ(stored.sealed.find("mastodon-token-1"), std::string::npos);
  EXPECT_EQ(stored.settings.find("mastodon-token-1"), std::string::npos);
  // Missing secrets, unknown fields and private addresses are refused.
  EXPECT_FALSE(outbox_
                   ->SetAccount("Lunéa", "mastodon",
                                {{"instance", "https://m.example"}, {"handle", "@l"}}, std::nullopt,
                                "admin")
                   .ok());
  EXPECT_FALSE(outbox_
                   ->SetAccount("Lunéa", "webhook", {{"url", "http://169.254.169.254/"}},
                                json{{"secret", "x"}}, "admin")
                   .ok());
  EXPECT_FALSE(outbox_->SetAccount("Lunéa", "fax", json::object(), json::object(), "admin").ok());
  EXPECT_EQ(outbox_->Queue(Reply("bluesky", "k-17", "at://x")).error().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ecoute::reply
