// Any bytes as a reply template's body and its values (ecoute/templates.h): no crash, no
// hang; a body the check accepts renders in one pass, so that values without "{{" leave
// no "{{" behind, and a language tag, once normalized, stays short and normalizes to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reply/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The body, then up to four values, separated by NUL bytes.
  std::string_view parts[5];
  std::string_view rest = input;
  for (size_t i = 0; i < 5; ++i) {
    const size_t nul = i < 4 ? rest.find('\0') : std::string_view::npos;
    parts[i] = rest.substr(0, nul);
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
  ecoute::reply::TemplateValues values{std::string(parts[1]), std::string(parts[2]),
                                       std::string(parts[3]), std::string(parts[4])};
  const bool accepted = ecoute::reply::CheckTemplateBody(parts[0]).ok();
  const std::string text = ecoute::reply::RenderTemplate(parts[0], values);
  bool values_plain = true;
  for (size_t i = 1; i < 5; ++i) values_plain &= parts[i].find('{') == std::string_view::npos;
  if (accepted && values_plain && parts[0].find('{') != std::string_view::npos &&
      text.find("{{") != std::string::npos) {
    std::abort();  // a variable of an accepted body left in the text
  }
  if (std::optional<std::string> tag = ecoute::reply::NormalizeLanguageTag(parts[0])) {
    if (tag->size() > 12 || ecoute::reply::NormalizeLanguageTag(*tag) != tag) std::abort();
  }
  return 0;
}
