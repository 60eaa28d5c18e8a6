// The listening API: a brand's proposals and who sees them, accepting them into watched
// sources, the search back-fill against a loopback Bluesky search and Mastodon instance
// (posts stored once however often it runs), and the feed templates' checks.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fetch/testing_http_server.h"
#include "server/listening.h"
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

using nlohmann::json;

// A post view as app.bsky.feed.searchPosts answers it.
json BlueskyPost(const std::string& rkey, const std::string& created_at, const std::string& text) {
  return {{"uri", "at://did:plc:x4k2vq7l3mzq5a/app.bsky.feed.post/" + rkey},
          {"cid", "bafyreih2k5" + rkey},
          {"author",
           {{"did", "did:plc:x4k2vq7l3mzq5a"},
            {"handle", "marie-l.bsky.social"},
            {"displayName", "Marie L."},
            {"avatar", "https://cdn.bsky.app/img/avatar/plain/did:plc:x4k2vq7l3mzq5a/a@jpeg"},
            {"labels", json::array()},
            {"createdAt", "2024-02-03T10:11:12.000Z"}}},
          {"record",
           {{"$type", "app.bsky.feed.post"},
            {"createdAt", created_at},
            {"langs", {"fr"}},
            {"text", text}}},
          {"replyCount", 0},
          {"repostCount", 1},
          {"likeCount", 3},
          {"quoteCount", 0},
          {"indexedAt", created_at},
          {"labels", json::array()}};
}

// A status as /api/v1/timelines/tag/:hashtag answers it.
json MastodonStatus(const std::string& id, const std::string& created_at, const std::string& html) {
  return {{"id", id},
          {"created_at", created_at},
          {"in_reply_to_id", nullptr},
          {"in_reply_to_account_id", nullptr},
          {"sensitive", false},
          {"spoiler_text", ""},
          {"visibility", "public"},
          {"language", "fr"},
          {"uri", "https://piaille.example/users/paul/statuses/" + id},
          {"url", "https://piaille.example/@paul/" + id},
          {"replies_count", 0},
          {"reblogs_count", 0},
          {"favourites_count", 2},
          {"edited_at", nullptr},
          {"content", html},
          {"reblog", nullptr},
          {"account",
           {{"id", "109384"},
            {"username", "paul"},
            {"acct", "paul@piaille.example"},
            {"display_name", "Paul"},
            {"url", "https://piaille.example/@paul"},
            {"followers_count", 41}}},
          {"media_attachments", json::array()},
          {"mentions", json::array()},
          {"tags", {{{"name", "jeanerie"}, {"url", "https://piaille.example/tags/jeanerie"}}}},
          {"emojis", json::array()},
          {"card", nullptr},
          {"poll", nullptr}};
}

// kNow is 2026-11-25 09:46:40 UTC: "recent" is the day before, "old" a month before.
constexpr const char* kRecent = "2026-11-24T10:00:00.000Z";
constexpr const char* kOld = "2026-10-20T10:00:00.000Z";

testing::HttpResponse Json(const json& body, int status = 200) {
  testing::HttpResponse r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  r.body = body.dump();
  return r;
}

// Bluesky's search and a Mastodon instance, on loopback.
testing::HttpResponse FakeNetwork(const testing::HttpRequest& request) {
  const std::string& path = request.path;
  if (path.starts_with("/xrpc/app.bsky.feed.searchPosts?q=Jeanerie&")) {
    if (path.find("&since=2026-11-18T09%3A46%3A40Z") == std::string::npos) return Json({}, 400);
    if (path.find("&cursor=p2") == std::string::npos) {
      return Json({{"posts",
                    {BlueskyPost("3lbzk1", kRecent,
                                 "Commande Jeanerie jamais arrivée, zorglub, c'est honteux"),
                     BlueskyPost("3lbzk2", kRecent, "Un jean trop court, zorglub")}},
                   {"cursor", "p2"},
                   {"hitsTotal", 4}});
    }
    return Json({{"posts",
                  {BlueskyPost("3lbzk3", kRecent, "@jeanerie toujours pas remboursée, zorglub"),
                   BlueskyPost("3lbzk0", kOld, "Jeanerie, ancien souci zorglub")}},
                 {"hitsTotal", 4}});
  }
  if (path.starts_with("/xrpc/app.bsky.feed.searchPosts?q=%22La%20Jeanerie%22&")) {
    return Json({{"posts", json::array()}, {"hitsTotal", 0}});
  }
  if (path == "/api/v1/timelines/tag/jeanerie?limit=40") {
    return Json(
        {MastodonStatus("113500000000000002", kRecent,
                        "<p>Ma commande chez Jeanerie n’est jamais arrivée, zorglub <a "
                        "href=\"https://piaille.example/tags/jeanerie\" class=\"mention "
                        "hashtag\" rel=\"tag\">#<span>jeanerie</span></a></p>"),
         MastodonStatus("113400000000000001", kOld, "<p>Jeanerie zorglub, il y a un mois</p>")});
  }
  if (path.starts_with("/xrpc/app.bsky.feed.searchPosts?q=%22Lisbon%20Air%22&")) {
    return Json({{"posts",
                  {BlueskyPost("3lbzl1", kRecent,
                               "Lisbon Air a perdu ma valise à Porto, vortigaunt, aucune réponse"),
                   BlueskyPost("3lbzl2", kRecent, "Lisbon, vortigaunt, quelle belle ville")}},
                 {"hitsTotal", 2}});
  }
  if (path.starts_with("/api/v1/timelines/tag/lajeanerie")) {
    return Json({{"error", "This method requires an authenticated user"}}, 503);
  }
  return Json({{"error", "Record not found"}}, 404);
}

class ListeningApiTest : public ApiTest {
 protected:
  void Adjust(ServerConfig& config) override {
    config.listening.jetstream_url = "ws://127.0.0.1:9/subscribe";
    config.listening.bluesky_search_url = network_.Url("/xrpc/app.bsky.feed.searchPosts");
    config.listening.mastodon_instances = {network_.Url("")};
    config.listening.backfill_limit = 150;  // two pages of Bluesky's 100
    config.listening.backfill_days = 7;
  }

  std::string Instance() const { return network_.Url(""); }

  // The brand's last back-fill, once it has ended.
  json FinishedBackfill(const std::string& brand) {
    json outcome;
    EXPECT_TRUE(WaitFor([&] {
      outcome = CallJson("admin", "GET", "/api/v1/brands/" + brand + "/listening")["last_backfill"];
      return outcome.is_object() && !outcome["running"].get<bool>();
    }));
    return outcome;
  }

  size_t Hits(const std::string& word) {
    return CallJson("admin", "GET", "/api/v1/posts?q=" + word + "&limit=200")["hits"].size();
  }

  testing::HttpServer network_{FakeNetwork};
};

std::vector<std::string> UrlsOf(const json& proposals, const std::string& kind) {
  std::vector<std::string> out;
  for (const json& p : proposals) {
    if (p["kind"] == kind) out.push_back(p["url"]);
  }
  return out;
}

TEST_F(ListeningApiTest, ABrandsProposalsAreShownToItsManagers) {
  const json listening = CallJson("manager_j", "GET", "/api/v1/brands/jeanerie/listening");
  EXPECT_EQ(listening["brand"], "Jeanerie");
  const json& proposals = listening["proposals"];
  EXPECT_EQ(UrlsOf(proposals, "jetstream"),
            (std::vector<std::string>{"ws://127.0.0.1:9/subscribe"}));
  EXPECT_EQ(UrlsOf(proposals, "mastodon_stream"),
            (std::vector<std::string>{Instance() + "/api/v1/streaming/hashtag?tag=jeanerie",
                                      Instance() + "/api/v1/streaming/hashtag?tag=lajeanerie"}));
  EXPECT_TRUE(UrlsOf(proposals, "feed").empty());  // no template yet
  EXPECT_EQ(UrlsOf(proposals, "backfill").size(), 4u);
  for (const json& p : proposals) {
    EXPECT_FALSE(p["accepted"].get<bool>()) << p.dump();
    EXPECT_FALSE(p["reason"].get<std::string>().empty());
  }
  EXPECT_TRUE(listening["last_backfill"].is_null());
  EXPECT_EQ(listening["mastodon_instances"], json::array({Instance().substr(7)}));
  // Another brand's, or one the catalog lacks, does not exist for them.
  EXPECT_EQ(Call("manager_j", "GET", "/api/v1/brands/Lun%C3%A9a/listening").status, 404);
  EXPECT_EQ(Call("admin", "GET", "/api/v1/brands/Nobody/listening").status, 404);
  EXPECT_EQ(Call("agent_j", "GET", "/api/v1/brands/Jeanerie/listening").status, 403);
  EXPECT_EQ(
      Call("manager_j", "POST", "/api/v1/brands/Jeanerie/listening", R"({"accept":[]})").status,
      403);
}

TEST_F(ListeningApiTest, AcceptedProposalsAreWatchedAndTheBackfillStoresPostsOnce) {
  const std::string stream = Instance() + "/api/v1/streaming/hashtag?tag=jeanerie";
  const std::string search =
      network_.Url("/xrpc/app.bsky.feed.searchPosts?q=Jeanerie&limit=100&sort=latest");
  const json accepted =
      CallJson("admin", "POST", "/api/v1/brands/Jeanerie/listening",
               json({{"accept", {stream, "ws://127.0.0.1:9/subscribe", search, stream}}}).dump());
  ASSERT_EQ(accepted["created"].size(), 3u) << accepted.dump();
  EXPECT_EQ(accepted["created"][0]["url"], stream);
  EXPECT_EQ(accepted["created"][0]["format"], "mastodon_stream");
  EXPECT_EQ(accepted["created"][1]["format"], "jetstream");
  EXPECT_EQ(accepted["created"][2]["format"], "bluesky");
  EXPECT_EQ(accepted["backfill"]["queued"], true);
  // Kept with their brand (none for the network's stream) and their origin.
  Result<std::vector<WatchedSource>> sources = app_->watcher().List();
  ASSERT_TRUE(sources);
  ASSERT_EQ(sources->size(), 3u);
  for (const WatchedSource& s : *sources) {
    EXPECT_EQ(s.origin, "proposal") << s.url;
    EXPECT_EQ(s.brand, s.format == "jetstream" ? "" : "Jeanerie") << s.url;
  }

  // Bluesky: two pages for "Jeanerie" (one post names another jean, the last is a month
  // old and ends the search), none for "La Jeanerie"; Mastodon: #jeanerie (one recent, one
  // old), #lajeanerie refused.
  const json first = FinishedBackfill("Jeanerie");
  EXPECT_EQ(first["searches"], 4);
  EXPECT_EQ(first["read"], 6);
  EXPECT_EQ(first["kept"], 3);
  EXPECT_EQ(first["posts"], 3);
  ASSERT_EQ(first["errors"].size(), 1u) << first.dump();
  EXPECT_NE(first["errors"][0].get<std::string>().find("#lajeanerie"), std::string::npos);
  EXPECT_NE(first["errors"][0].get<std::string>().find("503"), std::string::npos);
  EXPECT_FALSE(first["at"].is_null());
  EXPECT_EQ(Hits("zorglub"), 3u);

  // Accepted proposals show it, with their source; accepting them again creates nothing,
  // and the back-fill run again stores nothing new.
  const json listening = CallJson("manager_j", "GET", "/api/v1/brands/Jeanerie/listening");
  for (const json& p : listening["proposals"]) {
    const bool watched = p["url"] == stream || p["url"] == search || p["kind"] == "jetstream";
    EXPECT_EQ(p["accepted"].get<bool>(), watched) << p.dump();
    EXPECT_EQ(p.contains("source_id"), watched) << p.dump();
  }
  const json again = CallJson("admin", "POST", "/api/v1/brands/Jeanerie/listening",
                              json({{"accept", {stream}}}).dump());
  EXPECT_TRUE(again["created"].empty());
  EXPECT_EQ(again["existing"], json::array({accepted["created"][0]["id"]}));
  const json second = FinishedBackfill("Jeanerie");
  EXPECT_EQ(second["kept"], 3);
  EXPECT_EQ(second["posts"], 0);
  EXPECT_EQ(Hits("zorglub"), 3u);
  EXPECT_EQ(app_->watcher().List()->size(), 3u);

  // A manager of another brand sees the network's stream, not Jeanerie's own sources.
  AddUser("manager_l", Role::kManager, {"Lunéa"});
  const json seen = CallJson("manager_l", "GET", "/api/v1/sources")["sources"];
  ASSERT_EQ(seen.size(), 1u) << seen.dump();
  EXPECT_EQ(seen[0]["format"], "jetstream");
  EXPECT_EQ(CallJson("manager_j", "GET", "/api/v1/sources")["sources"].size(), 3u);
}

TEST_F(ListeningApiTest, ABrandAddedThroughTheApiHasItsRecentPastRead) {
  const json added = CallJson("admin", "POST", "/api/v1/brands",
                              json({{"name", "Lisbon Air"}, {"aliases", {"Lisbonne Air"}}}).dump());
  ASSERT_EQ(added["name"], "Lisbon Air") << added.dump();
  // Its names searched on Bluesky and as hashtags on the instance: of the two posts found,
  // the one that names the brand is stored; the other searches find nothing.
  const json outcome = FinishedBackfill("Lisbon%20Air");
  EXPECT_EQ(outcome["posts"], 1) << outcome.dump();
  EXPECT_EQ(Hits("vortigaunt"), 1u);
  EXPECT_TRUE(app_->watcher().List()->empty());  // nothing watched before it is accepted
}

TEST_F(ListeningApiTest, OnlyProposalsAreAccepted) {
  Response r = Call("admin", "POST", "/api/v1/brands/Jeanerie/listening",
                    json({{"accept", {"https://elsewhere.example/feed"}}}).dump());
  EXPECT_EQ(r.status, 400);
  const json error = json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "not_proposed");
  EXPECT_EQ(error["field"], "accept");
  EXPECT_EQ(error["params"]["url"], "https://elsewhere.example/feed");
  r = Call("admin", "POST", "/api/v1/brands/Jeanerie/listening", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "required");
  EXPECT_TRUE(app_->watcher().List()->empty());
}

TEST_F(ListeningApiTest, TemplatesAreCheckedAndFilledForEveryBrand) {
  EXPECT_TRUE(CallJson("admin", "GET", "/api/v1/listening/templates")["templates"].empty());
  const json saved = CallJson(
      "admin", "PUT", "/api/v1/listening/templates",
      json({{"templates",
             {{{"name", "Presse"}, {"url_template", "https://news.example/rss?q={query}&hl=fr"}},
              {{"name", "Forum"},
               {"url_template", "https://forum.example/search.json?q={query}"},
               {"format", "jsonl"},
               {"enabled", false}}}}})
          .dump());
  ASSERT_EQ(saved["templates"].size(), 2u) << saved.dump();
  EXPECT_EQ(saved["templates"][0]["format"], "feed");
  EXPECT_EQ(saved["templates"][0]["enabled"], true);
  EXPECT_EQ(saved["templates"][1]["enabled"], false);
  const json listening = CallJson("admin", "GET", "/api/v1/brands/Jeanerie/listening");
  EXPECT_EQ(UrlsOf(listening["proposals"], "feed"),
            (std::vector<std::string>{"https://news.example/rss?q=Jeanerie&hl=fr",
                                      "https://news.example/rss?q=%22La%20Jeanerie%22&hl=fr"}));

  // Refusals name the template and the field at fault; nothing changes.
  const auto refused = [&](const json& item) {
    Response r = Call("admin", "PUT", "/api/v1/listening/templates",
                      json({{"templates", {saved["templates"][0], item}}}).dump());
    EXPECT_EQ(r.status, 400) << item.dump();
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["params"]["index"], "1") << r.body;
    return error["code"].get<std::string>() + " " + error["field"].get<std::string>();
  };
  EXPECT_EQ(refused({{"name", "x"}, {"url_template", "https://news.example/rss"}}),
            "missing_query url_template");
  EXPECT_EQ(refused({{"name", "x"}, {"url_template", "ftp://news.example/{query}"}}),
            "invalid_url url_template");
  EXPECT_EQ(refused({{"name", "x"}, {"url_template", "http://10.0.0.7/rss?q={query}"}}),
            "url_not_allowed url_template");
  EXPECT_EQ(
      refused(
          {{"name", "x"}, {"url_template", "https://a.example/{query}"}, {"format", "jetstream"}}),
      "unknown_format format");
  EXPECT_EQ(refused({{"id", 999}, {"name", "x"}, {"url_template", "https://a.example/{query}"}}),
            "unknown_template id");
  EXPECT_EQ(refused({{"url_template", "https://a.example/{query}"}}), "required name");
  EXPECT_EQ(refused(saved["templates"][0]), "duplicate_template url_template");
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/listening/templates")["templates"].size(), 2u);

  // Renamed by id, the other dropped.
  json renamed = saved["templates"][0];
  renamed["name"] = "Presse (FR)";
  const json replaced = CallJson("admin", "PUT", "/api/v1/listening/templates",
                                 json({{"templates", {renamed}}}).dump());
  ASSERT_EQ(replaced["templates"].size(), 1u);
  EXPECT_EQ(replaced["templates"][0]["id"], saved["templates"][0]["id"]);
  EXPECT_EQ(replaced["templates"][0]["name"], "Presse (FR)");
  EXPECT_EQ(Call("manager_all", "GET", "/api/v1/listening/templates").status, 403);
}

}  // namespace
}  // namespace ecoute::server
