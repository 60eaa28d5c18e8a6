// Pieces shared by the pages: status, SLA and stance badges (text and icon, never color
// alone), date cells, messages.

import { h } from '../dom.js';
import { addStrings, formatDate, formatDuration, label, t } from '../i18n.js';
import { escalationName } from '../words.js';

addStrings({
  en: {
    'slaCell.left': '{time} left',
    'slaCell.overdue': 'overdue by {time}',
    'slaCell.target.first_response': 'first response',
    'slaCell.target.next_response': 'next response',
  },
  fr: {
    'slaCell.left': 'encore {time}',
    'slaCell.overdue': 'en retard de {time}',
    'slaCell.target.first_response': 'première réponse',
    'slaCell.target.next_response': 'réponse suivante',
  },
});

export const STATUSES = ['new', 'acknowledged', 'reopened', 'resolved', 'closed'];
export const STANCES = ['complaint', 'praise', 'resolution', 'question', 'neutral'];
// How an agent answered outside ecoute (a declared response), and where ecoute itself sends.
export const DECLARED_CHANNELS = ['phone', 'email', 'private_message', 'in_person', 'other'];
export const REPLY_CHANNELS = ['mastodon', 'bluesky', 'email', 'webhook'];
export const TOPICS = ['billing', 'delay', 'support', 'product_defect', 'cancellation', 'contract', 'staff_attitude', 'delivery', 'outage', 'other'];

const STATUS_ICONS = { new: '●', acknowledged: '◐', reopened: '↺', resolved: '✓', closed: '■' };
const REPLY_ICONS = { queued: '…', sending: '↗', sent: '✓', failed: '✗', uncertain: '?' };
const SLA_ICONS = { none: '–', ok: '✓', due_soon: '⏳', breached: '⚠', met: '✓', missed: '✗' };

export function statusBadge(status) {
  return h('span', { class: ['badge', `status-${status}`] }, h('span', { 'aria-hidden': 'true' }, `${STATUS_ICONS[status] || '•'} `), label('status', status));
}

export function slaBadge(sla) {
  const state = (sla && sla.state) || 'none';
  const due = sla && sla.due_at ? t('sla.due', { date: formatDate(sla.due_at) }) : null;
  return h(
    'span',
    { class: ['badge', `sla-${state}`], title: due },
    h('span', { 'aria-hidden': 'true' }, `${SLA_ICONS[state] || '•'} `),
    label('sla', state),
  );
}

// "2 h 14 min left" or "overdue by 35 min", from a deadline and the clock.
export function countdownText(dueAt, now = Date.now()) {
  const left = Math.round((new Date(dueAt).getTime() - now) / 1000);
  return left > 0 ? t('slaCell.left', { time: formatDuration(left) }) : t('slaCell.overdue', { time: formatDuration(-left) });
}

// A running target's state as the clock moves: breached once its deadline has passed.
function liveState(el, now) {
  const left = new Date(el.dataset.dueAt).getTime() - now;
  if (left <= 0) return 'breached';
  return el.dataset.state === 'breached' ? 'due_soon' : el.dataset.state;
}

function refreshCell(el, now) {
  const state = liveState(el, now);
  el.className = `badge sla-cell sla-${state}`;
  el.querySelector('.sla-icon').textContent = `${SLA_ICONS[state] || '•'} `;
  el.querySelector('.sla-state').textContent = label('sla', state);
  el.querySelector('.sla-countdown').textContent = countdownText(el.dataset.dueAt, now);
}

// Every countdown on the page moves every 30 s, from its deadline (not from the server).
let ticker = null;
function startTicker() {
  if (ticker !== null) return;
  ticker = setInterval(() => {
    const now = Date.now();
    for (const el of document.querySelectorAll('.sla-cell[data-due-at]')) refreshCell(el, now);
  }, 30000);
}

// The SLA of a case in a list or on its page: the state as an icon and words, and for a
// running target the time left or overdue ("2 h 14 min left"), updated every 30 s. A case
// without a running target shows its state alone (met, missed, no SLA).
export function slaCell(sla) {
  const state = (sla && sla.state) || 'none';
  const running = sla && sla.due_at && sla.seconds_left !== null && sla.seconds_left !== undefined;
  if (!running) return slaBadge(sla);
  startTicker();
  const target = sla.target ? t(`slaCell.target.${sla.target}`) : '';
  const el = h(
    'span',
    { class: ['badge', 'sla-cell', `sla-${state}`], 'data-due-at': sla.due_at, 'data-state': state, title: [target, t('sla.due', { date: formatDate(sla.due_at) })].filter(Boolean).join(' · ') },
    h('span', { class: 'sla-icon', 'aria-hidden': 'true' }, `${SLA_ICONS[state] || '•'} `),
    h('span', { class: 'sla-state' }, label('sla', state)),
    ' · ',
    h('span', { class: 'sla-countdown' }, ''),
  );
  refreshCell(el, Date.now());
  return el;
}

// The state of a reply sent from ecoute: queued, sending, sent, failed or uncertain.
export function replyBadge(status) {
  return h('span', { class: ['badge', `reply-${status}`] }, h('span', { 'aria-hidden': 'true' }, `${REPLY_ICONS[status] || '•'} `), label('reply.status', status));
}

// Observed (seen in the channel: a reply ecoute sent, or the brand's public reply) or
// declared (an agent says they answered elsewhere); the description says what that means.
export function responseKindBadge(kind) {
  if (kind !== 'observed' && kind !== 'declared') return null;
  return h(
    'span',
    { class: ['badge', `kind-${kind}`], id: 'first-response-kind', 'data-kind': kind, title: t(`kind.${kind}.desc`) },
    h('span', { 'aria-hidden': 'true' }, kind === 'observed' ? '◉ ' : '✎ '),
    t(`kind.${kind}`),
    h('span', { class: 'visually-hidden' }, ` (${t(`kind.${kind}.desc`)})`),
  );
}

export function stanceBadge(stance) {
  if (!stance) return t('common.none');
  return h('span', { class: ['tag', `stance-${stance}`] }, label('stance', stance));
}

export function timeEl(iso) {
  if (!iso) return t('common.none');
  return h('time', { datetime: iso }, formatDate(iso));
}

export function escalation(c) {
  const name = escalationName(c.escalation_name || '');
  const level = Number(c.escalation_level || 0);
  return level > 0 ? `↑${level} ${name}` : name || t('common.none');
}

export function message(text, kind = 'info') {
  return h('p', { class: kind === 'error' ? 'error' : 'note', role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function loading() {
  return h('p', { class: 'note', role: 'status' }, t('common.loading'));
}
