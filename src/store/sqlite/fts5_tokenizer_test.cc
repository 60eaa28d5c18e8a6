#include "store/sqlite/fts5_tokenizer.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace ecoute {
namespace {

// An in-memory database with the tokenizer registered and one FTS5 table `t(body)`.
class Fts5TokenizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    const Status status = RegisterFts5Tokenizer(db_);
    ASSERT_TRUE(status.ok()) << status.ToString();
    Exec("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='ecoute')");
  }
  void TearDown() override { sqlite3_close(db_); }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << sql << ": " << (error != nullptr ? error : "");
    sqlite3_free(error);
  }

  void Insert(int64_t rowid, const std::string& body) {
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "INSERT INTO t(rowid, body) VALUES (?1, ?2)", -1, &statement,
                                 nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(statement, 1, rowid);
    sqlite3_bind_text(statement, 2, body.data(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_DONE) << sqlite3_errmsg(db_);
    sqlite3_finalize(statement);
  }

  // The rowids that `query` matches, ascending.
  std::vector<int64_t> Match(const std::string& query) {
    std::vector<int64_t> rowids;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1,
                           &statement, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_);
      return rowids;
    }
    sqlite3_bind_text(statement, 1, query.data(), static_cast<int>(query.size()), SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      rowids.push_back(sqlite3_column_int64(statement, 0));
    }
    EXPECT_EQ(rc, SQLITE_DONE) << query << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(statement);
    return rowids;
  }

  std::string Highlight(const std::string& query, int64_t rowid) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_,
                                 "SELECT highlight(t, 0, '[', ']') FROM t "
                                 "WHERE t MATCH ?1 AND rowid = ?2",
                                 -1, &statement, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(statement, 1, query.data(), static_cast<int>(query.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(statement, 2, rowid);
    std::string out;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      out.assign(text, static_cast<size_t>(sqlite3_column_bytes(statement, 0)));
    }
    sqlite3_finalize(statement);
    return out;
  }

  void InsertPosts() {
    Insert(1,
           "Je veux me faire rembourser ma commande\x1F"
           "fr");
    Insert(2,
           "Toujours aucun remboursement après trois semaines\x1F"
           "fr");
    Insert(3,
           "Le livreur était très sympa\x1F"
           "fr");
    Insert(4,
           "Délais de livraison inacceptables\x1F"
           "fr");
    Insert(5,
           "they refunded me after two weeks\x1F"
           "en");
    Insert(6,
           "Colis arrivé en retard, carton écrasé\x1F"
           "fr");
    Insert(7,
           "Mon colis n'est pas arrivé\x1F"
           "fr");
    Insert(8, "Café froid et délai énorme");  // no marker: folded, not stemmed
  }

  sqlite3* db_ = nullptr;
};

struct MatchCase {
  std::string query;
  std::vector<int64_t> want;
};

TEST_F(Fts5TokenizerTest, FindsPostsInTheirLanguage) {
  InsertPosts();
  const MatchCase cases[] = {
      {"remboursé", {1, 2}},         // French inflections, not the unrelated row 3
      {"rembourser", {1, 2}},        //
      {"delai", {4, 8}},             // "Délais" (stemmed) and "délai" (plain)
      {"délai", {4, 8}},             //
      {"DÉLAIS", {4, 8}},            // via its English form "delai", as it happens
      {"refund", {5}},               // English inflection
      {"refunds", {5}},              //
      {"\"colis arrivé\"", {6}},     // phrase: adjacent only
      {"colis AND arrivé", {6, 7}},  //
      {"arrivée", {6, 7}},           // French stem "arriv"
      {"rembour*", {1, 2}},          // prefix of the stems
      {"rembourse*", {}},            // the plain form is no prefix of "rembours"
      {"cafe", {8}},                 // document without a marker
      {"café", {8}},                 //
      {"froid", {8}},                //
      {"fr", {}},                    // the marker is never a token
      {"en", {6}},                   // the word of row 6, not the marker of row 5
      {"\"n'est pas\"", {7}},        // elision dropped in the query too
  };
  for (const MatchCase& c : cases) {
    SCOPED_TRACE(c.query);
    EXPECT_EQ(Match(c.query), c.want);
  }
}

TEST_F(Fts5TokenizerTest, PostsInOtherLanguagesAreFoundByTheirWords) {
  // Queries are stemmed in French and English only, so German is indexed unstemmed: the
  // word as written finds it, a German inflection does not.
  Insert(20, std::string("Die Rechnungen sind falsch") + '\x1F' + "de");
  EXPECT_EQ(Match("rechnungen"), std::vector<int64_t>{20});
  EXPECT_EQ(Match("RECHNUNGEN falsch"), std::vector<int64_t>{20});
  EXPECT_EQ(Match("rechnung"), std::vector<int64_t>{});
}

TEST_F(Fts5TokenizerTest, HighlightWrapsWordsNeverTheMarker) {
  InsertPosts();
  EXPECT_EQ(Highlight("remboursé", 2),
            "Toujours aucun [remboursement] après trois semaines\x1F"
            "fr");
  EXPECT_EQ(Highlight("délai", 4),
            "[Délais] de livraison inacceptables\x1F"
            "fr");
  EXPECT_EQ(Highlight("\"colis arrivé\"", 6),
            "[Colis arrivé] en retard, carton écrasé\x1F"
            "fr");
  EXPECT_EQ(Highlight("écrasé", 6),
            "Colis arrivé en retard, carton [écrasé]\x1F"
            "fr");
  EXPECT_EQ(Highlight("cafe", 8), "[Café] froid et délai énorme");
}

TEST_F(Fts5TokenizerTest, RejectsArguments) {
  char* error = nullptr;
  EXPECT_NE(sqlite3_exec(db_, "CREATE VIRTUAL TABLE u USING fts5(body, tokenize='ecoute porter')",
                         nullptr, nullptr, &error),
            SQLITE_OK);
  sqlite3_free(error);
}

TEST_F(Fts5TokenizerTest, ToleratesInvalidUtf8AndEmptyValues) {
  Insert(1, "");
  Insert(2,
         "\x1F"
         "fr");
  Insert(3,
         "ok \xff\xfe\xc3 bien\x1F"
         "fr");
  Insert(4, "\x1F");
  EXPECT_EQ(Match("bien"), (std::vector<int64_t>{3}));
  EXPECT_EQ(Match("ok"), (std::vector<int64_t>{3}));
}

// Calls the tokenizer as FTS5 does, through the fts5_api of the connection.
class Fts5TokenizerDirectTest : public Fts5TokenizerTest {
 protected:
  struct Emitted {
    std::string token;
    int flags;
    int begin;
    int end;
    bool operator==(const Emitted&) const = default;
  };
  struct Sink {
    std::vector<Emitted> tokens;
    int fail_after = -1;  // return SQLITE_ABORT once this many tokens were taken
  };

  void SetUp() override {
    Fts5TokenizerTest::SetUp();
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, "SELECT fts5(?1)", -1, &statement, nullptr), SQLITE_OK);
    fts5_api* api = nullptr;
    sqlite3_bind_pointer(statement, 1, &api, "fts5_api_ptr", nullptr);
    sqlite3_step(statement);
    sqlite3_finalize(statement);
    ASSERT_NE(api, nullptr);
    void* user_data = nullptr;
    ASSERT_EQ(api->xFindTokenizer(api, "ecoute", &user_data, &module_), SQLITE_OK);
    ASSERT_EQ(module_.xCreate(user_data, nullptr, 0, &tokenizer_), SQLITE_OK);
  }
  void TearDown() override {
    if (tokenizer_ != nullptr) module_.xDelete(tokenizer_);
    Fts5TokenizerTest::TearDown();
  }

  static int Take(void* context, int flags, const char* token, int length, int begin, int end) {
    auto& sink = *static_cast<Sink*>(context);
    if (sink.fail_after >= 0 && static_cast<int>(sink.tokens.size()) >= sink.fail_after) {
      return SQLITE_ABORT;
    }
    sink.tokens.push_back({std::string(token, static_cast<size_t>(length)), flags, begin, end});
    return SQLITE_OK;
  }

  int Run(std::string_view text, int flags, Sink& sink) {
    return module_.xTokenize(tokenizer_, &sink, flags, text.data(), static_cast<int>(text.size()),
                             Take);
  }

  fts5_tokenizer module_ = {};
  Fts5Tokenizer* tokenizer_ = nullptr;
};

TEST_F(Fts5TokenizerDirectTest, DocumentOffsetsPointIntoTheGivenText) {
  Sink sink;
  ASSERT_EQ(Run("Délai dépassé 😡 !\x1F"
                "fr",
                FTS5_TOKENIZE_DOCUMENT, sink),
            SQLITE_OK);
  const std::vector<Emitted> want = {{"del", 0, 0, 6}, {"depass", 0, 7, 16}};
  EXPECT_EQ(sink.tokens, want);
}

TEST_F(Fts5TokenizerDirectTest, QueryWordsCarryTheirStemsAsSynonyms) {
  Sink sink;
  ASSERT_EQ(Run("Remboursé refunds", FTS5_TOKENIZE_QUERY, sink), SQLITE_OK);
  ASSERT_GE(sink.tokens.size(), 4u);
  EXPECT_EQ(sink.tokens[0], (Emitted{"rembourse", 0, 0, 10}));
  EXPECT_EQ(sink.tokens[1], (Emitted{"rembours", FTS5_TOKEN_COLOCATED, 0, 10}));
  std::vector<std::string> refunds;
  for (const Emitted& e : sink.tokens) {
    if (e.begin != 11) continue;
    refunds.push_back(e.token);
    EXPECT_EQ(e.flags, e.token == "refunds" ? 0 : FTS5_TOKEN_COLOCATED);
  }
  ASSERT_FALSE(refunds.empty());
  EXPECT_EQ(refunds[0], "refunds");
  EXPECT_NE(std::find(refunds.begin(), refunds.end(), "refund"), refunds.end());
  // Stems in French and English only: the forms of one word are at most three.
  EXPECT_LE(refunds.size(), 3u);
  // Each form once per word.
  for (size_t i = 0; i < sink.tokens.size(); ++i) {
    for (size_t j = i + 1; j < sink.tokens.size(); ++j) {
      if (sink.tokens[i].begin == sink.tokens[j].begin) {
        EXPECT_NE(sink.tokens[i].token, sink.tokens[j].token);
      }
    }
  }
}

TEST_F(Fts5TokenizerDirectTest, PrefixQueriesKeepThePlainFormOfTheLastWord) {
  Sink sink;
  ASSERT_EQ(Run("remboursé", FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, sink), SQLITE_OK);
  EXPECT_EQ(sink.tokens, (std::vector<Emitted>{{"rembourse", 0, 0, 10}}));
  Sink phrase;
  ASSERT_EQ(Run("délais rembour", FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX, phrase), SQLITE_OK);
  ASSERT_GE(phrase.tokens.size(), 3u);
  EXPECT_EQ(phrase.tokens[1], (Emitted{"del", FTS5_TOKEN_COLOCATED, 0, 7}));
  EXPECT_EQ(phrase.tokens.back(), (Emitted{"rembour", 0, 8, 15}));
}

TEST_F(Fts5TokenizerDirectTest, CallbackErrorsStopTheTokenizer) {
  Sink sink;
  sink.fail_after = 1;
  EXPECT_EQ(Run("un deux trois\x1F"
                "fr",
                FTS5_TOKENIZE_DOCUMENT, sink),
            SQLITE_ABORT);
  EXPECT_EQ(sink.tokens.size(), 1u);
  Sink query;
  query.fail_after = 1;
  EXPECT_EQ(Run("remboursé", FTS5_TOKENIZE_QUERY, query), SQLITE_ABORT);
  EXPECT_EQ(query.tokens.size(), 1u);
}

TEST(LanguageMarkerTest, SplitsOnlyAValidMarkerAtTheEnd) {
  struct Case {
    std::string_view value;
    std::string_view text;
    std::string_view language;
  };
  const Case cases[] = {
      {"Mon colis\x1F"
       "fr",
       "Mon colis", "fr"},
      {"x\x1F"
       "pt-br",
       "x", "pt-br"},
      {"\x1F"
       "en",
       "", "en"},
      {"x\x1F", "x\x1F", ""},  // empty code: no marker
      {"x\x1F"
       "FR",
       "x\x1F"
       "FR",
       ""},  // upper case: not a code
      {"x\x1F"
       "abcdefghi",
       "x\x1F"
       "abcdefghi",
       ""},  // 9 characters: too long
      {"a\x1F"
       "fr b",
       "a\x1F"
       "fr b",
       ""},  // not at the end
      {"plain text", "plain text", ""},
      {"", "", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    const MarkedText marked = SplitLanguageMarker(c.value);
    EXPECT_EQ(marked.text, c.text);
    EXPECT_EQ(marked.language, c.language);
  }
  std::string value = "texte";
  AppendLanguageMarker("fr", value);
  EXPECT_EQ(value,
            "texte\x1F"
            "fr");
  AppendLanguageMarker("Français", value);
  EXPECT_EQ(value,
            "texte\x1F"
            "fr");
}

}  // namespace
}  // namespace ecoute
