// DOM helpers. Every piece of text goes in as a text node: nothing the API
// returns is ever parsed as HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'style' || k === 'innerHTML') throw new Error(`dom: ${k} is not allowed`);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** h builds an HTML element: h('button', {class: 'btn', onclick}, 'Text'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** s builds an SVG element. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** clear empties an element. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** replace empties el and appends children. */
export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** typing reports whether a key event is aimed at a text field. */
export function typing(ev) {
  const t = ev.target;
  if (!(t instanceof Element)) return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (t.getAttribute('type') || 'text').toLowerCase();
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return false;
}

/** initials returns up to two letters standing for a name. */
export function initials(name) {
  const parts = String(name || '?').replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(/\s+/);
  const first = [...(parts[0] || '?')][0] || '?';
  const second = parts.length > 1 ? [...parts[parts.length - 1]][0] : '';
  return (first + (second || '')).toUpperCase();
}

/** icon returns a small inline SVG icon by name. */
export function icon(name, label) {
  const paths = {
    check: 'M4 10.5l4 4 8-9',
    x: 'M5 5l10 10M15 5L5 15',
    up: 'M10 16V4M4.5 9.5L10 4l5.5 5.5',
    ban: 'M10 2.5a7.5 7.5 0 100 15 7.5 7.5 0 000-15zM4.7 4.7l10.6 10.6',
    undo: 'M7 5L3 9l4 4M3.5 9H12a4.5 4.5 0 010 9H9',
    link: 'M8.5 11.5l3-3M7 9.5l-1.6 1.6a2.6 2.6 0 003.7 3.7l1.6-1.6M13 10.5l1.6-1.6a2.6 2.6 0 00-3.7-3.7L9.3 6.8',
    reply: 'M8 5L3.5 9.5 8 14M4 9.5h7.5a5 5 0 015 5V16',
    user: 'M10 10a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM3.5 17.5a6.5 6.5 0 0113 0',
    filter: 'M3 4.5h14l-5.5 6.5v5l-3-1.5v-3.5z',
    clock: 'M10 2.5a7.5 7.5 0 100 15 7.5 7.5 0 000-15zM10 6v4.5l3 2',
    keyboard: 'M2.5 5.5h15v9h-15zM5.5 8.5h1M9.5 8.5h1M13.5 8.5h1M6 11.5h8',
    inbox: 'M3 11l2.5-6.5h9L17 11v5H3zM3 11h4.5l1 2h3l1-2H17',
    shield: 'M10 2.5l6 2.5v4.5c0 4-2.6 6.8-6 8-3.4-1.2-6-4-6-8V5z',
    star: 'M10 2.8l2.2 4.6 5 .6-3.7 3.4 1 5-4.5-2.5-4.5 2.5 1-5L2.8 8l5-.6z',
    external: 'M8 4H4.5v11.5H16V12M11 3.5h5.5V9M16.5 3.5L9 11',
    note: 'M4.5 3h8l3 3v11h-11zM7 9h6M7 12h6',
    globe: 'M10 2.5a7.5 7.5 0 100 15 7.5 7.5 0 000-15zM2.5 10h15M10 2.5c2 2 3 4.6 3 7.5s-1 5.5-3 7.5c-2-2-3-4.6-3-7.5s1-5.5 3-7.5z',
  };
  const svg = s('svg', {class: 'icon', viewBox: '0 0 20 20', 'aria-hidden': label ? null : 'true', role: label ? 'img' : null, 'aria-label': label || null, focusable: 'false'},
    s('path', {d: paths[name] || '', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.7', 'stroke-linecap': 'round', 'stroke-linejoin': 'round'}));
  return svg;
}
