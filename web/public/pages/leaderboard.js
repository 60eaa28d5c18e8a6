// The leaderboard (the observatory): brands ranked by responsiveness, in the server's order:
// on the responses seen in the channel (observed); the ones agents declared are shown apart.
// Every figure carries its sample size and, for rates and the median, a 95 % interval; a
// brand with fewer cases than the minimum is listed apart, not ranked. The period, the
// minimum and the sort live in the URL (#/leaderboard?period=30&min_cases=5&sort=cases).

import { api, query } from '../api.js';
import { clear, h, newId } from '../dom.js';
import { addStrings, formatDuration, formatNumber, formatPercent, t } from '../i18n.js';
import { loading } from './common.js';
import { inboxLink, periodBounds, PERIODS } from './report_common.js';

addStrings({
  en: {
    'board.intro2': 'Brands ranked by how they answer where the customer spoke: observed response rate first, then median first response. A rate on a handful of cases says little: each figure shows how many cases it rests on and its 95% interval.',
    'board.controls': 'What the leaderboard covers',
    'board.period.custom': 'Between two dates',
    'board.since': 'From',
    'board.until': 'To (included)',
    'board.min_cases': 'Cases needed to be ranked',
    'board.apply': 'Apply',
    'board.covers': 'Period: {period}. Ranked from {n} cases on.',
    'board.covers.all': 'all time',
    'board.covers.range': '{since} to {until}',
    'board.covers.since': 'since {since}',
    'board.covers.until': 'until {until}',
    'board.cases': 'Cases',
    'board.unanswered': 'Unanswered',
    'board.resolved': 'Resolved',
    'board.ci': '95% interval: {low} to {high}',
    'board.ci.short': '{low}–{high}',
    'board.of': '{n} of {total}',
    'board.sort': 'Sort by {column}',
    'board.unranked.title': 'Not ranked: too few cases',
    'board.unranked.intro': 'These brands have fewer than {n} cases in the period: their rates would rank them on chance. Their figures are shown, not compared.',
    'board.unranked.none': 'Every brand has enough cases to be ranked.',
    'board.ranked.none': 'No brand has {n} cases or more in this period: none is ranked.',
    'board.open.cases': '{brand}: open the {n} cases',
    'board.open.unanswered': '{brand}: open the {n} unanswered cases',
    'board.open.resolved': '{brand}: open the {n} resolved cases',
    'board.table.ranked': 'Ranked brands',
    'board.table.unranked': 'Brands not ranked',
    'board.loaded': '{ranked} brands ranked, {unranked} not ranked.',
    'board.defs.title': 'Definitions',
    'board.defs.interval': '95% interval',
    'board.def.cases': 'customers’ problems with the brand opened in the period: one customer’s complaint or question and what followed. The number of cases is the sample every rate rests on.',
    'board.def.observed': 'share of cases whose answer was seen in the channel: the brand’s public reply, or a reply sent from ecoute. The ranking uses this rate.',
    'board.def.declared': 'share of cases an agent says were answered elsewhere (phone, e-mail…), with no observed answer: nobody outside can check it, so it is shown, not ranked.',
    'board.def.first_response': 'time from the customer’s first post to the first observed answer, over the answered cases: the median (half the answers came faster) and the 90th percentile (nine in ten came faster).',
    'board.def.interval': 'the range that holds the true figure with 95% confidence, given the number of cases: a Wilson score interval for the rates, a bootstrap interval (2,000 resamples, fixed seed) for the median. Two brands whose intervals overlap are not clearly apart.',
    'board.def.min_cases': 'a brand is ranked only from this number of cases on; the others are listed apart.',
    'board.def.resolution': 'share of cases resolved, by the customer’s confirmation or by an agent.',
    'board.def.recovered': 'cases whose customer confirmed the fix (a thanks or praise after the answer).',
    'board.def.unanswered': 'cases never answered, neither observed nor declared (except those the customer confirmed fixed).',
    'board.def.word_of_mouth': 'the 3/10/12 rule: a happy customer tells 3 people, an unhappy one 10, one whose problem was fixed 12. +3 per praise, −10 per unanswered case, +12 per recovered case.',
  },
  fr: {
    'board.intro2': 'Les marques classées selon leur façon de répondre là où le client s’est exprimé : taux de réponse observée d’abord, puis délai médian de première réponse. Un taux calculé sur quelques dossiers dit peu de chose : chaque chiffre indique sur combien de dossiers il repose et son intervalle à 95 %.',
    'board.controls': 'Ce que couvre le classement',
    'board.period.custom': 'Entre deux dates',
    'board.since': 'Du',
    'board.until': 'Au (inclus)',
    'board.min_cases': 'Dossiers nécessaires pour être classé',
    'board.apply': 'Appliquer',
    'board.covers': 'Période : {period}. Classement à partir de {n} dossiers.',
    'board.covers.all': 'depuis le début',
    'board.covers.range': 'du {since} au {until}',
    'board.covers.since': 'depuis le {since}',
    'board.covers.until': 'jusqu’au {until}',
    'board.cases': 'Dossiers',
    'board.unanswered': 'Sans réponse',
    'board.resolved': 'Résolus',
    'board.ci': 'intervalle à 95 % : de {low} à {high}',
    'board.ci.short': '{low}–{high}',
    'board.of': '{n} sur {total}',
    'board.sort': 'Trier par {column}',
    'board.unranked.title': 'Non classées : trop peu de dossiers',
    'board.unranked.intro': 'Ces marques ont moins de {n} dossiers sur la période : leurs taux les classeraient au hasard. Leurs chiffres sont affichés, pas comparés.',
    'board.unranked.none': 'Toutes les marques ont assez de dossiers pour être classées.',
    'board.ranked.none': 'Aucune marque n’a {n} dossiers ou plus sur cette période : aucune n’est classée.',
    'board.open.cases': '{brand} : ouvrir les {n} dossiers',
    'board.open.unanswered': '{brand} : ouvrir les {n} dossiers sans réponse',
    'board.open.resolved': '{brand} : ouvrir les {n} dossiers résolus',
    'board.table.ranked': 'Marques classées',
    'board.table.unranked': 'Marques non classées',
    'board.loaded': 'Marques classées : {ranked} ; non classées : {unranked}.',
    'board.defs.title': 'Définitions',
    'board.defs.interval': 'Intervalle à 95 %',
    'board.def.cases': 'les problèmes de clients avec la marque ouverts sur la période : la plainte ou la question d’un client et ce qui a suivi. Le nombre de dossiers est l’échantillon sur lequel repose chaque taux.',
    'board.def.observed': 'part des dossiers dont la réponse a été vue dans le canal : la réponse publique de la marque, ou une réponse envoyée depuis ecoute. Le classement se fait sur ce taux.',
    'board.def.declared': 'part des dossiers qu’un agent dit avoir traités ailleurs (téléphone, e-mail…), sans réponse observée : personne ne peut le vérifier de l’extérieur, ce taux est donc affiché sans compter pour le classement.',
    'board.def.first_response': 'délai entre le premier message du client et la première réponse observée, sur les dossiers ayant reçu une réponse : la médiane (la moitié des réponses sont venues plus vite) et le 90e centile (neuf sur dix sont venues plus vite).',
    'board.def.interval': 'la fourchette qui contient le vrai chiffre avec une confiance de 95 %, compte tenu du nombre de dossiers : intervalle de score de Wilson pour les taux, intervalle bootstrap (2 000 rééchantillonnages, graine fixe) pour la médiane. Deux marques dont les intervalles se chevauchent ne se distinguent pas nettement.',
    'board.def.min_cases': 'une marque n’est classée qu’à partir de ce nombre de dossiers ; les autres sont présentées à part.',
    'board.def.resolution': 'part des dossiers résolus, sur confirmation du client ou par un agent.',
    'board.def.recovered': 'dossiers dont le client a confirmé la résolution (un merci ou un éloge après la réponse).',
    'board.def.unanswered': 'dossiers jamais traités, ni réponse observée ni réponse déclarée (sauf ceux dont le client a confirmé la résolution).',
    'board.def.word_of_mouth': 'la règle 3/10/12 : un client satisfait en parle à 3 personnes, un mécontent à 10, un client dont le problème a été réglé à 12. +3 par éloge, −10 par dossier sans réponse, +12 par client reconquis.',
  },
});

export const DEFAULT_MIN_CASES = 10;

// A rate with its count and interval: "40 %" over "2 of 5" and "12 %–74 %".
function rateCell(ratio, n, total, ci, kind) {
  if (!total) return [t('common.none')];
  const parts = [h('span', { class: 'fig-main' }, formatPercent(ratio)), h('span', { class: 'fig-sub' }, t('board.of', { n: formatNumber(n ?? 0), total: formatNumber(total) }))];
  if (ci) parts.push(ciSpan(formatPercent(ci[0]), formatPercent(ci[1]), ci));
  if (kind) {
    const bar = h('span', { class: ['rate-bar', kind === 'declared' ? 'rate-declared' : null], 'aria-hidden': 'true' }, h('span', {}));
    bar.firstChild.style.width = `${Math.round(Math.max(0, Math.min(1, ratio || 0)) * 100)}%`;
    parts.push(bar);
  }
  return parts;
}

// The interval: shown short, read out in full.
function ciSpan(low, high, raw) {
  return h(
    'span',
    { class: 'ci', 'data-low': raw[0], 'data-high': raw[1] },
    h('span', { 'aria-hidden': 'true' }, t('board.ci.short', { low, high })),
    h('span', { class: 'visually-hidden' }, t('board.ci', { low, high })),
  );
}

function countLink(r, n, which) {
  if (!n) return formatNumber(n ?? 0);
  return h('a', { href: inboxLink(r.brand, which), 'aria-label': t(`board.open.${which}`, { brand: r.brand, n: formatNumber(n) }), 'data-open': which }, formatNumber(n));
}

// [key, header, cell(row), sort value(row)]; null sort values go last whatever the order.
function columns(hasDeclared) {
  return [
    ['rank', 'board.rank', null, (r) => r.rank ?? null],
    ['brand', 'col.brand', null, (r) => r.brand],
    ['cases', 'board.cases', (r) => countLink(r, r.cases, 'cases'), (r) => r.cases ?? 0],
    ['observed', 'board.observed', (r) => rateCell(r.response_rate, r.responded, r.cases, r.response_rate_ci, 'observed'), (r) => (r.cases ? r.response_rate : null)],
    hasDeclared ? ['declared', 'board.declared', (r) => rateCell(r.declared_rate, r.declared, r.cases, null, 'declared'), (r) => (r.cases ? r.declared_rate : null)] : null,
    [
      'median',
      'fig.first_response_median',
      (r) => {
        const ci = r.first_response_median_ci_s;
        return [h('span', { class: 'fig-main' }, formatDuration(r.first_response_median_s)), ci ? ciSpan(formatDuration(ci[0]), formatDuration(ci[1]), ci) : null];
      },
      (r) => r.first_response_median_s ?? null,
    ],
    ['p90', 'fig.first_response_p90', (r) => formatDuration(r.first_response_p90_s), (r) => r.first_response_p90_s ?? null],
    [
      'resolved',
      'board.resolved',
      (r) => {
        const cell = rateCell(r.resolution_rate, r.resolved, r.cases, r.resolution_rate_ci);
        if (r.resolved) {
          // "1 of 2" with the 1 opening the resolved cases.
          const [before, after] = t('board.of', { n: '\u0000', total: formatNumber(r.cases) }).split('\u0000');
          cell[1] = h('span', { class: 'fig-sub' }, before, countLink(r, r.resolved, 'resolved'), after);
        }
        return cell;
      },
      (r) => (r.cases ? r.resolution_rate : null),
    ],
    ['unanswered', 'board.unanswered', (r) => countLink(r, r.unanswered, 'unanswered'), (r) => r.unanswered ?? 0],
    ['recovered', 'fig.recovered', (r) => formatNumber(r.recovered ?? 0), (r) => r.recovered ?? 0],
    ['word_of_mouth', 'fig.word_of_mouth', (r) => formatNumber(r.word_of_mouth ?? 0), (r) => r.word_of_mouth ?? 0],
    ['mentions', 'fig.mentions', (r) => formatNumber(r.mentions ?? 0), (r) => r.mentions ?? 0],
    ['complaints', 'fig.complaints', (r) => formatNumber(r.complaints ?? 0), (r) => r.complaints ?? 0],
  ].filter(Boolean);
}

function sortRows(rows, cols, sort, dir) {
  const col = cols.find((c) => c[0] === sort);
  if (!col || sort === 'rank') return dir === 'desc' ? [...rows].reverse() : rows;
  const value = col[3];
  const sign = dir === 'desc' ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'string') return sign * x.localeCompare(y);
    return sign * (x - y);
  });
}

// The settings the page reads from its URL, with their defaults.
function settingsFrom(q) {
  const period = PERIODS.includes(q.get('period')) || q.get('period') === 'custom' ? q.get('period') : q.get('since') || q.get('until') ? 'custom' : 'all';
  const min = q.get('min_cases');
  return {
    period,
    since: q.get('since') || '',
    until: q.get('until') || '',
    minCases: min !== null && /^\d+$/.test(min) ? Number(min) : DEFAULT_MIN_CASES,
    sort: q.get('sort') || 'rank',
    dir: q.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

function writeUrl(s) {
  const params = { period: s.period === 'all' ? '' : s.period, since: s.period === 'custom' ? s.since : '', until: s.period === 'custom' ? s.until : '' };
  if (s.minCases !== DEFAULT_MIN_CASES) params.min_cases = String(s.minCases);
  if (s.sort !== 'rank') params.sort = s.sort;
  if (s.dir === 'desc') params.dir = 'desc';
  history.replaceState(null, '', `#/leaderboard${query(params)}`);
}

function definitions(hasDeclared) {
  const items = [
    ['board.cases', 'board.def.cases'],
    ['board.observed', 'board.def.observed'],
    hasDeclared ? ['board.declared', 'board.def.declared'] : null,
    ['fig.first_response_median', 'board.def.first_response'],
    ['board.defs.interval', 'board.def.interval'],
    ['board.min_cases', 'board.def.min_cases'],
    ['board.resolved', 'board.def.resolution'],
    ['board.unanswered', 'board.def.unanswered'],
    ['fig.recovered', 'board.def.recovered'],
    ['fig.word_of_mouth', 'board.def.word_of_mouth'],
  ].filter(Boolean);
  return h(
    'section',
    { class: 'definitions', 'aria-labelledby': 'board-defs-title' },
    h('h2', { id: 'board-defs-title' }, t('board.defs.title')),
    h('dl', { id: 'board-definitions' }, items.map(([term, def]) => h('div', { 'data-term': def.slice(10) }, h('dt', {}, t(term)), h('dd', {}, t(def))))),
  );
}

function controls(s, onChange) {
  const id = (name) => `board-${name}`;
  const period = h(
    'select',
    { id: id('period') },
    [...PERIODS, 'custom'].map((p) => h('option', { value: p, selected: p === s.period }, p === 'custom' ? t('board.period.custom') : t(`brand.period.${p}`))),
  );
  const since = h('input', { type: 'date', id: id('since'), value: s.since });
  const until = h('input', { type: 'date', id: id('until'), value: s.until });
  const min = h('input', { type: 'number', id: id('min-cases'), min: '0', max: '1000000', step: '1', inputmode: 'numeric', value: String(s.minCases) });
  const dates = h(
    'div',
    { class: 'board-dates', hidden: s.period !== 'custom' },
    h('div', { class: 'field' }, h('label', { for: id('since') }, t('board.since')), since),
    h('div', { class: 'field' }, h('label', { for: id('until') }, t('board.until')), until),
  );
  const form = h(
    'form',
    { class: 'board-controls', id: 'board-controls', 'aria-label': t('board.controls') },
    h('div', { class: 'field' }, h('label', { for: id('period') }, t('brand.period')), period),
    dates,
    h('div', { class: 'field' }, h('label', { for: id('min-cases') }, t('board.min_cases')), min),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'secondary', id: id('apply') }, t('board.apply'))),
  );
  const read = () => ({ ...s, period: period.value, since: since.value, until: until.value, minCases: /^\d+$/.test(min.value) ? Number(min.value) : DEFAULT_MIN_CASES });
  period.addEventListener('change', () => {
    dates.hidden = period.value !== 'custom';
    if (period.value !== 'custom') onChange(read());
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onChange(read());
  });
  return form;
}

function coverage(data, minCases) {
  const day = (iso) => (iso ? iso.slice(0, 10) : '');
  const since = day(data.since);
  // The server's until is exclusive: a midnight bound ends with the day before it.
  const lastMs = data.until ? Date.parse(data.until) - (/T00:00:00Z$/.test(data.until) ? 86400000 : 0) : NaN;
  const until = Number.isNaN(lastMs) ? '' : day(new Date(lastMs).toISOString());
  let period = t('board.covers.all');
  if (since && until) period = t('board.covers.range', { since, until });
  else if (since) period = t('board.covers.since', { since });
  else if (until) period = t('board.covers.until', { until });
  return t('board.covers', { period, n: formatNumber(data.min_cases ?? minCases) });
}

function table(id, captionKey, rows, cols, s, onSort) {
  const shown = sortRows(rows, cols, s.sort, s.dir);
  const head = cols.map(([key, title]) => {
    const active = s.sort === key;
    const sortState = active ? (s.dir === 'desc' ? 'descending' : 'ascending') : null;
    const button = h(
      'button',
      { type: 'button', class: 'sort', 'data-sort': key, title: t('board.sort', { column: t(title) }) },
      t(title),
      h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (s.dir === 'desc' ? ' ▼' : ' ▲') : ''),
    );
    button.addEventListener('click', () => onSort(key));
    return h('th', { scope: 'col', 'data-col': key, 'aria-sort': sortState }, button);
  });
  const captionId = newId('board-caption');
  return h(
    'div',
    { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': captionId },
    h(
      'table',
      { class: 'board', id },
      h('caption', { class: 'visually-hidden', id: captionId }, t(captionKey)),
      h('thead', {}, h('tr', {}, head)),
      h(
        'tbody',
        {},
        shown.map((r) =>
          h(
            'tr',
            { 'data-brand': r.brand },
            cols.map(([key, , cell]) => {
              if (key === 'rank') return h('td', { class: 'num', 'data-col': key }, r.rank ? String(r.rank) : t('common.none'));
              if (key === 'brand') return h('th', { scope: 'row', 'data-col': key }, h('a', { href: `#/brands/${encodeURIComponent(r.brand)}` }, r.brand));
              return h('td', { class: 'num', 'data-col': key }, cell(r));
            }),
          ),
        ),
      ),
    ),
  );
}

export async function render(view, ctx) {
  let s = settingsFrom(ctx.query);
  const body = h('div', { id: 'board-body', 'aria-busy': 'true' }, loading());
  const covers = h('p', { class: 'muted', id: 'board-covers' });
  let data = null;
  let hasDeclared = false;

  const draw = () => {
    clear(body);
    const rows = (data && data.brands) || [];
    if (!rows.length) {
      body.append(h('p', { class: 'note' }, t('board.empty')));
      return;
    }
    const cols = columns(hasDeclared);
    const onSort = (key) => {
      s = { ...s, dir: s.sort === key && s.dir === 'asc' ? 'desc' : 'asc', sort: key };
      writeUrl(s);
      draw();
      body.querySelector(`#leaderboard th[data-col="${key}"] button, #leaderboard-unranked th[data-col="${key}"] button`)?.focus();
    };
    const ranked = rows.map((r, i) => ({ ...r, rank: r.ranked === false ? null : (r.rank ?? i + 1) })).filter((r) => r.rank !== null);
    const unranked = rows.filter((r) => r.ranked === false);
    const min = formatNumber(data.min_cases ?? s.minCases);
    if (ranked.length) body.append(table('leaderboard', 'board.table.ranked', ranked, cols, s, onSort));
    else body.append(h('p', { class: 'note', id: 'board-none-ranked' }, t('board.ranked.none', { n: min })));
    const apart = h('section', { class: 'unranked', id: 'board-unranked', 'aria-labelledby': 'board-unranked-title' }, h('h2', { id: 'board-unranked-title' }, t('board.unranked.title')));
    if (unranked.length) {
      apart.append(
        h('p', { class: 'muted' }, t('board.unranked.intro', { n: min })),
        table(
          'leaderboard-unranked',
          'board.table.unranked',
          unranked,
          cols.filter((c) => c[0] !== 'rank'),
          s,
          onSort,
        ),
      );
    } else apart.append(h('p', { class: 'note' }, t('board.unranked.none')));
    body.append(apart);
  };

  const load = async () => {
    body.setAttribute('aria-busy', 'true');
    const bounds = periodBounds(s);
    try {
      data = await api('GET', `/reports${query({ ...bounds, min_cases: String(s.minCases) })}`);
      if (!ctx.isCurrent()) return;
      hasDeclared = ((data && data.brands) || []).some((r) => r.declared !== undefined);
      covers.textContent = coverage(data, s.minCases);
      draw();
      const rows = (data && data.brands) || [];
      const ranked = rows.filter((r) => r.ranked !== false).length;
      ctx.announce(t('board.loaded', { ranked: formatNumber(ranked), unranked: formatNumber(rows.length - ranked) }));
    } catch (err) {
      if (!ctx.isCurrent()) return;
      clear(body);
      body.append(h('p', { class: 'error', role: 'alert' }, ctx.errorMessage(err)));
    } finally {
      body.setAttribute('aria-busy', 'false');
    }
  };

  clear(view);
  view.append(
    h('h1', {}, t('board.title')),
    h('p', { class: 'muted' }, t('board.intro2')),
    controls(s, (next) => {
      s = next;
      writeUrl(s);
      load();
    }),
    covers,
    h(
      'dl',
      { class: 'kind-legend', id: 'board-legend' },
      h('div', {}, h('dt', {}, h('span', { class: 'badge kind-observed' }, h('span', { 'aria-hidden': 'true' }, '◉ '), t('kind.observed'))), h('dd', {}, t('board.legend.observed'))),
      h('div', {}, h('dt', {}, h('span', { class: 'badge kind-declared' }, h('span', { 'aria-hidden': 'true' }, '✎ '), t('kind.declared'))), h('dd', {}, t('board.legend.declared'))),
    ),
    body,
  );
  await load();
  if (ctx.isCurrent()) view.append(definitions(hasDeclared));
}
