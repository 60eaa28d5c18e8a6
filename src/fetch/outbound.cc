#include "fetch/outbound.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace ecoute {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One part of an IPv4 address as inet_aton reads it: "0x" hex, a leading 0 octal, else
// decimal. nullopt when it is not a number (the host is then a name) or past 32 bits.
std::optional<uint64_t> ParseIpv4Part(std::string_view part) {
  if (part.empty()) return std::nullopt;
  unsigned base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
    if (part.empty()) return 0;  // "0x" alone is 0, as browsers read it
  } else if (part.size() >= 2 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  uint64_t value = 0;
  for (const char c : part) {
    unsigned digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    if (digit >= base) return std::nullopt;
    value = value * base + digit;
    if (value > 0xFFFFFFFFu) return std::nullopt;
  }
  return value;
}

// "127.1", "2130706433", "0x7f.0.0.1", "127.0.0.1.": the forms resolvers accept, where the
// last part fills the bytes the others leave.
std::optional<IpAddress> ParseIpv4(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::vector<uint64_t> parts;
  while (true) {
    const size_t dot = host.find('.');
    std::optional<uint64_t> part = ParseIpv4Part(host.substr(0, dot));
    if (!part || parts.size() == 4) return std::nullopt;
    parts.push_back(*part);
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  uint64_t value = 0;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] > 255) return std::nullopt;
    value |= parts[i] << (8 * (3 - i));
  }
  const unsigned last_bits = 8 * static_cast<unsigned>(5 - parts.size());
  if (parts.back() >= (uint64_t{1} << last_bits)) return std::nullopt;
  value |= parts.back();
  IpAddress address;
  for (int i = 0; i < 4; ++i) address.bytes[i] = static_cast<uint8_t>(value >> (8 * (3 - i)));
  return address;
}

std::optional<IpAddress> ParseIpv6(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  host = host.substr(0, host.find('%'));  // the zone ("%25eth0" in a URL) says which link
  if (host.find(':') == std::string_view::npos || host.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  const std::string text(host);
  IpAddress address;
  address.is_v6 = true;
  if (inet_pton(AF_INET6, text.c_str(), address.bytes.data()) != 1) return std::nullopt;
  return address;
}

AddressClass ClassifyIpv4(const std::array<uint8_t, 16>& b) {
  const uint8_t a = b[0];
  if (a == 0) return AddressClass::kUnspecified;
  if (a == 10) return AddressClass::kPrivate;
  if (a == 100 && (b[1] & 0xC0) == 64) return AddressClass::kSharedNat;
  if (a == 127) return AddressClass::kLoopback;
  if (a == 169 && b[1] == 254) return AddressClass::kLinkLocal;
  if (a == 172 && (b[1] & 0xF0) == 16) return AddressClass::kPrivate;
  if (a == 192 && b[1] == 0 && b[2] == 0) return AddressClass::kProtocol;
  if (a == 192 && b[1] == 0 && b[2] == 2) return AddressClass::kDocumentation;
  if (a == 192 && b[1] == 168) return AddressClass::kPrivate;
  if (a == 198 && (b[1] & 0xFE) == 18) return AddressClass::kBenchmarking;
  if (a == 198 && b[1] == 51 && b[2] == 100) return AddressClass::kDocumentation;
  if (a == 203 && b[1] == 0 && b[2] == 113) return AddressClass::kDocumentation;
  if (a >= 224 && a < 240) return AddressClass::kMulticast;
  if (a == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255) return AddressClass::kBroadcast;
  if (a >= 240) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

bool AllZero(const std::array<uint8_t, 16>& b, size_t from, size_t to) {
  return std::all_of(b.begin() + static_cast<ptrdiff_t>(from),
                     b.begin() + static_cast<ptrdiff_t>(to), [](uint8_t x) { return x == 0; });
}

IpAddress Ipv4From(const std::array<uint8_t, 16>& b, size_t at) {
  IpAddress v4;
  std::copy_n(b.begin() + static_cast<ptrdiff_t>(at), 4, v4.bytes.begin());
  return v4;
}

bool InRanges(const std::vector<IpRange>& ranges, const IpAddress& address) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const IpRange& r) { return r.Contains(address); });
}

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(is_v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text) == nullptr) {
    return "?";
  }
  return text;
}

std::optional<IpAddress> ParseIpAddress(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return ParseIpv6(host);
  return ParseIpv4(host);
}

std::optional<IpAddress> IpAddressOf(const sockaddr* address, size_t length) {
  if (address == nullptr || length < sizeof(sa_family_t)) return std::nullopt;
  IpAddress out;
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof v4);
    std::memcpy(out.bytes.data(), &v4.sin_addr, 4);
    return out;
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof v6);
    out.is_v6 = true;
    std::memcpy(out.bytes.data(), &v6.sin6_addr, 16);
    return out;
  }
  return std::nullopt;
}

std::optional<IpAddress> EmbeddedIpv4(const IpAddress& address) {
  if (!address.is_v6) return std::nullopt;
  const std::array<uint8_t, 16>& b = address.bytes;
  if (AllZero(b, 0, 10) && b[10] == 0xFF && b[11] == 0xFF) return Ipv4From(b, 12);  // mapped
  if (AllZero(b, 0, 12)) {
    if (AllZero(b, 12, 15) && b[15] <= 1) return std::nullopt;  // :: and ::1 are their own
    return Ipv4From(b, 12);                                     // compatible
  }
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && AllZero(b, 4, 12)) {
    return Ipv4From(b, 12);  // NAT64
  }
  if (b[0] == 0x20 && b[1] == 0x02) return Ipv4From(b, 2);  // 6to4
  return std::nullopt;
}

AddressClass ClassifyAddress(const IpAddress& address) {
  if (!address.is_v6) return ClassifyIpv4(address.bytes);
  const std::array<uint8_t, 16>& b = address.bytes;
  if (AllZero(b, 0, 16)) return AddressClass::kUnspecified;
  if (AllZero(b, 0, 15) && b[15] == 1) return AddressClass::kLoopback;
  if (std::optional<IpAddress> v4 = EmbeddedIpv4(address)) return ClassifyIpv4(v4->bytes);
  if ((b[0] & 0xFE) == 0xFC) return AddressClass::kUniqueLocal;
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressClass::kLinkLocal;
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return AddressClass::kSiteLocal;
  if (b[0] == 0xFF) return AddressClass::kMulticast;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) {
    return AddressClass::kDocumentation;
  }
  if (b[0] == 0x01 && AllZero(b, 1, 8)) return AddressClass::kDiscardOnly;
  return AddressClass::kPublic;
}

std::string_view DescribeAddressClass(AddressClass address_class) {
  switch (address_class) {
    case AddressClass::kPublic:
      return "a public address";
    case AddressClass::kUnspecified:
      return "an unspecified (\"this network\") address";
    case AddressClass::kLoopback:
      return "a loopback address";
    case AddressClass::kPrivate:
      return "a private address";
    case AddressClass::kSharedNat:
      return "a shared (carrier-grade NAT) address";
    case AddressClass::kLinkLocal:
      return "a link-local address";
    case AddressClass::kProtocol:
      return "an IETF protocol address";
    case AddressClass::kDocumentation:
      return "a documentation address";
    case AddressClass::kBenchmarking:
      return "a benchmarking address";
    case AddressClass::kMulticast:
      return "a multicast address";
    case AddressClass::kReserved:
      return "a reserved address";
    case AddressClass::kBroadcast:
      return "the broadcast address";
    case AddressClass::kUniqueLocal:
      return "a unique-local address";
    case AddressClass::kSiteLocal:
      return "a site-local address";
    case AddressClass::kDiscardOnly:
      return "a discard-only address";
  }
  return "a reserved address";
}

bool IpRange::Contains(const IpAddress& address) const {
  if (address.is_v6 != network.is_v6) return false;
  int bits = prefix_length;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<uint8_t>(bits >= 8 ? 0xFF : 0xFF << (8 - bits));
    if ((address.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
  }
  return true;
}

std::string IpRange::ToString() const {
  return network.ToString() + "/" + std::to_string(prefix_length);
}

Result<IpRange> ParseIpRange(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  const size_t slash = text.find('/');
  const std::string address_text(text.substr(0, slash));
  IpRange range;
  range.network.is_v6 = address_text.find(':') != std::string::npos;
  if (inet_pton(range.network.is_v6 ? AF_INET6 : AF_INET, address_text.c_str(),
                range.network.bytes.data()) != 1) {
    return InvalidArgumentError(quoted +
                                ": not an address range (write 10.0.0.0/8, 127.0.0.1 or fd00::/8)");
  }
  const int max_length = range.network.is_v6 ? 128 : 32;
  range.prefix_length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    int length = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || length < 0 ||
        length > max_length) {
      return InvalidArgumentError(quoted + ": the prefix length of an " +
                                  (range.network.is_v6 ? "IPv6" : "IPv4") + " range is 0 to " +
                                  std::to_string(max_length));
    }
    range.prefix_length = length;
  }
  // A typo in a range is likelier than a wish to allow "10.0.0.1/8": say which was meant.
  IpRange masked = range;
  const size_t size = range.network.is_v6 ? 16 : 4;
  for (size_t i = 0; i < size; ++i) {
    const int bits = range.prefix_length - static_cast<int>(8 * i);
    const auto mask = static_cast<uint8_t>(bits >= 8 ? 0xFF : bits <= 0 ? 0 : 0xFF << (8 - bits));
    masked.network.bytes[i] &= mask;
  }
  if (!(masked.network == range.network)) {
    return InvalidArgumentError(quoted + ": bits are set past the prefix (did you mean " +
                                masked.ToString() + "?)");
  }
  return range;
}

Result<std::vector<IpRange>> ParseIpRanges(const std::vector<std::string>& texts) {
  std::vector<IpRange> ranges;
  for (const std::string& text : texts) {
    ECOUTE_ASSIGN_OR_RETURN(IpRange range, ParseIpRange(text));
    ranges.push_back(range);
  }
  return ranges;
}

bool OutboundAllows(const OutboundPolicy& policy, const IpAddress& address) {
  if (ClassifyAddress(address) == AddressClass::kPublic) return true;
  if (InRanges(policy.allow_private, address)) return true;
  const std::optional<IpAddress> v4 = EmbeddedIpv4(address);
  return v4 && InRanges(policy.allow_private, *v4);
}

std::string OutboundRefusal(const OutboundPolicy& policy, std::string_view host,
                            const IpAddress& address) {
  if (OutboundAllows(policy, address)) return "";
  const std::optional<IpAddress> literal = ParseIpAddress(host);
  std::string why = "refused by the outbound policy: ";
  if (literal && *literal == address) {
    why += address.ToString() + " is ";
  } else {
    why += std::string(host) + " resolves to ";
  }
  why += DescribeAddressClass(ClassifyAddress(address));
  if (!policy.allow_hint.empty()) why += " (" + policy.allow_hint + ")";
  return why;
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> items;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

bool IsInternalHostName(std::string_view host) {
  std::string name = Lower(host);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name == "localhost" || name == "metadata") return true;
  for (std::string_view suffix : {".localhost", ".local", ".home.arpa", ".internal"}) {
    if (EndsWith(name, suffix)) return true;
  }
  return name == "internal" || name == "home.arpa";
}

std::optional<UrlParts> ParseUrlParts(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return std::nullopt;
  }
  auto get = [&](CURLUPart part, std::string& out) {
    char* value = nullptr;
    if (curl_url_get(u.get(), part, &value, 0) != CURLUE_OK || value == nullptr) return false;
    out = value;
    curl_free(value);
    return true;
  };
  UrlParts parts;
  if (!get(CURLUPART_SCHEME, parts.scheme) || !get(CURLUPART_HOST, parts.host) ||
      parts.host.empty()) {
    return std::nullopt;
  }
  parts.scheme = Lower(parts.scheme);
  parts.host = Lower(parts.host);
  get(CURLUPART_PORT, parts.port);
  if (!get(CURLUPART_PATH, parts.path)) parts.path = "/";
  get(CURLUPART_QUERY, parts.query);
  std::string ignored;
  parts.has_credentials = get(CURLUPART_USER, ignored) || get(CURLUPART_PASSWORD, ignored);
  return parts;
}

namespace {

Result<OutboundUrl> CheckUrlOf(const std::string& url, const OutboundPolicy& policy,
                               std::string_view plain, std::string_view secure) {
  const std::optional<UrlParts> read = ParseUrlParts(url);
  if (!read || (read->scheme != plain && read->scheme != secure)) {
    return InvalidArgumentError("not an " + std::string(plain) + " or " + std::string(secure) +
                                " URL");
  }
  if (read->has_credentials) {
    // They would be sent to whoever the URL (or a redirect) names, and shown in lists.
    return InvalidArgumentError("user names and passwords in URLs are not accepted");
  }
  OutboundUrl parts{read->scheme, read->host, read->port, read->path};
  if (!read->query.empty()) parts.path_and_query += "?" + read->query;

  if (const std::optional<IpAddress> address = ParseIpAddress(parts.host)) {
    std::string why = OutboundRefusal(policy, parts.host, *address);
    if (!why.empty()) return PermissionDeniedError(why);
  } else if (policy.allow_private.empty() && IsInternalHostName(parts.host)) {
    // With an allow-list, such a name may be the operator's intranet: the addresses it
    // resolves to are checked on connection instead.
    std::string why = "refused by the outbound policy: " + parts.host + " is an internal host name";
    if (!policy.allow_hint.empty()) why += " (" + policy.allow_hint + ")";
    return PermissionDeniedError(why);
  }
  return parts;
}

}  // namespace

Result<OutboundUrl> CheckOutboundUrl(const std::string& url, const OutboundPolicy& policy) {
  return CheckUrlOf(url, policy, "http", "https");
}

Result<OutboundUrl> CheckOutboundMailUrl(const std::string& url, const OutboundPolicy& policy) {
  return CheckUrlOf(url, policy, "smtp", "smtps");
}

std::string UrlOrigin(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "(invalid URL)";
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return std::string(url.substr(0, scheme_end + 3)) + std::string(authority);
}

}  // namespace ecoute
