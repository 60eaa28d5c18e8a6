#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute {
namespace {

// Reads `html` and returns its one post; fails the test if there is not exactly one.
Post ReadOne(std::string_view html, std::vector<Problem>* problems_out = nullptr) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadHtmlPost(html, "page.html", posts, problems);
  if (problems_out != nullptr) {
    *problems_out = problems;
  } else {
    EXPECT_TRUE(problems.empty()) << problems[0].where << ": " << problems[0].message;
  }
  EXPECT_EQ(posts.size(), 1u);
  return posts.empty() ? Post() : posts[0];
}

struct TextCase {
  std::string_view html;
  std::string_view want_text;
};

constexpr TextCase kTextCases[] = {
    {"<p>Hello</p>", "Hello"},
    {"<p>One</p><p>Two</p>", "One\n\nTwo"},
    {"<p>  lots   of\n\t space  </p>", "lots of space"},  // inline whitespace
    {"<p>a <b>bold</b> move, <i>un</i>broken</p>", "a bold move, unbroken"},
    {"<p>line<br>next<br/>last</p>", "line\nnext\nlast"},              // br: a line break
    {"<div><div><p>deep</p></div></div><p>next</p>", "deep\n\nnext"},  // no piled-up breaks
    {"<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"},
    {"<h1>Title</h1>text", "Title\n\ntext"},
    {"<blockquote>quoted</blockquote><article>body</article>", "quoted\n\nbody"},
    {"<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>", "a b\n\nc"},
    {"<p>caf&eacute; &amp; cr&#232;me &lt;3 &#x1F600;</p>",
     "caf\xC3\xA9 & cr\xC3\xA8me <3 \xF0\x9F\x98\x80"},  // entities decoded
    {"<pre>  keep\n    this</pre><p>after</p>", "  keep\n    this\n\nafter"},
    {"<pre>\n\n\ta  \n\n\n\nb\r\nc\rd</pre>", "\ta\n\nb\nc\nd"},  // but normalized
    {"<script>var x = '<p>no</p>';</script><p>yes</p>", "yes"},
    {"<style>p { color: red }</style><p>styled</p>", "styled"},
    // gumbo parses as a browser with scripting off; inside <body> noscript is still dropped.
    {"<body><noscript>Enable JS</noscript><p>shown</p>", "shown"},
    {"<template><p>later</p></template><p>now</p>", "now"},
    {"<svg><text>drawn</text><title>icon</title></svg><p>text</p>", "text"},
    {"<p>a<!-- comment -->b</p>", "ab"},
    {"<p hidden>secret</p><p>public</p>", "public"},
    {"<iframe><p>fallback</p></iframe><p>main</p>", "main"},
    {"<head><title>T</title><meta name=x content=y></head><body>only body</body>", "only body"},
    {"plain text without tags", "plain text without tags"},
    {"<p>unclosed <b>tags<p>still fine", "unclosed tags\n\nstill fine"},
};

TEST(HtmlReaderTest, KeepsVisibleTextWithParagraphBreaks) {
  for (const TextCase& c : kTextCases) {
    SCOPED_TRACE(c.html);
    EXPECT_EQ(ReadOne(c.html).text, c.want_text);
  }
}

struct TitleCase {
  std::string_view html;
  std::string_view want_title;
};

constexpr TitleCase kTitleCases[] = {
    {"<title>The  title\n</title><h1>Heading</h1>", "The title"},
    {"<title> </title><h1>Heading</h1>", "Heading"},  // empty title: h1
    {"<h1>Heading with<br><em>markup</em></h1><h1>Second</h1>", "Heading with markup"},
    {"<p>no title at all</p>", ""},
    {"<svg><title>icon</title></svg><p>svg titles are not the page's</p>", ""},
    {"<title>Fish &amp; Chips</title><p>x</p>", "Fish & Chips"},
};

TEST(HtmlReaderTest, TitleComesFromTitleElseFirstHeading) {
  for (const TitleCase& c : kTitleCases) {
    SCOPED_TRACE(c.html);
    EXPECT_EQ(ReadOne(std::string(c.html) + "<p>body</p>").title, c.want_title);
  }
}

TEST(HtmlReaderTest, TitleIsNotPartOfTheText) {
  const Post post = ReadOne("<html><head><title>Page</title></head><body><p>Body</p></body>");
  EXPECT_EQ(post.title, "Page");
  EXPECT_EQ(post.text, "Body");
  EXPECT_EQ(post.id, "page.html");
}

TEST(HtmlReaderTest, LinksAreTrimmedDeduplicatedAndInDocumentOrder) {
  const Post post = ReadOne(
      "<p><a href=' https://b.example/x '>b</a> <a href='https://a.example/'>a</a>"
      "<a href='https://b.example/x'>again</a> <a href='#top'>top</a>"
      "<a href='JavaScript:void(0)'>js</a> <a href=''>empty</a> <a>none</a>"
      "<a href='/relative?q=1&amp;r=2'>rel</a></p>"
      "<template><a href='https://hidden.example/'>t</a></template>");
  EXPECT_EQ(post.links, (std::vector<std::string>{"https://b.example/x", "https://a.example/",
                                                  "/relative?q=1&r=2"}));
}

TEST(HtmlReaderTest, AuthorAndDateComeFromMetadata) {
  const Post post = ReadOne(
      "<head><meta name='Author' content=' Jane Doe '>"
      "<meta property='article:published_time' content='2024-03-01T10:00:00Z'></head>"
      "<body><p>Posted <time datetime='2024-02-02'>yesterday</time></p></body>");
  EXPECT_EQ(post.author.name, "Jane Doe");
  EXPECT_EQ(post.published_at, "2024-03-01T10:00:00Z");  // the meta wins over <time>
  EXPECT_EQ(post.text, "Posted yesterday");
}

TEST(HtmlReaderTest, DateFallsBackToTheFirstTimeElement) {
  const Post post =
      ReadOne("<p><time datetime='2024-02-02T08:00'>Feb 2</time> <time datetime='x'>y</time>");
  EXPECT_EQ(post.published_at, "2024-02-02T08:00:00Z");  // no zone: taken as UTC
  EXPECT_EQ(post.author.name, "");
}

TEST(HtmlReaderTest, PropertyMetasWinOverNameMetasOfTheSameKey) {
  const Post post = ReadOne(
      "<head><meta name='DC.title' content='Name title'>"
      "<meta property='dc:title' content='Property title'>"
      "<meta name='DC.creator' content='Name author'>"
      "<meta property='dc:creator' content='Property author'>"
      "<meta name='author' content='Plain author'></head><p>x</p>");
  EXPECT_EQ(post.title, "Property title");  // "DC.title" and "dc:title" are one key
  EXPECT_EQ(post.author.name, "Property author");
}

TEST(HtmlReaderTest, APropertyMetaMayListSeveralKeys) {
  const Post post = ReadOne(
      "<head><title>Page</title><meta property='x:title og:title' content='Listed title'>"
      "<meta property='og:description dc:creator' content='Listed author'>"
      "<meta name='author' content='Plain author'></head><p>x</p>");
  EXPECT_EQ(post.title, "Listed title");
  EXPECT_EQ(post.author.name, "Listed author");  // dc:creator ranks above author
}

TEST(HtmlReaderTest, SeveralAuthorMetasOfTheSameKeyAreJoined) {
  const Post post = ReadOne(
      "<head><meta name='DC.Creator' content='Doe, J.'><meta name='DC.Creator' content='Roe, R.'>"
      "<meta name='DC.Creator' content='Doe, J.'></head><p>x</p>");
  EXPECT_EQ(post.author.name, "Doe, J., Roe, R.");
}

TEST(HtmlReaderTest, OpenGraphArticleAuthorIsAnAuthor) {
  const Post post = ReadOne(
      "<head><meta property='og:article:author' content='The Newsroom'>"
      "<meta property='article:author' content='https://social.example/newsroom'></head>"
      "<p>x</p>");
  EXPECT_EQ(post.author.name, "The Newsroom");  // a profile URL is not a name
}

TEST(HtmlReaderTest, JsonLdInCdataIsRead) {
  const Post post = ReadOne(
      "<head><title>Site</title><script type='application/ld+json'>\n  <![CDATA[\n"
      "  {\"@context\": \"https://schema.org\", \"@type\": \"NewsArticle\","
      " \"headline\": \"Parcel lost for a month\", \"datePublished\": \"2025-05-01T08:00:00Z\","
      " \"author\": [{\"@type\": \"Person\", \"name\": \"Ann Lee\"},"
      " {\"@type\": \"Person\", \"name\": \"Bo Chen\"}]}\n  ]]>\n</script></head><p>x</p>");
  EXPECT_EQ(post.title, "Parcel lost for a month");
  EXPECT_EQ(post.author.name, "Ann Lee, Bo Chen");
  EXPECT_EQ(post.published_at, "2025-05-01T08:00:00Z");
}

TEST(HtmlReaderTest, TheJsonLdBlockDescribingAnArticleWins) {
  const Post post = ReadOne(
      "<head><script type='application/ld+json'>{\"@type\": \"WebSite\", \"headline\": "
      "\"Site headline\", \"author\": \"Site team\"}</script>"
      "<script type='application/ld+json'>{\"@type\": \"Organization\", \"name\": \"Shop\"}"
      "</script><script type='application/ld+json'>{\"@graph\": [{\"@type\": "
      "\"BreadcrumbList\"}, {\"@type\": [\"BlogPosting\"], \"headline\": \"Refund refused\", "
      "\"author\": {\"@type\": \"Person\", \"name\": \"Kim\"}}]}</script>"
      "<script type='application/ld+json'>{\"@type\": \"Article\", \"headline\": \"Later\"}"
      "</script></head><p>x</p>");
  EXPECT_EQ(post.title, "Refund refused");  // not the WebSite's, read first
  EXPECT_EQ(post.author.name, "Kim");
  EXPECT_EQ(post.published_at, "");  // nothing mixed in from the WebSite
}

TEST(HtmlReaderTest, JsonLdWithoutAnArticleStillGivesItsFacts) {
  const Post post = ReadOne(
      "<head><script type='application/ld+json'>{\"@type\": \"WebPage\", \"headline\": "
      "\"Opening hours\", \"datePublished\": \"2025-02-03\"}</script></head><p>x</p>");
  EXPECT_EQ(post.title, "Opening hours");
  EXPECT_EQ(post.published_at, "2025-02-03T00:00:00Z");
}

struct JsonLdTitleCase {
  std::string_view title_element;
  std::string_view name;
  std::string_view headline;
  std::string_view want_title;
};

constexpr JsonLdTitleCase kJsonLdTitleCases[] = {
    // The site's name in "name": the headline is what <title> echoes.
    {"Late parcels again | Daily Post", "Daily Post", "Late parcels again", "Late parcels again"},
    // A description in "headline": the name is what <title> echoes.
    {"Lyon - Encyclopedia", "Lyon", "city in eastern France", "Lyon"},
    {"", "Some name", "The headline", "The headline"},  // nothing to compare: the headline
    {"Anything", "Same", "Same", "Same"},
};

TEST(HtmlReaderTest, JsonLdNameOrHeadlineIsChosenByThePageTitle) {
  for (const JsonLdTitleCase& c : kJsonLdTitleCases) {
    SCOPED_TRACE(c.name);
    const Post post = ReadOne("<head><title>" + std::string(c.title_element) +
                              "</title><script type='application/ld+json'>{\"@type\": "
                              "\"Article\", \"name\": \"" +
                              std::string(c.name) + "\", \"headline\": \"" +
                              std::string(c.headline) + "\"}</script></head><p>x</p>");
    EXPECT_EQ(post.title, c.want_title);
  }
}

constexpr TitleCase kSiteNameTitleCases[] = {
    {"<title>My parcel was lost for a month | Daily Post</title>",
     "My parcel was lost for a month"},
    {"<title>Daily Post - My parcel was lost for a month</title>",
     "My parcel was lost for a month"},  // a short site name first
    {"<title>Why the bank closed my account \xE2\x80\x94 Money \xC2\xBB Daily Post</title>",
     "Why the bank closed my account \xE2\x80\x94 Money"},  // only the last part goes
    {"<title>The late train :: Blogs :: Rail News</title>", "The late train :: Blogs"},
    {"<title>Late again - Rail News</title>", "Late again - Rail News"},  // too short to cut
    {"<title>Rock - Paper - Scissors</title>", "Rock - Paper - Scissors"},
    // Four words first: a short headline and a long site name, kept whole.
    {"<title>On Recent Late Trains - Jane Q. Doe ( jane ) ( jqd )</title>",
     "On Recent Late Trains - Jane Q. Doe ( jane ) ( jqd )"},
    {"<title>Spider-Man and the well-known problem</title>",
     "Spider-Man and the well-known problem"},  // dashes without spaces are words
};

TEST(HtmlReaderTest, TheSiteNameIsCutOffTheTitleElement) {
  for (const TitleCase& c : kSiteNameTitleCases) {
    SCOPED_TRACE(c.html);
    EXPECT_EQ(ReadOne(std::string(c.html) + "<p>body</p>").title, c.want_title);
  }
}

TEST(HtmlReaderTest, MetaTitlesAreKeptAsWritten) {
  const Post post = ReadOne(
      "<head><title>Refunds take forever at the shop | Daily Post</title>"
      "<meta property='og:title' content='Refunds take forever at the shop | Daily Post'>"
      "</head><p>x</p>");
  EXPECT_EQ(post.title, "Refunds take forever at the shop | Daily Post");
}

struct BylineCase {
  std::string_view html;
  std::string_view want_author;
};

constexpr BylineCase kBylineCases[] = {
    {"<div class='byline'>By Jane Doe</div>", "Jane Doe"},  // "By" is not part of the name
    {"<span class='article__author'>BY:  Jane Doe</span>", "Jane Doe"},
    {"<p class='blog-author'>By <a href='/bio/jane-doe'>Jane Doe</a>, Senior Writer, Money"
     " desk</p>",
     "Jane Doe"},  // the linked author page names the author
    {"<div class='byline'>By <a href='/author/ann'>Ann</a> and <a href='/author/bo'>Bo</a>"
     " <a href='/share'>Share</a></div>",
     "Ann, Bo"},
    {"<div itemprop='author'><img src='a.png'><span itemprop='name'>Kim Park</span>"
     " Staff</div>",
     "Kim Park"},
    {"<div class='postAuthor'>Lea Roy</div>", "Lea Roy"},  // camelCase word
    // "authorization" does not name an author; the byline after it does.
    {"<div id='authorization'><a href='/login'>My account</a></div>"
     "<div class='byline'>Max Mo</div>",
     "Max Mo"},
    {"<a rel='author' href='/u/by'>Byron Bay</a>", "Byron Bay"},  // "By" only as a word
};

TEST(HtmlReaderTest, BylinesAreReadAsNames) {
  for (const BylineCase& c : kBylineCases) {
    SCOPED_TRACE(c.html);
    EXPECT_EQ(ReadOne(std::string(c.html) + "<p>body</p>").author.name, c.want_author);
  }
}

TEST(HtmlReaderTest, ABylineInsideTheArticleWinsOverOnesBeforeIt) {
  const std::string paragraph =
      "The delivery arrived three weeks late, the box was crushed, and support never answered "
      "my emails, so I am writing this review to warn other customers about the shop.";
  const Post post = ReadOne(
      "<html><body><ul class='follow'><li class='author-card'>Columnist Carl</li></ul>"
      "<article><p class='byline'>By Dana Day</p><p>" +
      paragraph + "</p><p>" + paragraph + "</p></article></body></html>");
  EXPECT_EQ(post.author.name, "Dana Day");
}

TEST(HtmlReaderTest, CommentAuthorsAreNotThePageAuthor) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadHtmlPost(
      "<article><p>The refund never came, although the shop promised it twice by mail, and "
      "the bank says nothing was ever sent, so I am still waiting for my money.</p></article>"
      "<ol><li id='comment-1' class='comment'><div class='comment-author'><b class='fn'>Pat"
      "</b></div><div class='comment-content'><p>Same here.</p></div></li></ol>",
      "page.html", posts, problems);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].author.name, "");
  EXPECT_EQ(posts[1].author.name, "Pat");
}

struct RejectCase {
  std::string_view html;
  std::string_view want_message;
};

constexpr RejectCase kRejectCases[] = {
    {"", "empty input, nothing to analyze"},
    {"\n  \r\n", "empty input, nothing to analyze"},
    {std::string_view("<p>\0</p>", 8),
     "looks like binary data (NUL byte at offset 3), not a text post"},
    {"<html><head><script>app()</script></head><body><div></div></body></html>",
     "no visible text (only markup, scripts or styles), nothing to analyze"},
};

TEST(HtmlReaderTest, EmptyBinaryOrTextlessPagesYieldAFatalProblem) {
  for (const RejectCase& c : kRejectCases) {
    SCOPED_TRACE(c.html);
    std::vector<Post> posts;
    std::vector<Problem> problems;
    ReadHtmlPost(c.html, "page.html", posts, problems);
    EXPECT_TRUE(posts.empty());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].where, "page.html");
    EXPECT_EQ(problems[0].message, c.want_message);
    EXPECT_TRUE(problems[0].is_fatal);
  }
}

TEST(HtmlReaderTest, InvalidUtf8IsRepairedBeforeParsing) {
  std::vector<Problem> problems;
  const Post post = ReadOne("<p>Caf\xE9</p>", &problems);
  EXPECT_EQ(post.text, "Caf\xEF\xBF\xBD");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].where, "page.html:byte 6");
  EXPECT_EQ(problems[0].message, "invalid UTF-8 replaced with U+FFFD (1 sequence)");
  EXPECT_FALSE(problems[0].is_fatal);
}

TEST(HtmlReaderTest, ABomIsDropped) { EXPECT_EQ(ReadOne("\xEF\xBB\xBF<p>x</p>").text, "x"); }

// Without a bound these take minutes in the parser (quadratic in depth or attribute count).
TEST(HtmlReaderTest, DeeplyNestedMarkupIsFlattenedAndItsTextKept) {
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div><b>";
  html += "deep<p>after</p>";
  const Post post = ReadOne(html);
  EXPECT_EQ(post.text, "deep\n\nafter");
}

TEST(HtmlReaderTest, TagsWithThousandsOfAttributesAreDroppedAndTheirTextKept) {
  std::string attributes;
  for (int i = 0; i < 5000; ++i) attributes += " a" + std::to_string(i) + "='>'";
  const Post post =
      ReadOne("<p" + attributes + ">kept</p><script" + attributes +
              ">var hidden = '<p>no</p>';</script><a href=x" + attributes + ">link</a>");
  EXPECT_EQ(post.text, "kept\n\nlink");  // the stray </p> still makes a paragraph
  EXPECT_TRUE(post.links.empty());
}

TEST(HtmlReaderTest, NestingLimitIgnoresWhatDoesNotNest) {
  // Hundreds of levels that the parser does not build: nothing may be dropped, so the link
  // at the end survives.
  std::string html = "<div><!--";
  for (int i = 0; i < 600; ++i) html += "<div>";
  html += "--><script>";
  for (int i = 0; i < 600; ++i) html += "<div>";
  html += "</script>";
  for (int i = 0; i < 600; ++i) {
    html += "<p><li><br><img src=x><svg/>";
    html += "<svg viewBox='0 0 1 1'><title>icon</title><g><path d='M0 0'/></g></svg>";
    html += "<math><mi>x</mi><mo>=</mo><mn>1</mn></math>";
  }
  html += "<a href='https://kept.example/'>text</a></div>";
  const Post post = ReadOne(html);
  EXPECT_EQ(post.links, std::vector<std::string>{"https://kept.example/"});
}

TEST(HtmlReaderTest, SelfClosingSyntaxOnHtmlElementsStillCountsAsNesting) {
  // "<div/>" opens a div in HTML, so 100,000 of them nest as deep as "<div>" would.
  std::string html;
  for (int i = 0; i < 100000; ++i) html += "<div/>";
  html += "deep";
  EXPECT_EQ(ReadOne(html).text, "deep");
}

TEST(HtmlReaderTest, ReadPostsDetectsHtmlAndEmitsThePost) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadPosts(
      "<!doctype html><p>hi</p>", "stdin", InputFormat::kAuto,
      [&](const Post& post) { posts.push_back(post); }, problems);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].text, "hi");
  EXPECT_TRUE(problems.empty());
}

TEST(HtmlReaderTest, TextIsTheMainArticleWithoutPageFurniture) {
  const std::string paragraph =
      "The delivery arrived three weeks late, the box was crushed, and support never answered "
      "my emails, so I am writing this review to warn other customers about the shop.";
  const Post post = ReadOne(
      "<html><body><nav><a href='/'>Home</a> <a href='/shop'>Shop</a></nav>"
      "<div class='sidebar'><p>Popular posts, archives, tags, and more links here.</p></div>"
      "<article><h2>My complaint</h2><p>" +
      paragraph + "</p><p>" + paragraph +
      "</p><div class='share'>Share on Facebook</div></article>"
      "<section id='comments'><p>" +
      paragraph +
      " Signed, a commenter.</p></section>"
      "<footer><p>Copyright, all rights reserved, contact, imprint.</p></footer></body></html>");
  EXPECT_EQ(post.text, "My complaint\n\n" + paragraph + "\n\n" + paragraph);
}

TEST(HtmlReaderTest, TheLeadBesideAReadMoreBoxIsPartOfTheArticle) {
  // The body's first paragraphs sit beside a box holding the rest: the box scores best, but
  // its container scores more than the box's wrapper, so the whole body is the article.
  const std::string paragraph =
      "The parcel was announced for Monday, then Wednesday, then the tracking page stopped "
      "updating, and the carrier's hotline, after forty minutes of music, hung up on me.";
  const Post post = ReadOne(
      "<html><body><nav><a href='/'>Home</a></nav><div class='story'>"
      "<p>A lead paragraph, written to be read first, that tells the whole story in short, "
      "with names, places, and dates.</p><p>" +
      paragraph + "</p><div class='more-content'><a href='#'>Read more</a><div id='more-text'><p>" +
      paragraph + " One.</p><p>" + paragraph + " Two.</p><p>" + paragraph + " Three.</p><p>" +
      paragraph +
      " Four.</p></div></div></div><footer><p>Contact, imprint.</p></footer></body></html>");
  EXPECT_EQ(post.text.substr(0, 31), "A lead paragraph, written to be");
  EXPECT_NE(post.text.find(" Four."), std::string::npos);
}

}  // namespace
// A WordPress page: the article, then each comment a post whose parent is the article or
// the comment it answers.
constexpr std::string_view kWordPressPage =
    R"HTML(<!DOCTYPE html><html lang="fr"><head><title>Mon colis perdu | Le blog de Marie</title>
<meta property="article:published_time" content="2026-01-10T09:00:00+01:00"></head><body>
<nav><a href="/">Accueil</a></nav>
<article class="post"><h1>Mon colis perdu</h1>
<p>Trois semaines que ColisRapide a perdu mon colis, et leur service client ne répond pas. J'ai appelé cinq fois, envoyé deux courriers, rien.</p>
<p>Si vous avez eu le même problème, racontez-le en commentaire.</p></article>
<div id="comments" class="comments-area"><h2>3 commentaires</h2>
<ol class="comment-list">
<li id="comment-12" class="comment even thread-even depth-1">
 <article id="div-comment-12" class="comment-body">
  <footer class="comment-meta"><div class="comment-author vcard"><img class="avatar" src="a.png"><b class="fn">Paul</b> <span class="says">dit :</span></div>
  <div class="comment-metadata"><a href="#comment-12"><time datetime="2026-01-10T10:15:00+01:00">10 janvier 2026</time></a></div></footer>
  <div class="comment-content"><p>Pareil chez moi, deux colis perdus en décembre.</p></div>
  <div class="reply"><a class="comment-reply-link" href="#">Répondre</a></div>
 </article>
 <ol class="children">
 <li id="comment-13" class="comment byuser odd alt depth-2">
  <article class="comment-body"><footer class="comment-meta"><div class="comment-author vcard"><b class="fn">ColisRapide</b></div>
  <div class="comment-metadata"><time datetime="2026-01-10T11:00:00+01:00">10 janvier</time></div></footer>
  <div class="comment-content"><p>Bonjour Paul, envoyez-nous votre numéro de suivi en message privé.</p></div></article>
 </li></ol>
</li>
<li id="comment-14" class="comment even depth-1"><article class="comment-body"><footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Julie</b></div></footer>
<div class="comment-content"><p>Merci pour l'article !</p></div></article></li>
</ol></div><footer>© 2026</footer></body></html>
)HTML";

TEST(HtmlReaderTest, CommentsUnderTheArticleArePostsOfTheirOwn) {
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadHtmlPost(kWordPressPage, "https://blog.example/colis", posts, problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(posts.size(), 4u);
  EXPECT_EQ(posts[0].id, "https://blog.example/colis");
  EXPECT_EQ(posts[0].url, "https://blog.example/colis");
  EXPECT_EQ(posts[0].text,
            "Mon colis perdu\n\nTrois semaines que ColisRapide a perdu mon colis, et leur service "
            "client ne répond pas. J'ai appelé cinq fois, envoyé deux courriers, rien.\n\nSi vous "
            "avez eu le même problème, racontez-le en commentaire.");
  struct Want {
    std::string_view id, parent_id, author, published_at, text;
  };
  const Want want[] = {
      {"https://blog.example/colis#comment-12", "https://blog.example/colis", "Paul",
       "2026-01-10T09:15:00Z", "Pareil chez moi, deux colis perdus en décembre."},
      {"https://blog.example/colis#comment-13", "https://blog.example/colis#comment-12",
       "ColisRapide", "2026-01-10T10:00:00Z",
       "Bonjour Paul, envoyez-nous votre numéro de suivi en message privé."},
      {"https://blog.example/colis#comment-14", "https://blog.example/colis", "Julie", "",
       "Merci pour l'article !"},
  };
  for (size_t i = 0; i < 3; ++i) {
    const Post& c = posts[i + 1];
    EXPECT_EQ(c.id, want[i].id);
    EXPECT_EQ(c.url, want[i].id);
    EXPECT_EQ(c.parent_id, want[i].parent_id);
    EXPECT_EQ(c.parent_url, want[i].parent_id);
    EXPECT_EQ(c.author.name, want[i].author);
    EXPECT_EQ(c.published_at, want[i].published_at);
    EXPECT_EQ(c.text, want[i].text);
    EXPECT_EQ(c.source, "html");
    EXPECT_EQ(c.content_hash.size(), 16u);
  }
}

TEST(HtmlReaderTest, BloggerCommentsAreReadToo) {
  const std::string page =
      "<html><body><div class='post-body'><p>Le SAV de Fibrelys m'a raccroché au nez trois "
      "fois cette semaine, sans jamais prendre ma réclamation.</p></div>"
      "<div class='comments' id='comments'><ol id='top-ra'>"
      "<li class='comment' id='c7001'><div class='comment-block'><div class='comment-header'>"
      "<cite class='user'><a href='/u/1'>Léa</a></cite><span class='datetime secondary-text'>"
      "<a href='#c7001'>3 mars 2026 à 14:05</a></span></div>"
      "<p class='comment-content'>Même chose chez moi, c'est honteux.</p></div></li>"
      "</ol></div></body></html>";
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadHtmlPost(page, "page.html", posts, problems);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].text.find("honteux"), std::string::npos) << posts[0].text;
  EXPECT_EQ(posts[1].id, "page.html#c7001");
  EXPECT_EQ(posts[1].url, "");  // the page's name is no URL
  EXPECT_EQ(posts[1].parent_id, "page.html");
  EXPECT_EQ(posts[1].author.name, "Léa");
  EXPECT_EQ(posts[1].published_at, "2026-03-03T14:05:00Z");
  EXPECT_EQ(posts[1].text, "Même chose chez moi, c'est honteux.");
}

}  // namespace ecoute
