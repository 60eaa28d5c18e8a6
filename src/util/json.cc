#include "util/json.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace ecoute {

JsonShape ScanJson(std::string_view text, int max_depth) {
  JsonShape shape;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        if (depth == 0) shape.top_level_other = true;
        break;
      case '{':
      case '[':
        if (depth == 0) ++shape.top_level_containers;
        if (++depth > shape.max_depth) shape.max_depth = depth;
        if (depth > max_depth) {
          shape.too_deep = true;
          shape.too_deep_at = i;
          return shape;
        }
        break;
      case '}':
      case ']':
        if (depth > 0) {
          --depth;
        } else {
          shape.top_level_other = true;
        }
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
        break;
      default:
        if (depth == 0) shape.top_level_other = true;
        break;
    }
  }
  return shape;
}

Status CheckJsonDepth(std::string_view text, int max_depth) {
  const JsonShape shape = ScanJson(text, max_depth);
  if (!shape.too_deep) return OkStatus();
  return InvalidArgumentError("the JSON nests arrays and objects deeper than " +
                              std::to_string(max_depth) + " levels (at byte " +
                              std::to_string(shape.too_deep_at) + "); send flatter JSON");
}

std::string ShortQuote(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  // Back to the start of a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

void AppendNumber(double value, int decimals, std::string& out) {
  if (!std::isfinite(value)) {
    out += '0';
    return;
  }
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  if (ec != std::errc()) {
    out += '0';
    return;
  }
  std::string_view s(buffer, static_cast<size_t>(end - buffer));
  if (s.find('.') != std::string_view::npos) {
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.') s.remove_suffix(1);
  }
  if (s == "-0") s = "0";
  out += s;
}

void AppendJsonString(std::string_view s, std::string& out) {
  constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  // Runs of bytes that need no escape are appended whole.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string_view DescribeJsonType(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "something else";
}

}  // namespace ecoute
