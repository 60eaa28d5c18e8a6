// What answers without a login: health, readiness, metrics, the OpenAPI document, and the
// dashboard's files (compiled in, or read from [http] web_dir while it is developed).
#include <cstdio>
#include <mutex>
#include <string>

#include "server/api_internal.h"
#include "server/web_assets.h"

namespace ecoute::server {

Response Healthz(Context&) { return JsonResponse({{"status", "ok"}}); }

Response Readyz(Context& ctx) {
  Result<StoreStats> stats = [&] { return ctx.app.store().Lock()->Stats(); }();
  if (!stats) return ErrorResponse(503, "unavailable", "the store does not answer");
  return JsonResponse({{"status", "ready"}, {"posts", stats->posts}, {"cases", stats->cases}});
}

Response MetricsText(Context& ctx) {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  ctx.app.RefreshStreamMetrics();
  r.body = ctx.app.metrics().Render();
  return r;
}

Response OpenApi(Context&) {
  Response r;
  r.body = std::string(OpenApiDocument());
  return r;
}

Response StaticFile(const App& app, const Request& request) {
  std::string path = request.path == "/" ? "/index.html" : request.path;
  Response r;
  r.route = "static";
  if (!app.config().web_dir.empty()) {
    if (path.find("..") != std::string::npos)
      return ErrorResponse(404, "not_found", "no such page");
    std::FILE* f = std::fopen((app.config().web_dir + path).c_str(), "rb");
    if (f == nullptr) return ErrorResponse(404, "not_found", "no such page");
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) r.body.append(buffer, n);
    std::fclose(f);
    r.content_type = std::string(ContentTypeFor(path));
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  const WebAsset* asset = FindWebAsset(path);
  if (asset == nullptr) return ErrorResponse(404, "not_found", "no such page");
  const std::string etag = "\"" + std::string(asset->etag) + "\"";
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (request.Header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  r.content_type = std::string(ContentTypeFor(asset->path));
  r.body.assign(asset->data, asset->size);
  return r;
}

}  // namespace ecoute::server
