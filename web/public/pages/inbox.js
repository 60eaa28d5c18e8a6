// The inbox: open cases by priority, filters and sort in the URL (#/inbox?status=new&
// brand=Jeanerie&sort=due&assignee=me), quick and saved views, bulk actions on the
// selected cases, keyboard moves, live updates and spikes. On a narrow screen (a phone, or
// 200 % zoom) each case is a card with its SLA and status first.

import { api, query } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { formatAge, formatDate, label, plural, t } from '../i18n.js';
import * as common from './common.js';
import { bulkBar, spikeBanner, viewsPanel } from './inbox_tools.js';
import { registerShortcut, rememberCaseOrder } from '../keys.js';

const { STATUSES, TOPICS, escalation, stanceBadge, statusBadge } = common;
// The SLA cell: time left or overdue where common.js has it, else the state's badge.
const slaCell = typeof common.slaCell === 'function' ? common.slaCell : common.slaBadge;

const PAGE = 50;
const OPEN = ['new', 'acknowledged', 'reopened'];
const SORTS = ['priority', 'due', 'recent', 'oldest'];

// The filters a URL query gives; what it lacks takes the defaults (every open case).
export function filtersFrom(params) {
  let status = [];
  for (const value of params.getAll('status')) {
    for (const s of value.split(',')) {
      if (s === 'open') status.push(...OPEN);
      else if (STATUSES.includes(s)) status.push(s);
    }
  }
  if (!params.has('status')) status = [...OPEN];
  const sort = params.get('sort') || 'priority';
  return {
    status: [...new Set(status)],
    brand: params.get('brand') || '',
    topic: params.get('topic') || '',
    assignee: params.get('assignee') || '',
    unanswered: params.get('unanswered') === 'true',
    breached: params.get('sla') === 'breached',
    sort: SORTS.includes(sort) ? sort : 'priority',
  };
}

// The URL query of filters, in a stable order (what views save and links compare).
export function queryOf(f) {
  const p = new URLSearchParams();
  const open = f.status.length === OPEN.length && OPEN.every((s) => f.status.includes(s));
  if (open) p.append('status', 'open');
  else if (f.status.length) STATUSES.filter((s) => f.status.includes(s)).forEach((s) => p.append('status', s));
  else p.append('status', '');
  if (f.brand) p.set('brand', f.brand);
  if (f.topic) p.set('topic', f.topic);
  if (f.assignee) p.set('assignee', f.assignee);
  if (f.unanswered) p.set('unanswered', 'true');
  if (f.breached) p.set('sla', 'breached');
  if (f.sort !== 'priority') p.set('sort', f.sort);
  return p.toString();
}

function compare(sort) {
  const time = (iso) => (iso ? new Date(iso).getTime() : 0);
  if (sort === 'recent') return (a, b) => time(b.last_activity_at) - time(a.last_activity_at) || b.id - a.id;
  if (sort === 'oldest') return (a, b) => time(a.opened_at) - time(b.opened_at) || a.id - b.id;
  if (sort === 'due') {
    const due = (c) => (c.sla && c.sla.due_at ? time(c.sla.due_at) : Infinity);
    return (a, b) => due(a) - due(b) || (b.priority || 0) - (a.priority || 0) || b.id - a.id;
  }
  return (a, b) => (b.priority || 0) - (a.priority || 0) || time(b.last_activity_at) - time(a.last_activity_at) || b.id - a.id;
}

// The filter form, its fields set from `f`; `read()` gives the filters it shows.
function filterForm(f, brandsPromise) {
  const field = (id, text, control) => h('div', { class: 'field' }, h('label', { for: id }, text), control);
  const statusBoxes = STATUSES.map((status) => {
    const id = newId('st');
    const box = h('input', { type: 'checkbox', id, value: status, checked: f.status.includes(status) });
    return { box, el: h('span', { class: 'check' }, box, h('label', { for: id }, label('status', status))) };
  });
  const brand = h('select', { id: 'f-brand' }, h('option', { value: '' }, t('filter.allBrands')));
  if (f.brand) brand.append(h('option', { value: f.brand, selected: true }, f.brand));
  brandsPromise.then(
    (list) => {
      for (const b of list) if (b.name !== f.brand) brand.append(h('option', { value: b.name }, b.name));
    },
    () => {},
  );
  const topic = h('select', { id: 'f-topic' }, h('option', { value: '' }, t('filter.allTopics')), TOPICS.map((x) => h('option', { value: x, selected: f.topic === x }, label('topic', x))));
  const knownAssignee = ['', 'me', 'none'].includes(f.assignee);
  const assignee = h(
    'select',
    { id: 'f-assignee' },
    h('option', { value: '' }, t('inbox.assignee.any')),
    h('option', { value: 'me', selected: f.assignee === 'me' }, t('inbox.assignee.me')),
    h('option', { value: 'none', selected: f.assignee === 'none' }, t('inbox.assignee.none')),
    knownAssignee ? [] : h('option', { value: f.assignee, selected: true }, f.assignee),
  );
  const unanswered = h('input', { type: 'checkbox', id: 'f-unanswered', checked: f.unanswered });
  const breached = h('input', { type: 'checkbox', id: 'f-breached', checked: f.breached });
  const sort = h('select', { id: 'f-sort' }, SORTS.map((s) => h('option', { value: s, selected: f.sort === s }, t(`inbox.sort.${s}`))));
  const form = h(
    'form',
    { class: 'filters', 'aria-label': t('inbox.filters') },
    h('fieldset', {}, h('legend', {}, t('inbox.status')), statusBoxes.map((s) => s.el)),
    field('f-brand', t('inbox.brand'), brand),
    field('f-topic', t('inbox.topic'), topic),
    field('f-assignee', t('inbox.assignee'), assignee),
    h('div', { class: 'field check' }, unanswered, h('label', { for: 'f-unanswered' }, t('inbox.unanswered'))),
    h('div', { class: 'field check' }, breached, h('label', { for: 'f-breached' }, t('inbox.breachedOnly'))),
    field('f-sort', t('inbox.sort'), sort),
  );
  form.addEventListener('submit', (e) => e.preventDefault());
  const read = () => ({
    status: statusBoxes.filter((s) => s.box.checked).map((s) => s.box.value),
    brand: brand.value,
    topic: topic.value,
    assignee: assignee.value,
    unanswered: unanswered.checked,
    breached: breached.checked,
    sort: sort.value,
  });
  return { form, read };
}

// One case: a table row, or a card on a narrow screen (the same cells, SLA and status first).
function rowFor(c, picked, onPick) {
  const id = newId('pick');
  const box = h('input', { type: 'checkbox', id, class: 'pick', checked: picked, 'data-id': c.id });
  box.addEventListener('change', () => onPick(c.id, box.checked));
  const cell = (name, content, attrs = {}) => h('td', { class: `col-${name}`, 'data-label': t(`col.${name}`), ...attrs }, content);
  const tr = h(
    'tr',
    { 'data-id': c.id, tabindex: '-1', class: [`prio-${c.priority >= 70 ? 'high' : c.priority >= 40 ? 'mid' : 'low'}`, picked ? 'picked' : ''] },
    h('td', { class: 'col-pick' }, box, h('label', { for: id, class: 'visually-hidden' }, t('inbox.selectCase', { id: c.id }))),
    cell('priority', String(c.priority ?? ''), { class: 'col-priority num' }),
    cell('brand', c.brand || ''),
    h('th', { scope: 'row', class: 'col-title' }, h('a', { href: `#/cases/${c.id}` }, h('span', { class: 'case-id' }, `#${c.id} `), c.title || t('common.none'))),
    cell('customer', c.customer || ''),
    cell('stance', stanceBadge(c.stance)),
    cell('topic', c.topic ? label('topic', c.topic) : t('common.none')),
    cell('age', h('time', { datetime: c.opened_at, title: formatDate(c.opened_at) }, formatAge(c.opened_at))),
    cell('sla', slaCell(c.sla)),
    cell('escalation', escalation(c)),
    cell('assignee', c.assignee || t('common.none')),
    cell('status', statusBadge(c.status)),
  );
  tr.addEventListener('click', (event) => {
    if (event.target.closest('a, input, label')) return;
    location.hash = `#/cases/${c.id}`;
  });
  return tr;
}

// Whether case `c` (a live update) belongs in the list the filters `f` ask for.
function matches(f, c, user) {
  if (c.merged_into) return false;
  if (f.status.length && !f.status.includes(c.status)) return false;
  if (f.brand && c.brand !== f.brand) return false;
  if (f.topic && c.topic !== f.topic) return false;
  if (f.assignee === 'me' && c.assignee !== user.name) return false;
  if (f.assignee === 'none' && c.assignee) return false;
  if (f.assignee && !['me', 'none'].includes(f.assignee) && c.assignee !== f.assignee) return false;
  if (f.unanswered && c.first_response_at) return false;
  if (f.breached && !(c.sla && c.sla.state === 'breached')) return false;
  return true;
}

// A page of cases as the filters `f` ask, from `offset`: the server filters (breached
// included) and sorts (by next breach included).
async function fetchPage(f, offset) {
  const params = { status: f.status, brand: f.brand, topic: f.topic, assignee: f.assignee, unanswered: f.unanswered ? 'true' : '', sla: f.breached ? 'breached' : '', sort: f.sort, limit: PAGE, offset };
  return api('GET', `/cases${query(params)}`);
}

// The inbox's own keys on a row: the arrows move, Enter opens the case. j / k and x go
// through keys.js (they work wherever the focus is but a text field). `list` gives
// {focused(), move(delta), toggle()}.
function keyHandler(tbody, list) {
  return (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]')) return;
    const target = event.target;
    const isBox = target instanceof HTMLInputElement && target.type === 'checkbox';
    const inTable = target instanceof HTMLElement && tbody.contains(target);
    if (!inTable || isBox) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      list.move(event.key === 'ArrowDown' ? 1 : -1);
    } else if (event.key === 'Enter' && target.tagName === 'TR') {
      event.preventDefault();
      location.hash = `#/cases/${target.dataset.id}`;
    }
  };
}

// j / k / x in the shortcut registry (and its cheat sheet); the functions to unregister them.
function inboxShortcuts(list) {
  return [
    registerShortcut('j', 'keys.inbox.next', () => list.move(1), { scope: 'inbox' }),
    registerShortcut('k', 'keys.inbox.previous', () => list.move(-1), { scope: 'inbox' }),
    registerShortcut('x', 'keys.inbox.select', () => (list.focused() ? list.toggle() : false), { scope: 'inbox' }),
  ];
}

// The table of cases, its header and the given body.
function casesTable(tbody) {
  const columns = ['priority', 'brand', 'title', 'customer', 'stance', 'topic', 'age', 'sla', 'escalation', 'assignee', 'status'];
  return h(
    'table',
    { class: 'cases', id: 'inbox-table' },
    h('caption', { class: 'visually-hidden' }, t('inbox.title')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'col-pick' }, h('span', { class: 'visually-hidden' }, t('inbox.select'))), columns.map((c) => h('th', { scope: 'col', class: `col-${c}` }, t(`col.${c}`))))),
    tbody,
  );
}

// Marks the focused row (the one j / k moved to), and focuses it when asked.
function markRows(tbody, selected, focus) {
  [...tbody.rows].forEach((row, i) => {
    row.setAttribute('tabindex', i === selected ? '0' : '-1');
    row.classList.toggle('selected', i === selected);
    if (i === selected) row.setAttribute('aria-selected', 'true');
    else row.removeAttribute('aria-selected');
  });
  if (focus && tbody.rows[selected]) tbody.rows[selected].focus();
}

// The page: heading, spikes, views, filters, the list's head, the bulk bar, the table.
function layout(view, parts) {
  clear(view);
  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('inbox.title')), h('p', { class: 'hint' }, `${t('inbox.keys')} ${t('inbox.keys.select')}`)),
    parts.banner,
    parts.views,
    parts.form,
    parts.errorLine,
    h('div', { class: 'list-head' }, parts.countLine, h('span', { class: 'check' }, parts.allBox, h('label', { for: 'pick-all' }, t('inbox.selectAll')))),
    parts.bulk,
    h('div', { class: ['table-wrap', 'inbox-wrap'] }, parts.table),
    parts.emptyLine,
    parts.moreButton,
  );
}

// A case that has just appeared: highlighted a few seconds, and announced.
function markFresh(tbody, c, ctx) {
  const row = tbody.querySelector(`tr[data-id="${c.id}"]`);
  if (!row) return;
  row.classList.add('fresh');
  setTimeout(() => row.classList.remove('fresh'), 4000);
  ctx.announce(t('inbox.new', { id: c.id, brand: c.brand }));
}

// Puts a live update of case `c` into `cases` where the filters `f` want it, or takes it
// out: whether it is new to the list, and how the total changes.
function placeLive(cases, c, f, user) {
  const at = cases.findIndex((x) => x.id === c.id);
  const isNew = at < 0;
  if (!isNew) cases.splice(at, 1);
  if (!matches(f, c, user)) return { isNew: false, delta: isNew ? 0 : -1 };
  cases.push(c);
  cases.sort(compare(f.sort));
  return { isNew, delta: isNew ? 1 : 0 };
}

// The list's own lines: its body, count, "more" button, empty and error lines.
function listParts() {
  return {
    tbody: h('tbody'),
    countLine: h('p', { class: 'note', id: 'inbox-count', role: 'status' }),
    moreButton: h('button', { type: 'button', class: 'secondary', hidden: true }, t('common.more')),
    emptyLine: h('p', { class: 'note', hidden: true }, t('inbox.empty')),
    errorLine: h('p', { class: 'error', role: 'alert' }),
  };
}

function tickAges(tbody) {
  for (const cell of tbody.querySelectorAll('.col-age time')) cell.textContent = formatAge(cell.getAttribute('datetime'));
}

export async function render(view, ctx) {
  let filters = filtersFrom(ctx.query || new URLSearchParams());
  let cases = [];
  let total = null;
  let selected = -1; // the focused row
  let lastFull = false; // the last page came full: there may be more
  const picked = new Set(); // the ids selected for bulk actions

  const { tbody, countLine, moreButton, emptyLine, errorLine } = listParts();
  const { form, read } = filterForm(filters, ctx.brands());
  const views = viewsPanel(ctx, () => queryOf(filters));
  const ids = () => cases.filter((c) => picked.has(c.id)).map((c) => c.id);
  const clearPicked = (only) => {
    for (const id of only || [...picked]) picked.delete(id);
    draw();
  };
  const bulk = bulkBar({ ids, clear: () => clearPicked() }, (changed) => clearPicked(changed));
  const banner = spikeBanner();
  const allBox = h('input', { type: 'checkbox', id: 'pick-all' });
  allBox.addEventListener('change', () => {
    cases.forEach((c) => (allBox.checked ? picked.add(c.id) : picked.delete(c.id)));
    draw();
  });

  form.addEventListener('change', () => {
    filters = read();
    const q = queryOf(filters);
    // A new history entry: back and forward walk the views, and the URL can be shared.
    if (location.hash !== `#/inbox?${q}`) history.pushState(null, '', `#/inbox?${q}`);
    views.mark();
    load(false);
  });

  const table = casesTable(tbody);

  layout(view, { banner: banner.el, views: views.el, form, errorLine, countLine, allBox, bulk: bulk.el, table, emptyLine, moreButton });

  function onPick(id, on) {
    if (on) picked.add(id);
    else picked.delete(id);
    draw();
  }

  function draw() {
    const focusedId = selected >= 0 && cases[selected] ? cases[selected].id : null;
    const focusedBox = document.activeElement && document.activeElement.matches('input.pick') ? document.activeElement.dataset.id : null;
    clear(tbody);
    cases.forEach((c) => tbody.append(rowFor(c, picked.has(c.id), onPick)));
    rememberCaseOrder(cases.map((c) => c.id));
    emptyLine.hidden = cases.length > 0;
    table.hidden = cases.length === 0;
    countLine.textContent = total === null ? plural('inbox.countOnly', cases.length, { shown: cases.length }) : plural('inbox.count', total, { shown: cases.length, total });
    moreButton.hidden = total !== null ? cases.length >= total : !lastFull;
    for (const id of [...picked]) if (!cases.some((c) => c.id === id)) picked.delete(id);
    allBox.checked = cases.length > 0 && cases.every((c) => picked.has(c.id));
    bulk.update();
    if (focusedId !== null) selected = cases.findIndex((c) => c.id === focusedId);
    markSelected(false);
    if (focusedBox) tbody.querySelector(`input.pick[data-id="${focusedBox}"]`)?.focus();
  }

  const markSelected = (focus) => markRows(tbody, selected, focus);

  async function load(append) {
    errorLine.textContent = '';
    try {
      const data = await fetchPage(filters, append ? cases.length : 0);
      if (!ctx.isCurrent()) return;
      let got = (data && data.cases) || [];
      lastFull = got.length === PAGE;
      if (filters.breached) got = got.filter((c) => c.sla && c.sla.state === 'breached');
      cases = append ? cases.concat(got.filter((c) => !cases.some((x) => x.id === c.id))) : got;
      total = typeof data.total === 'number' && !filters.breached ? data.total : null;
      if (!append) selected = -1;
      draw();
    } catch (err) {
      if (ctx.isCurrent()) errorLine.textContent = ctx.errorMessage(err);
    }
  }

  function onCase(event) {
    const c = event.detail;
    if (!c || typeof c.id !== 'number') return;
    const { isNew, delta } = placeLive(cases, c, filters, ctx.user);
    if (total !== null) total += delta;
    draw();
    if (isNew) markFresh(tbody, c, ctx);
  }

  const keyList = {
    focused: () => cases[selected],
    move: (delta) => {
      if (cases.length) selected = selected < 0 ? 0 : Math.max(0, Math.min(cases.length - 1, selected + delta));
      markSelected(true);
    },
    toggle: () => {
      onPick(cases[selected].id, !picked.has(cases[selected].id));
      markSelected(true);
    },
  };
  const onKey = keyHandler(tbody, keyList);
  const unregister = inboxShortcuts(keyList);

  const onSpike = (event) => banner.add(event.detail);
  moreButton.addEventListener('click', () => load(true));
  const onResync = () => load(false);
  ctx.bus.addEventListener('case', onCase);
  ctx.bus.addEventListener('spike', onSpike);
  ctx.bus.addEventListener('resync', onResync);
  document.addEventListener('keydown', onKey);
  const ticker = setInterval(() => tickAges(tbody), 60000);

  await load(false);

  return () => {
    ctx.bus.removeEventListener('case', onCase);
    ctx.bus.removeEventListener('spike', onSpike);
    ctx.bus.removeEventListener('resync', onResync);
    document.removeEventListener('keydown', onKey);
    unregister.forEach((off) => off());
    clearInterval(ticker);
  };
}
