#include "sources/feed/entry_post.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/contacts.h"
#include "sources/feed/xml_text.h"
#include "sources/html_fragment.h"
#include "util/utf8.h"

namespace ecoute::feeds {

namespace {

// HTML source to plain text: its text and links. Descriptions of the usual shapes take the
// fast path (html_fragment.h), which gives what the HTML reader would; the rest goes
// through the HTML reader.
void HtmlToText(std::string_view html, std::string& text, std::vector<std::string>& links) {
  if (sources_internal::FragmentToText(html, text, links)) return;
  std::vector<Post> posts;
  std::vector<Problem> ignored;
  ReadHtmlPost(html, "feed-entry.html", posts, ignored);
  if (posts.empty()) return;
  text = std::move(posts.front().text);
  for (std::string& link : posts.front().links) links.push_back(std::move(link));
}

std::string PlainTextOf(const FeedValue* detail, std::vector<std::string>& links) {
  if (detail == nullptr) return "";
  const std::string_view value = detail->StringAt("value");
  if (detail->StringAt("type") == "text/plain") return std::string(value);
  std::string text;
  HtmlToText(value, text, links);
  return text;
}

// The URL with its fragment removed.
std::string_view WithoutFragment(std::string_view url) {
  const size_t hash = url.find('#');
  return hash == std::string_view::npos ? url : url.substr(0, hash);
}

void AddUnique(std::vector<std::string>& links, std::string link) {
  if (link.empty()) return;
  if (std::find(links.begin(), links.end(), link) == links.end()) links.push_back(std::move(link));
}

void RepairPost(Post& post) {
  for (std::string* field :
       {&post.id, &post.url, &post.title, &post.text, &post.lang, &post.author.name,
        &post.author.handle, &post.author.url, &post.parent_id, &post.parent_url}) {
    RepairField(*field);
  }
  for (std::string& link : post.links) RepairField(link);
}

}  // namespace

void RepairField(std::string& text) {
  size_t first_bad = 0;
  RepairUtf8(text, first_bad);
}

bool MapEntry(const FeedValue& entry, std::string_view entry_xml, const std::string& source,
              const std::string& where, std::vector<Problem>& problems, PendingPost& pending) {
  Post& post = pending.post;
  post.source = source;
  post.url = std::string(entry.StringAt("link"));
  post.id = std::string(entry.StringAt("id"));
  if (post.id.empty()) post.id = post.url;
  if (post.id.empty()) post.id = where;
  const FeedValue* title_detail = entry.Find("title_detail");
  std::vector<std::string> ignored_links;
  post.title = PlainTextOf(title_detail, ignored_links);
  const FeedValue* content = entry.Find("content");
  const FeedValue* body = content != nullptr && !content->items.empty()
                              ? &content->items.front()
                              : entry.Find("summary_detail");
  std::vector<std::string> content_links;
  post.text = PlainTextOf(body, content_links);
  post.lang = std::string(entry.StringAt("language"));
  if (post.lang.empty() && body != nullptr) post.lang = std::string(body->StringAt("language"));
  pending.wants_feed_lang = post.lang.empty();
  if (const FeedValue* author = entry.Find("author_detail")) {
    post.author.name = std::string(author->StringAt("name"));
    if (post.author.name.empty()) post.author.name = std::string(author->StringAt("email"));
    post.author.url = std::string(author->StringAt("href"));
    sources_internal::AppendAuthorRoutes(author->StringAt("email"), author->StringAt("href"),
                                         post.contacts);
  }
  for (const auto& [key, field] :
       {std::pair<const char*, std::string*>{"published", &post.published_at},
        {"updated", &post.updated_at}}) {
    const std::string_view raw = entry.StringAt(key);
    if (raw.empty()) continue;
    // The model parsed it already (SetDate): "<key>_iso" is there when it is a date.
    const std::string_view iso = entry.StringAt(std::string(key) + "_iso");
    if (!iso.empty()) {
      *field = std::string(iso);
    } else {
      problems.push_back({where,
                          "<" + std::string(key) + "> \"" + std::string(raw) +
                              "\" is not a date; write it as RFC 822 or RFC 3339",
                          false});
    }
  }
  if (post.published_at.empty()) post.published_at = post.updated_at;
  // The article a comment answers: Atom threading, else a WordPress-style comment link
  // ("article#comment-12"), else (FinishPost) a comment feed whose channel link is the
  // article.
  if (const FeedValue* reply = entry.Find("thr_in-reply-to")) {
    post.parent_id = std::string(reply->StringAt("ref"));
    post.parent_url = std::string(reply->StringAt("href"));
  }
  if (post.parent_url.empty()) {
    const size_t hash = post.url.find('#');
    if (hash != std::string::npos &&
        StartsWith(std::string_view(post.url).substr(hash + 1), "comment")) {
      post.parent_url = std::string(WithoutFragment(post.url));
    } else {
      pending.wants_feed_parent = true;
    }
  }
  if (const FeedValue* enclosures = entry.Find("enclosures")) {
    for (const FeedValue& enclosure : enclosures->items) {
      AddUnique(post.links, std::string(enclosure.StringAt("href")));
    }
  }
  for (std::string& link : content_links) AddUnique(post.links, std::move(link));
  const std::string_view comments = entry.StringAt("slash_comments");
  if (!comments.empty()) {
    char* end = nullptr;
    const std::string count(Trim(comments));
    const long long value = std::strtoll(count.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && value >= 0) {
      post.comments = value;
    } else {
      problems.push_back({where,
                          "<slash:comments> \"" + count + "\" is not a count; write a whole number",
                          false});
    }
  }
  post.content_hash = ContentHash(entry_xml);
  if (post.text.empty() && post.title.empty() && post.url.empty()) {
    problems.push_back({where, "the entry has no title, text or link; it was skipped", false});
    return false;
  }
  return true;
}

void FinishPost(const FeedValue& feed, PendingPost& pending) {
  Post& post = pending.post;
  if (pending.wants_feed_lang) post.lang = std::string(feed.StringAt("language"));
  const std::string_view feed_link = feed.StringAt("link");
  if (pending.wants_feed_parent && !feed_link.empty() && post.url != feed_link &&
      WithoutFragment(post.url) == WithoutFragment(feed_link)) {
    post.parent_url = std::string(WithoutFragment(feed_link));
  }
  RepairPost(post);
}

std::string SourceOf(std::string_view version) {
  return StartsWith(version, "atom") ? "atom" : "rss";
}

}  // namespace ecoute::feeds
