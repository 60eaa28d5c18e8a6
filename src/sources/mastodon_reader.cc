// Mastodon statuses to posts. API responses are small and their fields come in any order, so
// they are parsed with simdjson's DOM and read field by field; each status's HTML content is
// turned into text with gumbo. docs/SOCIAL.md says how each field is filled.

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>
#include <simdjson.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/html_elements.h"
#include "sources/html_text.h"
#include "sources/social_json.h"
#include "util/json.h"

namespace ecoute {
namespace {

namespace dom = simdjson::dom;

using sources_internal::AddLink;
using sources_internal::Excerpt;
using sources_internal::Fields;
using sources_internal::IsHtmlSpace;
using sources_internal::Layout;
using sources_internal::LayoutOf;
using sources_internal::TextBuilder;
using sources_internal::WrongType;

// Gumbo's tree builder is quadratic in the nesting depth (20,000 "<ul><li>" take 40 s) and
// in the attributes of a tag (11,000 take 0.4 s). A real status has a few dozen tags of a
// few attributes; content with more tags, a tag with more attributes, or longer than
// kMaxContentBytes is read as plain text without markup.
constexpr size_t kMaxContentTags = 1024;
constexpr size_t kMaxTagAttributes = 64;
constexpr size_t kMaxContentBytes = size_t{64} * 1024;

// A reblog carries the status it boosts; nothing nests deeper, but input may.
constexpr int kMaxReblogDepth = 4;

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreAsciiCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(),
                    [](char x, char y) { return ToLowerAscii(x) == ToLowerAscii(y); });
}

// The host of an http(s) URL, lower-cased, without user info or port; empty for anything
// else.
std::string HostOf(std::string_view url) {
  if (StartsWithIgnoreAsciiCase(url, "https://")) {
    url.remove_prefix(8);
  } else if (StartsWithIgnoreAsciiCase(url, "http://")) {
    url.remove_prefix(7);
  } else {
    return {};
  }
  url = url.substr(0, url.find_first_of("/?#"));
  const size_t at = url.rfind('@');
  if (at != std::string_view::npos) url.remove_prefix(at + 1);
  url = url.substr(0, url.find(':'));
  std::string host;
  for (char c : url) {
    c = ToLowerAscii(c);
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return {};
    host.push_back(c);
  }
  return host;
}

// The host of the instance an account is local to, when the account says so: the API writes
// a local account's acct without a domain, and its url on the instance's web host.
std::string LocalHostOf(dom::element account) {
  std::string_view acct;
  std::string_view url;
  if (account["acct"].get(acct) || account["url"].get(url)) return {};
  if (acct.find('@') != std::string_view::npos) return {};
  return HostOf(url);
}

// Looks for an account local to the instance that served `status` (its author, a reblogged
// author, a mentioned account): the instance's local ids are only meaningful on that host.
std::string FindServingHost(dom::element status) {
  for (int depth = 0; depth <= kMaxReblogDepth; ++depth) {
    dom::element account;
    if (!status["account"].get(account)) {
      std::string host = LocalHostOf(account);
      if (!host.empty()) return host;
    }
    dom::array mentions;
    if (!status["mentions"].get(mentions)) {
      for (dom::element mention : mentions) {
        std::string host = LocalHostOf(mention);
        if (!host.empty()) return host;
      }
    }
    if (status["reblog"].get(status) || !status.is_object()) break;
  }
  return {};
}

// ---------------------------------------------------------------------------------------
// HTML content to text.

const char* Attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? nullptr : attribute->value;
}

// True when the space-separated list `tokens` holds `token` (ASCII case-insensitive).
bool HasToken(const char* tokens, std::string_view token) {
  if (tokens == nullptr) return false;
  std::string_view rest(tokens);
  while (!rest.empty()) {
    while (!rest.empty() && IsHtmlSpace(rest.front())) rest.remove_prefix(1);
    size_t end = 0;
    while (end < rest.size() && !IsHtmlSpace(rest[end])) ++end;
    if (end == token.size() && StartsWithIgnoreAsciiCase(rest, token)) return true;
    rest.remove_prefix(end);
  }
  return false;
}

std::string_view TrimHtmlSpace(std::string_view s) {
  while (!s.empty() && IsHtmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsHtmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Writes the text of the tree under `root` and collects the href of each <a> that is not a
// mention or a hashtag (Mastodon marks those with class "mention"/"hashtag" or rel "tag";
// `skipped` holds the profile and tag URLs the status lists). Iterative: input may nest
// deep.
void WalkContent(const GumboNode& root, const std::vector<std::string_view>& skipped,
                 TextBuilder& writer, std::vector<std::string>& links) {
  struct Frame {
    const GumboVector* children;
    unsigned int next_child;
    Layout layout;
  };
  std::vector<Frame> stack;
  int hidden_depth = 0;
  int verbatim_depth = 0;
  stack.push_back({&root.v.document.children, 0, Layout()});
  while (!stack.empty()) {
    Frame& frame = stack.back();
    if (frame.next_child >= frame.children->length) {
      const Layout layout = frame.layout;
      stack.pop_back();
      if (hidden_depth == 0) writer.RequestGap(layout.gap);
      if (layout.is_hidden) --hidden_depth;
      if (layout.is_verbatim) --verbatim_depth;
      continue;
    }
    const auto& node = *static_cast<const GumboNode*>(frame.children->data[frame.next_child++]);
    switch (node.type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        if (hidden_depth > 0) break;
        if (verbatim_depth > 0) {
          writer.AppendVerbatim(node.v.text.text);
        } else {
          writer.AppendCollapsed(node.v.text.text);
        }
        break;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE: {
        const GumboElement& element = node.v.element;
        const Layout layout = LayoutOf(node);
        if (layout.is_hidden) ++hidden_depth;
        if (layout.is_verbatim) ++verbatim_depth;
        if (hidden_depth == 0) {
          writer.RequestGap(layout.gap);
          const char* href = nullptr;
          if (element.tag == GUMBO_TAG_A && element.tag_namespace == GUMBO_NAMESPACE_HTML &&
              (href = Attribute(element, "href")) != nullptr) {
            const char* classes = Attribute(element, "class");
            const std::string_view link = TrimHtmlSpace(href);
            const bool is_tag_or_mention =
                HasToken(classes, "mention") || HasToken(classes, "hashtag") ||
                HasToken(Attribute(element, "rel"), "tag") ||
                std::find(skipped.begin(), skipped.end(), link) != skipped.end();
            if (!is_tag_or_mention && !link.empty() && link.front() != '#' &&
                !StartsWithIgnoreAsciiCase(link, "javascript:")) {
              AddLink(link, links);
            }
          }
        }
        stack.push_back({&element.children, 0, layout});
        break;
      }
      case GUMBO_NODE_DOCUMENT:
      case GUMBO_NODE_COMMENT:
        break;
    }
  }
}

// Counts what may open a tag, over-counting (comments, scripts and attribute values
// included) so that no markup gumbo would build can slip past the limit.
size_t CountTagOpenings(std::string_view html) {
  size_t count = 0;
  for (size_t i = html.find('<'); i != std::string_view::npos && i + 1 < html.size();
       i = html.find('<', i + 1)) {
    const char next = html[i + 1];
    if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '/' ||
        next == '!' || next == '?') {
      ++count;
    }
  }
  return count;
}

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool IsTagNameEnd(char c) { return IsHtmlSpace(c) || c == '/' || c == '>'; }

// The position of "</name" (any case) closing a raw-text element, from `i`; npos if none.
size_t FindEndTag(std::string_view html, size_t i, std::string_view name) {
  while ((i = html.find("</", i)) != std::string_view::npos) {
    i += 2;
    if (StartsWithIgnoreAsciiCase(html.substr(i), name) &&
        (i + name.size() == html.size() || IsTagNameEnd(html[i + name.size()]))) {
      return i - 2;
    }
  }
  return std::string_view::npos;
}

// Reads the attributes of a tag from `i`, just after its name, as the HTML tokenizer does
// (a quoted value may hold '>'); returns the position of the tag's '>' (npos when the input
// ends first) and counts the attributes in `attributes`.
size_t ScanTagEnd(std::string_view html, size_t i, size_t& attributes) {
  attributes = 0;
  while (i < html.size() && html[i] != '>') {
    if (IsHtmlSpace(html[i]) || html[i] == '/') {
      ++i;
      continue;
    }
    ++attributes;
    ++i;  // a name may start with '='
    while (i < html.size() && !IsTagNameEnd(html[i]) && html[i] != '=') ++i;
    while (i < html.size() && IsHtmlSpace(html[i])) ++i;
    if (i >= html.size() || html[i] != '=') continue;
    ++i;
    while (i < html.size() && IsHtmlSpace(html[i])) ++i;
    if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
      i = html.find(html[i], i + 1);
      if (i == std::string_view::npos) return i;
      ++i;
    } else {
      while (i < html.size() && !IsHtmlSpace(html[i]) && html[i] != '>') ++i;
    }
  }
  return i < html.size() ? i : std::string_view::npos;
}

// The most attributes any one tag of `html` has, read as the HTML tokenizer reads them:
// quoted values may hold '>' and spaces, comments and raw text (<script>, <style>...) hold
// no tags.
size_t MaxTagAttributes(std::string_view html) {
  size_t most = 0;
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos && i + 1 < html.size()) {
    if (html.substr(i, 4) == "<!--") {
      // The tokenizer also ends a comment at "<!-->", "<!--->" and "--!>".
      size_t end = std::string_view::npos;
      if (html.substr(i + 4, 1) == ">") {
        end = i + 4;
      } else if (html.substr(i + 4, 2) == "->") {
        end = i + 5;
      } else {
        for (size_t j = i + 4; (j = html.find("--", j)) != std::string_view::npos; ++j) {
          if (html.substr(j + 2, 1) == ">" || html.substr(j + 2, 2) == "!>") {
            end = html.find('>', j + 2);
            break;
          }
        }
      }
      if (end == std::string_view::npos) break;
      i = end + 1;
      continue;
    }
    const bool is_end_tag = html[i + 1] == '/';
    size_t name_start = i + (is_end_tag ? 2 : 1);
    if (name_start >= html.size() || !IsAsciiAlpha(html[name_start])) {
      // "<!doctype", "<?xml", "</ x": bogus comments up to the next '>'; "<" alone: text.
      if (html[i + 1] == '!' || html[i + 1] == '?' || is_end_tag) {
        i = html.find('>', i + 1);
        if (i == std::string_view::npos) break;
      }
      ++i;
      continue;
    }
    size_t j = name_start;
    while (j < html.size() && !IsTagNameEnd(html[j])) ++j;
    const std::string_view name = html.substr(name_start, j - name_start);
    size_t attributes = 0;
    j = ScanTagEnd(html, j, attributes);
    most = std::max(most, attributes);
    if (j == std::string_view::npos || j >= html.size()) break;
    i = j + 1;
    if (is_end_tag) continue;
    if (StartsWithIgnoreAsciiCase(name, "plaintext") && name.size() == 9) break;
    for (std::string_view raw :
         {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"}) {
      if (name.size() == raw.size() && StartsWithIgnoreAsciiCase(name, raw)) {
        i = FindEndTag(html, i, raw);
        break;
      }
    }
    if (i == std::string_view::npos) break;
  }
  return most;
}

// Markup too big to parse safely, reduced to its words: every tag dropped, so that gumbo
// only has character references left to decode (in linear time).
std::string StripTags(std::string_view html) {
  std::string text;
  text.reserve(html.size());
  size_t i = 0;
  while (i < html.size()) {
    const size_t open = html.find('<', i);
    if (open == std::string_view::npos || open + 1 >= html.size()) {
      text.append(html.substr(i));
      break;
    }
    text.append(html.substr(i, open - i));
    const size_t name = open + (html[open + 1] == '/' ? 2 : 1);
    size_t end = std::string_view::npos;
    if (html[open + 1] == '!' || html[open + 1] == '?') {
      end = html.find('>', open);
    } else if (name < html.size() && IsAsciiAlpha(html[name])) {
      size_t j = name;
      while (j < html.size() && !IsTagNameEnd(html[j])) ++j;
      size_t attributes = 0;
      end = ScanTagEnd(html, j, attributes);
    } else {
      text.push_back('<');  // not a tag: text
      i = open + 1;
      continue;
    }
    text.push_back(' ');
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return text;
}

// Turns a status's HTML `content` into text (paragraphs "\n\n", <br> "\n") and its links.
// Returns false when the content was too big for its markup to be read.
bool ContentToText(std::string_view html, const std::vector<std::string_view>& skipped,
                   std::string& text, std::vector<std::string>& links) {
  const bool is_readable = html.size() <= kMaxContentBytes &&
                           CountTagOpenings(html) <= kMaxContentTags &&
                           MaxTagAttributes(html) <= kMaxTagAttributes;
  std::string stripped;
  if (!is_readable) {
    stripped = StripTags(html);
    html = stripped;
  }
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // never read; recording them costs memory
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  if (output == nullptr) return false;
  TextBuilder writer(text);
  std::vector<std::string> ignored_links;
  WalkContent(*output->document, skipped, writer, is_readable ? links : ignored_links);
  writer.Finish();
  gumbo_destroy_output(&options, output);
  return is_readable;
}

// ---------------------------------------------------------------------------------------
// Statuses.

class MastodonReader {
 public:
  MastodonReader(std::string_view name, const std::function<void(const Post&)>& emit,
                 std::vector<Problem>& problems)
      : name_(name), emit_(emit), problems_(name, problems) {}

  void Read(std::string_view bytes);

 private:
  // Calls `visit` with each item of `root`, a status, an array, a search result, a context
  // or a notification list. Returns false with `error` set when `root` is none of these.
  bool ForEachItem(dom::element root, const std::string& where,
                   const std::function<void(dom::element, const std::string&)>& visit,
                   std::string& error);
  void FindHost(dom::element root);
  void ReadItem(dom::element item, const std::string& where);
  // Fills `post` from `status`; false when the status cannot be a post.
  bool ReadStatus(dom::object status, Post& post, std::vector<std::string>& notes);

  std::string_view name_;
  const std::function<void(const Post&)>& emit_;
  sources_internal::ProblemLog problems_;
  std::string host_;  // the instance that served the statuses, when known
  bool reported_unknown_host_ = false;
};

void MastodonReader::Read(std::string_view bytes) {
  // The API host when the input is named after the URL it was fetched from.
  host_ = HostOf(name_);
  sources_internal::ReadJsonInput(
      bytes,
      {"Mastodon",
       "a Mastodon status, an array of statuses, a search result {\"statuses\": [...]} or one "
       "status per line"},
      problems_,
      [this](dom::element root) {
        if (host_.empty()) FindHost(root);
        return !host_.empty();
      },
      [this](dom::element root, const std::string& where, std::string& error) {
        return ForEachItem(
            root, where, [this](dom::element item, const std::string& at) { ReadItem(item, at); },
            error);
      });
  problems_.Finish();
}

bool MastodonReader::ForEachItem(dom::element root, const std::string& where,
                                 const std::function<void(dom::element, const std::string&)>& visit,
                                 std::string& error) {
  const auto visit_array = [&](dom::array items, std::string_view label) {
    size_t index = 0;
    for (dom::element item : items) {
      visit(item, where + ":" + std::string(label) + "item " + std::to_string(++index));
    }
  };
  dom::array items;
  if (!root.get_array().get(items)) {
    visit_array(items, "");
    return true;
  }
  dom::object object;
  if (root.get_object().get(object)) {
    error = "not a Mastodon status but " + std::string(DescribeJsonType(root.type()));
    return false;
  }
  dom::element value;
  // A search result (/api/v2/search): only its statuses are posts.
  if (!object.at_key("statuses").get(value)) {
    if (value.get_array().get(items)) {
      error = WrongType("\"statuses\"", value, "an array");
      return false;
    }
    visit_array(items, "");
    return true;
  }
  // A thread (/api/v1/statuses/:id/context).
  const bool has_ancestors = !object.at_key("ancestors").get(value);
  if (has_ancestors || !object.at_key("descendants").get(value)) {
    for (std::string_view key : {"ancestors", "descendants"}) {
      if (object.at_key(key).get(value)) continue;
      if (value.get_array().get(items)) {
        error = WrongType("\"" + std::string(key) + "\"", value, "an array");
        return false;
      }
      visit_array(items, std::string(key) + " ");
    }
    return true;
  }
  std::string_view message;
  if (object.at_key("content").error() && !object.at_key("error").get(message)) {
    error = "the server answered with an error: \"" + Excerpt(message) + "\"";
    return false;
  }
  for (std::string_view key : {"content", "uri", "account", "status", "reblog"}) {
    if (!object.at_key(key).error()) {
      visit(root, where);
      return true;
    }
  }
  error =
      "not a Mastodon status (no \"content\", \"uri\" or \"account\"), nor a search result "
      "{\"statuses\": [...]} nor a context {\"ancestors\": [...], \"descendants\": [...]}";
  return false;
}

void MastodonReader::FindHost(dom::element root) {
  std::string ignored;
  ForEachItem(
      root, std::string(name_),
      [this](dom::element item, const std::string&) {
        if (!host_.empty()) return;
        dom::element status;
        // A notification carries its status.
        if (item["content"].error() && !item["status"].get(status)) item = status;
        host_ = FindServingHost(item);
      },
      ignored);
}

void MastodonReader::ReadItem(dom::element item, const std::string& where) {
  dom::object status;
  if (item.get_object().get(status)) {
    problems_.Add(where, "a status must be an object, not " +
                             std::string(DescribeJsonType(item.type())) + "; skipped");
    return;
  }
  // A notification (/api/v1/notifications): its status, if it has one, is the post; a follow
  // or a sign-up has none and is no post.
  dom::element value;
  if (status.at_key("content").error() && !status.at_key("type").error()) {
    if (status.at_key("status").get(value) || value.is_null()) return;
    if (value.get_object().get(status)) {
      problems_.Add(where, WrongType("notification \"status\"", value, "an object") + "; skipped");
      return;
    }
  }
  sources_internal::ReadPost(
      where, problems_, emit_,
      [&](Post& post, std::vector<std::string>& notes) { return ReadStatus(status, post, notes); });
}

bool MastodonReader::ReadStatus(dom::object status, Post& post, std::vector<std::string>& notes) {
  std::string prefix;
  // A reblog is read as the status it carries: that status is what was written.
  for (int depth = 0; depth < kMaxReblogDepth; ++depth) {
    dom::element reblog;
    if (status.at_key("reblog").get(reblog) || reblog.is_null()) break;
    if (reblog.get_object().get(status)) {
      notes.push_back(WrongType("\"" + prefix + "reblog\"", reblog, "a status") +
                      "; the reblog itself was read");
      break;
    }
    prefix += "reblog.";
  }
  Fields fields(status, prefix, notes);

  std::string_view content;
  if (!fields.RequiredString("content", "status", content)) return false;
  post.source = "mastodon";
  std::string_view uri;
  std::string_view url;
  fields.String("uri", uri);
  fields.String("url", url);
  post.url.assign(url.empty() ? uri : url);
  std::string local_id;
  fields.Id("id", local_id);
  if (!host_.empty() && !local_id.empty()) {
    post.id = host_ + "/statuses/" + local_id;
  } else {
    post.id.assign(!uri.empty() ? uri : url);
  }
  if (post.id.empty()) {
    notes.push_back("no " + fields.Name("id") + ", \"uri\" or \"url\"; the status was skipped");
    return false;
  }

  // Links to the accounts and tags the status names are not outgoing links.
  std::vector<std::string_view> skipped;
  for (std::string_view key : {"mentions", "tags"}) {
    dom::array entries;
    if (!fields.Array(key, entries)) continue;
    for (dom::element entry : entries) {
      std::string_view entry_url;
      if (!entry["url"].get(entry_url)) skipped.push_back(entry_url);
    }
  }
  if (!ContentToText(content, skipped, post.text, post.links)) {
    notes.push_back(fields.Name("content") + " has more than " + std::to_string(kMaxContentTags) +
                    " tags, a tag with more than " + std::to_string(kMaxTagAttributes) +
                    " attributes, or more than " + std::to_string(kMaxContentBytes / 1024) +
                    " KiB: read as plain text, without paragraphs or links");
  }
  std::string_view spoiler;
  if (fields.String("spoiler_text", spoiler)) {
    std::string title;
    TextBuilder(title).AppendCollapsed(spoiler);
    post.title = std::move(title);
  }
  std::string_view language;
  if (fields.String("language", language)) post.lang.assign(language);

  dom::object account;
  if (fields.Object("account", account)) {
    Fields author(account, prefix + "account.", notes);
    std::string_view display_name;
    std::string_view username;
    std::string_view acct;
    std::string_view profile;
    author.String("display_name", display_name);
    author.String("username", username);
    author.String("acct", acct);
    author.String("url", profile);
    post.author.name.assign(!display_name.empty() ? display_name : username);
    if (acct.empty()) acct = username;
    if (!acct.empty()) {
      post.author.handle = "@" + std::string(acct);
      const std::string account_host = HostOf(profile);
      if (acct.find('@') == std::string_view::npos && !account_host.empty()) {
        post.author.handle += "@" + account_host;
      }
    }
    post.author.url.assign(profile);
    author.Count("followers_count", post.author.followers);
  }

  fields.Date("created_at", post.published_at);
  fields.Date("edited_at", post.updated_at);

  std::string parent;
  if (fields.Id("in_reply_to_id", parent) && !host_.empty()) {
    post.parent_id = host_ + "/statuses/" + parent;
  }

  dom::object card;
  if (fields.Object("card", card)) {
    std::string_view card_url;
    if (Fields(card, prefix + "card.", notes).String("url", card_url)) {
      AddLink(TrimHtmlSpace(card_url), post.links);
    }
  }

  fields.Count("replies_count", post.comments);
  fields.Count("reblogs_count", post.shares);
  fields.Count("favourites_count", post.likes);

  // Hashed in minified form: the same status pretty-printed or not is the same content.
  post.content_hash = ContentHash(simdjson::minify(status));
  if (!parent.empty() && host_.empty() && !reported_unknown_host_) {
    reported_unknown_host_ = true;
    problems_.Add(std::string(name_),
                  "in_reply_to_id is local to the instance that served the statuses, which the "
                  "input does not name (no local account in it): replies were read without their "
                  "parent, and ids are the statuses' URIs (name the input after its API URL, "
                  "https://<instance>/api/v1/..., to keep them)");
  }
  return true;
}

}  // namespace

void ReadMastodon(std::string_view bytes, std::string_view name,
                  const std::function<void(const Post&)>& emit, std::vector<Problem>& problems) {
  MastodonReader reader(name, emit, problems);
  reader.Read(bytes);
}

}  // namespace ecoute
