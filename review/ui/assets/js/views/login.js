// The login page: tenant, login and password, or an API token.

import * as API from '../api.js';
import {h, replace} from '../dom.js';
import {t, LANGS, currentLang, loadLang} from '../i18n.js';

const TENANT_KEY = 'vigie.tenant';

export function loginView(app, onLoggedIn) {
  let mode = 'password';
  let root = null;

  function field(id, key, attrs) {
    return h('div', {class: 'field'},
      h('label', {for: id}, t(key)),
      h('input', {id, name: id, ...attrs}));
  }

  function render(errorKey, errorText) {
    const flash = sessionStorage.getItem('vigie.flash');
    sessionStorage.removeItem('vigie.flash');
    const err = h('p', {class: 'form-error', id: 'login-error', role: 'alert', hidden: errorKey || errorText ? null : true},
      errorText || (errorKey ? t(errorKey) : ''));
    const submit = h('button', {class: 'btn primary block', type: 'submit', id: 'login-submit'}, t('login.submit'));
    const fields = mode === 'password'
      ? [field('tenant', 'login.tenant', {type: 'text', autocomplete: 'organization', required: true, spellcheck: 'false', autocapitalize: 'none', value: localStorage.getItem(TENANT_KEY) || ''}),
        field('login', 'login.login', {type: 'text', autocomplete: 'username', required: true, spellcheck: 'false', autocapitalize: 'none'}),
        field('password', 'login.password', {type: 'password', autocomplete: 'current-password', required: true})]
      : [field('token', 'login.token', {type: 'password', autocomplete: 'off', required: true, spellcheck: 'false'}),
        h('p', {class: 'hint'}, t('login.tokenHint'))];
    const form = h('form', {class: 'login-form', novalidate: true, 'aria-describedby': 'login-error', onsubmit: (e) => submitForm(e, form, submit)},
      fields, err, submit);
    const other = LANGS.find((l) => l !== currentLang());
    replace(root,
      h('div', {class: 'login-page'},
        h('section', {class: 'login-card', 'aria-labelledby': 'login-title'},
          h('div', {class: 'login-brand'}, h('span', {class: 'brand-mark large', 'aria-hidden': 'true'}), h('span', {}, 'Vigie')),
          h('h1', {id: 'login-title'}, t('login.title')),
          h('p', {class: 'muted'}, t('login.subtitle')),
          flash ? h('p', {class: ['notice', flash === 'session.expired' ? 'warn' : 'info'], role: 'status'}, t(flash)) : null,
          h('div', {class: 'tabs', role: 'group', 'aria-label': t('login.method')},
            h('button', {type: 'button', class: ['tab', mode === 'password' && 'active'], 'aria-pressed': String(mode === 'password'), onclick: () => { mode = 'password'; render(); }}, t('login.withPassword')),
            h('button', {type: 'button', class: ['tab', mode === 'token' && 'active'], 'aria-pressed': String(mode === 'token'), onclick: () => { mode = 'token'; render(); }}, t('login.withToken'))),
          form),
        h('p', {class: 'login-foot'},
          h('button', {type: 'button', class: 'btn link', lang: other, onclick: async () => { await loadLang(other, true); render(); }}, t(`lang.switch.${other}`)))));
    const first = root.querySelector('input:not([value]), input[value=""]') || root.querySelector('input');
    if (first) first.focus();
  }

  async function submitForm(e, form, submit) {
    e.preventDefault();
    const v = (id) => (form.querySelector(`#${id}`) || {}).value || '';
    const missing = [...form.querySelectorAll('input[required]')].find((i) => !i.value.trim());
    if (missing) {
      missing.setAttribute('aria-invalid', 'true');
      missing.focus();
      showError(form, t('login.missing'));
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.working');
    try {
      let session;
      if (mode === 'password') {
        localStorage.setItem(TENANT_KEY, v('tenant').trim());
        session = await API.login(v('tenant').trim(), v('login').trim(), v('password'));
      } else {
        session = await API.useToken(v('token').trim());
      }
      onLoggedIn(session);
    } catch (err) {
      submit.disabled = false;
      submit.textContent = t('login.submit');
      const pw = form.querySelector('#password, #token');
      if (pw) { pw.value = ''; pw.focus(); }
      showError(form, err.status === 401 ? t(mode === 'password' ? 'login.wrong' : 'login.wrongToken')
        : err.status === 429 ? t('login.tooMany') : t('error.generic', {detail: err.message}));
    }
  }

  function showError(form, text) {
    const el = form.querySelector('#login-error');
    el.textContent = text;
    el.hidden = false;
  }

  return {
    mount(el) { root = el; render(); },
    unmount() {},
    onKey() { return false; },
  };
}
