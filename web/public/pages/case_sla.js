// The service level of a case (docs/ALERTS.md): its current target (first or next
// response), the deadline and the time left or overdue, the escalation level on the
// ladder with the levels reached, and an "Escalate" form that needs a reason. Mounted by the
// case page in <section id="case-sla">; the reason being typed survives a redraw.

import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { addStrings, formatDate, t } from '../i18n.js';
import { slaCell } from './common.js';
import { escalationName } from '../words.js';

addStrings({
  en: {
    'caseSla.title': 'Service level',
    'caseSla.target': 'Target',
    'caseSla.target.first_response': 'first response',
    'caseSla.target.next_response': 'next response (the customer wrote again)',
    'caseSla.target.none': 'no target running',
    'caseSla.deadline': 'Deadline',
    'caseSla.state': 'State',
    'caseSla.level': 'Escalation level',
    'caseSla.ladder': 'Escalation ladder',
    'caseSla.reached': 'reached {date} by {actor}',
    'caseSla.notReached': 'not reached',
    'caseSla.current': 'current level',
    'caseSla.policy': 'Policy',
    'caseSla.policy.none': 'no policy applies',
    'caseSla.policy.text': '{brand}, priority ≥ {priority}: first response within {first}, next within {next}',
    'caseSla.policy.hours': 'business hours ({zone})',
    'caseSla.policy.always': 'around the clock',
    'caseSla.everyBrand': 'every brand',
    'caseSla.escalate': 'Escalate',
    'caseSla.reason': 'Reason for the escalation',
    'caseSla.required': '(required)',
    'caseSla.reasonMissing': 'Give a reason for the escalation.',
    'caseSla.done': 'Case escalated to {name}.',
    'caseSla.top': 'The case is at the last level of the ladder.',
    'error.code.reason_required': 'Give a reason for the escalation.',
  },
  fr: {
    'caseSla.title': 'Niveau de service',
    'caseSla.target': 'Objectif',
    'caseSla.target.first_response': 'première réponse',
    'caseSla.target.next_response': 'réponse suivante (le client a écrit de nouveau)',
    'caseSla.target.none': 'aucun objectif en cours',
    'caseSla.deadline': 'Échéance',
    'caseSla.state': 'État',
    'caseSla.level': 'Niveau d’escalade',
    'caseSla.ladder': 'Échelle d’escalade',
    'caseSla.reached': 'atteint le {date} par {actor}',
    'caseSla.notReached': 'non atteint',
    'caseSla.current': 'niveau actuel',
    'caseSla.policy': 'Règle',
    'caseSla.policy.none': 'aucune règle ne s’applique',
    'caseSla.policy.text': '{brand}, priorité ≥ {priority} : première réponse sous {first}, suivantes sous {next}',
    'caseSla.policy.hours': 'heures ouvrées ({zone})',
    'caseSla.policy.always': 'jour et nuit',
    'caseSla.everyBrand': 'toutes les marques',
    'caseSla.escalate': 'Escalader',
    'caseSla.reason': 'Motif de l’escalade',
    'caseSla.required': '(obligatoire)',
    'caseSla.reasonMissing': 'Indiquez le motif de l’escalade.',
    'caseSla.done': 'Dossier escaladé au niveau {name}.',
    'caseSla.top': 'Le dossier est au dernier niveau de l’échelle.',
    'error.code.reason_required': 'Indiquez le motif de l’escalade.',
  },
});

// "1 h", "30 min": a policy's time, in minutes and hours.
function span(seconds) {
  const s = Number(seconds) || 0;
  if (s % 3600 === 0) return t('dur.h', { n: s / 3600 });
  if (s % 60 === 0) return t('dur.min', { n: s / 60 });
  return t('dur.s', { n: s });
}

function policyText(p) {
  if (!p) return t('caseSla.policy.none');
  const text = t('caseSla.policy.text', {
    brand: p.brand === '*' ? t('caseSla.everyBrand') : p.brand,
    priority: p.min_priority,
    first: span(p.first_response),
    next: span(p.next_response || p.first_response),
  });
  return `${text}; ${p.hours ? t('caseSla.policy.hours', { zone: p.hours.time_zone }) : t('caseSla.policy.always')}`;
}

function ladderList(data) {
  const level = data.case.escalation_level || 0;
  return h(
    'ol',
    { class: 'sla-ladder', id: 'case-sla-ladder', start: '0', 'aria-label': t('caseSla.ladder') },
    (data.ladder || []).map((step) =>
      h(
        'li',
        { 'aria-current': step.level === level ? 'step' : null, class: step.level === level ? 'current' : null },
        h('strong', {}, escalationName(step.name)),
        ' — ',
        step.level === level ? h('span', { class: 'tag' }, t('caseSla.current')) : null,
        step.level === level ? ' ' : null,
        step.reached ? t('caseSla.reached', { date: formatDate(step.reached.at), actor: step.reached.actor }) : step.level === 0 ? '' : t('caseSla.notReached'),
      ),
    ),
  );
}

// The form keeps its element, and so its draft, from one render to the next.
function escalateForm(el, id, ctx, rerender) {
  if (el._slaForm) return el._slaForm;
  const reason = h('textarea', { id: 'escalate-reason', name: 'reason', rows: 2, required: true, 'aria-required': 'true', 'aria-describedby': 'escalate-error' });
  const error = h('p', { id: 'escalate-error', class: 'error', role: 'alert', hidden: true });
  const status = h('p', { id: 'escalate-status', class: 'note', role: 'status' });
  const button = h('button', { type: 'submit', id: 'escalate-submit' }, t('caseSla.escalate'));
  const form = h(
    'form',
    { class: 'action', id: 'escalate-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'escalate-reason' }, `${t('caseSla.reason')} `, h('span', { class: 'required' }, t('caseSla.required'))), reason, error),
    h('div', { class: 'buttons' }, button),
    status,
  );
  const showError = (text) => {
    error.textContent = text;
    error.hidden = !text;
    reason.setAttribute('aria-invalid', text ? 'true' : 'false');
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.textContent = '';
    const text = reason.value.trim();
    if (!text) {
      showError(t('caseSla.reasonMissing'));
      reason.focus();
      return;
    }
    showError('');
    button.disabled = true;
    try {
      const data = await api('POST', `/cases/${id}/escalate`, { reason: text });
      reason.value = '';
      const level = data.case.escalation_level || 0;
      const name = (data.ladder && data.ladder[level] && escalationName(data.ladder[level].name)) || String(level);
      status.textContent = t('caseSla.done', { name });
      if (ctx.announce) ctx.announce(status.textContent);
      rerender(data);
    } catch (err) {
      showError(ctx.errorMessage ? ctx.errorMessage(err) : String(err.message || err));
    } finally {
      button.disabled = false;
    }
  });
  el._slaForm = form;
  return form;
}

function draw(el, data, ctx, canAct) {
  const c = data.case;
  const sla = c.sla || {};
  const target = sla.target || 'none';
  const top = (data.ladder || []).length - 1;
  const item = (key, value) => [h('dt', {}, t(key)), h('dd', {}, value)];
  const info = h(
    'div',
    { class: 'sla-info', id: 'case-sla-info' },
    h(
      'dl',
      { class: 'pairs' },
      item('caseSla.target', h('span', { id: 'case-sla-target', 'data-target': target }, t(`caseSla.target.${target}`))),
      item('caseSla.state', h('span', { id: 'case-sla-cell' }, slaCell(sla))),
      item('caseSla.deadline', sla.due_at ? h('time', { datetime: sla.due_at }, formatDate(sla.due_at)) : t('common.none')),
      item('caseSla.level', h('span', { id: 'case-sla-level', 'data-level': String(c.escalation_level || 0) }, `${c.escalation_level || 0} — ${escalationName(sla.escalation_name || c.escalation_name || '')}`)),
      item('caseSla.policy', policyText(data.policy)),
    ),
    h('h3', {}, t('caseSla.ladder')),
    ladderList(data),
  );
  const open = !['resolved', 'closed'].includes(c.status);
  const form = canAct && open ? escalateForm(el, c.id, ctx, (fresh) => draw(el, fresh, ctx, canAct)) : null;
  const atTop = (c.escalation_level || 0) >= top;
  if (form) form.querySelector('#escalate-submit').disabled = atTop;
  clear(el);
  el.append(h('h2', { id: 'case-sla-h' }, t('caseSla.title')), info, form, form && atTop ? h('p', { class: 'note' }, t('caseSla.top')) : null);
  el.setAttribute('aria-labelledby', 'case-sla-h');
}

// Renders the SLA of `caseData` (the case detail: {case, posts, events}) into `el`.
export async function renderSla(el, caseData, ctx) {
  const id = caseData.case.id;
  const canAct = ctx.user && ctx.user.role !== 'viewer';
  try {
    const data = await api('GET', `/cases/${id}/sla`);
    if (ctx.isCurrent && !ctx.isCurrent()) return;
    draw(el, data, ctx, canAct);
  } catch (err) {
    clear(el);
    el.append(h('h2', { id: 'case-sla-h' }, t('caseSla.title')), h('p', { class: 'error', role: 'alert' }, ctx.errorMessage ? ctx.errorMessage(err) : String(err.message || err)));
  }
}
