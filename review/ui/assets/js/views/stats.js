// The statistics page: queue figures, queue depth and oldest age over time,
// decisions per hour and how often moderators agree with each rule.
//
// Everything comes from the server: GET /v1/stats (current figures and the
// decisions of each of the last 24 hours), GET /v1/stats/history (the queue
// sampled every minute by the review role, one point per 5 minutes here) and
// GET /v1/stats/rules. The page refreshes every minute and soon after queue
// changes while it is open.

import {api} from '../api.js';
import {h, replace, icon} from '../dom.js';
import {t, num, pct, duration, dateTime} from '../i18n.js';
import * as charts from '../charts.js';

const WINDOW = '24h';
const STEP = '5m';
const REFRESH_MS = 60 * 1000;
const CHANGE_DELAY_MS = 1500;

export function statsView(app) {
  let root = null;
  let alive = true;
  let data = {stats: null, rules: null, points: [], error: ''};
  let timer = null;
  let allRules = false;
  const TOP_RULES = 8;

  async function load() {
    const [stats, rules, history] = await Promise.allSettled([
      api('GET', '/v1/stats'),
      api('GET', '/v1/stats/rules'),
      api('GET', `/v1/stats/history?window=${WINDOW}&step=${STEP}`),
    ]);
    if (!alive) return;
    data = {
      stats: stats.status === 'fulfilled' ? stats.value : null,
      rules: rules.status === 'fulfilled' ? rules.value.rules || [] : null,
      points: history.status === 'fulfilled' ? history.value.points || [] : [],
      error: stats.status === 'rejected' ? stats.reason.message : '',
    };
    render();
  }

  let soon = null;
  const onChange = () => {
    if (!alive || soon) return;
    soon = setTimeout(() => { soon = null; load(); }, CHANGE_DELAY_MS);
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
    const points = data.points.map((x) => ({...x, t: new Date(x.at)}));
    const timeFmt = (d, span) => dateTime(d, span < 15 * 60 * 1000 ? {hour: '2-digit', minute: '2-digit', second: '2-digit'} : {hour: '2-digit', minute: '2-digit'});
    const depth = points.map((x) => ({t: x.t, v: x.pending + x.claimed + x.escalated}));
    const maxAge = Math.max(0, ...points.map((x) => x.oldest_age_seconds));
    const unit = maxAge < 120 ? {key: 's', div: 1} : maxAge < 7200 ? {key: 'm', div: 60} : {key: 'h', div: 3600};
    const age = points.map((x) => ({t: x.t, v: x.oldest_age_seconds / unit.div}));
    const since = points.length ? points[0].t : null;
    const depthNow = s.pending + s.claimed + s.escalated;

    const hours = s.decisions_per_hour || [];
    const hoursChart = charts.bars({
      bars: hours.map((b) => ({label: dateTime(new Date(b.start), {hour: '2-digit'}), v: b.decisions,
        title: t('stats.hourBar', {hour: dateTime(new Date(b.start), {hour: '2-digit', minute: '2-digit'}), n: b.decisions})})),
      title: t('stats.perHour'),
      desc: t('stats.perHourDesc', {n: hours.reduce((a, b) => a + b.decisions, 0), max: Math.max(0, ...hours.map((b) => b.decisions))}),
      fmt: (v) => num(v), labelEvery: 3, tone: 'green'});

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
      window.addEventListener('vigie:changed', onChange);
      timer = setInterval(load, REFRESH_MS);
      load();
    },
    unmount() {
      alive = false;
      root = null;
      clearInterval(timer);
      clearTimeout(soon);
      window.removeEventListener('vigie:changed', onChange);
    },
    relabel() { render(); },
    onKey() { return false; },
  };
}
