#include "twcs.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ecoute/catalog.h"
#include "ecoute/post.h"
#include "ecoute/sources.h"

#include "store/sqlite/sqlite.h"

namespace ecoute::twcs {
namespace {

constexpr std::string_view kHeader =
    ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";

std::vector<int64_t> Ids(const std::vector<Tweet>& tweets) {
  std::vector<int64_t> ids;
  for (const Tweet& tweet : tweets) ids.push_back(tweet.id);
  return ids;
}

std::vector<std::vector<int64_t>> ThreadIds(const std::vector<Thread>& threads) {
  std::vector<std::vector<int64_t>> out;
  for (const Thread& thread : threads) out.push_back(thread.tweet_ids);
  return out;
}

TwcsFile Parse(std::string_view rows) {
  Result<TwcsFile> file = ParseTwcsCsv(std::string(kHeader) + std::string(rows));
  EXPECT_TRUE(file.has_value()) << file.error().ToString();
  return file.has_value() ? std::move(file).value() : TwcsFile{};
}

TEST(TwcsCsvTest, ReadsQuotedTextWithANewlineAndAComma) {
  const TwcsFile file = Parse(
      "0,1,sprintcare,False,Tue Oct 31 22:10:47 +0000 2017,\"@115712 Hi, there\nsecond line\","
      "\"2,3\",4.0\n"
      "1,2,115712,True,Tue Oct 31 22:11:45 +0000 2017,@sprintcare ok,,1.0\n");
  ASSERT_EQ(file.tweets.size(), 2u);
  EXPECT_TRUE(file.problems.empty());
  const Tweet& first = file.tweets[0];
  EXPECT_EQ(first.id, 1);
  EXPECT_EQ(first.author_id, "sprintcare");
  EXPECT_FALSE(first.is_inbound);
  EXPECT_EQ(first.text, "@115712 Hi, there\nsecond line");
  EXPECT_EQ(first.response_ids, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(first.parent_id, 4);
  EXPECT_EQ(first.line, 2);
  EXPECT_EQ(first.created_at, 1509487847);  // 2017-10-31T22:10:47Z
  // The newline inside the quoted text moves the next record one line further.
  EXPECT_EQ(file.tweets[1].line, 4);
  EXPECT_TRUE(file.tweets[1].is_inbound);
  EXPECT_TRUE(file.tweets[1].response_ids.empty());
}

TEST(TwcsCsvTest, SkipsBadRowsWithTheirLineAndKeepsTheOthers) {
  const TwcsFile file = Parse(
      "0,1,115712,True,Tue Oct 31 22:10:47 +0000 2017,fine,,\n"
      "1,,115712,True,Tue Oct 31 22:10:47 +0000 2017,no id,,\n"
      "2,3,115712,True,yesterday,bad date,,\n"
      "3,1,115712,True,Tue Oct 31 22:10:47 +0000 2017,duplicate,,\n"
      "4,5,AppleSupport,False,Tue Oct 31 22:12:00 +0000 2017,bad parent,,abc\n");
  EXPECT_EQ(Ids(file.tweets), (std::vector<int64_t>{1, 5}));
  EXPECT_FALSE(file.tweets[1].parent_id.has_value());
  ASSERT_EQ(file.problems.size(), 4u);
  EXPECT_EQ(file.problems[0].line, 3);
  EXPECT_EQ(file.problems[0].message, "no tweet_id; row skipped");
  EXPECT_EQ(file.problems[1].line, 4);
  EXPECT_EQ(file.problems[1].message, "created_at \"yesterday\" is not a date; row skipped");
  EXPECT_EQ(file.problems[2].line, 5);
  EXPECT_EQ(file.problems[2].message, "tweet_id 1 already read on line 2; row skipped");
  EXPECT_EQ(file.problems[3].line, 6);
  EXPECT_EQ(file.problems[3].message, "in_response_to_tweet_id \"abc\" is not a tweet id; ignored");
}

TEST(TwcsCsvTest, JoinsARecordSplitByBareLineBreaksInAnUnquotedField) {
  // The sample's tweet 3399: two bare "\r" inside an unquoted text.
  const TwcsFile file = Parse(
      "2484,3399,116510,True,Tue Oct 31 18:13:06 +0000 2017,@AskPayPal \r\rI just love it,3398,\n"
      "2485,3400,AskPlayStation,False,Tue Oct 31 22:59:35 +0000 2017,Hola,3401,3402.0\n");
  ASSERT_EQ(Ids(file.tweets), (std::vector<int64_t>{3399, 3400}));
  EXPECT_EQ(file.tweets[0].text, "@AskPayPal \n\nI just love it");
  EXPECT_EQ(file.tweets[0].response_ids, (std::vector<int64_t>{3398}));
  EXPECT_EQ(file.tweets[1].line, 3);
  ASSERT_EQ(file.problems.size(), 1u);
  EXPECT_EQ(file.problems[0].line, 2);
}

TEST(TwcsCsvTest, SkipsARecordWithTooFewFieldsWhenTheNextLineIsComplete) {
  const TwcsFile file = Parse(
      "0,1,115712,True,Tue Oct 31 22:10:47 +0000 2017\n"
      "1,2,115712,True,Tue Oct 31 22:10:48 +0000 2017,fine,,\n");
  EXPECT_EQ(Ids(file.tweets), (std::vector<int64_t>{2}));
  ASSERT_EQ(file.problems.size(), 1u);
  EXPECT_EQ(file.problems[0].line, 2);
  EXPECT_EQ(file.problems[0].message, "5 fields, the header has 8; row skipped");
}

TEST(TwcsCsvTest, FailsWithoutTheNeededColumns) {
  const Result<TwcsFile> file = ParseTwcsCsv("id,text\n1,hello\n");
  ASSERT_FALSE(file.has_value());
  EXPECT_NE(file.error().message().find("tweet_id"), std::string::npos);
  EXPECT_FALSE(ParseTwcsCsv("").has_value());
}

TEST(TwcsCsvTest, ParsesTwitterTimesAndTweetIds) {
  EXPECT_EQ(ParseTwitterTime("Tue Oct 31 22:10:47 +0000 2017"), 1509487847);
  EXPECT_EQ(ParseTwitterTime("Tue Oct 31 23:10:47 +0100 2017"), 1509487847);
  EXPECT_FALSE(ParseTwitterTime("2017-10-31T22:10:47Z").has_value());
  EXPECT_FALSE(ParseTwitterTime("Tue Oct 32 22:10:47 +0000 2017").has_value());
  EXPECT_EQ(ParseTweetId("3"), 3);
  EXPECT_EQ(ParseTweetId("3.0"), 3);
  EXPECT_FALSE(ParseTweetId("3.5").has_value());
  EXPECT_FALSE(ParseTweetId("-3").has_value());
  EXPECT_FALSE(ParseTweetId("0").has_value());
  EXPECT_FALSE(ParseTweetId("3.").has_value());
  EXPECT_FALSE(ParseTweetId("").has_value());
}

TEST(TwcsThreadTest, FindsConnectedComponentsEvenWhenAParentIsMissing) {
  const TwcsFile file = Parse(
      // Thread A: 1 answers 999, which is not in the file; 2 answers 1, 3 answers 2.
      "0,1,115712,True,Tue Oct 31 10:00:00 +0000 2017,@sprintcare help,2,999.0\n"
      "1,2,sprintcare,False,Tue Oct 31 10:05:00 +0000 2017,@115712 DM us,3,1.0\n"
      "2,3,115712,True,Tue Oct 31 10:07:00 +0000 2017,@sprintcare done,,2.0\n"
      // Thread B: joined only through 5's response list (6 names no parent).
      "3,5,115713,True,Tue Oct 31 11:00:00 +0000 2017,@AppleSupport broken,6,\n"
      "4,6,AppleSupport,False,Tue Oct 31 11:30:00 +0000 2017,@115713 which model?,,\n"
      // Thread C: a brand tweet whose parent is missing. Thread D: a lone customer tweet.
      "5,7,AppleSupport,False,Tue Oct 31 09:00:00 +0000 2017,@115714 glad to help,,888.0\n"
      "6,8,115715,True,Tue Oct 31 12:00:00 +0000 2017,@applesupport anyone?,,\n"
      // Thread E: a lone customer tweet addressing no brand account.
      "7,9,115716,True,Tue Oct 31 12:30:00 +0000 2017,me@AppleSupport.com @friend,,\n");
  const std::vector<Thread> threads = FindThreads(file.tweets);
  EXPECT_EQ(ThreadIds(threads),
            (std::vector<std::vector<int64_t>>{{7}, {1, 2, 3}, {5, 6}, {8}, {9}}));
  EXPECT_EQ(threads[1].brand_account, "sprintcare");
  EXPECT_EQ(threads[1].first_response_s, 300);
  EXPECT_EQ(threads[2].first_response_s, 1800);
  EXPECT_FALSE(threads[0].start.has_value());
  // No brand tweets in D: its brand is the account its customer addresses.
  EXPECT_EQ(threads[3].brand_account, "AppleSupport");
  EXPECT_TRUE(threads[3].is_brand_from_mention);
  EXPECT_FALSE(threads[3].first_response_s.has_value());
  EXPECT_EQ(threads[4].brand_account, "");  // an e-mail address is not a handle

  const Truth truth = ComputeTruth(file.tweets);
  EXPECT_EQ(truth.threads_without_customer, 1);
  EXPECT_EQ(truth.threads_without_brand, 1);
  EXPECT_EQ(truth.threads_brand_from_mention, 1);
  ASSERT_EQ(truth.brands.size(), 2u);
  EXPECT_EQ(truth.brands[0].name, "Apple");
  EXPECT_EQ(truth.brands[0].handle, "@AppleSupport");
  EXPECT_EQ(truth.brands[0].threads, 2);
  EXPECT_EQ(truth.brands[0].answered, 1);
  EXPECT_EQ(truth.brands[0].tweets, 3);
  EXPECT_EQ(truth.brands[0].first_response_median_s, 1800);
  EXPECT_EQ(truth.brands[1].name, "Sprint");
  EXPECT_EQ(truth.brands[1].threads, 1);
  EXPECT_EQ(truth.brands[1].tweets, 3);
}

TEST(TwcsThreadTest, AThreadBelongsToItsFirstBrandWhichAloneCountsAsAResponse) {
  const TwcsFile file = Parse(
      "0,1,AmazonHelp,False,Tue Oct 31 09:00:00 +0000 2017,@115712 earlier,,\n"
      "1,2,115712,True,Tue Oct 31 10:00:00 +0000 2017,@AmazonHelp @UPSHelp lost,\"3,4\",1.0\n"
      "2,3,UPSHelp,False,Tue Oct 31 10:01:00 +0000 2017,@115712 ups here,,2.0\n"
      "3,4,AmazonHelp,False,Tue Oct 31 10:10:00 +0000 2017,@115712 amazon here,,2.0\n");
  const std::vector<Thread> threads = FindThreads(file.tweets);
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0].brand_account, "AmazonHelp");
  EXPECT_EQ(threads[0].start, 1509444000);
  EXPECT_EQ(threads[0].first_response_s, 600);  // UPS's reply is not Amazon's
}

TEST(TwcsTruthTest, PercentilesAreNearestRank) {
  const std::vector<int64_t> values = {10, 20, 30, 40};
  EXPECT_EQ(NearestRankPercentile(values, 50), 20);
  EXPECT_EQ(NearestRankPercentile(values, 90), 40);
  EXPECT_EQ(NearestRankPercentile(values, 75), 30);
  EXPECT_EQ(NearestRankPercentile(values, 100), 40);
  EXPECT_EQ(NearestRankPercentile(values, 1), 10);
  EXPECT_EQ(NearestRankPercentile({7}, 90), 7);
  EXPECT_EQ(NearestRankPercentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90), 9);  // rank 9 exactly
  EXPECT_FALSE(NearestRankPercentile({}, 50).has_value());
}

TEST(TwcsTruthTest, TruthJsonReadsBack) {
  const TwcsFile file = Parse(
      "0,1,115712,True,Tue Oct 31 10:00:00 +0000 2017,@sprintcare help,2,\n"
      "1,2,sprintcare,False,Tue Oct 31 10:05:00 +0000 2017,@115712 DM us,,1.0\n"
      "2,3,115713,True,Tue Oct 31 10:07:00 +0000 2017,@sprintcare hello?,,\n");
  const Result<TruthFile> truth = ParseTruthJson(FormatTruthJson(ComputeTruth(file.tweets)));
  ASSERT_TRUE(truth.has_value()) << truth.error().ToString();
  EXPECT_EQ(truth->threads, (std::vector<std::vector<std::string>>{{"1", "2"}, {"3"}}));
  ASSERT_EQ(truth->brands.size(), 1u);
  EXPECT_EQ(truth->brands[0].name, "Sprint");
  EXPECT_EQ(truth->brands[0].threads, 2);
  EXPECT_EQ(truth->brands[0].answered, 1);
  EXPECT_EQ(truth->brands[0].first_response_median_s, 300);
  EXPECT_EQ(truth->brands[0].first_response_p90_s, 300);
  EXPECT_EQ(truth->brands[0].response_times_s, (std::vector<int64_t>{300}));
}

TEST(TwcsConversionTest, PostsUseEcoutesJsonLinesFormat) {
  const TwcsFile file = Parse(
      "1,2,115712,True,Tue Oct 31 22:11:45 +0000 2017,\"@sprintcare and \"\"how\"\"\",,1.0\n");
  ASSERT_EQ(file.tweets.size(), 1u);
  const Post post = ToPost(file.tweets[0]);
  EXPECT_EQ(post.id, "2");
  EXPECT_EQ(post.source, "twitter");
  EXPECT_EQ(post.author.handle, "@115712");
  EXPECT_EQ(post.author.name, "115712");
  EXPECT_EQ(post.published_at, "2017-10-31T22:11:45Z");
  EXPECT_EQ(post.parent_id, "1");
  EXPECT_EQ(post.content_hash, ContentHash("@sprintcare and \"how\""));

  std::string line;
  AppendPostJson(post, line);
  std::vector<Post> read;
  std::vector<Problem> problems;
  ReadJsonLines(
      line, "posts.jsonl", [&](const Post& p) { read.push_back(p); }, problems);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(read[0].id, "2");
  EXPECT_EQ(read[0].text, "@sprintcare and \"how\"");
  EXPECT_EQ(read[0].parent_id, "1");
  EXPECT_EQ(read[0].author.handle, "@115712");
  EXPECT_EQ(read[0].published_at, "2017-10-31T22:11:45Z");
}

TEST(TwcsConversionTest, CatalogHasOneBrandPerAccountAndLoads) {
  EXPECT_EQ(BrandName("AppleSupport"), "Apple");
  EXPECT_EQ(BrandName("sprintcare"), "Sprint");
  EXPECT_EQ(BrandName("VirginTrains"), "Virgin Trains");
  EXPECT_EQ(BrandName("SomeNewAccount"), "SomeNewAccount");
  const Result<BrandCatalog> catalog = ParseCatalog(
      FormatCatalogToml({"AppleSupport", "AskPapaJohns", "ChaseSupport", "Unknown_Co"}),
      "brands.toml");
  ASSERT_TRUE(catalog.has_value()) << catalog.error().ToString();
  ASSERT_EQ(catalog->brands.size(), 4u);
  EXPECT_EQ(catalog->brands[0].name, "Apple");
  EXPECT_EQ(catalog->brands[0].handles, (std::vector<std::string>{"@AppleSupport"}));
  EXPECT_TRUE(catalog->brands[0].aliases.empty());
  EXPECT_EQ(catalog->brands[1].name, "Papa John's");
  EXPECT_TRUE(catalog->brands[2].is_common_word);  // "Chase"
  EXPECT_EQ(catalog->brands[3].name, "Unknown_Co");
}

// A temporary SQLite database with the tables twcs_compare relies on.
class TwcsCompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("twcs_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "ecoute.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Execute(const std::string& sql) {
    Result<sqlite::Connection> db = sqlite::Connection::Open(path_);
    ASSERT_TRUE(db) << db.error().ToString();
    const Status status = sqlite::Exec(db->get(), sql);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(TwcsCompareTest, ScoresPairsAndCoverageOnAHandComputedExample) {
  // Truth: A = a1 a2 a3, B = b1 b2, C = c1 (one tweet: not scored), D = d1 d2, E = e1 e2.
  // Cases: 100 = {a1 a2 b1}, 200 = {a1 a3}, 300 = {b2 c1}, 400 = {d1 d2}, 500 = {e1},
  // 600 = {a1 a2} (the pair a1-a2 again: counted once).
  Execute(R"(
    CREATE TABLE brands(id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE posts(id INTEGER PRIMARY KEY, ext_id TEXT, text TEXT);
    CREATE TABLE cases(id INTEGER PRIMARY KEY, brand_id INTEGER);
    CREATE TABLE case_posts(case_id INTEGER, post_id INTEGER REFERENCES posts(id), role TEXT);
    INSERT INTO brands VALUES (1, 'Sprint');
    INSERT INTO posts(id, ext_id) VALUES (1, 'a1'), (2, 'a2'), (3, 'a3'), (4, 'b1'), (5, 'b2'),
      (6, 'c1'), (7, 'd1'), (8, 'd2'), (9, 'e1'), (10, 'e2');
    INSERT INTO cases VALUES (100, 1), (200, 1), (300, 1), (400, 1), (500, 1), (600, 1);
    INSERT INTO case_posts VALUES (100, 1, 'opening'), (100, 2, 'follow_up'), (100, 4, 'reply'),
      (200, 1, 'opening'), (200, 3, 'reply'), (300, 5, 'opening'), (300, 6, 'reply'),
      (400, 7, 'opening'), (400, 8, 'reply'), (500, 9, 'opening'), (600, 1, 'opening'),
      (600, 2, 'reply');
  )");
  const Result<CaseMembership> membership = ReadCaseMembership(path_);
  ASSERT_TRUE(membership.has_value()) << membership.error().ToString();
  EXPECT_EQ(membership->at("a1"), (std::vector<int64_t>{100, 200, 600}));

  const ThreadScores s = ScoreThreads(
      {{"a1", "a2", "a3"}, {"b1", "b2"}, {"c1"}, {"d1", "d2"}, {"e1", "e2"}}, *membership);
  EXPECT_EQ(s.threads, 4);
  EXPECT_EQ(s.tweets, 9);
  // True pairs: 3 (A) + 1 + 1 + 1. Predicted: a1a2, a1b1, a2b1, a1a3, d1d2 (b2-c1 has c1,
  // which is not scored). Correct: a1a2, a1a3, d1d2.
  EXPECT_EQ(s.true_pairs, 6);
  EXPECT_EQ(s.predicted_pairs, 5);
  EXPECT_EQ(s.correct_pairs, 3);
  EXPECT_DOUBLE_EQ(s.precision, 0.6);
  EXPECT_DOUBLE_EQ(s.recall, 0.5);
  EXPECT_DOUBLE_EQ(s.f1, 6.0 / 11.0);
  EXPECT_EQ(s.tweets_in_cases, 8);  // all but e2
  EXPECT_EQ(s.threads_touched, 4);
  EXPECT_EQ(s.threads_split, 2);  // A and B
  EXPECT_EQ(s.threads_whole, 1);  // D (E has e2 outside any case)
  EXPECT_EQ(s.threads_exact, 1);
}

TEST_F(TwcsCompareTest, AMissingTableIsAClearError) {
  Execute("CREATE TABLE posts(id INTEGER PRIMARY KEY, ext_id TEXT);");
  const Result<CaseMembership> membership = ReadCaseMembership(path_);
  ASSERT_FALSE(membership.has_value());
  EXPECT_EQ(membership.error().message(),
            path_ + ": no table case_posts: ingest with `ecoute ingest` first");
  EXPECT_FALSE(ReadCaseMembership((dir_ / "absent.db").string()).has_value());
}

TEST(TwcsBrandComparisonTest, PairsBrandsByNameAndPoolsTotals) {
  const Result<std::vector<BrandFigures>> report = ParseReportJson(R"({"generated_at": 0,
    "brands": [
      {"brand": "Apple", "cases": 3, "responded": 2, "first_response_median_s": 60,
       "first_response_p90_s": 120, "response_times_s": [60, 120], "mentions": 9},
      {"brand": "Nobody", "cases": 1, "responded": 0, "first_response_median_s": null,
       "first_response_p90_s": null, "response_times_s": []}]})");
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  BrandFigures apple{"Apple", 2, 2, 30, 90, {30, 90}};
  BrandFigures sprint{"Sprint", 1, 1, 10, 10, {10}};
  Comparison comparison;
  CompareBrands({apple, sprint}, *report, comparison);
  ASSERT_EQ(comparison.brands.size(), 3u);
  EXPECT_EQ(comparison.brands[0].name, "Apple");
  EXPECT_EQ(comparison.brands[0].ecoute->threads, 3);
  EXPECT_EQ(comparison.brands[1].name, "Sprint");
  EXPECT_FALSE(comparison.brands[1].ecoute.has_value());
  EXPECT_EQ(comparison.brands[2].name, "Nobody");
  EXPECT_FALSE(comparison.brands[2].truth.has_value());
  EXPECT_EQ(comparison.truth_total.threads, 3);
  EXPECT_EQ(comparison.truth_total.first_response_median_s, 30);  // of 10, 30, 90
  EXPECT_EQ(comparison.ecoute_total.threads, 4);
  EXPECT_EQ(comparison.ecoute_total.first_response_p90_s, 120);
  const std::string text = FormatComparisonText(comparison);
  EXPECT_NE(text.find("Apple"), std::string::npos);
  EXPECT_NE(text.find("total"), std::string::npos);
  EXPECT_NE(FormatComparisonJson(comparison).find("\"cases_minus_threads\": 1"), std::string::npos);
}

}  // namespace
}  // namespace ecoute::twcs
