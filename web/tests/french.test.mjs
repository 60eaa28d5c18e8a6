// The French interface has no untranslated string: logged in with the locale fr-FR, every
// page is visited (inbox, a case with its timeline, search, leaderboard, a brand, every
// section of the settings, the login form, the shortcut sheet when there is one) and each
// visible text and each title, aria-label and placeholder is compared with the
// dictionaries of i18n.js, as the page has them (with every feature's addStrings):
//   - a text equal to an English string whose French differs is untranslated;
//   - a text that is an i18n key ("settings.rules") is a key shown raw;
//   - a key of the English dictionary missing from the French one is a gap.
// Customer text (.post-text, .snippet, .reason of the timeline) and the names users gave
// (brands, users, rules, sources, templates, customers) are not the interface's: skipped.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/french.test.mjs

import { check, run } from './harness.mjs';

// Runs in the page: the problems of what it shows now, as readable lines.
async function untranslated(page, where, exempt) {
  return page.evaluate(
    async ({ where: place, exempt: names }) => {
      const i18n = await import('/i18n.js');
      const keys = i18n.keysOf('en');
      const lang = i18n.getLang();
      i18n.setLang('en');
      const en = Object.fromEntries(keys.map((k) => [k, i18n.t(k)]));
      i18n.setLang('fr');
      const fr = Object.fromEntries(keys.map((k) => [k, i18n.t(k)]));
      i18n.setLang(lang);
      const problems = [];
      const frKeys = new Set(i18n.keysOf('fr'));
      for (const k of keys) if (!frKeys.has(k)) problems.push(`key ${k} has no French`);
      const letters = (s) => (s.match(/\p{L}/gu) || []).length;
      // English strings a French page must not show: whole texts, and templates with
      // their placeholders as wildcards (enough fixed words to be telling).
      const exact = new Map();
      const templates = [];
      for (const k of keys) {
        const e = en[k];
        if (e === fr[k] || letters(e) < 2) continue;
        if (/\{\w+\}/.test(e)) {
          const fixed = e.replace(/\{\w+\}/g, '');
          if (letters(fixed) < 8) continue;
          const source = e.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?');
          templates.push([k, new RegExp(`^${source}$`, 's')]);
        } else {
          exact.set(e.trim(), k);
        }
      }
      const prefixes = new Set(keys.map((k) => k.split('.')[0]));
      const keySet = new Set(keys);
      const skip = new Set(names);
      const clean = (s) => s.replace(/\s+/g, ' ').trim().replace(/^[^\p{L}\d{]+/u, '').trim();
      const judge = (raw, what) => {
        const text = clean(raw);
        if (!text || skip.has(text) || skip.has(raw.trim())) return;
        if (keySet.has(text) || (/^[a-z][A-Za-z]*(\.[A-Za-z0-9_]+)+$/.test(text) && prefixes.has(text.split('.')[0]))) {
          problems.push(`${place}: ${what} shows the key "${text}"`);
          return;
        }
        if (exact.has(text)) {
          problems.push(`${place}: ${what} "${text}" is English (${exact.get(text)})`);
          return;
        }
        for (const [k, re] of templates) {
          if (re.test(text)) {
            problems.push(`${place}: ${what} "${text.slice(0, 80)}" is English (${k})`);
            return;
          }
        }
      };
      const visible = (el) => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
      const exempted = (el) => el.closest('.post-text, .snippet, .reason, [data-user-text]');
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || el.closest('script, style') || exempted(el)) continue;
        if (!visible(el) && !el.closest('.visually-hidden')) continue;
        judge(node.textContent, 'text');
      }
      for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
        if (exempted(el) || el.closest('[hidden]')) continue;
        for (const attr of ['title', 'aria-label', 'placeholder']) {
          if (el.hasAttribute(attr)) judge(el.getAttribute(attr), attr);
        }
      }
      if (document.title) judge(document.title.replace(/ · ecoute$/, ''), 'title');
      return problems;
    },
    { where, exempt },
  );
}

// What users and the data named: not the interface's words.
async function dataNames(api) {
  const names = new Set(['ecoute']);
  const add = (...values) => {
    for (const v of values.flat()) if (typeof v === 'string' && v) names.add(v.trim());
  };
  const get = async (path, member) => ((await (await api.get(path)).json())[member]) || [];
  for (const b of await get('/api/v1/brands', 'brands')) add(b.name, b.aliases, b.handles, b.domains);
  for (const u of await get('/api/v1/users', 'users')) add(u.name, u.display_name, u.email);
  for (const r of await get('/api/v1/rules', 'rules')) add(r.name, r.url, r.secret);
  for (const s of await get('/api/v1/sources', 'sources')) add(s.label, s.url, s.format);
  for (const x of await get('/api/v1/templates', 'templates')) add(x.name, x.body, x.lang);
  for (const c of await get('/api/v1/cases?limit=500', 'cases')) add(c.customer, c.title, c.brand, c.assignee);
  return [...names];
}

await run('french', async (t) => {
  const page = await t.newPage({ locale: 'fr-FR' });
  const problems = [];
  let exempt = [];
  const look = async (where) => {
    problems.push(...(await untranslated(page, where, exempt)));
  };

  await t.step('data for every settings section', async () => {
    const source = await t.api.post('/api/v1/sources', { data: { url: 'https://feeds.example.com/fr.xml', label: 'Flux', enabled: true } });
    check(source.ok(), `source: ${await source.text()}`);
    const rule = await t.api.post('/api/v1/rules', { data: { name: 'Équipe de nuit', brands: ['Jeanerie'], url: 'https://hooks.example.com/x' } });
    check(rule.ok(), `rule: ${await rule.text()}`);
    const tpl = await t.api.post('/api/v1/templates', { data: { name: 'Excuses', brand: 'Jeanerie', body: 'Bonjour {{customer}}, nous sommes désolés.' } });
    check(tpl.ok(), `template: ${await tpl.text()}`);
    exempt = await dataNames(t.api);
  });

  await t.step('the login form', async () => {
    await page.goto('/');
    await page.waitForSelector('#login-form', { state: 'visible' });
    check((await page.getAttribute('html', 'lang')) === 'fr', 'the page is not in French');
    await look('login');
  });

  await t.step('inbox', async () => {
    await t.login(page, 'admin');
    await t.inboxLoaded(page);
    await look('inbox');
  });

  await t.step('a case with its timeline', async () => {
    const { cases } = await (await t.api.get('/api/v1/cases?limit=100')).json();
    check(cases.length > 0, 'no case');
    for (const c of cases.slice(0, 3)) {
      await page.goto(`/#/cases/${c.id}`);
      await page.waitForSelector('ol.events li');
      await page.waitForTimeout(200);
      await look(`case ${c.id}`);
      // Who acted, as people read it: "règle SLA", "marie", never "rule:sla" or "agent:marie".
      const actors = await page.$$eval('ol.events .muted', (els) => els.map((e) => e.textContent));
      for (const a of actors) if (/\b(rule|agent|manager|admin):/.test(a)) problems.push(`case ${c.id}: actor "${a}" shown as an id`);
      const reasons = await page.$$eval('ol.events .reason', (els) => els.map((e) => e.textContent));
      for (const r of reasons) if (/^(complaint|praise|question|opening|follow_up|the (brand|customer|post)|no first response)\b/.test(r)) problems.push(`case ${c.id}: reason "${r}" is English`);
    }
  });

  await t.step('search, with a syntax error', async () => {
    await page.goto('/#/search?q=livraison');
    await page.waitForSelector('#search-count, #search-error:not(:empty)');
    await look('search');
    await page.fill('#search-q', '"unterminated');
    await page.press('#search-q', 'Enter');
    await page.waitForFunction(() => document.getElementById('search-error').textContent.length > 0);
    await look('search error');
  });

  await t.step('leaderboard and a brand', async () => {
    await page.goto('/#/leaderboard');
    await page.waitForSelector('#view h1');
    await page.waitForTimeout(300);
    await look('leaderboard');
    await page.goto('/#/brands/Jeanerie');
    await page.waitForSelector('#view h1');
    await page.waitForTimeout(300);
    await look('brand');
  });

  await t.step('settings, every section', async () => {
    await page.goto('/#/settings');
    await page.waitForSelector('#settings-rules table');
    await page.waitForSelector('#settings-users table');
    await page.waitForSelector('#settings-tokens table');
    await page.waitForTimeout(300);
    await look('settings');
    // A form's own messages: required fields, then a rule edited.
    await page.click('#rules-form button[type=submit]');
    await page.click('#settings-rules button[data-action=edit]');
    await look('settings, editing a rule');
  });

  await t.step('the shortcut sheet, when there is one', async () => {
    await page.goto('/#/inbox');
    await t.inboxLoaded(page);
    await page.locator('body').press('?');
    await page.waitForTimeout(300);
    if (await page.locator('dialog[open]').count()) await look('shortcut sheet');
  });

  await t.step('no untranslated string', async () => {
    const unique = [...new Set(problems)];
    check(unique.length === 0, `${unique.length} problem(s):\n${unique.slice(0, 60).join('\n')}`);
  });
});
