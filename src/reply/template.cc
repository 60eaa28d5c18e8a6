// Reply templates: their variables, their text for a case, their order of suggestion, and
// the checks made before one is saved.
#include "reply/template.h"

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include <utf8proc.h>

#include "ecoute/analysis.h"

#include "util/utf8.h"

namespace ecoute {
namespace reply {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

bool IsVariable(std::string_view name) {
  return std::find(std::begin(kTemplateVariables), std::end(kTemplateVariables), name) !=
         std::end(kTemplateVariables);
}

std::string KnownVariables() {
  std::string out;
  const size_t n = std::size(kTemplateVariables);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += i + 1 == n ? " and " : ", ";
    out += "{{" + std::string(kTemplateVariables[i]) + "}}";
  }
  return out;
}

// At most `max` bytes of `s`, cut on a character boundary, for a message.
std::string Excerpt(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end)) + "...";
}

std::string_view ValueOf(std::string_view name, const TemplateValues& v) {
  if (name == "customer") return v.customer;
  if (name == "brand") return v.brand;
  if (name == "case") return v.case_id;
  return v.agent;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

bool SameTag(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

// 0: the case's own tag; 1: its language without the region ("fr" for "fr-CA"); 2: every
// language; -1: another language.
int LanguageRank(std::string_view template_lang, std::string_view case_lang) {
  if (template_lang.empty()) return 2;
  if (SameTag(template_lang, case_lang)) return 0;
  if (case_lang.size() > template_lang.size() && case_lang[template_lang.size()] == '-' &&
      SameTag(template_lang, case_lang.substr(0, template_lang.size()))) {
    return 1;
  }
  return -1;
}

// Case-folded and composed, so that "LUNÉA", "lunéa" and "lune\u0301a" compare equal.
std::string Fold(std::string_view s) {
  utf8proc_uint8_t* folded = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &folded,
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (n < 0) return std::string(s);
  std::string out(reinterpret_cast<const char*>(folded), static_cast<size_t>(n));
  std::free(folded);
  return out;
}

}  // namespace

Status CheckTemplateBody(std::string_view body) {
  size_t at = 0;
  while ((at = body.find("{{", at)) != std::string_view::npos) {
    const size_t close = body.find("}}", at + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("body: the \"{{\" at byte " + std::to_string(at) +
                                  " is not closed: write a variable as {{customer}}, or remove "
                                  "the braces; the known variables are " +
                                  KnownVariables());
    }
    const std::string_view name = Trim(body.substr(at + 2, close - at - 2));
    if (!IsVariable(name)) {
      return InvalidArgumentError("body: unknown variable {{" + Excerpt(name, 40) +
                                  "}}: the known variables are " + KnownVariables());
    }
    at = close + 2;
  }
  return OkStatus();
}

std::string RenderTemplate(std::string_view body, const TemplateValues& values) {
  std::string out;
  out.reserve(body.size());
  size_t at = 0;
  while (at < body.size()) {
    const size_t open = body.find("{{", at);
    const size_t close = open == std::string_view::npos ? open : body.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    const std::string_view name = Trim(body.substr(open + 2, close - open - 2));
    out.append(body.substr(at, open - at));
    if (IsVariable(name)) {
      out.append(ValueOf(name, values));
    } else {
      out.append(body.substr(open, close + 2 - open));
    }
    at = close + 2;
  }
  if (at < body.size()) out.append(body.substr(at));
  return out;
}

std::vector<ReplyTemplate> SuggestTemplates(const std::vector<ReplyTemplate>& templates,
                                            const CaseTraits& traits) {
  const std::string brand = Fold(traits.brand);
  using Key = std::tuple<int, int, int, std::string, int64_t>;
  std::vector<std::pair<Key, const ReplyTemplate*>> ranked;
  for (const ReplyTemplate& t : templates) {
    const int brand_rank = t.brand.empty() ? 1 : Fold(t.brand) == brand ? 0 : -1;
    const int lang_rank = LanguageRank(t.lang, traits.lang);
    const int topic_rank = t.topic.empty() ? 1 : t.topic == traits.topic ? 0 : -1;
    if (brand_rank < 0 || lang_rank < 0 || topic_rank < 0) continue;
    ranked.push_back({Key{brand_rank, lang_rank, topic_rank, Fold(t.name), t.id}, &t});
  }
  std::sort(ranked.begin(), ranked.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ReplyTemplate> out;
  out.reserve(ranked.size());
  for (const auto& [key, t] : ranked) out.push_back(*t);
  return out;
}

std::optional<std::string> NormalizeLanguageTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 12) return std::nullopt;
  std::string out;
  size_t start = 0;
  for (int part = 0; start <= tag.size(); ++part) {
    const size_t end = std::min(tag.find('-', start), tag.size());
    const std::string_view sub = tag.substr(start, end - start);
    const bool alpha = std::all_of(sub.begin(), sub.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
    const bool alnum = std::all_of(sub.begin(), sub.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
    if (part == 0 ? !alpha || sub.size() < 2 || sub.size() > 3
                  : !alnum || sub.size() < 2 || sub.size() > 8) {
      return std::nullopt;
    }
    if (part > 0) out.push_back('-');
    for (size_t i = 0; i < sub.size(); ++i) {
      // BCP 47's usual case: language lower, script title ("Hant"), region upper ("CA").
      const bool upper =
          part > 0 && ((sub.size() == 2 && alpha) || (sub.size() == 4 && alpha && i == 0));
      out.push_back(upper ? Upper(sub[i]) : Lower(sub[i]));
    }
    start = end + 1;
  }
  return out;
}

}  // namespace reply

Status CheckTemplate(const BrandCatalog& catalog, ReplyTemplate& t) {
  const std::string_view name = reply::Trim(t.name);
  if (name.empty()) return InvalidArgumentError("name: give the template a name agents pick it by");
  if (name.size() > kMaxTemplateNameBytes || name.find_first_of("\r\n") != std::string_view::npos ||
      !IsValidUtf8(name)) {
    return InvalidArgumentError("name: one line of text of at most " +
                                std::to_string(kMaxTemplateNameBytes) + " bytes");
  }
  t.name = std::string(name);
  if (!t.brand.empty()) {
    const std::string folded = reply::Fold(t.brand);
    const Brand* found = nullptr;
    for (const Brand& b : catalog.brands) {
      if (reply::Fold(b.name) == folded ||
          std::any_of(b.aliases.begin(), b.aliases.end(),
                      [&](const std::string& a) { return reply::Fold(a) == folded; })) {
        found = &b;
        break;
      }
    }
    if (found == nullptr) {
      return InvalidArgumentError("brand: \"" + reply::Excerpt(t.brand, 60) +
                                  "\" is not in the brand catalog: give a brand's name as the "
                                  "catalog has it, or \"\" for every brand");
    }
    t.brand = found->name;
  }
  if (!t.lang.empty()) {
    std::optional<std::string> lang = reply::NormalizeLanguageTag(t.lang);
    if (!lang) {
      return InvalidArgumentError("lang: \"" + reply::Excerpt(t.lang, 20) +
                                  "\" is not a short BCP 47 language tag: give one such as \"fr\" "
                                  "or \"fr-CA\", or \"\" for every language");
    }
    t.lang = *lang;
  }
  if (Topic topic; !t.topic.empty() && !ParseTopic(t.topic, topic)) {
    std::string known;
    for (int i = 0; i < kTopicCount; ++i) {
      known += (i > 0 ? ", " : "") + std::string(TopicName(static_cast<Topic>(i)));
    }
    return InvalidArgumentError("topic: unknown topic \"" + reply::Excerpt(t.topic, 40) +
                                "\": give one of " + known + ", or \"\" for every topic");
  }
  if (reply::Trim(t.body).find_first_not_of("\r\n") == std::string_view::npos) {
    return InvalidArgumentError("body: write the text of the reply");
  }
  if (t.body.size() > kMaxTemplateBodyBytes) {
    return InvalidArgumentError("body: " + std::to_string(t.body.size()) + " bytes, more than " +
                                std::to_string(kMaxTemplateBodyBytes) + ": shorten it");
  }
  if (!IsValidUtf8(t.body)) return InvalidArgumentError("body: not valid UTF-8 text");
  return reply::CheckTemplateBody(t.body);
}

}  // namespace ecoute
