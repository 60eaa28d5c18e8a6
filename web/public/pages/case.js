// The case page: summary, posts with highlighted cues, why its priority, the reply composer
// and the replies sent, timeline, and the team's actions.
//
// Built once, then updated in place: a live event for the open case (a teammate's note, a
// post joining, a reply sent) redraws only the parts that show the case (summary, posts,
// timeline, replies, the buttons that depend on its status), never a form, so nothing being
// typed is lost. What is typed is also kept as a draft in the browser (drafts.js) until it
// is sent or discarded. Each action carries the case's version as the agent last read it:
// if a teammate changed the case meanwhile the server refuses, and the agent sees what
// changed before choosing to apply it anyway (case_collab.js). Presence shows who else has
// the case open; the page's keyboard shortcuts are registered in keys.js.
//
// Other modules render into mount points when they are there: <section id="case-assign">
// (renderAssign(el, caseData, ctx) from case_assign.js), <section id="case-sla">
// (renderSla(el, caseData, ctx) from case_sla.js) and, for agents, <section
// id="case-follows"> (renderFollows(el, caseData, ctx) from case_follows.js: the comments
// followed under the case's web posts). Without them the page shows its own
// assign form and SLA badge. Their ctx adds to the page's: caseId, act(kind, body, doneKey)
// (an action with the conflict check), version() and refresh().

import { api, ApiError, hasEndpoint } from '../api.js';
import { append, clear, h, markedText, newId, webUrl } from '../dom.js';
import { caseDrafts, bindDraft } from '../drafts.js';
import { caseOrder, registerShortcut } from '../keys.js';
import { addStrings, formatDate, label, t } from '../i18n.js';
import { STANCES, TOPICS, escalation, responseKindBadge, slaBadge, stanceBadge, statusBadge, timeEl } from './common.js';
import { contactRoutes, cueLegend, originalLink, priorityForm, whyPriority } from './case_info.js';
import { declaredForm, notePanel, repliesPanel, replyComposer } from './case_reply.js';
import { byTeammate, describeChange, postGuarded, presenceTracker } from './case_collab.js';
import { actorName, eventReason } from '../words.js';

addStrings({
  en: {
    'keys.case.assignMe': 'Assign the case to me',
    'keys.case.reply': 'Write a reply',
    'keys.case.note': 'Write an internal note',
    'keys.case.resolve': 'Resolve: type the reason, then Enter',
    'keys.case.next': 'Next case of the inbox',
    'keys.case.previous': 'Previous case of the inbox',
    'case.noReply': 'No reply can be written on this case.',
    'case.firstCase': 'This is the first case of the inbox.',
    'case.lastCase': 'This is the last case of the inbox.',
  },
  fr: {
    'keys.case.assignMe': 'M’assigner le dossier',
    'keys.case.reply': 'Écrire une réponse',
    'keys.case.note': 'Écrire une note interne',
    'keys.case.resolve': 'Résoudre : saisir le motif, puis Entrée',
    'keys.case.next': 'Dossier suivant de la boîte de réception',
    'keys.case.previous': 'Dossier précédent de la boîte de réception',
    'case.noReply': 'Aucune réponse ne peut être écrite sur ce dossier.',
    'case.firstCase': 'C’est le premier dossier de la boîte de réception.',
    'case.lastCase': 'C’est le dernier dossier de la boîte de réception.',
  },
});

// The modules of other features, loaded once; null when this dashboard has none.
const optionalModules = new Map();
function optionalModule(name) {
  if (!optionalModules.has(name)) optionalModules.set(name, import(`./${name}`).catch(() => null));
  return optionalModules.get(name);
}

// Observed or declared, from the server's word, else from which first response it stamped.
function responseKind(c) {
  if (c.response_kind) return c.response_kind;
  if (c.first_observed_response_at) return 'observed';
  if (c.first_declared_response_at) return 'declared';
  return null;
}

// What each part shows, as a key: a part is drawn again only when its key changes.
const shownKeys = new WeakMap();

// Replaces `holder`'s content with `content` when its key changed; the focus, when it was
// inside, goes back to the element of the same id.
function swap(holder, key, content) {
  if (shownKeys.get(holder) === key) return;
  shownKeys.set(holder, key);
  const active = document.activeElement;
  const activeId = active && holder.contains(active) ? active.id : '';
  clear(holder);
  append(holder, [content]);
  if (activeId) document.getElementById(activeId)?.focus();
}

function summary(c, posts, withSla) {
  // Each label with its value in one cell, so that the grid never separates them.
  const item = (key, value) => h('div', { class: 'summary-item', 'data-item': key }, h('dt', {}, t(key)), h('dd', {}, value));
  const overridden = c.priority_override !== undefined && c.priority_override !== null;
  const kind = responseKind(c);
  return h(
    'dl',
    { class: 'summary', id: 'case-summary', 'aria-label': t('case.summary') },
    item('case.brand', h('a', { href: `#/brands/${encodeURIComponent(c.brand)}` }, c.brand)),
    item('case.customer', c.customer || t('common.none')),
    item('case.status', h('span', { id: 'case-status' }, statusBadge(c.status))),
    item('case.priority', [h('span', { id: 'case-priority' }, String(c.priority ?? t('common.none'))), overridden ? [' ', h('span', { class: 'tag', title: t('why.overridden', { priority: c.priority_override }) }, t('priority.overrideTag'))] : null]),
    withSla ? item('case.sla', [slaBadge(c.sla), c.sla && c.sla.due_at ? [' ', h('span', { class: 'muted' }, t('sla.due', { date: formatDate(c.sla.due_at) }))] : null]) : null,
    item('case.escalation', escalation(c)),
    item('case.assignee', h('span', { id: 'case-assignee' }, c.assignee || t('case.unassigned'))),
    item('case.topic', c.topic ? label('topic', c.topic) : t('common.none')),
    item('case.opened', timeEl(c.opened_at)),
    item('case.firstResponse', [timeEl(c.first_response_at), c.first_response_at && kind ? [' ', responseKindBadge(kind)] : null]),
    item('case.resolvedAt', timeEl(c.resolved_at)),
    originalLink(posts) ? item('case.originalPost', originalLink(posts)) : null,
  );
}

function timeline(events) {
  if (!events.length) return h('p', { class: 'note' }, t('case.noEvents'));
  return h(
    'ol',
    { class: 'events' },
    events.map((e) =>
      h(
        'li',
        { class: ['event', `event-${e.kind}`], 'data-kind': e.kind },
        timeEl(e.at),
        ' ',
        e.kind === 'note' ? [h('span', { class: 'badge internal-badge' }, h('span', { 'aria-hidden': 'true' }, '▣ '), t('note.internal')), ' '] : null,
        h('strong', {}, label('event', e.kind)),
        e.actor ? [' ', h('span', { class: 'muted' }, t('case.by', { actor: actorName(e.actor) }))] : null,
        e.reason ? h('div', { class: 'reason' }, eventReason(e.reason)) : null,
      ),
    ),
  );
}

function postList(posts, onCorrect) {
  return h(
    'ol',
    { class: 'post-list' },
    posts.map((p) => {
      const cues = (p.cues || []).map((cue) => ({
        start: cue.start,
        end: cue.end,
        kind: cue.kind,
        cls: `cue cue-${cue.kind}`,
        title: cue.label && cue.label !== (p.text || '').slice(cue.start, cue.end) ? `${label('cue', cue.kind)}: ${cue.label}` : label('cue', cue.kind),
        describe: label('cue', cue.kind),
      }));
      return h(
        'li',
        { class: ['post', `role-${p.role}`], 'data-post-id': p.post_id },
        h(
          'div',
          { class: 'post-head' },
          h('span', { class: ['role-badge', `role-${p.role}`] }, label('role', p.role)),
          h('strong', {}, p.author || ''),
          timeEl(p.published_at),
          stanceBadge(p.stance),
          webUrl(p.url) ? h('a', { href: webUrl(p.url), rel: 'noopener noreferrer nofollow', target: '_blank' }, t('case.original')) : null,
        ),
        h('p', { class: 'post-text' }, markedText(p.text || '', cues)),
        onCorrect ? h('button', { type: 'button', class: 'link-button', id: `correct-${p.post_id}`, onclick: () => onCorrect(p) }, t('case.correct')) : null,
      );
    }),
  );
}

// The case before or after `id` in the inbox's order (remembered by the inbox), else in
// the server's default order of open cases.
async function neighbour(id, step) {
  let order = caseOrder();
  if (!order.includes(id)) {
    const data = await api('GET', '/cases?status=open&limit=500').catch(() => null);
    order = ((data && data.cases) || []).map((c) => c.id);
  }
  const at = order.indexOf(id);
  if (at < 0) return order[0] ?? null;
  return order[at + step] ?? null;
}

// The correction dialog of post `p`: brand, stance, topics, kept as a draft of the case
// until saved or discarded. `send(body)` posts it ({answer} or {cancelled}); `done({fresh}
// or {cancelled})` after.
async function correctionDialog(ctx, c, p, drafts, send, done) {
  const names = await ctx.brands().then(
    (list) => list.map((b) => b.name),
    () => [],
  );
  if (!names.includes(c.brand)) names.unshift(c.brand);
  // The fields as last typed for this post, else as the analysis says.
  const field = `correct-${p.post_id}`;
  const saved = drafts.get(field) || {};
  const brandId = newId('brand');
  const chosenBrand = names.includes(saved.brand) ? saved.brand : c.brand;
  const brand = h('select', { id: brandId, 'aria-describedby': `${brandId}-help` }, names.map((n) => h('option', { value: n, selected: n === chosenBrand }, n)));
  const stanceId = newId('stance');
  const chosenStance = STANCES.includes(saved.stance) ? saved.stance : p.stance;
  const stance = h('select', { id: stanceId }, STANCES.map((s) => h('option', { value: s, selected: chosenStance === s }, label('stance', s))));
  const analysed = new Set((p.cues || []).filter((cue) => cue.kind === 'topic').map((cue) => cue.label));
  if (c.topic) analysed.add(c.topic);
  const chosenTopics = Array.isArray(saved.topics) ? new Set(saved.topics) : analysed;
  const boxes = TOPICS.map((topic) => {
    const boxId = newId('topic');
    const box = h('input', { type: 'checkbox', id: boxId, value: topic, checked: chosenTopics.has(topic) });
    return { box, el: h('span', { class: 'check' }, box, h('label', { for: boxId }, label('topic', topic))) };
  });
  const values = () => ({ brand: brand.value, stance: stance.value, topics: boxes.filter((b) => b.box.checked).map((b) => b.box.value) });
  const errorLine = h('p', { class: 'error', role: 'alert' });
  const discard = h('button', { type: 'button', class: 'link-button draft-discard', 'data-draft': field }, t('draft.discard'));
  const draftLine = h('p', { class: 'draft-state', hidden: !drafts.has(field) }, h('span', { class: 'hint' }, t('draft.saved')), ' ', discard);
  const titleId = newId('dlg');
  const dialog = h('dialog', { class: 'dialog', id: 'correct-dialog', 'aria-labelledby': titleId });
  const form = h(
    'form',
    { method: 'dialog' },
    h('h2', { id: titleId }, t('correct.title')),
    h('blockquote', {}, (p.text || '').slice(0, 240)),
    h('div', { class: 'field' }, h('label', { for: brandId }, t('correct.brand')), brand, h('p', { class: 'hint', id: `${brandId}-help` }, t('correct.brandHelp'))),
    h('div', { class: 'field' }, h('label', { for: stanceId }, t('correct.stance')), stance),
    h('fieldset', {}, h('legend', {}, t('correct.topics')), boxes.map((b) => b.el)),
    draftLine,
    errorLine,
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'submit', value: 'save' }, t('correct.save')),
      h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('common.cancel')),
    ),
  );
  form.addEventListener('change', () => {
    drafts.set(field, values());
    draftLine.hidden = false;
  });
  discard.addEventListener('click', () => {
    drafts.remove(field);
    dialog.close();
    ctx.announce(t('draft.discarded'));
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { post_id: p.post_id, ...values() };
    try {
      const out = await send(body);
      if (out.cancelled) {
        dialog.close();
        done(out);
        return;
      }
      const answer = out.answer;
      drafts.remove(field);
      const fresh = answer && answer.case && answer.posts ? answer : await api('GET', `/cases/${c.id}`);
      dialog.close();
      done({ fresh });
    } catch (err) {
      errorLine.textContent = ctx.errorMessage(err);
    }
  });
  dialog.append(form);
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

// The actions' forms, built once: the assign mount, the declared response, the priority,
// the status change. show(c) updates what in them shows the case (the status buttons, an
// untouched priority) without touching what is typed.
function actionForms(ctx, first, { canPriority, drafts, act, assignSection }) {
  const reason = h('input', { id: 'status-reason', name: 'reason', autocomplete: 'off' });
  const reasonDraft = bindDraft(drafts, 'status-reason', reason, { announce: ctx.announce });
  const statusButtons = h('div', { class: 'buttons', id: 'status-buttons' });
  const statusAct = (kind) => act(kind, { reason: reason.value.trim() }, `case.done.${kind}`, () => {
    reason.value = '';
    reasonDraft.sent();
  });
  const statusForm = h(
    'form',
    { class: 'action' },
    h('div', { class: 'field' }, h('label', { for: 'status-reason' }, t('case.reason')), reason, reasonDraft.control),
    statusButtons,
  );
  // Enter in the reason does the first action shown (resolve, or reopen).
  statusForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const first = statusButtons.querySelector('button');
    if (first) first.click();
  });
  const declared = declaredForm((kind, body, doneKey) =>
    act(kind, body, doneKey, () => {
      respondNote.value = '';
      respondDraft.sent();
    }),
  );
  const respondNote = declared.querySelector('#respond-note');
  const respondDraft = bindDraft(drafts, 'respond-note', respondNote, { announce: ctx.announce });
  respondNote.closest('.field').append(respondDraft.control);
  const priority = canPriority ? priorityForm(first, act) : null;
  const section = h(
    'section',
    { class: 'actions', 'aria-labelledby': 'actions-h' },
    h('h2', { id: 'actions-h' }, t('case.actions')),
    assignSection,
    declared,
    priority,
    h('h3', {}, t('case.statusChange')),
    statusForm,
  );
  // The parts of the forms that show the case: updated without touching what is typed.
  let shownPriority = String(first.priority ?? '');
  function show(c) {
    const open = !['resolved', 'closed'].includes(c.status);
    const button = (kind) => h('button', { type: 'button', id: `${kind}-submit`, class: kind === 'resolve' || kind === 'reopen' ? '' : 'secondary', onclick: () => statusAct(kind) }, t(`case.${kind}`));
    swap(statusButtons, `${open}|${c.status}`, open ? [button('resolve'), button('close')] : [button('reopen'), c.status !== 'closed' ? button('close') : null]);
    if (priority) {
      const value = priority.querySelector('#priority-value');
      const next = String(c.priority ?? '');
      if (value && document.activeElement !== value && value.value === shownPriority) value.value = next;
      shownPriority = next;
      const overridden = c.priority_override !== undefined && c.priority_override !== null;
      const clearButton = priority.querySelector('#priority-clear');
      if (clearButton) clearButton.hidden = !overridden;
      else if (overridden) {
        priority.querySelector('.buttons').append(h('button', { type: 'button', id: 'priority-clear', class: 'secondary', onclick: () => act('priority', { priority: null, reason: priority.querySelector('#priority-reason').value.trim() }, 'case.done.priorityCleared') }, t('priority.clear')));
      }
    }
  }
  return { section, show, reason, drafts: [reasonDraft, respondDraft] };
}

// Today's assign form, where no assign module renders its own.
function fallbackAssign(section, first, ctx, act) {
  const input = h('input', { id: 'assign-name', name: 'assignee', value: first.assignee || '', autocomplete: 'off' });
  let shown = first.assignee || '';
  const form = h(
    'form',
    { class: 'action' },
    h('div', { class: 'field' }, h('label', { for: 'assign-name' }, t('case.assignTo')), input),
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'submit', id: 'assign-submit' }, t('case.assign')),
      h('button', { type: 'button', class: 'secondary', id: 'assign-me', onclick: () => act('assign', { assignee: ctx.user.name }, 'case.done.assign') }, t('case.assignMe')),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    act('assign', { assignee: input.value.trim() }, 'case.done.assign');
  });
  section.append(form);
  return (c) => {
    const next = c.assignee || '';
    if (document.activeElement !== input && input.value === shown) input.value = next;
    shown = next;
  };
}

// The case page's shortcuts (keys.js); returns the functions that remove them.
function caseShortcuts(ctx, id, { canAct, act, replyText, noteText, reason }) {
  function focusField(el, missingKey) {
    if (el && !el.closest('[hidden]')) {
      el.scrollIntoView({ block: 'center' });
      el.focus();
    } else if (missingKey) ctx.announce(t(missingKey));
  }
  async function go(step) {
    const next = await neighbour(id, step);
    if (!ctx.isCurrent()) return;
    if (next) location.hash = `#/cases/${next}`;
    else ctx.announce(t(step > 0 ? 'case.lastCase' : 'case.firstCase'));
  }
  const unregister = [
    registerShortcut(']', 'keys.case.next', () => go(1), { scope: 'case' }),
    registerShortcut('J', 'keys.case.next', () => go(1), { scope: 'case' }),
    registerShortcut('[', 'keys.case.previous', () => go(-1), { scope: 'case' }),
    registerShortcut('K', 'keys.case.previous', () => go(-1), { scope: 'case' }),
  ];
  if (canAct) {
    unregister.push(
      registerShortcut('a', 'keys.case.assignMe', () => act('assign', { assignee: ctx.user.name }, 'case.done.assign'), { scope: 'case' }),
      registerShortcut('r', 'keys.case.reply', () => focusField(replyText, 'case.noReply'), { scope: 'case' }),
      registerShortcut('n', 'keys.case.note', () => focusField(noteText), { scope: 'case' }),
      registerShortcut('e', 'keys.case.resolve', () => focusField(reason), { scope: 'case' }),
    );
  }
  return unregister;
}

// The versions of a case (its "version", which grows with each change): the one shown,
// and the one the agent has read, sent with each action. The agent's own changes and the
// channel's move what they have read along; a teammate's does not, until the agent has
// seen it in the conflict dialog (seen()).
function versionTracker(first, me) {
  let read = Number.isInteger(first) ? first : undefined;
  let shown = read;
  return {
    read: () => read,
    seen(v) {
      if (Number.isInteger(v)) read = v;
    },
    // Takes the case as now shown (`own`: the answer to the agent's action); returns the
    // teammates' changes since the last shown (the timeline's newest entries).
    show(d, own) {
      if (!Number.isInteger(d.version) || shown === undefined) return [];
      const events = d.events || [];
      const added = events.slice(Math.max(0, events.length - Math.max(0, d.version - shown)));
      const others = own ? [] : added.filter((e) => byTeammate(e, me));
      if (own || (!others.length && read === shown)) read = d.version;
      shown = d.version;
      return others;
    },
  };
}

// Another module's panel drawn in `el`: renderFn(el, caseData, ctx); its failure is shown.
function drawMount(el, renderFn, d, ctx) {
  clear(el);
  try {
    renderFn(el, d, ctx);
  } catch (err) {
    el.append(h('p', { class: 'error' }, ctx.errorMessage(err)));
  }
}

export async function render(view, ctx) {
  const id = Number.parseInt(ctx.params[0], 10);
  if (!Number.isInteger(id) || id <= 0) throw new ApiError(404, 'not_found');
  const canAct = ctx.user.role !== 'viewer';
  const [data, canPriority, assignModule, slaModule, followsModule] = await Promise.all([
    api('GET', `/cases/${id}`),
    canAct ? hasEndpoint(`/cases/${id}/priority`) : false,
    canAct ? optionalModule('case_assign.js') : null,
    optionalModule('case_sla.js'),
    canAct ? optionalModule('case_follows.js') : null,
  ]);
  if (!ctx.isCurrent()) return undefined;
  const renderAssign = assignModule && typeof assignModule.renderAssign === 'function' ? assignModule.renderAssign : null;
  const renderSla = slaModule && typeof slaModule.renderSla === 'function' ? slaModule.renderSla : null;
  const renderFollows = followsModule && typeof followsModule.renderFollows === 'function' ? followsModule.renderFollows : null;
  const drafts = caseDrafts(ctx.user.name, id);
  const versions = versionTracker(data.version, ctx.user.name);

  const statusLine = h('p', { class: 'note', role: 'status', id: 'case-status-line' });
  const liveLine = h('p', { class: 'hint', role: 'status', id: 'case-live-line' });
  const presenceLine = h('p', { class: 'presence', id: 'case-presence', hidden: true });
  const titleText = h('span', { id: 'case-title-text' });
  const summaryHolder = h('div', { class: 'summary-holder' });
  const slaSection = h('section', { id: 'case-sla', class: 'case-sla', 'aria-label': t('case.sla'), hidden: !renderSla });
  const postsHeading = h('h2', { id: 'posts-h' });
  const legendHolder = h('div', {});
  const postsHolder = h('div', {});
  const whyHolder = h('div', {});
  const contactsHolder = h('div', {});
  const timelineHolder = h('div', {});
  const assignSection = h('section', { id: 'case-assign', class: 'case-assign', 'aria-label': t('case.assignTo') });
  const followsSection = h('section', { id: 'case-follows', class: 'case-follows', hidden: true });

  function refresh() {
    return api('GET', `/cases/${id}`).then((fresh) => ctx.isCurrent() && update(fresh, false), () => {});
  }
  const guarded = (kind, body) => postGuarded(`/cases/${id}/${kind}`, body, versions.read, versions.seen);

  // Panels built once: what is typed in them survives every update.
  const composer = canAct
    ? replyComposer(
        ctx,
        id,
        (reply) => {
          replyDraft?.sent();
          replies.track(reply);
          replies.load();
          refresh();
        },
        async (body) => {
          const out = await guarded('replies', body);
          if (out.cancelled) {
            refresh();
            return null;
          }
          return out.answer;
        },
      )
    : null;
  const replies = repliesPanel(ctx, id, onSent);
  const note = canAct
    ? notePanel(ctx, id, () => {
        noteDraft?.sent();
        refresh();
      })
    : null;

  // A sent reply joins the case as its observed response: the case is read again now and
  // once more shortly after, since the post may be recorded just after the reply's state.
  function onSent() {
    refresh();
    setTimeout(() => ctx.isCurrent() && refresh(), 1500);
  }

  // An action with the conflict check, then the case as it now is.
  async function act(kind, body, doneKey, onDone) {
    statusLine.textContent = '';
    statusLine.className = 'note';
    try {
      const out = await guarded(kind, body);
      if (!ctx.isCurrent()) return false;
      if (out.cancelled) {
        statusLine.textContent = t('conflict.kept');
        await refresh();
        return false;
      }
      const answer = out.answer;
      const fresh = answer && answer.case && answer.posts ? answer : await api('GET', `/cases/${id}`);
      if (!ctx.isCurrent()) return false;
      update(fresh, true);
      if (onDone) onDone();
      statusLine.textContent = t(doneKey);
      ctx.announce(t(doneKey));
      return true;
    } catch (err) {
      statusLine.className = 'error';
      statusLine.textContent = ctx.errorMessage(err);
      return false;
    }
  }

  // ---- the forms, built once ----
  const forms = canAct ? actionForms(ctx, data.case, { canPriority, drafts, act, assignSection }) : null;
  const replyText = composer ? composer.el.querySelector('#reply-text') : null;
  const replyDraft = replyText ? bindDraft(drafts, 'reply', replyText, { announce: ctx.announce }) : null;
  if (replyDraft) {
    replyText.closest('.field').append(replyDraft.control);
    // A template put in the text is a draft too.
    composer.el.querySelector('#reply-use-template')?.addEventListener('click', () => replyText.dispatchEvent(new Event('input')));
  }
  const noteText = note ? note.el.querySelector('#note-text') : null;
  const noteDraft = noteText ? bindDraft(drafts, 'note', noteText, { announce: ctx.announce }) : null;
  if (noteDraft) noteText.closest('.field').append(noteDraft.control);

  let assignShown = null;
  let showAssign = null;
  let assignedHere = false;  // this agent just assigned: draw the picker again even with the focus in it
  const onAssigned = (fresh) => {
    assignedHere = true;
    if (fresh && fresh.case && fresh.posts) update(fresh, true);
    else refresh();
  };
  const mountCtx = { ...ctx, caseId: id, act, version: versions.read, refresh, onAssigned };
  function updateAssign(d) {
    if (!canAct) return;
    if (!renderAssign) {
      if (!showAssign) showAssign = fallbackAssign(assignSection, d.case, ctx, act);
      showAssign(d.case);
      return;
    }
    // The picker is drawn again only when the assignee changed and nobody is using it.
    const who = d.case.assignee || '';
    const focused = assignSection.contains(document.activeElement);
    if (!assignedHere && (assignShown === who || focused)) return;
    assignedHere = false;
    assignShown = who;
    drawMount(assignSection, renderAssign, d, mountCtx);
    if (focused) assignSection.querySelector('select, button')?.focus();
  }

  function updateSla(d) {
    if (!renderSla) return;
    const key = JSON.stringify([d.case.sla || null, d.case.status, d.case.escalation_level, d.case.escalation_name]);
    if (shownKeys.get(slaSection) === key) return;
    shownKeys.set(slaSection, key);
    drawMount(slaSection, renderSla, d, mountCtx);
  }

  // Drawn again when a post joins or the status changes (the follower follows open cases).
  function updateFollows(d) {
    if (!renderFollows) return;
    const key = JSON.stringify([(d.posts || []).length, d.case.status]);
    if (shownKeys.get(followsSection) === key) return;
    shownKeys.set(followsSection, key);
    drawMount(followsSection, renderFollows, d, mountCtx);
  }

  // Draws what shows the case; forms keep what is typed in them.
  function update(d, own) {
    const c = d.case;
    const posts = d.posts || [];
    const others = versions.show(d, own);
    if (others.length) liveLine.textContent = t('case.liveChange', { what: others.map(describeChange).join(' ; ') });
    ctx.setTitle(t('case.title', { id: c.id }));
    titleText.textContent = c.title || '';
    swap(summaryHolder, JSON.stringify([c, posts.length, originalLink(posts) ? 1 : 0]), summary(c, posts, !renderSla));
    updateSla(d);
    updateFollows(d);
    postsHeading.textContent = t('case.posts', { n: posts.length });
    const postsKey = JSON.stringify(posts);
    swap(legendHolder, postsKey, cueLegend(posts));
    swap(postsHolder, postsKey, postList(posts, canAct ? (p) => correct(c, p) : null));
    swap(whyHolder, JSON.stringify([c.priority, c.priority_override, postsKey]), whyPriority(c, posts));
    swap(contactsHolder, postsKey, contactRoutes(posts));
    swap(timelineHolder, JSON.stringify(d.events || []), timeline(d.events || []));
    updateAssign(d);
    if (forms) forms.show(c);
  }

  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/inbox' }, `← ${t('case.back')}`)),
    h('h1', { id: 'case-title' }, h('span', { class: 'case-id' }, `${t('case.title', { id })} · `), titleText),
    presenceLine,
    summaryHolder,
    slaSection,
    statusLine,
    liveLine,
    h(
      'div',
      { class: 'case-body' },
      h(
        'div',
        { class: 'main-col' },
        h('section', { class: 'posts', 'aria-labelledby': 'posts-h' }, postsHeading, legendHolder, postsHolder),
        composer ? composer.el : null,
        replies.el,
      ),
      h(
        'div',
        { class: 'side' },
        whyHolder,
        contactsHolder,
        followsSection,
        forms ? forms.section : null,
        note ? note.el : null,
        h('section', { class: 'timeline', 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, t('case.timeline')), timelineHolder),
      ),
    ),
  );
  update(data, true);

  // "Correct the verdict" of a post, with the conflict check; the case as it then is.
  function correct(c, p) {
    correctionDialog(ctx, c, p, drafts, (body) => guarded('corrections', body), (out) => {
      if (!ctx.isCurrent()) return;
      if (out.cancelled) {
        statusLine.textContent = t('conflict.kept');
        refresh();
        return;
      }
      update(out.fresh, true);
      statusLine.textContent = t('case.done.corrections');
      ctx.announce(t('case.done.corrections'));
    });
  }

  // ---- live, presence, keys ----
  function onLive(event) {
    if (event.detail && event.detail.id === id) refresh();
  }
  function onReply(event) {
    if (event.detail && Number(event.detail.case_id) === id) replies.load();
  }
  const stopPresence = presenceTracker(ctx, id, view, presenceLine);

  const unregister = caseShortcuts(ctx, id, { canAct, act, replyText, noteText, reason: forms && forms.reason });

  if (composer) composer.load();
  if (note) note.load();
  replies.load();
  ctx.bus.addEventListener('case', onLive);
  ctx.bus.addEventListener('reply', onReply);
  ctx.bus.addEventListener('resync', refresh);
  return () => {
    replies.stop();
    stopPresence();
    for (const off of unregister) off();
    ctx.bus.removeEventListener('case', onLive);
    ctx.bus.removeEventListener('reply', onReply);
    ctx.bus.removeEventListener('resync', refresh);
  };
}
