// A Jetstream source end to end through the service: a real App on a real SQLite file, its
// stream runner and the loopback Jetstream.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "listen/testing_jetstream_server.h"
#include "server/app.h"
#include "server/config.h"

namespace ecoute::server {
namespace {

using listen::testing::JetstreamServer;
using listen::testing::PostEventJson;
using listen::testing::PostUri;
using listen::testing::ReplayEvent;

constexpr std::string_view kCustomer = "did:plc:customer";

template <typename Predicate>
bool WaitFor(Predicate ready, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!ready()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

class LiveIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecoute-live-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "brands.toml") << "[[brand]]\nname = \"Voltaire Énergie\"\n"
                                           "aliases = [\"Voltaire\"]\n";
    config_.db_path = (dir_ / "t.db").string();
    config_.brands_path = (dir_ / "brands.toml").string();
    config_.data_dir = ECOUTE_TEST_DATA_DIR;
    config_.access.fast_hashing_for_tests = true;
    config_.store.sync_every_commit = false;
    config_.contacts.enabled = false;
    config_.watcher.fetch.outbound.allow_private = {ParseIpRange("127.0.0.0/8").value()};
    config_.watcher.fetch.connect_timeout_ms = 2000;
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartApp() {
    Result<std::unique_ptr<App>> app = App::Create(config_, clock_);
    ASSERT_TRUE(app) << app.error().ToString();
    app_ = std::move(app).value();
    App::StartOptions options;
    options.http = false;
    ASSERT_TRUE(app_->Start(options).ok());
  }

  WatchedSource AddJetstream(const std::string& url) {
    WatchedSource source;
    source.url = url;
    source.format = "jetstream";
    Result<WatchedSource> added = app_->watcher().Add(source);
    EXPECT_TRUE(added) << added.error().ToString();
    app_->streams().Sync();
    return added ? *added : source;
  }

  std::filesystem::path dir_;
  ServerConfig config_;
  SystemClock clock_;
  std::unique_ptr<App> app_;
};

TEST_F(LiveIngestTest, AThreadSentOutOfOrderAndAcrossADropEndsInOneCaseStoredOnce) {
  const std::string parent = PostUri(kCustomer, "complaint");
  std::vector<ReplayEvent> events;
  int64_t t = 1000;
  // Chatter that names no brand: analyzed, dropped.
  for (int i = 0; i < 30; ++i) {
    events.push_back({t, PostEventJson("did:plc:someone", "c" + std::to_string(i), t,
                                       "what a lovely morning for a walk")});
    t += 10;
  }
  // The reply comes before the post it answers.
  events.push_back(
      {t, PostEventJson(kCustomer, "reply", t,
                        "Toujours aucune réponse de Voltaire, inadmissible !", parent, "fr")});
  t += 10;
  events.push_back({t, PostEventJson(kCustomer, "complaint", t,
                                     "Voltaire Énergie me facture 88 247 euros, c'est une "
                                     "arnaque, remboursez-moi !",
                                     "", "fr")});
  t += 10;
  for (int i = 0; i < 30; ++i) {
    events.push_back(
        {t, PostEventJson("did:plc:someone", "d" + std::to_string(i), t, "nothing to see here")});
    t += 10;
  }
  const int64_t last = t - 10;
  JetstreamServer::Options options;
  options.drop_after = 40;  // after the thread: the rest comes on the second connection
  JetstreamServer server(events, options);
  StartApp();
  const WatchedSource source = AddJetstream(server.url());
  ASSERT_TRUE(WaitFor([&] {
    Result<WatchedSource> s = app_->watcher().Get(source.id);
    return s && s->cursor == std::to_string(last);
  })) << app_->watcher().Get(source.id)->cursor;
  EXPECT_GE(server.connections(), 2u);
  // The second connection rewound before the cursor: the thread came twice, stored once.
  EXPECT_GT(server.sent(), events.size());
  const Result<StoreStats> stats = app_->store().Lock()->Stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->posts, 2);
  CaseFilter filter;
  const Result<std::vector<CaseSummary>> cases = app_->store().Lock()->ListCases(filter);
  ASSERT_TRUE(cases);
  ASSERT_EQ(cases->size(), 1u);
  const Result<CaseDetail> detail = app_->store().Lock()->GetCase(cases->front().id);
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->posts.size(), 2u);
  std::set<std::string> ids;
  for (const CasePost& p : detail->posts) ids.insert(p.ext_id);
  EXPECT_TRUE(ids.contains(parent));
  EXPECT_TRUE(ids.contains(PostUri(kCustomer, "reply")));
  const listen::StreamStatus status = app_->streams().Statuses().at(source.id);
  EXPECT_EQ(status.matched, 2);
  EXPECT_GE(status.reconnects, 1);
  // /metrics has the source's series.
  app_->RefreshStreamMetrics();
  const std::string metrics = app_->metrics().Render();
  const std::string labels = "{source=\"" + std::to_string(source.id) + "\",format=\"jetstream\"}";
  EXPECT_NE(metrics.find("ecoute_stream_matched_total" + labels + " 2"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("ecoute_stream_connected" + labels + " 1"), std::string::npos);
}

TEST_F(LiveIngestTest, ARemovedSourceStopsItsStreamAndTheWatcherNeverPollsIt) {
  JetstreamServer server(
      {{1, PostEventJson(kCustomer, "a", 1, "Voltaire, rendez-moi mon argent")}});
  StartApp();
  const WatchedSource source = AddJetstream(server.url());
  ASSERT_TRUE(WaitFor([&] { return app_->streams().Statuses().contains(source.id); }));
  const PollReport report = app_->watcher().PollDue([](std::vector<Post>&, const WatchedSource&) {
    ADD_FAILURE() << "a live source was polled";
    return OkStatus();
  });
  EXPECT_EQ(report.polled, 0);
  ASSERT_TRUE(app_->watcher().Remove(source.id).ok());
  app_->streams().Sync();
  EXPECT_TRUE(app_->streams().Statuses().empty());
}

TEST_F(LiveIngestTest, TheApiSealsATokenAndShowsTheStreamOfALiveSource) {
  JetstreamServer server(
      {{1, PostEventJson(kCustomer, "a", 1, "Voltaire, rendez-moi mon argent")}});
  StartApp();
  User user;
  user.name = "admin";
  user.role = Role::kAdmin;
  Result<User> added = app_->access().AddUser(user, "correct horse battery staple admin");
  ASSERT_TRUE(added) << added.error().ToString();
  Result<NewToken> token = app_->access().CreateToken(added->id, "test", std::nullopt);
  ASSERT_TRUE(token);
  const auto call = [&](const std::string& method, const std::string& path,
                        const std::string& body) {
    Request request;
    request.method = method;
    request.target = path;
    request.path = path;
    request.headers = {{"authorization", "Bearer " + token->token},
                       {"content-type", "application/json"}};
    request.body = body;
    request.remote_address = "127.0.0.1";
    Response response = app_->Handle(request);
    return std::make_pair(response.status, nlohmann::json::parse(response.body, nullptr, false));
  };
  auto [status, created] = call("POST", "/api/v1/sources",
                                nlohmann::json({{"url", server.url()},
                                                {"format", "jetstream"},
                                                {"brand", "Voltaire Énergie"},
                                                {"origin", "proposal"},
                                                {"token", "s3cret-token"}})
                                    .dump());
  ASSERT_EQ(status, 201) << created.dump();
  EXPECT_EQ(created["brand"], "Voltaire Énergie");
  EXPECT_EQ(created["origin"], "proposal");
  EXPECT_EQ(created["has_token"], true);
  EXPECT_TRUE(created["follow_case"].is_null());
  EXPECT_FALSE(created.contains("token"));
  EXPECT_FALSE(created.contains("secret"));
  EXPECT_TRUE(created["live"].is_object()) << created.dump();  // started by the POST
  const int64_t id = created["id"];
  // Sealed at rest with the service's key, and given to the stream in clear.
  const WatchedSource stored = app_->watcher().Get(id).value();
  EXPECT_EQ(stored.secret.find("s3cret"), std::string::npos);
  EXPECT_EQ(app_->vault().Unseal(stored.secret).value(), "s3cret-token");
  ASSERT_TRUE(WaitFor([&] { return app_->streams().Statuses().at(id).matched == 1; }));
  auto [listed_status, listed] = call("GET", "/api/v1/sources", "");
  ASSERT_EQ(listed_status, 200);
  EXPECT_EQ(listed["sources"][0]["live"]["matched"], 1);
  EXPECT_EQ(listed["sources"][0]["live"]["state"], "connected");
  // A polled source has no stream; disabling the live one stops it.
  auto [feed_status, feed] =
      call("POST", "/api/v1/sources",
           nlohmann::json({{"url", "http://127.0.0.1:1/feed.xml"}, {"format", "feed"}}).dump());
  ASSERT_EQ(feed_status, 201) << feed.dump();
  EXPECT_TRUE(feed["live"].is_null());
  auto [put_status, put] = call("PATCH", "/api/v1/sources/" + std::to_string(id),
                                nlohmann::json({{"enabled", false}, {"token", nullptr}}).dump());
  ASSERT_EQ(put_status, 200) << put.dump();
  EXPECT_TRUE(put["live"].is_null());
  EXPECT_EQ(put["has_token"], false);
  // A jetstream is a ws(s) URL.
  auto [bad_status, bad] =
      call("POST", "/api/v1/sources",
           nlohmann::json({{"url", "https://jetstream.example/subscribe"}, {"format", "jetstream"}})
               .dump());
  EXPECT_EQ(bad_status, 400) << bad.dump();
}

}  // namespace
}  // namespace ecoute::server
