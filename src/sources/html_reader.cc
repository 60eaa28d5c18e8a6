#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <gumbo.h>
#include <simdjson.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/article.h"
#include "sources/comments.h"
#include "sources/contacts.h"
#include "sources/html_elements.h"
#include "sources/html_text.h"
#include "sources/text_input.h"
#include "util/datetime.h"

namespace ecoute {

namespace {

using sources_internal::Gap;
using sources_internal::IsHtmlSpace;
using sources_internal::TextBuilder;

std::string_view TrimHtmlSpace(std::string_view s) {
  while (!s.empty() && IsHtmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsHtmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool StartsWithIgnoreAsciiCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreAsciiCase(s.substr(0, prefix.size()), prefix);
}

// The value of attribute `name` of `element`, or null when it has none.
const char* Attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? nullptr : attribute->value;
}

using sources_internal::Layout;

// The page walk also hides HTML elements marked `hidden`.
Layout PageLayoutOf(const GumboNode& node) {
  Layout layout = sources_internal::LayoutOf(node);
  if (node.type == GUMBO_NODE_ELEMENT && node.v.element.tag_namespace == GUMBO_NAMESPACE_HTML &&
      Attribute(node.v.element, "hidden") != nullptr) {
    layout.is_hidden = true;
  }
  return layout;
}

const GumboVector* ChildrenOf(const GumboNode& node) {
  switch (node.type) {
    case GUMBO_NODE_DOCUMENT:
      return &node.v.document.children;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      return &node.v.element.children;
    default:
      return nullptr;
  }
}

constexpr int kNoRank = 100;

enum class MetaKind { kAuthor, kPublished, kTitle };

// Whether a <meta> key is `want` (lower case, written with ':'): keys are compared
// case-insensitively with '.' read as ':', since Dublin Core is "DC.title" in a name and
// "dc:title" in a property.
bool IsMetaKey(std::string_view key, std::string_view want) {
  if (key.size() != want.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '.') c = ':';
    if (c != want[i]) return false;
  }
  return true;
}

// How good a <meta> key is as a source of `kind`: 0 is best, kNoRank means it says nothing
// about it.
int MetaRank(std::string_view key, MetaKind kind) {
  auto rank_in = [key](std::initializer_list<std::string_view> names) {
    int rank = 0;
    for (std::string_view candidate : names) {
      if (IsMetaKey(key, candidate)) return rank;
      ++rank;
    }
    return kNoRank;
  };
  switch (kind) {
    case MetaKind::kAuthor:
      return rank_in({"dc:creator", "dcterm:creator", "dcterms:creator", "author", "article:author",
                      "og:article:author", "parsely-author", "sailthru:author"});
    case MetaKind::kPublished:
      return rank_in({"article:published_time", "og:article:published_time", "datepublished",
                      "parsely-pub-date", "dc:date:issued", "dcterms:created", "dc:date", "pubdate",
                      "publish-date", "date"});
    case MetaKind::kTitle:
      return rank_in({"dc:title", "dcterm:title", "dcterms:title", "og:title", "twitter:title",
                      "parsely-title"});
  }
  return kNoRank;
}

// Where a <meta> key is written, best first: `property` is RDFa (Open Graph, Dublin Core
// as specified), `name` is HTML's own, `itemprop` is microdata that often describes
// something else than the page (an image, the publisher).
constexpr const char* kMetaKeyAttributes[] = {"property", "name", "itemprop"};
constexpr int kMetaSources = 3;
constexpr int kNoPriority = kNoRank * kMetaSources;

// A meta's priority for `kind`, lower is better: its key's rank, then where it is written.
int MetaPriority(std::string_view key, int source, MetaKind kind) {
  const int rank = MetaRank(key, kind);
  return rank == kNoRank ? kNoPriority : rank * kMetaSources + source;
}

// Cuts the next whitespace-separated token off the front of `list` into `token`.
bool NextToken(std::string_view& list, std::string_view& token) {
  while (!list.empty() && IsHtmlSpace(list.front())) list.remove_prefix(1);
  if (list.empty()) return false;
  size_t end = 0;
  while (end < list.size() && !IsHtmlSpace(list[end])) ++end;
  token = list.substr(0, end);
  list.remove_prefix(end);
  return true;
}

bool LooksLikeUrl(std::string_view s) {
  return StartsWithIgnoreAsciiCase(s, "http:") || StartsWithIgnoreAsciiCase(s, "https:") ||
         StartsWithIgnoreAsciiCase(s, "//");
}

// A schema.org author: a name, a Person or Organization object, or a list of them.
std::string JsonLdName(simdjson::dom::element value) {
  std::string_view text;
  if (value.get(text) == simdjson::SUCCESS) {
    return LooksLikeUrl(text) ? "" : std::string(TrimHtmlSpace(text));
  }
  simdjson::dom::array items;
  if (value.get(items) == simdjson::SUCCESS) {
    std::string names;
    for (simdjson::dom::element item : items) {
      const std::string name = JsonLdName(item);
      if (name.empty()) continue;
      if (!names.empty()) names += ", ";
      names += name;
    }
    return names;
  }
  simdjson::dom::object object;
  if (value.get(object) == simdjson::SUCCESS && object["name"].get(text) == simdjson::SUCCESS) {
    return std::string(TrimHtmlSpace(text));
  }
  return "";
}

// What a page's JSON-LD says about its article.
struct JsonLdFacts {
  std::string author;
  std::string published;
  std::string headline;
  std::string name;         // only from an object typed as an article
  bool is_article = false;  // from an object typed as an article: later blocks are not read

  bool empty() const { return author.empty() && published.empty() && headline.empty(); }
};

// Whether a schema.org @type (a name, a URL, or a list of them) is an article or a post:
// Article and its subtypes (NewsArticle, ScholarlyArticle, TechArticle...), the postings
// (BlogPosting, SocialMediaPosting, DiscussionForumPosting...), Report.
bool IsArticleType(simdjson::dom::element type) {
  simdjson::dom::array items;
  if (type.get(items) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : items) {
      if (IsArticleType(item)) return true;
    }
    return false;
  }
  std::string_view name;
  if (type.get(name) != simdjson::SUCCESS) return false;
  if (const size_t slash = name.find_last_of("/:"); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);  // "https://schema.org/NewsArticle"
  }
  return name.ends_with("Article") || name.ends_with("Posting") || name == "Report";
}

// Reads one JSON-LD block into `facts`: the first object (or @graph member) typed as an
// article wins over anything read before; else the first object with an author, a
// headline or a publication date is kept until such an article turns up.
void ReadJsonLd(std::string_view json, simdjson::dom::parser& parser, JsonLdFacts& facts) {
  // Pages wrap the JSON in CDATA markers (XHTML habits) or comments; markers are only
  // looked for at the ends, so that a "]]>" inside a string is left alone.
  if (const size_t at = json.find("<![CDATA["); at != std::string_view::npos && at < 32) {
    json.remove_prefix(at + 9);
  }
  if (const size_t at = json.rfind("]]>"); at != std::string_view::npos && json.size() - at < 32) {
    json = json.substr(0, at);
  }
  const size_t first = json.find_first_of("{[");
  const size_t last = json.find_last_of("}]");
  if (first == std::string_view::npos || last == std::string_view::npos || last < first) return;
  json = json.substr(first, last - first + 1);
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(json)).get(root) != simdjson::SUCCESS) return;
  std::vector<simdjson::dom::element> pending{root};
  for (size_t i = 0; i < pending.size() && i < 64; ++i) {
    simdjson::dom::array items;
    if (pending[i].get(items) == simdjson::SUCCESS) {
      for (simdjson::dom::element item : items) pending.push_back(item);
      continue;
    }
    simdjson::dom::object object;
    if (pending[i].get(object) != simdjson::SUCCESS) continue;
    simdjson::dom::element graph;
    if (object["@graph"].get(graph) == simdjson::SUCCESS) pending.push_back(graph);
    simdjson::dom::element type;
    const bool is_article = object["@type"].get(type) == simdjson::SUCCESS && IsArticleType(type);
    if (!is_article && !facts.empty()) continue;  // only an article improves on what we have
    JsonLdFacts found;
    simdjson::dom::element value;
    std::string_view text;
    if (object["author"].get(value) == simdjson::SUCCESS) found.author = JsonLdName(value);
    if (object["datePublished"].get(text) == simdjson::SUCCESS) {
      found.published = TrimHtmlSpace(text);
    }
    if (object["headline"].get(text) == simdjson::SUCCESS) found.headline = TrimHtmlSpace(text);
    if (is_article) {
      if (object["name"].get(text) == simdjson::SUCCESS) found.name = TrimHtmlSpace(text);
      found.is_article = true;
      facts = std::move(found);
      return;
    }
    if (!found.empty()) facts = std::move(found);
  }
}

// Lower-cased words of `text` (ASCII letters and digits, and any non-ASCII byte), at most
// 64 of them.
std::vector<std::string> TitleWords(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i <= text.size() && words.size() < 64; ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || byte >= 0x80) {
      word.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      word.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  return words;
}

// How many words of `page_title` `candidate` has.
int SharedWords(std::string_view candidate, std::string_view page_title) {
  const std::vector<std::string> have = TitleWords(candidate);
  int shared = 0;
  for (const std::string& word : TitleWords(page_title)) {
    if (std::find(have.begin(), have.end(), word) != have.end()) ++shared;
  }
  return shared;
}

// JSON-LD gives an article both a name and a headline, which mostly agree; when they do
// not, some sites put their own name (or a description) in one of them. The one the
// page's <title> echoes more is the title; the headline when neither is echoed.
std::string_view JsonLdTitle(const JsonLdFacts& ld, std::string_view page_title) {
  if (ld.name.empty()) return ld.headline;
  if (ld.headline.empty() || ld.headline == ld.name) return ld.name;
  return SharedWords(ld.name, page_title) > SharedWords(ld.headline, page_title) ? ld.name
                                                                                 : ld.headline;
}

size_t WordCount(std::string_view text) {
  size_t count = 0;
  std::string_view token;
  while (NextToken(text, token)) ++count;
  return count;
}

// A <title> usually carries the site's name: "Headline | Site", "Site - Headline",
// "Headline :: Section :: Site". Cut at the last separator when what comes before still
// reads as a headline (five words or more), else after the first one when what precedes is
// short and what follows reads as a headline; else the title is kept whole, as
// "Rock - Paper - Scissors" or "Jane Doe - Blog" may well be the whole name of the page.
constexpr size_t kMinCleanTitleWords = 5;
std::string CleanTitle(const std::string& title) {
  static constexpr std::string_view kSeparators[] = {
      " | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " :: ", " \xC2\xBB ", " / ", " \xC2\xB7 "};
  size_t first_separator = std::string::npos;  // where the first separator starts
  size_t first_end = std::string::npos;        // and where the text after it starts
  size_t last_start = std::string::npos;       // where the last separator starts
  for (std::string_view separator : kSeparators) {
    const size_t at = title.find(separator);
    if (at == std::string::npos) continue;
    if (first_end == std::string::npos || at + separator.size() < first_end) {
      first_separator = at;
      first_end = at + separator.size();
    }
    const size_t last = title.rfind(separator);
    if (last_start == std::string::npos || last > last_start) last_start = last;
  }
  if (last_start == std::string::npos) return title;
  const std::string_view before = TrimHtmlSpace(std::string_view(title).substr(0, last_start));
  if (WordCount(before) >= kMinCleanTitleWords) return std::string(before);
  // A leading site name is short; four words or more before the first separator are more
  // likely a short headline followed by a long site name.
  const std::string_view lead = std::string_view(title).substr(0, first_separator);
  const std::string_view after = TrimHtmlSpace(std::string_view(title).substr(first_end));
  if (WordCount(lead) <= 3 && WordCount(after) >= kMinCleanTitleWords) return std::string(after);
  return title;
}

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }

// Whether a class or id names an author's element: "author" as a word of its own
// ("article__author", "blog-author", "authorName") but not inside another ("authorization").
bool HasAuthorWord(const char* names) {
  if (names == nullptr) return false;
  const std::string_view text = names;
  constexpr std::string_view kWord = "author";
  for (size_t i = 0; i + kWord.size() <= text.size(); ++i) {
    if (!EqualsIgnoreAsciiCase(text.substr(i, kWord.size()), kWord)) continue;
    const bool starts =
        i == 0 || !(IsAsciiLower(text[i - 1]) || (text[i - 1] >= 'A' && text[i - 1] <= 'Z')) ||
        (text[i] == 'A' && IsAsciiLower(text[i - 1]));
    const size_t end = i + kWord.size();
    if (starts && (end == text.size() || !IsAsciiLower(text[end]))) return true;
  }
  return false;
}

constexpr int kMaxBylineAttempts = 16;

// Everything the page says about itself, gathered in one walk of the tree.
struct PageFacts {
  const GumboNode* title = nullptr;     // the first HTML <title>
  const GumboNode* first_h1 = nullptr;  // the first visible <h1>
  std::string meta_author;              // several metas of the same key are joined
  std::string_view meta_published;
  std::string_view meta_title;
  int meta_author_priority = kNoPriority;  // lower is better, see MetaPriority
  int meta_published_priority = kNoPriority;
  int meta_title_priority = kNoPriority;
  std::string_view time_datetime;
  // Visible elements marked as the author's, in document order, with their text.
  std::vector<std::pair<const GumboNode*, std::string>> bylines;
  JsonLdFacts json_ld;                  // schema.org
  std::vector<std::string_view> links;  // views into the gumbo tree
  // Visible <a href> and every <link rel> of the page, for its contact routes (contacts.h).
  std::vector<const GumboNode*> contact_links;
};

// Walks the tree under `root` in document order, writing its visible text to `builder`
// (when not null) and, when `facts` is not null, recording metadata and links. Elements in
// `skipped` (when not null) are left out with their content. Iterative, because real pages
// nest thousands deep and the walk must not exhaust the stack.
class PageWalker {
 public:
  PageWalker(TextBuilder* builder, PageFacts* facts,
             const std::unordered_set<const GumboNode*>* skipped = nullptr)
      : builder_(builder), facts_(facts), skipped_(skipped) {}

  void Walk(const GumboNode& root) {
    Enter(root);
    while (!stack_.empty()) {
      Frame& frame = stack_.back();
      if (frame.next_child < frame.children->length) {
        const auto* child = static_cast<const GumboNode*>(frame.children->data[frame.next_child]);
        ++frame.next_child;  // before Enter, which may grow the stack and move `frame`
        Enter(*child);
      } else {
        Leave(frame.layout);
        stack_.pop_back();
      }
    }
  }

 private:
  struct Frame {
    const GumboVector* children;
    unsigned int next_child;
    Layout layout;
  };

  void Enter(const GumboNode& node) {
    switch (node.type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
        if (hidden_depth_ > 0 || builder_ == nullptr) return;
        if (verbatim_depth_ > 0) {
          builder_->AppendVerbatim(node.v.text.text);
        } else {
          builder_->AppendCollapsed(node.v.text.text);
        }
        return;
      case GUMBO_NODE_WHITESPACE:
        if (hidden_depth_ > 0 || builder_ == nullptr) return;
        if (verbatim_depth_ > 0) {
          builder_->AppendVerbatim(node.v.text.text);
        } else {
          builder_->RequestGap(Gap::kSpace);
        }
        return;
      case GUMBO_NODE_COMMENT:
        return;
      case GUMBO_NODE_DOCUMENT:
        stack_.push_back({ChildrenOf(node), 0, Layout()});
        return;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        break;
    }
    if (skipped_ != nullptr && skipped_->contains(&node)) return;
    const Layout layout = PageLayoutOf(node);
    if (layout.is_hidden) ++hidden_depth_;
    if (layout.is_verbatim) ++verbatim_depth_;
    // After the counts, so that an element hidden by its own attribute counts as hidden.
    if (facts_ != nullptr) Record(node);
    if (hidden_depth_ == 0 && builder_ != nullptr) builder_->RequestGap(layout.gap);
    stack_.push_back({ChildrenOf(node), 0, layout});
  }

  void Leave(const Layout& layout) {
    if (hidden_depth_ == 0 && builder_ != nullptr) builder_->RequestGap(layout.gap);
    if (layout.is_hidden) --hidden_depth_;
    if (layout.is_verbatim) --verbatim_depth_;
  }

  void Record(const GumboNode& node) {
    const GumboElement& element = node.v.element;
    if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return;
    switch (element.tag) {
      case GUMBO_TAG_TITLE:
        if (facts_->title == nullptr) facts_->title = &node;
        break;
      case GUMBO_TAG_H1:
        if (facts_->first_h1 == nullptr && hidden_depth_ == 0) facts_->first_h1 = &node;
        break;
      case GUMBO_TAG_META:
        RecordMeta(element);
        break;
      case GUMBO_TAG_SCRIPT: {
        const char* type = Attribute(element, "type");
        if (facts_->json_ld.is_article || type == nullptr ||
            !EqualsIgnoreAsciiCase(TrimHtmlSpace(type), "application/ld+json") ||
            element.children.length == 0) {
          break;
        }
        // The parser may split the script's text in several nodes (whitespace apart).
        std::string json;
        for (unsigned int i = 0; i < element.children.length; ++i) {
          const auto* child = static_cast<const GumboNode*>(element.children.data[i]);
          if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE ||
              child->type == GUMBO_NODE_CDATA) {
            json += child->v.text.text;
          }
        }
        ReadJsonLd(json, json_parser_, facts_->json_ld);
        break;
      }
      case GUMBO_TAG_TIME:
        if (facts_->time_datetime.empty()) {
          const char* datetime = Attribute(element, "datetime");
          if (datetime != nullptr) facts_->time_datetime = TrimHtmlSpace(datetime);
        }
        break;
      case GUMBO_TAG_A:
        RecordByline(node);
        RecordLink(element);
        if (hidden_depth_ == 0 && facts_->contact_links.size() < 4096) {
          facts_->contact_links.push_back(&node);
        }
        break;
      case GUMBO_TAG_LINK:
        if (facts_->contact_links.size() < 4096) facts_->contact_links.push_back(&node);
        break;
      default:
        RecordByline(node);
        break;
    }
  }

  // A <meta> may name its key in `property` (a list, as RDFa allows), `name` or `itemprop`;
  // the best key of each kind wins (MetaPriority), and several authors under the same key
  // are all kept ("DC.creator" once per author).
  void RecordMeta(const GumboElement& element) {
    const char* content_attribute = Attribute(element, "content");
    if (content_attribute == nullptr) return;
    const std::string_view content = TrimHtmlSpace(content_attribute);
    if (content.empty()) return;
    for (int source = 0; source < kMetaSources; ++source) {
      const char* key_attribute = Attribute(element, kMetaKeyAttributes[source]);
      if (key_attribute == nullptr) continue;
      std::string_view keys = key_attribute;
      std::string_view key;
      while (NextToken(keys, key)) {
        const int author = MetaPriority(key, source, MetaKind::kAuthor);
        if (author < kNoPriority && !LooksLikeUrl(content)) {
          if (author < facts_->meta_author_priority) {
            facts_->meta_author = content;
            facts_->meta_author_priority = author;
          } else if (author == facts_->meta_author_priority &&
                     facts_->meta_author.find(content) == std::string::npos) {
            facts_->meta_author += ", ";
            facts_->meta_author += content;
          }
        }
        const int published = MetaPriority(key, source, MetaKind::kPublished);
        if (published < facts_->meta_published_priority) {
          facts_->meta_published = content;
          facts_->meta_published_priority = published;
        }
        const int title = MetaPriority(key, source, MetaKind::kTitle);
        if (title < facts_->meta_title_priority) {
          facts_->meta_title = content;
          facts_->meta_title_priority = title;
        }
      }
    }
  }

  // Short visible elements that say they name the author: rel="author", itemprop="author",
  // or a class or id with "byline" or "author" in it. Bounded: nested candidates would
  // otherwise each walk the same subtree.
  void RecordByline(const GumboNode& node) {
    if (hidden_depth_ > 0 || byline_attempts_ >= kMaxBylineAttempts) return;
    const GumboElement& element = node.v.element;
    const char* rel = Attribute(element, "rel");
    const char* itemprop = Attribute(element, "itemprop");
    const char* class_names = Attribute(element, "class");
    const char* id = Attribute(element, "id");
    auto has = [](const char* value, std::string_view word) {
      if (value == nullptr) return false;
      const std::string_view text = value;
      for (size_t i = 0; i + word.size() <= text.size(); ++i) {
        if (EqualsIgnoreAsciiCase(text.substr(i, word.size()), word)) return true;
      }
      return false;
    };
    if ((rel != nullptr && EqualsIgnoreAsciiCase(TrimHtmlSpace(rel), "author")) ||
        has(itemprop, "author") || has(class_names, "byline") || has(id, "byline") ||
        HasAuthorWord(class_names) || HasAuthorWord(id)) {
      ++byline_attempts_;
      std::string text = BylineText(node);
      if (!text.empty() && text.size() < 100) facts_->bylines.emplace_back(&node, std::move(text));
    }
  }

  void RecordLink(const GumboElement& element) {
    switch (element.tag) {
      case GUMBO_TAG_A: {
        // Links inside hidden parts (templates, noscript) are not on the page as read.
        if (hidden_depth_ > 0) break;
        const char* href = Attribute(element, "href");
        if (href == nullptr) break;
        const std::string_view link = TrimHtmlSpace(href);
        // In-page anchors and script calls lead nowhere outside the page.
        if (link.empty() || link.front() == '#' || StartsWithIgnoreAsciiCase(link, "javascript:")) {
          break;
        }
        if (seen_links_.insert(link).second) facts_->links.push_back(link);
        break;
      }
      default:
        break;
    }
  }

  static std::string BylineText(const GumboNode& node);

  TextBuilder* builder_;
  PageFacts* facts_;
  const std::unordered_set<const GumboNode*>* skipped_;
  std::vector<Frame> stack_;
  std::unordered_set<std::string_view> seen_links_;
  simdjson::dom::parser json_parser_;  // allocates on first use only
  int hidden_depth_ = 0;
  int verbatim_depth_ = 0;
  int byline_attempts_ = 0;
};

// Gumbo's tree builder scans the stack of open elements (and the list of active formatting
// elements) at most tags, and compares each attribute with the ones before it, so that
// 100,000 unclosed <div> (500 KB) take a minute and a tag with 100,000 attributes as long.
// Browsers bound the first the same way (WebKit stops nesting at 512 and flattens the rest);
// LimitMarkup does it before parsing, with a light scan of the tags: a tag that would nest
// deeper than kMaxNesting, or that has more than kMaxAttributes attributes, is replaced by a
// space, so its text is kept and only structure that no real page has is lost.
constexpr int kMaxNesting = 512;
constexpr int kMaxAttributes = 128;

bool IsTagNameEnd(char c) { return IsHtmlSpace(c) || c == '/' || c == '>'; }

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool IsOneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  for (std::string_view candidate : names) {
    if (EqualsIgnoreAsciiCase(name, candidate)) return true;
  }
  return false;
}

// Tags that do not deepen the tree: void elements, and those the parser closes at their next
// sibling (so that pages full of unclosed <p> or <li> do not look deep).
bool IsFlatTag(std::string_view name) {
  return IsOneOf(
      name, {"area",   "base",     "basefont", "bgsound", "br",     "col",   "embed",    "frame",
             "hr",     "image",    "img",      "input",   "keygen", "link",  "menuitem", "meta",
             "param",  "source",   "track",    "wbr",     "p",      "li",    "dt",       "dd",
             "td",     "th",       "tr",       "thead",   "tbody",  "tfoot", "colgroup", "caption",
             "option", "optgroup", "rb",       "rp",      "rt",     "rtc"});
}

// Elements whose content is text up to their end tag, not markup.
bool IsRawTextTag(std::string_view name) {
  return IsOneOf(name,
                 {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"});
}

// Finds the end of the tag whose name ends at `i`, counting its attributes; returns the
// index of its '>' or npos when the input ends inside the tag.
size_t ScanTagEnd(std::string_view html, size_t i, int& attribute_count) {
  attribute_count = 0;
  while (i < html.size()) {
    while (i < html.size() && (IsHtmlSpace(html[i]) || html[i] == '/')) ++i;
    if (i >= html.size()) break;
    if (html[i] == '>') return i;
    ++attribute_count;
    ++i;  // an attribute name may start with '=' or a quote
    while (i < html.size() && !IsTagNameEnd(html[i]) && html[i] != '=') ++i;
    while (i < html.size() && IsHtmlSpace(html[i])) ++i;
    if (i >= html.size() || html[i] != '=') continue;
    ++i;
    while (i < html.size() && IsHtmlSpace(html[i])) ++i;
    if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
      const size_t close = html.find(html[i], i + 1);
      if (close == std::string_view::npos) break;
      i = close + 1;
    } else {
      while (i < html.size() && !IsHtmlSpace(html[i]) && html[i] != '>') ++i;
    }
  }
  return std::string_view::npos;
}

// Returns the position of the end tag "</name" that closes a raw-text element whose start
// tag ended before `i`, or npos if there is none.
size_t FindRawTextEnd(std::string_view html, size_t i, std::string_view name) {
  while ((i = html.find("</", i)) != std::string_view::npos) {
    i += 2;
    if (html.size() - i >= name.size() &&
        EqualsIgnoreAsciiCase(html.substr(i, name.size()), name) &&
        (i + name.size() == html.size() || IsTagNameEnd(html[i + name.size()]))) {
      return i - 2;
    }
  }
  return std::string_view::npos;
}

// True when an end tag for `name` starts at `i` (npos: false).
bool IsEndTagOf(std::string_view html, size_t i, std::string_view name) {
  if (i == std::string_view::npos || html.substr(i, 2) != "</") return false;
  const size_t name_end = i + 2 + name.size();
  return name_end <= html.size() && EqualsIgnoreAsciiCase(html.substr(i + 2, name.size()), name) &&
         (name_end == html.size() || IsTagNameEnd(html[name_end]));
}

// Returns the index of the '>' that ends the comment opened by "<!--" at `i`, or npos. As
// in the HTML tokenizer, "<!-->", "<!--->" and "--!>" end a comment too: missing one would
// let the scan below skip tags that the parser does see.
size_t FindCommentEnd(std::string_view html, size_t i) {
  if (html.substr(i + 4, 1) == ">") return i + 4;
  if (html.substr(i + 4, 2) == "->") return i + 5;
  for (size_t j = i + 4; (j = html.find("--", j)) != std::string_view::npos; ++j) {
    if (html.substr(j + 2, 1) == ">") return j + 2;
    if (html.substr(j + 2, 2) == "!>") return j + 3;
  }
  return std::string_view::npos;
}

// SVG and MathML elements that neither lead back to HTML parsing nor hold HTML, so that
// inside <svg> or <math> they are still foreign content, where "/>" does close a tag.
bool IsForeignTag(std::string_view name) {
  if (name.size() > 2 && (name[0] == 'f' || name[0] == 'F') && (name[1] == 'e' || name[1] == 'E')) {
    return true;  // SVG filter primitives: feBlend, feGaussianBlur...
  }
  return IsOneOf(name, {"svg",           "g",           "path",           "circle",
                        "ellipse",       "line",        "polyline",       "polygon",
                        "rect",          "text",        "tspan",          "textpath",
                        "defs",          "use",         "symbol",         "clippath",
                        "mask",          "pattern",     "lineargradient", "radialgradient",
                        "stop",          "filter",      "marker",         "image",
                        "switch",        "view",        "animate",        "animatetransform",
                        "animatemotion", "set",         "mpath",          "math",
                        "mrow",          "msup",        "msub",           "msubsup",
                        "mfrac",         "msqrt",       "mroot",          "mstyle",
                        "merror",        "mpadded",     "mphantom",       "mfenced",
                        "menclose",      "munder",      "mover",          "munderover",
                        "mmultiscripts", "mprescripts", "none",           "mtable",
                        "mtr",           "mtd",         "mlabeledtr",     "maction",
                        "semantics",     "annotation",  "mspace",         "mglyph",
                        "malignmark"});
}

// HTML start tags that end foreign content (the parser pops the <svg> or <math>).
bool IsBreakoutTag(std::string_view name) {
  return IsOneOf(
      name, {"b",      "big",  "blockquote", "body",  "br",   "center", "code",    "dd",   "div",
             "dl",     "dt",   "em",         "embed", "h1",   "h2",     "h3",      "h4",   "h5",
             "h6",     "head", "hr",         "i",     "img",  "li",     "listing", "menu", "meta",
             "nobr",   "ol",   "p",          "pre",   "ruby", "s",      "small",   "span", "strong",
             "strike", "sub",  "sup",        "table", "tt",   "u",      "ul",      "var",  "font"});
}

// Rewrites `html` as described above kMaxNesting; leaves it alone when no tag needs dropping.
//
// The scan must never see fewer levels than the parser builds, or crafted markup could slip
// past it; seeing more only costs structure on pages that are absurd anyway. Two parser rules
// depend on where a tag is, so the scan tracks whether it is sure to be in HTML, sure to be
// in SVG/MathML, or unsure: "/>" closes an element only in SVG/MathML, and <script>, <style>
// and the like hold raw text only in HTML. When unsure it assumes the deeper reading.
void LimitMarkup(std::string& html) {
  enum class Mode { kHtml, kForeign, kUnsure };
  const std::string_view in = html;
  std::string out;    // built only once a tag is dropped
  size_t copied = 0;  // `in` is copied to `out` up to here
  int depth = 0;
  Mode mode = Mode::kHtml;
  int open_foreign_roots = 0;  // <svg> and <math> elements open, as far as the scan knows
  size_t i = 0;
  while ((i = in.find('<', i)) != std::string_view::npos && i + 1 < in.size()) {
    const size_t tag_start = i;
    const char next = in[i + 1];
    if (next == '!' || next == '?' ||
        (next == '/' && i + 2 < in.size() && !IsAsciiAlpha(in[i + 2]))) {
      // A comment, doctype, CDATA section or processing instruction: no tag inside.
      const size_t end = in.substr(i, 4) == "<!--" ? FindCommentEnd(in, i) : in.find('>', i + 2);
      if (end == std::string_view::npos) break;
      i = end + 1;
      continue;
    }
    const bool is_end_tag = next == '/';
    size_t name_start = i + (is_end_tag ? 2 : 1);
    if (name_start >= in.size() || !IsAsciiAlpha(in[name_start])) {
      i = name_start;
      continue;
    }
    size_t name_end = name_start;
    while (name_end < in.size() && !IsTagNameEnd(in[name_end])) ++name_end;
    const std::string_view name = in.substr(name_start, name_end - name_start);
    int attribute_count = 0;
    const size_t tag_end = ScanTagEnd(in, name_end, attribute_count);
    if (tag_end == std::string_view::npos) break;  // the rest is an unfinished tag
    i = tag_end + 1;
    const bool is_self_closing = in[tag_end - 1] == '/';
    const bool is_foreign_root =
        EqualsIgnoreAsciiCase(name, "svg") || EqualsIgnoreAsciiCase(name, "math");
    bool drop = attribute_count > kMaxAttributes;

    if (mode == Mode::kForeign && !IsForeignTag(name)) {
      // <title>, <desc>, <style>... holding only text are leaves; anything else may lead out
      // of SVG/MathML or hold HTML. Only the next '<' is looked at: the scan stays linear.
      const size_t close = in.find('<', i);
      if (!is_end_tag && !is_self_closing && !drop && !IsBreakoutTag(name) &&
          IsEndTagOf(in, close, name)) {
        int end_tag_attributes = 0;
        const size_t end_tag_end = ScanTagEnd(in, close + 2 + name.size(), end_tag_attributes);
        if (end_tag_end == std::string_view::npos) break;
        if (end_tag_attributes <= kMaxAttributes) {
          i = end_tag_end + 1;
          continue;
        }
      }
      mode = Mode::kUnsure;
    }

    if (mode == Mode::kHtml && !is_end_tag && EqualsIgnoreAsciiCase(name, "plaintext")) {
      if (!drop) break;  // everything after it is text
    } else if (mode == Mode::kHtml && IsRawTextTag(name)) {
      // It cannot nest, so only its attributes can drop it; then its content goes too, as
      // without the start tag it would become text.
      if (!is_end_tag) {
        const size_t close = FindRawTextEnd(in, i, name);
        if (drop) {
          out.append(in, copied, tag_start - copied);
          out.push_back(' ');
          copied = close == std::string_view::npos ? in.size() : close;
          drop = false;
        }
        if (close == std::string_view::npos) break;
        i = close;
      }
    } else if (is_end_tag) {
      if (!IsFlatTag(name)) {
        drop = drop || depth > kMaxNesting;
        if (depth > 0) --depth;
      }
      if (is_foreign_root && open_foreign_roots > 0 && --open_foreign_roots == 0) {
        mode = Mode::kHtml;
      }
    } else if (is_self_closing && (mode == Mode::kForeign || is_foreign_root)) {
      // Closed at once: no level.
    } else if (!IsFlatTag(name)) {
      ++depth;
      drop = drop || depth > kMaxNesting;
      if (is_foreign_root && !drop) {
        ++open_foreign_roots;
        if (mode == Mode::kHtml) mode = Mode::kForeign;
      }
    }
    if (drop) {
      out.append(in, copied, tag_start - copied);
      out.push_back(' ');
      copied = tag_end + 1;
    }
  }
  if (copied == 0) return;
  out.append(in, copied, in.size() - copied);
  html.swap(out);
}

// The text of a title-like element on one line: line breaks inside a heading are layout.
std::string HeadingText(const GumboNode& node, bool walk_as_visible) {
  std::string text;
  TextBuilder builder(text);
  if (walk_as_visible) {
    PageWalker(&builder, nullptr).Walk(node);
  } else {
    // <title> holds raw text only, and is itself hidden.
    const GumboVector* children = ChildrenOf(node);
    for (unsigned int i = 0; children != nullptr && i < children->length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children->data[i]);
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE) {
        builder.AppendCollapsed(child->v.text.text);
      }
    }
  }
  // One line, spaces collapsed: verbatim text (a <textarea>) and breaks may have left runs.
  std::string line;
  line.reserve(text.size());
  for (char c : text) {
    if (!IsHtmlSpace(c)) {
      line.push_back(c);
    } else if (!line.empty() && line.back() != ' ') {
      line.push_back(' ');
    }
  }
  if (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// Whether a link inside a byline leads to an author's page.
bool IsAuthorLink(const GumboElement& link) {
  const char* rel = Attribute(link, "rel");
  if (rel != nullptr && EqualsIgnoreAsciiCase(TrimHtmlSpace(rel), "author")) return true;
  const char* href = Attribute(link, "href");
  if (href == nullptr) return false;
  const std::string_view target = href;
  for (std::string_view path : {"/author", "/bio/", "/people/", "/profile", "/staff/",
                                "/contributor", "/journalist", "/auteur", "/autor"}) {
    for (size_t i = 0; i + path.size() <= target.size(); ++i) {
      if (EqualsIgnoreAsciiCase(target.substr(i, path.size()), path)) return true;
    }
  }
  return false;
}

// The author's name out of a byline element. When the element marks the names
// (itemprop="name") or links to the authors' pages ("By <a href=/author/jane>Jane Doe</a>,
// Staff Writer"), those names alone, joined with ", "; else its text, without a leading
// "By" ("By Jane Doe").
std::string PageWalker::BylineText(const GumboNode& node) {
  std::string names;
  std::vector<const GumboNode*> pending{&node};
  // A byline is a line of text: a large subtree is not one, and is not searched through.
  for (int visited = 0; !pending.empty() && visited < 256; ++visited) {
    const GumboNode* at = pending.back();
    pending.pop_back();
    if (at->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& element = at->v.element;
    if (at != &node) {
      const char* itemprop = Attribute(element, "itemprop");
      if ((itemprop != nullptr && EqualsIgnoreAsciiCase(TrimHtmlSpace(itemprop), "name")) ||
          (element.tag == GUMBO_TAG_A && IsAuthorLink(element))) {
        const std::string name = HeadingText(*at, true);
        if (!name.empty() && name.size() < 64 && names.find(name) == std::string::npos) {
          if (!names.empty()) names += ", ";
          names += name;
        }
        continue;
      }
    }
    for (unsigned int i = element.children.length; i > 0; --i) {
      pending.push_back(static_cast<const GumboNode*>(element.children.data[i - 1]));
    }
  }
  if (!names.empty()) return names;
  std::string text = HeadingText(node, true);
  if (text.size() > 3 && StartsWithIgnoreAsciiCase(text, "by") &&
      (text[2] == ' ' || text[2] == ':')) {
    const std::string_view rest = TrimHtmlSpace(std::string_view(text).substr(3));
    if (!rest.empty()) return std::string(rest);
  }
  return text;
}

// Of the elements marked as the author's, the first inside the article, as pages name
// other authors before it (columnists to follow, "most read" boxes); else the first on the
// page, since the byline often sits in a header above the article's body.
std::string ChooseByline(const std::vector<std::pair<const GumboNode*, std::string>>& bylines,
                         const sources_internal::Article& article) {
  if (bylines.empty()) return "";
  for (const auto& [node, text] : bylines) {
    for (const GumboNode* up = node; up != nullptr; up = up->parent) {
      if (std::find(article.parts.begin(), article.parts.end(), up) != article.parts.end()) {
        return text;
      }
    }
  }
  return bylines.front().second;
}

// Each comment found under the page becomes a post whose parent is `page` or the comment
// it answers; ids are the page's with the comment's anchor ("page.html#comment-42").
void AppendComments(const std::vector<sources_internal::PageComment>& comments, const Post& page,
                    bool is_url, std::vector<Post>& posts) {
  std::vector<std::string> ids;
  ids.reserve(comments.size());
  for (const sources_internal::PageComment& c : comments) ids.push_back(page.id + "#" + c.id);
  for (size_t i = 0; i < comments.size(); ++i) {
    const sources_internal::PageComment& c = comments[i];
    Post comment;
    TextBuilder builder(comment.text);
    PageWalker(&builder, nullptr, &c.skipped).Walk(*c.body);
    builder.Finish();
    if (comment.text.empty()) continue;
    comment.id = ids[i];
    comment.source = "html";
    comment.lang = page.lang;
    if (is_url) comment.url = comment.id;
    comment.parent_id = c.parent < 0 ? page.id : ids[static_cast<size_t>(c.parent)];
    if (is_url) comment.parent_url = comment.parent_id;
    if (c.author != nullptr) {
      comment.author.name = HeadingText(*c.author, true);
      // The commenter's site or profile, as WordPress and Blogger link the name.
      comment.author.url = sources_internal::LinkUnder(*c.author, is_url ? page.url : "");
      sources_internal::AppendAuthorRoutes("", comment.author.url, comment.contacts);
    }
    if (const std::optional<int64_t> seconds = ParseDateTime(TrimHtmlSpace(c.date))) {
      comment.published_at = FormatRfc3339(*seconds);
    }
    comment.content_hash =
        ContentHash(comment.author.name + '\n' + comment.published_at + '\n' + comment.text);
    posts.push_back(std::move(comment));
  }
}

}  // namespace

namespace sources_internal {

void ReadHtmlPostScoped(std::string_view bytes, std::string_view name, HtmlScope scope,
                        std::vector<Post>& posts, std::vector<Problem>& problems) {
  std::string html;
  if (!sources_internal::DecodeTextInput(bytes, name, html, problems)) return;

  LimitMarkup(html);
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // we never read parse errors; recording them costs memory
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  if (output == nullptr) {
    problems.push_back({std::string(name), "the HTML parser failed, nothing to analyze", true});
    return;
  }

  Post post;
  PageFacts facts;
  const Article article = scope == HtmlScope::kArticle ? FindArticle(*output->document) : Article();
  // The comments under the article are posts of their own, not part of its text.
  const std::vector<PageComment> comments =
      scope == HtmlScope::kArticle ? FindComments(*output->document) : std::vector<PageComment>();
  std::unordered_set<const GumboNode*> not_article = article.skipped;
  for (const PageComment& c : comments) not_article.insert(c.item);
  if (article.parts.empty()) {
    TextBuilder builder(post.text);
    PageWalker(&builder, &facts, &not_article).Walk(*output->document);
    builder.Finish();
  } else {
    // Metadata from the whole page but its comments (whose authors are not the page's);
    // text and links from the article only.
    std::unordered_set<const GumboNode*> comment_items;
    for (const PageComment& c : comments) comment_items.insert(c.item);
    PageWalker(nullptr, &facts, &comment_items).Walk(*output->document);
    PageFacts article_facts;
    TextBuilder builder(post.text);
    PageWalker walker(&builder, &article_facts, &not_article);
    for (const GumboNode* part : article.parts) {
      walker.Walk(*part);
      builder.RequestGap(Gap::kParagraph);
    }
    builder.Finish();
    facts.links = std::move(article_facts.links);
  }

  // Titles: structured data, then metadata, then <title> without the site's name, then the
  // first heading.
  const std::string page_title = facts.title != nullptr ? HeadingText(*facts.title, false) : "";
  if (const std::string_view json_ld_title = JsonLdTitle(facts.json_ld, page_title);
      !json_ld_title.empty()) {
    post.title = json_ld_title;
  } else if (!facts.meta_title.empty()) {
    post.title = facts.meta_title;
  } else {
    post.title = CleanTitle(page_title);
  }
  if (post.title.empty() && facts.first_h1 != nullptr) {
    post.title = HeadingText(*facts.first_h1, true);
  }
  post.source = "html";
  post.author.name = !facts.json_ld.author.empty() ? facts.json_ld.author
                     : !facts.meta_author.empty()  ? facts.meta_author
                                                   : ChooseByline(facts.bylines, article);
  post.content_hash = ContentHash(bytes);
  const std::string_view published = !facts.json_ld.published.empty() ? facts.json_ld.published
                                     : !facts.meta_published.empty()  ? facts.meta_published
                                                                      : facts.time_datetime;
  if (!published.empty()) {
    if (const std::optional<int64_t> seconds = ParseDateTime(published)) {
      post.published_at = FormatRfc3339(*seconds);
    } else {
      problems.push_back({std::string(name),
                          "publication date \"" + std::string(published) +
                              "\" is not a date ecoute reads; left empty",
                          false});
    }
  }
  post.links.assign(facts.links.begin(), facts.links.end());
  post.id = std::string(name);
  const bool is_url =
      StartsWithIgnoreAsciiCase(name, "http://") || StartsWithIgnoreAsciiCase(name, "https://");
  if (is_url) post.url = std::string(name);
  post.contacts = FindContactRoutes(
      ContactLinksOf(facts.contact_links, article.parts, article.skipped, post.url), post.url);
  std::vector<Post> comment_posts;
  AppendComments(comments, post, is_url, comment_posts);  // while the tree lives
  gumbo_destroy_output(&options, output);

  if (post.text.empty()) {
    problems.push_back({std::string(name),
                        "no visible text (only markup, scripts or styles), nothing to analyze",
                        true});
    return;
  }
  // The article first, then its comments in document order.
  posts.push_back(std::move(post));
  for (Post& comment : comment_posts) posts.push_back(std::move(comment));
}

}  // namespace sources_internal

void ReadHtmlPost(std::string_view bytes, std::string_view name, std::vector<Post>& posts,
                  std::vector<Problem>& problems) {
  sources_internal::ReadHtmlPostScoped(bytes, name, sources_internal::HtmlScope::kArticle, posts,
                                       problems);
}

}  // namespace ecoute
