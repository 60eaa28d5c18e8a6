// The inbox's tools around its list: the views (quick views, saved views, saving the
// current one), the bulk toolbar for the selected cases, and the banner of live spikes.

import { api, ApiError } from '../api.js';
import { h, newId } from '../dom.js';
import { plural, t } from '../i18n.js';
import { errorText } from '../errors.js';
import './inbox_strings.js';

// Quick views: a name and the query of the inbox's URL.
export const QUICK_VIEWS = [
  ['open', 'status=open'],
  ['mine', 'status=open&assignee=me'],
  ['unassigned', 'status=open&assignee=none'],
  ['unanswered', 'status=open&unanswered=true'],
  ['breached', 'status=open&sla=breached&sort=due'],
];

// The views panel: quick views, saved views (with delete where allowed), and a form to
// save the current filters. `currentQuery()` gives the query of the inbox as it stands.
export function viewsPanel(ctx, currentQuery) {
  const savedList = h('ul', { class: 'view-list', id: 'saved-views' });
  const status = h('p', { class: 'note', role: 'status', id: 'views-status' });
  const nameId = newId('vn');
  const shareId = newId('vs');
  const nameInput = h('input', { id: nameId, type: 'text', maxlength: 100, required: true, autocomplete: 'off' });
  const shareSelect = h('select', { id: shareId }, h('option', { value: '' }, t('inbox.save.only')), h('option', { value: 'everyone' }, t('inbox.save.everyone')));
  // The caller's brands' teams: a view shared with one reaches its members.
  api('GET', '/teams').then(
    (data) => {
      for (const team of (data && data.teams) || []) shareSelect.append(h('option', { value: `team:${team.name}` }, t('inbox.save.team', { name: team.name, brand: team.brand })));
    },
    () => {},
  );
  const saveForm = h(
    'form',
    { class: 'save-view', id: 'save-view', 'aria-label': t('inbox.save') },
    h('div', { class: 'field' }, h('label', { for: nameId }, t('inbox.save.name')), nameInput),
    h('div', { class: 'field' }, h('label', { for: shareId }, t('inbox.save.share')), shareSelect),
    h('button', { type: 'submit', class: 'secondary' }, t('inbox.save.button')),
  );
  const quick = h(
    'ul',
    { class: 'view-list quick-views' },
    QUICK_VIEWS.map(([name, q]) => h('li', {}, h('a', { href: `#/inbox?${q}`, 'data-view': name }, t(`inbox.quick.${name}`)))),
  );
  const panel = h(
    'nav',
    { class: 'views', 'aria-label': t('inbox.views') },
    h('h2', { class: 'visually-hidden' }, t('inbox.views')),
    h('p', { class: 'views-label' }, t('inbox.quick')),
    quick,
    h('p', { class: 'views-label' }, t('inbox.saved')),
    savedList,
    saveForm,
    status,
  );

  function mark() {
    const here = currentQuery();
    for (const a of panel.querySelectorAll('a[href^="#/inbox"]')) {
      if (a.getAttribute('href') === `#/inbox?${here}`) a.setAttribute('aria-current', 'true');
      else a.removeAttribute('aria-current');
    }
  }

  function drawSaved(views) {
    savedList.replaceChildren();
    if (!views.length) savedList.append(h('li', { class: 'note' }, t('inbox.saved.none')));
    for (const v of views) {
      const item = h('li', {}, h('a', { href: `#/inbox?${v.query}`, 'data-saved': v.id }, v.name));
      if (v.owner !== ctx.user.name) item.append(' ', h('span', { class: 'muted small' }, t('inbox.saved.by', { owner: v.owner })));
      if (v.deletable) {
        const del = h('button', { type: 'button', class: 'link-button small', 'aria-label': t('inbox.saved.delete', { name: v.name }) }, '×');
        del.addEventListener('click', async () => {
          try {
            await api('DELETE', `/views/${v.id}`);
            status.textContent = t('inbox.saved.deleted', { name: v.name });
            await refresh();
          } catch (err) {
            status.textContent = errorText(err);
          }
        });
        item.append(' ', del);
      }
      savedList.append(item);
    }
    mark();
  }

  async function refresh() {
    try {
      const data = await api('GET', '/views');
      if (ctx.isCurrent()) drawSaved((data && data.views) || []);
    } catch (err) {
      if (ctx.isCurrent()) status.textContent = errorText(err);
    }
  }

  saveForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    if (!name) return;
    try {
      await api('POST', '/views', { name, query: currentQuery(), shared_with: shareSelect.value });
      nameInput.value = '';
      status.textContent = t('inbox.save.done', { name });
      await refresh();
    } catch (err) {
      status.textContent = errorText(err);
    }
  });

  refresh();
  return { el: panel, mark };
}

// The bulk toolbar. `selection()` gives the ids selected, in list order; `onDone(changed)`
// runs after an action (the live events update the rows; the selection is kept for the
// failed ones).
export function bulkBar(selection, onDone) {
  const count = h('span', { class: 'bulk-count', id: 'bulk-count', 'aria-live': 'polite' });
  const actionId = newId('ba');
  const valueId = newId('bv');
  const intoId = newId('bi');
  const actions = ['assign', 'note', 'resolve', 'close', 'merge'];
  const actionSelect = h('select', { id: actionId, name: 'action' }, actions.map((a) => h('option', { value: a }, t(`inbox.bulk.${a}`))));
  const valueLabel = h('label', { for: valueId });
  const valueInput = h('input', { id: valueId, type: 'text', autocomplete: 'off', maxlength: 10000 });
  const valueField = h('div', { class: 'field' }, valueLabel, valueInput);
  const intoSelect = h('select', { id: intoId });
  const intoField = h('div', { class: 'field' }, h('label', { for: intoId }, t('inbox.bulk.into')), intoSelect);
  const apply = h('button', { type: 'submit' }, t('inbox.bulk.apply'));
  const clearButton = h('button', { type: 'button', class: 'secondary' }, t('inbox.bulk.clear'));
  const result = h('div', { class: 'bulk-result', id: 'bulk-result', role: 'status' });
  const form = h(
    'form',
    { class: 'bulk', id: 'bulk-bar', 'aria-label': t('inbox.bulk'), hidden: true },
    count,
    h('div', { class: 'field' }, h('label', { for: actionId }, t('inbox.bulk.action')), actionSelect),
    valueField,
    intoField,
    h('div', { class: 'buttons' }, apply, clearButton),
  );

  function shape() {
    const action = actionSelect.value;
    valueField.hidden = action === 'merge';
    intoField.hidden = action !== 'merge';
    if (action !== 'merge') valueLabel.textContent = t(`inbox.bulk.value.${action}`);
    valueInput.required = action !== 'assign' && action !== 'merge';
  }

  function update() {
    const ids = selection.ids();
    form.hidden = ids.length === 0;
    count.textContent = plural('inbox.bulk.count', ids.length, { n: ids.length });
    const kept = intoSelect.value;
    intoSelect.replaceChildren(...ids.map((id) => h('option', { value: id, selected: String(id) === kept }, t('inbox.bulk.intoCase', { id }))));
  }

  function report(data) {
    const failures = (data.results || []).filter((r) => !r.ok);
    result.replaceChildren(h('p', {}, plural('inbox.bulk.done', data.done, { n: data.done })));
    if (failures.length) {
      result.append(
        h('p', { class: 'error' }, plural('inbox.bulk.failed', failures.length, { n: failures.length })),
        h(
          'ul',
          { class: 'bulk-failures' },
          failures.map((r) => {
            const e = r.error || {};
            const err = new ApiError(e.code === 'not_found' ? 404 : 409, e.code, e.message, e.field, e.params);
            return h('li', { 'data-id': r.id }, t('inbox.bulk.failure', { id: r.id, message: errorText(err) }));
          }),
        ),
      );
    }
  }

  actionSelect.addEventListener('change', shape);
  clearButton.addEventListener('click', () => selection.clear());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const ids = selection.ids();
    const action = actionSelect.value;
    const body = { ids, action };
    const value = valueInput.value.trim();
    if (action === 'assign') body.assignee = value;
    else if (action === 'note') body.text = value;
    else if (action === 'merge') body.into = Number(intoSelect.value);
    else body.reason = value;
    if (action === 'merge' && ids.length < 2) {
      result.replaceChildren(h('p', { class: 'error' }, t('inbox.bulk.needsTwo')));
      return;
    }
    if (valueInput.required && !value) {
      result.replaceChildren(h('p', { class: 'error' }, t('inbox.bulk.needsText')));
      valueInput.focus();
      return;
    }
    apply.disabled = true;
    try {
      const data = await api('POST', '/cases/bulk', body);
      report(data);
      valueInput.value = '';
      onDone(data.results.filter((r) => r.ok).map((r) => r.id));
    } catch (err) {
      result.replaceChildren(h('p', { class: 'error' }, errorText(err)));
    } finally {
      apply.disabled = false;
    }
  });
  shape();
  return { el: h('div', { class: 'bulk-wrap' }, form, result), update };
}

// Spikes received while the dashboard is open, until dismissed.
const spikes = [];

// The banner of live spikes: one line each, a link to the brand's open cases, a dismiss
// button (the banner is a live region: no separate announcement). Returns {el, add(spike)}.
export function spikeBanner() {
  const el = h('div', { class: 'spikes', id: 'spikes' });

  function draw() {
    el.replaceChildren(
      ...spikes.map((s) => {
        const dismiss = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('inbox.spike.dismissLabel', { brand: s.brand }) }, t('inbox.spike.dismiss'));
        dismiss.addEventListener('click', () => {
          spikes.splice(spikes.indexOf(s), 1);
          draw();
        });
        const n = Number(s.mentions) || 0;
        return h(
          'div',
          { class: 'spike-banner', role: 'alert' },
          h('p', {}, plural('inbox.spike', n, { n, brand: s.brand, expected: s.expected ?? '?' })),
          h('a', { href: `#/inbox?${new URLSearchParams({ status: 'open', brand: s.brand, sort: 'recent' })}` }, t('inbox.spike.show', { brand: s.brand })),
          dismiss,
        );
      }),
    );
  }

  function add(spike) {
    if (!spike || !spike.brand) return;
    const same = spikes.findIndex((s) => s.brand === spike.brand);
    if (same >= 0) spikes.splice(same, 1);
    spikes.unshift(spike);
    draw();
  }

  draw();
  return { el, add };
}
