#include "sources/comments.h"

#include <cstring>

namespace ecoute::sources_internal {
namespace {

const char* AttributeOf(const GumboNode& node, const char* name) {
  if (node.type != GUMBO_NODE_ELEMENT) return nullptr;
  const GumboAttribute* a = gumbo_get_attribute(&node.v.element.attributes, name);
  return a == nullptr ? nullptr : a->value;
}

// Whether the space-separated class list of `node` holds `token` exactly.
bool HasClass(const GumboNode& node, std::string_view token) {
  const char* classes = AttributeOf(node, "class");
  if (classes == nullptr) return false;
  std::string_view rest(classes);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \t\n\r\f");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = rest.find_first_of(" \t\n\r\f");
    if (rest.substr(0, end) == token) return true;
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  return false;
}

bool HasAnyClass(const GumboNode& node, std::initializer_list<std::string_view> tokens) {
  for (std::string_view token : tokens) {
    if (HasClass(node, token)) return true;
  }
  return false;
}

bool IsElement(const GumboNode& node, GumboTag tag) {
  return node.type == GUMBO_NODE_ELEMENT && node.v.element.tag == tag;
}

// A comment's own element: li/div/article/section classed "comment" (WordPress, Blogger,
// most themes) or "comment-item".
bool IsCommentItem(const GumboNode& node) {
  if (node.type != GUMBO_NODE_ELEMENT) return false;
  const GumboTag tag = node.v.element.tag;
  if (tag != GUMBO_TAG_LI && tag != GUMBO_TAG_DIV && tag != GUMBO_TAG_ARTICLE &&
      tag != GUMBO_TAG_SECTION) {
    return false;
  }
  return HasAnyClass(node, {"comment", "comment-item", "blogger-comment"});
}

// Parts of a comment that are not its text.
bool IsCommentMeta(const GumboNode& node) {
  if (node.type != GUMBO_NODE_ELEMENT) return false;
  if (IsElement(node, GUMBO_TAG_IMG) || IsElement(node, GUMBO_TAG_FORM) ||
      IsElement(node, GUMBO_TAG_SCRIPT)) {
    return true;
  }
  return HasAnyClass(node, {"comment-meta", "comment-metadata", "comment-author", "vcard",
                            "comment-header", "comment-footer", "reply", "comment-reply-link",
                            "comment-actions", "avatar", "datetime", "comment-date", "says"});
}

const GumboVector* ChildrenOf(const GumboNode& node) {
  if (node.type == GUMBO_NODE_ELEMENT || node.type == GUMBO_NODE_TEMPLATE) {
    return &node.v.element.children;
  }
  if (node.type == GUMBO_NODE_DOCUMENT) return &node.v.document.children;
  return nullptr;
}

// Visits the elements under `root` (not `root`), depth first, without entering nested
// comment items; `visit` returns false to skip a node's subtree. Iterative.
template <typename Visit>
void ForEachOwnElement(const GumboNode& root, Visit&& visit) {
  std::vector<const GumboNode*> stack;
  auto push_children = [&](const GumboNode& node) {
    const GumboVector* children = ChildrenOf(node);
    if (children == nullptr) return;
    for (unsigned int i = children->length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
    }
  };
  push_children(root);
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT) continue;
    if (IsCommentItem(*node)) continue;  // a reply: its own comment
    if (visit(*node)) push_children(*node);
  }
}

void DescribeComment(PageComment& c) {
  const GumboNode* content = nullptr;
  ForEachOwnElement(*c.item, [&](const GumboNode& node) {
    if (content == nullptr &&
        HasAnyClass(node, {"comment-content", "comment-text", "comment-body-text"})) {
      content = &node;
    }
    if (c.author == nullptr &&
        (HasAnyClass(node, {"fn", "comment-author-name", "user", "author-name"}) ||
         (IsElement(node, GUMBO_TAG_CITE) && !HasClass(node, "quote")))) {
      c.author = &node;
    }
    if (c.date.empty() && IsElement(node, GUMBO_TAG_TIME)) {
      if (const char* datetime = AttributeOf(node, "datetime"); datetime != nullptr) {
        c.date = datetime;
      }
    }
    return true;
  });
  // WordPress's .comment-body holds the meta too: its .comment-content is found above;
  // without one, the item itself, meta left out.
  if (content == nullptr) {
    ForEachOwnElement(*c.item, [&](const GumboNode& node) {
      if (content == nullptr && HasClass(node, "comment-body")) content = &node;
      return content == nullptr;
    });
  }
  c.body = content != nullptr ? content : c.item;
  if (c.author == nullptr) {
    ForEachOwnElement(*c.item, [&](const GumboNode& node) {
      if (c.author == nullptr && HasAnyClass(node, {"comment-author", "author"})) c.author = &node;
      return c.author == nullptr;
    });
  }
  // A date written as text when no <time> gives one (Blogger's .datetime link).
  if (c.date.empty()) {
    ForEachOwnElement(*c.item, [&](const GumboNode& node) {
      if (!c.date.empty()) return false;
      if (HasAnyClass(node, {"datetime", "comment-date", "comment-timestamp"})) {
        const GumboVector* children = ChildrenOf(node);
        for (unsigned int i = 0; children != nullptr && i < children->length; ++i) {
          const auto* child = static_cast<const GumboNode*>(children->data[i]);
          if (child->type == GUMBO_NODE_TEXT) c.date = child->v.text.text;
          if (child->type == GUMBO_NODE_ELEMENT) {
            const GumboVector* grand = ChildrenOf(*child);
            if (grand != nullptr && grand->length > 0) {
              const auto* text = static_cast<const GumboNode*>(grand->data[0]);
              if (text->type == GUMBO_NODE_TEXT) c.date = text->v.text.text;
            }
          }
          if (!c.date.empty()) break;
        }
      }
      return true;
    });
  }
  // What is under the body but not the comment's words.
  if (c.body == c.item || content == nullptr) {
    ForEachOwnElement(*c.body, [&](const GumboNode& node) {
      if (IsCommentMeta(node)) {
        c.skipped.insert(&node);
        return false;
      }
      return true;
    });
  }
  // Nested replies are theirs, not this comment's text.
  std::vector<const GumboNode*> stack = {c.body};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    const GumboVector* children = ChildrenOf(*node);
    for (unsigned int i = 0; children != nullptr && i < children->length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children->data[i]);
      if (IsCommentItem(*child)) {
        c.skipped.insert(child);
      } else {
        stack.push_back(child);
      }
    }
  }
}

}  // namespace

std::vector<PageComment> FindComments(const GumboNode& document) {
  std::vector<PageComment> comments;
  // Depth first in document order, remembering the comment each node is inside.
  struct Frame {
    const GumboNode* node;
    int comment;  // index of the innermost comment item around it, -1 if none
  };
  std::vector<Frame> stack = {{&document, -1}};
  while (!stack.empty() && comments.size() < kMaxPageComments) {
    const Frame frame = stack.back();
    stack.pop_back();
    int inside = frame.comment;
    if (frame.node != &document && IsCommentItem(*frame.node)) {
      PageComment c;
      c.item = frame.node;
      c.parent = frame.comment;
      const char* id = AttributeOf(*frame.node, "id");
      c.id = id != nullptr && *id != '\0' ? id : "comment-" + std::to_string(comments.size() + 1);
      inside = static_cast<int>(comments.size());
      comments.push_back(std::move(c));
    }
    const GumboVector* children = ChildrenOf(*frame.node);
    for (unsigned int i = children == nullptr ? 0 : children->length; i > 0; --i) {
      stack.push_back({static_cast<const GumboNode*>(children->data[i - 1]), inside});
    }
  }
  for (PageComment& c : comments) DescribeComment(c);
  // An element classed "comment" with neither an author, a date nor a content part is a
  // theme's wrapper more likely than a comment: dropped, its replies re-parented.
  std::vector<int> kept_index(comments.size(), -1);
  std::vector<PageComment> kept;
  for (size_t i = 0; i < comments.size(); ++i) {
    PageComment& c = comments[i];
    int parent = c.parent;
    while (parent >= 0 && kept_index[static_cast<size_t>(parent)] < 0) {
      parent = comments[static_cast<size_t>(parent)].parent;
    }
    const bool is_comment = c.author != nullptr || !c.date.empty() || c.body != c.item;
    if (!is_comment) continue;
    c.parent = parent < 0 ? -1 : kept_index[static_cast<size_t>(parent)];
    kept_index[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(c));
  }
  return kept;
}

}  // namespace ecoute::sources_internal
