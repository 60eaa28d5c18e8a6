// Settings without traps: two sources and two rules made in a row (the second like the
// first: enabled, with its default triggers), a rule's signing secret shown once in full,
// a test delivery to a receiver on loopback that checks the signature, a rule edited in
// place, errors under their field in French, and axe-core on the page.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/settings.test.mjs

import { createHmac } from 'node:crypto';
import http from 'node:http';
import { check, readBody, run } from './harness.mjs';

// A webhook receiver on loopback that keeps what it receives.
function startReceiver() {
  const received = [];
  const server = http.createServer(async (req, res) => {
    received.push({ headers: req.headers, body: await readBody(req), path: req.url });
    res.writeHead(204);
    res.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, received, url: `http://127.0.0.1:${server.address().port}/hook` }));
  });
}

// Standard Webhooks: base64 HMAC-SHA256 of "id.timestamp.body" keyed with the secret's key.
function signatureOf(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

async function status(page, key, pattern) {
  await page.waitForFunction(([k, p]) => new RegExp(p).test(document.getElementById(`settings-${k}-status`)?.textContent || ''), [key, pattern.source]);
}

// Sources and rules made in a row; returns the secret shown for the first rule.
async function makeInARow(t, page, receiver) {
  let secret = '';
  await t.step('admin opens the settings', async () => {
    await t.login(page, 'admin');
    await t.inboxLoaded(page);
    await page.goto('/#/settings');
    await page.waitForSelector('#sources-form');
    await page.waitForSelector('#settings-brands table');
    const required = await page.$$eval('#sources-form [aria-required="true"]', (els) => els.map((e) => e.name));
    check(required.includes('url'), `the URL is not marked required: ${required}`);
    check((await page.locator('#sources-form .required-mark').count()) > 0, 'no visible required mark');
    const aliases = await page.textContent('#settings-brands');
    check(aliases.includes('Voltaire Energie'), 'the catalog does not show the aliases');
  });

  await t.step('two sources in a row, both enabled', async () => {
    for (const n of [1, 2]) {
      check(await page.isChecked('#sources-form input[name=enabled]'), `the form is not back to enabled before source ${n}`);
      await page.fill('#sources-form input[name=url]', `https://feeds.example.com/${n}.xml`);
      await page.fill('#sources-form input[name=label]', `Feed ${n}`);
      await page.click('#sources-form button[type=submit]');
      await status(page, 'sources', new RegExp(`Feed ${n}.*added`));
      await page.waitForSelector(`#settings-sources tbody tr:nth-child(${n})`);
    }
    const { sources } = await (await t.api.get('/api/v1/sources')).json();
    check(sources.length === 2 && sources.every((s) => s.enabled && s.interval_seconds === 900), `sources: ${JSON.stringify(sources)}`);
  });

  await t.step('a rule: its secret shown once in full, then masked', async () => {
    await page.fill('#rules-form input[name=name]', 'Night team');
    await page.fill('#rules-form input[name=url]', receiver.url);
    await page.check('#rules-form fieldset[data-field=brands] input[value="Jeanerie"]');
    await page.click('#rules-form button[type=submit]');
    await status(page, 'rules', /Night team.*added/);
    await page.waitForSelector('#rule-secret input[data-secret=full]');
    secret = await page.inputValue('#rule-secret input[data-secret=full]');
    check(/^whsec_[A-Za-z0-9+/=]{40,}$/.test(secret), `secret shown: ${secret}`);
    check(/not see it again/.test(await page.textContent('#rule-secret')), 'no "you will not see it again"');
    await page.click('#rule-secret-copy');
    const table = await page.textContent('#settings-rules table');
    check(!table.includes(secret.slice(6, 16)), 'the list shows the secret');
    await page.reload();
    await page.waitForSelector('#settings-rules table');
    check(!(await page.content()).includes(secret.slice(6, 16)), 'the secret shows again after a reload');
  });

  await t.step('a second rule like the first: enabled, on case opened', async () => {
    check(await page.isChecked('#rules-form input[name=enabled]'), 'the rule form is not back to enabled');
    check(await page.isChecked('#rules-form fieldset[data-field=triggers] input[value=on_case_opened]'), 'the trigger is not back to its default');
    await page.fill('#rules-form input[name=name]', 'Day team');
    await page.fill('#rules-form input[name=url]', receiver.url);
    await page.check('#rules-form fieldset[data-field=topics] input[value=delivery]');
    await page.click('#rules-form button[type=submit]');
    await status(page, 'rules', /Day team.*added/);
    const { rules } = await (await t.api.get('/api/v1/rules')).json();
    check(rules.length === 2, `${rules.length} rules`);
    for (const r of rules) check(r.enabled && r.on_case_opened && r.stances.includes('complaint'), `rule not made like the first: ${JSON.stringify(r)}`);
    check(JSON.stringify(rules[1].topics) === '["delivery"]', `topics: ${rules[1].topics}`);
  });

  return secret;
}

// The test delivery and an edit in place.
async function testAndEdit(t, page, receiver, secret) {
  await t.step('a test delivery reaches the receiver, signed', async () => {
    const { rules } = await (await t.api.get('/api/v1/rules')).json();
    const first = rules.find((r) => r.name === 'Night team');
    await page.click(`#settings-rules tr[data-id="${first.id}"] button[data-action=test]`);
    await status(page, 'rules', /Test delivered to .Night team.: the receiver answered HTTP 204/);
    check(receiver.received.length === 1, `${receiver.received.length} requests received`);
    const got = receiver.received[0];
    check(got.headers['x-ecoute-event'] === 'test', `event ${got.headers['x-ecoute-event']}`);
    const expected = signatureOf(secret, got.headers['webhook-id'], got.headers['webhook-timestamp'], got.body);
    check(got.headers['webhook-signature'] === expected, `signature ${got.headers['webhook-signature']} != ${expected}`);
  });

  await t.step('a rule edited in place keeps its id and its secret', async () => {
    const { rules } = await (await t.api.get('/api/v1/rules')).json();
    const second = rules.find((r) => r.name === 'Day team');
    await page.click(`#settings-rules tr[data-id="${second.id}"] button[data-action=edit]`);
    check((await page.inputValue('#rules-form input[name=name]')) === 'Day team', 'the form is not filled with the rule');
    check(await page.isChecked('#rules-form fieldset[data-field=topics] input[value=delivery]'), 'the topics are not filled');
    await page.fill('#rules-form input[name=name]', 'Day shift');
    await page.uncheck('#rules-form input[name=enabled]');
    await page.click('#rules-form button[type=submit]');
    await status(page, 'rules', /Day shift.*saved/);
    await page.waitForFunction((id) => (document.querySelector(`#settings-rules tr[data-id="${id}"]`)?.textContent || '').includes('Day shift'), second.id);
    const after = (await (await t.api.get('/api/v1/rules')).json()).rules;
    const edited = after.find((r) => r.id === second.id);
    check(after.length === 2 && edited.name === 'Day shift' && !edited.enabled, `after the edit: ${JSON.stringify(after)}`);
    check((await page.inputValue('#rules-form input[name=name]')) === '', 'the form did not go back to adding');
  });

}

await run('settings', async (t) => {
  const receiver = await startReceiver();
  t.closers.push(() => receiver.server.close());
  const page = await t.newPage();
  const secret = await makeInARow(t, page, receiver);
  await testAndEdit(t, page, receiver, secret);

  await t.step('users: the brands field says what no brand means', async () => {
    await page.waitForSelector('#users-form');
    check(/sees? only their brands|without any, they would see no case/.test(await page.textContent('#users-form')), 'the user form does not say what no brand means');
  });

  await t.step('axe-core: Settings in English', async () => {
    await t.checkAxe(page, 'settings (en)');
  });

  await t.step('in French, errors show under their field', async () => {
    await page.selectOption('#lang', 'fr');
    await page.waitForFunction(() => document.querySelector('#view h1')?.textContent === 'Réglages');
    await page.waitForSelector('#rules-form');
    check((await page.textContent('#live-state')).includes('En direct'), `the live pill: ${await page.textContent('#live-state')}`);
    // Required fields, checked before sending.
    await page.click('#rules-form button[type=submit]');
    const name = page.locator('#rules-form input[name=name]');
    check((await name.getAttribute('aria-invalid')) === 'true', 'the empty name is not marked invalid');
    check(await name.evaluate((el) => el === document.activeElement), 'the focus is not on the first invalid field');
    const describedBy = await name.getAttribute('aria-describedby');
    const message = await page.evaluate((ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' '), describedBy);
    check(message.includes('Remplissez ce champ'), `message: ${message}`);
    // The server's refusal, by its code, under the field it names.
    await page.fill('#rules-form input[name=name]', 'Mauvaise adresse');
    await page.fill('#rules-form input[name=url]', 'ftp://hooks.example.com/x');
    await page.click('#rules-form button[type=submit]');
    const url = page.locator('#rules-form input[name=url]');
    await page.waitForFunction(() => document.querySelector('#rules-form input[name=url]').getAttribute('aria-invalid') === 'true');
    const urlError = await page.evaluate(() => {
      const input = document.querySelector('#rules-form input[name=url]');
      return input.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' ');
    });
    check(/adresse web qui commence par http/.test(urlError), `URL error: ${urlError}`);
    check(await url.evaluate((el) => el === document.activeElement), 'the focus is not on the URL');
    check((await name.getAttribute('aria-invalid')) === null, 'the name is still marked invalid');
  });

  await t.step('axe-core: Settings in French, errors shown', async () => {
    await t.checkAxe(page, 'settings (fr)');
  });
});
