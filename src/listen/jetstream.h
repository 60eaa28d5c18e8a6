// The Bluesky Jetstream firehose (docs/LISTENING.md, "Bluesky, live"): a WebSocket that
// sends every public commit of the network as one JSON event a message,
//   {"did", "time_us", "kind": "commit"|"identity"|"account",
//    "commit": {"rev", "operation": "create"|"update"|"delete", "collection", "rkey",
//               "record": {"$type": "app.bsky.feed.post", "text", "createdAt", "langs",
//                          "reply": {"root": {uri, cid}, "parent": {uri, cid}}, "facets",
//                          "embed"}, "cid"}}.
// A created or updated post becomes a Post as the Bluesky reader maps a post view
// (sources/bluesky_reader.cc): id at://<did>/app.bsky.feed.post/<rkey>, the bsky.app URL,
// the DID as author (the firehose carries no handle), parent from reply.parent.uri, so
// that replies thread into cases as with the REST reader. Deletes, other collections and
// identity and account events are skipped; an event that cannot be read is counted, never
// fatal.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "ecoute/post.h"

#include "listen/live_stream.h"

namespace ecoute::listen {

// What one event was.
enum class JetstreamEventKind {
  kPost,       // a post created or updated: `post` is filled
  kSkipped,    // a delete, another collection, an identity or account event
  kMalformed,  // not JSON, or a commit without what a post needs
};

struct JetstreamEvent {
  JetstreamEventKind kind = JetstreamEventKind::kMalformed;
  int64_t time_us = 0;  // the event's own time (the cursor), 0 when unreadable
  Post post;
};

// Reads one event. `json` needs no padding (it is copied when it lacks it). Reuses `out`
// and the parser's memory: allocates little once warm. Thread-compatible: one parser per
// thread.
void ParseJetstreamEvent(std::string_view json, simdjson::dom::parser& parser, JetstreamEvent& out);

// The URL a stream of `source_url` connects to: `wantedCollections=app.bsky.feed.post`
// added to its query (kept otherwise), and `cursor=<cursor_us>` when cursor_us > 0.
std::string JetstreamUrl(const std::string& source_url, int64_t cursor_us);

// How a stream batches, reconnects and rewinds. The defaults are the service's.
struct JetstreamOptions {
  size_t max_batch = 500;                          // posts handed to the sink at once
  std::chrono::milliseconds max_batch_delay{200};  // ... or after this long
  std::chrono::milliseconds min_backoff{1000};     // first reconnection delay
  std::chrono::milliseconds max_backoff{300'000};  // longest one (jittered below)
  // A reconnection resumes this far before the saved cursor: Jetstream's documentation
  // advises a few seconds for gapless playback; ingest is idempotent.
  int64_t rewind_us = 3'000'000;
  size_t max_message_bytes = size_t{1} << 20;      // a post event is a few KB
  std::chrono::milliseconds idle_timeout{60'000};  // no frame this long: reconnect
};

// The stream of a "jetstream" source: connects to JetstreamUrl(source.url, cursor), reads
// and parses events, hands the posts to the sink in batches with only_with_brands, and
// saves the cursor (the time_us of the last event of a batch the sink stored; earlier if
// a reply held back for its parent is older). Reconnects with jittered exponential
// back-off from min_backoff to max_backoff, rewinding rewind_us. A reply whose parent was
// neither seen nor in its batch waits one more batch, so that a parent that arrives just
// after its reply is stored first.
std::unique_ptr<LiveStream> NewJetstream(LiveContext context);
std::unique_ptr<LiveStream> NewJetstream(LiveContext context, JetstreamOptions options);

}  // namespace ecoute::listen
