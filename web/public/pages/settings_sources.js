// Settings · Sources: the watched sources with their state, said in words. A polled source
// is "OK", "Failing (Host unreachable)", "Rate-limited until 14:05" or in back-off until
// its next poll, with its last success and the server's error; a live one (s.live, the
// stream's status) is connected (with its lag and last event), connecting, in back-off or
// stopped. The brand and the origin of each source show; the sources that follow the
// comments under an open case are listed apart, in a closed group. The states refresh every
// 10 s while the section is shown, without touching a form being filled in.
//
// Administrators add and change sources here (a live format takes a token, write-only:
// the list only says whether one is set); managers read.

import { api } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { errorText } from '../errors.js';
import { formField, formFields } from '../forms.js';
import { addStrings, formatDate, formatDuration, formatNumber, label, t } from '../i18n.js';

addStrings({
  en: {
    'src.brand': 'Brand',
    'src.origin': 'Origin',
    'src.state': 'State',
    'src.origin.team': 'Team',
    'src.origin.proposal': 'Proposal',
    'src.origin.comments': 'Comments',
    'src.anyBrand': 'any',
    'src.comments': 'Comments followed for open cases ({n})',
    'src.commentsIntro': 'Added by ecoute for the comments under the posts of open cases; removed when a case closes.',
    'src.case': 'Case #{id}',
    'src.ok': 'OK',
    'src.notYet': 'Not read yet',
    'src.disabled': 'Disabled',
    'src.failing': 'Failing ({kind})',
    'src.failingPlain': 'Failing',
    'src.rateLimitedUntil': 'Rate-limited until {time}',
    'src.backoffUntil': 'Back-off until {time}',
    'src.lastSuccess': 'Last success: {time}',
    'src.neverSucceeded': 'Never read successfully',
    'src.failures': '{n} failures in a row',
    'src.live.connected': 'Connected',
    'src.live.connecting': 'Connecting',
    'src.live.stopped': 'Stopped',
    'src.live.since': 'Connected since {time}',
    'src.live.lag': 'Lag: {lag}',
    'src.live.lastEvent': 'Last event: {time}',
    'src.live.noEvent': 'No event yet',
    'src.live.counts': '{events} events, {matched} kept, {malformed} unreadable',
    'src.live.reconnects': '{n} reconnections',
    'src.kind.unreachable': 'Host unreachable',
    'src.kind.refused_by_policy': 'Refused by the outbound policy',
    'src.kind.auth_refused': 'Authentication refused',
    'src.kind.rate_limited': 'Rate-limited',
    'src.kind.not_found': 'Not found',
    'src.kind.server_error': 'Server error',
    'src.kind.http_error': 'Refused by the server',
    'src.kind.robots_disallowed': 'Disallowed by robots.txt',
    'src.kind.unreadable': 'Unreadable content',
    'src.kind.not_stored': 'Posts not stored',
    'src.kind.closed_by_server': 'Stream closed by the server',
    'src.kind.protocol': 'Unexpected answer from the stream',
    'src.format.jetstream': 'Bluesky, live (Jetstream)',
    'src.format.mastodon_stream': 'Mastodon, live (streaming)',
    'src.token': 'Access token',
    'src.tokenHint': 'For live sources that need one. Write-only: it is never shown again.',
    'src.tokenSet': 'token set',
    'src.tokenKeep': 'A token is set: leave empty to keep it.',
  },
  fr: {
    'src.brand': 'Marque',
    'src.origin': 'Origine',
    'src.state': 'État',
    'src.origin.team': 'Équipe',
    'src.origin.proposal': 'Proposition',
    'src.origin.comments': 'Commentaires',
    'src.anyBrand': 'toutes',
    'src.comments': 'Commentaires suivis pour les dossiers ouverts ({n})',
    'src.commentsIntro': 'Ajoutées par ecoute pour les commentaires sous les messages des dossiers ouverts ; retirées à la clôture du dossier.',
    'src.case': 'Dossier no {id}',
    'src.ok': 'Fonctionne',
    'src.notYet': 'Pas encore lue',
    'src.disabled': 'Désactivée',
    'src.failing': 'En échec ({kind})',
    'src.failingPlain': 'En échec',
    'src.rateLimitedUntil': 'Débit limité jusqu’à {time}',
    'src.backoffUntil': 'En attente jusqu’à {time}',
    'src.lastSuccess': 'Dernière lecture réussie : {time}',
    'src.neverSucceeded': 'Jamais lue avec succès',
    'src.failures': '{n} échecs de suite',
    'src.live.connected': 'Connectée',
    'src.live.connecting': 'Connexion en cours',
    'src.live.stopped': 'Arrêtée',
    'src.live.since': 'Connectée depuis {time}',
    'src.live.lag': 'Retard : {lag}',
    'src.live.lastEvent': 'Dernier événement : {time}',
    'src.live.noEvent': 'Aucun événement pour l’instant',
    'src.live.counts': '{events} événements, {matched} gardés, {malformed} illisibles',
    'src.live.reconnects': '{n} reconnexions',
    'src.kind.unreachable': 'Hôte injoignable',
    'src.kind.refused_by_policy': 'Refusée par la politique de sortie',
    'src.kind.auth_refused': 'Authentification refusée',
    'src.kind.rate_limited': 'Débit limité par le serveur',
    'src.kind.not_found': 'Introuvable',
    'src.kind.server_error': 'Erreur du serveur',
    'src.kind.http_error': 'Refusée par le serveur',
    'src.kind.robots_disallowed': 'Interdite par robots.txt',
    'src.kind.unreadable': 'Contenu illisible',
    'src.kind.not_stored': 'Messages non enregistrés',
    'src.kind.closed_by_server': 'Flux fermé par le serveur',
    'src.kind.protocol': 'Réponse inattendue du flux',
    'src.format.jetstream': 'Bluesky, en direct (Jetstream)',
    'src.format.mastodon_stream': 'Mastodon, en direct (streaming)',
    'src.token': 'Jeton d’accès',
    'src.tokenHint': 'Pour les sources en direct qui en demandent un. En écriture seule : il n’est plus jamais affiché.',
    'src.tokenSet': 'jeton enregistré',
    'src.tokenKeep': 'Un jeton est enregistré : laissez vide pour le garder.',
  },
});

const POLLED_FORMATS = ['auto', 'feed', 'html', 'jsonl', 'mastodon', 'bluesky'];
export const LIVE_FORMATS = ['jetstream', 'mastodon_stream'];
const REFRESH_MS = 10000;

const isLive = (s) => LIVE_FORMATS.includes(s.format);
const formatName = (f) => (LIVE_FORMATS.includes(f) ? t(`src.format.${f}`) : f || 'auto');
// An error kind in words; an unknown one as it is.
export const kindText = (kind) => (kind ? label('src.kind', kind) : '');
const isoOf = (seconds) => (seconds ? new Date(seconds * 1000).toISOString() : null);
// A time of the live status: RFC 3339 from the API, or seconds since the epoch.
const timeOf = (v) => (typeof v === 'number' ? isoOf(v) : v || null);

// The state of a source, for its cell: {tone: ok|warn|bad|off, text, details: [lines],
// error: the server's own words, or none}.
export function sourceState(s) {
  if (isLive(s)) return liveState(s.live, s.enabled);
  if (!s.enabled) return { tone: 'off', text: t('src.disabled'), details: [] };
  const success = s.last_success_at ? t('src.lastSuccess', { time: formatDate(s.last_success_at) }) : t('src.neverSucceeded');
  if (!s.failures && !s.error_kind) {
    if (!s.last_polled_at) return { tone: 'off', text: t('src.notYet'), details: [] };
    return { tone: 'ok', text: t('src.ok'), details: [success] };
  }
  const details = [];
  let text;
  let tone = 'bad';
  if (s.error_kind === 'rate_limited' && s.rate_limited_until) {
    text = t('src.rateLimitedUntil', { time: formatDate(s.rate_limited_until) });
    tone = 'warn';
  } else {
    // A failure recorded before kinds were: no kind to say.
    text = s.error_kind ? t('src.failing', { kind: kindText(s.error_kind) }) : t('src.failingPlain');
    if (s.next_poll_at) details.push(t('src.backoffUntil', { time: formatDate(s.next_poll_at) }));
  }
  if (s.failures > 1) details.push(t('src.failures', { n: formatNumber(s.failures) }));
  details.push(success);
  return { tone, text, details, error: s.last_error || '' };
}

// A live stream's status (listen/live_stream.h StreamStatus as JSON), or none yet.
export function liveState(live, enabled = true) {
  if (!live || !enabled || live.state === 'stopped') return { tone: 'off', text: t(enabled ? 'src.live.stopped' : 'src.disabled'), details: [] };
  const details = [];
  const lastEvent = timeOf(live.last_event_at);
  if (live.state === 'connected') {
    const since = timeOf(live.connected_since);
    if (since) details.push(t('src.live.since', { time: formatDate(since) }));
    details.push(lastEvent ? t('src.live.lastEvent', { time: formatDate(lastEvent) }) : t('src.live.noEvent'));
    if (lastEvent) details.push(t('src.live.lag', { lag: formatDuration(live.lag_seconds || 0) }));
  } else if (lastEvent) {
    details.push(t('src.live.lastEvent', { time: formatDate(lastEvent) }));
  }
  if (live.events) {
    details.push(t('src.live.counts', { events: formatNumber(live.events), matched: formatNumber(live.matched || 0), malformed: formatNumber(live.malformed || 0) }));
  }
  if (live.reconnects) details.push(t('src.live.reconnects', { n: formatNumber(live.reconnects) }));
  if (live.state === 'connected') return { tone: 'ok', text: t('src.live.connected'), details };
  if (live.state === 'backoff') {
    const retry = timeOf(live.retry_at);
    const text = retry ? t('src.backoffUntil', { time: formatDate(retry) }) : t('src.live.connecting');
    if (live.error_kind) details.unshift(kindText(live.error_kind));
    if (live.failures > 1) details.push(t('src.failures', { n: formatNumber(live.failures) }));
    return { tone: live.error_kind === 'rate_limited' ? 'warn' : 'bad', text, details, error: live.last_error || '' };
  }
  return { tone: 'warn', text: t('src.live.connecting'), details, error: live.last_error || '' };
}

const TONES = { ok: 'sla-ok', warn: 'sla-due_soon', bad: 'sla-breached', off: 'sla-none' };
const MARKS = { ok: '● ', warn: '◐ ', bad: '✕ ', off: '○ ' };

export function stateCell(s) {
  const state = sourceState(s);
  return h(
    'div',
    { class: 'source-state', 'data-tone': state.tone, 'data-kind': (isLive(s) ? s.live && s.live.error_kind : s.error_kind) || null },
    h('span', { class: `badge ${TONES[state.tone]}` }, h('span', { 'aria-hidden': 'true' }, MARKS[state.tone]), state.text),
    state.details.map((line) => h('div', { class: 'hint' }, line)),
    state.error ? h('div', { class: 'hint' }, h('code', {}, state.error)) : null,
  );
}

function originText(s) {
  const origin = s.origin || 'team';
  const text = label('src.origin', origin);
  return s.follow_case ? `${text} · ${t('src.case', { id: s.follow_case })}` : text;
}

function formatCell(s) {
  const name = formatName(s.format);
  return isLive(s) && s.has_token ? [name, h('div', { class: 'hint' }, t('src.tokenSet'))] : name;
}

const COLUMNS = [
  ['f.label', (s) => s.label || s.url],
  ['f.url', (s) => h('code', { class: 'url' }, s.url)],
  ['src.brand', (s) => s.brand || t('src.anyBrand')],
  ['src.origin', originText],
  ['f.format', formatCell],
  ['f.interval', (s) => (isLive(s) ? t('common.none') : String(s.interval_seconds ?? ''))],
  ['src.state', stateCell],
];

const nameOf = (s) => s.label || s.url;

function rowButtons(s, admin, editor, run) {
  if (!admin) return null;
  const name = nameOf(s);
  return [
    h('button', { type: 'button', class: 'secondary small', 'data-action': 'edit', 'aria-label': `${t('common.edit')} ${name}`, onclick: () => editor.edit(s) }, t('common.edit')),
    h(
      'button',
      { type: 'button', class: 'secondary small', 'data-action': 'toggle', 'aria-label': `${t(s.enabled ? 'common.disable' : 'common.enable')} ${name}`, onclick: () => run('PATCH', `/sources/${s.id}`, { enabled: !s.enabled }, () => t(s.enabled ? 'settings.disabled' : 'settings.enabled', { name })) },
      t(s.enabled ? 'common.disable' : 'common.enable'),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'danger small',
        'data-action': 'delete',
        'aria-label': `${t('common.delete')} ${name}`,
        onclick: () => {
          if (window.confirm(t('common.confirmDelete', { name }))) run('DELETE', `/sources/${s.id}`, undefined, () => t('settings.deleted'));
        },
      },
      t('common.delete'),
    ),
  ];
}

function table(items, caption, buttons) {
  const heads = COLUMNS.map(([k]) => h('th', { scope: 'col' }, t(k)));
  if (buttons) heads.push(h('th', { scope: 'col' }, t('settings.actions')));
  return h(
    'table',
    { class: 'settings-table' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, heads)),
    h(
      'tbody',
      {},
      items.map((s) =>
        h(
          'tr',
          { 'data-id': s.id },
          COLUMNS.map(([, show], i) => h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, show(s))),
          buttons ? h('td', { class: 'row-actions' }, buttons(s)) : null,
        ),
      ),
    ),
  );
}

// The add-or-edit form; after an add it goes back to its defaults.
function sourceForm({ reload, say }) {
  const formatSelect = h(
    'select',
    { name: 'format' },
    POLLED_FORMATS.map((x) => h('option', { value: x }, x)),
    LIVE_FORMATS.map((x) => h('option', { value: x }, t(`src.format.${x}`))),
  );
  const tokenHint = h('p', { class: 'hint', hidden: true }, t('src.tokenKeep'));
  const fields = {
    url: formField(t('f.url'), h('input', { type: 'url', name: 'url', autocomplete: 'off' }), { required: true }),
    label: formField(t('f.label'), h('input', { name: 'label', autocomplete: 'off' })),
    format: formField(t('f.format'), formatSelect),
    interval_seconds: formField(t('f.interval'), h('input', { type: 'number', name: 'interval_seconds', min: '60' }), { hint: t('set.source.intervalHint') }),
    token: formField(t('src.token'), h('input', { type: 'password', name: 'token', autocomplete: 'new-password' }), { hint: t('src.tokenHint') }),
    enabled: formField(t('f.enabled'), h('input', { type: 'checkbox', name: 'enabled' })),
  };
  fields.token.el.append(tokenHint);
  const f = formFields(fields);
  const v = (k) => fields[k].input;
  const showLive = () => {
    const live = LIVE_FORMATS.includes(v('format').value);
    fields.token.el.hidden = !live;
    fields.interval_seconds.el.hidden = live;
  };
  formatSelect.addEventListener('change', showLive);
  let editing = null;
  const title = h('h3', {}, `${t('common.add')} · ${t('settings.sources')}`);
  const submit = h('button', { type: 'submit' }, t('common.add'));
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, t('common.cancel'));
  const el = h(
    'form',
    { class: 'create', id: 'sources-form', novalidate: true },
    title,
    h('p', { class: 'hint wide' }, t('form.requiredNote')),
    Object.values(fields).map((x) => x.el),
    h('div', { class: 'buttons' }, submit, ' ', cancel),
  );
  const fill = (s) => {
    v('url').value = s.url || '';
    v('label').value = s.label || '';
    v('format').value = s.format || 'auto';
    v('interval_seconds').value = String(s.interval_seconds ?? 900);
    v('enabled').checked = Boolean(s.enabled);
    v('token').value = '';
    tokenHint.hidden = !s.has_token;
    showLive();
  };
  const reset = () => {
    editing = null;
    f.clear();
    fill({ url: '', label: '', format: 'auto', interval_seconds: 900, enabled: true });
    title.textContent = `${t('common.add')} · ${t('settings.sources')}`;
    submit.textContent = t('common.add');
    cancel.hidden = true;
  };
  cancel.addEventListener('click', reset);
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    say('');
    if (!f.checkRequired()) return;
    const body = { url: v('url').value.trim(), label: v('label').value.trim(), format: v('format').value, interval_seconds: Number(v('interval_seconds').value) || 900, enabled: v('enabled').checked };
    // Sent only when typed: an empty field keeps the token set.
    if (LIVE_FORMATS.includes(body.format) && v('token').value) body.token = v('token').value;
    const item = editing;
    try {
      const result = await api(item ? 'PATCH' : 'POST', item ? `/sources/${item.id}` : '/sources', body);
      reset();
      say(t(item ? 'settings.saved' : 'settings.added', { name: nameOf(result || body) }));
      await reload();
    } catch (err) {
      f.showError(err, null);
      if (!(err && err.field && fields[err.field])) say(errorText(err), true);
    }
  });
  reset();
  return {
    el,
    edit(s) {
      editing = s;
      f.clear();
      fill(s);
      title.textContent = t('settings.editTitle', { name: nameOf(s) });
      submit.textContent = t('common.save');
      cancel.hidden = false;
      el.scrollIntoView({ block: 'nearest' });
      v('url').focus();
    },
  };
}

// The focused control of `holder`, to find again after a refresh: its row and action.
function focusKey(holder) {
  const active = document.activeElement;
  if (!active || !holder.contains(active)) return null;
  const row = active.closest('tr[data-id]');
  return row ? { id: row.dataset.id, action: active.dataset.action || null } : { summary: Boolean(active.closest('summary')) };
}

function restoreFocus(holder, key) {
  if (!key) return;
  let target = null;
  if (key.id && key.action) target = holder.querySelector(`tr[data-id="${key.id}"] [data-action="${key.action}"]`);
  if (!target && key.summary) target = holder.querySelector('summary');
  if (target) target.focus();
}

export function sourcesSection(ctx, admin) {
  const headingId = newId('sec');
  const status = h('p', { class: 'note', role: 'status', id: 'settings-sources-status' });
  const holder = h('div', { class: 'source-lists' });
  const el = h('section', { class: 'settings-section', id: 'settings-sources', 'aria-labelledby': headingId }, h('h2', { id: headingId }, t('settings.sources')), status, holder);
  let editor = null;
  let commentsOpen = false;

  const say = (message, isError = false) => {
    status.className = isError ? 'error' : 'note';
    status.textContent = message || '';
  };

  async function run(method, url, body, done) {
    say('');
    try {
      const result = await api(method, url, body);
      say(done ? done(result) : t('common.done'));
      await reload();
      return result;
    } catch (err) {
      say(errorText(err), true);
      return undefined;
    }
  }

  function draw(items) {
    const focused = focusKey(holder);
    const open = holder.querySelector('details');
    if (open) commentsOpen = open.open;
    clear(holder);
    const buttons = admin ? (s) => rowButtons(s, admin, editor, run) : null;
    const own = items.filter((s) => s.origin !== 'comments');
    const comments = items.filter((s) => s.origin === 'comments');
    const wrap = (content, label) => h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, content);
    holder.append(own.length ? wrap(table(own, t('settings.sources'), buttons), t('settings.sources')) : h('p', { class: 'note' }, t('settings.empty')));
    if (comments.length) {
      const title = t('src.comments', { n: formatNumber(comments.length) });
      const group = h('details', { class: 'source-comments', id: 'sources-comments' }, h('summary', {}, title), h('p', { class: 'hint' }, t('src.commentsIntro')), wrap(table(comments, title, buttons), title));
      group.open = commentsOpen;
      holder.append(group);
    }
    restoreFocus(holder, focused);
  }

  async function reload() {
    try {
      const data = await api('GET', '/sources');
      if (!ctx.isCurrent()) return;
      draw((data && data.sources) || []);
    } catch (err) {
      if (!ctx.isCurrent()) return;
      clear(holder);
      holder.append(h('p', { class: 'error', role: 'alert' }, errorText(err)));
    }
  }

  if (admin) {
    editor = sourceForm({ reload, say });
    el.append(editor.el);
  }
  el.reload = reload;
  reload();
  // The states move on their own (polls, streams): read again while the page is shown.
  const timer = window.setInterval(() => {
    if (!ctx.isCurrent() || !el.isConnected) {
      window.clearInterval(timer);
      return;
    }
    if (!document.hidden) reload();
  }, REFRESH_MS);
  return el;
}
