// The case page: summary, posts with highlighted cues, why its priority, the reply composer
// and the replies sent, timeline, and the team's actions.

import { api, ApiError, hasEndpoint } from '../api.js';
import { clear, h, markedText, newId, webUrl } from '../dom.js';
import { formatDate, label, t } from '../i18n.js';
import { STANCES, TOPICS, escalation, responseKindBadge, slaBadge, stanceBadge, statusBadge, timeEl } from './common.js';
import { contactRoutes, cueLegend, originalLink, priorityForm, whyPriority } from './case_info.js';
import { declaredForm, notePanel, repliesPanel, replyComposer } from './case_reply.js';
import { renderSla } from './case_sla.js';

// Observed or declared, from the server's word, else from which first response it stamped.
function responseKind(c) {
  if (c.response_kind) return c.response_kind;
  if (c.first_observed_response_at) return 'observed';
  if (c.first_declared_response_at) return 'declared';
  return null;
}

export async function render(view, ctx) {
  const id = Number.parseInt(ctx.params[0], 10);
  if (!Number.isInteger(id) || id <= 0) throw new ApiError(404, 'not_found');
  const canAct = ctx.user.role !== 'viewer';
  const [data, canPriority] = await Promise.all([api('GET', `/cases/${id}`), canAct ? hasEndpoint(`/cases/${id}/priority`) : false]);
  if (!ctx.isCurrent()) return undefined;
  const statusLine = h('p', { class: 'note', role: 'status', id: 'case-status-line' });
  let shown = '';
  const signature = (c) => [c.status, c.assignee, c.last_activity_at, c.posts, c.escalation_level, c.sla && c.sla.state, c.priority, c.brand, responseKind(c)].join('|');

  // Quietly, keeping the focus: another agent's change, a reply sent, a note added.
  function refresh() {
    return api('GET', `/cases/${id}`).then((fresh) => ctx.isCurrent() && draw(fresh, true), () => {});
  }

  function onLive(event) {
    if (event.detail && event.detail.id === id && signature(event.detail) !== shown) refresh();
  }

  // A sent reply joins the case as its observed response: the case is read again now and
  // once more shortly after, since the post may be recorded just after the reply's state.
  function onSent() {
    refresh();
    setTimeout(() => ctx.isCurrent() && refresh(), 1500);
  }

  // Panels kept across redraws, so a draft survives a live update.
  const composer = canAct ? replyComposer(ctx, id, (reply) => {
    replies.track(reply);
    replies.load();
  }) : null;
  const replies = repliesPanel(ctx, id, onSent);
  const note = canAct ? notePanel(ctx, id, refresh) : null;
  const slaSection = h('section', { id: 'case-sla', class: 'case-sla' });

  function onReply(event) {
    if (event.detail && Number(event.detail.case_id) === id) replies.load();
  }

  async function act(kind, body, doneKey) {
    statusLine.textContent = '';
    statusLine.className = 'note';
    try {
      const answer = await api('POST', `/cases/${id}/${kind}`, body);
      const fresh = answer && answer.case && answer.posts ? answer : await api('GET', `/cases/${id}`);
      if (!ctx.isCurrent()) return;
      draw(fresh, true);
      statusLine.textContent = t(doneKey);
      ctx.announce(t(doneKey));
    } catch (err) {
      statusLine.className = 'error';
      statusLine.textContent = ctx.errorMessage(err);
    }
  }

  function draw(d, keepFocus) {
    const c = d.case;
    const posts = d.posts || [];
    shown = signature(c);
    const active = document.activeElement && document.activeElement.id;
    ctx.setTitle(t('case.title', { id: c.id }));
    clear(view);
    view.append(
      h('p', { class: 'crumbs' }, h('a', { href: '#/inbox' }, `← ${t('case.back')}`)),
      h('h1', { id: 'case-title' }, h('span', { class: 'case-id' }, `${t('case.title', { id: c.id })} · `), c.title || ''),
      summary(c, posts),
      statusLine,
      h(
        'div',
        { class: 'case-body' },
        h(
          'div',
          { class: 'main-col' },
          h('section', { class: 'posts', 'aria-labelledby': 'posts-h' }, h('h2', { id: 'posts-h' }, t('case.posts', { n: posts.length })), cueLegend(posts), postList(c, posts)),
          composer ? composer.el : null,
          replies.el,
        ),
        h(
          'div',
          { class: 'side' },
          whyPriority(c, posts),
          contactRoutes(posts),
          slaSection,
          canAct ? actions(c) : null,
          note ? note.el : null,
          h('section', { class: 'timeline', 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, t('case.timeline')), timeline(d.events || [])),
        ),
      ),
    );
    if (keepFocus && active) {
      const again = document.getElementById(active);
      if (again) again.focus();
    }
    renderSla(slaSection, d, ctx);
  }

  function summary(c, posts) {
    const item = (key, value) => [h('dt', {}, t(key)), h('dd', {}, value)];
    const overridden = c.priority_override !== undefined && c.priority_override !== null;
    const kind = responseKind(c);
    return h(
      'dl',
      { class: 'summary', 'aria-label': t('case.summary') },
      item('case.brand', h('a', { href: `#/brands/${encodeURIComponent(c.brand)}` }, c.brand)),
      item('case.customer', c.customer || t('common.none')),
      item('case.status', h('span', { id: 'case-status' }, statusBadge(c.status))),
      item('case.priority', [h('span', { id: 'case-priority' }, String(c.priority ?? t('common.none'))), overridden ? [' ', h('span', { class: 'tag', title: t('why.overridden', { priority: c.priority_override }) }, t('priority.overrideTag'))] : null]),
      item('case.sla', [slaBadge(c.sla), c.sla && c.sla.due_at ? [' ', h('span', { class: 'muted' }, t('sla.due', { date: formatDate(c.sla.due_at) }))] : null]),
      item('case.escalation', escalation(c)),
      item('case.assignee', c.assignee || t('case.unassigned')),
      item('case.topic', c.topic ? label('topic', c.topic) : t('common.none')),
      item('case.opened', timeEl(c.opened_at)),
      item('case.firstResponse', [timeEl(c.first_response_at), c.first_response_at && kind ? [' ', responseKindBadge(kind)] : null]),
      item('case.resolvedAt', timeEl(c.resolved_at)),
      originalLink(posts) ? item('case.originalPost', originalLink(posts)) : null,
    );
  }

  function postList(c, posts) {
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
          canAct ? h('button', { type: 'button', class: 'link-button', onclick: () => correct(c, p) }, t('case.correct')) : null,
        );
      }),
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
          e.actor ? [' ', h('span', { class: 'muted' }, t('case.by', { actor: e.actor }))] : null,
          e.reason ? h('div', { class: 'reason' }, e.reason) : null,
        ),
      ),
    );
  }

  function actions(c) {
    const assignInput = h('input', { id: 'assign-name', name: 'assignee', value: c.assignee || '', autocomplete: 'off' });
    const assignForm = h(
      'form',
      { class: 'action' },
      h('div', { class: 'field' }, h('label', { for: 'assign-name' }, t('case.assignTo')), assignInput),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit', id: 'assign-submit' }, t('case.assign')),
        h('button', { type: 'button', class: 'secondary', id: 'assign-me', onclick: () => act('assign', { assignee: ctx.user.name }, 'case.done.assign') }, t('case.assignMe')),
      ),
    );
    assignForm.addEventListener('submit', (e) => {
      e.preventDefault();
      act('assign', { assignee: assignInput.value.trim() }, 'case.done.assign');
    });


    const reason = h('input', { id: 'status-reason', name: 'reason', autocomplete: 'off' });
    const open = !['resolved', 'closed'].includes(c.status);
    const statusButton = (kind) =>
      h('button', { type: 'button', id: `${kind}-submit`, class: kind === 'resolve' || kind === 'reopen' ? '' : 'secondary', onclick: () => act(kind, { reason: reason.value.trim() }, `case.done.${kind}`) }, t(`case.${kind}`));
    const statusForm = h(
      'form',
      { class: 'action' },
      h('div', { class: 'field' }, h('label', { for: 'status-reason' }, t('case.reason')), reason),
      h('div', { class: 'buttons' }, open ? [statusButton('resolve'), statusButton('close')] : [statusButton('reopen'), c.status !== 'closed' ? statusButton('close') : null]),
    );
    statusForm.addEventListener('submit', (e) => e.preventDefault());

    return h(
      'section',
      { class: 'actions', 'aria-labelledby': 'actions-h' },
      h('h2', { id: 'actions-h' }, t('case.actions')),
      assignForm,
      declaredForm(act),
      canPriority ? priorityForm(c, act) : null,
      h('h3', {}, t('case.statusChange')),
      statusForm,
    );
  }

  async function correct(c, p) {
    const names = await ctx.brands().then(
      (list) => list.map((b) => b.name),
      () => [],
    );
    if (!names.includes(c.brand)) names.unshift(c.brand);
    const brandId = newId('brand');
    const brand = h('select', { id: brandId, 'aria-describedby': `${brandId}-help` }, names.map((n) => h('option', { value: n, selected: n === c.brand }, n)));
    const stanceId = newId('stance');
    const stance = h(
      'select',
      { id: stanceId },
      STANCES.map((s) => h('option', { value: s, selected: p.stance === s }, label('stance', s))),
    );
    const current = new Set((p.cues || []).filter((cue) => cue.kind === 'topic').map((cue) => cue.label));
    if (c.topic) current.add(c.topic);
    const boxes = TOPICS.map((topic) => {
      const boxId = newId('topic');
      const box = h('input', { type: 'checkbox', id: boxId, value: topic, checked: current.has(topic) });
      return { box, el: h('span', { class: 'check' }, box, h('label', { for: boxId }, label('topic', topic))) };
    });
    const errorLine = h('p', { class: 'error', role: 'alert' });
    const titleId = newId('dlg');
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId });
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: titleId }, t('correct.title')),
      h('blockquote', {}, (p.text || '').slice(0, 240)),
      h('div', { class: 'field' }, h('label', { for: brandId }, t('correct.brand')), brand, h('p', { class: 'hint', id: `${brandId}-help` }, t('correct.brandHelp'))),
      h('div', { class: 'field' }, h('label', { for: stanceId }, t('correct.stance')), stance),
      h('fieldset', {}, h('legend', {}, t('correct.topics')), boxes.map((b) => b.el)),
      errorLine,
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'submit', value: 'save' }, t('correct.save')),
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('common.cancel')),
      ),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { post_id: p.post_id, brand: brand.value, stance: stance.value, topics: boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
      try {
        const answer = await api('POST', `/cases/${id}/corrections`, body);
        const fresh = answer && answer.case && answer.posts ? answer : await api('GET', `/cases/${id}`);
        dialog.close();
        if (!ctx.isCurrent()) return;
        draw(fresh, false);
        statusLine.textContent = t('case.done.corrections');
        ctx.announce(t('case.done.corrections'));
      } catch (err) {
        errorLine.textContent = ctx.errorMessage(err);
      }
    });
    dialog.append(form);
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
  }

  draw(data, false);
  if (composer) composer.load();
  if (note) note.load();
  replies.load();
  ctx.bus.addEventListener('case', onLive);
  ctx.bus.addEventListener('reply', onReply);
  return () => {
    replies.stop();
    ctx.bus.removeEventListener('case', onLive);
    ctx.bus.removeEventListener('reply', onReply);
  };
}
