#include "sources/comment_feeds.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "ecoute/sources.h"

#include "sources/feed/html_source.h"

namespace ecoute {
namespace {

// Discovery reads start tags only; a page is scanned once, linearly, without building a
// tree: what it needs is in <link>, <meta>, <base> and a few attributes.
constexpr size_t kMaxTags = 50'000;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The few character references found in URLs and titles of <link> elements.
std::string DecodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      bool replaced = false;
      for (auto [entity, text] : {std::pair<std::string_view, std::string_view>{"&amp;", "&"},
                                  {"&#38;", "&"},
                                  {"&#038;", "&"},
                                  {"&quot;", "\""},
                                  {"&#39;", "'"},
                                  {"&raquo;", "\xC2\xBB"}}) {
        if (s.substr(i, entity.size()) == entity) {
          out += text;
          i += entity.size() - 1;
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

struct Tag {
  std::string name;                                             // lower case
  std::vector<std::pair<std::string, std::string>> attributes;  // names lower case
  std::string_view Get(std::string_view attribute) const {
    for (const auto& [n, v] : attributes) {
      if (n == attribute) return v;
    }
    return {};
  }
  bool Has(std::string_view attribute) const {
    return std::any_of(attributes.begin(), attributes.end(),
                       [&](const auto& a) { return a.first == attribute; });
  }
};

// Reads the attributes of a start tag from `i` (after its name) to its '>'; `i` is left past
// it. False when the tag does not end.
bool ReadAttributes(std::string_view html, size_t& i, Tag& tag) {
  while (i < html.size()) {
    while (i < html.size() && (IsSpace(html[i]) || html[i] == '/')) ++i;
    if (i >= html.size()) return false;
    if (html[i] == '>') {
      ++i;
      return true;
    }
    const size_t name_start = i;
    while (i < html.size() && !IsSpace(html[i]) && html[i] != '=' && html[i] != '>' &&
           html[i] != '/') {
      ++i;
    }
    std::string name = Lower(html.substr(name_start, i - name_start));
    while (i < html.size() && IsSpace(html[i])) ++i;
    std::string value;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && IsSpace(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const char quote = html[i];
        const size_t end = html.find(quote, i + 1);
        if (end == std::string_view::npos) return false;
        value = DecodeEntities(html.substr(i + 1, end - i - 1));
        i = end + 1;
      } else {
        const size_t start = i;
        while (i < html.size() && !IsSpace(html[i]) && html[i] != '>') ++i;
        value = DecodeEntities(html.substr(start, i - start));
      }
    }
    if (!name.empty()) tag.attributes.emplace_back(std::move(name), std::move(value));
  }
  return false;
}

// Calls `visit` for each start tag of `html`, in order, skipping comments and the content
// of scripts and styles.
template <typename Visit>
void ForEachStartTag(std::string_view html, Visit&& visit) {
  size_t i = 0;
  for (size_t tags = 0; tags < kMaxTags && (i = html.find('<', i)) != std::string_view::npos;) {
    if (html.substr(i, 4) == "<!--") {
      const size_t end = html.find("-->", i + 4);
      if (end == std::string_view::npos) return;
      i = end + 3;
      continue;
    }
    size_t j = i + 1;
    if (j >= html.size() || !std::isalpha(static_cast<unsigned char>(html[j]))) {
      i = j;
      continue;
    }
    while (j < html.size() && !IsSpace(html[j]) && html[j] != '>' && html[j] != '/') ++j;
    Tag tag;
    tag.name = Lower(html.substr(i + 1, j - i - 1));
    if (!ReadAttributes(html, j, tag)) return;
    ++tags;
    visit(tag);
    i = j;
    if (tag.name == "script" || tag.name == "style") {
      const std::string close = "</" + tag.name;
      size_t end = j;
      while ((end = html.find("</", end)) != std::string_view::npos &&
             Lower(html.substr(end, close.size())) != close) {
        end += 2;
      }
      if (end == std::string_view::npos) return;
      i = end;
    }
  }
}

bool HasToken(std::string_view list, std::string_view token) {
  const std::string lower = Lower(list);
  std::string_view rest = lower;
  while (!rest.empty()) {
    while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
    size_t end = 0;
    while (end < rest.size() && !IsSpace(rest[end])) ++end;
    if (rest.substr(0, end) == token) return true;
    rest.remove_prefix(end);
  }
  return false;
}

// "https://blog.example:8080" of "https://blog.example:8080/a/b?c"; "" for a relative URL.
std::string_view Origin(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const size_t path = url.find_first_of("/?#", scheme + 3);
  return url.substr(0, path);
}

std::string_view PathOf(std::string_view url) {
  const std::string_view origin = Origin(url);
  std::string_view path = url.substr(origin.size());
  if (const size_t end = path.find_first_of("?#"); end != std::string_view::npos) {
    path = path.substr(0, end);
  }
  return path;
}

// A feed the page links.
struct FeedLink {
  std::string href;
  std::string title;  // lower case
};

// What the page says about itself, for discovery.
struct PageSignals {
  std::string base;
  std::vector<FeedLink> feeds;
  std::string generator;  // every <meta name="generator">, lower case
  bool wordpress = false;
  bool blogger = false;
  std::string blogger_post_id;
  bool comment_area = false;
};

bool IsCommentAreaName(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "comments",     "respond",     "commentform",     "comment-form",   "comments-area",
      "comment-list", "commentlist", "comment-respond", "comment-holder", "comments-block"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

void NoteCommentArea(const Tag& tag, PageSignals& page) {
  if (IsCommentAreaName(Lower(tag.Get("id")))) page.comment_area = true;
  const std::string classes = Lower(tag.Get("class"));
  std::string_view rest = classes;
  while (!page.comment_area && !rest.empty()) {
    while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
    size_t end = 0;
    while (end < rest.size() && !IsSpace(rest[end])) ++end;
    if (IsCommentAreaName(rest.substr(0, end))) page.comment_area = true;
    rest.remove_prefix(end);
  }
}

void NoteTag(const Tag& tag, PageSignals& page) {
  if (tag.name == "base" && page.base.empty() && !tag.Get("href").empty()) {
    page.base = tag.Get("href");
  } else if (tag.name == "link") {
    const std::string_view rel = tag.Get("rel");
    const std::string type = Lower(tag.Get("type"));
    if (HasToken(rel, "alternate") && (Contains(type, "rss+xml") || Contains(type, "atom+xml")) &&
        !tag.Get("href").empty()) {
      page.feeds.push_back({std::string(tag.Get("href")), Lower(tag.Get("title"))});
    }
    // WordPress announces its REST API on every page; its assets live under wp-content.
    if (HasToken(rel, "https://api.w.org/")) page.wordpress = true;
  } else if (tag.name == "meta") {
    if (Lower(tag.Get("name")) == "generator") {
      page.generator += Lower(tag.Get("content"));
      page.generator += ' ';
    }
    if (Lower(tag.Get("itemprop")) == "postid" && IsDigits(tag.Get("content"))) {
      page.blogger_post_id = tag.Get("content");
    }
  }
  for (const char* attribute : {"href", "src"}) {
    const std::string_view value = tag.Get(attribute);
    if (Contains(value, "/wp-content/") || Contains(value, "/wp-includes/")) page.wordpress = true;
    if (Contains(value, "blogger.com/")) page.blogger = true;
  }
  if (page.blogger_post_id.empty() && IsDigits(tag.Get("data-post-id"))) {
    page.blogger_post_id = tag.Get("data-post-id");
  }
  if (tag.Has("id") || tag.Has("class")) NoteCommentArea(tag, page);
}

// Whether a linked feed's title or address says it carries comments.
bool SaysComments(const FeedLink& feed) {
  const std::string href = Lower(feed.href);
  for (std::string_view word : {"comment", "coment", "kommentar"}) {
    if (Contains(feed.title, word) || Contains(href, word)) return true;
  }
  return false;
}

// A site's comment feed (every post's comments), as opposed to one post's.
bool IsSiteWide(std::string_view href) {
  const std::string path = Lower(PathOf(href));
  return path == "/comments/feed" || path == "/comments/feed/" ||
         Contains(Lower(href), "feed=comments-rss");
}

// The post id in a Blogger comment feed's address (/feeds/<postId>/comments/...), "" if none.
std::string_view BloggerPostIdIn(std::string_view href) {
  const size_t at = href.find("/feeds/");
  if (at == std::string_view::npos) return {};
  std::string_view rest = href.substr(at + 7);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || rest.substr(slash).rfind("/comments/", 0) != 0) return {};
  return IsDigits(rest.substr(0, slash)) ? rest.substr(0, slash) : std::string_view();
}

void Add(std::vector<CommentSource>& out, std::string url, std::string_view format,
         std::string_view kind) {
  // Only the web is polled: a link to "javascript:", "ftp:" or a mangled scheme is no source.
  std::string scheme = url.substr(0, 8);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!scheme.starts_with("http://") && !scheme.starts_with("https://")) return;
  if (Origin(url).size() <= url.find("://") + 3) return;  // no host
  for (const CommentSource& s : out) {
    if (s.url == url) return;
  }
  out.push_back({std::move(url), std::string(format), std::string(kind)});
}

// Whether the HTML reader finds comments under the page's article.
bool HasEmbeddedComments(std::string_view html, std::string_view page_url) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadHtmlPost(html, page_url, posts, problems);
  return std::any_of(posts.begin(), posts.end(),
                     [](const Post& p) { return !p.parent_id.empty(); });
}

}  // namespace

std::string ComparableUrl(std::string_view url) {
  if (const size_t hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

std::string_view CommentAnchor(std::string_view url) {
  const size_t hash = url.find('#');
  return hash == std::string_view::npos ? std::string_view() : url.substr(hash + 1);
}

std::string DiscourseTopicFeed(std::string_view url) {
  const std::string_view origin = Origin(url);
  const std::string_view path = PathOf(url);
  if (origin.empty()) return "";
  const size_t at = path.find("/t/");
  if (at == std::string_view::npos) return "";
  std::string_view rest = path.substr(at + 3);
  const size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return "";
  const std::string_view slug = rest.substr(0, slash);
  rest.remove_prefix(slash + 1);
  std::string_view id = rest.substr(0, rest.find('/'));
  if (id.ends_with(".rss") || id.ends_with(".json")) return "";
  if (!IsDigits(id)) return "";
  return std::string(origin) + std::string(path.substr(0, at)) + "/t/" + std::string(slug) + "/" +
         std::string(id) + ".rss";
}

std::vector<CommentSource> FindCommentSources(std::string_view html, std::string_view page_url) {
  PageSignals page;
  ForEachStartTag(html, [&](const Tag& tag) { NoteTag(tag, page); });
  const std::string base =
      page.base.empty() ? std::string(page_url) : feeds::ResolveUrl(page.base, page_url);
  const std::string page_key = ComparableUrl(page_url);
  const std::string_view origin = Origin(page_url);
  std::vector<CommentSource> out;
  // 1. The platforms' own per-post feeds.
  page.blogger = page.blogger || Contains(page.generator, "blogger");
  // The post id from the comment feed's own address, else from the markup of a Blogger page.
  std::string blogger_id = page.blogger ? page.blogger_post_id : "";
  for (const FeedLink& feed : page.feeds) {
    if (const std::string_view id = BloggerPostIdIn(feed.href); !id.empty()) blogger_id = id;
  }
  if (!blogger_id.empty()) {
    Add(out, std::string(origin) + "/feeds/" + blogger_id + "/comments/default", "feed", "blogger");
  }
  const std::string topic_feed = DiscourseTopicFeed(page_url);
  if (!topic_feed.empty()) {
    bool linked = false;
    for (const FeedLink& feed : page.feeds) {
      linked = linked || ComparableUrl(feeds::ResolveUrl(feed.href, base)) == topic_feed;
    }
    if (linked || Contains(page.generator, "discourse")) Add(out, topic_feed, "feed", "discourse");
  }
  // 2. Comment feeds the page links: this post's, then (5, below) the site's.
  std::vector<std::string> site_wide;
  for (const FeedLink& feed : page.feeds) {
    if (!SaysComments(feed)) continue;
    std::string href = feeds::ResolveUrl(feed.href, base);
    if (IsSiteWide(href)) {
      site_wide.push_back(std::move(href));
    } else {
      Add(out, std::move(href), "feed", "linked_feed");
    }
  }
  // 3. WordPress serves every post's comments at <post-url>/feed/.
  page.wordpress = page.wordpress || Contains(page.generator, "wordpress");
  if (page.wordpress && !page_key.empty() && PathOf(page_key).size() > 1 &&
      page_key.find('?') == std::string::npos) {
    Add(out, page_key + "/feed/", "feed", "wordpress_feed");
  }
  // 4. The page itself, when it shows comments or a place to write one.
  if (page.comment_area || HasEmbeddedComments(html, page_url)) {
    Add(out, std::string(page_url.substr(0, page_url.find('#'))), "html", "embedded");
  }
  for (std::string& href : site_wide) Add(out, std::move(href), "feed", "site_comments_feed");
  return out;
}

bool IsFollowedArticle(const Post& post, std::string_view article_url) {
  const std::string article = ComparableUrl(article_url);
  const std::string& address = post.url.empty() ? post.id : post.url;
  if (!CommentAnchor(address).empty()) return false;
  const std::string key = ComparableUrl(address);
  if (key == article) return true;
  const std::string topic_feed = DiscourseTopicFeed(article_url);
  if (topic_feed.empty()) return false;
  const std::string topic = topic_feed.substr(0, topic_feed.size() - 4);  // without ".rss"
  return key == topic || key == topic + "/1";
}

}  // namespace ecoute
