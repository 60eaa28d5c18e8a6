#include "sources/article.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

#include "sources/html_elements.h"

namespace ecoute::sources_internal {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

const char* Attr(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? nullptr : attribute->value;
}

std::string LowerCopy(const char* s) {
  std::string out;
  if (s == nullptr) return out;
  for (; *s != '\0'; ++s) out.push_back(Lower(*s));
  return out;
}

}  // namespace

// Length of `text` once runs of whitespace are one space, and its commas (Latin, Arabic,
// CJK full-width and ideographic).
void MeasureText(std::string_view text, uint32_t& length, uint32_t& commas) {
  bool in_space = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsSpace(c)) {
      if (!in_space) ++length;
      in_space = true;
      continue;
    }
    in_space = false;
    ++length;
    if (c == ',') {
      ++commas;
    } else if (static_cast<unsigned char>(c) >= 0xC0 && i + 1 < text.size()) {
      const auto b1 = static_cast<unsigned char>(c);
      const auto b2 = static_cast<unsigned char>(text[i + 1]);
      const auto b3 = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0;
      if ((b1 == 0xD8 && b2 == 0x8C) || (b1 == 0xEF && b2 == 0xBC && b3 == 0x8C) ||
          (b1 == 0xE3 && b2 == 0x80 && b3 == 0x81)) {
        ++commas;
      }
    }
  }
}

namespace {

// Whether `names` (a lower-cased class or id) holds `word`: as a substring for long words,
// as a whole token (split at anything not a letter or digit) for short ones like "ad".
bool HasWord(std::string_view names, std::string_view word, bool whole_token) {
  size_t at = 0;
  while ((at = names.find(word, at)) != std::string_view::npos) {
    if (!whole_token) return true;
    auto is_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    const bool starts = at == 0 || !is_alnum(names[at - 1]);
    const size_t end = at + word.size();
    const bool ends = end == names.size() || !is_alnum(names[end]);
    if (starts && ends) return true;
    at = end;
  }
  return false;
}

bool HasAnyWord(std::string_view names, std::initializer_list<std::string_view> long_words,
                std::initializer_list<std::string_view> short_words) {
  if (names.empty()) return false;
  for (std::string_view word : long_words) {
    if (HasWord(names, word, false)) return true;
  }
  for (std::string_view word : short_words) {
    if (HasWord(names, word, true)) return true;
  }
  return false;
}

}  // namespace

// Names that say "this is page furniture, not the article".
bool LooksLikeFurniture(std::string_view names) {
  return HasAnyWord(
      names,
      {"comment",    "disqus",   "sidebar",  "footer",     "menu",      "share",      "sharing",
       "social",     "related",  "promo",    "widget",     "banner",    "sponsor",    "advert",
       "popup",      "modal",    "cookie",   "newsletter", "subscribe", "breadcrumb", "masthead",
       "pagination", "pager",    "outbrain", "taboola",    "recommend", "signup",     "login",
       "toolbar",    "shoutbox", "respond",  "trackback"},
      {"nav", "navbar", "ad", "ads", "tags", "skip", "meta", "rss", "replies"});
}

namespace {

// Names that say "this holds the article", which win over furniture words on the same
// element ("article-footer" no, but "main-content-with-sidebar" yes).
bool LooksLikeContent(std::string_view names) {
  return HasAnyWord(
      names, {"article", "content", "entry", "main", "story", "body", "column", "prose", "blog"},
      {"post", "text"});
}

// +25 or -25 per attribute (class, id) whose names lean one way.
double NameWeight(std::string_view names) {
  if (names.empty()) return 0;
  double weight = 0;
  if (LooksLikeFurniture(names)) weight -= 25;
  if (LooksLikeContent(names)) weight += 25;
  return weight;
}

// Elements that are page furniture or controls by their tag alone.
bool IsFurnitureTag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_MENU:
      return true;
    default:
      return false;
  }
}

// Hidden by an inline style or for assistive technology.
bool IsHiddenByAttributes(const GumboElement& element) {
  if (Attr(element, "hidden") != nullptr) return true;
  const char* aria = Attr(element, "aria-hidden");
  if (aria != nullptr && LowerCopy(aria) == "true") return true;
  const char* style = Attr(element, "style");
  if (style == nullptr) return false;
  std::string compact;
  for (const char* s = style; *s != '\0'; ++s) {
    if (!IsSpace(*s)) compact.push_back(Lower(*s));
  }
  return compact.find("display:none") != std::string::npos ||
         compact.find("visibility:hidden") != std::string::npos;
}

// What the scoring knows of one element, indexed in document order.
struct Info {
  const GumboNode* node = nullptr;
  int parent = -1;
  int end = 0;  // index of its last descendant
  GumboTag tag = GUMBO_TAG_UNKNOWN;
  double weight = 0;      // from class, id, role and schema.org
  uint32_t text = 0;      // visible text length of the subtree
  uint32_t links = 0;     // of which inside links
  uint32_t commas = 0;    // in the subtree
  uint32_t own_text = 0;  // in text nodes that are direct children
  uint32_t own_commas = 0;
  uint32_t images = 0;
  bool has_block = false;  // has a block-level descendant
  bool is_scored = false;  // received paragraph scores
  double content = 0;      // paragraph scores received
};

double TagBonus(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ARTICLE:
      return 10;
    case GUMBO_TAG_MAIN:
      return 8;
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
      return 5;
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_BLOCKQUOTE:
      return 3;
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_FORM:
      return -3;
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TH:
      return -5;
    default:
      return 0;
  }
}

class Scorer {
 public:
  Scorer(const GumboNode& document, bool drop_furniture)
      : document_(document), drop_furniture_(drop_furniture) {}

  Article Run() {
    Collect();
    Article article;
    if (infos_.empty()) return article;
    Accumulate();
    const int top = ChooseTop();
    if (top < 0) return article;
    MergeSiblings(top, article);
    CleanInside(article);
    return article;
  }

  // Visible text length of what Run chose (before the cleaning inside it).
  uint32_t ChosenLength() const { return chosen_length_; }

 private:
  // Pre-order walk: one Info per element that may show text; furniture and hidden subtrees
  // are not entered (and are remembered to be skipped).
  void Collect() {
    struct Pending {
      const GumboNode* node;
      int parent;
      bool in_link;
    };
    std::vector<Pending> stack;
    stack.push_back({&document_, -1, false});
    while (!stack.empty()) {
      const Pending pending = stack.back();
      stack.pop_back();
      const GumboNode& node = *pending.node;
      if (node.type == GUMBO_NODE_TEXT || node.type == GUMBO_NODE_CDATA) {
        if (pending.parent < 0) continue;
        Info& parent = infos_[static_cast<size_t>(pending.parent)];
        uint32_t length = 0;
        uint32_t commas = 0;
        MeasureText(node.v.text.text, length, commas);
        parent.own_text += length;
        parent.own_commas += commas;
        parent.text += length;
        parent.commas += commas;
        if (pending.in_link) parent.links += length;
        continue;
      }
      const GumboVector* children = nullptr;
      int index = pending.parent;
      bool in_link = pending.in_link;
      if (node.type == GUMBO_NODE_DOCUMENT) {
        children = &node.v.document.children;
      } else if (node.type == GUMBO_NODE_ELEMENT) {
        const GumboElement& element = node.v.element;
        if (element.tag_namespace == GUMBO_NAMESPACE_SVG ||
            HtmlElementOf(element.tag).is_never_text) {
          continue;
        }
        if (element.tag == GUMBO_TAG_IMG && pending.parent >= 0) {
          ++infos_[static_cast<size_t>(pending.parent)].images;
          continue;
        }
        Info info;
        info.node = &node;
        info.parent = pending.parent;
        info.tag = element.tag;
        if (IsDropped(element, info.weight)) {
          skipped_.insert(&node);
          continue;
        }
        index = static_cast<int>(infos_.size());
        info.end = index;
        infos_.push_back(info);
        children = &element.children;
        in_link = in_link || element.tag == GUMBO_TAG_A;
      } else {
        continue;  // comments, whitespace, templates
      }
      for (unsigned int i = children->length; i > 0; --i) {
        stack.push_back({static_cast<const GumboNode*>(children->data[i - 1]), index, in_link});
      }
    }
  }

  // Whether to leave `element` out altogether; sets `weight` from its names otherwise.
  bool IsDropped(const GumboElement& element, double& weight) const {
    if (IsHiddenByAttributes(element)) return true;
    if (element.tag == GUMBO_TAG_HTML || element.tag == GUMBO_TAG_BODY) return false;
    if (IsFurnitureTag(element.tag)) return true;
    const std::string class_names = LowerCopy(Attr(element, "class"));
    const std::string id = LowerCopy(Attr(element, "id"));
    const std::string role = LowerCopy(Attr(element, "role"));
    weight = NameWeight(class_names) + NameWeight(id);
    if (role == "main" || role == "article") weight += 25;
    if (const char* itemprop = Attr(element, "itemprop")) {
      if (LowerCopy(itemprop).find("articlebody") != std::string::npos) weight += 40;
    }
    if (const char* itemtype = Attr(element, "itemtype")) {
      const std::string type = LowerCopy(itemtype);
      if (type.find("article") != std::string::npos || type.find("posting") != std::string::npos) {
        weight += 15;
      }
    }
    if (role == "navigation" || role == "complementary" || role == "banner" ||
        role == "contentinfo" || role == "menu" || role == "menubar" || role == "dialog" ||
        role == "alert" || role == "search") {
      return true;
    }
    if (!drop_furniture_ || element.tag == GUMBO_TAG_A || element.tag == GUMBO_TAG_MAIN ||
        element.tag == GUMBO_TAG_ARTICLE) {
      return false;
    }
    const std::string both = class_names + " " + id;
    return LooksLikeFurniture(both) && !LooksLikeContent(both);
  }

  // Sums subtree counts up the tree and spreads paragraph scores to their containers.
  void Accumulate() {
    for (size_t i = infos_.size(); i-- > 1;) {
      const Info& info = infos_[i];
      if (info.parent < 0) continue;
      Info& parent = infos_[static_cast<size_t>(info.parent)];
      parent.text += info.text;
      parent.links += info.links;
      parent.commas += info.commas;
      parent.images += info.images;
      parent.end = std::max(parent.end, info.end);
      if (HtmlElementOf(info.tag).is_block || info.has_block) parent.has_block = true;
    }
    for (size_t i = 0; i < infos_.size(); ++i) {
      const Info& info = infos_[i];
      const ParagraphRole role = HtmlElementOf(info.tag).paragraph;
      const bool is_paragraph = role == ParagraphRole::kAlways ||
                                (role == ParagraphRole::kWithoutBlocks && !info.has_block);
      if (is_paragraph) {
        Spread(info.parent, info.text, info.commas);
      } else if (info.has_block && info.own_text >= 25) {
        Spread(static_cast<int>(i), info.own_text, info.own_commas);  // text between blocks
      }
    }
  }

  void Spread(int container, uint32_t length, uint32_t commas) {
    if (length < 25) return;
    const double score = 1.0 + commas + std::min(length / 100.0, 3.0);
    double share = 1.0;
    for (int level = 0; level < 3 && container >= 0; ++level) {
      Info& info = infos_[static_cast<size_t>(container)];
      info.is_scored = true;
      info.content += score * share;
      share /= 2;
      container = info.parent;
    }
  }

  double Score(int index) const {
    const Info& info = infos_[static_cast<size_t>(index)];
    if (!info.is_scored) return 0;
    const double density = info.text == 0 ? 0 : static_cast<double>(info.links) / info.text;
    return (info.content + TagBonus(info.tag) + info.weight) * (1 - density);
  }

  bool Contains(int outer, int inner) const {
    return outer <= inner && inner <= infos_[static_cast<size_t>(outer)].end;
  }

  int ChooseTop() {
    // The five best, best first.
    std::vector<std::pair<double, int>> best;
    for (size_t i = 0; i < infos_.size(); ++i) {
      if (!infos_[i].is_scored) continue;
      const double score = Score(static_cast<int>(i));
      if (best.size() < 5 || score > best.back().first) {
        best.emplace_back(score, static_cast<int>(i));
        std::sort(best.begin(), best.end(), [](const auto& a, const auto& b) {
          return a.first > b.first || (a.first == b.first && a.second < b.second);
        });
        if (best.size() > 5) best.pop_back();
      }
    }
    if (best.empty() || best.front().first <= 0) return -1;
    int top = best.front().second;
    const double top_score = best.front().first;
    // Close runners-up outside the best one: the article is split in parts, so the
    // closest container holding the best and at least two of them is taken.
    std::vector<int> rivals;
    for (size_t k = 1; k < best.size(); ++k) {
      const int other = best[k].second;
      if (best[k].first >= 0.75 * top_score && !Contains(top, other) && !Contains(other, top)) {
        rivals.push_back(other);
      }
    }
    if (rivals.size() >= 2) {
      for (int ancestor = infos_[static_cast<size_t>(top)].parent; ancestor >= 0;
           ancestor = infos_[static_cast<size_t>(ancestor)].parent) {
        int held = 0;
        for (int rival : rivals) held += Contains(ancestor, rival) ? 1 : 0;
        if (held >= 2) {
          const GumboTag tag = infos_[static_cast<size_t>(ancestor)].tag;
          if (tag != GUMBO_TAG_HTML) top = ancestor;
          break;
        }
      }
    }
    // Scores fade going up (a container gets half, then a quarter of its paragraphs'), so
    // an ancestor that scores more than the container below it holds more of the article
    // on its own: an intro, a lead paragraph beside a "read more" box. Climb to it, as
    // long as the scores on the way do not fall below a third of the best one.
    {
      double last_score = top_score;
      for (int up = infos_[static_cast<size_t>(top)].parent; up >= 0;
           up = infos_[static_cast<size_t>(up)].parent) {
        const Info& info = infos_[static_cast<size_t>(up)];
        if (info.tag == GUMBO_TAG_BODY || info.tag == GUMBO_TAG_HTML) break;
        if (!info.is_scored) continue;
        const double score = Score(up);
        if (score < top_score / 3) break;
        if (score > last_score) {
          top = up;
          break;
        }
        last_score = score;
      }
    }
    // A wrapper around nothing else says no less: go up so that siblings can be merged.
    while (true) {
      const int parent = infos_[static_cast<size_t>(top)].parent;
      if (parent < 0) break;
      const Info& up = infos_[static_cast<size_t>(parent)];
      if (up.tag == GUMBO_TAG_BODY || up.tag == GUMBO_TAG_HTML) break;
      if (up.text != infos_[static_cast<size_t>(top)].text) break;
      top = parent;
    }
    top_score_ = std::max(top_score, Score(top));
    return top;
  }

  void MergeSiblings(int top, Article& article) {
    const Info& chosen = infos_[static_cast<size_t>(top)];
    const int parent = chosen.parent;
    const std::string top_class = LowerCopy(Attr(chosen.node->v.element, "class"));
    if (parent < 0 || chosen.tag == GUMBO_TAG_BODY) {
      article.parts.push_back(chosen.node);
      part_indices_.push_back(top);
      chosen_length_ = chosen.text;
      return;
    }
    const double threshold = std::max(10.0, top_score_ * 0.2);
    const Info& up = infos_[static_cast<size_t>(parent)];
    for (int i = parent + 1; i <= up.end; i = infos_[static_cast<size_t>(i)].end + 1) {
      const Info& sibling = infos_[static_cast<size_t>(i)];
      bool take = i == top;
      if (!take) {
        double score = Score(i);
        if (!top_class.empty() && LowerCopy(Attr(sibling.node->v.element, "class")) == top_class) {
          score += top_score_ * 0.2;
        }
        take = sibling.is_scored && score >= threshold;
        if (!take && (sibling.tag == GUMBO_TAG_P ||
                      (!sibling.has_block && sibling.text > 0 && sibling.tag == GUMBO_TAG_DIV))) {
          const double density =
              sibling.text == 0 ? 0 : static_cast<double>(sibling.links) / sibling.text;
          take = (sibling.text >= 80 && density < 0.25) ||
                 (sibling.text > 0 && sibling.links == 0 && sibling.commas + 1 > 1 &&
                  sibling.text < 80 && EndsSentence(*sibling.node));
        }
      }
      if (take) {
        article.parts.push_back(sibling.node);
        part_indices_.push_back(i);
        chosen_length_ += sibling.text;
      }
    }
  }

  static bool EndsSentence(const GumboNode& node) {
    const GumboNode* last = &node;
    while (last->type == GUMBO_NODE_ELEMENT && last->v.element.children.length > 0) {
      last = static_cast<const GumboNode*>(
          last->v.element.children.data[last->v.element.children.length - 1]);
    }
    if (last->type != GUMBO_NODE_TEXT) return false;
    std::string_view text = last->v.text.text;
    while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    return !text.empty() && (text.back() == '.' || text.back() == '!' || text.back() == '?');
  }

  // Leaves out, inside the chosen parts, containers that look like furniture: negative
  // names, mostly links, forms, or a few words on their own.
  void CleanInside(Article& article) {
    for (const int first : part_indices_) {
      const int last = infos_[static_cast<size_t>(first)].end;
      for (int i = first + 1; i <= last;) {
        const Info& info = infos_[static_cast<size_t>(i)];
        if (IsClutter(info)) {
          skipped_.insert(info.node);
          i = info.end + 1;
        } else {
          ++i;
        }
      }
    }
    article.skipped = std::move(skipped_);
  }

  static bool IsClutter(const Info& info) {
    switch (info.tag) {
      case GUMBO_TAG_H1:
      case GUMBO_TAG_H2:
      case GUMBO_TAG_H3:
        return info.weight < 0;
      case GUMBO_TAG_FORM:
        return true;
      case GUMBO_TAG_DIV:
      case GUMBO_TAG_SECTION:
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
      case GUMBO_TAG_DL:
      case GUMBO_TAG_TABLE:
      case GUMBO_TAG_HEADER:
        break;
      default:
        return false;
    }
    if (info.weight < 0) return true;
    if (info.commas >= 10) return false;
    const double density = info.text == 0 ? 0 : static_cast<double>(info.links) / info.text;
    if (density > 0.5) return true;
    if (density > 0.25 && info.weight < 25) return true;
    return info.text < 25 && info.images == 0 && info.tag != GUMBO_TAG_TABLE;
  }

  const GumboNode& document_;
  const bool drop_furniture_;
  std::vector<Info> infos_;
  std::unordered_set<const GumboNode*> skipped_;
  std::vector<int> part_indices_;  // of article.parts
  double top_score_ = 0;
  uint32_t chosen_length_ = 0;
};

// Below this much text, the page is not taken as an article.
constexpr uint32_t kMinArticleLength = 140;
// Below this much, furniture-looking containers are given a second chance.
constexpr uint32_t kRetryLength = 500;

}  // namespace

Article FindArticle(const GumboNode& document) {
  Scorer strict(document, true);
  Article article = strict.Run();
  uint32_t length = strict.ChosenLength();
  if (length < kRetryLength) {
    Scorer lenient(document, false);
    Article second = lenient.Run();
    if (lenient.ChosenLength() >= kRetryLength || article.parts.empty()) {
      article = std::move(second);
      length = lenient.ChosenLength();
    }
  }
  if (length < kMinArticleLength) return Article();
  return article;
}

}  // namespace ecoute::sources_internal
