// The server's brand catalog on a real SQLite file: brands added, read back in order with
// their lists, edited, deleted; seeding from the file adds only the brands the table never
// held (an edited one keeps its definition, a deleted one stays deleted); a deleted brand
// comes back when added again; the newest posts read back for a preview.
#include "store/brand_tables.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/sqlite/store_test_fixture.h"

namespace ecoute {
namespace {

class BrandTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_brand_tables_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "e.db").string();
    Result<std::unique_ptr<BrandTables>> tables = OpenBrandTables(path_);
    ASSERT_TRUE(tables) << tables.error().ToString();
    tables_ = std::move(tables).value();
  }
  void TearDown() override {
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }

  static Brand Fnac() {
    Brand b;
    b.name = "Fnac";
    b.aliases = {"Fnac Darty", "la Fnac"};
    b.handles = {"@fnac"};
    b.domains = {"fnac.com"};
    b.exclusions = {"fnac-simile"};
    return b;
  }

  static BrandCatalog FileCatalog() {
    BrandCatalog c;
    c.brands.push_back(Fnac());
    Brand orange;
    orange.name = "Orange";
    orange.is_common_word = true;
    c.brands.push_back(orange);
    return c;
  }

  std::vector<std::string> Names() {
    Result<std::vector<StoredBrand>> list = tables_->ListBrands();
    EXPECT_TRUE(list) << list.error().ToString();
    std::vector<std::string> names;
    if (list) {
      for (const StoredBrand& b : *list) names.push_back(b.brand.name);
    }
    return names;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<BrandTables> tables_;
};

TEST_F(BrandTablesTest, KeepsEachBrandWithItsListsOriginAndTimes) {
  StoredBrand added{Fnac(), "api", 1795600000, 1795600000, "admin:marie"};
  Result<StoredBrand> stored = tables_->AddBrand(added);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(stored->brand.name, "Fnac");
  EXPECT_EQ(stored->brand.aliases, (std::vector<std::string>{"Fnac Darty", "la Fnac"}));
  EXPECT_EQ(stored->brand.handles, std::vector<std::string>{"@fnac"});
  EXPECT_EQ(stored->brand.domains, std::vector<std::string>{"fnac.com"});
  EXPECT_EQ(stored->brand.exclusions, std::vector<std::string>{"fnac-simile"});
  EXPECT_FALSE(stored->brand.is_common_word);
  EXPECT_EQ(stored->origin, "api");
  EXPECT_EQ(stored->created_at, 1795600000);
  EXPECT_EQ(stored->updated_by, "admin:marie");

  // The name is unique without regard to case.
  StoredBrand again = added;
  again.brand.name = "FNAC";
  Result<StoredBrand> duplicate = tables_->AddBrand(again);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code(), StatusCode::kAlreadyExists);

  StoredBrand edited = *stored;
  edited.brand.aliases = {"Fnac.com"};
  edited.brand.exclusions.clear();
  edited.brand.is_common_word = true;
  edited.updated_at = 1795600100;
  edited.updated_by = "admin:paul";
  Result<StoredBrand> updated = tables_->UpdateBrand(edited);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->brand.aliases, std::vector<std::string>{"Fnac.com"});
  EXPECT_TRUE(updated->brand.exclusions.empty());
  EXPECT_TRUE(updated->brand.is_common_word);
  EXPECT_EQ(updated->created_at, 1795600000);
  EXPECT_EQ(updated->updated_at, 1795600100);

  StoredBrand missing = edited;
  missing.brand.name = "Darty";
  EXPECT_EQ(tables_->UpdateBrand(missing).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(tables_->DeleteBrand("Darty", 1).code(), StatusCode::kNotFound);
}

TEST_F(BrandTablesTest, TheFileSeedsOnlyTheBrandsTheTableNeverHeld) {
  Result<std::vector<std::string>> first = tables_->SeedBrands(FileCatalog(), 1795600000);
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(*first, (std::vector<std::string>{"Fnac", "Orange"}));
  Result<std::vector<StoredBrand>> list = tables_->ListBrands();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].origin, "file");
  EXPECT_EQ((*list)[0].updated_by, "file");
  EXPECT_TRUE((*list)[1].brand.is_common_word);

  // Edited through the API, deleted through the API, added through the API: the file,
  // read again at the next start, changes none of it.
  StoredBrand fnac = (*list)[0];
  fnac.brand.aliases = {"Fnac Spectacles"};
  fnac.origin = "api";
  ASSERT_TRUE(tables_->UpdateBrand(fnac));
  ASSERT_TRUE(tables_->DeleteBrand("orange", 1795600100).ok());
  Brand darty;
  darty.name = "Darty";
  ASSERT_TRUE(tables_->AddBrand({darty, "api", 1795600200, 1795600200, "admin:marie"}));
  BrandCatalog file = FileCatalog();
  Brand boulanger;
  boulanger.name = "Boulanger";
  file.brands.push_back(boulanger);
  Result<std::vector<std::string>> second = tables_->SeedBrands(file, 1795700000);
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(*second, std::vector<std::string>{"Boulanger"});
  EXPECT_EQ(Names(), (std::vector<std::string>{"Fnac", "Darty", "Boulanger"}));
  list = tables_->ListBrands();
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)[0].brand.aliases, std::vector<std::string>{"Fnac Spectacles"});
  EXPECT_EQ((*list)[0].origin, "api");

  // A deleted brand added again comes back, last, with its new definition.
  Brand orange;
  orange.name = "Orange";
  orange.aliases = {"Orange France"};
  Result<StoredBrand> back = tables_->AddBrand({orange, "api", 1795800000, 1795800000, "admin:x"});
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->brand.aliases, std::vector<std::string>{"Orange France"});
  EXPECT_FALSE(back->brand.is_common_word);
  EXPECT_EQ(Names(), (std::vector<std::string>{"Fnac", "Darty", "Boulanger", "Orange"}));
}

using store_test::kT0;

class RecentPostsTest : public store_test::StoreTest {};

TEST_F(RecentPostsTest, ReadsTheNewestStoredPostsBackNewestFirst) {
  Ingest(Make("1", "@ana", kT0, "Colis Darty perdu", {{"Darty", Stance::kComplaint}}));
  Ingest(Make("2", "@paul", kT0 + 60, "Merci Fnac", {{"Fnac", Stance::kPraise}}));
  Ingest(Make("3", "@lea", kT0 + 120, "Rien à dire", {}));
  Result<std::unique_ptr<BrandTables>> tables = OpenBrandTables(path_);
  ASSERT_TRUE(tables) << tables.error().ToString();
  Result<std::vector<RecentPost>> posts = (*tables)->RecentPosts(2);
  ASSERT_TRUE(posts) << posts.error().ToString();
  ASSERT_EQ(posts->size(), 2u);
  EXPECT_EQ((*posts)[0].post.id, "3");
  EXPECT_EQ((*posts)[0].post.text, "Rien à dire");
  EXPECT_EQ((*posts)[0].post.author.handle, "@lea");
  EXPECT_EQ((*posts)[0].post.published_at, FormatRfc3339(kT0 + 120));
  EXPECT_EQ((*posts)[1].post.id, "2");
  EXPECT_GT((*posts)[0].id, (*posts)[1].id);
}

}  // namespace
}  // namespace ecoute
