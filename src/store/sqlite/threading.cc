// Threading a new post into cases, once per brand it concerns: the rules are
// cases/threading.h's pure decisions; this file reads their facts and writes their outcome
// (docs/CASES.md).
#include <algorithm>
#include <set>

#include "cases/threading.h"
#include "store/sqlite/sqlite_store.h"

namespace ecoute::sqlite {
namespace {

constexpr size_t kMaxLinksFollowed = 32;

}  // namespace

Status SqliteStore::Thread(int64_t post_id, int64_t author_id, int64_t at, const Post& post,
                           const Analysis& analysis, int64_t source_id,
                           const std::vector<int64_t>& brand_ids, int64_t author_brand,
                           IngestResult& result) {
  // The cases of the post it answers and of the posts it links to, by brand.
  std::vector<std::pair<int64_t, CaseRef>> parent_cases, linked_cases;
  std::optional<int64_t> parent;
  if (!post.parent_id.empty()) {
    sqlite::Statement& find = Get(kFindPostByExtId);
    find.Bind(1, source_id).Bind(2, post.parent_id);
    if (find.Step()) parent = find.Int(0);
    find.Reset();
  }
  if (!parent && !post.parent_url.empty()) {
    sqlite::Statement& find = Get(kFindPostByUrl);
    find.Bind(1, post.parent_url);
    if (find.Step()) parent = find.Int(0);
    find.Reset();
  }
  if (parent) {
    ECOUTE_ASSIGN_OR_RETURN(parent_cases, CasesOf(*parent));
  }
  std::set<int64_t> linked_posts;
  auto follow = [&](std::string_view link) {
    if (linked_posts.size() >= kMaxLinksFollowed || link == post.url) return;
    sqlite::Statement& find = Get(kFindPostByUrl);
    find.Bind(1, link);
    if (find.Step() && find.Int(0) != post_id && (!parent || find.Int(0) != *parent)) {
      linked_posts.insert(find.Int(0));
    }
    find.Reset();
  };
  for (const std::string& link : post.links) follow(link);
  for (std::string_view link : analysis.facts.links) follow(link);
  for (int64_t linked : linked_posts) {
    ECOUTE_ASSIGN_OR_RETURN(auto cases, CasesOf(linked));
    linked_cases.insert(linked_cases.end(), cases.begin(), cases.end());
  }

  // Every brand the post may concern: those it names, its author if a brand, and those of
  // the cases it answers or links to.
  std::vector<int64_t> brands = brand_ids;
  if (author_brand != 0) brands.push_back(author_brand);
  for (const auto& [brand, c] : parent_cases) brands.push_back(brand);
  for (const auto& [brand, c] : linked_cases) brands.push_back(brand);
  std::vector<int64_t> seen;
  for (int64_t brand : brands) {
    if (std::find(seen.begin(), seen.end(), brand) != seen.end()) continue;
    seen.push_back(brand);

    ThreadingFacts facts;
    facts.author_id = author_id;
    facts.is_by_brand = brand == author_brand;
    facts.is_addressed = IsAddressedTo(post.text, brand);
    facts.at = at;
    const BrandVerdict* verdict = nullptr;
    for (size_t i = 0; i < brand_ids.size(); ++i) {
      if (brand_ids[i] == brand) verdict = &analysis.brands[i];
    }
    if (verdict != nullptr && !facts.is_by_brand) facts.stance = verdict->stance;
    // A customer's post the brand answers, in none of its cases.
    struct ParentInfo {
      int64_t author_id = 0;
      int64_t at = 0;
      int64_t priority = 0;
      std::optional<int64_t> topic;
    } parent_info;
    if (facts.is_by_brand && parent) {
      bool in_case = false;
      for (const auto& [b, c] : parent_cases) in_case |= b == brand;
      sqlite::Statement& select = Get(kParentForCase);
      select.Bind(1, *parent).Bind(2, brand);
      if (!in_case && select.Step() && !select.IsNull(0)) {
        const auto stance = static_cast<Stance>(select.Int(2));
        parent_info = {select.Int(0), select.Int(1), select.Int(3), select.OptionalInt(4)};
        facts.parent_awaits_answer = parent_info.author_id != author_id &&
                                     stance != Stance::kPraise && stance != Stance::kResolution;
      }
      select.Reset();
    }
    for (const auto& [b, c] : parent_cases) {
      if (b == brand) facts.parent_cases.push_back(c);
    }
    for (const auto& [b, c] : linked_cases) {
      if (b == brand) facts.linked_cases.push_back(c);
    }
    if (author_id != 0 && facts.stance) {
      sqlite::Statement& find = Get(kAuthorCase);
      find.Bind(1, author_id).Bind(2, brand);
      if (find.Step()) {
        CaseRef ref;
        ref.id = find.Int(0);
        ref.status = static_cast<CaseStatus>(find.Int(1));
        ref.customer_id = find.Int(2);
        ref.last_activity_at = find.Int(3);
        ref.is_responded = find.Int(4) != 0;
        facts.author_case = ref;
      }
      find.Reset();
    }
    ThreadingDecision decision =
        DecideThreading(facts, {options_.case_window_seconds, options_.questions_open_cases,
                                options_.addressed_open_cases});
    const std::string actor = "rule:" + decision.rule;
    if (decision.action == ThreadingAction::kOpenParent) {
      // The customer's open case with the brand, if the parent is a follow-up the rules
      // missed; else a new case on the parent.
      std::optional<CaseRef> customer_case;
      {
        sqlite::Statement& find = Get(kAuthorCase);
        find.Bind(1, parent_info.author_id).Bind(2, brand);
        if (find.Step() && parent_info.at - find.Int(3) < options_.case_window_seconds &&
            IsOpen(static_cast<CaseStatus>(find.Int(1)))) {
          customer_case = CaseRef{find.Int(0), static_cast<CaseStatus>(find.Int(1)), find.Int(2),
                                  find.Int(3), find.Int(4) != 0};
        }
        find.Reset();
      }
      if (customer_case) {
        ECOUTE_RETURN_IF_ERROR(Get(kInsertCasePost)
                                   .Bind(1, customer_case->id)
                                   .Bind(2, *parent)
                                   .Bind(3, CaseRoleName(CaseRole::kFollowUp))
                                   .Bind(4, decision.rule)
                                   .Bind(5, parent_info.at)
                                   .Run());
        ECOUTE_RETURN_IF_ERROR(Get(kUpdateCase)
                                   .Bind(1, customer_case->id)
                                   .Bind(2, parent_info.at)
                                   .Bind(3, parent_info.priority)
                                   .BindNull(4)
                                   .BindNull(5)
                                   .Bind(6, parent_info.at)
                                   .Bind(7, int64_t{0})
                                   .Run());
        customer_case->last_activity_at = std::max(customer_case->last_activity_at, parent_info.at);
        facts.parent_cases.push_back(*customer_case);
        decision = {ThreadingAction::kJoin, customer_case->id, decision.rule};
      }
    }
    if (decision.action == ThreadingAction::kOpenParent) {
      sqlite::Statement& insert = Get(kInsertCase);
      insert.Bind(1, brand).Bind(2, parent_info.author_id).Bind(3, parent_info.priority);
      insert.BindOrNull(4, parent_info.topic).Bind(5, parent_info.at).Bind(6, *parent);
      ECOUTE_RETURN_IF_ERROR(insert.Run());
      const int64_t case_id = sqlite3_last_insert_rowid(db_);
      ECOUTE_RETURN_IF_ERROR(Get(kInsertCasePost)
                                 .Bind(1, case_id)
                                 .Bind(2, *parent)
                                 .Bind(3, CaseRoleName(CaseRole::kOpening))
                                 .Bind(4, decision.rule)
                                 .Bind(5, parent_info.at)
                                 .Run());
      ECOUTE_RETURN_IF_ERROR(AddEvent(case_id, parent_info.at, "opened", actor,
                                      "the brand answered this post", *parent));
      CaseRef opened;
      opened.id = case_id;
      opened.customer_id = parent_info.author_id;
      opened.last_activity_at = parent_info.at;
      facts.parent_cases.push_back(opened);
      decision = {ThreadingAction::kJoin, case_id, decision.rule};
    }
    if (decision.action == ThreadingAction::kOpen) {
      if (author_id == 0) continue;  // a case needs a customer to answer
      sqlite::Statement& insert = Get(kInsertCase);
      insert.Bind(1, brand).Bind(2, author_id).Bind(3, static_cast<int64_t>(analysis.priority));
      insert.BindOrNull(
          4, analysis.topics.empty()
                 ? std::nullopt
                 : std::optional<int64_t>(static_cast<int64_t>(analysis.topics.front().topic)));
      insert.Bind(5, at).Bind(6, post_id);
      ECOUTE_RETURN_IF_ERROR(insert.Run());
      const int64_t case_id = sqlite3_last_insert_rowid(db_);
      ECOUTE_RETURN_IF_ERROR(Get(kInsertCasePost)
                                 .Bind(1, case_id)
                                 .Bind(2, post_id)
                                 .Bind(3, CaseRoleName(CaseRole::kOpening))
                                 .Bind(4, decision.rule)
                                 .Bind(5, at)
                                 .Run());
      std::string reason = std::string(StanceName(*facts.stance));
      if (verdict != nullptr && !verdict->cues.empty()) reason += ": " + JoinCues(verdict->cues);
      ECOUTE_RETURN_IF_ERROR(AddEvent(case_id, at, "opened", actor, reason, post_id));
      result.cases.push_back(case_id);
      continue;
    }
    if (decision.action != ThreadingAction::kJoin) continue;

    // Joining: what the post does to the case. A post that does not name the brand (a
    // reply "still broken") speaks with its overall stance.
    CaseRef target;
    bool found = false;
    for (const auto* list : {&facts.parent_cases, &facts.linked_cases}) {
      for (const CaseRef& c : *list) {
        if (c.id == decision.case_id) {
          target = c;
          found = true;
        }
      }
    }
    if (!found && facts.author_case) target = *facts.author_case;
    if (!facts.stance && !facts.is_by_brand) facts.stance = analysis.stance;
    const CaseChange change = ApplyToCase(target, facts);
    sqlite::Statement& add = Get(kInsertCasePost);
    add.Bind(1, target.id).Bind(2, post_id).Bind(3, CaseRoleName(change.role));
    add.Bind(4, decision.rule).Bind(5, at);
    ECOUTE_RETURN_IF_ERROR(add.Run());
    if (sqlite3_changes(db_) == 0) continue;  // already there (two links to one case)
    const bool is_customer = !facts.is_by_brand && author_id == target.customer_id;
    const int64_t priority = is_customer ? static_cast<int64_t>(analysis.priority) : int64_t{0};
    if (!change.status && !change.is_first_response) {
      ECOUTE_RETURN_IF_ERROR(Get(kTouchCase).Bind(1, target.id).Bind(2, at).Run());
      if (priority > 0) {
        ECOUTE_RETURN_IF_ERROR(Get(kRaiseCasePriority).Bind(1, target.id).Bind(2, priority).Run());
      }
      result.cases.push_back(target.id);
      continue;
    }
    sqlite::Statement& update = Get(kUpdateCase);
    update.Bind(1, target.id).Bind(2, at);
    update.Bind(3, priority);
    update.BindOrNull(4, change.status
                             ? std::optional<int64_t>(static_cast<int64_t>(*change.status))
                             : std::nullopt);
    update.BindOrNull(5, change.is_first_response ? std::optional<int64_t>(at) : std::nullopt);
    update.Bind(6, at).Bind(7, static_cast<int64_t>(change.is_recovery));
    ECOUTE_RETURN_IF_ERROR(update.Run());
    if (change.is_first_response) {
      ECOUTE_RETURN_IF_ERROR(
          AddEvent(target.id, at, "responded", actor, "first response by the brand", post_id));
    }
    if (change.status) {
      ECOUTE_RETURN_IF_ERROR(
          AddEvent(target.id, at, CaseStatusName(*change.status), actor, change.reason, post_id));
    }
    result.cases.push_back(target.id);
  }
  return OkStatus();
}

}  // namespace ecoute::sqlite
