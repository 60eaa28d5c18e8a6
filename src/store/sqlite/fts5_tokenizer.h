// The FTS5 tokenizer "ecoute": indexes each post in its own language and searches in every
// language at once, with the folding and stemming of text/tokenize.h.
//
// Documents carry their language in a marker at the very end of each indexed value: the
// byte 0x1F then the code, 1 to 8 characters of [a-z-] ("...arrivé\x1F" "fr"); the store's
// view appends it. The tokenizer strips the marker, never indexes it, and stems every word
// in that language; a value without a marker is folded without stemming.
//
// Queries do not know the language of the posts they look for: each query word yields its
// plain folded form, then, as colocated synonyms (FTS5_TOKEN_COLOCATED), its distinct index
// forms in French, English, German, Spanish, Italian, Portuguese and Dutch, so that
// "remboursé" finds "remboursement" in French posts and "refund" finds "refunded" in English
// ones. The last word of a prefix query ("rembour*") yields its plain folded form only: a
// stem of a partial word means nothing.
#pragma once

#include <string>
#include <string_view>

#include "ecoute/status.h"

struct sqlite3;  // sqlite3.h

namespace ecoute {

// The name to use in `CREATE VIRTUAL TABLE ... USING fts5(..., tokenize='ecoute')`.
constexpr std::string_view kFts5TokenizerName = "ecoute";
// The byte that opens the language marker.
constexpr char kLanguageMarker = '\x1F';

// Registers the tokenizer on `db`, which must outlive its FTS5 tables' use of it (as every
// FTS5 tokenizer). The tokenizer takes no arguments and fails the CREATE VIRTUAL TABLE
// with SQLITE_ERROR when given some. Fails with kFailedPrecondition when SQLite lacks FTS5,
// kInternal when the registration fails. Call it once per connection, before the first
// statement that touches an FTS5 table using it.
Status RegisterFts5Tokenizer(sqlite3* db);

// A value split into its text and the language code of its marker: {"Mon colis", "fr"} for
// "Mon colis\x1F" "fr"; {value, ""} when the value does not end with a valid marker. The
// views borrow from `value`.
struct MarkedText {
  std::string_view text;
  std::string_view language;
};
MarkedText SplitLanguageMarker(std::string_view value);

// Appends the marker of `language` to `value` when `language` is a valid code (1 to 8
// characters of [a-z-]); otherwise leaves `value` as it is, to be folded without stemming.
void AppendLanguageMarker(std::string_view language, std::string& value);

}  // namespace ecoute
