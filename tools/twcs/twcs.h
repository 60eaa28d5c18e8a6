// The "Customer Support on Twitter" corpus (TWCS) as ground truth for ecoute's cases: reads
// its CSV, turns tweets into posts and brand accounts into a catalog, derives the true
// threads and per-brand response figures, and scores ecoute's cases against them.
//
// docs/TWCS.md defines every figure. In short: a thread is a connected component of the
// reply graph; its brand is the first brand account that tweets in it; its start is its
// earliest customer tweet; its first response is the brand's first tweet after the start
// in ingest order (created_at, then tweet id). Percentiles are nearest-rank: the p-th
// percentile of n sorted values is the value at rank ceil(p/100 * n), as in
// include/ecoute/report.h.
//
// Nothing here throws; nothing keeps a borrowed view past the call.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecoute/post.h"
#include "ecoute/status.h"

namespace ecoute::twcs {

// ---------------------------------------------------------------------------------------
// Reading the CSV

// One row of twcs.csv.
struct Tweet {
  int64_t id = 0;
  std::string author_id;    // a number for customers, the account name for brands
  bool is_inbound = false;  // true for customers' tweets
  int64_t created_at = 0;   // seconds since the epoch, UTC
  // The tweet text, with line breaks as "\n" ("\r\n" and lone "\r" converted) and invalid
  // UTF-8 replaced by U+FFFD.
  std::string text;
  std::vector<int64_t> response_ids;  // tweets answering this one, as the file lists them
  std::optional<int64_t> parent_id;   // in_response_to_tweet_id
  int64_t line = 0;                   // line of the file where the record starts (1-based)
};

// A row that was skipped or repaired. `line` is where its record starts.
struct RowProblem {
  int64_t line = 0;
  std::string message;
};

struct TwcsFile {
  std::vector<Tweet> tweets;  // in file order
  std::vector<RowProblem> problems;
};

// Parses the CSV (a header naming tweet_id, author_id, inbound, created_at, text,
// response_tweet_id and in_response_to_tweet_id, in any order, other columns ignored).
// Bad rows are skipped with a problem: unparseable date, missing or non-numeric id, empty
// author, inbound other than True/False, a duplicate id, broken quoting. Bad reply ids are
// dropped with a problem and the row kept. A record split by bare line breaks inside an
// unquoted field (a known quirk of the file) is joined back, with a problem saying so.
// Fails with kInvalidArgument when there is no header or a column is missing.
Result<TwcsFile> ParseTwcsCsv(std::string_view bytes);

// Reads and parses a file; kNotFound when it cannot be read.
Result<TwcsFile> ReadTwcsCsv(const std::string& path);

// Parses Twitter's created_at ("Tue Oct 31 22:10:47 +0000 2017") into seconds since the
// epoch; nullopt when it is not of that shape or not a date.
std::optional<int64_t> ParseTwitterTime(std::string_view text);

// Parses a tweet id as the file writes it: "3", or "3.0" (pandas writes the nullable
// column as floats). nullopt for anything else, zero or negative ids included.
std::optional<int64_t> ParseTweetId(std::string_view text);

// Sorts tweets in ingest order: created_at, then id.
void SortForIngest(std::vector<Tweet>& tweets);

// ---------------------------------------------------------------------------------------
// Conversion to ecoute's inputs

// The post ecoute ingests for `tweet`: id = tweet id, source "twitter", author handle
// "@" + author_id and name author_id, published_at in RFC 3339, parent_id = the replied
// tweet's id (empty if none), content_hash = ContentHash(text).
Post ToPost(const Tweet& tweet);

// The readable name of a brand account ("AppleSupport" -> "Apple"), from a static table
// of the accounts found in TWCS; an unknown account is its own name.
std::string BrandName(std::string_view account);

// The brand accounts (authors of outbound tweets) in order of first appearance in
// `tweets`.
std::vector<std::string> BrandAccounts(const std::vector<Tweet>& tweets);

// A brand catalog (include/ecoute/catalog.h) with one [[brand]] per account: its name,
// its handle, no aliases; common_word = true for a name that is an ordinary word and is
// not in data/lexicon/common_words.txt ("Chase", "Spectrum").
std::string FormatCatalogToml(const std::vector<std::string>& accounts);

// ---------------------------------------------------------------------------------------
// Ground truth

struct Thread {
  std::vector<int64_t> tweet_ids;  // in ingest order
  // The first brand account tweeting in it; when none does, the first brand account a
  // customer tweet of the thread addresses by @handle (is_brand_from_mention); else empty.
  std::string brand_account;
  bool is_brand_from_mention = false;
  std::optional<int64_t> start;  // created_at of its earliest customer tweet
  // Seconds from the start to the brand's first tweet after it in ingest order.
  std::optional<int64_t> first_response_s;
};

// The connected components of the reply graph: an edge joins a tweet to its parent and to
// each of its responses, when that tweet is in `tweets`. Threads come in the ingest order
// of their first tweet. Ids are unique in `tweets` (ParseTwcsCsv guarantees it).
std::vector<Thread> FindThreads(const std::vector<Tweet>& tweets);

// The nearest-rank percentile of ascending `sorted` values: the value at rank
// ceil(percent/100 * n), for percent in [1, 100]; nullopt when `sorted` is empty.
std::optional<double> NearestRankPercentile(const std::vector<int64_t>& sorted, int percent);

// One brand's true figures, over the threads attributed to it that hold a customer tweet.
struct BrandTruth {
  std::string name;
  std::string handle;  // "@AppleSupport"
  int64_t threads = 0;
  int64_t answered = 0;  // threads with a first response
  std::optional<double> first_response_median_s;
  std::optional<double> first_response_p90_s;
  int64_t tweets = 0;                     // tweets in those threads, every author
  std::vector<int64_t> response_times_s;  // ascending
};

struct Truth {
  std::vector<Thread> threads;             // all of them, single tweets included
  std::vector<BrandTruth> brands;          // by decreasing threads, then name
  int64_t threads_without_customer = 0;    // threads of brand tweets only (no case to open)
  int64_t threads_without_brand = 0;       // threads addressing no brand account
  int64_t threads_brand_from_mention = 0;  // brand found by @handle only: unanswered
};

Truth ComputeTruth(const std::vector<Tweet>& tweets);

// {"threads": [["1", "2"], ...], "brands": [{"name", "handle", "threads", "answered",
// "first_response_median_s", "first_response_p90_s", "tweets", "response_times_s"}, ...]}
// with a summary object under "summary". Ids are strings, as posts carry them.
std::string FormatTruthJson(const Truth& truth);

// ---------------------------------------------------------------------------------------
// Comparison with ecoute

// Figures per brand as twcs_compare reads them back, from the truth or from
// `ecoute report --format json` (there "threads" is "cases" and "answered" "responded").
struct BrandFigures {
  std::string name;
  int64_t threads = 0;
  int64_t answered = 0;
  std::optional<double> first_response_median_s;
  std::optional<double> first_response_p90_s;
  std::vector<int64_t> response_times_s;  // ascending; empty when the input has none
};

struct TruthFile {
  std::vector<std::vector<std::string>> threads;
  std::vector<BrandFigures> brands;
};

// Parses FormatTruthJson's output; kInvalidArgument naming what is wrong.
Result<TruthFile> ParseTruthJson(std::string_view json);

// Parses the brands of `ecoute report --format json`: {"brands": [{"brand", "cases",
// "responded", "first_response_median_s", "first_response_p90_s", optionally
// "response_times_s"}, ...]}; other fields are ignored.
Result<std::vector<BrandFigures>> ParseReportJson(std::string_view json);

// For each post id of the source (posts.ext_id), the cases that hold it, ascending.
using CaseMembership = std::map<std::string, std::vector<int64_t>>;

// Reads case membership from ecoute's SQLite database, opened read-only, relying only on
// posts(id, ext_id) and case_posts(case_id, post_id). Fails with kFailedPrecondition
// "<db>: no table case_posts: ingest with `ecoute ingest` first" when a table is missing,
// kNotFound when the file cannot be opened, kInvalidArgument on another SQLite error.
Result<CaseMembership> ReadCaseMembership(const std::string& db_path);

// Thread membership scored over the tweets of truth threads of two or more tweets.
struct ThreadScores {
  int64_t threads = 0;  // truth threads of 2+ tweets
  int64_t tweets = 0;   // their tweets
  // Pairs of those tweets: sharing a case (predicted), sharing a thread (true), both.
  int64_t predicted_pairs = 0;
  int64_t true_pairs = 0;
  int64_t correct_pairs = 0;
  double precision = 0;  // correct / predicted; 0 when nothing is predicted
  double recall = 0;     // correct / true
  double f1 = 0;
  int64_t tweets_in_cases = 0;  // tweets in at least one case
  int64_t threads_touched = 0;  // threads with a tweet in a case
  int64_t threads_whole = 0;    // exactly one case holds the thread's tweets, all of them
  int64_t threads_exact = 0;    // whole, and that case holds no tweet of another thread
  int64_t threads_split = 0;    // the thread's tweets lie in two cases or more
};

ThreadScores ScoreThreads(const std::vector<std::vector<std::string>>& threads,
                          const CaseMembership& membership);

// One row of the brand comparison; a side is missing when that side lacks the brand.
struct BrandComparison {
  std::string name;
  std::optional<BrandFigures> truth;
  std::optional<BrandFigures> ecoute;
};

struct Comparison {
  ThreadScores scores;
  bool has_report = false;
  std::vector<BrandComparison> brands;  // by decreasing truth threads, then ecoute cases
  BrandFigures truth_total;             // sums; percentiles pooled when response times are known
  BrandFigures ecoute_total;
};

// Pairs the brands of the truth and of the report by name and totals them.
void CompareBrands(const std::vector<BrandFigures>& truth, const std::vector<BrandFigures>& report,
                   Comparison& comparison);

// Renders the comparison as a text table or as one JSON object.
std::string FormatComparisonText(const Comparison& comparison);
std::string FormatComparisonJson(const Comparison& comparison);

}  // namespace ecoute::twcs
