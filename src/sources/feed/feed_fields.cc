#include "sources/feed/feed_fields.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sources/feed/xml_text.h"
#include "util/datetime.h"

namespace ecoute::feeds {

FeedValue& ListAt(FeedValue& object, std::string_view key) {
  FeedValue& list = object[key];
  if (list.kind != FeedValue::Kind::kList) list = FeedValue::List();
  return list;
}

void AddLink(FeedValue& object, const std::string& rel, const std::string& type,
             const std::string& href, const std::string& title, const std::string& hreflang,
             const std::string& length) {
  FeedValue link = FeedValue::Object();
  link["rel"] = FeedValue::String(rel);
  if (!type.empty()) link["type"] = FeedValue::String(type);
  link["href"] = FeedValue::String(href);
  if (!title.empty()) link["title"] = FeedValue::String(title);
  if (!hreflang.empty()) link["hreflang"] = FeedValue::String(hreflang);
  if (!length.empty()) link["length"] = FeedValue::String(length);
  if (rel == "enclosure") {
    FeedValue enclosure = FeedValue::Object();
    enclosure["href"] = FeedValue::String(href);
    if (!type.empty()) enclosure["type"] = FeedValue::String(type);
    if (!length.empty()) enclosure["length"] = FeedValue::String(length);
    ListAt(object, "enclosures").items.push_back(std::move(enclosure));
  }
  if (rel == "license" && !object.Has("license")) object["license"] = FeedValue::String(href);
  if (rel == "alternate" && !object.Has("link")) object["link"] = FeedValue::String(href);
  // Last: inserting the fields above may move the object's values.
  ListAt(object, "links").items.push_back(std::move(link));
}

void AddTag(FeedValue& object, std::string term, std::string scheme, std::string label) {
  FeedValue& tags = ListAt(object, "tags");
  for (const FeedValue& tag : tags.items) {
    if (tag.StringAt("term") == term && tag.StringAt("scheme") == scheme &&
        tag.StringAt("label") == label) {
      return;
    }
  }
  FeedValue tag = FeedValue::Object();
  tag["term"] = FeedValue::String(std::move(term));
  tag["scheme"] = FeedValue::String(std::move(scheme));
  tag["label"] = FeedValue::String(std::move(label));
  tags.items.push_back(std::move(tag));
}

void SetDate(FeedValue& object, const std::string& key, std::string_view raw) {
  const std::string value(Trim(raw));
  object[key] = FeedValue::String(value);
  if (std::optional<int64_t> seconds = ParseDateTime(value)) {
    object[key + "_iso"] = FeedValue::String(FormatRfc3339(*seconds));
  } else if (FeedValue* iso = object.Find(key + "_iso")) {
    *iso = FeedValue();
  }
}

void SetValidity(FeedValue& object, std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find(';', i);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = Trim(text.substr(i, end - i));
    const size_t eq = part.find('=');
    if (eq != std::string_view::npos) {
      const std::string key(Trim(part.substr(0, eq)));
      const std::string_view value = Trim(part.substr(eq + 1));
      if (key == "start") SetDate(object, "validity_start", value);
      if (key == "end") SetDate(object, "validity_end", value);
    }
    i = end + 1;
  }
}

FeedValue ParsePerson(std::string_view text) {
  FeedValue person = FeedValue::Object();
  std::string rest(Trim(text));
  // An e-mail address is a run of non-space characters around an '@'.
  const size_t at = rest.find('@');
  if (at != std::string::npos) {
    size_t start = at;
    while (start > 0 && !IsXmlSpace(rest[start - 1]) && rest[start - 1] != '(' &&
           rest[start - 1] != '<' && rest[start - 1] != ':') {
      --start;
    }
    size_t end = at;
    while (end < rest.size() && !IsXmlSpace(rest[end]) && rest[end] != ')' && rest[end] != '>') {
      ++end;
    }
    std::string email = rest.substr(start, end - start);
    if (StartsWith(email, "mailto:")) email = email.substr(7);
    if (start > 0 && (rest[start - 1] == '(' || rest[start - 1] == '<')) --start;
    if (end < rest.size() && (rest[end] == ')' || rest[end] == '>')) ++end;
    if (start >= 7 && rest.substr(start - 7, 7) == "mailto:") start -= 7;
    rest.erase(start, end - start);
    person["email"] = FeedValue::String(email);
  }
  // What is left is the name, maybe in parentheses.
  std::string_view name = Trim(rest);
  while (!name.empty() && (name.front() == '(' || name.front() == '<')) {
    name.remove_prefix(1);
  }
  while (!name.empty() && (name.back() == ')' || name.back() == '>')) name.remove_suffix(1);
  name = Trim(name);
  if (!name.empty() || at == std::string::npos)
    person["name"] = FeedValue::String(std::string(name));
  return person;
}

std::string PersonString(const FeedValue& person) {
  const std::string_view name = person.StringAt("name");
  const std::string_view email = person.StringAt("email");
  if (!name.empty() && !email.empty()) return std::string(name) + " (" + std::string(email) + ")";
  if (!name.empty()) return std::string(name);
  return std::string(email);
}

void AddPerson(FeedValue& object, std::string_view list_key, FeedValue person, bool is_author) {
  ListAt(object, list_key).items.push_back(person);
  if (is_author && !object.Has("author_detail")) {
    object["author"] = FeedValue::String(PersonString(person));
    object["author_detail"] = std::move(person);
  }
}

FeedValue AttributesObject(const xmlNode* node) {
  FeedValue attrs = FeedValue::Object();
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    attrs[AsView(attr->name)] =
        FeedValue::String(Attribute(node, reinterpret_cast<const char*>(attr->name)));
  }
  return attrs;
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value;
    if (c >= 'A' && c <= 'Z') {
      value = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      value = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      value = c - '0' + 52;
    } else if (c == '+') {
      value = 62;
    } else if (c == '/') {
      value = 63;
    } else if (c == '=' || IsXmlSpace(c)) {
      continue;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace ecoute::feeds
