// The author panel: history, counters, notes, ban and trust. The same
// summary, smaller, sits beside the queue.

import {api, enc} from '../api.js';
import {h, replace, initials, icon} from '../dom.js';
import {t, ago, dateTime, num, label} from '../i18n.js';
import {excerpt} from '../labels.js';
import {banDialog} from '../dialogs.js';

const cache = new Map(); // author id → {at, data}

/** fetchAuthor returns GET /v1/authors/{id}, cached for a few seconds; null when unknown. */
export async function fetchAuthor(id, {fresh = false, recent = 20} = {}) {
  const c = cache.get(id);
  if (!fresh && c && Date.now() - c.at < 15000 && c.recent >= recent) return c.data;
  try {
    const data = await api('GET', `/v1/authors/${enc(id)}?recent=${recent}`);
    cache.set(id, {at: Date.now(), data, recent});
    return data;
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

export function forgetAuthor(id) { cache.delete(id); }

/** nameOf finds the author's display name in their recent items. */
export function nameOf(a, fallback) {
  for (const it of (a && a.recent) || []) {
    const n = it.comment && it.comment.author && it.comment.author.name;
    if (n) return n;
  }
  return fallback || (a && a.author_id) || '?';
}

function createdOf(a) {
  for (const it of (a && a.recent) || []) {
    const c = it.comment && it.comment.author && it.comment.author.created_at;
    if (c) return c;
  }
  return null;
}

/** badges shows the banned / trusted / premoderated state. */
export function badges(a) {
  if (!a) return null;
  return h('span', {class: 'badges'},
    a.banned ? h('span', {class: 'badge danger'}, icon('ban'), t('author.banned')) : null,
    a.trusted ? h('span', {class: 'badge ok'}, icon('star'), a.trusted_explicitly ? t('author.trusted') : t('author.trustedAuto')) : null,
    a.premoderated ? h('span', {class: 'badge warn'}, icon('shield'), t('author.premoderated')) : null);
}

function statusPill(it) {
  const st = it.status || 'pending';
  return h('span', {class: ['pill', `st-${st}`]}, t(`status.${st}`));
}

/** ratio draws the approved / rejected / escalated shares as one stacked bar. */
function ratio(counts) {
  const ap = (counts.approved || 0) + (counts.auto_approved || 0);
  const rj = (counts.rejected || 0) + (counts.auto_rejected || 0);
  const es = counts.escalated || 0;
  const total = ap + rj + es;
  const bar = h('div', {class: 'ratio', role: 'img', 'aria-label': t('author.ratio', {approved: ap, rejected: rj, escalated: es})});
  if (!total) return bar;
  for (const [cls, v] of [['ap', ap], ['rj', rj], ['es', es]]) {
    if (!v) continue;
    const seg = h('span', {class: `seg ${cls}`});
    seg.style.flexGrow = String(v);
    bar.append(seg);
  }
  return bar;
}

/** summary renders the author card shown beside the queue. */
export function summary(a, fallback, {onOpen} = {}) {
  const name = nameOf(a, fallback && fallback.name);
  const id = (a && a.author_id) || (fallback && fallback.id);
  const created = createdOf(a) || (fallback && fallback.created_at);
  const counts = (a && a.counts) || {};
  const tile = (key, v, cls) => h('div', {class: ['tile', cls]}, h('span', {class: 'tile-v'}, num(v || 0)), h('span', {class: 'tile-k'}, t(key)));
  const recent = ((a && a.recent) || []).slice(0, 5);
  const note = a && a.notes && a.notes[0];
  return h('div', {class: 'author-card'},
    h('div', {class: 'author-head'},
      h('span', {class: 'avatar', 'aria-hidden': 'true'}, initials(name)),
      h('div', {class: 'author-id'},
        h('h2', {class: 'author-name'}, name),
        h('p', {class: 'muted small mono'}, id),
        created ? h('p', {class: 'muted small'}, t('author.since', {when: dateTime(created, {dateStyle: 'medium'})})) : null)),
    badges(a),
    a ? [
      h('div', {class: 'tiles'},
        tile('author.approved', (counts.approved || 0) + (counts.auto_approved || 0), 'ok'),
        tile('author.rejected', (counts.rejected || 0) + (counts.auto_rejected || 0), 'danger'),
        tile('author.escalated', counts.escalated, 'warn'),
        tile('author.waiting', a.undecided, '')),
      ratio(counts),
      h('p', {class: 'muted small'}, t('author.commentsSeen', {n: a.comments || 0})),
      h('h3', {class: 'side-title'}, t('author.recent')),
      recent.length ? h('ul', {class: 'mini-history'}, recent.map((it) => h('li', {},
        statusPill(it),
        h('span', {class: 'mini-text'}, excerpt(it.comment && it.comment.text, 70)),
        h('span', {class: 'muted small'}, ago(it.enqueued_at))))) : h('p', {class: 'muted small'}, t('author.noHistory')),
      note ? [h('h3', {class: 'side-title'}, t('author.lastNote')),
        h('blockquote', {class: 'note'}, h('p', {}, excerpt(note.text, 160)), h('footer', {class: 'muted small'}, `${note.by} · ${ago(note.at)}`))] : null,
    ] : h('p', {class: 'muted small'}, t('author.firstTime')),
    onOpen ? h('a', {class: 'btn block', href: `/authors/${enc(id)}`, 'data-nav': '', id: 'open-author', 'aria-keyshortcuts': 'o'},
      icon('user'), t('author.open'), h('kbd', {}, 'o')) : null);
}

/** authorView is the full author panel at /authors/{id}. */
export function authorView(app) {
  let root = null;
  let id = '';
  let data = null;
  let alive = true;

  async function load(fresh) {
    try {
      data = await fetchAuthor(id, {fresh, recent: 50});
      if (alive) render();
    } catch (e) {
      if (alive) replace(root, h('p', {class: 'notice error', role: 'alert'}, t('error.generic', {detail: e.message})));
    }
  }

  async function act(method, path, body, doneKey) {
    try {
      await api(method, path, body);
      forgetAuthor(id);
      app.toast(t(doneKey, {name: nameOf(data, id)}), {kind: 'ok'});
      await load(true);
    } catch (e) {
      app.toast(e.status === 403 ? t('ban.needSenior') : t('error.generic', {detail: e.message}), {kind: 'error'});
    }
  }

  function render() {
    if (!data) {
      replace(root, h('div', {class: 'page narrow'},
        h('a', {href: '/', 'data-nav': '', class: 'back'}, t('author.back')),
        h('h1', {}, id), h('p', {class: 'muted'}, t('author.unknown'))));
      return;
    }
    const name = nameOf(data, id);
    const senior = app.can('senior');
    const counts = data.counts || {};
    const actions = h('div', {class: 'author-actions'},
      senior ? (data.banned
        ? h('button', {type: 'button', class: 'btn', id: 'unban', onclick: () => act('DELETE', `/v1/authors/${enc(id)}/ban`, undefined, 'author.unbanned')}, t('author.unban'))
        : h('button', {type: 'button', class: 'btn danger', id: 'ban', onclick: () => banDialog(app, {id, name, undecided: data.undecided}, (res) => {
          forgetAuthor(id);
          app.toast(t('ban.done', {name, n: (res.results || []).filter((r) => r.http_status === 200).length}), {kind: 'ok'});
          load(true);
        })}, icon('ban'), t('author.ban'))) : null,
      senior ? (data.trusted_explicitly
        ? h('button', {type: 'button', class: 'btn', id: 'untrust', onclick: () => act('DELETE', `/v1/authors/${enc(id)}/trust`, undefined, 'author.untrusted')}, t('author.untrust'))
        : h('button', {type: 'button', class: 'btn', id: 'trust', disabled: data.banned ? true : null, onclick: () => act('PUT', `/v1/authors/${enc(id)}/trust`, undefined, 'author.trustedDone')}, icon('star'), t('author.trust'))) : null,
      data.undecided > 0 ? h('button', {type: 'button', class: 'btn', id: 'reject-pending', onclick: () => act('POST', `/v1/authors/${enc(id)}/reject-pending`, {reason: 'other'}, 'author.rejectedPending')},
        t('author.rejectPending', {n: data.undecided})) : null,
      senior ? null : h('p', {class: 'muted small'}, t('author.seniorOnly')));

    const noteInput = h('textarea', {id: 'note-text', rows: 3, maxlength: 2000, required: true, 'aria-describedby': 'note-hint'});
    const noteForm = h('form', {class: 'note-form', onsubmit: async (e) => {
      e.preventDefault();
      const text = noteInput.value.trim();
      if (!text) { noteInput.focus(); return; }
      try {
        await api('POST', `/v1/authors/${enc(id)}/notes`, {text});
        noteInput.value = '';
        forgetAuthor(id);
        app.announce(t('author.noteSaved'));
        await load(true);
        const again = root.querySelector('#note-text');
        if (again) again.focus();
      } catch (err) {
        app.toast(t('error.generic', {detail: err.message}), {kind: 'error'});
      }
    }},
    h('label', {for: 'note-text'}, t('author.addNote')),
    noteInput,
    h('p', {class: 'hint', id: 'note-hint'}, t('author.noteHint')),
    h('button', {type: 'submit', class: 'btn primary'}, t('author.saveNote')));

    const tile = (key, v, cls) => h('div', {class: ['tile', cls]}, h('span', {class: 'tile-v'}, num(v || 0)), h('span', {class: 'tile-k'}, t(key)));
    replace(root, h('div', {class: 'page author-page'},
      h('a', {href: '/', 'data-nav': '', class: 'back'}, '← ', t('author.back')),
      h('header', {class: 'author-hero'},
        h('span', {class: 'avatar large', 'aria-hidden': 'true'}, initials(name)),
        h('div', {class: 'author-id'},
          h('h1', {}, name),
          h('p', {class: 'muted mono'}, id),
          createdOf(data) ? h('p', {class: 'muted small'}, t('author.since', {when: dateTime(createdOf(data), {dateStyle: 'long'})})) : null,
          badges(data)),
        actions),
      data.banned ? h('p', {class: 'notice error'}, t('author.bannedBy', {by: data.banned_by || '?', when: data.banned_at ? dateTime(data.banned_at) : '?', reason: label('reason', data.ban_reason || 'other')})) : null,
      h('section', {class: 'tiles wide', 'aria-label': t('author.counters')},
        tile('author.comments', data.comments, ''),
        tile('author.waiting', data.undecided, ''),
        tile('author.approved', counts.approved, 'ok'),
        tile('author.rejected', counts.rejected, 'danger'),
        tile('author.escalated', counts.escalated, 'warn'),
        tile('author.autoApproved', counts.auto_approved, 'ok'),
        tile('author.autoRejected', counts.auto_rejected, 'danger')),
      ratio(counts),
      h('div', {class: 'author-cols'},
        h('section', {class: 'card', 'aria-labelledby': 'hist-title'},
          h('h2', {id: 'hist-title'}, t('author.history')),
          data.recent.length ? h('ol', {class: 'history'}, data.recent.map((it) => h('li', {class: 'history-item'},
            h('div', {class: 'history-meta'},
              statusPill(it),
              h('span', {class: 'muted small'}, dateTime(it.enqueued_at)),
              it.comment && it.comment.thread_id ? h('span', {class: 'muted small'}, '· ', it.comment.thread_id) : null,
              it.decision ? h('span', {class: 'muted small'}, '· ', t('author.decidedBy', {by: it.decision.moderator})) : null,
              it.decision && it.decision.reason ? h('span', {class: 'chip'}, label('reason', it.decision.reason)) : null),
            h('p', {class: 'history-text'}, excerpt(it.comment && it.comment.text, 320)),
            it.verdict && it.verdict.labels && it.verdict.labels.length ? h('p', {class: 'chips'}, it.verdict.labels.map((l) => h('span', {class: 'chip'}, label('label', l)))) : null))) : h('p', {class: 'muted'}, t('author.noHistory'))),
        h('section', {class: 'card', 'aria-labelledby': 'notes-title'},
          h('h2', {id: 'notes-title'}, t('author.notes')),
          noteForm,
          data.notes.length ? h('ul', {class: 'notes'}, data.notes.map((n) => h('li', {},
            h('blockquote', {class: 'note'}, h('p', {}, n.text), h('footer', {class: 'muted small'}, `${n.by} · ${dateTime(n.at)}`))))) : h('p', {class: 'muted'}, t('author.noNotes'))))));
  }

  return {
    mount(el, params) {
      root = el;
      id = params[0];
      replace(root, h('p', {class: 'boot', role: 'status'}, t('loading')));
      load(false);
    },
    unmount() { alive = false; },
    relabel() { render(); },
    onKey(ev) {
      if (ev.key === 'Escape' || ev.key === 'o') { app.navigate('/'); return true; }
      return false;
    },
  };
}
