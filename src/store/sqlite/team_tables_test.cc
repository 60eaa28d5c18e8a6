// The teams' tables on a real SQLite file: created with members in order, read back,
// renamed, the round-robin cursor kept across an update; a name is unique within its brand;
// a deleted user leaves their teams; a missing team is kNotFound.
#include "store/team_tables.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "store/access_tables.h"

namespace ecoute {
namespace {

class TeamTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_teams_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const std::string path = (dir_ / "e.db").string();
    Result<std::unique_ptr<AccessTables>> access = OpenAccessTables(path);
    ASSERT_TRUE(access) << access.error().ToString();
    access_ = std::move(access).value();
    for (const char* name : {"ana", "bob", "cleo"}) {
      StoredUser u;
      u.name = name;
      u.role = "agent";
      u.created_at = 1795600000;
      Result<int64_t> id = access_->AddUser(u, "hash");
      ASSERT_TRUE(id) << id.error().ToString();
      users_.push_back(*id);
    }
    Result<std::unique_ptr<TeamTables>> tables = OpenTeamTables(path);
    ASSERT_TRUE(tables) << tables.error().ToString();
    tables_ = std::move(tables).value();
  }
  void TearDown() override {
    tables_.reset();
    access_.reset();
    std::filesystem::remove_all(dir_);
  }

  Team NewTeam(std::string name, std::string brand) const {
    Team t;
    t.name = std::move(name);
    t.brand = std::move(brand);
    t.round_robin = true;
    t.members = {users_[2], users_[0]};
    t.updated_by = "manager:marie";
    t.updated_at = 1795600000;
    return t;
  }

  std::filesystem::path dir_;
  std::unique_ptr<AccessTables> access_;
  std::unique_ptr<TeamTables> tables_;
  std::vector<int64_t> users_;
};

TEST_F(TeamTablesTest, ACreatedTeamReadsBackWithItsMembersInOrder) {
  Result<Team> created = tables_->CreateTeam(NewTeam("Billing", "Lunéa"));
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->name, "Billing");
  EXPECT_EQ(created->brand, "Lunéa");
  EXPECT_TRUE(created->round_robin);
  EXPECT_EQ(created->members, (std::vector<int64_t>{users_[2], users_[0]}));
  EXPECT_EQ(created->last_assigned, 0);
  EXPECT_EQ(created->updated_by, "manager:marie");
}

TEST_F(TeamTablesTest, ANameIsUniqueWithinItsBrandOnly) {
  ASSERT_TRUE(tables_->CreateTeam(NewTeam("Billing", "Lunéa")));
  Result<Team> again = tables_->CreateTeam(NewTeam("billing", "Lunéa"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(tables_->CreateTeam(NewTeam("Billing", "Jeanerie")));
  Result<std::vector<Team>> all = tables_->ListTeams();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].brand, "Jeanerie");  // by brand, then name
}

TEST_F(TeamTablesTest, AnUpdateKeepsTheRoundRobinCursor) {
  Result<Team> t = tables_->CreateTeam(NewTeam("Billing", "Lunéa"));
  ASSERT_TRUE(t);
  ASSERT_TRUE(tables_->SetLastAssigned(t->id, users_[2]).ok());
  Team changed = *t;
  changed.name = "Refunds";
  changed.members = {users_[1]};
  changed.round_robin = false;
  Result<Team> updated = tables_->UpdateTeam(changed);
  ASSERT_TRUE(updated) << updated.error().ToString();
  EXPECT_EQ(updated->name, "Refunds");
  EXPECT_EQ(updated->members, std::vector<int64_t>{users_[1]});
  EXPECT_FALSE(updated->round_robin);
  EXPECT_EQ(updated->last_assigned, users_[2]);
}

TEST_F(TeamTablesTest, ADeletedUserLeavesTheirTeams) {
  Result<Team> t = tables_->CreateTeam(NewTeam("Billing", "Lunéa"));
  ASSERT_TRUE(t);
  ASSERT_TRUE(access_->DeleteUser(users_[2]).ok());
  Result<Team> read = tables_->GetTeam(t->id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->members, std::vector<int64_t>{users_[0]});
}

TEST_F(TeamTablesTest, AMissingTeamIsNotFound) {
  EXPECT_EQ(tables_->GetTeam(42).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(tables_->DeleteTeam(42).code(), StatusCode::kNotFound);
  EXPECT_EQ(tables_->SetLastAssigned(42, 1).code(), StatusCode::kNotFound);
  Result<Team> t = tables_->CreateTeam(NewTeam("Billing", "Lunéa"));
  ASSERT_TRUE(t);
  ASSERT_TRUE(tables_->DeleteTeam(t->id).ok());
  EXPECT_EQ(tables_->GetTeam(t->id).error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ecoute
