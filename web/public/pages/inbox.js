// The inbox: open cases by priority, filters, keyboard moves, live updates.

import { api, query } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { formatAge, formatDate, label, plural, t } from '../i18n.js';
import { registerShortcut, rememberCaseOrder } from '../keys.js';
import { STATUSES, TOPICS, escalation, slaBadge, stanceBadge, statusBadge } from './common.js';

const PAGE = 50;
const FILTER_KEY = 'ecoute.inbox';

function loadFilters() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(FILTER_KEY));
    if (saved && Array.isArray(saved.status)) return saved;
  } catch {
    // none saved
  }
  return { status: ['new', 'acknowledged', 'reopened'], brand: '', topic: '', mine: false, sort: 'priority' };
}

function saveFilters(filters) {
  try {
    sessionStorage.setItem(FILTER_KEY, JSON.stringify(filters));
  } catch {
    // storage unavailable: filters last for this page only
  }
}

function compare(sort) {
  const time = (iso) => (iso ? new Date(iso).getTime() : 0);
  if (sort === 'recent') return (a, b) => time(b.last_activity_at) - time(a.last_activity_at) || b.id - a.id;
  if (sort === 'oldest') return (a, b) => time(a.opened_at) - time(b.opened_at) || a.id - b.id;
  return (a, b) => (b.priority || 0) - (a.priority || 0) || time(b.last_activity_at) - time(a.last_activity_at) || b.id - a.id;
}

export async function render(view, ctx) {
  const filters = loadFilters();
  let cases = [];
  let total = null;
  let selected = -1;
  let lastFull = false; // the last page came full: there may be more

  const tbody = h('tbody');
  const countLine = h('p', { class: 'note', id: 'inbox-count', role: 'status' });
  const moreButton = h('button', { type: 'button', class: 'secondary', hidden: true }, t('common.more'));
  const emptyLine = h('p', { class: 'note', hidden: true }, t('inbox.empty'));
  const errorLine = h('p', { class: 'error', role: 'alert' });

  // Filters
  const statusBoxes = STATUSES.map((status) => {
    const id = newId('st');
    const box = h('input', { type: 'checkbox', id, value: status, checked: filters.status.includes(status) });
    return { box, el: h('span', { class: 'check' }, box, h('label', { for: id }, label('status', status))) };
  });
  const brandSelect = h('select', { id: 'f-brand' }, h('option', { value: '' }, t('filter.allBrands')));
  const topicSelect = h(
    'select',
    { id: 'f-topic' },
    h('option', { value: '' }, t('filter.allTopics')),
    TOPICS.map((topic) => h('option', { value: topic, selected: filters.topic === topic }, label('topic', topic))),
  );
  const mineBox = h('input', { type: 'checkbox', id: 'f-mine', checked: filters.mine });
  const sortSelect = h(
    'select',
    { id: 'f-sort' },
    ['priority', 'recent', 'oldest'].map((s) => h('option', { value: s, selected: filters.sort === s }, t(`inbox.sort.${s}`))),
  );
  const form = h(
    'form',
    { class: 'filters', 'aria-label': t('inbox.filters') },
    h('fieldset', {}, h('legend', {}, t('inbox.status')), statusBoxes.map((s) => s.el)),
    h('div', { class: 'field' }, h('label', { for: 'f-brand' }, t('inbox.brand')), brandSelect),
    h('div', { class: 'field' }, h('label', { for: 'f-topic' }, t('inbox.topic')), topicSelect),
    h('div', { class: 'field check' }, mineBox, h('label', { for: 'f-mine' }, t('inbox.mine'))),
    h('div', { class: 'field' }, h('label', { for: 'f-sort' }, t('inbox.sort')), sortSelect),
  );
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('change', () => {
    filters.status = statusBoxes.filter((s) => s.box.checked).map((s) => s.box.value);
    filters.brand = brandSelect.value;
    filters.topic = topicSelect.value;
    filters.mine = mineBox.checked;
    filters.sort = sortSelect.value;
    saveFilters(filters);
    load(false);
  });

  const columns = ['priority', 'brand', 'title', 'customer', 'stance', 'topic', 'age', 'sla', 'escalation', 'assignee', 'status'];
  const table = h(
    'table',
    { class: 'cases', id: 'inbox-table' },
    h('caption', { class: 'visually-hidden' }, t('inbox.title')),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: `col-${c}` }, t(`col.${c}`))))),
    tbody,
  );

  clear(view);
  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, t('inbox.title')), h('p', { class: 'hint' }, t('inbox.keys'))),
    form,
    errorLine,
    countLine,
    h('div', { class: 'table-wrap' }, table),
    emptyLine,
    moreButton,
  );

  ctx.brands().then(
    (list) => {
      for (const b of list) brandSelect.append(h('option', { value: b.name, selected: filters.brand === b.name }, b.name));
    },
    () => {},
  );

  function rowFor(c) {
    const tr = h(
      'tr',
      { 'data-id': c.id, tabindex: '-1', class: `prio-${c.priority >= 70 ? 'high' : c.priority >= 40 ? 'mid' : 'low'}` },
      h('td', { class: 'col-priority num' }, String(c.priority ?? '')),
      h('td', { class: 'col-brand' }, c.brand || ''),
      h('th', { scope: 'row', class: 'col-title' }, h('a', { href: `#/cases/${c.id}` }, h('span', { class: 'case-id' }, `#${c.id} `), c.title || t('common.none'))),
      h('td', { class: 'col-customer' }, c.customer || ''),
      h('td', { class: 'col-stance' }, stanceBadge(c.stance)),
      h('td', { class: 'col-topic' }, c.topic ? label('topic', c.topic) : t('common.none')),
      h('td', { class: 'col-age' }, h('time', { datetime: c.opened_at, title: formatDate(c.opened_at) }, formatAge(c.opened_at))),
      h('td', { class: 'col-sla' }, slaBadge(c.sla)),
      h('td', { class: 'col-escalation' }, escalation(c)),
      h('td', { class: 'col-assignee' }, c.assignee || t('common.none')),
      h('td', { class: 'col-status' }, statusBadge(c.status)),
    );
    tr.addEventListener('click', (event) => {
      if (event.target.closest('a')) return;
      location.hash = `#/cases/${c.id}`;
    });
    return tr;
  }

  function draw() {
    const focusedId = selected >= 0 && cases[selected] ? cases[selected].id : null;
    clear(tbody);
    cases.forEach((c) => tbody.append(rowFor(c)));
    rememberCaseOrder(cases.map((c) => c.id));
    emptyLine.hidden = cases.length > 0;
    table.hidden = cases.length === 0;
    countLine.textContent = total === null ? plural('inbox.countOnly', cases.length, { shown: cases.length }) : plural('inbox.count', total, { shown: cases.length, total });
    moreButton.hidden = total !== null ? cases.length >= total : !lastFull;
    if (focusedId !== null) selected = cases.findIndex((c) => c.id === focusedId);
    markSelected(false);
  }

  function markSelected(focus) {
    [...tbody.rows].forEach((row, i) => {
      row.setAttribute('tabindex', i === selected ? '0' : '-1');
      row.classList.toggle('selected', i === selected);
      if (i === selected) row.setAttribute('aria-selected', 'true');
      else row.removeAttribute('aria-selected');
    });
    if (focus && tbody.rows[selected]) tbody.rows[selected].focus();
  }

  async function load(append) {
    errorLine.textContent = '';
    const params = {
      status: filters.status,
      brand: filters.brand,
      topic: filters.topic,
      assignee: filters.mine ? 'me' : '',
      sort: filters.sort,
      limit: PAGE,
      offset: append ? cases.length : 0,
    };
    try {
      const data = await api('GET', `/cases${query(params)}`);
      if (!ctx.isCurrent()) return;
      const got = (data && data.cases) || [];
      lastFull = got.length === PAGE;
      cases = append ? cases.concat(got.filter((c) => !cases.some((x) => x.id === c.id))) : got;
      total = typeof data.total === 'number' ? data.total : null;
      if (!append) selected = -1;
      draw();
    } catch (err) {
      if (ctx.isCurrent()) errorLine.textContent = ctx.errorMessage(err);
    }
  }

  function matches(c) {
    if (filters.status.length && !filters.status.includes(c.status)) return false;
    if (filters.brand && c.brand !== filters.brand) return false;
    if (filters.topic && c.topic !== filters.topic) return false;
    if (filters.mine && c.assignee !== ctx.user.name) return false;
    return true;
  }

  function onCase(event) {
    const c = event.detail;
    if (!c || typeof c.id !== 'number') return;
    const at = cases.findIndex((x) => x.id === c.id);
    const isNew = at < 0;
    if (!isNew) cases.splice(at, 1);
    if (matches(c)) {
      cases.push(c);
      cases.sort(compare(filters.sort));
      if (isNew && total !== null) total += 1;
    } else if (!isNew && total !== null) {
      total -= 1;
    }
    draw();
    const row = tbody.querySelector(`tr[data-id="${c.id}"]`);
    if (row && isNew) {
      row.classList.add('fresh');
      setTimeout(() => row.classList.remove('fresh'), 4000);
      ctx.announce(t('inbox.new', { id: c.id, brand: c.brand }));
    }
  }

  function move(down) {
    if (!cases.length) return;
    if (selected < 0) selected = 0;
    else selected = Math.max(0, Math.min(cases.length - 1, selected + (down ? 1 : -1)));
    markSelected(true);
  }

  // j / k through keys.js (wherever the focus is but a text field); arrows and Enter in the table.
  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector('dialog[open]')) return;
    const target = event.target;
    const inTable = target instanceof HTMLElement && tbody.contains(target);
    if (inTable && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      move(event.key === 'ArrowDown');
    } else if (event.key === 'Enter' && inTable && target.tagName === 'TR') {
      event.preventDefault();
      location.hash = `#/cases/${target.dataset.id}`;
    }
  }

  moreButton.addEventListener('click', () => load(true));
  const onResync = () => load(false);
  ctx.bus.addEventListener('case', onCase);
  ctx.bus.addEventListener('resync', onResync);
  document.addEventListener('keydown', onKey);
  const unregister = [registerShortcut('j', 'keys.inbox.next', () => move(true), { scope: 'inbox' }), registerShortcut('k', 'keys.inbox.previous', () => move(false), { scope: 'inbox' })];
  const ticker = setInterval(() => {
    for (const cell of tbody.querySelectorAll('.col-age time')) cell.textContent = formatAge(cell.getAttribute('datetime'));
  }, 60000);

  await load(false);

  return () => {
    ctx.bus.removeEventListener('case', onCase);
    ctx.bus.removeEventListener('resync', onResync);
    document.removeEventListener('keydown', onKey);
    for (const off of unregister) off();
    clearInterval(ticker);
  };
}
