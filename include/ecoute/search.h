// The query language of `ecoute search`: words, "phrases", prefixes, exclusions, OR,
// parenthesized groups and key:value filters, parsed into an SQLite FTS5 MATCH expression
// plus the filters the store applies beside it.
//
// docs/SEARCH.md is the users' reference, with examples. In short:
//   colis perdu                 every word must match (implicit AND; AND may be written)
//   "pas remboursé"             a phrase; "pas rembour"* makes its last word a prefix
//   rembour*                    a prefix
//   -perdu  -"pas grave"  NOT x an exclusion (of a word, phrase, prefix or group)
//   retard OR annulation        alternatives; OR binds tighter than AND: a b OR c is
//                               a AND (b OR c); (a b) OR c groups the other way
//   brand:"Bouygues Telecom"    filters: brand stance topic lang author since until case
// Quotes and parentheses are always syntax outside quotes; OR, AND and NOT are keywords
// only in upper case. The index folds case and accents and stems words, so the parser
// passes words through as written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/analysis.h"
#include "ecoute/status.h"

namespace ecoute {

// Groups may nest this deep: FTS5's parser has a small fixed stack, and a deeper query
// would fail there with a message the user could not act on.
constexpr int kMaxSearchGroupDepth = 6;

// A parsed query. A post matches when it matches `match` (if not empty) and every filter
// kind given; a filter kind given several times (two brands) accepts any of its values.
// Lists keep values in order of first appearance, each once.
struct SearchQuery {
  // The FTS5 MATCH expression built from the words, phrases, prefixes, exclusions and ORs,
  // or empty when the query has filters only. Every user word is emitted as an FTS5 string
  // ("word", with " doubled) so that no input can inject FTS5 syntax; a prefix as
  // "word" *; a phrase as one string with its words separated by one space. Operators are
  // written out (AND, OR, NOT) with explicit parentheses around every compound operand,
  // since FTS5's precedence (NOT > AND > OR) differs from the query language's. Several
  // exclusions become one NOT of their OR: ("a" AND "b") NOT ("c" OR "d").
  std::string match;
  // Filter values have their white space trimmed and runs of it made one space.
  std::vector<std::string> brands;  // as written (the store compares case-insensitively)
  std::vector<Stance> stances;
  std::vector<Topic> topics;
  std::vector<std::string> langs;    // ISO 639 codes of 2 or 3 letters, lower case
  std::vector<std::string> authors;  // as written: "@marie", "Marie L."
  std::optional<int64_t> since;      // seconds since the epoch, inclusive
  std::optional<int64_t> until;      // exclusive
  std::optional<int64_t> case_id;    // > 0
  // The positive words, phrase words and prefixes (without "*"), for display and
  // highlighting; words under an exclusion are left out.
  std::vector<std::string> words;

  friend bool operator==(const SearchQuery&, const SearchQuery&) = default;
};

// Parses `text`, the query as the user typed it; `now` (seconds since the epoch) anchors
// relative times (since:7d is now - 7 * 86400). Fails with kInvalidArgument on the first
// problem found (reading left to right; checks on the whole query come last), its message
// starting with the 1-based column of the faulty part, counted in code points, and saying
// how to fix it ("column 12: unterminated quote: add a closing \""); only a blank query
// has no column ("empty query: give words or filters").
// Refuses bytes that are not UTF-8 (naming the first), words without a letter or digit,
// and queries or groups of exclusions only (FTS5 cannot run a pure NOT). Any bytes are
// safe input. Thread-safe; `text` is not kept.
Result<SearchQuery> ParseSearchQuery(std::string_view text, int64_t now);

}  // namespace ecoute
