// The outbound policy: which addresses ecoute's HTTP client may reach.
//
// Whoever may set a URL that the server fetches (a watched source) or posts to (a webhook)
// could otherwise aim it at the server's own network: loopback services, private ranges,
// the cloud's metadata service at 169.254.169.254. So every request goes through one guard
// (fetch/fetcher.h): a URL is checked before any connection (scheme, credentials, internal
// names, literal addresses in any spelling) and every address is checked again when the
// client connects to it, after DNS and on every redirect, so that neither a name resolving
// inward nor a redirect gets past it. Public addresses are allowed; the others only within
// the ranges the operator lists (OutboundPolicy::allow_private). The policy, addresses and
// ranges are declared in the public ecoute/fetch.h; here is how they are judged.
//
// Everything here is a pure function of its arguments, safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/fetch.h"
#include "ecoute/status.h"

struct sockaddr;

namespace ecoute {

// Reads a URL's host as an address, in every spelling resolvers accept: dotted IPv4 with
// one to four parts each decimal, octal ("0177.0.0.1") or hex ("0x7f"), so "127.1",
// "2130706433" and "0x7f000001" are all 127.0.0.1, with an optional final dot; IPv6 with or
// without brackets, with or without a zone ("fe80::1%25eth0"). nullopt for a name.
std::optional<IpAddress> ParseIpAddress(std::string_view host);

// The address of an AF_INET or AF_INET6 socket address of `length` bytes; nullopt for
// another family or a short length.
std::optional<IpAddress> IpAddressOf(const sockaddr* address, size_t length);

// The IPv4 address an IPv6 one carries, for the forms that reach it: mapped
// (::ffff:0:0/96), compatible (::/96, except :: and ::1), NAT64 (64:ff9b::/96) and 6to4
// (2002::/16). nullopt otherwise, and for an IPv4 address.
std::optional<IpAddress> EmbeddedIpv4(const IpAddress& address);

// Where an address leads. Everything but kPublic is refused unless the policy allows it.
enum class AddressClass : uint8_t {
  kPublic,
  kUnspecified,    // 0.0.0.0/8 ("this network"), ::
  kLoopback,       // 127.0.0.0/8, ::1
  kPrivate,        // 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16
  kSharedNat,      // 100.64.0.0/10, carrier-grade NAT
  kLinkLocal,      // 169.254.0.0/16 (cloud metadata services live there), fe80::/10
  kProtocol,       // 192.0.0.0/24, IETF protocol assignments
  kDocumentation,  // 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32
  kBenchmarking,   // 198.18.0.0/15
  kMulticast,      // 224.0.0.0/4, ff00::/8
  kReserved,       // 240.0.0.0/4
  kBroadcast,      // 255.255.255.255
  kUniqueLocal,    // fc00::/7
  kSiteLocal,      // fec0::/10 (deprecated, still routed inward by some networks)
  kDiscardOnly,    // 100::/64
};

// The class of `address`; an IPv6 address carrying an IPv4 one (EmbeddedIpv4) is judged
// as that IPv4 address, since that is where a connection to it goes.
AddressClass ClassifyAddress(const IpAddress& address);
// "a loopback address", "a private address"...: for messages.
std::string_view DescribeAddressClass(AddressClass address_class);

// Whether `policy` lets a connection go to `address`: a public address, or one within
// allow_private (an IPv6 address carrying an IPv4 one is allowed when either is).
bool OutboundAllows(const OutboundPolicy& policy, const IpAddress& address);

// "" when OutboundAllows; else the reason, for people and safe to show to any of them:
// "refused by the outbound policy: 127.0.0.1 is a loopback address (allow it with
// [outbound] allow_private)". `host` is the URL's host: when it is not the address itself
// (a name), the message says the class the name resolves to, not the address, so that an
// error list does not map an internal network.
std::string OutboundRefusal(const OutboundPolicy& policy, std::string_view host,
                            const IpAddress& address);

// Names that lead inward whatever the DNS says: localhost and *.localhost (RFC 6761),
// *.local (mDNS), *.home.arpa (RFC 8375), *.internal (reserved for private use; cloud
// metadata services answer as metadata.google.internal) and metadata. Case and a final
// dot do not matter.
bool IsInternalHostName(std::string_view host);

// The parts of a URL, as libcurl's parser (the one the client uses) reads them.
struct UrlParts {
  std::string scheme;            // lower case
  std::string host;              // lower case; an IPv6 address in brackets, an IPv4 one dotted
  std::string port;              // "" when the URL gives none
  std::string path;              // "/" when the URL gives none
  std::string query;             // without its "?"
  bool has_credentials = false;  // a user name or a password
};
// nullopt when libcurl cannot read `url` or it has no scheme or host.
std::optional<UrlParts> ParseUrlParts(const std::string& url);

// The parts of a URL the client needs.
struct OutboundUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case; an IPv6 address in brackets, an IPv4 one dotted
  std::string port;    // "" when the URL gives none
  std::string path_and_query;
};

// Checks `url` before any connection: kInvalidArgument for a URL that is not http(s) with
// a host ("not an http or https URL") or that carries a user name or password;
// kPermissionDenied (the message from OutboundRefusal) for a host that is a non-public
// address the policy does not allow, in any spelling, or, when the policy allows no
// private range, an internal host name. Messages do not repeat the URL. A name that
// resolves inward passes: the client checks each address when it connects.
Result<OutboundUrl> CheckOutboundUrl(const std::string& url, const OutboundPolicy& policy);

// CheckOutboundUrl for a mail server's URL: smtp:// or smtps:// instead of http(s).
Result<OutboundUrl> CheckOutboundMailUrl(const std::string& url, const OutboundPolicy& policy);

// "https://hooks.example.com:8443" of "https://user:pw@hooks.example.com:8443/T0/token?x":
// what a message may say of a URL whose user info, path and query may be credentials.
std::string UrlOrigin(std::string_view url);

}  // namespace ecoute
