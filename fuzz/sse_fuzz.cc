// Any bytes into the Server-Sent Events parser, whole and cut into pieces at places the
// input chooses: no crash, leak or hang; the same events either way; no event larger than
// the limit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "listen/sse.h"

namespace {

constexpr size_t kLimit = 4096;

std::vector<std::string> Events(std::string_view bytes, size_t piece) {
  ecoute::listen::SseParser parser(kLimit);
  std::vector<std::string> out;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    parser.Feed(bytes.substr(at, piece), [&](const ecoute::listen::SseEvent& event) {
      if (event.data.size() > kLimit || event.type.size() > kLimit) std::abort();
      out.push_back(event.type + '\x01' + event.data + '\x01' + event.id);
    });
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first byte chooses the piece size for the second reading.
  const size_t piece = size == 0 ? 1 : 1 + static_cast<size_t>(data[0] % 13);
  if (Events(bytes, bytes.size() + 1) != Events(bytes, piece)) std::abort();
  return 0;
}
