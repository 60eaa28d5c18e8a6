// Settings: sources, alert rules, failed deliveries, users and API tokens. Administrators
// change them all; managers read the sources and manage the alert rules, the retries and
// their own tokens. The server enforces this anyway.

import { api } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { formatDate, label, t } from '../i18n.js';
import { STANCES } from './common.js';

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

  if (form) el.append(form(run));
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
  // Managers read the sources and run the alerts (rules, retries); admins also manage users.
  const parts = admin ? [sources(ctx, true), rules(ctx, true), deliveries(ctx), users(ctx), tokens(ctx)] : [sources(ctx, false), rules(ctx, true), deliveries(ctx), tokens(ctx)];
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
