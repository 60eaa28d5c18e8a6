// The embedded store: one SQLite file in WAL mode (docs/STORE.md).
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <variant>

#include "ecoute/store.h"

#include "cases/threading.h"
#include "search/snippet.h"
#include "store/sqlite/fts5_tokenizer.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite.h"
#include "util/datetime.h"
#include "util/json.h"
#include "util/url.h"

namespace ecoute {
namespace {

constexpr size_t kMaxLinksFollowed = 32;
constexpr char kCueSeparator = '|';

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

// "@" + name. (GCC 12 warns wrongly, -Wrestrict, about `"@" + std::string`.)
std::string WithAt(std::string_view name) {
  std::string out = "@";
  out.append(name);
  return out;
}

// How an author is known across posts: the handle, else the profile URL, else the name.
std::string AuthorKey(const Author& author) {
  if (!author.handle.empty()) return Lower(author.handle);
  if (!author.url.empty()) return author.url;
  return author.name;
}

std::optional<int64_t> ParseTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return ParseDateTime(text);
}

std::string FormatTime(std::optional<int64_t> seconds) {
  return seconds ? FormatRfc3339(*seconds) : std::string();
}

std::string JoinCues(const std::vector<std::string_view>& cues) {
  std::string out;
  for (std::string_view cue : cues) {
    if (!out.empty()) out += kCueSeparator;
    out += cue;
  }
  return out;
}

// The analysis facts as compact JSON, or "" when there are none.
std::string FactsJson(const Facts& facts) {
  if (facts.money.empty() && facts.durations.empty() && facts.channels.empty() &&
      facts.signals.empty()) {
    return {};
  }
  std::string out = "{";
  auto open = [&](std::string_view key) {
    if (out.size() > 1) out += ',';
    AppendJsonString(key, out);
    out += ":[";
  };
  if (!facts.money.empty()) {
    open("money");
    for (size_t i = 0; i < facts.money.size(); ++i) {
      if (i > 0) out += ',';
      out += "{\"text\":";
      AppendJsonString(facts.money[i].text, out);
      out += ",\"amount\":" + std::to_string(facts.money[i].amount) + ",\"currency\":";
      AppendJsonString(facts.money[i].currency, out);
      out += '}';
    }
    out += ']';
  }
  if (!facts.durations.empty()) {
    open("durations");
    for (size_t i = 0; i < facts.durations.size(); ++i) {
      if (i > 0) out += ',';
      out += "{\"text\":";
      AppendJsonString(facts.durations[i].text, out);
      out += ",\"seconds\":" + std::to_string(facts.durations[i].seconds) + '}';
    }
    out += ']';
  }
  if (!facts.channels.empty()) {
    open("channels");
    for (size_t i = 0; i < facts.channels.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(ChannelName(facts.channels[i]), out);
    }
    out += ']';
  }
  if (!facts.signals.empty()) {
    open("signals");
    for (size_t i = 0; i < facts.signals.size(); ++i) {
      if (i > 0) out += ',';
      out += "{\"signal\":";
      AppendJsonString(SignalName(facts.signals[i].first), out);
      out += ",\"cue\":";
      AppendJsonString(facts.signals[i].second, out);
      out += '}';
    }
    out += ']';
  }
  out += '}';
  return out;
}

// Confidences and severities in [0, 1] as integers per mille (smaller on disk than REAL).
int64_t PerMille(double x) { return std::llround(std::clamp(x, 0.0, 1.0) * 1000); }

// The post's topics as a bit set: bit (1 << Topic).
int64_t TopicMask(const Analysis& analysis) {
  int64_t mask = 0;
  for (const TopicVerdict& topic : analysis.topics)
    mask |= int64_t{1} << static_cast<int>(topic.topic);
  return mask;
}

std::optional<int64_t> FirstTopic(const Analysis& analysis) {
  if (analysis.topics.empty()) return std::nullopt;
  return static_cast<int64_t>(analysis.topics.front().topic);
}

// The filter tokens of the full-text index's tags column (schema.cc): "b3 b3s1 s1 t4".
std::string Tags(const Analysis& analysis, const std::vector<int64_t>& brand_ids) {
  std::string tags;
  for (size_t i = 0; i < brand_ids.size(); ++i) {
    const std::string brand = "b" + std::to_string(brand_ids[i]);
    tags += brand + ' ' + brand + 's' +
            std::to_string(static_cast<int>(analysis.brands[i].stance)) + ' ';
  }
  tags += 's' + std::to_string(static_cast<int>(analysis.stance));
  for (const TopicVerdict& topic : analysis.topics) {
    tags += " t" + std::to_string(static_cast<int>(topic.topic));
  }
  return tags;
}

// `"a" OR "b"` for the tokens, as an FTS5 expression on the tags column.
std::string TagFilter(const std::vector<std::string>& tokens) {
  std::string out = "tags : (";
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += " OR ";
    out += '"' + tokens[i] + '"';
  }
  return out + ")";
}

// The post's content hash as the 64-bit number its hex digits spell (ContentHash), or the
// hash of its title and text when the reader gave none (or not in that form).
int64_t HashValue(const Post& post) {
  std::string_view hex = post.content_hash;
  std::string computed;
  if (hex.size() != 16 || hex.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    computed =
        ContentHash(post.content_hash.empty() ? post.title + '\n' + post.text : post.content_hash);
    hex = computed;
  }
  uint64_t value = 0;
  for (char c : hex) value = value << 4 | static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  return static_cast<int64_t>(value);
}

// The start of a text, cut at a word boundary and a UTF-8 boundary, for display.
std::string Excerpt(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const size_t space = text.rfind(' ', cut);
  if (space != std::string_view::npos && space > max_bytes / 2) cut = space;
  return std::string(text.substr(0, cut)) + "…";
}

struct BrandRow {
  int64_t id = 0;
  std::string name;
  std::vector<std::string> handles;  // lower case
  std::vector<std::string> domains;
};

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(' ', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// "?,?,?" for `n` parameters.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ",?";
  return out;
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm, public domain).
void CivilFromDays(int64_t z, int& year, unsigned& month, unsigned& day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
}

// Days since 1970-01-01 of a civil date (the inverse of CivilFromDays).
int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The ISO 8601 week of a day: "2026-W47". Weeks start on Monday; a week belongs to the
// year of its Thursday.
std::string IsoWeek(int64_t days) {
  const int64_t weekday = ((days % 7) + 7 + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
  const int64_t thursday = days - weekday + 3;
  int year;
  unsigned month, day;
  CivilFromDays(thursday, year, month, day);
  const int64_t week = (thursday - DaysFromCivil(year, 1, 1)) / 7 + 1;
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%04d-W%02d", year, static_cast<int>(week));
  return buffer;
}

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
  Status RecordResponse(int64_t case_id, const std::string& actor, int64_t at,
                        const std::string& note) override;
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
  Result<int64_t> RecordCorrection(const Correction& correction) override;
  Result<std::vector<Correction>> ListCorrections(int64_t after_id, int limit) override;
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
    kStatementCount,
  };
  sqlite::Statement& Get(StatementId id) { return statements_[id]; }

  Status Begin() { return sqlite::Exec(db_, "BEGIN IMMEDIATE"); }
  Status Commit() { return sqlite::Exec(db_, "COMMIT"); }
  void Rollback() { (void)sqlite::Exec(db_, "ROLLBACK"); }

  Result<int64_t> SourceId(const std::string& kind);
  Result<int64_t> AuthorId(const Author& author);  // 0 when the post has no author
  Status IngestOne(const IngestItem& item, IngestResult& result);
  Status IndexNewPosts();
  Status StoreVerdicts(int64_t post_id, int64_t at, const Analysis& analysis,
                       const std::vector<int64_t>& brand_ids, int64_t author_brand);
  Status Thread(int64_t post_id, int64_t author_id, int64_t at, const Post& post,
                const Analysis& analysis, int64_t source_id, const std::vector<int64_t>& brand_ids,
                int64_t author_brand, IngestResult& result);
  Result<std::vector<std::pair<int64_t, CaseRef>>> CasesOf(int64_t post_id);  // brand, case
  Status AddEvent(int64_t case_id, int64_t at, std::string_view kind, std::string_view actor,
                  std::string_view reason, std::optional<int64_t> post_id);
  Result<CaseRef> LoadCase(int64_t case_id, int64_t* brand_id = nullptr);
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

Status SqliteStore::Prepare() {
  static constexpr std::array<std::string_view, kStatementCount> kSql = {
      "SELECT id FROM sources WHERE kind = ?1",
      "INSERT INTO sources(kind) VALUES (?1)",
      "SELECT id FROM authors WHERE key = ?1",
      "INSERT INTO authors(key, name, handle, url, followers) VALUES (?1, ?2, ?3, ?4, ?5)",
      "SELECT id, content_hash, version FROM posts WHERE source_id = ?1 AND ext_id = ?2",
      "SELECT id, content_hash, version FROM posts WHERE url = ?1 ORDER BY id LIMIT 1",
      "SELECT id, content_hash, version FROM posts WHERE content_hash = ?1 AND ext_id IS NULL "
      "AND author_id IS ?2 LIMIT 1",
      "INSERT INTO posts(source_id, ext_id, url, content_hash, author_id, title, text, lang, "
      "published_at, updated_at, ingested_at, at, parent_ext_id, parent_url, links, comments, "
      "shares, likes, stance, confidence, severity, priority, facts, topic, topics, tags) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
      "?20, ?21, ?22, ?23, ?24, ?25, ?26)",
      "INSERT INTO post_versions(post_id, version, title, text, content_hash, updated_at, "
      "replaced_at) SELECT id, version, title, text, content_hash, updated_at, ?2 FROM posts "
      "WHERE id = ?1",
      "UPDATE posts SET content_hash = ?2, title = ?3, text = ?4, lang = ?5, updated_at = ?6, "
      "links = ?7, comments = ?8, shares = ?9, likes = ?10, stance = ?11, confidence = ?12, "
      "severity = ?13, priority = ?14, facts = ?15, topic = ?16, topics = ?17, tags = ?18, "
      "version = version + 1 WHERE id = ?1",
      "DELETE FROM post_brands WHERE post_id = ?1",
      "INSERT INTO post_brands(post_id, brand_id, stance, confidence, mentions, is_by_brand, at, "
      "cues, topics) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
      "SELECT c.id, c.brand_id, c.status, c.customer_id, c.last_activity_at, "
      "c.first_response_at IS NOT NULL FROM case_posts cp JOIN cases c ON c.id = cp.case_id "
      "WHERE cp.post_id = ?1",
      "SELECT id, status, customer_id, last_activity_at, first_response_at IS NOT NULL FROM "
      "cases WHERE customer_id = ?1 AND brand_id = ?2 ORDER BY id DESC LIMIT 1",
      "INSERT INTO cases(brand_id, customer_id, status, priority, topic, opened_at, "
      "last_activity_at, opening_post_id) VALUES (?1, ?2, 0, ?3, ?4, ?5, ?5, ?6)",
      "INSERT OR IGNORE INTO case_posts(case_id, post_id, role, rule, at) VALUES (?1, ?2, ?3, "
      "?4, ?5)",
      "UPDATE cases SET last_activity_at = max(last_activity_at, ?2), priority = max(priority, "
      "?3), status = coalesce(?4, status), first_response_at = coalesce(first_response_at, ?5), "
      "resolved_at = CASE WHEN ?4 = 2 THEN ?6 WHEN ?4 IN (0, 1, 4) THEN NULL ELSE resolved_at "
      "END, recovered = CASE WHEN ?4 = 2 THEN ?7 WHEN ?4 IS NOT NULL THEN 0 ELSE recovered END "
      "WHERE id = ?1",
      "INSERT INTO case_events(case_id, at, kind, actor, reason, post_id) VALUES (?1, ?2, ?3, "
      "?4, ?5, ?6)",
      "SELECT id, status, customer_id, last_activity_at, first_response_at IS NOT NULL, "
      "brand_id FROM cases WHERE id = ?1",
      "SELECT p.author_id, p.at, coalesce((SELECT stance FROM post_brands WHERE post_id = p.id "
      "AND brand_id = ?2), p.stance), p.priority, p.topic FROM posts p WHERE p.id = ?1",
      "INSERT INTO posts_fts(rowid, title, body, tags) SELECT id, title || char(31) || lang, "
      "text || char(31) || lang, tags FROM posts WHERE id >= ?1 ORDER BY id",
      // A post that joins a case without changing its status: only what changes is
      // written, so that the indexes on status and priority are left alone.
      "UPDATE cases SET last_activity_at = ?2 WHERE id = ?1 AND last_activity_at < ?2",
      "UPDATE cases SET priority = ?2 WHERE id = ?1 AND priority < ?2",
  };
  statements_.clear();
  statements_.reserve(kStatementCount);
  for (std::string_view sql : kSql) {
    statements_.emplace_back(db_, sql);
    if (!statements_.back().ok()) return statements_.back().status();
  }
  return OkStatus();
}

Status SqliteStore::LoadBrands() {
  brands_.clear();
  brand_by_name_.clear();
  brand_by_handle_.clear();
  brand_by_domain_.clear();
  sqlite::Statement select(db_, "SELECT id, name, handles, domains FROM brands ORDER BY id");
  if (!select.ok()) return select.status();
  while (select.Step()) {
    BrandRow row;
    row.id = select.Int(0);
    row.name = std::string(select.Text(1));
    row.handles = SplitSpaces(select.Text(2));
    row.domains = SplitSpaces(select.Text(3));
    brand_by_name_[Lower(row.name)] = brands_.size();
    for (const std::string& handle : row.handles) brand_by_handle_[handle] = row.id;
    for (const std::string& domain : row.domains) brand_by_domain_[domain] = row.id;
    brands_.push_back(std::move(row));
  }
  return select.status();
}

Status SqliteStore::SyncBrands(const BrandCatalog& catalog) {
  ECOUTE_RETURN_IF_ERROR(Begin());
  sqlite::Statement upsert(db_,
                           "INSERT INTO brands(name, handles, domains) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT(name) DO UPDATE SET handles = excluded.handles, "
                           "domains = excluded.domains");
  if (!upsert.ok()) {
    Rollback();
    return upsert.status();
  }
  for (const Brand& brand : catalog.brands) {
    std::string handles, domains;
    for (const std::string& h : brand.handles) {
      if (!handles.empty()) handles += ' ';
      handles += Lower(h);
    }
    for (const std::string& d : brand.domains) {
      if (!domains.empty()) domains += ' ';
      domains += Lower(d);
    }
    Status status = upsert.Bind(1, brand.name).Bind(2, handles).Bind(3, domains).Run();
    if (!status.ok()) {
      Rollback();
      return status;
    }
  }
  ECOUTE_RETURN_IF_ERROR(Commit());
  return LoadBrands();
}

Result<int64_t> SqliteStore::SourceId(const std::string& kind) {
  if (auto found = source_ids_.find(kind); found != source_ids_.end()) return found->second;
  sqlite::Statement& find = Get(kFindSource);
  find.Bind(1, kind);
  int64_t id = 0;
  if (find.Step()) {
    id = find.Int(0);
  } else {
    find.Reset();
    ECOUTE_RETURN_IF_ERROR(Get(kInsertSource).Bind(1, kind).Run());
    id = sqlite3_last_insert_rowid(db_);
  }
  find.Reset();
  source_ids_.emplace(kind, id);
  return id;
}

Result<int64_t> SqliteStore::AuthorId(const Author& author) {
  std::string key = AuthorKey(author);
  if (key.empty()) return int64_t{0};
  if (auto found = author_ids_.find(key); found != author_ids_.end()) return found->second;
  sqlite::Statement& find = Get(kFindAuthor);
  find.Bind(1, key);
  int64_t id = 0;
  if (find.Step()) {
    id = find.Int(0);
    find.Reset();
  } else {
    find.Reset();
    sqlite::Statement& insert = Get(kInsertAuthor);
    insert.Bind(1, key).Bind(2, author.name).Bind(3, author.handle).Bind(4, author.url);
    insert.BindOrNull(
        5, author.followers >= 0 ? std::optional<int64_t>(author.followers) : std::nullopt);
    ECOUTE_RETURN_IF_ERROR(insert.Run());
    id = sqlite3_last_insert_rowid(db_);
  }
  if (author_ids_.size() > (1u << 20)) author_ids_.clear();  // bounded memory
  author_ids_.emplace(std::move(key), id);
  return id;
}

// The brand that wrote the post, from its author's handle or profile URL or the post's
// own URL; 0 for a customer.
int64_t SqliteStore::BrandOfAuthor(const Post& post) const {
  if (!post.author.handle.empty()) {
    if (auto found = brand_by_handle_.find(Lower(post.author.handle));
        found != brand_by_handle_.end()) {
      return found->second;
    }
  }
  for (const std::string* url : {&post.author.url, &post.url}) {
    if (url->empty()) continue;
    // The host, then each parent domain: "sav.darty.com", "darty.com", "com".
    const std::string full_host = UrlHost(*url);
    for (std::string_view host = full_host; !host.empty();) {
      if (auto found = brand_by_domain_.find(std::string(host)); found != brand_by_domain_.end()) {
        return found->second;
      }
      const size_t dot = host.find('.');
      if (dot == std::string_view::npos) break;
      host.remove_prefix(dot + 1);
    }
  }
  return 0;
}

// Whether the text opens with @handles (at most eight) among which one of the brand's.
bool SqliteStore::IsAddressedTo(std::string_view text, int64_t brand) const {
  size_t i = 0;
  for (int handles = 0; handles < 8; ++handles) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '.')) ++i;
    if (i >= text.size() || text[i] != '@') return false;
    size_t end = i + 1;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                                 text[end] == '_' || text[end] == '.' || text[end] == '-')) {
      ++end;
    }
    while (end > i + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
    if (auto found = brand_by_handle_.find(Lower(text.substr(i, end - i)));
        found != brand_by_handle_.end() && found->second == brand) {
      return true;
    }
    if (end == i + 1) return false;
    i = end;
  }
  return false;
}

Result<int64_t> SqliteStore::BrandIdByName(std::string_view name) const {
  if (auto found = brand_by_name_.find(Lower(name)); found != brand_by_name_.end()) {
    return brands_[found->second].id;
  }
  return InvalidArgumentError("brand \"" + std::string(name) +
                              "\" is not in the store: ingest with a catalog that has it");
}

Status SqliteStore::Ingest(std::span<const IngestItem> batch, std::vector<IngestResult>& results) {
  results.clear();
  results.resize(batch.size());
  ECOUTE_RETURN_IF_ERROR(Begin());
  unindexed_from_ = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    Status status = IngestOne(batch[i], results[i]);
    if (!status.ok()) {
      Rollback();
      results.clear();
      const Post& post = *batch[i].post;
      return Status(status.code(), "storing post \"" + post.id + "\": " + status.message());
    }
  }
  Status status = IndexNewPosts();
  if (status.ok()) status = Commit();
  if (!status.ok()) {
    Rollback();
    results.clear();
  }
  return status;
}

// The batch's new posts enter the full-text index together: one statement, so FTS5 keeps
// their terms in memory and writes one segment at the commit (schema.cc, version 3). New
// posts have the batch's highest ids, so they are those from the first one on.
Status SqliteStore::IndexNewPosts() {
  if (unindexed_from_ == 0) return OkStatus();
  const int64_t from = std::exchange(unindexed_from_, 0);
  return Get(kIndexNewPosts).Bind(1, from).Run();
}

Status SqliteStore::StoreVerdicts(int64_t post_id, int64_t at, const Analysis& analysis,
                                  const std::vector<int64_t>& brand_ids, int64_t author_brand) {
  sqlite::Statement& insert_brand = Get(kInsertPostBrand);
  const int64_t topics = TopicMask(analysis);
  for (size_t i = 0; i < analysis.brands.size(); ++i) {
    const BrandVerdict& verdict = analysis.brands[i];
    insert_brand.Bind(1, post_id).Bind(2, brand_ids[i]);
    insert_brand.Bind(3, static_cast<int64_t>(verdict.stance))
        .Bind(4, PerMille(verdict.confidence));
    insert_brand.Bind(5, static_cast<int64_t>(verdict.mentions));
    insert_brand.Bind(6, static_cast<int64_t>(brand_ids[i] == author_brand)).Bind(7, at);
    insert_brand.BindOrNull(8, JoinCues(verdict.cues)).Bind(9, topics);
    ECOUTE_RETURN_IF_ERROR(insert_brand.Run());
  }
  return OkStatus();
}

Status SqliteStore::IngestOne(const IngestItem& item, IngestResult& result) {
  // Agents open a post's URL as a link: only the web's schemes are kept ("javascript:",
  // "data:" are dropped, the post is stored without them).
  std::optional<Post> web_only;
  if ((!item.post->url.empty() && !IsWebUrl(item.post->url)) ||
      (!item.post->author.url.empty() && !IsWebUrl(item.post->author.url))) {
    web_only = *item.post;
    if (!IsWebUrl(web_only->url)) web_only->url.clear();
    if (!IsWebUrl(web_only->author.url)) web_only->author.url.clear();
  }
  const Post& post = web_only ? *web_only : *item.post;
  const Analysis& analysis = *item.analysis;
  std::vector<int64_t> brand_ids;
  brand_ids.reserve(analysis.brands.size());
  for (const BrandVerdict& verdict : analysis.brands) {
    ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(verdict.name));
    brand_ids.push_back(id);
  }
  ECOUTE_ASSIGN_OR_RETURN(const int64_t source_id,
                          SourceId(post.source.empty() ? "unknown" : post.source));
  ECOUTE_ASSIGN_OR_RETURN(const int64_t author_id, AuthorId(post.author));
  const int64_t content_hash = HashValue(post);

  // Identity: the source's id, else the canonical URL, else the content hash (and author).
  sqlite::Statement* find = nullptr;
  if (!item.id_is_derived && !post.id.empty()) {
    find = &Get(kFindPostByExtId);
    find->Bind(1, source_id).Bind(2, post.id);
  } else if (!post.url.empty()) {
    find = &Get(kFindPostByUrl);
    find->Bind(1, post.url);
  } else {
    find = &Get(kFindPostByHash);
    find->Bind(1, content_hash);
    if (author_id != 0) find->Bind(2, author_id);
  }
  std::optional<int64_t> existing;
  bool is_same = false;
  if (find->Step()) {
    existing = find->Int(0);
    is_same = find->Int(1) == content_hash;
  }
  Status find_status = find->status();
  find->Reset();
  ECOUTE_RETURN_IF_ERROR(find_status);

  const std::optional<int64_t> published = ParseTime(post.published_at);
  const std::optional<int64_t> updated = ParseTime(post.updated_at);
  const int64_t at = published.value_or(item.ingested_at);
  std::string links;
  for (const std::string& link : post.links) {
    if (!links.empty()) links += '\n';
    links += link;
  }
  for (std::string_view link : analysis.facts.links) {
    if (std::find(post.links.begin(), post.links.end(), link) == post.links.end()) {
      if (!links.empty()) links += '\n';
      links += link;
    }
  }
  const std::string facts = FactsJson(analysis.facts);
  auto count = [](int64_t n) { return n >= 0 ? std::optional<int64_t>(n) : std::nullopt; };
  const int64_t author_brand = BrandOfAuthor(post);

  if (existing) {
    result.post_id = *existing;
    if (is_same) {
      result.outcome = IngestOutcome::kUnchanged;
      return OkStatus();
    }
    result.outcome = IngestOutcome::kUpdated;
    // The update trigger takes the old text out of the index: it must be there.
    ECOUTE_RETURN_IF_ERROR(IndexNewPosts());
    ECOUTE_RETURN_IF_ERROR(Get(kInsertVersion).Bind(1, *existing).Bind(2, item.ingested_at).Run());
    sqlite::Statement& update = Get(kUpdatePost);
    update.Bind(1, *existing).Bind(2, content_hash).Bind(3, post.title).Bind(4, post.text);
    update.Bind(5, analysis.lang).BindOrNull(6, updated.value_or(item.ingested_at));
    update.BindOrNull(7, links).BindOrNull(8, count(post.comments));
    update.BindOrNull(9, count(post.shares)).BindOrNull(10, count(post.likes));
    update.Bind(11, static_cast<int64_t>(analysis.stance)).Bind(12, PerMille(analysis.confidence));
    update.Bind(13, PerMille(analysis.severity)).Bind(14, static_cast<int64_t>(analysis.priority));
    update.BindOrNull(15, facts).BindOrNull(16, FirstTopic(analysis)).Bind(17, TopicMask(analysis));
    update.Bind(18, Tags(analysis, brand_ids));
    ECOUTE_RETURN_IF_ERROR(update.Run());
    ECOUTE_RETURN_IF_ERROR(Get(kDeletePostBrands).Bind(1, *existing).Run());
    ECOUTE_RETURN_IF_ERROR(StoreVerdicts(*existing, at, analysis, brand_ids, author_brand));
    ECOUTE_ASSIGN_OR_RETURN(auto cases, CasesOf(*existing));
    for (const auto& [brand, c] : cases) {
      result.cases.push_back(c.id);
      ECOUTE_RETURN_IF_ERROR(AddEvent(c.id, item.ingested_at, "edited", "rule:edit",
                                      "the post was edited", *existing));
    }
    return OkStatus();
  }

  sqlite::Statement& insert = Get(kInsertPost);
  insert.Bind(1, source_id);
  if (item.id_is_derived) {
    insert.BindNull(2);
  } else {
    insert.BindOrNull(2, post.id);
  }
  insert.BindOrNull(3, post.url).Bind(4, content_hash);
  insert.BindOrNull(5, author_id != 0 ? std::optional<int64_t>(author_id) : std::nullopt);
  insert.Bind(6, post.title).Bind(7, post.text).Bind(8, analysis.lang);
  insert.BindOrNull(9, published).BindOrNull(10, updated).Bind(11, item.ingested_at).Bind(12, at);
  insert.BindOrNull(13, post.parent_id).BindOrNull(14, post.parent_url).BindOrNull(15, links);
  insert.BindOrNull(16, count(post.comments)).BindOrNull(17, count(post.shares));
  insert.BindOrNull(18, count(post.likes));
  insert.Bind(19, static_cast<int64_t>(analysis.stance)).Bind(20, PerMille(analysis.confidence));
  insert.Bind(21, PerMille(analysis.severity)).Bind(22, static_cast<int64_t>(analysis.priority));
  insert.BindOrNull(23, facts).BindOrNull(24, FirstTopic(analysis)).Bind(25, TopicMask(analysis));
  insert.Bind(26, Tags(analysis, brand_ids));
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  const int64_t post_id = sqlite3_last_insert_rowid(db_);
  if (unindexed_from_ == 0) unindexed_from_ = post_id;
  result.post_id = post_id;
  result.outcome = IngestOutcome::kNew;
  ECOUTE_RETURN_IF_ERROR(StoreVerdicts(post_id, at, analysis, brand_ids, author_brand));
  return Thread(post_id, author_id, at, post, analysis, source_id, brand_ids, author_brand, result);
}

Result<std::vector<std::pair<int64_t, CaseRef>>> SqliteStore::CasesOf(int64_t post_id) {
  std::vector<std::pair<int64_t, CaseRef>> out;
  sqlite::Statement& select = Get(kCasesOfPost);
  select.Bind(1, post_id);
  while (select.Step()) {
    CaseRef ref;
    ref.id = select.Int(0);
    ref.status = static_cast<CaseStatus>(select.Int(2));
    ref.customer_id = select.Int(3);
    ref.last_activity_at = select.Int(4);
    ref.is_responded = select.Int(5) != 0;
    out.emplace_back(select.Int(1), ref);
  }
  Status status = select.status();
  select.Reset();
  if (!status.ok()) return status;
  return out;
}

Status SqliteStore::AddEvent(int64_t case_id, int64_t at, std::string_view kind,
                             std::string_view actor, std::string_view reason,
                             std::optional<int64_t> post_id) {
  return Get(kInsertEvent)
      .Bind(1, case_id)
      .Bind(2, at)
      .Bind(3, kind)
      .Bind(4, actor)
      .Bind(5, reason)
      .BindOrNull(6, post_id)
      .Run();
}

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

Result<CaseRef> SqliteStore::LoadCase(int64_t case_id, int64_t* brand_id) {
  sqlite::Statement& select = Get(kLoadCase);
  select.Bind(1, case_id);
  if (!select.Step()) {
    Status status = select.status();
    select.Reset();
    if (!status.ok()) return status;
    return NotFoundError("no case " + std::to_string(case_id) + ": list them with `ecoute cases`");
  }
  CaseRef ref;
  ref.id = select.Int(0);
  ref.status = static_cast<CaseStatus>(select.Int(1));
  ref.customer_id = select.Int(2);
  ref.last_activity_at = select.Int(3);
  ref.is_responded = select.Int(4) != 0;
  if (brand_id != nullptr) *brand_id = select.Int(5);
  select.Reset();
  return ref;
}

// One agent action in one transaction: the case's new state and its event.
Status SqliteStore::ChangeCase(int64_t case_id, const std::string& actor, int64_t at,
                               const std::string& reason, std::string_view kind) {
  ECOUTE_RETURN_IF_ERROR(Begin());
  auto run = [&]() -> Status {
    ECOUTE_ASSIGN_OR_RETURN(const CaseRef target, LoadCase(case_id));
    sqlite::Statement& update = Get(kUpdateCase);
    update.Bind(1, case_id).Bind(2, at).Bind(3, int64_t{0});
    std::optional<CaseStatus> status;
    bool is_first_response = false;
    if (kind == "responded") {
      is_first_response = !target.is_responded;
      if (target.status == CaseStatus::kNew || target.status == CaseStatus::kReopened) {
        status = CaseStatus::kAcknowledged;
      }
    } else if (kind == "resolved") {
      if (target.status == CaseStatus::kResolved) {
        return Status(StatusCode::kFailedPrecondition,
                      "case " + std::to_string(case_id) + " is already resolved");
      }
      status = CaseStatus::kResolved;
    } else if (kind == "closed") {
      if (target.status == CaseStatus::kClosed) {
        return Status(StatusCode::kFailedPrecondition,
                      "case " + std::to_string(case_id) + " is already closed");
      }
      status = CaseStatus::kClosed;
    } else if (kind == "reopened") {
      if (IsOpen(target.status)) {
        return Status(StatusCode::kFailedPrecondition,
                      "case " + std::to_string(case_id) + " is open (" +
                          std::string(CaseStatusName(target.status)) + "): nothing to reopen");
      }
      status = CaseStatus::kReopened;
    }
    update.BindOrNull(
        4, status ? std::optional<int64_t>(static_cast<int64_t>(*status)) : std::nullopt);
    update.BindOrNull(5, is_first_response ? std::optional<int64_t>(at) : std::nullopt);
    update.Bind(6, at).Bind(7, int64_t{0});
    ECOUTE_RETURN_IF_ERROR(update.Run());
    ECOUTE_RETURN_IF_ERROR(AddEvent(case_id, at, kind, actor, reason, std::nullopt));
    if (kind == "responded" && status) {
      ECOUTE_RETURN_IF_ERROR(
          AddEvent(case_id, at, CaseStatusName(*status), actor, "an agent answered", std::nullopt));
    }
    return OkStatus();
  };
  Status status = run();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  return Commit();
}

Status SqliteStore::RecordResponse(int64_t case_id, const std::string& actor, int64_t at,
                                   const std::string& note) {
  return ChangeCase(case_id, actor, at, note, "responded");
}

Status SqliteStore::ResolveCase(int64_t case_id, const std::string& actor, int64_t at,
                                const std::string& reason) {
  if (reason.empty()) return InvalidArgumentError("resolving a case needs a reason");
  return ChangeCase(case_id, actor, at, reason, "resolved");
}

Status SqliteStore::CloseCase(int64_t case_id, const std::string& actor, int64_t at,
                              const std::string& reason) {
  if (reason.empty()) return InvalidArgumentError("closing a case needs a reason");
  return ChangeCase(case_id, actor, at, reason, "closed");
}

Status SqliteStore::ReopenCase(int64_t case_id, const std::string& actor, int64_t at,
                               const std::string& reason) {
  if (reason.empty()) return InvalidArgumentError("reopening a case needs a reason");
  return ChangeCase(case_id, actor, at, reason, "reopened");
}

Result<std::vector<SearchHit>> SqliteStore::Search(const SearchQuery& query,
                                                   const SearchOptions& options) {
  std::vector<int64_t> brand_ids;
  for (const std::string& name : query.brands) {
    ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(name));
    brand_ids.push_back(id);
  }
  // Brand, stance and topic filters are tag tokens of the full-text index (schema.cc);
  // the others filter posts `p`. Every value is bound; the SQL only grows by fixed
  // fragments and placeholders, the MATCH expression by fixed tokens.
  std::vector<std::string> tag_filters;
  if (!brand_ids.empty()) {
    std::vector<std::string> tokens;
    for (int64_t id : brand_ids) {
      if (query.stances.empty()) {
        tokens.push_back("b" + std::to_string(id));
      } else {
        for (Stance st : query.stances) {
          tokens.push_back("b" + std::to_string(id) + "s" + std::to_string(static_cast<int>(st)));
        }
      }
    }
    tag_filters.push_back(TagFilter(tokens));
  } else if (!query.stances.empty()) {
    std::vector<std::string> tokens;
    for (Stance st : query.stances) tokens.push_back("s" + std::to_string(static_cast<int>(st)));
    tag_filters.push_back(TagFilter(tokens));
  }
  if (!query.topics.empty()) {
    std::vector<std::string> tokens;
    for (Topic t : query.topics) tokens.push_back("t" + std::to_string(static_cast<int>(t)));
    tag_filters.push_back(TagFilter(tokens));
  }
  std::string match;
  if (!query.match.empty()) match = "{title body} : (" + query.match + ")";
  for (const std::string& filter : tag_filters) {
    match += (match.empty() ? "" : " AND ") + filter;
  }
  std::string filters;
  std::vector<std::variant<int64_t, std::string>> params;
  if (!query.langs.empty()) {
    filters += " AND p.lang IN (" + Placeholders(query.langs.size()) + ")";
    for (const std::string& lang : query.langs) params.emplace_back(lang);
  }
  if (!query.authors.empty()) {
    filters += " AND p.author_id IN (SELECT id FROM authors WHERE key IN (" +
               Placeholders(query.authors.size() * 2) + ") OR name IN (" +
               Placeholders(query.authors.size()) + ") COLLATE NOCASE)";
    for (const std::string& author : query.authors) {
      params.emplace_back(Lower(author));
      params.emplace_back(author.starts_with('@') ? Lower(author.substr(1))
                                                  : WithAt(Lower(author)));
    }
    for (const std::string& author : query.authors) params.emplace_back(author);
  }
  if (query.since) {
    filters += " AND p.at >= ?";
    params.emplace_back(*query.since);
  }
  if (query.until) {
    filters += " AND p.at < ?";
    params.emplace_back(*query.until);
  }
  if (query.case_id) {
    filters +=
        " AND EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = p.id AND "
        "cp.case_id = ?)";
    params.emplace_back(*query.case_id);
  }

  const bool has_words = !query.match.empty();
  const bool has_match = !match.empty();
  const std::string columns =
      "p.id, p.ext_id, p.url, p.title, coalesce(nullif(a.handle, ''), a.name), p.published_at, "
      "p.lang, p.stance, p.text";
  std::string sql;
  if (has_match) {
    // The most recent matches only (rank_window of them, newest first by the index's own
    // order), so that a common word costs the same on ten million posts as on ten
    // thousand; the best of those by bm25 come first (filters alone: the newest).
    sql = "SELECT " + columns +
          ", m.score FROM (SELECT posts_fts.rowid AS id, bm25(posts_fts, 2.0, 1.0, 0.0) AS score "
          "FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid WHERE posts_fts MATCH ?" +
          filters +
          " ORDER BY posts_fts.rowid DESC LIMIT ?) m JOIN posts p ON p.id = m.id LEFT JOIN "
          "authors a ON a.id = p.author_id ORDER BY " +
          (has_words ? "m.score" : "p.at DESC, p.id DESC") + " LIMIT ?";
    params.insert(params.begin(), match);
    params.emplace_back(static_cast<int64_t>(std::max(1, options.rank_window)));
  } else {
    sql = "SELECT " + columns +
          ", 0 FROM posts p LEFT JOIN authors a ON a.id = p.author_id WHERE 1" + filters +
          " ORDER BY p.at DESC, p.id DESC LIMIT ?";
  }
  params.emplace_back(static_cast<int64_t>(std::max(1, options.limit)));

  sqlite::Statement select(db_, sql);
  if (!select.ok()) return select.status();
  for (size_t i = 0; i < params.size(); ++i) {
    if (const auto* n = std::get_if<int64_t>(&params[i])) {
      select.Bind(static_cast<int>(i + 1), *n);
    } else {
      select.Bind(static_cast<int>(i + 1), std::get<std::string>(params[i]));
    }
  }
  // Snippets from the text itself, by the index's own folding: a query of the index per
  // hit cost more than the search.
  std::optional<SnippetMaker> snippets;
  if (has_words) snippets.emplace(query.words, query.match);
  std::vector<SearchHit> hits;
  while (select.Step()) {
    SearchHit hit;
    hit.post_id = select.Int(0);
    hit.ext_id = std::string(select.Text(1));
    hit.url = std::string(select.Text(2));
    hit.title = std::string(select.Text(3));
    hit.author = std::string(select.Text(4));
    hit.published_at = FormatTime(select.OptionalInt(5));
    hit.lang = std::string(select.Text(6));
    hit.stance = static_cast<Stance>(select.Int(7));
    if (has_words) {
      hit.snippet =
          snippets->Make(select.Text(8), hit.lang, options.highlight_open, options.highlight_close);
    } else {
      // No highlights here, but none faked either.
      AppendVisible(Excerpt(select.Text(8), 200), hit.snippet);
    }
    hit.score = has_words ? select.Double(9) : 0;
    hits.push_back(std::move(hit));
  }
  if (!select.status().ok()) {
    const Status& status = select.status();
    if (has_match && status.message().find("fts5") != std::string::npos) {
      return InvalidArgumentError("the search words cannot be run: " + status.message());
    }
    return status;
  }
  sqlite::Statement brands(db_,
                           "SELECT b.name FROM post_brands pb JOIN brands b ON b.id = "
                           "pb.brand_id WHERE pb.post_id = ?1 ORDER BY b.name");
  sqlite::Statement cases(db_,
                          "SELECT cp.case_id, b.name FROM case_posts cp JOIN cases c ON c.id = "
                          "cp.case_id JOIN brands b ON b.id = c.brand_id WHERE cp.post_id = ?1 "
                          "ORDER BY 1");
  for (const sqlite::Statement* statement : {&brands, &cases}) {
    if (!statement->ok()) return statement->status();
  }
  for (SearchHit& hit : hits) {
    brands.Bind(1, hit.post_id);
    while (brands.Step()) hit.brands.emplace_back(brands.Text(0));
    brands.Reset();
    cases.Bind(1, hit.post_id);
    while (cases.Step()) {
      hit.cases.push_back(cases.Int(0));
      hit.case_brands.emplace_back(cases.Text(1));
    }
    cases.Reset();
  }
  return hits;
}

// The columns of a CaseSummary, read back by ReadCaseSummary; WHERE clauses follow.
constexpr std::string_view kCaseSummarySelect =
    "SELECT c.id, b.name, coalesce(nullif(a.handle, ''), a.name, ''), c.status, c.priority, "
    "c.topic, c.opened_at, c.last_activity_at, c.first_response_at, c.resolved_at, (SELECT "
    "count(*) FROM case_posts cp WHERE cp.case_id = c.id), (SELECT CASE WHEN p.title <> '' "
    "THEN p.title ELSE substr(p.text, 1, 200) END FROM posts p WHERE p.id = c.opening_post_id), "
    "(SELECT p.stance FROM posts p WHERE p.id = c.opening_post_id), coalesce(c.assignee, ''), "
    "c.escalation FROM cases c JOIN brands b ON b.id = c.brand_id LEFT JOIN authors a ON a.id = "
    "c.customer_id";

CaseSummary ReadCaseSummary(const sqlite::Statement& select) {
  CaseSummary c;
  c.id = select.Int(0);
  c.brand = std::string(select.Text(1));
  c.customer = std::string(select.Text(2));
  c.status = static_cast<CaseStatus>(select.Int(3));
  c.priority = static_cast<int>(select.Int(4));
  if (!select.IsNull(5)) c.topic = static_cast<Topic>(select.Int(5));
  c.opened_at = select.Int(6);
  c.last_activity_at = select.Int(7);
  c.first_response_at = select.OptionalInt(8);
  c.resolved_at = select.OptionalInt(9);
  c.posts = select.Int(10);
  c.title = Excerpt(select.Text(11), 120);
  if (!select.IsNull(12)) c.stance = static_cast<Stance>(select.Int(12));
  c.assignee = std::string(select.Text(13));
  c.escalation_level = static_cast<int>(select.Int(14));
  return c;
}

Result<std::vector<CaseSummary>> SqliteStore::ListCases(const CaseFilter& filter) {
  std::string sql = std::string(kCaseSummarySelect) + " WHERE 1";
  std::vector<int64_t> params;
  if (!filter.ids.empty()) {
    sql += " AND c.id IN (" + Placeholders(filter.ids.size()) + ")";
    params.insert(params.end(), filter.ids.begin(), filter.ids.end());
  }
  if (!filter.brands.empty()) {
    sql += " AND c.brand_id IN (" + Placeholders(filter.brands.size()) + ")";
    for (const std::string& name : filter.brands) {
      ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(name));
      params.push_back(id);
    }
  }
  if (!filter.statuses.empty()) {
    sql += " AND c.status IN (" + Placeholders(filter.statuses.size()) + ")";
    for (CaseStatus s : filter.statuses) params.push_back(static_cast<int64_t>(s));
  }
  if (!filter.topics.empty()) {
    sql += " AND c.topic IN (" + Placeholders(filter.topics.size()) + ")";
    for (Topic t : filter.topics) params.push_back(static_cast<int64_t>(t));
  }
  if (filter.unanswered_only) sql += " AND c.first_response_at IS NULL";
  if (filter.min_priority) {
    sql += " AND c.priority >= ?";
    params.push_back(*filter.min_priority);
  }
  if (filter.opened_before) {
    sql += " AND c.opened_at < ?";
    params.push_back(*filter.opened_before);
  }
  if (filter.below_escalation_level) {
    sql += " AND c.escalation < ?";
    params.push_back(*filter.below_escalation_level);
  }
  // The assignee is text: bound apart, after the integers.
  if (filter.assignee) sql += " AND coalesce(c.assignee, '') = ?";
  switch (filter.sort) {
    case CaseSort::kPriority:
      sql += " ORDER BY c.status IN (0, 1, 4) DESC, c.priority DESC, c.last_activity_at DESC";
      break;
    case CaseSort::kRecent:
      sql += " ORDER BY c.last_activity_at DESC, c.id DESC";
      break;
    case CaseSort::kOldest:
      sql += " ORDER BY c.opened_at, c.id";
      break;
  }
  sql += " LIMIT ? OFFSET ?";
  sqlite::Statement select(db_, sql);
  if (!select.ok()) return select.status();
  int index = 1;
  for (int64_t value : params) select.Bind(index++, value);
  if (filter.assignee) select.Bind(index++, std::string_view(*filter.assignee));
  select.Bind(index++, int64_t{std::max(1, filter.limit)});
  select.Bind(index, int64_t{std::max(0, filter.offset)});
  std::vector<CaseSummary> out;
  while (select.Step()) out.push_back(ReadCaseSummary(select));
  if (!select.status().ok()) return select.status();
  return out;
}

Status SqliteStore::AssignCase(int64_t case_id, const std::string& assignee,
                               const std::string& actor, int64_t at) {
  ECOUTE_RETURN_IF_ERROR(Begin());
  auto run = [&]() -> Status {
    ECOUTE_ASSIGN_OR_RETURN(const CaseRef target, LoadCase(case_id));
    (void)target;
    sqlite::Statement update(db_, "UPDATE cases SET assignee = ?2 WHERE id = ?1");
    update.Bind(1, case_id).BindOrNull(2, assignee);
    ECOUTE_RETURN_IF_ERROR(update.Run());
    return AddEvent(case_id, at, "assigned", actor,
                    assignee.empty() ? "unassigned" : "to " + assignee, std::nullopt);
  };
  Status status = run();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  return Commit();
}

Status SqliteStore::EscalateCase(int64_t case_id, int level, const std::string& actor, int64_t at,
                                 const std::string& reason) {
  ECOUTE_RETURN_IF_ERROR(Begin());
  auto run = [&]() -> Status {
    sqlite::Statement select(db_, "SELECT escalation FROM cases WHERE id = ?1");
    select.Bind(1, case_id);
    if (!select.Step()) {
      if (!select.status().ok()) return select.status();
      return NotFoundError("no case " + std::to_string(case_id));
    }
    const int64_t current = select.Int(0);
    if (level <= current) {
      return InvalidArgumentError("case " + std::to_string(case_id) + " is already at level " +
                                  std::to_string(current) + "; escalation only goes up");
    }
    sqlite::Statement update(db_, "UPDATE cases SET escalation = ?2 WHERE id = ?1");
    update.Bind(1, case_id).Bind(2, int64_t{level});
    ECOUTE_RETURN_IF_ERROR(update.Run());
    return AddEvent(case_id, at, "escalated", actor, reason, std::nullopt);
  };
  Status status = run();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  return Commit();
}

Result<int64_t> SqliteStore::RecordCorrection(const Correction& correction) {
  ECOUTE_ASSIGN_OR_RETURN(const int64_t brand_id, BrandIdByName(correction.brand));
  ECOUTE_RETURN_IF_ERROR(Begin());
  int64_t id = 0;
  auto run = [&]() -> Status {
    sqlite::Statement exists(db_, "SELECT 1 FROM posts WHERE id = ?1");
    exists.Bind(1, correction.post_id);
    if (!exists.Step()) {
      if (!exists.status().ok()) return exists.status();
      return NotFoundError("no post " + std::to_string(correction.post_id));
    }
    int64_t topics = 0;
    for (Topic t : correction.topics) topics |= int64_t{1} << static_cast<int>(t);
    sqlite::Statement insert(db_,
                             "INSERT INTO corrections (post_id, brand_id, stance, topics, actor, "
                             "at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.Bind(1, correction.post_id)
        .Bind(2, brand_id)
        .Bind(3, static_cast<int64_t>(correction.stance))
        .Bind(4, topics)
        .Bind(5, std::string_view(correction.actor))
        .Bind(6, correction.at);
    ECOUTE_RETURN_IF_ERROR(insert.Run());
    id = sqlite3_last_insert_rowid(db_);
    std::string reason = correction.brand + ": " + std::string(StanceName(correction.stance));
    for (Topic t : correction.topics) reason += ", " + std::string(TopicName(t));
    ECOUTE_ASSIGN_OR_RETURN(auto cases, CasesOf(correction.post_id));
    for (const auto& [brand, ref] : cases) {
      (void)brand;
      ECOUTE_RETURN_IF_ERROR(AddEvent(ref.id, correction.at, "corrected", correction.actor, reason,
                                      correction.post_id));
    }
    return OkStatus();
  };
  Status status = run();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  ECOUTE_RETURN_IF_ERROR(Commit());
  return id;
}

Result<std::vector<Correction>> SqliteStore::ListCorrections(int64_t after_id, int limit) {
  sqlite::Statement select(db_,
                           "SELECT c.id, c.post_id, b.name, c.stance, c.topics, c.actor, c.at, "
                           "p.text FROM corrections c JOIN brands b ON b.id = c.brand_id JOIN "
                           "posts p ON p.id = c.post_id WHERE c.id > ?1 ORDER BY c.id LIMIT ?2");
  select.Bind(1, after_id).Bind(2, int64_t{std::max(1, limit)});
  std::vector<Correction> out;
  while (select.Step()) {
    Correction c;
    c.id = select.Int(0);
    c.post_id = select.Int(1);
    c.brand = std::string(select.Text(2));
    c.stance = static_cast<Stance>(select.Int(3));
    const int64_t topics = select.Int(4);
    for (int t = 0; t < 63; ++t) {
      if ((topics >> t & 1) != 0) c.topics.push_back(static_cast<Topic>(t));
    }
    c.actor = std::string(select.Text(5));
    c.at = select.Int(6);
    c.text = std::string(select.Text(7));
    out.push_back(std::move(c));
  }
  if (!select.status().ok()) return select.status();
  return out;
}

Result<std::string> SqliteStore::CaseBrand(int64_t case_id) {
  sqlite::Statement select(
      db_, "SELECT b.name FROM cases c JOIN brands b ON b.id = c.brand_id WHERE c.id = ?1");
  select.Bind(1, case_id);
  if (!select.Step()) {
    if (!select.status().ok()) return select.status();
    return NotFoundError("no case " + std::to_string(case_id));
  }
  return std::string(select.Text(0));
}

Result<CaseDetail> SqliteStore::GetCase(int64_t case_id) {
  CaseDetail detail;
  {
    sqlite::Statement select(db_, std::string(kCaseSummarySelect) + " WHERE c.id = ?1");
    if (!select.ok()) return select.status();
    select.Bind(1, case_id);
    if (!select.Step()) {
      if (!select.status().ok()) return select.status();
      return NotFoundError("no case " + std::to_string(case_id) +
                           ": list them with `ecoute cases`");
    }
    detail.summary = ReadCaseSummary(select);
  }
  sqlite::Statement posts(
      db_,
      "SELECT p.id, coalesce(p.ext_id, ''), cp.role, coalesce(nullif(a.handle, ''), a.name, ''), "
      "p.at, p.stance, coalesce(p.url, ''), p.text, cp.rule, cp.at FROM case_posts cp JOIN "
      "posts p ON p.id = cp.post_id LEFT JOIN authors a ON a.id = p.author_id WHERE cp.case_id "
      "= ?1 ORDER BY p.at, p.id");
  if (!posts.ok()) return posts.status();
  posts.Bind(1, case_id);
  while (posts.Step()) {
    CasePost post;
    post.post_id = posts.Int(0);
    post.ext_id = std::string(posts.Text(1));
    (void)ParseCaseRole(posts.Text(2), post.role);
    post.author = std::string(posts.Text(3));
    post.published_at = FormatRfc3339(posts.Int(4));
    post.stance = static_cast<Stance>(posts.Int(5));
    post.url = std::string(posts.Text(6));
    post.text = std::string(posts.Text(7));
    // Each post but the opening one joined the case: a timeline entry of its own.
    if (post.role != CaseRole::kOpening) {
      CaseEvent joined;
      joined.at = posts.Int(9);
      joined.kind = "joined";
      joined.actor = "rule:" + std::string(posts.Text(8));
      joined.reason = std::string(CaseRoleName(post.role));
      joined.post_id = post.post_id;
      detail.events.push_back(std::move(joined));
    }
    detail.posts.push_back(std::move(post));
  }
  if (!posts.status().ok()) return posts.status();
  sqlite::Statement events(db_,
                           "SELECT at, kind, actor, reason, post_id FROM case_events WHERE "
                           "case_id = ?1 ORDER BY id");
  if (!events.ok()) return events.status();
  events.Bind(1, case_id);
  while (events.Step()) {
    CaseEvent event;
    event.at = events.Int(0);
    event.kind = std::string(events.Text(1));
    event.actor = std::string(events.Text(2));
    event.reason = std::string(events.Text(3));
    event.post_id = events.OptionalInt(4);
    detail.events.push_back(std::move(event));
  }
  if (!events.status().ok()) return events.status();
  // In time order; at the same time, an opening first, then a post joining, then what its
  // joining changed.
  auto rank = [](const CaseEvent& e) {
    return e.kind == "opened" ? 0 : e.kind == "joined" ? 1 : 2;
  };
  std::stable_sort(detail.events.begin(), detail.events.end(),
                   [&](const CaseEvent& a, const CaseEvent& b) {
                     return a.at != b.at ? a.at < b.at : rank(a) < rank(b);
                   });
  return detail;
}

Status SqliteStore::RemoveEmptyCasesAndAuthors() {
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(
      db_,
      "DELETE FROM cases WHERE NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.case_id = "
      "cases.id)"));
  const int64_t cases = sqlite3_changes(db_);
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(
      db_,
      "DELETE FROM authors WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.author_id = "
      "authors.id) AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.customer_id = authors.id)"));
  (void)cases;
  author_ids_.clear();
  return OkStatus();
}

Result<ForgetSummary> SqliteStore::ForgetAuthor(const std::string& author, int64_t now) {
  ForgetSummary summary;
  ECOUTE_RETURN_IF_ERROR(Begin());
  auto run = [&]() -> Status {
    // Who: the exact handle (or key) or profile URL; else the handle without its "@";
    // else the display name, when exactly one author bears it (erasing two people because
    // they share a name would be wrong).
    std::vector<int64_t> ids;
    const std::string key = Lower(author);
    for (const auto& [sql, value] : std::initializer_list<std::pair<const char*, std::string>>{
             {"SELECT id FROM authors WHERE key = ?1 OR url = ?1", key},
             {"SELECT id FROM authors WHERE key = ?1", key.starts_with('@') ? "" : WithAt(key)},
             {"SELECT id FROM authors WHERE name = ?1 COLLATE NOCASE", author}}) {
      if (value.empty()) continue;
      sqlite::Statement find(db_, sql);
      if (!find.ok()) return find.status();
      find.Bind(1, value);
      while (find.Step()) ids.push_back(find.Int(0));
      if (!find.status().ok()) return find.status();
      if (!ids.empty()) break;
    }
    if (ids.empty()) {
      return NotFoundError("no author \"" + author +
                           "\" in the store (give a handle such as @name, a profile URL or a "
                           "display name)");
    }
    if (ids.size() > 1) {
      return Status(StatusCode::kFailedPrecondition,
                    std::to_string(ids.size()) + " authors are named \"" + author +
                        "\": give the handle (@name) or the profile URL of the one to forget");
    }
    const std::string list = Placeholders(ids.size());
    auto run_with_ids = [&](const std::string& sql, int64_t* changes) -> Status {
      sqlite::Statement statement(db_, sql);
      if (!statement.ok()) return statement.status();
      for (size_t i = 0; i < ids.size(); ++i) statement.Bind(static_cast<int>(i + 1), ids[i]);
      ECOUTE_RETURN_IF_ERROR(statement.Run());
      if (changes != nullptr) *changes = sqlite3_changes(db_);
      return OkStatus();
    };
    ECOUTE_RETURN_IF_ERROR(
        run_with_ids("DELETE FROM cases WHERE customer_id IN (" + list + ")", &summary.cases));
    ECOUTE_RETURN_IF_ERROR(
        run_with_ids("DELETE FROM posts WHERE author_id IN (" + list + ")", &summary.posts));
    ECOUTE_RETURN_IF_ERROR(
        run_with_ids("DELETE FROM authors WHERE id IN (" + list + ")", &summary.authors));
    ECOUTE_RETURN_IF_ERROR(RemoveEmptyCasesAndAuthors());
    sqlite::Statement audit(db_, "INSERT INTO audit(at, action, detail) VALUES (?1, ?2, ?3)");
    if (!audit.ok()) return audit.status();
    // The audit says that an erasure happened and what it removed, never whose.
    return audit.Bind(1, now)
        .Bind(2, "forget_author")
        .Bind(3, std::to_string(summary.posts) + " posts, " + std::to_string(summary.cases) +
                     " cases, " + std::to_string(summary.authors) + " author records removed")
        .Run();
  };
  Status status = run();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  ECOUTE_RETURN_IF_ERROR(Commit());
  // Deleted rows are overwritten (secure_delete); rewriting the full-text index drops the
  // deleted entries from its segments too, and the checkpoint empties the WAL.
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db_, "INSERT INTO posts_fts(posts_fts) VALUES ('optimize')"));
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)"));
  return summary;
}

Result<int64_t> SqliteStore::ForgetOlderThan(int64_t cutoff, int64_t now) {
  int64_t removed = 0;
  ECOUTE_RETURN_IF_ERROR(Begin());
  auto run = [&]() -> Status {
    sqlite::Statement remove(db_, "DELETE FROM posts WHERE at < ?1");
    if (!remove.ok()) return remove.status();
    ECOUTE_RETURN_IF_ERROR(remove.Bind(1, cutoff).Run());
    removed = sqlite3_changes(db_);
    ECOUTE_RETURN_IF_ERROR(RemoveEmptyCasesAndAuthors());
    sqlite::Statement audit(db_, "INSERT INTO audit(at, action, detail) VALUES (?1, ?2, ?3)");
    if (!audit.ok()) return audit.status();
    return audit.Bind(1, now)
        .Bind(2, "retention")
        .Bind(3,
              std::to_string(removed) + " posts older than " + FormatRfc3339(cutoff) + " removed")
        .Run();
  };
  Status status = run();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  ECOUTE_RETURN_IF_ERROR(Commit());
  return removed;
}

Result<StoreStats> SqliteStore::Stats() {
  sqlite::Statement select(
      db_,
      "SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM authors), (SELECT count(*) "
      "FROM brands), (SELECT count(*) FROM cases), (SELECT count(*) FROM cases WHERE status IN "
      "(0, 1, 4)), (SELECT count(*) FROM post_versions)");
  if (!select.ok()) return select.status();
  if (!select.Step()) return select.status();
  return StoreStats{select.Int(0), select.Int(1), select.Int(2),
                    select.Int(3), select.Int(4), select.Int(5)};
}

Result<Report> SqliteStore::BuildReport(const ReportOptions& options) {
  Report report;
  report.generated_at = options.now;
  report.since = options.since;
  report.until = options.until;
  const int64_t since = options.since.value_or(INT64_MIN);
  const int64_t until = options.until.value_or(INT64_MAX);

  std::map<int64_t, BrandReport> by_brand;
  if (options.brands.empty()) {
    for (const BrandRow& brand : brands_) by_brand[brand.id].brand = brand.name;
  } else {
    for (const std::string& name : options.brands) {
      ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(name));
      by_brand[id].brand = brands_[brand_by_name_.at(Lower(name))].name;
    }
  }
  auto find = [&](int64_t id) -> BrandReport* {
    auto found = by_brand.find(id);
    return found == by_brand.end() ? nullptr : &found->second;
  };

  // Mentions by brand and hour, in one pass over the verdicts: the stance counts, the
  // topics, the weeks and the spikes.
  std::map<int64_t, std::map<int64_t, std::array<int64_t, 3>>> hours;         // brand -> hour -> n
  std::map<int64_t, std::array<std::array<int64_t, 2>, kTopicCount>> topics;  // brand -> topic
  {
    std::string sql =
        "SELECT brand_id, at / 3600, count(*), sum(stance = 1), sum(stance = 2), sum(stance = 3), "
        "sum(stance = 4)";
    for (int t = 0; t < kTopicCount; ++t) {
      const std::string bit = "(topics >> " + std::to_string(t) + " & 1)";
      sql += ", sum(" + bit + "), sum(" + bit + " * (stance = 1))";
    }
    sql += " FROM post_brands WHERE is_by_brand = 0 AND at >= ?1 AND at < ?2 GROUP BY 1, 2";
    sqlite::Statement select(db_, sql);
    if (!select.ok()) return select.status();
    select.Bind(1, since).Bind(2, until);
    while (select.Step()) {
      BrandReport* r = find(select.Int(0));
      if (r == nullptr) continue;
      r->mentions += select.Int(2);
      r->complaints += select.Int(3);
      r->praise += select.Int(4);
      r->resolutions += select.Int(5);
      r->questions += select.Int(6);
      hours[select.Int(0)][select.Int(1)] = {select.Int(2), select.Int(3), select.Int(4)};
      auto& brand_topics = topics[select.Int(0)];
      for (int t = 0; t < kTopicCount; ++t) {
        brand_topics[static_cast<size_t>(t)][0] += select.Int(7 + 2 * t);
        brand_topics[static_cast<size_t>(t)][1] += select.Int(8 + 2 * t);
      }
    }
    if (!select.status().ok()) return select.status();
    for (const auto& [id, counts] : topics) {
      BrandReport* r = find(id);
      for (int t = 0; t < kTopicCount; ++t) {
        const auto& n = counts[static_cast<size_t>(t)];
        if (n[0] > 0) r->topics.push_back({static_cast<Topic>(t), n[0], n[1]});
      }
    }
  }
  {
    sqlite::Statement select(
        db_,
        "SELECT brand_id, count(*), sum(first_response_at IS NOT NULL), sum(status = 2), "
        "sum(recovered), sum(first_response_at IS NULL AND recovered = 0) FROM cases WHERE "
        "opened_at >= ?1 AND opened_at < ?2 GROUP BY 1");
    if (!select.ok()) return select.status();
    select.Bind(1, since).Bind(2, until);
    while (select.Step()) {
      BrandReport* r = find(select.Int(0));
      if (r == nullptr) continue;
      r->cases = select.Int(1);
      r->responded = select.Int(2);
      r->resolved = select.Int(3);
      r->recovered = select.Int(4);
      r->unanswered = select.Int(5);
    }
    if (!select.status().ok()) return select.status();
  }
  {
    sqlite::Statement select(
        db_,
        "SELECT brand_id, first_response_at - opened_at FROM cases WHERE first_response_at IS "
        "NOT NULL AND opened_at >= ?1 AND opened_at < ?2 ORDER BY 1, 2");
    if (!select.ok()) return select.status();
    select.Bind(1, since).Bind(2, until);
    while (select.Step()) {
      if (BrandReport* r = find(select.Int(0))) {
        r->response_times_s.push_back(std::max<int64_t>(0, select.Int(1)));
      }
    }
    if (!select.status().ok()) return select.status();
  }
  for (auto& [id, r] : by_brand) {
    std::sort(r.response_times_s.begin(), r.response_times_s.end());
    r.first_response_median_s = NearestRankPercentile(r.response_times_s, 50);
    r.first_response_p90_s = NearestRankPercentile(r.response_times_s, 90);
    r.response_rate = r.cases > 0 ? static_cast<double>(r.responded) / r.cases : 0;
    r.resolution_rate = r.cases > 0 ? static_cast<double>(r.resolved) / r.cases : 0;
    r.word_of_mouth = 3 * r.praise - 10 * r.unanswered + 12 * r.recovered;
    std::sort(r.topics.begin(), r.topics.end(), [](const TopicCount& a, const TopicCount& b) {
      return a.mentions != b.mentions ? a.mentions > b.mentions : a.topic < b.topic;
    });
    const auto& brand_hours = hours[id];
    if (!brand_hours.empty()) {
      const int64_t first = brand_hours.begin()->first;
      const int64_t last = brand_hours.rbegin()->first;
      std::vector<int64_t> counts(static_cast<size_t>(last - first + 1), 0);
      // Weeks, from the first to the last day with posts, empty ones included.
      const int64_t first_day = first * 3600 / 86400;
      const int64_t last_day = last * 3600 / 86400;
      std::string current;
      for (int64_t day = first_day; day <= last_day; ++day) {
        std::string week = IsoWeek(day);
        if (week != current) {
          r.weeks.push_back({week, 0, 0, 0});
          current = std::move(week);
        }
      }
      for (const auto& [hour, n] : brand_hours) {
        counts[static_cast<size_t>(hour - first)] = n[0];
        const std::string week = IsoWeek(hour * 3600 / 86400);
        for (WeekCount& w : r.weeks) {
          if (w.week == week) {
            w.mentions += n[0];
            w.complaints += n[1];
            w.praise += n[2];
            break;
          }
        }
      }
      r.spikes = DetectSpikes(counts, first * 3600, options.spikes);
    }
    report.brands.push_back(std::move(r));
  }
  RankBrands(report.brands);
  return report;
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options) {
  sqlite3* db = nullptr;
  const int flags =
      options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    Status status = sqlite::Error(db, path + ": cannot open the database");
    sqlite3_close_v2(db);
    return status;
  }
  auto store = std::make_unique<SqliteStore>(db, options);
  auto fail = [&](const Status& status) {
    return Status(status.code(), path + ": " + status.message());
  };
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  if (Status status = RegisterFts5Tokenizer(db); !status.ok()) return fail(status);
  {
    sqlite::Statement check(db,
                            "SELECT (SELECT application_id FROM pragma_application_id), "
                            "(SELECT count(*) FROM sqlite_schema)");
    if (!check.ok()) return fail(check.status());
    if (check.Step() && check.Int(0) != kApplicationId && check.Int(1) > 0) {
      return DataLossError(path +
                           ": not an ecoute database (it holds other tables); give "
                           "another --db file");
    }
    if (!check.status().ok()) return fail(check.status());
  }
  // A page cache of 256 MiB and reads through mmap keep the indexes of a few million posts
  // in memory instead of going to the kernel for each page; checkpoints every 64 MiB of WAL
  // rather than 4 MiB write a page changed by many batches once (13 % faster ingest).
  std::string pragmas =
      "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA cache_size = -262144; "
      "PRAGMA mmap_size = 4294967296; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = "
      "16384;";
  if (!options.read_only) {
    pragmas += "PRAGMA journal_mode = WAL;";
    pragmas +=
        options.sync_every_commit ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;";
  }
  if (Status status = sqlite::Exec(db, pragmas); !status.ok()) return fail(status);
  if (!options.read_only) {
    if (Status status = Migrate(db); !status.ok()) return fail(status);
  } else {
    sqlite::Statement version(db, "PRAGMA user_version");
    if (!version.ok() || !version.Step() || version.Int(0) != SchemaVersion()) {
      return Status(StatusCode::kFailedPrecondition,
                    path +
                        ": the database is empty or from another version of ecoute; run "
                        "`ecoute ingest --db " +
                        path + "` first");
    }
  }
  if (Status status = store->Prepare(); !status.ok()) return fail(status);
  if (Status status = store->LoadBrands(); !status.ok()) return fail(status);
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace ecoute
