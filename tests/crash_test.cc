// Durability: `ecoute ingest` killed with SIGKILL at random moments, many times, never loses
// a post it acknowledged, never leaves a damaged database, and a rerun completes the rest
// with every post stored once.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/sqlite/fts5_tokenizer.h"
#include "store/sqlite/sqlite.h"

extern char** environ;

namespace {

constexpr int kPosts = 6000;

struct IngestRun {
  std::set<std::string> acknowledged;
  int status = 0;
  bool was_killed = false;
};

// Runs `args`, reads its standard output, and kills it after `kill_after` (if set).
IngestRun RunIngest(const std::vector<std::string>& args,
                    std::optional<std::chrono::milliseconds> kill_after) {
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);

  IngestRun run;
  std::thread killer;
  if (kill_after) {
    killer = std::thread([pid, delay = *kill_after] {
      std::this_thread::sleep_for(delay);
      kill(pid, SIGKILL);
    });
  }
  std::string pending;
  char buffer[4096];
  ssize_t n;
  while ((n = read(out[0], buffer, sizeof buffer)) > 0)
    pending.append(buffer, static_cast<size_t>(n));
  close(out[0]);
  waitpid(pid, &run.status, 0);
  if (killer.joinable()) killer.join();
  run.was_killed = WIFSIGNALED(run.status) && WTERMSIG(run.status) == SIGKILL;
  // Only complete lines count: a line cut by the kill was not acknowledged.
  size_t start = 0;
  for (size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = pending.substr(start, end - start);
    if (line.rfind("stored ", 0) == 0) run.acknowledged.insert(line.substr(7));
  }
  return run;
}

std::vector<std::string> Column(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> out;
  ecoute::Result<ecoute::sqlite::Connection> db = ecoute::sqlite::Connection::OpenReadOnly(db_path);
  if (!db) return out;
  EXPECT_TRUE(ecoute::RegisterFts5Tokenizer(db->get()).ok());
  ecoute::sqlite::Statement select(db->get(), sql);
  // A run killed before the schema was made has no tables: no rows.
  while (select.Step()) out.emplace_back(select.Text(0));
  return out;
}

TEST(Crash, KilledIngestsLoseNothingAcknowledged) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("ecoute_crash_test_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "ecoute.db").string();
  const std::string posts = (dir / "posts.jsonl").string();
  const std::string brands = (dir / "brands.toml").string();
  {
    std::ofstream catalog(brands);
    catalog << "[[brand]]\nname = \"Fnac\"\nhandles = [\"@fnac\"]\n";
    std::ofstream out(posts);
    for (int i = 0; i < kPosts; ++i) {
      out << "{\"id\": \"p" << i << "\", \"author\": {\"handle\": \"@client" << i % 400
          << "\"}, \"published_at\": \"2026-01-" << 10 + i % 18 << "T10:" << 10 + i % 50
          << ":00Z\", \"text\": \"Commande " << i
          << " : Fnac ne répond pas, colis jamais arrivé, remboursement refusé.\"}\n";
    }
  }
  const std::vector<std::string> args = {ECOUTE_BINARY, "ingest",  "--db",       db,
                                         "--brands",    brands,    "--batch",    "20",
                                         "--ack",       "--quiet", "--no-model", posts};

  // A rerun after the last kill must complete the rest: every post once, index and cases
  // in agreement with the table.
  auto check_complete = [&](const IngestRun& run) {
    ASSERT_TRUE(WIFEXITED(run.status));
    EXPECT_EQ(WEXITSTATUS(run.status), 0);
    EXPECT_EQ(Column(db, "SELECT count(*) FROM posts"), std::vector<std::string>{"6000"});
    EXPECT_EQ(Column(db, "SELECT count(DISTINCT ext_id) FROM posts"),
              std::vector<std::string>{"6000"});
    EXPECT_EQ(Column(db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    EXPECT_EQ(Column(db, "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'colis'"),
              std::vector<std::string>{"6000"});
    // 400 customers complaining within the window: one case each.
    EXPECT_EQ(Column(db, "SELECT count(*) FROM cases"), std::vector<std::string>{"400"});
  };

  // Kill runs at random moments; when a run gets to the end before its kill, check the
  // result and start again from an empty database, until enough runs died mid-way.
  std::mt19937 random(20261123);
  std::set<std::string> acknowledged;
  int kills = 0;
  int completions = 0;
  for (int attempt = 0; attempt < 80 && (kills < 12 || completions < 1); ++attempt) {
    const auto delay =
        std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 700)(random));
    const IngestRun run = RunIngest(args, delay);
    acknowledged.insert(run.acknowledged.begin(), run.acknowledged.end());
    if (!std::filesystem::exists(db)) continue;  // killed before it created the file
    ASSERT_EQ(Column(db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"})
        << "attempt " << attempt;
    const std::vector<std::string> stored = Column(db, "SELECT ext_id FROM posts");
    const std::set<std::string> stored_set(stored.begin(), stored.end());
    ASSERT_EQ(stored.size(), stored_set.size()) << "a post stored twice, attempt " << attempt;
    for (const std::string& id : acknowledged) {
      ASSERT_TRUE(stored_set.count(id))
          << id << " was acknowledged and is lost, attempt " << attempt;
    }
    if (run.was_killed) {
      ++kills;
      continue;
    }
    check_complete(run);
    ++completions;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    acknowledged.clear();
  }
  EXPECT_GE(kills, 12) << "too few runs were killed mid-way to test anything";
  std::printf("%d runs killed mid-way, %d completed\n", kills, completions);
  const IngestRun final_run = RunIngest(args, std::nullopt);
  check_complete(final_run);
  std::filesystem::remove_all(dir);
}

}  // namespace
