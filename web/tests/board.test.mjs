// The honest leaderboard: sample sizes, a minimum of cases before a brand is ranked, 95 %
// intervals that match the API (and values computed by hand on a small fixture), figures
// that open the inbox on the cases behind them, the period and the sort in the URL,
// definitions on the page, the header's menu on a phone, and axe-core.

import { check, run } from './harness.mjs';

// The fixture (the sample posts are not loaded): 12 customers complain to Skyway Airlines,
// which answers 9 of them after these delays (seconds); two complain to Jeanerie (one
// answered) and one to Lunéa: brands below the minimum of 10 cases.
const BRAND = 'Skyway Airlines';
const DELAYS = [600, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 86400];
const CUSTOMERS = 12;
// Computed by hand from report.h's definitions, independently of the server:
// - Wilson 95 % for 9/12 (z = 1.959964): p = 0.75, z²/n = 0.320122, center = (0.75 +
//   0.160061) / 1.320122 = 0.689376, half = z × sqrt(0.015625 + 0.006670) / 1.320122 =
//   0.221681: [0.4677, 0.9111];
// - nearest-rank median of the 9 delays: rank ceil(4.5) = 5, 7200 s; p90: rank ceil(8.1) = 9,
//   86400 s;
// - the bootstrap interval of the median, [1200, 21600], by the Python reimplementation of
//   the report's bootstrap (SplitMix64 seeded 20261207, 2000 resamples, index = draw mod n,
//   nearest-rank 2.5th and 97.5th percentiles of the medians) described in figures_test.cc.
const WANT = { cases: 12, responded: 9, ci: [0.4677, 0.9111], median: 7200, p90: 86400, medianCi: [1200, 21600] };

function fixture() {
  const start = Date.parse('2026-11-20T08:00:00Z');
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const lines = [];
  for (let i = 0; i < CUSTOMERS; i += 1) {
    const at = start + i * 3600 * 1000;
    const handle = `@flyer_${i}`;
    lines.push({ id: `sky${i}`, source: 'jsonl', author: { handle, name: `Flyer ${i}` }, published_at: iso(at), text: `@skywayair my flight SK${100 + i} was cancelled and nobody answers the phone, terrible service, I want a refund.` });
    if (i < DELAYS.length) {
      lines.push({ id: `sky${i}r`, source: 'jsonl', author: { handle: '@skywayair', name: 'Skyway Airlines' }, published_at: iso(at + DELAYS[i] * 1000), parent_id: `sky${i}`, text: `${handle} Hello, we are sorry about your flight. Please send us your booking number in a private message and we will look into the refund.` });
    }
  }
  const small = [
    ['@jeanerie', 'jea', 'La Jeanerie: my jeans split at the seam after one wash, terrible quality, I want a refund.', true],
    ['@jeanerie', 'jeb', 'La Jeanerie: still no answer about my broken zip, awful customer service.', false],
    ['@lunea_rail', 'lun', 'train cancelled again, Lunéa never answers, terrible.', false],
  ];
  for (const [i, [brand, id, text, answered]] of small.entries()) {
    const at = start + (i + 1) * 7200 * 1000;
    lines.push({ id, source: 'jsonl', author: { handle: `@rider_${i}`, name: `Rider ${i}` }, published_at: iso(at), text: `${brand} ${text}` });
    if (answered) lines.push({ id: `${id}r`, source: 'jsonl', author: { handle: brand, name: 'Brand' }, published_at: iso(at + 1800 * 1000), parent_id: id, text: `@rider_${i} Sorry about that, please send us your order number in a private message.` });
  }
  return lines.map((l) => JSON.stringify(l)).join('\n');
}

await run('board', async (t) => {
  let report;
  await t.step('the fixture is posted and the API reports it as computed by hand', async () => {
    const posted = await t.api.post('/api/v1/posts', { data: fixture(), headers: { 'Content-Type': 'application/x-ndjson' } });
    check(posted.ok(), `fixture: HTTP ${posted.status()} ${await posted.text()}`);
    const res = await t.api.get('/api/v1/reports');
    check(res.ok(), `report: HTTP ${res.status()}`);
    report = await res.json();
    check(report.min_cases === 10, `default min_cases: ${report.min_cases}`);
    const sky = report.brands.find((b) => b.brand === BRAND);
    check(sky, 'no Skyway Airlines in the report');
    check(sky.ranked === true && sky.rank === 1, `Skyway ranked ${sky.ranked} #${sky.rank}`);
    check(sky.cases === WANT.cases && sky.responded === WANT.responded, `cases ${sky.cases}, responded ${sky.responded}`);
    check(sky.response_rate_ci.every((v, i) => Math.abs(v - WANT.ci[i]) < 1e-4), `Wilson ${sky.response_rate_ci}`);
    check(sky.first_response_median_s === WANT.median && sky.first_response_p90_s === WANT.p90, `median ${sky.first_response_median_s}, p90 ${sky.first_response_p90_s}`);
    check(sky.first_response_median_ci_s[0] === WANT.medianCi[0] && sky.first_response_median_ci_s[1] === WANT.medianCi[1], `bootstrap ${sky.first_response_median_ci_s}`);
    check(report.brands.filter((b) => b.ranked).length === 1, 'only Skyway has 10 cases');
    const bad = await t.api.get('/api/v1/reports?min_cases=ten');
    check(bad.status() === 400, `min_cases=ten: HTTP ${bad.status()}`);
    const all = await (await t.api.get('/api/v1/reports?min_cases=0')).json();
    check(all.brands.every((b) => b.ranked), 'min_cases=0 ranks every brand');
  });

  const page = await t.newPage({ width: 1440, height: 900 });
  await t.login(page, 'admin');

  await t.step('sample sizes, intervals matching the API, unranked brands apart', async () => {
    await page.goto('/#/leaderboard');
    await page.waitForSelector(`#leaderboard tr[data-brand="${BRAND}"]`);
    const ranked = await page.$$eval('#leaderboard tbody tr', (rows) => rows.map((r) => r.dataset.brand));
    check(ranked.length === 1 && ranked[0] === BRAND, `ranked rows: ${ranked}`);
    const unranked = await page.$$eval('#leaderboard-unranked tbody tr', (rows) => rows.map((r) => r.dataset.brand));
    const want = report.brands.filter((b) => !b.ranked).map((b) => b.brand);
    check(unranked.length === want.length && want.every((b) => unranked.includes(b)), `unranked: ${unranked} / ${want}`);
    check(/10/.test(await page.textContent('#board-unranked')), 'the unranked section says how many cases are needed');
    const row = page.locator(`#leaderboard tr[data-brand="${BRAND}"]`);
    check((await row.locator('td[data-col="cases"]').innerText()).trim() === '12', 'cases cell');
    const observed = await row.locator('td[data-col="observed"]').innerText();
    check(/75\s?%/.test(observed) && /9 of 12/.test(observed), `observed cell: ${observed}`);
    const ci = row.locator('td[data-col="observed"] .ci');
    check(Number(await ci.getAttribute('data-low')) === report.brands[0].response_rate_ci[0], 'ci low = API');
    check(Number(await ci.getAttribute('data-high')) === report.brands[0].response_rate_ci[1], 'ci high = API');
    check(/47\s?%.*91\s?%/.test(await ci.innerText()), `ci text: ${await ci.innerText()}`);
    const median = await row.locator('td[data-col="median"]').innerText();
    check(/2 h/.test(median) && /20 min/.test(median) && /6 h/.test(median), `median cell: ${median}`);
  });

  await t.step('definitions on the page', async () => {
    const terms = await page.$$eval('#board-definitions [data-term]', (els) => els.map((e) => e.dataset.term));
    for (const term of ['cases', 'observed', 'first_response', 'interval', 'min_cases', 'word_of_mouth']) {
      check(terms.includes(term), `no definition of ${term}: ${terms}`);
    }
  });

  await t.step('axe-core on the leaderboard', async () => {
    await t.checkAxe(page, 'leaderboard');
  });

  await t.step('every column sorts, with aria-sort, in the URL', async () => {
    const headers = await page.$$eval('#leaderboard thead th', (ths) => ths.map((th) => th.dataset.col));
    check(headers.length >= 12, `columns: ${headers}`);
    for (const col of headers) check((await page.locator(`#leaderboard th[data-col="${col}"] button.sort`).count()) === 1, `no sort button on ${col}`);
    await page.click('#leaderboard-unranked th[data-col="mentions"] button');
    await page.waitForFunction(() => document.querySelector('#leaderboard-unranked th[data-col="mentions"]')?.getAttribute('aria-sort') === 'ascending');
    check(/sort=mentions/.test(page.url()), `URL: ${page.url()}`);
    await page.click('#leaderboard-unranked th[data-col="mentions"] button');
    await page.waitForFunction(() => document.querySelector('#leaderboard-unranked th[data-col="mentions"]')?.getAttribute('aria-sort') === 'descending');
    check(/dir=desc/.test(page.url()), `URL: ${page.url()}`);
    const order = await page.$$eval('#leaderboard-unranked tbody tr', (rows) => rows.map((r) => r.dataset.brand));
    const mentions = Object.fromEntries(report.brands.map((b) => [b.brand, b.mentions]));
    for (let i = 1; i < order.length; i += 1) check(mentions[order[i - 1]] >= mentions[order[i]], `not by decreasing mentions: ${order}`);
  });

  await t.step('the period selector and the minimum are in the URL', async () => {
    await page.selectOption('#board-period', '30');
    await page.waitForFunction(() => /period=30/.test(location.hash));
    await page.fill('#board-min-cases', '1');
    await page.click('#board-apply');
    await page.waitForFunction(() => /min_cases=1/.test(location.hash));
    await page.reload();
    await page.waitForSelector('#leaderboard tbody tr');
    check((await page.inputValue('#board-period')) === '30', 'period lost on reload');
    check((await page.inputValue('#board-min-cases')) === '1', 'min_cases lost on reload');
    check(/since/i.test(await page.textContent('#board-covers')), `covers: ${await page.textContent('#board-covers')}`);
    await page.selectOption('#board-period', 'custom');
    await page.fill('#board-since', '2026-11-01');
    await page.fill('#board-until', '2026-11-30');
    await page.click('#board-apply');
    await page.waitForFunction(() => /since=2026-11-01/.test(location.hash) && /until=2026-11-30/.test(location.hash));
    await page.waitForFunction(() => /2026-11-01.*2026-11-30/.test(document.getElementById('board-covers')?.textContent || ''));
  });

  await t.step('a figure opens the inbox on the cases behind it', async () => {
    await page.goto('/#/leaderboard');
    const link = page.locator(`#leaderboard tr[data-brand="${BRAND}"] td[data-col="unanswered"] a`);
    check((await link.innerText()).trim() === '3', `unanswered: ${await link.innerText()}`);
    await link.click();
    await page.waitForFunction(() => location.hash.startsWith('#/inbox?'));
    const params = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    check(params.get('brand') === BRAND && params.get('unanswered') === 'true', `inbox URL: ${page.url()}`);
    await page.goto('/#/leaderboard');
    await page.click(`#leaderboard tr[data-brand="${BRAND}"] td[data-col="cases"] a`);
    await page.waitForFunction(() => location.hash.startsWith('#/inbox?'));
    const all = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    check(all.get('brand') === BRAND && all.getAll('status').length === 5, `inbox URL: ${page.url()}`);
  });

  await t.step('the brand page shows the intervals and keeps its period in the URL', async () => {
    await page.goto(`/#/brands/${encodeURIComponent(BRAND)}?period=90`);
    await page.waitForSelector('[data-figure="response_rate"] dd');
    check((await page.inputValue('#brand-period')) === '90', 'brand period from the URL');
    check(/47\s?%.*91\s?%/.test(await page.textContent('[data-figure="response_rate"] dd')), 'brand response interval');
    await t.checkAxe(page, 'brand page');
  });

  await t.step('a brand-scoped agent sees only its brand on the leaderboard', async () => {
    const agent = await t.apiAs('agent1');
    const mine = await (await agent.get('/api/v1/reports?min_cases=0')).json();
    check(mine.brands.length === 1 && mine.brands[0].brand === 'Jeanerie', `agent1 sees ${mine.brands.map((b) => b.brand)}`);
  });

  await t.step('the header folds into a menu on a phone', async () => {
    const phone = await t.newPage({ width: 390, height: 844 });
    await t.login(phone, 'admin');
    await phone.goto('/#/leaderboard');
    await phone.waitForSelector('#leaderboard tbody tr');
    check(await phone.isVisible('#menu-button'), 'no menu button on a phone');
    check(!(await phone.isVisible('#nav a[data-route="search"]')), 'the nav shows before the menu opens');
    const header = await phone.$eval('header.top', (el) => el.getBoundingClientRect().height);
    check(header < 844 / 10, `header height ${header}`);
    await phone.click('#menu-button');
    check((await phone.getAttribute('#menu-button', 'aria-expanded')) === 'true', 'aria-expanded after opening');
    check(await phone.isVisible('#nav a[data-route="search"]'), 'the nav is hidden in the open menu');
    await t.checkAxe(phone, 'open menu on a phone');
    await phone.keyboard.press('Escape');
    check((await phone.getAttribute('#menu-button', 'aria-expanded')) === 'false', 'Escape does not close the menu');
    check(await phone.evaluate(() => document.activeElement?.id === 'menu-button'), 'focus not back on the menu button');
    await phone.click('#menu-button');
    await phone.click('#nav a[data-route="search"]');
    await phone.waitForFunction(() => location.hash.startsWith('#/search'));
    check((await phone.getAttribute('#menu-button', 'aria-expanded')) === 'false', 'following a link leaves the menu open');
    await phone.context().close();
  });
  await page.context().close();
}, { seed: false });
