#include "listen/sse.h"

#include <algorithm>

namespace ecoute::listen {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

void SseParser::Feed(std::string_view chunk, const std::function<void(const SseEvent&)>& on_event) {
  if (!is_started_) {
    // The BOM may come cut across pieces: hold its first bytes until they can be judged.
    const size_t wanted = kBom.size() - bom_prefix_.size();
    bom_prefix_.append(chunk.substr(0, wanted));
    chunk.remove_prefix(std::min(wanted, chunk.size()));
    const bool could_be_bom = kBom.starts_with(bom_prefix_);
    if (could_be_bom && bom_prefix_.size() < kBom.size()) return;
    is_started_ = true;
    const std::string held = could_be_bom ? std::string() : std::move(bom_prefix_);
    bom_prefix_.clear();
    if (!held.empty()) Feed(held, on_event);
  }
  while (!chunk.empty()) {
    if (is_after_cr_) {
      is_after_cr_ = false;
      if (chunk.front() == '\n') {
        chunk.remove_prefix(1);
        continue;
      }
    }
    const size_t end = chunk.find_first_of("\r\n");
    const std::string_view part = chunk.substr(0, end);
    if (!is_line_dropped_) {
      if (event_bytes_ + line_.size() + part.size() > max_event_bytes_) {
        // Past the limit: the event is dropped whole; its lines are not kept.
        is_line_dropped_ = true;
        is_oversized_ = true;
        line_.clear();
      } else {
        line_.append(part);
      }
    }
    if (end == std::string_view::npos) return;
    is_after_cr_ = chunk[end] == '\r';
    chunk.remove_prefix(end + 1);
    if (is_line_dropped_) {
      is_line_dropped_ = false;
    } else {
      Line(line_, on_event);
    }
    line_.clear();
  }
}

void SseParser::Line(std::string_view line, const std::function<void(const SseEvent&)>& on_event) {
  if (line.empty()) {
    if (is_oversized_) {
      ++oversized_;
      is_oversized_ = false;
      type_.clear();
      data_.clear();
      event_bytes_ = 0;
      return;
    }
    Dispatch(on_event);
    return;
  }
  if (line.front() == ':') {
    ++comments_;
    return;
  }
  if (is_oversized_) return;
  event_bytes_ += line.size();
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    Field(line, {});
    return;
  }
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  Field(line.substr(0, colon), value);
}

void SseParser::Field(std::string_view name, std::string_view value) {
  if (name == "event") {
    type_.assign(value);
  } else if (name == "data") {
    data_.append(value);
    data_.push_back('\n');
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) id_buffer_.assign(value);
  } else if (name == "retry") {
    // Digits only; more than 15 of them is no delay anyone means.
    if (value.empty() || value.size() > 15 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return;
    }
    int64_t ms = 0;
    for (char c : value) ms = ms * 10 + (c - '0');
    retry_ms_ = ms;
  }
}

void SseParser::Dispatch(const std::function<void(const SseEvent&)>& on_event) {
  last_event_id_ = id_buffer_;
  event_bytes_ = 0;
  if (data_.empty()) {
    type_.clear();
    return;
  }
  data_.pop_back();  // the "\n" after the last data line
  SseEvent event;
  event.type = type_.empty() ? "message" : std::move(type_);
  event.data = std::move(data_);
  event.id = last_event_id_;
  type_.clear();
  data_.clear();
  on_event(event);
}

}  // namespace ecoute::listen
