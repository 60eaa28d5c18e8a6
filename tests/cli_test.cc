// The `ecoute` command end to end: real files in a temp folder, the real binary, exact
// exit codes and messages.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "command_runner.h"
#include "fetch/testing_http_server.h"

namespace {

namespace fs = std::filesystem;

using ecoute::testing::CommandResult;
using ecoute::testing::Slurp;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& content) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // Runs `ecoute <args>` with stdin from `stdin_file` (or /dev/null).
  CommandResult Ecoute(const std::string& args, const std::string& stdin_file = "/dev/null") {
    return ecoute::testing::RunCommand(ECOUTE_BINARY, args, dir_, stdin_file);
  }

  fs::path dir_;
};

size_t CountLines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST_F(CliTest, AnalyzesAPlainTextPostAsOneJsonLine) {
  const fs::path post =
      Write("post.txt", "La Jeanerie a refusé d'échanger mon jean troué. Honteux !");
  const CommandResult run =
      Ecoute("analyze --format json --brands " ECOUTE_SAMPLE_BRANDS " " + post.string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(CountLines(run.out), 1u);
  EXPECT_NE(run.out.find("\"id\": \"" + post.string() + "\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("{\"name\": \"Jeanerie\", \"mentions\": 1, \"spans\": [[0, 11]], "
                         "\"stance\": \"complaint\""),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.err, "");
}

TEST_F(CliTest, ReadsStandardInputWhenNoFileIsGiven) {
  const fs::path post = Write("in.txt", "The crew was amazing, thank you!");
  const CommandResult run = Ecoute("analyze --format json", post.string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("{\"id\": \"stdin\", \"lang\": \"en\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"stance\": \"praise\""), std::string::npos) << run.out;
}

TEST_F(CliTest, ABadJsonLineIsReportedWithItsNumberAndTheOthersAreAnalyzed) {
  const fs::path posts = Write("posts.jsonl",
                               "{\"id\": \"a\", \"text\": \"Super service, merci.\"}\n"
                               "{\"id\": \"b\", \"text\": \"oops\"\n"
                               "{\"id\": \"c\", \"text\": \"Never again, terrible.\"}\n");
  const CommandResult run = Ecoute("analyze --format json " + posts.string());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(CountLines(run.out), 2u);
  EXPECT_NE(run.out.find("{\"id\": \"a\""), std::string::npos);
  EXPECT_NE(run.out.find("{\"id\": \"c\""), std::string::npos);
  EXPECT_NE(run.err.find("posts.jsonl:2: not valid JSON"), std::string::npos) << run.err;
}

TEST_F(CliTest, InvalidUtf8IsRepairedWithAWarningGivingTheOffset) {
  const fs::path post = Write("bad.txt", "Service nul\xff\xfe, vraiment nul.");
  const CommandResult run = Ecoute("analyze --format json " + post.string());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(CountLines(run.out), 1u);
  EXPECT_NE(run.err.find("byte 11"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("invalid UTF-8"), std::string::npos) << run.err;
}

TEST_F(CliTest, EmptyAndBinaryInputsAreErrorsWhenNothingIsAnalyzed) {
  const fs::path empty = Write("empty.txt", "");
  CommandResult run = Ecoute("analyze --format json " + empty.string());
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("empty.txt: empty input"), std::string::npos) << run.err;

  const fs::path binary = Write("blob.bin", std::string("\x7f"
                                                        "ELF\0\0\0\x01\x02",
                                                        9));
  run = Ecoute("analyze --format json --input text " + binary.string());
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(run.err.find("binary"), std::string::npos) << run.err;
}

TEST_F(CliTest, AGoodFileIsAnalyzedEvenBesideABadOne) {
  const fs::path good = Write("good.txt", "Merci pour votre aide !");
  const fs::path empty = Write("empty.txt", "");
  const CommandResult run = Ecoute("analyze --format json " + empty.string() + " " + good.string());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(CountLines(run.out), 1u);
  EXPECT_NE(run.err.find("empty input"), std::string::npos);
}

TEST_F(CliTest, AMissingFileExitsWithNoInput) {
  const CommandResult run = Ecoute("analyze --format json " + (dir_ / "nope.txt").string());
  EXPECT_EQ(run.exit_code, 66);
  EXPECT_NE(run.err.find("nope.txt: cannot open"), std::string::npos) << run.err;
}

TEST_F(CliTest, AnUnknownOptionIsAUsageError) {
  const CommandResult run = Ecoute("analyze --colour red");
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_NE(run.err.find("--colour"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("ecoute --help"), std::string::npos) << run.err;
}

TEST_F(CliTest, AMalformedCatalogNamesTheFileAndLine) {
  const fs::path catalog = Write("brands.toml", "[[brand]]\nname = \"Fnac\"\naliases = [\"\"]\n");
  const fs::path post = Write("p.txt", "Fnac");
  const CommandResult run = Ecoute("analyze --brands " + catalog.string() + " " + post.string());
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_NE(run.err.find("brands.toml:3: brand \"Fnac\": aliases[0] is empty"), std::string::npos)
      << run.err;
}

TEST_F(CliTest, HtmlPostsKeepTheVisibleTextAndTheirLinks) {
  const fs::path page = Write("page.html",
                              "<html><head><style>p{}</style><script>var nul = 1;</script></head>"
                              "<body><p>Le service de <a href=\"https://jeanerie.fr/sav\">"
                              "Jeanerie</a> est parfait.</p></body></html>");
  const CommandResult run =
      Ecoute("analyze --format json --brands " ECOUTE_SAMPLE_BRANDS " " + page.string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"links\": [\"https://jeanerie.fr/sav\"]"), std::string::npos) << run.out;
  // The anchor to the brand's domain counts as a second mention; the script's "nul" is gone.
  EXPECT_NE(run.out.find("\"name\": \"Jeanerie\", \"mentions\": 2"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"stance\": \"praise\""), std::string::npos) << run.out;
}

TEST_F(CliTest, TextFormatIsReadable) {
  const fs::path post = Write("p.txt", "Facture de 120 euros chez Jeanerie, inadmissible.");
  const CommandResult run =
      Ecoute("analyze --format text --brands " ECOUTE_SAMPLE_BRANDS " " + post.string());
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("  brand      Jeanerie: complaint"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  money      120 euros = 120 EUR"), std::string::npos) << run.out;
}

TEST_F(CliTest, AHundredMegabytePostIsAnalyzed) {
  std::string text;
  const std::string paragraph =
      "Le train de Lunéa avait encore deux heures de retard ce matin, c'est inadmissible. "
      "The crew was nice though.\n\n";
  text.reserve(100u << 20);
  while (text.size() < (100u << 20)) text += paragraph;
  const fs::path post = Write("huge.txt", text);
  const CommandResult run =
      Ecoute("analyze --format json --brands " ECOUTE_SAMPLE_BRANDS " " + post.string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(CountLines(run.out), 1u);
  EXPECT_NE(run.out.find("\"lang\": \"fr\""), std::string::npos);
  EXPECT_NE(run.out.find("{\"name\": \"Lunéa\", \"mentions\": "), std::string::npos);
}

TEST_F(CliTest, ParsePrintsEachPostInThePostModel) {
  const fs::path posts = Write(
      "posts.jsonl",
      "{\"id\": \"t1\", \"text\": \"Plus de réseau.\", \"author\": {\"handle\": \"@marie_l\", "
      "\"followers\": 48200}, \"published_at\": \"2026-11-20T08:12:00Z\", \"links\": "
      "[\"https://example.org/a\"], \"contacts\": [{\"kind\": \"x\", \"value\": \"@marie_l\"}]}\n"
      "not json\n");
  const CommandResult run = Ecoute("parse " + posts.string());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::string line =
      "{\"id\": \"t1\", \"source\": \"jsonl\", \"url\": \"\", \"title\": \"\", "
      "\"text\": \"Plus de réseau.\", \"lang\": \"\", \"author\": {\"name\": \"\", "
      "\"handle\": \"@marie_l\", \"url\": \"\", \"followers\": 48200}, "
      "\"published_at\": \"2026-11-20T08:12:00Z\", \"updated_at\": \"\", \"parent_id\": \"\", "
      "\"parent_url\": \"\", \"links\": [\"https://example.org/a\"], "
      "\"contacts\": [{\"kind\": \"x\", \"value\": \"@marie_l\"}], \"comments\": -1, "
      "\"shares\": -1, \"likes\": -1, \"content_hash\": \"";
  EXPECT_EQ(run.out.substr(0, line.size()), line) << run.out;
  EXPECT_EQ(CountLines(run.out), 1u);
  EXPECT_NE(run.err.find("posts.jsonl:2: not valid JSON"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("parsed 1 post; 1 problem reported above"), std::string::npos) << run.err;
}

TEST_F(CliTest, ParseOfNothingUsableFails) {
  EXPECT_EQ(Ecoute("parse " + (dir_ / "missing.jsonl").string()).exit_code, 66);
  const fs::path empty = Write("empty.txt", "");
  EXPECT_EQ(Ecoute("parse " + empty.string()).exit_code, 65);
  EXPECT_EQ(Ecoute("parse --input rss " + empty.string()).exit_code, 64);
}

TEST_F(CliTest, FetchWritesTheBodyAndParseAndAnalyzeReadUrls) {
  const std::string jsonl =
      "{\"id\": \"w1\", \"text\": \"Colis perdu, service client injoignable. Honteux.\"}\n";
  ecoute::testing::HttpServer server([&](const ecoute::testing::HttpRequest& r) {
    if (r.path == "/posts.jsonl") return ecoute::testing::HttpResponse{200, {}, jsonl, 0};
    if (r.path == "/robots.txt") {
      return ecoute::testing::HttpResponse{200, {}, "User-agent: *\nDisallow: /private\n", 0};
    }
    return ecoute::testing::HttpResponse{404, {}, "", 0};
  });
  // The server is on loopback, which only an explicit allow-list lets a URL reach.
  const std::string allow = " --allow-private 127.0.0.0/8 ";
  const fs::path saved = dir_ / "saved.jsonl";
  CommandResult run =
      Ecoute("fetch" + allow + "--out " + saved.string() + " " + server.Url("/posts.jsonl"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Slurp(saved), jsonl);
  EXPECT_NE(run.err.find("ecoute: 200 " + server.Url("/posts.jsonl") + " (no type, " +
                         std::to_string(jsonl.size()) + " bytes)"),
            std::string::npos)
      << run.err;

  run = Ecoute("parse" + allow + server.Url("/posts.jsonl"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("{\"id\": \"w1\", \"source\": \"jsonl\"", 0), 0u) << run.out;

  run = Ecoute("analyze" + allow + "--format json " + server.Url("/posts.jsonl"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"stance\": \"complaint\""), std::string::npos) << run.out;

  run = Ecoute("fetch" + allow + server.Url("/private/a"));
  EXPECT_EQ(run.exit_code, 77);
  EXPECT_NE(run.err.find("disallowed by " + server.Url("/robots.txt")), std::string::npos)
      << run.err;
  run = Ecoute("parse" + allow + server.Url("/missing.jsonl"));
  EXPECT_EQ(run.exit_code, 69);
  EXPECT_NE(run.err.find(server.Url("/missing.jsonl") + ": HTTP 404"), std::string::npos)
      << run.err;
}

TEST_F(CliTest, UrlsReachOnlyPublicAddressesUnlessAllowed) {
  const std::string jsonl = "{\"id\": \"w1\", \"text\": \"Colis perdu.\"}\n";
  ecoute::testing::HttpServer server([&](const ecoute::testing::HttpRequest& r) {
    if (r.path == "/posts.jsonl") return ecoute::testing::HttpResponse{200, {}, jsonl, 0};
    return ecoute::testing::HttpResponse{404, {}, "", 0};
  });
  const std::string url = server.Url("/posts.jsonl");
  const std::string refused = "ecoute: error: " + url +
                              ": refused by the outbound policy: 127.0.0.1 is a loopback address "
                              "(allow it with --allow-private CIDR or "
                              "$ECOUTE_OUTBOUND_ALLOW_PRIVATE)\n";
  const std::string ingest = "ingest --brands " + std::string(ECOUTE_SAMPLE_BRANDS) + " --db " +
                             (dir_ / "t.db").string() + " ";
  for (const std::string& command :
       {std::string("fetch "), std::string("parse "), std::string("analyze "), ingest}) {
    CommandResult run = Ecoute(command + url);
    EXPECT_EQ(run.exit_code, 77) << command << run.err;
    EXPECT_NE(run.err.find(refused), std::string::npos) << command << run.err;
  }
  EXPECT_TRUE(server.Requests().empty());

  // Another range allowed is not this one; the right one lets it through.
  CommandResult run = Ecoute("fetch --allow-private 10.0.0.0/8 " + url);
  EXPECT_EQ(run.exit_code, 77) << run.err;
  run = Ecoute("fetch --allow-private 10.0.0.0/8 --allow-private 127.0.0.1/32 " + url);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, jsonl);
  // The environment, as `serve` reads it, when no flag is given.
  ::setenv("ECOUTE_OUTBOUND_ALLOW_PRIVATE", "10.0.0.0/8, 127.0.0.0/8", 1);
  run = Ecoute("parse " + url);
  ::unsetenv("ECOUTE_OUTBOUND_ALLOW_PRIVATE");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("{\"id\": \"w1\"", 0), 0u) << run.out;
  EXPECT_EQ(server.Requests().size(), 4u);  // robots.txt and the posts, twice

  // A range that does not parse is a usage error.
  run = Ecoute("fetch --allow-private 127.0.0.1/8 " + url);
  EXPECT_EQ(run.exit_code, 64);
  EXPECT_EQ(run.err,
            "ecoute: error: --allow-private \"127.0.0.1/8\": bits are set past the prefix (did "
            "you mean 127.0.0.0/8?)\n");
}

}  // namespace
