// Bluesky post views to posts. API responses are small and their fields come in any order, so
// they are parsed with simdjson's DOM and read field by field. docs/SOCIAL.md says how each
// field is filled.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/social_json.h"
#include "util/json.h"

namespace ecoute {
namespace {

namespace dom = simdjson::dom;

using sources_internal::AddLink;
using sources_internal::Excerpt;
using sources_internal::Fields;
using sources_internal::WrongType;

constexpr std::string_view kPostCollection = "app.bsky.feed.post";
constexpr std::string_view kProfileUrl = "https://bsky.app/profile/";

// The parts of an AT URI naming a post, "at://<did or handle>/app.bsky.feed.post/<rkey>".
struct PostUri {
  std::string_view authority;
  std::string_view rkey;
};

bool IsUriPart(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == ':' || c == '~' || c == '%';
  });
}

std::optional<PostUri> ParsePostUri(std::string_view uri) {
  constexpr std::string_view kScheme = "at://";
  if (uri.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  uri.remove_prefix(kScheme.size());
  const size_t first = uri.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  const std::string_view authority = uri.substr(0, first);
  std::string_view rest = uri.substr(first + 1);
  if (rest.substr(0, kPostCollection.size()) != kPostCollection ||
      rest.substr(kPostCollection.size(), 1) != "/") {
    return std::nullopt;
  }
  const std::string_view rkey = rest.substr(kPostCollection.size() + 1);
  if (!IsUriPart(authority) || !IsUriPart(rkey)) return std::nullopt;
  return PostUri{authority, rkey};
}

std::string PostUrl(std::string_view profile, std::string_view rkey) {
  return std::string(kProfileUrl) + std::string(profile) + "/post/" + std::string(rkey);
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The link facets of `record`, in order. A facet's byteStart/byteEnd are UTF-8 byte offsets
// into the text: one that is out of range, reversed or splits a character was made by a
// broken client, and its link is not trusted.
void ReadFacets(Fields& record, std::string_view text, std::vector<std::string>& links) {
  dom::array facets;
  if (!record.Array("facets", facets)) return;
  size_t index = 0;
  for (dom::element facet_value : facets) {
    const std::string name = record.Name("facets") + " " + std::to_string(++index);
    dom::object facet;
    if (facet_value.get_object().get(facet)) {
      record.Note(WrongType(name, facet_value, "an object") + "; ignored");
      continue;
    }
    std::vector<std::string> notes;
    Fields fields(facet, record.prefix() + "facets " + std::to_string(index) + ".", notes);
    dom::object range;
    int64_t start = -1;
    int64_t end = -1;
    if (fields.Object("index", range)) {
      Fields offsets(range, fields.prefix() + "index.", notes);
      offsets.Integer("byteStart", start);
      offsets.Integer("byteEnd", end);
    }
    const auto size = static_cast<int64_t>(text.size());
    if (start < 0 || end < start || end > size ||
        (start < size && IsContinuationByte(text[static_cast<size_t>(start)])) ||
        (end < size && IsContinuationByte(text[static_cast<size_t>(end)]))) {
      for (std::string& note : notes) record.Note(std::move(note));
      record.Note(name + " has no valid byte range in the " + std::to_string(text.size()) +
                  "-byte text (byteStart " + std::to_string(start) + ", byteEnd " +
                  std::to_string(end) + "); ignored");
      continue;
    }
    dom::array features;
    if (fields.Array("features", features)) {
      for (dom::element feature : features) {
        std::string_view type;
        std::string_view uri;
        if (!feature["$type"].get(type) && type == "app.bsky.richtext.facet#link" &&
            !feature["uri"].get(uri)) {
          AddLink(uri, links);
        }
      }
    }
    for (std::string& note : notes) record.Note(std::move(note));
  }
}

// The external link of an embed, in a record (app.bsky.embed.external, or the media of
// app.bsky.embed.recordWithMedia) or in a view (the same with "#view").
void ReadEmbed(dom::element embed, std::vector<std::string>& links) {
  std::string_view uri;
  if (!embed["external"]["uri"].get(uri) || !embed["media"]["external"]["uri"].get(uri)) {
    AddLink(uri, links);
  }
}

class BlueskyReader {
 public:
  BlueskyReader(std::string_view name, const std::function<void(const Post&)>& emit,
                std::vector<Problem>& problems)
      : emit_(emit), problems_(name, problems) {}

  void Read(std::string_view bytes);

 private:
  // Reads a post view, a feed, a thread or an array of them. Returns false with `error` set
  // when `root` is none of these.
  bool ReadRoot(dom::element root, const std::string& where, std::string& error);
  void ReadThread(dom::element thread, const std::string& where);
  // Reads one item of a list: a post view, or a feed item {"post": ...}.
  void ReadItem(dom::element item, const std::string& where);
  bool ReadPostView(dom::object view, Post& post, std::vector<std::string>& notes);

  const std::function<void(const Post&)>& emit_;
  sources_internal::ProblemLog problems_;
};

void BlueskyReader::Read(std::string_view bytes) {
  sources_internal::ReadJsonInput(
      bytes,
      {"Bluesky",
       "a Bluesky post view, {\"posts\": [...]}, {\"feed\": [...]}, {\"thread\": ...} or one "
       "post view per line"},
      problems_, nullptr, [this](dom::element root, const std::string& where, std::string& error) {
        return ReadRoot(root, where, error);
      });
  problems_.Finish();
}

bool BlueskyReader::ReadRoot(dom::element root, const std::string& where, std::string& error) {
  const auto read_items = [&](dom::array items) {
    size_t index = 0;
    for (dom::element item : items) ReadItem(item, where + ":item " + std::to_string(++index));
  };
  dom::array items;
  if (!root.get_array().get(items)) {
    read_items(items);
    return true;
  }
  dom::object object;
  if (root.get_object().get(object)) {
    error = "not a Bluesky post view but " + std::string(DescribeJsonType(root.type()));
    return false;
  }
  dom::element value;
  // getPosts and searchPosts {"posts": [...]}, author feeds and timelines {"feed": [...]}.
  for (std::string_view key : {"posts", "feed"}) {
    if (object.at_key(key).get(value)) continue;
    if (value.get_array().get(items)) {
      error = WrongType("\"" + std::string(key) + "\"", value, "an array");
      return false;
    }
    read_items(items);
    return true;
  }
  if (!object.at_key("thread").get(value)) {
    ReadThread(value, where);
    return true;
  }
  if (!object.at_key("uri").error() || !object.at_key("post").error()) {
    ReadItem(root, where);
    return true;
  }
  std::string_view message;
  if (!object.at_key("message").get(message) && !object.at_key("error").error()) {
    error = "the server answered with an error: \"" + Excerpt(message) + "\"";
    return false;
  }
  error =
      "not a Bluesky post view (no \"uri\"), nor {\"posts\": [...]}, {\"feed\": [...]} or "
      "{\"thread\": ...}";
  return false;
}

// getPostThread: the ancestors first (from the root down), the post, then the replies depth
// first. Posts that were deleted or blocked (#notFoundPost, #blockedPost) have no "post" and
// are passed over.
void BlueskyReader::ReadThread(dom::element thread, const std::string& where) {
  size_t index = 0;
  const auto read = [&](dom::element node) {
    dom::element view;
    if (!node["post"].get(view)) ReadItem(view, where + ":thread post " + std::to_string(++index));
  };
  std::vector<dom::element> ancestors;
  dom::element node = thread;
  while (!node["parent"].get(node) && node.is_object()) ancestors.push_back(node);
  std::reverse(ancestors.begin(), ancestors.end());
  for (dom::element ancestor : ancestors) read(ancestor);
  std::vector<dom::element> stack{thread};
  while (!stack.empty()) {
    node = stack.back();
    stack.pop_back();
    if (!node.is_object()) continue;
    read(node);
    dom::array replies;
    if (node["replies"].get(replies)) continue;
    // Pushed last to first, so that replies come out in the thread's order.
    const size_t first_reply = stack.size();
    for (dom::element reply : replies) stack.push_back(reply);
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_reply), stack.end());
  }
}

void BlueskyReader::ReadItem(dom::element item, const std::string& where) {
  dom::object view;
  if (item.get_object().get(view)) {
    problems_.Add(where, "a post view must be an object, not " +
                             std::string(DescribeJsonType(item.type())) + "; skipped");
    return;
  }
  // A feed item {"post": ..., "reply": ..., "reason": ...}: the post is the post, whoever
  // reposted it; the reply context is in its record.
  dom::element value;
  if (view.at_key("uri").error() && !view.at_key("post").get(value)) {
    if (value.get_object().get(view)) {
      problems_.Add(where, WrongType("\"post\"", value, "a post view") + "; skipped");
      return;
    }
  }
  sources_internal::ReadPost(
      where, problems_, emit_,
      [&](Post& post, std::vector<std::string>& notes) { return ReadPostView(view, post, notes); });
}

bool BlueskyReader::ReadPostView(dom::object view, Post& post, std::vector<std::string>& notes) {
  Fields fields(view, "", notes);
  std::string_view uri;
  if (!fields.RequiredString("uri", "post", uri)) return false;
  dom::object record_object;
  if (!fields.RequiredObject("record", "post", record_object)) return false;
  Fields record(record_object, "record.", notes);
  std::string_view type;
  if (record.String("$type", type) && type != kPostCollection) {
    notes.push_back("\"record.$type\" is \"" + Excerpt(type) + "\", not \"" +
                    std::string(kPostCollection) + "\"; the post was skipped");
    return false;
  }
  std::string_view text;
  if (!record.RequiredString("text", "post", text)) return false;
  post.source = "bluesky";
  post.id.assign(uri);
  post.text.assign(text);

  const std::optional<PostUri> parts = ParsePostUri(uri);
  dom::object author_object;
  std::string_view handle;
  if (fields.Object("author", author_object)) {
    Fields author(author_object, "author.", notes);
    std::string_view display_name;
    std::string_view did;
    author.String("displayName", display_name);
    author.String("did", did);
    // A handle that no longer verifies is shown as "handle.invalid": the DID still works.
    if (author.String("handle", handle) && handle == "handle.invalid") handle = {};
    post.author.name.assign(display_name);
    post.author.handle.assign(handle);
    const std::string_view profile = !handle.empty() ? handle : did;
    if (IsUriPart(profile)) post.author.url = std::string(kProfileUrl) + std::string(profile);
    author.Integer("followersCount", post.author.followers);
    if (parts && IsUriPart(profile)) post.url = PostUrl(profile, parts->rkey);
  }
  if (post.url.empty() && parts) post.url = PostUrl(parts->authority, parts->rkey);

  dom::array langs;
  if (record.Array("langs", langs)) {
    std::string_view lang;
    dom::element first;
    if (!langs.at(0).get(first) && !first.get_string().get(lang)) post.lang.assign(lang);
  }
  record.Date("createdAt", post.published_at);

  dom::object reply;
  if (record.Object("reply", reply)) {
    Fields reply_fields(reply, "record.reply.", notes);
    dom::object parent;
    std::string_view parent_uri;
    if (reply_fields.Object("parent", parent) &&
        Fields(parent, "record.reply.parent.", notes).String("uri", parent_uri)) {
      post.parent_id.assign(parent_uri);
      if (const std::optional<PostUri> parent_parts = ParsePostUri(parent_uri)) {
        post.parent_url = PostUrl(parent_parts->authority, parent_parts->rkey);
      }
    }
  }

  ReadFacets(record, text, post.links);
  dom::element embed;
  if (record.Get("embed", embed)) ReadEmbed(embed, post.links);
  if (fields.Get("embed", embed)) ReadEmbed(embed, post.links);

  fields.Integer("replyCount", post.comments);
  fields.Integer("repostCount", post.shares);
  fields.Integer("likeCount", post.likes);

  // Hashed in minified form: the same view pretty-printed or not is the same content.
  post.content_hash = ContentHash(simdjson::minify(view));
  return true;
}

}  // namespace

void ReadBluesky(std::string_view bytes, std::string_view name,
                 const std::function<void(const Post&)>& emit, std::vector<Problem>& problems) {
  BlueskyReader reader(name, emit, problems);
  reader.Read(bytes);
}

}  // namespace ecoute
