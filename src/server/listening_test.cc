// From a brand to its listening, the pure part: hashtags and search terms derived from a
// brand, templates filled, proposals marked accepted by the watched sources, the [listen]
// settings.
#include "server/listening.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/config.h"

namespace ecoute::server {
namespace {

// As Lexicon::common_words: normalized, sorted.
const std::vector<std::string> kCommon = {"free", "orange", "total"};

Brand Make(std::string name, std::vector<std::string> aliases, std::vector<std::string> handles) {
  Brand b;
  b.name = std::move(name);
  b.aliases = std::move(aliases);
  b.handles = std::move(handles);
  return b;
}

std::vector<std::string> Values(const std::vector<BrandTerm>& terms) {
  std::vector<std::string> out;
  out.reserve(terms.size());
  for (const BrandTerm& t : terms) out.push_back(t.value);
  return out;
}

TEST(ListeningTest, HashtagsComeFromTheNameTheAliasesAndTheHandles) {
  const Brand bouygues =
      Make("Bouygues Telecom", {"Bouygues Télécom", "Bouygues", "BT"}, {"@bouyguestelecom"});
  const std::vector<BrandTerm> tags = BrandHashtags(bouygues, kCommon);
  // "Bouygues Télécom" folds to the name's tag, "BT" is too short and in capitals, the
  // handle is the name's tag again.
  EXPECT_EQ(Values(tags), (std::vector<std::string>{"bouyguestelecom", "bouygues"}));
  EXPECT_EQ(tags[0].kind, "name");
  EXPECT_EQ(tags[0].from, "Bouygues Telecom");
  EXPECT_EQ(tags[1].kind, "alias");

  const Brand sncf =
      Make("SNCF Connect", {}, {"@sncf", "@sncf.bsky.social", "@sncf@mastodon.social"});
  const std::vector<BrandTerm> sncf_tags = BrandHashtags(sncf, kCommon);
  EXPECT_EQ(Values(sncf_tags), (std::vector<std::string>{"sncfconnect", "sncf"}));
  EXPECT_EQ(sncf_tags[1].kind, "handle");
  EXPECT_EQ(sncf_tags[1].from, "@sncf");

  const Brand voltaire =
      Make("Voltaire Énergie", {"Voltaire Energie", "Voltaire", "d'Voltaire-Énergie"},
           {"@voltaire_energie"});
  EXPECT_EQ(Values(BrandHashtags(voltaire, kCommon)),
            (std::vector<std::string>{"voltaireenergie", "voltaire", "dvoltaireenergie"}));
}

TEST(ListeningTest, CommonWordsPhrasesShortAndNumericTagsAreLeftOut) {
  // A common word, as a name and as a handle; a handle made of more than the word is kept.
  const Brand orange = Make("Orange", {}, {"@orange", "@orange_conseil"});
  EXPECT_EQ(Values(BrandHashtags(orange, kCommon)), (std::vector<std::string>{"orangeconseil"}));
  // A brand flagged common_word: its one-word names are common words, not its phrases.
  Brand free = Make("Free", {"Free Mobile", "Freebox"}, {});
  free.is_common_word = true;
  EXPECT_EQ(Values(BrandHashtags(free, kCommon)), (std::vector<std::string>{"freemobile"}));
  // More than three words is a phrase; two characters, or only digits, no tag.
  const Brand valrose =
      Make("Thermes de Valrose", {"les thermes de Valrose", "TV", "ab", "1664"}, {"@12", "@x"});
  EXPECT_EQ(Values(BrandHashtags(valrose, kCommon)),
            (std::vector<std::string>{"thermesdevalrose"}));
}

TEST(ListeningTest, SearchTermsAreTheNameAndTheAliasesEachOnce) {
  const Brand bouygues =
      Make("Bouygues Telecom", {"Bouygues Télécom", "bouygues telecom", "Bouygues", "BT"}, {});
  const std::vector<BrandTerm> queries = BrandQueries(bouygues, kCommon);
  EXPECT_EQ(Values(queries), (std::vector<std::string>{"Bouygues Telecom", "Bouygues"}));
  EXPECT_EQ(queries[0].kind, "name");
  EXPECT_EQ(queries[1].kind, "alias");
  // The name is searched even when it is a common word; a common alias is not.
  const Brand orange = Make("Orange", {"Total", "Orange France"}, {});
  EXPECT_EQ(Values(BrandQueries(orange, kCommon)),
            (std::vector<std::string>{"Orange", "Orange France"}));
}

TEST(ListeningTest, TemplatesAreFilledWithTheTermEncodedAndQuotedWhenAPhrase) {
  EXPECT_EQ(EncodeSearchTerm("Jeanerie"), "Jeanerie");
  EXPECT_EQ(EncodeSearchTerm("Bouygues Telecom"), "%22Bouygues%20Telecom%22");
  EXPECT_EQ(EncodeSearchTerm("Lunéa"), "Lun%C3%A9a");
  EXPECT_EQ(EncodeSearchTerm("a&b=c/d"), "a%26b%3Dc%2Fd");
  EXPECT_EQ(FillTemplate("https://news.example/rss?q={query}&hl=fr", "Bouygues Telecom"),
            "https://news.example/rss?q=%22Bouygues%20Telecom%22&hl=fr");
  EXPECT_EQ(FillTemplate("https://s.example/{query}/feed?also={query}", "Lunéa"),
            "https://s.example/Lun%C3%A9a/feed?also=Lun%C3%A9a");
  EXPECT_EQ(FillTemplate("https://s.example/feed", "x"), "https://s.example/feed");
}

ListenOptions Options() {
  ListenOptions o;
  o.jetstream_url = "wss://jetstream.example/subscribe";
  o.mastodon_instances = {"https://piaille.fr"};
  o.bluesky_search_url = "https://bsky.example/xrpc/app.bsky.feed.searchPosts";
  o.backfill_limit = 250;
  o.backfill_days = 3;
  return o;
}

WatchedSource Watched(int64_t id, std::string url, std::string format) {
  WatchedSource s;
  s.id = id;
  s.url = std::move(url);
  s.format = std::move(format);
  return s;
}

TEST(ListeningTest, ProposalsOfEveryKindAreMarkedAcceptedWhenWatched) {
  const Brand bouygues = Make("Bouygues Telecom", {"Bouygues", "BT"}, {"@bouyguestelecom"});
  FeedTemplate news;
  news.id = 1;
  news.name = "News";
  news.url_template = "https://news.example/rss?q={query}";
  FeedTemplate off = news;
  off.id = 2;
  off.name = "Off";
  off.url_template = "https://off.example/rss?q={query}";
  off.enabled = false;
  // Twice the first template: its URLs are proposed once.
  const std::vector<FeedTemplate> templates = {news, off, news};
  const std::vector<WatchedSource> watched = {
      Watched(7, "wss://other-jetstream.example/subscribe", "jetstream"),
      Watched(8, "https://news.example/rss?q=Bouygues", "feed"),
      Watched(9, "https://piaille.fr/api/v1/streaming/hashtag?tag=bouygues", "mastodon_stream")};
  const std::vector<Proposal> proposals =
      ProposeSources(bouygues, Options(), templates, watched, kCommon);
  std::vector<std::string> urls;
  urls.reserve(proposals.size());
  for (const Proposal& p : proposals) urls.push_back(p.url);
  const std::string search = "https://bsky.example/xrpc/app.bsky.feed.searchPosts";
  EXPECT_EQ(urls, (std::vector<std::string>{
                      "wss://other-jetstream.example/subscribe",
                      "https://piaille.fr/api/v1/streaming/hashtag?tag=bouyguestelecom",
                      "https://piaille.fr/api/v1/streaming/hashtag?tag=bouygues",
                      "https://news.example/rss?q=%22Bouygues%20Telecom%22",
                      "https://news.example/rss?q=Bouygues",
                      search + "?q=%22Bouygues%20Telecom%22&limit=100&sort=latest",
                      search + "?q=Bouygues&limit=100&sort=latest",
                      "https://piaille.fr/api/v1/timelines/tag/bouyguestelecom?limit=40",
                      "https://piaille.fr/api/v1/timelines/tag/bouygues?limit=40"}));
  // The network's stream: one for all brands, accepted through the Jetstream source there is.
  EXPECT_EQ(proposals[0].kind, "jetstream");
  EXPECT_EQ(proposals[0].brand, "");
  EXPECT_TRUE(proposals[0].accepted);
  EXPECT_EQ(proposals[0].source_id, 7);
  EXPECT_EQ(proposals[1].kind, "mastodon_stream");
  EXPECT_FALSE(proposals[1].accepted);
  EXPECT_EQ(proposals[1].brand, "Bouygues Telecom");
  EXPECT_EQ(proposals[1].reason_code, "hashtag");
  EXPECT_EQ(proposals[1].params.at("from"), "Bouygues Telecom");
  EXPECT_EQ(proposals[1].params.at("from_kind"), "name");
  EXPECT_EQ(proposals[1].params.at("instance"), "piaille.fr");
  EXPECT_TRUE(proposals[2].accepted);
  EXPECT_EQ(proposals[2].source_id, 9);
  EXPECT_EQ(proposals[3].kind, "feed");
  EXPECT_EQ(proposals[3].format, "feed");
  EXPECT_EQ(proposals[3].label, "News: Bouygues Telecom");
  EXPECT_FALSE(proposals[3].accepted);
  EXPECT_EQ(proposals[4].source_id, 8);
  EXPECT_EQ(proposals[5].kind, "backfill");
  EXPECT_EQ(proposals[5].format, "bluesky");
  EXPECT_EQ(proposals[7].format, "mastodon");
  EXPECT_EQ(proposals[7].params.at("days"), "3");
}

TEST(ListeningTest, NothingConfiguredProposesTheTemplatesOnly) {
  ListenOptions o;
  o.jetstream_url = "";
  o.bluesky_search_url = "";
  FeedTemplate t;
  t.name = "News";
  t.url_template = "https://news.example/rss?q={query}";
  const std::vector<Proposal> proposals =
      ProposeSources(Make("Jeanerie", {"La Jeanerie"}, {"@jeanerie"}), o, {t}, {}, kCommon);
  ASSERT_EQ(proposals.size(), 2u);
  EXPECT_EQ(proposals[1].url, "https://news.example/rss?q=%22La%20Jeanerie%22");
  EXPECT_EQ(proposals[1].params.at("from_kind"), "alias");
}

TEST(ListeningTest, BackfillPagesCarryTheirDateAndCursor) {
  Proposal bluesky;
  bluesky.format = "bluesky";
  bluesky.url = "https://bsky.example/xrpc/app.bsky.feed.searchPosts?q=Jeanerie&limit=100";
  EXPECT_EQ(BackfillPageUrl(bluesky, 1795600000, ""),
            bluesky.url + "&since=2026-11-25T09%3A46%3A40Z");
  EXPECT_EQ(BackfillPageUrl(bluesky, 1795600000, "abc/2"),
            bluesky.url + "&since=2026-11-25T09%3A46%3A40Z&cursor=abc%2F2");
  Proposal mastodon;
  mastodon.format = "mastodon";
  mastodon.url = "https://piaille.fr/api/v1/timelines/tag/jeanerie?limit=40";
  EXPECT_EQ(BackfillPageUrl(mastodon, 1795600000, ""), mastodon.url);
  EXPECT_EQ(BackfillPageUrl(mastodon, 1795600000, "1130"), mastodon.url + "&max_id=1130");
}

TEST(ListeningTest, MastodonInstancesAreHostsOrBaseUrls) {
  Result<std::vector<std::string>> read =
      ParseMastodonInstances({"Piaille.fr", "http://127.0.0.1:8080/", "https://piaille.fr"});
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(*read, (std::vector<std::string>{"https://piaille.fr", "http://127.0.0.1:8080"}));
  for (const std::string bad : {"https://piaille.fr/about", "ftp://piaille.fr",
                                "https://u:p@piaille.fr", "piaille.fr?x=1", ""}) {
    EXPECT_FALSE(ParseMastodonInstances({bad})) << bad;
  }
}

TEST(ListeningTest, TheListenSectionIsReadAndChecked) {
  Result<ServerConfig> defaults =
      LoadServerConfig("", [](const char*) -> const char* { return nullptr; });
  ASSERT_TRUE(defaults) << defaults.error().ToString();
  EXPECT_EQ(defaults->listening.jetstream_url, "wss://jetstream2.us-east.bsky.network/subscribe");
  EXPECT_TRUE(defaults->listening.mastodon_instances.empty());
  EXPECT_EQ(defaults->listening.bluesky_search_url,
            "https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts");
  EXPECT_EQ(defaults->listening.backfill_limit, 100);
  EXPECT_EQ(defaults->listening.backfill_days, 7);

  const std::string path =
      (std::filesystem::temp_directory_path() / "ecoute-listen-test.toml").string();
  std::ofstream(path) << "[listen]\nmastodon_instances = [\"piaille.fr\", \"mamot.fr\"]\n"
                         "backfill_limit = 300\nbackfill_days = 2\njetstream_url = \"\"\n";
  Result<ServerConfig> config = LoadServerConfig(path, [](const char* name) -> const char* {
    return std::string(name) == "ECOUTE_LISTEN_BACKFILL_DAYS" ? "5" : nullptr;
  });
  ASSERT_TRUE(config) << config.error().ToString();
  EXPECT_EQ(config->listening.mastodon_instances,
            (std::vector<std::string>{"https://piaille.fr", "https://mamot.fr"}));
  EXPECT_EQ(config->listening.backfill_limit, 300);
  EXPECT_EQ(config->listening.backfill_days, 5);
  EXPECT_EQ(config->listening.jetstream_url, "");

  std::ofstream(path) << "[listen]\nbackfill_limit = 5000\n";
  Result<ServerConfig> refused =
      LoadServerConfig(path, [](const char*) -> const char* { return nullptr; });
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("listen.backfill_limit"), std::string::npos);
  std::ofstream(path) << "[listen]\nmastodon_instances = [\"https://piaille.fr/about\"]\n";
  refused = LoadServerConfig(path, [](const char*) -> const char* { return nullptr; });
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("listen.mastodon_instances"), std::string::npos)
      << refused.error().message();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ecoute::server
