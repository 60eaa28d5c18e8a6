// The post as JSON lines (`ecoute parse`), and the content digest readers stamp on posts.

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
  XXH64_hash_t h = XXH3_64bits(bytes.data(), bytes.size());
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) hex[static_cast<size_t>(i)] = "0123456789abcdef"[h & 15];
  return hex;
}

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
  AppendCount("comments", post.comments, out);
  AppendCount("shares", post.shares, out);
  AppendCount("likes", post.likes, out);
  AppendField("content_hash", post.content_hash, out);
  out += '}';
}

}  // namespace ecoute
