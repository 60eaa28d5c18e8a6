// Every page of the dashboard at the sizes people use it: 1440×900 and 1280×800 (desktops),
// 390×844 (a phone) and 720×450 (a 1440×900 screen zoomed to 200 %). On each: no sideways
// scroll, no element drawn over another (t.layoutProblems), axe-core without violation.
// With ECOUTE_SCREENSHOTS=1 each is saved as docs/screenshots/layout-<page>-<size>.png.

import { check, run } from './harness.mjs';

const SIZES = [
  [1440, 900],
  [1280, 800],
  [390, 844],
  [720, 450],
];

// A settled page: its main content drawn and no request of its own pending.
async function settle(page, ready) {
  await page.waitForFunction(ready);
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  await page.waitForTimeout(150);
}

const PAGES = (caseId) => [
  ['inbox', '/#/inbox', () => (document.getElementById('inbox-count')?.textContent || '').length > 0],
  ['case', `/#/cases/${caseId}`, () => !!document.querySelector('#view h1') && !!document.getElementById('case-status')],
  ['search', '/#/search?q=train', () => !!document.querySelector('.hit, #search-results .note')],
  ['leaderboard', '/#/leaderboard', () => !!document.querySelector('#leaderboard, #board-none-ranked') && !!document.getElementById('board-definitions')],
  ['brand', '/#/brands/Jeanerie', () => !!document.querySelector('[data-figure="response_rate"] dd')],
  ['settings', '/#/settings', () => !!document.querySelector('#view h1') && document.querySelectorAll('#view table, #view form').length > 0],
];

await run(
  'layout',
  async (t) => {
    const problems = [];
    const note = (where, found) => {
      for (const line of found) problems.push(`${where}: ${line}`);
    };
    const cases = await (await t.api.get('/api/v1/cases?status=open&limit=1')).json();
    const caseId = cases.cases[0].id;

    for (const [width, height] of SIZES) {
      const size = `${width}x${height}`;
      const page = await t.newPage({ width, height });
      await t.step(`login page at ${size}`, async () => {
        await page.goto('/');
        await page.waitForSelector('#login-form', { state: 'visible' });
        note(`login ${size}`, await t.layoutProblems(page));
        note(`login ${size}`, await t.axe(page));
        await t.shot(page, `layout-login-${size}`);
      });
      await t.login(page, 'admin');
      for (const [name, url, ready] of PAGES(caseId)) {
        await t.step(`${name} at ${size}`, async () => {
          await page.goto(url);
          await settle(page, ready);
          note(`${name} ${size}`, await t.layoutProblems(page));
          note(`${name} ${size}`, await t.axe(page));
          await t.shot(page, `layout-${name}-${size}`);
        });
      }
      if (width < 900) {
        await t.step(`the open menu at ${size}`, async () => {
          await page.click('#menu-button');
          await page.waitForSelector('#nav a[data-route="inbox"]', { state: 'visible' });
          note(`menu ${size}`, await t.layoutProblems(page));
          const header = await page.$eval('header.top', (el) => el.getBoundingClientRect().height);
          await t.shot(page, `layout-menu-${size}`);
          await page.keyboard.press('Escape');
          const closed = await page.$eval('header.top', (el) => el.getBoundingClientRect().height);
          if (closed > height / 8) problems.push(`header ${size}: ${Math.round(closed)} px tall, more than an eighth of the screen`);
          if (header <= closed) problems.push(`menu ${size}: opening the menu did not show the navigation`);
        });
      }
      await page.context().close();
    }
    await t.step('no layout problem nor accessibility violation on any page', async () => {
      check(problems.length === 0, `${problems.length} problems:\n${problems.join('\n')}`);
    });
  },
  { timeoutMs: 300000 },
);
