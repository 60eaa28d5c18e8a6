// End-to-end test of the dashboard: starts the real `ecoute serve` on a fresh database,
// drives Debian's Chromium through playwright-core, and checks the agent's path from a new
// public complaint to a recorded response, live, plus the brand isolation between agents.
// Then a Mastodon complaint answered from the case page through a Mastodon instance on
// loopback, with a template, an internal note and the resolution.
//
//   cd web && npm ci && node tests/browser.test.mjs
//
// The set-up, clean-up and checks shared by the browser tests are in harness.mjs.

import http from 'node:http';
import { check, escapeHtml, readBody, run } from './harness.mjs';

let t = null;  // the harness
let mastodon = null;
const step = (name, fn) => t.step(name, fn);
const shot = (page, name) => t.shot(page, name);
const login = (page, name) => t.login(page, name);
const inboxLoaded = (page) => t.inboxLoaded(page);

// The response figures of the brand page; "declared" only from a server that has it.
async function figures(page) {
  await page.waitForSelector('[data-figure="response_rate"] dd');
  return page.evaluate(() => ['response_rate', 'first_response_median', 'declared'].map((k) => document.querySelector(`[data-figure="${k}"] dd`)?.textContent ?? '').join(' | '));
}

// POST /api/v1/statuses as Mastodon documents it: Bearer token, the form or JSON
// parameters `status` and `in_reply_to_id`, and an Idempotency-Key under which a repeated
// request gets the status already made.
function mastodonPost(m, req, body, send) {
  const type = req.headers['content-type'] || '';
  let params = {};
  try {
    params = type.includes('json') ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body));
  } catch {
    m.problems.push(`POST /api/v1/statuses: unreadable body (${type})`);
    return send(422, { error: 'Validation failed: unreadable body' });
  }
  const key = req.headers['idempotency-key'];
  if (!key) m.problems.push('POST /api/v1/statuses without an Idempotency-Key');
  if (String(params.in_reply_to_id) !== m.localId) {
    m.problems.push(`in_reply_to_id ${params.in_reply_to_id}, expected ${m.localId} (the customer's status on this instance)`);
    return send(422, { error: 'Validation failed: in_reply_to_id is not a status of this instance' });
  }
  if (!params.status) return send(422, { error: "Validation failed: Text can't be blank" });
  if (key && m.statuses.has(key)) return send(200, m.statuses.get(key));
  m.posts += 1;
  const id = String(m.nextId + m.posts);
  const status = {
    id,
    uri: `${m.base}/users/jeanerie/statuses/${id}`,
    url: `${m.base}/@jeanerie/${id}`,
    created_at: new Date().toISOString(),
    in_reply_to_id: m.localId,
    visibility: params.visibility || 'public',
    content: `<p>${escapeHtml(params.status)}</p>`,
    account: m.brandAccount,
  };
  if (key) m.statuses.set(key, status);
  return send(200, status);
}

// A Mastodon instance on loopback holding the brand's account: GET /api/v2/search with
// resolve=true finds the customer's status (from another instance) under its local id, and
// POST /api/v1/statuses answers it. Anything the sender does wrong is kept in `problems`.
function startMastodon() {
  const m = {
    base: '',
    token: 'mastodon-test-token-7f3a',
    remoteUrl: 'https://social.example/@client/110000000000000042',
    localId: '424242',
    nextId: 113000000000000000,
    posts: 0,
    statuses: new Map(),
    requests: [],
    problems: [],
  };
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url, 'http://127.0.0.1');
    m.requests.push(`${req.method} ${url.pathname}`);
    const send = (code, data) => {
      res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(data));
    };
    if (req.headers.authorization !== `Bearer ${m.token}`) {
      m.problems.push(`${req.method} ${url.pathname} without "Authorization: Bearer <token>"`);
      return send(401, { error: 'The access token is invalid' });
    }
    if (req.method === 'GET' && url.pathname === '/api/v2/search') {
      if (url.searchParams.get('resolve') !== 'true') m.problems.push('GET /api/v2/search without resolve=true');
      const found = url.searchParams.get('q') === m.remoteUrl;
      const status = { id: m.localId, uri: m.remoteUrl, url: m.remoteUrl, created_at: new Date().toISOString(), content: '<p>@jeanerie ma commande 77777</p>', account: m.clientAccount };
      return send(200, { accounts: [], statuses: found ? [status] : [], hashtags: [] });
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/statuses') return mastodonPost(m, req, body, send);
    return send(404, { error: 'Record not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      m.base = `http://127.0.0.1:${server.address().port}`;
      m.brandAccount = { id: '1', username: 'jeanerie', acct: 'jeanerie', display_name: 'Jeanerie', url: `${m.base}/@jeanerie` };
      m.clientAccount = { id: '2', username: 'client', acct: 'client@social.example', display_name: 'Client', url: 'https://social.example/@client' };
      m.server = server;
      resolve(m);
    });
  });
}

// Posts one post through the API; the id of the case it opened or joined.
async function postAndFindCase(page, api, post) {
  const res = await api.post('/api/v1/posts', { data: post });
  check(res.ok(), `POST /api/v1/posts: HTTP ${res.status()} ${await res.text()}`);
  const out = await res.json();
  const first = (out.cases || [])[0];
  let id = typeof first === 'object' && first !== null ? first.id : first;
  const row = id ? `#inbox-table tr[data-id="${id}"]` : `#inbox-table tr:has-text("${post.author.handle || post.author}")`;
  await page.waitForSelector(row);
  if (!id) id = Number(await page.getAttribute(row, 'data-id'));
  check(Number.isInteger(id) && id > 0, 'no case id');
  return id;
}

// agent1, from the login form to a declared response that moves the brand's figures.
async function agentJourney(page, api) {
  let caseId = null;
  await step('agent1 logs in through the form and sees the inbox', async () => {
    await page.goto('/');
    await page.waitForSelector('#login-form', { state: 'visible' });
    await shot(page, 'login');
    await page.fill('#login-name', 'agent1');
    await page.fill('#login-password', 'wrong password');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
    await login(page, 'agent1');
    await inboxLoaded(page);
    await page.waitForSelector('#live-state.live-on');
  });

  await step('a new complaint appears live in the inbox', async () => {
    const text = "@jeanerie ma commande 55555 n'est toujours pas livrée après trois semaines, c'est inadmissible !";
    caseId = await postAndFindCase(page, api, { id: 't-1', text, author: '@test_client', published_at: new Date().toISOString() });
    await page.waitForFunction((id) => document.getElementById('announcer').textContent.includes(`#${id}`), caseId);
    await page.keyboard.press('j');
    await page.waitForSelector('#inbox-table tbody tr.selected:focus');
    await shot(page, 'inbox');
  });

  let before = '';
  await step('brand page before the response', async () => {
    await page.goto('/#/brands/Jeanerie');
    before = await figures(page);
  });

  await step('open the case from the inbox: post with a highlighted cue', async () => {
    await page.goto('/#/inbox');
    await page.click(`#inbox-table tr[data-id="${caseId}"] th a`);
    await page.waitForSelector('#case-title');
    const marks = await page.locator('.post-list .post-text mark').count();
    check(marks > 0, 'no <mark> in the post text');
    check((await page.textContent('.post-list')).includes('55555'), 'the post text is missing');
  });

  await step('record a response made elsewhere: acknowledged, an event', async () => {
    await page.click('#respond-submit');
    await page.waitForSelector('#respond-note[aria-invalid="true"]');
    check((await page.textContent('#respond-note-error')).length > 0, 'no error next to the empty note');
    await page.selectOption('#respond-channel', 'phone');
    await page.fill('#respond-note', 'Called the customer, a new parcel leaves today');
    await page.click('#respond-submit');
    await page.waitForFunction(() => /acknowledged/.test(document.getElementById('case-status')?.textContent || ''));
    await page.waitForSelector('.events li[data-kind="responded"], .events li[data-kind="declared"]');
    await shot(page, 'case');
  });

  await step('brand page figures changed after the response', async () => {
    let after = before;
    for (let i = 0; i < 20 && after === before; i += 1) {
      await page.goto('/#/leaderboard');
      await page.goto('/#/brands/Jeanerie');
      after = await figures(page);
      if (after === before) await page.waitForTimeout(300);
    }
    check(after !== before, `response figures unchanged: ${before}`);
    await page.waitForTimeout(200);
    await shot(page, 'brand');
  });

  await step('search finds the complaint, and shows syntax errors', async () => {
    await page.goto('/#/search?q=55555');
    await page.waitForSelector('.hit .snippet mark');
    check((await page.locator(`.hit a[href="#/cases/${caseId}"]`).count()) > 0, 'no link to the case in the hit');
    await shot(page, 'search');
    await page.fill('#search-q', '"unterminated');
    await page.press('#search-q', 'Enter');
    await page.waitForFunction(() => document.getElementById('search-error').textContent.length > 0);
  });

  await step('leaderboard', async () => {
    await page.goto('/#/leaderboard');
    await page.waitForSelector('table.board tr[data-brand="Jeanerie"]');
    await page.waitForSelector('#board-legend');
    await shot(page, 'leaderboard');
  });
  return caseId;
}

// The endpoints the reply journey needs that this server does not have (it answers 404 to
// an unknown path, 405 to a known path with another method).
async function missingReplyEndpoints(api, caseId) {
  const paths = [`/api/v1/cases/${caseId}/reply-options`, `/api/v1/cases/${caseId}/replies`, `/api/v1/cases/${caseId}/templates`, `/api/v1/cases/${caseId}/notes`, '/api/v1/templates', '/api/v1/brands/Jeanerie/accounts'];
  const missing = [];
  for (const p of paths) {
    const res = await api.get(p);
    if (res.status() === 404) missing.push(p);
  }
  return missing;
}

async function replySetUp(api, m) {
  await step('a Mastodon account for Jeanerie and a reply template, through the API', async () => {
    const put = await api.put('/api/v1/brands/Jeanerie/accounts/mastodon', { data: { settings: { instance: m.base, handle: '@jeanerie@127.0.0.1' }, secrets: { token: m.token } } });
    check(put.ok(), `PUT the Mastodon account: HTTP ${put.status()} ${await put.text()}`);
    const listed = await api.get('/api/v1/brands/Jeanerie/accounts');
    check(listed.ok() && !(await listed.text()).includes(m.token), 'the account listing shows the token');
    const body = 'Bonjour {{customer}}, {{brand}} regarde votre dossier {{case}} tout de suite. {{agent}}';
    const made = await api.post('/api/v1/templates', { data: { name: 'Excuses livraison', brand: 'Jeanerie', lang: '', topic: '', body } });
    check(made.ok(), `POST /api/v1/templates: HTTP ${made.status()} ${await made.text()}`);
  });
}

// Observed response rate, declared responses: what an internal note must not change.
async function responseFigures(api) {
  const res = await api.get('/api/v1/reports?brand=Jeanerie');
  check(res.ok(), `GET /api/v1/reports: HTTP ${res.status()}`);
  const b = ((await res.json()).brands || []).find((x) => x.brand === 'Jeanerie') || {};
  return `${b.responded}|${b.response_rate}|${b.declared}|${b.first_response_median_s}`;
}

// A Mastodon complaint answered from the case page with a template, seen as the observed
// response; an internal note that changes no figure; the case resolved.
async function replyJourney(page, api, m, caseId) {
  const missing = await missingReplyEndpoints(api, caseId);
  check(missing.length === 0, `the server answers 404 to ${missing.join(', ')}`);
  await replySetUp(api, m);
  let replyCase = 0;
  await step('a complaint on Mastodon opens a case', async () => {
    await page.goto('/#/inbox');
    await inboxLoaded(page);
    const text = "@jeanerie ma commande 77777 n'est toujours pas livrée après deux semaines, c'est inadmissible !";
    replyCase = await postAndFindCase(page, api, { id: m.remoteUrl, source: 'mastodon', url: m.remoteUrl, author: { handle: '@client@social.example', url: 'https://social.example/@client' }, published_at: new Date().toISOString(), text });
  });

  await step('the case: cue legend, described highlights, why its priority, the original', async () => {
    await page.goto(`/#/cases/${replyCase}`);
    await page.waitForSelector('#cue-legend li');
    check((await page.locator('.post-text mark .visually-hidden').count()) > 0, 'no description on the highlights');
    await page.waitForSelector('#why-priority');
    check((await page.getAttribute('a.original-post', 'href')) === m.remoteUrl, 'no link to the original post');
  });

  await step('reply with a template, edited, posted once despite a double click', async () => {
    await page.waitForSelector('#reply-channel option[value="mastodon"]:not([disabled])', { state: 'attached' });
    await page.selectOption('#reply-channel', 'mastodon');
    await page.selectOption('#reply-template', { index: 1 });
    await page.click('#reply-use-template');
    const text = await page.inputValue('#reply-text');
    check(text.includes('Jeanerie') && !text.includes('{{'), `the template is not rendered: ${text}`);
    await page.fill('#reply-text', `${text} Un nouveau colis part aujourd'hui.`);
    check(/\d+ \/ \d+/.test(await page.textContent('#reply-counter')), 'no counter against the limit');
    await page.dblclick('#reply-send');
    await page.waitForSelector('#replies .reply[data-status="sent"]', { timeout: 20000 });
    check(m.posts === 1, `${m.posts} statuses posted on Mastodon, expected 1`);
    check(m.problems.length === 0, `the Mastodon instance saw: ${m.problems.join('; ')}`);
    await shot(page, 'reply');
  });

  await step('the reply is the observed first response', async () => {
    await page.waitForSelector('#first-response-kind[data-kind="observed"]', { timeout: 15000 });
    await page.waitForSelector('.post-list .post.role-brand_reply');
  });

  await step('an internal note: marked internal, the response figures unchanged', async () => {
    const before = await responseFigures(api);
    await page.fill('#note-text', 'Client fidèle depuis 2019 : un geste commercial est possible');
    await page.click('#note-submit');
    await page.waitForSelector('.events li[data-kind="note"] .internal-badge');
    check((await responseFigures(api)) === before, 'the note changed the response figures');
    check((await page.getAttribute('#first-response-kind', 'data-kind')) === 'observed', 'the note changed the first response');
  });

  await step('resolve the answered case', async () => {
    await page.fill('#status-reason', 'Colis livré');
    await page.click('#resolve-submit');
    await page.waitForFunction(() => /resolved/.test(document.getElementById('case-status')?.textContent || ''));
  });
}

async function othersJourney(caseId) {
  await step('agent2 (Lunéa only) cannot see the Jeanerie case', async () => {
    const other = await t.newPage();
    await login(other, 'agent2');
    await inboxLoaded(other);
    check((await other.locator(`#inbox-table tr[data-id="${caseId}"]`).count()) === 0, 'the case is in agent2 inbox');
    check(!(await other.textContent('#view')).includes('@test_client'), 'the customer shows in agent2 inbox');
    await other.goto(`/#/cases/${caseId}`);
    await other.waitForSelector('#view [role="alert"]');
    const text = await other.textContent('#view [role="alert"]');
    check(/not found|not allowed/i.test(text), `unexpected message: ${text}`);
    await other.goto('/#/search?q=55555');
    await other.waitForSelector('#search-count, #search-error:not(:empty)');
    check((await other.locator('.hit').count()) === 0, 'agent2 found the post');
    await other.context().close();
  });

  await step('admin settings', async () => {
    const admin = await t.newPage();
    await login(admin, 'admin');
    await inboxLoaded(admin);
    await admin.goto('/#/settings');
    await admin.waitForSelector('#settings-users table');
    await admin.waitForSelector('#settings-tokens table');
    if (await admin.locator('#settings-accounts').count()) {
      check(!(await admin.content()).includes(mastodon.token), 'the settings page shows a reply account secret');
      check((await admin.locator('#account-form input[type=password]').evaluateAll((els) => els.filter((e) => e.value).length)) === 0, 'a secret field is prefilled');
    }
    await shot(admin, 'settings');
    await admin.context().close();
  });
}

await run('dashboard', async (harness) => {
  t = harness;
  mastodon = await startMastodon();
  t.closers.push(() => mastodon.server.close());
  const page = await t.newPage();
  const caseId = await agentJourney(page, t.api);
  await replyJourney(page, t.api, mastodon, caseId);
  await othersJourney(caseId);
  await step('no reply account secret in the server log', async () => {
    check(t.serverOutput.length > 0, 'nothing read from the server log');
    check(!t.serverOutput.includes(mastodon.token), 'the Mastodon token appears in the server log');
  });
});
