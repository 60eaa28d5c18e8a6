#include "watch/comment_follower.h"

#include <algorithm>
#include <set>
#include <utility>

#include "ecoute/store.h"

#include "sources/comment_feeds.h"

namespace ecoute::server {
namespace {

constexpr size_t kMaxLabelBytes = 120;

// An article, a page or a thread the customer wrote on the web: a page or a feed entry with
// an http(s) address of its own (a comment's address has a fragment), by the customer.
bool IsWebArticle(const CasePost& post) {
  if (post.source != "html" && post.source != "rss" && post.source != "atom") return false;
  if (post.role != CaseRole::kOpening && post.role != CaseRole::kFollowUp) return false;
  const std::string_view url = post.url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) return false;
  return url.find('#') == std::string_view::npos;
}

std::string Label(std::string_view title, std::string_view url) {
  std::string label = "comments: ";
  label += title.empty() ? url : title;
  if (label.size() > kMaxLabelBytes) {
    size_t cut = kMaxLabelBytes;
    while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
    label.resize(cut);
    label += "...";
  }
  return label;
}

}  // namespace

int64_t FollowInterval(const std::vector<FollowStep>& schedule, int64_t age_seconds) {
  for (const FollowStep& step : schedule) {
    if (age_seconds < step.until_seconds) return step.interval_seconds;
  }
  return 0;
}

Result<std::unique_ptr<CommentFollower>> CommentFollower::Open(const std::string& db_path,
                                                               SharedStore& store, Watcher& watcher,
                                                               const Clock& clock,
                                                               CommentFollowerOptions options) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<FollowTables> tables, OpenFollowTables(db_path));
  return std::make_unique<CommentFollower>(store, watcher, std::move(tables), clock,
                                           std::move(options));
}

CommentFollower::CommentFollower(SharedStore& store, Watcher& watcher,
                                 std::unique_ptr<FollowTables> tables, const Clock& clock,
                                 CommentFollowerOptions options)
    : store_(store),
      watcher_(watcher),
      clock_(clock),
      options_(std::move(options)),
      tables_(std::move(tables)) {}

CommentFollower::~CommentFollower() { Stop(); }

void CommentFollower::Report(const Status& status) {
  if (!status.ok() && on_error) on_error(status);
}

Status CommentFollower::Save(const CommentFollow& follow) {
  MutexLock lock(mutex_);
  return tables_->SaveFollow(follow);
}

Result<FollowScan> CommentFollower::Scan() {
  MutexLock scan(scan_mutex_);
  FollowScan report;
  ECOUTE_ASSIGN_OR_RETURN(const auto articles, OpenArticles(report));
  // Sources whose article is no longer in an open case, young enough, go.
  std::vector<CommentFollow> following;
  {
    MutexLock lock(mutex_);
    ECOUTE_ASSIGN_OR_RETURN(following, tables_->ListFollowing());
  }
  for (CommentFollow& follow : following) {
    if (!articles.contains(follow.post_id)) {
      StopFollowing(std::move(follow), "its case is no longer open", report);
    }
  }
  int discoveries = 0;
  for (const auto& [post_id, article] : articles) Follow(article, report, discoveries);
  return report;
}

// The web posts of the open cases, by post id (those of cases opened too long ago marked);
// a post in several open cases goes with the youngest, most recently active. Only the cases whose
// activity changed since the last scan are read again.
Result<std::map<int64_t, CommentFollower::Article>> CommentFollower::OpenArticles(
    FollowScan& report) {
  const int64_t now = clock_.Now();
  CaseFilter filter;
  filter.statuses = {CaseStatus::kNew, CaseStatus::kAcknowledged, CaseStatus::kReopened};
  filter.sort = CaseSort::kRecent;
  filter.limit = std::max(1, options_.max_cases);
  ECOUTE_ASSIGN_OR_RETURN(const std::vector<CaseSummary> cases,
                          [&] { return store_.Lock()->ListCases(filter); }());
  std::map<int64_t, SeenCase> seen;
  std::map<int64_t, Article> articles;
  for (const CaseSummary& c : cases) {
    ++report.cases;
    SeenCase& entry = seen[c.id];
    if (auto known = seen_.find(c.id);
        known != seen_.end() && known->second.last_activity_at == c.last_activity_at) {
      entry = std::move(known->second);
    } else {
      Result<CaseDetail> detail = store_.Lock()->GetCase(c.id);
      if (!detail) {
        Report(detail.error());
        seen.erase(c.id);
        continue;
      }
      entry.last_activity_at = c.last_activity_at;
      for (const CasePost& p : detail->posts) {
        if (!IsWebArticle(p)) continue;
        entry.articles.push_back(
            {p.post_id, c.id, p.url, c.title, c.brand, c.opened_at, c.last_activity_at});
      }
    }
    for (Article article : entry.articles) {
      article.title = c.title;
      article.opened_at = c.opened_at;
      article.last_activity_at = c.last_activity_at;
      article.too_old = now - c.opened_at >= options_.max_case_age_seconds;
      auto [at, is_new] = articles.try_emplace(article.post_id, article);
      if (!is_new && (at->second.too_old > article.too_old ||
                      at->second.last_activity_at < article.last_activity_at)) {
        at->second = article;
      }
    }
  }
  seen_ = std::move(seen);
  return articles;
}

void CommentFollower::Follow(const Article& article, FollowScan& report, int& discoveries) {
  const int64_t now = clock_.Now();
  Result<CommentFollow> found = [&] {
    MutexLock lock(mutex_);
    return tables_->FindFollow(article.post_id);
  }();
  if (!found && found.error().code() != StatusCode::kNotFound) return Report(found.error());
  const int64_t interval =
      article.too_old ? 0 : FollowInterval(options_.schedule, now - article.last_activity_at);
  if (!found || (found->state == "error" && found->attempts < options_.max_attempts &&
                 now - found->checked_at >= options_.retry_seconds)) {
    if (interval == 0 || discoveries >= options_.max_discoveries_per_scan) return;
    ++discoveries;
    CommentFollow follow = found ? *found : CommentFollow{};
    return Discover(article, std::move(follow), report);
  }
  CommentFollow follow = std::move(found).value();
  if (follow.state == "stopped" && interval > 0 && !follow.source_url.empty()) {
    // The case was reopened, or the post joined another open case.
    follow.case_id = article.case_id;
    return AddSource(article, follow, report);
  }
  if (follow.state != "following" || !follow.source_id) return;
  if (interval == 0) return StopFollowing(std::move(follow), "its case grew too old", report);
  Result<WatchedSource> source = watcher_.Get(*follow.source_id);
  if (!source) {
    // Removed by the team: not added again.
    if (source.error().code() == StatusCode::kNotFound) {
      follow.state = "removed";
      follow.source_id.reset();
      follow.detail = "its watched source was removed by hand";
      follow.checked_at = now;
      ++report.stopped;
      return Report(Save(follow));
    }
    return Report(source.error());
  }
  if (source->interval_seconds == interval && source->follow_case == article.case_id &&
      source->brand == article.brand) {
    return;
  }
  source->interval_seconds = interval;
  source->follow_case = article.case_id;
  source->brand = article.brand;
  if (Result<WatchedSource> updated = watcher_.Update(*source); !updated) {
    return Report(updated.error());
  }
  ++report.rescheduled;
  if (follow.case_id != article.case_id) {
    follow.case_id = article.case_id;
    Report(Save(follow));
  }
}

void CommentFollower::Discover(const Article& article, CommentFollow follow, FollowScan& report) {
  ++report.discovered;
  const int64_t now = clock_.Now();
  follow.post_id = article.post_id;
  follow.case_id = article.case_id;
  follow.article_url = article.url;
  follow.checked_at = now;
  Result<FetchResult> page = fetch(article.url, options_.fetch);
  std::vector<CommentSource> sources;
  if (page && page->status >= 200 && page->status < 300) {
    sources = FindCommentSources(page->body, page->url.empty() ? article.url : page->url);
  } else {
    ++report.errors;
    ++follow.attempts;
    follow.state = follow.attempts >= options_.max_attempts ? "none" : "error";
    follow.detail = page ? "HTTP " + std::to_string(page->status) : page.error().message();
    return Report(Save(follow));
  }
  follow.attempts = 0;
  if (sources.empty()) {
    ++report.none;
    follow.state = "none";
    follow.detail = "the page offers no comments to read";
    return Report(Save(follow));
  }
  follow.kind = sources.front().kind;
  follow.source_url = sources.front().url;
  follow.format = sources.front().format;
  AddSource(article, follow, report);
}

void CommentFollower::AddSource(const Article& article, CommentFollow& follow, FollowScan& report) {
  const int64_t interval =
      FollowInterval(options_.schedule, clock_.Now() - article.last_activity_at);
  WatchedSource source;
  source.url = follow.source_url;
  source.format = follow.format;
  source.label = Label(article.title, article.url);
  source.interval_seconds = interval;
  source.brand = article.brand;
  source.origin = "comments";
  source.follow_case = article.case_id;
  Result<WatchedSource> added = watcher_.Add(source);
  follow.checked_at = clock_.Now();
  if (added) {
    ++report.followed;
    follow.state = "following";
    follow.source_id = added->id;
    follow.detail.clear();
  } else {
    ++report.none;
    follow.state = "none";
    follow.source_id.reset();
    follow.detail = added.error().message();
  }
  Report(Save(follow));
}

void CommentFollower::StopFollowing(CommentFollow follow, const std::string& why,
                                    FollowScan& report) {
  if (follow.source_id) {
    const Status removed = watcher_.Remove(*follow.source_id);
    if (!removed.ok() && removed.code() != StatusCode::kNotFound) return Report(removed);
  }
  ++report.stopped;
  follow.state = "stopped";
  follow.source_id.reset();
  follow.detail = why;
  follow.checked_at = clock_.Now();
  Report(Save(follow));
}

Status CommentFollower::Prepare(std::vector<Post>& posts, const WatchedSource& source) {
  if (source.origin != "comments" || posts.empty()) return OkStatus();
  Result<CommentFollow> follow = [&] {
    MutexLock lock(mutex_);
    return tables_->FindFollowBySource(source.id);
  }();
  if (!follow) return follow.error().code() == StatusCode::kNotFound ? OkStatus() : follow.error();
  ECOUTE_ASSIGN_OR_RETURN(const CaseDetail detail,
                          [&] { return store_.Lock()->GetCase(follow->case_id); }());
  const std::string article = ComparableUrl(follow->article_url);
  // What the case holds, and what this batch brings: the parents a comment may answer.
  std::set<std::string> known;
  std::map<std::string, std::string> anchors;  // anchor under the article -> its post's id
  for (const CasePost& p : detail.posts) {
    known.insert(p.ext_id);
    known.insert(ComparableUrl(p.url));
    if (ComparableUrl(p.url) == article && !CommentAnchor(p.url).empty()) {
      anchors.emplace(std::string(CommentAnchor(p.url)), p.ext_id);
    }
  }
  for (const Post& p : posts) {
    known.insert(p.id);
    if (!p.url.empty()) known.insert(ComparableUrl(p.url));
  }
  std::erase_if(posts, [&](Post& post) {
    if (IsFollowedArticle(post, follow->article_url)) return true;
    if (auto same = anchors.find(std::string(CommentAnchor(post.url)));
        same != anchors.end() && same->second != post.id) {
      return true;  // read from the page before: the same comment
    }
    if (post.parent_id.empty() && post.parent_url.empty()) {
      post.parent_url = follow->article_url;
      return false;
    }
    const std::string parent = ComparableUrl(post.parent_url);
    return parent != article && !known.contains(parent) && !known.contains(post.parent_id);
  });
  return OkStatus();
}

Result<std::vector<CommentFollow>> CommentFollower::FollowsOf(int64_t case_id) {
  ECOUTE_ASSIGN_OR_RETURN(const CaseDetail detail,
                          [&] { return store_.Lock()->GetCase(case_id); }());
  std::vector<int64_t> ids;
  for (const CasePost& p : detail.posts) ids.push_back(p.post_id);
  MutexLock lock(mutex_);
  return tables_->ListFollowsOf(ids);
}

void CommentFollower::Start(std::chrono::milliseconds tick) {
  MutexLock lock(thread_mutex_);
  if (!options_.enabled || thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, tick] {
    while (!stop_.load()) {
      Result<FollowScan> scanned = Scan();
      if (!scanned) Report(scanned.error());
      MutexLock wait(wake_mutex_);
      const auto deadline = std::chrono::steady_clock::now() + tick;
      while (!stop_.load()) {
        if (!wake_.WaitUntil(wake_mutex_, deadline)) break;
      }
    }
  });
}

void CommentFollower::Stop() {
  MutexLock lock(thread_mutex_);
  if (!thread_.joinable()) return;
  {
    MutexLock wake(wake_mutex_);
    stop_ = true;
  }
  wake_.NotifyAll();
  thread_.join();
}

}  // namespace ecoute::server
