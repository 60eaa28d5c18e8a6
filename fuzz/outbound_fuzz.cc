// Any bytes as a host, an address range and a URL for the outbound policy: no crash, no
// hang, and what is accepted keeps the policy's promises: an address reads back as itself,
// a range contains its network, and a URL that passes the strict check names no non-public
// address and carries no credentials.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fetch/outbound.h"

namespace ecoute {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckOutbound(const std::string& input) {
  if (const std::optional<IpAddress> address = ParseIpAddress(input)) {
    const std::optional<IpAddress> again = ParseIpAddress(address->ToString());
    Check(again && *again == *address);
    const AddressClass kind = ClassifyAddress(*address);
    Check(!DescribeAddressClass(kind).empty());
    Check(OutboundAllows(OutboundPolicy{}, *address) == (kind == AddressClass::kPublic));
  }

  if (Result<IpRange> range = ParseIpRange(input)) {
    Check(range->Contains(range->network));
    Result<IpRange> again = ParseIpRange(range->ToString());
    Check(again && again->network == range->network &&
          again->prefix_length == range->prefix_length);
  } else {
    Check(range.error().code() == StatusCode::kInvalidArgument);
  }

  const OutboundPolicy strict;
  if (Result<OutboundUrl> url = CheckOutboundUrl(input, strict)) {
    Check(url->scheme == "http" || url->scheme == "https");
    Check(!url->host.empty());
    Check(!(strict.allow_private.empty() && IsInternalHostName(url->host)));
    if (const std::optional<IpAddress> literal = ParseIpAddress(url->host)) {
      Check(ClassifyAddress(*literal) == AddressClass::kPublic);
    }
  } else {
    Check(url.error().code() == StatusCode::kInvalidArgument ||
          url.error().code() == StatusCode::kPermissionDenied);
  }
  (void)UrlOrigin(input);
}

}  // namespace
}  // namespace ecoute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ecoute::CheckOutbound(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
