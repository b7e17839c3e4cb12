// The review queue: a list of comments waiting for a decision, the comment
// on screen with the spans that made the classifier flag it, its context and
// its author. Everything is reachable by keyboard (see the help dialog).
//
// Claims: the comment on screen is claimed (POST …/claim) and its lease kept
// alive; moving to another comment releases it. Decisions remove the comment
// at once and move to the next one; a failure puts it back.

import {api, enc, newKey} from '../api.js';
import {h, replace, clear, initials, icon} from '../dom.js';
import {t, ago, duration, num, pct, label, languageName, dateTime} from '../i18n.js';
import {segments, matchedText} from '../spans.js';
import {REASONS, tonesFor, toneOf, score, authorName, excerpt, signed} from '../labels.js';
import {connect} from '../events.js';
import {fetchAuthor, forgetAuthor, summary as authorSummary} from './author.js';
import {banDialog} from '../dialogs.js';

const LEASE_SECONDS = 300;
const EXTEND_EVERY_MS = 60 * 1000;
const IDLE_RELEASE_MS = 10 * 60 * 1000;
const PAGE = 100;
const WEAK_WEIGHT = 0.1;
const FILTERS = ['label', 'lang', 'rule', 'thread', 'author'];
const SORTS = ['priority', 'oldest', 'newest', 'score'];

export function queueView(app) {
  const st = {
    queue: 'pending',
    filters: Object.fromEntries(FILTERS.map((f) => [f, ''])),
    sort: 'priority',
    items: new Map(), // comment id → item view
    order: [], // comment ids in display order
    total: 0,
    loaded: false,
    error: '',
    focus: null,
    selected: new Set(),
    claims: new Map(), // id → {token, leaseUntil} held by this moderator
    claiming: new Map(), // id → pending claim promise
    busy: new Set(), // ids with a decision in flight
    inflight: new Set(), // promises of the decisions in flight, which undo waits for
    history: [], // decision groups, newest last: {decision, items: [{id, eventId, item}]}
    mode: null, // "reason" while choosing a rejection reason
    facets: {label: [], lang: [], rule: [], thread: [], author: []}, // [{value, count}] from the server
    threads: new Map(), // comment id → {page, at}: its thread context
    idle: false,
  };
  let root = null;
  let els = {};
  let refreshTimer = null;
  let loading = null;
  let reloadAgain = false;
  let lastActivity = Date.now();
  const me = () => app.session.login;

  readURL();
  const stopEvents = connect(onEvent, (s) => app.setLive(s));
  const extender = setInterval(keepLease, EXTEND_EVERY_MS);
  load();

  // ------------------------------------------------------------ data

  function queryString(extra) {
    const q = new URLSearchParams();
    for (const f of FILTERS) if (st.filters[f]) q.set(f, st.filters[f]);
    for (const [k, v] of Object.entries(extra || {})) q.set(k, v);
    return q.toString();
  }

  function readURL() {
    const q = new URLSearchParams(location.pathname === '/' ? location.search : '');
    for (const f of FILTERS) st.filters[f] = q.get(f) || '';
    if (SORTS.includes(q.get('sort'))) st.sort = q.get('sort');
    if (q.get('queue') === 'escalated' && app.can('senior')) st.queue = 'escalated';
  }

  function writeURL() {
    if (!root || location.pathname !== '/') return;
    const q = new URLSearchParams(queryString());
    if (st.sort !== 'priority') q.set('sort', st.sort);
    if (st.queue !== 'pending') q.set('queue', st.queue);
    const s = q.toString();
    history.replaceState({}, '', s ? `/?${s}` : '/');
  }

  /** loadFacets fetches the filter values present in the queue, with their counts. */
  async function loadFacets() {
    try {
      const f = await api('GET', `/v1/queue/facets?queue=${st.queue}&limit=100`);
      st.facets = {label: f.labels || [], lang: f.langs || [], rule: f.rules || [], thread: f.threads || [], author: f.authors || []};
      if (root) renderToolbar();
    } catch {
      // Facets are a convenience; the current filters stay selectable.
    }
  }

  /** load fetches the queue page and this moderator's claims, then merges them in. */
  function load() {
    if (loading) {
      reloadAgain = true;
      return loading;
    }
    loading = (async () => {
      try {
        loadFacets();
        const [page, claimed] = await Promise.all([
          api('GET', `/v1/queue?${queryString({queue: st.queue, sort: st.sort, limit: PAGE})}`),
          api('GET', `/v1/queue?${queryString({queue: 'claimed', sort: st.sort, limit: PAGE})}`),
        ]);
        const fresh = [];
        for (const it of claimed.items || []) {
          if (it.claim && it.claim.owner === me() && (it.claim.queue || 'pending') === st.queue) {
            fresh.push(it);
            if (!st.claims.has(it.comment_id) && it.claim.token) {
              st.claims.set(it.comment_id, {token: it.claim.token, leaseUntil: new Date(it.claim.lease_until)});
            }
          }
        }
        fresh.push(...(page.items || []));
        st.total = (page.total || 0) + fresh.length - (page.items || []).length;
        st.error = '';
        reconcile(fresh);
      } catch (e) {
        if (e.status !== 401) st.error = e.status === 0 ? t('error.network') : t('error.generic', {detail: e.message});
      } finally {
        st.loaded = true;
        loading = null;
        render();
        if (reloadAgain) {
          reloadAgain = false;
          load();
        }
      }
    })();
    return loading;
  }

  /**
   * reconcile merges a fresh listing (in the server's order) into the list.
   * Rows already shown keep their place, so nothing jumps under the
   * moderator's keys; new rows go where the server's order puts them,
   * after the fresh row that precedes them.
   */
  function reconcile(fresh) {
    const ids = new Set(fresh.map((it) => it.comment_id));
    const keep = (id) => ids.has(id) || st.claims.has(id) || st.claiming.has(id) || st.busy.has(id);
    st.order = st.order.filter((id) => keep(id) && !st.busy.has(id));
    let prev = -1;
    for (const it of fresh) {
      const id = it.comment_id;
      if (st.busy.has(id)) continue;
      st.items.set(id, it);
      let i = st.order.indexOf(id);
      if (i < 0) {
        i = prev + 1;
        st.order.splice(i, 0, id);
      }
      prev = i;
    }
    for (const id of [...st.items.keys()]) if (!st.order.includes(id)) st.items.delete(id);
    for (const id of [...st.selected]) if (!st.items.has(id)) st.selected.delete(id);
    if (!st.focus || !st.items.has(st.focus)) setFocus(st.order[0] || null, {render: false});
    app.setQueueCount(st.total);
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(load, 400);
  }

  async function refreshItem(id) {
    try {
      const it = await api('GET', `/v1/items/${enc(id)}`);
      if (!st.items.has(id)) return;
      st.items.set(id, it);
      if (st.focus === id) {
        app.toast(t('queue.edited'), {kind: 'warn'});
        renderDetail();
      }
      renderList();
    } catch {
      scheduleRefresh();
    }
  }

  // ------------------------------------------------------------ live events

  function onEvent(type, d) {
    const id = d.comment_id;
    const ours = st.claims.has(id) || st.claiming.has(id) || st.busy.has(id);
    if (type === 'claimed' || type === 'decided') {
      if (st.items.has(id) && !ours) takenAway(id, type, d.moderator);
      if (type === 'decided') app.queueChanged();
      if (type === 'decided') scheduleRefresh();
      return;
    }
    if (type === 'edited') {
      if (st.items.has(id)) refreshItem(id);
      return;
    }
    // admitted, released, undone: something may have (re)entered the queue.
    app.queueChanged();
    scheduleRefresh();
  }

  /** takenAway drops a comment another moderator (named by the event, when known) claimed or decided. */
  function takenAway(id, why, who) {
    const wasFocus = st.focus === id;
    removeFromList(id);
    st.total = Math.max(0, st.total - 1);
    app.setQueueCount(st.total);
    if (wasFocus) {
      const key = why === 'decided' ? 'queue.decidedElsewhere' : 'queue.claimedElsewhere';
      app.toast(who ? t(`${key}By`, {name: who === 'vigie:auto' ? t('queue.auto') : who}) : t(key), {kind: 'warn'});
    }
    render();
  }

  // ------------------------------------------------------------ claims

  function claim(id) {
    if (!id || st.claims.has(id)) return Promise.resolve();
    if (st.claiming.has(id)) return st.claiming.get(id);
    const p = (async () => {
      try {
        const res = await api('POST', `/v1/items/${enc(id)}/claim`, {lease_seconds: LEASE_SECONDS});
        st.claims.set(id, {token: res.token, leaseUntil: new Date(res.lease_until)});
        if (res.item && res.item.comment_id && st.items.has(id)) st.items.set(id, res.item);
        st.claiming.delete(id);
        if (st.focus !== id && !st.busy.has(id)) release(id);
      } catch (e) {
        st.claiming.delete(id);
        if ([404, 409, 412].includes(e.status) && st.items.has(id) && !st.busy.has(id)) takenAway(id, e.status === 409 ? 'claimed' : 'decided');
        else if (e.status && e.status !== 401 && st.items.has(id)) app.toast(t('error.generic', {detail: e.message}), {kind: 'error'});
      }
      if (st.focus === id) renderClaim();
    })();
    st.claiming.set(id, p);
    if (st.focus === id) renderClaim();
    return p;
  }

  function release(id, keepalive) {
    const c = st.claims.get(id);
    if (!c) return Promise.resolve();
    st.claims.delete(id);
    return api('POST', `/v1/items/${enc(id)}/release`, {token: c.token}, {keepalive}).catch(() => {});
  }

  async function keepLease() {
    const id = st.focus;
    if (!id || !st.claims.has(id)) return;
    if (Date.now() - lastActivity > IDLE_RELEASE_MS) {
      st.idle = true;
      await release(id);
      renderClaim();
      return;
    }
    const c = st.claims.get(id);
    try {
      const res = await api('POST', `/v1/items/${enc(id)}/extend`, {token: c.token, lease_seconds: LEASE_SECONDS});
      c.leaseUntil = new Date(res.lease_until);
    } catch (e) {
      if (e.status === 409 || e.status === 404) {
        st.claims.delete(id);
        claim(id);
      }
    }
  }

  // ------------------------------------------------------------ focus and selection

  function setFocus(id, opts = {}) {
    const prev = st.focus;
    st.focus = id;
    st.mode = null;
    if (prev && prev !== id && st.claims.has(prev) && !st.busy.has(prev)) release(prev);
    if (id && opts.claim !== false) claim(id);
    if (opts.render !== false) {
      renderList();
      renderDetail();
      scrollIntoView();
    }
  }

  function move(delta) {
    if (!st.order.length) return;
    const i = st.order.indexOf(st.focus);
    const next = Math.min(st.order.length - 1, Math.max(0, (i < 0 ? 0 : i + delta)));
    if (st.order[next] !== st.focus) setFocus(st.order[next]);
  }

  function scrollIntoView() {
    if (!root || !st.focus) return;
    const row = root.querySelector(`.qrow[data-id="${CSS.escape(st.focus)}"]`);
    if (row) row.scrollIntoView({block: 'nearest'});
    if (els.detail) els.detail.scrollTop = 0;
  }

  function toggleSelect(id) {
    if (!id) return;
    if (st.selected.has(id)) st.selected.delete(id);
    else st.selected.add(id);
    renderList();
    renderActions();
    app.announce(t('queue.selectedCount', {n: st.selected.size}));
  }

  function selectAll() {
    if (st.selected.size === st.order.length) st.selected.clear();
    else st.order.forEach((id) => st.selected.add(id));
    renderList();
    renderActions();
    app.announce(t('queue.selectedCount', {n: st.selected.size}));
  }

  function removeFromList(id) {
    const i = st.order.indexOf(id);
    if (i >= 0) st.order.splice(i, 1);
    st.selected.delete(id);
    st.items.delete(id);
    if (st.focus === id) {
      st.focus = null;
      const next = st.order[Math.min(i, st.order.length - 1)] || null;
      setFocus(next, {render: false});
    }
  }

  function insertAt(index, it) {
    st.items.set(it.comment_id, it);
    if (!st.order.includes(it.comment_id)) st.order.splice(Math.max(0, Math.min(index, st.order.length)), 0, it.comment_id);
  }

  // ------------------------------------------------------------ decisions

  /** decide applies a decision to the selection, or to the comment on screen. */
  function decide(decision, reason) {
    st.mode = null;
    let p = null;
    if (st.selected.size) p = decideBulk([...st.selected], decision, reason);
    else if (st.focus) p = decideOne(st.focus, decision, reason);
    if (!p) return Promise.resolve();
    st.inflight.add(p);
    return p.finally(() => st.inflight.delete(p));
  }

  async function decideOne(id, decision, reason) {
    if (st.busy.has(id) || !st.items.has(id)) return;
    const item = st.items.get(id);
    const index = st.order.indexOf(id);
    st.busy.add(id);
    removeFromList(id);
    st.total = Math.max(0, st.total - 1);
    app.setQueueCount(st.total);
    render();
    scrollIntoView();
    try {
      const pending = st.claiming.get(id);
      if (pending) await pending;
      const c = st.claims.get(id);
      const body = {decision};
      if (reason) body.reason = reason;
      if (c) body.token = c.token;
      const res = await api('POST', `/v1/items/${enc(id)}/decision`, body, {idempotencyKey: newKey()});
      st.history.push({decision, reason, items: [{id, eventId: res.event_id, item}]});
      const msg = t(`done.${decision}`, {name: authorName(item), reason: reason ? label('reason', reason) : ''});
      app.toast(msg, {kind: 'ok', action: {label: t('action.undo'), key: 'u', run: undo}});
      app.announce(msg);
      forgetAuthor(item.comment.author.id);
      app.queueChanged();
    } catch (e) {
      if (e.status === 409 || e.status === 404 || e.status === 412) {
        app.toast(t('queue.decisionConflict', {detail: e.message}), {kind: 'warn'});
      } else if (e.status !== 401) {
        insertAt(index, item);
        st.total += 1;
        app.setQueueCount(st.total);
        app.toast(t('queue.decisionFailed', {detail: e.message}), {kind: 'error'});
      }
    } finally {
      st.claims.delete(id);
      st.busy.delete(id);
      render();
    }
  }

  async function decideBulk(ids, decision, reason) {
    const items = new Map(ids.map((id) => [id, st.items.get(id)]));
    const first = Math.min(...ids.map((id) => st.order.indexOf(id)).filter((i) => i >= 0));
    for (const id of ids) {
      st.busy.add(id);
      removeFromList(id);
    }
    st.selected.clear();
    st.total = Math.max(0, st.total - ids.length);
    app.setQueueCount(st.total);
    render();
    try {
      const body = {comment_ids: ids, decision};
      if (reason) body.reason = reason;
      const res = await api('POST', '/v1/queue/decisions', body);
      const ok = (res.results || []).filter((r) => r.http_status === 200);
      const failed = (res.results || []).filter((r) => r.http_status !== 200);
      st.history.push({decision, reason, items: ok.map((r) => ({id: r.comment_id, eventId: r.event_id, item: items.get(r.comment_id)}))});
      const msg = t(`bulk.${decision}`, {n: ok.length});
      app.toast(msg, {kind: 'ok', action: {label: t('action.undo'), key: 'u', run: undo}});
      app.announce(msg);
      if (failed.length) {
        app.toast(t('bulk.failed', {n: failed.length, detail: failed[0].error || ''}), {kind: 'warn'});
        scheduleRefresh();
      }
      app.queueChanged();
    } catch (e) {
      if (e.status !== 401) {
        let k = Number.isFinite(first) ? first : 0;
        for (const id of ids) insertAt(k++, items.get(id));
        st.total += ids.length;
        app.setQueueCount(st.total);
        app.toast(t('queue.decisionFailed', {detail: e.message}), {kind: 'error'});
      }
    } finally {
      for (const id of ids) {
        st.busy.delete(id);
        st.claims.delete(id);
      }
      render();
    }
  }

  /** undo reverses this moderator's latest decision (or bulk decision) and brings the comments back. */
  async function undo() {
    // A decision still on its way is the one to undo: wait for it.
    if (st.inflight.size) await Promise.allSettled([...st.inflight]);
    const last = st.history.pop();
    if (!last) {
      app.toast(t('undo.nothing'), {kind: 'info'});
      return;
    }
    const back = [];
    for (const x of last.items) {
      try {
        await api('POST', `/v1/items/${enc(x.id)}/undo`, {event_id: x.eventId}, {idempotencyKey: newKey()});
        back.push(x);
      } catch (e) {
        app.toast(t('undo.failed', {detail: e.message}), {kind: 'error'});
      }
    }
    if (!back.length) return;
    const at = Math.max(0, st.order.indexOf(st.focus));
    let k = at;
    for (const x of back) {
      let it = x.item;
      try {
        it = await api('GET', `/v1/items/${enc(x.id)}`);
      } catch {
        // Show what we had; the next refresh corrects it.
      }
      if (it.status === 'pending' || it.status === 'claimed' || (it.status === 'escalated' && st.queue === 'escalated')) insertAt(k++, it);
    }
    st.total += back.length;
    app.setQueueCount(st.total);
    const msg = t('undo.done', {n: back.length});
    app.toast(msg, {kind: 'ok'});
    app.announce(msg);
    forgetAuthor(back[0].item.comment.author.id);
    setFocus(back[0].id);
    render();
  }

  function ban() {
    const it = st.items.get(st.focus);
    if (!it) return;
    if (!app.can('senior')) {
      app.toast(t('ban.needSenior'), {kind: 'warn'});
      return;
    }
    const a = it.comment.author;
    const mine = st.order.filter((id) => st.items.get(id).comment.author.id === a.id);
    fetchAuthor(a.id).catch(() => null).then((data) => {
      banDialog(app, {id: a.id, name: a.name || a.id, undecided: data ? data.undecided : mine.length}, (res) => {
        const ok = (res.results || []).filter((r) => r.http_status === 200);
        for (const r of ok) {
          if (st.items.has(r.comment_id)) {
            removeFromList(r.comment_id);
            st.total = Math.max(0, st.total - 1);
          }
          st.claims.delete(r.comment_id);
        }
        forgetAuthor(a.id);
        app.setQueueCount(st.total);
        const msg = t('ban.done', {name: a.name || a.id, n: ok.length});
        app.toast(msg, {kind: 'ok'});
        app.announce(msg);
        app.queueChanged();
        render();
        scrollIntoView();
      });
    });
  }

  // ------------------------------------------------------------ rendering

  function render() {
    if (!root) return;
    renderList();
    renderDetail();
  }

  function renderToolbar() {
    // Each filter lists the values present in the queue, most frequent
    // first, with how many comments each selects (GET /v1/queue/facets).
    const withCurrent = (name) => {
      const values = st.facets[name].slice();
      const cur = st.filters[name];
      if (cur && !values.some((f) => f.value === cur)) values.push({value: cur, count: 0});
      return values;
    };
    const select = (name, fmt) => {
      const id = `filter-${name}`;
      const cur = st.filters[name];
      return h('div', {class: 'field inline'},
        h('label', {for: id}, t(`filter.${name}`)),
        h('select', {id, onchange: (e) => setFilter(name, e.target.value)},
          h('option', {value: ''}, t('filter.any')),
          withCurrent(name).map((f) => h('option', {value: f.value, selected: f.value === cur ? true : null},
            t('filter.option', {value: fmt(f.value), n: f.count})))));
    };
    const active = FILTERS.some((f) => st.filters[f]);
    replace(els.toolbar,
      app.can('senior') ? h('div', {class: 'segmented', role: 'group', 'aria-label': t('filter.queue')},
        ['pending', 'escalated'].map((q) => h('button', {type: 'button', class: ['seg-btn', st.queue === q && 'active'], 'aria-pressed': String(st.queue === q), onclick: () => setQueue(q)}, t(`queue.${q}`)))) : null,
      select('label', (v) => label('label', v)),
      select('lang', (v) => languageName(v)),
      select('rule', (v) => v),
      select('thread', (v) => v),
      h('div', {class: 'field inline'},
        h('label', {for: 'filter-author'}, t('filter.author')),
        h('input', {id: 'filter-author', type: 'search', value: st.filters.author, placeholder: t('filter.authorPlaceholder'), spellcheck: 'false', autocomplete: 'off',
          list: 'author-options', onchange: (e) => setFilter('author', e.target.value.trim())}),
        h('datalist', {id: 'author-options'}, withCurrent('author').map((f) => h('option', {value: f.value}, t('filter.option', {value: f.value, n: f.count}))))),
      active ? h('button', {type: 'button', class: 'btn ghost small', onclick: clearFilters}, icon('x'), t('filter.clear')) : null,
      h('div', {class: 'toolbar-spacer'}),
      h('div', {class: 'field inline'},
        h('label', {for: 'sort'}, t('sort.label')),
        h('select', {id: 'sort', onchange: (e) => setSort(e.target.value)},
          SORTS.map((s) => h('option', {value: s, selected: s === st.sort ? true : null}, t(`sort.${s}`))))));
  }

  /** setSort asks the server for the queue in another order. */
  function setSort(sort) {
    if (!SORTS.includes(sort) || sort === st.sort) return;
    st.sort = sort;
    st.order = [];
    writeURL();
    renderToolbar();
    load();
  }

  function setFilter(name, value) {
    st.filters[name] = value;
    writeURL();
    renderToolbar();
    load();
  }

  function clearFilters() {
    for (const f of FILTERS) st.filters[f] = '';
    writeURL();
    renderToolbar();
    load();
  }

  function setQueue(q) {
    if (st.queue === q) return;
    st.queue = q;
    if (st.focus && st.claims.has(st.focus)) release(st.focus);
    st.focus = null;
    st.order = [];
    st.items.clear();
    st.selected.clear();
    st.history = [];
    writeURL();
    renderToolbar();
    load();
  }

  function renderList() {
    if (!root) return;
    const shown = st.order.length;
    replace(els.listHead,
      h('span', {class: 'list-count', id: 'list-count', 'data-count': String(shown), 'data-inflight': String(st.busy.size)},
        st.total > shown ? t('queue.showing', {shown, total: st.total}) : t('queue.count', {n: shown})),
      st.selected.size ? h('span', {class: 'pill sel'}, t('queue.selectedCount', {n: st.selected.size})) : null);
    clear(els.list);
    for (const id of st.order) {
      const it = st.items.get(id);
      const v = it.verdict || {};
      const focused = id === st.focus;
      const sel = st.selected.has(id);
      const row = h('li', {class: ['qrow', focused && 'focused', sel && 'selected'], 'data-id': id, 'aria-current': focused ? 'true' : null},
        h('input', {type: 'checkbox', class: 'qcheck', checked: sel ? true : null, 'aria-label': t('queue.selectOne', {name: authorName(it)}),
          onchange: () => toggleSelect(id)}),
        h('button', {type: 'button', class: 'qrow-body', onclick: () => setFocus(id)},
          h('span', {class: 'qrow-top'},
            h('span', {class: 'qrow-author'}, authorName(it)),
            h('span', {class: 'qrow-age'}, duration((Date.now() - new Date(it.enqueued_at).getTime()) / 1000))),
          h('span', {class: 'qrow-text'}, excerpt(it.comment && it.comment.text, 110)),
          h('span', {class: 'qrow-tags'},
            h('span', {class: ['action-dot', `act-${v.action}`], title: t(`verdict.${v.action}`)}),
            (v.labels || []).slice(0, 2).map((l) => h('span', {class: ['chip', 'small', `tone-${toneOf(l)}`]}, label('label', l))),
            (v.labels || []).length > 2 ? h('span', {class: 'chip small'}, `+${v.labels.length - 2}`) : null,
            h('span', {class: 'qrow-score'}, pct(score(it))))));
      els.list.append(row);
    }
  }

  function renderClaim() {
    if (!root || !els.claim) return;
    const id = st.focus;
    let state = 'none';
    let text = '';
    if (id && st.claims.has(id)) {
      state = 'mine';
      text = t('claim.mine');
    } else if (id && st.claiming.has(id)) {
      state = 'claiming';
      text = t('claim.claiming');
    } else if (id && st.idle) {
      state = 'idle';
      text = t('claim.idle');
    }
    els.claim.dataset.claim = state;
    replace(els.claim, state === 'none' ? '' : [h('span', {class: 'claim-dot', 'aria-hidden': 'true'}), text]);
    if (els.detail) els.detail.dataset.claim = state;
  }

  function renderDetail() {
    if (!root) return;
    const id = st.focus;
    const it = id && st.items.get(id);
    els.detail.dataset.commentId = id || '';
    if (!it) {
      replace(els.detail, st.error
        ? h('div', {class: 'empty'}, h('p', {class: 'notice error', role: 'alert'}, st.error), h('button', {type: 'button', class: 'btn', onclick: load}, t('action.retry')))
        : !st.loaded ? h('div', {class: 'empty'}, h('p', {class: 'muted', role: 'status'}, t('loading')))
          : h('div', {class: 'empty', id: 'queue-empty'}, h('span', {class: 'empty-icon'}, icon('inbox')),
            h('h2', {}, FILTERS.some((f) => st.filters[f]) ? t('queue.emptyFiltered') : t('queue.empty')),
            h('p', {class: 'muted'}, t('queue.emptyHint'))));
      replace(els.aside);
      els.detail.dataset.claim = 'none';
      renderActions();
      return;
    }
    const c = it.comment;
    const v = it.verdict || {matches: [], labels: [], scores: {}};
    // A signal about the whole comment (a burst of posts, a duplicate)
    // covers every byte: it is explained in the table, not highlighted.
    const bytes = new TextEncoder().encode(c.text).length;
    const matches = (v.matches || []).map((m) => (m.start <= 0 && m.end >= bytes ? {...m, start: 0, end: 0} : m));
    const tones = tonesFor([...matches].sort((a, b) => b.weight - a.weight).map((m) => m.label));
    els.claim = h('span', {class: 'claim', id: 'claim-state', role: 'status'});

    // Header: verdict, labels, scores.
    const head = h('div', {class: 'detail-head'},
      h('div', {class: 'detail-title'},
        h('span', {class: ['verdict', `act-${v.action}`]}, t(`verdict.${v.action}`)),
        (v.labels || []).map((l) => h('span', {class: ['chip', `tone-${tones.get(l) || toneOf(l)}`]}, label('label', l))),
        it.edited ? h('span', {class: 'chip warn'}, t('queue.editedBadge')) : null,
        it.queued_for === 'premoderation' ? h('span', {class: 'chip'}, t('queue.premoderation')) : null,
        els.claim),
      h('div', {class: 'scores'},
        ['spam', 'troll'].map((k) => {
          const val = (v.scores && v.scores[k]) || 0;
          const bar = h('span', {class: 'score-fill'});
          bar.style.width = `${Math.round(Math.min(1, val) * 100)}%`;
          return h('div', {class: ['score', val >= 0.9 ? 'high' : val >= 0.5 ? 'mid' : 'low']},
            h('span', {class: 'score-k'}, t(`score.${k}`)),
            h('span', {class: 'score-bar', role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '1', 'aria-valuenow': val.toFixed(2), 'aria-label': t(`score.${k}`)}, bar),
            h('span', {class: 'score-v'}, num(val, {minimumFractionDigits: 2, maximumFractionDigits: 2})));
        })));

    // The comment itself, with the matched spans highlighted.
    const text = h('p', {class: 'comment-text', id: 'comment-text', lang: (v.language && v.language.code) || null});
    for (const seg of segments(c.text, matches)) {
      if (!seg.matches.length) {
        text.append(seg.text);
        continue;
      }
      const top = seg.matches.map((i) => matches[i]).reduce((a, b) => (b.weight > a.weight ? b : a));
      // A match worth little (a quoted or reported word) is underlined only.
      // A guard (the word is quoted or reported) takes most of the weight
      // back: such a span is dashed, and one worth little is underlined only.
      const net = seg.matches.reduce((sum, i) => sum + matches[i].weight, 0);
      const weak = net < WEAK_WEIGHT;
      const guard = seg.matches.some((i) => matches[i].weight < 0);
      text.append(h('mark', {class: ['hl', `tone-${tones.get(top.label)}`, seg.matches.length > 1 && 'multi', weak && 'weak', guard && 'guard'], 'data-matches': seg.matches.join(' ')}, seg.text));
    }
    const a = c.author || {};
    const comment = h('section', {class: 'comment', 'aria-label': t('queue.comment')},
      h('div', {class: 'comment-by'},
        h('span', {class: 'avatar small', 'aria-hidden': 'true'}, initials(a.name || a.id)),
        h('span', {class: 'comment-author'}, a.name || a.id),
        a.name ? h('span', {class: 'muted mono small'}, a.id) : null,
        h('span', {class: 'muted small'}, '· ', h('time', {datetime: c.created_at, title: dateTime(c.created_at)}, ago(c.created_at)))),
      text);

    // Why: one row per match.
    const sorted = matches.map((m, i) => ({m, i})).sort((x, y) => y.m.weight - x.m.weight);
    const why = h('section', {class: 'why', 'aria-labelledby': 'why-title'},
      h('h3', {id: 'why-title', class: 'section-title'}, t('why.title')),
      matches.length ? h('table', {class: 'why-table'},
        h('thead', {}, h('tr', {},
          h('th', {scope: 'col'}, t('why.span')), h('th', {scope: 'col'}, t('why.rule')),
          h('th', {scope: 'col'}, t('why.label')), h('th', {scope: 'col', class: 'num'}, t('why.weight')))),
        h('tbody', {}, sorted.map(({m, i}) => {
          const span = matchedText(c.text, m);
          return h('tr', {class: 'why-row', tabindex: '0', 'data-match': String(i)},
            h('td', {}, h('span', {class: ['swatch', `tone-${tones.get(m.label)}`], 'aria-hidden': 'true'}),
              span ? h('q', {class: 'why-span'}, span) : h('span', {class: 'muted'}, t('why.whole'))),
            h('td', {class: 'mono'}, m.rule),
            h('td', {}, label('label', m.label)),
            h('td', {class: ['num', 'mono', m.weight < 0 && 'neg']}, signed(m.weight, (x) => num(x, {minimumFractionDigits: 2, maximumFractionDigits: 2}))));
        }))) : h('p', {class: 'muted'}, it.queued_for === 'premoderation' ? t('why.premoderation') : t('why.none')),
      h('p', {class: 'meta-line muted small'},
        h('span', {}, icon('globe'), ' ', languageName(v.language && v.language.code),
          v.language && v.language.confidence ? ` · ${pct(v.language.confidence)}` : '',
          v.language && v.language.source && v.language.source !== 'detected' ? ` · ${t(`lang.source.${v.language.source}`)}` : ''),
        h('span', {}, icon('clock'), ' ', t('queue.waiting', {age: duration((Date.now() - new Date(it.enqueued_at).getTime()) / 1000)})),
        v.ruleset ? h('span', {class: 'mono'}, t('queue.ruleset', {ruleset: String(v.ruleset).slice(0, 12)})) : null,
        h('span', {class: 'mono'}, id)));

    // Context: thread and parent comment.
    const context = h('section', {class: 'context', 'aria-labelledby': 'ctx-title', id: 'context'},
      h('h3', {id: 'ctx-title', class: 'section-title'}, t('context.title')),
      h('div', {class: 'thread-line'},
        h('span', {class: 'muted'}, t('context.thread')),
        h('strong', {class: 'mono'}, c.thread_id),
        c.url ? h('a', {href: c.url, target: '_blank', rel: 'noopener noreferrer', class: 'ext'}, t('context.open'), icon('external')) : null,
        h('button', {type: 'button', class: 'btn ghost small', onclick: () => setFilter('thread', st.filters.thread === c.thread_id ? '' : c.thread_id), 'aria-keyshortcuts': 't'},
          icon('filter'), st.filters.thread === c.thread_id ? t('context.unfilter') : t('context.filter'), h('kbd', {}, 't'))),
      h('div', {id: 'parent'}),
      h('div', {id: 'thread-around'}));

    const body = h('div', {class: 'detail-body'}, head, comment, why, context);
    replace(els.detail, body, els.actions);
    els.detail.dataset.commentId = id;
    renderClaim();
    renderActions();
    renderContext(it);
    renderAuthor(it);
  }

  /**
   * renderContext shows the comment's parent and its neighbours in the
   * thread, from the record Vigie keeps of every comment (GET
   * /v1/threads/{thread_id}/comments), flagged or not. Comments still
   * waiting in this queue can be opened from there.
   */
  function renderContext(it) {
    const c = it.comment;
    const id = it.comment_id;
    const show = (page) => {
      if (st.focus !== id || !root) return;
      const parentBox = root.querySelector('#parent');
      const aroundBox = root.querySelector('#thread-around');
      if (!parentBox || !aroundBox) return;
      if (c.parent_id) {
        const p = page ? page.parent : null;
        const known = p || (st.items.get(c.parent_id) && threadRecord(st.items.get(c.parent_id)));
        replace(parentBox, h('div', {class: 'parent'},
          h('p', {class: 'muted small'}, icon('reply'), ' ', t('context.replyTo', {name: known ? (known.author.name || known.author.id) : c.parent_id})),
          known ? h('blockquote', {class: 'parent-text', 'data-comment-id': known.comment_id}, excerpt(known.text, 400))
            : h('p', {class: 'muted small'}, page ? t('context.parentUnknown') : t('loading'))));
      }
      if (!page || page.comments.length < 2) {
        replace(aroundBox);
        return;
      }
      replace(aroundBox,
        h('h4', {class: 'context-sub muted small', id: 'around-title'}, t('context.around')),
        h('ol', {class: 'thread-around', 'aria-labelledby': 'around-title'}, page.comments.map((x) => {
          const self = x.comment_id === id;
          const waiting = !self && st.items.has(x.comment_id);
          const who = h('strong', {}, x.author.name || x.author.id);
          const body = [who, ' ', h('time', {class: 'muted small', datetime: x.created_at, title: dateTime(x.created_at)}, ago(x.created_at)),
            x.status && !self ? h('span', {class: ['chip', 'small', `status-${x.status}`]}, t(`status.${x.status}`)) : null,
            self ? h('span', {class: 'chip small self'}, t('context.thisComment')) : null,
            h('span', {class: 'around-text'}, excerpt(x.text, 140))];
          return h('li', {class: ['around-row', self && 'self', x.comment_id === c.parent_id && 'is-parent'], 'data-comment-id': x.comment_id},
            waiting ? h('button', {type: 'button', class: 'link-like', onclick: () => setFocus(x.comment_id)}, body) : body);
        })));
    };
    const cached = st.threads.get(id);
    if (cached && Date.now() - cached.at < 30 * 1000) {
      show(cached.page);
      return;
    }
    show(null);
    api('GET', `/v1/threads/${enc(c.thread_id)}/comments?around=${enc(id)}&limit=7`).then((page) => {
      st.threads.set(id, {page, at: Date.now()});
      show(page);
    }, () => show({comments: [], parent: null}));
  }

  /** threadRecord presents a queue item like a thread record. */
  function threadRecord(item) {
    const c = item.comment;
    return {comment_id: item.comment_id, author: c.author, text: c.text, created_at: c.created_at};
  }

  async function renderAuthor(it) {
    const a = it.comment.author;
    replace(els.aside, authorSummary(null, a, {onOpen: true}));
    try {
      const data = await fetchAuthor(a.id, {recent: 6});
      if (st.focus === it.comment_id && root) replace(els.aside, authorSummary(data, a, {onOpen: true}));
    } catch {
      // The summary without history still shows who wrote the comment.
    }
  }

  function renderActions() {
    if (!root) return;
    const n = st.selected.size;
    const has = !!st.focus || n > 0;
    const btn = (cls, key, text, onclick, ic, extra = {}) => h('button', {type: 'button', class: ['btn', cls], onclick, disabled: has ? null : true, 'aria-keyshortcuts': key, ...extra},
      ic ? icon(ic) : null, text, h('kbd', {}, key));
    if (st.mode === 'reason') {
      replace(els.actions,
        h('div', {class: 'reason-picker', role: 'group', 'aria-labelledby': 'reason-title'},
          h('span', {class: 'reason-title', id: 'reason-title'}, n ? t('reason.titleMany', {n}) : t('reason.title')),
          REASONS.map((r, i) => h('button', {type: 'button', class: 'btn reason', 'data-reason': r, onclick: () => decide('reject', r), 'aria-keyshortcuts': String(i + 1)},
            h('kbd', {}, String(i + 1)), label('reason', r))),
          h('button', {type: 'button', class: 'btn ghost', onclick: () => { st.mode = null; renderActions(); }}, t('action.cancel'), h('kbd', {}, 'Esc'))));
      const first = els.actions.querySelector('.reason');
      if (first && els.actions.contains(document.activeElement)) first.focus();
      return;
    }
    replace(els.actions,
      n ? h('p', {class: 'bulk-note', role: 'status'}, t('bulk.note', {n}), h('button', {type: 'button', class: 'btn link small', onclick: () => { st.selected.clear(); render(); }}, t('bulk.clear'))) : null,
      h('div', {class: 'action-row'},
        btn('approve', 'a', n ? t('action.approveN', {n}) : t('action.approve'), () => decide('approve'), 'check'),
        btn('reject', 'r', n ? t('action.rejectN', {n}) : t('action.reject'), () => { st.mode = 'reason'; renderActions(); }, 'x'),
        btn('escalate', 'e', n ? t('action.escalateN', {n}) : t('action.escalate'), () => decide('escalate'), 'up',
          st.queue === 'escalated' ? {disabled: true} : {}),
        h('span', {class: 'action-gap'}),
        app.can('senior') && !n ? btn('ban', 'b', t('action.ban'), ban, 'ban') : null,
        h('button', {type: 'button', class: 'btn ghost', onclick: undo, disabled: st.history.length ? null : true, 'aria-keyshortcuts': 'u'},
          icon('undo'), t('action.undo'), h('kbd', {}, 'u'))),
      h('p', {class: 'key-hints muted small'},
        h('kbd', {}, 'j'), h('kbd', {}, 'k'), ` ${t('hint.move')} · `, h('kbd', {}, 'x'), ` ${t('hint.select')} · `, h('kbd', {}, '?'), ` ${t('hint.help')}`));
  }

  // ------------------------------------------------------------ span hover

  const tooltip = document.getElementById('tooltip');
  function showTip(target, idxs) {
    const it = st.items.get(st.focus);
    if (!it || !idxs.length) return;
    const ms = idxs.map((i) => it.verdict.matches[i]).filter(Boolean);
    replace(tooltip, ms.map((m) => h('div', {class: 'tip-row'},
      h('strong', {class: 'mono'}, m.rule), ' ', label('label', m.label), ' ',
      h('span', {class: 'tip-w'}, signed(m.weight, (x) => num(x, {minimumFractionDigits: 2, maximumFractionDigits: 2}))))));
    tooltip.hidden = false;
    const r = target.getBoundingClientRect();
    const tw = tooltip.offsetWidth;
    tooltip.style.left = `${Math.max(8, Math.min(window.innerWidth - tw - 8, r.left + r.width / 2 - tw / 2))}px`;
    const above = r.top - tooltip.offsetHeight - 8;
    tooltip.style.top = `${(above > 60 ? above : r.bottom + 8) + window.scrollY}px`;
  }
  function hideTip() { tooltip.hidden = true; }
  function highlight(idxs, on) {
    if (!root) return;
    for (const mark of root.querySelectorAll('mark.hl')) {
      const mine = mark.dataset.matches.split(' ').some((x) => idxs.includes(x));
      mark.classList.toggle('active', on && mine);
    }
    for (const row of root.querySelectorAll('.why-row')) row.classList.toggle('active', on && idxs.includes(row.dataset.match));
  }
  function onHover(ev) {
    const mark = ev.target.closest && ev.target.closest('mark.hl');
    const row = ev.target.closest && ev.target.closest('.why-row');
    if (mark) {
      const idxs = mark.dataset.matches.split(' ');
      highlight(idxs, true);
      showTip(mark, idxs.map(Number));
    } else if (row) {
      highlight([row.dataset.match], true);
      const mk = [...root.querySelectorAll('mark.hl')].find((m) => m.dataset.matches.split(' ').includes(row.dataset.match));
      if (mk) showTip(mk, [Number(row.dataset.match)]);
    } else {
      highlight([], false);
      hideTip();
    }
  }

  // ------------------------------------------------------------ keys

  function onKey(ev) {
    lastActivity = Date.now();
    if (st.idle) {
      st.idle = false;
      if (st.focus) claim(st.focus);
    }
    const k = ev.key;
    if (st.mode === 'reason') {
      const n = Number(k);
      if (n >= 1 && n <= REASONS.length) { decide('reject', REASONS[n - 1]); return true; }
      if (k === 'Escape' || k === 'r') { st.mode = null; renderActions(); return true; }
      return k.length === 1;
    }
    switch (k) {
      case 'j': case 'ArrowDown': move(1); return true;
      case 'k': case 'ArrowUp': move(-1); return true;
      case 'a': decide('approve'); return true;
      case 'r':
        if (st.focus || st.selected.size) { st.mode = 'reason'; renderActions(); }
        return true;
      case 'e': if (st.queue !== 'escalated') decide('escalate'); return true;
      case 'b': if (!st.selected.size) ban(); return true;
      case 'u': undo(); return true;
      case 'x': toggleSelect(st.focus); return true;
      case 'X': selectAll(); return true;
      case 'o': {
        const it = st.items.get(st.focus);
        if (it) app.navigate(`/authors/${enc(it.comment.author.id)}`);
        return true;
      }
      case 't': {
        const it = st.items.get(st.focus);
        if (it) setFilter('thread', st.filters.thread === it.comment.thread_id ? '' : it.comment.thread_id);
        return true;
      }
      case '/': {
        const f = root.querySelector('#filter-label');
        if (f) f.focus();
        return true;
      }
      case 'Escape':
        if (st.selected.size) { st.selected.clear(); render(); return true; }
        return false;
      default:
        return false;
    }
  }

  // ------------------------------------------------------------ lifecycle

  return {
    mount(el) {
      root = el;
      readURL();
      writeURL();
      els.toolbar = h('div', {class: 'toolbar', role: 'search', 'aria-label': t('filter.title')});
      els.listHead = h('div', {class: 'list-head'});
      els.list = h('ol', {class: 'qlist', id: 'queue-list'});
      els.detail = h('article', {class: 'detail', id: 'item', 'aria-live': 'off', 'aria-label': t('queue.detail')});
      els.actions = h('div', {class: 'actions', id: 'actions'});
      els.aside = h('aside', {class: 'author-side', id: 'author-side', 'aria-label': t('author.title')});
      replace(root, h('section', {class: 'queue-view', 'aria-label': t('nav.queue')},
        h('h1', {class: 'visually-hidden'}, t('nav.queue')),
        els.toolbar,
        h('div', {class: 'queue-grid'},
          h('nav', {class: 'list-pane', 'aria-label': t('queue.listLabel')}, els.listHead, els.list),
          els.detail,
          els.aside)));
      root.addEventListener('mouseover', onHover);
      root.addEventListener('focusin', onHover);
      // The tooltip is placed once; a scroll would leave it pointing at nothing.
      els.detail.addEventListener('scroll', hideTip);
      renderToolbar();
      render();
      app.setQueueCount(st.loaded ? st.total : null);
      if (st.focus && !st.claims.has(st.focus)) claim(st.focus);
    },
    unmount() {
      if (root) {
        root.removeEventListener('mouseover', onHover);
        root.removeEventListener('focusin', onHover);
      }
      hideTip();
      root = null;
      els = {};
    },
    relabel() {
      if (!root) return;
      const el = root;
      this.unmount();
      this.mount(el);
    },
    onKey,
    /** releaseAll gives back every claim (logout, closing the tab). */
    releaseAll(keepalive) {
      return Promise.all([...st.claims.keys()].map((id) => release(id, keepalive)));
    },
    /** destroy stops the live stream and timers. */
    destroy() {
      stopEvents();
      clearInterval(extender);
      clearTimeout(refreshTimer);
    },
  };
}
