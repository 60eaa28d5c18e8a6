// End-to-end test of the dashboard: starts the real `ecoute serve` on a fresh database,
// drives Debian's Chromium through playwright-core, and checks the agent's path from a new
// public complaint to a recorded response, live, plus the brand isolation between agents.
//
//   cd web && npm install && node tests/browser.test.mjs
//
// ECOUTE_BIN: the binary (default ../build/ecoute); CHROMIUM: the browser (default
// /usr/bin/chromium); ECOUTE_SCREENSHOTS=1 writes ../docs/screenshots/<page>.png.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, request } from 'playwright-core';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = path.resolve(webDir, '..');
const bin = path.resolve(webDir, process.env.ECOUTE_BIN || '../build/ecoute');
const brandsFile = path.join(repoDir, 'data/sample/brands.toml');
const samples = ['conversations.jsonl', 'social.jsonl'].map((f) => path.join(repoDir, 'data/sample/posts', f));
const shotsDir = path.join(repoDir, 'docs/screenshots');
const screenshots = process.env.ECOUTE_SCREENSHOTS === '1';
const PASSWORDS = { admin: 'granite lantern harbor', agent1: 'velvet orchard compass', agent2: 'quiet meadow bicycle' };
const WAIT = 10000;

let current = 'start';
let passed = 0;
let server = null;
let browser = null;
let tmp = null;
const serverLog = [];
const pageErrors = [];

async function step(name, fn) {
  current = name;
  const started = Date.now();
  await fn();
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - started} ms)`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function ecoute(args, input) {
  const result = spawnSync(bin, args, { input, encoding: 'utf8', timeout: 20000 });
  if (result.error) throw result.error;
  check(result.status === 0, `ecoute ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
}

function startServer(db) {
  return new Promise((resolve, reject) => {
    server = spawn(bin, ['serve', '--db', db, '--brands', brandsFile, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => reject(new Error('the server did not say "listening on" within 15 s')), 15000);
    let buffer = '';
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        serverLog.push(line);
        if (serverLog.length > 50) serverLog.shift();
        const m = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal})`));
    });
    server.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

async function shot(page, name) {
  if (!screenshots) return;
  mkdirSync(shotsDir, { recursive: true });
  await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
}

async function newPage(base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', baseURL: base });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) pageErrors.push(`console: ${msg.text()}`);
  });
  return page;
}

async function login(page, name) {
  await page.goto('/');
  await page.waitForSelector('#login-form', { state: 'visible' });
  await page.fill('#login-name', name);
  await page.fill('#login-password', PASSWORDS[name]);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#login', { state: 'hidden' });
}

async function inboxLoaded(page) {
  await page.waitForFunction(() => (document.getElementById('inbox-count')?.textContent || '').length > 0);
}

async function figures(page) {
  await page.waitForSelector('[data-figure="response_rate"] dd');
  return page.evaluate(() => ['response_rate', 'first_response_median'].map((k) => document.querySelector(`[data-figure="${k}"] dd`).textContent).join(' | '));
}

async function main() {
  tmp = mkdtempSync(path.join(tmpdir(), 'ecoute-web-'));
  const db = path.join(tmp, 't.db');
  let base = '';
  let api = null;
  let caseId = null;

  await step('bootstrap users', async () => {
    ecoute(['users', 'add', 'admin', '--role', 'admin', '--password-stdin', '--db', db], `${PASSWORDS.admin}\n`);
    ecoute(['users', 'add', 'agent1', '--role', 'agent', '--brands', 'Jeanerie', '--password-stdin', '--db', db], `${PASSWORDS.agent1}\n`);
    ecoute(['users', 'add', 'agent2', '--role', 'agent', '--brands', 'Lunéa', '--password-stdin', '--db', db], `${PASSWORDS.agent2}\n`);
  });

  await step('start the server', async () => {
    base = await startServer(db);
  });

  await step('admin API session, token and sample posts', async () => {
    const admin = await request.newContext({ baseURL: base });
    const session = await admin.post('/api/v1/session', { data: { name: 'admin', password: PASSWORDS.admin } });
    check(session.ok(), `admin login: HTTP ${session.status()}`);
    const { csrf } = await session.json();
    const made = await admin.post('/api/v1/tokens', { data: { label: 'browser test' }, headers: { 'X-CSRF-Token': csrf } });
    check(made.ok(), `token: HTTP ${made.status()} ${await made.text()}`);
    const { token } = await made.json();
    check(typeof token === 'string' && token.length > 0, 'no token in the answer');
    await admin.dispose();
    api = await request.newContext({ baseURL: base, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    const lines = samples.map((f) => readFileSync(f, 'utf8').trim()).join('\n');
    let seeded = await api.post('/api/v1/posts', { data: lines, headers: { 'Content-Type': 'application/x-ndjson' } });
    if (seeded.status() === 415) seeded = await api.post('/api/v1/posts', { data: lines, headers: { 'Content-Type': 'application/json' } });
    check(seeded.ok(), `sample posts: HTTP ${seeded.status()} ${await seeded.text()}`);
  });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await newPage(base);

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
    const post = {
      id: 't-1',
      text: "@jeanerie ma commande 55555 n'est toujours pas livrée après trois semaines, c'est inadmissible !",
      author: '@test_client',
      published_at: new Date().toISOString(),
    };
    const res = await api.post('/api/v1/posts', { data: post });
    check(res.ok(), `POST /api/v1/posts: HTTP ${res.status()} ${await res.text()}`);
    const out = await res.json();
    const first = (out.cases || [])[0];
    caseId = typeof first === 'object' && first !== null ? first.id : first;
    const row = caseId ? `#inbox-table tr[data-id="${caseId}"]` : '#inbox-table tr:has-text("@test_client")';
    await page.waitForSelector(row);
    if (!caseId) caseId = Number(await page.getAttribute(row, 'data-id'));
    check(Number.isInteger(caseId) && caseId > 0, 'no case id');
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

  await step('record a response: acknowledged, "responded" event', async () => {
    await page.fill('#respond-note', 'Called the customer, a new parcel leaves today');
    await page.click('#respond-submit');
    await page.waitForFunction(() => /acknowledged/.test(document.getElementById('case-status')?.textContent || ''));
    await page.waitForSelector('.events li[data-kind="responded"]');
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
    check(after !== before, `response rate / median unchanged: ${before}`);
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
    await page.waitForSelector('#leaderboard tr[data-brand="Jeanerie"]');
    await shot(page, 'leaderboard');
  });

  await step('agent2 (Lunéa only) cannot see the Jeanerie case', async () => {
    const other = await newPage(base);
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
    const admin = await newPage(base);
    await login(admin, 'admin');
    await inboxLoaded(admin);
    await admin.goto('/#/settings');
    await admin.waitForSelector('#settings-users table');
    await admin.waitForSelector('#settings-tokens table');
    await shot(admin, 'settings');
    await admin.context().close();
  });

  await step('no CSP violation nor script error', async () => {
    check(pageErrors.length === 0, pageErrors.join('\n'));
  });

  await api.dispose();
}

const deadline = setTimeout(() => {
  console.error(`FAIL: overall timeout (90 s) during step "${current}"`);
  cleanup().finally(() => process.exit(1));
}, 90000);

async function cleanup() {
  if (browser) await browser.close().catch(() => {});
  browser = null;
  if (server && server.exitCode === null) {
    server.removeAllListeners('exit');
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

let failed = 0;
try {
  await main();
} catch (err) {
  failed = 1;
  console.error(`FAIL at step "${current}": ${err.message}`);
  if (serverLog.length) console.error(`server stderr (last lines):\n${serverLog.join('\n')}`);
}
await cleanup();
clearTimeout(deadline);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
