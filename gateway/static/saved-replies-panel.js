/** The Message Center's small form for saved replies (a vendor's staff share their company's;
 * the administration keeps its own) and, for a vendor, the away message. Folded away by
 * default: it is set up once and used from the reply box (reply-picker.js). */
import {ApiError} from './api.js';
import {h, replace} from './dom.js';
import {t} from './strings.js';

// The names services/conversations/placeholders.py knows; another one is refused when saved.
const PLACEHOLDERS = ['customer_name', 'vendor_name', 'product_name', 'order_id', 'order_status'];

let fields = 0;

/** A labelled field whose API errors are shown beside it (aria-describedby, aria-invalid). */
function field(label, control, name) {
  const id = `saved-${name}-${++fields}`;
  control.id = id;
  const error = h('p', {class: 'error field-error', id: `${id}-error`});
  control.setAttribute('aria-describedby', error.id);
  control.addEventListener('input', () => { error.textContent = ''; control.removeAttribute('aria-invalid'); });
  return {control, error, name, element: h('div', {class: 'field'}, h('label', {for: id}, label), control, error)};
}

export class SavedRepliesPanel {
  constructor(host) {
    this.host = host;
    this.list = h('ul', {class: 'saved-list', 'aria-label': t('pickerLabel')});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.status = h('p', {class: 'note', role: 'status'});
    const title = field(t('savedTitle'), h('input', {type: 'text', name: 'title', maxlength: 120, required: true}), 'title');
    const body = field(t('savedBody'), h('textarea', {name: 'body', rows: 3, maxlength: 5000, required: true}), 'body');
    const form = h('form', {class: 'saved-new', novalidate: true, onsubmit: async (event) => {
      event.preventDefault();
      if (await this.send('POST', '/v1/saved-replies', {title: title.control.value, body: body.control.value},
        [title, body])) {
        form.reset();
        this.said(t('savedAdded'));
        await this.load();
        title.control.focus();
      }
    }},
    h('h3', {}, t('savedNew')),
    title.element, body.element,
    h('p', {class: 'muted'}, t('savedPlaceholders'), ' ', PLACEHOLDERS.map((name) => `{${name}}`).join(' ')),
    h('div', {class: 'buttons'}, h('button', {type: 'submit', class: 'primary'}, t('savedAdd'))));
    this.away = host.side === 'vendor' ? this.awayForm() : null;
    // A disclosure button rather than <details>: the filters' <summary> stays the page's only one.
    const content = h('div', {id: 'saved-replies-panel', class: 'saved-content', hidden: true},
      this.list, form, this.away, this.problem, this.status);
    const toggle = h('button', {type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-controls': 'saved-replies-panel',
      onclick: () => {
        const opening = content.hidden;
        content.hidden = !opening;
        toggle.setAttribute('aria-expanded', String(opening));
        if (opening) {
          this.load();
          if (this.away) this.loadAway();
        }
      }}, host.side === 'vendor' ? t('savedAndAwayTitle') : t('pickerLabel'));
    this.element = h('section', {class: 'saved-replies'}, toggle, content);
  }

  /** The call's answer (true for a 204), or null with the error shown: beside the field it
   * names when one of `fields` is named, in the panel's alert otherwise. */
  async send(method, path, body, named = []) {
    this.problem.textContent = '';
    this.status.textContent = '';
    try {
      return (await this.host.api.call(method, path, {body})) ?? true;
    } catch (error) {
      const details = error instanceof ApiError ? error.details || {} : {};
      const placed = named.filter((entry) => {
        const messages = [details[entry.name]].flat(Infinity).filter((item) => typeof item === 'string');
        if (!messages.length) return false;
        entry.error.textContent = messages.join(' ');
        entry.control.setAttribute('aria-invalid', 'true');
        return true;
      });
      if (placed.length) placed[0].control.focus();
      else this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      return null;
    }
  }

  said(text) { this.status.textContent = text; }

  async load(focusId = null) {
    let answer;
    try {
      answer = await this.host.api.get('/v1/saved-replies');
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      return;
    }
    replace(this.list, answer.items.length ? answer.items.map((reply) => this.replyView(reply))
      : h('li', {class: 'muted'}, t('savedNone')));
    if (focusId) this.list.querySelector(`[data-reply-id="${CSS.escape(focusId)}"] .edit`)?.focus();
    // The away message is read when the panel opens, not after each reply saved: a half-typed
    // one would be overwritten.
  }

  replyView(reply) {
    const edit = h('button', {type: 'button', class: 'edit', 'aria-label': t('savedEdit', {title: reply.title}),
      onclick: () => this.editForm(item, reply)}, t('edit'));
    const item = h('li', {class: 'saved-reply', 'data-reply-id': reply.id},
      h('div', {class: 'saved-head'}, h('strong', {class: 'saved-title'}, reply.title),
        h('span', {class: 'muted'}, t('savedUses', {count: reply.use_count}))),
      h('p', {class: 'saved-body'}, reply.body),
      h('div', {class: 'buttons'}, edit,
        h('button', {type: 'button', class: 'danger', 'aria-label': t('savedDelete', {title: reply.title}),
          onclick: async () => {
            if (await this.send('DELETE', `/v1/saved-replies/${encodeURIComponent(reply.id)}`)) {
              this.said(t('savedDeleted', {title: reply.title}));
              await this.load();
              this.element.querySelector('button[aria-controls]')?.focus(); // its row is gone
            }
          }}, t('delete'))));
    return item;
  }

  /** The reply's row becomes its form (PUT); Cancel or Save gives it back, focus on its Edit. */
  editForm(item, reply) {
    const title = field(t('savedTitle'), h('input', {type: 'text', name: 'title', maxlength: 120, required: true}), 'title');
    const body = field(t('savedBody'), h('textarea', {name: 'body', rows: 4, maxlength: 5000, required: true}), 'body');
    title.control.value = reply.title;
    body.control.value = reply.body;
    const back = () => {
      const view = this.replyView(reply);
      item.replaceWith(view);
      view.querySelector('.edit').focus();
    };
    const form = h('form', {class: 'saved-edit', novalidate: true, 'aria-label': t('savedEditing', {title: reply.title}),
      onsubmit: async (event) => {
        event.preventDefault();
        const saved = await this.send('PUT', `/v1/saved-replies/${encodeURIComponent(reply.id)}`,
          {title: title.control.value, body: body.control.value}, [title, body]);
        if (saved) {
          this.said(t('savedChanged', {title: saved.title}));
          await this.load(reply.id);
        }
      },
      onkeydown: (event) => { if (event.key === 'Escape') { event.preventDefault(); back(); } }},
    title.element, body.element,
    h('div', {class: 'buttons'},
      h('button', {type: 'submit', class: 'primary'}, t('savedSaveChanges')),
      h('button', {type: 'button', onclick: back}, t('cancel'))));
    replace(item, form);
    title.control.focus();
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
    h('h3', {}, t('awayTitle')),
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
