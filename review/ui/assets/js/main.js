// Vigie's moderator UI: boot, session, router, top bar, keyboard dispatch,
// toasts and the shortcut help. Views live in views/*.js; each exports a
// factory returning {mount(root, params), unmount(), onKey(ev)}.

import * as API from './api.js';
import {h, clear, replace, typing, icon} from './dom.js';
import {t, pickLang, loadLang, currentLang, LANGS, duration} from './i18n.js';
import {loginView} from './views/login.js';
import {queueView} from './views/queue.js';
import {authorView} from './views/author.js';
import {statsView} from './views/stats.js';
import {moderatorsView, settingsView} from './views/admin.js';

const RANK = {moderator: 1, senior: 2, admin: 3};
const SHORTCUTS_KEY = 'vigie.shortcuts';

const app = {
  session: null,
  rank: 0,
  live: 'offline',
  queueCount: null,
  shortcuts: localStorage.getItem(SHORTCUTS_KEY) !== 'off',
  navigate,
  toast,
  announce,
  can(role) { return this.rank >= (RANK[role] || 99); },
  setQueueCount(n) { this.queueCount = n; renderCount(); },
  setLive(state) { this.live = state; renderLive(); },
  help: openHelp,
  expired: sessionEnded,
  /** queueChanged tells open views (the statistics) that the queue moved. */
  queueChanged() { window.dispatchEvent(new CustomEvent('vigie:changed')); },
};

const routes = [
  {re: /^\/$/, name: 'queue', make: () => queue},
  {re: /^\/stats$/, name: 'stats', make: () => statsView(app)},
  {re: /^\/authors\/([^/]+)$/, name: 'author', make: () => authorView(app)},
  {re: /^\/admin\/moderators$/, name: 'moderators', make: () => moderatorsView(app), role: 'admin'},
  {re: /^\/admin\/settings$/, name: 'settings', make: () => settingsView(app), role: 'admin'},
];

let queue = null; // the queue view lives for the whole session: it holds claims
let current = null; // {route, view}
let expiryTimers = [];
const main = document.getElementById('main');
const topbar = document.getElementById('topbar');

function navigate(path, opts = {}) {
  if (opts.replace) history.replaceState({}, '', path);
  else if (path !== location.pathname + location.search) history.pushState({}, '', path);
  render();
}

function unmountCurrent() {
  if (current && current.view && current.view.unmount) current.view.unmount();
  current = null;
}

function render() {
  const path = location.pathname;
  if (!app.session) {
    unmountCurrent();
    topbar.hidden = true;
    document.getElementById('app').dataset.state = 'login';
    const view = loginView(app, onLoggedIn);
    current = {route: {name: 'login'}, view};
    clear(main);
    view.mount(main);
    return;
  }
  if (path === '/login') {
    const next = new URLSearchParams(location.search).get('next');
    history.replaceState({}, '', next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    return render();
  }
  let route = routes.find((r) => r.re.test(path));
  if (!route || (route.role && !app.can(route.role))) {
    history.replaceState({}, '', '/');
    route = routes[0];
  }
  const params = (path.match(route.re) || []).slice(1).map(decodeURIComponent);
  unmountCurrent();
  clear(main);
  const view = route.make();
  current = {route, view};
  renderTopbar();
  document.getElementById('app').dataset.state = 'ready';
  document.getElementById('app').dataset.view = route.name;
  view.mount(main, params);
}

function renderTopbar() {
  topbar.hidden = false;
  const name = current && current.route ? current.route.name : '';
  const link = (href, key, routeName, extra) => h('a', {
    href, class: ['nav-link', name === routeName && 'active'], 'aria-current': name === routeName ? 'page' : null,
    'data-nav': '',
  }, t(key), extra || null);
  const nav = h('nav', {class: 'nav', 'aria-label': t('nav.label')},
    link('/', 'nav.queue', 'queue', h('span', {class: 'count', id: 'queue-count', hidden: app.queueCount === null ? true : null}, app.queueCount ?? '')),
    link('/stats', 'nav.stats', 'stats'),
    app.can('admin') ? link('/admin/moderators', 'nav.moderators', 'moderators') : null,
    app.can('admin') ? link('/admin/settings', 'nav.settings', 'settings') : null);
  const other = LANGS.find((l) => l !== currentLang());
  replace(topbar,
    h('a', {class: 'brand', href: '/', 'data-nav': '', 'aria-label': t('brand.home')},
      h('span', {class: 'brand-mark', 'aria-hidden': 'true'}), h('span', {class: 'brand-name'}, 'Vigie'),
      h('span', {class: 'brand-tenant'}, app.session.tenant)),
    nav,
    h('div', {class: 'topbar-right'},
      h('span', {class: ['live', app.live], id: 'live', role: 'status', title: t(`live.${app.live}.title`)},
        h('span', {class: 'live-dot', 'aria-hidden': 'true'}), t(`live.${app.live}`)),
      h('button', {class: 'btn ghost small', type: 'button', onclick: openHelp, 'aria-keyshortcuts': '?', title: t('help.open')},
        icon('keyboard'), h('span', {class: 'visually-hidden'}, t('help.open'))),
      h('button', {class: 'btn ghost small lang', type: 'button', lang: other, onclick: () => switchLang(other), title: t(`lang.switch.${other}`)},
        h('span', {'aria-hidden': 'true'}, other.toUpperCase()), h('span', {class: 'visually-hidden'}, t(`lang.switch.${other}`))),
      h('span', {class: 'who'}, h('span', {class: 'who-login'}, app.session.login), h('span', {class: 'role-badge'}, t(`role.${app.session.role}`))),
      h('button', {class: 'btn ghost small', type: 'button', id: 'logout', onclick: doLogout}, t('nav.logout'))));
}

function renderCount() {
  const el = document.getElementById('queue-count');
  if (!el) return;
  el.hidden = app.queueCount === null;
  el.textContent = app.queueCount === null ? '' : String(app.queueCount);
}

function renderLive() {
  const el = document.getElementById('live');
  if (!el) return;
  el.className = `live ${app.live}`;
  el.title = t(`live.${app.live}.title`);
  el.lastChild.textContent = t(`live.${app.live}`);
}

async function switchLang(l) {
  await loadLang(l, true);
  announce(t('lang.switched'));
  if (app.session) {
    renderTopbar();
    if (current && current.view && current.view.relabel) current.view.relabel();
    else render();
  } else {
    render();
  }
}

async function onLoggedIn(session) {
  startSession(session);
  render();
  main.focus();
}

function startSession(session) {
  app.session = session;
  app.rank = RANK[session.role] || 0;
  queue = queueView(app);
  scheduleExpiry(session);
}

function endSession() {
  for (const id of expiryTimers) clearTimeout(id);
  expiryTimers = [];
  unmountCurrent();
  if (queue) queue.destroy();
  queue = null;
  app.session = null;
  app.rank = 0;
  app.queueCount = null;
}

const WARN_BEFORE_MS = 5 * 60 * 1000;
let expiryToast = null;

/**
 * scheduleExpiry warns five minutes before the password session ends, in
 * every tab: each tab learns expires_at from GET /v1/session. Before warning
 * or ending, the tab asks the server again, since a sign-in in another tab
 * replaces the session cookie they share.
 */
function scheduleExpiry(session) {
  for (const id of expiryTimers) clearTimeout(id);
  expiryTimers = [];
  const exp = session && session.expires_at ? new Date(session.expires_at) : null;
  if (!exp || isNaN(exp)) return;
  const left = exp.getTime() - Date.now();
  const at = (ms, fn) => { if (ms < 2 ** 31) expiryTimers.push(setTimeout(fn, Math.max(0, ms))); };
  if (left > WARN_BEFORE_MS) {
    at(left - WARN_BEFORE_MS, () => recheck(true));
  } else if (left > 0) {
    warnExpiry(exp);
  }
  at(left, () => recheck(false));
}

function warnExpiry(exp) {
  if (expiryToast) expiryToast.remove();
  expiryToast = toast(t('session.ending', {left: duration(Math.max(0, (exp.getTime() - Date.now()) / 1000))}), {kind: 'warn', sticky: true});
  expiryToast.id = 'session-ending';
}

async function recheck(warn) {
  if (!app.session) return;
  let s = null;
  try {
    s = await API.resume();
  } catch {
    // A network failure is no proof the session ended: check again soon.
    expiryTimers.push(setTimeout(() => recheck(warn), 30 * 1000));
    return;
  }
  if (!s) return sessionEnded();
  const exp = s.expires_at ? new Date(s.expires_at) : null;
  if (warn && exp && exp.getTime() - Date.now() <= WARN_BEFORE_MS + 1000) {
    warnExpiry(exp);
    expiryTimers.push(setTimeout(() => recheck(false), Math.max(0, exp.getTime() - Date.now())));
    return;
  }
  if (expiryToast) expiryToast.remove();
  expiryToast = null;
  scheduleExpiry(s);
}

let ending = false;
function sessionEnded() {
  if (ending || !app.session) return;
  ending = true;
  endSession();
  API.forget();
  const here = location.pathname + location.search;
  history.replaceState({}, '', `/login${here !== '/' && here !== '/login' ? `?next=${encodeURIComponent(here)}` : ''}`);
  sessionStorage.setItem('vigie.flash', 'session.expired');
  render();
  ending = false;
}

async function doLogout() {
  if (queue) await queue.releaseAll();
  endSession();
  await API.logout();
  sessionStorage.setItem('vigie.flash', 'session.loggedOut');
  history.replaceState({}, '', '/login');
  render();
}

// ---------------------------------------------------------------- toasts

/** toast shows a short message; opts.action = {label, key, run} adds a button. */
function toast(message, opts = {}) {
  const box = document.getElementById('toasts');
  const el = h('div', {class: ['toast', opts.kind || 'info']},
    h('span', {class: 'toast-msg'}, message),
    opts.action ? h('button', {class: 'btn small ghost-light', type: 'button', onclick: () => { opts.action.run(); el.remove(); }},
      opts.action.label, opts.action.key ? h('kbd', {}, opts.action.key) : null) : null,
    h('button', {class: 'toast-close', type: 'button', 'aria-label': t('toast.close'), onclick: () => el.remove()}, icon('x')));
  box.append(el);
  while (box.children.length > 4) box.firstChild.remove();
  if (!opts.sticky) setTimeout(() => el.remove(), opts.kind === 'error' ? 9000 : 5000);
  return el;
}

function announce(message) {
  const el = document.getElementById('announcer');
  el.textContent = '';
  // A new text node after a tick makes screen readers read repeated messages.
  setTimeout(() => { el.textContent = message; }, 30);
}

// ---------------------------------------------------------------- help

const HELP = [
  ['j', 'help.next'], ['k', 'help.prev'], ['a', 'help.approve'], ['r', 'help.reject'],
  ['1–7', 'help.reason'], ['e', 'help.escalate'], ['b', 'help.ban'], ['u', 'help.undo'],
  ['x', 'help.select'], ['Shift X', 'help.selectAll'], ['o', 'help.author'], ['t', 'help.thread'],
  ['/', 'help.filter'], ['g q', 'help.gotoQueue'], ['g s', 'help.gotoStats'], ['?', 'help.help'], ['Esc', 'help.escape'],
];

function openHelp() {
  let dlg = document.getElementById('help');
  if (dlg) dlg.remove();
  const toggle = h('input', {type: 'checkbox', id: 'shortcuts-on', checked: app.shortcuts ? true : null,
    onchange: (e) => { app.shortcuts = e.target.checked; localStorage.setItem(SHORTCUTS_KEY, app.shortcuts ? 'on' : 'off'); }});
  dlg = h('dialog', {id: 'help', class: 'dialog help', 'aria-labelledby': 'help-title'},
    h('div', {class: 'dialog-head'},
      h('h2', {id: 'help-title'}, t('help.title')),
      h('button', {class: 'btn ghost small', type: 'button', onclick: () => dlg.close(), 'aria-label': t('dialog.close')}, icon('x'))),
    h('dl', {class: 'shortcuts'}, HELP.map(([k, key]) => [
      h('dt', {}, k.split(' ').map((p) => h('kbd', {}, p))),
      h('dd', {}, t(key))])),
    h('p', {class: 'hint'}, t('help.typing')),
    h('label', {class: 'check'}, toggle, t('help.toggle')));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
}

// ---------------------------------------------------------------- keyboard

let prefix = null; // "g" waiting for its second key
document.addEventListener('keydown', (ev) => {
  if (!app.session || ev.defaultPrevented) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (document.querySelector('dialog[open]')) {
    const dlg = document.querySelector('dialog[open]');
    if (dlg.onKey && !typing(ev) && dlg.onKey(ev)) ev.preventDefault();
    return;
  }
  if (typing(ev)) {
    if (ev.key === 'Escape') ev.target.blur();
    return;
  }
  if (!app.shortcuts && ev.key !== '?') return;
  if (prefix === 'g') {
    prefix = null;
    if (ev.key === 'q') { navigate('/'); ev.preventDefault(); return; }
    if (ev.key === 's') { navigate('/stats'); ev.preventDefault(); return; }
  }
  if (ev.key === '?') { openHelp(); ev.preventDefault(); return; }
  if (ev.key === 'g') { prefix = 'g'; setTimeout(() => { prefix = null; }, 1500); return; }
  if (current && current.view && current.view.onKey && current.view.onKey(ev)) ev.preventDefault();
});

document.addEventListener('click', (ev) => {
  const a = ev.target instanceof Element ? ev.target.closest('a[data-nav]') : null;
  if (!a || ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
  ev.preventDefault();
  navigate(a.getAttribute('href'));
});

window.addEventListener('popstate', render);
API.bus.addEventListener('unauthenticated', sessionEnded);
window.addEventListener('pagehide', () => { if (queue) queue.releaseAll(true); });

// ---------------------------------------------------------------- boot

async function boot() {
  await loadLang(pickLang(), false);
  document.querySelector('.skip-link').textContent = t('skip');
  let session = null;
  try {
    session = await API.resume();
  } catch (e) {
    replace(main, h('p', {class: 'boot error', role: 'alert'}, t('boot.failed')));
    return;
  }
  if (session) startSession(session);
  render();
}

boot();
