// The comments under a complaint, end to end: blogs and a forum on loopback (Blogger-,
// WordPress- and Discourse-shaped pages and comment feeds); a complaint ingested opens a
// case; the follower finds where its comments are; the watcher polls them on the case's
// schedule; the brand's reply and the customer's thanks join the case by the threading
// rules; the case closed, no more requests.
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "fetch/testing_http_server.h"
#include "server/testing_api.h"
#include "watch/comment_follower.h"

namespace ecoute::server {
namespace {

// 2026-11-25T09:00:00Z, 46 minutes before kNow.
constexpr const char* kPublished = "2026-11-25T09:00:00Z";

// A Blogger item page: the post's comment feed is linked in its head.
std::string BloggerPage(const std::string& base) {
  return R"(<!DOCTYPE html><html lang="fr"><head><meta content='blogger' name='generator'/>
<title>Le blog de Marc: Colis perdu</title>
<link rel="alternate" type="application/atom+xml" title="Le blog de Marc - Atom" href=")" +
         base + R"(/feeds/posts/default" />
<link rel="alternate" type="application/atom+xml" title="Le blog de Marc - Atom" href=")" +
         base + R"(/feeds/4421/comments/default" />
</head><body><div class="post hentry"><meta content='4421' itemprop='postId'/>
<h3 class="post-title">Colis perdu</h3><div class="post-body">Jeanerie : trois semaines.</div>
</div><div class="comments" id="comments"><h4>Aucun commentaire</h4></div></body></html>)";
}

// One comment of a Blogger comment feed (Atom, threading to the post).
struct BloggerComment {
  std::string id;
  std::string published;
  std::string author;
  std::string uri;
  std::string text;
};

std::string BloggerFeed(const std::string& base, const std::vector<BloggerComment>& comments) {
  std::string xml = R"(<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0'>
<id>tag:blogger.com,1999:blog-77.post4421..comments</id><updated>2026-11-25T09:00:00Z</updated>
<title type='text'>Le blog de Marc: Colis perdu</title>
<link rel='alternate' type='text/html' href=')" +
                    base + R"(/2026/11/colis.html'/>
<author><name>Marc</name><uri>https://www.blogger.com/profile/42</uri></author>)";
  for (const BloggerComment& c : comments) {
    xml += "<entry><id>tag:blogger.com,1999:blog-77.post-" + c.id + "</id><published>" +
           c.published + "</published><updated>" + c.published + "</updated><title type='text'>" +
           c.text.substr(0, 20) + "</title><content type='html'>" + c.text +
           "</content><link rel='alternate' type='text/html' href='" + base +
           "/2026/11/colis.html?showComment=1#c" + c.id + "'/><author><name>" + c.author +
           "</name><uri>" + c.uri + "</uri></author><thr:in-reply-to href='" + base +
           "/2026/11/colis.html' ref='tag:blogger.com,1999:blog-77.post-4421' "
           "type='text/html'/></entry>";
  }
  return xml + "</feed>";
}

// A WordPress post: its comment feed linked, one comment already on the page.
std::string WordPressPage(const std::string& base) {
  return R"(<!DOCTYPE html><html lang="fr-FR"><head><meta charset="UTF-8" />
<title>Jean déchiré, échange refusé &#8211; Le carnet</title>
<link rel="alternate" type="application/rss+xml" title="Le carnet &raquo; Jean déchiré, échange refusé Flux des commentaires" href=")" +
         base + R"(/2026/11/jean/feed/" />
<link rel="https://api.w.org/" href=")" +
         base + R"(/wp-json/" /><meta name="generator" content="WordPress 6.7.1" />
</head><body><main><article class="post"><h1 class="entry-title">Jean déchiré, échange refusé</h1>
<div class="entry-content"><p>La Jeanerie a refusé d'échanger un jean déchiré au premier lavage,
et la vendeuse s'est moquée de moi devant tout le monde. Inadmissible, je ne remettrai plus
les pieds dans cette boutique et je déconseille Jeanerie à tout le monde.</p></div></article>
<div id="comments" class="comments-area"><ol class="comment-list">
<li id="comment-3" class="comment even thread-even depth-1"><article class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Paul</b></div>
<div class="comment-metadata"><time datetime="2026-11-25T09:10:00+00:00">25 novembre</time></div>
</footer><div class="comment-content"><p>Même chose pour moi l'an dernier.</p></div></article></li>
</ol></div></main></body></html>)";
}

std::string WordPressFeed(const std::string& base, bool with_new_comment) {
  const std::string post = base + "/2026/11/jean/";
  std::string xml =
      R"(<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Commentaires sur : Jean déchiré, échange refusé</title><link>)" +
      post + R"(</link>
<item><title>Par : Paul</title><link>)" +
      post + R"(#comment-3</link><dc:creator>Paul</dc:creator>
<pubDate>Wed, 25 Nov 2026 09:10:00 +0000</pubDate><guid isPermaLink="false">)" +
      base +
      R"(/?p=12#comment-3</guid><description>Même chose pour moi l'an dernier.</description></item>)";
  if (with_new_comment) {
    xml += "<item><title>Par : Julie</title><link>" + post +
           "#comment-4</link><dc:creator>Julie</dc:creator><pubDate>Wed, 25 Nov 2026 "
           "10:00:00 +0000</pubDate><guid isPermaLink=\"false\">" +
           base +
           "/?p=12#comment-4</guid><description>Il faut écrire au siège, ça marche "
           "mieux.</description></item>";
  }
  return xml + "</channel></rss>";
}

// A Discourse topic as served without JavaScript, and its feed: the topic's first post,
// then the replies.
std::string DiscoursePage(const std::string& base) {
  return R"(<!DOCTYPE html><html lang="fr"><head><title>Train annulé sans remboursement - Forum</title>
<meta name="generator" content="Discourse 3.3.2 - https://github.com/discourse/discourse">
<link rel="alternate nofollow" type="application/rss+xml" title="Flux RSS" href=")" +
         base + R"(/t/train-annule/48.rss" /></head><body><div id="main-outlet">
<h1>Train annulé sans remboursement</h1><div class="post">Lunéa ne rembourse pas.</div>
</div></body></html>)";
}

std::string DiscourseFeed(const std::string& base) {
  const std::string topic = base + "/t/train-annule/48";
  return R"(<?xml version="1.0" encoding="UTF-8" ?><rss version="2.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Train annulé sans remboursement</title>
<link>)" +
         topic +
         R"(</link><item><title>Train annulé sans remboursement</title><dc:creator>claire</dc:creator>
<description>Lunéa a annulé mon train de nuit et refuse de rembourser.</description>
<link>)" +
         topic +
         R"(/1</link><pubDate>Wed, 25 Nov 2026 09:00:00 +0000</pubDate>
<guid isPermaLink="false">forum-post-48-1</guid></item>
<item><title>Train annulé sans remboursement</title><dc:creator>hugo</dc:creator>
<description>Demandez le formulaire de réclamation, ils finissent par payer.</description>
<link>)" +
         topic +
         R"(/2</link><pubDate>Wed, 25 Nov 2026 09:30:00 +0000</pubDate>
<guid isPermaLink="false">forum-post-48-2</guid></item></channel></rss>)";
}

// The sites, on one loopback server; comment feeds answer 304 to their current ETag.
struct Sites {
  std::mutex mutex;
  std::vector<BloggerComment> blogger_comments;
  bool wordpress_new_comment = false;
  testing::HttpServer server{[this](const testing::HttpRequest& request) {
    std::lock_guard<std::mutex> lock(mutex);
    testing::HttpResponse response;
    const std::string base = server.Url("");
    std::string body;
    std::string type = "text/html; charset=utf-8";
    if (request.path == "/2026/11/colis.html") {
      body = BloggerPage(base);
    } else if (request.path == "/feeds/4421/comments/default") {
      body = BloggerFeed(base, blogger_comments);
      type = "application/atom+xml";
    } else if (request.path == "/2026/11/jean/") {
      body = WordPressPage(base);
    } else if (request.path == "/2026/11/jean/feed/") {
      body = WordPressFeed(base, wordpress_new_comment);
      type = "application/rss+xml";
    } else if (request.path == "/t/train-annule/48") {
      body = DiscoursePage(base);
    } else if (request.path == "/t/train-annule/48.rss") {
      body = DiscourseFeed(base);
      type = "application/rss+xml";
    } else {
      response.status = 404;
      return response;
    }
    const std::string etag = "\"" + std::to_string(std::hash<std::string>{}(body)) + "\"";
    const auto match = request.headers.find("if-none-match");
    if (match != request.headers.end() && match->second == etag) {
      response.status = 304;
      response.headers = {{"ETag", etag}};
      return response;
    }
    response.headers = {{"Content-Type", type}, {"ETag", etag}};
    response.body = body;
    return response;
  }};

  // Requests for `path` so far.
  int Count(const std::string& path) {
    int n = 0;
    for (const testing::HttpRequest& r : server.Requests()) n += r.path == path ? 1 : 0;
    return n;
  }
  int NotModified(const std::string& path) {
    int n = 0;
    for (const testing::HttpRequest& r : server.Requests()) {
      n += r.path == path && r.headers.contains("if-none-match") ? 1 : 0;
    }
    return n;
  }
};

class CommentFollowTest : public ApiTest {
 protected:
  void Adjust(ServerConfig& config) override {
    config.follow.fetch.outbound.allow_private = config.watcher.fetch.outbound.allow_private;
    config.follow.fetch.timeout_ms = 3'000;
    config.watcher.min_host_interval_seconds = 0;  // one loopback host for every site
  }

  // Pushes a web post as its reader writes it.
  void Push(const json& post) {
    ASSERT_EQ(Call("admin", "POST", "/api/v1/posts", post.dump()).status, 200);
  }
  void PushBloggerArticle() {
    Push({{"id", "tag:blogger.com,1999:blog-77.post-4421"},
          {"source", "atom"},
          {"url", sites_.server.Url("/2026/11/colis.html")},
          {"title", "Colis perdu"},
          {"published_at", kPublished},
          {"author", {{"name", "Marc"}, {"url", "https://www.blogger.com/profile/42"}}},
          {"text",
           "Jeanerie : commande payée il y a trois semaines, toujours pas livrée, et "
           "aucune réponse à mes mails. Je veux être remboursé."}});
  }
  int64_t CaseWithCustomer(const std::string& brand, const std::string& customer) {
    const json cases = CallJson("admin", "GET", "/api/v1/cases?limit=100");
    for (const json& c : cases["cases"]) {
      if (c["brand"] == brand && c["customer"] == customer) return c["id"].get<int64_t>();
    }
    return 0;
  }
  json Case(int64_t id) { return CallJson("admin", "GET", "/api/v1/cases/" + std::to_string(id)); }
  FollowScan Scan() {
    Result<FollowScan> scanned = app_->follower().Scan();
    EXPECT_TRUE(scanned) << scanned.error().ToString();
    return scanned ? *scanned : FollowScan{};
  }
  PollReport Poll() { return app_->watcher().PollDue(app_->WatchSink()); }
  std::vector<WatchedSource> CommentSources() {
    std::vector<WatchedSource> out;
    Result<std::vector<WatchedSource>> all = app_->watcher().List();
    EXPECT_TRUE(all);
    if (!all) return out;
    for (WatchedSource& s : *all) {
      if (s.origin == "comments") out.push_back(std::move(s));
    }
    return out;
  }

  Sites sites_;
};

TEST_F(CommentFollowTest, TheBrandsReplyAndTheCustomersThanksJoinTheCaseThenPollingStops) {
  PushBloggerArticle();
  const int64_t case_id = CaseWithCustomer("Jeanerie", "Marc");
  ASSERT_NE(case_id, 0);
  // The follower reads the article's page once and follows its comment feed.
  const FollowScan first = Scan();
  EXPECT_EQ(first.discovered, 1);
  EXPECT_EQ(first.followed, 1);
  std::vector<WatchedSource> sources = CommentSources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].url, sites_.server.Url("/feeds/4421/comments/default"));
  EXPECT_EQ(sources[0].format, "feed");
  EXPECT_EQ(sources[0].brand, "Jeanerie");
  EXPECT_EQ(sources[0].follow_case, case_id);
  EXPECT_EQ(sources[0].interval_seconds, 900);
  EXPECT_EQ(sources[0].label, "comments: Colis perdu");
  EXPECT_EQ(Scan().discovered, 0);  // once
  EXPECT_EQ(sites_.Count("/2026/11/colis.html"), 1);
  EXPECT_EQ(Poll().polled, 1);  // no comment yet

  // The brand answers under the post, the customer thanks it.
  {
    std::lock_guard<std::mutex> lock(sites_.mutex);
    sites_.blogger_comments = {
        {"9001", "2026-11-25T09:50:00Z", "Jeanerie", "https://www.jeanerie.fr/",
         "Bonjour Marc, nous sommes désolés : votre colis part aujourd'hui en express."},
        {"9002", "2026-11-25T09:58:00Z", "Marc", "https://www.blogger.com/profile/42",
         "Merci Jeanerie, colis reçu, problème réglé !"}};
  }
  EXPECT_EQ(Poll().polled, 0);  // not due before its interval
  clock_.Advance(900);
  const PollReport read = Poll();
  EXPECT_EQ(read.posts, 2);
  json detail = Case(case_id);
  ASSERT_EQ(detail["posts"].size(), 3u) << detail.dump();
  EXPECT_EQ(detail["posts"][1]["role"], "brand_reply");
  EXPECT_EQ(detail["posts"][2]["role"], "resolution");
  EXPECT_FALSE(detail["case"]["first_response_at"].is_null());
  EXPECT_EQ(detail["case"]["status"], "resolved");

  // Read again: nothing stored twice.
  clock_.Advance(900);
  const int polls_before = sites_.Count("/feeds/4421/comments/default");
  const PollReport again = Poll();
  EXPECT_EQ(again.polled, 1);
  EXPECT_EQ(again.not_modified, 1);
  EXPECT_EQ(Case(case_id)["posts"].size(), 3u);
  EXPECT_EQ(sites_.Count("/feeds/4421/comments/default"), polls_before + 1);

  // Resolved: the follower removes the source, and no request follows.
  EXPECT_EQ(Scan().stopped, 1);
  EXPECT_TRUE(CommentSources().empty());
  const int requests = static_cast<int>(sites_.server.Requests().size());
  for (int i = 0; i < 8; ++i) {
    clock_.Advance(3'600);
    Scan();
    Poll();
  }
  EXPECT_EQ(static_cast<int>(sites_.server.Requests().size()), requests);
  const json follows =
      CallJson("agent_j", "GET", "/api/v1/cases/" + std::to_string(case_id) + "/follows");
  ASSERT_EQ(follows["follows"].size(), 1u) << follows.dump();
  EXPECT_EQ(follows["follows"][0]["state"], "stopped");
  EXPECT_EQ(follows["follows"][0]["kind"], "blogger");
}

TEST_F(CommentFollowTest, AClosedCaseStopsItsPollingAndAReopenedOneResumes) {
  PushBloggerArticle();
  const int64_t case_id = CaseWithCustomer("Jeanerie", "Marc");
  Scan();
  ASSERT_EQ(CommentSources().size(), 1u);
  const std::string id = std::to_string(case_id);
  ASSERT_EQ(
      Call("agent_j", "POST", "/api/v1/cases/" + id + "/close", R"({"reason":"duplicate"})").status,
      200);
  EXPECT_EQ(Scan().stopped, 1);
  const int requests = sites_.Count("/feeds/4421/comments/default");
  clock_.Advance(86'400);
  Scan();
  Poll();
  EXPECT_EQ(sites_.Count("/feeds/4421/comments/default"), requests);
  ASSERT_EQ(Call("agent_j", "POST", "/api/v1/cases/" + id + "/reopen", R"({"reason":"not solved"})")
                .status,
            200);
  EXPECT_EQ(Scan().followed, 1);
  EXPECT_EQ(sites_.Count("/2026/11/colis.html"), 1);  // not read again
  // Another brand's agent does not see the case, nor its follows.
  EXPECT_EQ(Call("agent_l", "GET", "/api/v1/cases/" + id + "/follows").status, 404);
  EXPECT_EQ(Call("viewer_j", "GET", "/api/v1/cases/" + id + "/follows").status, 403);
}

TEST_F(CommentFollowTest, WordPressCommentsReadFromThePageAreNotStoredTwice) {
  // The team watches the article's page: the article and its first comment come with it.
  WatchedSource page;
  page.url = sites_.server.Url("/2026/11/jean/");
  page.format = "html";
  Result<WatchedSource> added = app_->watcher().Add(page);
  ASSERT_TRUE(added) << added.error().ToString();
  Poll();
  ASSERT_TRUE(app_->watcher().Remove(added->id).ok());
  const int64_t case_id = CaseWithCustomer("Jeanerie", "127.0.0.1");
  ASSERT_NE(case_id, 0);
  ASSERT_EQ(Case(case_id)["posts"].size(), 2u) << Case(case_id).dump();
  EXPECT_EQ(Scan().followed, 1);
  ASSERT_EQ(CommentSources().size(), 1u);
  EXPECT_EQ(CommentSources()[0].url, sites_.server.Url("/2026/11/jean/feed/"));
  {
    std::lock_guard<std::mutex> lock(sites_.mutex);
    sites_.wordpress_new_comment = true;
  }
  Poll();
  const json detail = Case(case_id);
  ASSERT_EQ(detail["posts"].size(), 3u) << detail.dump();
  EXPECT_EQ(detail["posts"][2]["role"], "comment");
  EXPECT_NE(detail["posts"][2]["text"].get<std::string>().find("siège"), std::string::npos);
}

TEST_F(CommentFollowTest, DiscourseRepliesJoinTheTopicsCaseWithoutTheTopicTwice) {
  const std::string topic = sites_.server.Url("/t/train-annule/48");
  Push({{"id", topic},
        {"source", "html"},
        {"url", topic},
        {"title", "Train annulé sans remboursement"},
        {"published_at", kPublished},
        {"author", {{"name", "claire"}}},
        {"text", "Lunéa a annulé mon train de nuit et refuse de rembourser. Scandaleux."}});
  const int64_t case_id = CaseWithCustomer("Lunéa", "claire");
  ASSERT_NE(case_id, 0);
  EXPECT_EQ(Scan().followed, 1);
  ASSERT_EQ(CommentSources().size(), 1u);
  EXPECT_EQ(CommentSources()[0].url, topic + ".rss");
  EXPECT_EQ(Poll().posts, 1);  // the topic's first post is the article itself
  const json detail = Case(case_id);
  ASSERT_EQ(detail["posts"].size(), 2u) << detail.dump();
  EXPECT_EQ(detail["posts"][1]["url"], topic + "/2");
  EXPECT_EQ(detail["posts"][1]["role"], "comment");
}

// docs/LISTENING.md's figures: a complaint whose case stays open and whose comments never
// change, followed for 31 days, the clock moved 5 minutes at a time.
TEST_F(CommentFollowTest, AnOpenCaseCostsAFewRequestsADayMostlyNotModified) {
  PushBloggerArticle();
  const std::string feed = "/feeds/4421/comments/default";
  std::vector<int> requests;
  std::vector<int> not_modified;
  int total = 0;
  for (int day = 0; day < 31; ++day) {
    const int seen = sites_.Count(feed);
    const int seen_304 = sites_.NotModified(feed);
    for (int step = 0; step < 288; ++step) {
      Scan();
      Poll();
      clock_.Advance(300);
    }
    requests.push_back(sites_.Count(feed) - seen);
    not_modified.push_back(sites_.NotModified(feed) - seen_304);
    total += requests.back();
    std::cout << "day " << day + 1 << ": " << requests.back() << " requests, "
              << not_modified.back() << " conditional (304)\n";
  }
  std::cout << "total: " << total << " requests, page read " << sites_.Count("/2026/11/colis.html")
            << " time(s)\n";
  EXPECT_GE(requests[0], 90);  // the first day, every 15 minutes
  EXPECT_LE(requests[0], 97);
  EXPECT_EQ(requests[10], 2);               // from the second week, twice a day
  EXPECT_EQ(requests[30], 0);               // past 30 days, none
  EXPECT_EQ(not_modified[1], requests[1]);  // after the first, 304s
  EXPECT_EQ(sites_.Count("/2026/11/colis.html"), 1);
  EXPECT_TRUE(CommentSources().empty());
}

TEST_F(CommentFollowTest, APageWithoutCommentsIsRememberedAsSuch) {
  const std::string url = sites_.server.Url("/2026/11/nothing.html");
  Push({{"id", url},
        {"source", "html"},
        {"url", url},
        {"published_at", kPublished},
        {"text", "Jeanerie : colis jamais arrivé, service client muet. Inadmissible."}});
  const FollowScan scan = Scan();
  EXPECT_EQ(scan.discovered, 1);
  EXPECT_EQ(scan.errors, 1);  // 404
  EXPECT_TRUE(CommentSources().empty());
  EXPECT_EQ(Scan().discovered, 0);  // tried again after retry_seconds only
  clock_.Advance(3'600);
  EXPECT_EQ(Scan().discovered, 1);
}

}  // namespace
}  // namespace ecoute::server
