#include "sources/contacts.h"

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/post.h"
#include "ecoute/sources.h"

namespace ecoute::sources_internal {
namespace {

std::string Describe(const std::vector<ContactRoute>& routes) {
  std::string out;
  for (const ContactRoute& route : routes) {
    if (!out.empty()) out += ' ';
    out += route.kind + '=' + route.value;
  }
  return out;
}

struct ProfileCase {
  std::string_view url;
  std::string_view want;  // "kind=value", "" for no route
};

constexpr ProfileCase kProfileCases[] = {
    {"mailto:Jane.Doe@Blog.EXAMPLE", "email=Jane.Doe@blog.example"},
    {"MAILTO:jane%40blog.example?subject=Bonjour", "email=jane@blog.example"},  // encoded, query
    {"mailto:a@x.fr,b@y.fr", "email=a@x.fr"},                                   // the first
    {"mailto:not-an-address", ""},
    {"mailto:jane@localhost", ""},  // no dot in the domain
    {"https://mastodon.social/@Jane", "mastodon=@jane@mastodon.social"},
    {"https://piaille.fr/@jane@mamot.fr", "mastodon=@jane@mamot.fr"},  // remote profile view
    {"https://mastodon.social/@jane/111222333", ""},                   // one status
    {"https://medium.com/@jane", ""},                                  // not the fediverse
    {"https://bsky.app/profile/Jane.bsky.social", "bluesky=jane.bsky.social"},
    {"https://bsky.app/profile/did:plc:abc123xyz", "bluesky=did:plc:abc123xyz"},
    {"https://bsky.app/profile/jane.bsky.social/post/3k", ""},
    {"https://twitter.com/Jane_Doe", "x=@jane_doe"},
    {"https://x.com/jane_doe/", "x=@jane_doe"},
    {"https://mobile.twitter.com/jane_doe", "x=@jane_doe"},
    {"https://twitter.com/intent/tweet?text=hi", ""},  // a share button
    {"https://twitter.com/share", ""},
    {"https://x.com/jane_doe/status/123", ""},  // one post
    {"https://www.threads.net/@jane.doe", "threads=@jane.doe"},
    {"https://www.instagram.com/jane.doe/", "instagram=@jane.doe"},
    {"https://instagram.com/p/Cx12/", ""},
    {"https://fr.linkedin.com/in/jane-doe-42/", "linkedin=https://www.linkedin.com/in/jane-doe-42"},
    {"https://www.linkedin.com/shareArticle?url=x", ""},
    {"https://www.facebook.com/JaneBlog", "facebook=https://www.facebook.com/JaneBlog"},
    {"https://m.facebook.com/profile.php?id=1000123",
     "facebook=https://www.facebook.com/profile.php?id=1000123"},
    {"https://www.facebook.com/sharer/sharer.php?u=x", ""},
    {"https://www.facebook.com/sharer.php?u=x", ""},
    {"https://www.youtube.com/@JaneVlog", "youtube=https://www.youtube.com/@JaneVlog"},
    {"https://youtube.com/channel/UC123abc", "youtube=https://www.youtube.com/channel/UC123abc"},
    {"https://www.youtube.com/watch?v=abc", ""},
    {"https://blog.example/about", ""},
    {"javascript:alert(1)", ""},
};

TEST(ContactsTest, ProfileLinksAndAddressesAreNormalized) {
  for (const ProfileCase& c : kProfileCases) {
    SCOPED_TRACE(c.url);
    const std::optional<ContactRoute> route = ProfileRoute(c.url);
    EXPECT_EQ(route ? route->kind + '=' + route->value : "", c.want);
  }
}

TEST(ContactsTest, AddContactRouteChecksKindValueDuplicatesAndBounds) {
  std::vector<ContactRoute> routes;
  EXPECT_TRUE(AddContactRoute("email", "a@b.fr", routes));
  EXPECT_FALSE(AddContactRoute("email", "a@b.fr", routes));          // already there
  EXPECT_FALSE(AddContactRoute("fax", "0102030405", routes));        // unknown kind
  EXPECT_FALSE(AddContactRoute("website", "", routes));              // empty
  EXPECT_FALSE(AddContactRoute("website", "https://a b", routes));   // a space
  EXPECT_FALSE(AddContactRoute("website", "https://\xFF", routes));  // not UTF-8
  EXPECT_FALSE(AddContactRoute("website", "https://" + std::string(300, 'a'), routes));
  EXPECT_FALSE(AddContactRoute("website", "javascript:alert(1)", routes));  // not the web
  EXPECT_FALSE(AddContactRoute("email", "javascript:a@b", routes));
  EXPECT_FALSE(AddContactRoute("x", "jane", routes));  // a handle starts with '@'
  for (int i = 0; i < 40; ++i) AddContactRoute("website", "https://s" + std::to_string(i), routes);
  EXPECT_EQ(routes.size(), kMaxContactRoutes);
}

TEST(ContactsTest, ProfilesInsideTheArticleAreNotTheWritersUnlessRelMe) {
  const std::vector<ContactLink> links = {
      {"https://twitter.com/fnac", "", "@fnac", true},            // the brand, named in the text
      {"mailto:service@fnac.com", "", "service@fnac.com", true},  // idem
      {"https://mastodon.social/@jane", "me", "Mastodon", true},
      {"https://twitter.com/jane", "", "Twitter", false},  // in the sidebar
  };
  EXPECT_EQ(Describe(FindContactRoutes(links, "https://blog.example/2026/colis")),
            "mastodon=@jane@mastodon.social x=@jane website=https://blog.example/");
}

TEST(ContactsTest, ContactPageAuthorPageAndAboutAreChosenOnTheSite) {
  std::vector<ContactLink> links = {
      {"https://blog.example/a-propos/", "", "À propos", false},
      {"https://other.example/contact", "", "Contact", false},  // another site's
      {"https://blog.example/author/jane/", "", "Jane", false},
      {"https://blog.example/author/paul/", "", "Paul", true},  // the article's byline wins
      {"https://blog.example/nous-contacter", "", "Écrivez-nous", false},
      {"https://blog.example/contact-2", "", "Contact", false},  // only the first
      {"https://jane.example/", "me", "", false},
  };
  EXPECT_EQ(Describe(FindContactRoutes(links, "https://www.blog.example/2026/colis")),
            "author_page=https://blog.example/author/paul/ "
            "contact_page=https://blog.example/nous-contacter website=https://jane.example/ "
            "website=https://www.blog.example/");
  links.erase(links.begin() + 4, links.begin() + 6);  // no contact page: "about" is one
  EXPECT_EQ(Describe(FindContactRoutes(links, "https://blog.example/2026/colis")),
            "author_page=https://blog.example/author/paul/ "
            "contact_page=https://blog.example/a-propos/ website=https://jane.example/ "
            "website=https://blog.example/");
}

TEST(ContactsTest, APageWithoutUrlHasNoSiteRoutes) {
  const std::vector<ContactLink> links = {{"/contact", "", "Contact", false},
                                          {"mailto:jane@blog.example", "", "", false}};
  EXPECT_EQ(Describe(FindContactRoutes(links, "")), "email=jane@blog.example");
}

TEST(ContactsTest, TheSiteKeepsItsPort) {
  EXPECT_EQ(Describe(FindContactRoutes({}, "http://Blog.example:8080/2026/colis")),
            "website=http://blog.example:8080/");
  EXPECT_EQ(Describe(FindContactRoutes({}, "http://blog.example:/2026/colis")),
            "website=http://blog.example/");
}

TEST(ContactsTest, NetworksAreBoundedPerKind) {
  std::vector<ContactLink> links;
  links.reserve(5);
  for (int i = 0; i < 5; ++i) {
    links.push_back({"https://twitter.com/user" + std::to_string(i), "", "", false});
  }
  EXPECT_EQ(Describe(FindContactRoutes(links, "")), "x=@user0 x=@user1");
}

TEST(ContactsTest, FeedAuthorsGiveAnAddressAndAProfileOrSite) {
  std::vector<ContactRoute> routes;
  AppendAuthorRoutes("jane@blog.example", "https://bsky.app/profile/jane.bsky.social", routes);
  AppendAuthorRoutes("", "https://jane.example/", routes);
  AppendAuthorRoutes("not an address", "not a url", routes);
  EXPECT_EQ(Describe(routes),
            "email=jane@blog.example bluesky=jane.bsky.social website=https://jane.example/");
}

// Reads data/pages/<file> as the page at `url`: the article, then its comments.
std::vector<Post> ReadPage(const std::string& file, std::string_view url) {
  std::ifstream in(std::string(ECOUTE_TEST_DATA_DIR) + "/pages/" + file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::vector<Post> posts;
  std::vector<Problem> problems;
  ReadHtmlPost(bytes.str(), url, posts, problems);
  EXPECT_FALSE(bytes.str().empty()) << file;
  return posts;
}

// Header, sidebar and footer give the writer's routes; the brand's profile and address named
// in the article, the share buttons and the comments' links do not.
TEST(ContactsTest, AWordPressPostGivesItsWritersRoutes) {
  const std::vector<Post> posts = ReadPage(
      "wordpress-post.html", "https://carnets-de-lea.example/2026/02/03/colis-fnac-perdu/");
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(Describe(posts[0].contacts),
            "email=lea@carnets-de-lea.example mastodon=@lea_carnets@piaille.fr "
            "bluesky=carnetsdelea.bsky.social instagram=@carnets.de.lea "
            "author_page=https://carnets-de-lea.example/author/lea/ "
            "contact_page=https://carnets-de-lea.example/contact/ "
            "website=https://carnets-de-lea.example/");
  // A commenter's name links to their site: the brand's, here.
  EXPECT_EQ(posts[1].author.url, "https://www.fnac.com/");
  EXPECT_EQ(Describe(posts[1].contacts), "website=https://www.fnac.com/");
  EXPECT_EQ(Describe(posts[2].contacts), "");
}

TEST(ContactsTest, ABloggerPostGivesItsWritersRoutes) {
  const std::vector<Post> posts =
      ReadPage("blogger-post.html",
               "https://petitjournaldejo.blogspot.com/2026/03/facture-sfr-hors-forfait.html");
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(Describe(posts[0].contacts),
            "x=@petitjournaljo facebook=https://www.facebook.com/petitjournaldejo "
            "youtube=https://www.youtube.com/@petitjournaldejo "
            "author_page=https://www.blogger.com/profile/04417721503318887345 "
            "website=https://petitjournaldejo.blogspot.com/");
  EXPECT_EQ(Describe(posts[1].contacts),
            "website=https://www.blogger.com/profile/11122233344455566677");
  EXPECT_EQ(Describe(posts[2].contacts), "");  // "Anonyme" links nowhere
}

// No author known, no contact page: the "about" page is the way in; rel="me" links in the
// head count, the brand's X account in the text does not.
TEST(ContactsTest, ABarePersonalPageGivesItsWritersRoutes) {
  const std::vector<Post> posts =
      ReadPage("personal-site.html", "https://tomvidal.net/posts/orange-fibre.html");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].author.name, "");
  EXPECT_EQ(Describe(posts[0].contacts),
            "email=hello@tomvidal.net mastodon=@tomvidal@mastodon.social bluesky=tomvidal.net "
            "linkedin=https://www.linkedin.com/in/tom-vidal "
            "contact_page=https://tomvidal.net/about.html website=https://github.com/tomvidal "
            "website=https://tomvidal.net/");
}

// Read from a file, a page has no site: only absolute routes are kept.
TEST(ContactsTest, APageReadFromAFileKeepsItsAbsoluteRoutesOnly) {
  const std::vector<Post> posts = ReadPage("personal-site.html", "orange-fibre.html");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(Describe(posts[0].contacts),
            "email=hello@tomvidal.net mastodon=@tomvidal@mastodon.social bluesky=tomvidal.net "
            "linkedin=https://www.linkedin.com/in/tom-vidal website=https://github.com/tomvidal");
}

}  // namespace
}  // namespace ecoute::sources_internal
