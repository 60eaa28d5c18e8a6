// The store: the memory of the observatory. Analyzed posts are kept with their authors,
// their verdicts per brand and a full-text index; they are grouped into cases (cases.h);
// the brands' figures (report.h) are computed from them.
//
// Store is an interface: the embedded default is one SQLite file (OpenSqliteStore); a
// PostgreSQL implementation will sit behind the same calls. docs/STORE.md describes the
// schema, the identity of a post, durability and erasure.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/cases.h"
#include "ecoute/catalog.h"
#include "ecoute/post.h"
#include "ecoute/report.h"
#include "ecoute/search.h"
#include "ecoute/status.h"

namespace ecoute {

struct StoreOptions {
  // Threading (docs/CASES.md): a post by the same author about the same brand joins the
  // author's case when the case's last activity is less than this old.
  int64_t case_window_seconds = int64_t{7} * 86400;
  // Whether a question to a brand opens a case like a complaint does.
  bool questions_open_cases = true;
  // Whether a post written to the brand's handle ("@fnac my order...") opens a case
  // whatever its words, unless it praises or thanks.
  bool addressed_open_cases = true;
  // false trades durability on power loss (never on a crash of the process) for speed:
  // SQLite's synchronous=NORMAL instead of FULL.
  bool sync_every_commit = true;
  // Opens the file read-only (search, report, cases listing).
  bool read_only = false;
};

// One post to store: the post, its analysis, and where it came from.
struct IngestItem {
  const Post* post = nullptr;
  const Analysis* analysis = nullptr;  // of `post`, by an Analyzer built on the catalog
  // True when post->id was made up by the reader from the input's name ("notes.txt",
  // "posts.jsonl:3") rather than given by the source: such a post is then known by its
  // URL, else by its content hash and author, not by that id.
  bool id_is_derived = false;
  int64_t ingested_at = 0;  // seconds since the epoch; the post's time when it has none
  // A reply ecoute sent for this case (0: none): the post joins that case as the brand's
  // reply (an observed response, event "replied" by `actor`) whatever the catalog says.
  int64_t sent_for_case = 0;
  std::string actor{};  // who sent it ("agent:lea")
};

enum class IngestOutcome : uint8_t {
  kNew,        // stored for the first time
  kUpdated,    // known, with new content: updated in place, the old version kept
  kUnchanged,  // known, same content: nothing written
};

struct IngestResult {
  int64_t post_id = 0;  // the store's id for the post
  IngestOutcome outcome = IngestOutcome::kNew;
  std::vector<int64_t> cases;  // the cases it opened or joined
};

// A search hit, best first.
struct SearchHit {
  int64_t post_id = 0;
  std::string ext_id;  // the post's id from its source
  std::string url;
  std::string title;
  std::string author;        // handle, else name
  std::string published_at;  // RFC 3339, empty when unknown
  std::string lang;
  Stance stance = Stance::kNeutral;
  std::vector<std::string> brands;
  std::vector<int64_t> cases;
  std::vector<std::string> case_brands;  // the brand of each of `cases`, in order
  // Text around the matches, the matched words between `highlight_open` and
  // `highlight_close` of SearchOptions.
  std::string snippet;
  double score = 0;  // bm25, lower is better; 0 for filter-only queries (newest first)
};

struct SearchOptions {
  int limit = 20;
  // Word queries rank by bm25 the most recent `rank_window` matching posts that pass the
  // filters (newest by storage order): the cost of a query stays bounded however many
  // posts hold a common word. Raise it to rank over more history.
  int rank_window = 2000;
  std::string highlight_open = "[";
  std::string highlight_close = "]";
};

// What `forget` removed.
struct ForgetSummary {
  int64_t posts = 0;
  int64_t cases = 0;
  int64_t authors = 0;
};

// Counts of what the store holds.
struct StoreStats {
  int64_t posts = 0;
  int64_t authors = 0;
  int64_t brands = 0;
  int64_t cases = 0;
  int64_t open_cases = 0;
  int64_t versions = 0;  // earlier versions of edited posts
};

struct ReportOptions {
  std::vector<std::string> brands;  // empty: every brand
  std::optional<int64_t> since;     // seconds since the epoch, inclusive
  std::optional<int64_t> until;     // exclusive
  int64_t now = 0;                  // the report's generated_at
  SpikeOptions spikes;
};

class Store {
 public:
  virtual ~Store() = default;

  // Records the catalog's brands (name, handles, domains) so that posts can refer to
  // them; brands already known are updated, none is removed. Ingest needs the catalog the
  // analyses were made with: call this first.
  virtual Status SyncBrands(const BrandCatalog& catalog) = 0;

  // Stores a batch of analyzed posts in one transaction, with their index entries and
  // case threading, in order (a reply after its parent). Either the whole batch is stored
  // (and durable when this returns) or none of it. `results` gets one entry per item.
  virtual Status Ingest(std::span<const IngestItem> batch, std::vector<IngestResult>& results) = 0;

  // Finds posts. Fails with kInvalidArgument on a brand that is not in the store.
  virtual Result<std::vector<SearchHit>> Search(const SearchQuery& query,
                                                const SearchOptions& options) = 0;

  virtual Result<std::vector<CaseSummary>> ListCases(const CaseFilter& filter) = 0;
  // kNotFound for an unknown id.
  virtual Result<CaseDetail> GetCase(int64_t case_id) = 0;
  // Agent actions, each an event of the case's timeline. `actor` names who did it.
  // An internal note (event "note"): never a response, changes neither the status nor
  // the case's activity. kInvalidArgument on an empty text.
  virtual Status AddNote(int64_t case_id, const std::string& actor, int64_t at,
                         const std::string& text) = 0;
  // A response given outside the channel (IsDeclaredChannel), with a mandatory note:
  // event "declared" ("<channel>: <note>"); stamps the first declared response and the
  // first response; new or reopened -> acknowledged.
  virtual Status DeclareResponse(int64_t case_id, const std::string& channel,
                                 const std::string& note, const std::string& actor, int64_t at) = 0;
  // Overrides the case's priority (0..100), or clears the override (nullopt): event
  // "priority". kInvalidArgument out of range.
  virtual Status SetPriority(int64_t case_id, std::optional<int> priority, const std::string& actor,
                             int64_t at, const std::string& reason) = 0;
  virtual Status ResolveCase(int64_t case_id, const std::string& actor, int64_t at,
                             const std::string& reason) = 0;
  virtual Status CloseCase(int64_t case_id, const std::string& actor, int64_t at,
                           const std::string& reason) = 0;
  virtual Status ReopenCase(int64_t case_id, const std::string& actor, int64_t at,
                            const std::string& reason) = 0;
  // Gives the case to `assignee` ("" takes it back from whoever had it).
  virtual Status AssignCase(int64_t case_id, const std::string& assignee, const std::string& actor,
                            int64_t at) = 0;
  // Raises the case's escalation level (SLA ladder); kInvalidArgument unless `level` is
  // above the current one.
  virtual Status EscalateCase(int64_t case_id, int level, const std::string& actor, int64_t at,
                              const std::string& reason) = 0;
  // Keeps a corrected verdict for training, with a "corrected" event on every case holding
  // the post. With `from_brand`, the post's cases of that brand move to `brand` (event
  // "rebranded"). kNotFound for an unknown post, kInvalidArgument for a brand not in the
  // store. Returns its id.
  virtual Result<int64_t> RecordCorrection(const Correction& correction) = 0;
  // The corrections, oldest first, with their posts' text (for `ecoute train`).
  virtual Result<std::vector<Correction>> ListCorrections(int64_t after_id, int limit) = 0;
  // Adds contact routes found elsewhere than on the post's page (its site's pages) to the
  // post's own, deduplicated and bounded (MergeContactRoutes, ecoute/post.h); an edit of the
  // post keeps them. True when any was added; kNotFound for an unknown post.
  virtual Result<bool> AddContactRoutes(int64_t post_id,
                                        const std::vector<ContactRoute>& routes) = 0;
  // The brand a case is about (what a reader must be allowed to see to open it);
  // kNotFound for an unknown id. Cheaper than GetCase.
  virtual Result<std::string> CaseBrand(int64_t case_id) = 0;

  // The right to be forgotten: removes every post of the author (a handle such as
  // "@marie", a profile URL or a display name), their verdicts, versions, index entries
  // and the cases in which they are the customer; leaves an audit line that names neither
  // the author nor any content. kNotFound when no such author is stored.
  virtual Result<ForgetSummary> ForgetAuthor(const std::string& author, int64_t now) = 0;
  // Retention: removes posts published (else ingested) before `cutoff`, and the cases left
  // without posts. Returns the number of posts removed.
  virtual Result<int64_t> ForgetOlderThan(int64_t cutoff, int64_t now) = 0;

  virtual Result<Report> BuildReport(const ReportOptions& options) = 0;
  // After a bulk import: merges the full-text index into one segment (fewer lookups per
  // query word) and refreshes the query planner's statistics. Takes seconds per million
  // posts; search works without it.
  virtual Status Optimize() = 0;
  virtual Result<StoreStats> Stats() = 0;
};

// Opens (creating if needed) the SQLite store at `path`, applying pending schema
// migrations. Fails with kFailedPrecondition on a file written by a newer ecoute, kDataLoss
// on a file that is not an ecoute database, kNotFound/kPermissionDenied when it cannot be
// opened.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options = {});

}  // namespace ecoute
