// The dashboard shell: session, header, hash routing, live updates and global keys.

import { api, setCsrf } from './api.js';
import { applyStatic, getLang, setLang, t, label } from './i18n.js';
import { clear, h } from './dom.js';
import { errorText } from './errors.js';
import { startLive } from './live.js';
import { installKeys, registerShortcut } from './keys.js';
import { startNotify } from './notify.js';
import * as inbox from './pages/inbox.js';
import * as casePage from './pages/case.js';
import * as search from './pages/search.js';
import * as brand from './pages/brand.js';
import * as leaderboard from './pages/leaderboard.js';
import * as settings from './pages/settings.js';
import { setUpMenu } from './menu.js';

const routes = {
  inbox: { page: inbox, title: 'nav.inbox' },
  cases: { page: casePage, title: 'nav.inbox' },
  search: { page: search, title: 'nav.search' },
  brands: { page: brand, title: 'nav.leaderboard' },
  leaderboard: { page: leaderboard, title: 'nav.leaderboard' },
  settings: { page: settings, title: 'nav.settings' },
};

const $ = (id) => document.getElementById(id);
const bus = new EventTarget();
let user = null;
let stopLive = null;
let cleanup = null;
let renderToken = 0;
let brandsCache = null;
let focusSearch = false;

export function announce(message) {
  const box = $('announcer');
  box.textContent = '';
  setTimeout(() => {
    box.textContent = message;
  }, 50);
}

// The brands the user may see, fetched once per session and again after a change to the
// catalog (Settings says so on the bus).
bus.addEventListener('brands-changed', () => {
  brandsCache = null;
});
async function brands() {
  if (!brandsCache) {
    brandsCache = api('GET', '/brands')
      .then((data) => (data && data.brands) || [])
      .catch((err) => {
        brandsCache = null;
        throw err;
      });
  }
  return brandsCache;
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/inbox';
  const cut = raw.indexOf('?');
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, query: new URLSearchParams(cut < 0 ? '' : raw.slice(cut + 1)) };
}

// An error as a sentence in the user's language (errors.js: by the server's code).
export function errorMessage(err) {
  return errorText(err);
}

async function route() {
  if (!user) return;
  if (!location.hash.startsWith('#/')) {
    if (location.hash === '' || location.hash === '#') history.replaceState(null, '', '#/inbox');
    else return; // an in-page anchor such as the skip link
  }
  const { parts, query } = parseHash();
  const name = routes[parts[0]] ? parts[0] : 'inbox';
  const entry = routes[name];
  if (cleanup) cleanup();
  cleanup = null;
  const token = ++renderToken;
  for (const link of document.querySelectorAll('#nav a[data-route]')) {
    if (link.dataset.route === (name === 'cases' ? 'inbox' : name === 'brands' ? 'leaderboard' : name)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const view = $('view');
  clear(view);
  document.title = `${t(entry.title)} · ecoute`;
  const ctx = {
    params: parts.slice(1),
    query,
    user,
    bus,
    brands,
    announce,
    errorMessage,
    isCurrent: () => token === renderToken,
    setTitle: (text) => {
      document.title = `${text} · ecoute`;
    },
    focusSearch,
  };
  const wantsSearch = focusSearch;
  focusSearch = false;
  try {
    const result = await entry.page.render(view, ctx);
    if (token !== renderToken) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
  } catch (err) {
    if (token !== renderToken) return;
    clear(view);
    view.append(h('p', { class: 'error', role: 'alert' }, errorMessage(err)));
  }
  if (!wantsSearch) {
    const heading = view.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }
}

function showLogin(message) {
  user = null;
  brandsCache = null;
  if (stopLive) stopLive();
  stopLive = null;
  if (cleanup) cleanup();
  cleanup = null;
  clear($('view'));
  $('nav').hidden = true;
  $('who').hidden = true;
  $('logout').hidden = true;
  $('live-state').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  document.title = `${t('login.title')} · ecoute`;
  $('login-name').focus();
}

let liveUp = null;
function setLiveState(up) {
  liveUp = up;
  const el = $('live-state');
  el.hidden = false;
  el.className = up ? 'live live-on' : 'live live-off';
  el.textContent = `${up ? '●' : '○'} ${t(up ? 'live.on' : 'live.off')}`;
}

function showApp(session) {
  user = session.user;
  if (session.csrf !== undefined) setCsrf(session.csrf);
  $('login').hidden = true;
  $('nav').hidden = false;
  $('nav-settings').hidden = !(user.role === 'admin' || user.role === 'manager');
  const who = $('who');
  who.hidden = false;
  who.textContent = t('user.signed', { name: user.display_name || user.name, role: label('role', user.role) });
  $('logout').hidden = false;
  if (!stopLive) stopLive = startLive(bus, setLiveState);
  route();
}

async function login(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button[type=submit]');
  const errorBox = $('login-error');
  errorBox.textContent = '';
  button.disabled = true;
  try {
    const session = await api('POST', '/session', { name: $('login-name').value.trim(), password: $('login-password').value });
    $('login-password').value = '';
    showApp(session);
  } catch (err) {
    if (err.status === 401) errorBox.textContent = t('login.bad');
    else if (err.status === 429) errorBox.textContent = errorText(err);
    else errorBox.textContent = errorMessage(err);
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  try {
    await api('DELETE', '/session');
  } catch {
    // already logged out: fine
  }
  showLogin('');
}

// The global shortcuts (keys.js): / to search, g then i for the inbox, ? for the list.
function goSearch() {
  const box = document.getElementById('search-q');
  if (box) box.focus();
  else {
    focusSearch = true;
    location.hash = '#/search';
  }
}

async function boot() {
  const select = $('lang');
  select.value = getLang();
  applyStatic();
  setUpMenu();
  select.addEventListener('change', () => {
    setLang(select.value);
    applyStatic();
    if (liveUp !== null) setLiveState(liveUp);
    if (user) showApp({ user, csrf: undefined });
    else document.title = `${t('login.title')} · ecoute`;
  });
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('skip').addEventListener('click', (event) => {
    event.preventDefault();
    $('main').focus();
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('ecoute:unauthenticated', () => {
    if (user) showLogin('');
  });
  installKeys(() => Boolean(user));
  registerShortcut('/', 'keys.search', goSearch);
  registerShortcut('g i', 'keys.inbox', () => {
    location.hash = '#/inbox';
  });
  startNotify(bus, announce);
  try {
    showApp(await api('GET', '/session'));
  } catch (err) {
    showLogin(err.status === 401 ? '' : errorMessage(err));
  }
}

boot();
