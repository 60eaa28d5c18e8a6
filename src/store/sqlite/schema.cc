#include "store/sqlite/schema.h"

#include <algorithm>
#include <array>
#include <string>

#include "store/sqlite/sqlite.h"

namespace ecoute {
namespace {

// Stances, topics, statuses are stored as the small integers of their enums
// (analysis.h, cases.h): Stance 0 neutral, 1 complaint, 2 praise, 3 resolution, 4 question.
// Times are seconds since the epoch (UTC).
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE brands (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  handles TEXT NOT NULL DEFAULT '',  -- lower case, space separated, with their '@'
  domains TEXT NOT NULL DEFAULT ''   -- lower case, space separated
);
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL UNIQUE          -- the reader: "rss", "jsonl", "mastodon"...
);
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,          -- lower-case handle, else profile URL, else name
  name TEXT NOT NULL DEFAULT '',
  handle TEXT NOT NULL DEFAULT '',
  url TEXT NOT NULL DEFAULT '',
  followers INTEGER
);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  ext_id TEXT,                       -- the source's id; NULL when the reader made it up
  url TEXT,
  content_hash INTEGER NOT NULL,     -- 64-bit XXH3 of the raw entry (post.h ContentHash)
  author_id INTEGER REFERENCES authors(id),
  title TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  lang TEXT NOT NULL,                -- as analyzed
  published_at INTEGER,
  updated_at INTEGER,
  ingested_at INTEGER NOT NULL,
  at INTEGER NOT NULL,               -- published_at, else ingested_at
  parent_ext_id TEXT,
  parent_url TEXT,
  links TEXT,                        -- outgoing links, one per line
  comments INTEGER,
  shares INTEGER,
  likes INTEGER,
  stance INTEGER NOT NULL,
  confidence INTEGER NOT NULL,       -- per mille
  severity INTEGER NOT NULL,         -- per mille
  priority INTEGER NOT NULL,
  topic INTEGER,                     -- the first topic
  topics INTEGER NOT NULL,           -- every topic: bit (1 << Topic)
  facts TEXT,                        -- JSON {"money", "durations", "channels", "signals"}
  tags TEXT NOT NULL,                -- filter tokens for the full-text index (see below)
  version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX posts_by_ext_id ON posts(source_id, ext_id) WHERE ext_id IS NOT NULL;
CREATE INDEX posts_by_url ON posts(url) WHERE url IS NOT NULL;
CREATE INDEX posts_by_hash ON posts(content_hash) WHERE ext_id IS NULL;
CREATE INDEX posts_by_author ON posts(author_id, at);
CREATE INDEX posts_by_at ON posts(at);

CREATE TABLE post_versions (         -- what an edited post said before
  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  content_hash INTEGER NOT NULL,
  updated_at INTEGER,
  replaced_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, version)
) WITHOUT ROWID;

-- The verdict per brand, in brand and time order so that the report reads each brand's
-- mentions in one sequential pass.
CREATE TABLE post_brands (
  brand_id INTEGER NOT NULL REFERENCES brands(id),
  at INTEGER NOT NULL,               -- the post's time
  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  stance INTEGER NOT NULL,
  confidence INTEGER NOT NULL,       -- per mille
  mentions INTEGER NOT NULL,
  is_by_brand INTEGER NOT NULL,      -- written by the brand itself
  topics INTEGER NOT NULL,           -- the post's topics, as in posts.topics
  cues TEXT,                         -- the words behind the stance, '|' separated
  PRIMARY KEY (brand_id, at, post_id)
) WITHOUT ROWID;
CREATE INDEX post_brands_by_post ON post_brands(post_id);

CREATE TABLE cases (
  id INTEGER PRIMARY KEY,
  brand_id INTEGER NOT NULL REFERENCES brands(id),
  customer_id INTEGER NOT NULL REFERENCES authors(id),
  status INTEGER NOT NULL,           -- CaseStatus: 0 new, 1 acknowledged, 2 resolved, 3 closed, 4 reopened
  priority INTEGER NOT NULL,
  topic INTEGER,
  opened_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  first_response_at INTEGER,
  resolved_at INTEGER,
  recovered INTEGER NOT NULL DEFAULT 0,  -- resolved by the customer's own confirmation
  escalation INTEGER NOT NULL DEFAULT 0,
  assignee TEXT,
  opening_post_id INTEGER REFERENCES posts(id) ON DELETE SET NULL
);
CREATE INDEX cases_by_customer ON cases(customer_id, brand_id, last_activity_at);
CREATE INDEX cases_by_brand ON cases(brand_id, status);

CREATE TABLE case_posts (
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  role TEXT NOT NULL,                -- CaseRoleName
  rule TEXT NOT NULL,                -- the threading rule that put it there
  at INTEGER NOT NULL,               -- when it joined (the post's time): a timeline entry
  PRIMARY KEY (case_id, post_id)
) WITHOUT ROWID;
CREATE INDEX case_posts_by_post ON case_posts(post_id);

CREATE TABLE case_events (           -- append-only timeline
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,               -- "rule:reply", "agent:marie"
  reason TEXT NOT NULL DEFAULT '',
  post_id INTEGER REFERENCES posts(id) ON DELETE SET NULL
);
CREATE INDEX case_events_by_case ON case_events(case_id, id);
-- Only post_id may change, to NULL, when its post is erased.
CREATE TRIGGER case_events_append_only
BEFORE UPDATE OF id, case_id, at, kind, actor, reason ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;

CREATE TABLE audit (                 -- erasures and retention runs, without content
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);

-- Full-text index over title and text, plus the post's tags: "b<brand id>" for each brand
-- it names, "b<brand>s<stance>" for the stance toward it, "s<stance>" for its own stance,
-- "t<topic>" for each topic, so that brand, stance and topic filters are intersections of
-- the index's lists rather than lookups per candidate. The tokenizer "ecoute"
-- (search/fts5_tokenizer.h) reads the post's language from a marker (0x1F + code) at the
-- end of each text value, to stem in that language; the view adds it, the triggers keep
-- the index in the same transaction as the posts.
CREATE VIEW posts_fts_source AS
  SELECT id, title || char(31) || lang AS title, text || char(31) || lang AS body, tags
  FROM posts;
CREATE VIRTUAL TABLE posts_fts USING fts5(
  title, body, tags, content='posts_fts_source', content_rowid='id', tokenize='ecoute');
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
  INSERT INTO posts_fts(rowid, title, body, tags)
  VALUES (new.id, new.title || char(31) || new.lang, new.text || char(31) || new.lang,
          new.tags);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
  INSERT INTO posts_fts(posts_fts, rowid, title, body, tags)
  VALUES ('delete', old.id, old.title || char(31) || old.lang, old.text || char(31) || old.lang,
          old.tags);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, text, lang, tags ON posts BEGIN
  INSERT INTO posts_fts(posts_fts, rowid, title, body, tags)
  VALUES ('delete', old.id, old.title || char(31) || old.lang, old.text || char(31) || old.lang,
          old.tags);
  INSERT INTO posts_fts(rowid, title, body, tags)
  VALUES (new.id, new.title || char(31) || new.lang, new.text || char(31) || new.lang,
          new.tags);
END;
)sql";

// Version 2: verdicts corrected by agents, to train a team's own model.
constexpr std::string_view kVersion2 = R"sql(
CREATE TABLE corrections (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  brand_id INTEGER NOT NULL REFERENCES brands(id),
  stance INTEGER NOT NULL,
  topics INTEGER NOT NULL,           -- bitmask, as in posts.topics
  actor TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX corrections_by_post ON corrections(post_id);
CREATE INDEX cases_by_status ON cases(status, priority);
)sql";

// Version 3: new posts enter the full-text index in one statement per batch
// (SqliteStore::IndexNewPosts) instead of through a trigger per row. SQLite's FTS5 writes
// its pending terms to disk at every statement savepoint, and a trigger runs inside one:
// with the trigger, each post became a segment of its own, then merged again and again —
// four fifths of the time of storing a post.
//
// The customer's cases are found by (customer, brand) alone: with their last activity in
// the index, every post joining a case moved the case's index entry.
constexpr std::string_view kVersion3 = R"sql(
DROP TRIGGER posts_fts_insert;
DROP INDEX cases_by_customer;
CREATE INDEX cases_by_customer ON cases(customer_id, brand_id);
)sql";

// Version 4: the tables of `ecoute serve` (access control, alerts, watching) join this
// chain. They were versioned apart, in a table server_schema(component, version), each at
// version 1; a file that has them keeps them and their rows as they are (their DDL is
// version 1's), one that lacks them gets them, and server_schema goes.
//
// Access control: names are stored lower-case; NOCASE keeps them unique whatever writes
// them. Alerts: the body and the secret are kept with each delivery, so that a retry after
// a restart sends the same bytes, signed with the key the event was queued for. Watching:
// configuration and polling state in one row, read once per poll and written once after it.
constexpr std::string_view kVersion4 = R"sql(
CREATE TABLE IF NOT EXISTS access_users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  all_brands INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS access_user_brands(
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  brand TEXT NOT NULL,
  PRIMARY KEY (user_id, position));
CREATE TABLE IF NOT EXISTS access_sessions(
  digest TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS access_sessions_user ON access_sessions(user_id);
CREATE TABLE IF NOT EXISTS access_tokens(
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  digest TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER);
CREATE INDEX IF NOT EXISTS access_tokens_user ON access_tokens(user_id);

CREATE TABLE IF NOT EXISTS alert_rules(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, brands TEXT NOT NULL,
  stances TEXT NOT NULL, topics TEXT NOT NULL, min_priority INTEGER NOT NULL,
  on_case_opened INTEGER NOT NULL, on_escalation INTEGER NOT NULL,
  on_spike INTEGER NOT NULL, url TEXT NOT NULL, secret TEXT NOT NULL,
  enabled INTEGER NOT NULL, created_by INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS alert_deliveries(
  id INTEGER PRIMARY KEY, rule_id INTEGER, url TEXT NOT NULL, secret TEXT NOT NULL,
  dedupe_key TEXT NOT NULL UNIQUE, event_kind TEXT NOT NULL,
  case_id INTEGER NOT NULL, brand TEXT NOT NULL, body TEXT NOT NULL,
  event_at INTEGER NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER, last_error TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alert_deliveries_due ON alert_deliveries(state, next_attempt_at);

CREATE TABLE IF NOT EXISTS watched_sources (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  format TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  interval_seconds INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  next_poll_at INTEGER NOT NULL,
  last_polled_at INTEGER,
  last_success_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  posts_seen INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS watched_sources_due ON watched_sources (next_poll_at)
  WHERE enabled = 1;

DROP TABLE IF EXISTS server_schema;
)sql";

// Version 5: answering from ecoute (docs/REPLIES.md). A case's first response is either
// observed (a reply ecoute sent, or the brand's reply ingested from the platform) or
// declared by an agent (answered by phone or elsewhere, with its channel and a note); the
// report ranks on the observed one. Existing first responses are sorted the same way: a
// brand_reply post is observed, an agent's "responded" event declared.
constexpr std::string_view kVersion5 = R"sql(
-- cases and posts
ALTER TABLE cases ADD COLUMN first_observed_at INTEGER;
ALTER TABLE cases ADD COLUMN first_declared_at INTEGER;
ALTER TABLE cases ADD COLUMN priority_override INTEGER;  -- an agent's, over the posts' highest
UPDATE cases SET first_observed_at =
  (SELECT min(cp.at) FROM case_posts cp WHERE cp.case_id = cases.id AND cp.role = 'brand_reply');
UPDATE cases SET first_declared_at =
  (SELECT min(e.at) FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'responded'
     AND e.actor LIKE 'agent:%');
ALTER TABLE posts ADD COLUMN reasons TEXT;   -- why its priority: the analysis's reasons, '\n' separated
ALTER TABLE posts ADD COLUMN contacts TEXT;  -- ways to reach its writer found on the page: JSON
ALTER TABLE corrections ADD COLUMN from_brand_id INTEGER REFERENCES brands(id);  -- brand corrected from
ALTER TABLE corrections ADD COLUMN priority INTEGER;  -- priority the agent set, when they did

-- reply accounts and the outbox
CREATE TABLE IF NOT EXISTS reply_accounts (
  brand TEXT NOT NULL COLLATE NOCASE,
  channel TEXT NOT NULL,             -- mastodon, bluesky, email, webhook
  settings TEXT NOT NULL,            -- JSON without secrets: instance, handle, SMTP host...
  secret BLOB,                       -- nonce || secretbox(secrets JSON); the key is not here
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (brand, channel)
);
CREATE TABLE IF NOT EXISTS replies (
  id INTEGER PRIMARY KEY,
  case_id INTEGER NOT NULL,
  brand TEXT NOT NULL COLLATE NOCASE,
  channel TEXT NOT NULL,
  in_reply_to TEXT NOT NULL DEFAULT '',   -- the platform's id/URI/Message-ID answered
  recipient TEXT NOT NULL DEFAULT '',     -- e-mail address, handle
  text TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,                   -- queued, sending, sent, failed, uncertain
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  platform_id TEXT NOT NULL DEFAULT '',
  platform_url TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX IF NOT EXISTS replies_by_case ON replies (case_id, id);
CREATE INDEX IF NOT EXISTS replies_due ON replies (next_attempt_at) WHERE status = 'queued';

-- templates
CREATE TABLE IF NOT EXISTS reply_templates (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  brand TEXT NOT NULL DEFAULT '' COLLATE NOCASE,  -- '': every brand
  lang TEXT NOT NULL DEFAULT '',                  -- '': every language
  topic TEXT NOT NULL DEFAULT '',                 -- TopicName, '': every topic
  body TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql";

// Version 6: service levels you can see and set (docs/ALERTS.md). The policies and the
// escalation ladder are data, edited through the API; each case has a current target (its
// first response, then the next response after a customer's follow-up or a reopen), whose
// deadline the SLA monitor computes (business hours are the monitor's) and keeps in
// sla_due_at, so that the inbox sorts by the next breach in SQL. The triggers keep the
// target where every path that changes a case passes: a post joining it, an event of its
// timeline. The escalation log holds each level a case reached, once per target: its
// primary key is what makes "one escalation per level, ever" hold across restarts and
// concurrent checks.
constexpr std::string_view kVersion6 = R"sql(
ALTER TABLE cases ADD COLUMN sla_target INTEGER NOT NULL DEFAULT 1;  -- 0 none, 1 first response, 2 next response
ALTER TABLE cases ADD COLUMN sla_round INTEGER NOT NULL DEFAULT 1;   -- the target's number, one more per target
ALTER TABLE cases ADD COLUMN sla_since INTEGER;                       -- when the target started (NULL: opened_at)
ALTER TABLE cases ADD COLUMN sla_met_at INTEGER;                      -- the brand's response that met it
ALTER TABLE cases ADD COLUMN sla_due_at INTEGER;                      -- its deadline (the monitor's)
ALTER TABLE cases ADD COLUMN sla_stale INTEGER NOT NULL DEFAULT 1;    -- the deadline is to compute
UPDATE cases SET sla_target = 1, sla_round = 1, sla_since = opened_at,
  sla_met_at = first_response_at;
CREATE INDEX cases_by_sla_due ON cases(sla_due_at) WHERE status IN (0, 1, 4);
CREATE INDEX cases_sla_stale ON cases(id) WHERE sla_stale = 1;

-- A new case starts its first target by the columns' defaults (sla_since NULL is its
-- opening): no trigger on the insert, which the ingest path does for every new case.
CREATE TRIGGER cases_sla_policy AFTER UPDATE OF priority, priority_override, brand_id ON cases
WHEN new.sla_stale = 0 AND (new.priority IS NOT old.priority
  OR new.priority_override IS NOT old.priority_override OR new.brand_id IS NOT old.brand_id)
BEGIN
  UPDATE cases SET sla_stale = 1 WHERE id = new.id;
END;
CREATE TRIGGER case_posts_sla_met AFTER INSERT ON case_posts WHEN new.role = 'brand_reply'
BEGIN
  UPDATE cases SET sla_met_at = new.at
  WHERE id = new.case_id AND sla_target > 0 AND sla_met_at IS NULL
    AND new.at >= coalesce(sla_since, opened_at);
END;
CREATE TRIGGER case_posts_sla_next AFTER INSERT ON case_posts WHEN new.role = 'follow_up'
BEGIN
  UPDATE cases SET sla_target = 2, sla_round = sla_round + 1, sla_since = new.at,
    sla_met_at = NULL, sla_due_at = NULL, sla_stale = 1
  WHERE id = new.case_id AND sla_met_at IS NOT NULL AND new.at > sla_met_at
    AND status IN (0, 1, 4);
END;
CREATE TRIGGER case_events_sla AFTER INSERT ON case_events
WHEN new.kind IN ('declared', 'reopened', 'resolved', 'closed') BEGIN
  UPDATE cases SET sla_met_at = new.at
  WHERE new.kind = 'declared' AND id = new.case_id AND sla_target > 0 AND sla_met_at IS NULL;
  UPDATE cases SET sla_target = 2, sla_round = sla_round + 1, sla_since = new.at,
    sla_met_at = NULL, sla_due_at = NULL, sla_stale = 1, escalation = 0
  WHERE new.kind = 'reopened' AND id = new.case_id;
  UPDATE cases SET escalation = 0 WHERE new.kind IN ('resolved', 'closed') AND id = new.case_id;
END;

CREATE TABLE IF NOT EXISTS sla_escalations (
  case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  round INTEGER NOT NULL,            -- cases.sla_round when it happened
  level INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,               -- "rule:sla", "agent:marie"
  reason TEXT NOT NULL,
  notified INTEGER NOT NULL DEFAULT 0,  -- its alerts are queued
  PRIMARY KEY (case_id, round, level)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sla_escalations_unnotified ON sla_escalations(case_id)
  WHERE notified = 0;
INSERT OR IGNORE INTO sla_escalations (case_id, round, level, at, actor, reason, notified)
  SELECT id, 1, escalation, last_activity_at, 'rule:sla', 'before version 6', 1 FROM cases
  WHERE escalation > 0;

CREATE TABLE IF NOT EXISTS sla_policies (
  position INTEGER PRIMARY KEY,      -- the order they were given in
  brand TEXT NOT NULL,               -- a brand's name or '*'
  min_priority INTEGER NOT NULL,
  first_response INTEGER NOT NULL,   -- seconds
  next_response INTEGER NOT NULL,    -- seconds
  time_zone TEXT NOT NULL DEFAULT '',  -- IANA name; '': the clock always runs
  hours TEXT NOT NULL DEFAULT '',      -- seven 'HH:MM-HH:MM' or '', Monday first, ',' separated
  holidays TEXT NOT NULL DEFAULT ''    -- 'YYYY-MM-DD', space separated
);
CREATE TABLE IF NOT EXISTS sla_levels (
  position INTEGER PRIMARY KEY,      -- 0: where every case starts
  name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sla_contacts (
  level INTEGER NOT NULL REFERENCES sla_levels(position) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  PRIMARY KEY (level, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sla_settings (  -- one row once the policies were saved
  id INTEGER PRIMARY KEY CHECK (id = 1),
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql";

// Version 7: assignment (docs/CASES.md). Teams, the queues of a brand, with their members in
// order and, for round-robin, the member who got the last case; a user's notify webhook (and
// the secret its deliveries are signed with), for when they are away from the dashboard.
constexpr std::string_view kVersion7 = R"sql(
CREATE TABLE IF NOT EXISTS teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE,
  brand TEXT NOT NULL COLLATE NOCASE,
  round_robin INTEGER NOT NULL DEFAULT 0,
  last_assigned INTEGER NOT NULL DEFAULT 0,  -- the member's user id; 0: none yet
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (brand, name)
);
CREATE TABLE IF NOT EXISTS team_members (
  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES access_users(id) ON DELETE CASCADE,
  PRIMARY KEY (team_id, position)
);
CREATE INDEX IF NOT EXISTS team_members_user ON team_members(user_id);
ALTER TABLE access_users ADD COLUMN notify_webhook TEXT NOT NULL DEFAULT '';
ALTER TABLE access_users ADD COLUMN notify_secret TEXT NOT NULL DEFAULT '';
)sql";

// Version 8: the inbox a team works in (docs/DASHBOARD.md, docs/CASES.md). Duplicates
// merged into one case: the merged case keeps its row and timeline, closed, and names the
// case it went into; its posts moved there. Saved views of the inbox: a name, the query of
// its URL, and who else sees it ("": its owner only, "team:<name>", "everyone").
constexpr std::string_view kVersion8 = R"sql(
ALTER TABLE cases ADD COLUMN merged_into INTEGER;  -- the kept case's id
CREATE INDEX IF NOT EXISTS cases_by_merged_into ON cases(merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE IF NOT EXISTS inbox_views (
  id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL COLLATE NOCASE,     -- the user who saved it
  name TEXT NOT NULL,
  query TEXT NOT NULL,                    -- the inbox URL's query: "status=new&sort=due"
  shared_with TEXT NOT NULL DEFAULT '',   -- '', 'team:<name>' or 'everyone'
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_views_by_owner ON inbox_views(owner, id);
)sql";

constexpr std::string_view kVersion9 = R"sql(
ALTER TABLE watched_sources ADD COLUMN brand TEXT NOT NULL DEFAULT '';
ALTER TABLE watched_sources ADD COLUMN origin TEXT NOT NULL DEFAULT 'team';
ALTER TABLE watched_sources ADD COLUMN follow_case INTEGER;  -- origin 'comments': its case
ALTER TABLE watched_sources ADD COLUMN cursor TEXT NOT NULL DEFAULT '';
ALTER TABLE watched_sources ADD COLUMN secret TEXT NOT NULL DEFAULT '';  -- encrypted token
CREATE INDEX IF NOT EXISTS watched_sources_by_case ON watched_sources(follow_case)
  WHERE follow_case IS NOT NULL;
)sql";

// Version 10: the comments followed under the web posts of open cases (docs/LISTENING.md,
// "Comments under a complaint"): per post, where its comments were found, or that none
// were, and the watched source polling them.
constexpr std::string_view kVersion10 = R"sql(
CREATE TABLE IF NOT EXISTS comment_follows (
  post_id INTEGER PRIMARY KEY,          -- the article (posts.id)
  case_id INTEGER NOT NULL,             -- the open case it was last seen in
  article_url TEXT NOT NULL,
  state TEXT NOT NULL,                  -- 'following', 'none', 'error', 'stopped', 'removed'
  kind TEXT NOT NULL DEFAULT '',        -- how: blogger, discourse, linked_feed, embedded...
  source_url TEXT NOT NULL DEFAULT '',
  format TEXT NOT NULL DEFAULT '',
  source_id INTEGER,                    -- watched_sources.id while following
  attempts INTEGER NOT NULL DEFAULT 0,  -- discovery fetches failed in a row
  checked_at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS comment_follows_by_source ON comment_follows(source_id)
  WHERE source_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS comment_follows_following ON comment_follows(state)
  WHERE state = 'following';
)sql";

// Version 11: why a polled source's last poll failed, as a kind the dashboard translates ("" when
// it did not), and until when a rate-limited one waits (its Retry-After, or its back-off if later).
constexpr std::string_view kVersion11 = R"sql(
ALTER TABLE watched_sources ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE watched_sources ADD COLUMN rate_limited_until INTEGER;
)sql";

// Version 12: search-feed templates (docs/LISTENING.md). An admin's URL with "{query}", filled
// with each brand's name and aliases to propose the brand's feeds (server/listening.h).
constexpr std::string_view kVersion12 = R"sql(
CREATE TABLE IF NOT EXISTS feed_templates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a stale editor cannot hit another
  name TEXT NOT NULL,
  url_template TEXT NOT NULL,          -- http(s), holds "{query}"
  format TEXT NOT NULL DEFAULT 'feed', -- the format of the sources it proposes
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);
)sql";

// Version 13: the brand catalog of `ecoute serve` (docs/BRANDS.md), the truth once the
// server has started: the catalog file seeds it with the brands it lacks, and the API edits
// it. Lists are one entry per line (entries hold no control character). A deleted brand
// keeps its row, with deleted_at, so that the file does not bring it back. (The table
// `brands` above is the store's: the ids posts and cases refer to.)
constexpr std::string_view kVersion13 = R"sql(
CREATE TABLE IF NOT EXISTS catalog_brands (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  aliases TEXT NOT NULL DEFAULT '',
  handles TEXT NOT NULL DEFAULT '',     -- with their '@'
  domains TEXT NOT NULL DEFAULT '',     -- hosts
  exclusions TEXT NOT NULL DEFAULT '',  -- the `not` phrases
  common_word INTEGER NOT NULL DEFAULT 0,
  origin TEXT NOT NULL,                 -- 'file' (seeded from it) or 'api' (written through it)
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL DEFAULT '',
  deleted_at INTEGER
);
)sql";

// Before version 4: server tables versioned apart at a version above 1 were written by an
// ecoute this one cannot read; they are refused, as a newer user_version is.
Status CheckServerSchema(sqlite3* db) {
  sqlite::Statement exists(
      db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'server_schema'");
  if (!exists.ok()) return exists.status();
  const bool has_table = exists.Step();
  ECOUTE_RETURN_IF_ERROR(exists.status());
  exists.Reset();
  if (!has_table) return OkStatus();
  sqlite::Statement newer(
      db, "SELECT component, version FROM server_schema WHERE version > 1 ORDER BY component");
  if (!newer.ok()) return newer.status();
  if (newer.Step()) {
    return Status(StatusCode::kFailedPrecondition,
                  "the " + std::string(newer.Text(0)) + " tables have version " +
                      std::to_string(newer.Int(1)) +
                      ", newer than this ecoute knows (1): upgrade ecoute");
  }
  return newer.status();
}

struct Migration {
  std::string_view sql;
  Status (*check)(sqlite3* db) = nullptr;  // run first, in the migration's transaction
};

constexpr std::array<Migration, 13> kMigrations = {
    Migration{kVersion1},  Migration{kVersion2},
    Migration{kVersion3},  Migration{kVersion4, CheckServerSchema},
    Migration{kVersion5},  Migration{kVersion6},
    Migration{kVersion7},  Migration{kVersion8},
    Migration{kVersion9},  Migration{kVersion10},
    Migration{kVersion11}, Migration{kVersion12},
    Migration{kVersion13}};

Result<int> ReadVersion(sqlite3* db) {
  sqlite::Statement read(db, "PRAGMA user_version");
  if (!read.ok()) return read.status();
  const int version = read.Step() ? static_cast<int>(read.Int(0)) : 0;
  ECOUTE_RETURN_IF_ERROR(read.status());
  return version;  // the statement is finalized here: an active one would block DROP INDEX
}

Status Apply(sqlite3* db, int version) {
  const Migration& migration = kMigrations[static_cast<size_t>(version)];
  if (migration.check != nullptr) ECOUTE_RETURN_IF_ERROR(migration.check(db));
  ECOUTE_RETURN_IF_ERROR(sqlite::Exec(db, migration.sql));
  return sqlite::Exec(db, "PRAGMA user_version = " + std::to_string(version + 1) +
                              "; PRAGMA application_id = " + std::to_string(kApplicationId));
}

}  // namespace

int SchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(sqlite3* db) { return MigrateTo(db, SchemaVersion()); }

Status MigrateTo(sqlite3* db, int target) {
  ECOUTE_ASSIGN_OR_RETURN(int version, ReadVersion(db));
  if (version > SchemaVersion()) {
    return Status(StatusCode::kFailedPrecondition,
                  "the database has schema version " + std::to_string(version) +
                      ", newer than this ecoute knows (" + std::to_string(SchemaVersion()) +
                      "): upgrade ecoute");
  }
  target = std::min(target, SchemaVersion());
  while (version < target) {
    // The version is read again inside the transaction: the store and the server's tables
    // open their own connections, and another process may have migrated meanwhile.
    int next = version;
    Status status = sqlite::InTransaction(db, [&]() -> Status {
      ECOUTE_ASSIGN_OR_RETURN(const int current, ReadVersion(db));
      next = current;
      if (current >= target) return OkStatus();
      ECOUTE_RETURN_IF_ERROR(Apply(db, current));
      next = current + 1;
      return OkStatus();
    });
    if (!status.ok()) {
      return Status(status.code(), "migrating the database to version " +
                                       std::to_string(version + 1) + ": " + status.message());
    }
    version = next;
  }
  return OkStatus();
}

}  // namespace ecoute
