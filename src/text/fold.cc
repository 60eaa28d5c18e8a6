#include "text/fold.h"

namespace ecoute {

int DecomposeAccentFree(char32_t cp, int32_t (&out)[kMaxAccentFreeLength]) {
  static_assert(sizeof(utf8proc_int32_t) == sizeof(int32_t));
  int last_boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cp), out, kMaxAccentFreeLength,
      static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |
                                     UTF8PROC_STRIPMARK),
      &last_boundclass);
  return static_cast<int>(n);
}

}  // namespace ecoute
