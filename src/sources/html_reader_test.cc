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

}  // namespace
}  // namespace ecoute
