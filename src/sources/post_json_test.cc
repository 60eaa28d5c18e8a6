// The post's JSON form and its round trip through the JSON-lines reader.
#include <gtest/gtest.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute {
namespace {

TEST(ContentHashTest, IsXxh3InSixteenHexDigits) {
  // XXH3-64 of the empty input, seed 0, as xxHash documents it.
  EXPECT_EQ(ContentHash(""), "2d06800538d394c2");
  EXPECT_EQ(ContentHash("same bytes"), ContentHash("same bytes"));
  EXPECT_NE(ContentHash("same bytes"), ContentHash("same bytes."));
  EXPECT_EQ(ContentHash("x").size(), 16u);
}

Post SamplePost() {
  Post post;
  post.id = "https://mastodon.social/@marie/1";
  post.source = "mastodon";
  post.url = "https://mastodon.social/@marie/1";
  post.title = "";
  post.text = "Plus de réseau depuis 3 jours.\n\n\"Redémarrez la box\", qu'ils disent.";
  post.lang = "fr";
  post.author.name = "Marie L.";
  post.author.handle = "@marie@mastodon.social";
  post.author.url = "https://mastodon.social/@marie";
  post.author.followers = 48200;
  post.published_at = "2026-11-20T08:12:00Z";
  post.parent_id = "mastodon.social/statuses/0";
  post.links = {"https://example.org/a", "https://example.org/b"};
  post.contacts = {{"mastodon", "@marie@mastodon.social"}, {"website", "https://marie.example/"}};
  post.comments = 3;
  post.likes = 12;
  post.content_hash = "00000000000000ff";
  return post;
}

TEST(PostJsonTest, WritesEveryFieldInOneLine) {
  std::string out;
  AppendPostJson(SamplePost(), out);
  EXPECT_EQ(out,
            R"({"id": "https://mastodon.social/@marie/1", "source": "mastodon", )"
            R"("url": "https://mastodon.social/@marie/1", "title": "", )"
            R"("text": "Plus de réseau depuis 3 jours.\n\n\"Redémarrez la box\", qu'ils disent.", )"
            R"("lang": "fr", "author": {"name": "Marie L.", "handle": "@marie@mastodon.social", )"
            R"("url": "https://mastodon.social/@marie", "followers": 48200}, )"
            R"("published_at": "2026-11-20T08:12:00Z", "updated_at": "", )"
            R"("parent_id": "mastodon.social/statuses/0", "parent_url": "", )"
            R"("links": ["https://example.org/a", "https://example.org/b"], )"
            R"("contacts": [{"kind": "mastodon", "value": "@marie@mastodon.social"}, )"
            R"({"kind": "website", "value": "https://marie.example/"}], )"
            R"("comments": 3, "shares": -1, "likes": 12, "content_hash": "00000000000000ff"})");
}

TEST(PostJsonTest, ReadsBackAsTheSamePost) {
  const Post want = SamplePost();
  std::string line;
  AppendPostJson(want, line);
  std::vector<Post> got;
  std::vector<Problem> problems;
  ReadJsonLines(
      line + "\n", "posts.jsonl", [&](const Post& p) { got.push_back(p); }, problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(got.size(), 1u);
  const Post& p = got[0];
  EXPECT_EQ(p.id, want.id);
  EXPECT_EQ(p.source, want.source);
  EXPECT_EQ(p.url, want.url);
  EXPECT_EQ(p.text, want.text);
  EXPECT_EQ(p.lang, want.lang);
  EXPECT_EQ(p.author.name, want.author.name);
  EXPECT_EQ(p.author.handle, want.author.handle);
  EXPECT_EQ(p.author.url, want.author.url);
  EXPECT_EQ(p.author.followers, want.author.followers);
  EXPECT_EQ(p.published_at, want.published_at);
  EXPECT_EQ(p.parent_id, want.parent_id);
  EXPECT_EQ(p.links, want.links);
  EXPECT_EQ(p.contacts, want.contacts);
  EXPECT_EQ(p.comments, want.comments);
  EXPECT_EQ(p.shares, want.shares);
  EXPECT_EQ(p.likes, want.likes);
  EXPECT_EQ(p.content_hash, want.content_hash);
}

TEST(PostJsonTest, ContactsThatAreNotRoutesAreSkipped) {
  std::vector<Post> got;
  std::vector<Problem> problems;
  ReadJsonLines(
      R"({"text": "t", "contacts": [{"kind": "email", "value": "a@b.fr"}, "x", )"
      R"({"kind": "fax", "value": "1"}, {"kind": "website", "value": "javascript:x"}, )"
      R"({"kind": "x"}, {"kind": "x", "value": 3}, {"kind": "email", "value": "a@b.fr"}]})"
      "\n",
      "posts.jsonl", [&](const Post& p) { got.push_back(p); }, problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].contacts, (std::vector<ContactRoute>{{"email", "a@b.fr"}}));
}

TEST(PostJsonTest, AJsonLineWithoutHashOrSourceGetsThem) {
  std::vector<Post> got;
  std::vector<Problem> problems;
  const std::string line = R"({"id": "a", "text": "hello"})";
  ReadJsonLines(
      line + "\n", "p.jsonl", [&](const Post& p) { got.push_back(p); }, problems);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].source, "jsonl");
  EXPECT_EQ(got[0].content_hash, ContentHash(line));
}

}  // namespace
TEST(PostJsonTest, DatesAreReadInUtc) {
  std::vector<Post> got;
  std::vector<Problem> problems;
  ReadJsonLines(
      "{\"text\": \"a\", \"published_at\": \"Tue, 10 Jun 2003 04:00:00 -0400\"}\n"
      "{\"text\": \"b\", \"published_at\": \"2026-11-20T09:12:00+01:00\"}\n"
      "{\"text\": \"c\", \"published_at\": \"last tuesday\"}\n",
      "d.jsonl", [&](const Post& p) { got.push_back(p); }, problems);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].published_at, "2003-06-10T08:00:00Z");
  EXPECT_EQ(got[1].published_at, "2026-11-20T08:12:00Z");
  EXPECT_EQ(got[2].published_at, "");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].where, "d.jsonl:3");
  EXPECT_EQ(problems[0].message,
            "\"published_at\": \"last tuesday\" is not a date ecoute reads (write RFC 3339, "
            "e.g. 2026-11-20T08:12:00Z); left empty");
}

}  // namespace ecoute
