#include "util/url.h"

namespace ecoute {

std::string UrlHost(std::string_view url) {
  if (const size_t p = url.find("://"); p != std::string_view::npos) url.remove_prefix(p + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  url = url.substr(0, url.find(':'));
  std::string host(url);
  for (char& c : host) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  if (host.rfind("www.", 0) == 0) host.erase(0, 4);
  return host;
}

}  // namespace ecoute
