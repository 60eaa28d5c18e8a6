#include "corpus.h"

#include <array>
#include <random>
#include <string_view>

#include "ecoute/datetime.h"
#include "ecoute/json_string.h"

namespace ecoute::cli {
namespace {

constexpr std::array<std::string_view, 6> kBrands = {"Voltaire Energie", "Trainline Express",
                                                     "Cyrillus",         "Bouygues Telecom",
                                                     "Skyway Airlines",  "Boulanger"};
constexpr std::array<std::string_view, 6> kHandles = {"@voltaire_energie", "@trainlinexp",
                                                      "@cyrillus",         "@bouyguestelecom",
                                                      "@skywayair",        "@boulanger"};

constexpr std::array<std::string_view, 12> kFrenchSentences = {
    "{B} m'a envoyé une facture de 88 247 euros pour un studio, c'est une honte.",
    "Trois appels au service client de {B} et toujours pas de réponse.",
    "Le train de {B} a mis 15 heures pour arriver, sans aucune information.",
    "Merci à {B} qui m'a rappelé le jour même, tout est bien qui finit bien.",
    "J'adore le nouveau forfait de {B}, vraiment super.",
    "Quelqu'un sait comment résilier un abonnement chez {B} ?",
    "Le vendeur de {B} a refusé d'échanger mon jean troué et s'est moqué de moi.",
    "Plus de réseau depuis deux jours avec {B}, c'est inadmissible.",
    "Livraison en retard de trois semaines, {B} ne répond pas aux mails.",
    "Je vais porter plainte et contacter 60 millions de consommateurs.",
    "Bref, une journée comme les autres au bureau, rien de spécial.",
    "Le conseiller de {B} a été parfait et m'a remboursé 30 euros.",
};

constexpr std::array<std::string_view, 12> kEnglishSentences = {
    "{H} my flight was delayed 5 hours and nobody at the gate could tell us why.",
    "{H} thanks for the quick refund, problem solved!",
    "{H} lost my luggage again, third time this year. Unacceptable.",
    "Been on hold with {B} for an hour, this is ridiculous.",
    "{H} how do I change my seat online?",
    "Love the new app from {B}, great job.",
    "{H} you charged me $3,500 twice and customer service hung up on me.",
    "{B} cancelled my order without any email, never again.",
    "{H} the crew was amazing today, thank you!",
    "My internet has been down for 2 weeks, {B} keeps saying tomorrow.",
    "Just landed, on my way home now.",
    "{H} I will contact my lawyer if this is not fixed by Friday.",
};

std::string Fill(std::string_view pattern, size_t brand) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{' && i + 2 < pattern.size() && pattern[i + 2] == '}') {
      out += pattern[i + 1] == 'H' ? kHandles[brand] : kBrands[brand];
      i += 2;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string MadeUpName(std::mt19937& rng) {
  static constexpr std::array<std::string_view, 24> kSyllables = {
      "val", "mor", "qui", "tex", "lu",  "ra", "no", "vi",  "sto", "bel", "dor", "an",
      "ke",  "zen", "pha", "ri",  "cor", "su", "mi", "tal", "gra", "po",  "ven", "sy"};
  std::string name;
  const int parts = 2 + static_cast<int>(rng() % 2);
  for (int i = 0; i < parts; ++i) name += kSyllables[rng() % kSyllables.size()];
  name[0] = static_cast<char>(name[0] - 32);
  return name;
}

// A paragraph of two to four sentences about one brand (sometimes another), in French
// three times out of four.
std::string Paragraph(std::mt19937& rng) {
  const bool french = rng() % 4 != 0;
  const auto& sentences = french ? kFrenchSentences : kEnglishSentences;
  const size_t brand = rng() % kBrands.size();
  std::string text;
  const int count = 2 + static_cast<int>(rng() % 3);
  for (int k = 0; k < count; ++k) {
    if (k > 0) text += ' ';
    text +=
        Fill(sentences[rng() % sentences.size()], rng() % 5 == 0 ? rng() % kBrands.size() : brand);
  }
  return text;
}

// `s` with the five XML/HTML special characters escaped.
std::string Escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string GenerateFeed(size_t items, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
      "xmlns:slash=\"http://purl.org/rss/1.0/modules/slash/\">\n<channel>\n"
      "<title>Le blog de Marie</title>\n<link>https://blog.example/</link>\n"
      "<description>Consommation et services</description>\n<language>fr</language>\n";
  for (size_t i = 0; i < items; ++i) {
    std::string html;
    const int paragraphs = 2 + static_cast<int>(rng() % 4);
    for (int p = 0; p < paragraphs; ++p) html += "<p>" + Escape(Paragraph(rng)) + "</p>";
    out += "<item>\n<title>Billet " + std::to_string(i) + "</title>\n";
    out += "<link>https://blog.example/" + std::to_string(i) + "</link>\n";
    out += "<guid isPermaLink=\"false\">https://blog.example/?p=" + std::to_string(i) + "</guid>\n";
    out += "<pubDate>Mon, 23 Nov 2026 08:" + std::to_string(10 + i % 50) + ":00 +0100</pubDate>\n";
    out += "<dc:creator>Marie</dc:creator>\n<slash:comments>" + std::to_string(i % 7) +
           "</slash:comments>\n";
    out += "<description>" + Escape(html) + "</description>\n</item>\n";
  }
  out += "</channel>\n</rss>\n";
  return out;
}

std::string GeneratePage(size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
      "<title>Mon expérience avec le service client</title>"
      "<meta name=\"author\" content=\"Marie\">"
      "<meta property=\"article:published_time\" content=\"2026-11-23T08:12:00+01:00\">"
      "<style>body{font-family:serif}</style></head><body>"
      "<nav><ul><li><a href=\"/\">Accueil</a></li><li><a href=\"/archives\">Archives</a></li>"
      "</ul></nav><article><h1>Mon expérience avec le service client</h1>";
  while (out.size() < bytes) {
    out += "<p>" + Escape(Paragraph(rng)) + " <a href=\"https://example.org/" +
           std::to_string(rng() % 1000) + "\">source</a></p>\n";
  }
  out +=
      "</article><aside class=\"sidebar\"><h2>Articles récents</h2></aside>"
      "<footer>© 2026</footer><script>var x = 1;</script></body></html>\n";
  return out;
}

std::string GenerateMastodon(size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out = "[";
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ",\n";
    const std::string id = std::to_string(109000000000000000ULL + i);
    out += "{\"id\": \"" + id + "\", \"created_at\": \"2026-11-23T08:12:00.000Z\", ";
    out += "\"in_reply_to_id\": null, \"language\": \"fr\", ";
    out += "\"uri\": \"https://mastodon.example/users/marie/statuses/" + id + "\", ";
    out += "\"url\": \"https://mastodon.example/@marie/" + id + "\", ";
    out += "\"replies_count\": 2, \"reblogs_count\": 5, \"favourites_count\": 9, \"content\": ";
    AppendJsonString("<p>" + Escape(Paragraph(rng)) + "</p>", out);
    out +=
        ", \"account\": {\"id\": \"1\", \"username\": \"marie\", \"acct\": \"marie\", "
        "\"display_name\": \"Marie\", \"url\": \"https://mastodon.example/@marie\", "
        "\"followers_count\": 1200}, \"reblog\": null, \"mentions\": [], \"tags\": []}";
  }
  out += "]\n";
  return out;
}

std::string GenerateBluesky(size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out = "{\"posts\": [";
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ",\n";
    const std::string rkey = "3kz" + std::to_string(100000 + i);
    out += "{\"uri\": \"at://did:plc:marie/app.bsky.feed.post/" + rkey + "\", ";
    out += "\"cid\": \"bafyrei" + std::to_string(i) +
           "\", \"author\": {\"did\": \"did:plc:marie\", "
           "\"handle\": \"marie.bsky.social\", \"displayName\": \"Marie\"}, ";
    out +=
        "\"record\": {\"$type\": \"app.bsky.feed.post\", \"createdAt\": "
        "\"2026-11-23T08:12:00.000Z\", \"langs\": [\"fr\"], \"text\": ";
    AppendJsonString(Paragraph(rng), out);
    out +=
        "}, \"replyCount\": 1, \"repostCount\": 3, \"likeCount\": 8, "
        "\"indexedAt\": \"2026-11-23T08:12:01.000Z\"}";
  }
  out += "]}\n";
  return out;
}

BrandCatalog GenerateCatalog(size_t count) {
  BrandCatalog catalog;
  for (size_t i = 0; i < kBrands.size() && i < count; ++i) {
    Brand b;
    b.name = std::string(kBrands[i]);
    b.handles.emplace_back(kHandles[i]);
    catalog.brands.push_back(std::move(b));
  }
  std::mt19937 rng(42);
  static constexpr std::array<std::string_view, 6> kSuffixes = {
      "Telecom", "Energie", "Banque", "Airlines", "Store", "Assurances"};
  for (size_t i = catalog.brands.size(); i < count; ++i) {
    Brand b;
    const std::string base = MadeUpName(rng) + std::to_string(i);
    b.name = base + " " + std::string(kSuffixes[i % kSuffixes.size()]);
    b.aliases.push_back(base);
    std::string lower = base;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    b.handles.push_back("@" + lower);
    b.domains.push_back(lower + ".example");
    catalog.brands.push_back(std::move(b));
  }
  return catalog;
}

std::string GenerateShortPosts(size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    const bool french = rng() % 2 == 0;
    const auto& sentences = french ? kFrenchSentences : kEnglishSentences;
    std::string text = Fill(sentences[rng() % sentences.size()], rng() % kBrands.size());
    if (rng() % 3 == 0) {
      text += ' ';
      text += Fill(sentences[rng() % sentences.size()], rng() % kBrands.size());
    }
    out += "{\"id\": \"s" + std::to_string(i) + "\", \"text\": ";
    AppendJsonString(text, out);
    out += "}\n";
  }
  return out;
}

std::string GenerateConversations(size_t count, unsigned seed) {
  static constexpr std::array<std::string_view, 4> kReplies = {
      "Bonjour, nous sommes désolés. Pouvez-vous nous écrire en message privé ?",
      "Hello, sorry to hear that. Please DM us your order number.",
      "Bonjour, votre dossier est transmis au service concerné.",
      "Hi, we have escalated this to our team and will get back to you today."};
  constexpr int64_t kStart = 1767225600;  // 2026-01-01T00:00:00Z
  constexpr int64_t kSpan = int64_t{90} * 86400;
  std::mt19937 rng(seed);
  std::array<std::string, kBrands.size()> last_post;  // a brand's latest customer post
  const size_t customers = count / 4 + 1;
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    const int64_t at = kStart + static_cast<int64_t>(i) * kSpan / static_cast<int64_t>(count);
    const size_t brand = rng() % kBrands.size();
    const bool is_reply = rng() % 5 == 0 && !last_post[brand].empty();
    std::string text;
    std::string author;
    if (is_reply) {
      text = std::string(kReplies[rng() % kReplies.size()]);
      author = std::string(kHandles[brand]);
    } else {
      const bool french = rng() % 2 == 0;
      const auto& sentences = french ? kFrenchSentences : kEnglishSentences;
      text = Fill(sentences[rng() % sentences.size()], brand);
      author = "@user" + std::to_string(rng() % customers);
    }
    out += "{\"id\": \"c" + std::to_string(i) + "\", \"author\": {\"handle\": ";
    AppendJsonString(author, out);
    out += "}, \"published_at\": ";
    AppendJsonString(FormatRfc3339(at), out);
    if (is_reply) {
      out += ", \"parent_id\": ";
      AppendJsonString(last_post[brand], out);
    } else {
      last_post[brand] = "c" + std::to_string(i);
    }
    out += ", \"text\": ";
    AppendJsonString(text, out);
    out += "}\n";
  }
  return out;
}

std::string GenerateBlogPosts(size_t count, size_t blog_bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    const bool french = rng() % 4 != 0;
    const auto& sentences = french ? kFrenchSentences : kEnglishSentences;
    const size_t brand = rng() % kBrands.size();
    std::string text;
    while (text.size() < blog_bytes) {
      for (int k = 0; k < 4 && text.size() < blog_bytes; ++k) {
        const size_t b = rng() % 5 == 0 ? rng() % kBrands.size() : brand;
        text += Fill(sentences[rng() % sentences.size()], b);
        text += ' ';
      }
      text += "\n\n";
    }
    out += "{\"id\": \"b" + std::to_string(i) + "\", \"title\": \"Billet " + std::to_string(i) +
           "\", \"text\": ";
    AppendJsonString(text, out);
    out += "}\n";
  }
  return out;
}

}  // namespace ecoute::cli
