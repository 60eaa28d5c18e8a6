// `ecoute bench firehose`: a loopback Jetstream replays generated events, as the real
// network writes them (posts in many languages, replies, links, a few deletes and identity
// events, about 2 % of the posts naming a brand of a generated catalog), to a service's
// own Jetstream stream: WebSocket client, parser, analyzer and SQLite store with its cases.
// Prints events/s, posts matched and stored/s, and the process's memory over time.
#include "bench_firehose.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "ecoute/firehose.h"
#include "ecoute/json_string.h"

#include "commands.h"
#include "corpus.h"

namespace ecoute::cli {
namespace {

struct Language {
  std::string_view code;
  int weight;  // share of the posts, in percent
  std::array<std::string_view, 4> chatter;
  std::array<std::string_view, 3> complaints;  // {B}: a brand
};

// Bluesky's posts are mostly English, then Japanese and Portuguese, with a long tail.
constexpr std::array<Language, 6> kLanguages = {{
    {"en",
     45,
     {"just finished my coffee and the sun is out, good morning everyone",
      "this thread about the history of maps is fascinating, highly recommend",
      "anyone else watching the game tonight? what a comeback",
      "new drawing today, still learning how to do hands properly"},
     {"{B} charged me twice this month and support keeps hanging up on me",
      "three weeks and my {B} order still has not shipped, this is ridiculous",
      "thank you {B} for fixing my account so fast, great support"}},
    {"ja",
     15,
     {"今日はとても良い天気ですね、散歩に行きました", "新しい本を読み始めました、面白いです",
      "ラーメンを食べに行きました、最高でした", "仕事が終わった、疲れたけど頑張った"},
     {"{B}のサポートに三回電話したけど返事がない", "{B}の配達がまた遅れている、困ります",
      "{B}さん、迅速な対応ありがとうございました"}},
    {"pt",
     15,
     {"bom dia a todos, hoje o dia está lindo aqui", "alguém mais assistindo a novela de hoje?",
      "terminei o livro que estava lendo, recomendo muito", "fim de semana chegando, finalmente"},
     {"a {B} me cobrou duas vezes e ninguém resolve nada", "pedido da {B} atrasado há três semanas",
      "obrigado {B} pelo atendimento rápido, problema resolvido"}},
    {"fr",
     10,
     {"belle journée à Lyon aujourd'hui, enfin du soleil",
      "quelqu'un a vu le dernier film de Varda ?", "je teste une nouvelle recette de tarte ce soir",
      "le marché du samedi matin, un vrai bonheur"},
     {"{B} m'a facturé deux fois et le service client ne répond pas",
      "toujours pas de remboursement de {B} après un mois, inadmissible",
      "merci {B} pour la réponse rapide, tout est réglé"}},
    {"de",
     8,
     {"endlich Wochenende, ich gehe wandern", "der Zug war heute pünktlich, ein Wunder",
      "neues Rezept ausprobiert, sehr lecker", "guten Morgen aus Berlin"},
     {"{B} hat mir doppelt abgebucht und niemand hilft", "seit zwei Wochen kein Internet bei {B}",
      "danke {B} für die schnelle Hilfe"}},
    {"es",
     7,
     {"buenos días, hoy hace un día precioso", "alguien sabe un buen libro para el verano?",
      "terminé mi proyecto por fin, qué alivio", "el concierto de anoche fue increíble"},
     {"{B} me cobró dos veces y nadie responde", "mi pedido de {B} lleva tres semanas de retraso",
      "gracias {B} por resolverlo tan rápido"}},
}};

std::string Fill(std::string_view pattern, std::string_view brand) {
  std::string out(pattern);
  const size_t at = out.find("{B}");
  if (at != std::string::npos) out.replace(at, 3, brand);
  return out;
}

// Authors of posts naming a brand are did:plc:brand<event index>; the others did:plc:bench<n>.
constexpr size_t kBrandAuthors = size_t{1} << 40;
std::string Did(size_t n) {
  return n >= kBrandAuthors ? "did:plc:brand" + std::to_string(n - kBrandAuthors)
                            : "did:plc:bench" + std::to_string(n);
}
std::string Rkey(size_t n) { return "3l" + std::to_string(1000000 + n); }

// One event's JSON.
void AppendPost(std::string& out, size_t author, size_t n, int64_t time_us, std::string_view text,
                std::string_view lang, const std::string* parent, bool link) {
  out += "{\"did\":\"" + Did(author) + "\",\"time_us\":" + std::to_string(time_us) +
         ",\"kind\":\"commit\",\"commit\":{\"rev\":\"3l3qo2vutsw2b\",\"operation\":\"create\","
         "\"collection\":\"app.bsky.feed.post\",\"rkey\":\"" +
         Rkey(n) + "\",\"record\":{\"$type\":\"app.bsky.feed.post\",\"text\":";
  AppendJsonString(text, out);
  out += ",\"createdAt\":\"2026-12-07T21:00:00.000Z\",\"langs\":[\"" + std::string(lang) + "\"]";
  if (parent != nullptr) {
    out += ",\"reply\":{\"root\":{\"uri\":\"" + *parent +
           "\",\"cid\":\"bafyroot\"},\"parent\":{\"uri\":\"" + *parent +
           "\",\"cid\":\"bafyparent\"}}";
  }
  if (link) {
    out +=
        ",\"facets\":[{\"index\":{\"byteStart\":0,\"byteEnd\":4},\"features\":[{\"$type\":"
        "\"app.bsky.richtext.facet#link\",\"uri\":\"https://news.example/a/" +
        std::to_string(n % 997) + "\"}]}]";
  }
  out += "},\"cid\":\"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi\"}}";
}

// `count` events from `first_time_us`, a microsecond or more apart.
std::vector<std::string> GenerateEvents(size_t count, const BrandCatalog& catalog,
                                        double brand_share, int64_t first_time_us) {
  std::mt19937_64 rng(2026);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<std::string> events;
  events.reserve(count);
  std::vector<std::string> recent;  // parents for replies
  for (size_t n = 0; n < count; ++n) {
    const int64_t time_us = first_time_us + static_cast<int64_t>(n) * 50;
    const size_t author = rng() % 200000;
    std::string event;
    const double kind = unit(rng);
    if (kind < 0.02) {  // a delete
      event = "{\"did\":\"" + Did(author) + "\",\"time_us\":" + std::to_string(time_us) +
              ",\"kind\":\"commit\",\"commit\":{\"rev\":\"3l3f6nzl3cv2s\",\"operation\":"
              "\"delete\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"" +
              Rkey(n) + "\"}}";
    } else if (kind < 0.03) {  // an identity event
      event = "{\"did\":\"" + Did(author) + "\",\"time_us\":" + std::to_string(time_us) +
              ",\"kind\":\"identity\",\"identity\":{\"did\":\"" + Did(author) +
              "\",\"handle\":\"user" + std::to_string(author) +
              ".bsky.social\",\"seq\":1409752997,\"time\":\"2026-12-07T21:00:00.000Z\"}}";
    } else {
      int pick = static_cast<int>(rng() % 100);
      const Language* language = &kLanguages[0];
      for (const Language& l : kLanguages) {
        if (pick < l.weight) {
          language = &l;
          break;
        }
        pick -= l.weight;
      }
      std::string text;
      size_t writer = author;
      if (unit(rng) < brand_share) {
        // Its own author, so that the case it opens tells which event it was.
        writer = kBrandAuthors + n;
        const Brand& brand = catalog.brands[rng() % catalog.brands.size()];
        const std::string& name = brand.aliases.empty() ? brand.name : brand.aliases.front();
        text = Fill(language->complaints[rng() % language->complaints.size()], name);
      } else {
        text = std::string(language->chatter[rng() % language->chatter.size()]);
      }
      const bool reply = !recent.empty() && unit(rng) < 0.3;
      const std::string* parent = reply ? &recent[rng() % recent.size()] : nullptr;
      AppendPost(event, writer, n, time_us, text, language->code, parent, unit(rng) < 0.1);
      std::string uri = "at://" + Did(writer) + "/app.bsky.feed.post/" + Rkey(n);
      if (recent.size() < 5000) {
        recent.push_back(std::move(uri));
      } else {
        recent[rng() % recent.size()] = std::move(uri);
      }
    }
    events.push_back(std::move(event));
  }
  return events;
}

void WriteCatalog(const BrandCatalog& catalog, const std::string& path) {
  std::ofstream out(path);
  const auto list = [&](const std::vector<std::string>& items) {
    std::string s = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) s += ", ";
      AppendJsonString(items[i], s);
    }
    return s + "]";
  };
  for (const Brand& b : catalog.brands) {
    std::string name;
    AppendJsonString(b.name, name);
    out << "[[brand]]\nname = " << name << "\naliases = " << list(b.aliases)
        << "\nhandles = " << list(b.handles) << "\ndomains = " << list(b.domains) << "\n\n";
  }
}

}  // namespace

int RunFirehoseBenchCommand(const FirehoseCliOptions& options) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ecoute-firehose-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const BrandCatalog catalog = GenerateCatalog(options.brands);
  FirehoseBenchOptions run;
  run.brands_path = (dir / "brands.toml").string();
  WriteCatalog(catalog, run.brands_path);
  run.db_path = options.db.empty() ? (dir / "firehose.db").string() : options.db;
  run.data_dir = options.data_dir;
  run.no_model = options.no_model;
  run.events_per_second = options.rate;
  size_t count = options.events;
  if (options.seconds > 0 && options.rate > 0) {
    count = static_cast<size_t>(options.seconds * options.rate);
  }
  constexpr int64_t kFirst = 1796000000000000;  // 2026-12-10, in microseconds
  run.events = GenerateEvents(count, catalog, options.brand_share, kFirst);
  run.last_time_us = kFirst + static_cast<int64_t>(count - 1) * 50;
  size_t bytes = 0;
  for (const std::string& e : run.events) bytes += e.size();
  std::printf("%zu events (%.1f MB of JSON), %zu brands, %.1f %% of posts naming one%s\n", count,
              static_cast<double>(bytes) / 1e6, catalog.brands.size(), options.brand_share * 100,
              options.rate > 0 ? "" : ", replayed as fast as they are read");
  std::printf("%8s %12s %10s %10s\n", "seconds", "events", "matched", "RSS MiB");
  double next_print = 0;
  Result<FirehoseBenchResult> result = RunFirehoseBench(run, [&](const FirehoseSample& s) {
    if (s.seconds < next_print) return;
    next_print = s.seconds + (options.seconds > 20 ? 10 : 1);
    const std::string state = s.state == "connected" ? "" : "  " + s.state + " " + s.last_error;
    std::printf("%8.1f %12lld %10lld %10.1f%s\n", s.seconds, static_cast<long long>(s.events),
                static_cast<long long>(s.matched), s.rss_mib, state.c_str());
    std::fflush(stdout);
  });
  if (options.db.empty()) std::filesystem::remove_all(dir);
  if (!result) {
    PrintError(result.error().message());
    return ExitCodeFor(result.error());
  }
  const FirehoseBenchResult& r = *result;
  std::printf(
      "\nevents read, parsed and matched: %.0f/s (%lld in %.2f s, %lld malformed)\n"
      "posts matched and stored:        %.0f/s (%lld; store: %lld posts, %lld cases)\n"
      "peak resident memory:            %.1f MiB\n",
      static_cast<double>(r.events) / r.seconds, static_cast<long long>(r.events), r.seconds,
      static_cast<long long>(r.malformed), static_cast<double>(r.matched) / r.seconds,
      static_cast<long long>(r.matched), static_cast<long long>(r.posts_stored),
      static_cast<long long>(r.cases), r.peak_rss_mib);
  if (!r.case_delays_seconds.empty()) {
    std::vector<double> delays = r.case_delays_seconds;
    std::sort(delays.begin(), delays.end());
    const auto at = [&](double p) {
      return delays[std::min(delays.size() - 1,
                             static_cast<size_t>(p * static_cast<double>(delays.size())))];
    };
    std::printf(
        "event sent -> case on the live updates: p50 %.0f ms, p99 %.0f ms, max %.0f ms (%zu "
        "cases)\n",
        at(0.5) * 1000, at(0.99) * 1000, delays.back() * 1000, delays.size());
  }
  return kExitOk;
}

}  // namespace ecoute::cli
