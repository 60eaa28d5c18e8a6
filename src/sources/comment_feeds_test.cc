// Where a page's comments are read, on the markup blogs and forums really serve.
#include "sources/comment_feeds.h"

#include <gtest/gtest.h>

namespace ecoute {
namespace {

// The head of a WordPress post (a block theme): feeds, the REST API's link, the shortlink.
constexpr const char* kWordPress = R"(<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="UTF-8" />
<title>Colis perdu : trois semaines sans nouvelles &#8211; Le carnet de Léa</title>
<link rel="alternate" type="application/rss+xml" title="Le carnet de Léa &raquo; Flux" href="https://carnet.example/feed/" />
<link rel="alternate" type="application/rss+xml" title="Le carnet de Léa &raquo; Flux des commentaires" href="https://carnet.example/comments/feed/" />
<link rel="alternate" type="application/rss+xml" title="Le carnet de Léa &raquo; Colis perdu : trois semaines sans nouvelles Flux des commentaires" href="https://carnet.example/2026/11/colis-perdu/feed/" />
<link rel='stylesheet' id='wp-block-library-css' href='https://carnet.example/wp-includes/css/dist/block-library/style.min.css?ver=6.7' media='all' />
<link rel="https://api.w.org/" href="https://carnet.example/wp-json/" />
<link rel="alternate" title="JSON" type="application/json" href="https://carnet.example/wp-json/wp/v2/posts/5" />
<meta name="generator" content="WordPress 6.7.1" />
<link rel="canonical" href="https://carnet.example/2026/11/colis-perdu/" />
<link rel='shortlink' href='https://carnet.example/?p=5' />
<script>var s = '<link rel="alternate" type="application/rss+xml" href="/nope/comments/feed">';</script>
</head><body class="post-template-default single single-post postid-5">
<main><article><h1>Colis perdu : trois semaines sans nouvelles</h1><p>Jeanerie ne répond pas.</p></article>
<div id="comments" class="comments-area"><h2>Aucun commentaire</h2>
<div id="respond" class="comment-respond"><form action="https://carnet.example/wp-comments-post.php" method="post" id="commentform"></form></div></div>
</main></body></html>)";

TEST(CommentFeedsTest, RanksWordPressFeedsThePostsFirstTheSitesLast) {
  const std::vector<CommentSource> found =
      FindCommentSources(kWordPress, "https://carnet.example/2026/11/colis-perdu/");
  EXPECT_EQ(found, (std::vector<CommentSource>{
                       {"https://carnet.example/2026/11/colis-perdu/feed/", "feed", "linked_feed"},
                       {"https://carnet.example/2026/11/colis-perdu/", "html", "embedded"},
                       {"https://carnet.example/comments/feed/", "feed", "site_comments_feed"}}))
      << found.size();
}

TEST(CommentFeedsTest, GuessesTheWordPressPostFeedWhenThePageLinksNone) {
  // An older theme without feed links; WordPress shows in its generator and its assets.
  const std::string page = R"(<html><head><meta name='generator' content='WordPress 5.2'>
<script src="/wp-includes/js/jquery.js"></script></head><body><article><p>Text</p></article>
<ol class="commentlist"><li class="comment" id="comment-3"><div class="comment-author vcard">
<cite class="fn"><a href="https://paul.example/">Paul</a></cite></div>
<div class="comment-content"><p>Pareil pour moi.</p></div></li></ol></body></html>)";
  EXPECT_EQ(
      FindCommentSources(page, "https://blog.example/colis/"),
      (std::vector<CommentSource>{{"https://blog.example/colis/feed/", "feed", "wordpress_feed"},
                                  {"https://blog.example/colis/", "html", "embedded"}}));
}

// A Blogger item page: its comment feed linked, the post id in the markup too.
constexpr const char* kBlogger = R"(<!DOCTYPE html>
<html class='v2' dir='ltr' lang='fr'><head>
<meta content='blogger' name='generator'/>
<link href='https://www.blogger.com/static/v1/widgets/2975350028-css_bundle_v2.css' rel='stylesheet' type='text/css'/>
<link rel="alternate" type="application/atom+xml" title="Les humeurs de Marc - Atom" href="https://humeurs.blogspot.com/feeds/posts/default" />
<link rel="alternate" type="application/rss+xml" title="Les humeurs de Marc - RSS" href="https://humeurs.blogspot.com/feeds/posts/default?alt=rss" />
<link rel="alternate" type="application/atom+xml" title="Les humeurs de Marc - Atom" href="https://humeurs.blogspot.com/feeds/4421339170193387812/comments/default" />
<title>Les humeurs de Marc: Train de nuit, 15 heures de retard</title>
</head><body><div class='post hentry uncustomized-post-template' itemprop='blogPost'>
<meta content='4421339170193387812' itemprop='postId'/>
<h3 class='post-title entry-title'>Train de nuit, 15 heures de retard</h3>
<div class='post-body entry-content' id='post-body-4421339170193387812'>Lunéa, encore.</div></div>
<div class='comments' id='comments'><h4>Aucun commentaire:</h4></div></body></html>)";

TEST(CommentFeedsTest, FindsTheBloggerPostsCommentFeed) {
  const std::vector<CommentSource> found =
      FindCommentSources(kBlogger, "https://humeurs.blogspot.com/2026/11/train-de-nuit.html");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0], (CommentSource{
                          "https://humeurs.blogspot.com/feeds/4421339170193387812/comments/default",
                          "feed", "blogger"}));
  EXPECT_EQ(found.back().kind, "embedded");
}

TEST(CommentFeedsTest, BuildsTheBloggerFeedFromThePostIdAlone) {
  const std::string page = R"(<html><head><meta content='blogger' name='generator'/></head>
<body><div class="post" data-post-id="77">x</div></body></html>)";
  EXPECT_EQ(FindCommentSources(page, "http://127.0.0.1:8080/2026/11/x.html"),
            (std::vector<CommentSource>{
                {"http://127.0.0.1:8080/feeds/77/comments/default", "feed", "blogger"}}));
  // The same id on a page that is not Blogger's says nothing.
  EXPECT_TRUE(
      FindCommentSources(R"(<div data-post-id="77"></div>)", "https://a.example/x").empty());
}

// A Discourse topic as served to a browser without JavaScript.
constexpr const char* kDiscourse = R"(<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>Forfait Orange facturé deux fois - Support - Forum des abonnés</title>
<meta name="generator" content="Discourse 3.3.2 - https://github.com/discourse/discourse version 1a2b3c">
<link rel="canonical" href="https://forum.example/t/forfait-orange-facture-deux-fois/4821" />
<link rel="alternate nofollow" type="application/rss+xml" title="Flux RSS de « Forfait Orange facturé deux fois »" href="https://forum.example/t/forfait-orange-facture-deux-fois/4821.rss" />
</head><body><div id="main-outlet"><div itemscope itemtype="http://schema.org/DiscussionForumPosting">
<h1>Forfait Orange facturé deux fois</h1><div class="post" itemprop="text">Deux prélèvements.</div></div></div></body></html>)";

TEST(CommentFeedsTest, FindsTheDiscourseTopicFeed) {
  for (const char* url : {"https://forum.example/t/forfait-orange-facture-deux-fois/4821",
                          "https://forum.example/t/forfait-orange-facture-deux-fois/4821/3"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(FindCommentSources(kDiscourse, url),
              (std::vector<CommentSource>{
                  {"https://forum.example/t/forfait-orange-facture-deux-fois/4821.rss", "feed",
                   "discourse"}}));
  }
  // Known by its generator even without the link.
  EXPECT_EQ(FindCommentSources(R"(<meta name="generator" content="Discourse 3.1">)",
                               "https://f.example/forum/t/a-b/9?page=2")[0]
                .url,
            "https://f.example/forum/t/a-b/9.rss");
}

TEST(CommentFeedsTest, ReadsDiscourseTopicAddresses) {
  struct Row {
    const char* url;
    const char* feed;
  };
  constexpr Row kRows[] = {
      {"https://f.example/t/slug/12", "https://f.example/t/slug/12.rss"},
      {"https://f.example/t/slug/12/7", "https://f.example/t/slug/12.rss"},
      {"https://f.example/t/slug/12.rss", ""},  // a feed already
      {"https://f.example/t/12", ""},           // no slug
      {"https://f.example/t/slug/abc", ""},     // no topic id
      {"https://f.example/blog/post/", ""},     // not a topic
  };
  for (const Row& row : kRows) {
    SCOPED_TRACE(row.url);
    EXPECT_EQ(DiscourseTopicFeed(row.url), row.feed);
  }
}

TEST(CommentFeedsTest, ResolvesRelativeFeedLinksAgainstTheBase) {
  const std::string page =
      R"(<head><base href="https://cdn.example/blog/"><link rel=alternate type="application/atom+xml")"
      R"( title="Commentaires" href="colis/comments.atom"></head>)";
  EXPECT_EQ(FindCommentSources(page, "https://blog.example/colis"),
            (std::vector<CommentSource>{
                {"https://cdn.example/blog/colis/comments.atom", "feed", "linked_feed"}}));
}

TEST(CommentFeedsTest, FindsNothingOnAPageWithoutComments) {
  const std::string page = R"(<html><head><title>Colis</title>
<link rel="alternate" type="application/rss+xml" title="Actualités" href="/feed.xml">
</head><body><article><p>Jeanerie, mon colis.</p></article></body></html>)";
  EXPECT_TRUE(FindCommentSources(page, "https://news.example/colis").empty());
  EXPECT_TRUE(FindCommentSources("", "https://news.example/colis").empty());
  EXPECT_TRUE(
      FindCommentSources("<link rel=alternate type='application/rss+xml' title='x", "").empty());
}

TEST(CommentFeedsTest, TellsTheArticleFromItsComments) {
  Post post;
  post.url = "https://blog.example/colis/";
  EXPECT_TRUE(IsFollowedArticle(post, "https://blog.example/colis"));
  post.url = "https://blog.example/colis/#comment-4";
  EXPECT_FALSE(IsFollowedArticle(post, "https://blog.example/colis/"));
  post.url = "https://forum.example/t/slug/12/1";
  EXPECT_TRUE(IsFollowedArticle(post, "https://forum.example/t/slug/12"));
  post.url = "https://forum.example/t/slug/12/2";
  EXPECT_FALSE(IsFollowedArticle(post, "https://forum.example/t/slug/12"));
  EXPECT_EQ(CommentAnchor("https://b.example/p.html?showComment=17#c42"), "c42");
  EXPECT_EQ(CommentAnchor("https://b.example/p.html"), "");
  EXPECT_EQ(ComparableUrl("https://b.example/p/#x"), "https://b.example/p");
}

}  // namespace
}  // namespace ecoute
