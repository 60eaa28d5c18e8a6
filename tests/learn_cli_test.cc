// `ecoute train` then `ecoute eval` end to end, on data and a lexicon the test writes.
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

}  // namespace
