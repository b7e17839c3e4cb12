// Admin pages: moderator accounts (create, role, disable) and the tenant's
// settings (thresholds, languages, mode, webhook, trust).

import {api, enc} from '../api.js';
import {h, replace} from '../dom.js';
import {t, dateTime, languageName} from '../i18n.js';

const ROLES = ['moderator', 'senior', 'admin'];
const LANGUAGES = ['fr', 'en', 'de', 'es', 'it', 'pt', 'nl'];

function problemText(e) {
  return e.problem && e.problem.detail ? e.problem.detail : e.message;
}

export function moderatorsView(app) {
  let root = null;
  let list = null;
  let error = '';
  let alive = true;

  async function load() {
    try {
      const res = await api('GET', '/v1/moderators');
      list = res.moderators || [];
      error = '';
    } catch (e) {
      error = problemText(e);
    }
    if (alive) render();
  }

  async function update(login, change, doneKey) {
    try {
      await api('PATCH', `/v1/moderators/${enc(login)}`, change);
      app.toast(t(doneKey, {login}), {kind: 'ok'});
      await load();
    } catch (e) {
      app.toast(t('error.generic', {detail: problemText(e)}), {kind: 'error'});
      render();
    }
  }

  function render() {
    if (!root) return;
    const formError = h('p', {class: 'form-error', id: 'mod-error', role: 'alert', hidden: true});
    const form = h('form', {class: 'inline-form', 'aria-labelledby': 'new-mod', 'aria-describedby': 'mod-error', onsubmit: async (e) => {
      e.preventDefault();
      const f = e.target;
      const body = {login: f.querySelector('#new-login').value.trim().toLowerCase(), password: f.querySelector('#new-password').value, role: f.querySelector('#new-role').value};
      try {
        await api('POST', '/v1/moderators', body);
        app.toast(t('mods.created', {login: body.login}), {kind: 'ok'});
        await load();
        const again = root && root.querySelector('#new-login');
        if (again) again.focus();
      } catch (err) {
        formError.textContent = problemText(err);
        formError.hidden = false;
        const field = err.problem && err.problem.field;
        const bad = field && f.querySelector(`#new-${field}`);
        if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
      }
    }},
    h('div', {class: 'field'}, h('label', {for: 'new-login'}, t('mods.login')),
      h('input', {id: 'new-login', required: true, autocomplete: 'off', spellcheck: 'false', pattern: '[a-z0-9._@-]{1,64}', 'aria-describedby': 'login-hint'}),
      h('span', {class: 'hint', id: 'login-hint'}, t('mods.loginHint'))),
    h('div', {class: 'field'}, h('label', {for: 'new-password'}, t('mods.password')),
      h('input', {id: 'new-password', type: 'password', required: true, minlength: 12, maxlength: 72, autocomplete: 'new-password', 'aria-describedby': 'pw-hint'}),
      h('span', {class: 'hint', id: 'pw-hint'}, t('mods.passwordHint'))),
    h('div', {class: 'field'}, h('label', {for: 'new-role'}, t('mods.role')),
      h('select', {id: 'new-role'}, ROLES.map((r) => h('option', {value: r}, t(`role.${r}`))))),
    h('button', {type: 'submit', class: 'btn primary'}, t('mods.create')),
    formError);

    const table = list === null ? h('p', {class: 'muted', role: 'status'}, error || t('loading'))
      : list.length === 0 ? h('p', {class: 'muted'}, t('mods.none'))
        : h('table', {class: 'data'},
          h('caption', {class: 'visually-hidden'}, t('mods.title')),
          h('thead', {}, h('tr', {},
            h('th', {scope: 'col'}, t('mods.login')), h('th', {scope: 'col'}, t('mods.role')),
            h('th', {scope: 'col'}, t('mods.status')), h('th', {scope: 'col'}, t('mods.createdAt')),
            h('th', {scope: 'col'}, h('span', {class: 'visually-hidden'}, t('mods.actions'))))),
          h('tbody', {}, list.map((m) => {
            const self = m.login === app.session.login;
            const sel = h('select', {id: `role-${m.login}`, 'aria-label': t('mods.roleOf', {login: m.login}), disabled: self ? true : null,
              onchange: (e) => update(m.login, {role: e.target.value}, 'mods.roleChanged')},
            ROLES.map((r) => h('option', {value: r, selected: r === m.role ? true : null}, t(`role.${r}`))));
            return h('tr', {class: m.disabled ? 'disabled' : null},
              h('th', {scope: 'row', class: 'mono'}, m.login, self ? h('span', {class: 'chip small'}, t('mods.you')) : null),
              h('td', {}, sel),
              h('td', {}, h('span', {class: ['pill', m.disabled ? 'st-rejected' : 'st-approved']}, t(m.disabled ? 'mods.disabled' : 'mods.active'))),
              h('td', {class: 'muted'}, dateTime(m.created_at, {dateStyle: 'medium'})),
              h('td', {class: 'actions-cell'}, self ? null : h('button', {type: 'button', class: ['btn', 'small', m.disabled ? '' : 'danger-ghost'],
                onclick: () => update(m.login, {disabled: !m.disabled}, m.disabled ? 'mods.enabled' : 'mods.disabledDone')},
              t(m.disabled ? 'mods.enable' : 'mods.disable'), h('span', {class: 'visually-hidden'}, ` ${m.login}`))));
          })));

    replace(root, h('div', {class: 'page'},
      h('header', {class: 'page-head'}, h('h1', {}, t('mods.title'))),
      h('section', {class: 'card'}, table),
      h('section', {class: 'card'}, h('h2', {id: 'new-mod'}, t('mods.new')), form)));
  }

  return {
    mount(el) { root = el; render(); load(); },
    unmount() { alive = false; root = null; },
    relabel() { render(); },
    onKey() { return false; },
  };
}

export function settingsView(app) {
  let root = null;
  let cur = null;
  let error = '';
  let alive = true;

  async function load() {
    try {
      cur = await api('GET', '/v1/settings');
      error = '';
    } catch (e) {
      error = problemText(e);
    }
    if (alive) render();
  }

  function numberField(id, key, value, hintKey, attrs = {}) {
    return h('div', {class: 'field'},
      h('label', {for: id}, t(key)),
      h('input', {id, name: id, type: 'number', value: String(value), inputmode: 'decimal', 'aria-describedby': hintKey ? `${id}-hint` : null, ...attrs}),
      hintKey ? h('span', {class: 'hint', id: `${id}-hint`}, t(hintKey)) : null);
  }

  function render() {
    if (!root) return;
    if (!cur) {
      replace(root, h('div', {class: 'page'}, h('h1', {}, t('settings.title')), h('p', {class: error ? 'notice error' : 'muted', role: 'status'}, error || t('loading'))));
      return;
    }
    const status = h('p', {class: 'form-error', id: 'settings-error', role: 'alert', hidden: true});
    const thr = {min: 0, max: 1, step: 0.05};
    const form = h('form', {class: 'settings-form', 'aria-describedby': 'settings-error', onsubmit: (e) => save(e, status)},
      h('fieldset', {},
        h('legend', {}, t('settings.thresholds')),
        h('p', {class: 'hint'}, t('settings.thresholdsHint')),
        h('div', {class: 'grid-2'},
          numberField('spam_review', 'settings.spamReview', cur.spam_review, null, thr),
          numberField('spam_reject', 'settings.spamReject', cur.spam_reject, null, thr),
          numberField('troll_review', 'settings.trollReview', cur.troll_review, null, thr),
          numberField('troll_reject', 'settings.trollReject', cur.troll_reject, null, thr))),
      h('fieldset', {},
        h('legend', {}, t('settings.languages')),
        h('p', {class: 'hint', id: 'langs-hint'}, t('settings.languagesHint')),
        h('div', {class: 'checks', role: 'group', 'aria-describedby': 'langs-hint'},
          LANGUAGES.map((l) => h('label', {class: 'check'},
            h('input', {type: 'checkbox', name: 'languages', value: l, checked: (cur.languages || []).includes(l) ? true : null}),
            languageName(l), h('span', {class: 'muted mono small'}, l)))),
        h('div', {class: 'field'},
          h('label', {for: 'default_language'}, t('settings.defaultLanguage')),
          h('select', {id: 'default_language'}, LANGUAGES.map((l) => h('option', {value: l, selected: l === cur.default_language ? true : null}, languageName(l)))))),
      h('fieldset', {},
        h('legend', {}, t('settings.mode')),
        ['post', 'pre'].map((m) => h('label', {class: 'radio'},
          h('input', {type: 'radio', name: 'mode', value: m, checked: cur.mode === m ? true : null}),
          h('span', {}, h('strong', {}, t(`settings.mode.${m}`)), h('span', {class: 'hint block'}, t(`settings.mode.${m}.hint`)))))),
      h('fieldset', {},
        h('legend', {}, t('settings.authors')),
        h('div', {class: 'grid-2'},
          numberField('trust_after', 'settings.trustAfter', cur.trust_after, 'settings.trustAfterHint', {min: 0, step: 1, inputmode: 'numeric'}),
          numberField('premoderate_until', 'settings.premoderateUntil', cur.premoderate_until, 'settings.premoderateHint', {min: 0, step: 1, inputmode: 'numeric'}))),
      h('fieldset', {},
        h('legend', {}, t('settings.webhook')),
        h('div', {class: 'field'},
          h('label', {for: 'webhook_url'}, t('settings.webhookURL')),
          h('input', {id: 'webhook_url', type: 'url', value: cur.webhook_url || '', placeholder: 'https://', spellcheck: 'false'})),
        h('div', {class: 'field'},
          h('label', {for: 'webhook_secret'}, t('settings.webhookSecret')),
          h('input', {id: 'webhook_secret', type: 'password', autocomplete: 'new-password', 'aria-describedby': 'secret-hint', minlength: 16}),
          h('span', {class: 'hint', id: 'secret-hint'}, cur.webhook_secret_set ? t('settings.secretSet') : t('settings.secretUnset')))),
      status,
      h('div', {class: 'form-foot'}, h('button', {type: 'submit', class: 'btn primary'}, t('settings.save'))));
    replace(root, h('div', {class: 'page narrow'},
      h('header', {class: 'page-head'}, h('h1', {}, t('settings.title')), h('p', {class: 'muted'}, t('settings.tenant', {tenant: app.session.tenant}))),
      h('section', {class: 'card'}, form)));
  }

  async function save(e, status) {
    e.preventDefault();
    const f = e.target;
    const val = (id) => f.querySelector(`#${id}`).value;
    const change = {};
    for (const k of ['spam_review', 'spam_reject', 'troll_review', 'troll_reject', 'trust_after', 'premoderate_until']) {
      const v = Number(val(k));
      if (val(k) !== '' && v !== cur[k]) change[k] = v;
    }
    const langs = [...f.querySelectorAll('input[name=languages]:checked')].map((i) => i.value);
    if (langs.join(',') !== (cur.languages || []).join(',')) change.languages = langs;
    if (val('default_language') !== cur.default_language) change.default_language = val('default_language');
    const mode = (f.querySelector('input[name=mode]:checked') || {}).value;
    if (mode && mode !== cur.mode) change.mode = mode;
    const url = val('webhook_url').trim();
    if (url !== (cur.webhook_url || '')) change.webhook_url = url || null;
    const secret = val('webhook_secret');
    if (secret) change.webhook_secret = secret;
    if (!Object.keys(change).length) {
      app.toast(t('settings.unchanged'), {kind: 'info'});
      return;
    }
    try {
      cur = await api('PATCH', '/v1/settings', change);
      app.toast(t('settings.saved'), {kind: 'ok'});
      render();
    } catch (err) {
      status.textContent = problemText(err);
      status.hidden = false;
      const field = err.problem && err.problem.field;
      const bad = field && f.querySelector(`#${CSS.escape(field)}`);
      if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
    }
  }

  return {
    mount(el) { root = el; render(); load(); },
    unmount() { alive = false; root = null; },
    relabel() { render(); },
    onKey() { return false; },
  };
}
