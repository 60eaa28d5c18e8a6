// The fields of the feed model (feed_reader.h) that more than one element writes: links and
// enclosures, tags, dates, people, and the decoding of base64 content. Internal to the feed
// reader.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <libxml/tree.h>

#include "sources/feed/feed_reader.h"

namespace ecoute::feeds {

// The list at `key` of `object`, made one (empty) when it is absent or not a list.
FeedValue& ListAt(FeedValue& object, std::string_view key);

// Appends a link to "links"; an "enclosure" also to "enclosures", the first "alternate" is
// also "link" and the first "license" "license". Empty type, title, hreflang and length
// are left out.
void AddLink(FeedValue& object, const std::string& rel, const std::string& type,
             const std::string& href, const std::string& title, const std::string& hreflang,
             const std::string& length);

// Appends a tag {term, scheme, label} to "tags" unless the same one is there.
void AddTag(FeedValue& object, std::string term, std::string scheme, std::string label);

// Sets `key` to the trimmed `raw` and "<key>_iso" to it as RFC 3339 when it is a date
// (null when not). When an element repeats, the last one wins (as in feedparser).
void SetDate(FeedValue& object, const std::string& key, std::string_view raw);

// Reads dcterms:valid's "start=...; end=..." into validity_start and validity_end.
void SetValidity(FeedValue& object, std::string_view text);

// "Example editor (me@example.com)", "me@example.com (Example editor)", "Name <a@b.c>" as
// {name, email}.
FeedValue ParsePerson(std::string_view text);

// "Name (email)", "Name" or "email".
std::string PersonString(const FeedValue& person);

// Appends `person` to the list at `list_key`; the first author is also "author" (as
// PersonString) and "author_detail".
void AddPerson(FeedValue& object, std::string_view list_key, FeedValue person, bool is_author);

// The attributes of `node` as an object of strings, by their local names.
FeedValue AttributesObject(const xmlNode* node);

// Base64 decoding for Atom 0.3 mode="base64" and Atom 1.0 binary types; nullopt when the
// text is not base64.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace ecoute::feeds
