// The streaming path. libxml2's text reader builds the tree one element of the feed at a
// time: each child of the feed (Atom's root, RSS's channel and root) is expanded into a
// small subtree, given to the same FeedBuilder steps as the document path in the same
// order, and its entries are mapped to posts and dropped at once; only the posts are kept.
//
// Anything this path does not reproduce exactly falls back to the document path, before
// anything is emitted: XML that is not well-formed (libxml2's recovery mode builds trees
// the text reader cannot, and the problem must name the same error), namespace errors, a
// DOCTYPE (entities, Netscape RSS 0.91), CDF, a root that is no feed (the fatal
// problem), or an entry our serializer leaves to xmlNodeDump (its content hash could
// depend on the document's encoding, which libxml2 settles at the end of the document).
// That is why the posts are held until the end of the feed: the error that sends a feed
// to the document path may come after its first entries.
#include <climits>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/feed/entry_post.h"
#include "sources/feed/feed_builder.h"
#include "sources/feed/feed_reader.h"
#include "sources/feed/xml_text.h"

namespace ecoute::feeds {

namespace {

struct ReaderDeleter {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};

// libxml2 2.9 passes a mutable xmlError; later versions a const one.
void CountError(void* had_error, xmlError* /*error*/) { *static_cast<bool*>(had_error) = true; }

// What the streaming path holds until the end of the feed.
struct StreamedPosts {
  std::string source;
  size_t entry_count = 0;
  std::vector<PendingPost> posts;
  std::vector<Problem> problems;
};

// Maps the entries the builder added to posts, and drops them from the model.
void TakeEntries(FeedDocument& document, std::string_view name, StreamedPosts& streamed) {
  FeedValue& entries = *document.root.Find("entries");
  for (size_t i = 0; i < entries.items.size(); ++i) {
    ++streamed.entry_count;
    const std::string where = std::string(name) + ":entry " + std::to_string(streamed.entry_count);
    PendingPost pending;
    if (MapEntry(entries.items[i], document.entry_xml[i], streamed.source, where, streamed.problems,
                 pending)) {
      streamed.posts.push_back(std::move(pending));
    }
  }
  entries.items.clear();
  document.entry_xml.clear();
}

}  // namespace

bool ReadFeedStreaming(std::string_view bytes, std::string_view name,
                       const std::function<void(const Post&)>& emit,
                       std::vector<Problem>& problems) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return false;
  // The document path's options but recovery (an error sends the feed there instead).
  const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA;
  std::unique_ptr<xmlTextReader, ReaderDeleter> reader(xmlReaderForMemory(
      bytes.data(), static_cast<int>(bytes.size()), nullptr, FallbackEncoding(bytes), options));
  if (reader == nullptr) return false;
  bool had_error = false;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), CountError, &had_error);

  FeedDocument document;
  document.root = NewFeedRoot();
  FeedBuilder builder(document);
  StreamedPosts streamed;
  Scope root_scope;
  Scope channel_scope;
  bool has_root = false;

  int status = xmlTextReaderRead(reader.get());
  while (status == 1 && !had_error) {
    const int type = xmlTextReaderNodeType(reader.get());
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) return false;
    if (type != XML_READER_TYPE_ELEMENT) {
      status = xmlTextReaderRead(reader.get());
      continue;
    }
    xmlNode* node = xmlTextReaderCurrentNode(reader.get());
    if (node == nullptr) return false;
    const int depth = xmlTextReaderDepth(reader.get());
    if (depth == 0) {
      root_scope = builder.StartRoot(node);
      if (!builder.has_feed_element() || builder.format() == Format::kCdf) return false;
      streamed.source = SourceOf(document.root.StringAt("version"));
      has_root = true;
      status = xmlTextReaderRead(reader.get());
      continue;
    }
    const bool is_rss = builder.format() == Format::kRss;
    if (is_rss && depth == 1 && QualifiedName(node) == "channel") {
      // Its children are the feed's: read them one at a time too.
      channel_scope = builder.Enter(node, root_scope);
      status = xmlTextReaderRead(reader.get());
      continue;
    }
    // A child of the root, or (RSS) of the channel: we skip every other subtree.
    xmlNode* element = xmlTextReaderExpand(reader.get());
    if (element == nullptr || had_error) return false;
    builder.HandleFeedChild(element,
                            builder.Enter(element, depth == 1 ? root_scope : channel_scope));
    if (builder.has_libxml_entry_xml()) return false;
    TakeEntries(document, name, streamed);
    status = xmlTextReaderNext(reader.get());
  }
  if (status != 0 || had_error || !has_root) return false;
  builder.FinishFeed();
  const FeedValue& feed = *document.root.Find("feed");
  for (PendingPost& pending : streamed.posts) FinishPost(feed, pending);
  problems.insert(problems.end(), std::make_move_iterator(streamed.problems.begin()),
                  std::make_move_iterator(streamed.problems.end()));
  for (const PendingPost& pending : streamed.posts) emit(pending.post);
  return true;
}

}  // namespace ecoute::feeds
