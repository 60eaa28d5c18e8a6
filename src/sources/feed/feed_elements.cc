// The element handlers: what each element of a feed writes into the model, as feedparser
// does. One function per element or family of elements, found by the element's qualified
// name in kHandlers.
#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include <libxml/tree.h>

#include "sources/feed/feed_builder.h"
#include "sources/feed/feed_fields.h"
#include "sources/feed/html_source.h"
#include "sources/feed/xml_text.h"

namespace ecoute::feeds {

void HandleOtherElement(Element& e) {
  const std::string local = ToLower(AsView(e.node->name));
  const std::string prefix = PrefixOf(e.node);
  const std::string field = prefix.empty() ? local : prefix + "_" + local;
  if (!e.object.Has(field)) e.object[field] = FeedValue::String(e.text());
}

namespace {

// ---------------------------------------------------------------------------------------
// Structure.

// item, entry: an entry of the feed; anywhere else, a plain field.
void HandleEntry(Element& e) {
  if (e.kind == ObjectKind::kFeed) {
    e.builder.AddEntry(e.node, e.scope);
  } else {
    HandleOtherElement(e);
  }
}

// channel, items, rdf:seq, rdf:li: containers read elsewhere, or not at all.
void IgnoreElement(Element& /*e*/) {}

// media:group: its children belong to the object.
void HandleGroup(Element& e) { e.builder.HandleChildren(e.node, e.object, e.kind, e.scope); }

// source: an Atom entry's feed of origin, else RSS's {href, title}.
void HandleSource(Element& e) {
  FeedValue source = FeedValue::Object();
  if (e.builder.is_atom() && e.is_entry()) {
    e.builder.WalkObject(e.node, source, ObjectKind::kSource, e.scope);
  } else {
    source["href"] = FeedValue::String(ResolveUrl(Attribute(e.node, "url"), e.scope.base));
    source["title"] = FeedValue::String(e.text());
  }
  e.object["source"] = std::move(source);
}

// ---------------------------------------------------------------------------------------
// Text constructs.

// title, dc:title, media:title: the first of them.
void HandleTitle(Element& e) {
  if (e.name != "title" && e.object.Has("title")) return;
  e.builder.SetText(e.object, "title", e.node, e.scope,
                    e.builder.format() == Format::kRss ? "text/plain" : "");
}

// description, dc:description, abstract: the feed's subtitle, an entry's summary (its
// content when it has one).
void HandleDescription(Element& e) {
  if (e.kind == ObjectKind::kFeed) {
    if (!e.object.Has("subtitle")) {
      e.builder.SetText(e.object, "subtitle", e.node, e.scope, "text/html", true);
    }
  } else if (e.object.Has("summary")) {
    e.builder.AddContent(e.object, e.node, e.scope, "text/html");
  } else {
    e.builder.SetText(e.object, "summary", e.node, e.scope, "text/html", true);
  }
}

void HandleSummary(Element& e) {
  const bool is_atom = e.builder.is_atom();
  if (e.object.Has("summary") && !is_atom) {
    e.builder.AddContent(e.object, e.node, e.scope, "text/html");
  } else if (!e.object.Has("summary")) {
    e.builder.SetText(e.object, "summary", e.node, e.scope, is_atom ? "" : "text/html", !is_atom);
  }
}

void HandleItunesSummary(Element& e) {
  if (!e.object.Has("summary")) {
    e.builder.SetText(e.object, "summary", e.node, e.scope, "text/plain");
  }
}

// subtitle, tagline, itunes:subtitle.
void HandleSubtitle(Element& e) {
  if (!e.object.Has("subtitle")) e.builder.SetText(e.object, "subtitle", e.node, e.scope);
}

// content, content:encoded, fullitem: an entry's content.
void HandleContent(Element& e) {
  if (!e.is_entry()) return;
  e.builder.AddContent(e.object, e.node, e.scope,
                       e.builder.is_atom() && e.name == "content" ? "" : "text/html");
}

// xhtml:body: an entry's content, as its markup.
void HandleXhtmlBody(Element& e) {
  if (!e.is_entry()) return;
  FeedValue detail = FeedValue::Object();
  detail["type"] = FeedValue::String("application/xhtml+xml");
  detail["language"] = FeedValue::String(e.scope.lang);
  detail["base"] = FeedValue::String(e.scope.base);
  detail["value"] = FeedValue::String(std::string(Trim(MarkupOf(e.node))));
  ListAt(e.object, "content").items.push_back(std::move(detail));
}

// rights, copyright, dc:rights: the first of them.
void HandleRights(Element& e) {
  if (!e.object.Has("rights")) e.builder.SetText(e.object, "rights", e.node, e.scope);
}

// info, feedburner:browserfriendly.
void HandleInfo(Element& e) { e.builder.SetText(e.object, "info", e.node, e.scope); }

// ---------------------------------------------------------------------------------------
// Links and identity.

// Atom's <link rel href>, RSS's <link>URL</link>.
void HandleLink(Element& e) {
  const bool is_atom = e.builder.is_atom();
  if (is_atom || HasAttribute(e.node, "href") || HasAttribute(e.node, "rel")) {
    std::string rel(Trim(Attribute(e.node, "rel")));
    if (rel.empty()) rel = "alternate";
    std::string type(Trim(Attribute(e.node, "type")));
    if (type.empty() && rel == "self" && is_atom) type = "application/atom+xml";
    const std::string href = HasAttribute(e.node, "href") ? Attribute(e.node, "href") : e.text();
    AddLink(e.object, rel, type, ResolveUrl(href, e.scope.base), Attribute(e.node, "title"),
            Attribute(e.node, "hreflang"), Attribute(e.node, "length"));
  } else if (!e.text().empty() || !e.object.Has("link")) {
    const std::string href = ResolveUrl(e.text(), e.scope.base);
    if (e.object.Has("link")) e.object["link"] = FeedValue::String(href);
    AddLink(e.object, "alternate", "text/html", href, "", "", "");
  }
}

// id, guid.
void HandleId(Element& e) {
  if (e.name == "guid") {
    const std::string permalink = ToLower(Trim(Attribute(e.node, "isPermaLink")));
    e.builder.NoteGuid(permalink != "false");
  }
  e.object["id"] = FeedValue::String(e.text());
}

void HandleEnclosure(Element& e) {
  AddLink(e.object, "enclosure", std::string(Trim(Attribute(e.node, "type"))),
          ResolveUrl(Attribute(e.node, "url"), e.scope.base), "", "",
          std::string(Trim(Attribute(e.node, "length"))));
}

// creativecommons:license, cc:license.
void HandleLicense(Element& e) {
  std::string href = Attribute(e.node, "resource");
  if (href.empty()) href = e.text();
  AddLink(e.object, "license", "", href, "", "", "");
}

// comments, docs, icon, logo, newlocation: a URL field named after the element.
void HandleUrlField(Element& e) {
  e.object[e.name] = FeedValue::String(ResolveUrl(e.text(), e.scope.base));
}

void HandleRedirect(Element& e) {
  for (const xmlNode* child = e.node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && ToLower(AsView(child->name)) == "newlocation") {
      e.object["newlocation"] = FeedValue::String(ResolveUrl(Trim(TextOf(child)), e.scope.base));
    }
  }
}

void HandleInReplyTo(Element& e) {
  FeedValue reply = FeedValue::Object();
  for (const char* attr : {"ref", "href", "type", "source"}) {
    if (HasAttribute(e.node, attr)) reply[attr] = FeedValue::String(Attribute(e.node, attr));
  }
  e.object["thr_in-reply-to"] = std::move(reply);
}

// ---------------------------------------------------------------------------------------
// People.

// An Atom <author>/<contributor>: name, email, uri/url.
FeedValue AtomPerson(const FeedBuilder& builder, const xmlNode* node, const Scope& scope) {
  FeedValue person = FeedValue::Object();
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string name = ToLower(AsView(child->name));
    const std::string text(Trim(TextOf(child)));
    if (name == "name") {
      person["name"] = FeedValue::String(text);
    } else if (name == "email") {
      person["email"] = FeedValue::String(text);
    } else if (name == "uri" || name == "url" || name == "homepage") {
      person["href"] = FeedValue::String(ResolveUrl(text, builder.Enter(child, scope).base));
    }
  }
  return person;
}

// author, contributor, managingeditor, dc:creator, dc:author, itunes:author, dc:contributor.
void HandlePerson(Element& e) {
  const bool is_author = e.name != "contributor" && e.name != "dc:contributor";
  const bool is_structured = HasElementChild(e.node) && (e.builder.is_atom() || e.name == "author");
  FeedValue person = is_structured ? AtomPerson(e.builder, e.node, e.scope) : ParsePerson(e.text());
  if (e.name == "itunes:author" && e.object.Has("author_detail")) return;
  AddPerson(e.object, is_author ? "authors" : "contributors", std::move(person), is_author);
}

void SetPublisher(FeedValue& object, FeedValue person) {
  object["publisher"] = FeedValue::String(PersonString(person));
  object["publisher_detail"] = std::move(person);
}

// dc:publisher, webmaster.
void HandlePublisher(Element& e) { SetPublisher(e.object, ParsePerson(e.text())); }

void HandleItunesOwner(Element& e) {
  FeedValue person = FeedValue::Object();
  for (const xmlNode* child = e.node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string child_name = ToLower(AsView(child->name));
    if (child_name == "name" || child_name == "email") {
      person[child_name] = FeedValue::String(std::string(Trim(TextOf(child))));
    }
  }
  SetPublisher(e.object, std::move(person));
}

// ---------------------------------------------------------------------------------------
// Dates.

// pubdate, published, issued, dcterms:issued.
void HandlePublished(Element& e) { SetDate(e.object, "published", e.text()); }

// updated, modified, lastbuilddate, dc:date, dcterms:modified.
void HandleUpdated(Element& e) { SetDate(e.object, "updated", e.text()); }

// created, dcterms:created.
void HandleCreated(Element& e) { SetDate(e.object, "created", e.text()); }

void HandleExpirationDate(Element& e) { SetDate(e.object, "expired", e.text()); }

void HandleValid(Element& e) { SetValidity(e.object, e.text()); }

// ---------------------------------------------------------------------------------------
// Language and tags.

// language, dc:language.
void HandleLanguage(Element& e) {
  std::string lang = e.text();
  std::replace(lang.begin(), lang.end(), '_', '-');
  e.object["language"] = FeedValue::String(lang);
}

// category, dc:subject, media:category.
void HandleCategory(Element& e) {
  if (e.name == "media:category") {
    AddTag(e.object, e.text(), Attribute(e.node, "scheme"), Attribute(e.node, "label"));
  } else if (e.builder.is_atom() && e.name == "category") {
    AddTag(e.object, Attribute(e.node, "term"), Attribute(e.node, "scheme"),
           Attribute(e.node, "label"));
  } else {
    std::string scheme = Attribute(e.node, "domain");
    if (scheme.empty()) scheme = Attribute(e.node, "scheme");
    AddTag(e.object, e.text(), scheme, "");
  }
}

void HandleItunesCategory(Element& e) {
  AddTag(e.object, Attribute(e.node, "text"), "http://www.itunes.com/", "");
  e.builder.HandleChildren(e.node, e.object, e.kind, e.scope);
}

void HandleItunesKeywords(Element& e) {
  const std::string_view text = e.text();
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find(',', i);
    if (end == std::string_view::npos) end = text.size();
    const std::string term(Trim(text.substr(i, end - i)));
    if (!term.empty()) AddTag(e.object, term, "http://www.itunes.com/", "");
    i = end + 1;
  }
}

// ---------------------------------------------------------------------------------------
// Podcasts and media.

void HandleItunesBlock(Element& e) {
  const std::string value = TextOf(e.node);
  e.object["itunes_block"] = FeedValue::Bool(value == "yes" || value == "Yes");
}

void HandleItunesExplicit(Element& e) {
  const std::string value = TextOf(e.node);
  if (value == "yes" || value == "true") e.object["itunes_explicit"] = FeedValue::Bool(true);
  if (value == "no" || value == "false" || value == "clean") {
    e.object["itunes_explicit"] = FeedValue::Bool(false);
  }
}

// An RSS <image>: url, link, width, height, and any other child as a string.
void ReadImage(const FeedBuilder& builder, const xmlNode* node, FeedValue& object,
               const Scope& scope) {
  FeedValue& image = object["image"];
  if (image.kind != FeedValue::Kind::kObject) image = FeedValue::Object();
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string child_name = ToLower(AsView(child->name));
    const std::string value(Trim(TextOf(child)));
    const std::string child_base = builder.Enter(child, scope).base;
    if (child_name == "url") {
      image["href"] = FeedValue::String(ResolveUrl(value, child_base));
    } else if (child_name == "link") {
      image["link"] = FeedValue::String(ResolveUrl(value, child_base));
    } else if (child_name == "width" || child_name == "height") {
      char* end = nullptr;
      const long number = std::strtol(value.c_str(), &end, 10);
      if (!value.empty() && end != nullptr && *end == '\0') {
        image[child_name] = FeedValue::Int(number);
      }
    } else {
      image[child_name] = FeedValue::String(value);
    }
  }
}

// itunes:image, and <image> in an entry: the first one's href; <image> elsewhere: RSS's.
void HandleImage(Element& e) {
  if (e.name == "image" && !e.is_entry()) {
    ReadImage(e.builder, e.node, e.object, e.scope);
    return;
  }
  FeedValue& image = e.object["image"];
  if (image.kind != FeedValue::Kind::kObject) image = FeedValue::Object();
  std::string href = Attribute(e.node, "href");
  if (href.empty()) href = Attribute(e.node, "url");
  if (href.empty()) href = e.text();
  if (!image.Has("href")) image["href"] = FeedValue::String(ResolveUrl(href, e.scope.base));
}

void HandleMediaThumbnail(Element& e) {
  ListAt(e.object, "media_thumbnail").items.push_back(AttributesObject(e.node));
}

void HandleMediaPlayer(Element& e) { e.object["media_player"] = AttributesObject(e.node); }

void HandleMediaContent(Element& e) {
  ListAt(e.object, "media_content").items.push_back(AttributesObject(e.node));
  e.builder.HandleChildren(e.node, e.object, e.kind, e.scope);
}

void HandleChapters(Element& e) {
  FeedValue chapters = FeedValue::Object();
  chapters["version"] = FeedValue::String(Attribute(e.node, "version"));
  FeedValue list = FeedValue::List();
  for (const xmlNode* child = e.node->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && ToLower(AsView(child->name)) == "chapter") {
      list.items.push_back(AttributesObject(child));
    }
  }
  chapters["chapters"] = std::move(list);
  e.object["psc_chapters"] = std::move(chapters);
}

// ---------------------------------------------------------------------------------------
// The feed's own fields.

void HandleTextInput(Element& e) {
  FeedValue textinput = FeedValue::Object();
  for (const xmlNode* child = e.node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    const std::string child_name = ToLower(AsView(child->name));
    std::string value(Trim(TextOf(child)));
    if (child_name == "link") value = ResolveUrl(value, e.builder.Enter(child, e.scope).base);
    textinput[child_name] = FeedValue::String(value);
  }
  e.object["textinput"] = std::move(textinput);
}

void HandleCloud(Element& e) {
  FeedValue cloud = FeedValue::Object();
  for (const xmlAttr* attr = e.node->properties; attr != nullptr; attr = attr->next) {
    cloud[ToLower(AsView(attr->name))] =
        FeedValue::String(Attribute(e.node, reinterpret_cast<const char*>(attr->name)));
  }
  e.object["cloud"] = std::move(cloud);
}

void HandleTtl(Element& e) { e.object["ttl"] = FeedValue::String(e.text()); }

// generator, admin:generatoragent (whose URL is its name).
void HandleGenerator(Element& e) {
  FeedValue generator = FeedValue::Object();
  std::string href = Attribute(e.node, "uri");
  if (href.empty()) href = Attribute(e.node, "url");
  if (href.empty()) href = Attribute(e.node, "resource");
  std::string value = e.name == "admin:generatoragent" ? href : e.text();
  generator["name"] = FeedValue::String(value);
  if (!href.empty()) generator["href"] = FeedValue::String(ResolveUrl(href, e.scope.base));
  const std::string version = Attribute(e.node, "version");
  if (!version.empty()) generator["version"] = FeedValue::String(version);
  e.object["generator"] = FeedValue::String(std::move(value));
  e.object["generator_detail"] = std::move(generator);
}

// ---------------------------------------------------------------------------------------
// The table.

struct NamedHandler {
  std::string_view name;
  ElementHandler handle;
};

// By qualified name, sorted (FindElementHandler searches it by halves).
constexpr NamedHandler kHandlers[] = {
    {"abstract", HandleDescription},
    {"admin:generatoragent", HandleGenerator},
    {"author", HandlePerson},
    {"category", HandleCategory},
    {"cc:license", HandleLicense},
    {"channel", IgnoreElement},
    {"cloud", HandleCloud},
    {"comments", HandleUrlField},
    {"content", HandleContent},
    {"content:encoded", HandleContent},
    {"contributor", HandlePerson},
    {"copyright", HandleRights},
    {"created", HandleCreated},
    {"creativecommons:license", HandleLicense},
    {"dc:author", HandlePerson},
    {"dc:contributor", HandlePerson},
    {"dc:creator", HandlePerson},
    {"dc:date", HandleUpdated},
    {"dc:description", HandleDescription},
    {"dc:language", HandleLanguage},
    {"dc:publisher", HandlePublisher},
    {"dc:rights", HandleRights},
    {"dc:subject", HandleCategory},
    {"dc:title", HandleTitle},
    {"dcterms:created", HandleCreated},
    {"dcterms:issued", HandlePublished},
    {"dcterms:modified", HandleUpdated},
    {"dcterms:valid", HandleValid},
    {"description", HandleDescription},
    {"docs", HandleUrlField},
    {"enclosure", HandleEnclosure},
    {"entry", HandleEntry},
    {"expirationdate", HandleExpirationDate},
    {"feedburner:browserfriendly", HandleInfo},
    {"fullitem", HandleContent},
    {"generator", HandleGenerator},
    {"guid", HandleId},
    {"icon", HandleUrlField},
    {"id", HandleId},
    {"image", HandleImage},
    {"info", HandleInfo},
    {"issued", HandlePublished},
    {"item", HandleEntry},
    {"items", IgnoreElement},
    {"itunes:author", HandlePerson},
    {"itunes:block", HandleItunesBlock},
    {"itunes:category", HandleItunesCategory},
    {"itunes:explicit", HandleItunesExplicit},
    {"itunes:image", HandleImage},
    {"itunes:keywords", HandleItunesKeywords},
    {"itunes:owner", HandleItunesOwner},
    {"itunes:subtitle", HandleSubtitle},
    {"itunes:summary", HandleItunesSummary},
    {"language", HandleLanguage},
    {"lastbuilddate", HandleUpdated},
    {"link", HandleLink},
    {"logo", HandleUrlField},
    {"managingeditor", HandlePerson},
    {"media:category", HandleCategory},
    {"media:content", HandleMediaContent},
    {"media:group", HandleGroup},
    {"media:player", HandleMediaPlayer},
    {"media:thumbnail", HandleMediaThumbnail},
    {"media:title", HandleTitle},
    {"modified", HandleUpdated},
    {"newlocation", HandleUrlField},
    {"psc:chapters", HandleChapters},
    {"pubdate", HandlePublished},
    {"published", HandlePublished},
    {"rdf:li", IgnoreElement},
    {"rdf:seq", IgnoreElement},
    {"redirect", HandleRedirect},
    {"rights", HandleRights},
    {"source", HandleSource},
    {"subtitle", HandleSubtitle},
    {"summary", HandleSummary},
    {"tagline", HandleSubtitle},
    {"textinput", HandleTextInput},
    {"thr:in-reply-to", HandleInReplyTo},
    {"title", HandleTitle},
    {"ttl", HandleTtl},
    {"updated", HandleUpdated},
    {"webmaster", HandlePublisher},
    {"xhtml:body", HandleXhtmlBody},
};

constexpr bool IsSortedByName(const NamedHandler* begin, const NamedHandler* end) {
  return std::is_sorted(
      begin, end, [](const NamedHandler& a, const NamedHandler& b) { return a.name < b.name; });
}
static_assert(IsSortedByName(std::begin(kHandlers), std::end(kHandlers)));

}  // namespace

ElementHandler FindElementHandler(std::string_view name) {
  const NamedHandler* found = std::lower_bound(
      std::begin(kHandlers), std::end(kHandlers), name,
      [](const NamedHandler& handler, std::string_view key) { return handler.name < key; });
  return found != std::end(kHandlers) && found->name == name ? found->handle : nullptr;
}

}  // namespace ecoute::feeds
