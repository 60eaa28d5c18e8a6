// Working on a case together: who else has it open and who is typing (presence, told to
// the server while the case is open and heard back live), and the dialog shown when an
// action meets a case that a teammate changed meanwhile (409 case_changed).

import { api, ApiError } from '../api.js';
import { append, clear, h } from '../dom.js';
import { addStrings, formatDate, label, t } from '../i18n.js';
import { actorName, eventReason } from '../words.js';

addStrings({
  en: {
    'presence.label': 'Also here:',
    'presence.typing': '{name} (typing…)',
    'conflict.title': 'This case changed since you read it',
    'conflict.intro': 'Since you opened it, or since your last action, a teammate or the channel changed it:',
    'conflict.question': 'Apply your action anyway?',
    'conflict.apply': 'Apply anyway',
    'conflict.cancel': 'Cancel and review',
    'conflict.kept': 'Nothing was done: the case is shown as it is now, and your draft is kept.',
    'conflict.none': 'Its details changed.',
    'conflict.by': '{what} by {actor}',
    'case.liveChange': 'Updated live: {what}.',
    'error.code.case_changed': 'This case changed since you read it.',
  },
  fr: {
    'presence.label': 'Également ici :',
    'presence.typing': '{name} (en train d’écrire…)',
    'conflict.title': 'Ce dossier a changé depuis que vous l’avez lu',
    'conflict.intro': 'Depuis que vous l’avez ouvert, ou depuis votre dernière action, un collègue ou le canal l’a modifié :',
    'conflict.question': 'Appliquer quand même votre action ?',
    'conflict.apply': 'Appliquer quand même',
    'conflict.cancel': 'Annuler et relire',
    'conflict.kept': 'Rien n’a été fait : le dossier est affiché tel qu’il est maintenant, et votre brouillon est conservé.',
    'conflict.none': 'Ses détails ont changé.',
    'conflict.by': '{what} par {actor}',
    'case.liveChange': 'Mis à jour en direct : {what}.',
    'error.code.case_changed': 'Ce dossier a changé depuis que vous l’avez lu.',
  },
});

const HEARTBEAT_MS = 10000;
const TYPING_MS = 6000;

// One timeline entry, in words: "internal note by admin:marie · 7 Dec 2026, 18:02".
export function describeChange(e) {
  const what = label('event', e.kind);
  const text = e.actor ? t('conflict.by', { what, actor: actorName(e.actor) }) : what;
  return e.at ? `${text} · ${formatDate(e.at)}` : text;
}

// Whether a timeline entry was made by another person than `me` (a rule's is nobody's).
export function byTeammate(e, me) {
  const m = /^(admin|manager|agent):(.*)$/.exec(e.actor || '');
  return Boolean(m) && m[2] !== me;
}

// Asks whether to apply an action on a case that changed; resolves true to apply.
export function confirmConflict(changes) {
  return new Promise((resolve) => {
    document.getElementById('conflict-dialog')?.remove();
    const opener = document.activeElement;
    let apply = false;
    const applyButton = h('button', { type: 'button', id: 'conflict-apply' }, t('conflict.apply'));
    const cancelButton = h('button', { type: 'button', class: 'secondary', id: 'conflict-cancel' }, t('conflict.cancel'));
    const dialog = h(
      'dialog',
      { id: 'conflict-dialog', class: 'dialog', 'aria-labelledby': 'conflict-h', 'aria-describedby': 'conflict-intro' },
      h('h2', { id: 'conflict-h' }, t('conflict.title')),
      h('p', { id: 'conflict-intro' }, t('conflict.intro')),
      changes.length
        ? h('ul', { class: 'conflict-changes' }, changes.map((e) => h('li', { 'data-kind': e.kind }, describeChange(e), e.reason ? h('div', { class: 'reason' }, eventReason(e.reason)) : null)))
        : h('p', {}, t('conflict.none')),
      h('p', {}, h('strong', {}, t('conflict.question'))),
      h('div', { class: 'buttons' }, applyButton, cancelButton),
    );
    applyButton.addEventListener('click', () => {
      apply = true;
      dialog.close();
    });
    cancelButton.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(apply);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancelButton.focus();
  });
}

// POSTs an action on the case with the version last read; on 409 case_changed, shows what
// changed and asks. Resolves to {answer} once done, {cancelled: true, version} when the
// agent chose not to apply it; throws any other error. `version()` gives the version the
// agent last read (undefined: send none); `seen(v)` records a version they have now seen.
export async function postGuarded(path, body, version, seen) {
  let expected = version();
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const answer = await api('POST', path, expected === undefined ? body : { ...body, expected_version: expected });
      return { answer };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409 && err.code === 'case_changed')) throw err;
      const data = err.data || {};
      const apply = await confirmConflict(Array.isArray(data.changes) ? data.changes : []);
      expected = Number.isInteger(data.version) ? data.version : undefined;
      if (expected !== undefined) seen(expected);
      if (!apply) return { cancelled: true, version: expected };
    }
  }
  return api('POST', path, body).then((answer) => ({ answer }));
}

// Presence on case `caseId`: says "viewing" now and every 10 s, "typing" while the agent
// types in a field of `root` (and "viewing" 6 s after the last key), "left" on stop();
// shows the others in `el` from the server's answers and the live `presence` events.
export function presenceTracker(ctx, caseId, root, el) {
  const canSay = ctx.user.role !== 'viewer';
  let state = 'viewing';
  let typingTimer = 0;
  let stopped = false;

  function show(users) {
    const others = (users || []).filter((u) => u && u.name && u.name !== ctx.user.name);
    clear(el);
    el.hidden = others.length === 0;
    if (!others.length) return;
    append(el, [
      h('span', { class: 'presence-label' }, t('presence.label')),
      ' ',
      others.map((u, i) => [i > 0 ? ', ' : null, h('span', { class: ['presence-user', `presence-${u.state}`], 'data-user': u.name, 'data-state': u.state }, u.state === 'typing' ? t('presence.typing', { name: u.name }) : u.name)]),
    ]);
  }

  async function say(next) {
    state = next;
    if (!canSay) return;
    try {
      const answer = await api('POST', `/cases/${caseId}/presence`, { state: next });
      if (!stopped && ctx.isCurrent()) show(answer && answer.users);
    } catch {
      // a server without presence, or offline: nothing to show
    }
  }

  function onInput(event) {
    const target = event.target;
    if (!(target instanceof HTMLElement) || !/^(TEXTAREA|INPUT)$/.test(target.tagName)) return;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => say('viewing'), TYPING_MS);
    if (state !== 'typing') say('typing');
  }

  function onPresence(event) {
    const d = event.detail;
    if (d && Number(d.case_id) === caseId) show(d.users);
  }

  // A tab closed on the case: "left" at once, rather than a lapse 30 s later.
  function onPageHide() {
    if (canSay) api('POST', `/cases/${caseId}/presence`, { state: 'left' }, { keepalive: true }).catch(() => {});
  }

  root.addEventListener('input', onInput);
  window.addEventListener('pagehide', onPageHide);
  ctx.bus.addEventListener('presence', onPresence);
  const heartbeat = setInterval(() => say(state), HEARTBEAT_MS);
  if (canSay) say('viewing');
  else api('GET', `/cases/${caseId}/presence`).then((d) => show(d && d.users), () => {});

  return function stop() {
    stopped = true;
    clearInterval(heartbeat);
    clearTimeout(typingTimer);
    root.removeEventListener('input', onInput);
    window.removeEventListener('pagehide', onPageHide);
    ctx.bus.removeEventListener('presence', onPresence);
    if (canSay) api('POST', `/cases/${caseId}/presence`, { state: 'left' }).catch(() => {});
  };
}
