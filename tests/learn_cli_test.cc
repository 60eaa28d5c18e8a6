// `ecoute train` then `ecoute eval` end to end, on data and a lexicon the test writes.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;

class LearnCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("learn_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "data" / "lexicon");
    // A lexicon of two cues: enough to tell what the cue layer says.
    std::ofstream(dir_ / "data" / "lexicon" / "en.cues")
        << "function 1 the\nfunction 1 my\nfunction 1 is\ncomplaint 2 awful\npraise 2 great\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return dir_ / name;
  }
  int Ecoute(const std::string& args, std::string& out, std::string& err) {
    const std::string command = std::string(ECOUTE_BINARY) + " " + args + " >" +
                                (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    const int status = std::system(command.c_str());
    std::ifstream o(dir_ / "out");
    std::ifstream e(dir_ / "err");
    std::stringstream os, es;
    os << o.rdbuf();
    es << e.rdbuf();
    out = os.str();
    err = es.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  fs::path dir_;
};

// Twelve training rows per class (sentiment labels as the airline file writes them) and a
// test file where the cues are right on two rows of three and the words say the rest.
std::string TrainingCsv() {
  std::string csv = "tweet_id,airline_sentiment,text\n";
  const char* negative[] = {"lost my bag",    "bag lost again", "seat broken",
                            "broken tray",    "lost luggage",   "delayed and lost",
                            "broken wifi",    "lost again",     "the seat is broken",
                            "my bag is lost", "broken screen",  "lost it"};
  const char* positive[] = {"lovely crew",        "lovely flight", "smooth landing",
                            "lovely staff",       "smooth ride",   "lovely seats",
                            "smooth boarding",    "lovely snacks", "smooth and lovely",
                            "the crew is lovely", "so smooth",     "lovely"};
  int id = 0;
  for (const char* t : negative) csv += std::to_string(++id) + ",negative,\"" + t + "\"\n";
  for (const char* t : positive) csv += std::to_string(++id) + ",positive,\"" + t + "\"\n";
  return csv;
}

TEST_F(LearnCliTest, TrainsAModelThenEvaluatesCuesModelAndBoth) {
  const fs::path train = Write("train.csv", TrainingCsv());
  const fs::path model = dir_ / "model.bin";
  const std::string data = " --data-dir " + (dir_ / "data").string();
  std::string out, err;
  ASSERT_EQ(Ecoute("train --data " + train.string() +
                       " --text-col text --label-col airline_sentiment"
                       " --map negative=complaint,positive=praise --dev-share 0 --out " +
                       model.string(),
                   out, err),
            0)
      << err;
  EXPECT_NE(err.find("24 examples"), std::string::npos) << err;
  ASSERT_TRUE(fs::exists(model));

  // "awful" and "great" are cues; "lost" and "lovely" only the model knows.
  const fs::path test = Write("test.csv",
                              "tweet_id,airline_sentiment,text\n"
                              "1,negative,awful day\n"
                              "2,negative,my bag is lost\n"
                              "3,positive,great day\n"
                              "4,positive,lovely crew\n");
  ASSERT_EQ(Ecoute("eval --data " + test.string() +
                       " --text-col text --label-col airline_sentiment"
                       " --map negative=complaint,positive=praise --output json --model " +
                       model.string() + data,
                   out, err),
            0)
      << err;
  // Cues: right on rows 1 and 3; on 2 and 4 they say nothing, which falls back to the
  // first label (complaint): row 2 right, row 4 wrong. 3 of 4.
  EXPECT_NE(out.find("{\"system\":\"cues\",\"count\":4,\"accuracy\":0.75,"), std::string::npos)
      << out;
  // The model learned "lost" and "lovely"; "awful" and "great" are unknown to it, so it
  // is unsure on rows 1 and 3, where the cues settle the combined verdict: 4 of 4.
  EXPECT_NE(out.find("{\"system\":\"combined\",\"count\":4,\"accuracy\":1,"), std::string::npos)
      << out;
  // analyze with the model: no cue in "my bag is lost", the model calls it a complaint.
  const fs::path post = Write("post.txt", "my bag is lost");
  ASSERT_EQ(Ecoute("analyze --format json --model " + model.string() + data + " " + post.string(),
                   out, err),
            0)
      << err;
  EXPECT_NE(out.find("\"stance\": \"complaint\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"model\": {\"label\": \"complaint\", \"confidence\": "), std::string::npos)
      << out;
}

TEST_F(LearnCliTest, EvaluatesTopicsAgainstMappedComplaintReasons) {
  std::ofstream(dir_ / "data" / "lexicon" / "en.cues", std::ios::app)
      << "topic.delay 2 late\ntopic.delivery 2 luggage\n";
  // Row 4 has no reason (a positive tweet): unmapped, skipped without a warning.
  const fs::path test = Write("reasons.csv",
                              "text,negativereason\n"
                              "late again,Late Flight\n"
                              "where is my luggage,Lost Luggage\n"
                              "nobody picks up,Customer Service Issue\n"
                              "lovely crew,\n");
  const std::string data = " --data-dir " + (dir_ / "data").string();
  const std::string map =
      " --map \"Late Flight=delay,Lost Luggage=delivery,Customer Service Issue=support\"";
  std::string out, err;
  ASSERT_EQ(Ecoute("eval --task topic --cues-only --data " + test.string() +
                       " --label-col negativereason" + map + data,
                   out, err),
            0)
      << err;
  EXPECT_EQ(err.find("warning"), std::string::npos) << err;
  EXPECT_NE(err.find("3 examples (1 skipped: label not mapped"), std::string::npos) << err;
  // Two rows right; the third has no topic cue, so the cues answer "none".
  EXPECT_NE(out.find("cues: accuracy 0.667"), std::string::npos) << out;
  EXPECT_NE(out.find("support       0.000   0.000  0.000        1"), std::string::npos) << out;

  // A label that is not a topic name is an error that says how to fix it.
  EXPECT_EQ(Ecoute("eval --task topic --cues-only --data " + test.string() +
                       " --label-col negativereason --map \"Late Flight=lateness\"" + data,
                   out, err),
            65);
  EXPECT_NE(err.find("\"lateness\", which is not a topic"), std::string::npos) << err;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The models that ship are what their recipe trains from data/train: same labels, same
// weights, byte for byte (the header's date and paths aside).
TEST_F(LearnCliTest, TheShippedModelsAreTheirRecipesOutput) {
  const fs::path source = ECOUTE_SOURCE_DIR;
  // The stance model also learns from real posts whose texts cannot ship: the recipe reads
  // them from their public source beside the checkout (data/train/real/README.md).
  const char* shared_env = std::getenv("ECOUTE_SHARED");
  const fs::path shared = shared_env != nullptr ? fs::path(shared_env) : source / ".." / "shared";
  if (!fs::exists(shared / "data" / "fr-free-tweets" / "free_tweet_export.csv")) {
    GTEST_SKIP() << "no copy of the real posts' source in " << (shared / "data").string()
                 << ": the recipe cannot be replayed here";
  }
  const fs::path trained = dir_ / "models";
  const std::string command = "ECOUTE=" + std::string(ECOUTE_BINARY) + " bash " +
                              (source / "scripts" / "train-default-model.sh").string() + " " +
                              trained.string() + " >/dev/null 2>" + (dir_ / "err").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << ReadFile(dir_ / "err");
  auto labels = [](const std::string& model) {
    const size_t begin = model.find("\nlabels ");
    return begin == std::string::npos ? ""
                                      : model.substr(begin, model.find('\n', begin + 1) - begin);
  };
  auto weights = [](const std::string& model) {
    const size_t begin = model.find("\nrows ");
    return begin == std::string::npos ? "" : model.substr(begin);
  };
  const std::pair<const char*, const char*> models[] = {
      {"stance.model", "\nlabels complaint neutral praise"},
      {"topics.model",
       "\nlabels billing delay support product_defect cancellation contract staff_attitude "
       "delivery outage"}};
  for (const auto& [name, want_labels] : models) {
    SCOPED_TRACE(name);
    const std::string fresh = ReadFile(trained / name);
    const std::string shipped = ReadFile(source / "data" / "model" / name);
    EXPECT_EQ(labels(fresh), want_labels);
    EXPECT_EQ(labels(shipped), labels(fresh));
    ASSERT_GT(weights(fresh).size(), 1000u);
    EXPECT_TRUE(weights(shipped) == weights(fresh))
        << "data/model/" << name
        << " is not what scripts/train-default-model.sh trains from data/train: rerun the "
           "script and commit the models";
  }
}

// A team's corrections, in the format of docs/EVALUATION.md, added to the base data: the
// retrained model follows them where the base model did not.
TEST_F(LearnCliTest, CorrectionsAddedToTrainingChangeTheModelsVerdict) {
  std::string base;
  const char* complaints[] = {"lost my bag", "bag lost again", "seat broken",
                              "broken tray", "lost luggage",   "broken wifi"};
  const char* praise[] = {"lovely crew",  "lovely flight", "smooth landing",
                          "lovely staff", "smooth ride",   "so smooth"};
  for (const char* t : complaints) {
    base += std::string("{\"text\": \"") + t + "\", \"stance\": \"complaint\"}\n";
  }
  for (const char* t : praise) {
    base += std::string("{\"text\": \"") + t + "\", \"stance\": \"praise\"}\n";
  }
  const fs::path base_file = Write("base.jsonl", base);
  // The team's triage: "upgraded" posts were praise, whatever else they say.
  const fs::path corrections =
      Write("corrections.jsonl",
            "{\"text\": \"upgraded to business\", \"brand\": \"Air A\", \"stance\": \"praise\", "
            "\"topics\": []}\n"
            "{\"text\": \"they upgraded me\", \"brand\": \"Air A\", \"stance\": \"praise\", "
            "\"topics\": []}\n"
            "{\"text\": \"upgraded for free\", \"brand\": \"Air A\", \"stance\": \"praise\", "
            "\"topics\": []}\n"
            "{\"text\": \"got upgraded today\", \"brand\": \"Air A\", \"stance\": \"praise\", "
            "\"topics\": []}\n");
  const fs::path post = Write("post.txt", "upgraded on the lost bag flight");
  const std::string data = " --data-dir " + (dir_ / "data").string();
  std::string out, err;
  auto verdict = [&](const fs::path& model) {
    EXPECT_EQ(Ecoute("analyze --format json --model " + model.string() + data + " " + post.string(),
                     out, err),
              0)
        << err;
    const size_t at = out.find("\"model\": {\"label\": \"");
    return at == std::string::npos ? std::string("?")
                                   : out.substr(at + 20, out.find('"', at + 20) - at - 20);
  };
  ASSERT_EQ(Ecoute("train --label-col stance --dev-share 0 --data " + base_file.string() +
                       " --out " + (dir_ / "base.model").string(),
                   out, err),
            0)
      << err;
  EXPECT_EQ(verdict(dir_ / "base.model"), "complaint");
  ASSERT_EQ(
      Ecoute("train --label-col stance --dev-share 0 --data " + base_file.string() + " --data " +
                 corrections.string() + " --out " + (dir_ / "taught.model").string(),
             out, err),
      0)
      << err;
  EXPECT_NE(err.find("16 examples"), std::string::npos) << err;
  EXPECT_EQ(verdict(dir_ / "taught.model"), "praise");
}

TEST_F(LearnCliTest, EvalNeedsAModelOrCuesOnly) {
  const fs::path test = Write("t.jsonl", "{\"text\": \"awful\", \"label\": \"complaint\"}\n");
  std::string out, err;
  EXPECT_EQ(Ecoute("eval --data " + test.string(), out, err), 64);
  EXPECT_NE(err.find("--cues-only"), std::string::npos) << err;
}

TEST_F(LearnCliTest, AMissingColumnIsAClearError) {
  const fs::path train = Write("train.csv", TrainingCsv());
  std::string out, err;
  EXPECT_EQ(Ecoute("train --data " + train.string() +
                       " --text-col body --label-col "
                       "airline_sentiment --out " +
                       (dir_ / "m").string(),
                   out, err),
            65);
  EXPECT_NE(err.find("body"), std::string::npos) << err;
}

// eval --pairs on a pool, labels and a catalog the test writes: five posts, the cues alone.
//   post  source   addressee  text                          the analysis (en)
//   a1    forum    Acme       "@acme the service is awful"  Acme complaint
//   a2    forum    Acme       "what a great day"            no brand; the post praise
//   a3    forum    Acme       "Bolt is great"               Bolt praise; the post praise
//   b1    reviews  Acme       "Bolt is awful"  (lang fr)    Bolt complaint
//   b2    reviews  Acme       "the weather is nice" (fr)    no brand; the post neutral
// The labels, and the prediction of each pair:
//   a1 Acme complaint      found: complaint                                right
//   a2 ACME praise         not found, the addressee (any case): praise     right
//   a3 Bolt praise         found: praise                                   right
//   a3 Acme complaint      not found, the addressee: praise (sarcasm)      wrong
//   b1 Bolt complaint      found: complaint                                right
//   b1 Zed neutral         not found, not the addressee: missed            wrong
//   b2 Acme neutral        the addressee: neutral                          right
//   b2 Bolt skip           ignored
//   b2 Qux neutral         not in the catalog: left out, counted
//   x9 (not in the pool), a1 Acme again (the first label counts), a bad stance: left out.
// 5 of 7 right: accuracy 0.7143. complaint P 2/2 R 2/3 F1 0.8; praise P 2/3 R 2/2 F1 0.8;
// neutral P 1/1 R 1/2 F1 2/3: macro-F1 (0.8 + 0.8 + 2/3)/3 = 0.7556.
// Brands: labeled 7 (a1 Acme, a2 Acme, a3 Bolt Acme, b1 Bolt Zed, b2 Acme), found 3 (a1
// Acme, a3 Bolt, b1 Bolt), all labeled: precision 1, recall 3/7 = 0.4286.
TEST_F(LearnCliTest, EvalPairsScoresTheStancePerBrandAndTheBrandsFound) {
  const fs::path brands = Write("brands.toml",
                                "[[brand]]\nname = \"Acme\"\nhandles = [\"@acme\"]\n\n"
                                "[[brand]]\nname = \"Bolt\"\n\n[[brand]]\nname = \"Zed\"\n");
  const fs::path pool = Write(
      "pool.jsonl",
      "{\"id\": \"a1\", \"source\": \"forum\", \"addressee\": \"Acme\", \"text\": \"@acme the "
      "service is awful\"}\n"
      "{\"id\": \"a2\", \"source\": \"forum\", \"addressee\": \"Acme\", \"text\": \"what a great "
      "day\"}\n"
      "{\"id\": \"a3\", \"source\": \"forum\", \"addressee\": \"Acme\", \"text\": \"Bolt is "
      "great\"}\n"
      "{\"id\": \"b1\", \"source\": \"reviews\", \"addressee\": \"Acme\", \"lang\": \"fr\", "
      "\"text\": \"Bolt is awful\"}\n"
      "{\"id\": \"b2\", \"source\": \"reviews\", \"addressee\": \"Acme\", \"lang\": \"fr\", "
      "\"text\": \"the weather is nice\"}\n");
  const fs::path labels =
      Write("labels.jsonl",
            "{\"id\": \"a1\", \"brand\": \"Acme\", \"stance\": \"complaint\"}\n"
            "{\"id\": \"a2\", \"brand\": \"ACME\", \"stance\": \"praise\"}\n"
            "{\"id\": \"a3\", \"brand\": \"Bolt\", \"stance\": \"praise\"}\n"
            "{\"id\": \"a3\", \"brand\": \"Acme\", \"stance\": \"complaint\", \"note\": "
            "\"sarcasm\"}\n"
            "{\"id\": \"b1\", \"brand\": \"Bolt\", \"stance\": \"complaint\"}\n"
            "{\"id\": \"b1\", \"brand\": \"Zed\", \"stance\": \"neutral\", \"note\": "
            "\"bystander\"}\n"
            "{\"id\": \"b2\", \"brand\": \"Acme\", \"stance\": \"neutral\"}\n"
            "{\"id\": \"b2\", \"brand\": \"Bolt\", \"stance\": \"skip\"}\n"
            "{\"id\": \"x9\", \"brand\": \"Acme\", \"stance\": \"complaint\"}\n"
            "{\"id\": \"a1\", \"brand\": \"Acme\", \"stance\": \"praise\"}\n"
            "{\"id\": \"a2\", \"brand\": \"Acme\", \"stance\": \"angry\"}\n"
            "{\"id\": \"b2\", \"brand\": \"Qux\", \"stance\": \"neutral\"}\n");
  const std::string args = "eval --cues-only --pairs " + labels.string() + " --posts " +
                           pool.string() + " --brands " + brands.string() + " --data-dir " +
                           (dir_ / "data").string();
  std::string out, err;
  ASSERT_EQ(Ecoute(args + " --output json", out, err), 0) << err;
  EXPECT_NE(err.find("labels.jsonl:11: \"stance\" \"angry\" is not"), std::string::npos) << err;
  EXPECT_NE(err.find("1 labels name a post that is not in"), std::string::npos) << err;
  EXPECT_NE(err.find("left out: labels of brands that are not in the catalog: Qux (1)"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("7 pairs on 5 posts (11 labels read: 0 outside the all split, 1 skip, "
                     "1 duplicates of which 1 disagree, 1 not in the pool, 1 of brands outside "
                     "the catalog)"),
            std::string::npos)
      << err;
  const char* kWant[] = {
      "{\"split\":\"all\",\"test_sources\":[\"fr-rerc-tweets\",\"fr-showroomprive-trustpilot\","
      "\"en-twcs\"],"
      "\"system\":\"cues\",\"labels\":{\"read\":11,\"outside_split\":0,\"skip\":1,"
      "\"duplicates\":1,\"disagreements\":1,\"not_in_pool\":1,\"outside_catalog\":1},"
      "\"scores\":{\"pairs\":7,"
      "\"posts\":5,\"overall\":{\"name\":\"all\",\"missed\":1,\"count\":7,\"accuracy\":0.7143,"
      "\"macro_f1\":0.7556,",
      "\"confusion\":[[2,1,0,0,0,0],[0,2,0,0,0,0],[0,0,0,0,0,0],[0,0,0,0,0,0],[0,0,0,0,1,1],"
      "[0,0,0,0,0,0]],\"three_way\":{\"count\":7,\"accuracy\":0.7143,",
      // The pool's lang wins over the analysis' (en) for b1 and b2.
      "\"by_lang\":[{\"name\":\"en\",\"missed\":0,\"count\":4,\"accuracy\":0.75,",
      "{\"name\":\"fr\",\"missed\":1,\"count\":3,\"accuracy\":0.6667,",
      "\"brands\":{\"name\":\"all\",\"gold\":7,\"predicted\":3,\"matched\":3,\"precision\":1,"
      "\"recall\":0.4286,",
      "\"false_negatives\":[{\"brand\":\"ACME\",\"count\":3,\"example\":\"a2\"},"
      "{\"brand\":\"Zed\",\"count\":1,\"example\":\"b1\"}]",
      "\"confident_errors\":[{\"id\":\"a3\",\"source\":\"forum\",\"lang\":\"en\","
      "\"brand\":\"Acme\",\"gold\":\"complaint\",\"predicted\":\"praise\",",
      "{\"id\":\"b1\",\"source\":\"reviews\",\"lang\":\"fr\",\"brand\":\"Zed\",\"gold\":"
      "\"neutral\",\"predicted\":\"missed\",\"confidence\":0,\"cues\":[],\"note\":\"bystander\"",
      "\"by_note\":[{\"note\":\"sarcasm\",\"count\":1,\"correct\":0,\"accuracy\":0},"
      "{\"note\":\"bystander\",\"count\":1,\"correct\":0,\"accuracy\":0},"
      "{\"note\":\"none\",\"count\":5,\"correct\":5,\"accuracy\":1}]}}\n",
  };
  for (const char* want : kWant)
    EXPECT_NE(out.find(want), std::string::npos) << want << "\n" << out;

  // The dev split leaves the test sources out, the test split keeps only them.
  ASSERT_EQ(Ecoute(args + " --split dev --test-sources reviews", out, err), 0) << err;
  EXPECT_EQ(out.find("cues, split dev (sources other than reviews)\n\n"
                     "all: accuracy 0.750, macro-F1 0.733, 3-way accuracy 0.750 (4 pairs, 0 "
                     "missed)\n"),
            0u)
      << out;
  ASSERT_EQ(Ecoute(args + " --split test --test-sources reviews", out, err), 0) << err;
  EXPECT_NE(out.find("all: accuracy 0.667, macro-F1 0.833, 3-way accuracy 0.667 (3 pairs, 1 "
                     "missed)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("gold \\ predicted  complaint  praise  resolution  question  neutral  "
                     "missed\n"),
            std::string::npos)
      << out;
}

TEST_F(LearnCliTest, EvalPairsNeedsThePostsAndACatalog) {
  const fs::path labels = Write("labels.jsonl",
                                "{\"id\": \"a\", \"brand\": \"A\", \"stance\": "
                                "\"praise\"}\n");
  std::string out, err;
  EXPECT_EQ(Ecoute("eval --pairs " + labels.string(), out, err), 64);
  EXPECT_NE(err.find("--posts"), std::string::npos) << err;
  EXPECT_EQ(Ecoute("eval --split dev --data " + labels.string(), out, err), 64);
  EXPECT_EQ(Ecoute("eval --cues-only", out, err), 64);
  EXPECT_NE(err.find("--data"), std::string::npos) << err;
}

}  // namespace
