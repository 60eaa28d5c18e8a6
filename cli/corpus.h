// Synthetic corpora for `ecoute bench`: deterministic, realistic-looking French and English
// posts (short social posts and ~5 KB blog posts) and brand catalogs of any size.
#pragma once

#include <cstddef>
#include <string>

#include "ecoute/catalog.h"

namespace ecoute::cli {

// A catalog of `count` brands with made-up names, aliases, handles and domains, plus the
// brands the generated posts talk about. Deterministic.
BrandCatalog GenerateCatalog(size_t count);

// JSON lines: `count` short posts (~80-200 bytes, like tweets), or blog posts of about
// `blog_bytes` bytes each. Deterministic for a given seed.
std::string GenerateShortPosts(size_t count, unsigned seed);
std::string GenerateBlogPosts(size_t count, size_t blog_bytes, unsigned seed);

}  // namespace ecoute::cli
