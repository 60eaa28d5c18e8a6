// Any bytes as a brand catalog: an error or a catalog, never a crash; a catalog that
// parses must also compile into the matcher.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ecoute/catalog.h"

#include "extract/lexicon.h"
#include "extract/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto catalog = ecoute::ParseCatalog(text, "fuzz.toml");
  if (catalog.has_value()) {
    static const ecoute::Lexicon kEmpty;
    auto scanner = ecoute::Scanner::Compile(*catalog, kEmpty);
    (void)scanner;
  }
  return 0;
}
