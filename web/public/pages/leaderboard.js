// The leaderboard (the observatory): brands ranked by responsiveness, in the server's order:
// on the responses seen in the channel (observed); the ones agents declared are shown apart.

import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { formatDuration, formatNumber, formatPercent, t } from '../i18n.js';

export async function render(view, ctx) {
  const data = await api('GET', '/reports');
  if (!ctx.isCurrent()) return;
  const rows = (data && data.brands) || [];
  // A server that does not tell declared responses apart has no "declared" figure.
  const hasDeclared = rows.some((r) => r.declared !== undefined);
  const rate = (n, ratio) => `${formatPercent(ratio)} (${formatNumber(n ?? 0)})`;
  const columns = [
    ['board.rank', null],
    ['col.brand', null],
    ['fig.mentions', (r) => formatNumber(r.mentions ?? 0)],
    ['fig.complaints', (r) => formatNumber(r.complaints ?? 0)],
    ['board.observed', (r) => rate(r.responded, r.response_rate), 'observed'],
    hasDeclared ? ['board.declared', (r) => rate(r.declared, r.declared_rate), 'declared'] : null,
    ['fig.first_response_median', (r) => formatDuration(r.first_response_median_s)],
    ['fig.first_response_p90', (r) => formatDuration(r.first_response_p90_s)],
    ['fig.resolution_rate', (r) => formatPercent(r.resolution_rate)],
    ['fig.recovered', (r) => formatNumber(r.recovered ?? 0)],
    ['fig.word_of_mouth', (r) => formatNumber(r.word_of_mouth ?? 0)],
  ].filter(Boolean);
  clear(view);
  view.append(
    h('h1', {}, t('board.title')),
    h('p', { class: 'muted' }, t('board.intro')),
    h(
      'dl',
      { class: 'kind-legend', id: 'board-legend' },
      h('div', {}, h('dt', {}, h('span', { class: 'badge kind-observed' }, h('span', { 'aria-hidden': 'true' }, '◉ '), t('kind.observed'))), h('dd', {}, t('board.legend.observed'))),
      hasDeclared ? h('div', {}, h('dt', {}, h('span', { class: 'badge kind-declared' }, h('span', { 'aria-hidden': 'true' }, '✎ '), t('kind.declared'))), h('dd', {}, t('board.legend.declared'))) : null,
    ),
  );
  if (!rows.length) {
    view.append(h('p', { class: 'note' }, t('board.empty')));
    return;
  }
  const rateBar = (ratio, kind) => {
    const bar = h('span', { class: ['rate-bar', kind === 'declared' ? 'rate-declared' : null], 'aria-hidden': 'true' }, h('span', {}));
    bar.firstChild.style.width = `${Math.round(Math.max(0, Math.min(1, ratio || 0)) * 100)}%`;
    return bar;
  };
  view.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'board', id: 'leaderboard' },
        h('caption', { class: 'visually-hidden' }, t('board.title')),
        h('thead', {}, h('tr', {}, columns.map(([key, , kind]) => h('th', { scope: 'col', 'data-col': kind }, t(key))))),
        h(
          'tbody',
          {},
          rows.map((r, i) =>
            h(
              'tr',
              { 'data-brand': r.brand },
              h('td', { class: 'num' }, String(i + 1)),
              h('th', { scope: 'row' }, h('a', { href: `#/brands/${encodeURIComponent(r.brand)}` }, r.brand)),
              columns.slice(2).map(([, show, kind]) =>
                h('td', { class: 'num', 'data-col': kind }, show(r), kind === 'observed' ? rateBar(r.response_rate) : kind === 'declared' ? rateBar(r.declared_rate, 'declared') : null),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
