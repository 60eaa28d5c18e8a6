// The store tests' fixture: a real SQLite file in a temporary directory, the brands Fnac
// and Darty, and posts whose analyses are written by hand.
#pragma once

#include <algorithm>
#include <filesystem>
#include <list>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "ecoute/store.h"

#include "util/datetime.h"

namespace ecoute::store_test {

constexpr int64_t kDay = 86400;
constexpr int64_t kHour = 3600;
inline const int64_t kT0 = *ParseDateTime("2026-01-05T09:00:00Z");  // a Monday

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_store_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ecoute.db").string();
    Open();
    BrandCatalog catalog;
    catalog.brands.push_back({"Fnac", {}, {"@fnac"}, {"fnac.com"}, {}, false});
    catalog.brands.push_back({"Darty", {}, {"@darty_sav"}, {"darty.com"}, {}, false});
    ASSERT_TRUE(store_->SyncBrands(catalog).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(StoreOptions options = {}) {
    store_.reset();
    Result<std::unique_ptr<Store>> opened = OpenSqliteStore(path_, options);
    ASSERT_TRUE(opened) << opened.error().ToString();
    store_ = std::move(opened).value();
  }

  // A post and its analysis; `brands` gives the stance toward each named brand.
  struct Item {
    Post post;
    Analysis analysis;
    bool id_is_derived = false;
  };
  Item& Make(std::string id, std::string author, int64_t at, std::string text,
             std::vector<std::pair<std::string, Stance>> brands = {}) {
    Item& item = items_.emplace_back();
    item.post.id = std::move(id);
    item.post.source = "jsonl";
    item.post.author.handle = std::move(author);
    item.post.published_at = FormatRfc3339(at);
    item.post.text = std::move(text);
    item.post.content_hash = ContentHash(item.post.text);
    item.analysis.lang = "fr";
    item.analysis.stance = brands.empty() ? Stance::kNeutral : brands.front().second;
    for (auto& [name, stance] : brands) {
      names_.push_back(name);
      BrandVerdict verdict;
      verdict.name = names_.back();
      verdict.mentions = 1;
      verdict.stance = stance;
      item.analysis.brands.push_back(verdict);
    }
    return item;
  }

  IngestResult Ingest(const Item& item) {
    std::vector<IngestResult> results;
    IngestItem in{&item.post, &item.analysis, item.id_is_derived, kT0 + 365 * kDay};
    Status status = store_->Ingest(std::span<const IngestItem>(&in, 1), results);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return results.empty() ? IngestResult{} : results.front();
  }

  std::vector<std::string> SearchIds(std::string_view text) {
    Result<SearchQuery> query = ParseSearchQuery(text, kT0 + 400 * kDay);
    EXPECT_TRUE(query) << query.error().ToString();
    if (!query) return {};
    Result<std::vector<SearchHit>> hits = store_->Search(*query, {});
    EXPECT_TRUE(hits) << hits.error().ToString();
    std::vector<std::string> ids;
    if (hits) {
      for (const SearchHit& hit : *hits) ids.push_back(hit.ext_id);
      std::sort(ids.begin(), ids.end());
    }
    return ids;
  }

  CaseDetail Case(int64_t id) {
    Result<CaseDetail> detail = store_->GetCase(id);
    EXPECT_TRUE(detail) << detail.error().ToString();
    return detail ? *detail : CaseDetail{};
  }

  std::string Scalar(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::list<Item> items_;
  std::list<std::string> names_;
};

}  // namespace ecoute::store_test
