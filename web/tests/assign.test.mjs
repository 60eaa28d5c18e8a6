// Assignment in the browser: an admin gives a Jeanerie case to agent1 from the picker;
// agent1, signed in elsewhere, is told live and finds the case under "Assigned to me"; an
// assignee the case's brand does not allow is refused by the API; a team is created in
// Settings, and the case picker offers it. axe-core finds nothing on either page.

import { check, run, WAIT } from './harness.mjs';

run('assign', async (t) => {
  const admin = await t.newPage();
  const agent = await t.newPage();
  let caseId = 0;

  await t.step('agent1 opens the dashboard (its live stream is open)', async () => {
    await t.login(agent, 'agent1');
    await t.inboxLoaded(agent);
    await agent.waitForSelector('#live-state.live-on');
  });

  await t.step('a Jeanerie case, unassigned', async () => {
    const list = await (await t.api.get('/api/v1/cases?brand=Jeanerie&limit=100')).json();
    const open = list.cases.find((c) => !c.assignee);
    check(open, 'no unassigned Jeanerie case');
    caseId = open.id;
  });

  await t.step('the picker offers only the people allowed on the brand', async () => {
    await t.login(admin, 'admin');
    await admin.goto(`/#/cases/${caseId}`);
    await admin.waitForSelector('#case-assign select option[value="agent1"]', { state: 'attached' });
    const values = await admin.$$eval('#case-assign select option', (os) => os.map((o) => o.value));
    check(values.includes('admin') && values.includes('agent1'), `options: ${values}`);
    check(!values.includes('agent2'), `agent2 (Lunéa) is offered: ${values}`);
    const label = await admin.$eval('#case-assign select', (s) => s.labels[0].textContent);
    check(label === 'Assign to', `picker label: ${label}`);
  });

  await t.step('axe-core: the case page with its picker', async () => {
    await t.checkAxe(admin, 'the case page');
  });

  await t.step('admin assigns the case to agent1 from the picker', async () => {
    await admin.selectOption('#case-assign select', 'agent1');
    await admin.click('#assign-submit');
    await admin.waitForFunction(() => (document.querySelector('#case-assign .assign-current strong') || {}).textContent === 'agent1');
  });

  await t.step('agent1 is told live, with a link to the case', async () => {
    await agent.waitForSelector(`.toast[data-case="${caseId}"]`, { timeout: WAIT });
    const text = await agent.textContent(`.toast[data-case="${caseId}"]`);
    check(text.includes(`#${caseId}`) && text.includes('by admin'), `toast: ${text}`);
  });

  await t.step('agent1 finds the case under "Assigned to me"', async () => {
    await agent.click('a[data-view="mine"]');
    await agent.waitForSelector(`tr[data-id="${caseId}"]`);
    const others = await agent.$$eval('tbody tr[data-id]', (rows) => rows.map((r) => r.querySelector('.col-assignee').textContent));
    check(others.every((a) => a === 'agent1'), `mine shows: ${others}`);
  });

  await t.step('an assignee the brand does not allow is refused', async () => {
    for (const assignee of ['agent2', 'nobody-at-all', 'team:ghosts']) {
      const r = await t.api.post(`/api/v1/cases/${caseId}/assign`, { data: { assignee } });
      check(r.status() === 400, `${assignee}: HTTP ${r.status()}`);
      const body = await r.json();
      check(body.error.code === 'unknown_assignee' && body.error.field === 'assignee', JSON.stringify(body));
    }
    const detail = await (await t.api.get(`/api/v1/cases/${caseId}`)).json();
    check(detail.case.assignee === 'agent1', `assignee now: ${detail.case.assignee}`);
  });

  await t.step('a team is created in Settings', async () => {
    await admin.goto('/#/settings');
    await admin.waitForSelector('#settings-teams .team-form');
    await admin.fill('#settings-teams .team-form input[id^="team-name"]', 'Billing');
    await admin.selectOption('#settings-teams .team-form select', 'Jeanerie');
    await admin.waitForSelector('#settings-teams .team-members input[value="agent1"]');
    await admin.check('#settings-teams .team-members input[value="agent1"]');
    await admin.check('#settings-teams .team-form input[type=checkbox][id^="team-rr"]');
    await admin.click('#settings-teams .team-form button[type=submit]');
    await admin.waitForSelector('#settings-teams tr[data-team="Billing"]');
    const row = await admin.textContent('#settings-teams tr[data-team="Billing"]');
    check(row.includes('Jeanerie') && row.includes('agent1'), `row: ${row}`);
  });

  await t.step('axe-core: the settings with the teams', async () => {
    await t.checkAxe(admin, 'the settings');
  });

  await t.step('the case picker offers the team, and the case goes to it', async () => {
    await admin.goto(`/#/cases/${caseId}`);
    await admin.waitForSelector('#case-assign select option[value="team:Billing"]', { state: 'attached' });
    await admin.selectOption('#case-assign select', 'team:Billing');
    await admin.click('#assign-submit');
    await admin.waitForFunction(() => (document.querySelector('#case-assign .assign-current strong') || {}).textContent === 'team Billing');
  });

  await t.step('an error reads as a sentence next to the picker', async () => {
    await admin.waitForSelector('#case-assign select option[value="team:Billing"]', { state: 'attached' });
    await admin.evaluate(() => {
      const select = document.querySelector('#case-assign select');
      select.append(new Option('ghost', 'ghost'));
      select.value = 'ghost';
    });
    await admin.click('#assign-submit');
    await admin.waitForFunction(() => (document.querySelector('#case-assign .error') || {}).textContent);
    const error = await admin.textContent('#case-assign .error');
    check(error.includes('“ghost” cannot be given this case'), `error: ${error}`);
  });
});
