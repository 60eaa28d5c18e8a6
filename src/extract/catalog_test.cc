#include "ecoute/catalog.h"

#include <gtest/gtest.h>

namespace ecoute {
namespace {

TEST(CatalogTest, ReadsBrandsWithAliasesHandlesAndDomains) {
  const auto catalog = ParseCatalog(R"(
[[brand]]
name = "Bouygues Telecom"
aliases = ["Bouygues Télécom", "Bouygues", "BT"]
handles = ["bouyguestelecom"]
domains = ["https://www.BouyguesTelecom.fr/forfaits"]

[[brand]]
name = "Orange"
common_word = true
not = ["Orange mécanique"]
)",
                                    "brands.toml");
  ASSERT_TRUE(catalog.has_value()) << catalog.error().ToString();
  ASSERT_EQ(catalog->brands.size(), 2u);
  const Brand& bt = catalog->brands[0];
  EXPECT_EQ(bt.name, "Bouygues Telecom");
  EXPECT_EQ(bt.aliases.size(), 3u);
  EXPECT_EQ(bt.handles, std::vector<std::string>{"@bouyguestelecom"});    // '@' added
  EXPECT_EQ(bt.domains, std::vector<std::string>{"bouyguestelecom.fr"});  // host only
  EXPECT_TRUE(catalog->brands[1].is_common_word);
  EXPECT_EQ(catalog->brands[1].exclusions, std::vector<std::string>{"Orange mécanique"});
}

struct BadCatalog {
  std::string_view toml;
  std::string_view want;  // the start of the error message
};

constexpr BadCatalog kBadCatalogs[] = {
    {"[[brand]]\nname = \"Fnac\"\naliases = [\"Fnac Darty\", \"\"]\n",
     "brands.toml:3: brand \"Fnac\": aliases[1] is empty"},
    {"[[brand]]\naliases = [\"x\"]\n", "brands.toml:1: [[brand]] needs a non-empty string `name`"},
    {"[[brand]]\nname = \"Fnac\"\nalias = [\"x\"]\n",
     "brands.toml:3: brand \"Fnac\": unknown key `alias`"},
    {"[[brand]]\nname = \"Fnac\"\ndomains = [\"fnac\"]\n",
     "brands.toml:1: brand \"Fnac\": domain \"fnac\" is not a host name"},
    {"[[brand]]\nname = \"Fnac\n", "brands.toml:2: "},  // TOML syntax error, with its line
    {"title = \"x\"\n", "brands.toml:1: unknown top-level key `title`"},
};

TEST(CatalogTest, ErrorsNameTheFileTheLineAndWhatIsWrong) {
  for (const BadCatalog& c : kBadCatalogs) {
    SCOPED_TRACE(c.toml);
    const auto catalog = ParseCatalog(c.toml, "brands.toml");
    ASSERT_FALSE(catalog.has_value());
    EXPECT_EQ(catalog.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(catalog.error().message().substr(0, c.want.size()), c.want)
        << catalog.error().message();
  }
}

TEST(CatalogTest, MissingFileIsNotFound) {
  const auto catalog = LoadCatalog("no/such/brands.toml");
  ASSERT_FALSE(catalog.has_value());
  EXPECT_EQ(catalog.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ecoute
