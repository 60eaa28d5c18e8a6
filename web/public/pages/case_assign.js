// The case's assignee and the picker that changes it: the users allowed on the case's brand
// and its teams (GET /cases/{id}/assignees), "Assign to me" and "Unassign". Errors read as
// sentences (errors.js) next to the picker.
//
// renderAssign(el, caseData, ctx): `caseData` is the case detail ({case, ...}); `ctx` the
// page's context (user, announce, errorMessage, isCurrent), with an optional
// ctx.onAssigned(detail) called with the case as it now is (otherwise `el` dispatches a
// bubbling 'case-assigned' event with it as detail).

import { api } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { addStrings, t } from '../i18n.js';
import { errorText } from '../errors.js';

addStrings({
  en: {
    'assign.title': 'Assignment',
    'assign.current': 'Assigned to',
    'assign.nobody': 'nobody',
    'assign.team': 'team {name}',
    'assign.picker': 'Assign to',
    'assign.choose': 'Choose…',
    'assign.users': 'People',
    'assign.teams': 'Teams',
    'assign.submit': 'Assign',
    'assign.me': 'Assign to me',
    'assign.unassign': 'Unassign',
    'assign.done': 'Case assigned to {name}.',
    'assign.undone': 'Case unassigned.',
    'assign.loadFailed': 'The list of assignees could not be loaded: {message}',
    'error.code.unknown_assignee': '“{assignee}” cannot be given this case: choose a person allowed on its brand, or one of its teams.',
    'error.code.unknown_assignee.assignee': '“{assignee}” cannot be given this case: choose a person allowed on its brand, or one of its teams.',
  },
  fr: {
    'assign.title': 'Attribution',
    'assign.current': 'Attribué à',
    'assign.nobody': 'personne',
    'assign.team': 'équipe {name}',
    'assign.picker': 'Attribuer à',
    'assign.choose': 'Choisir…',
    'assign.users': 'Personnes',
    'assign.teams': 'Équipes',
    'assign.submit': 'Attribuer',
    'assign.me': 'M’attribuer le dossier',
    'assign.unassign': 'Retirer l’attribution',
    'assign.done': 'Dossier attribué à {name}.',
    'assign.undone': 'Le dossier n’est plus attribué.',
    'assign.loadFailed': 'Impossible de charger la liste des personnes : {message}',
    'error.code.unknown_assignee': '« {assignee} » ne peut pas recevoir ce dossier : choisissez une personne autorisée sur sa marque, ou l’une de ses équipes.',
    'error.code.unknown_assignee.assignee': '« {assignee} » ne peut pas recevoir ce dossier : choisissez une personne autorisée sur sa marque, ou l’une de ses équipes.',
  },
});

const TEAM = 'team:';

// How an assignee reads: a person's name, or "team Billing".
export function assigneeLabel(assignee) {
  if (!assignee) return t('assign.nobody');
  return assignee.startsWith(TEAM) ? t('assign.team', { name: assignee.slice(TEAM.length) }) : assignee;
}

export function renderAssign(el, caseData, ctx) {
  const c = caseData.case || caseData;
  const canAct = ctx.user && ctx.user.role !== 'viewer';
  const pickerId = newId('assign');
  const errorId = `${pickerId}-error`;
  const headingId = `${pickerId}-h`;
  const current = h('p', { class: 'assign-current', id: `${pickerId}-current` }, h('span', { class: 'muted' }, `${t('assign.current')} `), h('strong', {}, assigneeLabel(c.assignee)));
  const status = h('p', { class: 'note', role: 'status' });
  const error = h('p', { class: 'error', id: errorId, role: 'alert' });
  clear(el);
  el.setAttribute('aria-labelledby', headingId);
  el.append(h('h3', { id: headingId }, t('assign.title')), current);
  if (!canAct) return;

  const picker = h('select', { id: pickerId, name: 'assignee', 'aria-describedby': errorId }, h('option', { value: '' }, t('assign.choose')));
  const submit = h('button', { type: 'submit', id: 'assign-submit' }, t('assign.submit'));
  const me = h('button', { type: 'button', class: 'secondary', id: 'assign-me' }, t('assign.me'));
  const unassign = h('button', { type: 'button', class: 'secondary', id: 'assign-none', disabled: !c.assignee }, t('assign.unassign'));
  const form = h(
    'form',
    { class: 'action assign-form' },
    h('div', { class: 'field' }, h('label', { for: pickerId }, t('assign.picker')), picker),
    h('div', { class: 'buttons' }, submit, me, unassign),
    error,
  );
  el.append(form, status);

  async function assign(assignee) {
    error.textContent = '';
    status.textContent = '';
    picker.removeAttribute('aria-invalid');
    try {
      // On the case page, the version it shows: a teammate's change meanwhile is a 409.
      const body = { assignee };
      if (typeof ctx.version === 'function' && Number.isInteger(ctx.version())) body.expected_version = ctx.version();
      const fresh = await api('POST', `/cases/${c.id}/assign`, body);
      const done = assignee ? t('assign.done', { name: assigneeLabel(fresh && fresh.case ? fresh.case.assignee : assignee) }) : t('assign.undone');
      if (ctx.announce) ctx.announce(done);
      if (ctx.onAssigned) ctx.onAssigned(fresh, done);
      else if (typeof ctx.refresh === 'function') ctx.refresh();
      else el.dispatchEvent(new CustomEvent('case-assigned', { bubbles: true, detail: fresh }));
      status.textContent = done;
    } catch (err) {
      picker.setAttribute('aria-invalid', 'true');
      error.textContent = errorText(err);
    }
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (picker.value) assign(picker.value);
    else picker.focus();
  });
  me.addEventListener('click', () => assign(ctx.user.name));
  unassign.addEventListener('click', () => assign(''));

  api('GET', `/cases/${c.id}/assignees`).then(
    (data) => {
      if (ctx.isCurrent && !ctx.isCurrent()) return;
      const users = (data && data.users) || [];
      const teams = (data && data.teams) || [];
      if (users.length) {
        picker.append(h('optgroup', { label: t('assign.users') }, users.map((u) => h('option', { value: u.name, selected: u.name === c.assignee }, u.display_name ? `${u.display_name} (${u.name})` : u.name))));
      }
      if (teams.length) {
        picker.append(h('optgroup', { label: t('assign.teams') }, teams.map((team) => h('option', { value: team.assignee, selected: team.assignee === c.assignee }, t('assign.team', { name: team.name })))));
      }
    },
    (err) => {
      error.textContent = t('assign.loadFailed', { message: errorText(err) });
    },
  );
}
