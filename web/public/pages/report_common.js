// What the leaderboard and the brand page share: the periods they offer, the report's
// bounds for a period, and the links from a figure to the cases behind it.

import { STATUSES } from './common.js';

// The quick periods, in days ('all': no bound).
export const PERIODS = ['all', '7', '30', '90', '365'];

// {since, until} for GET /reports: an age such as "30d" for a quick period (the server
// counts it back from now), the dates themselves for a custom one (until: that whole day).
export function periodBounds({ period, since, until }) {
  if (period === 'custom') return { since: since || '', until: until || '' };
  if (PERIODS.includes(period) && period !== 'all') return { since: `${period}d` };
  return {};
}

// The inbox filtered on the cases behind a figure, in the inbox's URL form (the API's
// filter names): every case of the brand, its unanswered ones, or its resolved ones.
export function inboxLink(brand, which) {
  const params = new URLSearchParams();
  params.append('brand', brand);
  if (which === 'resolved') params.append('status', 'resolved');
  else for (const status of STATUSES) params.append('status', status);
  if (which === 'unanswered') params.append('unanswered', 'true');
  return `#/inbox?${params.toString()}`;
}
