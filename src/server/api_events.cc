// The live inbox: a server-sent event stream, handed to LiveUpdates with the caller and the
// session or token that authenticated them, so that it stays scoped to their brands and
// ends when their access does (app.h).
#include <memory>
#include <utility>

#include "server/api_internal.h"

namespace ecoute::server {

Response Events(Context& ctx) {
  Response r;
  r.content_type = "text/event-stream";
  App* app = &ctx.app;
  Principal principal = ctx.principal;
  StreamCredential credential = ctx.credential;
  r.on_stream = [app, principal, credential](std::shared_ptr<EventSink> sink) {
    sink->Send("retry: 3000\n: connected\n\n");
    app->live().Subscribe(std::move(sink), principal, credential, app->clock().Now());
  };
  return r;
}

}  // namespace ecoute::server
