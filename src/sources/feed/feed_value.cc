// The feed model's values (feed_reader.h): construction, lookup and JSON.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "sources/feed/feed_reader.h"
#include "util/json.h"

namespace ecoute::feeds {

FeedValue FeedValue::String(std::string value) {
  FeedValue v;
  v.kind = Kind::kString;
  v.string = std::move(value);
  return v;
}

FeedValue FeedValue::Int(int64_t value) {
  FeedValue v;
  v.kind = Kind::kInt;
  v.integer = value;
  return v;
}

FeedValue FeedValue::Bool(bool value) {
  FeedValue v;
  v.kind = Kind::kBool;
  v.boolean = value;
  return v;
}

FeedValue FeedValue::Object() {
  FeedValue v;
  v.kind = Kind::kObject;
  return v;
}

FeedValue FeedValue::List() {
  FeedValue v;
  v.kind = Kind::kList;
  return v;
}

const FeedValue* FeedValue::Find(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

FeedValue* FeedValue::Find(std::string_view key) {
  return const_cast<FeedValue*>(static_cast<const FeedValue*>(this)->Find(key));
}

std::string_view FeedValue::StringAt(std::string_view key) const {
  const FeedValue* v = Find(key);
  return v != nullptr && v->kind == Kind::kString ? std::string_view(v->string)
                                                  : std::string_view();
}

FeedValue& FeedValue::operator[](std::string_view key) {
  if (kind != Kind::kObject) *this = Object();
  if (FeedValue* v = Find(key)) return *v;
  if (keys.empty()) {
    // Most objects get a handful of keys: skip the growth from one.
    keys.reserve(4);
    items.reserve(4);
  }
  keys.emplace_back(key);
  items.emplace_back();
  return items.back();
}

void AppendFeedValueJson(const FeedValue& value, std::string& out) {
  switch (value.kind) {
    case FeedValue::Kind::kNull:
      out += "null";
      return;
    case FeedValue::Kind::kString:
      AppendJsonString(value.string, out);
      return;
    case FeedValue::Kind::kInt:
      out += std::to_string(value.integer);
      return;
    case FeedValue::Kind::kBool:
      out += value.boolean ? "true" : "false";
      return;
    case FeedValue::Kind::kObject:
      out.push_back('{');
      for (size_t i = 0; i < value.keys.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendJsonString(value.keys[i], out);
        out.push_back(':');
        AppendFeedValueJson(value.items[i], out);
      }
      out.push_back('}');
      return;
    case FeedValue::Kind::kList:
      out.push_back('[');
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendFeedValueJson(value.items[i], out);
      }
      out.push_back(']');
      return;
  }
}

}  // namespace ecoute::feeds
