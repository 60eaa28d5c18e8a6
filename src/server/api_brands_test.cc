// The brand catalog through the API, on the sample posts: the list and its scope; every
// refusal with its code and field; a brand added, edited and deleted, in force at once for
// new posts, templates and rules; the catalog file seeding the database across restarts
// (the database is the truth); previews on the stored posts, with their exact matches and
// losses; and the analyzer swapped while posts are being ingested.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ecoute/datetime.h"

#include "server/testing_api.h"

namespace ecoute::server {
namespace {

class BrandsApiTest : public ApiTest {
 protected:
  void Adjust(ServerConfig& config) override { config_ = config; }

  // The server stopped and started again on the same database, with `catalog_file`.
  void Restart(const std::string& catalog_file) {
    app_.reset();
    ServerConfig config = config_;
    config.brands_path = catalog_file;
    Result<std::unique_ptr<App>> app = App::Create(config, clock_);
    ASSERT_TRUE(app) << app.error().ToString();
    app_ = std::move(app).value();
  }

  json BrandJson(const std::string& name) {
    const json list = CallJson("admin", "GET", "/api/v1/brands");
    for (const json& b : list["brands"]) {
      if (b["name"] == name) return b;
    }
    return nullptr;
  }

  // The brands of the stored posts that hold `word` (URL-encoded).
  std::vector<std::string> BrandsOf(const std::string& word) {
    std::vector<std::string> brands;
    const json found = CallJson("admin", "GET", "/api/v1/posts?q=" + word);
    for (const json& hit : found["hits"]) {
      for (const json& b : hit["brands"]) brands.push_back(b);
    }
    return brands;
  }

  ServerConfig config_;
};

TEST_F(BrandsApiTest, TheListGivesEachDefinitionAndWhereItCameFrom) {
  const json orange = BrandJson("Orange");
  ASSERT_FALSE(orange.is_null());
  EXPECT_EQ(orange["handles"], json({"@orange", "@orange_conseil"}));
  EXPECT_EQ(orange["not"], json({"Orange mécanique"}));
  EXPECT_EQ(orange["common_word"], false);
  EXPECT_EQ(orange["origin"], "file");
  EXPECT_EQ(orange["created_at"], FormatRfc3339(kNow));
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/brands")["brands"].size(), 7u);
  const json mine = CallJson("viewer_j", "GET", "/api/v1/brands")["brands"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["name"], "Jeanerie");
}

struct Refusal {
  const char* method;
  const char* target;
  const char* body;
  int status;
  const char* code;
  const char* field;
};

constexpr Refusal kRefusals[] = {
    {"POST", "/api/v1/brands", "{}", 400, "required", "name"},
    {"POST", "/api/v1/brands", R"({"name":"  "})", 400, "required", "name"},
    {"POST", "/api/v1/brands", R"({"name":7})", 400, "wrong_type", "name"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","aliases":"Kiwi Bank"})", 400, "wrong_type",
     "aliases"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","aliases":["Kiwi Bank",3]})", 400, "wrong_type",
     "aliases[1]"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","aliases":["Kiwi Bank"," "]})", 400, "empty_entry",
     "aliases[1]"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","aliases":["Kiwi Bank","!!"]})", 400, "no_letters",
     "aliases[1]"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","domains":["kiwi.fr","kiwi"]})", 400,
     "invalid_domain", "domains[1]"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","handles":["@"]})", 400, "empty_entry",
     "handles[0]"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","not":["a\u0001b"]})", 400, "invalid_text",
     "not[0]"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi/Bank"})", 400, "invalid_text", "name"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","common_word":"yes"})", 400, "wrong_type",
     "common_word"},
    // A name or alias of another brand, however it is written.
    {"POST", "/api/v1/brands", R"({"name":"lunea"})", 409, "already_exists", "name"},
    {"POST", "/api/v1/brands", R"({"name":"Kiwi","aliases":["Kiwi Bank","VOLTAIRE"]})", 409,
     "already_exists", "aliases[1]"},
    {"PUT", "/api/v1/brands/Jeanerie", R"({"aliases":["Skyway"]})", 409, "already_exists",
     "aliases[0]"},
    {"PUT", "/api/v1/brands/Jeanerie", R"({"name":"Jeanerie Paris"})", 400, "name_fixed", "name"},
    {"PUT", "/api/v1/brands/Kiwi", "{}", 404, "not_found", ""},
    {"DELETE", "/api/v1/brands/Kiwi", "", 404, "not_found", ""},
    {"POST", "/api/v1/brands/preview", "{}", 400, "required", "brand"},
    {"POST", "/api/v1/brands/preview", R"({"brand":["Kiwi"]})", 400, "wrong_type", "brand"},
    {"POST", "/api/v1/brands/preview", R"({"brand":{"name":"Kiwi","aliases":[""]}})", 400,
     "empty_entry", "brand.aliases[0]"},
    {"POST", "/api/v1/brands/preview", R"({"brand":{"name":"Kiwi","aliases":["Valrose"]}})", 409,
     "already_exists", "brand.aliases[0]"},
    {"POST", "/api/v1/brands/preview", R"({"brand":{"name":"Kiwi"},"limit":0})", 400,
     "out_of_range", "limit"},
    {"POST", "/api/v1/brands/preview", R"({"brand":{"name":"Kiwi"},"limit":5001})", 400,
     "out_of_range", "limit"},
};

TEST_F(BrandsApiTest, EveryRefusalSaysWhatAndWhere) {
  for (const Refusal& r : kRefusals) {
    SCOPED_TRACE(std::string(r.method) + " " + r.target + " " + r.body);
    Response response = Call("admin", r.method, r.target, r.body);
    EXPECT_EQ(response.status, r.status) << response.body;
    const json error = json::parse(response.body)["error"];
    EXPECT_EQ(error["code"], r.code) << response.body;
    EXPECT_EQ(error.value("field", ""), r.field) << response.body;
  }
  const json clash =
      CallJson("admin", "POST", "/api/v1/brands", R"({"name":"Kiwi","aliases":["voltaire"]})");
  EXPECT_EQ(clash["error"]["params"]["brand"], "Voltaire Énergie");
  std::string many = R"({"name":"Kiwi","aliases":[)";
  for (int i = 0; i <= 200; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\"";
  const json too_many = CallJson("admin", "POST", "/api/v1/brands", many + "]}");
  EXPECT_EQ(too_many["error"]["code"], "too_many");
  EXPECT_EQ(too_many["error"]["params"]["max"], "200");
  // Nothing was written; only administrators change the catalog.
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/brands")["brands"].size(), 7u);
  EXPECT_EQ(Call("manager_all", "POST", "/api/v1/brands", R"({"name":"Kiwi"})").status, 403);
  EXPECT_EQ(
      Call("manager_all", "POST", "/api/v1/brands/preview", R"({"brand":{"name":"K"}})").status,
      403);
}

TEST_F(BrandsApiTest, ABrandAddedEditedAndDeletedIsInForceAtOnce) {
  // Not yet a brand: a template and a rule for it are refused, a post naming it is no one's.
  EXPECT_EQ(Call("admin", "POST", "/api/v1/templates", R"({"name":"t","brand":"Kiwi","body":"x"})")
                .status,
            400);
  Response added = Call("admin", "POST", "/api/v1/brands",
                        R"({"name":" Kiwi Énergie ","aliases":["Kiwi"],"handles":["kiwi_fr"],)"
                        R"("domains":["https://www.Kiwi-Energie.fr/contact"]})");
  ASSERT_EQ(added.status, 201) << added.body;
  const json kiwi = json::parse(added.body);
  EXPECT_EQ(kiwi["name"], "Kiwi Énergie");
  EXPECT_EQ(kiwi["handles"], json({"@kiwi_fr"}));
  EXPECT_EQ(kiwi["domains"], json({"kiwi-energie.fr"}));
  EXPECT_EQ(kiwi["origin"], "api");
  EXPECT_EQ(Call("admin", "POST", "/api/v1/templates",
                 R"({"name":"t","brand":"kiwi","body":"{{customer}}"})")
                .status,
            201);
  EXPECT_EQ(Call("admin", "POST", "/api/v1/rules",
                 R"({"name":"k","brands":["Kiwi"],"url":"http://127.0.0.1:9/hook"})")
                .status,
            201);
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                 R"({"id":"k1","source":"jsonl","author":{"handle":"@zoe"},)"
                 R"("text":"Facture Kiwi doublée ce mois-ci, scandaleux, personne ne répond."})")
                .status,
            200);
  EXPECT_EQ(BrandsOf("doubl%C3%A9e"), std::vector<std::string>{"Kiwi Énergie"});
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/cases?brand=Kiwi%20%C3%89nergie")["cases"].size(),
            1u);

  // Edited: the alias is gone, a new one counts. The name may be left out.
  Response edited =
      Call("admin", "PUT", "/api/v1/brands/kiwi%20%C3%A9nergie", R"({"aliases":["Kiwi Power"]})");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(json::parse(edited.body)["name"], "Kiwi Énergie");
  EXPECT_EQ(json::parse(edited.body)["handles"], json::array());
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                 R"({"id":"k2","source":"jsonl","author":{"handle":"@zoe"},)"
                 R"("text":"Encore une coupure chez Kiwi Power, triplée cette fois."})")
                .status,
            200);
  EXPECT_EQ(BrandsOf("tripl%C3%A9e"), std::vector<std::string>{"Kiwi Énergie"});

  // Deleted: new posts no longer name it; its posts and cases stay.
  ASSERT_EQ(Call("admin", "DELETE", "/api/v1/brands/Kiwi%20%C3%89nergie").status, 204);
  EXPECT_TRUE(BrandJson("Kiwi Énergie").is_null());
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                 R"({"id":"k3","source":"jsonl","author":{"handle":"@zoe"},)"
                 R"("text":"Kiwi Power encore en panne, quadruplée la facture."})")
                .status,
            200);
  EXPECT_TRUE(BrandsOf("quadrupl%C3%A9e").empty());
  EXPECT_EQ(BrandsOf("doubl%C3%A9e"), std::vector<std::string>{"Kiwi Énergie"});
  EXPECT_EQ(Call("admin", "POST", "/api/v1/templates",
                 R"({"name":"t2","brand":"Kiwi","body":"{{customer}}"})")
                .status,
            400);
}

TEST_F(BrandsApiTest, TheFileSeedsTheDatabaseWhichIsThenTheTruth) {
  ASSERT_EQ(Call("admin", "PUT", "/api/v1/brands/Orange",
                 R"({"handles":["@orange"],"domains":["orange.fr"],"common_word":true})")
                .status,
            200);
  ASSERT_EQ(Call("admin", "DELETE", "/api/v1/brands/Skyway%20Airlines").status, 204);
  ASSERT_EQ(Call("admin", "POST", "/api/v1/brands", R"({"name":"Kiwi"})").status, 201);
  // The same file, then a file with one brand more.
  Restart(config_.brands_path);
  json orange = BrandJson("Orange");
  EXPECT_EQ(orange["handles"], json({"@orange"}));
  EXPECT_EQ(orange["not"], json::array());
  EXPECT_EQ(orange["common_word"], true);
  EXPECT_EQ(orange["origin"], "api");
  EXPECT_TRUE(BrandJson("Skyway Airlines").is_null());
  EXPECT_EQ(BrandJson("Kiwi")["origin"], "api");
  const std::string more = (dir_ / "more.toml").string();
  std::ofstream(more) << ReadFile(config_.brands_path)
                      << "\n[[brand]]\nname = \"Boulangerie Kerlann\"\naliases = [\"Kerlann\"]\n";
  Restart(more);
  std::vector<std::string> names;
  const json list = CallJson("admin", "GET", "/api/v1/brands");
  for (const json& b : list["brands"]) {
    names.push_back(b["name"]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Voltaire Énergie", "Lunéa", "Thermes de Valrose",
                                             "Jeanerie", "Bouygues Telecom", "Orange", "Kiwi",
                                             "Boulangerie Kerlann"}));
  EXPECT_EQ(BrandJson("Boulangerie Kerlann")["origin"], "file");
  // The analyzer is the stored catalog's: a post naming the new brand is its.
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts",
                 R"({"id":"b1","source":"jsonl","author":{"handle":"@yann"},)"
                 R"("text":"Pain rassis chez Kerlann ce matin, inadmissible."})")
                .status,
            200);
  EXPECT_EQ(BrandsOf("rassis"), std::vector<std::string>{"Boulangerie Kerlann"});
}

TEST_F(BrandsApiTest, APreviewShowsWhatADefinitionWouldMatchAndLose) {
  // The sample conversations are stored (c1 to c13, in that order). A new brand.
  json preview = CallJson("admin", "POST", "/api/v1/brands/preview",
                          R"({"brand":{"name":"Lisbon Air","aliases":["Lisbonne","Lisbon"]}})");
  ASSERT_FALSE(preview.contains("error")) << preview.dump();
  EXPECT_EQ(preview["scanned"], 13);
  EXPECT_EQ(preview["matched"], 2);
  ASSERT_EQ(preview["posts"].size(), 2u);
  EXPECT_EQ(preview["posts"][0]["words"], json({"Lisbon"}));  // c12, the newest
  EXPECT_EQ(preview["posts"][0]["author"], "@skywayair");
  EXPECT_EQ(preview["posts"][1]["words"], json({"Lisbonne"}));  // c11
  EXPECT_EQ(preview["posts"][1]["published_at"], "2026-11-21T19:20:00Z");
  EXPECT_EQ(preview["lost_count"], 0);
  EXPECT_TRUE(preview["lost"].empty());
  // Only the newest: c13 and c12.
  preview =
      CallJson("admin", "POST", "/api/v1/brands/preview",
               R"({"brand":{"name":"Lisbon Air","aliases":["Lisbon","Lisbonne"]},"limit":2})");
  EXPECT_EQ(preview["scanned"], 2);
  EXPECT_EQ(preview["matched"], 1);

  // A brand in force with a phrase that is not it: what it named through that phrase is
  // lost.
  preview = CallJson("admin", "POST", "/api/v1/brands/preview",
                     R"({"brand":{"name":"Jeanerie","aliases":["La Jeanerie"],)"
                     R"("handles":["@jeanerie"],"domains":["jeanerie.fr"],)"
                     R"("not":["chez Jeanerie"]}})");
  ASSERT_FALSE(preview.contains("error")) << preview.dump();
  EXPECT_EQ(preview["scanned"], 13);
  EXPECT_EQ(preview["matched"], 1) << preview.dump();  // c7: "@jeanerie Commande 48213..."
  ASSERT_EQ(preview["posts"].size(), 1u);
  EXPECT_EQ(preview["posts"][0]["author"], "@claire_v");
  EXPECT_EQ(preview["lost_count"], 1);  // c8: "... colis jamais arrivé chez Jeanerie."
  ASSERT_EQ(preview["lost"].size(), 1u) << preview.dump();
  EXPECT_EQ(preview["lost"][0]["words"], json({"Jeanerie"}));
  EXPECT_EQ(preview["lost"][0]["author"], "@marc_d");
  EXPECT_EQ(preview["lost"][0]["text"],
            "@claire_v pareil pour moi, colis jamais arrivé chez Jeanerie.");
  // A preview changes nothing.
  EXPECT_EQ(BrandJson("Jeanerie")["not"], json::array());
}

TEST_F(BrandsApiTest, APreviewCutsLongTextsAndCountsEveryMatch) {
  std::string posts;
  const std::string long_text = std::string(300, 'e') + " Kiwi " + std::string(10, 'z');
  for (int i = 0; i < 3; ++i) {
    posts += json({{"id", "long" + std::to_string(i)},
                   {"source", "jsonl"},
                   {"author", {{"handle", "@x"}}},
                   {"text", "Kiwi " + std::to_string(i) + " " + long_text}})
                 .dump() +
             "\n";
  }
  ASSERT_EQ(Call("admin", "POST", "/api/v1/posts", posts).status, 200);
  const json preview =
      CallJson("admin", "POST", "/api/v1/brands/preview", R"({"brand":{"name":"Kiwi"}})");
  EXPECT_EQ(preview["matched"], 3);
  const std::string text = preview["posts"][0]["text"];
  EXPECT_TRUE(text.starts_with("Kiwi 2 eee")) << text;
  EXPECT_TRUE(text.ends_with("…")) << text;
  // 280 characters: 279 of the post's and the ellipsis (3 bytes).
  EXPECT_EQ(text.size(), 279u + 3u);
  EXPECT_EQ(preview["posts"][0]["words"], json({"Kiwi"}));
}

// An ingest holds the analyzer it began with: it finishes with it whatever the catalog
// becomes, and the next one takes the new catalog. Posts pushed from another thread while
// brands are added, edited and deleted are all stored.
TEST_F(BrandsApiTest, IngestKeepsItsAnalyzerWhileTheCatalogChanges) {
  Result<std::unique_ptr<Ingestor>> before = app_->NewIngestor(10);
  ASSERT_TRUE(before) << before.error().ToString();
  ecoute::Brand kiwi;
  kiwi.name = "Kiwi";
  ASSERT_TRUE(app_->AddBrand(kiwi, "admin:test")) << "add";
  auto post = [](std::string id, std::string text) {
    Post p;
    p.id = std::move(id);
    p.source = "jsonl";
    p.author.handle = "@zoe";
    p.text = std::move(text);
    return p;
  };
  ASSERT_TRUE(
      (*before)->Add(post("old1", "Kiwi a encore doublé ma facture, honteux."), false).ok());
  ASSERT_TRUE((*before)->Flush().ok());
  before->reset();
  EXPECT_TRUE(BrandsOf("honteux").empty());
  Result<std::unique_ptr<Ingestor>> after = app_->NewIngestor(10);
  ASSERT_TRUE(after);
  ASSERT_TRUE(
      (*after)->Add(post("new1", "Kiwi a encore doublé ma facture, lamentable."), false).ok());
  ASSERT_TRUE((*after)->Flush().ok());
  EXPECT_EQ(BrandsOf("lamentable"), std::vector<std::string>{"Kiwi"});

  std::atomic<bool> done{false};
  std::atomic<int> stored{0};
  std::atomic<int> failed{0};
  std::thread pusher([&] {
    for (int i = 0; !done.load() || i < 20; ++i) {
      const json p = {{"id", "t" + std::to_string(i)},
                      {"source", "jsonl"},
                      {"author", {{"handle", "@u" + std::to_string(i % 7)}}},
                      {"text", "Colis Kiwi perdu, Pomme Verte aussi, envoi " + std::to_string(i)}};
      Response r = Call("admin", "POST", "/api/v1/posts", p.dump());
      (r.status == 200 ? stored : failed).fetch_add(1);
    }
  });
  for (int round = 0; round < 3; ++round) {
    kiwi.aliases = {round % 2 ? "Kiwi Bank" : "Kiwi Power"};
    EXPECT_TRUE(app_->ReplaceBrand("Kiwi", kiwi, "admin:test")) << round;
    ecoute::Brand pomme;
    pomme.name = "Pomme Verte";
    EXPECT_TRUE(app_->AddBrand(pomme, "admin:test")) << round;
    EXPECT_TRUE(app_->RemoveBrand("Pomme Verte").ok()) << round;
  }
  done = true;
  pusher.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GE(stored.load(), 20);
  EXPECT_EQ(CallJson("admin", "GET", "/api/v1/posts?q=envoi&limit=100")["hits"].size(),
            static_cast<size_t>(std::min(stored.load(), 100)));
  EXPECT_EQ(BrandJson("Kiwi")["aliases"], json({"Kiwi Power"}));
  EXPECT_TRUE(BrandJson("Pomme Verte").is_null());
}

}  // namespace
}  // namespace ecoute::server
