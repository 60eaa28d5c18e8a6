// Where the comments under a web page can be read (docs/LISTENING.md, "Comments under a
// complaint"): pure functions over a fetched page and its URL, for the comment follower
// (watch/comment_follower.h), which polls what they find as a watched source.
//
// A page may offer several ways; they are ranked, best first:
//   1. the platform's own per-post comment feed: Blogger (https://<blog>/feeds/<postId>/
//      comments/default, Atom with the commenters' profile URLs and reply threading) and
//      Discourse (a topic /t/<slug>/<id> -> /t/<slug>/<id>.rss);
//   2. a comment feed the page links (<link rel="alternate" type="application/rss+xml" or
//      atom+xml whose title or URL says comments: WordPress's "<post> Comments Feed" at
//      <post-url>/feed/, "Flux des commentaires", /comments/feed...), this post's own
//      before a site-wide one;
//   3. on a WordPress page that links none, its per-post feed <post-url>/feed/;
//   4. the page itself, read as HTML, when it shows comments or a comment form (the HTML
//      reader extracts the comments under the article).
// Feeds come first because they are published to be polled: a conditional GET of an
// unchanged feed costs a 304 and no parsing, where a page is fetched whole (robots.txt
// asked) and parsed every time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"

namespace ecoute {

// One way to read a page's comments.
struct CommentSource {
  std::string url;     // what to poll
  std::string format;  // the watched source's format: "feed" or "html"
  // How it was found: "blogger", "discourse", "linked_feed", "site_comments_feed",
  // "wordpress_feed", "embedded".
  std::string kind;
  bool operator==(const CommentSource&) const = default;
};

// Every way the page `html`, fetched from `page_url` (an absolute http(s) URL), offers to
// read its comments, best first (the ranks above), each URL once. Relative links are
// resolved against `page_url` (or the page's <base href>). Empty when it offers none.
// Never fails: unreadable markup gives what could be read.
std::vector<CommentSource> FindCommentSources(std::string_view html, std::string_view page_url);

// The Discourse topic feed of a topic URL (https://forum.example/t/slug/123 or
// .../t/slug/123/4 -> https://forum.example/t/slug/123.rss); "" for another URL.
std::string DiscourseTopicFeed(std::string_view url);

// `url` as the follower compares web addresses: without its fragment and a trailing '/'.
std::string ComparableUrl(std::string_view url);

// The fragment of a comment's URL ("comment-42" of ".../colis/#comment-42", "c123" of
// "...post.html?showComment=1#c123"), "" when it has none: how one comment is recognized
// when read by two paths (the page's HTML and a feed).
std::string_view CommentAnchor(std::string_view url);

// Whether `post`, read from a comment source of the article at `article_url`, is the
// article itself rather than a comment: the same address (ComparableUrl), or the first
// post of a Discourse topic (<topic>/1).
bool IsFollowedArticle(const Post& post, std::string_view article_url);

}  // namespace ecoute
