#include "listen/sse.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

using namespace std::string_view_literals;

namespace ecoute::listen {
namespace {

// Every event of `stream`, fed to one parser in pieces of `piece` bytes.
std::vector<SseEvent> Parse(std::string_view stream, size_t piece, SseParser& parser) {
  std::vector<SseEvent> events;
  for (size_t at = 0; at < stream.size(); at += piece) {
    parser.Feed(stream.substr(at, piece), [&](const SseEvent& e) { events.push_back(e); });
  }
  return events;
}

std::vector<SseEvent> Parse(std::string_view stream, size_t piece = 1 << 20) {
  SseParser parser;
  return Parse(stream, piece, parser);
}

struct SseCase {
  std::string_view stream;
  std::vector<std::string> want;  // "type|data|id" per event
};

const SseCase kSseCases[] = {
    {"event: update\ndata: {\"id\":\"1\"}\n\n", {"update|{\"id\":\"1\"}|"}},
    // CRLF, CR alone, and LF line ends mixed.
    {"event: update\r\ndata: a\r\n\r\ndata: b\rdata: c\r\r", {"update|a|", "message|b\nc|"}},
    // Multi-line data joined with "\n"; one space after the colon dropped, not two.
    {"data: one\ndata:two\ndata:  three\n\n", {"message|one\ntwo\n three|"}},
    // A field without a colon is a field with an empty value: "data" adds an empty line.
    {"data\ndata\n\n", {"message|\n|"}},
    // Comments (heartbeats) are not events; no data, no event.
    {":thump\n\n:thump\nevent: update\n\n", {}},
    // The id is kept for the events after it; an id with a NUL is ignored.
    {"id: 7\ndata: x\n\ndata: y\n\nid: a\0b\ndata: z\n\n"sv,
     {"message|x|7", "message|y|7", "message|z|7"}},
    // Unknown fields ignored; the event type does not carry over to the next event.
    {"event: delete\nfoo: bar\ndata: 12\n\ndata: 13\n\n", {"delete|12|", "message|13|"}},
    // An event never ended by a blank line is not dispatched.
    {"data: half\n", {}},
    // A BOM at the very start is dropped.
    {"\xEF\xBB\xBF"
     "data: bom\n\n",
     {"message|bom|"}},
};

std::vector<std::string> Flatten(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  out.reserve(events.size());
  for (const SseEvent& e : events) out.push_back(e.type + "|" + e.data + "|" + e.id);
  return out;
}

TEST(SseParserTest, ReadsTheStandardsLines) {
  for (const SseCase& c : kSseCases) {
    EXPECT_EQ(Flatten(Parse(c.stream)), c.want) << c.stream;
  }
}

TEST(SseParserTest, GivesTheSameEventsWhateverThePieces) {
  for (const SseCase& c : kSseCases) {
    for (size_t piece : {1, 2, 3, 5, 7}) {
      EXPECT_EQ(Flatten(Parse(c.stream, piece)), c.want) << c.stream << " in pieces of " << piece;
    }
  }
}

TEST(SseParserTest, ACrAtAPiecesEndAndAnLfAtTheNextsStartAreOneLineEnd) {
  SseParser parser;
  std::vector<SseEvent> events;
  const auto keep = [&](const SseEvent& e) { events.push_back(e); };
  parser.Feed("data: a\r", keep);
  parser.Feed("\ndata: b\r", keep);
  parser.Feed("\n\r", keep);
  parser.Feed("\n", keep);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "a\nb");
}

TEST(SseParserTest, ABomLaterInTheStreamIsKept) {
  SseParser parser;
  const std::vector<SseEvent> events = Parse("data: x\n\ndata: \xEF\xBB\xBFy\n\n", 1, parser);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].data, "\xEF\xBB\xBFy");
}

TEST(SseParserTest, CountsHeartbeatsAndKeepsRetryAndLastEventId) {
  SseParser parser;
  Parse(":thump\n:thump\nretry: 3000\nretry: soon\nid: 42\ndata: x\n\n", 4, parser);
  EXPECT_EQ(parser.comments(), 2);
  EXPECT_EQ(parser.retry_ms(), 3000);
  EXPECT_EQ(parser.last_event_id(), "42");
}

TEST(SseParserTest, DropsAnEventPastTheLimitAndReadsTheNextOne) {
  SseParser parser(64);
  const std::string big(100, 'x');
  // Too big in one line, then in many small lines; the events after them are read.
  const std::string stream = "data: " + big + "\n\ndata: ok1\n\n" + std::string(20, 'z') + "\n" +
                             std::string(20, 'z') + "\ndata: " + std::string(40, 'y') +
                             "\n\ndata: ok2\n\n";
  for (size_t piece : {1, 7, 1000}) {
    SseParser p(64);
    EXPECT_EQ(Flatten(Parse(stream, piece, p)),
              (std::vector<std::string>{"message|ok1|", "message|ok2|"}))
        << piece;
    EXPECT_EQ(p.oversized(), 2);
  }
}

}  // namespace
}  // namespace ecoute::listen
