// The post as JSON lines (`ecoute parse`), and the content digest readers stamp on posts.

#include "sources/post_json.h"

#include <string>
#include <string_view>

#include <xxhash.h>

#include "ecoute/post.h"

#include "util/json.h"

namespace ecoute {
namespace {

void AppendField(std::string_view key, std::string_view value, std::string& out) {
  out += ", \"";
  out += key;
  out += "\": ";
  AppendJsonString(value, out);
}

void AppendCount(std::string_view key, int64_t value, std::string& out) {
  out += ", \"";
  out += key;
  out += "\": ";
  out += std::to_string(value);
}

}  // namespace

std::string ContentHash(std::string_view bytes) {
  std::string hex;
  sources_internal::AssignContentHash(bytes, hex);
  return hex;
}

namespace sources_internal {

void AssignContentHash(std::string_view bytes, std::string& out) {
  XXH64_hash_t h = XXH3_64bits(bytes.data(), bytes.size());
  // Two digits at a time, into a local buffer: every reader hashes every post.
  static constexpr char kDigits[] = "0123456789abcdef";
  char hex[16];
  for (size_t i = 8; i-- > 0; h >>= 8) {
    hex[2 * i] = kDigits[(h >> 4) & 15];
    hex[2 * i + 1] = kDigits[h & 15];
  }
  out.assign(hex, sizeof(hex));
}

}  // namespace sources_internal

void AppendPostJson(const Post& post, std::string& out) {
  out += "{\"id\": ";
  AppendJsonString(post.id, out);
  AppendField("source", post.source, out);
  AppendField("url", post.url, out);
  AppendField("title", post.title, out);
  AppendField("text", post.text, out);
  AppendField("lang", post.lang, out);
  out += ", \"author\": {\"name\": ";
  AppendJsonString(post.author.name, out);
  AppendField("handle", post.author.handle, out);
  AppendField("url", post.author.url, out);
  AppendCount("followers", post.author.followers, out);
  out += '}';
  AppendField("published_at", post.published_at, out);
  AppendField("updated_at", post.updated_at, out);
  AppendField("parent_id", post.parent_id, out);
  AppendField("parent_url", post.parent_url, out);
  out += ", \"links\": [";
  for (size_t i = 0; i < post.links.size(); ++i) {
    if (i > 0) out += ", ";
    AppendJsonString(post.links[i], out);
  }
  out += ']';
  out += ", \"contacts\": [";
  for (size_t i = 0; i < post.contacts.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"kind\": ";
    AppendJsonString(post.contacts[i].kind, out);
    AppendField("value", post.contacts[i].value, out);
    out += '}';
  }
  out += ']';
  AppendCount("comments", post.comments, out);
  AppendCount("shares", post.shares, out);
  AppendCount("likes", post.likes, out);
  AppendField("content_hash", post.content_hash, out);
  out += '}';
}

}  // namespace ecoute
