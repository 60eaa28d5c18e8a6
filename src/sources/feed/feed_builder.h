// The feed model's builder: walks an RSS, Atom or CDF tree (whole, or one child of the feed
// at a time while streaming) and writes feedparser's fields into a FeedDocument. Each element
// is read by the handler its name selects (feed_elements.cc). Internal to the feed reader.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <libxml/tree.h>

#include "sources/feed/feed_reader.h"

namespace ecoute::feeds {

// An empty model: {"version": "", "feed": {}, "entries": []}.
FeedValue NewFeedRoot();

enum class Format { kUnknown, kRss, kAtom10, kAtom03, kCdf };

// The object of the model an element is read into.
enum class ObjectKind { kFeed, kEntry, kSource };

// What applies inside an element.
struct Scope {
  std::string base;  // xml:base in force
  std::string lang;  // xml:lang in force
};

// Not thread-safe; one per document, which it borrows for its lifetime.
class FeedBuilder {
 public:
  explicit FeedBuilder(FeedDocument& document) : document_(document) {}

  // Reads the tree under `root` (null: an empty model) into the document.
  void Build(xmlNode* root);

  // The streaming reader's steps (ReadFeedStreaming): the same walk as Build, fed one
  // element at a time in document order.

  // Reads the root element's own attributes: format, version, xml:base and xml:lang. When
  // `root`'s children are not there yet (streaming), an RDF document reads as "rss10".
  Scope StartRoot(xmlNode* root);
  // An element under the feed (Atom's root, RSS's channel or root) that is not an entry.
  void HandleFeedChild(xmlNode* node, const Scope& scope);
  // After the last element: the root's xml:lang stands for a missing feed language.
  void FinishFeed();

  bool has_feed_element() const { return has_feed_element_; }
  Format format() const { return format_; }
  bool is_atom() const { return format_ == Format::kAtom10 || format_ == Format::kAtom03; }
  // True once an entry's XML came from xmlNodeDump rather than our serializer.
  bool has_libxml_entry_xml() const { return has_libxml_entry_xml_; }

  // The scope inside `node`: its xml:base and xml:lang applied.
  Scope Enter(const xmlNode* node, const Scope& outer) const;

  // For the element handlers.

  // Appends the entry `node` to the document's entries, with its XML.
  void AddEntry(xmlNode* node, const Scope& scope);
  // Reads `node` into `object` by the handler of its name.
  void HandleElement(xmlNode* node, FeedValue& object, ObjectKind kind, const Scope& scope);
  // Reads each child element of `node` into `object`, in `scope`.
  void HandleChildren(xmlNode* node, FeedValue& object, ObjectKind kind, const Scope& scope);
  // Reads the children of `node` into `object`, each in its own scope.
  void WalkObject(xmlNode* node, FeedValue& object, ObjectKind kind, const Scope& outer);
  // Sets `key` (the value) and "<key>_detail" (type, language, base, value) from the text
  // construct `node`.
  void SetText(FeedValue& object, std::string_view key, const xmlNode* node, const Scope& scope,
               std::string_view default_type = "", bool is_rss_description = false);
  // Appends the text construct `node` (with its src) to the entry's "content".
  void AddContent(FeedValue& entry, const xmlNode* node, const Scope& scope,
                  std::string_view default_type);
  // An RSS <guid> was read: whether it is a permalink.
  void NoteGuid(bool is_permalink) {
    saw_guid_ = true;
    guid_is_permalink_ = is_permalink;
  }

 private:
  void SetVersion(std::string version) {
    document_.root["version"] = FeedValue::String(std::move(version));
  }
  void ReadCdfAttributes(const xmlNode* node, FeedValue& object, const Scope& scope);
  Scope CdfScope(const xmlNode* node, const Scope& outer) const;
  void FinishEntry(FeedValue& entry);
  FeedValue TextConstruct(const xmlNode* node, const Scope& scope, std::string_view default_type,
                          bool is_rss_description);

  FeedDocument& document_;
  Format format_ = Format::kUnknown;
  bool has_feed_element_ = false;
  bool guid_is_permalink_ = false;
  bool saw_guid_ = false;
  bool has_libxml_entry_xml_ = false;
  std::string root_lang_;
};

// One element being read into an object of the model: what its handler gets.
struct Element {
  Element(FeedBuilder& builder, xmlNode* node, FeedValue& object, ObjectKind kind,
          const Scope& scope, std::string_view name)
      : builder(builder), node(node), object(object), kind(kind), scope(scope), name(name) {}

  // The element's text, trimmed; computed on first use, since descriptions and contents,
  // the bulk of a feed, never need it.
  const std::string& text();
  bool is_entry() const { return kind == ObjectKind::kEntry; }

  FeedBuilder& builder;
  xmlNode* const node;
  FeedValue& object;
  const ObjectKind kind;
  const Scope& scope;
  const std::string_view name;              // qualified: "title", "dc:title", "itunes:block"
  std::optional<std::string> trimmed_text;  // text()'s
};

using ElementHandler = void (*)(Element& element);

// The handler of the elements named `name`; null for the others, which HandleOtherElement
// reads.
ElementHandler FindElementHandler(std::string_view name);

// Any element without a handler becomes a field named after it ("prefix_local"), its text,
// unless the field is set already.
void HandleOtherElement(Element& element);

}  // namespace ecoute::feeds
