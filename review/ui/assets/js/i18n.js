// Translations and locale-aware formatting. Dictionaries are JSON files under
// /ui/i18n/; keys with plural forms end in _one / _other.

export const LANGS = ['en', 'fr'];
const STORE_KEY = 'vigie.lang';

let dict = {};
let lang = 'en';
let plural = new Intl.PluralRules('en');

/** pickLang chooses the language: the user's last choice, else the browser's. */
export function pickLang() {
  const saved = localStorage.getItem(STORE_KEY);
  if (LANGS.includes(saved)) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

/** loadLang fetches and activates a dictionary. */
export async function loadLang(l, remember) {
  if (!LANGS.includes(l)) l = 'en';
  const r = await fetch(`/ui/i18n/${l}.json`, {credentials: 'same-origin'});
  if (!r.ok) throw new Error(`loading ${l} translations: HTTP ${r.status}`);
  dict = await r.json();
  lang = l;
  plural = new Intl.PluralRules(l);
  document.documentElement.lang = l;
  if (remember) localStorage.setItem(STORE_KEY, l);
}

export function currentLang() { return lang; }

/** t translates key, replacing {name} by vars.name; a numeric vars.n picks the plural form. */
export function t(key, vars) {
  let s;
  if (vars && typeof vars.n === 'number') {
    s = dict[`${key}_${plural.select(vars.n)}`] ?? dict[`${key}_other`];
  }
  s = s ?? dict[key];
  if (s === undefined) {
    console.warn('vigie: missing translation', key);
    s = key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? (typeof vars[k] === 'number' ? num(vars[k]) : String(vars[k])) : m));
  return s;
}

/** has reports whether key is translated. */
export function has(key) { return key in dict; }

export function num(n, opts) { return new Intl.NumberFormat(lang, opts).format(n); }

export function pct(x, digits = 0) {
  return new Intl.NumberFormat(lang, {style: 'percent', maximumFractionDigits: digits}).format(x);
}

/** duration formats seconds as a short human duration: 45 s, 12 min, 3 h 5 min, 2 d. */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const f = (n, unit) => new Intl.NumberFormat(lang, {style: 'unit', unit, unitDisplay: 'narrow'}).format(n);
  if (s < 60) return f(s, 'second');
  if (s < 3600) return f(Math.floor(s / 60), 'minute');
  if (s < 86400) {
    const m = Math.floor((s % 3600) / 60);
    return m ? `${f(Math.floor(s / 3600), 'hour')} ${f(m, 'minute')}` : f(Math.floor(s / 3600), 'hour');
  }
  return f(Math.floor(s / 86400), 'day');
}

/** ago formats a time relative to now: "5 minutes ago", "il y a 5 minutes". */
export function ago(when) {
  const d = when instanceof Date ? when : new Date(when);
  if (isNaN(d)) return '';
  const secs = (d.getTime() - Date.now()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(lang, {numeric: 'auto', style: 'long'});
  const a = Math.abs(secs);
  if (a < 45) return rtf.format(0, 'second');
  if (a < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (a < 86400) return rtf.format(Math.round(secs / 3600), 'hour');
  if (a < 86400 * 30) return rtf.format(Math.round(secs / 86400), 'day');
  if (a < 86400 * 365) return rtf.format(Math.round(secs / (86400 * 30)), 'month');
  return rtf.format(Math.round(secs / (86400 * 365)), 'year');
}

/** dateTime formats a date and time in the current language. */
export function dateTime(when, opts = {dateStyle: 'medium', timeStyle: 'short'}) {
  const d = when instanceof Date ? when : new Date(when);
  if (isNaN(d)) return '';
  return new Intl.DateTimeFormat(lang, opts).format(d);
}

/** languageName names an ISO 639-1 code in the current language. */
export function languageName(code) {
  if (!code) return t('lang.unknown');
  try {
    const n = new Intl.DisplayNames([lang], {type: 'language'}).of(code);
    return n ? n.charAt(0).toLocaleUpperCase(lang) + n.slice(1) : code;
  } catch {
    return code;
  }
}

/** label names a classifier label or a reason code, falling back to the raw value. */
export function label(kind, value) {
  const k = `${kind}.${value}`;
  return has(k) ? t(k) : String(value).replace(/[_-]+/g, ' ');
}
