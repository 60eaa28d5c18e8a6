// The reply templates' table on a real SQLite file: created, read back, listed by name,
// changed and deleted; a missing one is kNotFound.
#include "store/template_tables.h"

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace ecoute {
namespace {

class TemplateTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_templates_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<TemplateTables>> tables = OpenTemplateTables((dir_ / "e.db").string());
    ASSERT_TRUE(tables) << tables.error().ToString();
    tables_ = std::move(tables).value();
  }
  void TearDown() override {
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }

  static ReplyTemplate Template(std::string name, std::string brand, std::string lang,
                                std::string topic) {
    ReplyTemplate t;
    t.name = std::move(name);
    t.brand = std::move(brand);
    t.lang = std::move(lang);
    t.topic = std::move(topic);
    t.body = "Bonjour {{customer}}, ici {{agent}} pour {{brand}}.";
    t.updated_by = "manager:marie";
    t.updated_at = 1795600000;
    return t;
  }

  std::filesystem::path dir_;
  std::unique_ptr<TemplateTables> tables_;
};

TEST_F(TemplateTablesTest, ACreatedTemplateReadsBackFieldForField) {
  Result<ReplyTemplate> created =
      tables_->CreateTemplate(Template("Retard", "Lunéa", "fr", "delay"));
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_GT(created->id, 0);
  Result<ReplyTemplate> read = tables_->GetTemplate(created->id);
  ASSERT_TRUE(read) << read.error().ToString();
  EXPECT_EQ(read->name, "Retard");
  EXPECT_EQ(read->brand, "Lunéa");
  EXPECT_EQ(read->lang, "fr");
  EXPECT_EQ(read->topic, "delay");
  EXPECT_EQ(read->body, "Bonjour {{customer}}, ici {{agent}} pour {{brand}}.");
  EXPECT_EQ(read->updated_by, "manager:marie");
  EXPECT_EQ(read->updated_at, 1795600000);
}

TEST_F(TemplateTablesTest, ListedByNameWithoutRegardToCaseThenId) {
  const int64_t b = tables_->CreateTemplate(Template("b", "", "", ""))->id;
  const int64_t a2 = tables_->CreateTemplate(Template("A", "Jeanerie", "", ""))->id;
  const int64_t a1 = tables_->CreateTemplate(Template("a", "", "en", "billing"))->id;
  Result<std::vector<ReplyTemplate>> list = tables_->ListTemplates();
  ASSERT_TRUE(list) << list.error().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, a2);
  EXPECT_EQ((*list)[1].id, a1);
  EXPECT_EQ((*list)[2].id, b);
}

TEST_F(TemplateTablesTest, UpdateWritesEveryFieldAndDeleteRemoves) {
  ReplyTemplate t = *tables_->CreateTemplate(Template("Retard", "Lunéa", "fr", "delay"));
  t.name = "Retard de train";
  t.brand = "";
  t.lang = "";
  t.topic = "";
  t.body = "Merci {{customer}}.";
  t.updated_by = "admin:root";
  t.updated_at = 1795600100;
  Result<ReplyTemplate> updated = tables_->UpdateTemplate(t);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->name, "Retard de train");
  EXPECT_EQ(updated->brand, "");
  EXPECT_EQ(updated->body, "Merci {{customer}}.");
  EXPECT_EQ(updated->updated_by, "admin:root");
  EXPECT_EQ(updated->updated_at, 1795600100);
  ASSERT_TRUE(tables_->DeleteTemplate(t.id).ok());
  EXPECT_EQ(tables_->GetTemplate(t.id).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(tables_->GetTemplate(t.id).error().message(), "no template " + std::to_string(t.id));
  EXPECT_EQ(tables_->DeleteTemplate(t.id).code(), StatusCode::kNotFound);
  t.id = 999;
  EXPECT_EQ(tables_->UpdateTemplate(t).error().code(), StatusCode::kNotFound);
  EXPECT_TRUE(tables_->ListTemplates()->empty());
}

TEST_F(TemplateTablesTest, KeptAcrossConnections) {
  const int64_t id = tables_->CreateTemplate(Template("Retard", "Lunéa", "fr", "delay"))->id;
  tables_.reset();
  Result<std::unique_ptr<TemplateTables>> again = OpenTemplateTables((dir_ / "e.db").string());
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ((*again)->GetTemplate(id)->name, "Retard");
}

}  // namespace
}  // namespace ecoute
