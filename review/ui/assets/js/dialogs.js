// Modal dialogs shared by views: banning an author with a reason.

import {api, enc} from './api.js';
import {h, icon} from './dom.js';
import {t, label} from './i18n.js';
import {REASONS} from './labels.js';

/**
 * banDialog asks for a reason (number keys 1–7 or the buttons), then bans
 * the author and rejects their comments still waiting. onDone gets the API's
 * answer ({banned, results}).
 */
export function banDialog(app, author, onDone) {
  const name = author.name || author.id;
  let busy = false;
  const status = h('p', {class: 'form-error', role: 'alert', hidden: true});
  async function ban(reason) {
    if (busy) return;
    busy = true;
    dlg.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    try {
      const res = await api('PUT', `/v1/authors/${enc(author.id)}/ban`, {reason});
      dlg.close();
      onDone(res, reason);
    } catch (e) {
      busy = false;
      dlg.querySelectorAll('button').forEach((b) => { b.disabled = false; });
      status.textContent = e.status === 403 ? t('ban.needSenior') : t('error.generic', {detail: e.message});
      status.hidden = false;
    }
  }
  const dlg = h('dialog', {class: 'dialog ban', id: 'ban-dialog', 'aria-labelledby': 'ban-title', 'aria-describedby': 'ban-desc'},
    h('div', {class: 'dialog-head'},
      h('h2', {id: 'ban-title'}, icon('ban'), t('ban.title', {name})),
      h('button', {class: 'btn ghost small', type: 'button', onclick: () => dlg.close(), 'aria-label': t('dialog.close')}, icon('x'))),
    h('p', {id: 'ban-desc'}, author.undecided > 0 ? t('ban.explainPending', {n: author.undecided}) : t('ban.explain')),
    h('p', {class: 'dialog-label'}, t('ban.reason')),
    h('div', {class: 'reasons', role: 'group', 'aria-label': t('ban.reason')},
      REASONS.map((r, i) => h('button', {type: 'button', class: 'btn reason', 'data-reason': r, onclick: () => ban(r), 'aria-keyshortcuts': String(i + 1)},
        h('kbd', {}, String(i + 1)), label('reason', r)))),
    status,
    h('div', {class: 'dialog-foot'},
      h('button', {type: 'button', class: 'btn', onclick: () => dlg.close()}, t('action.cancel'), h('kbd', {}, 'Esc'))));
  dlg.onKey = (ev) => {
    const n = Number(ev.key);
    if (n >= 1 && n <= REASONS.length) { ban(REASONS[n - 1]); return true; }
    return false;
  };
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}
