// WordIndex: finds, at each token start of a normalized text, the literals that begin
// there. Literals are filed under their first token (or first two tokens) in hash tables
// and confirmed by comparing bytes; literals ending with an open prefix ("rembours*") are
// filed under their first three bytes.
//
// The text is read once, token by token, with one hash probe per token and a second only
// when that token starts a longer phrase: the cost does not grow with the number of
// literals, so a catalog of thousands of brands costs about what an empty one does.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace ecoute {

// The length of the first token of normalized `s` (non-empty): a run of letters, a run of
// digits, '@' or '#' with the word it opens, or else one code point (a symbol, an emoji).
size_t FirstTokenLength(std::string_view s);

class WordIndex {
 public:
  // Files literal number `id` (normalized, non-empty). `is_open_prefix`: its last token may
  // continue in the text ("rembours" matching "remboursement").
  void Add(std::string_view literal, uint32_t id, bool is_open_prefix);
  // Builds the tables; call once, after every Add. The index is then immutable.
  // `filter_bits_per_key` sizes the Bloom filter that answers for absent tokens: more bits,
  // fewer slot probes; fewer bits, a smaller filter that stays in cache.
  void Build(size_t filter_bits_per_key = 16);

  // Calls found(id, begin, end) for every literal whose bytes appear at a token start of
  // `text`, in text order (longer literals first at one start; end is where its bytes
  // end). Boundary checks are the caller's.
  template <typename Found>
  void ForEachCandidate(std::string_view text, Found&& found) const {
    ForEachToken(text, [&](size_t start, size_t length, size_t next_start, size_t next_length) {
      ProbeToken(text, start, length, Hash(text.substr(start, length)), next_start, next_length,
                 found);
    });
  }

  // The two halves of ForEachCandidate, for reading one text with several indexes:
  // ForEachToken calls visit(start, length, next_start, next_length) for each token start
  // (next_length is 0 at the end); ProbeToken reports the literals starting at one, given
  // the token's Hash (computed once for all indexes).
  template <typename Visit>
  static void ForEachToken(std::string_view text, Visit&& visit);
  template <typename Found>
  void ProbeToken(std::string_view text, size_t start, size_t length, uint64_t token_hash,
                  size_t next_start, size_t next_length, Found& found) const;
  static uint64_t Hash(std::string_view key);

  size_t size() const { return literals_.size(); }

 private:
  struct Candidate {
    uint32_t id;
    uint32_t offset;  // of the literal's bytes in pool_
    uint32_t length;
  };
  // 16 bytes: four slots to a cache line.
  struct Slot {
    uint32_t tag = 0;         // the hash's low 32 bits
    uint32_t key_offset = 0;  // into pool_
    uint32_t first = 0;       // into candidates
    uint16_t key_length = 0;  // 0: an empty slot
    uint16_t count = 0;
    bool leads_phrase() const { return (first >> 31) != 0; }  // the token starts a phrase
    uint32_t first_candidate() const { return first & 0x7FFFFFFF; }
  };
  struct Table {
    std::vector<Slot> slots;
    std::vector<Candidate> candidates;  // grouped by key, longer literals first
    // A Bloom filter of the keys (two bits each): most tokens of a text are in no table,
    // and the filter answers for them without touching the slots.
    std::vector<uint64_t> filter;
    int shift = 60;  // a hash's slot is its top bits, the well-mixed ones
    uint32_t filter_mask = 0;
    const Slot* Find(std::string_view key, uint64_t hash, const std::string& pool) const;
  };
  struct Literal {
    std::string text;
    uint32_t id = 0;
    size_t key_length = 0;  // bytes of its key in the table it is filed in
    int table = 0;          // 0: one token, 1: two tokens, 2: open prefix
  };

  // Open prefixes are filed under their first kPrefixKeyBytes bytes (all of them when
  // shorter); a bitmap of those keys spares most tokens the probe.
  static constexpr size_t kPrefixKeyBytes = 3;
  static constexpr size_t kPrefixFilterBits = 1 << 15;

  static size_t PrefixFilterBit(std::string_view key);
  static bool SameBytes(const char* a, const char* b, size_t n);
  void BuildTable(int which, size_t filter_bits_per_key, Table& table);
  template <typename Found>
  void Verify(const Table& table, const Slot& slot, std::string_view text, size_t at,
              size_t key_length, Found& found) const;

  std::vector<Literal> literals_;
  std::string pool_;  // keys and literal bytes
  Table one_token_;   // by first token
  Table two_tokens_;  // by first two tokens ("pas de" for "pas de réponse")
  Table prefixes_;    // one-token open prefixes, by their first kPrefixKeyBytes bytes
  std::vector<uint64_t> prefix_filter_;
  bool has_prefixes_ = false;
  bool has_short_prefixes_ = false;  // open prefixes shorter than kPrefixKeyBytes
};

inline bool WordIndex::SameBytes(const char* a, const char* b, size_t n) {
  while (n >= 8) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  while (n > 0) {
    if (*a++ != *b++) return false;
    --n;
  }
  return true;
}

template <typename Found>
void WordIndex::Verify(const Table& table, const Slot& slot, std::string_view text, size_t at,
                       size_t key_length, Found& found) const {
  for (uint32_t k = 0; k < slot.count; ++k) {
    const Candidate& c = table.candidates[slot.first_candidate() + k];
    // The key's bytes already match: compare what follows them.
    if (at + c.length > text.size() ||
        !SameBytes(text.data() + at + key_length, pool_.data() + c.offset + key_length,
                   c.length - key_length)) {
      continue;
    }
    found(c.id, at, at + c.length);
  }
}

template <typename Visit>
void WordIndex::ForEachToken(std::string_view text, Visit&& visit) {
  const size_t n = text.size();
  auto skip_spaces = [&](size_t from) {
    while (from < n && text[from] == ' ') ++from;
    return from;
  };
  size_t start = skip_spaces(0);
  size_t length = start < n ? FirstTokenLength(text.substr(start)) : 0;
  while (start < n) {
    const auto c = static_cast<unsigned char>(text[start]);
    // "#fail", "@united": the word after the sign starts a token of its own too.
    const size_t advance = (c == '@' || c == '#') && length > 1 ? 1 : length;
    const size_t next_start = skip_spaces(start + advance);
    const size_t next_length = next_start < n ? FirstTokenLength(text.substr(next_start)) : 0;
    visit(start, length, next_start, next_length);
    start = next_start;
    length = next_length;
  }
}

template <typename Found>
void WordIndex::ProbeToken(std::string_view text, size_t start, size_t length, uint64_t token_hash,
                           size_t next_start, size_t next_length, Found& found) const {
  const std::string_view token = text.substr(start, length);
  if (const Slot* slot = one_token_.Find(token, token_hash, pool_)) {
    if (slot->leads_phrase() && next_length > 0) {
      const std::string_view two = text.substr(start, next_start + next_length - start);
      if (const Slot* slot2 = two_tokens_.Find(two, Hash(two), pool_)) {
        Verify(two_tokens_, *slot2, text, start, two.size(), found);
      }
    }
    Verify(one_token_, *slot, text, start, length, found);
  }
  if (length >= 2 && has_prefixes_) {
    for (size_t k = has_short_prefixes_ ? 2 : kPrefixKeyBytes; k <= kPrefixKeyBytes; ++k) {
      if (k > length) break;
      const std::string_view key = token.substr(0, k);
      const size_t bit = PrefixFilterBit(key);
      if ((prefix_filter_[bit >> 6] >> (bit & 63) & 1) == 0) continue;
      if (const Slot* slot = prefixes_.Find(key, Hash(key), pool_)) {
        Verify(prefixes_, *slot, text, start, k, found);
      }
    }
  }
}

}  // namespace ecoute
