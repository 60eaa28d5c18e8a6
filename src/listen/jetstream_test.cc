#include "listen/jetstream.h"

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "listen/testing_jetstream_server.h"
#include "util/mutex.h"

namespace ecoute::listen {
namespace {

using testing::JetstreamServer;
using testing::PostEventJson;
using testing::PostUri;
using testing::ReplayEvent;

constexpr std::string_view kDid = "did:plc:ufbl4k27gp6kzas5glhz7fim";

JetstreamEvent Parse(std::string_view json) {
  simdjson::dom::parser parser;
  JetstreamEvent event;
  ParseJetstreamEvent(json, parser, event);
  return event;
}

TEST(JetstreamEventTest, ACreatedPostIsMappedAsTheBlueskyReaderMapsAPostView) {
  const std::string json =
      PostEventJson(kDid, "3l3qo2vuowo2b", 1725911162329308, "Ma facture Voltaire est fausse",
                    PostUri(kDid, "3parent"), "fr");
  const JetstreamEvent event = Parse(json);
  ASSERT_EQ(event.kind, JetstreamEventKind::kPost);
  EXPECT_EQ(event.time_us, 1725911162329308);
  const Post& post = event.post;
  EXPECT_EQ(post.id, "at://did:plc:ufbl4k27gp6kzas5glhz7fim/app.bsky.feed.post/3l3qo2vuowo2b");
  EXPECT_EQ(post.url,
            "https://bsky.app/profile/did:plc:ufbl4k27gp6kzas5glhz7fim/post/3l3qo2vuowo2b");
  EXPECT_EQ(post.source, "bluesky");
  EXPECT_EQ(post.author.handle, kDid);
  EXPECT_EQ(post.author.url, "https://bsky.app/profile/did:plc:ufbl4k27gp6kzas5glhz7fim");
  EXPECT_EQ(post.text, "Ma facture Voltaire est fausse");
  EXPECT_EQ(post.lang, "fr");
  EXPECT_EQ(post.published_at, "2026-11-20T08:12:00Z");
  EXPECT_EQ(post.parent_id, PostUri(kDid, "3parent"));
  EXPECT_EQ(post.parent_url,
            "https://bsky.app/profile/did:plc:ufbl4k27gp6kzas5glhz7fim/post/3parent");
  EXPECT_FALSE(post.content_hash.empty());
}

TEST(JetstreamEventTest, AnEventNestedDeeperThanTheServiceReadsIsMalformed) {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  const std::string event =
      R"({"did":"did:plc:ufbl4k27gp6kzas5glhz7fim","time_us":1733600000000000,)"
      R"("kind":"identity","identity":)" +
      deep + "}";
  EXPECT_EQ(Parse(event).kind, JetstreamEventKind::kMalformed);
  const std::string shallow =
      R"({"did":"did:plc:ufbl4k27gp6kzas5glhz7fim","time_us":1733600000000000,)"
      R"("kind":"identity","identity":[[1]]})";
  EXPECT_NE(Parse(shallow).kind, JetstreamEventKind::kMalformed);
}

TEST(JetstreamEventTest, LinksComeFromFacetsAndTheExternalEmbed) {
  const std::string json = R"({"did":"did:plc:a","time_us":5,"kind":"commit","commit":{
    "rev":"r","operation":"create","collection":"app.bsky.feed.post","rkey":"k","cid":"c",
    "record":{"$type":"app.bsky.feed.post","text":"see https://x.example","createdAt":"2024-09-09T19:46:02.102Z",
      "facets":[{"index":{"byteStart":4,"byteEnd":21},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://x.example/a"}]}],
      "embed":{"$type":"app.bsky.embed.external","external":{"uri":"https://y.example/b","title":"t"}}}}})";
  const JetstreamEvent event = Parse(json);
  ASSERT_EQ(event.kind, JetstreamEventKind::kPost);
  EXPECT_EQ(event.post.links,
            (std::vector<std::string>{"https://x.example/a", "https://y.example/b"}));
  EXPECT_TRUE(event.post.lang.empty());
}

struct KindCase {
  std::string_view json;
  JetstreamEventKind want;
};

TEST(JetstreamEventTest, WhatIsNotAPostIsSkippedAndWhatCannotBeReadIsMalformed) {
  const KindCase cases[] = {
      // A delete of a post: skipped (the store keeps what it saw).
      {R"({"did":"did:plc:a","time_us":7,"kind":"commit","commit":{"rev":"r","operation":"delete","collection":"app.bsky.feed.post","rkey":"k"}})",
       JetstreamEventKind::kSkipped},
      // A like: another collection.
      {R"({"did":"did:plc:a","time_us":7,"kind":"commit","commit":{"rev":"r","operation":"create","collection":"app.bsky.feed.like","rkey":"k","record":{}}})",
       JetstreamEventKind::kSkipped},
      // Identity and account events.
      {R"({"did":"did:plc:a","time_us":7,"kind":"identity","identity":{"did":"did:plc:a","handle":"a.bsky.social"}})",
       JetstreamEventKind::kSkipped},
      {R"({"did":"did:plc:a","time_us":7,"kind":"account","account":{"active":true}})",
       JetstreamEventKind::kSkipped},
      // Not JSON, not an object, no time, a time that is not a number.
      {"{not json", JetstreamEventKind::kMalformed},
      {"[1,2]", JetstreamEventKind::kMalformed},
      {R"({"did":"did:plc:a","kind":"commit"})", JetstreamEventKind::kMalformed},
      {R"({"did":"did:plc:a","time_us":"7","kind":"commit"})", JetstreamEventKind::kMalformed},
      // A post without text, a record of another type, an rkey with a slash.
      {R"({"did":"did:plc:a","time_us":7,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"k","record":{"$type":"app.bsky.feed.post"}}})",
       JetstreamEventKind::kMalformed},
      {R"({"did":"did:plc:a","time_us":7,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"k","record":{"$type":"x","text":"t"}}})",
       JetstreamEventKind::kMalformed},
      {R"({"did":"did:plc:a","time_us":7,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"a/b","record":{"text":"t"}}})",
       JetstreamEventKind::kMalformed},
      // An update is a post (a new version of it).
      {R"({"did":"did:plc:a","time_us":7,"kind":"commit","commit":{"operation":"update","collection":"app.bsky.feed.post","rkey":"k","record":{"text":"t"}}})",
       JetstreamEventKind::kPost},
  };
  for (const KindCase& c : cases) EXPECT_EQ(Parse(c.json).kind, c.want) << c.json;
}

TEST(JetstreamEventTest, TheUrlAsksForPostsAndResumesFromTheCursor) {
  EXPECT_EQ(JetstreamUrl("wss://j.example/subscribe", 0),
            "wss://j.example/subscribe?wantedCollections=app.bsky.feed.post");
  EXPECT_EQ(JetstreamUrl("wss://j.example/subscribe?x=1", 42),
            "wss://j.example/subscribe?x=1&wantedCollections=app.bsky.feed.post&cursor=42");
  EXPECT_EQ(JetstreamUrl("ws://j.example/subscribe?wantedCollections=app.bsky.feed.post", 7),
            "ws://j.example/subscribe?wantedCollections=app.bsky.feed.post&cursor=7");
}

// A sink that records what it is given, for streams without a store.
class RecordingSink {
 public:
  LiveContext Context(const std::string& url, const std::string& cursor = "") {
    LiveContext context;
    context.source.id = 1;
    context.source.url = url;
    context.source.format = "jetstream";
    context.source.cursor = cursor;
    context.sink = [this](std::vector<Post>& posts, const WatchedSource&, bool only_with_brands) {
      MutexLock lock(mutex_);
      EXPECT_TRUE(only_with_brands);
      for (Post& p : posts) {
        ids_.push_back(p.id);
        order_.push_back(p.id);
      }
      return Result<int64_t>(static_cast<int64_t>(posts.size()));
    };
    context.save_cursor = [this](std::string_view cursor) {
      MutexLock lock(mutex_);
      cursor_ = std::string(cursor);
      return OkStatus();
    };
    context.clock = &clock_;
    context.fetch.outbound.allow_private = {ParseIpRange("127.0.0.0/8").value()};
    context.fetch.connect_timeout_ms = 2000;
    return context;
  }
  std::vector<std::string> ids() const {
    MutexLock lock(mutex_);
    return ids_;
  }
  std::string cursor() const {
    MutexLock lock(mutex_);
    return cursor_;
  }

 private:
  SystemClock clock_;
  mutable Mutex mutex_;
  std::vector<std::string> ids_ ECOUTE_GUARDED_BY(mutex_);
  std::vector<std::string> order_ ECOUTE_GUARDED_BY(mutex_);
  std::string cursor_ ECOUTE_GUARDED_BY(mutex_);
};

JetstreamOptions FastOptions() {
  JetstreamOptions options;
  options.max_batch_delay = std::chrono::milliseconds(20);
  options.min_backoff = std::chrono::milliseconds(20);
  options.max_backoff = std::chrono::milliseconds(100);
  options.rewind_us = 3;
  return options;
}

template <typename Predicate>
bool WaitFor(Predicate ready, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(JetstreamTest, NothingIsMissedAcrossADisconnection) {
  std::vector<ReplayEvent> events;
  for (int i = 1; i <= 40; ++i) {
    events.push_back(
        {int64_t{i} * 10, PostEventJson(kDid, "r" + std::to_string(i), int64_t{i} * 10, "post")});
  }
  JetstreamServer::Options server_options;
  server_options.drop_after = 15;
  JetstreamServer server(events, server_options);
  RecordingSink sink;
  std::unique_ptr<LiveStream> stream = NewJetstream(sink.Context(server.url()), FastOptions());
  std::jthread thread([&](std::stop_token stop) { stream->Run(std::move(stop)); });
  ASSERT_TRUE(WaitFor([&] { return sink.cursor() == "400"; })) << sink.cursor();
  thread.request_stop();
  thread.join();
  const std::vector<std::string> ids = sink.ids();
  const std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 40u);
  // The second connection resumed a little before the cursor saved (rewind_us = 3).
  const std::vector<std::string> targets = server.targets();
  ASSERT_GE(targets.size(), 2u);
  EXPECT_EQ(targets[0], "/subscribe?wantedCollections=app.bsky.feed.post");
  EXPECT_NE(targets[1].find("&cursor="), std::string::npos) << targets[1];
  const StreamStatus status = stream->status();
  EXPECT_EQ(status.state, "stopped");
  EXPECT_GE(status.reconnects, 1);
  EXPECT_EQ(status.matched, static_cast<int64_t>(ids.size()));
}

TEST(JetstreamTest, MalformedFramesAndEventsAreSkippedAndCounted) {
  std::vector<ReplayEvent> events = {
      {1, PostEventJson(kDid, "a", 1, "first")},
      {2, "{not json"},
      {3, "\x01\x02 binary", true},
      {4, R"({"did":"did:plc:a","time_us":4,"kind":"identity","identity":{}})"},
      {5, PostEventJson(kDid, "b", 5, "second")},
  };
  JetstreamServer server(events);
  RecordingSink sink;
  std::unique_ptr<LiveStream> stream = NewJetstream(sink.Context(server.url()), FastOptions());
  std::jthread thread([&](std::stop_token stop) { stream->Run(std::move(stop)); });
  ASSERT_TRUE(WaitFor([&] { return sink.ids().size() == 2; }));
  ASSERT_TRUE(WaitFor([&] { return stream->status().events == 5; }));
  const StreamStatus status = stream->status();
  EXPECT_EQ(status.malformed, 2);
  EXPECT_EQ(status.state, "connected");
  EXPECT_EQ(status.reconnects, 0);
}

TEST(JetstreamTest, AReplyBeforeItsParentIsHandedOverAfterIt) {
  const std::string parent = PostUri(kDid, "parent");
  std::vector<ReplayEvent> events = {
      {2, PostEventJson("did:plc:other", "reply", 2, "same here", parent)},
      {3, PostEventJson(kDid, "parent", 3, "the parent")},
  };
  JetstreamServer server(events);
  RecordingSink sink;
  std::unique_ptr<LiveStream> stream = NewJetstream(sink.Context(server.url()), FastOptions());
  std::jthread thread([&](std::stop_token stop) { stream->Run(std::move(stop)); });
  ASSERT_TRUE(WaitFor([&] { return sink.ids().size() == 2; }));
  EXPECT_EQ(sink.ids()[0], parent);
}

TEST(JetstreamTest, AnAddressThePolicyRefusesIsNeverConnectedTo) {
  JetstreamServer server({{1, PostEventJson(kDid, "a", 1, "x")}});
  RecordingSink sink;
  LiveContext context = sink.Context(server.url());
  context.fetch.outbound.allow_private.clear();  // loopback is not public
  std::unique_ptr<LiveStream> stream = NewJetstream(context, FastOptions());
  std::jthread thread([&](std::stop_token stop) { stream->Run(std::move(stop)); });
  ASSERT_TRUE(WaitFor([&] { return stream->status().failures >= 1; }));
  const StreamStatus status = stream->status();
  EXPECT_EQ(status.error_kind, "refused_by_policy");
  EXPECT_NE(status.last_error.find("refused by the outbound policy"), std::string::npos);
  thread.request_stop();
  thread.join();
  EXPECT_EQ(server.connections(), 0u);
}

TEST(JetstreamTest, StopIsPromptWhileReadingAndWhileBackingOff) {
  JetstreamServer server({{1, PostEventJson(kDid, "a", 1, "x")}});
  RecordingSink sink;
  std::unique_ptr<LiveStream> stream = NewJetstream(sink.Context(server.url()), JetstreamOptions{});
  std::jthread thread([&](std::stop_token stop) { stream->Run(std::move(stop)); });
  ASSERT_TRUE(WaitFor([&] { return sink.ids().size() == 1; }));
  auto started = std::chrono::steady_clock::now();
  thread.request_stop();
  thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));

  // Backing off (nothing listens there): a stop does not wait for the next attempt.
  RecordingSink other;
  JetstreamOptions slow;
  slow.min_backoff = std::chrono::seconds(60);
  std::unique_ptr<LiveStream> refused =
      NewJetstream(other.Context("ws://127.0.0.1:1/subscribe"), slow);
  std::jthread second([&](std::stop_token stop) { refused->Run(std::move(stop)); });
  ASSERT_TRUE(WaitFor([&] { return refused->status().state == "backoff"; }));
  EXPECT_EQ(refused->status().error_kind, "unreachable");
  started = std::chrono::steady_clock::now();
  second.request_stop();
  second.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace ecoute::listen
