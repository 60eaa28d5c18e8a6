// The brand page: the report's figures and charts for one brand.

import { api, query } from '../api.js';
import { clear, h } from '../dom.js';
import { formatDuration, formatNumber, formatPercent, t } from '../i18n.js';
import { timesChart, topicsChart, weeksChart } from '../charts.js';
import { loading } from './common.js';

const PERIODS = ['all', '7', '30', '90', '365'];
let period = 'all';

export const FIGURES = [
  ['mentions', (r) => formatNumber(r.mentions ?? 0)],
  ['complaints', (r) => formatNumber(r.complaints ?? 0)],
  ['praise', (r) => formatNumber(r.praise ?? 0)],
  ['cases', (r) => formatNumber(r.cases ?? 0)],
  ['response_rate', (r) => formatPercent(r.response_rate)],
  // Only from a server that tells declared responses apart from observed ones.
  ['declared', (r) => `${formatPercent(r.declared_rate)} (${formatNumber(r.declared ?? 0)})`, (r) => r.declared !== undefined],
  ['first_response_median', (r) => formatDuration(r.first_response_median_s)],
  ['first_response_p90', (r) => formatDuration(r.first_response_p90_s)],
  ['resolution_rate', (r) => formatPercent(r.resolution_rate)],
  ['recovered', (r) => formatNumber(r.recovered ?? 0)],
  ['unanswered', (r) => formatNumber(r.unanswered ?? 0)],
  ['word_of_mouth', (r) => formatNumber(r.word_of_mouth ?? 0)],
];

function sinceDate(days) {
  if (days === 'all') return '';
  const d = new Date(Date.now() - Number(days) * 86400000);
  return d.toISOString().slice(0, 10);
}

export async function render(view, ctx) {
  const name = ctx.params[0] || '';
  ctx.setTitle(name);
  const select = h(
    'select',
    { id: 'brand-period' },
    PERIODS.map((p) => h('option', { value: p, selected: p === period }, t(`brand.period.${p}`))),
  );
  const body = h('div', { id: 'brand-report', 'aria-live': 'polite', 'aria-busy': 'true' }, loading());
  const about = h('p', { class: 'muted' });
  clear(view);
  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/leaderboard' }, `← ${t('board.title')}`)),
    h('h1', {}, name),
    about,
    h('div', { class: 'field inline-field' }, h('label', { for: 'brand-period' }, t('brand.period')), select),
    body,
  );

  ctx.brands().then(
    (list) => {
      const b = list.find((x) => x.name === name);
      if (b) about.textContent = [...(b.aliases || []), ...(b.handles || []), ...(b.domains || [])].join(' · ');
    },
    () => {},
  );

  async function load() {
    body.setAttribute('aria-busy', 'true');
    try {
      const data = await api('GET', `/reports${query({ brand: name, since: sinceDate(period) })}`);
      if (!ctx.isCurrent()) return;
      const report = ((data && data.brands) || []).find((b) => b.brand === name);
      clear(body);
      if (!report) body.append(h('p', { class: 'note' }, t('brand.noData')));
      const r = report || {};
      body.append(
        h('h2', { class: 'visually-hidden' }, t('brand.figures')),
        h(
          'dl',
          { class: 'figures' },
          FIGURES.filter(([, , shown]) => !shown || shown(r)).map(([key, show]) => h('div', { class: 'figure', 'data-figure': key }, h('dt', {}, t(`fig.${key}`)), h('dd', {}, show(r)))),
        ),
      );
      if (report) {
        body.append(
          h('div', { class: 'charts' }, weeksChart(r.weeks, r.spikes), topicsChart(r.topics), timesChart(r.response_times_s)),
        );
      }
    } catch (err) {
      if (!ctx.isCurrent()) return;
      clear(body);
      body.append(h('p', { class: 'error', role: 'alert' }, ctx.errorMessage(err)));
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  }

  select.addEventListener('change', () => {
    period = select.value;
    load();
  });
  await load();
}
