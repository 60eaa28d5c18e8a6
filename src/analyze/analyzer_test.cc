// The analyzer's mechanisms (brand rules, negation, attribution, facts, language), on a
// small lexicon written here so that the expectations do not move with data/lexicon.
// tests/golden/ checks the shipped lexicons on whole posts.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "ecoute/analysis.h"

#include "classify/linear_model.h"

namespace ecoute {
namespace {

constexpr std::string_view kFrench = R"(
function 1 le
function 1 la
function 1 les
function 1 de
function 1 des
function 1 est
function 1 une
function 1 pas
function 1 je
function 1 et
complaint 2 honte
complaint 2 inadmissible
complaint 1 refus*
complaint 2 pas de réponse
praise 1 satisfait
praise 2 génial
praise 1 bien
resolution 3 tout est bien qui finit bien
resolution 2 rembours*
question 1 ?
negator 1 pas
negator 1 aucun
negator 1 ne
negator 1 refus*
complaint 1 problème
intensifier 1.5 très
topic.billing 1 facture
topic.outage 1 coupure
topic.outage 2 panne
irony 2.5 🙄
irony 2.5 oupas
irony 1 bravo
outside_cause 1 arbre*
topic.product_defect 1 trou
channel.phone 1 téléphone
severity.legal 1 avocat
currency.EUR 1 euros
currency.EUR 1 €
multiplier 1000000 millions de
number 2 deux
duration 3600 heures
duration 2592000 mois
)";

constexpr std::string_view kEnglish = R"(
function 1 the
function 1 my
function 1 is
function 1 and
function 1 you
function 1 i
function 1 to
complaint 2 unacceptable
praise 2 great
resolution 1 thanks
resolution 2 refunded
negator 1 not
currency.USD 1 $
duration 3600 hour
number 1 an
)";

class AnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("analyzer_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "lexicon");
    std::ofstream(dir_ / "lexicon" / "fr.cues") << kFrench;
    std::ofstream(dir_ / "lexicon" / "en.cues") << kEnglish;
    std::ofstream(dir_ / "lexicon" / "common_words.txt")
        << "# comment\norange: feu orange, jus d'orange\nfree: free shipping, toll-free\n"
           "delta: Freebox Delta\n";
    auto catalog = ParseCatalog(R"(
[[brand]]
name = "Bouygues Telecom"
aliases = ["Bouygues Télécom", "Bouygues", "BT"]
handles = ["@bouyguestelecom"]
domains = ["bouyguestelecom.fr"]

[[brand]]
name = "Orange"
handles = ["@orange"]
not = ["Orange mécanique"]

[[brand]]
name = "Cyrillus"
domains = ["cyrillus.fr"]

[[brand]]
name = "Free"
aliases = ["Freebox"]

[[brand]]
name = "Delta"
)",
                                "brands.toml");
    ASSERT_TRUE(catalog.has_value()) << catalog.error().ToString();
    auto analyzer = Analyzer::Create(*catalog, dir_.string());
    ASSERT_TRUE(analyzer.has_value()) << analyzer.error().ToString();
    analyzer_ = std::move(analyzer).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  const Analysis& Run(std::string text) {
    post_ = Post();
    post_.id = "t";
    post_.text = std::move(text);
    analyzer_->Analyze(post_, scratch_, analysis_);
    return analysis_;
  }
  const BrandVerdict* Find(std::string_view name) {
    for (const BrandVerdict& b : analysis_.brands) {
      if (b.name == name) return &b;
    }
    return nullptr;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Analyzer> analyzer_;
  Analyzer::Scratch scratch_;
  Post post_;
  Analysis analysis_;
};

TEST_F(AnalyzerTest, BrandAliasesMatchWhateverTheSpelling) {
  Run("Chez bouygues-telecom et Bouygues Télécom, c'est pareil.");
  const BrandVerdict* bt = Find("Bouygues Telecom");
  ASSERT_NE(bt, nullptr);
  EXPECT_EQ(bt->mentions, 2);
  EXPECT_EQ(bt->spans[0], (Span{5, 21}));
  EXPECT_EQ(bt->spans[1], (Span{25, 43}));  // each "é" takes two bytes
}

TEST_F(AnalyzerTest, ShortCapitalAliasMatchesOnlyInCapitals) {
  Run("Mon forfait BT est cher.");
  EXPECT_NE(Find("Bouygues Telecom"), nullptr);
  Run("bt, c'est mon surnom.");
  EXPECT_EQ(Find("Bouygues Telecom"), nullptr);
}

TEST_F(AnalyzerTest, CommonWordBrandNeedsASignOfTheBrand) {
  Run("J'ai mangé une orange ce matin.");  // no sign: the fruit
  EXPECT_EQ(Find("Orange"), nullptr);
  Run("Orange est bon pour la santé.");  // capital, but at a sentence start
  EXPECT_EQ(Find("Orange"), nullptr);
  Run("Mon opérateur, Orange, ne répond pas.");  // capital within the sentence
  EXPECT_NE(Find("Orange"), nullptr);
  Run("orange m'envoie une facture énorme.");  // a topic word in the same sentence
  EXPECT_NE(Find("Orange"), nullptr);
  Run("orange, encore. @orange répondez !");  // a handle of the brand in the post
  ASSERT_NE(Find("Orange"), nullptr);
  EXPECT_EQ(Find("Orange")->mentions, 2);
  Run("J'ai revu Orange mécanique hier.");  // an exclusion of the catalog
  EXPECT_EQ(Find("Orange"), nullptr);
}

TEST_F(AnalyzerTest, LookAlikePhrasesAreNeverTheBrand) {
  // Each phrase of common_words.txt excludes its word, with or without another sign.
  Run("Le feu orange est en panne, facture du garagiste énorme.");
  EXPECT_EQ(Find("Orange"), nullptr);
  Run("My order came with Free shipping and a toll-free number.");  // capital, mid-sentence
  EXPECT_EQ(Find("Free"), nullptr);
  // Only its own brand: "Freebox" is Free, "Delta" in "Freebox Delta" no airline.
  Run("Ma Freebox Delta plante encore.");
  EXPECT_NE(Find("Free"), nullptr);
  EXPECT_EQ(Find("Delta"), nullptr);
  // Elsewhere the word is the brand as before.
  Run("Mon opérateur, Orange, ne répond pas.");
  EXPECT_NE(Find("Orange"), nullptr);
}

TEST_F(AnalyzerTest, ACompanysFrameMakesALowerCaseWordTheBrand) {
  for (const char* text :
       {"je repars chez orange, au moins ça marche.", "cliente free depuis dix ans.",
        "abonnée chez free, jamais de souci.", "I switched to orange last year."}) {
    Run(text);
    EXPECT_EQ(analysis_.brands.size(), 1u) << text;
  }
  // Not after any word: "une orange", "the orange".
  Run("je mange une orange.");
  EXPECT_TRUE(analysis_.brands.empty());
}

TEST_F(AnalyzerTest, DomainsAndUrlsAreMentions) {
  Run("Voir https://boutique.cyrillus.fr/jean et rien d'autre.");
  const BrandVerdict* c = Find("Cyrillus");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->mentions, 1);
  ASSERT_EQ(analysis_.facts.links.size(), 1u);
  EXPECT_EQ(analysis_.facts.links[0], "https://boutique.cyrillus.fr/jean");
}

TEST_F(AnalyzerTest, NegationFlipsTheCueItPrecedes) {
  Run("Je ne suis pas satisfait de Cyrillus.");
  EXPECT_EQ(analysis_.stance, Stance::kComplaint);
  ASSERT_EQ(analysis_.cues.size(), 1u);
  EXPECT_EQ(analysis_.cues[0], "pas satisfait");
  Run("Aucun problème avec Cyrillus.");
  EXPECT_EQ(analysis_.stance, Stance::kPraise);
}

TEST_F(AnalyzerTest, NegationStopsAtTheEndOfItsClause) {
  // "aucun" says nothing of "inadmissible" past the comma ("commande jamais livrée,
  // scandale" came out as praise).
  Run("Cyrillus : aucun colis, inadmissible");
  EXPECT_EQ(analysis_.stance, Stance::kComplaint);
  const std::vector<std::string_view> want = {"inadmissible"};
  EXPECT_EQ(analysis_.cues, want);
  // Within its clause it still flips.
  Run("Cyrillus, ce n'est pas inadmissible.");
  EXPECT_NE(analysis_.stance, Stance::kComplaint);
}

TEST_F(AnalyzerTest, AFaultReportedIsAComplaintUnlessAnOutsideCauseExplainsIt) {
  // Asked as a question, the fault is still the writer's grievance.
  Run("Cyrillus : panne depuis ce matin ?");
  EXPECT_EQ(analysis_.stance, Stance::kComplaint);
  EXPECT_EQ(analysis_.cues, std::vector<std::string_view>{"panne"});
  ASSERT_NE(Find("Cyrillus"), nullptr);
  EXPECT_EQ(Find("Cyrillus")->stance, Stance::kComplaint);
  // A tree on the line is nobody's fault here: the question stays a question.
  Run("Cyrillus : panne à cause d'un arbre sur la ligne ?");
  EXPECT_EQ(analysis_.stance, Stance::kQuestion);
  // A mention of a cut alone is not enough.
  Run("Cyrillus : une coupure ?");
  EXPECT_EQ(analysis_.stance, Stance::kQuestion);
}

TEST_F(AnalyzerTest, IronyTurnsPraiseIntoAComplaint) {
  for (const char* text : {"Cyrillus, génial 🙄", "Cyrillus, génial #oupas",
                           "Bravo Cyrillus, encore un problème, génial."}) {
    Run(text);
    EXPECT_EQ(analysis_.stance, Stance::kComplaint) << text;
  }
  // A weak mark of irony needs a complaint beside it.
  Run("Bravo Cyrillus, génial.");
  EXPECT_EQ(analysis_.stance, Stance::kPraise);
}

TEST_F(AnalyzerTest, BrandsInACopyListAtTheEndAreBystanders) {
  Run("Cyrillus, une honte, inadmissible @bouyguestelecom @orange");
  ASSERT_NE(Find("Cyrillus"), nullptr);
  EXPECT_EQ(Find("Cyrillus")->stance, Stance::kComplaint);
  ASSERT_NE(Find("Bouygues Telecom"), nullptr);
  EXPECT_EQ(Find("Bouygues Telecom")->stance, Stance::kNeutral);
  EXPECT_TRUE(Find("Bouygues Telecom")->cues.empty());
  ASSERT_NE(Find("Orange"), nullptr);
  EXPECT_EQ(Find("Orange")->stance, Stance::kNeutral);
  // Named in the text, a brand is no bystander; alone in the list, it is the addressee.
  Run("Cyrillus et Bouygues, une honte @orange");
  EXPECT_EQ(Find("Bouygues Telecom")->stance, Stance::kComplaint);
  Run("Une honte, inadmissible @bouyguestelecom @orange");
  EXPECT_EQ(Find("Bouygues Telecom")->stance, Stance::kComplaint);
}

TEST_F(AnalyzerTest, PhraseCuesHideTheWordsInsideThem) {
  // "pas de réponse" is a complaint; its "pas" does not also negate what follows, and the
  // "bien" inside "tout est bien qui finit bien" is not praise on its own.
  Run("Cyrillus : pas de réponse. Puis tout est bien qui finit bien.");
  EXPECT_EQ(analysis_.stance, Stance::kResolution);
  const std::vector<std::string_view> want = {"pas de réponse", "tout est bien qui finit bien"};
  EXPECT_EQ(analysis_.cues, want);
}

TEST_F(AnalyzerTest, EachBrandGetsTheStanceOfItsOwnSentences) {
  Run("Cyrillus est génial. Bouygues est une honte, inadmissible.");
  ASSERT_NE(Find("Cyrillus"), nullptr);
  ASSERT_NE(Find("Bouygues Telecom"), nullptr);
  EXPECT_EQ(Find("Cyrillus")->stance, Stance::kPraise);
  EXPECT_EQ(Find("Bouygues Telecom")->stance, Stance::kComplaint);
  const std::vector<std::string_view> want = {"honte", "inadmissible"};
  EXPECT_EQ(Find("Bouygues Telecom")->cues, want);
}

TEST_F(AnalyzerTest, ExtractsMoneyAndDurations) {
  Run("Une facture de 88 247 euros, 180 millions de $ ? Non : 15€, $3,500 et deux mois. "
      "Then an hour on hold.");
  ASSERT_EQ(analysis_.facts.money.size(), 4u);
  EXPECT_EQ(analysis_.facts.money[0].text, "88 247 euros");
  EXPECT_DOUBLE_EQ(analysis_.facts.money[0].amount, 88247);
  EXPECT_EQ(analysis_.facts.money[0].currency, "EUR");
  EXPECT_EQ(analysis_.facts.money[1].text, "180 millions de $");
  EXPECT_DOUBLE_EQ(analysis_.facts.money[1].amount, 180e6);
  EXPECT_EQ(analysis_.facts.money[1].currency, "USD");
  EXPECT_EQ(analysis_.facts.money[2].text, "15€");
  EXPECT_DOUBLE_EQ(analysis_.facts.money[2].amount, 15);
  EXPECT_EQ(analysis_.facts.money[3].text, "$3,500");
  EXPECT_DOUBLE_EQ(analysis_.facts.money[3].amount, 3500);
  EXPECT_EQ(analysis_.facts.money[3].currency, "USD");
  ASSERT_EQ(analysis_.facts.durations.size(), 2u);
  EXPECT_EQ(analysis_.facts.durations[0].text, "deux mois");
  EXPECT_EQ(analysis_.facts.durations[0].seconds, 2 * 2592000);
  EXPECT_EQ(analysis_.facts.durations[1].text, "an hour");
  EXPECT_EQ(analysis_.facts.durations[1].seconds, 3600);
}

TEST_F(AnalyzerTest, MultipliersScaleAmounts) {
  Run("Une perte de 180 millions de euros.");
  ASSERT_EQ(analysis_.facts.money.size(), 1u);
  EXPECT_EQ(analysis_.facts.money[0].text, "180 millions de euros");
  EXPECT_DOUBLE_EQ(analysis_.facts.money[0].amount, 180e6);
}

TEST_F(AnalyzerTest, FunctionWordsDecideFrenchAndEnglishWithoutCld2) {
  Run("Je suis dans le train et la connexion est une catastrophe.");
  EXPECT_EQ(analysis_.lang, "fr");
  EXPECT_FALSE(analysis_.used_cld2);
  Run("The train is late and my connection is gone.");
  EXPECT_EQ(analysis_.lang, "en");
  EXPECT_FALSE(analysis_.used_cld2);
}

TEST_F(AnalyzerTest, MixedPostsReportTheShareOfEachLanguage) {
  Run("Je suis dans le train et la connexion est une catastrophe, je ne sais pas quoi "
      "faire de la soirée et des enfants.\n\nSummary: the train is late and my phone is "
      "dead.");
  EXPECT_EQ(analysis_.lang, "fr");
  ASSERT_EQ(analysis_.langs.size(), 2u);
  EXPECT_EQ(analysis_.langs[0].lang, "fr");
  EXPECT_EQ(analysis_.langs[1].lang, "en");
  EXPECT_GT(analysis_.langs[0].share, 0.5);
}

TEST_F(AnalyzerTest, InconclusiveEvidenceFallsBackToCld2) {
  Run("Questa è una frase scritta in italiano, niente francese né inglese qui dentro.");
  EXPECT_TRUE(analysis_.used_cld2);
  EXPECT_EQ(analysis_.lang, "it");
}

TEST_F(AnalyzerTest, LegalThreatsAndAmountsRaiseThePriority) {
  Run("Cyrillus refuse de rembourser.");
  const int plain = analysis_.priority;
  Run("Cyrillus refuse de rembourser une facture de 5 000 euros : j'appelle mon avocat.");
  EXPECT_GT(analysis_.priority, plain);
  const std::vector<std::string> want = {"complaint to Cyrillus", "billing", "amount: 5 000 euros",
                                         "legal threat (\"avocat\")"};
  EXPECT_EQ(analysis_.reasons, want);
}

TEST_F(AnalyzerTest, AudienceRaisesThePriority) {
  Run("Cyrillus est une honte.");
  const int alone = analysis_.priority;
  post_.author.followers = 250000;
  analyzer_->Analyze(post_, scratch_, analysis_);
  EXPECT_GT(analysis_.priority, alone);
}

TEST_F(AnalyzerTest, EmptyTextIsNeutralAndUndetermined) {
  Run("");
  EXPECT_EQ(analysis_.stance, Stance::kNeutral);
  EXPECT_EQ(analysis_.lang, "und");
  EXPECT_TRUE(analysis_.brands.empty());
}

}  // namespace
}  // namespace ecoute

namespace ecoute {
namespace {

// A model trained here on three labels, for the combination of model and cues.
std::string TrainTinyModel(const std::filesystem::path& path) {
  std::vector<TrainingExample> examples;
  auto add = [&](const char* text, int label, int times) {
    for (int i = 0; i < times; ++i) {
      TrainingExample e;
      ExtractFeatures(text, e.features);
      e.label = label;
      examples.push_back(std::move(e));
    }
  };
  add("unacceptable parcel", 0, 4);
  add("where is my parcel", 1, 8);
  add("great parcel", 2, 4);
  auto model = LinearModel::Train({"complaint", "neutral", "praise"}, examples, {});
  EXPECT_TRUE(model.has_value());
  EXPECT_TRUE((*model)->Save(path.string()).ok());
  return path.string();
}

TEST_F(AnalyzerTest, AModelSayingNeutralKeepsTheCuesQuestion) {
  const std::string model = TrainTinyModel(dir_ / "tiny.model");
  auto analyzer = Analyzer::Create(BrandCatalog(), dir_.string(), model);
  ASSERT_TRUE(analyzer.has_value()) << analyzer.error().ToString();
  Post post;
  post.text = "where is my parcel ?";
  (*analyzer)->Analyze(post, scratch_, analysis_);
  EXPECT_TRUE(analysis_.has_model);
  EXPECT_EQ(analysis_.model_label, "neutral");
  EXPECT_EQ(analysis_.stance, Stance::kQuestion);
  // A complaint the cues and the model agree on stays one.
  post.text = "unacceptable parcel";
  (*analyzer)->Analyze(post, scratch_, analysis_);
  EXPECT_EQ(analysis_.stance, Stance::kComplaint);
}

TEST_F(AnalyzerTest, ATopicModelChoosesAComplaintsFirstTopic) {
  std::vector<TrainingExample> examples;
  auto add = [&](const char* text, int label) {
    for (int i = 0; i < 6; ++i) {
      TrainingExample e;
      ExtractFeatures(text, e.features);
      e.label = label;
      examples.push_back(std::move(e));
    }
  };
  add("my parcel never came", 0);
  add("charged twice on my facture", 1);
  auto model = LinearModel::Train({"delivery", "billing"}, examples, {});
  ASSERT_TRUE(model.has_value());
  const std::string path = (dir_ / "topics.model").string();
  ASSERT_TRUE((*model)->Save(path).ok());
  auto analyzer = Analyzer::Create(BrandCatalog(), dir_.string(), "", path);
  ASSERT_TRUE(analyzer.has_value()) << analyzer.error().ToString();
  Post post;
  // A complaint with no topic cue: the model's topic, without cues, comes first.
  post.text = "unacceptable, my parcel never came";
  (*analyzer)->Analyze(post, scratch_, analysis_);
  ASSERT_EQ(analysis_.stance, Stance::kComplaint);
  ASSERT_FALSE(analysis_.topics.empty());
  EXPECT_EQ(analysis_.topics[0].topic, Topic::kDelivery);
  EXPECT_GT(analysis_.topics[0].model, 0.5);
  EXPECT_TRUE(analysis_.topics[0].cues.empty());
  // Not a complaint: the cues alone, no model score.
  post.text = "great facture";
  (*analyzer)->Analyze(post, scratch_, analysis_);
  ASSERT_EQ(analysis_.topics.size(), 1u);
  EXPECT_EQ(analysis_.topics[0].topic, Topic::kBilling);
  EXPECT_EQ(analysis_.topics[0].model, -1);

  // A model whose labels are not topics is refused with its file named.
  auto stance_model = LinearModel::Train({"complaint", "praise"}, examples, {});
  ASSERT_TRUE(stance_model.has_value());
  ASSERT_TRUE((*stance_model)->Save(path).ok());
  auto refused = Analyzer::Create(BrandCatalog(), dir_.string(), "", path);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message().find("topics.model: label \"complaint\" is not a topic"),
            std::string::npos)
      << refused.error().message();
}

}  // namespace
}  // namespace ecoute
