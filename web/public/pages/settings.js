// Settings, one section per subject: sources, alert rules, failed deliveries, the brand
// catalog (settings_brands.js), reply accounts and templates, users and API tokens.
// Administrators change them all; managers read the sources and the catalog, and manage the
// alert rules, the retries, the templates and their own tokens. The server enforces this anyway.
//
// Every form adds an item or, after "Edit" on a row, changes it in place; after an add it
// goes back to its defaults, so that the next item is made like the first; each action
// says what it did (role=status), and an error shows under its field (forms.js).
// Other features add their sections in render() below, one line each.

import { api, optional } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { errorText } from '../errors.js';
import { checkGroup, formField, formFields } from '../forms.js';
import { addStrings, formatDate, label, t } from '../i18n.js';
import { REPLY_CHANNELS, STANCES, TOPICS } from './common.js';
import { brandsSection } from './settings_brands.js';
import { teamsSection } from './settings_teams.js';
import { slaSettings } from './settings_sla.js';
import { sourcesSection } from './settings_sources.js';
import { templatesSection } from './settings_listening.js';

addStrings({
  en: {
    'settings.added': '“{name}” added.',
    'settings.saved': '“{name}” saved.',
    'settings.deleted': 'Deleted.',
    'settings.enabled': '“{name}” enabled.',
    'settings.disabled': '“{name}” disabled.',
    'settings.editTitle': 'Edit “{name}”',
    'set.rule.test': 'Send a test',
    'set.rule.testOk': 'Test delivered to “{name}”: the receiver answered HTTP {status}.',
    'set.rule.testFailed': 'Test not delivered to “{name}”: {error}.',
    'set.rule.secretOnce': 'Signing secret of “{name}”, shown only now: copy it for your receiver.',
    'set.rule.secretNever': 'You will not see it again: the list only shows it masked.',
    'set.rule.copy': 'Copy the secret',
    'set.rule.copied': 'Secret copied.',
    'set.rule.dismiss': 'I have copied it',
    'set.rule.secretHintAdd': 'Leave empty and ecoute generates one, shown once after the rule is added.',
    'set.rule.secretHintEdit': 'Leave empty to keep the current secret.',
    'set.rule.brandsHintAll': 'None ticked: every brand.',
    'set.rule.brandsHintScoped': 'Among your brands.',
    'set.rule.topicsHint': 'None ticked: every topic.',
    'set.rule.stancesHint': 'None ticked: every stance.',
    'set.rule.everyBrand': 'every brand',
    'set.rule.everyTopic': 'every topic',
    'set.user.access': 'Brands this user sees',
    'set.user.accessAll': 'Every brand, including those added later',
    'set.user.accessSome': 'Only the brands ticked below',
    'set.user.accessHint': 'A user who is not an administrator sees only their brands: without any, they would see no case. Administrators always see every brand.',
    'set.user.noBrand': 'none',
    'set.user.passwordHintEdit': 'Leave empty to keep the current password.',
    'set.user.nameFixed': 'A user name cannot change.',
    'set.source.intervalHint': 'Seconds between two reads, 60 at least.',
  },
  fr: {
    'settings.added': '« {name} » ajouté.',
    'settings.saved': '« {name} » enregistré.',
    'settings.deleted': 'Supprimé.',
    'settings.enabled': '« {name} » activé.',
    'settings.disabled': '« {name} » désactivé.',
    'settings.editTitle': 'Modifier « {name} »',
    'set.rule.test': 'Envoyer un test',
    'set.rule.testOk': 'Test livré à « {name} » : le destinataire a répondu HTTP {status}.',
    'set.rule.testFailed': 'Test non livré à « {name} » : {error}.',
    'set.rule.secretOnce': 'Secret de signature de « {name} », affiché uniquement maintenant : copiez-le pour votre destinataire.',
    'set.rule.secretNever': 'Vous ne le reverrez plus : la liste ne l’affiche que masqué.',
    'set.rule.copy': 'Copier le secret',
    'set.rule.copied': 'Secret copié.',
    'set.rule.dismiss': 'Je l’ai copié',
    'set.rule.secretHintAdd': 'Laissez vide et ecoute en génère un, affiché une seule fois après l’ajout de la règle.',
    'set.rule.secretHintEdit': 'Laissez vide pour garder le secret actuel.',
    'set.rule.brandsHintAll': 'Aucune cochée : toutes les marques.',
    'set.rule.brandsHintScoped': 'Parmi vos marques.',
    'set.rule.topicsHint': 'Aucun coché : tous les sujets.',
    'set.rule.stancesHint': 'Aucun coché : tous les tons.',
    'set.rule.everyBrand': 'toutes les marques',
    'set.rule.everyTopic': 'tous les sujets',
    'set.user.access': 'Marques que voit cet utilisateur',
    'set.user.accessAll': 'Toutes les marques, y compris celles ajoutées plus tard',
    'set.user.accessSome': 'Seulement les marques cochées ci-dessous',
    'set.user.accessHint': 'Un utilisateur qui n’est pas administrateur ne voit que ses marques : sans aucune, il ne verrait aucun dossier. Les administrateurs voient toujours toutes les marques.',
    'set.user.noBrand': 'aucune',
    'set.user.passwordHintEdit': 'Laissez vide pour garder le mot de passe actuel.',
    'set.user.nameFixed': 'Un nom d’utilisateur ne change pas.',
    'set.source.intervalHint': 'Secondes entre deux lectures, 60 au moins.',
  },
});

const ROLES = ['admin', 'manager', 'agent', 'viewer'];
const TRIGGERS = ['on_case_opened', 'on_escalation', 'on_spike'];
const triggerLabel = (k) => t(`f.${k.replace(/_(\w)/g, (m, c) => c.toUpperCase())}`);

const list = (value, empty = t('common.none')) => (Array.isArray(value) && value.length ? value.join(', ') : empty);
const yesNo = (value) => (value ? `✓ ${t('common.yes')}` : `✗ ${t('common.no')}`);

function field(text, input) {
  return formField(text, input).el;
}

// One settings section: a heading, a status line, a table of items loaded from `path`, an
// optional form. `form(run, reload)` returns {el, edit(item)?}; a row gets an Edit button
// when the form can edit.
function section(ctx, { key, title, intro, path, member, columns, actions, form }) {
  const headingId = newId('sec');
  const status = h('p', { class: 'note', role: 'status', id: `settings-${key}-status` });
  const holder = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': headingId });
  const el = h(
    'section',
    { class: 'settings-section', id: `settings-${key}`, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title || t(`settings.${key}`)),
    intro ? h('p', { class: 'hint' }, intro) : null,
    status,
    holder,
  );
  let editor = null;

  const say = (message, isError = false) => {
    status.className = isError ? 'error' : 'note';
    status.textContent = message || '';
  };

  // An action on the server; `done` (the result) gives the message to show, or null.
  async function run(method, url, body, done) {
    say('');
    try {
      const result = await api(method, url, body);
      say(done ? done(result) : t('common.done'));
      await reload();
      return result;
    } catch (err) {
      say(errorText(err), true);
      return undefined;
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
      const editable = editor && editor.edit;
      if (actions || editable) heads.push(h('th', { scope: 'col' }, t('settings.actions')));
      const rowActions = (item) => [editable ? editButton(item, editor, columns[0][1](item)) : null, actions ? actions(item, run) : null];
      holder.append(
        h(
          'table',
          { class: 'settings-table' },
          h('caption', { class: 'visually-hidden' }, title || t(`settings.${key}`)),
          h('thead', {}, h('tr', {}, heads)),
          h(
            'tbody',
            {},
            items.map((item) =>
              h(
                'tr',
                { 'data-id': item.id ?? null },
                columns.map(([, show], i) => h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, show(item))),
                actions || editable ? h('td', { class: 'row-actions' }, rowActions(item)) : null,
              ),
            ),
          ),
        ),
      );
    } catch (err) {
      if (!ctx.isCurrent()) return;
      clear(holder);
      holder.append(h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  }

  if (form) {
    editor = form({ run, reload, say });
    el.append(editor.el);
  }
  el.reload = reload;
  reload();
  return el;
}

function editButton(item, editor, name) {
  return h('button', { type: 'button', class: 'secondary small', 'data-action': 'edit', 'aria-label': `${t('common.edit')} ${name}`, onclick: () => editor.edit(item) }, t('common.edit'));
}

function toggleButton(base, item, name, run) {
  return h(
    'button',
    { type: 'button', class: 'secondary small', 'data-action': 'toggle', 'aria-label': `${t(item.enabled ? 'common.disable' : 'common.enable')} ${name}`, onclick: () => run('PATCH', `${base}/${item.id}`, { enabled: !item.enabled }, () => t(item.enabled ? 'settings.disabled' : 'settings.enabled', { name })) },
    t(item.enabled ? 'common.disable' : 'common.enable'),
  );
}

function deleteButton(base, item, name, run) {
  return h(
    'button',
    {
      type: 'button',
      class: 'danger small',
      'data-action': 'delete',
      'aria-label': `${t('common.delete')} ${name}`,
      onclick: () => {
        if (window.confirm(t('common.confirmDelete', { name }))) run('DELETE', `${base}/${item.id}`, undefined, () => t('settings.deleted'));
      },
    },
    t('common.delete'),
  );
}

// A form that adds an item, or changes the one given to edit(): its fields go back to
// `defaults` after each add and on Cancel. `fill(values)` sets the inputs, `read(editing)`
// gives the body to send, `name(item)` names it in messages; `created(result)` runs after an
// add. Required fields are checked before anything is sent.
function itemForm({ key, base, fields, parts, defaults, fill, read, name, reload, say, created }) {
  const f = formFields(fields);
  let editing = null;
  const title = h('h3', {}, `${t('common.add')} · ${t(`settings.${key}`)}`);
  const submit = h('button', { type: 'submit' }, t('common.add'));
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, t('common.cancel'));
  const el = h(
    'form',
    { class: 'create', id: `${key}-form`, novalidate: true },
    title,
    h('p', { class: 'hint wide' }, t('form.requiredNote')),
    parts,
    h('div', { class: 'buttons' }, submit, ' ', cancel),
  );
  const reset = () => {
    editing = null;
    f.clear();
    fill(defaults(), null);
    title.textContent = `${t('common.add')} · ${t(`settings.${key}`)}`;
    submit.textContent = t('common.add');
    cancel.hidden = true;
  };
  cancel.addEventListener('click', reset);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    say('');
    if (!f.checkRequired()) return;
    const body = read(editing);
    const item = editing;
    try {
      const result = await api(item ? 'PATCH' : 'POST', item ? `${base}/${item.id}` : base, body);
      reset();
      say(t(item ? 'settings.saved' : 'settings.added', { name: name(result || body) }));
      if (!item && created) created(result);
      await reload();
    } catch (err) {
      f.showError(err, null);
      if (!(err && err.field && fields[err.field])) say(errorText(err), true);
    }
  });
  reset();
  return {
    el,
    edit(item) {
      editing = item;
      f.clear();
      fill(item, item);
      title.textContent = t('settings.editTitle', { name: name(item) });
      submit.textContent = t('common.save');
      cancel.hidden = false;
      el.scrollIntoView({ block: 'nearest' });
      const first = el.querySelector('input:not([disabled]), select, textarea');
      if (first) first.focus();
    },
  };
}

// The signing secret of a rule just added, shown once in full with a copy button.
function secretOnce(box, rule) {
  clear(box);
  if (!rule || !rule.secret) return;
  const id = newId('secret');
  const input = h('input', { id, readonly: true, value: rule.secret, class: 'mono', size: '48', 'data-secret': 'full' });
  const note = h('p', { class: 'hint', id: `${id}-never` }, t('set.rule.secretNever'));
  input.setAttribute('aria-describedby', note.id);
  const copied = h('span', { class: 'note', role: 'status' });
  box.append(
    h('label', { for: id }, t('set.rule.secretOnce', { name: rule.name })),
    h(
      'div',
      { class: 'secret-row' },
      input,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          id: 'rule-secret-copy',
          onclick: async () => {
            input.select();
            try {
              await navigator.clipboard.writeText(rule.secret);
            } catch {
              document.execCommand('copy');
            }
            copied.textContent = t('set.rule.copied');
          },
        },
        t('set.rule.copy'),
      ),
      h('button', { type: 'button', class: 'secondary small', onclick: () => clear(box) }, t('set.rule.dismiss')),
      copied,
    ),
    note,
  );
  input.focus();
  input.select();
}

function ruleForm(ctx, brands, { reload, say }, secretBox) {
  const all = ctx.user.all_brands || ctx.user.role === 'admin';
  const fields = {
    name: formField(t('f.name'), h('input', { name: 'name', autocomplete: 'off' }), { required: true }),
    url: formField(t('f.url'), h('input', { type: 'url', name: 'url', autocomplete: 'off' }), { required: true }),
    secret: formField(t('f.secret'), h('input', { type: 'password', name: 'secret', autocomplete: 'new-password' }), { hint: t('set.rule.secretHintAdd') }),
    brands: checkGroup(t('f.brands'), brands, (b) => b, { name: 'brands', required: !all, missing: 'error.code.required.brands', hint: t(all ? 'set.rule.brandsHintAll' : 'set.rule.brandsHintScoped') }),
    stances: checkGroup(t('f.stances'), STANCES, (s) => label('stance', s), { name: 'stances', hint: t('set.rule.stancesHint') }),
    topics: checkGroup(t('f.topics'), TOPICS, (s) => label('topic', s), { name: 'topics', hint: t('set.rule.topicsHint') }),
    min_priority: formField(t('f.minPriority'), h('input', { type: 'number', name: 'min_priority', min: '0', max: '100' })),
    triggers: checkGroup(t('f.triggers'), TRIGGERS, triggerLabel, { name: 'triggers' }),
    enabled: formField(t('f.enabled'), h('input', { type: 'checkbox', name: 'enabled' })),
  };
  const v = (k) => fields[k].input;
  const secretHint = fields.secret.el.querySelector('.hint');
  return itemForm({
    key: 'rules',
    base: '/rules',
    fields,
    parts: Object.values(fields).map((x) => x.el),
    defaults: () => ({ name: '', url: '', brands: [], stances: ['complaint'], topics: [], min_priority: 0, on_case_opened: true, enabled: true }),
    fill(r, editing) {
      v('name').value = r.name || '';
      v('url').value = r.url || '';
      v('secret').value = '';
      secretHint.textContent = t(editing ? 'set.rule.secretHintEdit' : 'set.rule.secretHintAdd');
      fields.brands.setValues(r.brands);
      fields.stances.setValues(r.stances);
      fields.topics.setValues(r.topics);
      v('min_priority').value = String(r.min_priority ?? 0);
      fields.triggers.setValues(TRIGGERS.filter((k) => r[k]));
      v('enabled').checked = Boolean(r.enabled);
    },
    read(editing) {
      const on = fields.triggers.values();
      const body = {
        name: v('name').value.trim(),
        url: v('url').value.trim(),
        brands: fields.brands.values(),
        stances: fields.stances.values(),
        topics: fields.topics.values(),
        min_priority: Number(v('min_priority').value) || 0,
        on_case_opened: on.includes('on_case_opened'),
        on_escalation: on.includes('on_escalation'),
        on_spike: on.includes('on_spike'),
        enabled: v('enabled').checked,
      };
      if (v('secret').value || !editing) body.secret = v('secret').value;
      return body;
    },
    name: (r) => r.name,
    reload,
    say,
    created: (rule) => secretOnce(secretBox, rule),
  });
}

function testButton(rule, say) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary small',
      'data-action': 'test',
      'aria-label': `${t('set.rule.test')} · ${rule.name}`,
      onclick: async (e) => {
        const button = e.currentTarget;
        button.disabled = true;
        say('');
        try {
          const out = await api('POST', `/rules/${rule.id}/test`);
          if (out.delivered) say(t('set.rule.testOk', { name: rule.name, status: out.http_status }));
          else say(t('set.rule.testFailed', { name: rule.name, error: out.error || `HTTP ${out.http_status}` }), true);
        } catch (err) {
          say(errorText(err), true);
        } finally {
          button.disabled = false;
        }
      },
    },
    t('set.rule.test'),
  );
}

function rules(ctx, brands) {
  const secretBox = h('div', { class: 'secret-once', id: 'rule-secret' });
  let say = () => {};
  const el = section(ctx, {
    key: 'rules',
    path: '/rules',
    member: 'rules',
    columns: [
      ['f.name', (r) => r.name],
      ['f.brandsShort', (r) => list(r.brands, t('set.rule.everyBrand'))],
      ['f.stances', (r) => list((r.stances || []).map((s) => label('stance', s)))],
      ['f.topicsShort', (r) => list((r.topics || []).map((s) => label('topic', s)), t('set.rule.everyTopic'))],
      ['f.minPriority', (r) => String(r.min_priority ?? 0)],
      ['f.triggers', (r) => list(TRIGGERS.filter((k) => r[k]).map(triggerLabel))],
      ['f.url', (r) => h('code', { class: 'url' }, r.url)],
      ['f.secret', (r) => r.secret || t('common.none')],
      ['f.enabled', (r) => yesNo(r.enabled)],
    ],
    actions: (r, run) => [testButton(r, say), toggleButton('/rules', r, r.name, run), deleteButton('/rules', r, r.name, run)],
    form: (tools) => {
      say = tools.say;
      return ruleForm(ctx, brands, tools, secretBox);
    },
  });
  el.querySelector('h2').after(secretBox);
  return el;
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

function userForm(ctx, brands, { reload, say }) {
  const access = newId('access');
  const radio = (value, text) => {
    const input = h('input', { type: 'radio', name: access, value, id: `${access}-${value}` });
    return { input, el: h('span', { class: 'check' }, input, h('label', { for: input.id }, text)) };
  };
  const allRadio = radio('all', t('set.user.accessAll'));
  const someRadio = radio('some', t('set.user.accessSome'));
  const accessHint = h('p', { class: 'hint', id: `${access}-hint` }, t('set.user.accessHint'));
  const fields = {
    name: formField(t('f.name'), h('input', { name: 'name', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }), { required: true }),
    display_name: formField(t('f.displayName'), h('input', { name: 'display_name', autocomplete: 'off' })),
    email: formField(t('f.email'), h('input', { type: 'email', name: 'email', autocomplete: 'off' })),
    role: formField(t('f.role'), h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, label('role', r))))),
    brands: checkGroup(t('f.brands'), brands, (b) => b, { name: 'brands', required: true, missing: 'error.code.required.brands' }),
    password: formField(t('f.password'), h('input', { type: 'password', name: 'password', autocomplete: 'new-password' }), { required: true }),
  };
  const accessSet = h('fieldset', { class: 'checks wide', 'aria-describedby': accessHint.id }, h('legend', {}, t('set.user.access')), accessHint, allRadio.el, someRadio.el);
  const v = (k) => fields[k].input;
  const passwordHint = h('p', { class: 'hint', id: newId('pwh') });
  v('password').before(passwordHint);
  v('password').setAttribute('aria-describedby', `${passwordHint.id} ${v('password').getAttribute('aria-describedby')}`);
  // Admins see every brand; a scoped user's brands are picked below.
  const sync = () => {
    const admin = v('role').value === 'admin';
    allRadio.input.disabled = admin;
    someRadio.input.disabled = admin;
    if (admin) allRadio.input.checked = true;
    fields.brands.setDisabled(admin || allRadio.input.checked);
  };
  for (const x of [v('role'), allRadio.input, someRadio.input]) x.addEventListener('change', sync);
  const form = itemForm({
    key: 'users',
    base: '/users',
    fields,
    parts: [fields.name.el, fields.display_name.el, fields.email.el, fields.role.el, accessSet, fields.brands.el, fields.password.el],
    defaults: () => ({ name: '', display_name: '', email: '', role: 'agent', all_brands: false, brands: [] }),
    fill(u, editing) {
      v('name').value = u.name || '';
      v('name').disabled = Boolean(editing);
      v('display_name').value = u.display_name || '';
      v('email').value = u.email || '';
      v('role').value = u.role || 'agent';
      allRadio.input.checked = Boolean(u.all_brands);
      someRadio.input.checked = !u.all_brands;
      fields.brands.setValues(u.all_brands ? [] : u.brands);
      v('password').value = '';
      fields.password.required = !editing;
      v('password').required = !editing;
      v('password').setAttribute('aria-required', String(!editing));
      fields.password.el.querySelector('.required-mark').hidden = Boolean(editing);
      passwordHint.textContent = editing ? t('set.user.passwordHintEdit') : '';
      fields.name.el.querySelector('.required-mark').hidden = Boolean(editing);
      sync();
    },
    read(editing) {
      const body = {
        display_name: v('display_name').value.trim(),
        email: v('email').value.trim(),
        role: v('role').value,
        all_brands: allRadio.input.checked,
        brands: allRadio.input.checked ? [] : fields.brands.values(),
      };
      if (!editing) body.name = v('name').value.trim();
      if (v('password').value) body.password = v('password').value;
      return body;
    },
    name: (u) => u.name,
    reload,
    say,
  });
  return form;
}

function users(ctx, brands) {
  return section(ctx, {
    key: 'users',
    path: '/users',
    member: 'users',
    columns: [
      ['f.name', (u) => u.name],
      ['f.displayName', (u) => u.display_name || t('common.none')],
      ['f.email', (u) => u.email || t('common.none')],
      ['f.role', (u) => label('role', u.role)],
      ['f.brandsShort', (u) => (u.all_brands ? t('f.allBrands') : list(u.brands, t('set.user.noBrand')))],
    ],
    actions: (u, run) => (u.id === ctx.user.id ? null : deleteButton('/users', u, u.name, run)),
    form: (tools) => userForm(ctx, brands, tools),
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
    form: ({ reload, say }) => {
      const fields = { label: formField(t('f.label'), h('input', { name: 'label', autocomplete: 'off' }), { required: true }) };
      const f = formFields(fields);
      const form = h('form', { class: 'create', id: 'tokens-form', novalidate: true }, h('h3', {}, `${t('common.add')} · ${t('settings.tokens')}`), fields.label.el, h('button', { type: 'submit' }, t('common.add')));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        say('');
        if (!f.checkRequired()) return;
        const name = fields.label.input.value.trim();
        try {
          const result = await api('POST', '/tokens', { label: name });
          fields.label.input.value = '';
          clear(shown);
          const id = newId('tok');
          shown.append(h('label', { for: id }, t('settings.newToken')), h('input', { id, readonly: true, value: (result && result.token) || '', class: 'mono' }));
          say(t('settings.added', { name }));
          await reload();
        } catch (err) {
          f.showError(err, null);
          if (!(err && err.field === 'label')) say(errorText(err), true);
        }
      });
      return { el: form };
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
  const mark = input.required ? h('span', { class: 'required-mark', 'aria-hidden': 'true' }, ' *') : null;
  if (input.required) input.setAttribute('aria-required', 'true');
  const set = (message) => {
    error.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  return { el: h('div', { class: 'field' }, h('label', { for: id }, text, mark), hintEl, input, error), set, focus: () => input.focus() };
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
      const input = h('input', { type, name: key, autocomplete: 'off', required: true, value: (current && current.settings && current.settings[key]) || '' });
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
      status.textContent = errorText(err);
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
  const holder = h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'sec-accounts' });
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
      status.textContent = errorText(err);
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
      // The server's refusal of a field goes under it.
      if (err.field && f[err.field]) {
        f[err.field].set(errorText(err));
        f[err.field].focus?.();
      } else {
        status.className = 'error';
        status.textContent = errorText(err);
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
    form: ({ reload }) => {
      form = templateForm(brands, reload);
      return { el: form.form };
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
  // Managers read the sources and the catalog, and run the alerts (rules, retries) and the
  // templates; admins also manage users and reply accounts. The reply sections show when
  // the server has them.
  const brands = await ctx.brands().then((all) => all.map((b) => b.name), () => []);
  const [replyAccounts, replyTemplates] = await Promise.all([accounts(ctx, admin), templates(ctx)]);
  if (!ctx.isCurrent()) return;
  // The sections, in order: each an element, null (not for this user) or a promise of
  // one. A feature with settings of its own adds one line here: `mySection(ctx, brands),`.
  const parts = (
    await Promise.all([
      sourcesSection(ctx, admin),
      rules(ctx, brands),
      deliveries(ctx),
      slaSettings(ctx, admin),
      brandsSection(ctx, admin),
      templatesSection(ctx),
      replyAccounts,
      replyTemplates,
      admin ? users(ctx, brands) : null,
      teamsSection(ctx),
      tokens(ctx),
    ])
  ).filter(Boolean);
  if (!ctx.isCurrent()) return;
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
