// The brand catalog in Settings: a brand defined in the form, a clash with another brand's
// alias shown under its field, a preview over the stored posts with the matched words
// highlighted, the brand saved and in force at once (a post pushed afterwards is in the
// inbox under it), its edit view with the place for its proposed sources, a brand deleted
// after a confirmation, and axe-core on the page.
//
//   cd web && npm ci && ECOUTE_BIN=../build/ecoute node tests/brands.test.mjs

import { check, run } from './harness.mjs';

await run('brands', async (t) => {
  const page = await t.newPage({ width: 1440, height: 1000 });

  await t.step('admin opens the brands of the settings', async () => {
    await t.login(page, 'admin');
    await t.inboxLoaded(page);
    await page.goto('/#/settings');
    await page.waitForSelector('#settings-brands tr[data-brand="Orange"]');
    await page.waitForSelector('#brands-form');
    const origin = await page.textContent('#settings-brands tr[data-brand="Orange"]');
    check(origin.includes('the catalog file'), `origin not shown: ${origin}`);
  });

  await t.step('a clash with another brand shows under its field', async () => {
    await page.fill('#brands-form input[name=name]', 'Lisbon Air');
    await page.fill('#brands-form textarea[name=aliases]', 'Lisbonne, Lisbon\nVoltaire');
    await page.click('#brand-preview-button');
    const aliases = page.locator('#brands-form textarea[name=aliases]');
    await page.waitForFunction(() => document.querySelector('#brands-form textarea[name=aliases]').getAttribute('aria-invalid') === 'true');
    const errorId = (await aliases.getAttribute('aria-describedby')).split(' ').find((id) => id.endsWith('-error'));
    const message = await page.textContent(`#${errorId}`);
    check(/Entry 3 .*Voltaire.*Already the name or an alias of “Voltaire Énergie”/.test(message), `error: ${message}`);
  });

  await t.step('the preview shows the posts it names, the words highlighted', async () => {
    await page.fill('#brands-form textarea[name=aliases]', 'Lisbonne, Lisbon');
    await page.click('#brand-preview-button');
    await page.waitForSelector('#brand-preview-summary');
    const summary = await page.textContent('#brand-preview-summary');
    check(summary === '3 of the latest 23 posts name “Lisbon Air”.', `summary: ${summary}`);
    const marks = await page.$$eval('#brand-preview li.hit mark', (els) => els.map((e) => e.textContent));
    check(JSON.stringify(marks) === '["Lisbon","Lisbon","Lisbonne"]', `highlighted: ${JSON.stringify(marks)}`);
    const lost = await page.textContent('#brand-preview-lost');
    check(/No post/.test(lost), `lost: ${lost}`);
    const saved = await (await t.api.get('/api/v1/brands')).json();
    check(!saved.brands.some((b) => b.name === 'Lisbon Air'), 'a preview saved the brand');
    await t.checkAxe(page, 'the settings with a preview');
  });

  await t.step('saved, the brand is in force: a new post is in the inbox under it', async () => {
    await page.click('#brands-form button[type=submit]');
    await page.waitForFunction(() => /Lisbon Air.*added/.test(document.getElementById('settings-brands-status')?.textContent || ''));
    await page.waitForSelector('#settings-brands tr[data-brand="Lisbon Air"]');
    const pushed = await t.api.post('/api/v1/posts', {
      data: { id: 'lis-1', source: 'jsonl', author: { handle: '@rita' }, text: 'Lisbon Air a perdu ma valise à Porto, aucune réponse du service client depuis cinq jours.' },
    });
    check(pushed.ok(), `push: HTTP ${pushed.status()}`);
    await page.goto('/#/inbox?brand=Lisbon%20Air');
    await t.inboxLoaded(page);
    await page.waitForFunction(() => document.getElementById('f-brand')?.value === 'Lisbon Air');
    await page.waitForFunction(() => [...document.querySelectorAll('#inbox-table tbody tr')].some((r) => /valise/.test(r.textContent)));
  });

  await t.step('its edit view holds the place of its proposed sources', async () => {
    await page.goto('/#/settings');
    await page.waitForSelector('#settings-brands tr[data-brand="Lisbon Air"] button[data-action=edit]');
    await page.click('#settings-brands tr[data-brand="Lisbon Air"] button[data-action=edit]');
    check((await page.inputValue('#brands-form textarea[name=aliases]')) === 'Lisbonne\nLisbon', 'the form is not filled');
    check(await page.isDisabled('#brands-form input[name=name]'), 'the name can be changed');
    await page.waitForSelector('#brand-listening', { state: 'attached' });
    await page.fill('#brands-form textarea[name=aliases]', 'Lisbonne, Lisbon, Lisboa');
    await page.click('#brands-form button[type=submit]');
    await page.waitForFunction(() => /Lisbon Air.*saved/.test(document.getElementById('settings-brands-status')?.textContent || ''));
    const { brands } = await (await t.api.get('/api/v1/brands')).json();
    const lisbon = brands.find((b) => b.name === 'Lisbon Air');
    check(JSON.stringify(lisbon.aliases) === '["Lisbonne","Lisbon","Lisboa"]', `aliases: ${JSON.stringify(lisbon.aliases)}`);
  });

  await t.step('a brand deleted after a confirmation', async () => {
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('#settings-brands tr[data-brand="Lisbon Air"] button[data-action=delete]');
    await page.waitForFunction(() => /Lisbon Air.*deleted/.test(document.getElementById('settings-brands-status')?.textContent || ''));
    check((await page.locator('#settings-brands tr[data-brand="Lisbon Air"]').count()) === 0, 'the row stays');
    await t.checkAxe(page, 'the settings');
  });
});
