// What every reader's fuzz target asserts about its output, whatever the input: posts
// with an id, valid UTF-8, a 16-digit content hash and counts of -1 or more; problems
// located, readable and bounded by the input's size.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "util/utf8.h"

namespace ecoute::fuzz {

inline bool IsValidPost(const Post& post, std::string_view source) {
  for (const std::string* field :
       {&post.id, &post.url, &post.title, &post.text, &post.lang, &post.author.name,
        &post.author.handle, &post.author.url, &post.parent_id, &post.parent_url}) {
    if (!IsValidUtf8(*field)) return false;
  }
  for (const std::string& link : post.links) {
    if (link.empty() || !IsValidUtf8(link)) return false;
  }
  return !post.id.empty() && post.source == source && post.content_hash.size() == 16 &&
         post.author.followers >= -1 && post.comments >= -1 && post.shares >= -1 &&
         post.likes >= -1;
}

// Aborts unless every problem is located and readable, and posts plus problems stay within
// one per byte of input (and a couple more for whole-input notes).
inline void CheckProblems(const std::vector<Problem>& problems, size_t post_count,
                          size_t input_size) {
  if (post_count + problems.size() > input_size + 2) std::abort();
  for (const Problem& problem : problems) {
    if (problem.where.empty() || problem.message.empty() || !IsValidUtf8(problem.message)) {
      std::abort();
    }
  }
}

}  // namespace ecoute::fuzz
