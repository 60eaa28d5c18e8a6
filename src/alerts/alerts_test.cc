// Alert rules and webhook delivery against a real SQLite file and a real receiver on
// loopback; a ManualClock moves time, and jitter is off so that every backoff is exact.
#include "alerts/alerts.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fetch/testing_http_server.h"
#include "fetch/testing_smtp_server.h"
#include "store/sqlite/testing.h"
#include "util/testing_event_counter.h"

namespace ecoute::server {
namespace {

constexpr int64_t kT0 = 1767603600;  // 2026-01-05T09:00:00Z
const std::string kSecret = "0123456789abcdef0123456789abcdef";

using Received = testing::HttpRequest;

// A webhook receiver on 127.0.0.1 answering each request with the status the handler
// returns, after `delay_ms` when set.
class Receiver {
 public:
  explicit Receiver(std::function<int(const Received&)> handler)
      : server_([this, handler = std::move(handler)](const Received& request) {
          testing::HttpResponse response;
          response.status = handler(request);
          response.delay_ms = delay_ms.load();
          response.body = "ok";
          return response;
        }) {}
  std::string Url(const std::string& path) const { return server_.Url(path); }
  std::vector<Received> Requests() { return server_.Requests(); }
  std::atomic<int> delay_ms{0};

 private:
  testing::HttpServer server_;  // after delay_ms, which its thread reads
};

// A port on loopback where nothing listens.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

AlertEvent Opened(int64_t case_id, std::string brand = "Fnac", int priority = 80) {
  AlertEvent event;
  event.kind = "case.opened";
  event.case_id = case_id;
  event.brand = std::move(brand);
  event.stance = Stance::kComplaint;
  event.topics = {Topic::kDelivery};
  event.priority = priority;
  event.title = "Colis jamais arrivé";
  event.url = "https://social.example/@marie/1";
  event.customer = "@marie";
  event.at = kT0;
  return event;
}

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_alerts_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ecoute.db").string();
    options_.jitter = 0;
    options_.max_attempts = 4;
    options_.timeout_ms = 2000;
    // The receivers are on loopback, which the outbound policy refuses unless told.
    options_.outbound.allow_private = ParseIpRanges({"127.0.0.0/8"}).value();
    Open();
  }
  void TearDown() override {
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    engine_.reset();
    Result<std::unique_ptr<AlertEngine>> opened = AlertEngine::Open(path_, clock_, options_);
    ASSERT_TRUE(opened) << opened.error().ToString();
    engine_ = std::move(opened).value();
  }

  AlertRule Rule(const std::string& url) {
    AlertRule rule;
    rule.name = "support";
    rule.target = {url, kSecret};
    Result<AlertRule> created = engine_->CreateRule(rule);
    EXPECT_TRUE(created) << created.error().ToString();
    return created ? *created : AlertRule{};
  }

  Delivery Only() {
    Result<std::vector<Delivery>> all = engine_->ListDeliveries(std::nullopt, 10);
    EXPECT_TRUE(all && all->size() == 1);
    return all && !all->empty() ? all->front() : Delivery{};
  }

  std::filesystem::path dir_;
  std::string path_;
  ManualClock clock_{kT0};
  AlertOptions options_;
  std::unique_ptr<AlertEngine> engine_;
};

TEST(WebhookSignatureTest, HmacSha256MatchesRfc4231) {
  // Test case 2: a key shorter than the block.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block, hashed first.
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // The signature covers "<timestamp>.<body>".
  EXPECT_EQ(WebhookSignature("Jefe", 1767603600, "{}"),
            "sha256=" + HmacSha256Hex("Jefe", "1767603600.{}"));
  EXPECT_NE(WebhookSignature("Jefe", 1767603601, "{}"), WebhookSignature("Jefe", 1767603600, "{}"));
  // The worked example of docs/ALERTS.md, also checked there with Python and openssl.
  EXPECT_EQ(WebhookSignature(kSecret, 1767607200, "{\"hello\":\"ecoute\"}"),
            "sha256=007cc86551b3fac6673acf0a71be267045420995646539a39b44097c40efe284");
}

TEST(WebhookSignatureTest, MatchesTheStandardWebhooksReferenceVector) {
  // The test vector of the reference libraries (standard-webhooks, libraries/go
  // webhook_test.go TestWebhookSign), checked independently with Python's hmac and with
  // `openssl dgst -sha256 -mac HMAC` on the decoded key.
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  EXPECT_EQ(StandardWebhookSignature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                     R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  // The key is the base64 after the prefix, decoded: 24 bytes here.
  ASSERT_TRUE(WebhookKey(secret).has_value());
  EXPECT_EQ(WebhookKey(secret)->size(), 24u);
  // Without the prefix, the secret's bytes are the key (ecoute 0.1's secrets).
  EXPECT_EQ(WebhookKey(kSecret), kSecret);
  EXPECT_EQ(StandardWebhookSignature(kSecret, "id", 1, "{}"),
            StandardWebhookSignature("whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "id", 1,
                                     "{}"));
  // Padding is optional; what is not base64 is no key.
  EXPECT_EQ(WebhookKey("whsec_YWJjZA=="), "abcd");
  EXPECT_EQ(WebhookKey("whsec_YWJjZA"), "abcd");
  EXPECT_FALSE(WebhookKey("whsec_not base64!").has_value());
  // Every part is signed: the id, the timestamp and the body.
  const std::string base = StandardWebhookSignature(secret, "a", 1, "{}");
  EXPECT_NE(StandardWebhookSignature(secret, "b", 1, "{}"), base);
  EXPECT_NE(StandardWebhookSignature(secret, "a", 2, "{}"), base);
  EXPECT_NE(StandardWebhookSignature(secret, "a", 1, "{ }"), base);
}

TEST(WebhookSignatureTest, SecretsAreMaskedWhateverTheirLength) {
  EXPECT_EQ(MaskSecret(kSecret), "••••••••");
  EXPECT_EQ(MaskSecret("short"), "••••••••");
  EXPECT_EQ(MaskSecret(std::string(200, 'k')), "••••••••");
  EXPECT_EQ(MaskSecret(""), "••••••••");
  EXPECT_EQ(MaskSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "whsec_••••••••");
  EXPECT_EQ(MaskSecret("whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="), "whsec_••••••••");
}

TEST(WebhookBodyTest, ASpikeHasNoCase) {
  AlertEvent spike;
  spike.kind = "spike";
  spike.brand = "Fnac";
  spike.at = kT0;
  spike.detail = "41 complaints in an hour (usually 3)";
  const std::string body = WebhookBody(spike, "k", nullptr);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body;
  EXPECT_TRUE(doc["case"].is_null());
  EXPECT_TRUE(doc["rule"].is_null());
  EXPECT_EQ(std::string_view(doc["time"]), "2026-01-05T09:00:00Z");
  EXPECT_EQ(std::string_view(doc["detail"]), "41 complaints in an hour (usually 3)");
}

TEST_F(AlertsTest, ADeliveryIsSignedAndCarriesTheEventAsJson) {
  Receiver receiver([](const Received&) { return 200; });
  const AlertRule rule = Rule(receiver.Url("/hook"));
  std::vector<double> latencies;
  engine_->on_delivered = [&](double seconds) { latencies.push_back(seconds); };
  Result<int> queued = engine_->Publish(Opened(42));
  ASSERT_TRUE(queued) << queued.error().ToString();
  EXPECT_EQ(*queued, 1);
  EXPECT_EQ(engine_->PendingCount(), 1);
  clock_.Advance(7);
  EXPECT_EQ(engine_->DeliverDue(), 1);

  const std::vector<Received> got = receiver.Requests();
  ASSERT_EQ(got.size(), 1u);
  const Received& r = got.front();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/hook");
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("user-agent"), "ecoute-webhook/0.1");
  EXPECT_EQ(r.headers.at("x-ecoute-event"), "case.opened");
  EXPECT_EQ(r.headers.at("x-ecoute-delivery"), DedupeKey(Opened(42), &rule, rule.target.url));
  EXPECT_EQ(r.headers.at("x-ecoute-delivery").size(), 32u);
  EXPECT_EQ(r.headers.at("x-ecoute-timestamp"), std::to_string(kT0 + 7));
  EXPECT_EQ(r.headers.at("x-ecoute-signature"), WebhookSignature(kSecret, kT0 + 7, r.body));
  EXPECT_EQ(r.headers.at("webhook-id"), r.headers.at("x-ecoute-delivery"));
  EXPECT_EQ(r.headers.at("webhook-timestamp"), std::to_string(kT0 + 7));
  EXPECT_EQ(r.headers.at("webhook-signature"),
            StandardWebhookSignature(kSecret, r.headers.at("webhook-id"), kT0 + 7, r.body));

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  EXPECT_EQ(std::string_view(doc["event"]), "case.opened");
  EXPECT_EQ(std::string_view(doc["delivery"]), r.headers.at("x-ecoute-delivery"));
  EXPECT_EQ(int64_t(doc["at"]), kT0);
  EXPECT_EQ(std::string_view(doc["brand"]), "Fnac");
  EXPECT_EQ(int64_t(doc["case"]["id"]), 42);
  EXPECT_EQ(std::string_view(doc["case"]["stance"]), "complaint");
  EXPECT_EQ(std::string_view(doc["case"]["topics"].at(0)), "delivery");
  EXPECT_EQ(int64_t(doc["case"]["priority"]), 80);
  EXPECT_EQ(std::string_view(doc["case"]["customer"]), "@marie");
  EXPECT_EQ(int64_t(doc["rule"]["id"]), rule.id);
  EXPECT_EQ(std::string_view(doc["rule"]["name"]), "support");

  const Delivery d = Only();
  EXPECT_EQ(d.state, DeliveryState::kDelivered);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.delivered_at, kT0 + 7);
  EXPECT_EQ(d.rule_id, rule.id);
  EXPECT_EQ(d.case_id, 42);
  EXPECT_EQ(d.event_kind, "case.opened");
  EXPECT_EQ(engine_->PendingCount(), 0);
  EXPECT_EQ(engine_->counters().delivered, 1);
  EXPECT_EQ(engine_->counters().queued, 1);
  EXPECT_EQ(latencies, std::vector<double>{7});
  EXPECT_EQ(engine_->DeliverDue(), 0);  // delivered once
}

TEST_F(AlertsTest, AReceiverFailingTwiceGetsItOnTheThirdAttemptAfterBackoff) {
  std::atomic<int> calls{0};
  Receiver receiver([&](const Received&) { return ++calls <= 2 ? 500 : 200; });
  Rule(receiver.Url("/hook"));
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  EXPECT_EQ(engine_->DeliverDue(), 1);  // fails at T0: next at T0 + 5
  Delivery d = Only();
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_error, "HTTP 500");
  EXPECT_EQ(d.next_attempt_at, kT0 + 5);

  clock_.Set(kT0 + 4);
  EXPECT_EQ(engine_->DeliverDue(), 0);
  clock_.Set(kT0 + 5);
  EXPECT_EQ(engine_->DeliverDue(), 1);  // fails again: next after 10 s
  d = Only();
  EXPECT_EQ(d.attempts, 2);
  EXPECT_EQ(d.next_attempt_at, kT0 + 15);

  clock_.Set(kT0 + 14);
  EXPECT_EQ(engine_->DeliverDue(), 0);
  clock_.Set(kT0 + 15);
  EXPECT_EQ(engine_->DeliverDue(), 1);
  d = Only();
  EXPECT_EQ(d.state, DeliveryState::kDelivered);
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(d.delivered_at, kT0 + 15);
  EXPECT_EQ(receiver.Requests().size(), 3u);
  // Each attempt is signed anew with its own time; the body and the key stay.
  const std::vector<Received> got = receiver.Requests();
  EXPECT_EQ(got[0].headers.at("x-ecoute-timestamp"), std::to_string(kT0));
  EXPECT_EQ(got[2].headers.at("x-ecoute-timestamp"), std::to_string(kT0 + 15));
  EXPECT_EQ(got[0].body, got[2].body);
  EXPECT_EQ(got[0].headers.at("x-ecoute-delivery"), got[2].headers.at("x-ecoute-delivery"));
  // Standard Webhooks: the id is the same on every attempt, the timestamp is the attempt's.
  EXPECT_EQ(got[0].headers.at("webhook-id"), got[2].headers.at("webhook-id"));
  EXPECT_EQ(got[0].headers.at("webhook-timestamp"), std::to_string(kT0));
  EXPECT_EQ(got[2].headers.at("webhook-timestamp"), std::to_string(kT0 + 15));
  EXPECT_NE(got[0].headers.at("webhook-signature"), got[2].headers.at("webhook-signature"));
  EXPECT_EQ(engine_->counters().failed_attempts, 2);
  EXPECT_EQ(engine_->counters().delivered, 1);
}

TEST_F(AlertsTest, BackoffDoublesUpToItsCapAndJitterStaysWithinTenPercent) {
  options_.max_attempts = 20;
  options_.max_backoff_seconds = 40;
  options_.jitter = 0.1;
  Open();
  Rule("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook");
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  // 5, 10, 20, 40, 40: each within [delay, delay * 1.1].
  for (const int64_t delay : {5, 10, 20, 40, 40}) {
    const int64_t now = clock_.Now();
    EXPECT_EQ(engine_->DeliverDue(), 1);
    const Delivery d = Only();
    EXPECT_GE(d.next_attempt_at, now + delay);
    EXPECT_LE(d.next_attempt_at, now + delay + delay / 10);
    clock_.Set(d.next_attempt_at);
  }
}

TEST_F(AlertsTest, AlwaysFailingIsDeadAfterMaxAttemptsAndRetryRevivesIt) {
  std::atomic<int> status{503};
  Receiver receiver([&](const Received&) { return status.load(); });
  Rule(receiver.Url("/hook/secret-token"));
  std::vector<Status> errors;
  engine_->on_error = [&](const Status& status) { errors.push_back(status); };
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(engine_->DeliverDue(), 1) << "attempt " << i + 1;
    clock_.Advance(3600);
  }
  EXPECT_EQ(engine_->DeliverDue(), 0);
  Result<std::vector<Delivery>> dead = engine_->ListDeliveries(DeliveryState::kDead, 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().attempts, 4);
  EXPECT_EQ(dead->front().last_error, "HTTP 503");
  EXPECT_EQ(engine_->ListDeliveries(DeliveryState::kPending, 10)->size(), 0u);
  EXPECT_EQ(engine_->counters().dead, 1);
  EXPECT_EQ(engine_->counters().failed_attempts, 4);
  EXPECT_EQ(engine_->PendingCount(), 0);
  // Told once, naming the receiver's origin but not its path.
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), StatusCode::kUnavailable);
  EXPECT_NE(
      errors[0].message().find("to " + receiver.Url("") + " is dead after 4 attempt(s): HTTP 503"),
      std::string::npos)
      << errors[0].message();
  EXPECT_EQ(errors[0].message().find("secret-token"), std::string::npos);

  status = 200;
  ASSERT_TRUE(engine_->Retry(dead->front().id).ok());
  EXPECT_EQ(engine_->PendingCount(), 1);
  EXPECT_EQ(engine_->DeliverDue(), 1);
  EXPECT_EQ(Only().state, DeliveryState::kDelivered);
  EXPECT_EQ(receiver.Requests().size(), 5u);
  EXPECT_EQ(engine_->Retry(dead->front().id).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(engine_->Retry(999).code(), StatusCode::kNotFound);
}

TEST_F(AlertsTest, GoneIsDeadAtOnce) {
  Receiver receiver([](const Received&) { return 410; });
  Rule(receiver.Url("/hook"));
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  EXPECT_EQ(engine_->DeliverDue(), 1);
  const Delivery d = Only();
  EXPECT_EQ(d.state, DeliveryState::kDead);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_error, "HTTP 410");
}

TEST_F(AlertsTest, AnUnreachableReceiverIsAFailedAttemptThatSaysWhy) {
  Rule("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook");
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  EXPECT_EQ(engine_->DeliverDue(), 1);
  const Delivery d = Only();
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_error, "cannot connect: Connection refused");
  EXPECT_EQ(engine_->counters().failed_attempts, 1);
}

TEST_F(AlertsTest, ASlowReceiverTimesOut) {
  options_.timeout_ms = 200;
  Open();
  Receiver receiver([](const Received&) { return 200; });
  receiver.delay_ms = 1000;
  Rule(receiver.Url("/hook"));
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  EXPECT_EQ(engine_->DeliverDue(), 1);
  const Delivery d = Only();
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.last_error, "timeout after 200 ms");
}

TEST_F(AlertsTest, TheSameEventIsQueuedOnce) {
  Rule("https://hooks.example.com/a");
  EXPECT_EQ(*engine_->Publish(Opened(1)), 1);
  EXPECT_EQ(*engine_->Publish(Opened(1)), 0);
  EXPECT_EQ(*engine_->Publish(Opened(2)), 1);  // another case
  AlertEvent escalated = Opened(1);
  escalated.kind = "case.escalated";
  escalated.escalation_level = 1;
  const std::vector<WebhookTarget> contacts = {{"https://hooks.example.com/boss", kSecret}};
  EXPECT_EQ(*engine_->Notify(escalated, contacts), 1);
  EXPECT_EQ(*engine_->Notify(escalated, contacts), 0);
  escalated.escalation_level = 2;  // the next level is another event
  EXPECT_EQ(*engine_->Notify(escalated, contacts), 1);
  AlertEvent reopened = Opened(1);
  reopened.kind = "case.reopened";
  EXPECT_EQ(*engine_->Publish(reopened), 1);
  reopened.at += 86400;  // reopened again, a day later
  EXPECT_EQ(*engine_->Publish(reopened), 1);
  EXPECT_EQ(engine_->PendingCount(), 6);
  EXPECT_EQ(engine_->counters().queued, 6);
  // A target must be valid, or nothing is queued.
  EXPECT_EQ(engine_->Notify(escalated, {{"ftp://x", kSecret}}).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Notify(escalated, {{"https://x.example", "short"}}).error().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(AlertsTest, RulesMatchOnBrandStanceTopicPriorityKindAndEnabled) {
  struct Case {
    const char* what;
    std::function<void(AlertRule&)> rule;
    std::function<void(AlertEvent&)> event;
    bool matches;
  };
  const std::vector<Case> cases = {
      {"any", [](AlertRule&) {}, [](AlertEvent&) {}, true},
      {"brand, other case", [](AlertRule& r) { r.brands = {"FNAC"}; }, [](AlertEvent&) {}, true},
      {"other brand", [](AlertRule& r) { r.brands = {"Darty"}; }, [](AlertEvent&) {}, false},
      {"one of the brands",
       [](AlertRule& r) {
         r.brands = {"Darty", "fnac"};
       },
       [](AlertEvent&) {}, true},
      {"stance", [](AlertRule& r) { r.stances = {Stance::kComplaint}; }, [](AlertEvent&) {}, true},
      {"other stance", [](AlertRule& r) { r.stances = {Stance::kQuestion}; }, [](AlertEvent&) {},
       false},
      {"one topic in common",
       [](AlertRule& r) {
         r.topics = {Topic::kBilling, Topic::kDelivery};
       },
       [](AlertEvent& e) {
         e.topics = {Topic::kDelay, Topic::kDelivery};
       },
       true},
      {"no topic in common", [](AlertRule& r) { r.topics = {Topic::kBilling}; }, [](AlertEvent&) {},
       false},
      {"a topic on an event without", [](AlertRule& r) { r.topics = {Topic::kBilling}; },
       [](AlertEvent& e) { e.topics.clear(); }, false},
      {"priority reached", [](AlertRule& r) { r.min_priority = 80; }, [](AlertEvent&) {}, true},
      {"priority below", [](AlertRule& r) { r.min_priority = 81; }, [](AlertEvent&) {}, false},
      {"disabled", [](AlertRule& r) { r.enabled = false; }, [](AlertEvent&) {}, false},
      {"reopened goes with opened", [](AlertRule&) {},
       [](AlertEvent& e) { e.kind = "case.reopened"; }, true},
      {"opened not wanted", [](AlertRule& r) { r.on_case_opened = false; }, [](AlertEvent&) {},
       false},
      {"escalation not wanted", [](AlertRule&) {}, [](AlertEvent& e) { e.kind = "case.escalated"; },
       false},
      {"escalation wanted", [](AlertRule& r) { r.on_escalation = true; },
       [](AlertEvent& e) { e.kind = "case.escalated"; }, true},
      {"spike not wanted", [](AlertRule&) {}, [](AlertEvent& e) { e.kind = "spike"; }, false},
      {"spike: only the brand filters",
       [](AlertRule& r) {
         r.on_spike = true;
         r.min_priority = 90;
         r.stances = {Stance::kQuestion};
       },
       [](AlertEvent& e) { e.kind = "spike"; }, true},
      {"spike of another brand",
       [](AlertRule& r) {
         r.on_spike = true;
         r.brands = {"Darty"};
       },
       [](AlertEvent& e) { e.kind = "spike"; }, false},
  };
  int64_t case_id = 0;
  for (const Case& c : cases) {
    AlertRule rule;
    rule.name = c.what;
    rule.target = {"https://hooks.example.com/x", kSecret};
    c.rule(rule);
    Result<AlertRule> created = engine_->CreateRule(rule);
    ASSERT_TRUE(created) << created.error().ToString();
    AlertEvent event = Opened(++case_id);
    c.event(event);
    Result<int> queued = engine_->Publish(event);
    ASSERT_TRUE(queued);
    EXPECT_EQ(*queued, c.matches ? 1 : 0) << c.what;
    ASSERT_TRUE(engine_->DeleteRule(created->id).ok());
  }
}

TEST_F(AlertsTest, RulesAreValidatedStoredAndEdited) {
  AlertRule rule;
  rule.name = "billing";
  rule.brands = {"Fnac", "Darty"};
  rule.stances = {Stance::kComplaint, Stance::kQuestion};
  rule.topics = {Topic::kBilling};
  rule.min_priority = 40;
  rule.on_escalation = true;
  rule.created_by = 7;
  rule.target.url = "ftp://hooks.example.com/";
  EXPECT_EQ(engine_->CreateRule(rule).error().code(), StatusCode::kInvalidArgument);
  rule.target.url = "not a url";
  EXPECT_EQ(engine_->CreateRule(rule).error().code(), StatusCode::kInvalidArgument);
  rule.target.url = "https://hooks.example.com/billing";
  rule.target.secret = "too short";
  EXPECT_EQ(engine_->CreateRule(rule).error().code(), StatusCode::kInvalidArgument);
  rule.target.secret.clear();
  rule.min_priority = 101;
  EXPECT_EQ(engine_->CreateRule(rule).error().code(), StatusCode::kInvalidArgument);
  rule.min_priority = 40;
  rule.name.clear();
  EXPECT_EQ(engine_->CreateRule(rule).error().code(), StatusCode::kInvalidArgument);
  rule.name = "billing";

  Result<AlertRule> created = engine_->CreateRule(rule);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_GT(created->id, 0);
  // Generated: "whsec_" and 32 random bytes in base64.
  EXPECT_EQ(created->target.secret.rfind("whsec_", 0), 0u) << created->target.secret;
  EXPECT_EQ(created->target.secret.size(), 6u + 44u);
  ASSERT_TRUE(WebhookKey(created->target.secret).has_value());
  EXPECT_EQ(WebhookKey(created->target.secret)->size(), 32u);
  EXPECT_NE(engine_->CreateRule(rule)->target.secret, created->target.secret);
  ASSERT_TRUE(engine_->DeleteRule(created->id + 1).ok());
  const std::string secret = created->target.secret;

  Open();  // read back from the file
  Result<AlertRule> got = engine_->GetRule(created->id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "billing");
  EXPECT_EQ(got->brands, (std::vector<std::string>{"Fnac", "Darty"}));
  EXPECT_EQ(got->stances, (std::vector<Stance>{Stance::kComplaint, Stance::kQuestion}));
  EXPECT_EQ(got->topics, std::vector<Topic>{Topic::kBilling});
  EXPECT_EQ(got->min_priority, 40);
  EXPECT_TRUE(got->on_case_opened);
  EXPECT_TRUE(got->on_escalation);
  EXPECT_FALSE(got->on_spike);
  EXPECT_TRUE(got->enabled);
  EXPECT_EQ(got->created_by, 7);
  EXPECT_EQ(got->target.secret, secret);

  AlertRule edit = *got;
  edit.enabled = false;
  edit.target.secret.clear();  // keeps the secret
  Result<AlertRule> updated = engine_->UpdateRule(edit);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->target.secret, secret);
  EXPECT_FALSE(engine_->GetRule(created->id)->enabled);
  edit.target.secret = kSecret;
  ASSERT_TRUE(engine_->UpdateRule(edit));
  EXPECT_EQ(engine_->GetRule(created->id)->target.secret, kSecret);
  edit.id = 999;
  EXPECT_EQ(engine_->UpdateRule(edit).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->GetRule(999).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->ListRules()->size(), 1u);

  // Deleting a rule drops its pending deliveries.
  edit.id = created->id;
  edit.enabled = true;
  ASSERT_TRUE(engine_->UpdateRule(edit));
  AlertEvent event = Opened(1);
  event.topics = {Topic::kBilling};
  EXPECT_EQ(*engine_->Publish(event), 1);
  EXPECT_TRUE(engine_->DeleteRule(created->id).ok());
  EXPECT_EQ(engine_->PendingCount(), 0);
  EXPECT_EQ(engine_->DeleteRule(created->id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(engine_->ListRules()->empty());
}

// What a receiver does with the secret it was given and nothing else, written here with
// libsodium alone: decode the key, HMAC "<webhook-id>.<webhook-timestamp>.<body>", compare.
bool ReceiverAccepts(const std::string& secret, const Received& request) {
  std::string key = secret;
  if (secret.rfind("whsec_", 0) == 0) {
    const std::string encoded = secret.substr(6);
    std::vector<unsigned char> bytes(encoded.size());
    size_t size = 0;
    if (sodium_base642bin(bytes.data(), bytes.size(), encoded.data(), encoded.size(), nullptr,
                          &size, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
      return false;
    }
    key.assign(reinterpret_cast<const char*>(bytes.data()), size);
  }
  const std::string signed_text = request.headers.at("webhook-id") + "." +
                                  request.headers.at("webhook-timestamp") + "." + request.body;
  std::vector<unsigned char> mac(crypto_auth_hmacsha256_BYTES);
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signed_text.data()),
                                signed_text.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::string expected(sodium_base64_ENCODED_LEN(mac.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(expected.data(), expected.size(), mac.data(), mac.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  expected.resize(std::strlen(expected.c_str()));
  // The header is a space-separated list of signatures; one valid "v1," is enough.
  const std::string& header = request.headers.at("webhook-signature");
  size_t start = 0;
  while (start <= header.size()) {
    const size_t end = std::min(header.find(' ', start), header.size());
    const std::string one = header.substr(start, end - start);
    if (one == "v1," + expected) return true;
    start = end + 1;
  }
  return false;
}

TEST_F(AlertsTest, AReceiverVerifiesTheSignatureWithTheSecretAlone) {
  ASSERT_GE(sodium_init(), 0);
  Receiver receiver([](const Received&) { return 200; });
  AlertRule generated;
  generated.name = "generated";
  generated.target.url = receiver.Url("/generated");
  Result<AlertRule> with_generated = engine_->CreateRule(generated);
  ASSERT_TRUE(with_generated) << with_generated.error().ToString();
  const AlertRule legacy = Rule(receiver.Url("/legacy"));  // a secret without the prefix
  ASSERT_TRUE(engine_->Publish(Opened(42)));
  clock_.Advance(3);
  EXPECT_EQ(engine_->DeliverDue(), 2);

  const std::vector<Received> got = receiver.Requests();
  ASSERT_EQ(got.size(), 2u);
  for (const Received& r : got) {
    SCOPED_TRACE(r.path);
    const std::string& secret =
        r.path == "/generated" ? with_generated->target.secret : legacy.target.secret;
    EXPECT_EQ(r.headers.at("webhook-timestamp"), std::to_string(kT0 + 3));
    EXPECT_EQ(r.headers.at("webhook-id").size(), 32u);
    EXPECT_EQ(r.headers.at("webhook-id").find('.'), std::string::npos);
    EXPECT_EQ(r.headers.at("webhook-signature").rfind("v1,", 0), 0u);
    EXPECT_TRUE(ReceiverAccepts(secret, r));
    // Anything changed, and the receiver says no.
    Received tampered = r;
    tampered.body += " ";
    EXPECT_FALSE(ReceiverAccepts(secret, tampered));
    tampered = r;
    tampered.headers["webhook-timestamp"] = std::to_string(kT0 + 4);
    EXPECT_FALSE(ReceiverAccepts(secret, tampered));
    tampered = r;
    tampered.headers["webhook-id"] = "another";
    EXPECT_FALSE(ReceiverAccepts(secret, tampered));
  }
  EXPECT_FALSE(
      ReceiverAccepts(with_generated->target.secret, got[0].path == "/legacy" ? got[0] : got[1]));
}

TEST_F(AlertsTest, TheLegacySignatureHeadersCanBeTurnedOff) {
  Receiver receiver([](const Received&) { return 200; });
  Rule(receiver.Url("/hook"));
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  EXPECT_EQ(engine_->DeliverDue(), 1);  // legacy_signature: true by default, for now
  options_.legacy_signature = false;
  Open();
  ASSERT_TRUE(engine_->Publish(Opened(2)));
  EXPECT_EQ(engine_->DeliverDue(), 1);
  const std::vector<Received> got = receiver.Requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].headers.count("x-ecoute-signature"), 1u);
  EXPECT_EQ(got[0].headers.count("x-ecoute-timestamp"), 1u);
  EXPECT_EQ(got[1].headers.count("x-ecoute-signature"), 0u);
  EXPECT_EQ(got[1].headers.count("x-ecoute-timestamp"), 0u);
  EXPECT_EQ(got[1].headers.count("webhook-signature"), 1u);
  EXPECT_EQ(got[1].headers.at("x-ecoute-event"), "case.opened");
  EXPECT_EQ(got[1].headers.at("x-ecoute-delivery"), got[1].headers.at("webhook-id"));
}

TEST_F(AlertsTest, RulesAimedInwardAreRefusedAtCreation) {
  options_.outbound.allow_private.clear();  // the default: public receivers only
  Open();
  const std::string hint = " (allow it with [outbound] allow_private)";
  const std::pair<std::string, std::string> refused[] = {
      {"https://user:pass@hooks.example.com/x",
       "webhook URL: user names and passwords in URLs are not accepted (give http:// or "
       "https://, a host, and no user:password@)"},
      {"https://token@hooks.example.com/x",
       "webhook URL: user names and passwords in URLs are not accepted (give http:// or "
       "https://, a host, and no user:password@)"},
      {"ftp://hooks.example.com/x",
       "webhook URL: not an http or https URL (give http:// or https://, a host, and no "
       "user:password@)"},
      {"http://127.0.0.1:9/h",
       "webhook URL refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://2130706433/h",
       "webhook URL refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://0177.0.0.1/h",
       "webhook URL refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://[::1]:8080/h",
       "webhook URL refused by the outbound policy: ::1 is a loopback address" + hint},
      {"http://[::ffff:7f00:1]/h",
       "webhook URL refused by the outbound policy: ::ffff:127.0.0.1 is a loopback address" + hint},
      {"http://10.0.0.5/h",
       "webhook URL refused by the outbound policy: 10.0.0.5 is a private address" + hint},
      {"http://169.254.169.254/latest/meta-data/",
       "webhook URL refused by the outbound policy: 169.254.169.254 is a link-local address" +
           hint},
      {"http://localhost:8080/h",
       "webhook URL refused by the outbound policy: localhost is an internal host name" + hint},
      {"http://metadata.google.internal/computeMetadata/v1/",
       "webhook URL refused by the outbound policy: metadata.google.internal is an internal "
       "host name" +
           hint},
  };
  for (const auto& [url, message] : refused) {
    SCOPED_TRACE(url);
    AlertRule rule;
    rule.name = "inward";
    rule.target = {url, kSecret};
    Result<AlertRule> created = engine_->CreateRule(rule);
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(created.error().message(), message);
    rule.target.secret.clear();  // a secret to generate changes nothing
    EXPECT_EQ(engine_->CreateRule(rule).error().message(), message);
    EXPECT_EQ(engine_->Notify(Opened(1), {{url, kSecret}}).error().message(), message);
  }
  EXPECT_TRUE(engine_->ListRules()->empty());
  EXPECT_EQ(engine_->PendingCount(), 0);

  AlertRule rule;
  rule.name = "public";
  rule.target = {"https://hooks.example.com/x", kSecret};
  Result<AlertRule> created = engine_->CreateRule(rule);
  ASSERT_TRUE(created) << created.error().ToString();
  created->target.url = "http://192.168.0.10/x";
  Result<AlertRule> updated = engine_->UpdateRule(*created);
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().message(),
            "webhook URL refused by the outbound policy: 192.168.0.10 is a private address" + hint);
  EXPECT_EQ(engine_->GetRule(created->id)->target.url, "https://hooks.example.com/x");
  // A secret with the prefix must decode, to at least 16 bytes.
  rule.target.secret = "whsec_not base64";
  EXPECT_EQ(engine_->CreateRule(rule).error().message(),
            "a webhook secret that starts with \"whsec_\" must be followed by its key in base64");
  rule.target.secret = "whsec_YWJjZA==";
  EXPECT_EQ(engine_->CreateRule(rule).error().message(),
            "a webhook secret must be at least 16 bytes long once decoded");
}

TEST_F(AlertsTest, AWebhookRefusedByThePolicyNeverReachesTheReceiver) {
  Receiver receiver([](const Received&) { return 200; });
  // Made while loopback was allowed: one rule to the receiver, one to a port where nothing
  // listens.
  Rule(receiver.Url("/hook"));
  Rule("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook");
  // Then loopback is taken out of the allow-list, another range left in it, so that names
  // are only checked when they resolve.
  options_.outbound.allow_private = ParseIpRanges({"10.0.0.0/8"}).value();
  Open();
  const std::string port = receiver.Url("").substr(std::string("http://127.0.0.1:").size());
  Rule("http://localhost:" + port + "/hook");  // accepted: a name
  ASSERT_EQ(*engine_->Publish(Opened(1)), 3);
  EXPECT_EQ(engine_->DeliverDue(), 3);
  EXPECT_TRUE(receiver.Requests().empty());

  Result<std::vector<Delivery>> deliveries = engine_->ListDeliveries(std::nullopt, 10);
  ASSERT_TRUE(deliveries);
  ASSERT_EQ(deliveries->size(), 3u);
  const std::string hint = " (allow it with [outbound] allow_private)";
  // Newest first. The open port and the closed one read the same: the list maps nothing.
  EXPECT_EQ((*deliveries)[0].last_error,
            "refused by the outbound policy: localhost resolves to a loopback address" + hint);
  EXPECT_EQ((*deliveries)[1].last_error,
            "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint);
  EXPECT_EQ((*deliveries)[2].last_error, (*deliveries)[1].last_error);
  for (const Delivery& d : *deliveries) {
    EXPECT_EQ(d.state, DeliveryState::kPending);
    EXPECT_EQ(d.attempts, 1);
  }
  EXPECT_EQ(engine_->counters().failed_attempts, 3);
}

TEST_F(AlertsTest, PendingDeliveriesSurviveARestart) {
  Receiver receiver([](const Received&) { return 200; });
  Rule(receiver.Url("/hook"));
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  Open();  // the process stops before any attempt
  EXPECT_EQ(engine_->PendingCount(), 1);
  EXPECT_EQ(engine_->counters().queued, 0);    // counters are since Open
  EXPECT_EQ(*engine_->Publish(Opened(1)), 0);  // still known
  EXPECT_EQ(engine_->DeliverDue(), 1);
  EXPECT_EQ(Only().state, DeliveryState::kDelivered);
  EXPECT_EQ(receiver.Requests().size(), 1u);
}

TEST_F(AlertsTest, TheWorkerDeliversInTheBackground) {
  Receiver receiver([](const Received&) { return 200; });
  Rule(receiver.Url("/hook"));
  testing::EventCounter delivered;
  engine_->on_delivered = [&](double) { delivered.Add(); };
  engine_->Start();
  ASSERT_TRUE(engine_->Publish(Opened(1)));
  ASSERT_TRUE(engine_->Publish(Opened(2)));
  EXPECT_TRUE(delivered.WaitFor(2));
  engine_->Stop();
  EXPECT_EQ(engine_->counters().delivered, 2);
  EXPECT_EQ(receiver.Requests().size(), 2u);
  EXPECT_EQ(engine_->PendingCount(), 0);
}

TEST_F(AlertsTest, TablesFromANewerVersionAreRefused) {
  engine_.reset();
  ASSERT_TRUE(SetSchemaVersionForTest(path_, 99).ok());
  Result<std::unique_ptr<AlertEngine>> opened = AlertEngine::Open(path_, clock_, options_);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), StatusCode::kFailedPrecondition);
}

// E-mail deliveries share the webhooks' queue: refused up front without a mail server or
// with a bad address; sent through SMTP with the event in the subject; a mailbox the server
// refuses (5xx) is dead at once.
TEST_F(AlertsTest, AnEmailDeliveryGoesThroughTheQueueToTheMailServer) {
  AlertEvent event = Opened(7);
  event.kind = "case.assigned";
  EXPECT_EQ(engine_->NotifyByMail(event, "lea@example.com", "s", "t").error().code(),
            StatusCode::kFailedPrecondition);
  const std::string tls = std::string(ECOUTE_TEST_DATA_DIR) + "/test/tls/";
  testing::SmtpServer smtp(tls + "cert.pem", tls + "key.pem");
  testing::SmtpBehaviour refusing;
  refusing.refused_recipients = {"gone@example.com"};
  smtp.Set(refusing);
  options_.mail = {smtp.Url(), "care@example.com", "mail password 1", "ecoute@example.com",
                   tls + "cert.pem"};
  Open();
  EXPECT_EQ(engine_->NotifyByMail(event, "not an address", "s", "t").error().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(engine_->NotifyByMail(event, "lea@example.com", "Case 7 assigned to léa",
                                    "Case 7 was assigned to lea.\n"));
  EXPECT_EQ(engine_->DeliverDue(), 1);
  const Delivery d = Only();
  EXPECT_EQ(d.state, DeliveryState::kDelivered) << d.last_error;
  EXPECT_EQ(d.url, "mailto:lea@example.com");
  ASSERT_EQ(smtp.Accepted(), 1);
  const testing::SmtpSession s = smtp.Sessions().at(0);
  EXPECT_EQ(s.recipients, std::vector<std::string>{"lea@example.com"});
  EXPECT_NE(s.data.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(s.data.find("Case 7 was assigned to lea.\r\n"), std::string::npos);
  // A mailbox refused for good: dead after one attempt.
  event.case_id = 8;
  ASSERT_TRUE(engine_->NotifyByMail(event, "gone@example.com", "s", "t"));
  EXPECT_EQ(engine_->DeliverDue(), 1);
  Result<std::vector<Delivery>> dead = engine_->ListDeliveries(DeliveryState::kDead, 10);
  ASSERT_TRUE(dead && dead->size() == 1);
  EXPECT_EQ(dead->front().attempts, 1);
  EXPECT_NE(dead->front().last_error.find("e-mail"), std::string::npos);
}

}  // namespace
}  // namespace ecoute::server
