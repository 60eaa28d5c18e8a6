#include "extract/lexicon.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "text/normalize.h"

namespace ecoute {
namespace {

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view NextField(std::string_view& line) {
  line = TrimView(line);
  const size_t end = line.find_first_of(" \t");
  std::string_view field = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return field;
}

// Parses "kind" or "kind.detail" into `cue`; false for an unknown kind.
bool ParseKind(std::string_view kind, Cue& cue) {
  const size_t dot = kind.find('.');
  const std::string_view head = kind.substr(0, dot);
  const std::string_view detail =
      dot == std::string_view::npos ? std::string_view() : kind.substr(dot + 1);
  struct Simple {
    std::string_view name;
    CueKind kind;
  };
  static constexpr Simple kSimple[] = {
      {"function", CueKind::kFunction},
      {"complaint", CueKind::kComplaint},
      {"praise", CueKind::kPraise},
      {"resolution", CueKind::kResolution},
      {"question", CueKind::kQuestion},
      {"negator", CueKind::kNegator},
      {"intensifier", CueKind::kIntensifier},
      {"multiplier", CueKind::kMultiplier},
      {"number", CueKind::kNumber},
      {"duration", CueKind::kDuration},
      {"clause", CueKind::kClause},
      {"irony", CueKind::kIrony},
      {"outside_cause", CueKind::kOutsideCause},
  };
  if (detail.empty()) {
    for (const Simple& s : kSimple) {
      if (s.name == head) {
        cue.kind = s.kind;
        return true;
      }
    }
    return false;
  }
  if (head == "topic") {
    Topic topic;
    if (!ParseTopic(detail, topic) || topic == Topic::kOther) return false;
    cue.kind = CueKind::kTopic;
    cue.detail = static_cast<uint8_t>(topic);
    return true;
  }
  if (head == "channel") {
    Channel channel;
    if (!ParseChannel(detail, channel)) return false;
    cue.kind = CueKind::kChannel;
    cue.detail = static_cast<uint8_t>(channel);
    return true;
  }
  if (head == "severity") {
    Signal signal;
    if (!ParseSignal(detail, signal)) return false;
    cue.kind = CueKind::kSignal;
    cue.detail = static_cast<uint8_t>(signal);
    return true;
  }
  if (head == "currency") {
    if (detail.size() != 3 ||
        !std::all_of(detail.begin(), detail.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return false;
    }
    cue.kind = CueKind::kCurrency;
    cue.currency = std::string(detail);
    return true;
  }
  return false;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

void MarkNegationImmuneCues(Lexicon& lexicon) {
  // Negators by language: whole words, and open prefixes.
  std::vector<std::vector<std::string>> words(lexicon.langs.size());
  std::vector<std::vector<std::string>> prefixes(lexicon.langs.size());
  for (const Cue& cue : lexicon.cues) {
    if (cue.kind != CueKind::kNegator || cue.lang >= words.size()) continue;
    (cue.is_prefix ? prefixes : words)[cue.lang].push_back(" " + cue.term + " ");
  }
  for (Cue& cue : lexicon.cues) {
    if (cue.kind < CueKind::kComplaint || cue.kind > CueKind::kQuestion) continue;
    if (cue.lang >= words.size()) continue;
    const std::string padded = " " + cue.term + " ";
    auto contains = [&](const std::string& needle) {
      return padded.find(needle) != std::string::npos;
    };
    cue.is_negation_immune =
        std::any_of(words[cue.lang].begin(), words[cue.lang].end(), contains) ||
        std::any_of(prefixes[cue.lang].begin(), prefixes[cue.lang].end(),
                    [&](const std::string& p) { return contains(p.substr(0, p.size() - 1)); });
  }
}

Status ParseCues(std::string_view text, std::string_view file_name, std::string_view lang,
                 Lexicon& lexicon) {
  auto lang_it = std::find(lexicon.langs.begin(), lexicon.langs.end(), lang);
  if (lang_it == lexicon.langs.end()) {
    if (lexicon.langs.size() >= 255) {
      return InvalidArgumentError(std::string(file_name) + ": too many languages");
    }
    lexicon.langs.emplace_back(lang);
    lang_it = lexicon.langs.end() - 1;
  }
  const auto lang_index = static_cast<uint8_t>(lang_it - lexicon.langs.begin());
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = TrimView(line);
    if (line.empty()) continue;
    const std::string where = std::string(file_name) + ":" + std::to_string(line_number);
    const std::string_view kind = NextField(line);
    const std::string_view weight_text = NextField(line);
    const std::string_view term = TrimView(line);
    Cue cue;
    cue.lang = lang_index;
    if (!ParseKind(kind, cue)) {
      return InvalidArgumentError(where + ": unknown kind `" + std::string(kind) +
                                  "` (see docs/LEXICONS.md for the list)");
    }
    const auto [end, ec] =
        std::from_chars(weight_text.data(), weight_text.data() + weight_text.size(), cue.weight);
    if (ec != std::errc() || end != weight_text.data() + weight_text.size() || !(cue.weight > 0)) {
      return InvalidArgumentError(where + ": weight `" + std::string(weight_text) +
                                  "` is not a positive number");
    }
    if (term.empty()) return InvalidArgumentError(where + ": the term is missing");
    std::string_view raw = term;
    if (raw.size() > 1 && raw.back() == '*') {
      cue.is_prefix = true;
      raw.remove_suffix(1);
    }
    cue.term = NormalizeTerm(raw);
    if (cue.term.empty()) {
      return InvalidArgumentError(where + ": the term `" + std::string(term) +
                                  "` is empty once normalized");
    }
    if (cue.kind == CueKind::kNumber) {
      lexicon.numbers.emplace(cue.term, cue.weight);
    } else {
      lexicon.cues.push_back(std::move(cue));
    }
  }
  return OkStatus();
}

Result<Lexicon> LoadLexicon(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(dir +
                         ": lexicon directory not found (set ECOUTE_DATA_DIR to the "
                         "folder holding lexicon/)");
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".cues") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  Lexicon lexicon;
  for (const fs::path& file : files) {
    ECOUTE_ASSIGN_OR_RETURN(std::string text, ReadFile(file.string()));
    ECOUTE_RETURN_IF_ERROR(
        ParseCues(text, file.filename().string(), file.stem().string(), lexicon));
  }
  MarkNegationImmuneCues(lexicon);
  const fs::path common = fs::path(dir) / "common_words.txt";
  if (fs::exists(common, ec)) {
    ECOUTE_ASSIGN_OR_RETURN(std::string text, ReadFile(common.string()));
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
      const size_t colon = line.find(':');
      std::string word = NormalizeTerm(TrimView(std::string_view(line).substr(0, colon)));
      if (word.empty()) continue;
      if (colon != std::string::npos) {
        std::string_view phrases = std::string_view(line).substr(colon + 1);
        while (!phrases.empty()) {
          const size_t comma = phrases.find(',');
          std::string phrase = NormalizeTerm(TrimView(phrases.substr(0, comma)));
          if (!phrase.empty()) lexicon.lookalikes.emplace_back(word, std::move(phrase));
          if (comma == std::string_view::npos) break;
          phrases.remove_prefix(comma + 1);
        }
      }
      lexicon.common_words.push_back(std::move(word));
    }
    std::sort(lexicon.common_words.begin(), lexicon.common_words.end());
    std::sort(lexicon.lookalikes.begin(), lexicon.lookalikes.end());
  }
  return lexicon;
}

}  // namespace ecoute
