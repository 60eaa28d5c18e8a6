// Any bytes into the feed reader: no crash, leak or hang, and every post it emits has an
// id, a known source and valid UTF-8 in every text field, with dates in RFC 3339 or empty.
// Its two paths (sources/feed/feed_reader.h) must agree: whenever the streaming path takes the
// input, the same posts and problems as the document path; whenever our serializer takes
// an entry, the bytes of libxml2's xmlNodeDump.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/feed/feed_reader.h"
#include "util/utf8.h"

namespace {

// "YYYY-MM-DDTHH:MM:SSZ" or empty.
bool IsRfc3339OrEmpty(const std::string& s) {
  if (s.empty()) return true;
  return s.size() == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
         s[16] == ':' && s[19] == 'Z';
}

bool SamePost(const ecoute::Post& a, const ecoute::Post& b) {
  return a.id == b.id && a.source == b.source && a.url == b.url && a.title == b.title &&
         a.text == b.text && a.lang == b.lang && a.author.name == b.author.name &&
         a.author.handle == b.author.handle && a.author.url == b.author.url &&
         a.author.followers == b.author.followers && a.published_at == b.published_at &&
         a.updated_at == b.updated_at && a.parent_id == b.parent_id &&
         a.parent_url == b.parent_url && a.links == b.links && a.comments == b.comments &&
         a.shares == b.shares && a.likes == b.likes && a.content_hash == b.content_hash;
}

void CheckPathsAgree(std::string_view bytes) {
  std::vector<ecoute::Post> document_posts;
  std::vector<ecoute::Problem> document_problems;
  ecoute::feeds::ReadFeedWithDocument(
      bytes, "fuzz.xml", [&](const ecoute::Post& post) { document_posts.push_back(post); },
      document_problems);
  std::vector<ecoute::Post> streamed_posts;
  std::vector<ecoute::Problem> streamed_problems;
  if (!ecoute::feeds::ReadFeedStreaming(
          bytes, "fuzz.xml", [&](const ecoute::Post& post) { streamed_posts.push_back(post); },
          streamed_problems)) {
    if (!streamed_posts.empty() || !streamed_problems.empty()) std::abort();
    return;
  }
  if (streamed_posts.size() != document_posts.size()) std::abort();
  for (size_t i = 0; i < streamed_posts.size(); ++i) {
    if (!SamePost(streamed_posts[i], document_posts[i])) std::abort();
  }
  if (streamed_problems.size() != document_problems.size()) std::abort();
  for (size_t i = 0; i < streamed_problems.size(); ++i) {
    if (streamed_problems[i].where != document_problems[i].where ||
        streamed_problems[i].message != document_problems[i].message ||
        streamed_problems[i].is_fatal != document_problems[i].is_fatal) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<ecoute::Problem> problems;
  ecoute::ReadFeed(
      bytes, "fuzz.xml",
      [&](const ecoute::Post& post) {
        if (post.id.empty() || (post.source != "rss" && post.source != "atom")) std::abort();
        for (const std::string* field :
             {&post.id, &post.url, &post.title, &post.text, &post.lang, &post.author.name,
              &post.author.url, &post.parent_id, &post.parent_url}) {
          if (!ecoute::IsValidUtf8(*field)) std::abort();
        }
        for (const std::string& link : post.links) {
          if (link.empty() || !ecoute::IsValidUtf8(link)) std::abort();
        }
        if (!IsRfc3339OrEmpty(post.published_at) || !IsRfc3339OrEmpty(post.updated_at)) {
          std::abort();
        }
        if (post.comments < -1 || post.content_hash.size() != 16) std::abort();
      },
      problems);
  for (const ecoute::Problem& problem : problems) {
    if (problem.where.empty() || problem.message.empty()) std::abort();
    if (!ecoute::IsValidUtf8(problem.message)) std::abort();
  }
  CheckPathsAgree(bytes);
  for (const ecoute::feeds::EntryXmlPair& pair : ecoute::feeds::EntryXmlBothWays(bytes)) {
    if (pair.is_own && pair.own != pair.libxml) std::abort();
  }
  return 0;
}
