// Format detection and dispatch: which reader gets an input.
#include <gtest/gtest.h>

#include "ecoute/sources.h"

namespace ecoute {
namespace {

TEST(DetectInputFormatTest, TellsFeedsFromOtherXmlAndHtml) {
  EXPECT_EQ(DetectInputFormat("<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel>", "x"),
            InputFormat::kFeed);
  EXPECT_EQ(DetectInputFormat("<feed xmlns=\"http://www.w3.org/2005/Atom\">", ""),
            InputFormat::kFeed);
  EXPECT_EQ(DetectInputFormat("<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"...\">", "f"),
            InputFormat::kFeed);
  EXPECT_EQ(DetectInputFormat("anything", "blog.atom"), InputFormat::kFeed);
  // A .xml file that is no feed is not read as one.
  EXPECT_EQ(DetectInputFormat("<?xml version=\"1.0\"?><config/>", "settings.xml"),
            InputFormat::kText);
  EXPECT_EQ(DetectInputFormat("<!DOCTYPE html><html>", ""), InputFormat::kHtml);
}

TEST(DetectInputFormatTest, TellsSocialJsonFromJsonLines) {
  const std::string mastodon =
      R"([{"id": "1", "content": "<p>hi</p>", "account": {"acct": "marie"}}])";
  EXPECT_EQ(DetectInputFormat(mastodon, "statuses.json"), InputFormat::kMastodon);
  EXPECT_EQ(DetectInputFormat(R"({"statuses": [{"account": {}}]})", ""), InputFormat::kMastodon);
  const std::string bluesky = R"({"posts": [{"uri": "at://did:plc:x/app.bsky.feed.post/1"}]})";
  EXPECT_EQ(DetectInputFormat(bluesky, "search.json"), InputFormat::kBluesky);
  EXPECT_EQ(DetectInputFormat(R"({"id": "a", "text": "hello"})", "posts.jsonl"),
            InputFormat::kJsonLines);
  EXPECT_EQ(DetectInputFormat(R"({"id": "a", "text": "hello"})", ""), InputFormat::kJsonLines);
}

TEST(ParseInputFormatTest, NamesEveryReader) {
  InputFormat f = InputFormat::kAuto;
  for (const auto& [name, want] :
       {std::pair{"feed", InputFormat::kFeed}, std::pair{"mastodon", InputFormat::kMastodon},
        std::pair{"bluesky", InputFormat::kBluesky}, std::pair{"jsonl", InputFormat::kJsonLines}}) {
    ASSERT_TRUE(ParseInputFormat(name, f)) << name;
    EXPECT_EQ(f, want) << name;
  }
  EXPECT_FALSE(ParseInputFormat("rss", f));
}

TEST(ReadPostsTest, DispatchesAFeedToTheFeedReader) {
  const std::string feed =
      "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog</title>"
      "<link>https://blog.example/</link><item><title>Colis perdu</title>"
      "<link>https://blog.example/colis</link><guid>https://blog.example/?p=1</guid>"
      "<description>Mon colis est perdu depuis deux semaines.</description></item>"
      "</channel></rss>";
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadPosts(
      feed, "blog.rss", InputFormat::kAuto, [&](const Post& p) { posts.push_back(p); }, problems);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].source, "rss");
  EXPECT_EQ(posts[0].url, "https://blog.example/colis");
  EXPECT_EQ(posts[0].title, "Colis perdu");
  EXPECT_EQ(posts[0].text, "Mon colis est perdu depuis deux semaines.");
}

}  // namespace
}  // namespace ecoute
