#include "sources/feed/entry_xml.h"

#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "sources/feed/feed_reader.h"
#include "sources/feed/xml_text.h"

namespace ecoute::feeds {

namespace {

void AppendQualifiedXmlName(const xmlNs* ns, const xmlChar* name, std::string& out) {
  if (ns != nullptr && ns->prefix != nullptr) {
    out += AsView(ns->prefix);
    out.push_back(':');
  }
  out += AsView(name);
}

// `node` as xmlNodeDump(buffer, doc, node, 0, 0) writes it, for the shapes entries have:
// elements, namespace declarations, ASCII attributes, text, comments and processing
// instructions. False for anything else (entity references, non-ASCII attribute values,
// whose escaping depends on the document's encoding...): xmlNodeDump then.
bool AppendEntryXml(const xmlNode* node, std::string& out, int depth) {
  if (node->type != XML_ELEMENT_NODE || depth > 256) return false;
  out.push_back('<');
  AppendQualifiedXmlName(node->ns, node->name, out);
  for (const xmlNs* ns = node->nsDef; ns != nullptr; ns = ns->next) {
    if (ns->type != XML_NAMESPACE_DECL || ns->href == nullptr) return false;
    const std::string_view href = AsView(ns->href);
    if (AsView(ns->prefix) == "xml" || href.find('"') != std::string_view::npos) return false;
    out += " xmlns";
    if (ns->prefix != nullptr) {
      out.push_back(':');
      out += AsView(ns->prefix);
    }
    out += "=\"";
    out += href;
    out.push_back('"');
  }
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    if (attr->type != XML_ATTRIBUTE_NODE) return false;
    out.push_back(' ');
    AppendQualifiedXmlName(attr->ns, attr->name, out);
    out += "=\"";
    for (const xmlNode* value = attr->children; value != nullptr; value = value->next) {
      if (value->type != XML_TEXT_NODE || value->name != xmlStringText ||
          !AppendEscaped(AsView(value->content), XmlEscaping::kDumpAttribute, out)) {
        return false;
      }
    }
    out.push_back('"');
  }
  if (node->children == nullptr) {
    out += "/>";
    return true;
  }
  out.push_back('>');
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_TEXT_NODE && child->name == xmlStringText) {
      AppendEscaped(AsView(child->content), XmlEscaping::kDumpText, out);
    } else if (child->type == XML_COMMENT_NODE && child->content != nullptr) {
      out += "<!--";
      out += AsView(child->content);
      out += "-->";
    } else if (child->type == XML_PI_NODE) {
      out += "<?";
      out += AsView(child->name);
      if (child->content != nullptr) {
        out.push_back(' ');
        out += AsView(child->content);
      }
      out += "?>";
    } else if (!AppendEntryXml(child, out, depth + 1)) {
      return false;
    }
  }
  out += "</";
  AppendQualifiedXmlName(node->ns, node->name, out);
  out.push_back('>');
  return true;
}

}  // namespace

std::string LibxmlNodeXml(xmlNode* node) {
  std::string out;
  xmlBufferPtr buffer = xmlBufferCreate();
  if (buffer != nullptr) {
    xmlNodeDump(buffer, node->doc, node, 0, 0);
    out = AsView(xmlBufferContent(buffer));
    xmlBufferFree(buffer);
  }
  return out;
}

std::optional<std::string> OwnEntryXml(const xmlNode* node) {
  if (node->doc != nullptr && node->doc->intSubset != nullptr) return std::nullopt;
  std::string out;
  out.reserve(2048);
  if (!AppendEntryXml(node, out, 0)) return std::nullopt;
  return out;
}

namespace {

void CollectEntryXml(xmlNode* node, std::vector<EntryXmlPair>& out, int depth) {
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string name = ToLower(AsView(child->name));
    if (name == "item" || name == "entry") {
      EntryXmlPair pair;
      pair.libxml = LibxmlNodeXml(child);
      if (std::optional<std::string> own = OwnEntryXml(child)) {
        pair.own = std::move(*own);
        pair.is_own = true;
      }
      out.push_back(std::move(pair));
    }
    if (depth < 64) CollectEntryXml(child, out, depth + 1);
  }
}

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

}  // namespace

std::vector<EntryXmlPair> EntryXmlBothWays(std::string_view bytes) {
  std::vector<EntryXmlPair> out;
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return out;
  std::unique_ptr<xmlDoc, DocDeleter> doc(xmlReadMemory(bytes.data(),
                                                        static_cast<int>(bytes.size()), nullptr,
                                                        FallbackEncoding(bytes), kDocumentOptions));
  if (doc == nullptr) return out;
  CollectEntryXml(reinterpret_cast<xmlNode*>(doc.get()), out, 0);
  return out;
}

}  // namespace ecoute::feeds
