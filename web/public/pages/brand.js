// The brand page: the report's figures and charts for one brand, each rate with the cases
// it rests on and its 95 % interval, the counts linked to the cases behind them; the period
// lives in the URL (#/brands/Acme?period=30).

import { api, query } from '../api.js';
import { clear, h } from '../dom.js';
import { addStrings, formatDuration, formatNumber, formatPercent, t } from '../i18n.js';
import { timesChart, topicsChart, weeksChart } from '../charts.js';
import { loading } from './common.js';
import { inboxLink, periodBounds, PERIODS } from './report_common.js';

addStrings({
  en: {
    'brand.of': '{n} of {total} cases',
    'brand.ci': '95% interval: {low} to {high}',
    'brand.unranked': 'Not ranked on the leaderboard: {n} cases in this period, fewer than the {min} needed.',
  },
  fr: {
    'brand.of': '{n} dossiers sur {total}',
    'brand.ci': 'intervalle à 95 % : de {low} à {high}',
    'brand.unranked': 'Non classée : {n} dossiers sur cette période, moins que les {min} nécessaires.',
  },
});

const sub = (text) => h('span', { class: 'figure-sub' }, text);
const ci = (pair, show) => (pair ? sub(t('brand.ci', { low: show(pair[0]), high: show(pair[1]) })) : null);
const linked = (r, n, which) => (n ? h('a', { href: inboxLink(r.brand, which), 'data-open': which }, formatNumber(n)) : formatNumber(n ?? 0));
const of = (r, n) => (r.cases ? sub(t('brand.of', { n: formatNumber(n ?? 0), total: formatNumber(r.cases) })) : null);

export const FIGURES = [
  ['mentions', (r) => formatNumber(r.mentions ?? 0)],
  ['complaints', (r) => formatNumber(r.complaints ?? 0)],
  ['praise', (r) => formatNumber(r.praise ?? 0)],
  ['cases', (r) => linked(r, r.cases, 'cases')],
  ['response_rate', (r) => [r.cases ? formatPercent(r.response_rate) : t('common.none'), of(r, r.responded), ci(r.response_rate_ci, formatPercent)]],
  // Only from a server that tells declared responses apart from observed ones.
  ['declared', (r) => `${formatPercent(r.declared_rate)} (${formatNumber(r.declared ?? 0)})`, (r) => r.declared !== undefined],
  ['first_response_median', (r) => [formatDuration(r.first_response_median_s), ci(r.first_response_median_ci_s, formatDuration)]],
  ['first_response_p90', (r) => formatDuration(r.first_response_p90_s)],
  ['resolution_rate', (r) => [r.cases ? formatPercent(r.resolution_rate) : t('common.none'), r.resolved ? sub(linked(r, r.resolved, 'resolved')) : null, ci(r.resolution_rate_ci, formatPercent)]],
  ['recovered', (r) => formatNumber(r.recovered ?? 0)],
  ['unanswered', (r) => linked(r, r.unanswered, 'unanswered')],
  ['word_of_mouth', (r) => formatNumber(r.word_of_mouth ?? 0)],
];

export async function render(view, ctx) {
  const name = ctx.params[0] || '';
  ctx.setTitle(name);
  let period = PERIODS.includes(ctx.query.get('period')) ? ctx.query.get('period') : 'all';
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
      const data = await api('GET', `/reports${query({ brand: name, ...periodBounds({ period }) })}`);
      if (!ctx.isCurrent()) return;
      const report = ((data && data.brands) || []).find((b) => b.brand === name);
      clear(body);
      if (!report) body.append(h('p', { class: 'note' }, t('brand.noData')));
      else if (report.ranked === false) {
        body.append(h('p', { class: 'note', id: 'brand-unranked' }, t('brand.unranked', { n: formatNumber(report.cases ?? 0), min: formatNumber(data.min_cases ?? 0) })));
      }
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
    history.replaceState(null, '', `#/brands/${encodeURIComponent(name)}${query({ period: period === 'all' ? '' : period })}`);
    load();
  });
  await load();
}
