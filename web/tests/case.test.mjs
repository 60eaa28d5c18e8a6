// The case page worked by two people at once: agent1 writes while admin acts on the same
// case. agent1's drafts survive the live updates and a reload, each sees the other in the
// presence line, an action on a case a teammate changed meanwhile asks first; the summary
// keeps each value under its label at three sizes; the keyboard shortcuts and their cheat
// sheet; axe-core on the page and its dialogs.

import { check, run } from './harness.mjs';

// A new Jeanerie complaint (agent1's brand): the id of its case.
async function newCase(t, n) {
  const post = { id: `case-test-${n}`, text: `@jeanerie commande ${n} jamais livrée, remboursez-moi !`, author: `@client_${n}`, published_at: new Date().toISOString() };
  const res = await t.api.post('/api/v1/posts', { data: post });
  check(res.ok(), `POST /api/v1/posts: HTTP ${res.status()} ${await res.text()}`);
  const out = await res.json();
  const first = (out.cases || [])[0];
  const id = typeof first === 'object' && first !== null ? first.id : first;
  check(Number.isInteger(id) && id > 0, `no case for post ${n}: ${JSON.stringify(out)}`);
  return id;
}

async function openCase(page, id) {
  await page.goto(`/#/cases/${id}`);
  await page.waitForSelector('#case-title');
  await page.waitForSelector('#note-text', { state: 'visible' });
}

async function adminPost(t, path, body) {
  const res = await t.api.post(`/api/v1${path}`, { data: body });
  check(res.ok(), `${path}: HTTP ${res.status()} ${await res.text()}`);
  return res.json();
}

// Each dt of the summary with its dd right under it, in the same cell.
async function summaryMisfits(page) {
  return page.evaluate(() => {
    const out = [];
    const dl = document.getElementById('case-summary');
    if (!dl) return ['no summary'];
    for (const child of dl.children) {
      if (child.tagName !== 'DIV') out.push(`${child.tagName} directly in the dl`);
    }
    for (const item of dl.querySelectorAll('.summary-item')) {
      const dt = item.querySelector('dt');
      const dd = item.querySelector('dd');
      if (!dt || !dd) {
        out.push(`an item without its pair: ${item.textContent}`);
        continue;
      }
      const a = dt.getBoundingClientRect();
      const b = dd.getBoundingClientRect();
      const under = b.top >= a.bottom - 1 && b.top - a.bottom < 12 && Math.abs(b.left - a.left) < 2;
      const beside = Math.abs(b.top - a.top) < 4 && b.left >= a.right - 1 && b.left - a.right < 24;
      if (!under && !beside) out.push(`"${dt.textContent}" at ${Math.round(a.left)},${Math.round(a.bottom)} but its value at ${Math.round(b.left)},${Math.round(b.top)}`);
    }
    return out;
  });
}

const draft = 'La cliente rappelle demain : ne pas clore avant';

// agent1 writes while admin acts: drafts, presence, live updates, a reload.
async function together(t, agent, admin, caseId) {
  const step = (name, fn) => t.step(name, fn);
  await step('agent1 and admin open the same case; each sees the other', async () => {
    await t.login(agent, 'agent1');
    await t.login(admin, 'admin');
    await agent.waitForSelector('#live-state.live-on');
    await admin.waitForSelector('#live-state.live-on');
    await openCase(agent, caseId);
    await openCase(admin, caseId);
    await agent.waitForSelector('#case-presence [data-user="admin"]');
    await admin.waitForSelector('#case-presence [data-user="agent1"]');
  });

  await step('agent1 types a note: kept as a draft, admin sees "typing"', async () => {
    await agent.click('#note-text');
    await agent.keyboard.type(draft);
    await agent.fill('#status-reason', 'Remboursement fait');
    await agent.waitForSelector('#note-text-draft:not([hidden])');
    await admin.waitForSelector('#case-presence [data-user="agent1"][data-state="typing"]');
    check((await admin.textContent('#case-presence')).includes('typing'), 'no "typing" in the presence line');
    await agent.focus('#note-text');
  });

  await step('admin adds a note and assigns: agent1 sees it live, the drafts and the focus stay', async () => {
    await admin.fill('#note-text', 'Colis retrouvé au dépôt');
    await admin.click('#note-submit');
    await admin.waitForSelector('.events li[data-kind="note"]');
    await adminPost(t, `/cases/${caseId}/assign`, { assignee: 'agent1' });
    await agent.waitForSelector('.events li[data-kind="note"]');
    await agent.waitForFunction(() => document.getElementById('case-assignee')?.textContent === 'agent1');
    check((await agent.inputValue('#note-text')) === draft, 'the note draft was lost');
    check((await agent.inputValue('#status-reason')) === 'Remboursement fait', 'the reason was lost');
    check(await agent.evaluate(() => document.activeElement?.id === 'note-text'), 'the focus left the note');
    check((await agent.textContent('#case-live-line')).includes('admin'), 'no word of the teammate change');
    await agent.evaluate(() => window.scrollTo(0, 0));
    await t.shot(agent, 'case-together');
  });

  await step('a reload keeps the drafts', async () => {
    await agent.reload();
    await agent.waitForSelector('#note-text', { state: 'visible' });
    check((await agent.inputValue('#note-text')) === draft, 'the note draft is gone after a reload');
    check((await agent.inputValue('#status-reason')) === 'Remboursement fait', 'the reason is gone after a reload');
    await agent.waitForSelector('#note-text-draft:not([hidden])');
  });

  await step('axe-core: the case page with presence and drafts', async () => {
    await agent.waitForSelector('#case-presence [data-user="admin"]');
    await t.checkAxe(agent, 'the case page');
  });

}

// Actions on a case that a teammate changed meanwhile, and drafts sent or discarded.
async function conflicts(t, agent, caseId) {
  const step = (name, fn) => t.step(name, fn);
  await step('a teammate changed the case: resolving asks first, Cancel does nothing', async () => {
    await adminPost(t, `/cases/${caseId}/notes`, { text: 'Je le prends' });
    await agent.click('#resolve-submit');
    await agent.waitForSelector('#conflict-dialog[open] li[data-kind="note"]');
    check((await agent.textContent('#conflict-dialog')).includes('by admin'), 'the dialog does not say who changed it');
    await t.checkAxe(agent, 'the conflict dialog');
    await t.shot(agent, 'case-conflict');
    await agent.click('#conflict-cancel');
    await agent.waitForFunction(() => !document.getElementById('conflict-dialog'));
    check(!/resolved/.test(await agent.textContent('#case-status')), 'resolved despite Cancel');
    check((await agent.inputValue('#status-reason')) === 'Remboursement fait', 'Cancel lost the reason');
  });

  await step('another change, then "Apply anyway" resolves and forgets the reason', async () => {
    await adminPost(t, `/cases/${caseId}/priority`, { priority: 77, reason: 'client VIP' });
    await agent.click('#resolve-submit');
    await agent.waitForSelector('#conflict-dialog[open] li[data-kind="priority"]');
    await agent.click('#conflict-apply');
    await agent.waitForFunction(() => /resolved/.test(document.getElementById('case-status')?.textContent || ''));
    check((await agent.inputValue('#status-reason')) === '', 'the reason is still there');
    check(await agent.isHidden('#status-reason-draft'), 'the reason draft is still shown');
    check((await agent.inputValue('#note-text')) === draft, 'the note draft was lost by the action');
  });

  await step('the note draft is discarded on demand, and sent notes forget theirs', async () => {
    await agent.click('#note-text-draft button');
    check((await agent.inputValue('#note-text')) === '', 'Discard left the text');
    await agent.reload();
    await agent.waitForSelector('#note-text', { state: 'visible' });
    check((await agent.inputValue('#note-text')) === '', 'the discarded draft came back');
    await agent.fill('#note-text', 'Envoyée');
    await agent.click('#note-submit');
    await agent.waitForSelector('.events li[data-kind="note"] >> text=Envoyée');
    await agent.reload();
    await agent.waitForSelector('#note-text', { state: 'visible' });
    check((await agent.inputValue('#note-text')) === '', 'a sent note came back as a draft');
  });

}

async function layout(t, agent) {
  await t.step('the summary keeps each value under its label at 1440, 1280 and 390 px', async () => {
    for (const [width, height] of [
      [1440, 900],
      [1280, 800],
      [390, 844],
    ]) {
      await agent.setViewportSize({ width, height });
      await agent.waitForTimeout(100);
      const misfits = await summaryMisfits(agent);
      check(misfits.length === 0, `${width}×${height}: ${misfits.join('; ')}`);
      const problems = await t.layoutProblems(agent, '#case-summary dt, #case-summary dd, #case-presence, #case-title');
      check(problems.length === 0, `${width}×${height}: ${problems.join('; ')}`);
    }
    await agent.setViewportSize({ width: 1440, height: 900 });
  });
}

async function caseKeys(t, agent, caseId) {
  const step = (name, fn) => t.step(name, fn);

  await step('keys on the case page: Escape leaves a field, n, e, a, and the cheat sheet', async () => {
    await agent.focus('#note-text');
    await agent.keyboard.press('Escape');
    check(await agent.evaluate(() => document.activeElement?.id !== 'note-text'), 'Escape did not leave the field');
    await agent.keyboard.press('n');
    check(await agent.evaluate(() => document.activeElement?.id === 'note-text'), 'n did not go to the note');
    await agent.keyboard.press('Escape');
    await agent.keyboard.press('e');
    check(await agent.evaluate(() => document.activeElement?.id === 'status-reason'), 'e did not go to the reason');
    await agent.keyboard.press('Escape');
    await adminPost(t, `/cases/${caseId}/assign`, { assignee: 'admin' });
    await agent.waitForFunction(() => document.getElementById('case-assignee')?.textContent === 'admin');
    await agent.keyboard.press('a');
    await agent.waitForSelector('#conflict-dialog[open] li[data-kind="assigned"]');
    await agent.click('#conflict-apply');
    await agent.waitForFunction(() => document.getElementById('case-assignee')?.textContent === 'agent1');
    await agent.keyboard.press('?');
    await agent.waitForSelector('#shortcuts-dialog[open]');
    const sheet = await agent.textContent('#shortcuts-dialog');
    for (const words of ['Assign the case to me', 'Write an internal note', 'Next case of the inbox', 'Search', 'Go to the inbox']) {
      check(sheet.includes(words), `the cheat sheet lacks "${words}"`);
    }
    await t.checkAxe(agent, 'the shortcuts cheat sheet');
    await t.shot(agent, 'shortcuts');
    await agent.keyboard.press('Escape');
    await agent.waitForFunction(() => !document.getElementById('shortcuts-dialog'));
  });

  await step('the cheat sheet speaks French', async () => {
    await agent.selectOption('#lang', 'fr');
    await agent.waitForSelector('#note-text', { state: 'visible' });
    await agent.focus('#lang');
    await agent.keyboard.press('?');
    await agent.waitForSelector('#shortcuts-dialog[open]');
    const sheet = await agent.textContent('#shortcuts-dialog');
    check(sheet.includes('Raccourcis clavier') && sheet.includes('M’assigner le dossier'), `not in French: ${sheet}`);
    await agent.keyboard.press('Escape');
    await agent.selectOption('#lang', 'en');
  });

}

async function moves(t, agent, admin, caseId) {
  const step = (name, fn) => t.step(name, fn);
  await step('j / k from a focused filter select, ] and [ between cases, g i, /', async () => {
    await newCase(t, 61002);
    await newCase(t, 61003);
    await agent.goto('/#/inbox');
    await t.inboxLoaded(agent);
    await agent.waitForSelector('#inbox-table tbody tr:nth-child(2)');
    await agent.focus('#f-brand');
    await agent.keyboard.press('j');
    await agent.waitForSelector('#inbox-table tbody tr.selected:focus');
    check((await agent.inputValue('#f-brand')) === '', 'j changed the filter');
    await agent.keyboard.press('j');
    await agent.keyboard.press('k');
    check(await agent.evaluate(() => document.activeElement?.matches('#inbox-table tbody tr:first-child')), 'k did not go back to the first row');
    const ids = await agent.$$eval('#inbox-table tbody tr', (rows) => rows.map((r) => Number(r.dataset.id)));
    await openCase(agent, ids[0]);
    await agent.keyboard.press(']');
    await agent.waitForFunction((id) => location.hash === `#/cases/${id}`, ids[1]);
    await agent.waitForSelector('#note-text', { state: 'visible' });
    await agent.keyboard.press('[');
    await agent.waitForFunction((id) => location.hash === `#/cases/${id}`, ids[0]);
    await agent.waitForSelector('#note-text', { state: 'visible' });
    await agent.keyboard.press('g');
    await agent.keyboard.press('i');
    await agent.waitForFunction(() => location.hash === '#/inbox');
    await t.inboxLoaded(agent);
    await agent.focus('#f-brand');
    await agent.keyboard.press('/');
    await agent.waitForFunction(() => location.hash.startsWith('#/search'));
  });

  await step('leaving the case takes agent1 out of the presence line', async () => {
    await openCase(agent, caseId);
    await admin.waitForSelector('#case-presence [data-user="agent1"]');
    await agent.goto('/#/inbox');
    await admin.waitForSelector('#case-presence [data-user="agent1"]', { state: 'detached' });
  });
}

run('case page', async (t) => {
  const caseId = await newCase(t, 61001);
  const agent = await t.newPage({ width: 1440, height: 900 });
  const admin = await t.newPage();
  await together(t, agent, admin, caseId);
  await conflicts(t, agent, caseId);
  await layout(t, agent);
  await caseKeys(t, agent, caseId);
  await moves(t, agent, admin, caseId);
});
