// Responses on a real SQLite file: the brand's replies (observed), answers recorded by
// agents (declared), internal notes, the priority override, and what a post says of its
// priority and reach.
#include <gtest/gtest.h>

#include "ecoute/store.h"

#include "store/sqlite/store_test_fixture.h"

namespace ecoute {
namespace {

using store_test::kHour;
using store_test::kT0;
using store_test::StoreTest;

class ResponsesTest : public StoreTest {
 protected:
  // Marie's complaint to Fnac at kT0: its case.
  int64_t Complaint(const std::string& id = "1", const std::string& author = "@marie",
                    int64_t at = kT0) {
    const IngestResult r =
        Ingest(Make(id, author, at, "Fnac colis perdu", {{"Fnac", Stance::kComplaint}}));
    EXPECT_EQ(r.cases.size(), 1u);
    return r.cases.empty() ? 0 : r.cases.front();
  }
  // Fnac's reply to post `parent`.
  IngestResult BrandReply(const std::string& id, const std::string& parent, int64_t at) {
    Item& reply = Make(id, "@fnac", at, "Nous regardons votre commande", {});
    reply.post.parent_id = parent;
    return Ingest(reply);
  }
  std::vector<std::string> Kinds(int64_t id) {
    std::vector<std::string> kinds;
    for (const CaseEvent& e : Case(id).events) kinds.push_back(e.kind);
    return kinds;
  }
};

TEST_F(ResponsesTest, ANoteChangesNeitherTheStatusNorTheClocks) {
  const int64_t id = Complaint();
  const CaseSummary before = Case(id).summary;
  ASSERT_TRUE(store_->AddNote(id, "agent:lea", kT0 + kHour, "cliente VIP, rappeler demain").ok());
  const CaseDetail after = Case(id);
  EXPECT_EQ(after.summary.status, CaseStatus::kNew);
  EXPECT_EQ(after.summary.last_activity_at, before.last_activity_at);
  EXPECT_FALSE(after.summary.first_response_at);
  EXPECT_EQ(ResponseKind(after.summary), "");
  ASSERT_EQ(after.events.back().kind, "note");
  EXPECT_EQ(after.events.back().actor, "agent:lea");
  EXPECT_EQ(after.events.back().reason, "cliente VIP, rappeler demain");
  EXPECT_EQ(store_->AddNote(id, "agent:lea", kT0, " \n").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->AddNote(999, "agent:lea", kT0, "x").code(), StatusCode::kNotFound);
  CaseFilter unanswered;
  unanswered.unanswered_only = true;
  EXPECT_EQ(store_->ListCases(unanswered)->size(), 1u);
}

TEST_F(ResponsesTest, ADeclaredResponseNeedsAKnownChannelAndANote) {
  const int64_t id = Complaint();
  EXPECT_EQ(store_->DeclareResponse(id, "pigeon", "x", "agent:lea", kT0).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->DeclareResponse(id, "phone", "", "agent:lea", kT0).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Kinds(id), std::vector<std::string>{"opened"});
  ASSERT_TRUE(
      store_->DeclareResponse(id, "phone", "rappelée, colis renvoyé", "agent:lea", kT0 + kHour)
          .ok());
  const CaseDetail c = Case(id);
  EXPECT_EQ(c.summary.status, CaseStatus::kAcknowledged);
  EXPECT_EQ(c.summary.first_response_at, kT0 + kHour);
  EXPECT_EQ(c.summary.first_declared_response_at, kT0 + kHour);
  EXPECT_FALSE(c.summary.first_observed_response_at);
  EXPECT_EQ(ResponseKind(c.summary), "declared");
  EXPECT_EQ(Kinds(id), (std::vector<std::string>{"opened", "declared", "acknowledged"}));
  EXPECT_EQ(c.events[1].reason, "phone: rappelée, colis renvoyé");
  // A second declaration keeps the first's time.
  ASSERT_TRUE(
      store_->DeclareResponse(id, "email", "devis envoyé", "agent:lea", kT0 + 2 * kHour).ok());
  EXPECT_EQ(Case(id).summary.first_declared_response_at, kT0 + kHour);
}

TEST_F(ResponsesTest, TheBrandsReplyPostIsAnObservedResponse) {
  const int64_t id = Complaint();
  BrandReply("2", "1", kT0 + 2 * kHour);
  const CaseSummary c = Case(id).summary;
  EXPECT_EQ(c.first_observed_response_at, kT0 + 2 * kHour);
  EXPECT_EQ(c.first_response_at, kT0 + 2 * kHour);
  EXPECT_EQ(ResponseKind(c), "observed");
  // Declared after: the first response stays the observed one.
  ASSERT_TRUE(store_->DeclareResponse(id, "phone", "rappel", "agent:lea", kT0 + 3 * kHour).ok());
  EXPECT_EQ(ResponseKind(Case(id).summary), "observed");
  EXPECT_EQ(Case(id).summary.first_declared_response_at, kT0 + 3 * kHour);
}

TEST_F(ResponsesTest, AReplyAfterADeclaredResponseIsStillObserved) {
  const int64_t id = Complaint();
  ASSERT_TRUE(
      store_->DeclareResponse(id, "in_person", "en magasin", "agent:lea", kT0 + kHour).ok());
  BrandReply("2", "1", kT0 + 5 * kHour);
  const CaseSummary c = Case(id).summary;
  EXPECT_EQ(c.first_response_at, kT0 + kHour);
  EXPECT_EQ(c.first_declared_response_at, kT0 + kHour);
  EXPECT_EQ(c.first_observed_response_at, kT0 + 5 * kHour);
  EXPECT_EQ(ResponseKind(c), "declared");
}

TEST_F(ResponsesTest, AnAgentsPriorityOverridesTheComputedOneUntilCleared) {
  Item& low = Make("1", "@marie", kT0, "Fnac colis perdu", {{"Fnac", Stance::kComplaint}});
  low.analysis.priority = 20;
  const int64_t first = Ingest(low).cases.at(0);
  Item& high = Make("2", "@paul", kT0, "Fnac remboursement", {{"Fnac", Stance::kComplaint}});
  high.analysis.priority = 60;
  const int64_t second = Ingest(high).cases.at(0);
  EXPECT_EQ(store_->ListCases({})->front().id, second);
  EXPECT_EQ(store_->SetPriority(first, 101, "agent:lea", kT0, "").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->SetPriority(999, 50, "agent:lea", kT0, "").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->SetPriority(first, 90, "agent:lea", kT0 + kHour, "client fragile").ok());
  CaseSummary c = Case(first).summary;
  EXPECT_EQ(c.priority, 90);
  EXPECT_EQ(c.priority_override, 90);
  EXPECT_EQ(store_->ListCases({})->front().id, first);
  CaseFilter urgent;
  urgent.min_priority = 80;
  EXPECT_EQ(store_->ListCases(urgent)->size(), 1u);
  EXPECT_EQ(Case(first).events.back().kind, "priority");
  EXPECT_EQ(Case(first).events.back().reason, "set to 90: client fragile");
  ASSERT_TRUE(store_->SetPriority(first, std::nullopt, "agent:lea", kT0 + 2 * kHour, "").ok());
  c = Case(first).summary;
  EXPECT_EQ(c.priority, 20);
  EXPECT_FALSE(c.priority_override);
  EXPECT_EQ(store_->ListCases({})->front().id, second);
}

TEST_F(ResponsesTest, APostKeepsTheReasonsForItsPriorityAndItsReach) {
  Item& post = Make("1", "@marie", kT0, "Fnac colis perdu", {{"Fnac", Stance::kComplaint}});
  post.analysis.reasons = {"complaint toward Fnac", "money: 120 €"};
  post.post.author.followers = 1200;
  post.post.comments = 4;
  post.post.likes = 30;
  const int64_t id = Ingest(post).cases.at(0);
  const CasePost p = Case(id).posts.at(0);
  EXPECT_EQ(p.reasons, (std::vector<std::string>{"complaint toward Fnac", "money: 120 €"}));
  EXPECT_EQ(p.followers, 1200);
  EXPECT_EQ(p.comments, 4);
  EXPECT_EQ(p.shares, -1);
  EXPECT_EQ(p.likes, 30);
}

// The report counts observed and declared responses apart and ranks on the observed.
// Fnac, five cases opened at kT0: A answered by its reply post after 1 h; B answered by
// phone only (declared, 2 h); C declared after 1 h, then answered by a reply post after
// 3 h; D answered by a reply ecoute sent after 30 min; E never answered. Darty, one case,
// declared only. By hand: Fnac observed 3 of 5 (A, C, D) = 0.6, declared 1 (B) = 0.2,
// unanswered 1 (E), observed times 1800, 3600, 10800 s: median (rank ceil(1.5) = 2)
// 3600, p90 (rank ceil(2.7) = 3) 10800. Darty: observed 0, declared 1 of 1 = 1.0, no
// time. Ranked on the observed rate: Fnac first, although Darty declared every case.
TEST_F(ResponsesTest, TheReportCountsObservedAndDeclaredResponsesApart) {
  const int64_t a = Complaint("a", "@a");
  const int64_t b = Complaint("b", "@b");
  const int64_t c = Complaint("c", "@c");
  const int64_t d = Complaint("d", "@d");
  Complaint("e", "@e");
  const int64_t darty =
      Ingest(Make("f", "@f", kT0, "Darty four en panne", {{"Darty", Stance::kComplaint}}))
          .cases.at(0);
  BrandReply("a-reply", "a", kT0 + kHour);
  ASSERT_TRUE(store_->DeclareResponse(b, "phone", "rappel", "agent:lea", kT0 + 2 * kHour).ok());
  ASSERT_TRUE(store_->DeclareResponse(c, "email", "mail", "agent:lea", kT0 + kHour).ok());
  BrandReply("c-reply", "c", kT0 + 3 * kHour);
  Item& sent = Make("d-reply", "@fnac_support@social.example", kT0 + kHour / 2, "Bonjour", {});
  IngestItem item{&sent.post, &sent.analysis, false, kT0 + kHour, d, "agent:lea"};
  std::vector<IngestResult> results;
  ASSERT_TRUE(store_->Ingest(std::span<const IngestItem>(&item, 1), results).ok());
  ASSERT_TRUE(store_->DeclareResponse(darty, "in_person", "vu", "agent:tom", kT0 + kHour).ok());
  EXPECT_EQ(ResponseKind(Case(a).summary), "observed");

  ReportOptions options;
  options.now = kT0 + 10 * kHour;
  Result<Report> report = store_->BuildReport(options);
  ASSERT_TRUE(report) << report.error().ToString();
  ASSERT_EQ(report->brands.size(), 2u);
  const BrandReport& fnac = report->brands[0];
  EXPECT_EQ(fnac.brand, "Fnac");
  EXPECT_EQ(fnac.cases, 5);
  EXPECT_EQ(fnac.responded, 3);
  EXPECT_DOUBLE_EQ(fnac.response_rate, 0.6);
  EXPECT_EQ(fnac.declared, 1);
  EXPECT_DOUBLE_EQ(fnac.declared_rate, 0.2);
  EXPECT_EQ(fnac.unanswered, 1);
  EXPECT_EQ(fnac.response_times_s, (std::vector<int64_t>{1800, 3600, 10800}));
  EXPECT_EQ(fnac.first_response_median_s, 3600);
  EXPECT_EQ(fnac.first_response_p90_s, 10800);
  const BrandReport& second = report->brands[1];
  EXPECT_EQ(second.brand, "Darty");
  EXPECT_EQ(second.cases, 1);
  EXPECT_EQ(second.responded, 0);
  EXPECT_EQ(second.declared, 1);
  EXPECT_DOUBLE_EQ(second.declared_rate, 1.0);
  EXPECT_EQ(second.unanswered, 0);
  EXPECT_FALSE(second.first_response_median_s);
}

TEST_F(ResponsesTest, ABrandCorrectionMovesTheCaseAndIsKeptForTraining) {
  const int64_t id = Complaint();  // about Fnac, but the parcel was Darty's
  Correction c;
  c.post_id = Case(id).posts.at(0).post_id;
  c.brand = "Darty";
  c.from_brand = "Fnac";
  c.stance = Stance::kComplaint;
  c.actor = "agent:lea";
  c.at = kT0 + kHour;
  ASSERT_TRUE(store_->RecordCorrection(c));
  const CaseDetail moved = Case(id);
  EXPECT_EQ(moved.summary.brand, "Darty");
  EXPECT_EQ(moved.events.back().kind, "rebranded");
  EXPECT_EQ(moved.events.back().reason, "from Fnac to Darty");
  EXPECT_EQ(*store_->CaseBrand(id), "Darty");
  CaseFilter fnac;
  fnac.brands = {"Fnac"};
  EXPECT_TRUE(store_->ListCases(fnac)->empty());
  Result<std::vector<Correction>> kept = store_->ListCorrections(0, 10);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ(kept->front().brand, "Darty");
  EXPECT_EQ(kept->front().from_brand, "Fnac");
  c.from_brand = "Boulanger";
  EXPECT_EQ(store_->RecordCorrection(c).error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ecoute
