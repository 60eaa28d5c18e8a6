#include "extract/word_index.h"

#include <algorithm>
#include <map>

#include "text/normalize.h"
#include "util/utf8.h"

namespace ecoute {
namespace {

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

uint64_t WordIndex::Hash(std::string_view key) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ key.size();
  size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, key.data() + i, 8);
    h = (h ^ word) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  for (size_t k = 0; i + k < key.size(); ++k) {
    tail |= static_cast<uint64_t>(static_cast<unsigned char>(key[i + k])) << (8 * k);
  }
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 29;
  return h * 0x9E3779B97F4A7C15ULL;
}

size_t WordIndex::PrefixFilterBit(std::string_view key) {
  uint32_t v = static_cast<uint32_t>(key.size());
  for (const char c : key) v = v * 0x01000193u ^ static_cast<unsigned char>(c);
  return (v * 2654435761u) >> (32 - 15);
}

const WordIndex::Slot* WordIndex::Table::Find(std::string_view key, uint64_t hash,
                                              const std::string& pool) const {
  if (slots.empty()) return nullptr;
  const auto bit1 = static_cast<uint32_t>(hash >> 20) & filter_mask;
  const auto bit2 = static_cast<uint32_t>(hash >> 40) & filter_mask;
  if ((filter[bit1 >> 6] >> (bit1 & 63) & filter[bit2 >> 6] >> (bit2 & 63) & 1) == 0) {
    return nullptr;
  }
  const auto tag = static_cast<uint32_t>(hash);
  const size_t mask = slots.size() - 1;
  for (size_t i = hash >> shift;; i = (i + 1) & mask) {
    const Slot& slot = slots[i];
    if (slot.key_length == 0) return nullptr;
    if (slot.tag == tag && slot.key_length == key.size() &&
        SameBytes(pool.data() + slot.key_offset, key.data(), key.size())) {
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
  std::map<std::string, bool> leads;
  if (which == 0) {
    for (const Literal& l : literals_) {
      if (l.table == 1) leads[l.text.substr(0, FirstTokenLength(l.text))] = true;
    }
  }
  size_t slots = 16;
  while (slots < groups.size() * 2) slots *= 2;
  table.slots.assign(slots, Slot());
  size_t filter_bits = size_t{1} << 12;
  while (filter_bits < groups.size() * filter_bits_per_key) filter_bits *= 2;
  table.filter.assign(filter_bits / 64, 0);
  table.filter_mask = static_cast<uint32_t>(filter_bits - 1);
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
    slot.first =
        static_cast<uint32_t>(table.candidates.size()) | (leads.count(key) > 0 ? 0x80000000u : 0u);
    slot.count = static_cast<uint16_t>(group.size());
    for (const int shift : {20, 40}) {
      const auto bit = static_cast<uint32_t>(hash >> shift) & table.filter_mask;
      table.filter[bit >> 6] |= uint64_t{1} << (bit & 63);
    }
    pool_ += key;
    for (const Literal* l : group) {
      table.candidates.push_back(Candidate{l->id, static_cast<uint32_t>(pool_.size()),
                                           static_cast<uint32_t>(l->text.size())});
      pool_ += l->text;
    }
    size_t at = hash >> table.shift;
    while (table.slots[at].key_length != 0) at = (at + 1) & mask;
    table.slots[at] = slot;
    if (which == 2) {
      const size_t bit = PrefixFilterBit(key);
      prefix_filter_[bit >> 6] |= uint64_t{1} << (bit & 63);
      has_prefixes_ = true;
      has_short_prefixes_ = has_short_prefixes_ || key.size() < kPrefixKeyBytes;
    }
  }
}

void WordIndex::Build(size_t filter_bits_per_key) {
  pool_.clear();
  prefix_filter_.assign(kPrefixFilterBits / 64, 0);
  has_prefixes_ = false;
  has_short_prefixes_ = false;
  BuildTable(0, filter_bits_per_key, one_token_);
  BuildTable(1, filter_bits_per_key, two_tokens_);
  BuildTable(2, filter_bits_per_key, prefixes_);
}

}  // namespace ecoute
