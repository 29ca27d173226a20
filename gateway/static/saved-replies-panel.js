/** The Message Center's small form for saved replies (a vendor's staff share their company's;
 * the administration keeps its own) and, for a vendor, the away message. Folded away by
 * default: it is set up once and used from the reply box (reply-picker.js). */
import {ApiError} from './api.js';
import {h, replace} from './dom.js';
import {t} from './strings.js';

// The names services/conversations/placeholders.py knows; another one is refused when saved.
const PLACEHOLDERS = ['customer_name', 'vendor_name', 'product_name', 'order_id', 'order_status'];

export class SavedRepliesPanel {
  constructor(host) {
    this.host = host;
    this.list = h('ul', {class: 'saved-list', 'aria-label': t('pickerLabel')});
    this.problem = h('p', {class: 'error', role: 'alert'});
    const title = h('input', {type: 'text', name: 'title', maxlength: 120, required: true});
    const body = h('textarea', {name: 'body', rows: 3, maxlength: 5000, required: true});
    const form = h('form', {class: 'saved-new', onsubmit: async (event) => {
      event.preventDefault();
      if (await this.send('POST', '/v1/saved-replies', {title: title.value, body: body.value})) {
        form.reset();
        await this.load();
        title.focus();
      }
    }},
    h('label', {}, t('savedTitle'), title),
    h('label', {}, t('savedBody'), body),
    h('p', {class: 'muted'}, t('savedPlaceholders'), ' ', PLACEHOLDERS.map((name) => `{${name}}`).join(' ')),
    h('button', {type: 'submit'}, t('savedAdd')));
    this.away = host.side === 'vendor' ? this.awayForm() : null;
    // A disclosure button rather than <details>: the filters' <summary> stays the page's only one.
    const content = h('div', {id: 'saved-replies-panel', hidden: true}, this.list, form, this.away, this.problem);
    const toggle = h('button', {type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-controls': 'saved-replies-panel',
      onclick: () => {
        const opening = content.hidden;
        content.hidden = !opening;
        toggle.setAttribute('aria-expanded', String(opening));
        if (opening) this.load();
      }}, host.side === 'vendor' ? t('savedAndAwayTitle') : t('pickerLabel'));
    this.element = h('section', {class: 'saved-replies'}, toggle, content);
  }

  async send(method, path, body) {
    this.problem.textContent = '';
    try {
      return (await this.host.api.call(method, path, {body})) ?? true;
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      return null;
    }
  }

  async load() {
    let answer;
    try {
      answer = await this.host.api.get('/v1/saved-replies');
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      return;
    }
    replace(this.list, answer.items.length ? answer.items.map((reply) => h('li', {},
      h('strong', {}, reply.title), ' ', h('span', {class: 'muted'}, t('savedUses', {count: reply.use_count})), ' ',
      h('button', {type: 'button', class: 'link', 'aria-label': t('savedDelete', {title: reply.title}),
        onclick: async () => { if (await this.send('DELETE', `/v1/saved-replies/${encodeURIComponent(reply.id)}`)) this.load(); }},
      t('delete')))) : h('li', {class: 'muted'}, t('savedNone')));
    if (this.away) this.loadAway();
  }

  awayForm() {
    this.awayBody = h('textarea', {name: 'away-body', rows: 2, maxlength: 5000});
    this.awayFrom = h('input', {type: 'datetime-local', name: 'from'});
    this.awayTo = h('input', {type: 'datetime-local', name: 'to'});
    this.awayState = h('p', {class: 'muted', 'aria-live': 'polite'});
    const moment = (input) => (input.value ? new Date(input.value).toISOString() : '');
    return h('form', {class: 'away', onsubmit: async (event) => {
      event.preventDefault();
      const saved = await this.send('PUT', '/v1/away-message',
        {body: this.awayBody.value, from: moment(this.awayFrom), to: moment(this.awayTo)});
      if (saved) this.showAway(saved);
    }},
    h('h4', {}, t('awayTitle')),
    h('label', {}, t('awayBody'), this.awayBody),
    h('label', {}, t('awayFrom'), this.awayFrom),
    h('label', {}, t('awayUntil'), this.awayTo),
    this.awayState,
    h('div', {class: 'buttons'},
      h('button', {type: 'submit'}, t('awaySave')),
      h('button', {type: 'button', onclick: async () => {
        if (await this.send('DELETE', '/v1/away-message')) this.showAway(null);
      }}, t('awayOff'))));
  }

  async loadAway() {
    try {
      this.showAway(await this.host.api.get('/v1/away-message'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.showAway(null);
      else this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
    }
  }

  showAway(away) {
    const local = (iso) => {
      const date = new Date(iso);
      return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    };
    this.awayBody.value = away ? away.body : '';
    this.awayFrom.value = away ? local(away.from) : '';
    this.awayTo.value = away ? local(away.to) : '';
    this.awayState.textContent = !away ? t('awayNone') : away.active ? t('awayActive') : t('awayScheduled');
  }
}
