// The search page: a query in ecoute's search syntax, results with highlighted snippets.

import { api, query } from '../api.js';
import { clear, h, snippetText, webUrl } from '../dom.js';
import { getLang, plural, t } from '../i18n.js';
import { stanceBadge, timeEl } from './common.js';

export async function render(view, ctx) {
  const input = h('input', {
    id: 'search-q',
    type: 'search',
    name: 'q',
    value: ctx.query.get('q') || '',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'search-error search-help',
  });
  const errorLine = h('p', { id: 'search-error', class: 'error', role: 'alert' });
  const results = h('div', { id: 'search-results', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'search-form', role: 'search' },
    h('label', { for: 'search-q' }, t('search.label')),
    h('div', { class: 'inline' }, input, h('button', { type: 'submit' }, t('search.submit'))),
    errorLine,
    h(
      'details',
      { id: 'search-help', class: 'help' },
      h('summary', {}, t('search.help')),
      h(
        'ul',
        {},
        h('li', {}, t('search.help.words')),
        h('li', {}, h('code', {}, t('search.help.fields'))),
        h('li', {}, h('code', {}, t('search.help.dates'))),
      ),
    ),
  );

  async function run(q) {
    errorLine.textContent = '';
    clear(results);
    if (!q.trim()) {
      results.append(h('p', { class: 'note' }, t('search.prompt')));
      return;
    }
    try {
      const data = await api('GET', `/posts${query({ q, limit: 50 })}`);
      if (!ctx.isCurrent()) return;
      const hits = (data && data.hits) || [];
      results.append(h('p', { class: 'note', id: 'search-count' }, hits.length ? plural('search.count', hits.length, { n: hits.length }) : t('search.none')));
      if (hits.length) results.append(h('ol', { class: 'hits' }, hits.map(hit)));
    } catch (err) {
      if (!ctx.isCurrent()) return;
      // The parser's own sentence says exactly what to fix, in English; other languages get
      // the translated one, with the column.
      errorLine.textContent = err.status === 400 && getLang() === 'en' ? err.message : ctx.errorMessage(err);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = input.value;
    history.pushState(null, '', `#/search${q.trim() ? `?q=${encodeURIComponent(q)}` : ''}`);
    run(q);
  });

  clear(view);
  view.append(h('h1', {}, t('search.title')), form, results);
  if (ctx.focusSearch) input.focus();
  await run(input.value);
}

function hit(p) {
  const cases = (p.cases || []).map((c) => (typeof c === 'object' && c !== null ? c.id : c));
  return h(
    'li',
    { class: 'hit', 'data-post-id': p.post_id },
    h(
      'div',
      { class: 'hit-head' },
      h('strong', {}, p.title || p.author || ''),
      p.title && p.author ? h('span', {}, p.author) : null,
      timeEl(p.published_at),
      p.lang ? h('span', { class: 'tag', lang: p.lang }, p.lang) : null,
      stanceBadge(p.stance),
      (p.brands || []).map((b) => h('a', { class: 'tag', href: `#/brands/${encodeURIComponent(b)}` }, b)),
    ),
    h('p', { class: 'snippet' }, snippetText(p.snippet)),
    h(
      'p',
      { class: 'hit-links' },
      cases.length ? [t('search.cases'), ' ', cases.map((id, i) => [i ? ', ' : '', h('a', { href: `#/cases/${id}` }, `#${id}`)])] : null,
      webUrl(p.url) ? [cases.length ? ' · ' : '', h('a', { href: webUrl(p.url), rel: 'noopener noreferrer nofollow', target: '_blank' }, t('case.original'))] : null,
    ),
  );
}
