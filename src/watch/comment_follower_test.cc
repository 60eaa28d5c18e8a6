// The comment follower's schedule; the follower end to end is tested with the service
// (server/comment_follow_test.cc), where cases, the watcher and the ingest path meet.
#include "watch/comment_follower.h"

#include <gtest/gtest.h>

namespace ecoute::server {
namespace {

TEST(CommentFollowerTest, PollsLessOftenAsTheCaseAges) {
  const std::vector<FollowStep> schedule = CommentFollowerOptions().schedule;
  struct Row {
    int64_t age;
    int64_t interval;
  };
  constexpr int64_t kHour = 3'600;
  constexpr int64_t kDay = 86'400;
  constexpr Row kRows[] = {
      {0, 900},                     // just opened: every 15 minutes
      {kDay - 1, 900},              //
      {kDay, kHour},                // the second and third days: hourly
      {3 * kDay - 1, kHour},        //
      {3 * kDay, 4 * kHour},        // to a week: every 4 hours
      {7 * kDay, 12 * kHour},       // to 30 days: twice a day
      {30 * kDay - 1, 12 * kHour},  //
      {30 * kDay, 0},               // then no more
      {-5, 900},                    // a post dated in the future counts as new
  };
  for (const Row& row : kRows) {
    SCOPED_TRACE(row.age);
    EXPECT_EQ(FollowInterval(schedule, row.age), row.interval);
  }
  EXPECT_EQ(FollowInterval({}, 0), 0);
}

}  // namespace
}  // namespace ecoute::server
