// Server-Sent Events (the WHATWG HTML standard's text/event-stream): an incremental parser
// fed the bytes of a response as they arrive, in pieces cut anywhere.
//
// Lines end with CR, LF or CRLF (a CR at the end of one piece and an LF at the start of the
// next are one line end); a UTF-8 byte order mark at the very start is dropped. A line
// "field: value" (one space after the colon dropped) sets `event`, appends to `data` (lines
// joined with "\n"), sets `id` (unless it holds a NUL) or `retry` (digits only); a line
// starting with ":" is a comment (servers' heartbeats); other fields are ignored. A blank
// line dispatches the event, unless it has no data. An event growing past the size limit is
// dropped whole and counted, so that a server cannot make the reader hold unbounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace ecoute::listen {

struct SseEvent {
  std::string type = "message";  // the `event` field, "message" when none
  std::string data;              // the `data` lines joined with "\n"
  std::string id;                // the last event id at dispatch (the stream's, not reset)
};

class SseParser {
 public:
  // Events whose lines (field names and values) add up to more than this are dropped.
  static constexpr size_t kDefaultMaxEventBytes = size_t{1} << 20;

  explicit SseParser(size_t max_event_bytes = kDefaultMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Reads `chunk` and calls `on_event` with each event it completes, in order. The event is
  // only valid during the call. Never fails: what is not an event is skipped.
  void Feed(std::string_view chunk, const std::function<void(const SseEvent&)>& on_event);

  // The reconnection time the server last asked for with `retry`, in ms; -1 if none.
  int64_t retry_ms() const { return retry_ms_; }
  // The last event id (the `id` field): what a reconnection sends as Last-Event-ID.
  const std::string& last_event_id() const { return last_event_id_; }
  // Comment lines read (heartbeats such as Mastodon's ":thump").
  int64_t comments() const { return comments_; }
  // Events dropped for being larger than the limit.
  int64_t oversized() const { return oversized_; }

 private:
  void Line(std::string_view line, const std::function<void(const SseEvent&)>& on_event);
  void Field(std::string_view name, std::string_view value);
  void Dispatch(const std::function<void(const SseEvent&)>& on_event);

  size_t max_event_bytes_;
  bool is_started_ = false;       // the first bytes were looked at for a BOM
  std::string bom_prefix_;        // the start of a BOM cut across pieces
  bool is_after_cr_ = false;      // the last line ended with CR: an LF next is no new line
  bool is_line_dropped_ = false;  // the line in progress is past the limit: not kept
  std::string line_;              // the line in progress
  size_t event_bytes_ = 0;        // what the event in progress holds
  bool is_oversized_ = false;     // the event in progress is past the limit: drop it
  std::string type_;
  std::string data_;
  std::string id_buffer_;
  std::string last_event_id_;
  int64_t retry_ms_ = -1;
  int64_t comments_ = 0;
  int64_t oversized_ = 0;
};

}  // namespace ecoute::listen
