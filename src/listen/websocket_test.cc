#include "listen/websocket.h"

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "listen/testing_jetstream_server.h"

namespace ecoute::listen {
namespace {

using testing::JetstreamServer;

WebSocketOptions Loopback() {
  WebSocketOptions options;
  options.outbound.allow_private = {ParseIpRange("127.0.0.0/8").value()};
  options.connect_timeout = std::chrono::milliseconds(2000);
  return options;
}

TEST(WebSocketUrlTest, OnlyWsAndWssUrlsThePolicyAllowsPass) {
  const OutboundPolicy policy;
  EXPECT_TRUE(CheckWebSocketUrl("wss://jetstream2.us-east.bsky.network/subscribe", policy));
  EXPECT_TRUE(CheckWebSocketUrl("WS://example.com:8080/x?y=1", policy));
  EXPECT_EQ(CheckWebSocketUrl("https://example.com/", policy).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckWebSocketUrl("wss://user:pw@example.com/", policy).error().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckWebSocketUrl("ws://127.0.0.1/", policy).error().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebSocketUrl("ws://localhost:6008/subscribe", policy).error().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckWebSocketUrl("ws://0x7f000001/", policy).error().code(),
            StatusCode::kPermissionDenied);
  const Result<OutboundUrl> parts = CheckWebSocketUrl("wss://h.example:9/a?b=c", policy);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->scheme, "wss");
  EXPECT_EQ(parts->host, "h.example");
  EXPECT_EQ(parts->port, "9");
  EXPECT_EQ(parts->path_and_query, "/a?b=c");
}

TEST(WebSocketClientTest, ReadsTheMessagesOfALoopbackServerThePolicyAllows) {
  JetstreamServer server({{1, "one"}, {2, "two"}, {3, "\x01", true}});
  WebSocketClient client(Loopback());
  ASSERT_TRUE(client.Connect(server.url()).ok());
  std::string message;
  ASSERT_TRUE(client.Read(message).ok());
  EXPECT_EQ(message, "one");
  EXPECT_TRUE(client.last_was_text());
  ASSERT_TRUE(client.Read(message).ok());
  EXPECT_EQ(message, "two");
  ASSERT_TRUE(client.Read(message).ok());
  EXPECT_FALSE(client.last_was_text());
  // Nothing more: a bounded read says so and the connection stays up.
  Result<bool> more =
      client.ReadUntil(message, std::chrono::steady_clock::now() + std::chrono::milliseconds(30));
  ASSERT_TRUE(more);
  EXPECT_FALSE(*more);
  client.Close();
}

TEST(WebSocketClientTest, LoopbackIsRefusedUnlessThePolicyAllowsIt) {
  JetstreamServer server({{1, "one"}});
  WebSocketClient client(WebSocketOptions{});
  WebSocketError error;
  const Status connected = client.Connect(server.url(), &error);
  EXPECT_EQ(connected.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(error.kind, "refused_by_policy");
  EXPECT_EQ(server.connections(), 0u);
}

TEST(WebSocketClientTest, AMessageOverTheLimitEndsTheConnection) {
  JetstreamServer server({{1, std::string(5000, 'x')}});
  WebSocketOptions options = Loopback();
  options.max_message_bytes = 1000;
  WebSocketClient client(options);
  ASSERT_TRUE(client.Connect(server.url()).ok());
  std::string message;
  EXPECT_EQ(client.Read(message).code(), StatusCode::kResourceExhausted);
}

TEST(WebSocketClientTest, CancelCutsABlockingReadShort) {
  JetstreamServer server({});
  WebSocketClient client(Loopback());
  ASSERT_TRUE(client.Connect(server.url()).ok());
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    client.Cancel();
  });
  const auto started = std::chrono::steady_clock::now();
  std::string message;
  EXPECT_FALSE(client.Read(message).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1000));
  canceller.join();
  EXPECT_FALSE(client.Connect(server.url()).ok());  // cancelled for good
}

TEST(WebSocketClientTest, AConnectionRefusedIsUnreachable) {
  WebSocketClient client(Loopback());
  WebSocketError error;
  EXPECT_FALSE(client.Connect("ws://127.0.0.1:1/", &error).ok());
  EXPECT_EQ(error.kind, "unreachable");
}

}  // namespace
}  // namespace ecoute::listen
