#include "store/sqlite/fts5_tokenizer.h"

#include <array>
#include <cstring>
#include <memory>
#include <new>

#include <sqlite3.h>

#include "text/tokenize.h"

namespace ecoute {
namespace {

constexpr size_t kMaxLanguageCodeBytes = 8;

bool IsLanguageCodeChar(char c) { return (c >= 'a' && c <= 'z') || c == '-'; }

bool IsLanguageCode(std::string_view code) {
  if (code.empty() || code.size() > kMaxLanguageCodeBytes) return false;
  for (const char c : code) {
    if (!IsLanguageCodeChar(c)) return false;
  }
  return true;
}

// The languages a query word is stemmed in, besides its plain folded form: those ecoute
// analyzes. Each more would be one more index lookup per query word (measured: seven
// languages made two-word queries 30 % slower at p50, twice slower at p99), so posts in
// other languages are indexed by their folded words, unstemmed (IndexLanguage), and found
// by them.
constexpr std::array<StemLanguage, 2> kQueryLanguages = {StemLanguage::kFrench,
                                                         StemLanguage::kEnglish};

// The language a document is stemmed in: its own when queries are stemmed in it too.
StemLanguage IndexLanguage(std::string_view code) {
  const StemLanguage language = StemLanguageFromCode(code);
  for (const StemLanguage query_language : kQueryLanguages) {
    if (language == query_language) return language;
  }
  return StemLanguage::kNone;
}

using TokenCallback = int (*)(void* context, int flags, const char* token, int token_length,
                              int begin, int end);

// One instance per FTS5 table and connection. SQLite serializes the calls on a connection,
// but an auxiliary function may tokenize from inside a callback: a nested call gets its own
// SearchTokenizer rather than clobbering the running one.
struct EcouteTokenizer {
  SearchTokenizer tokenizer;
  bool is_busy = false;
};

int EmitDocument(SearchTokenizer& tokenizer, std::string_view text, void* context,
                 TokenCallback emit) {
  const MarkedText marked = SplitLanguageMarker(text);
  tokenizer.Start(marked.text, IndexLanguage(marked.language));
  SearchToken token;
  while (tokenizer.Next(token)) {
    const int rc = emit(context, 0, token.text.data(), static_cast<int>(token.text.size()),
                        static_cast<int>(token.begin), static_cast<int>(token.end));
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

int EmitQuery(SearchTokenizer& tokenizer, std::string_view text, bool is_prefix, void* context,
              TokenCallback emit) {
  tokenizer.Start(text, StemLanguage::kNone);
  // The forms already emitted for the current word, to emit each once.
  std::array<std::array<char, kMaxTokenBytes>, kQueryLanguages.size() + 1> forms;
  std::array<size_t, kQueryLanguages.size() + 1> form_lengths;
  SearchToken token;
  bool has_token = tokenizer.Next(token);
  while (has_token) {
    const auto begin = static_cast<int>(token.begin);
    const auto end = static_cast<int>(token.end);
    const std::string_view word = text.substr(token.begin, token.end - token.begin);
    std::memcpy(forms[0].data(), token.text.data(), token.text.size());
    form_lengths[0] = token.text.size();
    size_t form_count = 1;
    // Looking one token ahead tells whether this one is the last, the prefix of a prefix
    // query; Next() overwrites token.text, copied above.
    has_token = tokenizer.Next(token);
    int rc = emit(context, 0, forms[0].data(), static_cast<int>(form_lengths[0]), begin, end);
    if (rc != SQLITE_OK) return rc;
    if (is_prefix && !has_token) break;
    for (const StemLanguage language : kQueryLanguages) {
      const std::string_view form = tokenizer.FoldWord(word, language);
      if (form.empty()) continue;
      bool is_new = true;
      for (size_t i = 0; i < form_count && is_new; ++i) {
        is_new = form != std::string_view(forms[i].data(), form_lengths[i]);
      }
      if (!is_new) continue;
      std::memcpy(forms[form_count].data(), form.data(), form.size());
      form_lengths[form_count] = form.size();
      ++form_count;
      rc = emit(context, FTS5_TOKEN_COLOCATED, form.data(), static_cast<int>(form.size()), begin,
                end);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

int Create(void* /*user_data*/, const char** /*arguments*/, int argument_count,
           Fts5Tokenizer** out) {
  *out = nullptr;
  if (argument_count != 0) return SQLITE_ERROR;
  try {
    *out = reinterpret_cast<Fts5Tokenizer*>(std::make_unique<EcouteTokenizer>().release());
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

void Delete(Fts5Tokenizer* tokenizer) {
  // Owned by FTS5 since Create(); back into a unique_ptr to be destroyed.
  std::unique_ptr<EcouteTokenizer>(reinterpret_cast<EcouteTokenizer*>(tokenizer));
}

int Tokenize(Fts5Tokenizer* handle, void* context, int flags, const char* text, int text_length,
             TokenCallback emit) {
  auto& self = *reinterpret_cast<EcouteTokenizer*>(handle);
  const std::string_view input = text == nullptr || text_length <= 0
                                     ? std::string_view()
                                     : std::string_view(text, static_cast<size_t>(text_length));
  auto run = [&](SearchTokenizer& tokenizer) {
    if ((flags & FTS5_TOKENIZE_QUERY) != 0) {
      return EmitQuery(tokenizer, input, (flags & FTS5_TOKENIZE_PREFIX) != 0, context, emit);
    }
    return EmitDocument(tokenizer, input, context, emit);  // DOCUMENT or AUX
  };
  // The stem caches are allocated on first use of each language: out of memory is the one
  // failure of our own.
  if (self.is_busy) {
    try {
      SearchTokenizer nested;
      return run(nested);
    } catch (const std::bad_alloc&) {
      return SQLITE_NOMEM;
    }
  }
  self.is_busy = true;
  int rc;
  try {
    rc = run(self.tokenizer);
  } catch (const std::bad_alloc&) {
    rc = SQLITE_NOMEM;
  }
  self.is_busy = false;
  return rc;
}

// Copied by FTS5 when registered.
constexpr fts5_tokenizer kTokenizer = {Create, Delete, Tokenize};

}  // namespace

MarkedText SplitLanguageMarker(std::string_view value) {
  const size_t tail =
      value.size() < kMaxLanguageCodeBytes + 1 ? 0 : value.size() - kMaxLanguageCodeBytes - 1;
  const size_t marker = value.rfind(kLanguageMarker);
  if (marker == std::string_view::npos || marker < tail) return {value, {}};
  const std::string_view code = value.substr(marker + 1);
  if (!IsLanguageCode(code)) return {value, {}};
  return {value.substr(0, marker), code};
}

void AppendLanguageMarker(std::string_view language, std::string& value) {
  if (!IsLanguageCode(language)) return;
  value += kLanguageMarker;
  value += language;
}

Status RegisterFts5Tokenizer(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_finalize(statement);
    return Status(StatusCode::kFailedPrecondition,
                  "SQLite without FTS5: SELECT fts5(?1): " + message);
  }
  fts5_api* api = nullptr;
  sqlite3_bind_pointer(statement, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(statement);
  sqlite3_finalize(statement);
  if (api == nullptr || api->iVersion < 2) {
    return Status(StatusCode::kFailedPrecondition, "SQLite without a usable FTS5 API");
  }
  fts5_tokenizer tokenizer = kTokenizer;
  const int rc = api->xCreateTokenizer(api, std::string(kFts5TokenizerName).c_str(), nullptr,
                                       &tokenizer, nullptr);
  if (rc != SQLITE_OK) {
    return InternalError("registering the FTS5 tokenizer \"ecoute\": " +
                         std::string(sqlite3_errstr(rc)));
  }
  return OkStatus();
}

}  // namespace ecoute
