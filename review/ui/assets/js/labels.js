// Shared vocabulary of the queue: reason codes, label colours, item helpers.

/** REASONS are the rejection reason codes, in the order of their number keys. */
export const REASONS = ['spam', 'insult', 'harassment', 'threat', 'hate', 'off-topic', 'other'];

const TONES = ['rose', 'amber', 'violet', 'teal', 'blue', 'orange', 'green', 'pink'];
const PREFERRED = {
  insult: 'rose', harassment: 'rose', slur: 'violet', hate: 'violet', threat: 'orange',
  profanity: 'orange', sexual: 'violet', adult: 'violet', money: 'amber', spam_phrase: 'amber',
  work_from_home: 'amber', crypto: 'amber', contact: 'teal', messenger: 'teal', link: 'blue',
  phone: 'teal', email: 'teal', shouting: 'blue', duplicate: 'blue', velocity: 'blue',
  targeted: 'blue', guard: 'teal', unusual_tld: 'violet', obfuscated_link: 'violet',
  learned: 'pink',
};

function hash(s) {
  let x = 0;
  for (const ch of String(s)) x = (x * 31 + ch.codePointAt(0)) >>> 0;
  return x;
}

/** toneOf returns the colour of a label on its own (chips in lists). */
export function toneOf(label) {
  return PREFERRED[label] || TONES[hash(label) % TONES.length];
}

/**
 * tonesFor assigns a colour to each label of one comment: the label's usual
 * colour unless another label of the comment already took it, so that two
 * kinds of match never look alike side by side.
 */
export function tonesFor(labels) {
  const out = new Map();
  const used = new Set();
  for (const l of labels) {
    if (out.has(l)) continue;
    let tone = toneOf(l);
    if (used.has(tone)) tone = TONES.find((x) => !used.has(x)) || tone;
    used.add(tone);
    out.set(l, tone);
  }
  return out;
}

/** signed formats a rule weight with its sign: +0.45, −0.30. */
export function signed(w, fmt) {
  return `${w < 0 ? '−' : '+'}${fmt(Math.abs(w))}`;
}

/** score is the larger of an item's two scores. */
export function score(item) {
  const s = (item.verdict && item.verdict.scores) || {};
  return Math.max(s.spam || 0, s.troll || 0);
}

/** authorName is how an item's author is shown. */
export function authorName(item) {
  const a = (item.comment && item.comment.author) || {};
  return a.name || a.id || '?';
}

/** excerpt shortens text to about n characters at a word boundary. */
export function excerpt(text, n = 140) {
  const s = String(text || '').replace(/\s+/g, ' ').trim();
  if (s.length <= n) return s;
  const cut = s.slice(0, n);
  const sp = cut.lastIndexOf(' ');
  return `${(sp > n * 0.6 ? cut.slice(0, sp) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}
