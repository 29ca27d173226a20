/** The reply box's saved replies: `/` typed at the start of a line opens a searchable list of
 * the caller's saved replies (keyboard first: arrows move, Enter inserts, Escape closes and
 * gives the box its focus back). Inserting one fills its placeholders from the thread
 * (GET …/filled); the message sent then names the reply, which counts the use on the server. */
import {ApiError} from './api.js';
import {h, replace} from './dom.js';
import {t} from './strings.js';

let pickers = 0;

export class ReplyPicker {
  constructor(api, threadId) {
    this.api = api;
    this.threadId = threadId;
    this.replies = null; // fetched when first opened, kept for this conversation
    this.used = null;    // the saved reply inserted since the last message sent
    this.number = ++pickers;
    this.element = h('div', {class: 'picker', hidden: true});
  }

  /** The reply box is made anew at each render: listen to the new one. */
  attach(box) {
    this.box = box;
    box.setAttribute('aria-describedby', `picker-hint-${this.number}`);
    box.addEventListener('keydown', (event) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      const before = box.value.slice(0, box.selectionStart);
      if (before !== '' && !before.endsWith('\n')) return; // a slash inside a sentence is a slash
      event.preventDefault();
      this.open();
    });
    // The button is the way in without a keyboard (a touch screen); `/` stays the quick one.
    this.button = h('button', {type: 'button', class: 'picker-open', 'aria-haspopup': 'listbox', 'aria-expanded': 'false',
      'aria-controls': `picker-${this.number}`, onclick: () => (this.element.hidden ? this.open(this.button) : this.close())},
    t('pickerOpen'));
    this.element.id = `picker-${this.number}`;
    return [h('div', {class: 'picker-bar'}, this.button,
      h('p', {class: 'muted hint', id: `picker-hint-${this.number}`}, t('pickerHint'))), this.element];
  }

  sent() { this.used = null; }

  /** `opener`: what gets the focus back on Escape (the button that opened it, or the box). */
  async open(opener = null) {
    this.opener = opener;
    this.button?.setAttribute('aria-expanded', 'true');
    const listId = `picker-list-${this.number}`;
    this.search = h('input', {type: 'search', role: 'combobox', 'aria-expanded': 'true', 'aria-controls': listId,
      'aria-autocomplete': 'list', 'aria-label': t('pickerSearch'), placeholder: t('pickerSearch'),
      oninput: () => { this.active = 0; this.show(); }, onkeydown: (event) => this.key(event)});
    this.list = h('ul', {role: 'listbox', id: listId, 'aria-label': t('pickerLabel')});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.active = 0;
    replace(this.element, this.search, this.list, this.problem);
    this.element.hidden = false;
    this.search.focus();
    if (this.replies === null) {
      replace(this.list, h('li', {class: 'muted'}, t('loading')));
      try {
        this.replies = (await this.api.get('/v1/saved-replies')).items;
      } catch (error) {
        this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
        return;
      }
    }
    this.show();
  }

  matching() {
    const words = (this.search.value || '').trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
    return (this.replies || []).filter((reply) => {
      const text = `${reply.title} ${reply.body}`.toLocaleLowerCase();
      return words.every((word) => text.includes(word));
    });
  }

  show() {
    const found = this.matching();
    this.active = Math.max(0, Math.min(this.active, found.length - 1));
    replace(this.list, found.length ? found.map((reply, index) => h('li', {
      role: 'option', id: `picker-${this.number}-${index}`, 'aria-selected': String(index === this.active),
      class: index === this.active ? 'active' : null,
      onmousedown: (event) => { event.preventDefault(); this.choose(reply); },
    }, h('strong', {}, reply.title), ' ', h('span', {class: 'muted'}, reply.body))) : h('li', {class: 'muted'}, t('pickerEmpty')));
    if (found.length) this.search.setAttribute('aria-activedescendant', `picker-${this.number}-${this.active}`);
    else this.search.removeAttribute('aria-activedescendant');
  }

  key(event) {
    const found = this.matching();
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (!found.length) return;
      this.active = (this.active + (event.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
      this.show();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (found[this.active]) this.choose(found[this.active]);
    } else if (event.key === 'Home' || event.key === 'End') {
      if (!found.length || this.search.value) return; // in a typed search they move the caret
      event.preventDefault();
      this.active = event.key === 'Home' ? 0 : found.length - 1;
      this.show();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.close(this.opener);
    }
  }

  async choose(reply) {
    let filled;
    try {
      filled = await this.api.get(`/v1/saved-replies/${encodeURIComponent(reply.id)}/filled`, {thread_id: this.threadId});
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      return;
    }
    const box = this.box;
    const at = box.selectionStart;
    box.value = box.value.slice(0, at) + filled.text + box.value.slice(box.selectionEnd);
    this.used = reply.id;
    this.close();
    box.setSelectionRange(at + filled.text.length, at + filled.text.length);
  }

  close(focus = this.box) {
    this.element.hidden = true;
    replace(this.element);
    this.button?.setAttribute('aria-expanded', 'false');
    (focus && focus.isConnected ? focus : this.box)?.focus();
  }
}
