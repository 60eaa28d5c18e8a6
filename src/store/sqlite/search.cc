// Full-text search: the query's words and filters as one FTS5 MATCH and bound SQL, the
// hits with their snippets, brands and cases (docs/STORE.md).
#include <algorithm>
#include <initializer_list>
#include <variant>

#include "search/snippet.h"
#include "store/sqlite/sqlite_store.h"
#include "util/datetime.h"

namespace ecoute::sqlite {
namespace {

std::string FormatTime(std::optional<int64_t> seconds) {
  return seconds ? FormatRfc3339(*seconds) : std::string();
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

// The FTS5 MATCH expression: the words on the title and body, and the brand, stance and
// topic filters as tag tokens of the index (schema.cc), each a fixed token. "" when none.
std::string MatchExpression(const SearchQuery& query, const std::vector<int64_t>& brand_ids) {
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
  return match;
}

using Param = std::variant<int64_t, std::string>;

// The filters on posts `p` other than the index's: fixed SQL fragments and placeholders,
// whose values go to `params`.
std::string PostFilters(const SearchQuery& query, std::vector<Param>& params) {
  std::string filters;
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
  return filters;
}

// The search's SQL, its parameters in `params` (the filters' already there).
std::string SearchSql(const std::string& match, bool has_words, const std::string& filters,
                      const SearchOptions& options, std::vector<Param>& params) {
  const std::string columns =
      "p.id, p.ext_id, p.url, p.title, coalesce(nullif(a.handle, ''), a.name), p.published_at, "
      "p.lang, p.stance, p.text";
  std::string sql;
  if (!match.empty()) {
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
  return sql;
}

// One hit from a row of SearchSql. Snippets come from the text itself, by the index's own
// folding (a query of the index per hit cost more than the search); without words, the
// start of the text, with no highlights, and none faked either.
SearchHit ReadHit(const sqlite::Statement& select, SnippetMaker* snippets,
                  const SearchOptions& options) {
  SearchHit hit;
  hit.post_id = select.Int(0);
  hit.ext_id = std::string(select.Text(1));
  hit.url = std::string(select.Text(2));
  hit.title = std::string(select.Text(3));
  hit.author = std::string(select.Text(4));
  hit.published_at = FormatTime(select.OptionalInt(5));
  hit.lang = std::string(select.Text(6));
  hit.stance = static_cast<Stance>(select.Int(7));
  if (snippets != nullptr) {
    hit.snippet =
        snippets->Make(select.Text(8), hit.lang, options.highlight_open, options.highlight_close);
  } else {
    AppendVisible(Excerpt(select.Text(8), 200), hit.snippet);
  }
  hit.score = snippets != nullptr ? select.Double(9) : 0;
  return hit;
}

}  // namespace

Result<std::vector<SearchHit>> SqliteStore::Search(const SearchQuery& query,
                                                   const SearchOptions& options) {
  std::vector<int64_t> brand_ids;
  for (const std::string& name : query.brands) {
    ECOUTE_ASSIGN_OR_RETURN(int64_t id, BrandIdByName(name));
    brand_ids.push_back(id);
  }
  // Every value is bound; the SQL only grows by fixed fragments and placeholders, the
  // MATCH expression by fixed tokens.
  const std::string match = MatchExpression(query, brand_ids);
  const bool has_words = !query.match.empty();
  std::vector<Param> params;
  const std::string filters = PostFilters(query, params);
  sqlite::Statement select(db_, SearchSql(match, has_words, filters, options, params));
  if (!select.ok()) return select.status();
  for (size_t i = 0; i < params.size(); ++i) {
    if (const auto* n = std::get_if<int64_t>(&params[i])) {
      select.Bind(static_cast<int>(i + 1), *n);
    } else {
      select.Bind(static_cast<int>(i + 1), std::get<std::string>(params[i]));
    }
  }
  std::optional<SnippetMaker> snippets;
  if (has_words) snippets.emplace(query.words, query.match);
  std::vector<SearchHit> hits;
  while (select.Step()) hits.push_back(ReadHit(select, snippets ? &*snippets : nullptr, options));
  if (!select.status().ok()) {
    const Status& status = select.status();
    if (!match.empty() && status.message().find("fts5") != std::string::npos) {
      return InvalidArgumentError("the search words cannot be run: " + status.message());
    }
    return status;
  }
  ECOUTE_RETURN_IF_ERROR(AddBrandsAndCases(hits));
  return hits;
}

// Each hit's brands and cases (with the brand of each).
Status SqliteStore::AddBrandsAndCases(std::vector<SearchHit>& hits) {
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
  return OkStatus();
}

}  // namespace ecoute::sqlite
