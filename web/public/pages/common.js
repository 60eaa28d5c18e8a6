// Pieces shared by the pages: status, SLA and stance badges (text and icon, never color
// alone), date cells, messages.

import { h } from '../dom.js';
import { formatDate, label, t } from '../i18n.js';
import { escalationName } from '../words.js';

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
