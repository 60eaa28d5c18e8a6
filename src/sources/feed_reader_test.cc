#include "sources/feed_reader.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute {
namespace {

struct ReadResult {
  std::vector<Post> posts;
  std::vector<Problem> problems;
};

ReadResult Read(std::string_view bytes, std::string_view name = "feed.xml") {
  ReadResult result;
  ReadFeed(
      bytes, name, [&](const Post& post) { result.posts.push_back(post); }, result.problems);
  return result;
}

TEST(FeedReaderTest, ReadsRss20Items) {
  const ReadResult result = Read(R"(<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
  <title>Blog</title><link>https://blog.example/</link><language>fr-FR</language>
  <item>
    <title>Colis perdu</title>
    <link>https://blog.example/colis</link>
    <guid isPermaLink="false">post-1</guid>
    <dc:creator>Marie L.</dc:creator>
    <pubDate>Tue, 03 Feb 2026 14:05:00 +0100</pubDate>
    <description>&lt;p&gt;Premier paragraphe.&lt;/p&gt;&lt;p&gt;Voir &lt;a href="https://x.example/a"&gt;ici&lt;/a&gt;.&lt;/p&gt;</description>
    <enclosure url="https://blog.example/photo.jpg" length="1000" type="image/jpeg"/>
    <slash:comments>7</slash:comments>
  </item>
</channel>
</rss>)");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_TRUE(result.problems.empty());
  const Post& post = result.posts[0];
  EXPECT_EQ(post.id, "post-1");
  EXPECT_EQ(post.source, "rss");
  EXPECT_EQ(post.url, "https://blog.example/colis");
  EXPECT_EQ(post.title, "Colis perdu");
  EXPECT_EQ(post.text, "Premier paragraphe.\n\nVoir ici.");
  EXPECT_EQ(post.lang, "fr-FR");
  EXPECT_EQ(post.author.name, "Marie L.");
  EXPECT_EQ(post.published_at, "2026-02-03T13:05:00Z");
  EXPECT_EQ(post.links,
            (std::vector<std::string>{"https://blog.example/photo.jpg", "https://x.example/a"}));
  EXPECT_EQ(post.comments, 7);
  EXPECT_EQ(post.content_hash.size(), 16u);
}

TEST(FeedReaderTest, ReadsRss10Items) {
  const ReadResult result = Read(R"(<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://news.example/"><title>News</title>
    <link>https://news.example/</link></channel>
  <item rdf:about="https://news.example/1">
    <title>Panne</title><link>https://news.example/1</link>
    <description>Plus de courant.</description>
    <dc:date>2026-11-20T08:12:00+01:00</dc:date>
  </item>
</rdf:RDF>)");
  ASSERT_EQ(result.posts.size(), 1u);
  const Post& post = result.posts[0];
  EXPECT_EQ(post.id, "https://news.example/1");
  EXPECT_EQ(post.source, "rss");
  EXPECT_EQ(post.text, "Plus de courant.");
  EXPECT_EQ(post.updated_at, "2026-11-20T07:12:00Z");
  EXPECT_EQ(post.published_at, "2026-11-20T07:12:00Z");
}

TEST(FeedReaderTest, ReadsAtom10Entries) {
  const ReadResult result = Read(R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Atom</title><link href="https://a.example/"/>
  <entry>
    <id>tag:a.example,2026:1</id>
    <title type="html">Refund &amp;lt;late&amp;gt;</title>
    <link rel="alternate" href="https://a.example/1"/>
    <author><name>Jo</name><uri>https://a.example/jo</uri></author>
    <published>2026-01-02T03:04:05Z</published>
    <updated>2026-01-03T03:04:05Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p><p>Two</p></div></content>
  </entry>
</feed>)");
  ASSERT_EQ(result.posts.size(), 1u);
  const Post& post = result.posts[0];
  EXPECT_EQ(post.id, "tag:a.example,2026:1");
  EXPECT_EQ(post.source, "atom");
  EXPECT_EQ(post.url, "https://a.example/1");
  EXPECT_EQ(post.title, "Refund <late>");
  EXPECT_EQ(post.text, "One\n\nTwo");
  EXPECT_EQ(post.lang, "en");
  EXPECT_EQ(post.author.name, "Jo");
  EXPECT_EQ(post.author.url, "https://a.example/jo");
  EXPECT_EQ(post.published_at, "2026-01-02T03:04:05Z");
  EXPECT_EQ(post.updated_at, "2026-01-03T03:04:05Z");
}

TEST(FeedReaderTest, GivesWordPressCommentsTheirArticleAsParent) {
  const ReadResult result = Read(R"(<rss version="2.0">
<channel>
  <title>Comments on: Colis perdu</title>
  <link>https://blog.example/colis/</link>
  <item>
    <title>By: Paul</title>
    <link>https://blog.example/colis/#comment-12</link>
    <guid isPermaLink="false">https://blog.example/?p=5#comment-12</guid>
    <description>Moi aussi.</description>
  </item>
</channel>
</rss>)");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].parent_url, "https://blog.example/colis/");
  EXPECT_EQ(result.posts[0].parent_id, "");
}

TEST(FeedReaderTest, TakesTheParentFromAtomThreading) {
  const ReadResult result = Read(R"(<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:thr="http://purl.org/syndication/thread/1.0">
  <entry><id>c1</id><title>Re</title><content>ok</content>
    <thr:in-reply-to ref="tag:post-1" href="https://b.example/post-1"/></entry>
</feed>)");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].parent_id, "tag:post-1");
  EXPECT_EQ(result.posts[0].parent_url, "https://b.example/post-1");
}

TEST(FeedReaderTest, DecodesDeclaredWindows1252AndLatin1) {
  // "Café – prix" with é = E9 and the en dash = 96 in Windows-1252.
  for (std::string_view encoding : {"windows-1252", "ISO-8859-1"}) {
    SCOPED_TRACE(encoding);
    const std::string feed = "<?xml version=\"1.0\" encoding=\"" + std::string(encoding) +
                             "\"?><rss version=\"2.0\"><channel><item><title>Caf\xE9</title>"
                             "<description>d\xE9j\xE0</description></item></channel></rss>";
    const ReadResult result = Read(feed);
    ASSERT_EQ(result.posts.size(), 1u);
    EXPECT_EQ(result.posts[0].title, "Caf\xC3\xA9");
    EXPECT_EQ(result.posts[0].text, "d\xC3\xA9j\xC3\xA0");
    EXPECT_TRUE(result.problems.empty());
  }
}

TEST(FeedReaderTest, ReadsUndeclaredLatin1AsWindows1252) {
  const ReadResult result = Read(
      "<rss version=\"2.0\"><channel><item><title>Caf\xE9 \x96 prix</title></item></channel>"
      "</rss>");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].title, "Caf\xC3\xA9 \xE2\x80\x93 prix");
}

TEST(FeedReaderTest, ResolvesRelativeUrlsAgainstXmlBase) {
  const ReadResult result = Read(R"(<feed xmlns="http://www.w3.org/2005/Atom"
      xml:base="https://c.example/blog/">
  <entry xml:base="posts/"><id>e1</id><title>T</title><link href="one.html"/>
    <content type="html">&lt;a href="../img/x.png"&gt;x&lt;/a&gt;</content></entry>
</feed>)");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].url, "https://c.example/blog/posts/one.html");
  EXPECT_EQ(result.posts[0].links, std::vector<std::string>{"https://c.example/blog/img/x.png"});
}

TEST(FeedReaderTest, TurnsEscapedHtmlIntoText) {
  const ReadResult result = Read(R"(<rss version="2.0"><channel><item><title>T</title>
  <description>&lt;p&gt;Bonjour &amp;amp; merci&lt;br&gt;ligne&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</description>
</item></channel></rss>)");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].text, "Bonjour & merci\nligne");
}

TEST(FeedReaderTest, RecoversAnIllFormedFeedWithAProblem) {
  const ReadResult result = Read(R"(<rss version="2.0"><channel><item><title>A & B</title>
<link>https://d.example/1</link></item></channel></rss>)");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].url, "https://d.example/1");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].where, "feed.xml");
  EXPECT_FALSE(result.problems[0].is_fatal);
  EXPECT_NE(result.problems[0].message.find("not well-formed"), std::string::npos);
}

TEST(FeedReaderTest, RejectsWhatIsNotAFeed) {
  for (std::string_view bytes : {std::string_view(""), std::string_view("just text"),
                                 std::string_view("<html><body>page</body></html>")}) {
    SCOPED_TRACE(bytes);
    const ReadResult result = Read(bytes);
    EXPECT_TRUE(result.posts.empty());
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_TRUE(result.problems[0].is_fatal);
    EXPECT_EQ(result.problems[0].where, "feed.xml");
  }
}

TEST(FeedReaderTest, KeepsTheNeighboursOfABadEntry) {
  const ReadResult result = Read(R"(<rss version="2.0"><channel>
  <item><title>One</title><pubDate>yesterday</pubDate></item>
  <item></item>
  <item><title>Three</title><slash:comments xmlns:slash="http://purl.org/rss/1.0/modules/slash/">many</slash:comments></item>
</channel></rss>)");
  ASSERT_EQ(result.posts.size(), 2u);
  EXPECT_EQ(result.posts[0].title, "One");
  EXPECT_EQ(result.posts[0].id, "feed.xml:entry 1");
  EXPECT_EQ(result.posts[0].published_at, "");
  EXPECT_EQ(result.posts[1].title, "Three");
  EXPECT_EQ(result.posts[1].comments, -1);
  ASSERT_EQ(result.problems.size(), 3u);
  EXPECT_EQ(result.problems[0].where, "feed.xml:entry 1");
  EXPECT_EQ(result.problems[0].message,
            "<published> \"yesterday\" is not a date; write it as RFC 822 or RFC 3339");
  EXPECT_EQ(result.problems[1].where, "feed.xml:entry 2");
  EXPECT_EQ(result.problems[2].where, "feed.xml:entry 3");
}

TEST(FeedReaderTest, NeverLoadsExternalEntities) {
  const ReadResult result = Read(R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY ext SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>x&ext;y</title></item></channel></rss>)");
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].title, "xy");
}

TEST(FeedDocumentTest, ModelsFeedparserFields) {
  const feeds::FeedDocument document = feeds::ParseFeedDocument(R"(<rss version="0.91">
<channel><title>T</title><description>D</description><link>http://e.example/</link>
<item><guid>http://e.example/1</guid></item></channel></rss>)");
  EXPECT_FALSE(document.is_bozo);
  std::string json;
  feeds::AppendFeedValueJson(document.root, json);
  EXPECT_EQ(document.root.StringAt("version"), "rss091u");
  const feeds::FeedValue& entry = document.root.Find("entries")->items.at(0);
  EXPECT_EQ(entry.StringAt("link"), "http://e.example/1");
  ASSERT_NE(entry.Find("guidislink"), nullptr);
  EXPECT_TRUE(entry.Find("guidislink")->boolean);
  EXPECT_EQ(document.root.Find("feed")->StringAt("subtitle"), "D");
}

}  // namespace
}  // namespace ecoute
