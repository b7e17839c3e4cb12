// The moderator API client. A browser signs in either with a password
// (a session cookie that JavaScript never sees, plus a CSRF token sent in
// X-CSRF-Token on every write) or with an API token kept for the tab only
// (sessionStorage) and sent as a bearer token.

const TOKEN_KEY = 'vigie.token';

const auth = {
  csrf: '',
  token: sessionStorage.getItem(TOKEN_KEY) || '',
};

/** bus carries app-wide events: "unauthenticated" when the API answers 401. */
export const bus = new EventTarget();

/** APIError is a failed API call with its status and problem details. */
export class APIError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function authHeaders(write) {
  const h = {};
  if (auth.token) h.Authorization = `Bearer ${auth.token}`;
  else if (write && auth.csrf) h['X-CSRF-Token'] = auth.csrf;
  return h;
}

/** newKey returns a random idempotency key. */
export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
}

/**
 * api calls the moderator API and returns the decoded JSON body (null for
 * 204). Errors throw an APIError; a 401 also emits "unauthenticated".
 */
export async function api(method, path, body, opts = {}) {
  const write = !['GET', 'HEAD'].includes(method);
  const headers = {Accept: 'application/json', ...authHeaders(write)};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
      keepalive: !!opts.keepalive, signal: opts.signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new APIError(0, {detail: 'network'});
  }
  if (r.status === 204) return null;
  let data = null;
  const ct = r.headers.get('Content-Type') || '';
  if (ct.includes('json')) data = await r.json().catch(() => null);
  if (!r.ok) {
    if (r.status === 401 && !opts.quiet401) bus.dispatchEvent(new CustomEvent('unauthenticated'));
    throw new APIError(r.status, data);
  }
  return data;
}

/** login opens a password session and returns the session view. */
export async function login(tenant, loginName, password) {
  const s = await api('POST', '/v1/session', {tenant, login: loginName, password}, {quiet401: true});
  auth.token = '';
  sessionStorage.removeItem(TOKEN_KEY);
  auth.csrf = s.csrf_token || '';
  return s;
}

/** useToken signs in with an API or operator token and returns the session view. */
export async function useToken(token) {
  const prev = auth.token;
  auth.token = token;
  try {
    const s = await api('GET', '/v1/session', undefined, {quiet401: true});
    sessionStorage.setItem(TOKEN_KEY, token);
    return s;
  } catch (e) {
    auth.token = prev;
    throw e;
  }
}

/** resume returns the current session, or null when there is none. */
export async function resume() {
  try {
    const s = await api('GET', '/v1/session', undefined, {quiet401: true});
    if (s.csrf_token) auth.csrf = s.csrf_token;
    return s;
  } catch (e) {
    if (e.status === 401) {
      auth.token = '';
      sessionStorage.removeItem(TOKEN_KEY);
      return null;
    }
    throw e;
  }
}

/** logout closes the session on the server (cookie) and forgets credentials. */
export async function logout() {
  try {
    await api('DELETE', '/v1/session', undefined, {quiet401: true});
  } catch {
    // The session may already be gone; forgetting it locally is what matters.
  }
  forget();
}

/** forget drops the credentials this tab holds. */
export function forget() {
  auth.token = '';
  auth.csrf = '';
  sessionStorage.removeItem(TOKEN_KEY);
}

/** enc escapes one path segment. */
export const enc = encodeURIComponent;
