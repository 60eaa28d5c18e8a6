// The document path: the whole feed parsed into a tree (libxml2, recovering what it can of
// XML that is not well-formed), the model built from it, then each entry mapped to a post.
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/feed/entry_post.h"
#include "sources/feed/feed_builder.h"
#include "sources/feed/feed_reader.h"
#include "sources/feed/xml_text.h"

namespace ecoute::feeds {

namespace {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct ContextDeleter {
  void operator()(xmlParserCtxt* context) const { xmlFreeParserCtxt(context); }
};

void SetFatal(FeedDocument& document, std::string message) {
  document.is_fatal = true;
  document.is_bozo = true;
  document.bozo_message = std::move(message);
}

}  // namespace

FeedDocument ParseFeedDocument(std::string_view bytes) {
  FeedDocument document;
  document.root = NewFeedRoot();
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    SetFatal(document, "the input is larger than 2 GB");
    return document;
  }
  std::unique_ptr<xmlParserCtxt, ContextDeleter> context(xmlNewParserCtxt());
  if (context == nullptr) {
    SetFatal(document, "out of memory");
    return document;
  }
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      xmlCtxtReadMemory(context.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr,
                        FallbackEncoding(bytes), kDocumentOptions));
  if (!context->wellFormed || !context->nsWellFormed) {
    document.is_bozo = true;
    const xmlError* error = xmlCtxtGetLastError(context.get());
    if (error != nullptr && error->message != nullptr) {
      document.bozo_message = std::string(Trim(error->message));
      document.bozo_message += " (line " + std::to_string(error->line) + ")";
    } else {
      document.bozo_message = "the XML is not well-formed";
    }
  }
  xmlNode* root = doc != nullptr ? xmlDocGetRootElement(doc.get()) : nullptr;
  FeedBuilder builder(document);
  builder.Build(root);
  if (!builder.has_feed_element()) {
    document.is_fatal = true;
    document.is_bozo = true;
    if (root == nullptr) {
      if (document.bozo_message.empty()) document.bozo_message = "the input is not XML";
    } else {
      document.bozo_message = "the root element <" + std::string(AsView(root->name)) +
                              "> is not rss, rdf:RDF, feed or CDF channel";
    }
  }
  return document;
}

void ReadFeedWithDocument(std::string_view bytes, std::string_view name,
                          const std::function<void(const Post&)>& emit,
                          std::vector<Problem>& problems) {
  const FeedDocument document = ParseFeedDocument(bytes);
  if (document.is_fatal) {
    problems.push_back({std::string(name),
                        "not a feed: " + document.bozo_message +
                            "; give an RSS 0.9x/1.0/2.0 or Atom 0.3/1.0 document",
                        true});
    return;
  }
  if (document.is_bozo) {
    problems.push_back({std::string(name),
                        "the feed is not well-formed XML (" + document.bozo_message +
                            "); what the parser could recover was read, fix the feed to be sure "
                            "nothing is lost",
                        false});
  }
  const std::string source = SourceOf(document.root.StringAt("version"));
  const FeedValue& feed = *document.root.Find("feed");
  const FeedValue& entries = *document.root.Find("entries");
  for (size_t i = 0; i < entries.items.size(); ++i) {
    const std::string where = std::string(name) + ":entry " + std::to_string(i + 1);
    PendingPost pending;
    if (!MapEntry(entries.items[i], document.entry_xml[i], source, where, problems, pending)) {
      continue;
    }
    FinishPost(feed, pending);
    emit(pending.post);
  }
}

}  // namespace ecoute::feeds
