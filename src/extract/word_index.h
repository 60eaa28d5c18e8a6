// WordIndex: finds, at each token start of a normalized text, the literals that begin
// there. Literals are filed under their first token (or first two tokens) in hash tables
// and confirmed by comparing bytes; literals ending with an open prefix ("rembours*") are
// filed under their first three bytes.
//
// The text is cut into tokens once (WordIndex::Tokenize), each with its hash; every index
// then probes each token with that hash, and a second time only when the token starts a
// longer phrase: the cost does not grow with the number of literals, so a catalog of
// thousands of brands costs about what an empty one does. The same tokens and hashes feed
// the models' features (classify/linear_model.h).
//
// Hot loops read the text eight or sixteen bytes at a time. They take a *padded* text: a
// view whose bytes are followed by WordIndex::kPadding readable zero bytes (WordIndex::Pad
// makes one), so that no read needs a bounds check.
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

// A token of a normalized text: [start, start + length) and its WordIndex::Hash.
struct Token {
  uint32_t start = 0;
  uint32_t length = 0;
  uint64_t hash = 0;
};

class WordIndex {
 public:
  // Zero bytes that follow a padded text.
  static constexpr size_t kPadding = 16;

  // Files literal number `id` (normalized, non-empty). `is_open_prefix`: its last token may
  // continue in the text ("rembours" matching "remboursement").
  void Add(std::string_view literal, uint32_t id, bool is_open_prefix);
  // Builds the tables; call once, after every Add. The index is then immutable.
  // `filter_bits_per_key` sizes the Bloom filter that answers for absent tokens: more bits,
  // fewer slot probes; fewer bits, a smaller filter that stays in cache.
  void Build(size_t filter_bits_per_key = 16);

  // Calls found(id, begin, end) for every literal whose bytes appear at a token start of
  // `text`, in text order (longer literals first at one start; end is where its bytes
  // end). Boundary checks are the caller's. Copies the text; the scanner's path
  // (Pad, Tokenize, ProbeToken) does not.
  template <typename Found>
  void ForEachCandidate(std::string_view text, Found&& found) const {
    std::string padded;
    Pad(text, padded);
    const std::string_view t(padded.data(), text.size());
    std::vector<Token> tokens;
    Tokenize(t, tokens);
    for (size_t k = 0; k < tokens.size(); ++k) {
      ProbeToken(t, tokens[k], k + 1 < tokens.size() ? &tokens[k + 1] : nullptr, found);
    }
  }

  // Replaces `padded` with `text` followed by kPadding zero bytes; the padded text is then
  // std::string_view(padded.data(), text.size()).
  static void Pad(std::string_view text, std::string& padded);
  // Replaces `tokens` with the token starts of padded normalized `text`, in text order:
  // tokens are separated by spaces or follow each other ("15h30": "15", "h", "30"); after
  // '@' or '#' the word the sign opens starts a token of its own too ("#fail", "fail").
  static void Tokenize(std::string_view text, std::vector<Token>& tokens);
  // Reports the literals that start at `token` of padded `text` (`next`: the token after
  // it, or nullptr at the end), in the order ForEachCandidate gives.
  template <typename Found>
  void ProbeToken(std::string_view text, const Token& token, const Token* next, Found& found) const;
  // False when no literal can start at `token`: a cheap test (one read of a filter) before
  // ProbeToken, for an index that most tokens miss.
  bool MayStartAt(const Token& token) const {
    return one_token_.MayContain(token.hash) || (has_prefixes_ && token.length >= 2);
  }

  // The hash of a token or key; the models' features are built from it, so it must not
  // change (a trained model would read other features). HashPadded gives the same value
  // for the `length` bytes at `p`, which must be followed by 8 readable bytes.
  static uint64_t Hash(std::string_view key);
  static uint64_t HashPadded(const char* p, size_t length);

  size_t size() const { return literals_.size(); }

 private:
  struct Candidate {
    uint32_t id;
    uint32_t offset;  // of the literal's bytes in pool_
    uint32_t length;
    // The first (up to) 8 bytes after the key, zero beyond the literal: most candidates
    // that do not match are told by one comparison.
    uint64_t head;
  };
  struct Slot {
    uint32_t tag = 0;         // the hash's low 32 bits
    uint32_t key_offset = 0;  // into pool_
    uint32_t first = 0;       // into candidates
    uint16_t key_length = 0;  // 0: an empty slot
    uint16_t count = 0;
    // When the key is a token that starts phrases (one_token_ only): a bit for each token
    // that follows it in one of them, the top six bits of that token's hash. Most tokens
    // that start a phrase ("de", "pas") are followed by another word, which this tells
    // without hashing and probing the pair.
    uint64_t followers = 0;
    bool MayLeadPhraseWith(uint64_t next_hash) const {
      return (followers >> (next_hash >> 58)) & 1;
    }
  };
  struct Table {
    std::vector<Slot> slots;
    std::vector<Candidate> candidates;  // grouped by key, longer literals first
    // A blocked Bloom filter of the keys: two bits in one word per key. Most tokens of a
    // text are in no table, and one read of the filter answers for them.
    std::vector<uint64_t> filter;
    int shift = 60;            // a hash's slot is its top bits, the well-mixed ones
    uint32_t filter_mask = 0;  // words - 1
    static uint64_t FilterBits(uint64_t hash) {
      return (uint64_t{1} << ((hash >> 40) & 63)) | (uint64_t{1} << ((hash >> 46) & 63));
    }
    // `key` is padded; so is `pool`.
    bool MayContain(uint64_t hash) const {
      const uint64_t bits = FilterBits(hash);
      return !filter.empty() && (filter[(hash >> 20) & filter_mask] & bits) == bits;
    }
    const Slot* Find(const char* key, size_t length, uint64_t hash, const char* pool) const {
      return MayContain(hash) ? FindSlot(key, length, hash, pool) : nullptr;
    }
    const Slot* FindSlot(const char* key, size_t length, uint64_t hash, const char* pool) const;
  };
  struct Literal {
    std::string text;
    uint32_t id = 0;
    size_t key_length = 0;  // bytes of its key in the table it is filed in
    int table = 0;          // 0: one token, 1: two tokens, 2: open prefix
  };

  // Open prefixes are filed under their first kPrefixKeyBytes bytes (all of them when
  // shorter); a bitmap of those keys spares most tokens the probe. Prefixes of one byte
  // are never looked for.
  static constexpr size_t kPrefixKeyBytes = 4;
  static constexpr size_t kPrefixFilterBits = 1 << 15;

  static size_t PrefixFilterBit(uint32_t key_bytes);
  void BuildTable(int which, size_t filter_bits_per_key, Table& table);
  template <typename Found>
  void Verify(const Table& table, const Slot& slot, std::string_view text, size_t at,
              size_t key_length, Found& found) const;

  std::vector<Literal> literals_;
  std::string pool_;  // keys and literal bytes, then kPadding zero bytes
  Table one_token_;   // by first token
  Table two_tokens_;  // by first two tokens ("pas de" for "pas de réponse")
  Table prefixes_;    // one-token open prefixes, by their first kPrefixKeyBytes bytes
  std::vector<uint64_t> prefix_filter_;
  bool has_prefixes_ = false;
  uint32_t short_prefix_lengths_ = 0;  // bit k: an open prefix of k < kPrefixKeyBytes bytes
};

namespace word_index_internal {

inline uint64_t Load64(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

// The low `n` bytes of a little-endian word (n <= 8).
inline uint64_t LowBytes(size_t n) { return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1; }

// Whether the `n` bytes at a and b are equal; both must be followed by 8 readable bytes.
inline bool SameBytesPadded(const char* a, const char* b, size_t n) {
  while (n > 8) {
    if (Load64(a) != Load64(b)) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  return ((Load64(a) ^ Load64(b)) & LowBytes(n)) == 0;
}

inline uint64_t HashFinish(uint64_t h, uint64_t tail) {
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 29;
  return h * 0x9E3779B97F4A7C15ULL;
}

inline uint64_t HashWord(uint64_t h, uint64_t word) {
  h = (h ^ word) * 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

}  // namespace word_index_internal

inline uint64_t WordIndex::HashPadded(const char* p, size_t length) {
  using word_index_internal::HashFinish;
  using word_index_internal::HashWord;
  using word_index_internal::Load64;
  using word_index_internal::LowBytes;
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ length;
  size_t n = length;
  while (n >= 8) {
    h = HashWord(h, Load64(p));
    p += 8;
    n -= 8;
  }
  return HashFinish(h, Load64(p) & LowBytes(n));
}

inline uint64_t WordIndex::Hash(std::string_view key) {
  using word_index_internal::HashFinish;
  using word_index_internal::HashWord;
  using word_index_internal::Load64;
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ key.size();
  const char* p = key.data();
  size_t n = key.size();
  while (n >= 8) {
    h = HashWord(h, Load64(p));
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  if (n > 0) std::memcpy(&tail, p, n);  // little-endian, as HashPadded reads it
  return HashFinish(h, tail);
}

template <typename Found>
void WordIndex::Verify(const Table& table, const Slot& slot, std::string_view text, size_t at,
                       size_t key_length, Found& found) const {
  using word_index_internal::Load64;
  using word_index_internal::LowBytes;
  using word_index_internal::SameBytesPadded;
  const Candidate* c = table.candidates.data() + slot.first;
  const Candidate* const end = c + slot.count;
  const char* const after_key = text.data() + at + key_length;
  for (; c < end; ++c) {
    if (at + c->length > text.size()) continue;
    // The key's bytes already match: compare what follows them.
    const size_t rest = c->length - key_length;
    if (((Load64(after_key) & LowBytes(rest)) != c->head) ||
        (rest > 8 &&
         !SameBytesPadded(after_key + 8, pool_.data() + c->offset + key_length + 8, rest - 8))) {
      continue;
    }
    found(c->id, at, at + c->length);
  }
}

template <typename Found>
void WordIndex::ProbeToken(std::string_view text, const Token& token, const Token* next,
                           Found& found) const {
  using word_index_internal::Load64;
  using word_index_internal::LowBytes;
  const char* const at = text.data() + token.start;
  if (const Slot* slot = one_token_.Find(at, token.length, token.hash, pool_.data())) {
    if (next != nullptr && slot->MayLeadPhraseWith(next->hash)) {
      const size_t two = next->start + next->length - token.start;
      if (const Slot* slot2 = two_tokens_.Find(at, two, HashPadded(at, two), pool_.data())) {
        Verify(two_tokens_, *slot2, text, token.start, two, found);
      }
    }
    Verify(one_token_, *slot, text, token.start, token.length, found);
  }
  if (token.length >= 2 && has_prefixes_) {
    const uint64_t word = Load64(at);
    for (size_t k = 2; k <= kPrefixKeyBytes; ++k) {
      if (k > token.length) break;
      if (k < kPrefixKeyBytes && (short_prefix_lengths_ >> k & 1) == 0) continue;
      const size_t bit = PrefixFilterBit(static_cast<uint32_t>(word & LowBytes(k)));
      if ((prefix_filter_[bit >> 6] >> (bit & 63) & 1) == 0) continue;
      if (const Slot* slot = prefixes_.Find(at, k, HashPadded(at, k), pool_.data())) {
        Verify(prefixes_, *slot, text, token.start, k, found);
      }
    }
  }
}

}  // namespace ecoute
