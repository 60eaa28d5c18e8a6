// Settings: sources, alert rules, failed deliveries, reply accounts, reply templates, users
// and API tokens. Administrators change them all; managers read the sources and the reply
// accounts, and manage the alert rules, the retries, the templates and their own tokens.
// The server enforces this anyway.

import { api, optional } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { formatDate, label, t } from '../i18n.js';
import { REPLY_CHANNELS, STANCES, TOPICS } from './common.js';
import { slaSettings } from './settings_sla.js';

const FORMATS = ['auto', 'feed', 'html', 'text', 'jsonl', 'mastodon', 'bluesky'];
const ROLES = ['admin', 'manager', 'agent', 'viewer'];

const list = (value) => (Array.isArray(value) && value.length ? value.join(', ') : t('common.none'));
const yesNo = (value) => (value ? `✓ ${t('common.yes')}` : `✗ ${t('common.no')}`);
const commaList = (text) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function field(text, input) {
  const id = input.id || newId('fld');
  input.id = id;
  const isCheck = input.type === 'checkbox';
  return h('div', { class: isCheck ? 'field check' : 'field' }, isCheck ? [input, h('label', { for: id }, text)] : [h('label', { for: id }, text), input]);
}

function checks(legend, values, labelOf, checked = []) {
  const boxes = values.map((v) => h('input', { type: 'checkbox', value: v, id: newId('chk'), checked: checked.includes(v) }));
  const set = h(
    'fieldset',
    { class: 'checks' },
    h('legend', {}, legend),
    boxes.map((box) => h('span', { class: 'check' }, box, h('label', { for: box.id }, labelOf(box.value)))),
  );
  return { set, values: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

// One settings section: a heading, a table of items loaded from `path`, an optional form.
function section(ctx, { key, path, member, columns, actions, form }) {
  const headingId = newId('sec');
  const status = h('p', { class: 'note', role: 'status' });
  const holder = h('div', { class: 'table-wrap' });
  const el = h('section', { class: 'settings-section', id: `settings-${key}`, 'aria-labelledby': headingId }, h('h2', { id: headingId }, t(`settings.${key}`)), status, holder);

  async function run(method, url, body, after) {
    status.className = 'note';
    status.textContent = '';
    try {
      const result = await api(method, url, body);
      if (after) after(result);
      else status.textContent = t('common.done');
      await reload();
    } catch (err) {
      status.className = 'error';
      status.textContent = ctx.errorMessage(err);
    }
  }

  async function reload() {
    try {
      const data = await api('GET', path);
      if (!ctx.isCurrent()) return;
      const items = (data && data[member]) || [];
      clear(holder);
      if (!items.length) {
        holder.append(h('p', { class: 'note' }, t('settings.empty')));
        return;
      }
      const heads = columns.map(([k]) => h('th', { scope: 'col' }, t(k)));
      if (actions) heads.push(h('th', { scope: 'col' }, t('settings.actions')));
      holder.append(
        h(
          'table',
          { class: 'settings-table' },
          h('caption', { class: 'visually-hidden' }, t(`settings.${key}`)),
          h('thead', {}, h('tr', {}, heads)),
          h(
            'tbody',
            {},
            items.map((item) =>
              h(
                'tr',
                {},
                columns.map(([, show], i) => h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, show(item))),
                actions ? h('td', { class: 'row-actions' }, actions(item, run)) : null,
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      if (!ctx.isCurrent()) return;
      clear(holder);
      holder.append(h('p', { class: 'error', role: 'alert' }, ctx.errorMessage(err)));
    }
  }

  if (form) el.append(form(run, reload));
  el.reload = reload;
  reload();
  return el;
}

function toggleAndDelete(base, nameOf) {
  return (item, run) => [
    h('button', { type: 'button', class: 'secondary small', onclick: () => run('PATCH', `${base}/${item.id}`, { enabled: !item.enabled }) }, t(item.enabled ? 'common.disable' : 'common.enable')),
    deleteButton(base, item, nameOf(item), run),
  ];
}

function deleteButton(base, item, name, run) {
  return h(
    'button',
    {
      type: 'button',
      class: 'danger small',
      'aria-label': `${t('common.delete')} ${name}`,
      onclick: () => {
        if (window.confirm(t('common.confirmDelete', { name }))) run('DELETE', `${base}/${item.id}`);
      },
    },
    t('common.delete'),
  );
}

function createForm(title, fields, submit) {
  const form = h('form', { class: 'create' }, h('h3', {}, title), fields, h('button', { type: 'submit' }, t('common.add')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit(form);
  });
  return form;
}

function sources(ctx, admin) {
  return section(ctx, {
    key: 'sources',
    path: '/sources',
    member: 'sources',
    columns: [
      ['f.label', (s) => s.label || s.url],
      ['f.url', (s) => h('code', { class: 'url' }, s.url)],
      ['f.format', (s) => s.format || 'auto'],
      ['f.interval', (s) => String(s.interval_seconds ?? '')],
      ['f.enabled', (s) => yesNo(s.enabled)],
      ['f.lastPolled', (s) => formatDate(s.last_polled_at)],
      ['f.lastError', (s) => s.last_error || t('common.none')],
      ['f.failures', (s) => String(s.failures ?? 0)],
    ],
    actions: admin ? toggleAndDelete('/sources', (s) => s.label || s.url) : null,
    form: admin
      ? (run) => {
          const url = h('input', { type: 'url', required: true });
          const lab = h('input', {});
          const format = h('select', {}, FORMATS.map((f) => h('option', { value: f }, f)));
          const interval = h('input', { type: 'number', min: '60', value: '900' });
          const enabled = h('input', { type: 'checkbox', checked: true });
          return createForm(
            `${t('common.add')} · ${t('settings.sources')}`,
            [field(t('f.url'), url), field(t('f.label'), lab), field(t('f.format'), format), field(t('f.interval'), interval), field(t('f.enabled'), enabled)],
            (form) =>
              run('POST', '/sources', { url: url.value.trim(), label: lab.value.trim(), format: format.value, interval_seconds: Number(interval.value) || 900, enabled: enabled.checked }, () => form.reset()),
          );
        }
      : null,
  });
}

function rules(ctx, admin) {
  return section(ctx, {
    key: 'rules',
    path: '/rules',
    member: 'rules',
    columns: [
      ['f.name', (r) => r.name],
      ['f.brandsShort', (r) => list(r.brands)],
      ['f.stances', (r) => list((r.stances || []).map((s) => label('stance', s)))],
      ['f.topicsShort', (r) => list((r.topics || []).map((s) => label('topic', s)))],
      ['f.minPriority', (r) => String(r.min_priority ?? 0)],
      ['f.triggers', (r) => list([r.on_case_opened && t('f.onCaseOpened'), r.on_escalation && t('f.onEscalation'), r.on_spike && t('f.onSpike')].filter(Boolean))],
      ['f.url', (r) => h('code', { class: 'url' }, r.url)],
      ['f.secret', (r) => r.secret || t('common.none')],
      ['f.enabled', (r) => yesNo(r.enabled)],
    ],
    actions: admin ? toggleAndDelete('/rules', (r) => r.name) : null,
    form: admin
      ? (run) => {
          const name = h('input', { required: true });
          const url = h('input', { type: 'url', required: true });
          const secret = h('input', { type: 'password', autocomplete: 'new-password' });
          const brands = h('input', {});
          const stances = checks(t('f.stances'), STANCES, (s) => label('stance', s), ['complaint']);
          const topics = h('input', {});
          const minPriority = h('input', { type: 'number', min: '0', max: '100', value: '0' });
          const triggers = checks(t('f.triggers'), ['on_case_opened', 'on_escalation', 'on_spike'], (k) => t(`f.${k.replace(/_(\w)/g, (m, c) => c.toUpperCase())}`), ['on_case_opened']);
          return createForm(
            `${t('common.add')} · ${t('settings.rules')}`,
            [field(t('f.name'), name), field(t('f.url'), url), field(t('f.secret'), secret), field(t('f.brands'), brands), stances.set, field(t('f.topics'), topics), field(t('f.minPriority'), minPriority), triggers.set],
            (form) => {
              const on = triggers.values();
              run(
                'POST',
                '/rules',
                {
                  name: name.value.trim(),
                  url: url.value.trim(),
                  secret: secret.value,
                  brands: commaList(brands.value),
                  stances: stances.values(),
                  topics: commaList(topics.value),
                  min_priority: Number(minPriority.value) || 0,
                  on_case_opened: on.includes('on_case_opened'),
                  on_escalation: on.includes('on_escalation'),
                  on_spike: on.includes('on_spike'),
                  enabled: true,
                },
                () => form.reset(),
              );
            },
          );
        }
      : null,
  });
}

function deliveries(ctx) {
  return section(ctx, {
    key: 'deliveries',
    path: '/deliveries?state=dead',
    member: 'deliveries',
    columns: [
      ['f.id', (d) => String(d.id)],
      ['f.rule', (d) => String(d.rule_id ?? '')],
      ['f.event', (d) => d.event_kind || ''],
      ['f.case', (d) => (d.case_id ? h('a', { href: `#/cases/${d.case_id}` }, `#${d.case_id}`) : t('common.none'))],
      ['col.brand', (d) => d.brand || t('common.none')],
      ['f.url', (d) => h('code', { class: 'url' }, d.url || '')],
      ['f.state', (d) => d.state || ''],
      ['f.attempts', (d) => String(d.attempts ?? 0)],
      ['f.lastError', (d) => d.last_error || t('common.none')],
      ['f.created', (d) => formatDate(d.created_at)],
    ],
    actions: (d, run) => h('button', { type: 'button', class: 'secondary small', onclick: () => run('POST', `/deliveries/${d.id}/retry`) }, t('settings.retry')),
  });
}

function users(ctx) {
  return section(ctx, {
    key: 'users',
    path: '/users',
    member: 'users',
    columns: [
      ['f.name', (u) => u.name],
      ['f.displayName', (u) => u.display_name || t('common.none')],
      ['f.email', (u) => u.email || t('common.none')],
      ['f.role', (u) => label('role', u.role)],
      ['f.brandsShort', (u) => (u.all_brands ? t('f.allBrands') : list(u.brands))],
    ],
    actions: (u, run) => (u.id === ctx.user.id ? null : deleteButton('/users', u, u.name, run)),
    form: (run) => {
      const name = h('input', { required: true, autocomplete: 'off' });
      const display = h('input', {});
      const email = h('input', { type: 'email' });
      const role = h('select', {}, ROLES.map((r) => h('option', { value: r, selected: r === 'agent' }, label('role', r))));
      const all = h('input', { type: 'checkbox' });
      const brands = h('input', {});
      const password = h('input', { type: 'password', autocomplete: 'new-password', required: true });
      return createForm(
        `${t('common.add')} · ${t('settings.users')}`,
        [field(t('f.name'), name), field(t('f.displayName'), display), field(t('f.email'), email), field(t('f.role'), role), field(t('f.allBrands'), all), field(t('f.brands'), brands), field(t('f.password'), password)],
        (form) =>
          run(
            'POST',
            '/users',
            { name: name.value.trim(), display_name: display.value.trim(), email: email.value.trim(), role: role.value, all_brands: all.checked, brands: commaList(brands.value), password: password.value },
            () => form.reset(),
          ),
      );
    },
  });
}

function tokens(ctx) {
  const shown = h('div', { class: 'token-once', role: 'status' });
  const el = section(ctx, {
    key: 'tokens',
    path: '/tokens',
    member: 'tokens',
    columns: [
      ['f.label', (k) => k.label || String(k.id)],
      ['f.created', (k) => formatDate(k.created_at)],
      ['f.lastUsed', (k) => formatDate(k.last_used_at)],
    ],
    actions: (k, run) => deleteButton('/tokens', k, k.label || String(k.id), run),
    form: (run) => {
      const lab = h('input', { required: true });
      return createForm(`${t('common.add')} · ${t('settings.tokens')}`, [field(t('f.label'), lab)], (form) =>
        run('POST', '/tokens', { label: lab.value.trim() }, (result) => {
          form.reset();
          clear(shown);
          const id = newId('tok');
          shown.append(h('label', { for: id }, t('settings.newToken')), h('input', { id, readonly: true, value: (result && result.token) || '', class: 'mono' }));
        }),
      );
    },
  });
  el.append(shown);
  return el;
}

// What each reply channel needs: settings shown and kept, and the one secret, write-only.
const ACCOUNT_FIELDS = {
  mastodon: { settings: [['instance', 'url'], ['handle', 'text']], secret: 'token' },
  bluesky: { settings: [['service', 'url'], ['handle', 'text']], secret: 'app_password' },
  email: { settings: [['smtp_url', 'url'], ['from', 'email'], ['username', 'text']], secret: 'password' },
  webhook: { settings: [['url', 'url']], secret: 'secret' },
};
const TEMPLATE_VARIABLES = ['customer', 'brand', 'case', 'agent'];

// A field with its error line under it, named by aria-describedby.
function checkedField(text, input, hint) {
  const id = input.id || newId('fld');
  input.id = id;
  const error = h('p', { id: `${id}-error`, class: 'error field-error' });
  const hintEl = hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl ? hintEl.id : null, error.id].filter(Boolean).join(' '));
  const set = (message) => {
    error.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { el: h('div', { class: 'field' }, h('label', { for: id }, text), hintEl, input, error), set };
}

const secretState = (account) => (account && account.has_secret ? `✓ ${t('account.set')}` : `✗ ${t('account.notSet')}`);
const settingsText = (settings) =>
  Object.entries(settings || {})
    .map(([k, v]) => `${t(`account.${k}`)}: ${v}`)
    .join(' · ') || t('common.none');

// The form of an account: brand, channel, the channel's settings, and its secret, which is
// never shown nor prefilled; left empty on an update, the stored one is kept.
function accountForm(brands, known, reload) {
  const brand = h('select', {}, brands.map((b) => h('option', { value: b }, b)));
  const channel = h('select', {}, REPLY_CHANNELS.map((c) => h('option', { value: c }, label('channel', c))));
  const holder = h('div', { class: 'account-fields' });
  const status = h('p', { class: 'note', role: 'status' });
  let inputs = [];
  let secret = null;

  function fields() {
    const spec = ACCOUNT_FIELDS[channel.value];
    const current = known.get(`${brand.value}\u0000${channel.value}`);
    clear(holder);
    inputs = spec.settings.map(([key, type]) => {
      const input = h('input', { type, name: key, autocomplete: 'off', value: (current && current.settings && current.settings[key]) || '' });
      return { key, input, ...checkedField(t(`account.${key}`), input) };
    });
    const input = h('input', { type: 'password', name: spec.secret, autocomplete: 'new-password', 'data-secret': spec.secret });
    secret = { key: spec.secret, input, ...checkedField(t(`account.${spec.secret}`), input, `${t('account.secretState', { state: secretState(current) })} ${current && current.has_secret ? t('account.keep') : ''}`) };
    holder.append(...inputs.map((f) => f.el), secret.el);
  }

  const form = h('form', { class: 'create', id: 'account-form', novalidate: true }, h('h3', {}, t('account.formTitle')), field(t('col.brand'), brand), field(t('account.channel'), channel), holder, status, h('button', { type: 'submit' }, t('common.save')));
  brand.addEventListener('change', fields);
  channel.addEventListener('change', fields);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.className = 'note';
    status.textContent = '';
    const current = known.get(`${brand.value}\u0000${channel.value}`);
    let ok = true;
    for (const f of inputs) {
      f.set(f.input.value.trim() ? '' : t('account.required'));
      ok = ok && Boolean(f.input.value.trim());
    }
    secret.set(secret.input.value || (current && current.has_secret) ? '' : t('account.secretRequired'));
    ok = ok && Boolean(secret.input.value || (current && current.has_secret));
    if (!ok) {
      form.querySelector('[aria-invalid="true"]').focus();
      return;
    }
    const body = { settings: Object.fromEntries(inputs.map((f) => [f.key, f.input.value.trim()])) };
    if (secret.input.value) body.secrets = { [secret.key]: secret.input.value };
    try {
      await api('PUT', `/brands/${encodeURIComponent(brand.value)}/accounts/${channel.value}`, body);
      secret.input.value = '';
      status.textContent = t('account.saved');
      await reload();
      fields();
    } catch (err) {
      status.className = 'error';
      status.textContent = err.message;
    }
  });
  const edit = (b, c) => {
    brand.value = b;
    channel.value = c;
    fields();
    const first = holder.querySelector('input');
    if (first) first.focus();
  };
  fields();
  return { form, edit, refresh: fields };
}

// Reply accounts, per brand and channel. Everyone here reads them (no secret ever comes
// back: "set" or "not set"); administrators set and remove them.
async function accounts(ctx, admin) {
  const brands = await ctx.brands().then((list) => list.map((b) => b.name), () => []);
  if (!brands.length) return null;
  if ((await optional(`/brands/${encodeURIComponent(brands[0])}/accounts`).catch(() => ({}))) === null) return null;
  const known = new Map();
  const status = h('p', { class: 'note', role: 'status' });
  const holder = h('div', { class: 'table-wrap' });
  const el = h('section', { class: 'settings-section', id: 'settings-accounts', 'aria-labelledby': 'sec-accounts' }, h('h2', { id: 'sec-accounts' }, t('settings.accounts')), h('p', { class: 'hint' }, t('account.intro')), status, holder);
  let form = null;

  async function remove(b, a) {
    if (!window.confirm(t('common.confirmDelete', { name: `${b} · ${label('channel', a.channel)}` }))) return;
    try {
      await api('DELETE', `/brands/${encodeURIComponent(b)}/accounts/${a.channel}`);
      status.className = 'note';
      status.textContent = t('common.done');
    } catch (err) {
      status.className = 'error';
      status.textContent = ctx.errorMessage(err);
    }
    await reload();
    if (form) form.refresh();
  }

  async function reload() {
    const rows = [];
    known.clear();
    for (const b of brands) {
      const data = await optional(`/brands/${encodeURIComponent(b)}/accounts`).catch(() => null);
      for (const a of (data && data.accounts) || []) {
        known.set(`${b}\u0000${a.channel}`, a);
        rows.push([b, a]);
      }
    }
    if (!ctx.isCurrent()) return;
    clear(holder);
    if (!rows.length) {
      holder.append(h('p', { class: 'note' }, t('settings.empty')));
      return;
    }
    const heads = ['col.brand', 'account.channel', 'account.settings', 'account.secret', 'f.updated'].map((k) => h('th', { scope: 'col' }, t(k)));
    if (admin) heads.push(h('th', { scope: 'col' }, t('settings.actions')));
    holder.append(
      h(
        'table',
        { class: 'settings-table', id: 'accounts-table' },
        h('caption', { class: 'visually-hidden' }, t('settings.accounts')),
        h('thead', {}, h('tr', {}, heads)),
        h(
          'tbody',
          {},
          rows.map(([b, a]) =>
            h(
              'tr',
              { 'data-brand': b, 'data-channel': a.channel },
              h('th', { scope: 'row' }, b),
              h('td', {}, label('channel', a.channel)),
              h('td', {}, settingsText(a.settings)),
              h('td', { 'data-secret': a.has_secret ? 'set' : 'not-set' }, secretState(a)),
              h('td', {}, [a.updated_by || '', ' ', formatDate(a.updated_at)]),
              admin
                ? h(
                    'td',
                    { class: 'row-actions' },
                    h('button', { type: 'button', class: 'secondary small', 'aria-label': `${t('common.edit')} ${b} · ${label('channel', a.channel)}`, onclick: () => form.edit(b, a.channel) }, t('common.edit')),
                    h('button', { type: 'button', class: 'danger small', 'aria-label': `${t('common.delete')} ${b} · ${label('channel', a.channel)}`, onclick: () => remove(b, a) }, t('common.delete')),
                  )
                : null,
            ),
          ),
        ),
      ),
    );
  }

  await reload();
  if (admin) {
    form = accountForm(brands, known, reload);
    el.append(form.form);
  }
  return el;
}

// The variables a template's body may hold that are not known, in order, each once.
function unknownVariables(body) {
  const found = [...body.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]);
  return [...new Set(found.filter((v) => !TEMPLATE_VARIABLES.includes(v)))];
}

function templateForm(brands, reloadList) {
  let editing = null;
  const name = h('input', { required: true, autocomplete: 'off' });
  const brand = h('select', {}, h('option', { value: '' }, t('tpl.everyBrand')), brands.map((b) => h('option', { value: b }, b)));
  const lang = h('input', { maxlength: '12', autocomplete: 'off', placeholder: 'fr' });
  const topic = h('select', {}, h('option', { value: '' }, t('tpl.everyTopic')), TOPICS.map((x) => h('option', { value: x }, label('topic', x))));
  const body = h('textarea', { rows: '4', required: true });
  const f = { name: checkedField(t('f.name'), name), lang: checkedField(t('tpl.lang'), lang, t('tpl.langHint')), body: checkedField(t('tpl.body'), body) };
  const vars = h('ul', { class: 'variables', id: 'template-variables' }, TEMPLATE_VARIABLES.map((v) => h('li', {}, h('code', {}, `{{${v}}}`), ' ', t(`tpl.var.${v}`))));
  const status = h('p', { class: 'note', role: 'status' });
  const title = h('h3', {}, t('tpl.add'));
  const submit = h('button', { type: 'submit' }, t('common.add'));
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, t('common.cancel'));
  const form = h(
    'form',
    { class: 'create template-form', id: 'template-form', novalidate: true },
    title,
    f.name.el,
    field(t('col.brand'), brand),
    f.lang.el,
    field(t('col.topic'), topic),
    h('div', { class: 'field wide' }, f.body.el, h('p', { class: 'hint' }, t('tpl.variables')), vars),
    status,
    h('div', { class: 'buttons' }, submit, cancel),
  );
  const reset = () => {
    editing = null;
    form.reset();
    title.textContent = t('tpl.add');
    submit.textContent = t('common.add');
    cancel.hidden = true;
  };
  cancel.addEventListener('click', reset);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.className = 'note';
    status.textContent = '';
    const unknown = unknownVariables(body.value);
    f.name.set(name.value.trim() ? '' : t('tpl.nameRequired'));
    f.body.set(!body.value.trim() ? t('tpl.bodyRequired') : unknown.length ? t('tpl.unknownVariable', { names: unknown.map((v) => `{{${v}}}`).join(', ') }) : '');
    f.lang.set(/^([A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$/.test(lang.value.trim()) ? '' : t('tpl.badLang'));
    const bad = form.querySelector('[aria-invalid="true"]');
    if (bad) {
      bad.focus();
      return;
    }
    const data = { name: name.value.trim(), brand: brand.value, lang: lang.value.trim(), topic: topic.value, body: body.value };
    try {
      await api(editing ? 'PATCH' : 'POST', editing ? `/templates/${editing}` : '/templates', data);
      reset();
      status.textContent = t('common.done');
      await reloadList();
    } catch (err) {
      // The server's refusal of the body (an unknown variable) goes under the body.
      if (err.status === 400 && /variable|\{\{/i.test(err.message)) f.body.set(err.message);
      else {
        status.className = 'error';
        status.textContent = err.message;
      }
    }
  });
  const edit = (tpl) => {
    editing = tpl.id;
    name.value = tpl.name || '';
    brand.value = tpl.brand || '';
    lang.value = tpl.lang || '';
    topic.value = tpl.topic || '';
    body.value = tpl.body || '';
    title.textContent = t('tpl.edit', { name: tpl.name });
    submit.textContent = t('common.save');
    cancel.hidden = false;
    name.focus();
  };
  return { form, edit };
}

// Reply templates: agents pick them on a case; managers and administrators write them.
async function templates(ctx) {
  if ((await optional('/templates').catch(() => ({}))) === null) return null;
  const brands = await ctx.brands().then((list) => list.map((b) => b.name), () => []);
  let form = null;
  const el = section(ctx, {
    key: 'templates',
    path: '/templates',
    member: 'templates',
    columns: [
      ['f.name', (x) => x.name],
      ['col.brand', (x) => x.brand || t('tpl.everyBrand')],
      ['tpl.lang', (x) => x.lang || t('tpl.everyLang')],
      ['col.topic', (x) => (x.topic ? label('topic', x.topic) : t('tpl.everyTopic'))],
      ['tpl.body', (x) => h('span', { class: 'template-body' }, x.body || '')],
    ],
    actions: (x, run) => [
      h('button', { type: 'button', class: 'secondary small', 'aria-label': `${t('common.edit')} ${x.name}`, onclick: () => form.edit(x) }, t('common.edit')),
      deleteButton('/templates', x, x.name, run),
    ],
    form: (run, reload) => {
      form = templateForm(brands, reload);
      return form.form;
    },
  });
  return el;
}

export async function render(view, ctx) {
  const role = ctx.user.role;
  clear(view);
  view.append(h('h1', {}, t('settings.title')));
  if (role !== 'admin' && role !== 'manager') {
    view.append(h('p', { class: 'error', role: 'alert' }, t('error.forbidden')));
    return;
  }
  const admin = role === 'admin';
  if (!admin) view.append(h('p', { class: 'note' }, t('settings.readonly')));
  // Managers read the sources and run the alerts (rules, retries) and the templates; admins
  // also manage users and reply accounts. The reply sections show when the server has them.
  const [replyAccounts, replyTemplates] = await Promise.all([accounts(ctx, admin), templates(ctx)]);
  if (!ctx.isCurrent()) return;
  const replyParts = [replyAccounts, replyTemplates].filter(Boolean);
  const parts = admin ? [sources(ctx, true), rules(ctx, true), deliveries(ctx), ...replyParts, users(ctx), tokens(ctx)] : [sources(ctx, false), rules(ctx, true), deliveries(ctx), ...replyParts, tokens(ctx)];
  parts.splice(2, 0, slaSettings(ctx, admin));
  const nav = h(
    'nav',
    { class: 'subnav', 'aria-label': t('settings.title') },
    h('ul', {}, parts.map((p) => h('li', {}, h('a', { href: `#${p.id}`, 'data-target': p.id }, p.querySelector('h2').textContent)))),
  );
  nav.addEventListener('click', (e) => {
    const link = e.target.closest('a[data-target]');
    if (!link) return;
    e.preventDefault();
    const target = document.getElementById(link.dataset.target);
    target.setAttribute('tabindex', '-1');
    target.focus();
  });
  view.append(nav, ...parts);
}
