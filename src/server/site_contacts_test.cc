// Routes from a post's site, end to end: a blog on loopback whose post gives no way to write,
// its home page and contact page do; the post pushed through the API; the case's post then
// carries the site's routes, once per site and day, never past robots.txt or the policy.
#include "server/site_contacts.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "fetch/testing_http_server.h"
#include "server/testing_api.h"

namespace ecoute::server {
namespace {

constexpr const char* kHome = R"(<!DOCTYPE html><html lang="fr"><head><title>Le carnet</title>
</head><body><header><a href="/">Le carnet</a><nav><a href="/contact/">Contact</a></nav></header>
<main><article><h2><a href="/2026/11/colis/">Colis perdu</a></h2><p>Trois semaines que
j'attends, j'ai écrit au service client, sans réponse. Je
raconte tout, avec les dates, les appels et les promesses, dans ce billet un peu long.</p>
</article></main><footer><a href="https://www.youtube.com/@lecarnet">YouTube</a></footer>
</body></html>)";

constexpr const char* kContact = R"(<!DOCTYPE html><html lang="fr"><head><title>Contact</title>
</head><body><main><h1>Contact</h1><p>Écrivez-moi : <a href="mailto:lea@carnet.example">
lea@carnet.example</a>, ou sur <a href="https://www.instagram.com/lecarnet/">Instagram</a>.</p>
</main></body></html>)";

// The blog: its home page, its contact page, and a robots.txt (none unless it disallows all).
struct Blog {
  std::atomic<bool> disallow_all{false};
  testing::HttpServer server{[this](const testing::HttpRequest& request) {
    testing::HttpResponse response;
    response.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    if (request.path == "/robots.txt") {
      response.status = disallow_all ? 200 : 404;
      response.headers = {{"Content-Type", "text/plain"}};
      response.body = disallow_all ? "User-agent: *\nDisallow: /\n" : "";
    } else if (request.path == "/") {
      response.body = kHome;
    } else if (request.path == "/contact/") {
      response.body = kContact;
    } else {
      response.status = 404;
    }
    return response;
  }};
  // The pages asked for, robots.txt left out.
  std::vector<std::string> Pages() {
    std::vector<std::string> pages;
    for (const testing::HttpRequest& r : server.Requests()) {
      if (r.path != "/robots.txt") pages.push_back(r.path);
    }
    return pages;
  }
};

// Polls every 5 ms, for 5 s at most.
bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1000 && !condition(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

class SiteContactsApiTest : public ApiTest {
 protected:
  void Adjust(ServerConfig& config) override {
    config.contacts.enabled = true;
    config.contacts.fetch.timeout_ms = 3'000;
    if (refuse_loopback_) config.contacts.fetch.outbound.allow_private.clear();
  }
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(app_->Start({.http = false, .background = true}).ok());
  }

  // A blog post without author naming `brand` in a complaint, pushed as the HTML reader
  // writes it: its page gave only the site itself.
  void PushArticle(const std::string& path, const std::string& brand) {
    const std::string url = blog_.server.Url(path);
    json post = {{"id", url},
                 {"source", "html"},
                 {"url", url},
                 {"title", "Colis perdu"},
                 {"text", brand + " : commande payée il y a trois semaines, toujours pas livrée, "
                                  "et aucune réponse à mes mails. Je veux être remboursée."},
                 {"contacts", {{{"kind", "website"}, {"value", blog_.server.Url("/")}}}}};
    ASSERT_EQ(Call("admin", "POST", "/api/v1/posts", post.dump()).status, 200);
  }
  // The blog's case about `brand` (the sample's cases have other customers).
  int64_t BlogCase(const std::string& brand) {
    const json cases = CallJson("admin", "GET", "/api/v1/cases?limit=100");
    for (const json& c : cases["cases"]) {
      if (c["brand"] == brand && c["customer"] == "127.0.0.1") return c["id"].get<int64_t>();
    }
    return 0;
  }
  // The contacts of the first post of the blog's case about `brand`.
  json Contacts(const std::string& brand) {
    const json detail =
        CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(BlogCase(brand)));
    return detail.contains("posts") ? detail["posts"][0]["contacts"] : json::array();
  }
  bool Done(int64_t lookups) {
    const SiteContacts::Counters c = app_->site_contacts().counters();
    return app_->site_contacts().idle() && c.lookups >= lookups;
  }

  Blog blog_;
  bool refuse_loopback_ = false;
};

TEST_F(SiteContactsApiTest, TheCaseGetsTheSitesRoutesOncePerSiteAndDay) {
  PushArticle("/2026/11/colis/", "Jeanerie");
  ASSERT_TRUE(Eventually([&] { return Contacts("Jeanerie").size() > 1; }))
      << Contacts("Jeanerie").dump();
  // The home page gave no way to write: its contact page was read too.
  EXPECT_EQ(blog_.Pages(), (std::vector<std::string>{"/", "/contact/"}));
  const std::string site = blog_.server.Url("/");
  EXPECT_EQ(Contacts("Jeanerie"),
            json::parse(R"([{"kind":"email","value":"lea@carnet.example","where":"site"},
              {"kind":"instagram","value":"@lecarnet","where":"site"},
              {"kind":"youtube","value":"https://www.youtube.com/@lecarnet","where":"site"},
              {"kind":"contact_page","value":")" +
                        blog_.server.Url("/contact/") +
                        R"(","where":"site"},
              {"kind":"website","value":")" +
                        site + R"("}])"));
  for (const testing::HttpRequest& r : blog_.server.Requests()) {
    EXPECT_NE(r.headers.at("user-agent").find("ecoute"), std::string::npos);
  }
  // Shown with what they allow.
  const json options = CallJson(
      "admin", "GET", "/api/v1/cases/" + std::to_string(BlogCase("Jeanerie")) + "/reply-options");
  EXPECT_EQ(options["contacts"][0]["kind"], "email");
  EXPECT_EQ(options["contacts"][0]["where"], "site");
  EXPECT_FALSE(options["contacts"].back().contains("where"));  // the page's own website
  // Another post of the site the same day, in another case: the routes, without a fetch.
  PushArticle("/2026/11/train/", "Lunéa");
  ASSERT_TRUE(Eventually([&] { return Contacts("Lunéa").size() > 1; }));
  EXPECT_EQ(Contacts("Lunéa")[0]["value"], "lea@carnet.example");
  EXPECT_EQ(blog_.Pages().size(), 2u);
  EXPECT_EQ(app_->site_contacts().counters().fetches, 2);
}

TEST_F(SiteContactsApiTest, ACaseWithAWayToWriteOrASocialPostFetchesNothing) {
  const std::string url = blog_.server.Url("/2026/11/colis/");
  json post = {{"id", url},
               {"source", "html"},
               {"url", url},
               {"text",
                "Jeanerie : commande payée il y a trois semaines, toujours pas livrée, et "
                "aucune réponse. Je veux être remboursée."},
               {"contacts", {{{"kind", "email"}, {"value", "lea@carnet.example"}}}}};
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts", post.dump()).status, 200);
  ASSERT_TRUE(Eventually([&] { return Done(1); }));
  EXPECT_TRUE(blog_.server.Requests().empty());
  EXPECT_EQ(app_->site_contacts().counters().fetches, 0);
}

TEST_F(SiteContactsApiTest, RobotsTxtDisallowingEverythingMeansNoPageIsFetched) {
  blog_.disallow_all = true;
  PushArticle("/2026/11/colis/", "Jeanerie");
  ASSERT_TRUE(Eventually([&] { return Done(1); }));
  EXPECT_TRUE(blog_.Pages().empty());
  EXPECT_EQ(blog_.server.Requests().size(), 1u);  // robots.txt, once: the refusal ends it
  EXPECT_EQ(Contacts("Jeanerie").size(), 1u);
}

class SiteContactsRefusedTest : public SiteContactsApiTest {
 protected:
  void Adjust(ServerConfig& config) override {
    refuse_loopback_ = true;
    SiteContactsApiTest::Adjust(config);
  }
};

TEST_F(SiteContactsRefusedTest, AHostTheOutboundPolicyRefusesIsNotContacted) {
  PushArticle("/2026/11/colis/", "Jeanerie");
  ASSERT_TRUE(Eventually([&] { return Done(1); }));
  EXPECT_TRUE(blog_.server.Requests().empty());
  EXPECT_EQ(Contacts("Jeanerie").size(), 1u);
  // The service goes on: the case reads, another post is taken.
  PushArticle("/2026/11/train/", "Lunéa");
  ASSERT_TRUE(Eventually([&] { return Done(2); }));
  EXPECT_TRUE(blog_.server.Requests().empty());
}

// A site is looked up again after a day; a second case of the site before that is not.
TEST_F(SiteContactsApiTest, ASiteIsAskedAgainTheNextDay) {
  blog_.disallow_all = true;
  PushArticle("/2026/11/colis/", "Jeanerie");
  ASSERT_TRUE(Eventually([&] { return Done(1); }));
  PushArticle("/2026/11/train/", "Lunéa");
  ASSERT_TRUE(Eventually([&] { return Done(2); }));
  EXPECT_EQ(blog_.server.Requests().size(), 1u);
  blog_.disallow_all = false;
  clock_.Advance(86'400);
  ASSERT_EQ(app_->site_contacts().LookUp(BlogCase("Jeanerie")).ToString(), "ok");
  EXPECT_EQ(blog_.Pages(), (std::vector<std::string>{"/", "/contact/"}));
  EXPECT_EQ(Contacts("Jeanerie")[0]["value"], "lea@carnet.example");
}

}  // namespace
}  // namespace ecoute::server
