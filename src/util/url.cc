#include "util/url.h"

#include <cctype>

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

bool IsWebUrl(std::string_view url) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (url.size() <= scheme.size()) continue;
    bool same = true;
    for (size_t i = 0; i < scheme.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(url[i])) == scheme[i];
    }
    if (same) return true;
  }
  return false;
}

}  // namespace ecoute
