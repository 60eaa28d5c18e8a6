// ReadMastodon and ReadBluesky on JSON shaped as the APIs return it.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "sources/social_json.h"
#include "util/json.h"

namespace ecoute {
namespace {

using Reader = void (*)(std::string_view, std::string_view, const std::function<void(const Post&)>&,
                        std::vector<Problem>&);

struct ReadResult {
  std::vector<Post> posts;
  std::vector<Problem> problems;
};

ReadResult ReadWith(Reader reader, std::string_view bytes, std::string_view name) {
  ReadResult result;
  reader(
      bytes, name, [&](const Post& post) { result.posts.push_back(post); }, result.problems);
  return result;
}

std::string Describe(const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& problem : problems) {
    out += problem.where + ": " + problem.message + (problem.is_fatal ? " (fatal)\n" : "\n");
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Mastodon

// A local status on mastodon.social: a mention, a shortened link, a hashtag, a card.
constexpr std::string_view kComplaint = R"json({
  "id": "112233445566778899",
  "created_at": "2026-11-20T08:12:00.000Z",
  "in_reply_to_id": null,
  "in_reply_to_account_id": null,
  "sensitive": false,
  "spoiler_text": "",
  "visibility": "public",
  "language": "fr",
  "uri": "https://mastodon.social/users/marie_l/statuses/112233445566778899",
  "url": "https://mastodon.social/@marie_l/112233445566778899",
  "replies_count": 3,
  "reblogs_count": 1,
  "favourites_count": 12,
  "edited_at": null,
  "content": "<p>Troisième coupure cette semaine chez <span class=\"h-card\" translate=\"no\"><a href=\"https://mastodon.social/@fibrenet\" class=\"u-url mention\">@<span>fibrenet</span></a></span>, toujours aucune réponse du support.</p><p>Le suivi : <a href=\"https://status.fibrenet.example/incidents/4521\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">status.fibrenet.example/incide</span><span class=\"invisible\">nts/4521</span></a><br />Ticket n°88 &amp; toujours rien <a href=\"https://mastodon.social/tags/panne\" class=\"mention hashtag\" rel=\"tag\">#<span>panne</span></a> (voir <a href=\"https://www.fibrenet.example/blog/maintenance\" rel=\"nofollow noopener noreferrer\" target=\"_blank\"><span class=\"invisible\">https://www.</span><span class=\"\">fibrenet.example/blog/maintenance</span><span class=\"invisible\"></span></a>)</p>",
  "reblog": null,
  "application": {"name": "Web", "website": null},
  "account": {
    "id": "109876543210",
    "username": "marie_l",
    "acct": "marie_l",
    "display_name": "Marie L.",
    "locked": false,
    "bot": false,
    "created_at": "2022-11-03T00:00:00.000Z",
    "note": "<p>Lyon</p>",
    "url": "https://mastodon.social/@marie_l",
    "avatar": "https://files.mastodon.social/accounts/avatars/109/876/543/210/original/a1b2.png",
    "followers_count": 245,
    "following_count": 180,
    "statuses_count": 1312
  },
  "media_attachments": [],
  "mentions": [{"id": "109000000001", "username": "fibrenet", "url": "https://mastodon.social/@fibrenet", "acct": "fibrenet"}],
  "tags": [{"name": "panne", "url": "https://mastodon.social/tags/panne"}],
  "emojis": [],
  "card": {"url": "https://www.fibrenet.example/blog/maintenance", "title": "Maintenance du réseau", "type": "link"},
  "poll": null
})json";

// The brand's answer, from another instance, as mastodon.social serves it: its id is
// mastodon.social's, and so is in_reply_to_id.
constexpr std::string_view kAnswer = R"json({
  "id": "112233445566779000",
  "created_at": "2026-11-20T09:01:00.000Z",
  "in_reply_to_id": "112233445566778899",
  "in_reply_to_account_id": "109876543210",
  "spoiler_text": "",
  "language": "fr",
  "uri": "https://fibrenet.example/users/support/statuses/113300000001",
  "url": "https://fibrenet.example/@support/113300000001",
  "replies_count": 0,
  "reblogs_count": 0,
  "favourites_count": 2,
  "edited_at": "2026-11-20T10:05:30.123+01:00",
  "content": "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://mastodon.social/@marie_l\" class=\"u-url mention\">@<span>marie_l</span></a></span> Désolés ! Une équipe est en route.</p>",
  "reblog": null,
  "account": {
    "id": "110000000042",
    "username": "support",
    "acct": "support@fibrenet.example",
    "display_name": "FibreNet Support",
    "url": "https://fibrenet.example/@support",
    "followers_count": 5120
  },
  "mentions": [{"id": "109876543210", "username": "marie_l", "url": "https://mastodon.social/@marie_l", "acct": "marie_l"}],
  "tags": [],
  "card": null
})json";

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

// `s` with its first `from` replaced by `to` (`from` must be there).
std::string Replaced(std::string_view s, std::string_view from, std::string_view to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string_view::npos) << from;
  if (at == std::string_view::npos) return std::string(s);
  return Join({s.substr(0, at), to, s.substr(at + from.size())});
}

ReadResult ReadMastodonString(std::string_view bytes, std::string_view name = "statuses.json") {
  return ReadWith(&ReadMastodon, bytes, name);
}

TEST(MastodonReaderTest, ReadsEveryFieldOfAStatus) {
  const ReadResult result = ReadMastodonString(kComplaint);
  EXPECT_TRUE(result.problems.empty()) << Describe(result.problems);
  ASSERT_EQ(result.posts.size(), 1u);
  const Post& post = result.posts[0];
  EXPECT_EQ(post.id, "mastodon.social/statuses/112233445566778899");
  EXPECT_EQ(post.source, "mastodon");
  EXPECT_EQ(post.url, "https://mastodon.social/@marie_l/112233445566778899");
  EXPECT_EQ(post.title, "");
  EXPECT_EQ(post.text,
            "Troisième coupure cette semaine chez @fibrenet, toujours aucune réponse du "
            "support.\n\nLe suivi : https://status.fibrenet.example/incidents/4521\nTicket n°88 & "
            "toujours rien #panne (voir https://www.fibrenet.example/blog/maintenance)");
  EXPECT_EQ(post.lang, "fr");
  EXPECT_EQ(post.author.name, "Marie L.");
  EXPECT_EQ(post.author.handle, "@marie_l@mastodon.social");
  EXPECT_EQ(post.author.url, "https://mastodon.social/@marie_l");
  EXPECT_EQ(post.author.followers, 245);
  EXPECT_EQ(post.published_at, "2026-11-20T08:12:00Z");
  EXPECT_EQ(post.updated_at, "");
  EXPECT_EQ(post.parent_id, "");
  EXPECT_EQ(post.parent_url, "");
  // Not the mention nor the hashtag; the card's URL is already there.
  EXPECT_EQ(post.links,
            (std::vector<std::string>{"https://status.fibrenet.example/incidents/4521",
                                      "https://www.fibrenet.example/blog/maintenance"}));
  EXPECT_EQ(post.comments, 3);
  EXPECT_EQ(post.shares, 1);
  EXPECT_EQ(post.likes, 12);
  EXPECT_EQ(post.content_hash.size(), 16u);
}

TEST(MastodonReaderTest, ADocumentNestedPastTheLimitIsAProblemNotACrash) {
  const size_t depth = 100;  // simdjson alone would take up to 1,024
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  const ReadResult result = ReadMastodonString(
      "[" + Replaced(kComplaint, "\"emojis\"", "\"deep\":" + deep + ",\"emojis\"") + "]");
  EXPECT_TRUE(result.posts.empty());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_NE(result.problems[0].message.find("not valid JSON"), std::string::npos)
      << Describe(result.problems);
  // At the limit, read as ever.
  const std::string at_limit =
      std::string(kMaxJsonDepth - 3, '[') + std::string(kMaxJsonDepth - 3, ']');
  const ReadResult fine = ReadMastodonString(
      "[" + Replaced(kComplaint, "\"emojis\"", "\"deep\":" + at_limit + ",\"emojis\"") + "]");
  EXPECT_EQ(fine.posts.size(), 1u) << Describe(fine.problems);
}

TEST(MastodonReaderTest, NamesAReplysParentWithTheServingInstancesIds) {
  const ReadResult result = ReadMastodonString(Join(
      {R"({"accounts": [], "statuses": [)", kComplaint, ",", kAnswer, R"(], "hashtags": []})"}));
  EXPECT_TRUE(result.problems.empty()) << Describe(result.problems);
  ASSERT_EQ(result.posts.size(), 2u);
  const Post& answer = result.posts[1];
  EXPECT_EQ(answer.id, "mastodon.social/statuses/112233445566779000");
  EXPECT_EQ(answer.parent_id, result.posts[0].id);
  EXPECT_EQ(answer.url, "https://fibrenet.example/@support/113300000001");
  EXPECT_EQ(answer.text, "@marie_l Désolés ! Une équipe est en route.");
  EXPECT_EQ(answer.author.name, "FibreNet Support");
  EXPECT_EQ(answer.author.handle, "@support@fibrenet.example");
  EXPECT_EQ(answer.author.followers, 5120);
  EXPECT_EQ(answer.published_at, "2026-11-20T09:01:00Z");
  EXPECT_EQ(answer.updated_at, "2026-11-20T09:05:30Z");  // edited_at, to UTC
  EXPECT_TRUE(answer.links.empty());
  EXPECT_EQ(answer.likes, 2);
}

TEST(MastodonReaderTest, TakesTheInstanceFromAnApiUrlName) {
  // Only a remote status: nothing in it says which instance served it, but the name does.
  const ReadResult result = ReadMastodonString(Join({"[", kAnswer, "]"}),
                                               "https://mastodon.social/api/v1/timelines/public");
  EXPECT_TRUE(result.problems.empty()) << Describe(result.problems);
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].id, "mastodon.social/statuses/112233445566779000");
  EXPECT_EQ(result.posts[0].parent_id, "mastodon.social/statuses/112233445566778899");
}

TEST(MastodonReaderTest, WithoutTheInstanceUsesUrisAndSaysTheParentIsLost) {
  // No local account anywhere: the mention is made remote too.
  const std::string remote =
      Replaced(kAnswer, R"("acct": "marie_l")", R"("acct": "marie_l@mastodon.social")");
  const ReadResult result = ReadMastodonString(remote);
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].id, "https://fibrenet.example/users/support/statuses/113300000001");
  EXPECT_EQ(result.posts[0].parent_id, "");
  ASSERT_EQ(result.problems.size(), 1u) << Describe(result.problems);
  EXPECT_EQ(result.problems[0].where, "statuses.json");
  EXPECT_FALSE(result.problems[0].is_fatal);
  EXPECT_NE(result.problems[0].message.find("in_reply_to_id"), std::string::npos);
}

TEST(MastodonReaderTest, ReadsAReblogAsTheStatusItCarries) {
  const std::string reblog = Join({R"({
    "id": "112233445566779100",
    "created_at": "2026-11-20T08:30:00.000Z",
    "uri": "https://mastodon.social/users/paul/statuses/112233445566779100/activity",
    "url": null,
    "content": "",
    "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
    "account": {"id": "109555", "username": "paul", "acct": "paul", "display_name": "Paul",
                "url": "https://mastodon.social/@paul", "followers_count": 12},
    "mentions": [], "tags": [], "card": null,
    "reblog": )",
                                   kComplaint, "}"});
  const ReadResult result = ReadMastodonString(reblog);
  EXPECT_TRUE(result.problems.empty()) << Describe(result.problems);
  ASSERT_EQ(result.posts.size(), 1u);
  const Post& post = result.posts[0];
  const ReadResult direct = ReadMastodonString(kComplaint);
  ASSERT_EQ(direct.posts.size(), 1u);
  EXPECT_EQ(post.id, "mastodon.social/statuses/112233445566778899");
  EXPECT_EQ(post.author.name, "Marie L.");
  EXPECT_EQ(post.text, direct.posts[0].text);
  EXPECT_EQ(post.published_at, "2026-11-20T08:12:00Z");
  // The carried status hashes the same however it was reached.
  EXPECT_EQ(post.content_hash, direct.posts[0].content_hash);
}

TEST(MastodonReaderTest, ReadsSpoilerTextAsTheTitle) {
  const std::string status =
      Replaced(kAnswer, R"("spoiler_text": "")", R"("spoiler_text": "Réponse  du support")");
  const ReadResult result = ReadMastodonString(status, "https://mastodon.social/api/v1/statuses/1");
  ASSERT_EQ(result.posts.size(), 1u) << Describe(result.problems);
  EXPECT_EQ(result.posts[0].title, "Réponse du support");
}

TEST(MastodonReaderTest, ReadsJsonLinesAndKeepsGoingPastABadLine) {
  std::string complaint(kComplaint);
  std::string answer(kAnswer);
  for (std::string* s : {&complaint, &answer}) {
    for (char& c : *s) {
      if (c == '\n') c = ' ';
    }
  }
  const ReadResult result =
      ReadMastodonString(complaint + "\n{\"id\": \"1\", \"content\": \n" + answer + "\n\n");
  ASSERT_EQ(result.posts.size(), 2u) << Describe(result.problems);
  EXPECT_EQ(result.posts[1].parent_id, result.posts[0].id);
  ASSERT_EQ(result.problems.size(), 1u) << Describe(result.problems);
  EXPECT_EQ(result.problems[0].where, "statuses.json:2");
  EXPECT_FALSE(result.problems[0].is_fatal);
}

TEST(MastodonReaderTest, ABrokenItemNeverDropsItsNeighbours) {
  const ReadResult result = ReadMastodonString(
      Join({"[", kComplaint, R"(, 42, {"id": "5", "uri": "https://x.example/5", "content": 7},)",
            kAnswer, "]"}));
  ASSERT_EQ(result.posts.size(), 2u) << Describe(result.problems);
  ASSERT_EQ(result.problems.size(), 2u) << Describe(result.problems);
  EXPECT_EQ(result.problems[0].where, "statuses.json:item 2");
  EXPECT_EQ(result.problems[0].message, "a status must be an object, not a number; skipped");
  EXPECT_EQ(result.problems[1].where, "statuses.json:item 3");
  EXPECT_EQ(result.problems[1].message,
            "\"content\" is a number, not a string; the status was skipped");
}

TEST(MastodonReaderTest, WrongTypesAreProblemsNotLosses) {
  std::string status = Replaced(kComplaint, R"("replies_count": 3)", R"("replies_count": "3")");
  status = Replaced(status, R"("created_at": "2026-11-20T08:12:00.000Z")",
                    R"("created_at": "hier soir")");
  status = Replaced(status, R"("followers_count": 245)", R"("followers_count": -4)");
  const ReadResult result = ReadMastodonString(status);
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].comments, -1);
  EXPECT_EQ(result.posts[0].published_at, "");
  EXPECT_EQ(result.posts[0].author.followers, -1);
  EXPECT_EQ(result.posts[0].likes, 12);
  ASSERT_EQ(result.problems.size(), 3u) << Describe(result.problems);
  EXPECT_EQ(result.problems[0].message,
            "\"account.followers_count\" is not a count (a non-negative integer); ignored");
  EXPECT_EQ(result.problems[1].message, "\"created_at\" \"hier soir\" is not a date; left empty");
  EXPECT_EQ(result.problems[2].message, "\"replies_count\" is a string, not a number; ignored");
}

TEST(MastodonReaderTest, RepairsInvalidUtf8) {
  const size_t at = kAnswer.find("Désolés");
  const std::string status = Replaced(kAnswer, "Désolés",
                                      "\xFF"
                                      "ésolés");
  const ReadResult result = ReadMastodonString(status, "https://mastodon.social/api/v1/x");
  ASSERT_EQ(result.posts.size(), 1u) << Describe(result.problems);
  EXPECT_EQ(result.posts[0].text,
            "@marie_l \xEF\xBF\xBD\xC3\xA9sol\xC3\xA9s ! Une équipe est en route.");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].where,
            "https://mastodon.social/api/v1/x:byte " + std::to_string(at));
  EXPECT_EQ(result.problems[0].message, "invalid UTF-8 replaced with U+FFFD (1 sequence)");
}

TEST(MastodonReaderTest, ReadsAThreadContextAndNotifications) {
  const ReadResult context = ReadMastodonString(
      Join({R"({"ancestors": [)", kComplaint, R"(], "descendants": [)", kAnswer, "]}"}));
  ASSERT_EQ(context.posts.size(), 2u) << Describe(context.problems);
  EXPECT_EQ(context.posts[1].parent_id, context.posts[0].id);

  const ReadResult notifications = ReadMastodonString(
      Join(
          {R"([{"id": "900", "type": "follow", "created_at": "2026-11-20T08:00:00.000Z", "account": {}},
          {"id": "901", "type": "mention", "created_at": "2026-11-20T09:01:00.000Z", "status": )",
           kAnswer, "}]"}),
      "https://mastodon.social/api/v1/notifications");
  EXPECT_TRUE(notifications.problems.empty()) << Describe(notifications.problems);
  ASSERT_EQ(notifications.posts.size(), 1u);
  EXPECT_EQ(notifications.posts[0].id, "mastodon.social/statuses/112233445566779000");
}

TEST(MastodonReaderTest, RejectsEmptyAndNonJsonInput) {
  struct Case {
    std::string_view input;
    std::string_view message_start;
  };
  constexpr Case kCases[] = {
      {"", "empty input"},
      {" \n\t", "empty input"},
      {"hello, world", "not valid JSON"},
      {"{\"content\": \"<p>x</p>\"", "not valid JSON"},
      {"\"a string\"", "not a Mastodon status but a string"},
      {R"({"error": "Record not found"})", "the server answered with an error"},
      {R"({"statuses": {}})", "\"statuses\" is an object, not an array"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.input);
    const ReadResult result = ReadMastodonString(c.input);
    EXPECT_TRUE(result.posts.empty());
    ASSERT_EQ(result.problems.size(), 1u) << Describe(result.problems);
    EXPECT_TRUE(result.problems[0].is_fatal);
    EXPECT_EQ(result.problems[0].message.substr(0, c.message_start.size()), c.message_start);
  }
}

TEST(MastodonReaderTest, ReadsOversizedMarkupAsPlainText) {
  std::string nested;
  for (int i = 0; i < 3000; ++i) nested += "<ul><li>";
  std::string attributes = "<p";
  for (int i = 0; i < 3000; ++i) attributes += " a" + std::to_string(i);
  // Quoted '>' and spaces do not end the tag or hide its attributes.
  attributes += R"( title='a > b' c=\"d e\">)";
  for (const std::string& markup : {nested, attributes}) {
    const ReadResult result =
        ReadMastodonString(R"({"id": "1", "uri": "https://m.example/1", "content": ")" + markup +
                           R"(tout est cass&eacute;"})");
    ASSERT_EQ(result.posts.size(), 1u);
    EXPECT_EQ(result.posts[0].text, "tout est cassé");
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_NE(result.problems[0].message.find("read as plain text"), std::string::npos);
  }
}

// Statuses are laid out as pages are (html_elements.h): every block separates its text, and
// what a browser never shows is left out.
TEST(MastodonReaderTest, LaysOutContentAsThePageReaderDoes) {
  struct LayoutCase {
    std::string_view content;
    std::string_view want;
  };
  constexpr LayoutCase kCases[] = {
      {"<p>train en retard</p><p>encore</p>", "train en retard\n\nencore"},
      {"retard<main>encore</main>", "retard\n\nencore"},    // any block, not Mastodon's
      {"retard<aside>encore</aside>", "retard\n\nencore"},  // own few
      {"retard<video>pas de vid\u00e9o</video> encore", "retard encore"},  // fallback text
      {"ligne<br>suivante", "ligne\nsuivante"},
  };
  for (const LayoutCase& c : kCases) {
    SCOPED_TRACE(c.content);
    const ReadResult result =
        ReadMastodonString(R"({"id": "1", "uri": "https://m.example/1", "content": ")" +
                           std::string(c.content) + R"("})");
    ASSERT_EQ(result.posts.size(), 1u) << Describe(result.problems);
    EXPECT_EQ(result.posts[0].text, c.want);
  }
}

// ---------------------------------------------------------------------------------------
// Bluesky

// The link facet is at bytes 47-74, after «, », and an emoji: UTF-8 offsets, not characters.
constexpr std::string_view kSkeet = R"json({
  "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbqkxv2cfs2k",
  "cid": "bafyreib2rxk3rybk3aobmv5cjuql3bm2twh4jo5uxgf5mkmuaxaazg6zeq",
  "author": {
    "did": "did:plc:z72i7hdynmk6r22z27h6tvur",
    "handle": "marie.bsky.social",
    "displayName": "Marie L.",
    "avatar": "https://cdn.bsky.app/img/avatar/plain/did:plc:z72i7hdynmk6r22z27h6tvur/bafkreihx@jpeg",
    "labels": [],
    "createdAt": "2023-04-12T09:00:00.000Z"
  },
  "record": {
    "$type": "app.bsky.feed.post",
    "createdAt": "2026-11-20T08:12:00.000Z",
    "langs": ["fr"],
    "text": "Colis « perdu » depuis 12 jours 😡 suivi : colis.example/suivi/XK42… merci @transpo.bsky.social",
    "facets": [
      {"$type": "app.bsky.richtext.facet",
       "index": {"byteStart": 47, "byteEnd": 74},
       "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://colis.example/suivi/XK42981FR"}]},
      {"index": {"byteStart": 81, "byteEnd": 101},
       "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:transpo0000000000000000"}]}
    ],
    "embed": {
      "$type": "app.bsky.embed.external",
      "external": {"uri": "https://www.transpo.example/aide", "title": "Aide", "description": ""}
    }
  },
  "embed": {
    "$type": "app.bsky.embed.external#view",
    "external": {"uri": "https://www.transpo.example/aide", "title": "Aide", "description": "",
                 "thumb": "https://cdn.bsky.app/img/feed_thumbnail/plain/x@jpeg"}
  },
  "replyCount": 2,
  "repostCount": 5,
  "likeCount": 31,
  "quoteCount": 1,
  "indexedAt": "2026-11-20T08:12:01.234Z",
  "viewer": {"threadMuted": false},
  "labels": []
})json";

constexpr std::string_view kSkeetAnswer = R"json({
  "uri": "at://did:plc:transpo0000000000000000/app.bsky.feed.post/3lbqmz4xk7c2a",
  "cid": "bafyreid4v5q7s2x3y4z5",
  "author": {"did": "did:plc:transpo0000000000000000", "handle": "transpo.bsky.social",
             "displayName": "Transpo", "followersCount": 8800},
  "record": {
    "$type": "app.bsky.feed.post",
    "createdAt": "2026-11-20T09:40:00+01:00",
    "text": "Bonjour Marie, pouvez-vous nous écrire en message privé ?",
    "reply": {
      "root": {"uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbqkxv2cfs2k", "cid": "bafyreib2rx"},
      "parent": {"uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbqkxv2cfs2k", "cid": "bafyreib2rx"}
    }
  },
  "replyCount": 0,
  "repostCount": 0,
  "likeCount": 1,
  "indexedAt": "2026-11-20T08:40:00.500Z"
})json";

ReadResult ReadBlueskyString(std::string_view bytes, std::string_view name = "posts.json") {
  return ReadWith(&ReadBluesky, bytes, name);
}

TEST(BlueskyReaderTest, ReadsEveryFieldOfAPostView) {
  const ReadResult result = ReadBlueskyString(Join({R"({"posts": [)", kSkeet, "]}"}));
  EXPECT_TRUE(result.problems.empty()) << Describe(result.problems);
  ASSERT_EQ(result.posts.size(), 1u);
  const Post& post = result.posts[0];
  EXPECT_EQ(post.id, "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lbqkxv2cfs2k");
  EXPECT_EQ(post.source, "bluesky");
  EXPECT_EQ(post.url, "https://bsky.app/profile/marie.bsky.social/post/3lbqkxv2cfs2k");
  EXPECT_EQ(post.title, "");
  EXPECT_EQ(post.text,
            "Colis « perdu » depuis 12 jours 😡 suivi : colis.example/suivi/XK42… merci "
            "@transpo.bsky.social");
  EXPECT_EQ(post.lang, "fr");
  EXPECT_EQ(post.author.name, "Marie L.");
  EXPECT_EQ(post.author.handle, "marie.bsky.social");
  EXPECT_EQ(post.author.url, "https://bsky.app/profile/marie.bsky.social");
  EXPECT_EQ(post.author.followers, -1);  // not in a post view's author
  EXPECT_EQ(post.published_at, "2026-11-20T08:12:00Z");
  EXPECT_EQ(post.updated_at, "");
  EXPECT_EQ(post.parent_id, "");
  EXPECT_EQ(post.links, (std::vector<std::string>{"https://colis.example/suivi/XK42981FR",
                                                  "https://www.transpo.example/aide"}));
  EXPECT_EQ(post.comments, 2);
  EXPECT_EQ(post.shares, 5);
  EXPECT_EQ(post.likes, 31);
  EXPECT_EQ(post.content_hash.size(), 16u);
}

TEST(BlueskyReaderTest, ReadsAFeedWithRepliesAndReposts) {
  const ReadResult result = ReadBlueskyString(
      Join({R"({"feed": [{"post": )", kSkeet, R"(}, {"post": )", kSkeetAnswer,
            R"(, "reply": {"root": {"$type": "app.bsky.feed.defs#postView"}, "parent": {}},
            "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "did:plc:p"},
                       "indexedAt": "2026-11-20T10:00:00.000Z"}}],
          "cursor": "2026-11-20T08:12:01.234Z"})"}));
  EXPECT_TRUE(result.problems.empty()) << Describe(result.problems);
  ASSERT_EQ(result.posts.size(), 2u);
  const Post& answer = result.posts[1];
  EXPECT_EQ(answer.id, "at://did:plc:transpo0000000000000000/app.bsky.feed.post/3lbqmz4xk7c2a");
  EXPECT_EQ(answer.parent_id, result.posts[0].id);
  EXPECT_EQ(answer.parent_url,
            "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3lbqkxv2cfs2k");
  EXPECT_EQ(answer.author.followers, 8800);
  EXPECT_EQ(answer.published_at, "2026-11-20T08:40:00Z");
  EXPECT_EQ(answer.lang, "");
  EXPECT_TRUE(answer.links.empty());
}

TEST(BlueskyReaderTest, ReadsAThreadParentsFirst) {
  const ReadResult result = ReadBlueskyString(
      Join({R"({"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": )", kSkeetAnswer,
            R"(, "parent": {"$type": "app.bsky.feed.defs#threadViewPost", "post": )", kSkeet,
            R"(, "replies": []}, "replies": [{"$type": "app.bsky.feed.defs#notFoundPost",
          "uri": "at://did:plc:x/app.bsky.feed.post/gone", "notFound": true}]}})"}));
  EXPECT_TRUE(result.problems.empty()) << Describe(result.problems);
  ASSERT_EQ(result.posts.size(), 2u);
  EXPECT_EQ(result.posts[1].parent_id, result.posts[0].id);
}

TEST(BlueskyReaderTest, IgnoresFacetsOutsideTheText) {
  std::string skeet =
      Replaced(kSkeet, R"("byteStart": 47, "byteEnd": 74)", R"("byteStart": 47, "byteEnd": 740)");
  skeet = Replaced(skeet, R"("byteStart": 81)", R"("byteStart": 7)");  // inside «
  const ReadResult result = ReadBlueskyString(skeet);
  ASSERT_EQ(result.posts.size(), 1u);
  EXPECT_EQ(result.posts[0].links, (std::vector<std::string>{"https://www.transpo.example/aide"}));
  ASSERT_EQ(result.problems.size(), 2u) << Describe(result.problems);
  EXPECT_EQ(result.problems[0].where, "posts.json");
  EXPECT_EQ(result.problems[0].message,
            "\"record.facets\" 1 has no valid byte range in the 101-byte text (byteStart 47, "
            "byteEnd 740); ignored");
  EXPECT_EQ(result.problems[1].message,
            "\"record.facets\" 2 has no valid byte range in the 101-byte text (byteStart 7, "
            "byteEnd 101); ignored");
}

TEST(BlueskyReaderTest, ABrokenItemNeverDropsItsNeighbours) {
  const ReadResult result = ReadBlueskyString(
      Join({"[", kSkeet,
            R"(, "oops", {"uri": "at://did:plc:a/app.bsky.feed.post/1", "record": {"text": 3}},
          {"post": []}, {"uri": "at://did:plc:a/app.bsky.feed.post/2",
           "record": {"$type": "app.bsky.feed.post", "text": "ok", "createdAt": 5},
           "likeCount": "many"},)",
            kSkeetAnswer, "]"}));
  ASSERT_EQ(result.posts.size(), 3u) << Describe(result.problems);
  EXPECT_EQ(result.posts[1].text, "ok");
  EXPECT_EQ(result.posts[1].url, "https://bsky.app/profile/did:plc:a/post/2");
  EXPECT_EQ(result.posts[1].likes, -1);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"posts.json:item 2", "a post view must be an object, not a string; skipped"},
      {"posts.json:item 3", "\"record.text\" is a number, not a string; the post was skipped"},
      {"posts.json:item 4", "\"post\" is an array, not a post view; skipped"},
      {"posts.json:item 5", "\"record.createdAt\" is a number, not a string; ignored"},
      {"posts.json:item 5", "\"likeCount\" is a string, not a number; ignored"},
  };
  ASSERT_EQ(result.problems.size(), want.size()) << Describe(result.problems);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(result.problems[i].where, want[i].first);
    EXPECT_EQ(result.problems[i].message, want[i].second);
    EXPECT_FALSE(result.problems[i].is_fatal);
  }
}

TEST(BlueskyReaderTest, RepairsInvalidUtf8) {
  const size_t at = kSkeetAnswer.find("écrire");
  const std::string skeet = Replaced(kSkeetAnswer, "écrire",
                                     "\xC3"
                                     "crire");  // a truncated é
  const ReadResult result = ReadBlueskyString(skeet);
  ASSERT_EQ(result.posts.size(), 1u) << Describe(result.problems);
  EXPECT_EQ(result.posts[0].text,
            "Bonjour Marie, pouvez-vous nous \xEF\xBF\xBD"
            "crire en message privé ?");
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].where, "posts.json:byte " + std::to_string(at));
}

TEST(BlueskyReaderTest, ReadsJsonLinesOfPostViews) {
  std::string skeet(kSkeet);
  std::string answer(kSkeetAnswer);
  for (std::string* s : {&skeet, &answer}) {
    for (char& c : *s) {
      if (c == '\n') c = ' ';
    }
  }
  const ReadResult result = ReadBlueskyString(skeet + "\r\n[1,\r\n" + answer + "\r\n");
  ASSERT_EQ(result.posts.size(), 2u) << Describe(result.problems);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].where, "posts.json:2");
}

TEST(BlueskyReaderTest, RejectsEmptyAndNonJsonInput) {
  constexpr std::string_view kInputs[] = {
      "", "\n\n", "<html></html>", "{\"posts\": [", "{\"cursor\": \"x\"}", "17"};
  for (std::string_view input : kInputs) {
    SCOPED_TRACE(input);
    const ReadResult result = ReadBlueskyString(input);
    EXPECT_TRUE(result.posts.empty());
    ASSERT_EQ(result.problems.size(), 1u) << Describe(result.problems);
    EXPECT_TRUE(result.problems[0].is_fatal);
  }
}

// ---------------------------------------------------------------------------------------
// What both readers share (sources/social_json.h)

namespace si = sources_internal;

TEST(MastodonBlueskyJsonTest, DescribesAndQuotesValues) {
  EXPECT_EQ(DescribeJsonType(simdjson::dom::element_type::UINT64), "a number");
  EXPECT_EQ(DescribeJsonType(simdjson::dom::element_type::NULL_VALUE), "null");
  EXPECT_EQ(si::Excerpt("short"), "short");
  // 39 ASCII bytes then "é": byte 40 is in the middle of it, so the cut comes before.
  const std::string long_text = std::string(39, 'a') + "é and more";
  EXPECT_EQ(si::Excerpt(long_text), std::string(39, 'a') + "...");
  EXPECT_TRUE(si::IsJsonBlank(" \t\r\n"));
  EXPECT_FALSE(si::IsJsonBlank(" \f"));
  std::vector<std::string> links{"https://a.example"};
  si::AddLink("https://a.example", links);
  si::AddLink("", links);
  si::AddLink("https://b.example", links);
  EXPECT_EQ(links, (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(MastodonBlueskyJsonTest, CapsTheProblemsOfOneInput) {
  std::vector<Problem> problems;
  si::ProblemLog log("in.json", problems);
  for (size_t i = 0; i < si::kMaxSocialProblems + 2; ++i) log.Add("in.json:1", "bad");
  log.Finish();
  ASSERT_EQ(problems.size(), si::kMaxSocialProblems + 1);
  EXPECT_EQ(problems.back().where, "in.json");
  EXPECT_EQ(problems.back().message, "2 more problems (only the first 1000 are listed)");
  EXPECT_FALSE(problems.back().is_fatal);
}

TEST(MastodonBlueskyJsonTest, ReadsFieldsWithANoteForEachWrongOne) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  ASSERT_FALSE(parser
                   .parse(std::string_view(
                       R"({"s": null, "n": 7, "big": 18446744073709551615, "f": 2.0, "neg": -1,
                           "d": "2026-11-20T10:00:00+01:00", "bad": "soon", "o": []})"))
                   .get(object));
  std::vector<std::string> notes;
  si::Fields fields(object, "x.", notes);
  std::string_view s;
  EXPECT_FALSE(fields.String("s", s));  // null is absent, without a note
  EXPECT_FALSE(fields.RequiredString("s", "post", s));
  simdjson::dom::object o;
  EXPECT_FALSE(fields.RequiredObject("o", "status", o));
  std::string id;
  EXPECT_TRUE(fields.Id("n", id));
  EXPECT_EQ(id, "7");
  EXPECT_TRUE(fields.Id("big", id));
  EXPECT_EQ(id, "18446744073709551615");
  int64_t count = -1;
  EXPECT_TRUE(fields.Integer("f", count));
  EXPECT_EQ(count, 2);
  EXPECT_FALSE(fields.Integer("neg", count));
  EXPECT_FALSE(fields.Count("neg", count));
  EXPECT_FALSE(fields.Count("d", count));
  EXPECT_EQ(count, 2);
  std::string date;
  fields.Date("d", date);
  EXPECT_EQ(date, "2026-11-20T09:00:00Z");
  fields.Date("bad", date);
  EXPECT_EQ(date, "2026-11-20T09:00:00Z");
  EXPECT_EQ(notes, (std::vector<std::string>{
                       "no \"x.s\" string; the post was skipped",
                       "\"x.o\" is an array, not an object; the status was skipped",
                       "\"x.neg\" is not a non-negative integer; ignored",
                       "\"x.neg\" is not a count (a non-negative integer); ignored",
                       "\"x.d\" is a string, not a number; ignored",
                       "\"x.bad\" \"soon\" is not a date; left empty",
                   }));
}

TEST(MastodonBlueskyJsonTest, SurveysEachLineBeforeReadingThem) {
  std::vector<Problem> problems;
  si::ProblemLog log("in.jsonl", problems);
  std::vector<std::string> seen;
  si::ReadJsonInput(
      "\xEF\xBB\xBF\r\n{\"a\": 1}\r\n\r\n[2]\nnope\n\"s\"\n", {"Test", "test JSON"}, log,
      [&](simdjson::dom::element root) {
        seen.push_back("survey " + std::string(DescribeJsonType(root.type())));
        return root.is_array();  // enough once it has seen an array
      },
      [&](simdjson::dom::element root, const std::string& where, std::string& error) {
        seen.push_back(where);
        if (root.is_string()) error = "a string";
        return !root.is_string();
      });
  log.Finish();
  EXPECT_EQ(seen, (std::vector<std::string>{"survey an object", "survey an array", "in.jsonl:2",
                                            "in.jsonl:4", "in.jsonl:6"}));
  ASSERT_EQ(problems.size(), 2u) << Describe(problems);
  EXPECT_EQ(problems[0].where, "in.jsonl:5");
  EXPECT_EQ(problems[0].message.substr(0, 15), "not valid JSON ");
  EXPECT_EQ(problems[1].where, "in.jsonl:6");
  EXPECT_EQ(problems[1].message, "a string; the line was skipped");

  problems.clear();
  si::ProblemLog binary_log("in.bin", problems);
  si::ReadJsonInput(std::string_view("\0\0\0\x01", 4), {"Test", "test JSON"}, binary_log, nullptr,
                    [](simdjson::dom::element, const std::string&, std::string&) { return true; });
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "looks like binary data, not Test JSON (a compressed file? decompress it first)");
  EXPECT_TRUE(problems[0].is_fatal);
}

}  // namespace
}  // namespace ecoute
