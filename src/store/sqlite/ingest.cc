// Ingest: a post's identity (source id, URL, content hash), its insert or its edit, its
// verdicts per brand, and the batch's entry into the full-text index (docs/STORE.md).
#include <algorithm>
#include <cmath>

#include "store/sqlite/sqlite_store.h"
#include "util/datetime.h"
#include "util/json.h"
#include "util/url.h"

namespace ecoute::sqlite {
namespace {

// How an author is known across posts: the handle, else the profile URL, else the name.
std::string AuthorKey(const Author& author) {
  if (!author.handle.empty()) return Lower(author.handle);
  if (!author.url.empty()) return author.url;
  return author.name;
}

// Who answers a post without a known author (docs/CASES.md, "Posts without an author"): its
// site, named by its host, with the site as profile URL. A reply (a comment) is someone else
// on that site: "anonymous on <host>", known by its own URL. A post with no web address at
// all (a local file) stays without author: there is nowhere to answer it.
Author CustomerOf(const Post& post) {
  if (!post.author.name.empty() || !post.author.handle.empty() || !post.author.url.empty()) {
    return post.author;
  }
  std::string_view site;
  for (const std::string* url : {&post.url, &post.id, &post.parent_url}) {
    if (site.empty() && IsWebUrl(*url)) site = *url;
  }
  const std::string host = UrlHost(site);
  Author author;
  if (host.empty()) return author;
  if (!post.parent_id.empty() || !post.parent_url.empty()) {
    author.name = "anonymous on " + host;
    if (IsWebUrl(post.url)) author.url = post.url;
  } else {
    author.name = host;
    author.url = std::string(site.substr(0, site.find('/', site.find("://") + 3))) + '/';
  }
  return author;
}

std::optional<int64_t> ParseTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return ParseDateTime(text);
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

// Agents open a post's URL as a link: only the web's schemes are kept ("javascript:",
// "data:" are dropped, the post is stored without them). nullopt when the post has only
// web URLs.
std::optional<Post> WithoutNonWebUrls(const Post& post) {
  if ((post.url.empty() || IsWebUrl(post.url)) &&
      (post.author.url.empty() || IsWebUrl(post.author.url))) {
    return std::nullopt;
  }
  Post web_only = post;
  if (!IsWebUrl(web_only.url)) web_only.url.clear();
  if (!IsWebUrl(web_only.author.url)) web_only.author.url.clear();
  return web_only;
}

// The post's outgoing links, one per line: those of its markup, then those of its text.
std::string LinksOf(const Post& post, const Analysis& analysis) {
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
  return links;
}

// The analysis's reasons for the priority, one per line ("" when none).
std::string ReasonsOf(const Analysis& analysis) {
  std::string out;
  for (const std::string& reason : analysis.reasons) {
    if (!out.empty()) out += '\n';
    for (char c : reason) out += c == '\n' ? ' ' : c;
  }
  return out;
}

// A count of the post model (-1: unknown) as a column value.
std::optional<int64_t> Count(int64_t n) {
  return n >= 0 ? std::optional<int64_t>(n) : std::nullopt;
}

}  // namespace

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

Status SqliteStore::Ingest(std::span<const IngestItem> batch, std::vector<IngestResult>& results) {
  results.clear();
  results.resize(batch.size());
  auto run = [&]() -> Status {
    unindexed_from_ = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      Status status = IngestOne(batch[i], results[i]);
      if (!status.ok()) {
        const Post& post = *batch[i].post;
        return Status(status.code(), "storing post \"" + post.id + "\": " + status.message());
      }
    }
    return IndexNewPosts();
  };
  Status status = InTransaction(run);
  if (!status.ok()) results.clear();
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

Status SqliteStore::StoreVerdicts(const PostRow& row) {
  const Analysis& analysis = row.analysis;
  sqlite::Statement& insert_brand = Get(kInsertPostBrand);
  const int64_t topics = TopicMask(analysis);
  for (size_t i = 0; i < analysis.brands.size(); ++i) {
    const BrandVerdict& verdict = analysis.brands[i];
    const int64_t brand_id = row.brand_ids[i];
    insert_brand.Bind(1, row.id).Bind(2, brand_id);
    insert_brand.Bind(3, static_cast<int64_t>(verdict.stance))
        .Bind(4, PerMille(verdict.confidence));
    insert_brand.Bind(5, static_cast<int64_t>(verdict.mentions));
    insert_brand.Bind(6, static_cast<int64_t>(brand_id == row.author_brand)).Bind(7, row.at);
    insert_brand.BindOrNull(8, JoinCues(verdict.cues)).Bind(9, topics);
    ECOUTE_RETURN_IF_ERROR(insert_brand.Run());
  }
  return OkStatus();
}

Status SqliteStore::IngestOne(const IngestItem& item, IngestResult& result) {
  const std::optional<Post> web_only = WithoutNonWebUrls(*item.post);
  ECOUTE_ASSIGN_OR_RETURN(PostRow row, MakeRow(item, web_only ? *web_only : *item.post));
  ECOUTE_ASSIGN_OR_RETURN(const KnownPost known, FindKnown(row, item.id_is_derived));
  if (known.id) {
    result.post_id = row.id = *known.id;
    // A reply ecoute sent, read again from its platform, is the same post: not an edit.
    if (known.is_same || known.is_sent_reply || item.sent_for_case != 0) {
      result.outcome = IngestOutcome::kUnchanged;
      if (item.sent_for_case != 0) return JoinSentReply(row, item, result);
      return OkStatus();
    }
    result.outcome = IngestOutcome::kUpdated;
    return UpdatePost(row, result);
  }
  ECOUTE_RETURN_IF_ERROR(InsertPost(row, item.id_is_derived));
  result.post_id = row.id;
  result.outcome = IngestOutcome::kNew;
  ECOUTE_RETURN_IF_ERROR(StoreVerdicts(row));
  if (item.sent_for_case != 0) return JoinSentReply(row, item, result);
  return Thread(row, result);
}

// A reply ecoute sent joins its case as the brand's reply, whatever the catalog says of
// its author: an observed response (event "replied" by who sent it). Once there, nothing.
Status SqliteStore::JoinSentReply(const PostRow& row, const IngestItem& item,
                                  IngestResult& result) {
  const int64_t case_id = item.sent_for_case;
  ECOUTE_ASSIGN_OR_RETURN(const CaseRef target, LoadCase(case_id));
  sqlite::Statement& add = Get(kInsertCasePost);
  add.Bind(1, case_id).Bind(2, row.id).Bind(3, CaseRoleName(CaseRole::kBrandReply));
  add.Bind(4, std::string_view(kSentRule)).Bind(5, row.at);
  ECOUTE_RETURN_IF_ERROR(add.Run());
  if (sqlite3_changes(db_) == 0) return OkStatus();
  std::optional<int64_t> status;
  if (target.status == CaseStatus::kNew || target.status == CaseStatus::kReopened) {
    status = static_cast<int64_t>(CaseStatus::kAcknowledged);
  }
  sqlite::Statement& update = Get(kUpdateCase);
  update.Bind(1, case_id).Bind(2, row.at).Bind(3, int64_t{0}).BindOrNull(4, status);
  update.BindOrNull(5, target.is_responded ? std::nullopt : std::optional<int64_t>(row.at));
  update.Bind(6, row.at).Bind(7, int64_t{0});
  ECOUTE_RETURN_IF_ERROR(update.Run());
  ECOUTE_RETURN_IF_ERROR(Get(kStampObserved).Bind(1, case_id).Bind(2, row.at).Run());
  const std::string actor = item.actor.empty() ? "rule:" + std::string(kSentRule) : item.actor;
  ECOUTE_RETURN_IF_ERROR(AddEvent(case_id, row.at, "replied", actor,
                                  "replied in the channel (" + row.post.source + ")", row.id));
  if (status) {
    ECOUTE_RETURN_IF_ERROR(
        AddEvent(case_id, row.at, "acknowledged", actor, "the brand answered", row.id));
  }
  result.cases.push_back(case_id);
  return OkStatus();
}

// The values of the post's row, computed once for its insert or update and its threading.
Result<PostRow> SqliteStore::MakeRow(const IngestItem& item, const Post& post) {
  const Analysis& analysis = *item.analysis;
  std::vector<int64_t> brand_ids;
  brand_ids.reserve(analysis.brands.size());
  for (const BrandVerdict& verdict : analysis.brands) {
    ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(verdict.name));
    brand_ids.push_back(id);
  }
  ECOUTE_ASSIGN_OR_RETURN(const int64_t source_id,
                          SourceId(post.source.empty() ? "unknown" : post.source));
  ECOUTE_ASSIGN_OR_RETURN(const int64_t author_id, AuthorId(CustomerOf(post)));
  const std::optional<int64_t> published = ParseTime(post.published_at);
  return PostRow{.post = post,
                 .analysis = analysis,
                 .brand_ids = std::move(brand_ids),
                 .source_id = source_id,
                 .author_id = author_id,
                 .author_brand = BrandOfAuthor(post),
                 .content_hash = HashValue(post),
                 .published = published,
                 .updated = ParseTime(post.updated_at),
                 .at = published.value_or(item.ingested_at),
                 .ingested_at = item.ingested_at,
                 .links = LinksOf(post, analysis),
                 .facts = FactsJson(analysis.facts)};
}

// Identity (docs/STORE.md): the source's id, else the canonical URL, else the content hash
// (and author).
Result<SqliteStore::KnownPost> SqliteStore::FindKnown(const PostRow& row, bool id_is_derived) {
  const Post& post = row.post;
  sqlite::Statement* find = nullptr;
  if (!id_is_derived && !post.id.empty()) {
    find = &Get(kFindPostByExtId);
    find->Bind(1, row.source_id).Bind(2, post.id);
  } else if (!post.url.empty()) {
    find = &Get(kFindPostByUrl);
    find->Bind(1, post.url);
  } else {
    find = &Get(kFindPostByHash);
    find->Bind(1, row.content_hash);
    if (row.author_id != 0) find->Bind(2, row.author_id);
  }
  KnownPost known;
  if (find->Step()) {
    known.id = find->Int(0);
    known.is_same = find->Int(1) == row.content_hash;
  }
  Status find_status = find->status();
  find->Reset();
  ECOUTE_RETURN_IF_ERROR(find_status);
  // A reply ecoute sent is known by its URL too, whatever source reads it back.
  if (known.id ? !known.is_same : !post.url.empty()) {
    sqlite::Statement& sent = known.id ? Get(kIsSentReply) : Get(kFindSentReplyByUrl);
    if (known.id) {
      sent.Bind(1, *known.id);
    } else {
      sent.Bind(1, post.url);
    }
    if (sent.Step()) {
      known.id = sent.Int(0);
      known.is_sent_reply = true;
    }
    find_status = sent.status();
    sent.Reset();
    ECOUTE_RETURN_IF_ERROR(find_status);
  }
  return known;
}

// An edit: the old version kept, the row and its verdicts replaced, an event in each of
// its cases.
Status SqliteStore::UpdatePost(const PostRow& row, IngestResult& result) {
  const Post& post = row.post;
  const Analysis& analysis = row.analysis;
  // The update trigger takes the old text out of the index: it must be there.
  ECOUTE_RETURN_IF_ERROR(IndexNewPosts());
  ECOUTE_RETURN_IF_ERROR(Get(kInsertVersion).Bind(1, row.id).Bind(2, row.ingested_at).Run());
  sqlite::Statement& update = Get(kUpdatePost);
  update.Bind(1, row.id).Bind(2, row.content_hash).Bind(3, post.title).Bind(4, post.text);
  update.Bind(5, analysis.lang).BindOrNull(6, row.updated.value_or(row.ingested_at));
  update.BindOrNull(7, row.links).BindOrNull(8, Count(post.comments));
  update.BindOrNull(9, Count(post.shares)).BindOrNull(10, Count(post.likes));
  update.Bind(11, static_cast<int64_t>(analysis.stance)).Bind(12, PerMille(analysis.confidence));
  update.Bind(13, PerMille(analysis.severity)).Bind(14, static_cast<int64_t>(analysis.priority));
  update.BindOrNull(15, row.facts).BindOrNull(16, FirstTopic(analysis));
  update.Bind(17, TopicMask(analysis)).Bind(18, Tags(analysis, row.brand_ids));
  update.BindOrNull(19, ReasonsOf(analysis));
  ECOUTE_RETURN_IF_ERROR(update.Run());
  // The routes found on the post's site stay: the site was not edited.
  ECOUTE_ASSIGN_OR_RETURN(std::vector<ContactRoute> stored, StoredContacts(row.id));
  std::erase_if(stored, [](const ContactRoute& r) { return r.where != "site"; });
  std::vector<ContactRoute> contacts = post.contacts;
  MergeContactRoutes(stored, contacts);
  ECOUTE_RETURN_IF_ERROR(
      Get(kSetPostContacts).Bind(1, row.id).BindOrNull(2, ContactRoutesJson(contacts)).Run());
  ECOUTE_RETURN_IF_ERROR(Get(kDeletePostBrands).Bind(1, row.id).Run());
  ECOUTE_RETURN_IF_ERROR(StoreVerdicts(row));
  ECOUTE_ASSIGN_OR_RETURN(auto cases, CasesOf(row.id));
  for (const auto& [brand, c] : cases) {
    result.cases.push_back(c.id);
    ECOUTE_RETURN_IF_ERROR(
        AddEvent(c.id, row.ingested_at, "edited", "rule:edit", "the post was edited", row.id));
  }
  return OkStatus();
}

// A new post: its row (it enters the full-text index with the batch, IndexNewPosts).
Status SqliteStore::InsertPost(PostRow& row, bool id_is_derived) {
  const Post& post = row.post;
  const Analysis& analysis = row.analysis;
  sqlite::Statement& insert = Get(kInsertPost);
  insert.Bind(1, row.source_id);
  if (id_is_derived) {
    insert.BindNull(2);
  } else {
    insert.BindOrNull(2, post.id);
  }
  insert.BindOrNull(3, post.url).Bind(4, row.content_hash);
  insert.BindOrNull(5, row.author_id != 0 ? std::optional<int64_t>(row.author_id) : std::nullopt);
  insert.Bind(6, post.title).Bind(7, post.text).Bind(8, analysis.lang);
  insert.BindOrNull(9, row.published).BindOrNull(10, row.updated);
  insert.Bind(11, row.ingested_at).Bind(12, row.at);
  insert.BindOrNull(13, post.parent_id).BindOrNull(14, post.parent_url);
  insert.BindOrNull(15, row.links).BindOrNull(16, Count(post.comments));
  insert.BindOrNull(17, Count(post.shares)).BindOrNull(18, Count(post.likes));
  insert.Bind(19, static_cast<int64_t>(analysis.stance)).Bind(20, PerMille(analysis.confidence));
  insert.Bind(21, PerMille(analysis.severity)).Bind(22, static_cast<int64_t>(analysis.priority));
  insert.BindOrNull(23, row.facts).BindOrNull(24, FirstTopic(analysis));
  insert.Bind(25, TopicMask(analysis)).Bind(26, Tags(analysis, row.brand_ids));
  insert.BindOrNull(27, ReasonsOf(analysis));
  ECOUTE_RETURN_IF_ERROR(insert.Run());
  row.id = sqlite3_last_insert_rowid(db_);
  if (unindexed_from_ == 0) unindexed_from_ = row.id;
  if (!post.contacts.empty()) {
    ECOUTE_RETURN_IF_ERROR(
        Get(kSetPostContacts).Bind(1, row.id).Bind(2, ContactRoutesJson(post.contacts)).Run());
  }
  return OkStatus();
}

Result<std::vector<ContactRoute>> SqliteStore::StoredContacts(int64_t post_id) {
  sqlite::Statement& select = Get(kPostContacts);
  select.Bind(1, post_id);
  const bool found = select.Step();
  Status status = select.status();
  std::vector<ContactRoute> routes;
  if (found) routes = ParseContactRoutes(select.Text(0));
  select.Reset();
  ECOUTE_RETURN_IF_ERROR(status);
  if (!found) return NotFoundError("no post " + std::to_string(post_id));
  return routes;
}

Result<bool> SqliteStore::AddContactRoutes(int64_t post_id,
                                           const std::vector<ContactRoute>& routes) {
  bool added = false;
  ECOUTE_RETURN_IF_ERROR(InTransaction([&]() -> Status {
    ECOUTE_ASSIGN_OR_RETURN(std::vector<ContactRoute> contacts, StoredContacts(post_id));
    added = MergeContactRoutes(routes, contacts);
    if (!added) return OkStatus();
    return Get(kSetPostContacts).Bind(1, post_id).Bind(2, ContactRoutesJson(contacts)).Run();
  }));
  return added;
}

}  // namespace ecoute::sqlite
