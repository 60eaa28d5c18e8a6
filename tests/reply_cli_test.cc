// `ecoute accounts` and `ecoute cases reply` end to end, with the real binary, against a
// loopback Mastodon: the secret comes from a file or standard input and is never printed,
// a reply is sent at once and recorded into its case, a repeated key sends nothing more, a
// refused reply says why and how to retry, and the exit code says what became of it.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "command_runner.h"
#include "reply/testing_platforms.h"

namespace {

namespace fs = std::filesystem;

using ecoute::testing::CommandResult;
using nlohmann::json;

const std::string kToken = "mastodon-token-1";  // what the loopback Mastodon accepts

class ReplyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("reply_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    brands_ = Write("brands.toml", "[[brand]]\nname = \"Fnac\"\nhandles = [\"@fnac\"]\n");
    // The loopback platforms are private addresses: the settings allow them, as they would
    // for `ecoute serve`.
    config_ = Write("ecoute.toml", "[outbound]\nallow_private = [\"127.0.0.0/8\"]\n");
    token_file_ = Write("token", kToken + "\n");
    db_ = (dir_ / "ecoute.db").string();
    const std::string posts =
        Write("posts.jsonl",
              json({{"id", "social.example/statuses/55"},
                    {"source", "mastodon"},
                    {"url", "https://social.example/@marie/55"},
                    {"author", {{"handle", "@marie@social.example"}}},
                    {"published_at", "2026-03-02T09:00:00Z"},
                    {"text", "@fnac commande jamais livrée, je veux être remboursée. Scandaleux."}})
                  .dump());
    ASSERT_EQ(Run("ingest --db " + db_ + " --brands " + brands_ + " " + posts).exit_code, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  CommandResult Run(const std::string& args, const std::string& stdin_file = "/dev/null") {
    CommandResult r = ecoute::testing::RunCommand(ECOUTE_BINARY, args, dir_, stdin_file);
    EXPECT_EQ(r.out.find(kToken), std::string::npos) << "the secret printed: " << r.out;
    EXPECT_EQ(r.err.find(kToken), std::string::npos) << "the secret printed: " << r.err;
    return r;
  }
  std::string Reply(const std::string& key, const std::string& extra = "") {
    return "cases reply 1 --db " + db_ + " --config " + config_ + " --brands " + brands_ +
           " --by marc --channel mastodon --text 'Bonjour, nous regardons.' --idempotency-key " +
           key + extra;
  }

  fs::path dir_;
  std::string brands_;
  std::string config_;
  std::string token_file_;
  std::string db_;
};

TEST_F(ReplyCliTest, AccountsAreSetFromASecretFileAndListedWithoutIt) {
  ecoute::testing::FakeMastodon m;
  const std::string set = "accounts set --db " + db_ + " --config " + config_ +
                          " --brand Fnac --channel mastodon --instance " + m.Url() +
                          " --handle @fnac --by admin";
  // No secret on the command line: there is no option for one.
  EXPECT_EQ(Run(set + " --secret abc").exit_code, 64);
  CommandResult first = Run(set + " --secret-file " + token_file_);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, "mastodon account of Fnac set (secret: set)\n");
  EXPECT_TRUE(fs::exists(db_ + ".key"));
  EXPECT_EQ(fs::status(db_ + ".key").permissions() & fs::perms::group_all, fs::perms::none);
  // From standard input; without any, the secret is kept.
  CommandResult piped = Run(set + " --secret-file -", token_file_);
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(Run(set).out, "mastodon account of Fnac set (secret: kept)\n");
  CommandResult empty = Run(set + " --secret-file -");
  EXPECT_EQ(empty.exit_code, 65);
  EXPECT_EQ(empty.err, "ecoute: error: --secret-file -: empty; put the secret in it\n");
  CommandResult missing = Run("accounts set --db " + db_ + " --brand Fnac --channel webhook");
  EXPECT_EQ(missing.exit_code, 65) << missing.err;

  CommandResult list = Run("accounts list --db " + db_ + " --format text");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("Fnac mastodon\n  handle: @fnac\n  instance: " + m.Url() +
                          "\n  secret: set\n  updated: "),
            std::string::npos)
      << list.out;
  const json listed = json::parse(Run("accounts list --db " + db_ + " --format json").out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["has_secret"], true);
  EXPECT_EQ(listed[0]["updated_by"], "admin:admin");
  EXPECT_EQ(listed[0]["settings"], json({{"handle", "@fnac"}, {"instance", m.Url()}}));

  EXPECT_EQ(Run("accounts remove --db " + db_ + " --brand Fnac --channel mastodon").exit_code, 0);
  EXPECT_EQ(Run("accounts remove --db " + db_ + " --brand Fnac --channel mastodon").exit_code, 66);
  EXPECT_EQ(Run("accounts list --db " + db_ + " --format json").out, "[]\n");
}

TEST_F(ReplyCliTest, AReplyIsSentAtOnceRecordedInItsCaseAndNeverTwice) {
  ecoute::testing::FakeMastodon m;
  ASSERT_EQ(Run("accounts set --db " + db_ + " --config " + config_ +
                " --brand Fnac --channel mastodon --instance " + m.Url() +
                " --handle @fnac --secret-file " + token_file_)
                .exit_code,
            0);
  CommandResult sent = Run(Reply("k1"));
  ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
  EXPECT_EQ(sent.out, "reply 1 to case 1 on mastodon: sent\n  " + m.Url() + "/@brand/1000\n");
  EXPECT_TRUE(m.problems().empty());
  ASSERT_EQ(m.Statuses().size(), 1u);
  EXPECT_EQ(m.Statuses().begin()->second["in_reply_to_id"], m.remote_status_id);
  EXPECT_EQ(m.Statuses().begin()->second["content"],
            "@marie@social.example Bonjour, nous regardons.");
  // The same key: the same reply, nothing posted again.
  EXPECT_EQ(Run(Reply("k1")).out, sent.out);
  EXPECT_EQ(m.Statuses().size(), 1u);
  const json shown = json::parse(Run("cases show 1 --db " + db_ + " --format json").out);
  ASSERT_EQ(shown["posts"].size(), 2u) << shown.dump();
  EXPECT_EQ(shown["posts"][1]["role"], "brand_reply");
  EXPECT_EQ(shown["case"]["response_kind"], "observed");

  // Credentials refused: failed, with why and how to send it again.
  m.Script({{401, {}, 0}});
  CommandResult refused = Run(Reply("k2"));
  EXPECT_EQ(refused.exit_code, 69);
  EXPECT_EQ(refused.out.rfind("reply 2 to case 1 on mastodon: failed\n  why: Mastodon", 0), 0u)
      << refused.out;
  EXPECT_NE(refused.out.find("then send it again with `ecoute cases reply 1 --by marc --channel "
                             "mastodon --text ... --idempotency-key k2 --retry`"),
            std::string::npos)
      << refused.out;
  // Without --retry the failed reply stays as it is; with it, it is sent.
  EXPECT_EQ(Run(Reply("k2")).exit_code, 69);
  CommandResult retried = Run(Reply("k2", " --retry"));
  EXPECT_EQ(retried.exit_code, 0) << retried.out;
  EXPECT_EQ(m.Statuses().size(), 2u);
  // A channel the customer cannot be reached on.
  CommandResult elsewhere = Run("cases reply 1 --db " + db_ + " --config " + config_ +
                                " --brands " + brands_ + " --by marc --channel bluesky --text x");
  EXPECT_EQ(elsewhere.exit_code, 65);
  EXPECT_EQ(elsewhere.err,
            "ecoute: error: the customer of case 1 cannot be reached on bluesky: choose another "
            "channel\n");
}

}  // namespace
