// What the readers share about a post's JSON form and digest, beyond include/ecoute/post.h.
#pragma once

#include <string>
#include <string_view>

namespace ecoute::sources_internal {

// Sets `out` to ContentHash(bytes), reusing its capacity: a reader that refills one Post per
// item hashes without allocating.
void AssignContentHash(std::string_view bytes, std::string& out);

}  // namespace ecoute::sources_internal
