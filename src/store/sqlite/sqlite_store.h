// The SQLite store (docs/STORE.md): one SQLite file in WAL mode behind the Store interface.
// The class is shared by its files, one job each:
//   sqlite_store.cc  opening a file, the prepared statements, the brands
//   ingest.cc        a post's identity, its insert or edit, its verdicts, the index batch
//   threading.cc     threading a new post into cases (gather facts, decide, apply)
//   cases.cc         case rows and timelines, agents' actions, corrections
//   merge.cc         duplicate cases merged into one
//   search.cc        full-text search
//   report.cc        the brands' report
//   forget.cc        erasure and retention
// Not thread-safe: one caller at a time (the server holds its store behind one mutex).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "ecoute/store.h"

#include "cases/threading.h"
#include "store/sqlite/sqlite.h"

namespace ecoute::sqlite {

// The rule of a reply ecoute sent, in case_posts.rule.
inline constexpr std::string_view kSentRule = "sent";

// ASCII lower case (handles, author keys, brand names).
std::string Lower(std::string_view s);

// "@" + name. (GCC 12 warns wrongly, -Wrestrict, about `"@" + std::string`.)
std::string WithAt(std::string_view name);

// A verdict's cues as stored: "cue|cue".
std::string JoinCues(const std::vector<std::string_view>& cues);

// The start of a text, cut at a word boundary and a UTF-8 boundary, for display.
std::string Excerpt(std::string_view text, size_t max_bytes);

// "?,?,?" for `n` parameters.
std::string Placeholders(size_t n);

struct BrandRow {
  int64_t id = 0;
  std::string name;
  std::vector<std::string> handles;  // lower case
  std::vector<std::string> domains;
};

// A post as its row holds it, computed once for its insert or update and its threading.
struct PostRow {
  const Post& post;  // without URLs of other schemes than the web's
  const Analysis& analysis;
  std::vector<int64_t> brand_ids;  // of analysis.brands, in order
  int64_t id = 0;                  // the store's, once known
  int64_t source_id = 0;
  int64_t author_id = 0;     // 0 when the post has no author
  int64_t author_brand = 0;  // the brand that wrote it; 0 for a customer
  int64_t content_hash = 0;
  std::optional<int64_t> published;
  std::optional<int64_t> updated;
  int64_t at = 0;  // published, else ingested
  int64_t ingested_at = 0;
  std::string links;  // outgoing, one per line
  std::string facts;  // JSON, "" when none
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite3* db, const StoreOptions& options) : db_(db), options_(options) {}
  ~SqliteStore() override {
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  Status Prepare();
  Status LoadBrands();

  Status SyncBrands(const BrandCatalog& catalog) override;
  Status Ingest(std::span<const IngestItem> batch, std::vector<IngestResult>& results) override;
  Result<std::vector<SearchHit>> Search(const SearchQuery& query,
                                        const SearchOptions& options) override;
  Result<std::vector<CaseSummary>> ListCases(const CaseFilter& filter) override;
  Result<CaseDetail> GetCase(int64_t case_id) override;
  Status AddNote(int64_t case_id, const std::string& actor, int64_t at,
                 const std::string& text) override;
  Status DeclareResponse(int64_t case_id, const std::string& channel, const std::string& note,
                         const std::string& actor, int64_t at) override;
  Status SetPriority(int64_t case_id, std::optional<int> priority, const std::string& actor,
                     int64_t at, const std::string& reason) override;
  Status ResolveCase(int64_t case_id, const std::string& actor, int64_t at,
                     const std::string& reason) override;
  Status CloseCase(int64_t case_id, const std::string& actor, int64_t at,
                   const std::string& reason) override;
  Status ReopenCase(int64_t case_id, const std::string& actor, int64_t at,
                    const std::string& reason) override;
  Status AssignCase(int64_t case_id, const std::string& assignee, const std::string& actor,
                    int64_t at) override;
  Status EscalateCase(int64_t case_id, int level, const std::string& actor, int64_t at,
                      const std::string& reason) override;
  Status MergeCase(int64_t into, int64_t from, const std::string& actor, int64_t at) override;
  Result<int64_t> RecordCorrection(const Correction& correction) override;
  Result<std::vector<Correction>> ListCorrections(int64_t after_id, int limit) override;
  Result<bool> AddContactRoutes(int64_t post_id, const std::vector<ContactRoute>& routes) override;
  Result<std::string> CaseBrand(int64_t case_id) override;
  Result<ForgetSummary> ForgetAuthor(const std::string& author, int64_t now) override;
  Result<int64_t> ForgetOlderThan(int64_t cutoff, int64_t now) override;
  Result<Report> BuildReport(const ReportOptions& options) override;
  Result<StoreStats> Stats() override;
  Status Optimize() override {
    ECOUTE_RETURN_IF_ERROR(
        sqlite::Exec(db_, "INSERT INTO posts_fts(posts_fts) VALUES ('optimize')"));
    ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db_, "PRAGMA optimize"));
    return sqlite::Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  }

 private:
  // Prepared statements, by name, made once.
  enum StatementId {
    kFindSource,
    kInsertSource,
    kFindAuthor,
    kInsertAuthor,
    kFindPostByExtId,
    kFindPostByUrl,
    kFindPostByHash,
    kInsertPost,
    kInsertVersion,
    kUpdatePost,
    kDeletePostBrands,
    kInsertPostBrand,
    kCasesOfPost,
    kAuthorCase,
    kInsertCase,
    kInsertCasePost,
    kUpdateCase,
    kInsertEvent,
    kLoadCase,
    kParentForCase,
    kIndexNewPosts,
    kTouchCase,
    kRaiseCasePriority,
    kSetPostContacts,
    kPostContacts,
    kStampObserved,
    kIsSentReply,
    kFindSentReplyByUrl,
    kStatementCount,
  };
  sqlite::Statement& Get(StatementId id) { return statements_[id]; }

  // Every write runs here: `body` (returning Status) in one write transaction, committed
  // when it succeeds, rolled back when it fails.
  template <typename Body>
  Status InTransaction(Body&& body) {
    ECOUTE_ASSIGN_OR_RETURN(sqlite::Transaction transaction, sqlite::Transaction::Begin(db_));
    ECOUTE_RETURN_IF_ERROR(body());
    return transaction.Commit();
  }

  Result<int64_t> SourceId(const std::string& kind);
  Result<int64_t> AuthorId(const Author& author);  // 0 when the post has no author

  // Ingest (ingest.cc), one post: its row's values, its identity, then an update (an
  // edit) or an insert followed by its verdicts and its threading.
  struct KnownPost {
    std::optional<int64_t> id;   // the stored post with the same identity
    bool is_same = false;        // with the same content hash
    bool is_sent_reply = false;  // a reply ecoute sent (known by its id or its URL)
  };
  Status IngestOne(const IngestItem& item, IngestResult& result);
  Result<PostRow> MakeRow(const IngestItem& item, const Post& post);
  Result<KnownPost> FindKnown(const PostRow& row, bool id_is_derived);
  Status UpdatePost(const PostRow& row, IngestResult& result);
  // The post's stored routes; kNotFound for an unknown post.
  Result<std::vector<ContactRoute>> StoredContacts(int64_t post_id);
  Status JoinSentReply(const PostRow& row, const IngestItem& item, IngestResult& result);
  Status InsertPost(PostRow& row, bool id_is_derived);  // sets row.id
  Status StoreVerdicts(const PostRow& row);
  Status IndexNewPosts();

  // Threading (threading.cc), once per brand the new post concerns: gather the facts
  // (reads), decide (PlanThreading: pure), apply the plan (writes).
  struct Surroundings {
    std::optional<int64_t> parent;                          // the post it answers
    std::vector<std::pair<int64_t, CaseRef>> parent_cases;  // (brand, case) of the parent
    std::vector<std::pair<int64_t, CaseRef>> linked_cases;  // of the posts it links to
  };
  struct BrandFacts {
    ThreadingFacts threading;
    const BrandVerdict* verdict = nullptr;  // the post's verdict on the brand, if it names it
    // What a case opened on the answered post (rule 6) takes from it.
    int64_t answered_priority = 0;
    std::optional<int64_t> answered_topic;
  };
  Status Thread(const PostRow& post, IngestResult& result);
  Result<Surroundings> ReadSurroundings(const PostRow& post);
  std::vector<int64_t> BrandsConcerned(const PostRow& post, const Surroundings& around) const;
  BrandFacts GatherFacts(const PostRow& post, const Surroundings& around, int64_t brand);
  std::optional<CaseRef> AuthorCase(int64_t author_id, int64_t brand);
  Status ApplyPlan(const PostRow& post, const Surroundings& around, int64_t brand,
                   const BrandFacts& facts, const ThreadingPlan& plan, IngestResult& result);
  Result<int64_t> ApplyAnswered(int64_t parent, int64_t brand, const BrandFacts& facts,
                                const ThreadingPlan& plan);
  Status OpenCase(const PostRow& post, int64_t brand, const BrandFacts& facts,
                  const ThreadingPlan& plan, IngestResult& result);
  Status JoinCase(const PostRow& post, int64_t case_id, const ThreadingPlan& plan,
                  IngestResult& result);

  Result<std::vector<std::pair<int64_t, CaseRef>>> CasesOf(int64_t post_id);  // brand, case
  Status AddEvent(int64_t case_id, int64_t at, std::string_view kind, std::string_view actor,
                  std::string_view reason, std::optional<int64_t> post_id);
  Result<CaseRef> LoadCase(int64_t case_id, int64_t* brand_id = nullptr);
  Status AddBrandsAndCases(std::vector<SearchHit>& hits);  // search.cc
  // The report (report.cc): the brands it covers, then its counts from the verdicts and
  // the cases.
  struct ReportCounts {
    std::map<int64_t, BrandReport> brands;  // by brand id
    // Mentions, complaints and praise by brand and hour (hours since the epoch).
    std::map<int64_t, std::map<int64_t, std::array<int64_t, 3>>> hours;
    BrandReport* Find(int64_t brand_id) {
      auto found = brands.find(brand_id);
      return found == brands.end() ? nullptr : &found->second;
    }
  };
  Result<std::map<int64_t, BrandReport>> ReportBrands(const ReportOptions& options);
  Status CountMentions(int64_t since, int64_t until, ReportCounts& counts);
  Status CountCases(int64_t since, int64_t until, ReportCounts& counts);

  Status MoveCases(const Correction& correction, int64_t from_brand_id, int64_t brand_id);
  Status ChangeCase(int64_t case_id, const std::string& actor, int64_t at,
                    const std::string& reason, std::string_view kind);
  int64_t BrandOfAuthor(const Post& post) const;
  bool IsAddressedTo(std::string_view text, int64_t brand) const;
  Result<int64_t> BrandIdByName(std::string_view name) const;
  Status RemoveEmptyCasesAndAuthors();

  sqlite3* db_;
  StoreOptions options_;
  std::vector<sqlite::Statement> statements_;
  std::vector<BrandRow> brands_;
  std::unordered_map<std::string, size_t> brand_by_name_;  // lower-cased name
  std::unordered_map<std::string, int64_t> brand_by_handle_;
  std::unordered_map<std::string, int64_t> brand_by_domain_;
  std::unordered_map<std::string, int64_t> source_ids_;
  std::unordered_map<std::string, int64_t> author_ids_;
  // The first post of the open batch not yet in the full-text index; 0 when none.
  int64_t unindexed_from_ = 0;
};

}  // namespace ecoute::sqlite
