// Duplicate cases merged on a real SQLite file: posts and timeline moved, events on both
// sides, the kept case's summary over both, lists and the report counting it once; and the
// inbox's saved views kept and listed by who may see them.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/store.h"

#include "store/sqlite/store_test_fixture.h"
#include "store/view_tables.h"

namespace ecoute {
namespace {

using store_test::kHour;
using store_test::kT0;
using store_test::StoreTest;

class MergeTest : public StoreTest {
 protected:
  int64_t Complaint(const std::string& id, const std::string& author, int64_t at,
                    const std::string& brand = "Fnac") {
    const IngestResult r =
        Ingest(Make(id, author, at, brand + " colis perdu", {{brand, Stance::kComplaint}}));
    EXPECT_EQ(r.cases.size(), 1u);
    return r.cases.empty() ? 0 : r.cases.front();
  }
  static bool HasEvent(const CaseDetail& c, const std::string& kind, const std::string& reason) {
    return std::any_of(c.events.begin(), c.events.end(),
                       [&](const CaseEvent& e) { return e.kind == kind && e.reason == reason; });
  }
};

TEST_F(MergeTest, TheMergedCasesPostsAndTimelineMoveIntoTheKeptCase) {
  const int64_t kept = Complaint("1", "@marie", kT0 + kHour);
  const int64_t dup = Complaint("2", "@paul", kT0);
  ASSERT_NE(kept, dup);
  ASSERT_TRUE(store_->AddNote(dup, "agent:lea", kT0 + kHour / 2, "même panne").ok());
  ASSERT_TRUE(store_->DeclareResponse(dup, "phone", "rappelé", "agent:lea", kT0 + 2 * kHour).ok());
  ASSERT_TRUE(store_->SetPriority(kept, 10, "agent:lea", kT0, "").ok());
  const int dup_priority = Case(dup).summary.priority;

  ASSERT_TRUE(store_->MergeCase(kept, dup, "agent:tom", kT0 + 3 * kHour).ok());
  const CaseDetail k = Case(kept);
  ASSERT_EQ(k.posts.size(), 2u);
  EXPECT_EQ(k.summary.posts, 2);
  EXPECT_EQ(k.posts[0].ext_id, "2");  // in time order: the duplicate's post came first
  EXPECT_EQ(k.posts[0].role, CaseRole::kFollowUp);
  EXPECT_TRUE(HasEvent(k, "note", "#" + std::to_string(dup) + ": même panne"));
  EXPECT_TRUE(HasEvent(k, "merged", "#" + std::to_string(dup) + " merged in"));
  // The summary over both: the earliest opening and response, the latest activity.
  EXPECT_EQ(k.summary.opened_at, kT0);
  EXPECT_EQ(k.summary.first_response_at, kT0 + 2 * kHour);
  EXPECT_EQ(k.summary.first_declared_response_at, kT0 + 2 * kHour);
  EXPECT_EQ(k.summary.last_activity_at, kT0 + 3 * kHour);
  EXPECT_EQ(k.summary.priority, 10);  // the agent's override stays the kept case's
  EXPECT_GE(std::stoi(Scalar("SELECT priority FROM cases WHERE id = " + std::to_string(kept))),
            dup_priority);
  EXPECT_FALSE(k.summary.merged_into);

  const CaseDetail d = Case(dup);
  EXPECT_TRUE(d.posts.empty());
  EXPECT_EQ(d.summary.status, CaseStatus::kClosed);
  EXPECT_EQ(d.summary.merged_into, kept);
  EXPECT_TRUE(HasEvent(d, "merged", "into #" + std::to_string(kept)));
}

TEST_F(MergeTest, ListsAndTheReportCountAMergedCaseOnce) {
  const int64_t a = Complaint("1", "@marie", kT0);
  const int64_t b = Complaint("2", "@paul", kT0 + kHour);
  const int64_t c = Complaint("3", "@zoe", kT0 + kHour);
  ASSERT_TRUE(store_->MergeCase(a, b, "agent:tom", kT0 + 2 * kHour).ok());
  ASSERT_TRUE(store_->MergeCase(a, c, "agent:tom", kT0 + 2 * kHour).ok());
  CaseFilter all;
  Result<std::vector<CaseSummary>> listed = store_->ListCases(all);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().id, a);
  EXPECT_EQ(listed->front().posts, 3);
  CaseFilter by_id;
  by_id.ids = {b};
  EXPECT_EQ(store_->ListCases(by_id)->size(), 1u);  // asked by id, a merged case answers

  ReportOptions options;
  options.now = kT0 + 10 * kHour;
  Result<Report> report = store_->BuildReport(options);
  ASSERT_TRUE(report) << report.error().ToString();
  const auto fnac = std::find_if(report->brands.begin(), report->brands.end(),
                                 [](const BrandReport& r) { return r.brand == "Fnac"; });
  ASSERT_NE(fnac, report->brands.end());
  EXPECT_EQ(fnac->cases, 1);
  EXPECT_EQ(fnac->mentions, 3);  // every post still counts as a mention

  // Retention keeps a merged case (it has no posts of its own) while its kept case lives.
  ASSERT_TRUE(store_->ForgetOlderThan(kT0 - kHour, kT0 + 10 * kHour));
  EXPECT_EQ(Case(b).summary.merged_into, a);

  // The customer of a merged case writes again: the post joins a live case, not the merged one.
  Item& again =
      Make("4", "@paul", kT0 + 3 * kHour, "Fnac toujours rien", {{"Fnac", Stance::kComplaint}});
  const IngestResult r = Ingest(again);
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_NE(r.cases.front(), b);
}

TEST_F(MergeTest, OnlyCasesOfOneBrandNotYetMergedMerge) {
  const int64_t fnac = Complaint("1", "@marie", kT0);
  const int64_t fnac2 = Complaint("2", "@paul", kT0);
  const int64_t darty = Complaint("3", "@zoe", kT0, "Darty");
  EXPECT_EQ(store_->MergeCase(fnac, fnac, "agent:tom", kT0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->MergeCase(fnac, darty, "agent:tom", kT0).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->MergeCase(fnac, 999, "agent:tom", kT0).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->MergeCase(999, fnac, "agent:tom", kT0).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->MergeCase(fnac, fnac2, "agent:tom", kT0).ok());
  EXPECT_EQ(store_->MergeCase(fnac, fnac2, "agent:tom", kT0).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->MergeCase(fnac2, fnac, "agent:tom", kT0).code(),
            StatusCode::kFailedPrecondition);
  // A refused merge changed nothing.
  EXPECT_EQ(Case(darty).posts.size(), 1u);
  EXPECT_FALSE(Case(darty).summary.merged_into);
}

class ViewTablesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Result<std::unique_ptr<ViewTables>> tables = OpenViewTables(path_);
    ASSERT_TRUE(tables) << tables.error().ToString();
    views_ = std::move(tables).value();
  }
  void TearDown() override {
    views_.reset();
    StoreTest::TearDown();
  }
  InboxView Save(std::string owner, std::string name, std::string shared) {
    InboxView v{0,  std::move(owner), std::move(name), "status=new&sort=due", std::move(shared),
                kT0};
    Result<InboxView> made = views_->CreateView(v);
    EXPECT_TRUE(made) << made.error().ToString();
    return made ? *made : InboxView{};
  }
  std::vector<std::string> Names(const std::string& user, const std::vector<std::string>& teams) {
    Result<std::vector<InboxView>> listed = views_->ListViews(user, teams);
    EXPECT_TRUE(listed) << listed.error().ToString();
    std::vector<std::string> names;
    if (listed) {
      for (const InboxView& v : *listed) names.push_back(v.name);
    }
    return names;
  }
  std::unique_ptr<ViewTables> views_;
};

TEST_F(ViewTablesTest, AUserSeesTheirOwnViewsAndThoseSharedWithThem) {
  const InboxView mine = Save("lea", "Mes urgences", "");
  Save("tom", "Tom seul", "");
  Save("tom", "Pour tous", "everyone");
  Save("tom", "SAV équipe", "team:sav");
  EXPECT_EQ(mine.owner, "lea");
  EXPECT_EQ(mine.query, "status=new&sort=due");
  EXPECT_EQ(Names("lea", {}), (std::vector<std::string>{"Mes urgences", "Pour tous"}));
  EXPECT_EQ(Names("LEA", {"sav"}),
            (std::vector<std::string>{"Mes urgences", "Pour tous", "SAV équipe"}));
  EXPECT_EQ(Names("tom", {}), (std::vector<std::string>{"Pour tous", "SAV équipe", "Tom seul"}));
  ASSERT_TRUE(views_->DeleteView(mine.id).ok());
  EXPECT_EQ(views_->DeleteView(mine.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(views_->GetView(mine.id).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(Names("lea", {}), (std::vector<std::string>{"Pour tous"}));
}

}  // namespace
}  // namespace ecoute
