// The dashboard's files (web/public/) and the OpenAPI document (src/server/openapi.json),
// compiled into the binary by cmake/EmbedFiles.cmake so that `ecoute serve` needs nothing
// beside it.
#pragma once

#include <cstddef>
#include <string_view>

namespace ecoute::server {

struct WebAsset {
  std::string_view path;  // "/index.html", "/app.js"
  const char* data;
  size_t size;
  std::string_view etag;  // a digest of the content
};

// nullptr when there is no such file.
const WebAsset* FindWebAsset(std::string_view path);
// The content type for a file name, by its extension.
std::string_view ContentTypeFor(std::string_view path);
std::string_view OpenApiDocument();

}  // namespace ecoute::server
