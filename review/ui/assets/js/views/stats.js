// The statistics page: queue figures, queue depth and oldest age over time,
// decisions per hour and how often moderators agree with each rule.
//
// The API gives current figures only (GET /v1/stats), so the depth and age
// series are sampled by this browser while Vigie is open and kept for a day
// in localStorage. Decisions per hour come from the audit log, which senior
// moderators and admins may read; moderators see the hour and day totals.

import {api} from '../api.js';
import {h, replace, icon} from '../dom.js';
import {t, num, pct, duration, dateTime} from '../i18n.js';
import * as charts from '../charts.js';

const SAMPLE_EVERY_MS = 30 * 1000;
const MIN_GAP_MS = 2000;
const KEEP_MS = 24 * 3600 * 1000;
const DECISIONS = new Set(['approve', 'reject', 'escalate']);

function storeKey(app) { return `vigie.samples.${app.session.tenant}`; }

function readSamples(app) {
  try {
    const raw = JSON.parse(localStorage.getItem(storeKey(app)) || '[]');
    const since = Date.now() - KEEP_MS;
    return raw.filter((s) => s.t >= since);
  } catch {
    return [];
  }
}

/**
 * startSampler records GET /v1/stats every 30 s, and soon after queue
 * changes (app.sampleSoon), while the session lasts. It returns a stop
 * function.
 */
export function startSampler(app) {
  let last = 0;
  let soon = null;
  let stopped = false;
  async function sample() {
    if (stopped || !app.session) return;
    last = Date.now();
    try {
      const s = await api('GET', '/v1/stats');
      const all = readSamples(app);
      all.push({t: Date.now(), p: s.pending, e: s.escalated, c: s.claimed, o: s.oldest_age_seconds});
      localStorage.setItem(storeKey(app), JSON.stringify(all.slice(-3000)));
      app.lastStats = s;
      window.dispatchEvent(new CustomEvent('vigie:stats', {detail: s}));
    } catch {
      // A missed sample leaves a gap; the next one fills the line.
    }
  }
  app.sampleSoon = () => {
    if (soon || stopped) return;
    const wait = Math.max(0, last + MIN_GAP_MS - Date.now()) + 300;
    soon = setTimeout(() => { soon = null; sample(); }, wait);
  };
  sample();
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(soon);
    app.sampleSoon = null;
  };
}

/** decisionsPerHour counts the audit log's decisions in each of the last 24 hours. */
async function decisionsPerHour() {
  const now = Date.now();
  const start = now - 24 * 3600 * 1000;
  const hourStart = (ms) => Math.floor(ms / 3600000) * 3600000;
  const first = hourStart(start) + 3600000;
  const buckets = [];
  for (let b = first; b <= hourStart(now); b += 3600000) buckets.push({t: b, v: 0, undo: 0});
  let before = '';
  for (let page = 0; page < 10; page++) {
    const res = await api('GET', `/v1/audit?limit=1000${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    const entries = res.entries || [];
    let done = entries.length < 1000;
    for (const e of entries) {
      const at = Date.parse(e.fields.at || '') || Number(String(e.id).split('-')[0]);
      if (at < first) { done = true; break; }
      const b = buckets.find((x) => at >= x.t && at < x.t + 3600000);
      if (!b) continue;
      if (DECISIONS.has(e.fields.action) && !String(e.fields.actor || '').startsWith('vigie:')) b.v++;
      if (e.fields.action === 'undo') b.undo++;
    }
    if (done || !entries.length) break;
    before = entries[entries.length - 1].id;
  }
  return buckets;
}

export function statsView(app) {
  let root = null;
  let alive = true;
  let data = {stats: null, rules: null, hours: null, hoursDenied: false, error: ''};
  let allRules = false;
  const TOP_RULES = 8;

  async function load() {
    const [stats, rules, hours] = await Promise.allSettled([
      api('GET', '/v1/stats'),
      api('GET', '/v1/stats/rules'),
      app.can('senior') ? decisionsPerHour() : Promise.reject(Object.assign(new Error('role'), {status: 403})),
    ]);
    if (!alive) return;
    data = {
      stats: stats.status === 'fulfilled' ? stats.value : null,
      rules: rules.status === 'fulfilled' ? rules.value.rules || [] : null,
      hours: hours.status === 'fulfilled' ? hours.value : null,
      hoursDenied: hours.status === 'rejected' && hours.reason.status === 403,
      error: stats.status === 'rejected' ? stats.reason.message : '',
    };
    if (app.sampleSoon) app.sampleSoon();
    render();
  }

  const onStats = (ev) => {
    if (!alive || !data.stats) return;
    data.stats = ev.detail;
    render();
  };

  function card(key, value, sub, tone) {
    return h('div', {class: ['stat', tone]},
      h('span', {class: 'stat-k'}, t(key)),
      h('span', {class: 'stat-v'}, value),
      sub ? h('span', {class: 'stat-sub muted small'}, sub) : null);
  }

  function render() {
    if (!root) return;
    const s = data.stats;
    if (!s) {
      replace(root, h('div', {class: 'page'}, h('h1', {}, t('stats.title')),
        h('p', {class: data.error ? 'notice error' : 'muted', role: data.error ? 'alert' : 'status'}, data.error ? t('error.generic', {detail: data.error}) : t('loading'))));
      return;
    }
    const samples = readSamples(app).map((x) => ({...x, t: new Date(x.t)}));
    const timeFmt = (d, span) => dateTime(d, span < 15 * 60 * 1000 ? {hour: '2-digit', minute: '2-digit', second: '2-digit'} : {hour: '2-digit', minute: '2-digit'});
    const depth = samples.map((x) => ({t: x.t, v: x.p + x.c + x.e}));
    const maxAge = Math.max(0, ...samples.map((x) => x.o));
    const unit = maxAge < 120 ? {key: 's', div: 1} : maxAge < 7200 ? {key: 'm', div: 60} : {key: 'h', div: 3600};
    const age = samples.map((x) => ({t: x.t, v: x.o / unit.div}));
    const since = samples.length ? samples[0].t : null;
    const depthNow = s.pending + s.claimed + s.escalated;

    const hoursChart = data.hours
      ? charts.bars({
        bars: data.hours.map((b) => ({label: dateTime(new Date(b.t), {hour: '2-digit'}), v: b.v,
          title: t('stats.hourBar', {hour: dateTime(new Date(b.t), {hour: '2-digit', minute: '2-digit'}), n: b.v})})),
        title: t('stats.perHour'),
        desc: t('stats.perHourDesc', {n: data.hours.reduce((a, b) => a + b.v, 0), max: Math.max(0, ...data.hours.map((b) => b.v))}),
        fmt: (v) => num(v), labelEvery: 3, tone: 'green'})
      : h('p', {class: 'muted'}, data.hoursDenied ? t('stats.perHourSenior', {hour: s.decisions_last_hour, day: s.decisions_last_day}) : t('loading'));

    const rules = (data.rules || []).slice().sort((a, b) => (b.flagged - a.flagged) || a.rule.localeCompare(b.rule));
    const ruleTable = rules.length ? h('table', {class: 'data rules-table'},
      h('caption', {class: 'visually-hidden'}, t('stats.agreement')),
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, t('stats.rule')), h('th', {scope: 'col', class: 'num'}, t('stats.flagged')),
        h('th', {scope: 'col', class: 'num'}, t('stats.rejected')), h('th', {scope: 'col', class: 'num'}, t('stats.approved')),
        h('th', {scope: 'col'}, t('stats.precision')))),
      h('tbody', {}, (allRules ? rules : rules.slice(0, TOP_RULES)).map((r) => {
        const p = r.precision;
        const tone = p === null || p === undefined ? 'grey' : p >= 0.8 ? 'green' : p >= 0.5 ? 'amber' : 'red';
        return h('tr', {},
          h('th', {scope: 'row', class: 'mono'}, r.rule),
          h('td', {class: 'num'}, num(r.flagged)),
          h('td', {class: 'num'}, num(r.rejected)),
          h('td', {class: 'num'}, num(r.approved)),
          h('td', {}, h('div', {class: 'precision'}, charts.meter(p, tone), h('span', {class: ['prec-v', tone]}, p === null || p === undefined ? t('stats.noDecision') : pct(p)))));
      }))) : h('p', {class: 'muted'}, t('stats.noRules'));
    const moreRules = rules.length > TOP_RULES
      ? h('button', {type: 'button', class: 'btn ghost small', 'aria-expanded': String(allRules), onclick: () => { allRules = !allRules; render(); }},
        allRules ? t('stats.fewerRules', {n: TOP_RULES}) : t('stats.allRules', {n: rules.length}))
      : null;

    replace(root, h('div', {class: 'page stats-page'},
      h('header', {class: 'page-head'},
        h('h1', {}, t('stats.title')),
        h('button', {type: 'button', class: 'btn small', id: 'stats-refresh', onclick: load}, t('action.refresh'))),
      h('section', {class: 'stat-cards', 'aria-label': t('stats.now')},
        card('stats.pending', num(s.pending), null, ''),
        card('stats.claimed', num(s.claimed), null, ''),
        card('stats.escalated', num(s.escalated), null, s.escalated ? 'warn' : ''),
        card('stats.oldest', depthNow ? duration(s.oldest_age_seconds) : '—', null, s.oldest_age_seconds > 3600 ? 'danger' : ''),
        card('stats.lastHour', num(s.decisions_last_hour), t('stats.decisions'), ''),
        card('stats.lastDay', num(s.decisions_last_day), t('stats.decisions'), '')),
      h('div', {class: 'chart-grid'},
        h('section', {class: 'card chart-card', 'aria-labelledby': 'ch-depth'},
          h('h2', {id: 'ch-depth'}, t('stats.depth')),
          charts.line({points: depth, title: t('stats.depth'), timeFmt, fmt: (v) => num(v), tone: 'blue', integer: true,
            desc: t('stats.depthDesc', {now: depthNow, n: depth.length}), empty: t('stats.collecting')}),
          h('p', {class: 'muted small'}, since ? t('stats.sampledSince', {when: dateTime(since)}) : t('stats.collecting'))),
        h('section', {class: 'card chart-card', 'aria-labelledby': 'ch-age'},
          h('h2', {id: 'ch-age'}, t('stats.age')),
          charts.line({points: age, title: t('stats.age'), timeFmt, fmt: (v) => num(v, {maximumFractionDigits: 2}), tone: 'amber',
            desc: t('stats.ageDesc', {now: duration(s.oldest_age_seconds)}), empty: t('stats.collecting')}),
          h('p', {class: 'muted small'}, t(`stats.ageUnit.${unit.key}`))),
        h('section', {class: 'card chart-card', 'aria-labelledby': 'ch-hour'},
          h('h2', {id: 'ch-hour'}, t('stats.perHour')),
          hoursChart,
          h('p', {class: 'muted small'}, t('stats.perHourNote'))),
        h('section', {class: 'card chart-card', 'aria-labelledby': 'ch-rules'},
          h('h2', {id: 'ch-rules'}, icon('shield'), ' ', t('stats.agreement')),
          h('p', {class: 'muted small'}, t('stats.agreementNote')),
          ruleTable,
          moreRules))));
  }

  return {
    mount(el) {
      root = el;
      render();
      window.addEventListener('vigie:stats', onStats);
      load();
    },
    unmount() {
      alive = false;
      root = null;
      window.removeEventListener('vigie:stats', onStats);
    },
    relabel() { render(); },
    onKey() { return false; },
  };
}
