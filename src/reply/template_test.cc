// Reply templates: variables checked and filled in, the order of suggestion, the checks made
// before one is saved. Exact outputs, one row per behaviour.
#include "reply/template.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ecoute::reply {
namespace {

const TemplateValues kValues{"@nadia_b", "Lunéa", "42", "Marie"};

struct RenderCase {
  std::string_view body;
  std::string_view want;
};
constexpr RenderCase kRenderCases[] = {
    {"Bonjour {{customer}}", "Bonjour @nadia_b"},
    {"{{ customer }}, {{brand}} #{{case}} — {{agent}}", "@nadia_b, Lunéa #42 — Marie"},
    {"{{\tagent\t}}", "Marie"},  // tabs around the name too
    {"sans variable", "sans variable"},
    {"}} seul, {{brand}}}", "}} seul, Lunéa}"},  // a lone "}}" is text
    {"{{customer}}{{customer}}", "@nadia_b@nadia_b"},
    {"", ""},
};

TEST(TemplateTest, RenderFillsEveryVariable) {
  for (const RenderCase& c : kRenderCases) {
    EXPECT_EQ(RenderTemplate(c.body, kValues), c.want) << c.body;
    EXPECT_TRUE(CheckTemplateBody(c.body).ok()) << c.body;
  }
}

TEST(TemplateTest, AValueIsNeverReadAsAVariable) {
  const TemplateValues tricky{"{{agent}}", "{{ case }}", "42", "{{customer}}"};
  EXPECT_EQ(RenderTemplate("{{customer}} / {{brand}} / {{agent}}", tricky),
            "{{agent}} / {{ case }} / {{customer}}");
}

struct RefusedCase {
  std::string_view body;
  std::string_view message;
};
constexpr RefusedCase kRefused[] = {
    {"Bonjour {{client}}",
     "body: unknown variable {{client}}: the known variables are {{customer}}, {{brand}}, "
     "{{case}} and {{agent}}"},
    {"{{ Customer }}",  // names are lower case
     "body: unknown variable {{Customer}}: the known variables are {{customer}}, {{brand}}, "
     "{{case}} and {{agent}}"},
    {"{{}}",
     "body: unknown variable {{}}: the known variables are {{customer}}, {{brand}}, {{case}} "
     "and {{agent}}"},
    {"Bonjour {{customer",
     "body: the \"{{\" at byte 8 is not closed: write a variable as {{customer}}, or remove the "
     "braces; the known variables are {{customer}}, {{brand}}, {{case}} and {{agent}}"},
};

TEST(TemplateTest, UnknownOrUnclosedVariablesAreRefusedByName) {
  for (const RefusedCase& c : kRefused) {
    Status st = CheckTemplateBody(c.body);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(st.message(), c.message) << c.body;
  }
  // Rendering what was refused leaves it as it is.
  EXPECT_EQ(RenderTemplate("Bonjour {{client}} {{customer", kValues),
            "Bonjour {{client}} {{customer");
}

ReplyTemplate T(int64_t id, std::string name, std::string brand, std::string lang,
                std::string topic) {
  ReplyTemplate t;
  t.id = id;
  t.name = std::move(name);
  t.brand = std::move(brand);
  t.lang = std::move(lang);
  t.topic = std::move(topic);
  t.body = "x";
  return t;
}

std::vector<int64_t> Ids(const std::vector<ReplyTemplate>& list) {
  std::vector<int64_t> ids;
  ids.reserve(list.size());
  for (const ReplyTemplate& t : list) ids.push_back(t.id);
  return ids;
}

TEST(TemplateTest, SuggestionsBrandThenLanguageThenTopic) {
  const std::vector<ReplyTemplate> all = {
      T(1, "generic", "", "", ""),
      T(2, "lunea any", "Lunéa", "", ""),
      T(3, "lunea fr delay", "LUNÉA", "fr", "delay"),
      T(4, "lunea fr", "Lunéa", "fr", ""),
      T(5, "fr delay", "", "fr", "delay"),
      T(6, "other brand", "Jeanerie", "", ""),
      T(7, "english", "", "en", ""),
      T(8, "billing", "", "", "billing"),
      T(9, "lunea delay", "Lunéa", "", "delay"),
      T(10, "lunea fr-CA", "Lunéa", "fr-CA", ""),
      T(11, "a generic", "", "", ""),
  };
  EXPECT_EQ(Ids(SuggestTemplates(all, {"Lunéa", "fr-CA", "delay"})),
            (std::vector<int64_t>{10, 3, 4, 9, 2, 5, 11, 1}));
  EXPECT_EQ(Ids(SuggestTemplates(all, {"lunéa", "fr", "billing"})),
            (std::vector<int64_t>{4, 2, 8, 11, 1}));
  // A case in no known language gets only the templates for every language.
  EXPECT_EQ(Ids(SuggestTemplates(all, {"Jeanerie", "", ""})), (std::vector<int64_t>{6, 11, 1}));
}

struct TagCase {
  std::string_view tag;
  std::string_view want;  // "" refused
};
constexpr TagCase kTags[] = {
    {"fr", "fr"},
    {"FR-ca", "fr-CA"},
    {"zh-hant-tw", "zh-Hant-TW"},
    {"es-419", "es-419"},
    {"fra", "fra"},
    {"f", ""},
    {"french", ""},
    {"fr_CA", ""},
    {"fr-", ""},
    {"fr-CA-x-long-tag", ""},
};

TEST(TemplateTest, LanguageTagsAreShortBcp47InTheirUsualCase) {
  for (const TagCase& c : kTags) {
    EXPECT_EQ(NormalizeLanguageTag(c.tag).value_or(""), c.want) << c.tag;
  }
}

BrandCatalog Catalog() {
  BrandCatalog catalog;
  catalog.brands.push_back({"Lunéa", {"Lunea", "train de nuit Lunéa"}, {}, {}, {}, false});
  catalog.brands.push_back({"Jeanerie", {"La Jeanerie"}, {}, {}, {}, false});
  return catalog;
}

TEST(TemplateTest, CheckNormalizesWhatItKeeps) {
  ReplyTemplate t = T(0, "  Retard  ", "lunea", "FR-ca", "delay");
  t.body = "Bonjour {{ customer }}";
  ASSERT_TRUE(CheckTemplate(Catalog(), t).ok());
  EXPECT_EQ(t.name, "Retard");
  EXPECT_EQ(t.brand, "Lunéa");  // the alias resolved to the catalog's name
  EXPECT_EQ(t.lang, "fr-CA");
  EXPECT_EQ(t.topic, "delay");
  EXPECT_EQ(t.body, "Bonjour {{ customer }}");
}

TEST(TemplateTest, CheckRefusesWithWhatWhereAndHow) {
  auto message = [](ReplyTemplate t) {
    Status st = CheckTemplate(Catalog(), t);
    return st.ok() ? std::string("ok") : st.message();
  };
  ReplyTemplate good = T(0, "Retard", "", "", "");
  ReplyTemplate t = good;
  t.name = " ";
  EXPECT_EQ(message(t), "name: give the template a name agents pick it by");
  t.name = std::string(101, 'n');
  EXPECT_EQ(message(t), "name: one line of text of at most 100 bytes");
  t = good;
  t.brand = "Darty";
  EXPECT_EQ(message(t),
            "brand: \"Darty\" is not in the brand catalog: give a brand's name as the catalog has "
            "it, or \"\" for every brand");
  t = good;
  t.lang = "french";
  EXPECT_EQ(message(t),
            "lang: \"french\" is not a short BCP 47 language tag: give one such as \"fr\" or "
            "\"fr-CA\", or \"\" for every language");
  t = good;
  t.topic = "weather";
  EXPECT_EQ(message(t),
            "topic: unknown topic \"weather\": give one of billing, delay, support, "
            "product_defect, cancellation, contract, staff_attitude, delivery, outage, other, or "
            "\"\" for every topic");
  t = good;
  t.body = " \n";
  EXPECT_EQ(message(t), "body: write the text of the reply");
  t.body = std::string(5001, 'b');
  EXPECT_EQ(message(t), "body: 5001 bytes, more than 5000: shorten it");
  t.body = std::string(5000, 'b');
  EXPECT_EQ(message(t), "ok");
}

}  // namespace
}  // namespace ecoute::reply
