#include "sources/feed/feed_reader.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
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

// Every post field and every problem of two reads of the same feed.
void ExpectSameRead(const ReadResult& want, const ReadResult& got) {
  ASSERT_EQ(want.posts.size(), got.posts.size());
  for (size_t i = 0; i < want.posts.size(); ++i) {
    SCOPED_TRACE("post " + std::to_string(i + 1));
    const Post& a = want.posts[i];
    const Post& b = got.posts[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.url, b.url);
    EXPECT_EQ(a.title, b.title);
    EXPECT_EQ(a.text, b.text);
    EXPECT_EQ(a.lang, b.lang);
    EXPECT_EQ(a.author.name, b.author.name);
    EXPECT_EQ(a.author.handle, b.author.handle);
    EXPECT_EQ(a.author.url, b.author.url);
    EXPECT_EQ(a.author.followers, b.author.followers);
    EXPECT_EQ(a.contacts, b.contacts);
    EXPECT_EQ(a.published_at, b.published_at);
    EXPECT_EQ(a.updated_at, b.updated_at);
    EXPECT_EQ(a.parent_id, b.parent_id);
    EXPECT_EQ(a.parent_url, b.parent_url);
    EXPECT_EQ(a.links, b.links);
    EXPECT_EQ(a.comments, b.comments);
    EXPECT_EQ(a.shares, b.shares);
    EXPECT_EQ(a.likes, b.likes);
    EXPECT_EQ(a.content_hash, b.content_hash);
  }
  ASSERT_EQ(want.problems.size(), got.problems.size());
  for (size_t i = 0; i < want.problems.size(); ++i) {
    EXPECT_EQ(want.problems[i].where, got.problems[i].where);
    EXPECT_EQ(want.problems[i].message, got.problems[i].message);
    EXPECT_EQ(want.problems[i].is_fatal, got.problems[i].is_fatal);
  }
}

struct PathsCompared {
  bool is_streamed = false;
  size_t posts = 0;
  size_t entries_serialized = 0;  // by our serializer, compared with xmlNodeDump
};

// Reads `bytes` with the document path and with the streaming path and expects the same
// posts and problems when the streaming path takes the feed.
PathsCompared ExpectSamePaths(std::string_view bytes, std::string_view name) {
  // The bytes of each entry's content hash: ours are libxml2's.
  size_t entries_serialized = 0;
  for (const feeds::EntryXmlPair& pair : feeds::EntryXmlBothWays(bytes)) {
    if (!pair.is_own) continue;
    EXPECT_EQ(pair.own, pair.libxml);
    ++entries_serialized;
  }
  ReadResult document;
  feeds::ReadFeedWithDocument(
      bytes, name, [&](const Post& post) { document.posts.push_back(post); }, document.problems);
  ReadResult streamed;
  const bool is_streamed = feeds::ReadFeedStreaming(
      bytes, name, [&](const Post& post) { streamed.posts.push_back(post); }, streamed.problems);
  if (!is_streamed) {
    // Falling back must leave no trace.
    EXPECT_TRUE(streamed.posts.empty());
    EXPECT_TRUE(streamed.problems.empty());
    return {false, document.posts.size(), entries_serialized};
  }
  ExpectSameRead(document, streamed);
  return {true, document.posts.size(), entries_serialized};
}

// ReadFeed, after checking that both of its paths agree on `bytes`.
ReadResult Read(std::string_view bytes, std::string_view name = "feed.xml") {
  ExpectSamePaths(bytes, name);
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

TEST(FeedReaderTest, AuthorsEmailAndUriAreContactRoutes) {
  const ReadResult result = Read(R"(<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom</title><link href="https://a.example/"/>
  <entry><id>1</id><title>Un</title><link href="https://a.example/1"/>
    <author><name>Jo</name><email>jo@a.example</email><uri>https://mastodon.social/@jo</uri></author>
  </entry>
  <entry><id>2</id><title>Deux</title><link href="https://a.example/2"/>
    <author><name>Al</name><uri>https://al.example/</uri></author>
  </entry>
</feed>)");
  ASSERT_EQ(result.posts.size(), 2u);
  EXPECT_EQ(
      result.posts[0].contacts,
      (std::vector<ContactRoute>{{"email", "jo@a.example"}, {"mastodon", "@jo@mastodon.social"}}));
  EXPECT_EQ(result.posts[1].contacts,
            (std::vector<ContactRoute>{{"website", "https://al.example/"}}));
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

// Shapes the streaming path must read as the document path does (each also goes through
// Read() in the tests above, which compares both paths).
constexpr std::string_view kStreamedFeeds[] = {
    // RSS 1.0: items beside the channel, a channel language after them.
    R"(<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <item rdf:about="https://n.example/1"><title>Un</title><link>https://n.example/1</link></item>
  <channel rdf:about="https://n.example/"><title>N</title><link>https://n.example/1#top</link>
    <dc:language>fr</dc:language></channel>
  <item rdf:about="https://n.example/2"><title>Deux</title><dc:creator>Zoé</dc:creator></item>
</rdf:RDF>)",
    // A comment feed whose channel link comes after the items.
    R"(<rss version="2.0"><channel>
  <item><title>Re</title><link>https://b.example/p#c1</link></item>
  <link>https://b.example/p</link><language>en</language></channel></rss>)",
    // Entities, CDATA, content:encoded, media:, a permalink guid, xml:base on the channel.
    R"(<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel xml:base="https://m.example/dir/"><atom:link rel="self" href="feed.xml"/>
  <item><guid>https://m.example/g1</guid><title>caf&#233; &amp; th&#xE9;</title>
    <description><![CDATA[<p>Voir <a href="x.html">ici</a> &amp; l&agrave;</p>]]></description>
    <content:encoded>&lt;p&gt;Long &lt;img src="i.png"&gt;&lt;/p&gt;</content:encoded>
    <media:group><media:content url="v.mp4"/><media:title>Vid\xE9o</media:title></media:group>
    <category>a</category><comments>c.html</comments><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2026-01-02</dc:date>
  </item>
  <item><title type="html">&lt;b&gt;Gras&lt;/b&gt;</title><author>me@x.example (Moi)</author>
    <pubDate>Sat, 21 Nov 2026 10:00:00 GMT</pubDate><enclosure url="a.mp3" length="1"/></item>
</channel></rss>)",
    // Atom: xml:base and xml:lang everywhere, an entry before the feed's link, a source.
    R"(<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/x/" xml:lang="de">
  <entry xml:lang="fr"><id>1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">T <b>b</b></div></title>
    <link href="e/1"/><link rel="enclosure" href="s.ogg"/><summary>s</summary>
    <content type="html" xml:base="../y/">&lt;a href="z"&gt;z&lt;/a&gt;</content>
    <source><title>S</title><link href="https://s.example/"/></source>
    <author><name>A</name><email>a@a.example</email></author><updated>bad date</updated></entry>
  <link href="/"/><title>F</title>
  <entry><id>2</id><title>Deux</title><content type="text">plain &lt;not html&gt;</content></entry>
</feed>)",
    // Atom 0.3 with modes.
    R"(<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>
  <entry><id>x</id><title mode="escaped">&lt;i&gt;i&lt;/i&gt;</title>
    <content type="text/html" mode="base64">PHA+aGk8L3A+</content><issued>2003-12-13T18:30:02Z</issued></entry>
</feed>)",
    // Unknown namespaces and elements, a channel-level guid before the first item.
    R"(<rss version="2.0" xmlns:foo="http://foo.example/"><channel><guid>g</guid>
  <item><foo:bar>1</foo:bar><title>t</title><slash_comments>3</slash_comments></item>
  <item><description>only text</description><guid isPermaLink="true">https://p.example/1</guid></item>
</channel></rss>)",
    // CDF, which goes to the document path.
    R"(<CHANNEL HREF="https://c.example/"><TITLE>C</TITLE><ITEM HREF="https://c.example/1">
  <TITLE>Un</TITLE><ABSTRACT>R</ABSTRACT></ITEM></CHANNEL>)",
    // Not well-formed after a good entry: the document path's recovery.
    R"(<rss version="2.0"><channel><item><title>ok</title></item><item><title>a & b</title></item>)",
    // Undeclared Windows-1252 in an attribute: xmlNodeDump's escaping of it depends on the
    // document's encoding, known at its end (found by fuzzing).
    ("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><link rel=\"\xFF\xFF\" "
     "href=\"https://x.example/\"/><title>t</title></entry></feed>"),
    // An undeclared prefix.
    R"(<rss version="2.0"><channel><item><title>ok</title><x:y>1</x:y></item></channel></rss>)",
};

TEST(FeedPathsTest, StreamingReadsShapedFeedsAsTheDocumentDoes) {
  size_t streamed = 0;
  for (std::string_view feed : kStreamedFeeds) {
    SCOPED_TRACE(feed);
    if (ExpectSamePaths(feed, "feed.xml").is_streamed) ++streamed;
  }
  // Not: CDF, ill-formed, Windows-1252 attribute, bad prefix.
  EXPECT_EQ(streamed, std::size(kStreamedFeeds) - 4);
}

// Entries whose bytes our serializer must write as xmlNodeDump does, or leave to it.
TEST(FeedPathsTest, SerializesEntriesAsLibxml2Does) {
  constexpr std::string_view kFeeds[] = {
      R"(<rss xmlns:a="urn:a&amp;b" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<item xmlns="urn:d" xmlns:z="urn:z&amp;w" a:q="x&amp;&lt;&gt;&quot;'&#9;&#10;&#13;
 y" b='1' xml:lang="fr"><title>t&amp;&lt;&gt;"' caf&#233; &#13;	
</title><e/><a:f>x</a:f><g></g><![CDATA[cd<&]]></item>
<item xmlns:x='urn:x"q'><title>q</title></item>
<item><title>c</title><!-- c --><?pi x?></item>
<item><title>&#x1F600; ok</title><link href="caf&#233;"/></item>
<item><dc:creator>&lt;b&gt;</dc:creator><description>&lt;p&gt;x&lt;/p&gt;</description></item>
</channel></rss>)",
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item a=\"\xE9\">"
      "<title>\xE9</title></item><item><title>\xE9</title></item></channel></rss>",
      "<rss><channel><item><title>\xE9\x96</title></item></channel></rss>",
      R"(<feed xmlns="http://www.w3.org/2005/Atom"><entry xml:base="b/"><content type="xhtml">
<div xmlns="http://www.w3.org/1999/xhtml"><p class="c">x<br/></p></div></content></entry></feed>)",
  };
  size_t own = 0;
  size_t entries = 0;
  for (std::string_view feed : kFeeds) {
    SCOPED_TRACE(feed);
    for (const feeds::EntryXmlPair& pair : feeds::EntryXmlBothWays(feed)) {
      ++entries;
      if (!pair.is_own) continue;
      ++own;
      EXPECT_EQ(pair.own, pair.libxml);
    }
  }
  EXPECT_EQ(entries, 9u);
  // Not: the namespace URI with a quote, the non-ASCII attributes.
  EXPECT_EQ(own, 6u);
}

TEST(FeedPathsTest, StreamingReadsThousandsOfEntries) {
  std::string feed = "<rss version=\"2.0\"><channel><title>T</title>";
  for (int i = 0; i < 5000; ++i) {
    feed += "<item><title>t" + std::to_string(i) + "</title><description>&lt;p&gt;d " +
            std::to_string(i) + "&lt;/p&gt;</description><pubDate>Mon, 23 Nov 2026 08:10:" +
            std::to_string(10 + i % 50) + " +0100</pubDate></item>";
  }
  feed += "<language>it</language></channel></rss>";
  const PathsCompared compared = ExpectSamePaths(feed, "big.xml");
  EXPECT_TRUE(compared.is_streamed);
  EXPECT_EQ(compared.posts, 5000u);
}

// Every feed of feedparser's test cases (../shared/testsuites/feeds, or
// $ECOUTE_FEED_SUITE), when present.
TEST(FeedPathsTest, StreamingReadsTheTestSuiteAsTheDocumentDoes) {
  namespace fs = std::filesystem;
  const char* env = std::getenv("ECOUTE_FEED_SUITE");
  const fs::path suite = env != nullptr ? fs::path(env)
                                        : fs::path(ECOUTE_TEST_DATA_DIR) / ".." / ".." / "shared" /
                                              "testsuites" / "feeds";
  std::error_code error;
  if (!fs::is_directory(suite, error)) GTEST_SKIP() << suite << " is absent";
  size_t feeds = 0;
  size_t streamed = 0;
  size_t posts = 0;
  size_t entries_serialized = 0;
  for (const fs::directory_entry& file : fs::recursive_directory_iterator(suite, error)) {
    const std::string extension = file.path().extension().string();
    if (!file.is_regular_file() || (extension != ".xml" && extension != ".rss" &&
                                    extension != ".atom" && extension != ".rdf")) {
      continue;
    }
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    SCOPED_TRACE(file.path().string());
    const PathsCompared compared = ExpectSamePaths(bytes.str(), file.path().filename().string());
    ++feeds;
    entries_serialized += compared.entries_serialized;
    if (compared.is_streamed) {
      ++streamed;
      posts += compared.posts;
    }
  }
  std::printf(
      "compared %zu feeds: %zu streamed (%zu posts), %zu by the document path; %zu entries "
      "serialized as xmlNodeDump does\n",
      feeds, streamed, posts, feeds - streamed, entries_serialized);
  EXPECT_GT(feeds, 0u);
}

}  // namespace
}  // namespace ecoute
