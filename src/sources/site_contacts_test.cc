#include "sources/site_contacts.h"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "ecoute/post.h"

namespace ecoute {
namespace {

std::string Describe(const std::vector<ContactRoute>& routes) {
  std::string out;
  for (const ContactRoute& route : routes) {
    if (!out.empty()) out += ' ';
    out += route.kind + '=' + route.value;
    if (!route.where.empty()) out += '@' + route.where;
  }
  return out;
}

// A WordPress home page: a menu with the contact page, a main column of excerpts (one quotes
// a brand's account and address, which are not the writer's), a footer of profile links and
// share buttons.
constexpr std::string_view kHomePage = R"(<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Le carnet de Léa</title>
<link rel="alternate" type="application/rss+xml" href="/feed/"></head>
<body class="home blog">
<header class="site-header"><p class="site-title"><a href="/">Le carnet de Léa</a></p>
<nav class="main-navigation"><ul class="menu">
<li><a href="/">Accueil</a></li><li><a href="/a-propos/">À propos</a></li>
<li><a href="/contact/">Contact</a></li></ul></nav></header>
<main id="main" class="site-main">
<article class="post type-post"><h2 class="entry-title"><a href="/2026/05/colis-perdu/">Colis
perdu</a></h2><div class="entry-summary"><p>Trois semaines que j'attends mon colis, j'ai écrit
à <a href="https://twitter.com/fnac">@fnac</a> et à <a href="mailto:service@fnac.example">leur
service client</a>, sans réponse. Je raconte toute l'histoire, avec les dates, les appels et
les promesses qui n'ont mené nulle part, dans ce billet un peu long.</p></div></article>
<article class="post type-post"><h2 class="entry-title"><a href="/2026/04/train/">Le train de
7h12</a></h2><div class="entry-summary"><p>Encore supprimé ce matin, sans un mot sur le quai,
et le suivant était plein à craquer. Je note tout, pour la réclamation, et pour mémoire.</p>
</div></article>
</main>
<footer class="site-footer"><div class="widget social-links"><ul>
<li><a href="https://mastodon.social/@lea">Mastodon</a></li>
<li><a href="https://www.instagram.com/lea.carnet/">Instagram</a></li>
<li><a href="https://twitter.com/intent/tweet?url=x">Partager</a></li>
</ul></div><p>Propulsé par WordPress</p></footer>
</body></html>)";

// Its contact page: the address is in the page's text.
constexpr std::string_view kContactPage = R"(<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Contact – Le carnet de Léa</title></head>
<body class="page"><header><a href="/">Le carnet de Léa</a></header>
<main><article class="page"><h1>Contact</h1><div class="entry-content">
<p>Pour m'écrire : <a href="mailto:lea@carnet.example?subject=Blog">lea@carnet.example</a>.
Je réponds en général sous quelques jours, parfois plus quand je voyage.</p>
</div></article></main></body></html>)";

TEST(SiteContactsTest, HomePageGivesItsFrameRoutesMarkedSite) {
  const std::vector<ContactRoute> routes =
      FindSiteContactRoutes(kHomePage, "https://carnet.example/", SitePage::kHome);
  EXPECT_EQ(
      Describe(routes),
      "mastodon=@lea@mastodon.social@site instagram=@lea.carnet@site "
      "contact_page=https://carnet.example/contact/@site website=https://carnet.example/@site");
  EXPECT_TRUE(HasWritableRoute(routes));
  EXPECT_EQ(SiteContactPageToFetch(routes, "https://carnet.example/"), "");  // no need
}

TEST(SiteContactsTest, ContactPageCountsTheAddressInItsText) {
  const std::vector<ContactRoute> routes =
      FindSiteContactRoutes(kContactPage, "https://carnet.example/contact/", SitePage::kContact);
  EXPECT_EQ(Describe(routes), "email=lea@carnet.example@site website=https://carnet.example/@site");
  // Read so, the home page would give the brand's address its excerpt quotes: a home page
  // is read as a post's page.
  const std::string home_as_contact =
      Describe(FindSiteContactRoutes(kHomePage, "https://carnet.example/", SitePage::kContact));
  EXPECT_NE(home_as_contact.find("email=service@fnac.example"), std::string::npos);
  EXPECT_NE(home_as_contact.find("x=@fnac"), std::string::npos);
}

TEST(SiteContactsTest, ContactPageToFetchOnlyWhenNoWayToWrite) {
  const std::vector<ContactRoute> home = {
      {"contact_page", "https://carnet.example/contact/", "site"},
      {"website", "https://carnet.example/", "site"}};
  EXPECT_EQ(SiteContactPageToFetch(home, "https://carnet.example/"),
            "https://carnet.example/contact/");
  EXPECT_EQ(SiteContactPageToFetch(home, "https://www.carnet.example/"),
            "https://carnet.example/contact/");  // www. is the same site
  EXPECT_EQ(SiteContactPageToFetch(home, "https://other.example/"), "");
  EXPECT_EQ(
      SiteContactPageToFetch({{"contact_page", "javascript:alert(1)"}}, "https://carnet.example/"),
      "");
  std::vector<ContactRoute> writable = home;
  writable.push_back({"x", "@lea"});
  EXPECT_EQ(SiteContactPageToFetch(writable, "https://carnet.example/"), "");
}

TEST(SiteContactsTest, NotHtmlOrEmptyGivesNothing) {
  EXPECT_TRUE(FindSiteContactRoutes("", "https://carnet.example/", SitePage::kHome).empty());
  EXPECT_TRUE(FindSiteContactRoutes("<html><body></body></html>", "https://carnet.example/",
                                    SitePage::kHome)
                  .empty());
  EXPECT_TRUE(FindSiteContactRoutes(std::string("\0\x01\x02", 3), "https://carnet.example/",
                                    SitePage::kContact)
                  .empty());
}

TEST(SiteContactsTest, ManyLinksStayBounded) {
  std::string html = "<html><body><main><p>Bienvenue sur ce site.</p></main><footer>";
  for (int i = 0; i < 5000; ++i) {
    html += "<a href=\"https://mastodon" + std::to_string(i) + ".example/@lea\">m</a>";
    html += "<a href=\"mailto:lea" + std::to_string(i) + "@carnet.example\">e</a>";
  }
  html += "</footer></body></html>";
  const std::vector<ContactRoute> routes =
      FindSiteContactRoutes(html, "https://carnet.example/", SitePage::kContact);
  EXPECT_LE(routes.size(), kMaxContactRoutes);
  EXPECT_EQ(Describe(routes),
            "email=lea0@carnet.example@site email=lea1@carnet.example@site "
            "mastodon=@lea@mastodon0.example@site mastodon=@lea@mastodon1.example@site "
            "website=https://carnet.example/@site");
}

TEST(SiteContactsTest, SiteHomeUrl) {
  EXPECT_EQ(SiteHomeUrl("https://Blog.Example/2026/05/post?x=1#c"), "https://blog.example/");
  EXPECT_EQ(SiteHomeUrl("HTTP://blog.example:8080"), "http://blog.example:8080/");
  EXPECT_EQ(SiteHomeUrl("http://[::1]:8080/a"), "http://[::1]:8080/");
  EXPECT_EQ(SiteHomeUrl("http://blog.example:/a"), "http://blog.example/");
  EXPECT_EQ(SiteHomeUrl("https://user:pw@blog.example/"), "");
  EXPECT_EQ(SiteHomeUrl("https:///path"), "");
  EXPECT_EQ(SiteHomeUrl("ftp://blog.example/"), "");
  EXPECT_EQ(SiteHomeUrl("blog.example/post"), "");
  EXPECT_EQ(SiteHomeUrl(""), "");
}

TEST(SiteContactsTest, MergeKeepsThePagesRoutesFirstAndBounds) {
  std::vector<ContactRoute> routes = {{"x", "@lea"}, {"website", "https://carnet.example/"}};
  const std::vector<ContactRoute> site = {
      {"email", "lea@carnet.example", "site"},
      {"x", "@lea", "site"},  // already there, from the page
      {"x", "@carnet", "site"},
      {"x", "@third", "site"},  // two of a kind at most
      {"website", "https://carnet.example/", "site"},
      {"contact_page", "https://carnet.example/contact/", "site"}};
  EXPECT_TRUE(MergeContactRoutes(site, routes));
  EXPECT_EQ(Describe(routes),
            "email=lea@carnet.example@site x=@lea x=@carnet@site "
            "contact_page=https://carnet.example/contact/@site website=https://carnet.example/");
  EXPECT_FALSE(MergeContactRoutes(site, routes));  // nothing new
  // Stored and read back, the mark stays.
  EXPECT_EQ(ParseContactRoutes(ContactRoutesJson(routes)), routes);
  EXPECT_NE(ContactRoutesJson(routes).find(R"({"kind":"x","value":"@lea"},)"), std::string::npos);
  std::vector<ContactRoute> full;
  for (size_t i = 0; i < kMaxContactRoutes; ++i) {
    full.push_back({"website", "https://site" + std::to_string(i) + ".example/"});
  }
  EXPECT_FALSE(MergeContactRoutes(site, full));
  EXPECT_EQ(full.size(), kMaxContactRoutes);
}

}  // namespace
}  // namespace ecoute
