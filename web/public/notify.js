// The assignee's notification: when a case is given to the signed-in user (the live
// `assigned` event, live.js), a toast says so, with a link to the case, and screen readers
// hear it. Toasts stay until dismissed or for 20 seconds; at most five are shown.

import { h } from './dom.js';
import { addStrings, t } from './i18n.js';

addStrings({
  en: {
    'notify.region': 'Notifications',
    'notify.assigned': 'Case #{id} ({brand}) was assigned to you by {by}.',
    'notify.assignedTeam': 'Case #{id} ({brand}) was assigned to your team {team} by {by}.',
    'notify.open': 'Open case #{id}',
    'notify.dismiss': 'Dismiss',
    'notify.roundRobin': 'round-robin',
  },
  fr: {
    'notify.region': 'Notifications',
    'notify.assigned': 'Le dossier n° {id} ({brand}) vous a été attribué par {by}.',
    'notify.assignedTeam': 'Le dossier n° {id} ({brand}) a été attribué à votre équipe {team} par {by}.',
    'notify.open': 'Ouvrir le dossier n° {id}',
    'notify.dismiss': 'Fermer',
    'notify.roundRobin': 'le tour de rôle',
  },
});

const MAX_TOASTS = 5;
const TOAST_MS = 20000;

function region() {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('section', { id: 'toasts', class: 'toasts', 'aria-label': t('notify.region') });
    document.body.append(box);
  }
  box.setAttribute('aria-label', t('notify.region'));
  return box;
}

export function assignedMessage(detail) {
  const by = detail.by === 'rule:round_robin' ? t('notify.roundRobin') : detail.by || '';
  const vars = { id: detail.case_id, brand: detail.brand || '', by };
  const assignee = String(detail.assignee || '');
  return assignee.startsWith('team:') ? t('notify.assignedTeam', { ...vars, team: assignee.slice(5) }) : t('notify.assigned', vars);
}

function toast(detail, announce) {
  const box = region();
  const message = assignedMessage(detail);
  const el = h(
    'div',
    { class: 'toast', 'data-case': String(detail.case_id) },
    h('p', {}, message),
    h('a', { href: `#/cases/${encodeURIComponent(detail.case_id)}` }, t('notify.open', { id: detail.case_id })),
    ' ',
  );
  const close = h('button', { type: 'button', class: 'link-button', onclick: () => el.remove() }, t('notify.dismiss'));
  el.append(close);
  box.append(el);
  while (box.children.length > MAX_TOASTS) box.firstElementChild.remove();
  setTimeout(() => el.remove(), TOAST_MS);
  if (announce) announce(message);
}

// Listens on the live bus; `announce` speaks to screen readers (app.js).
export function startNotify(bus, announce) {
  bus.addEventListener('assigned', (event) => {
    if (event.detail && event.detail.case_id) toast(event.detail, announce);
  });
}
