// Any bytes as what a WebSocket server sends after the upgrade, read by a client set up as
// the live streams' (listen/websocket.cc: Beast, a message limit, no compression): no
// crash, leak or hang, and no message over the limit is ever delivered.
// Beast as the rest of the program builds it (src/http, src/listen).
#define BOOST_BEAST_USE_STD_STRING_VIEW

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

constexpr size_t kMaxMessageBytes = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  net::io_context ioc;
  websocket::stream<beast::test::stream> client(ioc);
  websocket::stream<beast::test::stream> server(ioc);
  client.next_layer().connect(server.next_layer());
  client.read_message_max(kMaxMessageBytes);
  bool upgraded = false;
  client.async_handshake("jetstream.example", "/subscribe",
                         [&](const beast::error_code& ec) { upgraded = !ec; });
  server.async_accept([](const beast::error_code&) {});
  ioc.run();
  if (!upgraded) std::abort();
  // The server's side from here is the input, raw, then the end of the connection.
  beast::error_code ec;
  net::write(server.next_layer(), net::buffer(data, size), ec);
  server.next_layer().close();
  beast::flat_buffer buffer;
  for (size_t messages = 0; messages <= size + 1; ++messages) {
    buffer.clear();
    client.read(buffer, ec);
    if (ec) break;
    if (buffer.size() > kMaxMessageBytes) std::abort();
  }
  return 0;
}
