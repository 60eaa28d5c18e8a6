// What the Mastodon and Bluesky readers share: both read API responses with simdjson's DOM,
// field by field, from one JSON document or JSON lines, and report problems the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute::sources_internal {

// A file of nothing but bad items must not turn into millions of problems.
inline constexpr size_t kMaxSocialProblems = 1000;

// True when `s` holds nothing but JSON white space (space, tab, CR, LF).
bool IsJsonBlank(std::string_view s);

// "<name> is <what value is>, not <expected>": `name` as the message quotes it ("\"feed\"").
std::string WrongType(std::string_view name, simdjson::dom::element value,
                      std::string_view expected);

// At most 40 bytes of `s`, cut on a character boundary, for quoting input in a message.
std::string Excerpt(std::string_view s);

// Appends `link` to `links` unless it is empty or already there.
void AddLink(std::string_view link, std::vector<std::string>& links);

// The problems of one input, `name`: after kMaxSocialProblems, only fatal ones are kept and
// the others are counted, for Finish to say how many were left out.
class ProblemLog {
 public:
  ProblemLog(std::string_view name, std::vector<Problem>& problems)
      : name_(name), problems_(problems) {}

  void Add(std::string where, std::string message, bool is_fatal = false);

  // Adds the count of the problems left out, if any. Call once, after the last Add.
  void Finish();

  std::string_view name() const { return name_; }

 private:
  std::string_view name_;
  std::vector<Problem>& problems_;
  size_t count_ = 0;
};

// Makes one post with `read`, which fills it and notes what is wrong with it: each note is a
// problem at `where`, and the post is emitted when `read` returns true.
void ReadPost(const std::string& where, ProblemLog& problems,
              const std::function<void(const Post&)>& emit,
              const std::function<bool(Post& post, std::vector<std::string>& notes)>& read);

// How a reader's input is described in its messages.
struct JsonFormat {
  std::string_view name;      // "Mastodon": "looks like binary data, not Mastodon JSON"
  std::string_view expected;  // what the input should be: "a Mastodon status, ..."
};

// Reads `bytes` as the input of `problems`: drops a BOM, rejects empty or binary input with a
// fatal problem, replaces invalid UTF-8 with a problem, then parses one JSON document or,
// when that fails, JSON lines (two lines or more, the first non-blank one a document of its
// own; a bad line is a problem and is skipped). `survey`, when set, first sees each document
// (each parsed line, in order) and returns true once it has seen enough; `read` then reads
// each one at `where` ("name" or "name:line"), and returns false with `error` set when the
// document is not of the expected shape: a fatal problem for a whole input, a skipped line
// otherwise.
void ReadJsonInput(std::string_view bytes, const JsonFormat& format, ProblemLog& problems,
                   const std::function<bool(simdjson::dom::element root)>& survey,
                   const std::function<bool(simdjson::dom::element root, const std::string& where,
                                            std::string& error)>& read);

// The fields of one JSON object, read with a note for each one of the wrong type. `prefix`
// names the object in notes ("account.", "record.").
class Fields {
 public:
  Fields(simdjson::dom::object object, std::string prefix, std::vector<std::string>& notes)
      : object_(object), prefix_(std::move(prefix)), notes_(notes) {}

  // Null counts as absent: the APIs write null for fields they have no value for.
  bool Get(std::string_view key, simdjson::dom::element& value) const;

  bool String(std::string_view key, std::string_view& out);
  bool Object(std::string_view key, simdjson::dom::object& out);
  bool Array(std::string_view key, simdjson::dom::array& out);

  // Fields without which there is no `item` ("status", "post"): missing or of the wrong type,
  // it is one note saying the item was skipped.
  bool RequiredString(std::string_view key, std::string_view item, std::string_view& out);
  bool RequiredObject(std::string_view key, std::string_view item, simdjson::dom::object& out);

  // An id: a string as the APIs write it, or a JSON integer. False when absent, empty or of
  // another type (with a note).
  bool Id(std::string_view key, std::string& out);

  // A non-negative integer (an integral float is accepted). Integer's note says "is not a
  // non-negative integer", Count's "is not a count (a non-negative integer)".
  bool Integer(std::string_view key, int64_t& out);
  bool Count(std::string_view key, int64_t& out);

  // A date, to RFC 3339 in UTC; left as it was when absent or not a date.
  void Date(std::string_view key, std::string& out);

  void Note(std::string message) { notes_.push_back(std::move(message)); }

  // `key` quoted with the prefix, as notes name it: "\"account.url\"".
  std::string Name(std::string_view key) const { return "\"" + prefix_ + std::string(key) + "\""; }

  const std::string& prefix() const { return prefix_; }

 private:
  // `key` read as a T (std::string_view, dom::object, dom::array): `expected` names T in notes.
  template <typename T>
  bool Optional(std::string_view key, std::string_view expected, T& out);
  template <typename T>
  bool Required(std::string_view key, std::string_view item, std::string_view expected, T& out);
  bool NonNegative(std::string_view key, std::string_view what, int64_t& out);
  void Mistyped(std::string_view key, simdjson::dom::element value, std::string_view expected);

  simdjson::dom::object object_;
  std::string prefix_;
  std::vector<std::string>& notes_;
};

}  // namespace ecoute::sources_internal
