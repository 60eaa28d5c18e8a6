// Settings: the SLA policies (time for the first and the next response, per brand and
// priority, in business hours with holidays) and the escalation ladder (docs/ALERTS.md).
// Managers read them; admins edit them, and the server puts them in force at once. An error
// shows next to its field, from the field the server names ("policies[2].first_response").

import { api } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { addStrings, t } from '../i18n.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

addStrings({
  en: {
    'slaSettings.title': 'Service levels (SLA)',
    'slaSettings.intro': 'How soon each brand must answer, counted in its business hours, and who hears of a case that waits too long. Changes apply at once.',
    'slaSettings.policies': 'Policies',
    'slaSettings.policy': 'Policy {n}',
    'slaSettings.brand': 'Brand (* for every brand)',
    'slaSettings.minPriority': 'From priority',
    'slaSettings.first': 'First response (minutes)',
    'slaSettings.next': 'Next response (minutes, 0: as the first)',
    'slaSettings.useHours': 'Count business hours only',
    'slaSettings.zone': 'Time zone (e.g. Europe/Paris)',
    'slaSettings.day.mon': 'Monday',
    'slaSettings.day.tue': 'Tuesday',
    'slaSettings.day.wed': 'Wednesday',
    'slaSettings.day.thu': 'Thursday',
    'slaSettings.day.fri': 'Friday',
    'slaSettings.day.sat': 'Saturday',
    'slaSettings.day.sun': 'Sunday',
    'slaSettings.dayHint': 'hours as 09:00-18:00, empty when closed',
    'slaSettings.holidays': 'Holidays (YYYY-MM-DD, comma separated)',
    'slaSettings.addPolicy': 'Add a policy',
    'slaSettings.removePolicy': 'Remove policy {n}',
    'slaSettings.levels': 'Escalation ladder',
    'slaSettings.level': 'Level {n}',
    'slaSettings.levelName': 'Name',
    'slaSettings.contacts': 'Webhooks to notify (one URL per line)',
    'slaSettings.addLevel': 'Add a level',
    'slaSettings.removeLevel': 'Remove level {n}',
    'slaSettings.save': 'Save the service levels',
    'slaSettings.saved': 'Service levels saved and in force.',
    'slaSettings.updated': 'Last changed by {who}.',
    'slaSettings.fix': 'Check the field marked below.',
    'slaSettings.err.brand': 'Give a brand’s name, or * for every brand.',
    'slaSettings.err.min_priority': 'Give a priority from 0 to 100.',
    'slaSettings.err.first_response': 'Give a time from 1 minute to 365 days.',
    'slaSettings.err.next_response': 'Give a time up to 365 days, or 0 to use the first response’s.',
    'slaSettings.err.time_zone': 'Unknown time zone: give a name such as Europe/Paris.',
    'slaSettings.err.days': 'Give opening hours as 09:00-18:00, and open at least one day.',
    'slaSettings.err.holidays': 'Give dates as 2026-12-25.',
    'slaSettings.err.name': 'Give the level a name.',
    'slaSettings.err.url': 'This webhook address is refused: {message}',
    'slaSettings.err.secret': 'A new webhook needs its secret: add it after the URL, separated by a space.',
    'slaSettings.err.levels': 'Keep at least one level.',
  },
  fr: {
    'slaSettings.title': 'Niveaux de service (SLA)',
    'slaSettings.intro': 'Le délai de réponse de chaque marque, compté en heures ouvrées, et qui est prévenu quand un dossier attend trop. Les changements s’appliquent aussitôt.',
    'slaSettings.policies': 'Règles',
    'slaSettings.policy': 'Règle {n}',
    'slaSettings.brand': 'Marque (* pour toutes)',
    'slaSettings.minPriority': 'À partir de la priorité',
    'slaSettings.first': 'Première réponse (minutes)',
    'slaSettings.next': 'Réponse suivante (minutes, 0 : comme la première)',
    'slaSettings.useHours': 'Ne compter que les heures ouvrées',
    'slaSettings.zone': 'Fuseau horaire (par ex. Europe/Paris)',
    'slaSettings.day.mon': 'Lundi',
    'slaSettings.day.tue': 'Mardi',
    'slaSettings.day.wed': 'Mercredi',
    'slaSettings.day.thu': 'Jeudi',
    'slaSettings.day.fri': 'Vendredi',
    'slaSettings.day.sat': 'Samedi',
    'slaSettings.day.sun': 'Dimanche',
    'slaSettings.dayHint': 'horaires sous la forme 09:00-18:00, vide si fermé',
    'slaSettings.holidays': 'Jours fériés (AAAA-MM-JJ, séparés par des virgules)',
    'slaSettings.addPolicy': 'Ajouter une règle',
    'slaSettings.removePolicy': 'Supprimer la règle {n}',
    'slaSettings.levels': 'Échelle d’escalade',
    'slaSettings.level': 'Niveau {n}',
    'slaSettings.levelName': 'Nom',
    'slaSettings.contacts': 'Webhooks à prévenir (une adresse par ligne)',
    'slaSettings.addLevel': 'Ajouter un niveau',
    'slaSettings.removeLevel': 'Supprimer le niveau {n}',
    'slaSettings.save': 'Enregistrer les niveaux de service',
    'slaSettings.saved': 'Niveaux de service enregistrés et appliqués.',
    'slaSettings.updated': 'Dernière modification par {who}.',
    'slaSettings.fix': 'Vérifiez le champ signalé ci-dessous.',
    'slaSettings.err.brand': 'Indiquez le nom d’une marque, ou * pour toutes.',
    'slaSettings.err.min_priority': 'Indiquez une priorité de 0 à 100.',
    'slaSettings.err.first_response': 'Indiquez un délai d’une minute à 365 jours.',
    'slaSettings.err.next_response': 'Indiquez un délai jusqu’à 365 jours, ou 0 pour reprendre celui de la première réponse.',
    'slaSettings.err.time_zone': 'Fuseau horaire inconnu : indiquez un nom comme Europe/Paris.',
    'slaSettings.err.days': 'Indiquez les horaires sous la forme 09:00-18:00, avec au moins un jour ouvert.',
    'slaSettings.err.holidays': 'Indiquez les dates sous la forme 2026-12-25.',
    'slaSettings.err.name': 'Donnez un nom au niveau.',
    'slaSettings.err.url': 'Cette adresse de webhook est refusée : {message}',
    'slaSettings.err.secret': 'Un nouveau webhook a besoin de son secret : ajoutez-le après l’adresse, séparé par une espace.',
    'slaSettings.err.levels': 'Gardez au moins un niveau.',
  },
});

function input(attrs) {
  return h('input', { id: newId('sla'), autocomplete: 'off', ...attrs });
}

function field(labelText, control, hint) {
  const hintEl = hint ? h('span', { class: 'hint', id: newId('hint') }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: control.type === 'checkbox' ? 'field check' : 'field' }, control.type === 'checkbox' ? [control, h('label', { for: control.id }, labelText)] : [h('label', { for: control.id }, labelText), control, hintEl]);
}

// One policy's fields; `read()` gives it back as the API takes it.
function policyEditor(p, index, remove, admin) {
  const brand = input({ value: p.brand ?? '*', 'data-field': `policies[${index}].brand`, disabled: !admin });
  const min = input({ type: 'number', min: 0, max: 100, value: p.min_priority ?? 0, 'data-field': `policies[${index}].min_priority`, disabled: !admin });
  const first = input({ type: 'number', min: 1, value: Math.round((p.first_response ?? 3600) / 60), 'data-field': `policies[${index}].first_response`, disabled: !admin });
  const next = input({ type: 'number', min: 0, value: Math.round((p.next_response ?? 0) / 60), 'data-field': `policies[${index}].next_response`, disabled: !admin });
  const hours = p.hours || null;
  const useHours = input({ type: 'checkbox', checked: !!hours, disabled: !admin });
  const zone = input({ value: hours ? hours.time_zone : 'Europe/Paris', 'data-field': `policies[${index}].hours.time_zone`, disabled: !admin });
  const days = DAYS.map((d) => input({ value: hours && hours.days ? hours.days[d] || '' : ['sat', 'sun'].includes(d) ? '' : '09:00-18:00', 'data-field': `policies[${index}].hours.days.${d}`, placeholder: '09:00-18:00', disabled: !admin }));
  const holidays = input({ value: hours && hours.holidays ? hours.holidays.join(', ') : '', 'data-field': `policies[${index}].hours.holidays`, disabled: !admin });
  const hoursBox = h(
    'fieldset',
    { class: 'sla-hours', hidden: !hours },
    h('legend', {}, t('slaSettings.useHours')),
    field(t('slaSettings.zone'), zone),
    DAYS.map((d, i) => field(t(`slaSettings.day.${d}`), days[i], i === 0 ? t('slaSettings.dayHint') : null)),
    field(t('slaSettings.holidays'), holidays),
  );
  useHours.addEventListener('change', () => {
    hoursBox.hidden = !useHours.checked;
  });
  const el = h(
    'fieldset',
    { class: 'sla-policy', 'data-index': String(index) },
    h('legend', {}, t('slaSettings.policy', { n: index + 1 })),
    field(t('slaSettings.brand'), brand),
    field(t('slaSettings.minPriority'), min),
    field(t('slaSettings.first'), first),
    field(t('slaSettings.next'), next),
    field(t('slaSettings.useHours'), useHours),
    hoursBox,
    admin ? h('button', { type: 'button', class: 'secondary', onclick: remove }, t('slaSettings.removePolicy', { n: index + 1 })) : null,
  );
  const minutes = (box) => (box.value.trim() === '' ? NaN : Math.round(Number(box.value) * 60));
  const read = () => ({
    brand: brand.value.trim(),
    min_priority: Number.parseInt(min.value, 10) || 0,
    first_response: Number.isFinite(minutes(first)) ? minutes(first) : 0,
    next_response: Number.isFinite(minutes(next)) ? minutes(next) : 0,
    hours: useHours.checked
      ? {
          time_zone: zone.value.trim(),
          days: Object.fromEntries(DAYS.map((d, i) => [d, days[i].value.trim() || null])),
          holidays: holidays.value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : null,
  });
  return { el, read };
}

function levelEditor(l, index, remove, admin) {
  const name = input({ value: l.name || '', 'data-field': `levels[${index}].name`, disabled: !admin, required: true });
  const contacts = h('textarea', { id: newId('sla'), rows: 2, 'data-field': `levels[${index}].contacts`, disabled: !admin }, (l.contacts || []).map((c) => (c.secret ? `${c.url} ${c.secret}` : c.url)).join('\n'));
  const el = h(
    'fieldset',
    { class: 'sla-level', 'data-index': String(index) },
    h('legend', {}, t('slaSettings.level', { n: index })),
    field(t('slaSettings.levelName'), name),
    field(t('slaSettings.contacts'), contacts),
    admin && index > 0 ? h('button', { type: 'button', class: 'secondary', onclick: remove }, t('slaSettings.removeLevel', { n: index })) : null,
  );
  const read = () => ({
    name: name.value.trim(),
    contacts: contacts.value
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [url, secret] = line.split(/\s+/, 2);
        return { url, secret: secret || '' };
      }),
  });
  return { el, read };
}

// The input an error's field names: the field itself, else its nearest named parent
// ("levels[1].contacts[0].url" -> the level's contacts box).
function inputFor(form, fieldPath) {
  let path = fieldPath;
  while (path) {
    const found = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (found) return found;
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (cut <= 0) break;
    path = path.slice(0, cut);
  }
  return null;
}

function errorKey(fieldPath) {
  const parts = fieldPath.replace(/\[\d+\]/g, '').split('.');
  if (parts.includes('days')) return 'days';
  if (parts.includes('holidays')) return 'holidays';
  return parts[parts.length - 1];
}

export function slaSettings(ctx, admin) {
  const headingId = newId('sec');
  const status = h('p', { class: 'note', role: 'status', id: 'sla-settings-status' });
  const body = h('div', {});
  const el = h('section', { class: 'settings-section', id: 'settings-sla', 'aria-labelledby': headingId }, h('h2', { id: headingId }, t('slaSettings.title')), h('p', { class: 'note' }, t('slaSettings.intro')), status, body);
  let policies = [];
  let levels = [];

  function draw(data) {
    clear(body);
    const policyBox = h('div', { class: 'sla-policies' });
    const levelBox = h('div', { class: 'sla-levels' });
    const rebuild = () => draw({ policies: policies.map((p) => p.read()), levels: levels.map((l) => l.read()), updated_by: data.updated_by });
    policies = (data.policies || []).map((p, i) =>
      policyEditor(p, i, () => {
        policies.splice(i, 1);
        rebuild();
      }, admin),
    );
    levels = (data.levels || []).map((l, i) =>
      levelEditor(l, i, () => {
        levels.splice(i, 1);
        rebuild();
      }, admin),
    );
    policyBox.append(...policies.map((p) => p.el));
    levelBox.append(...levels.map((l) => l.el));
    const form = h(
      'form',
      { class: 'sla-form', id: 'sla-form', novalidate: true },
      h('h3', {}, t('slaSettings.policies')),
      policyBox,
      admin ? h('button', { type: 'button', class: 'secondary', id: 'sla-add-policy', onclick: () => { policies.push({ read: () => ({ brand: '*', min_priority: 0, first_response: 3600, next_response: 0, hours: null }) }); rebuild(); } }, t('slaSettings.addPolicy')) : null,
      h('h3', {}, t('slaSettings.levels')),
      levelBox,
      admin ? h('button', { type: 'button', class: 'secondary', id: 'sla-add-level', onclick: () => { levels.push({ read: () => ({ name: '', contacts: [] }) }); rebuild(); } }, t('slaSettings.addLevel')) : null,
      admin ? h('div', { class: 'buttons' }, h('button', { type: 'submit', id: 'sla-save' }, t('slaSettings.save'))) : null,
      data.updated_by ? h('p', { class: 'note' }, t('slaSettings.updated', { who: data.updated_by })) : null,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save(form);
    });
    body.append(form);
  }

  function clearErrors(form) {
    for (const old of form.querySelectorAll('.field-error')) old.remove();
    for (const bad of form.querySelectorAll('[aria-invalid="true"]')) {
      bad.removeAttribute('aria-invalid');
      const kept = (bad.dataset.describedby || '').trim();
      if (kept) bad.setAttribute('aria-describedby', kept);
      else bad.removeAttribute('aria-describedby');
    }
  }

  async function save(form) {
    clearErrors(form);
    status.className = 'note';
    status.textContent = '';
    const payload = { policies: policies.map((p) => p.read()), levels: levels.map((l) => l.read()) };
    try {
      const saved = await api('PUT', '/sla', payload);
      if (!ctx.isCurrent()) return;
      draw(saved);
      status.textContent = t('slaSettings.saved');
      if (ctx.announce) ctx.announce(status.textContent);
    } catch (err) {
      const target = err.field ? inputFor(form, err.field) : null;
      const key = err.field ? `slaSettings.err.${errorKey(err.field)}` : '';
      const text = key && t(key) !== key ? t(key, { message: err.message }) : ctx.errorMessage(err);
      status.className = 'error';
      status.textContent = target ? t('slaSettings.fix') : text;
      if (target) {
        const note = h('p', { class: 'error field-error', id: newId('err') }, text);
        target.setAttribute('aria-invalid', 'true');
        target.dataset.describedby = target.getAttribute('aria-describedby') || '';
        target.setAttribute('aria-describedby', `${target.dataset.describedby} ${note.id}`.trim());
        target.closest('.field').append(note);
        const box = target.closest('fieldset.sla-hours');
        if (box) box.hidden = false;
        target.focus();
      }
    }
  }

  api('GET', '/sla').then(
    (data) => ctx.isCurrent() && draw(data),
    (err) => {
      status.className = 'error';
      status.textContent = ctx.errorMessage(err);
    },
  );
  return el;
}
