// Matched spans arrive as UTF-8 byte offsets into the comment text, while
// JavaScript strings index UTF-16 code units. These functions translate one
// into the other and cut the text into segments, each with the matches that
// cover it, so the text can be rendered with highlights as plain DOM nodes.

function utf8Length(cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

/**
 * byteIndex maps UTF-8 byte offsets of text to UTF-16 indices. Offsets
 * inside a character snap to its start (round "down") or to its end ("up");
 * offsets outside the text are clamped.
 */
export function byteIndex(text) {
  const bytes = [0]; // bytes[k]: byte offset of the k-th boundary
  const units = [0]; // units[k]: UTF-16 index of the same boundary
  let b = 0;
  let u = 0;
  for (const ch of text) {
    b += utf8Length(ch.codePointAt(0));
    u += ch.length;
    bytes.push(b);
    units.push(u);
  }
  return function toIndex(offset, round) {
    if (!(offset > 0)) return 0;
    if (offset >= b) return u;
    let lo = 0;
    let hi = bytes.length - 1;
    while (lo < hi) { // first boundary >= offset
      const mid = (lo + hi) >> 1;
      if (bytes[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    if (bytes[lo] === offset || round === 'up') return units[lo];
    return units[lo - 1];
  };
}

/**
 * segments cuts text into [{text, start, end, matches: [index…]}] where
 * matches lists the indices (into the matches argument) of the matches that
 * cover the segment. Start and end are UTF-16 indices. Matches without a
 * span (start >= end) cover nothing: they explain the whole comment.
 */
export function segments(text, matches) {
  const toIndex = byteIndex(text);
  const spans = [];
  (matches || []).forEach((m, i) => {
    const start = toIndex(m.start, 'down');
    const end = toIndex(m.end, 'up');
    if (end > start) spans.push({i, start, end});
  });
  const cuts = new Set([0, text.length]);
  for (const sp of spans) {
    cuts.add(sp.start);
    cuts.add(sp.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const start = points[k];
    const end = points[k + 1];
    if (end <= start) continue;
    const covering = spans.filter((sp) => sp.start <= start && sp.end >= end).map((sp) => sp.i);
    out.push({text: text.slice(start, end), start, end, matches: covering});
  }
  return out;
}

/** matchedText returns the original text a match covers, or '' when it has no span. */
export function matchedText(text, m) {
  const toIndex = byteIndex(text);
  const start = toIndex(m.start, 'down');
  const end = toIndex(m.end, 'up');
  return end > start ? text.slice(start, end) : '';
}
