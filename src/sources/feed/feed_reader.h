// The feed reader's document model: an RSS, Atom or CDF document parsed into a tree of
// plain values shaped like feedparser's result ("version", "feed", "entries"), so that the
// conformance runner (tools/conformance) can check it against feedparser's test cases and
// ReadFeed can map each entry to a Post; and the two ways ReadFeed reads a feed with it
// (the whole document, or streamed one entry at a time). Internal to libecoute.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute::feeds {

// A JSON-like value: null, string, integer, boolean, object (keys in insertion order) or
// list.
struct FeedValue {
  enum class Kind { kNull, kString, kInt, kBool, kObject, kList };

  Kind kind = Kind::kNull;
  std::string string;
  int64_t integer = 0;
  bool boolean = false;
  std::vector<std::string> keys;  // object: keys[i] names items[i]
  std::vector<FeedValue> items;   // object values, or list items

  static FeedValue String(std::string value);
  static FeedValue Int(int64_t value);
  static FeedValue Bool(bool value);
  static FeedValue Object();
  static FeedValue List();

  // Object lookup; null when absent or when this is not an object.
  const FeedValue* Find(std::string_view key) const;
  FeedValue* Find(std::string_view key);
  // The string at `key`, empty when absent or not a string.
  std::string_view StringAt(std::string_view key) const;
  // Object: the value at `key`, inserted (null) when absent.
  FeedValue& operator[](std::string_view key);
  bool Has(std::string_view key) const { return Find(key) != nullptr; }
};

// What ParseFeedDocument read.
struct FeedDocument {
  // {"version": "...", "feed": {...}, "entries": [...]}
  FeedValue root;
  // True when the XML was not well-formed (or not a feed) and what is here was recovered.
  bool is_bozo = false;
  std::string bozo_message;
  // True when nothing could be read (not XML at all, or no feed element).
  bool is_fatal = false;
  // The XML of each entry as the parser read it, re-serialized: what ContentHash digests.
  std::vector<std::string> entry_xml;
};

// Parses `bytes` (any encoding: the declared one, else a BOM, else UTF-8 falling back to
// Windows-1252) without loading any DTD or external entity. Never fails: a document that
// cannot be read comes back with is_fatal set and empty feed and entries.
FeedDocument ParseFeedDocument(std::string_view bytes);

// ReadFeed (ecoute/sources.h) reads a feed one of two ways, which give the same posts and
// problems; both are here for the differential test and the fuzzer. Neither repairs the
// UTF-8 of problem messages (ReadFeed does).
//
// The document path: ParseFeedDocument, then each entry mapped to a post.
void ReadFeedWithDocument(std::string_view bytes, std::string_view name,
                          const std::function<void(const Post&)>& emit,
                          std::vector<Problem>& problems);

// The streaming path: the feed is read element by element (libxml2's text reader), each
// entry mapped to a post as it ends, without the model of the whole feed. Returns false,
// having emitted and reported nothing, when the feed needs the document path: not
// well-formed, a DOCTYPE, CDF, or not a feed. Posts are emitted once the feed is read.
bool ReadFeedStreaming(std::string_view bytes, std::string_view name,
                       const std::function<void(const Post&)>& emit,
                       std::vector<Problem>& problems);

// For the tests: each <item> or <entry> element of `bytes` (parsed as ParseFeedDocument
// does) serialized by libxml2's xmlNodeDump and by the reader's own serializer, which must
// write the same bytes whenever it takes the element (is_own).
struct EntryXmlPair {
  std::string libxml;
  std::string own;
  bool is_own = false;
};
std::vector<EntryXmlPair> EntryXmlBothWays(std::string_view bytes);

// Writes `value` as JSON (for the runner's --dump and for debugging).
void AppendFeedValueJson(const FeedValue& value, std::string& out);

}  // namespace ecoute::feeds
