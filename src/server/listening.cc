#include "server/listening.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "ecoute/analysis.h"
#include "ecoute/datetime.h"
#include "ecoute/fetch.h"
#include "ecoute/sources.h"

#include "extract/lexicon.h"
#include "fetch/outbound.h"
#include "server/app.h"
#include "text/normalize.h"
#include "util/utf8.h"

namespace ecoute::server {
namespace {

// Mastodon answers 40 statuses a page at most, Bluesky's search 100.
constexpr int64_t kMastodonPage = 40;
constexpr int64_t kBlueskyPage = 100;
constexpr size_t kMinTagLength = 3;
constexpr size_t kMaxTagWords = 3;

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string PercentEncoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out;
}

size_t WordCount(std::string_view normalized) {
  size_t words = 0;
  bool in_word = false;
  for (char c : normalized) {
    const bool space = c == ' ';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

// Letters and digits of normalized text, the rest dropped.
std::string TagOf(std::string_view normalized) {
  std::string tag;
  for (size_t i = 0; i < normalized.size();) {
    size_t length = 1;
    const char32_t cp = DecodeUtf8(normalized, i, length);
    if (length == 0) length = 1;
    const bool ascii_alnum = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9');
    if (ascii_alnum || (cp >= 0x80 && IsWordCodepoint(cp)))
      tag.append(normalized.substr(i, length));
    i += length;
  }
  return tag;
}

// "BT", "EDF": three letters or fewer, in capitals (the catalog matches them in capitals only).
bool IsShortCapitals(std::string_view alias) {
  if (alias.empty() || alias.size() > 3) return false;
  return std::all_of(alias.begin(), alias.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

bool IsCommon(const std::vector<std::string>& common_words, const std::string& normalized) {
  return std::binary_search(common_words.begin(), common_words.end(), normalized);
}

// A name or alias that is a common word: listed, or a single word of a flagged brand.
bool IsCommonName(const Brand& brand, const std::vector<std::string>& common_words,
                  const std::string& normalized) {
  return IsCommon(common_words, normalized) || (brand.is_common_word && WordCount(normalized) == 1);
}

// "@sncf" -> "sncf", "@user@instance" -> "user", "@sncf.bsky.social" -> "sncf".
std::string HandleName(std::string_view handle) {
  while (!handle.empty() && handle.front() == '@') handle.remove_prefix(1);
  handle = handle.substr(0, handle.find('@'));
  return std::string(handle.substr(0, handle.find('.')));
}

std::optional<int64_t> WatchedId(const std::vector<WatchedSource>& watched,
                                 const std::string& url) {
  for (const WatchedSource& s : watched) {
    if (s.url == url) return s.id;
  }
  return std::nullopt;
}

std::string HostOfBase(const std::string& base) {
  const size_t scheme = base.find("://");
  return scheme == std::string::npos ? base : base.substr(scheme + 3);
}

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

std::string FromWhat(const BrandTerm& term) {
  return "the brand's " + term.kind + " " + Quoted(term.from);
}

// The Bluesky network's stream: one for every brand, accepted whatever its URL once one exists.
void ProposeJetstream(const ListenOptions& options, const std::vector<WatchedSource>& watched,
                      std::vector<Proposal>& out) {
  if (options.jetstream_url.empty()) return;
  Proposal p;
  p.kind = "jetstream";
  p.url = options.jetstream_url;
  p.format = "jetstream";
  p.label = "Bluesky, every post (Jetstream)";
  p.reason =
      "One stream of every post written on Bluesky, for all brands at once: the catalog keeps "
      "the posts that name one.";
  p.reason_code = "network_stream";
  p.source_id = WatchedId(watched, p.url);
  if (!p.source_id) {
    for (const WatchedSource& s : watched) {
      if (s.format != "jetstream") continue;
      p.url = s.url;
      p.source_id = s.id;
      break;
    }
  }
  out.push_back(std::move(p));
}

void ProposeFeeds(const Brand& brand, const std::vector<FeedTemplate>& templates,
                  const std::vector<BrandTerm>& queries, std::vector<Proposal>& out) {
  for (const FeedTemplate& t : templates) {
    if (!t.enabled) continue;
    for (const BrandTerm& q : queries) {
      Proposal p;
      p.kind = "feed";
      p.url = FillTemplate(t.url_template, q.value);
      p.format = t.format;
      p.brand = brand.name;
      p.label = t.name + ": " + q.value;
      p.reason = "The template " + Quoted(t.name) + " searched for " + FromWhat(q) + ".";
      p.reason_code = "template";
      p.params = {
          {"template", t.name}, {"query", q.value}, {"from", q.from}, {"from_kind", q.kind}};
      out.push_back(std::move(p));
    }
  }
}

void ProposeSearches(const Brand& brand, const ListenOptions& options,
                     const std::vector<BrandTerm>& queries, const std::vector<BrandTerm>& tags,
                     std::vector<Proposal>& out) {
  const int64_t limit = std::max<int64_t>(1, options.backfill_limit);
  if (!options.bluesky_search_url.empty()) {
    const char join = options.bluesky_search_url.find('?') == std::string::npos ? '?' : '&';
    for (const BrandTerm& q : queries) {
      Proposal p;
      p.kind = "backfill";
      p.url = options.bluesky_search_url + join + "q=" + EncodeSearchTerm(q.value) +
              "&limit=" + std::to_string(std::min(limit, kBlueskyPage)) + "&sort=latest";
      p.format = "bluesky";
      p.brand = brand.name;
      p.label = "Bluesky search: " + q.value;
      p.reason = "Bluesky's search for " + FromWhat(q) + ", read back " +
                 std::to_string(options.backfill_days) + " days when accepted.";
      p.reason_code = "search";
      p.params = {{"query", q.value},
                  {"from", q.from},
                  {"from_kind", q.kind},
                  {"days", std::to_string(options.backfill_days)}};
      out.push_back(std::move(p));
    }
  }
  for (const std::string& instance : options.mastodon_instances) {
    for (const BrandTerm& tag : tags) {
      Proposal p;
      p.kind = "backfill";
      p.url = instance + "/api/v1/timelines/tag/" + tag.value +
              "?limit=" + std::to_string(std::min(limit, kMastodonPage));
      p.format = "mastodon";
      p.brand = brand.name;
      p.label = "#" + tag.value + " on " + HostOfBase(instance) + ", timeline";
      p.reason = "The recent posts of #" + tag.value + ", from " + FromWhat(tag) + ", read back " +
                 std::to_string(options.backfill_days) + " days when accepted.";
      p.reason_code = "tag_timeline";
      p.params = {{"tag", tag.value},
                  {"from", tag.from},
                  {"from_kind", tag.kind},
                  {"instance", HostOfBase(instance)},
                  {"days", std::to_string(options.backfill_days)}};
      out.push_back(std::move(p));
    }
  }
}

}  // namespace

// ---- settings -------------------------------------------------------------------------------

Result<std::vector<std::string>> ParseMastodonInstances(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    std::string base = item;
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (base.find("://") == std::string::npos) base = "https://" + base;
    const std::optional<UrlParts> parts = ParseUrlParts(base);
    const bool bare = parts && parts->path == "/" && parts->query.empty() &&
                      base.find('?') == std::string::npos && base.find('#') == std::string::npos;
    if (!bare || (parts->scheme != "http" && parts->scheme != "https") || parts->has_credentials) {
      return InvalidArgumentError("\"" + item +
                                  "\": give an instance's host (\"piaille.fr\") or its base URL "
                                  "(\"https://piaille.fr\")");
    }
    base = parts->scheme + "://" + parts->host + (parts->port.empty() ? "" : ":" + parts->port);
    if (std::find(out.begin(), out.end(), base) == out.end()) out.push_back(std::move(base));
  }
  return out;
}

Status CheckListenOptions(const ListenOptions& o) {
  if (!o.jetstream_url.empty() && !o.jetstream_url.starts_with("ws://") &&
      !o.jetstream_url.starts_with("wss://")) {
    return InvalidArgumentError("listen.jetstream_url \"" + o.jetstream_url +
                                "\": a ws:// or wss:// URL, or \"\" for none");
  }
  if (!o.bluesky_search_url.empty() && !o.bluesky_search_url.starts_with("http://") &&
      !o.bluesky_search_url.starts_with("https://")) {
    return InvalidArgumentError("listen.bluesky_search_url \"" + o.bluesky_search_url +
                                "\": an http:// or https:// URL, or \"\" for none");
  }
  if (o.backfill_limit < 1 || o.backfill_limit > 1000) {
    return InvalidArgumentError("listen.backfill_limit: from 1 to 1000 posts per search");
  }
  if (o.backfill_days < 1 || o.backfill_days > 365) {
    return InvalidArgumentError("listen.backfill_days: from 1 to 365 days");
  }
  return OkStatus();
}

// ---- terms ----------------------------------------------------------------------------------

std::vector<BrandTerm> BrandHashtags(const Brand& brand,
                                     const std::vector<std::string>& common_words) {
  std::vector<BrandTerm> out;
  const auto add = [&](std::string tag, const std::string& from, const char* kind) {
    if (tag.size() < kMinTagLength || IsCommon(common_words, tag)) return;
    if (std::all_of(tag.begin(), tag.end(), [](char c) { return c >= '0' && c <= '9'; })) return;
    for (const BrandTerm& t : out) {
      if (t.value == tag) return;
    }
    out.push_back({std::move(tag), from, kind});
  };
  const auto add_name = [&](const std::string& text, const char* kind) {
    const std::string normalized = NormalizeTerm(text);
    if (WordCount(normalized) > kMaxTagWords || IsCommonName(brand, common_words, normalized)) {
      return;
    }
    if (std::string_view(kind) == "alias" && IsShortCapitals(text)) return;
    add(TagOf(normalized), text, kind);
  };
  add_name(brand.name, "name");
  for (const std::string& alias : brand.aliases) add_name(alias, "alias");
  for (const std::string& handle : brand.handles) {
    add(TagOf(NormalizeTerm(HandleName(handle))), handle, "handle");
  }
  return out;
}

std::vector<BrandTerm> BrandQueries(const Brand& brand,
                                    const std::vector<std::string>& common_words) {
  std::vector<BrandTerm> out;
  std::set<std::string> seen;
  seen.insert(NormalizeTerm(brand.name));
  out.push_back({brand.name, brand.name, "name"});
  for (const std::string& alias : brand.aliases) {
    const std::string normalized = NormalizeTerm(alias);
    if (normalized.empty() || IsShortCapitals(alias) ||
        IsCommonName(brand, common_words, normalized) || !seen.insert(normalized).second) {
      continue;
    }
    out.push_back({alias, alias, "alias"});
  }
  return out;
}

std::string EncodeSearchTerm(std::string_view term) {
  const bool phrase = term.find(' ') != std::string_view::npos;
  return PercentEncoded(phrase ? "\"" + std::string(term) + "\"" : std::string(term));
}

std::string FillTemplate(std::string_view url_template, std::string_view term) {
  static constexpr std::string_view kQuery = "{query}";
  const std::string value = EncodeSearchTerm(term);
  std::string out;
  for (size_t at = url_template.find(kQuery); at != std::string_view::npos;
       at = url_template.find(kQuery)) {
    out.append(url_template.substr(0, at)).append(value);
    url_template.remove_prefix(at + kQuery.size());
  }
  out.append(url_template);
  return out;
}

// ---- proposals ------------------------------------------------------------------------------

std::vector<Proposal> ProposeSources(const Brand& brand, const ListenOptions& options,
                                     const std::vector<FeedTemplate>& templates,
                                     const std::vector<WatchedSource>& watched,
                                     const std::vector<std::string>& common_words) {
  const std::vector<BrandTerm> tags = BrandHashtags(brand, common_words);
  const std::vector<BrandTerm> queries = BrandQueries(brand, common_words);
  std::vector<Proposal> out;
  ProposeJetstream(options, watched, out);
  for (const std::string& instance : options.mastodon_instances) {
    for (const BrandTerm& tag : tags) {
      Proposal p;
      p.kind = "mastodon_stream";
      p.url = instance + "/api/v1/streaming/hashtag?tag=" + tag.value;
      p.format = "mastodon_stream";
      p.brand = brand.name;
      p.label = "#" + tag.value + " on " + HostOfBase(instance);
      p.reason = "The hashtag #" + tag.value + ", from " + FromWhat(tag) + ", live on " +
                 HostOfBase(instance) + ".";
      p.reason_code = "hashtag";
      p.params = {{"tag", tag.value},
                  {"from", tag.from},
                  {"from_kind", tag.kind},
                  {"instance", HostOfBase(instance)}};
      out.push_back(std::move(p));
    }
  }
  ProposeFeeds(brand, templates, queries, out);
  ProposeSearches(brand, options, queries, tags, out);
  // Each URL once (two templates may fill alike), the first kept.
  std::set<std::string> urls;
  std::erase_if(out, [&](const Proposal& p) { return !urls.insert(p.url).second; });
  for (Proposal& p : out) {
    if (!p.source_id) p.source_id = WatchedId(watched, p.url);
    p.accepted = p.source_id.has_value();
  }
  return out;
}

std::string BackfillPageUrl(const Proposal& search, int64_t since, std::string_view page) {
  std::string url = search.url;
  if (search.format == "bluesky") {
    url += "&since=" + PercentEncoded(FormatRfc3339(since));
    if (!page.empty()) url += "&cursor=" + PercentEncoded(page);
  } else if (!page.empty()) {
    url += "&max_id=" + PercentEncoded(page);
  }
  return url;
}

// ---- the templates and the back-fill --------------------------------------------------------

Listening::Listening(App& app, std::unique_ptr<FeedTemplateTables> tables)
    : app_(app), tables_(std::move(tables)) {}

Listening::~Listening() { Stop(); }

Result<std::unique_ptr<Listening>> Listening::Open(App& app) {
  ECOUTE_ASSIGN_OR_RETURN(std::unique_ptr<FeedTemplateTables> tables,
                          OpenFeedTemplateTables(app.config().db_path));
  return std::unique_ptr<Listening>(new Listening(app, std::move(tables)));
}

Result<std::vector<FeedTemplate>> Listening::Templates() {
  MutexLock lock(mutex_);
  return tables_->ListFeedTemplates();
}

Result<std::vector<FeedTemplate>> Listening::ReplaceTemplates(
    const std::vector<FeedTemplate>& templates) {
  MutexLock lock(mutex_);
  return tables_->ReplaceFeedTemplates(templates, app_.clock().Now());
}

const std::vector<std::string>& Listening::CommonWords() {
  MutexLock lock(mutex_);
  if (!common_loaded_) {
    common_loaded_ = true;
    const std::string data_dir =
        app_.config().data_dir.empty() ? DefaultDataDir() : app_.config().data_dir;
    Result<Lexicon> lexicon = LoadLexicon((std::filesystem::path(data_dir) / "lexicon").string());
    if (lexicon) {
      common_words_ = std::move(lexicon->common_words);
    } else {
      spdlog::warn("listening: no common words: {}", lexicon.error().message());
    }
  }
  return common_words_;
}

Result<std::vector<Proposal>> Listening::Proposals(const Brand& brand) {
  ECOUTE_ASSIGN_OR_RETURN(const std::vector<FeedTemplate> templates, Templates());
  ECOUTE_ASSIGN_OR_RETURN(const std::vector<WatchedSource> watched, app_.watcher().List());
  return ProposeSources(brand, app_.config().listening, templates, watched, CommonWords());
}

void Listening::Backfill(const std::string& brand) {
  MutexLock lock(mutex_);
  if (stop_) return;
  if (std::find(queue_.begin(), queue_.end(), brand) != queue_.end()) return;
  queue_.push_back(brand);
  BackfillOutcome& outcome = outcomes_[brand];
  if (!outcome.running) {
    outcome = BackfillOutcome();
    outcome.started_at = app_.clock().Now();
    outcome.running = true;
  }
  if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  wake_.NotifyAll();
}

std::optional<BackfillOutcome> Listening::LastBackfill(const std::string& brand) const {
  MutexLock lock(mutex_);
  auto it = outcomes_.find(brand);
  if (it == outcomes_.end()) return std::nullopt;
  return it->second;
}

bool Listening::stopping() const {
  MutexLock lock(mutex_);
  return stop_;
}

void Listening::Stop() {
  std::thread worker;
  {
    MutexLock lock(mutex_);
    stop_ = true;
    queue_.clear();
    wake_.NotifyAll();
    worker = std::move(worker_);
  }
  if (worker.joinable()) worker.join();
}

void Listening::Work() {
  for (;;) {
    std::string name;
    {
      MutexLock lock(mutex_);
      while (!stop_ && queue_.empty()) wake_.Wait(mutex_);
      if (stop_) return;
      name = std::move(queue_.front());
      queue_.pop_front();
    }
    std::optional<Brand> brand;
    const std::shared_ptr<const BrandCatalog> catalog = app_.catalog_snapshot();
    for (const Brand& b : catalog->brands) {
      if (b.name == name) brand = b;
    }
    BackfillOutcome outcome;
    if (brand) {
      outcome = RunBackfill(*brand);
    } else {
      outcome.at = app_.clock().Now();
      outcome.errors.push_back("no brand \"" + name + "\" in the catalog");
    }
    spdlog::info("back-fill of {}: {} searches, {} posts read, {} kept, {} new, {} errors", name,
                 outcome.searches, outcome.read, outcome.kept, outcome.posts,
                 outcome.errors.size());
    MutexLock lock(mutex_);
    // A request queued meanwhile keeps it running: its turn comes.
    outcome.running = std::find(queue_.begin(), queue_.end(), name) != queue_.end();
    outcomes_[name] = std::move(outcome);
  }
}

BackfillOutcome Listening::RunBackfill(const Brand& brand) {
  BackfillOutcome outcome;
  outcome.started_at = app_.clock().Now();
  const ListenOptions& options = app_.config().listening;
  const int64_t since = outcome.started_at - options.backfill_days * 86400;
  Result<std::vector<Proposal>> proposals = Proposals(brand);
  if (!proposals) {
    outcome.errors.push_back(proposals.error().message());
  } else {
    for (const Proposal& p : *proposals) {
      if (p.kind != "backfill" || stopping()) continue;
      ++outcome.searches;
      ReadSearch(brand, p, since, outcome);
    }
  }
  outcome.at = app_.clock().Now();
  return outcome;
}

namespace {

// The next page of a search: Bluesky's cursor, or the id of a Mastodon page's last status.
std::string NextPage(const std::string& body, bool bluesky) {
  const nlohmann::json root = nlohmann::json::parse(body, nullptr, false);
  if (bluesky) {
    if (!root.is_object()) return "";
    auto cursor = root.find("cursor");
    return cursor != root.end() && cursor->is_string() ? cursor->get<std::string>() : "";
  }
  if (!root.is_array() || root.empty() || !root.back().is_object()) return "";
  auto id = root.back().find("id");
  return id != root.back().end() && id->is_string() ? id->get<std::string>() : "";
}

bool NamesBrand(const Analyzer& analyzer, const Post& post, const std::string& brand) {
  thread_local Analyzer::Scratch scratch;
  Analysis analysis;
  analyzer.Analyze(post, scratch, analysis);
  return std::any_of(analysis.brands.begin(), analysis.brands.end(),
                     [&](const BrandVerdict& v) { return v.name == brand; });
}

// A fetch's reason without the URL it starts with (the label names the search).
std::string Reason(const std::string& url, const std::string& message) {
  if (message.starts_with(url + ": ")) return message.substr(url.size() + 2);
  return message;
}

}  // namespace

void Listening::ReadSearch(const Brand& brand, const Proposal& search, int64_t since,
                           BackfillOutcome& outcome) {
  const bool bluesky = search.format == "bluesky";
  FetchOptions fetch = app_.config().watcher.fetch;
  fetch.honor_robots = false;  // an API, meant to be asked
  const int64_t limit = app_.config().listening.backfill_limit;
  const int64_t page_size = std::min(limit, bluesky ? kBlueskyPage : kMastodonPage);
  const int64_t max_pages = (limit + page_size - 1) / page_size;
  const std::shared_ptr<const Analyzer> analyzer = app_.analyzer_snapshot();
  std::string page;
  int64_t read = 0;
  for (int64_t n = 0; n < max_pages && read < limit && !stopping(); ++n) {
    const std::string url = BackfillPageUrl(search, since, page);
    Result<FetchResult> fetched = Fetch(url, fetch);
    if (!fetched) {
      outcome.errors.push_back(search.label + ": " + Reason(url, fetched.error().message()));
      return;
    }
    std::vector<Post> posts;
    std::vector<Problem> problems;
    const auto emit = [&](const Post& p) { posts.push_back(p); };
    if (bluesky) {
      ReadBluesky(fetched->body, url, emit, problems);
    } else {
      ReadMastodon(fetched->body, url, emit, problems);
    }
    for (const Problem& problem : problems) {
      if (problem.is_fatal) {
        outcome.errors.push_back(search.label + ": " + problem.message);
        return;
      }
    }
    read += static_cast<int64_t>(posts.size());
    outcome.read += static_cast<int64_t>(posts.size());
    bool older = false;
    std::vector<Post> kept;
    for (Post& post : posts) {
      const std::optional<int64_t> at = ParseDateTime(post.published_at);
      if (at && *at < since) {
        older = true;
      } else if (NamesBrand(*analyzer, post, brand.name)) {
        kept.push_back(std::move(post));
      }
    }
    outcome.kept += static_cast<int64_t>(kept.size());
    if (!kept.empty()) {
      Result<IngestSummary> stored = app_.IngestPosts(kept, url, "");
      if (!stored) {
        outcome.errors.push_back(search.label + ": " + stored.error().message());
        return;
      }
      outcome.posts += stored->created;
    }
    page = NextPage(fetched->body, bluesky);
    // A Mastodon page shorter than asked is the last; Bluesky's may be short and go on.
    const bool last = !bluesky && static_cast<int64_t>(posts.size()) < page_size;
    if (posts.empty() || older || page.empty() || last) return;
  }
}

}  // namespace ecoute::server
