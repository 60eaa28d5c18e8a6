// The JSON API client: same-origin session cookie, CSRF header on every change, errors as
// ApiError. A 401 outside the session endpoint tells the app to show the login form.

const BASE = '/api/v1';
let csrf = '';

export function setCsrf(token) {
  csrf = token || '';
}

// status: the HTTP status (0: no answer); code: the server's error code, which the
// interface translates (errors.js); field: the request field at fault, when one is;
// params: values the translated message may quote.
export class ApiError extends Error {
  constructor(status, code, message, field = '', params = {}) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || '';
    this.field = field || '';
    this.params = params || {};
  }
}

// `keepalive`: the request outlives the page (a word sent as the tab closes).
export async function api(method, path, body, { keepalive = false } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', keepalive };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch (err) {
    throw new ApiError(0, 'network', err.message);
  }
  if (response.status === 204) return null;
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const failure = new ApiError(response.status, error.code, error.message, error.field, error.params);
    failure.data = data; // the whole answer: a 409 case_changed carries the changes
    if (response.status === 401 && path !== '/session') {
      window.dispatchEvent(new CustomEvent('ecoute:unauthenticated'));
    }
    throw failure;
  }
  return data;
}

// A query string from {key: value | [values]}; empty values are left out.
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '' && v !== false) search.append(key, String(v));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// A GET on an endpoint this server may not have: null when it answers 404 (a server
// without the feature), the data otherwise; any other error is thrown.
export async function optional(path) {
  try {
    return await api('GET', path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

// Whether the server knows `path` at all, for an endpoint that cannot be read: the server
// answers 404 to a path it has no route for, 405 to a known path with another method. The
// answer is kept for the session, path by path (digits stand for any id).
const known = new Map();
export function hasEndpoint(path) {
  const key = path.replace(/\/\d+(?=\/|$)/g, '/{id}');
  if (!known.has(key)) {
    const probe = api('GET', path).then(
      () => true,
      (err) => {
        if (err instanceof ApiError && err.status === 404) return false;
        if (err instanceof ApiError && err.status === 0) known.delete(key);
        return err instanceof ApiError && err.status !== 0;
      },
    );
    known.set(key, probe);
  }
  return known.get(key);
}
