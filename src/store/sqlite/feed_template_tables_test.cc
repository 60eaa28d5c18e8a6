// The feed templates' table on a real SQLite file: a list replaced as a whole, rows kept,
// changed, added and deleted by id; an unknown id changes nothing.
#include "store/feed_template_tables.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

namespace ecoute {
namespace {

class FeedTemplateTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_feed_templates_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<FeedTemplateTables>> tables =
        OpenFeedTemplateTables((dir_ / "e.db").string());
    ASSERT_TRUE(tables) << tables.error().ToString();
    tables_ = std::move(tables).value();
  }
  void TearDown() override {
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }

  static FeedTemplate Template(std::string name, std::string url) {
    FeedTemplate t;
    t.name = std::move(name);
    t.url_template = std::move(url);
    return t;
  }

  std::filesystem::path dir_;
  std::unique_ptr<FeedTemplateTables> tables_;
};

TEST_F(FeedTemplateTablesTest, AListIsReplacedAsAWhole) {
  Result<std::vector<FeedTemplate>> first = tables_->ReplaceFeedTemplates(
      {Template("News", "https://news.example/rss?q={query}"),
       Template("Blogs", "https://blogs.example/search.atom?q={query}")},
      1000);
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].name, "News");
  EXPECT_EQ((*first)[0].format, "feed");
  EXPECT_TRUE((*first)[0].enabled);
  EXPECT_EQ((*first)[0].created_at, 1000);

  // The first changed (its creation time kept), the second dropped, a third added.
  FeedTemplate changed = (*first)[0];
  changed.name = "Presse";
  changed.enabled = false;
  changed.created_at = 0;
  Result<std::vector<FeedTemplate>> second = tables_->ReplaceFeedTemplates(
      {changed, Template("Forum", "https://forum.example/search.rss?q={query}")}, 2000);
  ASSERT_TRUE(second) << second.error().ToString();
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ((*second)[0].id, (*first)[0].id);
  EXPECT_EQ((*second)[0].name, "Presse");
  EXPECT_FALSE((*second)[0].enabled);
  EXPECT_EQ((*second)[0].created_at, 1000);
  EXPECT_EQ((*second)[1].name, "Forum");
  EXPECT_EQ((*second)[1].created_at, 2000);
  EXPECT_GT((*second)[1].id, (*first)[1].id);
}

TEST_F(FeedTemplateTablesTest, AnUnknownIdChangesNothing) {
  ASSERT_TRUE(tables_->ReplaceFeedTemplates({Template("News", "https://n.example/?q={query}")}, 1));
  FeedTemplate ghost = Template("Ghost", "https://g.example/?q={query}");
  ghost.id = 99;
  Result<std::vector<FeedTemplate>> refused = tables_->ReplaceFeedTemplates({ghost}, 2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(refused.error().message(), "no feed template 99");
  Result<std::vector<FeedTemplate>> still = tables_->ListFeedTemplates();
  ASSERT_TRUE(still);
  ASSERT_EQ(still->size(), 1u);
  EXPECT_EQ((*still)[0].name, "News");
  // An empty list empties the table.
  Result<std::vector<FeedTemplate>> none = tables_->ReplaceFeedTemplates({}, 3);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace ecoute
