// The one ingest path: read -> analyze -> store -> what changed. `ecoute ingest`, the
// server's push handler and its source watcher all store posts through an Ingestor, so
// that a post is analyzed, identified, batched and counted the same way whichever door it
// came in by.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/post.h"
#include "ecoute/sources.h"
#include "ecoute/status.h"
#include "ecoute/store.h"

namespace ecoute {

// What an Ingestor did so far.
struct IngestChange {
  int64_t read = 0;       // posts read (or added), stored or not
  int64_t created = 0;    // stored for the first time
  int64_t updated = 0;    // known, with new content
  int64_t unchanged = 0;  // known, same content
  // Analyzed and dropped: they name no brand of the catalog (IngestorOptions::require_brand).
  int64_t without_brand = 0;
  // The cases opened or joined by new or updated posts, each once, in id order.
  std::vector<int64_t> cases;
  // Every (post, case) link the store reported, unchanged posts included: "case updates".
  int64_t case_links = 0;
  // What the readers could not read or had to repair, with where ("posts.jsonl:3",
  // "note.txt:byte 120"), in reading order.
  std::vector<Problem> problems;
  // Time spent analyzing and storing (the store's share includes waiting for a group
  // commit when the writer batches requests).
  std::chrono::duration<double> analysis_time{0};
  std::chrono::duration<double> store_time{0};

  int64_t stored() const { return created + updated + unchanged; }
};

struct IngestorOptions {
  // Posts per transaction: 1 to 100000.
  size_t batch = 1000;
  // Seconds since the epoch recorded as the posts' ingestion time (and their time when
  // they have none).
  int64_t ingested_at = 0;
  // Keep only the posts that name a brand of the catalog (a firehose's), and the replies to
  // the posts kept in the same batch; the others are analyzed, counted in
  // IngestChange::without_brand and not stored.
  bool require_brand = false;
};

// Reads, analyzes and stores posts in batches of one transaction each, and counts what
// changed. Not thread-safe: one Ingestor per thread or request; they may share the
// Analyzer and, through a Writer, one store.
class Ingestor {
 public:
  // Stores one batch: Store::Ingest's contract (all or nothing, `results` one per item).
  using Writer =
      std::function<Status(std::span<const IngestItem> batch, std::vector<IngestResult>& results)>;
  // Called after each batch is durably stored, with its items and their results.
  using OnStored =
      std::function<void(std::span<const IngestItem> batch, std::span<const IngestResult> results)>;

  // Stores into `store` with Store::Ingest. `analyzer` (built on the catalog given to
  // store.SyncBrands) and `store` must outlive the Ingestor. Fails with kInvalidArgument
  // for a batch size out of range.
  static Result<std::unique_ptr<Ingestor>> Create(const Analyzer& analyzer, Store& store,
                                                  IngestorOptions options);
  // Stores through `writer` instead (a server's group commit). `scratch`, when not null,
  // is borrowed for the analyses (one per thread, kept warm across requests).
  static Result<std::unique_ptr<Ingestor>> Create(const Analyzer& analyzer, Writer writer,
                                                  IngestorOptions options,
                                                  Analyzer::Scratch* scratch = nullptr);
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  void set_on_stored(OnStored on_stored) { on_stored_ = std::move(on_stored); }

  // Reads one input with ReadPosts (`name` names it in problems and made-up ids) and
  // ingests every post it holds; a post whose id the reader made up from `name`
  // (IsDerivedId) is known by its URL or content instead. The input's problems are added to
  // change().problems and returned. A store failure stops the storing, not the reading:
  // status() has it.
  std::vector<Problem> Read(std::string_view bytes, std::string_view name, InputFormat format);
  // Analyzes a copy of `post` (or takes it, moved) into the current batch, storing the
  // batch when it is full. Returns status(): after a failure nothing more is stored.
  Status Add(const Post& post, bool id_is_derived);
  Status Add(Post&& post, bool id_is_derived);
  // Stores what is left of the current batch. Returns status().
  Status Flush();
  // A reply ecoute sent for case `case_id`, as its platform published it (id, URL, time):
  // stores what is pending, then analyzes and stores it in a transaction of its own; it
  // joins that case as the brand's reply, an observed response by `actor`
  // (IngestItem::sent_for_case). The same post read again later (same source and id, or
  // same URL) is recognised, not stored twice. A failure here is returned, and does not
  // stop the Ingestor; kNotFound for an unknown case.
  Result<IngestResult> IngestSentReply(int64_t case_id, const Post& post, const std::string& actor);

  // The first store failure, else OK. What was stored before it stays stored.
  const Status& status() const { return status_; }
  const IngestChange& change() const { return change_; }

 private:
  Ingestor(const Analyzer& analyzer, Writer writer, IngestorOptions options,
           Analyzer::Scratch* scratch);
  Status Analyze(bool id_is_derived);  // the post in posts_[items_.size()]
  void Count();                        // results_ of the stored batch

  const Analyzer& analyzer_;
  Writer writer_;
  IngestorOptions options_;
  std::unique_ptr<Analyzer::Scratch> own_scratch_;
  Analyzer::Scratch* scratch_;
  OnStored on_stored_;
  // The batch: slots reused from batch to batch, so that a warm Ingestor allocates little.
  std::vector<Post> posts_;
  std::vector<Analysis> analyses_;
  std::vector<IngestItem> items_;
  std::vector<IngestResult> results_;
  std::vector<int64_t> touched_;  // cases of new or updated posts, unsorted, repeated
  IngestChange change_;
  Status status_;
};

// Whether a reader made `post.id` up from the input's name ("notes.txt", "posts.jsonl:3",
// "page.html#2") instead of reading it from the source.
bool IsDerivedId(const Post& post, std::string_view input_name);

}  // namespace ecoute
