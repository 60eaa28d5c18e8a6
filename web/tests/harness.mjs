// What every browser test of the dashboard shares: a fresh database with users, the real
// `ecoute serve` on loopback, Debian's Chromium through playwright-core, numbered steps,
// accessibility (axe-core) and layout checks, and the clean-up.
//
// A test file calls `run(name, async (t) => {...})`; `t` holds base, api (an admin-token
// API client), newPage, login, step, check and the rest below. Options of run: `users`
// (name -> {role, brands, password}) added before the server starts, `env` for the
// server, `seed` (default true: the sample posts are posted), `timeoutMs`.
//
// ECOUTE_BIN: the binary (default ../build/ecoute); CHROMIUM: the browser (default
// /usr/bin/chromium); ECOUTE_SCREENSHOTS=1 writes ../docs/screenshots/<page>.png.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, request } from 'playwright-core';

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(webDir, '..');
const bin = path.resolve(webDir, process.env.ECOUTE_BIN || '../build/ecoute');
export const brandsFile = path.join(repoDir, 'data/sample/brands.toml');
const samples = ['conversations.jsonl', 'social.jsonl'].map((f) => path.join(repoDir, 'data/sample/posts', f));
const shotsDir = path.join(repoDir, 'docs/screenshots');
const screenshots = process.env.ECOUTE_SCREENSHOTS === '1';
export const WAIT = 10000;

export const DEFAULT_USERS = {
  admin: { role: 'admin', password: 'granite lantern harbor' },
  agent1: { role: 'agent', brands: 'Jeanerie', password: 'velvet orchard compass' },
  agent2: { role: 'agent', brands: 'Lunéa', password: 'quiet meadow bicycle' },
};

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function readBody(req) {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

class Harness {
  constructor(options) {
    this.options = options;
    this.users = options.users || DEFAULT_USERS;
    this.current = 'start';
    this.passed = 0;
    this.server = null;
    this.browser = null;
    this.tmp = null;
    this.serverLog = [];
    this.serverOutput = '';  // everything the server wrote, searched for secrets by tests
    this.pageErrors = [];
    this.closers = [];  // extra clean-ups (loopback servers of a test)
    this.base = '';
    this.api = null;
    this.db = '';
  }

  async step(name, fn) {
    this.current = name;
    const started = Date.now();
    await fn();
    this.passed += 1;
    console.log(`ok ${this.passed} - ${name} (${Date.now() - started} ms)`);
  }

  ecoute(args, input) {
    const result = spawnSync(bin, args, { input, encoding: 'utf8', timeout: 20000 });
    if (result.error) throw result.error;
    check(result.status === 0, `ecoute ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  }

  startServer(extraArgs = []) {
    return new Promise((resolve, reject) => {
      // Loopback test servers are private addresses: the outbound policy must let them through.
      // A brand's search back-fill asks a closed loopback port unless a test gives a search.
      const env = {
        ...process.env,
        ECOUTE_OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
        ECOUTE_LISTEN_BLUESKY_SEARCH_URL: 'http://127.0.0.1:9/xrpc/app.bsky.feed.searchPosts',
        ...(this.options.env || {}),
      };
      const args = ['serve', '--db', this.db, '--brands', brandsFile, '--listen', '127.0.0.1:0', ...extraArgs];
      this.server = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
      const timer = setTimeout(() => reject(new Error('the server did not say "listening on" within 15 s')), 15000);
      let buffer = '';
      this.server.stderr.setEncoding('utf8');
      this.server.stderr.on('data', (chunk) => {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          this.serverLog.push(line);
          this.serverOutput += `${line}\n`;
          if (this.serverLog.length > 50) this.serverLog.shift();
          const m = line.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        }
      });
      this.server.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal})`));
      });
      this.server.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  async shot(page, name) {
    if (!screenshots) return;
    mkdirSync(shotsDir, { recursive: true });
    await page.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  }

  // A page in its own browser context (own cookies): viewport 1280×800 and English unless
  // told otherwise ({width, height, locale}).
  async newPage({ width = 1280, height = 800, locale = 'en-US' } = {}) {
    const context = await this.browser.newContext({ viewport: { width, height }, locale, baseURL: this.base });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    page.on('pageerror', (err) => this.pageErrors.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to|addStrings:/i.test(msg.text())) this.pageErrors.push(`console: ${msg.text()}`);
    });
    return page;
  }

  async login(page, name) {
    await page.goto('/');
    await page.waitForSelector('#login-form', { state: 'visible' });
    await page.fill('#login-name', name);
    await page.fill('#login-password', this.users[name].password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#login', { state: 'hidden' });
  }

  async inboxLoaded(page) {
    await page.waitForFunction(() => (document.getElementById('inbox-count')?.textContent || '').length > 0);
  }

  // An API client logged in as `name` with a token of its own (for users other than admin).
  async apiAs(name) {
    const ctx = await request.newContext({ baseURL: this.base });
    const session = await ctx.post('/api/v1/session', { data: { name, password: this.users[name].password } });
    check(session.ok(), `${name} login: HTTP ${session.status()}`);
    const { csrf } = await session.json();
    const made = await ctx.post('/api/v1/tokens', { data: { label: `browser test ${name}` }, headers: { 'X-CSRF-Token': csrf } });
    check(made.ok(), `token for ${name}: HTTP ${made.status()} ${await made.text()}`);
    const { token } = await made.json();
    await ctx.dispose();
    const client = await request.newContext({ baseURL: this.base, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
    this.closers.push(() => client.dispose());
    return client;
  }

  // axe-core inside the page (WCAG 2 A and AA rules): the violations, as readable lines.
  async axe(page) {
    await page.evaluate(axeSource);
    const found = await page.evaluate(async () => {
      const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    });
    return found;
  }

  async checkAxe(page, where) {
    const violations = await this.axe(page);
    check(violations.length === 0, `axe-core on ${where}:\n${violations.join('\n')}`);
  }

  // Layout problems of the page as it is drawn: horizontal overflow of the document, and
  // visible elements matching `selector` that overlap one another (neither containing the
  // other). An element inside a scrolling or clipping box (a wide table in its frame) counts
  // only by the part of it that box shows: the part scrolled out of view is drawn nowhere.
  // Returns readable lines; empty when the layout is sound.
  async layoutProblems(page, selector = 'main button, main a, main input, main select, main th, main td, main dt, main dd, header a, header button, header select, nav a') {
    return page.evaluate((sel) => {
      const problems = [];
      const doc = document.documentElement;
      if (doc.scrollWidth > doc.clientWidth + 1) problems.push(`horizontal overflow: ${doc.scrollWidth} > ${doc.clientWidth}`);
      // The rectangle of `el` as shown through its clipping ancestors (null: not shown).
      const shown = (el) => {
        const b = el.getBoundingClientRect();
        let r = { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
        for (let a = el.parentElement; a && a !== document.body && a !== doc; a = a.parentElement) {
          const st = getComputedStyle(a);
          if (st.overflowX === 'visible' && st.overflowY === 'visible') continue;
          const c = a.getBoundingClientRect();
          r = { left: Math.max(r.left, c.left), top: Math.max(r.top, c.top), right: Math.min(r.right, c.right), bottom: Math.min(r.bottom, c.bottom) };
        }
        return r.right - r.left >= 1 && r.bottom - r.top >= 1 ? r : null;
      };
      const boxes = [];
      for (const el of document.querySelectorAll(sel)) {
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || el.closest('.visually-hidden,[hidden]')) continue;
        // The content of a closed <details> keeps its boxes but is not drawn.
        if (el.checkVisibility && !el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
        const closed = el.closest('details:not([open])');
        if (closed && !el.closest('summary')) continue;
        const r = shown(el);
        if (r) boxes.push({ el, r });
      }
      const name = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.textContent || '').trim().slice(0, 20)}"`;
      for (let i = 0; i < boxes.length && problems.length < 10; i += 1) {
        for (let j = i + 1; j < boxes.length; j += 1) {
          const a = boxes[i];
          const b = boxes[j];
          if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
          const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
          const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
          if (w > 2 && h > 2) problems.push(`${name(a.el)} overlaps ${name(b.el)}`);
        }
      }
      return problems;
    }, selector);
  }

  async setUp() {
    this.tmp = mkdtempSync(path.join(tmpdir(), 'ecoute-web-'));
    this.db = path.join(this.tmp, 't.db');
    await this.step('bootstrap users', async () => {
      for (const [name, u] of Object.entries(this.users)) {
        const args = ['users', 'add', name, '--role', u.role, '--password-stdin', '--db', this.db];
        if (u.brands) args.push('--brands', u.brands);
        this.ecoute(args, `${u.password}\n`);
      }
    });
    await this.step('start the server', async () => {
      this.base = await this.startServer(this.options.serverArgs || []);
    });
    await this.step('admin API token and sample posts', async () => {
      this.api = await this.apiAs('admin');
      if (this.options.seed === false) return;
      const lines = samples.map((f) => readFileSync(f, 'utf8').trim()).join('\n');
      const seeded = await this.api.post('/api/v1/posts', { data: lines, headers: { 'Content-Type': 'application/x-ndjson' } });
      check(seeded.ok(), `sample posts: HTTP ${seeded.status()} ${await seeded.text()}`);
    });
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }

  async cleanup() {
    for (const close of this.closers.splice(0)) await Promise.resolve(close()).catch(() => {});
    if (this.browser) await this.browser.close().catch(() => {});
    this.browser = null;
    if (this.server && this.server.exitCode === null) {
      this.server.removeAllListeners('exit');
      const exited = new Promise((resolve) => this.server.once('exit', resolve));
      this.server.kill('SIGTERM');
      const timer = setTimeout(() => this.server.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = null;
  }
}

// Runs one browser test file: set-up, `body(t)`, a final check that no page raised a
// script error or a CSP violation, the clean-up; exits 0 or 1.
export async function run(name, body, options = {}) {
  const t = new Harness(options);
  const timeoutMs = options.timeoutMs || 150000;
  const deadline = setTimeout(() => {
    console.error(`FAIL ${name}: overall timeout (${timeoutMs / 1000} s) during step "${t.current}"`);
    t.cleanup().finally(() => process.exit(1));
  }, timeoutMs);
  let failed = 0;
  try {
    await t.setUp();
    await body(t);
    await t.step('no CSP violation nor script error', async () => {
      check(t.pageErrors.length === 0, t.pageErrors.join('\n'));
    });
  } catch (err) {
    failed = 1;
    console.error(`FAIL ${name} at step "${t.current}": ${err.message}`);
    if (t.serverLog.length) console.error(`server stderr (last lines):\n${t.serverLog.join('\n')}`);
  }
  await t.cleanup();
  clearTimeout(deadline);
  console.log(`${t.passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
