// From a brand to its listening (docs/LISTENING.md, "From a brand to its sources"): the
// sources ecoute proposes for each brand of the catalog, which of them are watched already,
// and the search back-fill that reads a brand's recent past once.
//
// Proposals are computed, never stored: from the brand (its name, aliases and handles), the
// [listen] settings (ListenOptions), the admins' search-feed templates (FeedTemplateTables)
// and the watched sources. Four kinds:
// - "jetstream": the Bluesky network's one stream, for every brand at once (the catalog's
//   matcher keeps the posts that name one);
// - "mastodon_stream": a hashtag's stream on each configured Mastodon instance, per hashtag
//   derived from the brand (BrandHashtags);
// - "feed": each enabled template filled with each of the brand's search terms
//   (BrandQueries);
// - "backfill": the searches the back-fill reads (Bluesky's searchPosts per search term, each
//   instance's hashtag timeline per hashtag); accepted, they are polled like any source.
// A proposal is accepted when a watched source has its URL (for "jetstream": when any
// Jetstream source exists). The pure functions below make them; Listening keeps the
// templates and runs the back-fill.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ecoute/catalog.h"
#include "ecoute/status.h"

#include "store/feed_template_tables.h"
#include "store/watch_tables.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace ecoute::server {

class App;

// [listen] in the server's settings (docs/SERVER.md).
struct ListenOptions {
  // The Bluesky network's stream (ws or wss); "" proposes none.
  std::string jetstream_url = "wss://jetstream2.us-east.bsky.network/subscribe";
  // The Mastodon instances whose hashtags are proposed, as base URLs without a trailing '/'
  // ("https://piaille.fr"); none by default (docs/LISTENING.md says why).
  std::vector<std::string> mastodon_instances;
  // Bluesky's public search (app.bsky.feed.searchPosts); "" searches nothing.
  std::string bluesky_search_url = "https://public.api.bsky.app/xrpc/app.bsky.feed.searchPosts";
  int64_t backfill_limit = 100;  // posts read per search, at most (1 to 1000)
  int64_t backfill_days = 7;     // how far back the back-fill reads (1 to 365)
};

// The instances of [listen] mastodon_instances as base URLs: a host ("Piaille.fr") becomes
// "https://piaille.fr"; a URL with its scheme ("http://127.0.0.1:8080/", a test's instance)
// keeps it. kInvalidArgument for anything else (a path, user info, another scheme).
Result<std::vector<std::string>> ParseMastodonInstances(const std::vector<std::string>& items);
// What LoadServerConfig checks of [listen]: the URLs' schemes and the limits' ranges.
Status CheckListenOptions(const ListenOptions& options);

// ---- pure: what a brand is written as, where it is searched ----------------------------------

// A term derived from a brand, with what it came from.
struct BrandTerm {
  std::string value;  // a hashtag without '#' ("bouyguestelecom"), or a search term
  std::string from;   // the name, alias or handle it comes from, as the catalog writes it
  std::string kind;   // "name", "alias" or "handle"
};

// The hashtags people use for the brand, from its name, then its aliases, then its handles:
// lower case, accents folded, everything but letters and digits removed ("Bouygues Télécom"
// -> "bouyguestelecom"; "@voltaire_energie" -> "voltaireenergie"; a handle's domain part
// dropped: "@sncf.bsky.social" -> "sncf"), each once. Left out: a tag of fewer than three
// characters or only digits; a name or alias of more than three words (a phrase, not a tag);
// an alias of three letters or fewer in capitals ("BT", which the catalog matches only in
// capitals); a name or alias that is a common word (`common_words`: sorted and normalized as
// Lexicon::common_words; or the brand flagged common_word), and any tag that is one ("orange").
std::vector<BrandTerm> BrandHashtags(const Brand& brand,
                                     const std::vector<std::string>& common_words);
// The terms the brand is searched by: its name, then its aliases, each once whatever its case
// and accents, without the short capitals and the common words BrandHashtags leaves out.
std::vector<BrandTerm> BrandQueries(const Brand& brand,
                                    const std::vector<std::string>& common_words);

// A search term as a URL's query value: quoted when it has a space ("\"Bouygues Telecom\""),
// then percent-encoded (every byte but A-Z a-z 0-9 - . _ ~).
std::string EncodeSearchTerm(std::string_view term);
// `url_template` with every "{query}" replaced by EncodeSearchTerm(term).
std::string FillTemplate(std::string_view url_template, std::string_view term);

// One source ecoute proposes for a brand.
struct Proposal {
  std::string kind;    // "jetstream", "mastodon_stream", "feed" or "backfill"
  std::string url;     // the watched source's URL once accepted
  std::string format;  // its format: jetstream, mastodon_stream, a template's, bluesky, mastodon
  std::string brand;   // its brand: the brand's name, "" for the network-wide stream
  std::string label;
  // Why it is proposed: an English sentence, and a code with the values it quotes for the
  // dashboard to word ("network_stream", "hashtag", "template", "search", "tag_timeline").
  std::string reason;
  std::string reason_code;
  std::map<std::string, std::string> params;
  bool accepted = false;
  std::optional<int64_t> source_id;  // the watched source, when accepted
};

// The proposals for `brand`, in the order of the kinds above, each URL once; `templates` and
// `watched` as stored (disabled templates are passed over).
std::vector<Proposal> ProposeSources(const Brand& brand, const ListenOptions& options,
                                     const std::vector<FeedTemplate>& templates,
                                     const std::vector<WatchedSource>& watched,
                                     const std::vector<std::string>& common_words);

// The URL of one page of a back-fill search: Bluesky's with since=`since` (RFC 3339) and
// the cursor of the page before; a Mastodon timeline's with max_id=`page` ("" for the first).
std::string BackfillPageUrl(const Proposal& search, int64_t since, std::string_view page);

// ---- the templates and the back-fill -------------------------------------------------------

// What a brand's last back-fill did.
struct BackfillOutcome {
  int64_t started_at = 0;
  int64_t at = 0;                   // when it ended; 0 while it runs
  bool running = false;             // queued or reading
  int64_t searches = 0;             // searches read (pages of one search count once)
  int64_t read = 0;                 // posts read
  int64_t kept = 0;                 // of which naming the brand and recent enough
  int64_t posts = 0;                // of which stored anew (a post known already is not)
  std::vector<std::string> errors;  // "Bluesky search \"Jeanerie\": HTTP 403..."
};

// The feed templates and the back-fill of one App. Thread-safe: mutex_ guards the tables,
// the queue and the outcomes; the back-fill runs on a thread of its own, started on first
// use, reading through the App's guarded client and storing through App::IngestPosts.
class Listening {
 public:
  // Opens the feed templates of the App's database. Nothing starts.
  static Result<std::unique_ptr<Listening>> Open(App& app);
  ~Listening();
  Listening(const Listening&) = delete;
  Listening& operator=(const Listening&) = delete;

  // Every template, by id.
  Result<std::vector<FeedTemplate>> Templates() ECOUTE_EXCLUDES(mutex_);
  // Replaces the templates (FeedTemplateTables::ReplaceFeedTemplates); the caller checked them.
  Result<std::vector<FeedTemplate>> ReplaceTemplates(const std::vector<FeedTemplate>& templates)
      ECOUTE_EXCLUDES(mutex_);
  // The proposals for `brand` now (ProposeSources), with the App's settings, templates and
  // watched sources.
  Result<std::vector<Proposal>> Proposals(const Brand& brand) ECOUTE_EXCLUDES(mutex_);

  // Queues a back-fill of the catalog's brand `brand` (its name), run in the background; a
  // brand already waiting is not queued twice. Nothing is queued after Stop.
  void Backfill(const std::string& brand) ECOUTE_EXCLUDES(mutex_);
  // The brand's last back-fill (the running one, while it runs); nullopt before the first.
  std::optional<BackfillOutcome> LastBackfill(const std::string& brand) const
      ECOUTE_EXCLUDES(mutex_);
  // Reads the brand's back-fill searches now, on the caller's thread: every page up to
  // backfill_limit posts per search and back to backfill_days, keeping the posts that name
  // the brand, stored through App::IngestPosts.
  BackfillOutcome RunBackfill(const Brand& brand) ECOUTE_EXCLUDES(mutex_);
  // Waits for the back-fill in progress (its current request); the queued ones are dropped.
  void Stop() ECOUTE_EXCLUDES(mutex_);

 private:
  Listening(App& app, std::unique_ptr<FeedTemplateTables> tables);
  void Work() ECOUTE_EXCLUDES(mutex_);
  const std::vector<std::string>& CommonWords() ECOUTE_EXCLUDES(mutex_);
  // One search, page after page, into `outcome`.
  void ReadSearch(const Brand& brand, const Proposal& search, int64_t since,
                  BackfillOutcome& outcome) ECOUTE_EXCLUDES(mutex_);
  bool stopping() const ECOUTE_EXCLUDES(mutex_);

  App& app_;
  mutable Mutex mutex_;
  CondVar wake_;  // with mutex_: a brand queued, or Stop
  std::unique_ptr<FeedTemplateTables> tables_ ECOUTE_GUARDED_BY(mutex_);
  std::deque<std::string> queue_ ECOUTE_GUARDED_BY(mutex_);
  std::map<std::string, BackfillOutcome> outcomes_ ECOUTE_GUARDED_BY(mutex_);
  std::thread worker_ ECOUTE_GUARDED_BY(mutex_);
  bool stop_ ECOUTE_GUARDED_BY(mutex_) = false;
  bool common_loaded_ ECOUTE_GUARDED_BY(mutex_) = false;
  std::vector<std::string> common_words_;  // written once, under mutex_, before common_loaded_
};

}  // namespace ecoute::server
