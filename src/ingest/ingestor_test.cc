// The ingest path on a real SQLite store with the real analyzer (cues only): what it counts,
// how it batches, what a reader's problem and a store failure do.
#include <filesystem>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ecoute/catalog.h"
#include "ecoute/datetime.h"
#include "ecoute/ingest.h"
#include "ecoute/store.h"

namespace ecoute {
namespace {

constexpr std::string_view kPosts =
    R"({"id": "1", "author": {"handle": "@marie"}, "published_at": "2026-03-02T09:00:00Z", "text": "@fnac commande jamais livrée, je veux être remboursée. Scandaleux."}
not json
{"id": "2", "author": {"handle": "@fnac"}, "published_at": "2026-03-02T10:30:00Z", "parent_id": "1", "text": "@marie Bonjour Marie, nous regardons votre commande."}
{"id": "3", "author": {"handle": "@paul"}, "published_at": "2026-03-04T12:00:00Z", "text": "@fnac mon four est en panne et personne ne rappelle. Inadmissible."}
{"author": {"handle": "@lea"}, "published_at": "2026-03-05T12:00:00Z", "text": "@fnac toujours pas de remboursement, c'est honteux."}
)";

class IngestorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_ingest_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<BrandCatalog> catalog =
        ParseCatalog("[[brand]]\nname = \"Fnac\"\nhandles = [\"@fnac\"]\n", "brands.toml");
    ASSERT_TRUE(catalog) << catalog.error().ToString();
    Result<std::unique_ptr<Analyzer>> analyzer =
        Analyzer::Create(*catalog, ECOUTE_TEST_DATA_DIR, "", "");
    ASSERT_TRUE(analyzer) << analyzer.error().ToString();
    analyzer_ = std::move(analyzer).value();
    StoreOptions options;
    options.sync_every_commit = false;
    Result<std::unique_ptr<Store>> store = OpenSqliteStore((dir_ / "t.db").string(), options);
    ASSERT_TRUE(store) << store.error().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->SyncBrands(*catalog).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Ingestor> Make(size_t batch) {
    Result<std::unique_ptr<Ingestor>> made =
        Ingestor::Create(*analyzer_, *store_, {.batch = batch, .ingested_at = 1795600000});
    EXPECT_TRUE(made) << made.error().ToString();
    return made ? std::move(made).value() : nullptr;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Analyzer> analyzer_;
  std::unique_ptr<Store> store_;
};

TEST_F(IngestorTest, CountsWhatChangedAndWhereTheReaderFailed) {
  std::unique_ptr<Ingestor> ingestor = Make(1000);
  ASSERT_NE(ingestor, nullptr);
  const std::vector<Problem> problems =
      ingestor->Read(kPosts, "posts.jsonl", InputFormat::kJsonLines);
  ASSERT_TRUE(ingestor->Flush().ok());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].where, "posts.jsonl:2");
  const IngestChange& change = ingestor->change();
  EXPECT_EQ(change.read, 4);
  EXPECT_EQ(change.created, 4);
  EXPECT_EQ(change.updated + change.unchanged, 0);
  EXPECT_EQ(change.problems.size(), 1u);
  EXPECT_FALSE(change.cases.empty());
  EXPECT_TRUE(std::is_sorted(change.cases.begin(), change.cases.end()));

  // The same input again changes nothing, the post without an id included (it is known by
  // its content, not by "posts.jsonl:5").
  std::unique_ptr<Ingestor> again = Make(1000);
  again->Read(kPosts, "posts.jsonl", InputFormat::kJsonLines);
  ASSERT_TRUE(again->Flush().ok());
  EXPECT_EQ(again->change().unchanged, 4);
  EXPECT_EQ(again->change().created, 0);
  EXPECT_TRUE(again->change().cases.empty());
}

TEST_F(IngestorTest, StoresOneTransactionPerBatch) {
  int writes = 0;
  std::vector<size_t> stored;
  Store* store = store_.get();
  Result<std::unique_ptr<Ingestor>> made =
      Ingestor::Create(*analyzer_,
                       [&](std::span<const IngestItem> batch, std::vector<IngestResult>& results) {
                         ++writes;
                         return store->Ingest(batch, results);
                       },
                       {.batch = 3, .ingested_at = 1795600000});
  ASSERT_TRUE(made);
  Ingestor& ingestor = **made;
  ingestor.set_on_stored(
      [&](std::span<const IngestItem> batch, std::span<const IngestResult> results) {
        EXPECT_EQ(batch.size(), results.size());
        stored.push_back(batch.size());
      });
  ingestor.Read(kPosts, "posts.jsonl", InputFormat::kJsonLines);
  EXPECT_EQ(writes, 1);  // three posts: the first batch is full
  ASSERT_TRUE(ingestor.Flush().ok());
  EXPECT_EQ(writes, 2);
  EXPECT_EQ(stored, (std::vector<size_t>{3, 1}));
  EXPECT_TRUE(ingestor.Flush().ok());  // nothing left: no empty transaction
  EXPECT_EQ(writes, 2);
}

TEST_F(IngestorTest, AStoreFailureStopsTheStoringNotTheReading) {
  int writes = 0;
  Store* store = store_.get();
  Result<std::unique_ptr<Ingestor>> made = Ingestor::Create(
      *analyzer_,
      [&](std::span<const IngestItem> batch, std::vector<IngestResult>& results) -> Status {
        if (++writes == 2) return UnavailableError("disk full");
        return store->Ingest(batch, results);
      },
      {.batch = 1, .ingested_at = 1795600000});
  ASSERT_TRUE(made);
  Ingestor& ingestor = **made;
  ingestor.Read(kPosts, "posts.jsonl", InputFormat::kJsonLines);
  EXPECT_EQ(ingestor.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(ingestor.Flush().code(), StatusCode::kUnavailable);
  EXPECT_EQ(writes, 2);
  EXPECT_EQ(ingestor.change().stored(), 1);          // what was stored before stays counted
  EXPECT_EQ(ingestor.change().problems.size(), 1u);  // the whole input was still read
}

TEST_F(IngestorTest, RefusesABatchSizeOutOfRange) {
  for (size_t batch : {size_t{0}, size_t{100001}}) {
    Result<std::unique_ptr<Ingestor>> made =
        Ingestor::Create(*analyzer_, *store_, {.batch = batch, .ingested_at = 0});
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().code(), StatusCode::kInvalidArgument);
  }
}

// Whether a reader made the id up from the input's name.
struct DerivedCase {
  std::string_view id;
  std::string_view input;
  bool is_derived;
};

constexpr DerivedCase kDerivedCases[] = {
    {"notes.txt", "notes.txt", true},        // a text post is its file
    {"posts.jsonl:3", "posts.jsonl", true},  // a JSON line without "id"
    {"page.html#2", "page.html", true},      // a comment under a page
    {"42", "posts.jsonl", false},            // the source's own id
    {"posts.jsonl3", "posts.jsonl", false},  // only ':' or '#' separate the line
    {"push:1", "push", true},                // the API's pushed lines
};

TEST(IsDerivedIdTest, RecognizesIdsMadeFromTheInputsName) {
  for (const DerivedCase& c : kDerivedCases) {
    SCOPED_TRACE(c.id);
    Post post;
    post.id = c.id;
    EXPECT_EQ(IsDerivedId(post, c.input), c.is_derived);
  }
}

// A reply ecoute sent joins its case as an observed response, whatever the catalog says
// of its author; read back from its platform later, by id or by URL, it is the same post.
TEST_F(IngestorTest, ASentReplyJoinsItsCaseAndIsRecognisedWhenReadBack) {
  std::unique_ptr<Ingestor> ingestor = Make(1000);
  ASSERT_NE(ingestor, nullptr);
  ingestor->Read(kPosts, "posts.jsonl", InputFormat::kJsonLines);
  ASSERT_TRUE(ingestor->Flush().ok());
  CaseFilter paul;
  paul.statuses = {CaseStatus::kNew};
  Result<std::vector<CaseSummary>> open = store_->ListCases(paul);
  ASSERT_TRUE(open);
  ASSERT_FALSE(open->empty());
  const int64_t case_id = open->front().id;

  Post sent;
  sent.source = "mastodon";
  sent.id = "110001";
  sent.url = "https://social.example/@fnac_support/110001";
  sent.author.handle = "@fnac_support@social.example";  // not in the catalog
  sent.published_at = "2026-03-06T08:00:00Z";
  sent.text = "Bonjour, nous vous rappelons aujourd'hui.";
  Result<IngestResult> stored = ingestor->IngestSentReply(case_id, sent, "agent:lea");
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->outcome, IngestOutcome::kNew);
  EXPECT_EQ(stored->cases, std::vector<int64_t>{case_id});
  Result<CaseDetail> detail = store_->GetCase(case_id);
  ASSERT_TRUE(detail) << detail.error().ToString();
  EXPECT_EQ(ResponseKind(detail->summary), "observed");
  EXPECT_EQ(detail->summary.status, CaseStatus::kAcknowledged);
  EXPECT_EQ(FormatRfc3339(*detail->summary.first_observed_response_at), sent.published_at);
  EXPECT_EQ(detail->posts.back().role, CaseRole::kBrandReply);
  bool replied = false;
  for (const CaseEvent& e : detail->events)
    replied |= e.kind == "replied" && e.actor == "agent:lea";
  EXPECT_TRUE(replied);

  // Read back from the instance: same id, the text as the platform renders it.
  Post echoed = sent;
  echoed.text = "<p>Bonjour, nous vous rappelons aujourd&#39;hui.</p>";
  ASSERT_TRUE(ingestor->Add(echoed, false).ok());
  // Read back by another door (a feed): another id, the same URL.
  Post from_feed = echoed;
  from_feed.source = "feed";
  from_feed.id = "tag:social.example,2026:110001";
  ASSERT_TRUE(ingestor->Add(from_feed, false).ok());
  ASSERT_TRUE(ingestor->Flush().ok());
  const int64_t posts = store_->Stats()->posts;
  EXPECT_EQ(posts, 5);
  EXPECT_EQ(ingestor->change().unchanged, 2);
  // The same reply recorded twice (a retried callback) joins once.
  stored = ingestor->IngestSentReply(case_id, sent, "agent:lea");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->outcome, IngestOutcome::kUnchanged);
  EXPECT_EQ(store_->GetCase(case_id)->posts.size(), detail->posts.size());
  // An unknown case is refused, and the Ingestor goes on.
  sent.id = "110002";
  sent.url.clear();
  EXPECT_EQ(ingestor->IngestSentReply(999, sent, "agent:lea").error().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(ingestor->status().ok());
}

}  // namespace
}  // namespace ecoute
