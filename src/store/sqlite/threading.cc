// Threading a new post into cases, once per brand it concerns, in three steps: gather the
// facts (reads), decide (PlanThreading, cases/threading.h: pure rules), apply the plan
// (writes). docs/CASES.md tells the rules.
#include <algorithm>
#include <set>

#include "store/sqlite/sqlite_store.h"

namespace ecoute::sqlite {
namespace {

constexpr size_t kMaxLinksFollowed = 32;

// The post's verdict on the brand, when it names it.
const BrandVerdict* VerdictOn(const PostRow& post, int64_t brand) {
  const BrandVerdict* verdict = nullptr;
  for (size_t i = 0; i < post.brand_ids.size(); ++i) {
    if (post.brand_ids[i] == brand) verdict = &post.analysis.brands[i];
  }
  return verdict;
}

// The cases of `cases` (brand, case) that are the brand's.
std::vector<CaseRef> CasesOfBrand(const std::vector<std::pair<int64_t, CaseRef>>& cases,
                                  int64_t brand) {
  std::vector<CaseRef> out;
  for (const auto& [b, c] : cases) {
    if (b == brand) out.push_back(c);
  }
  return out;
}

}  // namespace

Status SqliteStore::Thread(const PostRow& post, IngestResult& result) {
  ECOUTE_ASSIGN_OR_RETURN(const Surroundings around, ReadSurroundings(post));
  const ThreadingOptions options{options_.case_window_seconds, options_.questions_open_cases,
                                 options_.addressed_open_cases};
  for (int64_t brand : BrandsConcerned(post, around)) {
    const BrandFacts facts = GatherFacts(post, around, brand);
    const ThreadingPlan plan = PlanThreading(facts.threading, options);
    ECOUTE_RETURN_IF_ERROR(ApplyPlan(post, around, brand, facts, plan, result));
  }
  return OkStatus();
}

// The post it answers (by the source's id, else by URL) and the posts it links to, with
// their cases.
Result<SqliteStore::Surroundings> SqliteStore::ReadSurroundings(const PostRow& post) {
  Surroundings around;
  if (!post.post.parent_id.empty()) {
    sqlite::Statement& find = Get(kFindPostByExtId);
    find.Bind(1, post.source_id).Bind(2, post.post.parent_id);
    if (find.Step()) around.parent = find.Int(0);
    find.Reset();
  }
  if (!around.parent && !post.post.parent_url.empty()) {
    sqlite::Statement& find = Get(kFindPostByUrl);
    find.Bind(1, post.post.parent_url);
    if (find.Step()) around.parent = find.Int(0);
    find.Reset();
  }
  if (around.parent) {
    ECOUTE_ASSIGN_OR_RETURN(around.parent_cases, CasesOf(*around.parent));
  }
  std::set<int64_t> linked_posts;
  auto follow = [&](std::string_view link) {
    if (linked_posts.size() >= kMaxLinksFollowed || link == post.post.url) return;
    sqlite::Statement& find = Get(kFindPostByUrl);
    find.Bind(1, link);
    if (find.Step() && find.Int(0) != post.id &&
        (!around.parent || find.Int(0) != *around.parent)) {
      linked_posts.insert(find.Int(0));
    }
    find.Reset();
  };
  for (const std::string& link : post.post.links) follow(link);
  for (std::string_view link : post.analysis.facts.links) follow(link);
  for (int64_t linked : linked_posts) {
    ECOUTE_ASSIGN_OR_RETURN(auto cases, CasesOf(linked));
    around.linked_cases.insert(around.linked_cases.end(), cases.begin(), cases.end());
  }
  return around;
}

// Every brand the post may concern, once each, in order: those it names, its author if a
// brand, and those of the cases it answers or links to.
std::vector<int64_t> SqliteStore::BrandsConcerned(const PostRow& post,
                                                  const Surroundings& around) const {
  std::vector<int64_t> brands = post.brand_ids;
  if (post.author_brand != 0) brands.push_back(post.author_brand);
  for (const auto& [brand, c] : around.parent_cases) brands.push_back(brand);
  for (const auto& [brand, c] : around.linked_cases) brands.push_back(brand);
  std::vector<int64_t> once;
  for (int64_t brand : brands) {
    if (std::find(once.begin(), once.end(), brand) == once.end()) once.push_back(brand);
  }
  return once;
}

// The author's latest case with the brand, if any.
std::optional<CaseRef> SqliteStore::AuthorCase(int64_t author_id, int64_t brand) {
  std::optional<CaseRef> ref;
  sqlite::Statement& find = Get(kAuthorCase);
  find.Bind(1, author_id).Bind(2, brand);
  if (find.Step()) {
    ref = CaseRef{find.Int(0), static_cast<CaseStatus>(find.Int(1)), find.Int(2), find.Int(3),
                  find.Int(4) != 0};
  }
  find.Reset();
  return ref;
}

SqliteStore::BrandFacts SqliteStore::GatherFacts(const PostRow& post, const Surroundings& around,
                                                 int64_t brand) {
  BrandFacts out;
  ThreadingFacts& facts = out.threading;
  facts.author_id = post.author_id;
  facts.is_by_brand = brand == post.author_brand;
  facts.is_addressed = IsAddressedTo(post.post.text, brand);
  facts.at = post.at;
  facts.post_stance = post.analysis.stance;
  out.verdict = VerdictOn(post, brand);
  if (out.verdict != nullptr && !facts.is_by_brand) facts.stance = out.verdict->stance;
  facts.parent_cases = CasesOfBrand(around.parent_cases, brand);
  facts.linked_cases = CasesOfBrand(around.linked_cases, brand);
  // A customer's post the brand answers, in none of its cases (rule 6).
  if (facts.is_by_brand && around.parent) {
    sqlite::Statement& select = Get(kParentForCase);
    select.Bind(1, *around.parent).Bind(2, brand);
    if (facts.parent_cases.empty() && select.Step() && !select.IsNull(0)) {
      const auto stance = static_cast<Stance>(select.Int(2));
      facts.answered.author_id = select.Int(0);
      facts.answered.at = select.Int(1);
      out.answered_priority = select.Int(3);
      out.answered_topic = select.OptionalInt(4);
      facts.parent_awaits_answer = facts.answered.author_id != post.author_id &&
                                   stance != Stance::kPraise && stance != Stance::kResolution;
    }
    select.Reset();
  }
  if (facts.parent_awaits_answer) {
    facts.answered.author_case = AuthorCase(facts.answered.author_id, brand);
  }
  if (post.author_id != 0 && facts.stance) facts.author_case = AuthorCase(post.author_id, brand);
  return out;
}

Status SqliteStore::ApplyPlan(const PostRow& post, const Surroundings& around, int64_t brand,
                              const BrandFacts& facts, const ThreadingPlan& plan,
                              IngestResult& result) {
  int64_t case_id = plan.target.id;
  if (plan.answered != AnsweredStep::kNone) {
    ECOUTE_ASSIGN_OR_RETURN(case_id, ApplyAnswered(*around.parent, brand, facts, plan));
  }
  switch (plan.action) {
    case ThreadingAction::kOpen:
      return OpenCase(post, brand, facts, plan, result);
    case ThreadingAction::kJoin:
      return JoinCase(post, case_id, plan, result);
    case ThreadingAction::kNone:
    case ThreadingAction::kOpenParent:
      break;
  }
  return OkStatus();
}

// Rule 6: the answered post joins its author's open case as a follow-up, or opens a case;
// returns that case.
Result<int64_t> SqliteStore::ApplyAnswered(int64_t parent, int64_t brand, const BrandFacts& facts,
                                           const ThreadingPlan& plan) {
  const AnsweredPost& answered = facts.threading.answered;
  if (plan.answered == AnsweredStep::kJoinAuthorCase) {
    const int64_t case_id = plan.target.id;
    ECOUTE_RETURN_IF_ERROR(Get(kInsertCasePost)
                               .Bind(1, case_id)
                               .Bind(2, parent)
                               .Bind(3, CaseRoleName(CaseRole::kFollowUp))
                               .Bind(4, plan.rule)
                               .Bind(5, answered.at)
                               .Run());
    ECOUTE_RETURN_IF_ERROR(Get(kUpdateCase)
                               .Bind(1, case_id)
                               .Bind(2, answered.at)
                               .Bind(3, facts.answered_priority)
                               .BindNull(4)
                               .BindNull(5)
                               .Bind(6, answered.at)
                               .Bind(7, int64_t{0})
                               .Run());
    return case_id;
  }
  sqlite::Statement& insert = Get(kInsertCase);
  insert.Bind(1, brand).Bind(2, answered.author_id).Bind(3, facts.answered_priority);
  insert.BindOrNull(4, facts.answered_topic).Bind(5, answered.at).Bind(6, parent);
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  const int64_t case_id = sqlite3_last_insert_rowid(db_);
  ECOUTE_RETURN_IF_ERROR(Get(kInsertCasePost)
                             .Bind(1, case_id)
                             .Bind(2, parent)
                             .Bind(3, CaseRoleName(CaseRole::kOpening))
                             .Bind(4, plan.rule)
                             .Bind(5, answered.at)
                             .Run());
  ECOUTE_RETURN_IF_ERROR(AddEvent(case_id, answered.at, "opened", "rule:" + plan.rule,
                                  "the brand answered this post", parent));
  return case_id;
}

Status SqliteStore::OpenCase(const PostRow& post, int64_t brand, const BrandFacts& facts,
                             const ThreadingPlan& plan, IngestResult& result) {
  const Analysis& analysis = post.analysis;
  sqlite::Statement& insert = Get(kInsertCase);
  insert.Bind(1, brand).Bind(2, post.author_id).Bind(3, static_cast<int64_t>(analysis.priority));
  insert.BindOrNull(
      4, analysis.topics.empty()
             ? std::nullopt
             : std::optional<int64_t>(static_cast<int64_t>(analysis.topics.front().topic)));
  insert.Bind(5, post.at).Bind(6, post.id);
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  const int64_t case_id = sqlite3_last_insert_rowid(db_);
  ECOUTE_RETURN_IF_ERROR(Get(kInsertCasePost)
                             .Bind(1, case_id)
                             .Bind(2, post.id)
                             .Bind(3, CaseRoleName(CaseRole::kOpening))
                             .Bind(4, plan.rule)
                             .Bind(5, post.at)
                             .Run());
  std::string reason = std::string(StanceName(*plan.stance));
  if (facts.verdict != nullptr && !facts.verdict->cues.empty()) {
    reason += ": " + JoinCues(facts.verdict->cues);
  }
  ECOUTE_RETURN_IF_ERROR(
      AddEvent(case_id, post.at, "opened", "rule:" + plan.rule, reason, post.id));
  result.cases.push_back(case_id);
  return OkStatus();
}

// Joining: the post's place in the case, then what it changes (only what changes is
// written, so that the indexes on status and priority are left alone).
Status SqliteStore::JoinCase(const PostRow& post, int64_t case_id, const ThreadingPlan& plan,
                             IngestResult& result) {
  const CaseChange& change = plan.change;
  const std::string actor = "rule:" + plan.rule;
  sqlite::Statement& add = Get(kInsertCasePost);
  add.Bind(1, case_id).Bind(2, post.id).Bind(3, CaseRoleName(change.role));
  add.Bind(4, plan.rule).Bind(5, post.at);
  ECOUTE_RETURN_IF_ERROR(add.Run());
  if (sqlite3_changes(db_) == 0) return OkStatus();  // already there (two links to one case)
  if (change.role == CaseRole::kBrandReply) {
    ECOUTE_RETURN_IF_ERROR(Get(kStampObserved).Bind(1, case_id).Bind(2, post.at).Run());
  }
  const int64_t priority =
      plan.is_customer ? static_cast<int64_t>(post.analysis.priority) : int64_t{0};
  if (!change.status && !change.is_first_response) {
    ECOUTE_RETURN_IF_ERROR(Get(kTouchCase).Bind(1, case_id).Bind(2, post.at).Run());
    if (priority > 0) {
      ECOUTE_RETURN_IF_ERROR(Get(kRaiseCasePriority).Bind(1, case_id).Bind(2, priority).Run());
    }
    result.cases.push_back(case_id);
    return OkStatus();
  }
  sqlite::Statement& update = Get(kUpdateCase);
  update.Bind(1, case_id).Bind(2, post.at).Bind(3, priority);
  update.BindOrNull(4, change.status ? std::optional<int64_t>(static_cast<int64_t>(*change.status))
                                     : std::nullopt);
  update.BindOrNull(5, change.is_first_response ? std::optional<int64_t>(post.at) : std::nullopt);
  update.Bind(6, post.at).Bind(7, static_cast<int64_t>(change.is_recovery));
  ECOUTE_RETURN_IF_ERROR(update.Run());
  if (change.is_first_response) {
    ECOUTE_RETURN_IF_ERROR(
        AddEvent(case_id, post.at, "responded", actor, "first response by the brand", post.id));
  }
  if (change.status) {
    ECOUTE_RETURN_IF_ERROR(
        AddEvent(case_id, post.at, CaseStatusName(*change.status), actor, change.reason, post.id));
  }
  result.cases.push_back(case_id);
  return OkStatus();
}

}  // namespace ecoute::sqlite
