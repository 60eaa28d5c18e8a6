// From a brand to its listening: an administrator opens a brand's proposals in the settings,
// ticks a Mastodon hashtag stream and a Bluesky search, accepts them, and sees them among the
// watched sources; the search back-fill reads a loopback Bluesky search and Mastodon instance
// and says what it stored; a search-feed template added in its section is proposed to the
// brand; the French interface; axe-core and the layout.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/listening.test.mjs

import http from 'node:http';
import { check, run } from './harness.mjs';

const recent = new Date(Date.now() - 86400 * 1000).toISOString();

function blueskyPost(rkey, text) {
  return {
    uri: `at://did:plc:x4k2vq7l3mzq5a/app.bsky.feed.post/${rkey}`,
    cid: `bafyreih2k5${rkey}`,
    author: { did: 'did:plc:x4k2vq7l3mzq5a', handle: 'marie-l.bsky.social', displayName: 'Marie L.', labels: [] },
    record: { $type: 'app.bsky.feed.post', createdAt: recent, langs: ['fr'], text },
    replyCount: 0,
    repostCount: 0,
    likeCount: 1,
    indexedAt: recent,
    labels: [],
  };
}

function mastodonStatus(id, html) {
  return {
    id,
    created_at: recent,
    in_reply_to_id: null,
    spoiler_text: '',
    visibility: 'public',
    language: 'fr',
    uri: `https://piaille.example/users/paul/statuses/${id}`,
    url: `https://piaille.example/@paul/${id}`,
    content: html,
    reblog: null,
    account: { id: '109384', username: 'paul', acct: 'paul@piaille.example', display_name: 'Paul', url: 'https://piaille.example/@paul', followers_count: 41 },
    mentions: [],
    tags: [{ name: 'jeanerie', url: 'https://piaille.example/tags/jeanerie' }],
    card: null,
  };
}

// Bluesky's search and a Mastodon instance on loopback.
function startNetwork() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let body = { error: 'Record not found' };
    let status = 404;
    if (url.pathname === '/xrpc/app.bsky.feed.searchPosts') {
      status = 200;
      body = { posts: url.searchParams.get('q') === 'Jeanerie' ? [blueskyPost('3lbzq1', 'Jeanerie ne répond pas, colis perdu, quokka')] : [], hitsTotal: 1 };
    } else if (url.pathname === '/api/v1/timelines/tag/jeanerie') {
      status = 200;
      body = [mastodonStatus('113500000000000002', '<p>Commande Jeanerie jamais arrivée, quokka</p>')];
    }
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` })));
}

const network = await startNetwork();

async function openListening(page, brand) {
  await page.click(`#settings-brands button[data-action=edit][aria-label$="${brand}"]`);
  await page.waitForSelector('#brand-listening .listen-kind[data-kind=backfill]');
}

await run(
  'listening',
  async (t) => {
    t.closers.push(() => new Promise((resolve) => network.server.close(resolve)));
    const page = await t.newPage();
    const stream = `${network.base}/api/v1/streaming/hashtag?tag=jeanerie`;
    const search = `${network.base}/xrpc/app.bsky.feed.searchPosts?q=Jeanerie&limit=100&sort=latest`;

    await t.step("admin opens a brand's listening", async () => {
      await t.login(page, 'admin');
      await t.inboxLoaded(page);
      await page.goto('/#/settings');
      await page.waitForSelector('#settings-brands table');
      await openListening(page, 'Jeanerie');
      const kinds = await page.$$eval('#brand-listening .listen-kind', (els) => els.map((e) => e.dataset.kind));
      check(kinds.join() === 'jetstream,mastodon_stream,backfill', `kinds shown: ${kinds}`);
      check((await page.textContent('#brand-listening')).includes('No search-feed template yet'), 'no hint about the templates');
      const why = await page.textContent(`#brand-listening tr[data-url="${stream}"]`);
      check(why.includes('#jeanerie') && why.includes('its name “Jeanerie”'), `the reason: ${why}`);
      check((await page.textContent('#brand-listening .listen-backfill')).includes('Not read yet'), 'the back-fill is said to have run');
    });

    await t.step('accept a hashtag stream and a search: the recent past is read', async () => {
      await page.check(`#brand-listening tr[data-url="${stream}"] input[type=checkbox]`);
      await page.check(`#brand-listening tr[data-url="${search}"] input[type=checkbox]`);
      await page.click('#brand-listening .listen-accept');
      await page.waitForFunction(() => /2 sources added/.test(document.querySelector('#brand-listening [role=status]')?.textContent || ''));
      await page.waitForFunction(() => /Read on .*: \d+ new posts/.test(document.querySelector('#brand-listening .listen-backfill')?.textContent || ''), null, { timeout: 20000 });
      const outcome = await page.textContent('#brand-listening .listen-backfill');
      check(/2 of the 2 read name the brand/.test(outcome), `the back-fill: ${outcome}`);
      for (const url of [stream, search]) {
        const state = await page.textContent(`#brand-listening tr[data-url="${url}"] td:last-child`);
        check(/Watched: source \d+/.test(state), `${url} is not marked watched: ${state}`);
        check(await page.isDisabled(`#brand-listening tr[data-url="${url}"] input[type=checkbox]`), `${url} can be ticked again`);
      }
      const hits = await (await t.api.get('/api/v1/posts?q=quokka')).json();
      check(hits.hits.length === 2, `posts stored: ${JSON.stringify(hits.hits.map((h) => h.id))}`);
    });

    await t.step('the accepted proposals are among the watched sources', async () => {
      await page.reload();
      await page.waitForSelector('#settings-sources table');
      const table = await page.textContent('#settings-sources table');
      check(table.includes(stream) && table.includes(search), 'the sources list lacks the accepted proposals');
      const { sources } = await (await t.api.get('/api/v1/sources')).json();
      const formats = sources.map((s) => s.format).sort();
      check(formats.join() === 'bluesky,mastodon_stream', `sources: ${formats}`);
      await page.waitForSelector('#settings-brands table');
      await openListening(page, 'Jeanerie');
      await page.click(`#brand-listening tr[data-url="${stream}"] a.source-link`);
      const focused = await page.evaluate(() => document.activeElement?.closest('#settings-sources tr')?.textContent || '');
      check(focused.includes(stream), `the link does not lead to the source: ${focused}`);
    });

    await t.step('a search-feed template is proposed to the brand', async () => {
      await page.fill('#templates-form input[name=name]', 'Presse');
      await page.fill('#templates-form input[name=url_template]', 'https://news.example/rss');
      await page.click('#templates-form button[type=submit]');
      await page.waitForFunction(() => /\{query\}/.test(document.querySelector('#templates-form .field-error:not(:empty)')?.textContent || ''));
      await page.fill('#templates-form input[name=url_template]', 'https://news.example/rss?q={query}');
      await page.click('#templates-form button[type=submit]');
      await page.waitForFunction(() => /Presse.*added/.test(document.getElementById('settings-templates-status')?.textContent || ''));
      check((await page.textContent('#templates-section table')).includes('https://news.example/rss?q={query}'), 'the template is not listed');
      await openListening(page, 'Jeanerie');
      await page.waitForSelector('#brand-listening .listen-kind[data-kind=feed] tr[data-url="https://news.example/rss?q=%22La%20Jeanerie%22"]');
      await t.checkAxe(page, 'settings with a brand’s listening');
      const layout = await t.layoutProblems(page);
      check(layout.length === 0, `layout:\n${layout.join('\n')}`);
    });

    await t.step('in French', async () => {
      const fr = await t.newPage({ locale: 'fr-FR' });
      await t.login(fr, 'admin');
      await t.inboxLoaded(fr);
      await fr.goto('/#/settings');
      await fr.waitForSelector('#settings-brands table');
      await openListening(fr, 'Jeanerie');
      const text = await fr.textContent('#brand-listening');
      check(text.includes('Écoute') && text.includes('Mots-dièse Mastodon, en direct') && text.includes('son nom « Jeanerie »'), `French: ${text.slice(0, 300)}`);
      check(text.includes('Surveillée : source'), 'the watched proposals are not marked in French');
      check((await fr.textContent('#templates-section h2')) === 'Modèles de flux de recherche', 'the templates section is not in French');
      await t.checkAxe(fr, 'settings (fr) with a brand’s listening');
    });
  },
  {
    env: {
      ECOUTE_LISTEN_JETSTREAM_URL: 'ws://127.0.0.1:9/subscribe',
      ECOUTE_LISTEN_BLUESKY_SEARCH_URL: `${network.base}/xrpc/app.bsky.feed.searchPosts`,
      ECOUTE_LISTEN_MASTODON_INSTANCES: network.base,
    },
  },
);
