// Any bytes as one Jetstream event: no crash, leak or hang; a post it reads passes
// fuzz/post_checks.h, is named by an AT URI and has the event's time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <simdjson.h>

#include "listen/jetstream.h"
#include "post_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static simdjson::dom::parser parser;
  static ecoute::listen::JetstreamEvent event;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  ecoute::listen::ParseJetstreamEvent(bytes, parser, event);
  if (event.kind == ecoute::listen::JetstreamEventKind::kPost) {
    if (!ecoute::fuzz::IsValidPost(event.post, "bluesky")) std::abort();
    if (!event.post.id.starts_with("at://") || event.time_us <= 0) std::abort();
    if (!event.post.url.starts_with("https://bsky.app/profile/")) std::abort();
  }
  return 0;
}
