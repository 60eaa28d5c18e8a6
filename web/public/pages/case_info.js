// The case page's explanations: the legend of the highlighted cues, why the case has its
// priority (the analysis's reasons and the reach of each post), the ways to reach the
// author, and the agent's priority override. Each piece shows only when the server gives
// what it needs.

import { h, webUrl } from '../dom.js';
import { formatNumber, label, t } from '../i18n.js';
import { priorityReason } from '../words.js';

export const CUE_KINDS = ['complaint', 'question', 'praise', 'resolution', 'topic', 'brand', 'fact'];
const REACH = ['followers', 'comments', 'shares', 'likes'];
// The kinds of contact route a page may give, each with what it lets the team do.
const ROUTE_KINDS = ['email', 'mastodon', 'bluesky', 'x', 'linkedin', 'facebook', 'instagram', 'youtube', 'threads', 'author_page', 'contact_page', 'website'];

// A visible key to the highlights: each kind present, drawn as it is in the text, with what
// it means. The same words are read by screen readers on each highlight.
export function cueLegend(posts) {
  const present = new Set(posts.flatMap((p) => (p.cues || []).map((c) => c.kind)));
  const kinds = CUE_KINDS.filter((k) => present.has(k));
  if (!kinds.length) return null;
  return h(
    'div',
    { class: 'cue-legend', id: 'cue-legend' },
    h('p', { class: 'hint', id: 'cue-legend-title' }, t('legend.title')),
    h(
      'ul',
      { class: 'legend', 'aria-labelledby': 'cue-legend-title' },
      kinds.map((k) => h('li', { 'data-kind': k }, h('mark', { class: ['cue', `cue-${k}`], 'aria-hidden': 'true' }, label('cue', k)), ' ', h('span', {}, t(`legend.${k}`)))),
    ),
  );
}

function reachList(reach) {
  if (!reach) return null;
  const known = REACH.filter((k) => typeof reach[k] === 'number' && reach[k] >= 0);
  if (!known.length) return h('p', { class: 'hint' }, t('why.reachUnknown'));
  return h('dl', { class: 'reach' }, known.map((k) => h('div', { 'data-reach': k }, h('dt', {}, t(`reach.${k}`)), h('dd', {}, formatNumber(reach[k])))));
}

// Why this priority: the computed or overriding figure, then each post's reasons and reach.
export function whyPriority(c, posts) {
  const explained = posts.filter((p) => Array.isArray(p.reasons) || p.reach);
  if (!explained.length && c.priority_override == null) return null;
  const overridden = c.priority_override !== undefined && c.priority_override !== null;
  return h(
    'section',
    { class: 'why', id: 'why-priority', 'aria-labelledby': 'why-h' },
    h('h2', { id: 'why-h' }, t('why.title', { priority: c.priority ?? t('common.none') })),
    overridden ? h('p', { class: 'hint', id: 'priority-overridden' }, t('why.overridden', { priority: c.priority_override })) : null,
    explained.length
      ? h(
          'ol',
          { class: 'why-posts' },
          explained.map((p) =>
            h(
              'li',
              { 'data-post-id': p.post_id },
              h('p', { class: 'why-who' }, h('strong', {}, p.author || label('role', p.role)), ' · ', label('role', p.role)),
              (p.reasons || []).length ? h('ul', { class: 'reasons' }, p.reasons.map((r) => h('li', {}, priorityReason(r)))) : h('p', { class: 'hint' }, t('why.noReason')),
              reachList(p.reach),
            ),
          ),
        )
      : null,
  );
}

// A link for a route when its value is one (a web address, an e-mail address), else text.
function routeValue(route) {
  const web = webUrl(route.value);
  if (web) return h('a', { href: web, rel: 'noopener noreferrer nofollow', target: '_blank' }, route.value);
  if (route.kind === 'email' && /^[^@\s:/?#]+@[^@\s/?#]+$/.test(route.value)) return h('a', { href: `mailto:${route.value}` }, route.value);
  return h('span', { class: 'mono' }, route.value);
}

// The ways to reach the people of this case that their pages gave, each with what it allows.
export function contactRoutes(posts) {
  const seen = new Set();
  const routes = [];
  for (const p of posts) {
    for (const r of p.contacts || []) {
      const key = `${r.kind}\u0000${r.value}`;
      if (!r.value || seen.has(key)) continue;
      seen.add(key);
      routes.push({ ...r, author: p.author });
    }
  }
  if (!routes.length) return null;
  return h(
    'section',
    { class: 'contacts', id: 'contact-routes', 'aria-labelledby': 'contacts-h' },
    h('h2', { id: 'contacts-h' }, t('contacts.title')),
    h(
      'ul',
      { class: 'route-list' },
      routes.map((r) =>
        h(
          'li',
          { 'data-kind': r.kind },
          h('strong', {}, label('route', r.kind)),
          ' ',
          routeValue(r),
          r.where === 'site' ? h('span', { class: 'hint' }, ` (${t('contacts.fromSite')})`) : '',
          h('p', { class: 'hint' }, t(`allows.${ROUTE_KINDS.includes(r.kind) ? r.kind : 'other'}`)),
        ),
      ),
    ),
  );
}

// The agent's override of the computed priority, or back to the computed one.
export function priorityForm(c, act) {
  const value = h('input', { id: 'priority-value', type: 'number', min: '0', max: '100', step: '1', value: String(c.priority ?? ''), 'aria-describedby': 'priority-value-error', inputmode: 'numeric' });
  const reason = h('input', { id: 'priority-reason', autocomplete: 'off' });
  const error = h('p', { id: 'priority-value-error', class: 'error field-error' });
  const overridden = c.priority_override !== undefined && c.priority_override !== null;
  const form = h(
    'form',
    { class: 'action', novalidate: true },
    h('h3', {}, t('priority.title')),
    h('div', { class: 'field' }, h('label', { for: 'priority-value' }, t('priority.value')), value, error),
    h('div', { class: 'field' }, h('label', { for: 'priority-reason' }, t('priority.reason')), reason),
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'submit', id: 'priority-submit', class: 'secondary' }, t('priority.set')),
      overridden ? h('button', { type: 'button', id: 'priority-clear', class: 'secondary', onclick: () => act('priority', { priority: null, reason: reason.value.trim() }, 'case.done.priorityCleared') }, t('priority.clear')) : null,
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = Number(value.value);
    if (value.value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 100) {
      error.textContent = t('priority.bad');
      value.setAttribute('aria-invalid', 'true');
      value.focus();
      return;
    }
    error.textContent = '';
    value.removeAttribute('aria-invalid');
    act('priority', { priority: n, reason: reason.value.trim() }, 'case.done.priority');
  });
  return form;
}

// The original of the case's first post that has a web address.
export function originalLink(posts) {
  const first = posts.find((p) => p.role === 'opening' && webUrl(p.url)) || posts.find((p) => webUrl(p.url));
  if (!first) return null;
  return h('a', { href: webUrl(first.url), rel: 'noopener noreferrer nofollow', target: '_blank', class: 'original-post' }, t('case.openOriginal'));
}
