// The outbound policy as pure functions: every refused range, every spelling of an
// address, the allow-list's ranges and the check of a URL before any connection.
#include "fetch/outbound.h"

#include <gtest/gtest.h>

namespace ecoute {
namespace {

IpAddress Address(std::string_view text) {
  std::optional<IpAddress> address = ParseIpAddress(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

struct ClassCase {
  std::string_view address;
  AddressClass want;
};

// One row per refused range (its first and last address where the edge matters), the
// public neighbours just outside, and the IPv6 forms that carry an IPv4 address.
constexpr ClassCase kClassCases[] = {
    {"0.0.0.0", AddressClass::kUnspecified},
    {"0.255.255.255", AddressClass::kUnspecified},
    {"1.0.0.0", AddressClass::kPublic},
    {"10.0.0.0", AddressClass::kPrivate},
    {"10.255.255.255", AddressClass::kPrivate},
    {"11.0.0.0", AddressClass::kPublic},
    {"100.63.255.255", AddressClass::kPublic},
    {"100.64.0.0", AddressClass::kSharedNat},
    {"100.127.255.255", AddressClass::kSharedNat},
    {"100.128.0.0", AddressClass::kPublic},
    {"127.0.0.1", AddressClass::kLoopback},
    {"127.255.255.254", AddressClass::kLoopback},
    {"169.254.169.254", AddressClass::kLinkLocal},  // the cloud metadata service
    {"169.253.255.255", AddressClass::kPublic},
    {"172.15.255.255", AddressClass::kPublic},
    {"172.16.0.0", AddressClass::kPrivate},
    {"172.31.255.255", AddressClass::kPrivate},
    {"172.32.0.0", AddressClass::kPublic},
    {"192.0.0.8", AddressClass::kProtocol},
    {"192.0.1.1", AddressClass::kPublic},
    {"192.0.2.1", AddressClass::kDocumentation},
    {"192.168.0.1", AddressClass::kPrivate},
    {"192.168.255.255", AddressClass::kPrivate},
    {"192.169.0.0", AddressClass::kPublic},
    {"198.17.255.255", AddressClass::kPublic},
    {"198.18.0.1", AddressClass::kBenchmarking},
    {"198.19.255.255", AddressClass::kBenchmarking},
    {"198.20.0.0", AddressClass::kPublic},
    {"198.51.100.7", AddressClass::kDocumentation},
    {"203.0.113.9", AddressClass::kDocumentation},
    {"203.0.114.0", AddressClass::kPublic},
    {"223.255.255.255", AddressClass::kPublic},
    {"224.0.0.1", AddressClass::kMulticast},
    {"239.255.255.255", AddressClass::kMulticast},
    {"240.0.0.1", AddressClass::kReserved},
    {"255.255.255.254", AddressClass::kReserved},
    {"255.255.255.255", AddressClass::kBroadcast},
    {"8.8.8.8", AddressClass::kPublic},
    {"::", AddressClass::kUnspecified},
    {"::1", AddressClass::kLoopback},
    {"::2", AddressClass::kUnspecified},  // compatible ::0.0.0.2, in 0.0.0.0/8
    {"fc00::1", AddressClass::kUniqueLocal},
    {"fdff:ffff::1", AddressClass::kUniqueLocal},
    {"fe80::1", AddressClass::kLinkLocal},
    {"febf:ffff::1", AddressClass::kLinkLocal},
    {"fec0::1", AddressClass::kSiteLocal},
    {"feff::1", AddressClass::kSiteLocal},
    {"ff02::1", AddressClass::kMulticast},
    {"2001:db8::1", AddressClass::kDocumentation},
    {"2001:db9::1", AddressClass::kPublic},
    {"100::1", AddressClass::kDiscardOnly},
    {"100:0:0:1::1", AddressClass::kPublic},  // past 100::/64
    {"2606:4700::1111", AddressClass::kPublic},
    {"::ffff:127.0.0.1", AddressClass::kLoopback},  // mapped
    {"::ffff:7f00:1", AddressClass::kLoopback},     // mapped, in hex
    {"::ffff:10.1.2.3", AddressClass::kPrivate},
    {"::ffff:8.8.8.8", AddressClass::kPublic},
    {"::127.0.0.1", AddressClass::kLoopback},  // compatible
    {"::169.254.169.254", AddressClass::kLinkLocal},
    {"64:ff9b::7f00:1", AddressClass::kLoopback},  // NAT64
    {"64:ff9b::a9fe:a9fe", AddressClass::kLinkLocal},
    {"64:ff9b::808:808", AddressClass::kPublic},
    {"2002:7f00:1::", AddressClass::kLoopback},  // 6to4
    {"2002:c0a8:101::1", AddressClass::kPrivate},
    {"2002:808:808::1", AddressClass::kPublic},
};

TEST(OutboundTest, ClassifiesEveryRefusedRange) {
  for (const ClassCase& c : kClassCases) {
    SCOPED_TRACE(c.address);
    EXPECT_EQ(ClassifyAddress(Address(c.address)), c.want);
  }
}

struct SpellingCase {
  std::string_view host;
  std::string_view address;  // canonical; "" when the host is a name
};

constexpr SpellingCase kSpellings[] = {
    {"127.0.0.1", "127.0.0.1"},
    {"2130706433", "127.0.0.1"},  // decimal
    {"0x7f000001", "127.0.0.1"},  // hex
    {"0X7F000001", "127.0.0.1"},
    {"0177.0.0.1", "127.0.0.1"},  // octal
    {"0177.0.0.01", "127.0.0.1"},
    {"127.1", "127.0.0.1"},  // short: the last part fills the rest
    {"127.0.1", "127.0.0.1"},
    {"0x7f.1", "127.0.0.1"},
    {"127.0.0.1.", "127.0.0.1"},  // the final dot of a fully qualified name
    {"0", "0.0.0.0"},
    {"0xa9fea9fe", "169.254.169.254"},
    {"[::1]", "::1"},
    {"::1", "::1"},
    {"[::ffff:127.0.0.1]", "::ffff:127.0.0.1"},
    {"[::ffff:7f00:1]", "::ffff:127.0.0.1"},
    {"[64:ff9b::7f00:1]", "64:ff9b::7f00:1"},
    {"[2002:7f00:1::]", "2002:7f00:1::"},
    {"[fe80::1%25eth0]", "fe80::1"},
    {"example.com", ""},
    {"localhost", ""},
    {"127.0.0.1.example.com", ""},
    {"1.2.3.4.5", ""},     // five parts: a name
    {"256.0.0.1", ""},     // a part past 255
    {"127.16777216", ""},  // the last part past its 24 bits
    {"4294967296", ""},    // past 32 bits
    {"08.0.0.1", ""},      // 8 is not an octal digit
    {"0x7g.0.0.1", ""},    // g is not a hex digit
    {"[::1", ""},          // an unclosed bracket
    {"", ""},
};

TEST(OutboundTest, ReadsEverySpellingOfAnAddress) {
  for (const SpellingCase& c : kSpellings) {
    SCOPED_TRACE(c.host);
    const std::optional<IpAddress> address = ParseIpAddress(c.host);
    if (c.address.empty()) {
      EXPECT_FALSE(address.has_value()) << address->ToString();
    } else {
      ASSERT_TRUE(address.has_value());
      EXPECT_EQ(address->ToString(), c.address);
    }
  }
  // The spellings of the review, each a loopback or link-local address.
  for (std::string_view host :
       {"2130706433", "0x7f000001", "0177.0.0.1", "127.1", "[::1]", "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]"}) {
    EXPECT_EQ(ClassifyAddress(Address(host)), AddressClass::kLoopback) << host;
  }
  EXPECT_EQ(ClassifyAddress(Address("[fe80::1]")), AddressClass::kLinkLocal);
  EXPECT_EQ(ClassifyAddress(Address("169.254.169.254")), AddressClass::kLinkLocal);
}

TEST(OutboundTest, ParsesRangesAndSaysWhatIsWrong) {
  Result<IpRange> range = ParseIpRange("10.0.0.0/8");
  ASSERT_TRUE(range) << range.error().ToString();
  EXPECT_EQ(range->ToString(), "10.0.0.0/8");
  EXPECT_TRUE(range->Contains(Address("10.200.1.2")));
  EXPECT_FALSE(range->Contains(Address("11.0.0.1")));
  EXPECT_FALSE(range->Contains(Address("::ffff:10.0.0.1")));  // another family

  range = ParseIpRange("127.0.0.1");  // an address alone: /32
  ASSERT_TRUE(range);
  EXPECT_EQ(range->ToString(), "127.0.0.1/32");
  EXPECT_TRUE(range->Contains(Address("127.0.0.1")));
  EXPECT_FALSE(range->Contains(Address("127.0.0.2")));

  range = ParseIpRange("fd00::/8");
  ASSERT_TRUE(range);
  EXPECT_TRUE(range->Contains(Address("fdab::1")));
  EXPECT_FALSE(range->Contains(Address("fc00::1")));
  range = ParseIpRange("172.16.0.0/12");
  ASSERT_TRUE(range);
  EXPECT_TRUE(range->Contains(Address("172.31.255.255")));
  EXPECT_FALSE(range->Contains(Address("172.32.0.0")));
  range = ParseIpRange("0.0.0.0/0");
  ASSERT_TRUE(range);
  EXPECT_TRUE(range->Contains(Address("127.0.0.1")));

  struct Bad {
    std::string_view text;
    std::string_view message;
  };
  const Bad bad[] = {
      {"10.0.0.0/33", "\"10.0.0.0/33\": the prefix length of an IPv4 range is 0 to 32"},
      {"fd00::/129", "\"fd00::/129\": the prefix length of an IPv6 range is 0 to 128"},
      {"10.0.0.0/", "\"10.0.0.0/\": the prefix length of an IPv4 range is 0 to 32"},
      {"10.0.0.0/8x", "\"10.0.0.0/8x\": the prefix length of an IPv4 range is 0 to 32"},
      {"10.0.0.1/8", "\"10.0.0.1/8\": bits are set past the prefix (did you mean 10.0.0.0/8?)"},
      {"localhost",
       "\"localhost\": not an address range (write 10.0.0.0/8, 127.0.0.1 or fd00::/8)"},
      {"127.1/8", "\"127.1/8\": not an address range (write 10.0.0.0/8, 127.0.0.1 or fd00::/8)"},
      {"", "\"\": not an address range (write 10.0.0.0/8, 127.0.0.1 or fd00::/8)"},
  };
  for (const Bad& b : bad) {
    Result<IpRange> parsed = ParseIpRange(b.text);
    ASSERT_FALSE(parsed) << b.text;
    EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message(), b.message);
  }
  Result<std::vector<IpRange>> list = ParseIpRanges({"127.0.0.0/8", "::1"});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].ToString(), "::1/128");
  EXPECT_EQ(ParseIpRanges({"10.0.0.0/8", "nope"}).error().message(),
            "\"nope\": not an address range (write 10.0.0.0/8, 127.0.0.1 or fd00::/8)");
}

TEST(OutboundTest, ThePolicyAllowsPublicAddressesAndTheListedRanges) {
  const OutboundPolicy strict;
  EXPECT_TRUE(OutboundAllows(strict, Address("93.184.216.34")));
  EXPECT_TRUE(OutboundAllows(strict, Address("2606:4700::1111")));
  EXPECT_FALSE(OutboundAllows(strict, Address("127.0.0.1")));
  EXPECT_EQ(OutboundRefusal(strict, "93.184.216.34", Address("93.184.216.34")), "");
  EXPECT_EQ(OutboundRefusal(strict, "127.0.0.1", Address("127.0.0.1")),
            "refused by the outbound policy: 127.0.0.1 is a loopback address (allow it with "
            "[outbound] allow_private)");
  // A name: the class it resolves to, never the address, so that errors map nothing.
  EXPECT_EQ(OutboundRefusal(strict, "intranet.example", Address("10.1.2.3")),
            "refused by the outbound policy: intranet.example resolves to a private address "
            "(allow it with [outbound] allow_private)");
  EXPECT_EQ(OutboundRefusal(strict, "[::ffff:169.254.169.254]", Address("::ffff:169.254.169.254")),
            "refused by the outbound policy: ::ffff:169.254.169.254 is a link-local address "
            "(allow it with [outbound] allow_private)");

  OutboundPolicy loopback;
  loopback.allow_private = ParseIpRanges({"127.0.0.0/8"}).value();
  loopback.allow_hint = "allow it with --allow-private";
  EXPECT_TRUE(OutboundAllows(loopback, Address("127.0.0.1")));
  EXPECT_TRUE(OutboundAllows(loopback, Address("::ffff:127.0.0.2")));  // the IPv4 it carries
  EXPECT_FALSE(OutboundAllows(loopback, Address("::1")));
  EXPECT_FALSE(OutboundAllows(loopback, Address("10.0.0.1")));
  EXPECT_EQ(OutboundRefusal(loopback, "10.0.0.1", Address("10.0.0.1")),
            "refused by the outbound policy: 10.0.0.1 is a private address (allow it with "
            "--allow-private)");
  OutboundPolicy v6;
  v6.allow_private = ParseIpRanges({"64:ff9b::/96"}).value();
  EXPECT_TRUE(OutboundAllows(v6, Address("64:ff9b::7f00:1")));  // the IPv6 form itself
  EXPECT_FALSE(OutboundAllows(v6, Address("127.0.0.1")));
}

TEST(OutboundTest, KnowsTheInternalNames) {
  for (std::string_view name :
       {"localhost", "LOCALHOST", "localhost.", "api.localhost", "metadata",
        "metadata.google.internal", "db.internal", "printer.local", "nas.home.arpa"}) {
    EXPECT_TRUE(IsInternalHostName(name)) << name;
  }
  for (std::string_view name : {"example.com", "localhost.example.com", "internal.example",
                                "metadata.example", "mylocal"}) {
    EXPECT_FALSE(IsInternalHostName(name)) << name;
  }
}

TEST(OutboundTest, AUrlIsCheckedBeforeAnyConnection) {
  const OutboundPolicy strict;
  Result<OutboundUrl> ok = CheckOutboundUrl("HTTPS://Feeds.Example.com:8443/a/b?c=d", strict);
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->scheme, "https");
  EXPECT_EQ(ok->host, "feeds.example.com");
  EXPECT_EQ(ok->port, "8443");
  EXPECT_EQ(ok->path_and_query, "/a/b?c=d");

  struct Refused {
    std::string url;
    StatusCode code;
    std::string message;
  };
  const std::string hint = " (allow it with [outbound] allow_private)";
  const std::vector<Refused> refused = {
      {"ftp://example.com/", StatusCode::kInvalidArgument, "not an http or https URL"},
      {"file:///etc/passwd", StatusCode::kInvalidArgument, "not an http or https URL"},
      {"gopher://127.0.0.1:6379/_INFO", StatusCode::kInvalidArgument, "not an http or https URL"},
      {"not a url", StatusCode::kInvalidArgument, "not an http or https URL"},
      {"https://user:pass@example.com/", StatusCode::kInvalidArgument,
       "user names and passwords in URLs are not accepted"},
      {"https://user@example.com/", StatusCode::kInvalidArgument,
       "user names and passwords in URLs are not accepted"},
      {"https://:pass@example.com/", StatusCode::kInvalidArgument,
       "user names and passwords in URLs are not accepted"},
      {"http://127.0.0.1/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://2130706433/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://0x7f000001:8080/x", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://0177.0.0.1/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://127.1/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://127.0.0.1.:8080/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 127.0.0.1 is a loopback address" + hint},
      {"http://[::1]/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: ::1 is a loopback address" + hint},
      {"http://[::ffff:127.0.0.1]/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: ::ffff:127.0.0.1 is a loopback address" + hint},
      {"http://[::ffff:7f00:1]/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: ::ffff:127.0.0.1 is a loopback address" + hint},
      {"http://[64:ff9b::7f00:1]/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 64:ff9b::7f00:1 is a loopback address" + hint},
      {"http://[2002:7f00:1::]/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 2002:7f00:1:: is a loopback address" + hint},
      {"http://[fe80::1%25eth0]/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: fe80::1 is a link-local address" + hint},
      {"http://169.254.169.254/latest/meta-data/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 169.254.169.254 is a link-local address" + hint},
      {"http://10.0.0.8/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 10.0.0.8 is a private address" + hint},
      {"http://0.0.0.0:8080/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: 0.0.0.0 is an unspecified (\"this network\") address" +
           hint},
      {"http://localhost:8080/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: localhost is an internal host name" + hint},
      {"http://LocalHost./", StatusCode::kPermissionDenied,
       "refused by the outbound policy: localhost. is an internal host name" + hint},
      {"http://metadata.google.internal/computeMetadata/v1/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: metadata.google.internal is an internal host name" + hint},
      {"http://metadata/", StatusCode::kPermissionDenied,
       "refused by the outbound policy: metadata is an internal host name" + hint},
  };
  for (const Refused& r : refused) {
    SCOPED_TRACE(r.url);
    Result<OutboundUrl> checked = CheckOutboundUrl(r.url, strict);
    ASSERT_FALSE(checked);
    EXPECT_EQ(checked.error().code(), r.code);
    EXPECT_EQ(checked.error().message(), r.message);
  }

  // With an allow-list: the listed range passes, the rest does not, and internal names are
  // left to the check on connection (they may be the operator's intranet).
  OutboundPolicy intranet;
  intranet.allow_private = ParseIpRanges({"10.0.0.0/8"}).value();
  EXPECT_TRUE(CheckOutboundUrl("http://10.0.0.8/feed", intranet));
  EXPECT_TRUE(CheckOutboundUrl("http://feeds.corp.internal/", intranet));
  EXPECT_EQ(CheckOutboundUrl("http://127.0.0.1/", intranet).error().code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckOutboundUrl("http://u:p@10.0.0.8/", intranet).error().code(),
            StatusCode::kInvalidArgument);
}

TEST(OutboundTest, AnOriginLeavesOutUserInfoPathAndQuery) {
  EXPECT_EQ(UrlOrigin("https://user:pw@hooks.example.com:8443/T0/token?x=1"),
            "https://hooks.example.com:8443");
  EXPECT_EQ(UrlOrigin("http://127.0.0.2:80"), "http://127.0.0.2:80");
  EXPECT_EQ(UrlOrigin("nonsense"), "(invalid URL)");
}

}  // namespace
}  // namespace ecoute
