// TWCS as ecoute's inputs: tweets as posts, and the support accounts as a brand catalog
// (TOML), named from a table of the accounts the corpus holds.
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "twcs.h"
#include "twcs_internal.h"
#include "util/datetime.h"

namespace ecoute::twcs {
namespace {

struct BrandEntry {
  std::string_view account;
  std::string_view name;
  bool is_common_word = false;  // an ordinary word missing from common_words.txt
};

// The support accounts of TWCS and the brands behind them.
constexpr BrandEntry kBrands[] = {
    {"ATVIAssist", "Activision"},
    {"AdobeCare", "Adobe"},
    {"AirAsiaSupport", "AirAsia"},
    {"AirbnbHelp", "Airbnb"},
    {"AlaskaAir", "Alaska Airlines"},
    {"AldiUK", "Aldi UK"},
    {"AmazonHelp", "Amazon"},
    {"AmericanAir", "American Airlines"},
    {"AppleSupport", "Apple"},
    {"ArgosHelpers", "Argos"},
    {"AskAmex", "American Express"},
    {"AskCiti", "Citi"},
    {"AskLyft", "Lyft"},
    {"AskPapaJohns", "Papa John's"},
    {"AskPayPal", "PayPal"},
    {"AskPlayStation", "PlayStation"},
    {"AskRBC", "RBC"},
    {"AskTarget", "Target"},
    {"AskeBay", "eBay"},
    {"Ask_Spectrum", "Spectrum", true},
    {"Ask_WellsFargo", "Wells Fargo"},
    {"AsurionCares", "Asurion"},
    {"AzureSupport", "Microsoft Azure"},
    {"BofA_Help", "Bank of America"},
    {"BoostCare", "Boost Mobile"},
    {"British_Airways", "British Airways"},
    {"CarlsJr", "Carl's Jr."},
    {"CenturyLinkHelp", "CenturyLink"},
    {"ChaseSupport", "Chase", true},
    {"ChipotleTweets", "Chipotle"},
    {"CoxHelp", "Cox", true},
    {"Delta", "Delta"},
    {"DoorDash_Help", "DoorDash"},
    {"DropboxSupport", "Dropbox"},
    {"DunkinDonuts", "Dunkin' Donuts"},
    {"GWRHelp", "Great Western Railway"},
    {"GloCare", "Glo", true},
    {"GoDaddyHelp", "GoDaddy"},
    {"HPSupport", "HP"},
    {"HiltonHelp", "Hilton"},
    {"IHGService", "IHG"},
    {"JackBox", "Jack in the Box"},
    {"JetBlue", "JetBlue"},
    {"KLM", "KLM"},
    {"Kimpton", "Kimpton Hotels"},
    {"LondonMidland", "London Midland"},
    {"McDonalds", "McDonald's"},
    {"MicrosoftHelps", "Microsoft"},
    {"Morrisons", "Morrisons"},
    {"NeweggService", "Newegg"},
    {"NikeSupport", "Nike"},
    {"O2", "O2", true},
    {"OfficeSupport", "Microsoft Office"},
    {"PandoraSupport", "Pandora"},
    {"Postmates_Help", "Postmates"},
    {"SW_Help", "South Western Railway"},
    {"Safaricom_Care", "Safaricom"},
    {"SouthwestAir", "Southwest Airlines"},
    {"SpotifyCares", "Spotify"},
    {"TMobileHelp", "T-Mobile"},
    {"Tesco", "Tesco"},
    {"TfL", "Transport for London"},
    {"USCellularCares", "U.S. Cellular"},
    {"UPSHelp", "UPS"},
    {"Uber_Support", "Uber"},
    {"VerizonSupport", "Verizon"},
    {"VirginAmerica", "Virgin America"},
    {"VirginAtlantic", "Virgin Atlantic"},
    {"VirginTrains", "Virgin Trains"},
    {"Walmart", "Walmart"},
    {"XboxSupport", "Xbox"},
    {"YahooCare", "Yahoo"},
    {"airtel_care", "Airtel"},
    {"asksalesforce", "Salesforce"},
    {"askpanera", "Panera Bread"},
    {"comcastcares", "Comcast"},
    {"hulu_support", "Hulu"},
    {"idea_cares", "Idea Cellular"},
    {"marksandspencer", "Marks & Spencer"},
    {"nationalrailenq", "National Rail"},
    {"sainsburys", "Sainsbury's"},
    {"sprintcare", "Sprint"},
};

const BrandEntry* FindBrand(std::string_view account) {
  for (const BrandEntry& entry : kBrands) {
    if (entry.account == account) return &entry;
  }
  return nullptr;
}

void AppendTomlString(std::string_view s, std::string& out) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
      out += escape;
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

// One name per account, unique: an account whose name is taken keeps its account name.
std::vector<std::string> UniqueNames(const std::vector<std::string>& accounts) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (const std::string& account : accounts) {
    std::string name = BrandName(account);
    if (!taken.insert(name).second) {
      name = account;
      taken.insert(name);
    }
    names.push_back(std::move(name));
  }
  return names;
}

Post ToPost(const Tweet& tweet) {
  Post post;
  post.id = std::to_string(tweet.id);
  post.source = "twitter";
  post.text = tweet.text;
  post.author.handle = "@" + tweet.author_id;
  post.author.name = tweet.author_id;
  post.published_at = FormatRfc3339(tweet.created_at);
  if (tweet.parent_id) post.parent_id = std::to_string(*tweet.parent_id);
  post.content_hash = ContentHash(tweet.text);
  return post;
}

std::string BrandName(std::string_view account) {
  const BrandEntry* entry = FindBrand(account);
  return std::string(entry == nullptr ? account : entry->name);
}

std::vector<std::string> BrandAccounts(const std::vector<Tweet>& tweets) {
  std::set<std::string> accounts;
  for (const Tweet& tweet : tweets) {
    if (!tweet.is_inbound) accounts.insert(tweet.author_id);
  }
  return {accounts.begin(), accounts.end()};
}

std::string FormatCatalogToml(const std::vector<std::string>& accounts) {
  std::string out =
      "# Brand catalog of the TWCS sample, written by twcs_to_jsonl (docs/TWCS.md): one brand\n"
      "# per support account, found by its handle. No aliases: customers address the brand by\n"
      "# handle, and names such as \"Apple\" or \"Delta\" are also common words.\n";
  const std::vector<std::string> names = UniqueNames(accounts);
  for (size_t i = 0; i < accounts.size(); ++i) {
    out += "\n[[brand]]\nname = ";
    AppendTomlString(names[i], out);
    out += "\nhandles = [";
    AppendTomlString("@" + accounts[i], out);
    out += "]\n";
    const BrandEntry* entry = FindBrand(accounts[i]);
    if (entry != nullptr && entry->is_common_word && names[i] == entry->name) {
      out += "common_word = true\n";
    }
  }
  return out;
}

}  // namespace ecoute::twcs
