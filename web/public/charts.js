// Small SVG charts built through the DOM. Each returns a <figure>: a caption, the drawing
// (role="img", described by the caption and a sentence) and the same data as a table.

import { h, newId, svg } from './dom.js';
import { formatDate, formatDuration, formatNumber, label, t } from './i18n.js';

const COLORS = { complaints: '#a8201a', praise: '#17693a', other: '#5f6b7a', bar: '#1d4f91', light: '#9db7dc' };

// A round axis top with four whole, round steps (0, 1, 2, 3, 4 or 0, 5, 10, 15, 20...).
function niceMax(value) {
  const raw = Math.max(1, value / 4);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step * 4;
}

function dataTable(caption, head, rows) {
  return h(
    'details',
    { class: 'chart-data' },
    h('summary', {}, t('chart.table')),
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', { class: 'num' }, cell)))))),
    ),
  );
}

function figure(title, description, drawing, table, legend) {
  const captionId = newId('cap');
  const descId = newId('desc');
  drawing.setAttribute('role', 'img');
  drawing.setAttribute('aria-labelledby', captionId);
  drawing.setAttribute('aria-describedby', descId);
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', { id: captionId }, title),
    h('p', { id: descId, class: 'muted small' }, description),
    legend || null,
    drawing,
    table,
  );
}

function legendOf(items) {
  return h(
    'ul',
    { class: 'legend' },
    items.map(([key, text]) => h('li', {}, h('span', { class: `swatch swatch-${key}`, 'aria-hidden': 'true' }), text)),
  );
}

function yAxis(group, max, x, top, height, width) {
  for (let i = 0; i <= 4; i += 1) {
    const value = (max * i) / 4;
    const y = top + height - (height * i) / 4;
    group.append(svg('line', { x1: x, x2: x + width, y1: y, y2: y, class: 'grid' }));
    group.append(svg('text', { x: x - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, formatNumber(value)));
  }
}

// The ISO week ("2026-W47") of a date.
export function isoWeek(iso) {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((thursday - firstThursday) / 86400000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

// Weekly volume stacked by stance, weeks with a spike marked with ▲.
export function weeksChart(weeks, spikes) {
  const spikeWeeks = new Map();
  for (const s of spikes || []) {
    const w = isoWeek(s.hour);
    spikeWeeks.set(w, (spikeWeeks.get(w) || []).concat(s));
  }
  const rows = (weeks || []).map((w) => ({
    week: w.week,
    complaints: w.complaints || 0,
    praise: w.praise || 0,
    other: Math.max(0, (w.mentions || 0) - (w.complaints || 0) - (w.praise || 0)),
    mentions: w.mentions || 0,
    spike: spikeWeeks.has(w.week),
  }));
  const W = 640;
  const H = 240;
  const left = 40;
  const top = 24;
  const plotW = W - left - 10;
  const plotH = H - top - 30;
  const max = niceMax(Math.max(1, ...rows.map((r) => r.mentions)));
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', 'data-chart': 'weeks' });
  const axis = svg('g', {});
  yAxis(axis, max, left, top, plotH, plotW);
  chart.append(axis);
  const band = rows.length ? plotW / rows.length : plotW;
  const barW = Math.max(4, Math.min(48, band * 0.7));
  const every = Math.max(1, Math.ceil(rows.length / 12));
  rows.forEach((r, i) => {
    const x = left + i * band + (band - barW) / 2;
    let y = top + plotH;
    const g = svg('g', {}, svg('title', {}, `${r.week}: ${r.mentions}`));
    for (const key of ['complaints', 'praise', 'other']) {
      const hgt = (r[key] / max) * plotH;
      if (hgt <= 0) continue;
      y -= hgt;
      g.append(svg('rect', { x, y, width: barW, height: hgt, fill: key === 'praise' ? 'url(#stripes)' : COLORS[key], class: `seg-${key}` }));
    }
    if (r.spike) g.append(svg('text', { x: x + barW / 2, y: y - 6, 'text-anchor': 'middle', class: 'spike-mark' }, '▲'));
    if (i % every === 0) g.append(svg('text', { x: x + barW / 2, y: H - 10, 'text-anchor': 'middle', class: 'axis' }, r.week.replace(/^\d{4}-/, '')));
    chart.append(g);
  });
  chart.prepend(
    svg(
      'defs',
      {},
      svg(
        'pattern',
        { id: 'stripes', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
        svg('rect', { width: 6, height: 6, fill: COLORS.praise }),
        svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#ffffff', 'stroke-width': 2 }),
      ),
    ),
  );
  if (!rows.length) chart.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' }, t('chart.empty')));
  const head = [t('chart.week'), t('fig.complaints'), t('fig.praise'), t('chart.other'), t('fig.mentions'), t('chart.spike')];
  const table = dataTable(
    t('chart.weeks'),
    head,
    rows.map((r) => [r.week, formatNumber(r.complaints), formatNumber(r.praise), formatNumber(r.other), formatNumber(r.mentions), r.spike ? `▲ ${t('common.yes')}` : t('common.no')]),
  );
  const spikeList = (spikes || []).length
    ? dataTable(
        t('chart.spikes'),
        [t('chart.hour'), t('fig.mentions'), t('chart.baseline')],
        spikes.map((s) => [formatDate(s.hour), formatNumber(s.mentions), formatNumber(Math.round((s.baseline || 0) * 10) / 10)]),
      )
    : null;
  if (spikeList) spikeList.querySelector('summary').textContent = `${t('chart.spikes')} (${spikes.length})`;
  const legend = legendOf([
    ['complaints', t('fig.complaints')],
    ['praise', t('fig.praise')],
    ['other', t('chart.other')],
    ['spike', `▲ ${t('chart.spike')}`],
  ]);
  const fig = figure(t('chart.weeks'), t('chart.weeks.desc'), chart, table, legend);
  if (spikeList) fig.append(spikeList);
  return fig;
}

// Topics as horizontal bars: mentions, with the complaints part darker.
export function topicsChart(topics) {
  const rows = [...(topics || [])].sort((a, b) => (b.mentions || 0) - (a.mentions || 0));
  const W = 640;
  const rowH = 26;
  const left = 150;
  const H = Math.max(60, rows.length * rowH + 20);
  const plotW = W - left - 50;
  const max = niceMax(Math.max(1, ...rows.map((r) => r.mentions || 0)));
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', 'data-chart': 'topics' });
  rows.forEach((r, i) => {
    const y = 10 + i * rowH;
    const all = ((r.mentions || 0) / max) * plotW;
    const bad = ((r.complaints || 0) / max) * plotW;
    chart.append(
      svg(
        'g',
        {},
        svg('title', {}, `${label('topic', r.topic)}: ${r.mentions} / ${r.complaints}`),
        svg('text', { x: left - 8, y: y + 15, 'text-anchor': 'end', class: 'axis' }, label('topic', r.topic)),
        svg('rect', { x: left, y, width: Math.max(1, all), height: rowH - 8, fill: COLORS.light }),
        svg('rect', { x: left, y, width: bad, height: rowH - 8, fill: COLORS.bar }),
        svg('text', { x: left + all + 6, y: y + 15, class: 'axis' }, `${formatNumber(r.mentions || 0)}`),
      ),
    );
  });
  if (!rows.length) chart.append(svg('text', { x: W / 2, y: 35, 'text-anchor': 'middle', class: 'axis' }, t('chart.empty')));
  const table = dataTable(
    t('chart.topics'),
    [t('col.topic'), t('fig.mentions'), t('fig.complaints')],
    rows.map((r) => [label('topic', r.topic), formatNumber(r.mentions || 0), formatNumber(r.complaints || 0)]),
  );
  const legend = legendOf([
    ['mentions', t('fig.mentions')],
    ['complaints-bar', t('fig.complaints')],
  ]);
  return figure(t('chart.topics'), t('chart.topics.desc'), chart, table, legend);
}

const BINS = [
  ['bin.15m', 15 * 60],
  ['bin.1h', 3600],
  ['bin.4h', 4 * 3600],
  ['bin.1d', 86400],
  ['bin.3d', 3 * 86400],
  ['bin.more', Infinity],
];

// Histogram of first-response times.
export function timesChart(times) {
  const counts = BINS.map(() => 0);
  for (const s of times || []) {
    const i = BINS.findIndex(([, limit]) => s < limit);
    counts[i < 0 ? BINS.length - 1 : i] += 1;
  }
  const W = 640;
  const H = 220;
  const left = 40;
  const top = 16;
  const plotW = W - left - 10;
  const plotH = H - top - 34;
  const max = niceMax(Math.max(1, ...counts));
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', 'data-chart': 'times' });
  yAxis(chart, max, left, top, plotH, plotW);
  const band = plotW / BINS.length;
  counts.forEach((n, i) => {
    const hgt = (n / max) * plotH;
    const x = left + i * band + band * 0.15;
    chart.append(
      svg(
        'g',
        {},
        svg('title', {}, `${t(BINS[i][0])}: ${n}`),
        svg('rect', { x, y: top + plotH - hgt, width: band * 0.7, height: hgt, fill: COLORS.bar }),
        svg('text', { x: x + band * 0.35, y: H - 14, 'text-anchor': 'middle', class: 'axis' }, t(BINS[i][0])),
      ),
    );
  });
  const sorted = [...(times || [])].sort((a, b) => a - b);
  const table = dataTable(
    t('chart.times'),
    [t('chart.delay'), t('chart.count')],
    BINS.map(([key], i) => [t(key), formatNumber(counts[i])]),
  );
  const desc = `${t('chart.times.desc')} ${sorted.length ? `(${formatDuration(sorted[0])} – ${formatDuration(sorted[sorted.length - 1])})` : ''}`;
  return figure(t('chart.times'), desc, chart, table);
}
