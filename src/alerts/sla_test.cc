// SLA deadlines and escalation against the real SQLite store: cases come from ingested
// complaints whose analyses are written by hand, time moves by a ManualClock, and the
// escalation contacts are receivers on loopback.
#include "alerts/sla.h"

#include <chrono>
#include <filesystem>
#include <list>
#include <optional>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ecoute/datetime.h"
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

SlaPolicy Policy(std::string brand, int min_priority, int64_t first_response) {
  SlaPolicy p;
  p.brand = std::move(brand);
  p.min_priority = min_priority;
  p.first_response_seconds = first_response;
  return p;
}

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
  config.policies = {Policy("*", 0, 24 * kHour), Policy("*", 70, kHour),
                     Policy("Fnac", 0, 8 * kHour), Policy("Fnac", 50, 2 * kHour),
                     Policy("Darty", 60, 30 * kMinute)};
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
  no_default.policies = {Policy("*", 40, kHour)};
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
  config.policies = {Policy("*", 0, 4 * kHour)};
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
  constexpr SlaTarget kFirst = SlaTarget::kFirstResponse;
  EXPECT_EQ(DescribeBreach(Policy("*", 70, kHour), kFirst, kHour),
            "no first response within 1h (priority ≥ 70)");
  EXPECT_EQ(DescribeBreach(Policy("Fnac", 70, kHour), kFirst, 2 * kHour),
            "no first response within 2h (Fnac, priority ≥ 70)");
  EXPECT_EQ(DescribeBreach(Policy("*", 0, 30 * kMinute), kFirst, 30 * kMinute),
            "no first response within 30m");
  EXPECT_EQ(DescribeBreach(Policy("Fnac", 0, 45), kFirst, 90),
            "no first response within 90s (Fnac)");
  EXPECT_EQ(DescribeBreach(Policy("*", 0, kHour), SlaTarget::kNextResponse, kHour),
            "no next response within 1h");
}

// ---- business hours: deadlines computed by hand ----------------------------------------------

int64_t At(std::string_view rfc3339) {
  const std::optional<int64_t> t = ParseDateTime(rfc3339);
  EXPECT_TRUE(t) << rfc3339;
  return t.value_or(0);
}

// Monday to Friday, 09:00 to 18:00 in Paris.
BusinessHours ParisOffice() {
  BusinessHours h;
  h.time_zone = "Europe/Paris";
  for (size_t d = 0; d < 5; ++d) h.days[d] = std::pair{9 * 60, 18 * 60};
  return h;
}

TEST(SlaHoursTest, TheClockStopsOverTheWeekend) {
  const BusinessHours h = ParisOffice();
  // Friday 9 January 2026, 17:00 in Paris (UTC+1): one hour that day, three on Monday.
  EXPECT_EQ(AddBusinessTime(h, At("2026-01-09T16:00:00Z"), 4 * kHour), At("2026-01-12T11:00:00Z"));
  // Opened on Saturday: the clock starts on Monday at 09:00.
  EXPECT_EQ(AddBusinessTime(h, At("2026-01-10T10:00:00Z"), kHour), At("2026-01-12T09:00:00Z"));
  // Opened on a Wednesday evening: Thursday 09:30.
  EXPECT_EQ(AddBusinessTime(h, At("2026-01-07T19:00:00Z"), 30 * kMinute),
            At("2026-01-08T08:30:00Z"));
  // Exactly at closing time: the deadline is that instant, not the next morning.
  EXPECT_EQ(AddBusinessTime(h, At("2026-01-08T16:00:00Z"), kHour), At("2026-01-08T17:00:00Z"));
  // Friday 17:00 to Monday 10:00: one hour each side of the weekend.
  EXPECT_EQ(BusinessSecondsBetween(h, At("2026-01-09T16:00:00Z"), At("2026-01-12T09:00:00Z")),
            2 * kHour);
  EXPECT_EQ(BusinessSecondsBetween(h, At("2026-01-10T09:00:00Z"), At("2026-01-11T09:00:00Z")), 0);
}

TEST(SlaHoursTest, HolidaysAreSkipped) {
  BusinessHours h = ParisOffice();
  h.holidays = {"2026-01-12"};  // the Monday
  EXPECT_EQ(AddBusinessTime(h, At("2026-01-09T16:00:00Z"), 4 * kHour), At("2026-01-13T11:00:00Z"));
  h.holidays = {"2026-12-25"};  // Christmas, a Friday
  // Thursday 24 December 2026, 17:00: one hour, then Monday 28 December from 09:00.
  EXPECT_EQ(AddBusinessTime(h, At("2026-12-24T16:00:00Z"), 2 * kHour), At("2026-12-28T09:00:00Z"));
}

TEST(SlaHoursTest, LocalHoursHoldAcrossDaylightSavingChanges) {
  const BusinessHours h = ParisOffice();
  // Summer time starts on Sunday 29 March 2026: Friday 17:00 is 16:00Z (UTC+1), Monday
  // noon is 10:00Z (UTC+2).
  EXPECT_EQ(AddBusinessTime(h, At("2026-03-27T16:00:00Z"), 4 * kHour), At("2026-03-30T10:00:00Z"));
  // It ends on Sunday 25 October 2026: Friday 17:00 is 15:00Z, Monday noon 11:00Z.
  EXPECT_EQ(AddBusinessTime(h, At("2026-10-23T15:00:00Z"), 4 * kHour), At("2026-10-26T11:00:00Z"));
  // A clock that runs all day, every day, counts real time: the short Sunday has 23 hours.
  BusinessHours always;
  always.time_zone = "Europe/Paris";
  for (auto& day : always.days) day = std::pair{0, 24 * 60};
  EXPECT_EQ(AddBusinessTime(always, At("2026-03-28T11:00:00Z"), 24 * kHour),
            At("2026-03-29T11:00:00Z"));
  EXPECT_EQ(BusinessSecondsBetween(always, At("2026-03-28T23:00:00Z"), At("2026-03-29T22:00:00Z")),
            23 * kHour);
}

TEST(SlaHoursTest, WithoutHoursTheClockAlwaysRunsAndBadZonesGiveNoDeadline) {
  EXPECT_EQ(AddBusinessTime(BusinessHours{}, kT0, kHour), kT0 + kHour);
  BusinessHours unknown = ParisOffice();
  unknown.time_zone = "Mars/Olympus_Mons";
  EXPECT_FALSE(AddBusinessTime(unknown, kT0, kHour));
  EXPECT_FALSE(IsKnownTimeZone("Mars/Olympus_Mons"));
  EXPECT_TRUE(IsKnownTimeZone("America/New_York"));
  EXPECT_EQ(ParseHoursRange("09:00-18:00"), (std::pair{540, 1080}));
  EXPECT_EQ(ParseHoursRange("00:00-24:00"), (std::pair{0, 1440}));
  EXPECT_FALSE(ParseHoursRange("18:00-09:00"));
  EXPECT_FALSE(ParseHoursRange("9:00-18:00"));
  EXPECT_FALSE(ParseHoursRange("09:00-24:30"));
  EXPECT_EQ(FormatHoursRange({540, 1080}), "09:00-18:00");
  EXPECT_TRUE(IsIsoDate("2028-02-29"));
  EXPECT_FALSE(IsIsoDate("2026-02-29"));
  EXPECT_FALSE(IsIsoDate("25/12/2026"));
}

TEST(SlaHoursTest, StatesAndCountdownFollowTheBusinessClock) {
  SlaConfig config;
  config.policies = {Policy("*", 0, 4 * kHour)};
  config.policies[0].hours = ParisOffice();
  config.levels = {{"agent", {}}};
  CaseSummary c = Summary("Fnac", 50, At("2026-01-09T16:00:00Z"));
  c.sla_round = 1;
  c.sla_target = 1;
  c.sla_since = c.opened_at;
  const int64_t due = At("2026-01-12T11:00:00Z");
  SlaStatus saturday = SlaStatusOf(config, c, At("2026-01-10T12:00:00Z"));
  EXPECT_EQ(saturday.state, SlaState::kOk);  // 3 of 4 business hours left
  EXPECT_EQ(saturday.target, SlaTarget::kFirstResponse);
  EXPECT_EQ(saturday.due_at, due);
  EXPECT_EQ(saturday.seconds_left, due - At("2026-01-10T12:00:00Z"));
  EXPECT_EQ(SlaStatusOf(config, c, At("2026-01-12T10:30:00Z")).state, SlaState::kDueSoon);
  SlaStatus late = SlaStatusOf(config, c, due + 35 * kMinute);
  EXPECT_EQ(late.state, SlaState::kBreached);
  EXPECT_EQ(late.seconds_left, -35 * kMinute);
  c.sla_met_at = due - 1;
  EXPECT_EQ(SlaStatusOf(config, c, due + kHour).state, SlaState::kMet);
  EXPECT_FALSE(SlaStatusOf(config, c, due + kHour).seconds_left);
  c.sla_target = 0;
  c.sla_met_at.reset();
  EXPECT_EQ(SlaStatusOf(config, c, due).state, SlaState::kNone);
  EXPECT_EQ(SlaStatusOf(config, c, due).target, SlaTarget::kNone);
}

TEST(SlaHoursTest, ConfigurationsAreValidatedFieldByField) {
  const OutboundPolicy outbound;
  SlaConfig config = DefaultSlaConfig();
  EXPECT_FALSE(ValidateSlaConfig(config, outbound));
  auto field = [&](const SlaConfig& c) {
    const std::optional<SlaConfigError> e = ValidateSlaConfig(c, outbound);
    return e ? e->field : std::string();
  };
  SlaConfig bad = config;
  bad.policies[2].first_response_seconds = 0;
  EXPECT_EQ(field(bad), "policies[2].first_response");
  bad = config;
  bad.policies[1].hours.time_zone = "Europe/Pariss";
  EXPECT_EQ(field(bad), "policies[1].hours.time_zone");
  bad.policies[1].hours = ParisOffice();
  bad.policies[1].hours.holidays = {"2026-12-25", "Noël"};
  EXPECT_EQ(field(bad), "policies[1].hours.holidays[1]");
  bad = config;
  bad.policies[0].hours.time_zone = "Europe/Paris";  // closed every day
  EXPECT_EQ(field(bad), "policies[0].hours.days");
  bad = config;
  bad.levels[1].name.clear();
  EXPECT_EQ(field(bad), "levels[1].name");
  bad.levels.clear();
  EXPECT_EQ(field(bad), "levels");
  bad = config;
  bad.levels[2].contacts = {{"http://127.0.0.1/hook", kSecret}};
  EXPECT_EQ(field(bad), "levels[2].contacts[0].url");
  // Rows and back.
  SlaConfig hours = config;
  hours.policies[0].hours = ParisOffice();
  hours.policies[0].hours.holidays = {"2026-12-25", "2027-01-01"};
  hours.policies[0].next_response_seconds = 2 * kHour;
  const SlaConfig again = FromRows(ToRows(hours));
  ASSERT_EQ(again.policies.size(), 3u);
  EXPECT_EQ(again.policies[0].hours.time_zone, "Europe/Paris");
  EXPECT_EQ(again.policies[0].hours.days, hours.policies[0].hours.days);
  EXPECT_EQ(again.policies[0].hours.holidays, hours.policies[0].hours.holidays);
  EXPECT_EQ(again.policies[0].next_response_seconds, 2 * kHour);
  EXPECT_EQ(again.levels.size(), 3u);
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

    config_.policies = {Policy("*", 0, 24 * kHour), Policy("*", 70, kHour)};
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

  // A monitor on the test's file, as a server starts it: the seed is config_ the first time.
  std::unique_ptr<SlaMonitor> Monitor() {
    Result<std::unique_ptr<SlaTables>> tables = OpenSlaTables(path_);
    EXPECT_TRUE(tables) << tables.error().ToString();
    auto monitor =
        std::make_unique<SlaMonitor>(store_, std::move(tables).value(), *alerts_, clock_, config_);
    const Status loaded = monitor->Load();
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
    return monitor;
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
  std::unique_ptr<SlaMonitor> owned = Monitor();
  SlaMonitor& monitor = *owned;
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
  std::unique_ptr<SlaMonitor> owned = Monitor();
  SlaMonitor& monitor = *owned;
  clock_.Set(kT0 + 5 * kHour);
  std::vector<Escalation> done = Tick(monitor);
  ASSERT_EQ(done.size(), 1u);  // straight to the level its wait reached
  EXPECT_EQ(done[0].case_id, waiting);
  EXPECT_EQ(done[0].to_level, 2);
  EXPECT_TRUE(Tick(monitor).empty());
  EXPECT_EQ(Case(answered).summary.escalation_level, 0);
  EXPECT_TRUE(Escalations(answered).empty());
}

TEST_F(SlaMonitorTest, EachCaseFollowsItsOwnPolicy) {
  config_.policies.push_back(Policy("darty", 0, 30 * kMinute));
  const int64_t fnac_low = Complaint("1", "@marie", "Fnac", 20, kT0);  // 24 h
  const int64_t fnac_high = Complaint("2", "@paul", "Fnac", 90, kT0);  // 1 h
  const int64_t darty = Complaint("3", "@lea", "Darty", 90, kT0);      // 30 min, its own
  std::unique_ptr<SlaMonitor> owned = Monitor();
  SlaMonitor& monitor = *owned;
  clock_.Set(kT0 + 30 * kMinute);
  std::vector<Escalation> done = Tick(monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].case_id, darty);
  EXPECT_EQ(done[0].reason, "no first response within 30m (darty)");
  clock_.Set(kT0 + kHour);
  done = Tick(monitor);
  ASSERT_EQ(done.size(), 2u);  // by deadline: Darty's second level, Fnac's urgent case
  EXPECT_EQ(done[0].case_id, darty);
  EXPECT_EQ(done[1].case_id, fnac_high);
  clock_.Set(kT0 + 24 * kHour);
  done = Tick(monitor);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].case_id, fnac_high);
  EXPECT_EQ(done[0].to_level, 2);
  EXPECT_EQ(done[1].case_id, fnac_low);
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
  std::unique_ptr<SlaMonitor> owned = Monitor();
  SlaMonitor& monitor = *owned;
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
  std::unique_ptr<SlaMonitor> owned = Monitor();
  SlaMonitor& monitor = *owned;
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
  std::unique_ptr<SlaMonitor> owned = Monitor();
  SlaMonitor& monitor = *owned;
  testing::EventCounter escalations;
  monitor.on_escalated = [&](const Escalation&) { escalations.Add(); };
  clock_.Set(kT0 + kHour);
  monitor.Start(std::chrono::milliseconds(10));
  EXPECT_TRUE(escalations.WaitFor(1));
  clock_.Set(kT0 + 2 * kHour);
  EXPECT_TRUE(escalations.WaitFor(2));
  monitor.Stop();
  EXPECT_EQ(escalations.count(), 2);
  EXPECT_EQ(Case(id).summary.escalation_level, 2);
}

TEST_F(SlaMonitorTest, AFollowUpAfterTheResponseStartsTheNextResponseTarget) {
  config_.policies[0].next_response_seconds = 2 * kHour;  // priority below 70: 24 h, then 2 h
  const int64_t id = Complaint("1", "@marie", "Fnac", 20, kT0);
  std::unique_ptr<SlaMonitor> monitor = Monitor();
  CaseSummary c = Case(id).summary;
  EXPECT_EQ(c.sla_target, 1);
  EXPECT_EQ(c.sla_since, kT0);
  ASSERT_TRUE(
      store_.Lock()->DeclareResponse(id, "phone", "called back", "agent:lea", kT0 + kHour).ok());
  c = Case(id).summary;
  EXPECT_EQ(c.sla_met_at, kT0 + kHour);
  SlaStatus status = SlaStatusOf(*monitor->config(), c, kT0 + 2 * kHour);
  EXPECT_EQ(status.state, SlaState::kMet);
  EXPECT_EQ(status.target, SlaTarget::kFirstResponse);

  // The customer writes again: the next response is due 2 h later.
  EXPECT_EQ(Complaint("2", "@marie", "Fnac", 20, kT0 + 3 * kHour), id);
  c = Case(id).summary;
  EXPECT_EQ(c.sla_target, 2);
  EXPECT_EQ(c.sla_round, 2);
  EXPECT_EQ(c.sla_since, kT0 + 3 * kHour);
  EXPECT_FALSE(c.sla_met_at);
  status = SlaStatusOf(*monitor->config(), c, kT0 + 4 * kHour);
  EXPECT_EQ(status.target, SlaTarget::kNextResponse);
  EXPECT_EQ(status.due_at, kT0 + 5 * kHour);
  EXPECT_EQ(status.seconds_left, kHour);
  // A follow-up before any answer keeps the running target.
  EXPECT_EQ(Complaint("3", "@marie", "Fnac", 20, kT0 + 3 * kHour + 10), id);
  EXPECT_EQ(Case(id).summary.sla_round, 2);

  clock_.Set(kT0 + 5 * kHour);
  std::vector<Escalation> done = Tick(*monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].reason, "no next response within 2h");
  EXPECT_EQ(done[0].round, 2);
  ASSERT_TRUE(store_.Lock()
                  ->DeclareResponse(id, "email", "answered", "agent:lea", kT0 + 5 * kHour + 60)
                  .ok());
  status = SlaStatusOf(*monitor->config(), Case(id).summary, kT0 + 6 * kHour);
  EXPECT_EQ(status.state, SlaState::kMissed);
  EXPECT_EQ(status.target, SlaTarget::kNextResponse);
}

TEST_F(SlaMonitorTest, AnOldCaseIsEscalatedOnceAtStartNotOncePerTick) {
  // Three hours overdue when the server starts: the monitor used to climb one level per
  // tick, so the case was escalated at start and again 10 s later.
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  clock_.Set(kT0 + 3 * kHour);
  std::unique_ptr<SlaMonitor> monitor = Monitor();
  std::vector<Escalation> done = Tick(*monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].from_level, 0);
  EXPECT_EQ(done[0].to_level, 2);
  EXPECT_EQ(done[0].reason, "no first response within 2h (priority ≥ 70)");
  clock_.Advance(10);
  EXPECT_TRUE(Tick(*monitor).empty());
  EXPECT_EQ(Escalations(id).size(), 1u);
  EXPECT_EQ(DeliveredPaths(), std::vector<std::string>{"/manager"});
}

TEST_F(SlaMonitorTest, EachLevelIsReachedOnceAcrossRestartsAndConcurrentTicks) {
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  clock_.Set(kT0 + kHour);
  {
    std::unique_ptr<SlaMonitor> first = Monitor();
    ASSERT_EQ(Tick(*first).size(), 1u);
  }
  // A restart: the log says level 1 was reached for this target.
  std::unique_ptr<SlaMonitor> second = Monitor();
  clock_.Advance(5);
  EXPECT_TRUE(Tick(*second).empty());
  // Two monitors on the file (two processes), ticking together when level 2 is due.
  std::unique_ptr<SlaMonitor> third = Monitor();
  clock_.Set(kT0 + 2 * kHour);
  std::vector<Escalation> a;
  std::vector<Escalation> b;
  std::thread one([&] { a = Tick(*second); });
  std::thread two([&] { b = Tick(*third); });
  one.join();
  two.join();
  EXPECT_EQ(a.size() + b.size(), 1u);
  EXPECT_EQ(Escalations(id).size(), 2u);
  EXPECT_EQ(DeliveredPaths(), (std::vector<std::string>{"/supervisor", "/manager"}));
  // Even the store's own call cannot go down or repeat a level.
  EXPECT_EQ(store_.Lock()->EscalateCase(id, 2, "agent:lea", kT0 + 2 * kHour, "again").code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SlaMonitorTest, AlertsLeftUnsentByACrashAreSentByALaterTick) {
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  std::unique_ptr<SlaMonitor> monitor = Monitor();
  // A process logged the escalation, then stopped before queueing its alerts.
  Result<std::unique_ptr<SlaTables>> tables = OpenSlaTables(path_);
  ASSERT_TRUE(tables);
  Result<bool> claimed =
      (*tables)->ClaimEscalation({id, Case(id).summary.sla_round, 1, kT0 + kHour, "rule:sla",
                                  "no first response within 1h", false});
  ASSERT_TRUE(claimed && *claimed);
  clock_.Set(kT0 + kHour + 5);  // too recent: maybe another process is sending them
  EXPECT_TRUE(Tick(*monitor).empty());
  EXPECT_EQ(alerts_->PendingCount(), 0);
  clock_.Set(kT0 + kHour + 60);
  EXPECT_TRUE(Tick(*monitor).empty());  // no second escalation, the first one's alerts
  EXPECT_EQ(DeliveredPaths(), std::vector<std::string>{"/supervisor"});
  EXPECT_TRUE(Tick(*monitor).empty());
  EXPECT_EQ(receiver_.Requests().size(), 1u);
}

TEST_F(SlaMonitorTest, ResolvingClearsTheLevelAndAReopenedCaseClimbsAgain) {
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  std::unique_ptr<SlaMonitor> monitor = Monitor();
  clock_.Set(kT0 + kHour);
  ASSERT_EQ(Tick(*monitor).size(), 1u);
  ASSERT_TRUE(store_.Lock()->ResolveCase(id, "agent:lea", kT0 + kHour + 60, "refunded").ok());
  EXPECT_EQ(Case(id).summary.escalation_level, 0);
  ASSERT_TRUE(store_.Lock()->ReopenCase(id, "agent:lea", kT0 + 2 * kHour, "not refunded").ok());
  CaseSummary c = Case(id).summary;
  EXPECT_EQ(c.escalation_level, 0);
  EXPECT_EQ(c.sla_target, 2);
  EXPECT_EQ(c.sla_round, 2);
  clock_.Set(kT0 + 2 * kHour + 30 * kMinute);
  EXPECT_TRUE(Tick(*monitor).empty());
  clock_.Set(kT0 + 3 * kHour);
  std::vector<Escalation> done = Tick(*monitor);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].from_level, 0);
  EXPECT_EQ(done[0].to_level, 1);
  EXPECT_EQ(done[0].round, 2);
  // The new target's level 1 is another event than the first one's: told again, once.
  EXPECT_EQ(DeliveredPaths(), (std::vector<std::string>{"/supervisor", "/supervisor"}));
  EXPECT_TRUE(Tick(*monitor).empty());
}

TEST_F(SlaMonitorTest, AnAgentEscalatesByHandWithAReason) {
  const int64_t id = Complaint("1", "@marie", "Fnac", 80, kT0);
  std::unique_ptr<SlaMonitor> monitor = Monitor();
  std::vector<Escalation> seen;
  monitor->on_escalated = [&](const Escalation& e) { seen.push_back(e); };
  clock_.Set(kT0 + 10 * kMinute);
  Result<Escalation> done =
      monitor->EscalateByHand(id, "agent:lea", "the customer is a journalist");
  ASSERT_TRUE(done) << done.error().ToString();
  EXPECT_EQ(done->to_level, 1);
  EXPECT_EQ(done->escalation_name, "supervisor");
  ASSERT_EQ(seen.size(), 1u);
  std::vector<CaseEvent> events = Escalations(id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor, "agent:lea");
  EXPECT_EQ(events[0].reason, "the customer is a journalist");
  EXPECT_EQ(DeliveredPaths(), std::vector<std::string>{"/supervisor"});
  // The monitor does not reach level 1 again when its time comes; level 2 in its time.
  clock_.Set(kT0 + kHour);
  EXPECT_TRUE(Tick(*monitor).empty());
  clock_.Set(kT0 + 2 * kHour);
  ASSERT_EQ(Tick(*monitor).size(), 1u);
  // The top, then a closed case: refused.
  EXPECT_EQ(monitor->EscalateByHand(id, "agent:lea", "more").error().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_.Lock()->CloseCase(id, "agent:lea", kT0 + 3 * kHour, "spam").ok());
  EXPECT_EQ(monitor->EscalateByHand(id, "agent:lea", "more").error().code(),
            StatusCode::kFailedPrecondition);
  Result<std::vector<SlaEscalationRow>> log = monitor->EscalationsOf(id);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].actor, "agent:lea");
  EXPECT_EQ((*log)[1].actor, "rule:sla");
  EXPECT_TRUE((*log)[1].notified);
}

TEST_F(SlaMonitorTest, TheStoreSortsOpenCasesByTheirNextBreach) {
  const int64_t day = Complaint("1", "@a", "Fnac", 20, kT0);          // due in 24 h
  const int64_t urgent = Complaint("2", "@b", "Fnac", 80, kT0);       // due in 1 h
  const int64_t later = Complaint("3", "@c", "Fnac", 80, kT0 + 600);  // due in 1 h 10
  const int64_t answered = Complaint("4", "@d", "Fnac", 90, kT0);     // no running target
  ASSERT_TRUE(store_.Lock()->DeclareResponse(answered, "phone", "ok", "agent:lea", kT0 + 60).ok());
  std::unique_ptr<SlaMonitor> monitor = Monitor();
  ASSERT_TRUE(monitor->RefreshDeadlines());
  // The open cases by next breach; with `overdue_at`, only those past their deadline then.
  auto order = [&](std::optional<int64_t> overdue_at = std::nullopt) {
    CaseFilter filter;
    filter.sort = CaseSort::kDue;
    filter.overdue_at = overdue_at;
    std::vector<int64_t> ids;
    Result<std::vector<CaseSummary>> cases = store_.Lock()->ListCases(filter);
    EXPECT_TRUE(cases) << cases.error().ToString();
    if (!cases) return ids;
    for (const CaseSummary& c : *cases) ids.push_back(c.id);
    return ids;
  };
  EXPECT_EQ(order(), (std::vector<int64_t>{urgent, later, day, answered}));
  EXPECT_EQ(Case(urgent).summary.sla_due_at, kT0 + kHour);
  // A priority lowered moves the deadline: the policy changed.
  ASSERT_TRUE(store_.Lock()->SetPriority(urgent, 10, "agent:lea", kT0 + 60, "not urgent").ok());
  ASSERT_TRUE(monitor->RefreshDeadlines());
  EXPECT_EQ(order(), (std::vector<int64_t>{later, day, urgent, answered}));
  // New policies apply at once: every case 30 minutes.
  SlaConfig config = *monitor->config();
  config.policies = {Policy("*", 0, 30 * kMinute)};
  ASSERT_TRUE(monitor->SetConfig(config, "admin:root").ok());
  EXPECT_EQ(Case(later).summary.sla_due_at, kT0 + 600 + 30 * kMinute);
  EXPECT_EQ(order(), (std::vector<int64_t>{day, urgent, later, answered}));
  // The breached ones (GET /cases?sla=breached): a running target past its deadline.
  EXPECT_EQ(order(kT0 + 35 * kMinute), (std::vector<int64_t>{day, urgent}));
  EXPECT_EQ(order(kT0 + 29 * kMinute), std::vector<int64_t>{});
  // And they are what the next start reads, not the seed.
  std::unique_ptr<SlaMonitor> restarted = Monitor();
  ASSERT_EQ(restarted->config()->policies.size(), 1u);
  EXPECT_EQ(restarted->config()->updated_by, "admin:root");
}

}  // namespace
}  // namespace ecoute::server
