// Small SVG charts drawn from data, with no library. Each chart is an <svg
// role="img"> with a title and a description that states its figures, so a
// screen reader gets the numbers the picture shows.

import {s} from './dom.js';

const W = 560;
const H = 200;
const PAD = {top: 14, right: 16, bottom: 26, left: 44};

const TICKS = 4;

/**
 * niceScale picks the top of an axis and its step so that TICKS steps
 * cover v with round numbers; integer axes get whole steps.
 */
export function niceScale(v, integer) {
  if (!(v > 0)) return {max: TICKS, step: 1};
  const raw = v / TICKS;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = [1, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((x) => x >= raw);
  if (integer) step = Math.max(1, Math.ceil(step));
  return {max: step * TICKS, step};
}

function frame(title, desc) {
  const id = `c${Math.random().toString(36).slice(2, 9)}`;
  return s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-labelledby': `${id}t ${id}d`, preserveAspectRatio: 'xMidYMid meet'},
    s('title', {id: `${id}t`}, title),
    s('desc', {id: `${id}d`}, desc));
}

function yAxis(svg, scale, fmt) {
  const ih = H - PAD.top - PAD.bottom;
  for (let k = 0; k <= TICKS; k++) {
    const v = scale.step * k;
    const y = PAD.top + ih - (ih * k) / TICKS;
    svg.append(s('line', {x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: k === 0 ? 'axis' : 'grid'}));
    svg.append(s('text', {x: PAD.left - 8, y: y + 4, class: 'tick', 'text-anchor': 'end'}, fmt(v)));
  }
}

/**
 * line draws a time series: points [{t: Date, v: number}], fmt formats
 * values, timeFmt formats times on the x axis.
 */
export function line({points, title, desc, fmt = String, timeFmt, tone = 'blue', empty, integer}) {
  const svg = frame(title, desc);
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  if (points.length < 2) {
    svg.append(s('text', {x: W / 2, y: H / 2, class: 'empty', 'text-anchor': 'middle'}, empty || ''));
    return svg;
  }
  const t0 = points[0].t.getTime();
  const t1 = points[points.length - 1].t.getTime();
  const span = Math.max(1, t1 - t0);
  const scale = niceScale(Math.max(...points.map((p) => p.v)), integer);
  const max = scale.max;
  yAxis(svg, scale, fmt);
  const x = (p) => PAD.left + ((p.t.getTime() - t0) / span) * iw;
  const y = (p) => PAD.top + ih - (p.v / max) * ih;
  let d = '';
  points.forEach((p, k) => { d += `${k ? 'L' : 'M'}${x(p).toFixed(1)},${y(p).toFixed(1)}`; });
  const area = `${d}L${x(points[points.length - 1]).toFixed(1)},${PAD.top + ih}L${x(points[0]).toFixed(1)},${PAD.top + ih}Z`;
  svg.append(s('path', {d: area, class: `area tone-${tone}`}));
  svg.append(s('path', {d, class: `line tone-${tone}`}));
  const last = points[points.length - 1];
  svg.append(s('circle', {cx: x(last), cy: y(last), r: 3.5, class: `dot tone-${tone}`}));
  for (const frac of [0, 0.5, 1]) {
    const tt = new Date(t0 + span * frac);
    const anchor = frac === 0 ? 'start' : frac === 1 ? 'end' : 'middle';
    svg.append(s('text', {x: PAD.left + iw * frac, y: H - 6, class: 'tick', 'text-anchor': anchor}, timeFmt(tt, span)));
  }
  return svg;
}

/** bars draws one bar per bucket: bars [{label, v, title}]; every labelEvery-th label is shown. */
export function bars({bars: data, title, desc, fmt = String, labelEvery = 1, tone = 'blue'}) {
  const svg = frame(title, desc);
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const scale = niceScale(Math.max(0, ...data.map((b) => b.v)), true);
  const max = scale.max;
  yAxis(svg, scale, fmt);
  const slot = iw / Math.max(1, data.length);
  const bw = Math.max(2, slot * 0.68);
  data.forEach((b, k) => {
    const hgt = (b.v / max) * ih;
    const x = PAD.left + slot * k + (slot - bw) / 2;
    const rect = s('rect', {x: x.toFixed(1), y: (PAD.top + ih - hgt).toFixed(1), width: bw.toFixed(1), height: Math.max(0, hgt).toFixed(1), rx: 2, class: `bar tone-${tone}`});
    rect.append(s('title', {}, b.title || `${b.label}: ${fmt(b.v)}`));
    svg.append(rect);
    if (k % labelEvery === 0 || k === data.length - 1) {
      svg.append(s('text', {x: (x + bw / 2).toFixed(1), y: H - 6, class: 'tick', 'text-anchor': 'middle'}, b.label));
    }
  });
  return svg;
}

/** meter draws a small horizontal bar for a share in [0, 1]; null draws an empty track. */
export function meter(share, tone = 'blue') {
  const w = 76;
  const svg = s('svg', {viewBox: `0 0 ${w} 10`, class: 'meter', 'aria-hidden': 'true', focusable: 'false'},
    s('rect', {x: 0, y: 0, width: w, height: 10, rx: 5, class: 'track'}));
  if (share !== null && share !== undefined) {
    svg.append(s('rect', {x: 0, y: 0, width: Math.max(share > 0 ? 4 : 0, w * Math.min(1, share)), height: 10, rx: 5, class: `fill tone-${tone}`}));
  }
  return svg;
}
