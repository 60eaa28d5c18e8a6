// The case page's ways to answer: the reply composer (ecoute posts in the customer's own
// channel), the replies sent and their state, the internal note, and the response made
// elsewhere (declared). A panel whose endpoint the server does not have stays hidden.

import { api, ApiError, hasEndpoint, optional } from '../api.js';
import { clear, h, webUrl } from '../dom.js';
import { formatDate, label, plural, t } from '../i18n.js';
import { DECLARED_CHANNELS, replyBadge, timeEl } from './common.js';

const PENDING = new Set(['queued', 'sending']);
const POLL_MS = 2000;

// A new key per draft: the same draft sent twice (a double click, a send repeated after a
// dropped connection) reaches the server with the same key and makes one reply.
export function draftKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `draft-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// What a reader counts as one character: graphemes (an emoji with its modifiers is one).
export function graphemes(text) {
  if (typeof Intl.Segmenter !== 'function') return [...text].length;
  let n = 0;
  for (const piece of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) if (piece) n += 1;
  return n;
}

// Puts `message` next to `input` (its error line, named by aria-describedby), or clears it.
function fieldError(input, line, message) {
  line.textContent = message || '';
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

// The error line under a field, already named by the field's aria-describedby.
function errorLine(id) {
  return h('p', { id, class: 'error field-error' });
}

function channelOption(o) {
  const name = label('channel', o.channel);
  const text = o.available ? (o.account_name ? `${name} · ${o.account_name}` : name) : `${name} (${t('reply.unavailable')})`;
  return h('option', { value: o.channel, disabled: !o.available }, text);
}

// The composer: channel, template, text with its counter, send. `onQueued(reply)` after
// the server took the reply. `post(body)`, when given, sends it instead of a plain POST
// (the case page's, which checks that the case did not change meanwhile): it resolves to
// the answer, or to null when the agent chose not to send after all.
export function replyComposer(ctx, caseId, onQueued, post = null) {
  let options = [];
  let key = draftKey();
  let sending = false;
  const channel = h('select', { id: 'reply-channel', 'aria-describedby': 'reply-route' });
  const route = h('div', { id: 'reply-route', class: 'hint' });
  const why = h('ul', { id: 'reply-why-not', class: 'why-not' });
  const recipient = h('input', { id: 'reply-recipient', autocomplete: 'off', 'aria-describedby': 'reply-recipient-error' });
  const recipientError = errorLine('reply-recipient-error');
  const recipientField = h('div', { class: 'field', hidden: true }, h('label', { for: 'reply-recipient' }, t('reply.recipient')), recipient, recipientError);
  const templates = h('select', { id: 'reply-template' });
  const templateField = h(
    'div',
    { class: 'field', hidden: true },
    h('label', { for: 'reply-template' }, t('reply.template')),
    h('div', { class: 'inline' }, templates, h('button', { type: 'button', class: 'secondary', id: 'reply-use-template', onclick: useTemplate }, t('reply.useTemplate'))),
  );
  const text = h('textarea', { id: 'reply-text', name: 'text', rows: '5', 'aria-describedby': 'reply-counter reply-text-error' });
  const counter = h('p', { id: 'reply-counter', class: 'hint counter' });
  const textError = errorLine('reply-text-error');
  const formError = h('p', { id: 'reply-error', class: 'error', role: 'alert' });
  const done = h('p', { class: 'note', role: 'status' });
  const send = h('button', { type: 'submit', id: 'reply-send' }, t('reply.send'));
  const form = h(
    'form',
    { class: 'action', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'reply-channel' }, t('reply.channel')), channel, route),
    why,
    recipientField,
    templateField,
    h('div', { class: 'field' }, h('label', { for: 'reply-text' }, t('reply.text')), text, counter, textError),
    formError,
    done,
    h('div', { class: 'buttons' }, send),
  );
  const el = h(
    'section',
    { class: 'composer', id: 'reply-composer', 'aria-labelledby': 'composer-h', hidden: true },
    h('h2', { id: 'composer-h' }, t('reply.title')),
    h('p', { class: 'hint' }, t('reply.intro')),
    form,
  );

  const selected = () => options.find((o) => o.channel === channel.value && o.available);
  // The server gives a channel's limit as {max, unit}; a bare number is read the same way.
  const limitOf = (o) => {
    const max = o && o.limit && typeof o.limit === 'object' ? o.limit.max : o && o.limit;
    return Number.isFinite(max) && max > 0 ? max : 0;
  };

  function updateCounter() {
    const o = selected();
    const n = graphemes(text.value);
    const limit = limitOf(o);
    counter.textContent = limit ? plural('reply.counter', n, { n, limit }) : plural('reply.counterFree', n, { n });
    counter.classList.toggle('over', limit > 0 && n > limit);
  }

  function showRoute() {
    const o = selected();
    clear(route);
    if (o) {
      if (o.account_name) route.append(h('span', {}, t('reply.from', { account: o.account_name })), ' ');
      if (o.recipient) route.append(h('span', {}, t('reply.to', { recipient: o.recipient })), ' ');
      if (o.in_reply_to) route.append(h('span', {}, t('reply.inReplyTo')), ' ', webUrl(o.in_reply_to) ? h('a', { href: webUrl(o.in_reply_to), rel: 'noopener noreferrer nofollow', target: '_blank' }, o.in_reply_to) : o.in_reply_to);
    }
    // Only e-mail lets the agent choose the address; the others answer the post itself.
    recipientField.hidden = !(o && o.channel === 'email');
    if (o && o.channel === 'email' && !recipient.value) recipient.value = o.recipient || '';
    updateCounter();
  }

  function useTemplate() {
    const chosen = templates.selectedOptions[0];
    if (!chosen || !chosen.value) return;
    const replace = !text.value.trim() || window.confirm(t('reply.replaceText'));
    if (!replace) return;
    text.value = chosen.dataset.text || '';
    updateCounter();
    text.focus();
  }

  // The first problem of each field, shown under it; true when there is none.
  function validate() {
    const o = selected();
    const n = graphemes(text.value.trim());
    formError.textContent = '';
    if (!o) {
      formError.textContent = t('reply.noChannel');
      return false;
    }
    let textProblem = '';
    if (n === 0) textProblem = t('reply.empty');
    else if (limitOf(o) && n > limitOf(o)) textProblem = t('reply.tooLong', { n, limit: limitOf(o), channel: label('channel', o.channel) });
    const recipientProblem = o.channel === 'email' && !/^[^@\s]+@[^@\s]+$/.test(recipient.value.trim()) ? t('reply.badRecipient') : '';
    fieldError(text, textError, textProblem);
    fieldError(recipient, recipientError, recipientProblem);
    return !textProblem && !recipientProblem;
  }

  async function submit(e) {
    e.preventDefault();
    if (sending) return; // the same draft is on its way
    done.textContent = '';
    if (!validate()) {
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    const o = selected();
    const body = { channel: o.channel, text: text.value.trim(), idempotency_key: key };
    if (o.channel === 'email') body.recipient = recipient.value.trim();
    sending = true;
    send.disabled = true;
    try {
      const out = post ? await post(body) : await api('POST', `/cases/${caseId}/replies`, body);
      if (out === null) return; // not sent: the draft stays
      key = draftKey();
      text.value = '';
      updateCounter();
      done.textContent = t('reply.queued');
      ctx.announce(t('reply.queued'));
      onQueued(out && out.reply);
    } catch (err) {
      // Kept: the key of this draft, so that sending it again cannot post twice.
      if (err instanceof ApiError && err.status === 0) formError.textContent = t('reply.network');
      else if (err instanceof ApiError && err.status === 400) fieldError(text, textError, err.message);
      else formError.textContent = ctx.errorMessage(err);
    } finally {
      sending = false;
      send.disabled = false;
    }
  }

  function fill(data, list) {
    options = (data && data.options) || [];
    const current = channel.value;
    clear(channel);
    channel.append(...options.map(channelOption));
    const usable = options.filter((o) => o.available);
    const keep = usable.find((o) => o.channel === current) || usable[0];
    if (keep) channel.value = keep.channel;
    clear(why);
    for (const o of options.filter((x) => !x.available)) {
      why.append(h('li', { 'data-channel': o.channel }, t('reply.whyNot', { channel: label('channel', o.channel), why: o.why_not || t('reply.unavailable') })));
    }
    send.disabled = !usable.length;
    templateField.hidden = !list || !list.length;
    if (list) {
      clear(templates);
      templates.append(
        h('option', { value: '' }, t('reply.noTemplate')),
        ...list.map((tpl) => {
          const scope = [tpl.brand || t('tpl.everyBrand'), tpl.lang || null, tpl.topic ? label('topic', tpl.topic) : null].filter(Boolean).join(' · ');
          const opt = h('option', { value: String(tpl.id) }, `${tpl.name} (${scope})`);
          opt.dataset.text = tpl.text ?? tpl.body ?? '';
          return opt;
        }),
      );
    }
    showRoute();
  }

  async function load() {
    try {
      const data = await optional(`/cases/${caseId}/reply-options`);
      if (data === null || !ctx.isCurrent()) {
        el.hidden = true;
        return;
      }
      const list = await optional(`/cases/${caseId}/templates`).catch(() => null);
      if (!ctx.isCurrent()) return;
      fill(data, list && list.templates);
      el.hidden = false;
    } catch (err) {
      el.hidden = false;
      formError.textContent = ctx.errorMessage(err);
    }
  }

  channel.addEventListener('change', showRoute);
  text.addEventListener('input', updateCounter);
  form.addEventListener('submit', submit);
  return { el, load };
}

function replyItem(r, onRetry) {
  const when = r.status === 'sent' ? t('reply.sentAt', { date: formatDate(r.sent_at) }) : r.next_attempt_at && PENDING.has(r.status) ? t('reply.nextAttempt', { date: formatDate(r.next_attempt_at) }) : null;
  const link = webUrl(r.platform_url);
  const problem = r.status === 'failed' || r.status === 'uncertain';
  return h(
    'li',
    { class: ['reply', `reply-item-${r.status}`], 'data-status': r.status, 'data-id': String(r.id) },
    h('div', { class: 'post-head' }, h('strong', {}, label('channel', r.channel)), replyBadge(r.status), timeEl(r.created_at), r.actor ? h('span', { class: 'muted' }, t('case.by', { actor: r.actor })) : null),
    r.recipient ? h('p', { class: 'hint' }, t('reply.to', { recipient: r.recipient })) : null,
    h('p', { class: 'post-text' }, r.text || ''),
    when ? h('p', { class: 'hint' }, when) : null,
    r.attempts > 1 ? h('p', { class: 'hint' }, t('reply.attempts', { n: r.attempts })) : null,
    problem ? h('p', { class: 'reply-reason' }, h('strong', {}, t(`reply.why.${r.status}`)), ' ', r.last_error || '') : null,
    r.status === 'uncertain' ? h('p', { class: 'hint' }, t('reply.uncertainHelp')) : null,
    link ? h('a', { href: link, rel: 'noopener noreferrer nofollow', target: '_blank' }, t('reply.seeIt', { channel: label('channel', r.channel) })) : null,
    problem ? h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'secondary small', 'data-retry': String(r.id), onclick: () => onRetry(r) }, t('reply.retry'))) : null,
  );
}

// The replies sent from this case, refreshed while one is on its way. `onSent()` when one
// of them became sent: the case then holds it as its observed response.
export function repliesPanel(ctx, caseId, onSent) {
  const status = h('p', { class: 'note', role: 'status' });
  const holder = h('div', {});
  const el = h('section', { class: 'replies', id: 'replies', 'aria-labelledby': 'replies-h', hidden: true }, h('h2', { id: 'replies-h' }, t('reply.list')), status, holder);
  let timer = 0;
  let seen = new Map();

  async function retry(r) {
    if (r.status === 'uncertain' && !window.confirm(t('reply.confirmUncertain'))) return;
    status.className = 'note';
    try {
      await api('POST', `/replies/${r.id}/retry`);
      status.textContent = t('reply.retried');
      ctx.announce(t('reply.retried'));
    } catch (err) {
      status.className = 'error';
      status.textContent = ctx.errorMessage(err);
    }
    load();
  }

  async function load() {
    clearTimeout(timer);
    let data;
    try {
      data = await optional(`/cases/${caseId}/replies`);
    } catch (err) {
      if (!ctx.isCurrent()) return;
      if (err instanceof ApiError && err.status === 403) {
        el.hidden = true; // viewers do not see what is sent
        return;
      }
      status.className = 'error';
      status.textContent = ctx.errorMessage(err);
      return;
    }
    if (!ctx.isCurrent()) return;
    if (data === null) {
      el.hidden = true;
      return;
    }
    const replies = data.replies || [];
    const now = new Map(replies.map((r) => [r.id, r.status]));
    const newlySent = replies.some((r) => r.status === 'sent' && seen.has(r.id) && seen.get(r.id) !== 'sent');
    for (const r of replies) {
      if (seen.has(r.id) && seen.get(r.id) !== r.status) ctx.announce(t('reply.changed', { status: label('reply.status', r.status) }));
    }
    seen = now;
    el.hidden = false;
    clear(holder);
    holder.append(replies.length ? h('ol', { class: 'reply-list' }, replies.map((r) => replyItem(r, retry))) : h('p', { class: 'note' }, t('reply.none')));
    if (newlySent) onSent();
    if (replies.some((r) => PENDING.has(r.status))) timer = setTimeout(load, POLL_MS);
  }

  // A reply just queued from the composer: its change to "sent" is then noticed.
  function track(reply) {
    if (reply && reply.id && !seen.has(reply.id)) seen.set(reply.id, reply.status);
  }

  return { el, load, track, stop: () => clearTimeout(timer) };
}

// The internal note: for the team only; never a response, the SLA clocks do not move.
export function notePanel(ctx, caseId, onAdded) {
  const text = h('textarea', { id: 'note-text', name: 'text', rows: '3', 'aria-describedby': 'note-help note-text-error' });
  const error = errorLine('note-text-error');
  const status = h('p', { class: 'note', role: 'status' });
  const form = h(
    'form',
    { class: 'action', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'note-text' }, t('note.label')), h('p', { id: 'note-help', class: 'hint' }, t('note.help')), text, error),
    status,
    h('button', { type: 'submit', id: 'note-submit', class: 'secondary' }, t('note.add')),
  );
  const el = h('section', { class: 'internal', id: 'internal-note', 'aria-labelledby': 'note-h', hidden: true }, h('h2', { id: 'note-h' }, h('span', { 'aria-hidden': 'true' }, '▣ '), t('note.title')), form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.textContent = '';
    if (!text.value.trim()) {
      fieldError(text, error, t('note.empty'));
      text.focus();
      return;
    }
    fieldError(text, error, '');
    try {
      await api('POST', `/cases/${caseId}/notes`, { text: text.value.trim() });
      text.value = '';
      status.textContent = t('note.added');
      ctx.announce(t('note.added'));
      onAdded();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) el.hidden = true;
      else if (err instanceof ApiError && err.status === 400) fieldError(text, error, err.message);
      else status.textContent = ctx.errorMessage(err);
    }
  });
  async function load() {
    el.hidden = !(await hasEndpoint(`/cases/${caseId}/notes`));
  }
  return { el, load };
}

// "Record a response made elsewhere": the channel and a note, both required. It counts as
// declared, not observed. `act(kind, body, doneKey)` runs it and redraws the case.
export function declaredForm(act) {
  const channel = h('select', { id: 'respond-channel', name: 'channel' }, DECLARED_CHANNELS.map((c) => h('option', { value: c }, label('declared', c))));
  const note = h('textarea', { id: 'respond-note', name: 'note', rows: '3', placeholder: t('case.notePlaceholder'), 'aria-describedby': 'respond-help respond-note-error', required: true });
  const error = errorLine('respond-note-error');
  const form = h(
    'form',
    { class: 'action', novalidate: true },
    h('h3', {}, t('declared.title')),
    h('p', { id: 'respond-help', class: 'hint' }, t('declared.help')),
    h('div', { class: 'field' }, h('label', { for: 'respond-channel' }, t('declared.channel')), channel),
    h('div', { class: 'field' }, h('label', { for: 'respond-note' }, t('case.note')), note, error),
    h('button', { type: 'submit', id: 'respond-submit' }, t('case.respond')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!note.value.trim()) {
      fieldError(note, error, t('declared.empty'));
      note.focus();
      return;
    }
    fieldError(note, error, '');
    act('respond', { channel: channel.value, note: note.value.trim() }, 'case.done.respond');
  });
  return form;
}
