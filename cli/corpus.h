// Synthetic corpora for `ecoute bench`: deterministic, realistic-looking French and English
// posts (short social posts and ~5 KB blog posts, also as feeds, pages and social API
// JSON) and brand catalogs of any size.
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

// JSON lines of `count` social posts in conversation, for `ecoute bench store`: customers
// (@user<k>, about count/4 of them) write about the six brands over 90 days from
// 2026-01-01, and one post in five is a brand's reply (from its handle, with the
// customer's earlier post as parent). Deterministic for a given seed.
std::string GenerateConversations(size_t count, unsigned seed);

// The same kind of text in the source formats, for `ecoute bench parse`: an RSS 2.0 feed
// of `items` blog posts (HTML descriptions), one HTML page of about `bytes` bytes (nav,
// article, sidebar, footer, script), Mastodon statuses (a JSON array) and Bluesky post
// views ({"posts": [...]}).
std::string GenerateFeed(size_t items, unsigned seed);
std::string GeneratePage(size_t bytes, unsigned seed);
std::string GenerateMastodon(size_t count, unsigned seed);
std::string GenerateBluesky(size_t count, unsigned seed);

}  // namespace ecoute::cli
