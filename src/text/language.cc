#include "text/language.h"

#include <cld2/public/compact_lang_det.h>

namespace ecoute {
namespace {

std::string_view CodeOf(CLD2::Language language) {
  if (language == CLD2::UNKNOWN_LANGUAGE || language == CLD2::TG_UNKNOWN_LANGUAGE) {
    return "und";
  }
  return CLD2::LanguageCode(language);
}

}  // namespace

std::string_view DetectLanguageWithCld2(std::string_view text, std::vector<LanguageShare>& shares) {
  shares.clear();
  size_t length = std::min(text.size(), kCld2SampleBytes);
  // Cut on a character boundary: CLD2 wants whole UTF-8 sequences.
  while (length > 0 && length < text.size() &&
         (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80) {
    --length;
  }
  CLD2::Language languages[3];
  int percents[3];
  int text_bytes = 0;
  bool is_reliable = false;
  const CLD2::Language top =
      CLD2::DetectLanguageSummary(text.data(), static_cast<int>(length), /*is_plain_text=*/true,
                                  languages, percents, &text_bytes, &is_reliable);
  int total = 0;
  for (int i = 0; i < 3; ++i) {
    if (languages[i] != CLD2::UNKNOWN_LANGUAGE) total += percents[i];
  }
  for (int i = 0; i < 3 && total > 0; ++i) {
    if (languages[i] == CLD2::UNKNOWN_LANGUAGE || percents[i] <= 0) continue;
    shares.push_back({CodeOf(languages[i]), static_cast<double>(percents[i]) / total});
  }
  // CLD2 answers ENGLISH when it found nothing to go on: say so instead.
  if (shares.empty() || (!is_reliable && text_bytes < 16)) {
    shares.clear();
    return "und";
  }
  return CodeOf(top);
}

}  // namespace ecoute
