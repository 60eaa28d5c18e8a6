// SLA deadlines and escalation against the real SQLite store: cases come from ingested
// complaints whose analyses are written by hand, time moves by a ManualClock, and the
// escalation contacts are receivers on loopback.
#include "alerts/sla.h"

#include <chrono>
#include <filesystem>
#include <list>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ecoute/store.h"

#include "fetch/testing_http_server.h"
#include "util/datetime.h"
#include "util/testing_event_counter.h"

namespace ecoute::server {
namespace {

constexpr int64_t kT0 = 1767603600;  // 2026-01-05T09:00:00Z
constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 3600;
const std::string kSecret = "0123456789abcdef0123456789abcdef";

CaseSummary Summary(std::string brand, int priority, int64_t opened_at) {
  CaseSummary s;
  s.id = 1;
  s.brand = std::move(brand);
  s.priority = priority;
  s.opened_at = opened_at;
  return s;
}

TEST(SlaPolicyTest, TheBrandsOwnPolicyWinsThenTheHighestPriorityReached) {
  SlaConfig config;
  config.policies = {{"*", 0, 24 * kHour},
                     {"*", 70, kHour},
                     {"Fnac", 0, 8 * kHour},
                     {"Fnac", 50, 2 * kHour},
                     {"Darty", 60, 30 * kMinute}};
  auto seconds = [&](std::string_view brand, int priority) -> int64_t {
    const SlaPolicy* p = PolicyFor(config, brand, priority);
    return p != nullptr ? p->first_response_seconds : -1;
  };
  EXPECT_EQ(seconds("Boulanger", 10), 24 * kHour);
  EXPECT_EQ(seconds("Boulanger", 70), kHour);
  EXPECT_EQ(seconds("Boulanger", 100), kHour);
  EXPECT_EQ(seconds("Fnac", 10), 8 * kHour);
  EXPECT_EQ(seconds("fnac", 50), 2 * kHour);
  EXPECT_EQ(seconds("FNAC", 90), 2 * kHour);  // Fnac's own beats "*" priority 70
  // Darty's policy starts at 60: below it, the "*" ones apply.
  EXPECT_EQ(seconds("Darty", 59), 24 * kHour);
  EXPECT_EQ(seconds("Darty", 60), 30 * kMinute);
  SlaConfig no_default;
  no_default.policies = {{"*", 40, kHour}};
  EXPECT_EQ(PolicyFor(no_default, "Fnac", 39), nullptr);

  const SlaConfig defaults = DefaultSlaConfig();
  EXPECT_EQ(PolicyFor(defaults, "Fnac", 70)->first_response_seconds, kHour);
  EXPECT_EQ(PolicyFor(defaults, "Fnac", 69)->first_response_seconds, 4 * kHour);
  EXPECT_EQ(PolicyFor(defaults, "Fnac", 39)->first_response_seconds, 24 * kHour);
  ASSERT_EQ(defaults.levels.size(), 3u);
  EXPECT_EQ(defaults.levels[0].name, "agent");
  EXPECT_EQ(defaults.levels[2].name, "manager");
}

TEST(SlaPolicyTest, StatesFollowTheDeadline) {
  SlaConfig config;
  config.policies = {{"*", 0, 4 * kHour}};
  const int64_t due = kT0 + 4 * kHour;
  CaseSummary open = Summary("Fnac", 50, kT0);
  auto state = [&](const CaseSummary& s, int64_t now) { return SlaStatusOf(config, s, now).state; };
  EXPECT_EQ(state(open, kT0), SlaState::kOk);
  EXPECT_EQ(state(open, due - kHour), SlaState::kOk);  // 25 % left exactly
  EXPECT_EQ(state(open, due - kHour + 1), SlaState::kDueSoon);
  EXPECT_EQ(state(open, due - 1), SlaState::kDueSoon);
  EXPECT_EQ(state(open, due), SlaState::kBreached);
  EXPECT_EQ(SlaStatusOf(config, open, kT0).due_at, due);

  CaseSummary answered = open;
  answered.status = CaseStatus::kAcknowledged;
  answered.first_response_at = due;
  EXPECT_EQ(state(answered, due + 10 * kHour), SlaState::kMet);
  answered.first_response_at = due + 1;
  EXPECT_EQ(state(answered, due + 10 * kHour), SlaState::kMissed);

  CaseSummary closed = open;
  closed.status = CaseStatus::kClosed;
  EXPECT_EQ(state(closed, due + kHour), SlaState::kNone);

  SlaConfig none;
  EXPECT_EQ(SlaStatusOf(none, open, kT0).state, SlaState::kNone);
  EXPECT_FALSE(SlaStatusOf(none, open, kT0).due_at);

  EXPECT_EQ(SlaStateName(SlaState::kDueSoon), "due_soon");
  EXPECT_EQ(SlaStateName(SlaState::kMissed), "missed");
}

TEST(SlaPolicyTest, ReasonsNameTheTimeAndThePolicy) {
  EXPECT_EQ(DescribeBreach({"*", 70, kHour}, kHour), "no first response within 1h (priority ≥ 70)");
  EXPECT_EQ(DescribeBreach({"Fnac", 70, kHour}, 2 * kHour),
            "no first response within 2h (Fnac, priority ≥ 70)");
  EXPECT_EQ(DescribeBreach({"*", 0, 30 * kMinute}, 30 * kMinute), "no first response within 30m");
  EXPECT_EQ(DescribeBreach({"Fnac", 0, 45}, 90), "no first response within 90s (Fnac)");
}

class SlaMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_sla_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ecoute.db").string();
    // The store first: it refuses a file that already holds other tables.
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
    ASSERT_TRUE(store) << store.error().ToString();
    store_.Reset(std::move(store).value());
    BrandCatalog catalog;
    catalog.brands.push_back({"Fnac", {}, {"@fnac"}, {"fnac.com"}, {}, false});
    catalog.brands.push_back({"Darty", {}, {"@darty_sav"}, {"darty.com"}, {}, false});
    ASSERT_TRUE(store_.Lock()->SyncBrands(catalog).ok());
    AlertOptions options;
    options.jitter = 0;
    // The receiver is on loopback, which the outbound policy refuses unless told.
    options.outbound.allow_private = ParseIpRanges({"127.0.0.0/8"}).value();
    Result<std::unique_ptr<AlertEngine>> alerts = AlertEngine::Open(path_, clock_, options);
    ASSERT_TRUE(alerts) << alerts.error().ToString();
    alerts_ = std::move(alerts).value();

    config_.policies = {{"*", 0, 24 * kHour}, {"*", 70, kHour}};
    config_.levels = {{"agent", {{receiver_.Url("/agent"), kSecret}}},
                      {"supervisor", {{receiver_.Url("/supervisor"), kSecret}}},
                      {"manager", {{receiver_.Url("/manager"), kSecret}}}};
  }
  void TearDown() override {
    alerts_.reset();
    store_.Reset(nullptr);
    std::filesystem::remove_all(dir_);
  }

  // A complaint by `author` about `brand`, published at `at`: opens a case of `priority`.
  int64_t Complaint(const std::string& id, const std::string& author, const std::string& brand,
                    int priority, int64_t at) {
    Post& post = posts_.emplace_back();
    post.id = id;
    post.source = "jsonl";
    post.url = "https://social.example/" + id;
    post.author.handle = author;
    post.published_at = FormatRfc3339(at);
    post.text = "Colis jamais arrivé, " + brand + " ne répond pas.";
    post.content_hash = ContentHash(post.text);
    names_.push_back(brand);
    Analysis& analysis = analyses_.emplace_back();
    analysis.lang = "fr";
    analysis.stance = Stance::kComplaint;
    analysis.priority = priority;
    BrandVerdict verdict;
    verdict.name = names_.back();
    verdict.mentions = 1;
    verdict.stance = Stance::kComplaint;
    analysis.brands.push_back(verdict);
    analysis.topics.push_back({Topic::kDelivery, 0.9, {}, -1});
    std::vector<IngestResult> results;
    IngestItem item{&post, &analysis, false, at};
    const Status status = store_.Lock()->Ingest(std::span<const IngestItem>(&item, 1), results);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(results.size(), 1u);
    EXPECT_EQ(results.empty() ? 0u : results.front().cases.size(), 1u);
    return results.empty() || results.front().cases.empty() ? 0 : results.front().cases.front();
  }

  CaseDetail Case(int64_t id) {
    Result<CaseDetail> detail = store_.Lock()->GetCase(id);
    EXPECT_TRUE(detail) << detail.error().ToString();
    return detail ? *detail : CaseDetail{};
  }

  std::vector<CaseEvent> Escalations(int64_t id) {
    std::vector<CaseEvent> out;
    for (const CaseEvent& e : Case(id).events) {
      if (e.kind == "escalated") out.push_back(e);
    }
    return out;
  }

  std::vector<Escalation> Tick(SlaMonitor& monitor) {
    Result<std::vector<Escalation>> done = monitor.Tick();
    EXPECT_TRUE(done) << done.error().ToString();
    return done ? *done : std::vector<Escalation>{};
  }

  std::vector<std::string> DeliveredPaths() {
    alerts_->DeliverDue();
    std::vector<std::string> paths;
    for (const testing::HttpRequest& r : receiver_.Requests()) {
      EXPECT_EQ(r.headers.at("x-ecoute-event"), "case.escalated");
      paths.push_back(r.path);
    }
    return paths;
  }

  std::filesystem::path dir_;
  std::string path_;
  ManualClock clock_{kT0};
  SharedStore store_;
  std::unique_ptr<AlertEngine> alerts_;
  testing::HttpServer receiver_{
      [](const testing::HttpRequest&) { return testing::HttpResponse{}; }};
  SlaConfig config_;
  std::list<Post> posts_;
  std::list<Analysis> analyses_;
  std::list<std::string> names_;
};

TEST_F(SlaMonitorTest, AnUnansweredCaseClimbsTheLadderOneLevelPerDeadline) {
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  ASSERT_GT(id, 0);
  ASSERT_EQ(Case(id).summary.opened_at, kT0);
  SlaMonitor monitor(store_, *alerts_, clock_, config_);
  std::vector<Escalation> seen;
  monitor.on_escalated = [&](const Escalation& e) { seen.push_back(e); };

  clock_.Set(kT0 + kHour - 1);
  EXPECT_TRUE(Tick(monitor).empty());
  EXPECT_EQ(alerts_->PendingCount(), 0);

  clock_.Set(kT0 + kHour);
  std::vector<Escalation> done = Tick(monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].case_id, id);
  EXPECT_EQ(done[0].brand, "Fnac");
  EXPECT_EQ(done[0].from_level, 0);
  EXPECT_EQ(done[0].to_level, 1);
  EXPECT_EQ(done[0].reason, "no first response within 1h (priority ≥ 70)");
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(Case(id).summary.escalation_level, 1);
  std::vector<CaseEvent> events = Escalations(id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor, "rule:sla");
  EXPECT_EQ(events[0].at, kT0 + kHour);
  EXPECT_EQ(events[0].reason, "no first response within 1h (priority ≥ 70)");
  EXPECT_EQ(DeliveredPaths(), std::vector<std::string>{"/supervisor"});
  Result<std::vector<Delivery>> deliveries = alerts_->ListDeliveries(std::nullopt, 10);
  ASSERT_TRUE(deliveries);
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ(deliveries->front().case_id, id);
  EXPECT_EQ(deliveries->front().event_kind, "case.escalated");
  EXPECT_FALSE(deliveries->front().rule_id);

  EXPECT_TRUE(Tick(monitor).empty());  // the same tick again: nothing new
  clock_.Set(kT0 + 2 * kHour - 1);
  EXPECT_TRUE(Tick(monitor).empty());

  clock_.Set(kT0 + 2 * kHour);
  done = Tick(monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].from_level, 1);
  EXPECT_EQ(done[0].to_level, 2);
  EXPECT_EQ(done[0].reason, "no first response within 2h (priority ≥ 70)");
  EXPECT_EQ(Case(id).summary.escalation_level, 2);
  EXPECT_EQ(DeliveredPaths(), (std::vector<std::string>{"/supervisor", "/manager"}));

  // Three levels: the manager is the top.
  clock_.Set(kT0 + 3 * kHour);
  EXPECT_TRUE(Tick(monitor).empty());
  clock_.Set(kT0 + 30 * kHour);
  EXPECT_TRUE(Tick(monitor).empty());
  EXPECT_EQ(Case(id).summary.escalation_level, 2);
  EXPECT_EQ(Escalations(id).size(), 2u);
  EXPECT_EQ(receiver_.Requests().size(), 2u);
  EXPECT_EQ(alerts_->PendingCount(), 0);
}

TEST_F(SlaMonitorTest, AnAnsweredCaseNeverEscalates) {
  const int64_t answered = Complaint("1", "@marie", "Fnac", 80, kT0);
  const int64_t waiting = Complaint("2", "@paul", "Fnac", 80, kT0);
  ASSERT_TRUE(store_.Lock()
                  ->DeclareResponse(answered, "phone", "called back", "agent:lea", kT0 + 2 * kHour)
                  .ok());
  SlaMonitor monitor(store_, *alerts_, clock_, config_);
  clock_.Set(kT0 + 5 * kHour);
  std::vector<Escalation> done = Tick(monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].case_id, waiting);
  done = Tick(monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].case_id, waiting);
  EXPECT_TRUE(Tick(monitor).empty());
  EXPECT_EQ(Case(answered).summary.escalation_level, 0);
  EXPECT_TRUE(Escalations(answered).empty());
}

TEST_F(SlaMonitorTest, EachCaseFollowsItsOwnPolicy) {
  config_.policies.push_back({"darty", 0, 30 * kMinute});
  const int64_t fnac_low = Complaint("1", "@marie", "Fnac", 20, kT0);  // 24 h
  const int64_t fnac_high = Complaint("2", "@paul", "Fnac", 90, kT0);  // 1 h
  const int64_t darty = Complaint("3", "@lea", "Darty", 90, kT0);      // 30 min, its own
  SlaMonitor monitor(store_, *alerts_, clock_, config_);
  clock_.Set(kT0 + 30 * kMinute);
  std::vector<Escalation> done = Tick(monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].case_id, darty);
  EXPECT_EQ(done[0].reason, "no first response within 30m (darty)");
  clock_.Set(kT0 + kHour);
  done = Tick(monitor);
  ASSERT_EQ(done.size(), 2u);  // Darty's second level, Fnac's urgent case
  EXPECT_EQ(done[0].case_id, fnac_high);
  EXPECT_EQ(done[1].case_id, darty);
  clock_.Set(kT0 + 24 * kHour);
  done = Tick(monitor);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].case_id, fnac_low);
  EXPECT_EQ(done[1].case_id, fnac_high);
}

TEST_F(SlaMonitorTest, RulesThatWantEscalationsHearOfThemToo) {
  AlertRule rule;
  rule.name = "escalations";
  rule.on_case_opened = false;
  rule.on_escalation = true;
  rule.brands = {"Fnac"};
  rule.target = {receiver_.Url("/rule"), kSecret};
  Result<AlertRule> created = alerts_->CreateRule(rule);
  ASSERT_TRUE(created) << created.error().ToString();
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  config_.levels[1].contacts.clear();  // a level may have no contact
  SlaMonitor monitor(store_, *alerts_, clock_, config_);
  clock_.Set(kT0 + kHour);
  ASSERT_EQ(Tick(monitor).size(), 1u);
  EXPECT_EQ(DeliveredPaths(), std::vector<std::string>{"/rule"});
  Result<std::vector<Delivery>> deliveries = alerts_->ListDeliveries(std::nullopt, 10);
  ASSERT_TRUE(deliveries);
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ(deliveries->front().rule_id, created->id);
  EXPECT_EQ(deliveries->front().case_id, id);
}

TEST_F(SlaMonitorTest, AMisconfiguredContactDoesNotStopTheLadder) {
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  config_.levels[1].contacts = {{receiver_.Url("/supervisor"), "too short"}};
  SlaMonitor monitor(store_, *alerts_, clock_, config_);
  std::vector<Status> errors;
  monitor.on_error = [&](const Status& status) { errors.push_back(status); };
  clock_.Set(kT0 + kHour);
  ASSERT_EQ(Tick(monitor).size(), 1u);
  EXPECT_EQ(Case(id).summary.escalation_level, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      errors[0].message().rfind(
          "case " + std::to_string(id) + ": the contacts of level supervisor were not notified", 0),
      0u)
      << errors[0].message();
  EXPECT_EQ(errors[0].message().find("too short"), std::string::npos);  // no secret in logs
  EXPECT_EQ(alerts_->PendingCount(), 0);
}

TEST_F(SlaMonitorTest, TheThreadTicksUntilStopped) {
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  SlaMonitor monitor(store_, *alerts_, clock_, config_);
  testing::EventCounter escalations;
  monitor.on_escalated = [&](const Escalation&) { escalations.Add(); };
  clock_.Set(kT0 + 2 * kHour);
  monitor.Start(std::chrono::milliseconds(10));
  EXPECT_TRUE(escalations.WaitFor(2));
  monitor.Stop();
  EXPECT_EQ(escalations.count(), 2);
  EXPECT_EQ(Case(id).summary.escalation_level, 2);
}

}  // namespace
}  // namespace ecoute::server
