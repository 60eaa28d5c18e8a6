// The inbox a team works in: views in the URL (restored in a new page, and by back), a
// saved view after a reload, a live spike banner, a bulk resolve of several cases with one
// reason, cards without sideways scroll on a phone and at 200 % zoom, and axe-core.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/inbox.test.mjs

import { check, run, WAIT } from './harness.mjs';

const VIEW = '/#/inbox?status=open&brand=Jeanerie&sort=recent';

// Six complaints about Jeanerie from six customers, now: six cases, and a spike (no mention
// of the brand in the 47 hours before, then six in this one).
function outage(tag) {
  return Array.from({ length: 6 }, (_, i) =>
    JSON.stringify({ id: `${tag}-${i}`, source: 'jsonl', author: { handle: `@client_${tag}_${i}` }, text: `@jeanerie site en panne, impossible de payer ma commande ${i}, remboursez-moi` }),
  ).join('\n');
}

const rowIds = (page) => page.$$eval('#inbox-table tbody tr', (rows) => rows.map((r) => r.dataset.id));

await run('inbox', async (t) => {
  const step = (name, fn) => t.step(name, fn);
  let page;
  let firstRows;

  await step('a view opened from its URL shows its filters and rows', async () => {
    page = await t.newPage({ width: 1440, height: 900 });
    await t.login(page, 'admin');
    await page.goto(VIEW);
    await t.inboxLoaded(page);
    check((await page.inputValue('#f-brand')) === 'Jeanerie', 'the brand filter comes from the URL');
    check((await page.inputValue('#f-sort')) === 'recent', 'the sort comes from the URL');
    firstRows = await rowIds(page);
    check(firstRows.length > 0, 'the view has cases');
    const other = await t.newPage({ width: 1440, height: 900 });
    await t.login(other, 'admin');
    await other.goto(VIEW);
    await t.inboxLoaded(other);
    check((await other.inputValue('#f-brand')) === 'Jeanerie', 'a new page restores the brand');
    const again = await rowIds(other);
    check(JSON.stringify(again) === JSON.stringify(firstRows), `same rows in a new page: ${again} vs ${firstRows}`);
    await other.context().close();
  });

  await step('a filter changed goes into the URL, and back restores the view', async () => {
    await page.selectOption('#f-sort', 'oldest');
    await page.waitForFunction(() => location.hash.includes('sort=oldest'));
    await page.goBack();
    await page.waitForFunction(() => location.hash.includes('sort=recent'));
    await t.inboxLoaded(page);
    await page.waitForFunction(() => document.getElementById('f-sort')?.value === 'recent');
  });

  await step('a saved view is listed after a reload', async () => {
    await page.fill('#save-view input[type=text]', 'Jeanerie récents');
    await page.click('#save-view button[type=submit]');
    await page.waitForSelector('#saved-views a:has-text("Jeanerie récents")');
    await page.reload();
    await t.inboxLoaded(page);
    const link = page.locator('#saved-views a', { hasText: 'Jeanerie récents' });
    await link.waitFor();
    check((await link.getAttribute('href')) === '#/inbox?status=open&brand=Jeanerie&sort=recent', 'the saved view keeps the query');
  });

  await step('a spike of complaints shows a banner live, with a link to its cases', async () => {
    await page.goto('/#/inbox?status=open&brand=Jeanerie&sort=recent');
    await t.inboxLoaded(page);
    await page.waitForSelector('#live-state.live-on');
    const pushed = await t.api.post('/api/v1/posts', { data: outage('panne'), headers: { 'Content-Type': 'application/x-ndjson' } });
    check(pushed.ok(), `push: HTTP ${pushed.status()}`);
    const banner = page.locator('.spike-banner');
    await banner.waitFor({ timeout: WAIT });
    const text = await banner.textContent();
    check(/Spike: \d+ mentions of Jeanerie/.test(text), `banner: ${text}`);
    check((await banner.locator('a').getAttribute('href')).includes('brand=Jeanerie'), 'the banner links to the brand\'s cases');
    await page.waitForFunction(() => document.querySelectorAll('#inbox-table tbody tr').length >= 6);
  });

  await step('a bulk resolve of several cases with one reason', async () => {
    const ids = await page.$$eval('#inbox-table tbody tr', (rows) => rows.filter((r) => /site en panne/.test(r.textContent)).map((r) => r.dataset.id));
    check(ids.length >= 4, `outage cases in the inbox: ${ids.length}`);
    const chosen = ids.slice(0, 4);
    check((await rowIds(page))[0] === chosen[0], 'the newest outage case comes first');
    for (const id of chosen.slice(1)) await page.check(`#inbox-table input.pick[data-id="${id}"]`);
    // x selects the focused row: j focuses the first.
    await page.focus('h1');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.waitForFunction((n) => /(\d+)/.test(document.getElementById('bulk-count')?.textContent || '') && document.querySelectorAll('#inbox-table input.pick:checked').length === n, 4);
    check((await page.textContent('#bulk-count')).includes('4'), 'four cases selected');
    await t.checkAxe(page, 'the inbox with a selection and a spike');
    await page.selectOption('#bulk-bar select[name=action]', 'resolve');
    await page.fill('#bulk-bar input[type=text]', 'panne du site réglée');
    await page.click('#bulk-bar button[type=submit]');
    await page.waitForSelector('#bulk-result:has-text("4 cases updated.")');
    await page.waitForFunction((gone) => gone.every((id) => !document.querySelector(`#inbox-table tr[data-id="${id}"]`)), chosen);
    for (const id of chosen) {
      const res = await t.api.get(`/api/v1/cases/${id}`);
      const data = await res.json();
      check(data.case.status === 'resolved', `case ${id}: ${data.case.status}`);
      check(data.events.some((e) => e.kind === 'resolved' && e.reason === 'panne du site réglée'), `case ${id} has the reason`);
    }
  });

  await step('a failure is reported for its case', async () => {
    const res = await t.api.post('/api/v1/cases/bulk', { data: { ids: [999999], action: 'note', text: 'x' } });
    const data = await res.json();
    check(data.failed === 1 && data.results[0].error.code === 'not_found', JSON.stringify(data));
  });

  for (const [label, size] of [
    ['a phone, 390×844', { width: 390, height: 844 }],
    ['200 % zoom, a 720×450 CSS viewport', { width: 720, height: 450 }],
  ]) {
    await step(`the inbox is a list of cards without sideways scroll on ${label}`, async () => {
      const small = await t.newPage(size);
      await t.login(small, 'admin');
      await small.goto('/#/inbox?status=open');
      await t.inboxLoaded(small);
      const problems = await t.layoutProblems(small);
      check(problems.length === 0, `layout problems:\n${problems.join('\n')}`);
      // SLA and status come first in each card, above the title.
      const order = await small.$eval('#inbox-table tbody tr', (row) => {
        const top = (sel) => row.querySelector(sel).getBoundingClientRect().top;
        return { sla: top('.col-sla'), status: top('.col-status'), title: top('.col-title') };
      });
      check(order.sla < order.title && order.status < order.title, `card order: ${JSON.stringify(order)}`);
      await t.shot(small, `inbox-${size.width}`);
      await t.checkAxe(small, `the inbox on ${label}`);
      await small.context().close();
    });
  }

  await step('axe-core finds nothing on the inbox', async () => {
    await page.goto('/#/inbox');
    await t.inboxLoaded(page);
    await t.checkAxe(page, 'the inbox');
  });
});
