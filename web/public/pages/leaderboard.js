// The leaderboard (the observatory): brands ranked by responsiveness, in the server's order.

import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { formatDuration, formatNumber, formatPercent, t } from '../i18n.js';

export async function render(view, ctx) {
  const data = await api('GET', '/reports');
  if (!ctx.isCurrent()) return;
  const rows = (data && data.brands) || [];
  const columns = [
    ['board.rank', null],
    ['col.brand', null],
    ['fig.mentions', (r) => formatNumber(r.mentions ?? 0)],
    ['fig.complaints', (r) => formatNumber(r.complaints ?? 0)],
    ['fig.response_rate', (r) => formatPercent(r.response_rate)],
    ['fig.first_response_median', (r) => formatDuration(r.first_response_median_s)],
    ['fig.first_response_p90', (r) => formatDuration(r.first_response_p90_s)],
    ['fig.resolution_rate', (r) => formatPercent(r.resolution_rate)],
    ['fig.recovered', (r) => formatNumber(r.recovered ?? 0)],
    ['fig.word_of_mouth', (r) => formatNumber(r.word_of_mouth ?? 0)],
  ];
  clear(view);
  view.append(h('h1', {}, t('board.title')), h('p', { class: 'muted' }, t('board.intro')));
  if (!rows.length) {
    view.append(h('p', { class: 'note' }, t('board.empty')));
    return;
  }
  const rateBar = (ratio) => {
    const bar = h('span', { class: 'rate-bar', 'aria-hidden': 'true' }, h('span', {}));
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
        h('thead', {}, h('tr', {}, columns.map(([key]) => h('th', { scope: 'col' }, t(key))))),
        h(
          'tbody',
          {},
          rows.map((r, i) =>
            h(
              'tr',
              { 'data-brand': r.brand },
              h('td', { class: 'num' }, String(i + 1)),
              h('th', { scope: 'row' }, h('a', { href: `#/brands/${encodeURIComponent(r.brand)}` }, r.brand)),
              columns.slice(2).map(([key, show]) =>
                h('td', { class: 'num' }, show(r), key === 'fig.response_rate' ? rateBar(r.response_rate) : null),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
