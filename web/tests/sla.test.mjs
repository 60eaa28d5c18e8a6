// Service levels in the dashboard: the SLA settings edited in Settings (an error next to its
// field, then saved and in force without a restart), the open cases sorted by their next
// breach, a countdown that moves with the clock, and an escalation by hand from the case
// page, with its reason in the timeline. axe-core on every page shown.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/sla.test.mjs

import { check, run } from './harness.mjs';

const MINUTE = 60;

async function json(res, what) {
  check(res.ok(), `${what}: HTTP ${res.status()} ${await res.text()}`);
  return res.json();
}

await run('sla', async (t) => {
  const api = t.api;
  let caseId = 0;
  let opened = 0;

  await t.step('a new Jeanerie complaint opens a case with a running first-response target', async () => {
    opened = Date.now() - 5 * MINUTE * 1000;
    const text = "@jeanerie ma commande 77777 n'est toujours pas livrée, personne ne répond, c'est inadmissible !";
    const out = await json(await api.post('/api/v1/posts', { data: { id: 'sla-1', text, author: '@sla_client', published_at: new Date(opened).toISOString() } }), 'POST /api/v1/posts');
    const first = (out.cases || [])[0];
    caseId = typeof first === 'object' && first !== null ? first.id : first;
    if (!caseId) {
      const list = await json(await api.get('/api/v1/cases?sort=recent&limit=5'), 'cases');
      caseId = list.cases.find((c) => c.customer === '@sla_client').id;
    }
    const c = (await json(await api.get(`/api/v1/cases/${caseId}`), 'case')).case;
    check(c.sla.target === 'first_response', `target ${c.sla.target}`);
    check(Number.isInteger(c.sla.seconds_left), `seconds_left ${c.sla.seconds_left}`);
    check(c.sla.level === 0, `level ${c.sla.level}`);
  });

  const page = await t.newPage({ width: 1440, height: 900 });
  await t.step('Settings: an invalid time is shown next to its field, in the user language', async () => {
    await t.login(page, 'admin');
    await page.goto('/#/settings');
    await page.waitForSelector('#sla-form');
    await page.click('#sla-add-policy');
    const last = page.locator('#sla-form fieldset.sla-policy').last();
    await last.locator('[data-field$=".brand"]').fill('Jeanerie');
    await last.locator('[data-field$=".first_response"]').fill('0');
    await page.click('#sla-save');
    await page.waitForSelector('#sla-form .field-error');
    const error = await page.textContent('#sla-form .field-error');
    check(/1 minute to 365 days/.test(error), `error: ${error}`);
    const invalid = await last.locator('[data-field$=".first_response"]').getAttribute('aria-invalid');
    check(invalid === 'true', 'the field is not marked invalid');
    await t.checkAxe(page, 'settings with an SLA error');
  });

  await t.step('Settings: Jeanerie gets 2 hours for a first response, in force at once', async () => {
    const last = page.locator('#sla-form fieldset.sla-policy').last();
    await last.locator('[data-field$=".first_response"]').fill('120');
    await page.click('#sla-save');
    await page.waitForFunction(() => (document.getElementById('sla-settings-status')?.textContent || '').includes('saved'));
    check((await page.locator('#sla-form .field-error').count()) === 0, 'an error is still shown');
    const c = (await json(await api.get(`/api/v1/cases/${caseId}`), 'case')).case;
    const due = Date.parse(c.sla.due_at);
    const expected = Math.floor(opened / 1000) * 1000 + 120 * MINUTE * 1000;
    check(Math.abs(due - expected) <= 1000, `due ${c.sla.due_at}, expected ${new Date(expected).toISOString()}`);
    const sla = await json(await api.get('/api/v1/sla'), 'GET /api/v1/sla');
    check(sla.policies.some((p) => p.brand === 'Jeanerie' && p.first_response === 7200), 'the policy is not saved');
    await t.checkAxe(page, 'settings saved');
  });

  await t.step('sort=due: running targets by deadline, the most overdue first', async () => {
    const list = await json(await api.get('/api/v1/cases?sort=due&limit=200'), 'cases');
    let seenWithout = false;
    let last = -Infinity;
    for (const c of list.cases) {
      const running = c.sla.seconds_left !== null;
      check(!(running && seenWithout), `case ${c.id} has a running target after one without`);
      if (!running) {
        seenWithout = true;
        continue;
      }
      const due = Date.parse(c.sla.due_at);
      check(due >= last, `case ${c.id} is out of order`);
      last = due;
    }
    check(list.cases.some((c) => c.id === caseId), 'the new case is not listed');
  });

  await t.step('sla=breached: exactly the cases past their deadline, filtered by the server', async () => {
    const all = (await json(await api.get('/api/v1/cases?sort=due&limit=500'), 'cases')).cases;
    const breached = (await json(await api.get('/api/v1/cases?sla=breached&sort=due&limit=500'), 'cases')).cases;
    const expected = all.filter((c) => c.sla.state === 'breached').map((c) => c.id);
    check(expected.length > 0, 'no breached case in the sample to filter');
    check(JSON.stringify(breached.map((c) => c.id)) === JSON.stringify(expected), `breached ${breached.map((c) => c.id)}, expected ${expected}`);
    check(!breached.some((c) => c.id === caseId), 'the new case, on time, is listed as breached');
    const bad = await api.get('/api/v1/cases?sla=late');
    const body = await bad.json();
    check(bad.status() === 400 && body.error.code === 'unknown_value' && body.error.field === 'sla', `sla=late: ${bad.status()} ${JSON.stringify(body)}`);
  });

  const agent = await t.newPage({ width: 1280, height: 800 });
  let due = 0;
  await t.step('the countdown on the case moves with the clock', async () => {
    const c = (await json(await api.get(`/api/v1/cases/${caseId}`), 'case')).case;
    due = Date.parse(c.sla.due_at);
    // 2 h 14 min (and a few seconds) before the deadline.
    await agent.clock.install({ time: new Date(due - (2 * 3600 + 14 * 60 + 20) * 1000) });
    await t.login(agent, 'agent1');
    await agent.goto(`/#/cases/${caseId}`);
    await agent.waitForSelector('#case-sla-cell .sla-countdown');
    const before = await agent.textContent('#case-sla-cell');
    check(before.includes('2 h 14 min left'), `countdown: ${before}`);
    check(/on time|due soon/.test(before), `state: ${before}`);
    await agent.clock.fastForward('30:00');
    await agent.waitForFunction(() => document.querySelector('#case-sla-cell .sla-countdown').textContent.includes('1 h 44 min left'));
    await agent.clock.fastForward('02:00:00');
    await agent.waitForFunction(() => document.querySelector('#case-sla-cell').textContent.includes('overdue by'));
    const after = await agent.textContent('#case-sla-cell');
    check(after.includes('breached'), `state after the deadline: ${after}`);
    check((await agent.textContent('#case-sla-target')).includes('first response'), 'target');
  });

  await t.step('an escalation by hand needs a reason, then shows on the ladder and the timeline', async () => {
    await agent.click('#escalate-submit');
    await agent.waitForSelector('#escalate-error:not([hidden])');
    check((await agent.textContent('#escalate-error')).includes('reason'), 'no error for the missing reason');
    await agent.fill('#escalate-reason', 'the customer is a journalist');
    await agent.click('#escalate-submit');
    await agent.waitForFunction(() => (document.getElementById('escalate-status')?.textContent || '').includes('escalated'));
    const level = await agent.getAttribute('#case-sla-level', 'data-level');
    check(level === '1', `level ${level}`);
    const current = await agent.textContent('#case-sla-ladder li[aria-current="step"]');
    check(current.includes('supervisor') && current.includes('agent1'), `ladder: ${current}`);
    await agent.waitForFunction(() => [...document.querySelectorAll('.timeline li, .timeline tr')].some((e) => e.textContent.includes('the customer is a journalist')));
    const events = (await json(await api.get(`/api/v1/cases/${caseId}`), 'case')).events;
    check(events.some((e) => e.kind === 'escalated' && e.actor === 'agent:agent1' && e.reason === 'the customer is a journalist'), 'no escalated event by agent1');
    await t.checkAxe(agent, 'case with its SLA');
  });

  await t.step('a Lunéa agent cannot escalate a Jeanerie case', async () => {
    const other = await t.apiAs('agent2');
    const res = await other.post(`/api/v1/cases/${caseId}/escalate`, { data: { reason: 'x' } });
    check(res.status() === 404, `HTTP ${res.status()}`);
  });

  await t.step('the French case page speaks French', async () => {
    const fr = await t.newPage({ width: 1280, height: 800, locale: 'fr-FR' });
    await t.login(fr, 'agent1');
    await fr.goto(`/#/cases/${caseId}`);
    await fr.waitForSelector('#case-sla-cell');
    const text = await fr.textContent('#case-sla');
    check(/Niveau de service/.test(text) && /Escalader/.test(text), `French: ${text.slice(0, 200)}`);
    check(/en retard de|encore/.test(text), `countdown in French: ${text.slice(0, 300)}`);
  });
});
