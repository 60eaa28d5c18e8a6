#include "sources/feed/feed_builder.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <libxml/tree.h>

#include "sources/feed/entry_xml.h"
#include "sources/feed/feed_fields.h"
#include "sources/feed/html_source.h"
#include "sources/feed/xml_text.h"

namespace ecoute::feeds {

FeedValue NewFeedRoot() {
  FeedValue root = FeedValue::Object();
  root["version"] = FeedValue::String("");
  root["feed"] = FeedValue::Object();
  root["entries"] = FeedValue::List();
  return root;
}

namespace {

std::string RssVersion(const xmlNode* root) {
  const std::string version(Trim(Attribute(root, "version")));
  if (version == "0.91") {
    const xmlDtd* dtd = root->doc != nullptr ? xmlGetIntSubset(root->doc) : nullptr;
    if (dtd != nullptr && (AsView(dtd->ExternalID).find("Netscape") != std::string_view::npos ||
                           AsView(dtd->SystemID).find("netscape") != std::string_view::npos)) {
      return "rss091n";
    }
    return "rss091u";
  }
  if (version == "0.92") return "rss092";
  if (version == "0.93") return "rss093";
  if (version == "0.94") return "rss094";
  if (StartsWith(version, "2.")) return "rss20";
  if (version == "0.90") return "rss090";
  return "rss";
}

}  // namespace

void FeedBuilder::Build(xmlNode* root) {
  FeedValue& r = document_.root;
  r = NewFeedRoot();
  if (root == nullptr) return;
  const Scope scope = StartRoot(root);
  if (!has_feed_element_) return;
  FeedValue& feed = r["feed"];
  if (is_atom() || format_ == Format::kCdf) {
    WalkObject(root, feed, ObjectKind::kFeed, scope);
  } else {
    // RSS: the channel, and (RSS 1.0) the items, image and textinput beside it.
    for (xmlNode* child = root->children; child != nullptr; child = child->next) {
      if (child->type != XML_ELEMENT_NODE) continue;
      const std::string name = QualifiedName(child);
      const Scope child_scope = Enter(child, scope);
      if (name == "channel") {
        WalkObject(child, feed, ObjectKind::kFeed, child_scope);
      } else if (name == "item") {
        AddEntry(child, child_scope);
      } else {
        HandleElement(child, feed, ObjectKind::kFeed, child_scope);
      }
    }
  }
  FinishFeed();
}

Scope FeedBuilder::StartRoot(xmlNode* root) {
  const std::string root_name = ToLower(AsView(root->name));
  const std::string_view ns = root->ns != nullptr ? AsView(root->ns->href) : "";
  Scope scope;
  scope = Enter(root, scope);
  if (root_name == "rss") {
    format_ = Format::kRss;
    SetVersion(RssVersion(root));
  } else if (root_name == "rdf") {
    format_ = Format::kRss;
    bool is_090 = ns == kRss090Ns;
    for (const xmlNode* child = root->children; child != nullptr; child = child->next) {
      if (child->type == XML_ELEMENT_NODE && child->ns != nullptr &&
          AsView(child->ns->href) == kRss090Ns) {
        is_090 = true;
      }
    }
    SetVersion(is_090 ? "rss090" : "rss10");
  } else if (root_name == "feed") {
    const std::string version(Trim(Attribute(root, "version")));
    if (ns == kAtom10Ns) {
      format_ = Format::kAtom10;
      SetVersion("atom10");
    } else {
      format_ = Format::kAtom03;
      if (version == "0.3") {
        SetVersion("atom03");
      } else if (version == "0.2") {
        SetVersion("atom02");
      } else if (version == "0.1") {
        SetVersion("atom01");
      } else {
        SetVersion("atom");
      }
    }
  } else if (root_name == "channel") {
    format_ = Format::kCdf;
    SetVersion("cdf");
  } else {
    has_feed_element_ = false;
    return scope;
  }
  has_feed_element_ = true;
  if (!scope.lang.empty()) root_lang_ = scope.lang;
  return scope;
}

void FeedBuilder::HandleFeedChild(xmlNode* node, const Scope& scope) {
  HandleElement(node, document_.root["feed"], ObjectKind::kFeed, scope);
}

void FeedBuilder::FinishFeed() {
  FeedValue& feed = document_.root["feed"];
  if (!feed.Has("language") && !root_lang_.empty()) {
    feed["language"] = FeedValue::String(root_lang_);
  }
}

void FeedBuilder::AddEntry(xmlNode* node, const Scope& scope) {
  FeedValue& entries = document_.root["entries"];
  entries.items.push_back(FeedValue::Object());
  FeedValue& entry = entries.items.back();
  if (format_ == Format::kRss) {
    const std::string about = Attribute(node, "about");
    if (!about.empty()) entry["id"] = FeedValue::String(about);
  }
  const Scope entry_scope = format_ == Format::kCdf ? CdfScope(node, scope) : scope;
  if (format_ == Format::kCdf) ReadCdfAttributes(node, entry, entry_scope);
  WalkObject(node, entry, ObjectKind::kEntry, entry_scope);
  FinishEntry(entry);
  // What ContentHash digests: the entry's XML as the parser read it.
  if (std::optional<std::string> xml = OwnEntryXml(node)) {
    document_.entry_xml.push_back(std::move(*xml));
  } else {
    // While streaming, the document's encoding (which xmlNodeDump's escaping of
    // non-ASCII attributes depends on) may not be known yet: ReadFeedStreaming then
    // hands the feed to the document path.
    has_libxml_entry_xml_ = true;
    document_.entry_xml.push_back(LibxmlNodeXml(node));
  }
}

Scope FeedBuilder::Enter(const xmlNode* node, const Scope& outer) const {
  Scope scope = outer;
  if (std::optional<std::string> base = XmlAttribute(node, "base")) {
    if (!IsUnsafeBase(*base)) scope.base = ResolveUrl(*base, outer.base);
  }
  if (std::optional<std::string> lang = XmlAttribute(node, "lang")) {
    scope.lang = *lang;
    std::replace(scope.lang.begin(), scope.lang.end(), '_', '-');
  }
  return scope;
}

void FeedBuilder::ReadCdfAttributes(const xmlNode* node, FeedValue& object, const Scope& scope) {
  const std::string href = Attribute(node, "HREF");
  if (!href.empty()) AddLink(object, "alternate", "", ResolveUrl(href, scope.base), "", "", "");
  const std::string lastmod = Attribute(node, "LASTMOD");
  if (!lastmod.empty()) SetDate(object, "updated", lastmod);
}

// CDF writes xml:base as a BASE attribute.
Scope FeedBuilder::CdfScope(const xmlNode* node, const Scope& outer) const {
  Scope scope = outer;
  const std::string base = Attribute(node, "BASE");
  if (!base.empty() && !IsUnsafeBase(base)) scope.base = ResolveUrl(base, outer.base);
  return scope;
}

void FeedBuilder::WalkObject(xmlNode* node, FeedValue& object, ObjectKind kind,
                             const Scope& outer) {
  const Scope scope =
      format_ == Format::kCdf && kind == ObjectKind::kFeed ? CdfScope(node, outer) : outer;
  if (format_ == Format::kCdf && kind == ObjectKind::kFeed) ReadCdfAttributes(node, object, scope);
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    HandleElement(child, object, kind, Enter(child, scope));
  }
}

void FeedBuilder::FinishEntry(FeedValue& entry) {
  // An RSS guid that is a permalink stands for the link when there is none.
  if (!entry.Has("link") && entry.Has("id") && guid_is_permalink_) {
    const std::string id(entry.StringAt("id"));
    if (!id.empty()) {
      AddLink(entry, "alternate", "text/html", id, "", "", "");
      entry["guidislink"] = FeedValue::Bool(true);
    }
  }
  if (!entry.Has("guidislink") && (entry.Has("id") || saw_guid_)) {
    entry["guidislink"] = FeedValue::Bool(false);
  }
  guid_is_permalink_ = false;
  saw_guid_ = false;
  // An entry with content and no summary gets the content as its summary too.
  if (!entry.Has("summary") && entry.Has("content") && !entry.Find("content")->items.empty()) {
    FeedValue detail = entry.Find("content")->items.front();
    if (FeedValue* src = detail.Find("src")) *src = FeedValue();
    detail.keys.erase(std::remove(detail.keys.begin(), detail.keys.end(), "src"),
                      detail.keys.end());
    std::string value(detail.StringAt("value"));
    entry["summary"] = FeedValue::String(std::move(value));
    entry["summary_detail"] = std::move(detail);
  }
}

// A text construct: value, type, language, base.
FeedValue FeedBuilder::TextConstruct(const xmlNode* node, const Scope& scope,
                                     std::string_view default_type, bool is_rss_description) {
  FeedValue detail = FeedValue::Object();
  std::string type(Trim(Attribute(node, "type")));
  std::string mode(Trim(Attribute(node, "mode")));
  const bool is_atom_element = node->ns != nullptr && (AsView(node->ns->href) == kAtom10Ns ||
                                                       AsView(node->ns->href) == kAtom03Ns);
  const std::string lower_type = ToLower(type);
  std::string media_type;
  if (!is_atom_element && format_ == Format::kRss) type.clear();
  if (lower_type == "text" || (type.empty() && !is_rss_description && default_type.empty())) {
    media_type = "text/plain";
  } else if (lower_type == "html") {
    media_type = "text/html";
  } else if (lower_type == "xhtml") {
    media_type = "application/xhtml+xml";
  } else if (!type.empty()) {
    media_type = lower_type;
  } else {
    media_type = std::string(default_type);
  }
  std::string value;
  const bool is_xml_type =
      media_type == "application/xhtml+xml" ||
      (media_type.size() > 4 && (media_type.substr(media_type.size() - 4) == "+xml" ||
                                 media_type.substr(media_type.size() - 4) == "/xml"));
  // Atom 1.0 escaped HTML is read as text, even when element children came through.
  const bool atom_html = format_ == Format::kAtom10 && lower_type == "html";
  if (mode == "base64" || (format_ == Format::kAtom10 && !type.empty() &&
                           !StartsWith(media_type, "text/") && !is_xml_type)) {
    value = DecodeBase64(Trim(TextOf(node))).value_or(TextOf(node));
  } else if (!atom_html && (mode == "xml" || HasElementChild(node))) {
    const xmlNode* inner = node;
    // Atom 1.0 XHTML sits in a <div> that is not part of the value.
    if (format_ == Format::kAtom10 || lower_type == "xhtml") {
      const xmlNode* only = nullptr;
      int elements = 0;
      bool has_text = false;
      for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
          ++elements;
          only = c;
        } else if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
                   !Trim(AsView(c->content)).empty()) {
          has_text = true;
        }
      }
      if (elements == 1 && !has_text && AsView(only->name) == "div" && only->ns != nullptr &&
          AsView(only->ns->href) == kXhtmlNs) {
        inner = only;
      }
    }
    value = MarkupOf(inner);
    if (media_type.empty()) media_type = "application/xhtml+xml";
  } else {
    value = TextOf(node);
  }
  if (media_type != "text/plain") {
    value = NormalizeHtml(Trim(value), scope.base);
  } else {
    value = std::string(Trim(value));
  }
  detail["type"] = FeedValue::String(media_type);
  detail["language"] = FeedValue::String(scope.lang);
  detail["base"] = FeedValue::String(scope.base);
  detail["value"] = FeedValue::String(value);
  return detail;
}

void FeedBuilder::SetText(FeedValue& object, std::string_view key, const xmlNode* node,
                          const Scope& scope, std::string_view default_type,
                          bool is_rss_description) {
  FeedValue detail = TextConstruct(node, scope, default_type, is_rss_description);
  object[key] = FeedValue::String(std::string(detail.StringAt("value")));
  object[std::string(key) + "_detail"] = std::move(detail);
}

void FeedBuilder::AddContent(FeedValue& entry, const xmlNode* node, const Scope& scope,
                             std::string_view default_type) {
  FeedValue detail = TextConstruct(node, scope, default_type, default_type == "text/html");
  const std::string src = Attribute(node, "src");
  if (!src.empty()) detail["src"] = FeedValue::String(ResolveUrl(src, scope.base));
  ListAt(entry, "content").items.push_back(std::move(detail));
}

void FeedBuilder::HandleElement(xmlNode* node, FeedValue& object, ObjectKind kind,
                                const Scope& scope) {
  const std::string name = QualifiedName(node);
  Element element(*this, node, object, kind, scope, name);
  if (const ElementHandler handle = FindElementHandler(name)) {
    handle(element);
  } else {
    HandleOtherElement(element);
  }
}

void FeedBuilder::HandleChildren(xmlNode* node, FeedValue& object, ObjectKind kind,
                                 const Scope& scope) {
  for (xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) HandleElement(child, object, kind, scope);
  }
}

const std::string& Element::text() {
  if (!trimmed_text) trimmed_text.emplace(Trim(TextOf(node)));
  return *trimmed_text;
}

}  // namespace ecoute::feeds
