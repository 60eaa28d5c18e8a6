#include "ecoute/dataset.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "ecoute/sources.h"
#include "ecoute/status.h"

namespace ecoute {
namespace {

// Parses `bytes` and expects success; the result is compared field by field below.
Dataset Parse(std::string_view bytes, std::string_view name, const DatasetOptions& options = {},
              std::string_view labels = {}) {
  Dataset dataset;
  const Status status = ParseDataset(bytes, name, options, labels, dataset);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return dataset;
}

// Each example as "where | label | text", to compare a whole dataset in one expectation.
std::vector<std::string> Describe(const std::vector<Example>& examples) {
  std::vector<std::string> out;
  out.reserve(examples.size());
  for (const Example& e : examples) out.push_back(e.where + " | " + e.label + " | " + e.text);
  return out;
}

std::vector<std::string> Describe(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  out.reserve(problems.size());
  for (const Problem& p : problems) {
    out.push_back(p.where + ": " + p.message + (p.is_fatal ? " [fatal]" : ""));
  }
  return out;
}

using Lines = std::vector<std::string>;

// ----------------------------------------------------------------------------- CSV

TEST(CsvDatasetTest, ReadsQuotedCommasNewlinesAndEscapedQuotes) {
  const Dataset d = Parse(
      "id,text,label\n"
      "1,\"Late, again\",\"negative\"\n"
      "2,\"line one\nline two\",neutral\n"
      "3,\"She said \"\"thanks\"\"\",positive\r\n"
      "4,  spaces are kept  , positive \n",
      "t.csv");
  EXPECT_EQ(Describe(d.examples), (Lines{
                                      "t.csv:row 1 | negative | Late, again",
                                      "t.csv:row 2 | neutral | line one\nline two",
                                      "t.csv:row 3 | positive | She said \"thanks\"",
                                      // RFC 4180 keeps spaces in texts; labels are trimmed.
                                      "t.csv:row 4 | positive |   spaces are kept  ",
                                  }));
  EXPECT_TRUE(d.problems.empty());
}

TEST(CsvDatasetTest, DecodesTheFiveHtmlEntitiesOnceAndNoOthers) {
  const Dataset d = Parse(
      "text,label\n"
      "Fish &amp; chips &lt;3 &gt; &quot;ok&quot; it&#39;s &amp;lt; &eacute; &#40; & done,x\n",
      "t.csv");
  ASSERT_EQ(d.examples.size(), 1u);
  EXPECT_EQ(d.examples[0].text, "Fish & chips <3 > \"ok\" it's &lt; &eacute; &#40; & done");
}

TEST(CsvDatasetTest, SkipsRowsWhoseFieldCountDiffersFromTheHeader) {
  const Dataset d = Parse(
      "id,text,label\n"
      "1,short\n"
      "2,fine,pos\n"
      "3,too,many,fields\n",
      "t.csv");
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 2 | pos | fine"}));
  EXPECT_EQ(Describe(d.problems), (Lines{
                                      "t.csv:row 1: 2 fields, header has 3",
                                      "t.csv:row 3: 4 fields, header has 3",
                                  }));
}

TEST(CsvDatasetTest, AcceptsTheUnnamedIndexColumnPandasWrites) {
  const Dataset d = Parse(",text,label\n0,hello,pos\n1,bye,neg\n", "t.csv");
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 1 | pos | hello", "t.csv:row 2 | neg | bye"}));
  EXPECT_TRUE(d.problems.empty());
}

TEST(CsvDatasetTest, MissingColumnFailsListingTheColumnsAndLeavesTheDatasetAlone) {
  Dataset d;
  d.examples.push_back({"kept", "x", "", {}, "before"});
  DatasetOptions options;
  options.label_column = "sentiment";
  options.filter_column = "carrier";
  const Status status = ParseDataset("tweet_id,airline_sentiment,text\n1,negative,late\n",
                                     "Tweets.csv", options, {}, d);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "Tweets.csv: missing columns \"sentiment\", \"carrier\" (columns: \"tweet_id\", "
            "\"airline_sentiment\", \"text\")");
  EXPECT_EQ(Describe(d.examples), (Lines{"before | x | kept"}));
  EXPECT_TRUE(d.problems.empty());
}

TEST(CsvDatasetTest, SkipsARowWithBrokenQuotingAndReadsTheNextOne) {
  const std::string bytes =
      "text,label\n"
      "a 5\" screen,neg\n"
      "\"closed\" then more,neg\n"
      "fine,pos\n";
  const Dataset d = Parse(bytes, "t.csv");
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 3 | pos | fine"}));
  EXPECT_EQ(Describe(d.problems),
            (Lines{
                "t.csv:row 1: a quote inside an unquoted field, or text after a closing quote, at "
                "byte 14; the row was skipped",
                "t.csv:row 2: a quote inside an unquoted field, or text after a closing quote, at "
                "byte 35; the row was skipped",
            }));
  EXPECT_EQ(bytes[14], '"');
  EXPECT_EQ(bytes[35], ' ');
}

TEST(CsvDatasetTest, ReportsAQuotedFieldThatIsNeverClosed) {
  const Dataset d = Parse("text,label\nok,pos\n\"never closed,neg\n", "t.csv");
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 1 | pos | ok"}));
  EXPECT_EQ(
      Describe(d.problems),
      (Lines{"t.csv:row 2: a quoted field is never closed; the rest of the file was skipped"}));
}

TEST(CsvDatasetTest, SkipsEmptyTextsAndEmptyLabelsWithAProblem) {
  const Dataset d = Parse("text,label\n   ,pos\nhello,\nfine,neg\n", "t.csv");
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 3 | neg | fine"}));
  EXPECT_EQ(Describe(d.problems), (Lines{"t.csv:row 1: empty text", "t.csv:row 2: empty label"}));
}

TEST(CsvDatasetTest, WithAMapAnEmptyLabelIsUnmappedNotAProblem) {
  DatasetOptions options;
  options.label_map = {{"Late Flight", "delay"}};
  const Dataset d = Parse("text,label\nhello,\nlate again,Late Flight\n   ,\n", "t.csv", options);
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 2 | delay | late again"}));
  EXPECT_EQ(Describe(d.problems), (Lines{"t.csv:row 3: empty text"}));
  EXPECT_EQ(d.skipped_unmapped, 1u);
}

TEST(JsonDatasetTest, AListLabelCountsByItsFirstItem) {
  DatasetOptions options;
  options.label_column = "topics";
  options.label_map = {{"delay", "delay"}, {"support", "support"}};
  const Dataset d = Parse(
      "{\"text\": \"late and nobody answers\", \"topics\": [\"delay\", \"support\"]}\n"
      "{\"text\": \"lovely\", \"topics\": []}\n"
      "{\"text\": \"odd\", \"topics\": [3]}\n",
      "c.jsonl", options);
  EXPECT_EQ(Describe(d.examples), (Lines{"c.jsonl:1 | delay | late and nobody answers"}));
  EXPECT_EQ(Describe(d.problems),
            (Lines{"c.jsonl:3: \"topics\" is a list whose first item is not a string"}));
  EXPECT_EQ(d.skipped_unmapped, 1u);
}

TEST(CsvDatasetTest, RepairsInvalidUtf8AndKeepsTheRows) {
  const Dataset d = Parse("text,label\ncaf\xE9 cr\xE8me,pos\n", "t.csv");
  ASSERT_EQ(d.examples.size(), 1u);
  EXPECT_EQ(d.examples[0].text, "caf\xEF\xBF\xBD cr\xEF\xBF\xBDme");
  EXPECT_EQ(Describe(d.problems),
            (Lines{"t.csv: invalid UTF-8 at byte 14 replaced with U+FFFD (2 sequences); the rows "
                   "were kept"}));
}

TEST(CsvDatasetTest, DropsAByteOrderMarkBeforeTheHeader) {
  const Dataset d = Parse("\xEF\xBB\xBFtext,label\nhi,pos\n", "t.csv");
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 1 | pos | hi"}));
}

// ------------------------------------------------------------------------------ JSON lines

TEST(JsonLinesDatasetTest, ReadsStringAndIntegerLabelsBrandAndTopics) {
  const Dataset d = Parse(
      "{\"text\": \"Late again\", \"label\": 0}\n"
      "\n"
      "{\"text\": \"Great\", \"label\": \"praise\", \"brand\": \"Acme\", "
      "\"topics\": [\"delay\", 3, \"refund\"]}\r\n"
      "{\"label\": 18446744073709551615, \"text\": \"big\", \"brand\": 7}\n",
      "c.jsonl");
  EXPECT_EQ(Describe(d.examples), (Lines{
                                      "c.jsonl:1 | 0 | Late again",
                                      "c.jsonl:3 | praise | Great",
                                      "c.jsonl:4 | 18446744073709551615 | big",
                                  }));
  ASSERT_EQ(d.examples.size(), 3u);
  EXPECT_EQ(d.examples[0].brand, "");
  EXPECT_TRUE(d.examples[0].topics.empty());
  EXPECT_EQ(d.examples[1].brand, "Acme");
  EXPECT_EQ(d.examples[1].topics, (Lines{"delay", "refund"}));  // the number is ignored
  EXPECT_EQ(d.examples[2].brand, "");                           // not a string: ignored
  EXPECT_TRUE(d.problems.empty());
}

TEST(JsonLinesDatasetTest, ReportsEachBadLineAndKeepsTheOthers) {
  const Dataset d = Parse(
      "{\"text\": \"null label\", \"label\": null}\n"
      "not json\n"
      "[1, 2]\n"
      "{\"text\": \"\", \"label\": \"x\"}\n"
      "{\"text\": 5, \"label\": \"x\"}\n"
      "{\"label\": \"x\"}\n"
      "{\"text\": \"a bool\", \"label\": true}\n"
      "{\"text\": \"kept\", \"label\": \"x\"}\n",
      "c.jsonl");
  EXPECT_EQ(Describe(d.examples), (Lines{"c.jsonl:8 | x | kept"}));
  const std::string not_json =
      "c.jsonl:2: not valid JSON (Problem while parsing an atom starting with the letter 'n')";
  EXPECT_EQ(Describe(d.problems),
            (Lines{
                "c.jsonl:1: \"label\" is null",
                not_json,
                "c.jsonl:3: not a JSON object but an array",
                "c.jsonl:4: empty text",
                "c.jsonl:5: \"text\" is a number, not a string",
                "c.jsonl:6: no \"text\"",
                "c.jsonl:7: \"label\" is a boolean, not a string or an integer",
            }));
}

TEST(JsonLinesDatasetTest, KeyMissingFromEveryObjectFailsListingTheKeys) {
  Dataset d;
  const Status status = ParseDataset(
      "{\"text\": \"a\", \"class\": 0}\n{\"text\": \"b\", \"id\": 2}\n", "c.jsonl", {}, {}, d);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "c.jsonl: no object has the key \"label\" (keys: \"text\", \"class\", \"id\")");
  EXPECT_TRUE(d.examples.empty());
  EXPECT_TRUE(d.problems.empty());
}

TEST(JsonLinesDatasetTest, ListsOnlyTheFirstThousandProblems) {
  std::string bytes;
  for (int i = 0; i < 1005; ++i) bytes += "{\"text\": \"t\", \"label\": null}\n";
  const Dataset d = Parse(bytes, "c.jsonl");
  ASSERT_EQ(d.problems.size(), 1001u);
  EXPECT_EQ(Describe({d.problems.back()}),
            (Lines{"c.jsonl: 5 more rows were skipped (only the first 1000 problems are listed)"}));
}

// ------------------------------------------------------------------------------ JSON array

TEST(JsonArrayDatasetTest, ReadsItemsAndReportsTheEmptyLastItem) {
  DatasetOptions options;
  options.label_column = "class";
  const Dataset d = Parse(
      "  [{\"text\":\"Good case, Excellent value.\",\"class\":1},"
      "{\"text\":\"So there is no way\",\"class\":0},\"stray\","
      "{\"text\":\"\",\"class\":null}]",
      "amazon.json", options);
  EXPECT_EQ(Describe(d.examples), (Lines{
                                      "amazon.json:item 1 | 1 | Good case, Excellent value.",
                                      "amazon.json:item 2 | 0 | So there is no way",
                                  }));
  EXPECT_EQ(Describe(d.problems), (Lines{
                                      "amazon.json:item 3: not a JSON object but a string",
                                      "amazon.json:item 4: empty text",
                                  }));
}

TEST(JsonArrayDatasetTest, AnInvalidOrNonArrayFileIsAFatalProblem) {
  DatasetOptions options;
  options.format = DatasetFormat::kJsonArray;
  EXPECT_EQ(Describe(Parse("[{\"text\": \"a\"", "a.json", options).problems),
            (Lines{"a.json: not valid JSON (The JSON document has an improper structure: missing "
                   "or superfluous commas, braces, missing keys, etc.); the file was not read "
                   "[fatal]"}));
  EXPECT_EQ(Describe(Parse("{\"text\": \"a\", \"label\": 1}", "a.json", options).problems),
            (Lines{"a.json: the file holds an object, not an array of objects [fatal]"}));
}

// ------------------------------------------------------------------------------ fastText

TEST(FastTextDatasetTest, TakesTheFirstLabelAndTheRestAsText) {
  const Dataset d = Parse(
      "__label__complaint __label__delay My train is late\n"
      "__label__praise\tGreat service  \r\n"
      "\n"
      "no label here\n"
      "__label__\n"
      "__label__neutral\n",
      "train.ft");
  EXPECT_EQ(Describe(d.examples), (Lines{
                                      "train.ft:1 | complaint | My train is late",
                                      "train.ft:2 | praise | Great service",
                                  }));
  EXPECT_EQ(Describe(d.problems), (Lines{
                                      "train.ft:4: no __label__ at the start of the line",
                                      "train.ft:5: empty text",
                                      "train.ft:6: empty text",
                                  }));
}

// ------------------------------------------------------------------------------ lines

TEST(LinesDatasetTest, PairsTextsWithTheLabelsFile) {
  DatasetOptions options;
  options.labels_path = "test_labels.txt";
  const Dataset d = Parse("Royal: le pr\xC3\xA9sident\r\n\nc'est tout\n\n\n", "test_text.txt",
                          options, "0\n1\n2");
  EXPECT_EQ(Describe(d.examples), (Lines{
                                      "test_text.txt:1 | 0 | Royal: le pr\xC3\xA9sident",
                                      "test_text.txt:3 | 2 | c'est tout",
                                  }));
  // A blank line inside the file keeps its place, so that the pairing holds.
  EXPECT_EQ(Describe(d.problems), (Lines{"test_text.txt:2: empty text"}));
}

TEST(LinesDatasetTest, DifferentLineCountsFailNamingBothCounts) {
  DatasetOptions options;
  options.labels_path = "labels.txt";
  Dataset d;
  const Status status = ParseDataset("a\nb\nc\n", "texts.txt", options, "0\n1\n", d);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "texts.txt has 3 lines but labels.txt has 2; they must pair line by line");
}

// ------------------------------------------------------------------------------ formats

TEST(DatasetFormatTest, ParsesFormatNames) {
  const std::pair<std::string_view, DatasetFormat> kNames[] = {
      {"auto", DatasetFormat::kAuto},         {"csv", DatasetFormat::kCsv},
      {"jsonl", DatasetFormat::kJsonLines},   {"json", DatasetFormat::kJsonArray},
      {"fasttext", DatasetFormat::kFastText}, {"lines", DatasetFormat::kLines},
  };
  for (const auto& [name, want] : kNames) {
    DatasetFormat format = DatasetFormat::kCsv;
    EXPECT_TRUE(ParseDatasetFormat(name, format)) << name;
    EXPECT_EQ(format, want) << name;
  }
  DatasetFormat format = DatasetFormat::kCsv;
  EXPECT_FALSE(ParseDatasetFormat("CSV", format));
  EXPECT_FALSE(ParseDatasetFormat("", format));
  EXPECT_EQ(format, DatasetFormat::kCsv);
}

TEST(DatasetFormatTest, AutoGuessesFromTheNameAndTheFirstBytes) {
  struct GuessCase {
    std::string_view name;
    std::string_view bytes;
    std::string_view want;  // the first example as Describe writes it
  };
  const GuessCase kCases[] = {
      {"a.CSV", "text,label\nhi,pos\n", "a.CSV:row 1 | pos | hi"},
      {"a.jsonl", "{\"text\":\"hi\",\"label\":\"pos\"}", "a.jsonl:1 | pos | hi"},
      {"a.ndjson", "{\"text\":\"hi\",\"label\":\"pos\"}", "a.ndjson:1 | pos | hi"},
      {"a.json", "{\"text\":\"hi\",\"label\":\"pos\"}", "a.json:1 | pos | hi"},  // lines
      {"a.json", "\n [{\"text\":\"hi\",\"label\":\"pos\"}]", "a.json:item 1 | pos | hi"},
      {"dir.v2/a.fasttext", "__label__pos hi", "dir.v2/a.fasttext:1 | pos | hi"},
      {"a.ft", "__label__pos hi", "a.ft:1 | pos | hi"},
      {"train.txt", "__label__pos hi", "train.txt:1 | pos | hi"},  // by the first line
  };
  for (const GuessCase& c : kCases) {
    SCOPED_TRACE(c.name);
    const Dataset d = Parse(c.bytes, c.name);
    ASSERT_EQ(d.examples.size(), 1u);
    EXPECT_EQ(Describe(d.examples)[0], c.want);
  }
  Dataset d;
  const Status status = ParseDataset("just some text\n", "notes.txt", {}, {}, d);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "notes.txt: cannot tell the dataset format from the name or the first line; give it "
            "(csv, jsonl, json, fasttext, lines)");
}

TEST(DatasetFormatTest, EmptyAndBinaryInputsAreFatalProblems) {
  EXPECT_EQ(Describe(Parse(" \n\n", "a.csv").problems),
            (Lines{"a.csv: empty input, no examples [fatal]"}));
  EXPECT_EQ(Describe(Parse(std::string_view("\x1f\x8b\x08\0\0\0\0\0", 8), "a.jsonl").problems),
            (Lines{"a.jsonl: looks like binary data, not a dataset (a compressed file? decompress "
                   "it) [fatal]"}));
}

// ------------------------------------------------------------------------------ label maps

TEST(LabelMapTest, ParsesPairsAndAllowsSeveralSourcesPerLabel) {
  const auto map = ParseLabelMap(
      " negative=complaint, neutral = neutral,positive=praise,"
      "angry=complaint,negative=complaint");
  ASSERT_TRUE(map.has_value()) << map.error().ToString();
  EXPECT_EQ(*map, (std::vector<std::pair<std::string, std::string>>{
                      {"negative", "complaint"},
                      {"neutral", "neutral"},
                      {"positive", "praise"},
                      {"angry", "complaint"},  // the repeated identical pair is dropped
                  }));
}

TEST(LabelMapTest, ErrorsNameTheWrongItem) {
  struct ErrorCase {
    std::string_view spec;
    std::string_view want;
  };
  constexpr ErrorCase kCases[] = {
      {"negative=complaint,neutral",
       "label map item 2 \"neutral\": no '=' (expected source=label)"},
      {"=complaint", "label map item 1 \"=complaint\": the source label is empty"},
      {"a=b, c = ", "label map item 2 \"c =\": the target label is empty"},
      {"a=b,,c=d", "label map item 2 is empty (expected source=label)"},
      {"a=b,", "label map item 2 is empty (expected source=label)"},
      {"a=b=c", "label map item 1 \"a=b=c\": more than one '='"},
      {"a=b,a=c", "label map item 2 \"a=c\": \"a\" is already mapped to \"b\""},
      {"  ", "label map is empty (expected source=label,...)"},
  };
  for (const ErrorCase& c : kCases) {
    SCOPED_TRACE(c.spec);
    const auto map = ParseLabelMap(c.spec);
    ASSERT_FALSE(map.has_value());
    EXPECT_EQ(map.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(map.error().message(), c.want);
  }
}

TEST(LabelMapTest, MapsLabelsAndCountsTheRowsItDoesNotCover) {
  DatasetOptions options;
  options.label_map = {{"negative", "complaint"}, {"positive", "praise"}, {"0", "complaint"}};
  const Dataset d = Parse(
      "text,label\n"
      "late,negative\n"
      "meh,neutral\n"
      "great,positive\n"
      "what,unknown\n"
      ",negative\n"  // still a problem: checks come before the map
      "bad,0\n",
      "t.csv", options);
  EXPECT_EQ(Describe(d.examples), (Lines{
                                      "t.csv:row 1 | complaint | late",
                                      "t.csv:row 3 | praise | great",
                                      "t.csv:row 6 | complaint | bad",
                                  }));
  EXPECT_EQ(d.skipped_unmapped, 2u);
  EXPECT_EQ(Describe(d.problems), (Lines{"t.csv:row 5: empty text"}));
}

// ------------------------------------------------------------------------------ filters

constexpr std::string_view kAirlines =
    "airline_sentiment,airline,text\n"
    "negative,Delta,late\n"
    "positive,United,nice\n"
    "neutral,Virgin America,ok\n"
    "negative,Delta,lost bag\n";

TEST(FilterTest, KeepsOnlyTheRowsWithOneOfTheValues) {
  DatasetOptions options;
  options.label_column = "airline_sentiment";
  options.filter_column = "airline";
  options.filter_values = {"Delta", "Virgin America"};
  const Dataset d = Parse(kAirlines, "t.csv", options);
  EXPECT_EQ(Describe(d.examples), (Lines{
                                      "t.csv:row 1 | negative | late",
                                      "t.csv:row 3 | neutral | ok",
                                      "t.csv:row 4 | negative | lost bag",
                                  }));
  EXPECT_EQ(d.skipped_filtered, 1u);
}

TEST(FilterTest, ExcludeKeepsOnlyTheRowsWithNoneOfTheValues) {
  DatasetOptions options;
  options.label_column = "airline_sentiment";
  options.filter_column = "airline";
  options.filter_values = {"Delta", "Virgin America"};
  options.exclude_filter = true;
  const Dataset d = Parse(kAirlines, "t.csv", options);
  EXPECT_EQ(Describe(d.examples), (Lines{"t.csv:row 2 | positive | nice"}));
  EXPECT_EQ(d.skipped_filtered, 3u);
}

TEST(FilterTest, JsonFilterValuesMayBeIntegersAndAMissingKeyIsEmpty) {
  DatasetOptions options;
  options.filter_column = "split";
  options.filter_values = {"1", "dev"};
  const Dataset d = Parse(
      "{\"text\": \"a\", \"label\": \"x\", \"split\": 1}\n"
      "{\"text\": \"b\", \"label\": \"x\", \"split\": \"train\"}\n"
      "{\"text\": \"c\", \"label\": \"x\", \"split\": \"dev\"}\n"
      "{\"text\": \"d\", \"label\": \"x\"}\n",
      "c.jsonl", options);
  EXPECT_EQ(Describe(d.examples), (Lines{"c.jsonl:1 | x | a", "c.jsonl:3 | x | c"}));
  EXPECT_EQ(d.skipped_filtered, 2u);
}

TEST(FilterTest, FormatsWithoutColumnsCannotBeFiltered) {
  DatasetOptions options;
  options.filter_column = "airline";
  Dataset d;
  const Status status = ParseDataset("__label__x hi\n", "a.ft", options, {}, d);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "a.ft: cannot filter on \"airline\": fastText and lines files have no columns");
}

// ------------------------------------------------------------------------------ files

class ReadDatasetTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute_learn_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, std::string_view bytes) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ReadDatasetTest, ReadsAFileAndAppendsToTheDataset) {
  const std::string path = Write("t.csv", "text,label\nhi,pos\n");
  Dataset d;
  d.examples.push_back({"first", "x", "", {}, "before"});
  ASSERT_TRUE(ReadDataset(path, {}, d).ok());
  EXPECT_EQ(Describe(d.examples), (Lines{"before | x | first", path + ":row 1 | pos | hi"}));
}

TEST_F(ReadDatasetTest, ReadsTheLabelsFileOfALinesDataset) {
  DatasetOptions options;
  options.labels_path = Write("labels.txt", "1\n0\n");
  const std::string path = Write("texts.txt", "bien\nmal\n");
  Dataset d;
  ASSERT_TRUE(ReadDataset(path, options, d).ok());
  EXPECT_EQ(Describe(d.examples), (Lines{path + ":1 | 1 | bien", path + ":2 | 0 | mal"}));
}

TEST_F(ReadDatasetTest, AMissingFileIsNotFound) {
  Dataset d;
  const std::string path = (dir_ / "absent.csv").string();
  const Status status = ReadDataset(path, {}, d);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "cannot open " + path + ": No such file or directory");

  DatasetOptions options;
  options.labels_path = (dir_ / "absent_labels.txt").string();
  EXPECT_EQ(ReadDataset(Write("texts.txt", "a\n"), options, d).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ecoute
