#include "extract/word_index.h"

#include <algorithm>
#include <bit>
#include <map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "text/normalize.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

using word_index_internal::Load64;
using word_index_internal::LowBytes;
using word_index_internal::SameBytesPadded;

// Hashes, heads and filter keys read bytes as little-endian words.
static_assert(std::endian::native == std::endian::little);

bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsAsciiLetter(unsigned char c) { return c >= 'a' && c <= 'z'; }

// Length of the run of letters (or digits, when `digits`) at the start of `s`.
size_t RunLength(std::string_view s, bool digits) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (digits ? !IsAsciiDigit(c) : !(IsAsciiLetter(c) || (c >= 'A' && c <= 'Z'))) break;
      ++i;
      continue;
    }
    if (digits) break;
    size_t length = 0;
    const char32_t cp = DecodeUtf8(s, i, length);
    if (!IsWordCodepoint(cp)) break;
    i += length;
  }
  return i;
}

}  // namespace

size_t FirstTokenLength(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  if (IsAsciiLetter(c)) {
    // Fast path: normalized text is mostly lower-case ASCII words.
    size_t i = 1;
    while (i < s.size() && IsAsciiLetter(static_cast<unsigned char>(s[i]))) ++i;
    if (i == s.size() || static_cast<unsigned char>(s[i]) < 0x80) return i;
    return i + RunLength(s.substr(i), false);
  }
  if (IsAsciiDigit(c)) return RunLength(s, true);
  if ((c == '@' || c == '#') && s.size() > 1) {
    size_t i = 1;
    while (i < s.size()) {
      const size_t run = std::max(RunLength(s.substr(i), false), RunLength(s.substr(i), true));
      if (run == 0) break;
      i += run;
    }
    return i;
  }
  size_t length = 1;
  if (c >= 0x80) {
    const char32_t cp = DecodeUtf8(s, 0, length);
    if (IsWordCodepoint(cp)) return RunLength(s, false);
  }
  return length;
}

namespace {

// The length of the token that starts with the ASCII letter at text[i] of padded `text`.
size_t LetterTokenLength(std::string_view text, size_t i) {
  const char* p = text.data();
  size_t j = i + 1;
#if defined(__SSE2__)
  // Sixteen bytes at a time: the padding's zero bytes end every run.
  const __m128i before_a = _mm_set1_epi8('a' - 1);
  const __m128i after_z = _mm_set1_epi8('z' + 1);
  while (true) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
    const __m128i letters =
        _mm_and_si128(_mm_cmpgt_epi8(bytes, before_a), _mm_cmplt_epi8(bytes, after_z));
    const auto others = static_cast<uint32_t>(~_mm_movemask_epi8(letters)) & 0xFFFFu;
    if (others != 0) {
      j += static_cast<size_t>(std::countr_zero(others));
      break;
    }
    j += 16;
  }
#else
  while (j < text.size() && IsAsciiLetter(static_cast<unsigned char>(p[j]))) ++j;
#endif
  if (j >= text.size() || static_cast<unsigned char>(p[j]) < 0x80) return j - i;
  return j - i + RunLength(text.substr(j), false);
}

}  // namespace

void WordIndex::Pad(std::string_view text, std::string& padded) {
  padded.resize(text.size() + kPadding);
  if (!text.empty()) std::memcpy(padded.data(), text.data(), text.size());
  std::memset(padded.data() + text.size(), 0, kPadding);
}

void WordIndex::Tokenize(std::string_view text, std::vector<Token>& tokens) {
  tokens.clear();
  const char* p = text.data();
  const size_t n = text.size();
  size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  while (i < n) {
    const auto c = static_cast<unsigned char>(p[i]);
    // Normalized text is mostly lower-case ASCII words.
    const size_t length =
        IsAsciiLetter(c) ? LetterTokenLength(text, i) : FirstTokenLength(text.substr(i));
    tokens.push_back(
        Token{static_cast<uint32_t>(i), static_cast<uint32_t>(length), HashPadded(p + i, length)});
    // "#fail", "@united": the word after the sign starts a token of its own too.
    i += (c == '@' || c == '#') && length > 1 ? 1 : length;
    while (i < n && p[i] == ' ') ++i;
  }
}

size_t WordIndex::PrefixFilterBit(uint32_t key_bytes) {
  return (key_bytes * 2654435761u) >> (32 - 15);
}

const WordIndex::Slot* WordIndex::Table::FindSlot(const char* key, size_t length, uint64_t hash,
                                                  const char* pool) const {
  const auto tag = static_cast<uint32_t>(hash);
  const size_t mask = slots.size() - 1;
  for (size_t i = hash >> shift;; i = (i + 1) & mask) {
    const Slot& slot = slots[i];
    if (slot.key_length == 0) return nullptr;
    if (slot.tag == tag && slot.key_length == length &&
        SameBytesPadded(pool + slot.key_offset, key, length)) {
      return &slot;
    }
  }
}

void WordIndex::Add(std::string_view literal, uint32_t id, bool is_open_prefix) {
  if (literal.empty()) return;
  Literal l;
  l.text = std::string(literal);
  l.id = id;
  const size_t first = FirstTokenLength(literal);
  l.key_length = first;
  if (is_open_prefix && first == literal.size()) {
    l.table = 2;
    l.key_length = std::min(literal.size(), kPrefixKeyBytes);
  } else {
    // Two-token key when the second token is whole (not the open end of a prefix).
    size_t second_start = first;
    while (second_start < literal.size() && literal[second_start] == ' ') ++second_start;
    if (second_start < literal.size()) {
      const size_t second_end = second_start + FirstTokenLength(literal.substr(second_start));
      if (second_end < literal.size() || !is_open_prefix) {
        l.table = 1;
        l.key_length = second_end;
      }
    }
  }
  literals_.push_back(std::move(l));
}

void WordIndex::BuildTable(int which, size_t filter_bits_per_key, Table& table) {
  // key -> literals, and keys that lead a phrase of two tokens or more.
  std::map<std::string, std::vector<const Literal*>> groups;
  for (const Literal& l : literals_) {
    if (l.table == which) groups[l.text.substr(0, l.key_length)].push_back(&l);
    if (which == 0 && l.table == 1) groups[l.text.substr(0, FirstTokenLength(l.text))];
  }
  // The tokens that follow each key in phrases (ProbeToken's MayLeadPhraseWith).
  std::map<std::string, uint64_t> followers;
  if (which == 0) {
    for (const Literal& l : literals_) {
      if (l.table != 1) continue;
      const size_t first = FirstTokenLength(l.text);
      size_t second = first;
      while (second < l.key_length && l.text[second] == ' ') ++second;
      const uint64_t hash = Hash(std::string_view(l.text).substr(second, l.key_length - second));
      followers[l.text.substr(0, first)] |= uint64_t{1} << (hash >> 58);
    }
  }
  size_t slots = 16;
  while (slots < groups.size() * 2) slots *= 2;
  table.slots.assign(slots, Slot());
  size_t filter_bits = size_t{1} << 12;
  while (filter_bits < groups.size() * filter_bits_per_key) filter_bits *= 2;
  table.filter.assign(filter_bits / 64, 0);
  table.filter_mask = static_cast<uint32_t>(filter_bits / 64 - 1);
  table.candidates.clear();
  table.shift = 64 - static_cast<int>(__builtin_ctzll(slots));
  const size_t mask = slots - 1;
  for (auto& [key, group] : groups) {
    // Longer literals first, so that hits at one start come longest first.
    std::sort(group.begin(), group.end(), [](const Literal* a, const Literal* b) {
      if (a->text.size() != b->text.size()) return a->text.size() > b->text.size();
      return a->id < b->id;
    });
    if (key.size() > UINT16_MAX || group.size() > UINT16_MAX) continue;  // never in practice
    const uint64_t hash = Hash(key);
    Slot slot;
    slot.tag = static_cast<uint32_t>(hash);
    slot.key_offset = static_cast<uint32_t>(pool_.size());
    slot.key_length = static_cast<uint16_t>(key.size());
    slot.first = static_cast<uint32_t>(table.candidates.size());
    if (const auto it = followers.find(key); it != followers.end()) slot.followers = it->second;
    slot.count = static_cast<uint16_t>(group.size());
    table.filter[(hash >> 20) & table.filter_mask] |= Table::FilterBits(hash);
    pool_ += key;
    for (const Literal* l : group) {
      uint64_t head = 0;
      std::memcpy(&head, l->text.data() + key.size(),
                  std::min<size_t>(8, l->text.size() - key.size()));
      table.candidates.push_back(Candidate{l->id, static_cast<uint32_t>(pool_.size()),
                                           static_cast<uint32_t>(l->text.size()), head});
      pool_ += l->text;
    }
    size_t at = hash >> table.shift;
    while (table.slots[at].key_length != 0) at = (at + 1) & mask;
    table.slots[at] = slot;
    if (which == 2) {
      uint32_t key_bytes = 0;
      std::memcpy(&key_bytes, key.data(), std::min<size_t>(key.size(), sizeof key_bytes));
      const size_t bit = PrefixFilterBit(key_bytes);
      prefix_filter_[bit >> 6] |= uint64_t{1} << (bit & 63);
      has_prefixes_ = true;
      if (key.size() < kPrefixKeyBytes) short_prefix_lengths_ |= uint32_t{1} << key.size();
    }
  }
}

void WordIndex::Build(size_t filter_bits_per_key) {
  pool_.clear();
  prefix_filter_.assign(kPrefixFilterBits / 64, 0);
  has_prefixes_ = false;
  short_prefix_lengths_ = 0;
  BuildTable(0, filter_bits_per_key, one_token_);
  BuildTable(1, filter_bits_per_key, two_tokens_);
  BuildTable(2, filter_bits_per_key, prefixes_);
  pool_.append(kPadding, '\0');  // the word-at-a-time comparisons may read past the end
}

}  // namespace ecoute
