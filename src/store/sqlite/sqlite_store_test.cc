// The SQLite store on real files: identity and edits, full-text search, the threading
// rules and the lifecycle of cases, erasure, retention and the report's figures. Analyses
// are written by hand so that every expectation follows from the rules alone.
#include <filesystem>
#include <list>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "ecoute/json.h"
#include "ecoute/store.h"

#include "store/sqlite/fts5_tokenizer.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/store_test_fixture.h"
#include "util/datetime.h"

namespace ecoute {
namespace {

using store_test::kDay;
using store_test::kHour;
using store_test::kT0;
using store_test::StoreTest;

TEST_F(StoreTest, TheSamePostStoredTwiceIsStoredOnce) {
  Item& post = Make("1", "@marie", kT0, "Mon colis Fnac n'est jamais arrivé.",
                    {{"Fnac", Stance::kComplaint}});
  EXPECT_EQ(Ingest(post).outcome, IngestOutcome::kNew);
  EXPECT_EQ(Ingest(post).outcome, IngestOutcome::kUnchanged);
  EXPECT_EQ(store_->Stats()->posts, 1);
  EXPECT_EQ(store_->Stats()->cases, 1);
}

TEST_F(StoreTest, AnEditedPostIsUpdatedInPlaceAndKeepsItsHistory) {
  Item& first = Make("1", "@marie", kT0, "Colis perdu par Fnac", {{"Fnac", Stance::kComplaint}});
  const int64_t id = Ingest(first).post_id;
  Item& edited =
      Make("1", "@marie", kT0, "Colis retrouvé, merci Fnac", {{"Fnac", Stance::kResolution}});
  const IngestResult result = Ingest(edited);
  EXPECT_EQ(result.outcome, IngestOutcome::kUpdated);
  EXPECT_EQ(result.post_id, id);
  EXPECT_EQ(store_->Stats()->posts, 1);
  EXPECT_EQ(store_->Stats()->versions, 1);
  EXPECT_EQ(Scalar("SELECT text FROM post_versions"), "Colis perdu par Fnac");
  EXPECT_EQ(Scalar("SELECT version FROM posts"), "2");
  EXPECT_EQ(SearchIds("perdu"), std::vector<std::string>{});
  EXPECT_EQ(SearchIds("retrouvé"), std::vector<std::string>{"1"});
  EXPECT_EQ(Scalar("SELECT stance FROM post_brands"), "3");
}

// New posts enter the full-text index at the end of their batch; a post edited within
// the same batch must be indexed before its edit takes the old text out.
TEST_F(StoreTest, APostAndItsEditInOneBatchLeaveTheIndexWhole) {
  Item& first = Make("1", "@marie", kT0, "Colis perdu par Fnac", {{"Fnac", Stance::kComplaint}});
  Item& other = Make("2", "@paul", kT0, "Livraison perdue aussi", {});
  Item& edited =
      Make("1", "@marie", kT0, "Colis retrouvé, merci Fnac", {{"Fnac", Stance::kResolution}});
  Item& last = Make("3", "@lea", kT0, "Colis jamais retrouvé", {});
  std::vector<IngestItem> batch;
  for (const Item* item : {&first, &other, &edited, &last}) {
    batch.push_back({&item->post, &item->analysis, false, kT0 + 365 * kDay});
  }
  std::vector<IngestResult> results;
  ASSERT_TRUE(store_->Ingest(batch, results).ok());
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[2].outcome, IngestOutcome::kUpdated);
  EXPECT_EQ(SearchIds("perdu"), std::vector<std::string>{"2"});
  EXPECT_EQ(SearchIds("retrouvé"), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM posts_fts_docsize"), "3");  // one row per indexed post
  // FTS5's own check compares the index with the posts' text, term by term.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_TRUE(RegisterFts5Tokenizer(db).ok());
  EXPECT_EQ(sqlite3_exec(db, "INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(StoreTest, PostsWithoutASourceIdAreKnownByUrlThenByContentAndAuthor) {
  Item& page = Make("page.html", "", kT0, "Un article", {});
  page.id_is_derived = true;
  page.post.url = "https://blog.example/a";
  Item& same_page = Make("copy.html", "", kT0, "Un article, modifié", {});
  same_page.id_is_derived = true;
  same_page.post.url = "https://blog.example/a";
  EXPECT_EQ(Ingest(page).outcome, IngestOutcome::kNew);
  EXPECT_EQ(Ingest(same_page).outcome, IngestOutcome::kUpdated);

  Item& note = Make("note.txt", "@paul", kT0, "Même texte", {});
  note.id_is_derived = true;
  Item& again = Make("other.txt", "@paul", kT0, "Même texte", {});
  again.id_is_derived = true;
  Item& by_other = Make("third.txt", "@lea", kT0, "Même texte", {});
  by_other.id_is_derived = true;
  EXPECT_EQ(Ingest(note).outcome, IngestOutcome::kNew);
  EXPECT_EQ(Ingest(again).outcome, IngestOutcome::kUnchanged);
  EXPECT_EQ(Ingest(by_other).outcome, IngestOutcome::kNew);
  EXPECT_EQ(store_->Stats()->posts, 3);
  EXPECT_EQ(Scalar("SELECT count(*) FROM posts WHERE ext_id IS NULL"), "3");
}

TEST_F(StoreTest, SearchFoldsAccentsAndStemsFrench) {
  Ingest(Make("a", "@a", kT0, "Je veux être remboursé", {}));
  Ingest(Make("b", "@b", kT0, "Ils refusent de rembourser", {}));
  Ingest(Make("c", "@c", kT0, "Toujours pas de remboursement", {}));
  Ingest(Make("d", "@d", kT0, "Le delai est depasse", {}));
  Ingest(Make("e", "@e", kT0, "Un autre sujet", {}));
  EXPECT_EQ(SearchIds("remboursé"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SearchIds("délai"), std::vector<std::string>{"d"});
  EXPECT_EQ(SearchIds("\"pas de remboursement\""), std::vector<std::string>{"c"});
  EXPECT_EQ(SearchIds("rembours* -refusent"), (std::vector<std::string>{"a", "c"}));
}

TEST_F(StoreTest, SearchFiltersAndSnippets) {
  Ingest(
      Make("1", "@marie", kT0, "Colis perdu, Fnac ne répond pas", {{"Fnac", Stance::kComplaint}}));
  Ingest(Make("2", "@paul", kT0 + 2 * kDay, "Colis arrivé, merci Darty",
              {{"Darty", Stance::kPraise}}));
  Ingest(Make("3", "@paul", kT0 + 3 * kDay, "Colis Fnac abîmé", {{"Fnac", Stance::kComplaint}}));
  EXPECT_EQ(SearchIds("colis brand:fnac"), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(SearchIds("colis stance:praise"), std::vector<std::string>{"2"});
  EXPECT_EQ(SearchIds("colis author:@paul"), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(SearchIds("colis author:paul"), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(SearchIds("colis since:2026-01-06"), (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(SearchIds("colis until:2026-01-07"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(SearchIds("brand:fnac stance:complaint"), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(SearchIds("case:1"), std::vector<std::string>{"1"});

  SearchQuery query = *ParseSearchQuery("perdu", kT0);
  Result<std::vector<SearchHit>> hits = store_->Search(query, {});
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].snippet, "Colis [perdu], Fnac ne répond pas");
  EXPECT_EQ((*hits)[0].brands, std::vector<std::string>{"Fnac"});
  EXPECT_EQ((*hits)[0].cases, std::vector<int64_t>{1});
  EXPECT_EQ((*hits)[0].author, "@marie");

  query.brands = {"Boulanger"};
  EXPECT_EQ(store_->Search(query, {}).error().code(), StatusCode::kInvalidArgument);
}

TEST_F(StoreTest, AComplaintOpensACaseTheBrandAnswersTheCustomerThanks) {
  const IngestResult complaint =
      Ingest(Make("1", "@marie", kT0, "@fnac colis perdu", {{"Fnac", Stance::kComplaint}}));
  ASSERT_EQ(complaint.cases.size(), 1u);
  const int64_t id = complaint.cases[0];

  Item& reply = Make("2", "@FNAC", kT0 + 2 * kHour, "@marie nous regardons", {});
  reply.post.parent_id = "1";
  EXPECT_EQ(Ingest(reply).cases, std::vector<int64_t>{id});

  Item& other = Make("3", "@paul", kT0 + 3 * kHour, "pareil pour moi", {});
  other.post.parent_id = "1";
  EXPECT_EQ(Ingest(other).cases, std::vector<int64_t>{id});

  Item& thanks = Make("4", "@marie", kT0 + 5 * kHour, "reçu, merci !", {});
  thanks.analysis.stance = Stance::kResolution;
  thanks.post.parent_id = "2";
  EXPECT_EQ(Ingest(thanks).cases, std::vector<int64_t>{id});

  const CaseDetail c = Case(id);
  EXPECT_EQ(c.summary.brand, "Fnac");
  EXPECT_EQ(c.summary.customer, "@marie");
  EXPECT_EQ(c.summary.status, CaseStatus::kResolved);
  EXPECT_EQ(c.summary.first_response_at, kT0 + 2 * kHour);
  EXPECT_EQ(c.summary.resolved_at, kT0 + 5 * kHour);
  ASSERT_EQ(c.posts.size(), 4u);
  EXPECT_EQ(c.posts[0].role, CaseRole::kOpening);
  EXPECT_EQ(c.posts[1].role, CaseRole::kBrandReply);
  EXPECT_EQ(c.posts[2].role, CaseRole::kComment);
  EXPECT_EQ(c.posts[3].role, CaseRole::kResolution);
  std::vector<std::string> timeline;
  for (const CaseEvent& e : c.events) timeline.push_back(e.kind + " " + e.actor + " " + e.reason);
  EXPECT_EQ(timeline, (std::vector<std::string>{
                          "opened rule:complaint complaint",
                          "joined rule:reply brand_reply",
                          "responded rule:reply first response by the brand",
                          "acknowledged rule:reply the brand answered",
                          "joined rule:reply comment",
                          "joined rule:reply resolution",
                          "resolved rule:reply the customer says the problem is solved",
                      }));
  EXPECT_EQ(Scalar("SELECT recovered FROM cases"), "1");
}

TEST_F(StoreTest, TheBrandIsRecognizedByItsDomainToo) {
  const int64_t id =
      Ingest(Make("1", "@marie", kT0, "Darty: four en panne", {{"Darty", Stance::kComplaint}}))
          .cases.at(0);
  Item& reply = Make("2", "", kT0 + kDay, "Bonjour, contactez le SAV", {});
  reply.post.author.name = "Service client";
  reply.post.author.url = "https://sav.darty.com/agents/12";
  reply.post.parent_id = "1";
  Ingest(reply);
  EXPECT_EQ(Case(id).summary.status, CaseStatus::kAcknowledged);
  EXPECT_EQ(Case(id).posts.at(1).role, CaseRole::kBrandReply);
}

// A blog article without a byline opens a case like any other, its site as the customer;
// comments under it join by its URL, the brand's among them acknowledges it.
TEST_F(StoreTest, AnArticleWithoutAuthorOpensACaseItsSiteIsTheCustomer) {
  const std::string page = "https://blog.example/2026/01/colis";
  Item& article =
      Make(page, "", kT0, "Fnac: colis perdu, aucune réponse", {{"Fnac", Stance::kComplaint}});
  article.post.url = page;
  article.post.contacts = {{"email", "lea@blog.example"}, {"website", "https://blog.example/"}};
  const IngestResult opened = Ingest(article);
  ASSERT_EQ(opened.cases.size(), 1u);
  const int64_t id = opened.cases[0];
  Item& comment = Make(page + "#comment-1", "", kT0 + kHour, "Pareil pour moi", {});
  comment.post.author.name = "Marc";
  comment.post.url = comment.post.id;
  comment.post.parent_url = page;
  Item& anonymous = Make(page + "#comment-2", "", kT0 + 2 * kHour, "Toujours rien ?", {});
  anonymous.post.url = anonymous.post.id;
  anonymous.post.parent_url = page;
  Item& reply = Make(page + "#comment-3", "", kT0 + 3 * kHour, "Écrivez-nous en privé", {});
  reply.post.author.name = "Fnac Service Client";
  reply.post.author.url = "https://www.fnac.com/";
  reply.post.url = reply.post.id;
  reply.post.parent_url = page;
  reply.post.contacts = {{"website", "https://www.fnac.com/"}};
  for (const Item* item : {&comment, &anonymous, &reply}) {
    EXPECT_EQ(Ingest(*item).cases, std::vector<int64_t>{id});
  }
  const CaseDetail detail = Case(id);
  EXPECT_EQ(detail.summary.customer, "blog.example");
  EXPECT_EQ(detail.summary.status, CaseStatus::kAcknowledged);
  ASSERT_EQ(detail.posts.size(), 4u);
  EXPECT_EQ(detail.posts[0].author, "blog.example");
  EXPECT_EQ(detail.posts[0].contacts, article.post.contacts);
  EXPECT_EQ(detail.posts[1].role, CaseRole::kComment);
  EXPECT_EQ(detail.posts[2].author, "anonymous on blog.example");
  EXPECT_EQ(detail.posts[2].role, CaseRole::kComment);  // not the site's own follow-up
  EXPECT_EQ(detail.posts[3].role, CaseRole::kBrandReply);
  EXPECT_EQ(detail.posts[3].contacts, reply.post.contacts);
  EXPECT_EQ(detail.events.at(1).actor, "rule:reply");
  EXPECT_EQ(Scalar("SELECT url FROM authors WHERE name = 'blog.example'"), "https://blog.example/");
  EXPECT_EQ(Scalar("SELECT contacts FROM posts WHERE ext_id = '" + page + "'"),
            R"([{"kind":"email","value":"lea@blog.example"},)"
            R"({"kind":"website","value":"https://blog.example/"}])");
  // The case's JSON lists them.
  std::string json;
  AppendCaseDetailJson(detail, nullptr, {}, json);
  EXPECT_NE(json.find(R"("contacts":[{"kind":"email","value":"lea@blog.example"},)"
                      R"({"kind":"website","value":"https://blog.example/"}])"),
            std::string::npos);
  // A second article of the same site about the same brand is the same customer's.
  Item& again = Make(page + "-2", "", kT0 + kDay, "Fnac: toujours pas de colis",
                     {{"Fnac", Stance::kComplaint}});
  again.post.url = page + "-2";
  EXPECT_EQ(Ingest(again).cases, std::vector<int64_t>{id});
}

// An edit replaces the routes; a post read from a file, with no author and no web address,
// still opens no case: there is nowhere to answer it.
TEST_F(StoreTest, ContactsFollowEditsAndAPostWithNowhereToAnswerOpensNoCase) {
  Item& page = Make("https://blog.example/a", "@lea", kT0, "Un article", {});
  page.post.contacts = {{"x", "@lea"}};
  Ingest(page);
  Item& edited = Make("https://blog.example/a", "@lea", kT0, "Un article, modifié", {});
  Ingest(edited);
  EXPECT_EQ(Scalar("SELECT coalesce(contacts, 'none') FROM posts"), "none");
  Item& file = Make("lettre.txt", "", kT0, "Fnac: colis perdu", {{"Fnac", Stance::kComplaint}});
  file.id_is_derived = true;
  EXPECT_TRUE(Ingest(file).cases.empty());
}

// Routes found on the post's site join its own, marked, deduplicated and bounded; an edit of
// the post replaces its page's routes and keeps its site's.
TEST_F(StoreTest, RoutesFromTheSiteJoinThePostsAndSurviveItsEdits) {
  Item& page = Make("https://blog.example/a", "", kT0, "Un article", {});
  page.post.url = page.post.id;
  page.post.contacts = {{"x", "@lea"}, {"website", "https://blog.example/"}};
  const int64_t post_id = Ingest(page).post_id;
  const std::vector<ContactRoute> site = {{"email", "lea@blog.example", "site"},
                                          {"x", "@lea", "site"},
                                          {"website", "https://blog.example/", "site"}};
  Result<bool> added = store_->AddContactRoutes(post_id, site);
  ASSERT_TRUE(added) << added.error().ToString();
  EXPECT_TRUE(*added);
  EXPECT_EQ(Scalar("SELECT contacts FROM posts"),
            R"([{"kind":"email","value":"lea@blog.example","where":"site"},)"
            R"({"kind":"x","value":"@lea"},{"kind":"website","value":"https://blog.example/"}])");
  EXPECT_FALSE(*store_->AddContactRoutes(post_id, site));  // nothing new
  EXPECT_EQ(store_->AddContactRoutes(post_id + 1000, site).error().code(), StatusCode::kNotFound);
  Item& edited = Make("https://blog.example/a", "", kT0, "Un article, modifié", {});
  edited.post.url = edited.post.id;
  edited.post.contacts = {{"threads", "@lea"}};
  Ingest(edited);
  EXPECT_EQ(Scalar("SELECT contacts FROM posts"),
            R"([{"kind":"email","value":"lea@blog.example","where":"site"},)"
            R"({"kind":"threads","value":"@lea"}])");
}

TEST_F(StoreTest, AHappyEndingThatLinksBackJoinsTheCaseMonthsLater) {
  Item& complaint =
      Make("jan", "@marie", kT0, "Fnac a perdu ma commande", {{"Fnac", Stance::kComplaint}});
  complaint.post.url = "https://marie.blog/2026/01/colis";
  const int64_t id = Ingest(complaint).cases.at(0);
  Item& ending = Make("may", "@marie", kT0 + 120 * kDay, "Fin heureuse, voir mon billet",
                      {{"Fnac", Stance::kResolution}});
  ending.post.links = {"https://marie.blog/2026/01/colis"};
  EXPECT_EQ(Ingest(ending).cases, std::vector<int64_t>{id});
  EXPECT_EQ(Case(id).summary.status, CaseStatus::kResolved);
  EXPECT_EQ(Case(id).posts.at(1).role, CaseRole::kResolution);
}

TEST_F(StoreTest, TheSameAuthorJoinsWithinTheWindowAndReopens) {
  StoreOptions options;
  options.case_window_seconds = 3 * kDay;
  Open(options);
  const int64_t id =
      Ingest(Make("1", "@marie", kT0, "Fnac: remboursement refusé", {{"Fnac", Stance::kComplaint}}))
          .cases.at(0);
  EXPECT_EQ(
      Ingest(Make("2", "@marie", kT0 + kDay, "Fnac: toujours rien", {{"Fnac", Stance::kComplaint}}))
          .cases,
      std::vector<int64_t>{id});
  EXPECT_EQ(Ingest(Make("3", "@marie", kT0 + 2 * kDay, "Fnac m'a remboursé, merci",
                        {{"Fnac", Stance::kResolution}}))
                .cases,
            std::vector<int64_t>{id});
  EXPECT_EQ(Case(id).summary.status, CaseStatus::kResolved);
  // Complaining again within the window reopens the case...
  EXPECT_EQ(Ingest(Make("4", "@marie", kT0 + 4 * kDay, "Fnac: en fait non, re-débité",
                        {{"Fnac", Stance::kComplaint}}))
                .cases,
            std::vector<int64_t>{id});
  EXPECT_EQ(Case(id).summary.status, CaseStatus::kReopened);
  // ...past the window it is a new case; another brand is always another case.
  const IngestResult later =
      Ingest(Make("5", "@marie", kT0 + 10 * kDay, "Fnac encore",
                  {{"Fnac", Stance::kComplaint}, {"Darty", Stance::kComplaint}}));
  ASSERT_EQ(later.cases.size(), 2u);
  EXPECT_NE(later.cases[0], id);
  EXPECT_EQ(store_->Stats()->cases, 3);
}

TEST_F(StoreTest, PraiseAndBrandPostsOpenNoCase) {
  EXPECT_TRUE(
      Ingest(Make("1", "@marie", kT0, "Merci Fnac", {{"Fnac", Stance::kPraise}})).cases.empty());
  EXPECT_TRUE(Ingest(Make("2", "@fnac", kT0, "Nos soldes Fnac", {{"Fnac", Stance::kComplaint}}))
                  .cases.empty());
  EXPECT_EQ(store_->Stats()->cases, 0);
}

TEST_F(StoreTest, APostWrittenToTheBrandsHandleOpensACase) {
  EXPECT_EQ(
      Ingest(Make("1", "@marie", kT0, "@FNAC ma commande 123 ?", {{"Fnac", Stance::kNeutral}}))
          .cases.size(),
      1u);
  EXPECT_EQ(
      Ingest(Make("2", "@paul", kT0, "@lea @fnac.  et la mienne", {{"Fnac", Stance::kNeutral}}))
          .cases.size(),
      1u);
  EXPECT_TRUE(
      Ingest(Make("3", "@anna", kT0, "Bonjour @fnac", {{"Fnac", Stance::kNeutral}})).cases.empty());
  EXPECT_TRUE(
      Ingest(Make("4", "@jo", kT0, "@fnac merci !", {{"Fnac", Stance::kPraise}})).cases.empty());
  EXPECT_EQ(Case(1).events.at(0).actor, "rule:addressed");
  StoreOptions options;
  options.addressed_open_cases = false;
  Open(options);
  EXPECT_TRUE(Ingest(Make("5", "@zoe", kT0, "@fnac ma commande", {{"Fnac", Stance::kNeutral}}))
                  .cases.empty());
}

TEST_F(StoreTest, ABrandReplyToAPostInNoCaseOpensACaseOnThatPost) {
  // The rules saw nothing to answer; the brand did.
  Ingest(Make("1", "@marie", kT0, "Ma box clignote orange depuis ce matin", {}));
  Item& reply =
      Make("2", "@fnac", kT0 + int64_t{30} * 60, "@marie bonjour, envoyez-nous un message", {});
  reply.post.parent_id = "1";
  const std::vector<int64_t> cases = Ingest(reply).cases;
  ASSERT_EQ(cases.size(), 1u);
  const CaseDetail c = Case(cases[0]);
  EXPECT_EQ(c.summary.customer, "@marie");
  EXPECT_EQ(c.summary.opened_at, kT0);
  EXPECT_EQ(c.summary.first_response_at, kT0 + int64_t{30} * 60);
  EXPECT_EQ(c.summary.status, CaseStatus::kAcknowledged);
  ASSERT_EQ(c.posts.size(), 2u);
  EXPECT_EQ(c.posts[0].role, CaseRole::kOpening);
  EXPECT_EQ(c.posts[1].role, CaseRole::kBrandReply);
  EXPECT_EQ(c.events.at(0).actor, "rule:answered");

  // A follow-up the rules missed joins the customer's open case when the brand answers it.
  Ingest(Make("5", "@tom", kT0, "@fnac livraison en retard", {{"Fnac", Stance::kComplaint}}));
  Ingest(Make("6", "@tom", kT0 + kDay, "Jour 2, toujours rien", {}));
  Item& late = Make("7", "@fnac", kT0 + kDay + kHour, "@tom désolés, on regarde", {});
  late.post.parent_id = "6";
  const std::vector<int64_t> tom = Ingest(late).cases;
  ASSERT_EQ(tom.size(), 1u);
  EXPECT_EQ(Case(tom[0]).posts.size(), 3u);
  EXPECT_EQ(Case(tom[0]).summary.first_response_at, kT0 + kDay + kHour);

  // Thanking a customer for praise is no case.
  Ingest(Make("3", "@paul", kT0, "Merci Fnac, livraison parfaite", {{"Fnac", Stance::kPraise}}));
  Item& thanks = Make("4", "@fnac", kT0 + 60, "@paul merci à vous !", {});
  thanks.post.parent_id = "3";
  EXPECT_TRUE(Ingest(thanks).cases.empty());
}

TEST_F(StoreTest, AgentsRespondResolveCloseAndReopen) {
  const int64_t id =
      Ingest(Make("1", "@marie", kT0, "Fnac colis perdu", {{"Fnac", Stance::kComplaint}}))
          .cases.at(0);
  ASSERT_TRUE(
      store_->DeclareResponse(id, "phone", "appelée au téléphone", "agent:lea", kT0 + kHour).ok());
  EXPECT_EQ(Case(id).summary.status, CaseStatus::kAcknowledged);
  EXPECT_EQ(Case(id).summary.first_response_at, kT0 + kHour);
  EXPECT_EQ(store_->ResolveCase(id, "agent:lea", kT0 + 2 * kHour, "").code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(store_->ResolveCase(id, "agent:lea", kT0 + 2 * kHour, "colis renvoyé").ok());
  EXPECT_EQ(store_->ResolveCase(id, "agent:lea", kT0 + 2 * kHour, "encore").code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->ReopenCase(id, "agent:lea", kT0 + 3 * kHour, "pas reçu").ok());
  ASSERT_TRUE(store_->CloseCase(id, "agent:lea", kT0 + 4 * kHour, "doublon").ok());
  const CaseDetail c = Case(id);
  EXPECT_EQ(c.summary.status, CaseStatus::kClosed);
  std::vector<std::string> kinds;
  for (const CaseEvent& e : c.events) kinds.push_back(e.kind + " " + e.actor);
  EXPECT_EQ(kinds, (std::vector<std::string>{"opened rule:complaint", "declared agent:lea",
                                             "acknowledged agent:lea", "resolved agent:lea",
                                             "reopened agent:lea", "closed agent:lea"}));
  EXPECT_EQ(store_->DeclareResponse(999, "phone", "x", "agent:lea", kT0).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Scalar("SELECT recovered FROM cases"), "0");  // an agent's word is no recovery
}

TEST_F(StoreTest, TheTimelineIsAppendOnly) {
  Ingest(Make("1", "@marie", kT0, "Fnac colis perdu", {{"Fnac", Stance::kComplaint}}));
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE case_events SET reason = 'x'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(StoreTest, ForgettingAnAuthorRemovesEverythingButAnAnonymousAuditLine) {
  const int64_t id =
      Ingest(Make("1", "@marie", kT0, "Fnac colis perdu à Lyon", {{"Fnac", Stance::kComplaint}}))
          .cases.at(0);
  Item& reply = Make("2", "@fnac", kT0 + kHour, "@marie nous regardons", {});
  reply.post.parent_id = "1";
  Ingest(reply);
  Ingest(Make("3", "@paul", kT0, "Fnac colis perdu aussi", {{"Fnac", Stance::kComplaint}}));
  Result<ForgetSummary> forgotten = store_->ForgetAuthor("@Marie", kT0 + kDay);
  ASSERT_TRUE(forgotten) << forgotten.error().ToString();
  EXPECT_EQ(forgotten->posts, 1);
  EXPECT_EQ(forgotten->cases, 1);
  EXPECT_EQ(SearchIds("lyon"), std::vector<std::string>{});
  EXPECT_EQ(SearchIds("perdu"), std::vector<std::string>{"3"});
  EXPECT_EQ(store_->GetCase(id).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(Scalar("SELECT count(*) FROM authors WHERE key = '@marie'"), "0");
  const std::string audit = Scalar("SELECT action || ' ' || detail FROM audit");
  EXPECT_EQ(audit, "forget_author 1 posts, 1 cases, 1 author records removed");
  EXPECT_EQ(Scalar("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(store_->ForgetAuthor("@nobody", kT0).error().code(), StatusCode::kNotFound);
  // A display name shared by two people erases nobody; a handle without its "@" is a handle.
  Item& a = Make("10", "@lea1", kT0, "Fnac un", {});
  a.post.author.name = "Léa";
  Item& b = Make("11", "@lea2", kT0, "Fnac deux", {});
  b.post.author.name = "Léa";
  Ingest(a);
  Ingest(b);
  EXPECT_EQ(store_->ForgetAuthor("Léa", kT0).error().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->ForgetAuthor("lea2", kT0));
  EXPECT_EQ(SearchIds("fnac"), (std::vector<std::string>{"10", "3"}));
  // The brand's reply stays, without its case.
  EXPECT_EQ(SearchIds("regardons"), std::vector<std::string>{"2"});
}

TEST_F(StoreTest, RetentionRemovesOldPostsAndEmptyCases) {
  Ingest(Make("old", "@marie", kT0, "Fnac vieux", {{"Fnac", Stance::kComplaint}}));
  Ingest(Make("new", "@paul", kT0 + 100 * kDay, "Fnac récent", {{"Fnac", Stance::kComplaint}}));
  Result<int64_t> removed = store_->ForgetOlderThan(kT0 + 50 * kDay, kT0 + 101 * kDay);
  ASSERT_TRUE(removed) << removed.error().ToString();
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(store_->Stats()->posts, 1);
  EXPECT_EQ(store_->Stats()->cases, 1);
  EXPECT_EQ(store_->Stats()->authors, 1);
}

TEST_F(StoreTest, TheReportCountsMentionsCasesResponsesAndWordOfMouth) {
  // Fnac: three complaints by three customers; answered after 1 h and 3 h; one customer
  // confirms the fix; one praise. Darty: one unanswered complaint.
  for (int i = 0; i < 3; ++i) {
    Ingest(Make("c" + std::to_string(i), "@cust" + std::to_string(i), kT0 + i * kDay,
                "Fnac problème", {{"Fnac", Stance::kComplaint}}));
  }
  Item& r0 = Make("r0", "@fnac", kT0 + kHour, "on regarde", {});
  r0.post.parent_id = "c0";
  Ingest(r0);
  Item& r1 = Make("r1", "@fnac", kT0 + kDay + 3 * kHour, "on regarde", {});
  r1.post.parent_id = "c1";
  Ingest(r1);
  Item& fixed =
      Make("f0", "@cust0", kT0 + 2 * kHour, "merci Fnac, réglé", {{"Fnac", Stance::kResolution}});
  fixed.post.parent_id = "r0";
  Ingest(fixed);
  Ingest(Make("p", "@fan", kT0 + 2 * kDay, "J'adore Fnac", {{"Fnac", Stance::kPraise}}));
  Ingest(Make("d", "@cust9", kT0, "Darty nul", {{"Darty", Stance::kComplaint}}));

  ReportOptions options;
  options.now = kT0 + 10 * kDay;
  Result<Report> report = store_->BuildReport(options);
  ASSERT_TRUE(report) << report.error().ToString();
  ASSERT_EQ(report->brands.size(), 2u);
  const BrandReport& fnac = report->brands[0];  // ranked first: it answers
  EXPECT_EQ(fnac.brand, "Fnac");
  EXPECT_EQ(fnac.mentions, 5);
  EXPECT_EQ(fnac.complaints, 3);
  EXPECT_EQ(fnac.praise, 1);
  EXPECT_EQ(fnac.resolutions, 1);
  EXPECT_EQ(fnac.cases, 3);
  EXPECT_EQ(fnac.responded, 2);
  EXPECT_EQ(fnac.unanswered, 1);
  EXPECT_EQ(fnac.resolved, 1);
  EXPECT_EQ(fnac.recovered, 1);
  EXPECT_EQ(fnac.response_times_s, (std::vector<int64_t>{kHour, 3 * kHour}));
  EXPECT_EQ(fnac.first_response_median_s, kHour);
  EXPECT_EQ(fnac.first_response_p90_s, 3 * kHour);
  EXPECT_EQ(fnac.word_of_mouth, 3 * 1 - 10 * 1 + 12 * 1);
  ASSERT_EQ(fnac.weeks.size(), 1u);
  EXPECT_EQ(fnac.weeks[0].week, "2026-W02");
  EXPECT_EQ(fnac.weeks[0].mentions, 5);
  const BrandReport& darty = report->brands[1];
  EXPECT_EQ(darty.cases, 1);
  EXPECT_EQ(darty.responded, 0);
  EXPECT_FALSE(darty.first_response_median_s.has_value());
  EXPECT_EQ(darty.word_of_mouth, -10);

  options.brands = {"darty"};
  options.since = kT0 + kDay;
  report = store_->BuildReport(options);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->brands.size(), 1u);
  EXPECT_EQ(report->brands[0].mentions, 0);
}

TEST_F(StoreTest, CasesAreListedByPriorityAndFiltered) {
  Item& low = Make("1", "@a", kT0, "Fnac bof", {{"Fnac", Stance::kComplaint}});
  low.analysis.priority = 10;
  Item& high = Make("2", "@b", kT0, "Fnac avocat", {{"Fnac", Stance::kComplaint}});
  high.analysis.priority = 90;
  Item& darty = Make("3", "@c", kT0, "Darty", {{"Darty", Stance::kComplaint}});
  darty.analysis.priority = 50;
  Ingest(low);
  Ingest(high);
  Ingest(darty);
  Result<std::vector<CaseSummary>> cases = store_->ListCases({});
  ASSERT_TRUE(cases);
  ASSERT_EQ(cases->size(), 3u);
  EXPECT_EQ((*cases)[0].priority, 90);
  EXPECT_EQ((*cases)[1].priority, 50);
  EXPECT_EQ((*cases)[2].priority, 10);
  CaseFilter filter;
  filter.brands = {"FNAC"};
  filter.statuses = {CaseStatus::kNew};
  cases = store_->ListCases(filter);
  ASSERT_TRUE(cases);
  EXPECT_EQ(cases->size(), 2u);
}

TEST_F(StoreTest, CasesAreAssignedEscalatedAndPagedThrough) {
  Item& a = Make("1", "@a", kT0, "Fnac colis perdu", {{"Fnac", Stance::kComplaint}});
  a.analysis.priority = 80;
  Item& b = Make("2", "@b", kT0 + 60, "Fnac remboursement", {{"Fnac", Stance::kComplaint}});
  b.analysis.priority = 30;
  const int64_t first = Ingest(a).cases.at(0);
  const int64_t second = Ingest(b).cases.at(0);

  ASSERT_TRUE(store_->AssignCase(first, "lea", "agent:marc", kT0 + 120).ok());
  EXPECT_EQ(store_->AssignCase(999, "lea", "agent:marc", kT0).code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->EscalateCase(first, 1, "rule:sla", kT0 + kHour, "no answer in 1h").ok());
  EXPECT_EQ(store_->EscalateCase(first, 1, "rule:sla", kT0 + kHour, "again").code(),
            StatusCode::kInvalidArgument);
  CaseDetail detail = Case(first);
  EXPECT_EQ(detail.summary.assignee, "lea");
  EXPECT_EQ(detail.summary.escalation_level, 1);
  EXPECT_EQ(detail.summary.stance, Stance::kComplaint);
  ASSERT_GE(detail.events.size(), 3u);
  EXPECT_EQ(detail.events[detail.events.size() - 2].kind, "assigned");
  EXPECT_EQ(detail.events[detail.events.size() - 2].reason, "to lea");
  EXPECT_EQ(detail.events.back().kind, "escalated");
  EXPECT_EQ(detail.events.back().actor, "rule:sla");

  CaseFilter mine;
  mine.assignee = "lea";
  ASSERT_EQ(store_->ListCases(mine)->size(), 1u);
  EXPECT_EQ(store_->ListCases(mine)->front().id, first);
  CaseFilter unassigned;
  unassigned.assignee = "";
  EXPECT_EQ(store_->ListCases(unassigned)->front().id, second);
  CaseFilter urgent;
  urgent.min_priority = 50;
  EXPECT_EQ(store_->ListCases(urgent)->size(), 1u);
  CaseFilter page;
  page.limit = 1;
  page.offset = 1;
  EXPECT_EQ(store_->ListCases(page)->front().id, second);
  ASSERT_TRUE(store_->DeclareResponse(second, "email", "répondu", "agent:lea", kT0 + kHour).ok());
  CaseFilter unanswered;
  unanswered.unanswered_only = true;
  EXPECT_EQ(store_->ListCases(unanswered)->size(), 1u);
  EXPECT_EQ(*store_->CaseBrand(first), "Fnac");
  EXPECT_EQ(store_->CaseBrand(999).error().code(), StatusCode::kNotFound);
}

TEST_F(StoreTest, CorrectionsAreKeptForTrainingAndShownOnTheTimeline) {
  const IngestResult r =
      Ingest(Make("1", "@a", kT0, "Fnac colis perdu", {{"Fnac", Stance::kComplaint}}));
  Correction c;
  c.post_id = r.post_id;
  c.brand = "Fnac";
  c.stance = Stance::kQuestion;
  c.topics = {Topic::kDelivery};
  c.actor = "agent:lea";
  c.at = kT0 + kHour;
  Result<int64_t> id = store_->RecordCorrection(c);
  ASSERT_TRUE(id) << id.error().ToString();
  c.post_id = 999;
  EXPECT_EQ(store_->RecordCorrection(c).error().code(), StatusCode::kNotFound);
  c.post_id = r.post_id;
  c.brand = "Nobody";
  EXPECT_FALSE(store_->RecordCorrection(c));
  Result<std::vector<Correction>> all = store_->ListCorrections(0, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().brand, "Fnac");
  EXPECT_EQ(all->front().stance, Stance::kQuestion);
  ASSERT_EQ(all->front().topics.size(), 1u);
  EXPECT_EQ(all->front().topics.front(), Topic::kDelivery);
  EXPECT_EQ(all->front().text, "Fnac colis perdu");
  EXPECT_EQ(Case(r.cases.at(0)).events.back().kind, "corrected");
  EXPECT_EQ(Case(r.cases.at(0)).events.back().reason, "Fnac: question, delivery");
}

TEST_F(StoreTest, ReopeningKeepsEverythingAndRefusesForeignFiles) {
  Ingest(Make("1", "@marie", kT0, "Fnac colis", {{"Fnac", Stance::kComplaint}}));
  Open();
  EXPECT_EQ(store_->Stats()->posts, 1);
  EXPECT_EQ(SearchIds("colis"), std::vector<std::string>{"1"});
  store_.reset();

  const std::string foreign = (dir_ / "other.db").string();
  sqlite3* db = nullptr;
  sqlite3_open(foreign.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(OpenSqliteStore(foreign).error().code(), StatusCode::kDataLoss);

  sqlite3_open(path_.c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  Result<std::unique_ptr<Store>> newer = OpenSqliteStore(path_);
  EXPECT_EQ(newer.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.error().message().find("upgrade ecoute"), std::string::npos);
}

// A database of schema version 2 indexed new posts with a trigger; version 3 drops it and
// the store indexes them itself, once.
TEST_F(StoreTest, AVersion2DatabaseIsMigratedAndIndexesNewPostsOnce) {
  Ingest(Make("1", "@marie", kT0, "Colis Fnac perdu", {{"Fnac", Stance::kComplaint}}));
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_TRUE(RegisterFts5Tokenizer(db).ok());  // dropping a column checks the triggers
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
                         "INSERT INTO posts_fts(rowid, title, body, tags) VALUES (new.id, "
                         "new.title || char(31) || new.lang, new.text || char(31) || new.lang, "
                         "new.tags); END; PRAGMA user_version = 2;"
                         // and without what later versions added
                         "DROP TRIGGER cases_sla_policy;"
                         "DROP TRIGGER case_posts_sla_met; DROP TRIGGER case_posts_sla_next;"
                         "DROP TRIGGER case_events_sla; DROP INDEX cases_by_sla_due;"
                         "DROP INDEX cases_sla_stale; ALTER TABLE cases DROP COLUMN sla_target;"
                         "ALTER TABLE cases DROP COLUMN sla_round;"
                         "ALTER TABLE cases DROP COLUMN sla_since;"
                         "ALTER TABLE cases DROP COLUMN sla_met_at;"
                         "ALTER TABLE cases DROP COLUMN sla_due_at;"
                         "ALTER TABLE cases DROP COLUMN sla_stale;"
                         "ALTER TABLE cases DROP COLUMN first_observed_at;"
                         "ALTER TABLE cases DROP COLUMN first_declared_at;"
                         "ALTER TABLE cases DROP COLUMN priority_override;"
                         "ALTER TABLE posts DROP COLUMN reasons;"
                         "ALTER TABLE posts DROP COLUMN contacts;"
                         "ALTER TABLE corrections DROP COLUMN from_brand_id;"
                         "ALTER TABLE corrections DROP COLUMN priority;"
                         "ALTER TABLE access_users DROP COLUMN notify_webhook;"
                         "ALTER TABLE access_users DROP COLUMN notify_secret;"
                         "DROP INDEX watched_sources_by_case;"
                         "ALTER TABLE watched_sources DROP COLUMN brand;"
                         "ALTER TABLE watched_sources DROP COLUMN origin;"
                         "ALTER TABLE watched_sources DROP COLUMN follow_case;"
                         "ALTER TABLE watched_sources DROP COLUMN cursor;"
                         "ALTER TABLE watched_sources DROP COLUMN secret;"
                         "ALTER TABLE watched_sources DROP COLUMN error_kind;"
                         "ALTER TABLE watched_sources DROP COLUMN rate_limited_until;"

                         "DROP INDEX cases_by_merged_into;"
                         "ALTER TABLE cases DROP COLUMN merged_into;"
                         "DROP TABLE inbox_views;"
                         "DROP TABLE comment_follows;"
                         "DROP TABLE feed_templates;"
                         "DROP TABLE catalog_brands;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  Open();
  EXPECT_EQ(Scalar("PRAGMA user_version"), std::to_string(SchemaVersion()));
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'posts_fts_insert'"), "0");
  Ingest(Make("2", "@paul", kT0, "Colis Darty perdu", {{"Darty", Stance::kComplaint}}));
  EXPECT_EQ(SearchIds("perdu"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(Scalar("SELECT count(*) FROM posts_fts_docsize"), "2");
}

}  // namespace
}  // namespace ecoute
