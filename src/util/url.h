// URL helpers shared by the analysis and the store.
#pragma once

#include <string>
#include <string_view>

namespace ecoute {

// The host of a URL (with or without a scheme), lower-cased, without user info, port or a
// leading "www.": "https://WWW.Fnac.com:443/a" -> "fnac.com".
std::string UrlHost(std::string_view url);

// True for an http:// or https:// URL (any case) with something after the scheme: the only
// links shown to a user. "javascript:", "data:" and the like are not.
bool IsWebUrl(std::string_view url);

}  // namespace ecoute
