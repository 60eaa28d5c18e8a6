#include <algorithm>
#include <utility>

#include "ecoute/ingest.h"

namespace ecoute {
namespace {

constexpr size_t kMaxBatch = 100000;

using SteadyClock = std::chrono::steady_clock;

}  // namespace

bool IsDerivedId(const Post& post, std::string_view input_name) {
  const std::string_view id = post.id;
  if (id == input_name) return true;
  return id.size() > input_name.size() && id.starts_with(input_name) &&
         (id[input_name.size()] == ':' || id[input_name.size()] == '#');
}

Result<std::unique_ptr<Ingestor>> Ingestor::Create(const Analyzer& analyzer, Store& store,
                                                   IngestorOptions options) {
  Store* target = &store;
  return Create(
      analyzer,
      [target](std::span<const IngestItem> batch, std::vector<IngestResult>& results) {
        return target->Ingest(batch, results);
      },
      options);
}

Result<std::unique_ptr<Ingestor>> Ingestor::Create(const Analyzer& analyzer, Writer writer,
                                                   IngestorOptions options,
                                                   Analyzer::Scratch* scratch) {
  if (options.batch == 0 || options.batch > kMaxBatch) {
    return InvalidArgumentError("batch of " + std::to_string(options.batch) +
                                " posts: give 1 to 100000 posts per transaction");
  }
  return std::unique_ptr<Ingestor>(new Ingestor(analyzer, std::move(writer), options, scratch));
}

Ingestor::Ingestor(const Analyzer& analyzer, Writer writer, IngestorOptions options,
                   Analyzer::Scratch* scratch)
    : analyzer_(analyzer), writer_(std::move(writer)), options_(options), scratch_(scratch) {
  if (scratch_ == nullptr) {
    own_scratch_ = std::make_unique<Analyzer::Scratch>();
    scratch_ = own_scratch_.get();
  }
  // The slots are sized once: the items point into them.
  posts_.resize(options_.batch);
  analyses_.resize(options_.batch);
  items_.reserve(options_.batch);
}

Ingestor::~Ingestor() = default;

std::vector<Problem> Ingestor::Read(std::string_view bytes, std::string_view name,
                                    InputFormat format) {
  std::vector<Problem> problems;
  ReadPosts(
      bytes, name, format, [&](const Post& post) { (void)Add(post, IsDerivedId(post, name)); },
      problems);
  change_.problems.insert(change_.problems.end(), problems.begin(), problems.end());
  return problems;
}

Status Ingestor::Add(const Post& post, bool id_is_derived) {
  if (!status_.ok()) return status_;
  ++change_.read;
  posts_[items_.size()] = post;
  return Analyze(id_is_derived);
}

Status Ingestor::Add(Post&& post, bool id_is_derived) {
  if (!status_.ok()) return status_;
  ++change_.read;
  posts_[items_.size()] = std::move(post);
  return Analyze(id_is_derived);
}

Status Ingestor::Analyze(bool id_is_derived) {
  const size_t slot = items_.size();
  const auto started = SteadyClock::now();
  analyzer_.Analyze(posts_[slot], *scratch_, analyses_[slot]);
  change_.analysis_time += SteadyClock::now() - started;
  if (options_.require_brand && analyses_[slot].brands.empty()) {
    // A reply to a post kept in this batch stays with it: the thread is one case.
    const std::string& parent = posts_[slot].parent_id;
    const bool answers_kept =
        !parent.empty() && std::any_of(items_.begin(), items_.end(), [&](const IngestItem& item) {
          return item.post->id == parent;
        });
    if (!answers_kept) {
      ++change_.without_brand;
      return status_;
    }
  }
  items_.push_back({&posts_[slot], &analyses_[slot], id_is_derived, options_.ingested_at});
  if (items_.size() == options_.batch) return Flush();
  return status_;
}

Status Ingestor::Flush() {
  if (items_.empty() || !status_.ok()) return status_;
  const auto started = SteadyClock::now();
  results_.clear();
  status_ = writer_(items_, results_);
  change_.store_time += SteadyClock::now() - started;
  if (!status_.ok()) return status_;
  Count();
  if (on_stored_) on_stored_(items_, results_);
  items_.clear();
  return status_;
}

Result<IngestResult> Ingestor::IngestSentReply(int64_t case_id, const Post& post,
                                               const std::string& actor) {
  if (case_id <= 0) return InvalidArgumentError("a sent reply needs the id of its case");
  ECOUTE_RETURN_IF_ERROR(Flush());
  ++change_.read;
  posts_[0] = post;
  const auto started = SteadyClock::now();
  analyzer_.Analyze(posts_[0], *scratch_, analyses_[0]);
  change_.analysis_time += SteadyClock::now() - started;
  items_.push_back({&posts_[0], &analyses_[0], false, options_.ingested_at, case_id, actor});
  results_.clear();
  const auto storing = SteadyClock::now();
  Status status = writer_(items_, results_);
  change_.store_time += SteadyClock::now() - storing;
  if (!status.ok() || results_.size() != 1) {
    items_.clear();
    return status.ok() ? InternalError("the store gave no result for the sent reply") : status;
  }
  Count();
  if (on_stored_) on_stored_(items_, results_);
  items_.clear();
  return results_.front();
}

void Ingestor::Count() {
  for (const IngestResult& result : results_) {
    switch (result.outcome) {
      case IngestOutcome::kNew:
        ++change_.created;
        break;
      case IngestOutcome::kUpdated:
        ++change_.updated;
        break;
      case IngestOutcome::kUnchanged:
        ++change_.unchanged;
        break;
    }
    change_.case_links += static_cast<int64_t>(result.cases.size());
    if (result.outcome != IngestOutcome::kUnchanged) {
      touched_.insert(touched_.end(), result.cases.begin(), result.cases.end());
    }
  }
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  change_.cases = touched_;
}

}  // namespace ecoute
