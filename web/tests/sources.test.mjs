// Settings · Sources says each source's state in words: polled sources against a site on
// loopback that refuses one feed (401) and rate-limits another (429, Retry-After), in
// English and in French; then the states of live streams and the comments followed for
// open cases, from a stubbed /api/v1/sources, refreshed every 10 s without losing the form
// being filled in; axe-core on the page.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/sources.test.mjs

import http from 'node:http';
import { check, run, WAIT } from './harness.mjs';

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Shop</title><item><guid>https://shop.example/1</guid><title>Late</title><description>My order is late</description></item></channel></rss>';

// A blog on loopback: /ok.xml is a feed, /private.xml wants a password, /limited.xml is
// rate-limited for an hour.
function startSite() {
  const server = http.createServer((req, res) => {
    if (req.url === '/private.xml') {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' });
      res.end('who are you?');
    } else if (req.url === '/limited.xml') {
      res.writeHead(429, { 'Retry-After': '3600' });
      res.end('slow down');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' });
      res.end(FEED);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: (p) => `http://127.0.0.1:${server.address().port}${p}` }));
  });
}

async function addSource(t, url, label) {
  const made = await t.api.post('/api/v1/sources', { data: { url, label, format: 'feed', interval_seconds: 900 } });
  check(made.ok(), `source ${label}: HTTP ${made.status()} ${await made.text()}`);
  return (await made.json()).id;
}

// Waits until the watcher has polled every source of `ids`.
async function polled(t, ids) {
  const until = Date.now() + WAIT;
  for (;;) {
    const { sources } = await (await t.api.get('/api/v1/sources')).json();
    const done = sources.filter((s) => ids.includes(s.id) && s.last_polled_at);
    if (done.length === ids.length) return sources;
    check(Date.now() < until, `not polled in time: ${JSON.stringify(sources)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const rowText = (page, label) => page.locator('#settings-sources tr', { hasText: label }).first().textContent();

async function openSources(t, page) {
  await t.login(page, 'admin');
  await page.goto('/#/settings');
  await page.waitForSelector('#settings-sources table');
}

const iso = (secondsFromNow) => new Date(Date.now() + secondsFromNow * 1000).toISOString();

// Sources as the merged server will give them: live streams with their status, and the
// comments under open cases.
function stubbedSources(liveState) {
  const base = { interval_seconds: 900, enabled: true, failures: 0, last_error: '', error_kind: '', posts_seen: 0, next_poll_at: iso(600), last_polled_at: null, last_success_at: null, rate_limited_until: null, brand: '', origin: 'team', has_token: false };
  return {
    sources: [
      { ...base, id: 1, url: 'wss://jetstream.example/subscribe', label: 'Bluesky firehose', format: 'jetstream', live: { state: liveState, error_kind: liveState === 'backoff' ? 'closed_by_server' : '', last_error: liveState === 'backoff' ? 'close 1001' : '', connected_since: iso(-3600), last_event_at: iso(-2), lag_seconds: 2.4, retry_at: iso(300), failures: liveState === 'backoff' ? 3 : 0, events: 120345, matched: 42, malformed: 1, reconnects: 2 } },
      { ...base, id: 2, url: 'https://social.example/api/v1/streaming/hashtag?tag=jeanerie', label: 'Mastodon #jeanerie', format: 'mastodon_stream', brand: 'Jeanerie', origin: 'proposal', has_token: true, live: { state: 'backoff', error_kind: 'auth_refused', last_error: 'HTTP 401', connected_since: 0, last_event_at: 0, lag_seconds: 0, retry_at: iso(120), failures: 2, events: 0, matched: 0, malformed: 0, reconnects: 0 } },
      { ...base, id: 3, url: 'https://blog.example/2026/01/late/feed/', label: 'Blog comments', format: 'auto', brand: 'Jeanerie', origin: 'comments', follow_case: 12, last_polled_at: iso(-60), last_success_at: iso(-60) },
      { ...base, id: 4, url: 'https://forum.example/t/123.rss', label: 'Forum thread', format: 'auto', brand: 'Lunéa', origin: 'comments', follow_case: 14, failures: 2, error_kind: 'not_found', last_error: 'HTTP 404', last_polled_at: iso(-60) },
    ],
  };
}

await run(
  'sources',
  async (t) => {
    const site = await startSite();
    t.closers.push(() => new Promise((r) => site.server.close(r)));

    await t.step('polled sources fail in different ways', async () => {
      const ok = await addSource(t, site.url('/ok.xml'), 'Shop feed');
      const refused = await addSource(t, site.url('/private.xml'), 'Private feed');
      await polled(t, [ok, refused]);
      // Last: its Retry-After holds the whole host back.
      const limited = await addSource(t, site.url('/limited.xml'), 'Busy feed');
      const sources = await polled(t, [ok, refused, limited]);
      const kinds = Object.fromEntries(sources.map((s) => [s.label, s.error_kind]));
      check(kinds['Shop feed'] === '' && kinds['Private feed'] === 'auth_refused' && kinds['Busy feed'] === 'rate_limited', `kinds: ${JSON.stringify(kinds)}`);
      const busy = sources.find((s) => s.label === 'Busy feed');
      check(Math.abs(Date.parse(busy.rate_limited_until) - Date.parse(busy.last_polled_at) - 3600 * 1000) < 2000, `rate_limited_until: ${JSON.stringify(busy)}`);
    });

    await t.step('their states in English', async () => {
      const page = await t.newPage();
      await openSources(t, page);
      check(/OK.*Last success/.test(await rowText(page, 'Shop feed')), `ok row: ${await rowText(page, 'Shop feed')}`);
      const refused = await rowText(page, 'Private feed');
      check(/Failing \(Authentication refused\)/.test(refused) && /Back-off until/.test(refused) && /HTTP 401/.test(refused), `refused row: ${refused}`);
      const limited = await rowText(page, 'Busy feed');
      check(/Rate-limited until/.test(limited), `limited row: ${limited}`);
      check(/Team/.test(limited), `no origin: ${limited}`);
      await t.checkAxe(page, 'sources (en)');
      await page.context().close();
    });

    await t.step('and in French', async () => {
      const page = await t.newPage({ locale: 'fr-FR' });
      await openSources(t, page);
      const refused = await rowText(page, 'Private feed');
      check(/En échec \(Authentification refusée\)/.test(refused) && /En attente jusqu’à/.test(refused), `refused row: ${refused}`);
      check(/Débit limité jusqu’à/.test(await rowText(page, 'Busy feed')), `limited row: ${await rowText(page, 'Busy feed')}`);
      check(/Fonctionne.*Dernière lecture réussie/.test(await rowText(page, 'Shop feed')), `ok row: ${await rowText(page, 'Shop feed')}`);
      await page.context().close();
    });

    await t.step('live streams and followed comments (stubbed list)', async () => {
      const page = await t.newPage();
      let liveState = 'connected';
      await page.route('**/api/v1/sources', (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(stubbedSources(liveState)) });
      });
      await openSources(t, page);
      const firehose = await rowText(page, 'Bluesky firehose');
      check(/Connected/.test(firehose) && /Lag: 2 s/.test(firehose) && /Last event/.test(firehose) && /120,345 events, 42 kept, 1 unreadable/.test(firehose), `firehose: ${firehose}`);
      check(/Bluesky, live \(Jetstream\)/.test(firehose), `format: ${firehose}`);
      const mastodon = await rowText(page, 'Mastodon #jeanerie');
      check(/Back-off until/.test(mastodon) && /Authentication refused/.test(mastodon) && /token set/.test(mastodon) && /Jeanerie/.test(mastodon) && /Proposal/.test(mastodon), `mastodon: ${mastodon}`);
      check(!(await page.content()).includes('secret-token'), 'a token value shows');
      // The comments followed are apart, in a closed group.
      const summary = page.locator('#sources-comments summary');
      check((await summary.textContent()).includes('Comments followed for open cases (2)'), `summary: ${await summary.textContent()}`);
      check(!(await page.locator('#sources-comments tr', { hasText: 'Forum thread' }).isVisible()), 'the comments group is open');
      check(!(await page.locator('#settings-sources > .source-lists > .table-wrap').textContent()).includes('Blog comments'), 'a comments source in the main list');
      await summary.click();
      const forum = await page.locator('#sources-comments tr', { hasText: 'Forum thread' }).textContent();
      check(/Failing \(Not found\)/.test(forum) && /Case #14/.test(forum) && /Lunéa/.test(forum), `forum: ${forum}`);
      await t.checkAxe(page, 'sources with live streams');
      const problems = await t.layoutProblems(page);
      check(problems.length === 0, `layout:\n${problems.join('\n')}`);

      // The format select offers the live kinds, with a write-only token field.
      await page.selectOption('#sources-form select[name=format]', 'jetstream');
      check(await page.isVisible('#sources-form input[name=token]'), 'no token field for a live format');
      check((await page.getAttribute('#sources-form input[name=token]', 'type')) === 'password', 'the token field shows what is typed');
      await page.selectOption('#sources-form select[name=format]', 'feed');
      check(!(await page.isVisible('#sources-form input[name=token]')), 'a token field for a polled format');

      // A refresh 10 s later shows the new state and leaves the form as it was.
      await page.fill('#sources-form input[name=url]', 'https://half.example/typed');
      await page.focus('#sources-form input[name=label]');
      await page.keyboard.type('Half typed');
      liveState = 'backoff';
      await page.waitForFunction(() => /Stream closed by the server/.test(document.querySelector('#settings-sources tr[data-id="1"]')?.textContent || ''), null, { timeout: 15000 });
      check((await page.inputValue('#sources-form input[name=url]')) === 'https://half.example/typed', 'the refresh emptied the URL being typed');
      check((await page.inputValue('#sources-form input[name=label]')) === 'Half typed', 'the refresh emptied the label being typed');
      check(await page.evaluate(() => document.activeElement?.name === 'label'), 'the refresh moved the focus');
      check(await page.locator('#sources-comments').evaluate((d) => d.open), 'the refresh closed the comments group');
      await page.context().close();
    });

    await t.step('the live status in French', async () => {
      const page = await t.newPage({ locale: 'fr-FR' });
      await page.route('**/api/v1/sources', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(stubbedSources('backoff')) }));
      await openSources(t, page);
      const firehose = await rowText(page, 'Bluesky firehose');
      check(/En attente jusqu’à/.test(firehose) && /Flux fermé par le serveur/.test(firehose), `firehose: ${firehose}`);
      check(/Commentaires suivis pour les dossiers ouverts \(2\)/.test(await page.locator('#sources-comments summary').textContent()), 'comments group in French');
      await page.setViewportSize({ width: 390, height: 800 });
      await page.click('#sources-comments summary');
      const narrow = await t.layoutProblems(page);
      check(narrow.length === 0, `layout at 390 px:\n${narrow.join('\n')}`);
      await page.context().close();
    });
  },
  { env: { ECOUTE_WATCH_MIN_HOST_INTERVAL: '0s' }, timeoutMs: 180000 },
);
