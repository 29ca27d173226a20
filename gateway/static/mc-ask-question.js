/** <mc-ask-question product-id | order-id | company-id>: the button and its dialog on a product,
 * order or store page; hidden when the public settings say so. */
import {ApiError, settingsFor} from './api.js';
import {FilePicker} from './attachments.js';
import {sendsNow} from './conversation.js';
import {h, newKey, replace} from './dom.js';
import {McElement} from './element.js';
import {t} from './strings.js';

const ASK_TARGETS = [
  {attribute: 'product-id', type: 'product', setting: 'show_on_product', title: 'askTitleProduct'},
  {attribute: 'order-id', type: 'order', setting: 'show_on_order', title: 'askTitleOrder'},
  {attribute: 'company-id', type: 'company', setting: 'show_on_vendor', title: 'askTitleCompany'},
];

export class AskQuestion extends McElement {
  static get observedAttributes() {
    return [...super.observedAttributes, 'product-id', 'order-id', 'company-id', 'messages-url', 'label'];
  }

  get target() {
    const found = ASK_TARGETS.find((target) => this.getAttribute(target.attribute));
    return found ? {...found, id: this.getAttribute(found.attribute)} : null;
  }

  async start() {
    const target = this.target;
    this.root.replaceChildren();
    if (!target) {
      this.hidden = true;
      return;
    }
    try {
      const settings = await settingsFor(this.apiBase);
      this.hidden = settings.customer_to_vendor_enabled === false || settings[target.setting] === false;
    } catch {
      this.hidden = false; // unknown settings: offer the button; sending tells what is wrong
    }
    if (this.hidden) return;
    this.render(target);
  }

  render(target) {
    const titleId = 'ask-title';
    this.question = h('textarea', {id: 'question', name: 'question', maxlength: 10000, rows: 5,
      'aria-describedby': 'question-shortcut', onkeydown: (event) => {
        if (!sendsNow(event)) return;
        event.preventDefault();
        this.form.requestSubmit();
      }});
    this.files = new FilePicker(this, 'question');
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.sendButton = h('button', {type: 'submit', class: 'primary'}, t('askSend'));
    this.form = h('form', {onsubmit: (event) => { event.preventDefault(); this.send(target); }},
      h('h2', {id: titleId}, t(target.title)),
      h('p', {class: 'muted'}, t('askHint')),
      h('label', {for: 'question'}, t('askLabel')),
      this.question,
      h('p', {class: 'muted hint', id: 'question-shortcut'}, t('sendShortcut')),
      this.files.element,
      this.problem,
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => this.dialog.close()}, t('cancel')),
        this.sendButton));
    this.sent = h('div', {class: 'sent', hidden: true});
    this.files.watch(this.form);
    this.dialog = h('dialog', {'aria-labelledby': titleId}, this.form, this.sent);
    this.button = h('button', {type: 'button', class: 'primary', 'aria-haspopup': 'dialog', onclick: () => this.open()},
      this.getAttribute('label') || t('askButton'));
    this.frame(h('div', {class: 'ask'}, this.button, this.dialog));
  }

  open() {
    this.key = newKey(); // one question, however often Send is pressed
    this.form.hidden = false;
    this.sent.hidden = true;
    this.problem.textContent = '';
    this.question.value = '';
    this.files.clear();
    this.sendButton.disabled = false;
    this.dialog.showModal();
    this.question.focus();
  }

  async send(target) {
    if (this.files.busy || this.files.failed) {
      this.problem.textContent = t('waitForUploads');
      return;
    }
    const attachments = this.files.ids;
    if (!this.question.value.trim() && !attachments.length) {
      this.problem.textContent = t('writeOrAttach');
      this.question.focus();
      return;
    }
    this.sendButton.disabled = true;
    this.sendButton.textContent = t('askSending');
    this.problem.textContent = '';
    try {
      const started = await this.api.post('/v1/threads', {
        type: 'vendor_to_customer', object: {type: target.type, id: target.id}, message: this.question.value,
        attachments,
      }, this.key);
      this.showSent(started.thread.id, started.message.moderation?.state);
      this.dispatchEvent(new CustomEvent('mc-thread-started', {
        bubbles: true, composed: true, detail: {threadId: started.thread.id, created: started.created},
      }));
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      this.sendButton.disabled = false;
      this.question.focus();
    } finally {
      this.sendButton.textContent = t('askSend');
    }
  }

  /** `moderation`: held (the marketplace reviews it first) or masked (details removed). */
  showSent(threadId, moderation) {
    const base = this.getAttribute('messages-url') || '';
    const link = h('a', {href: `${base}#mc-thread=${encodeURIComponent(threadId)}`,
      onclick: () => this.dialog.close()}, t('askOpenConversation'));
    const held = moderation === 'held';
    replace(this.sent,
      h('h2', {tabindex: '-1'}, held ? t('askHeldTitle') : t('askSentTitle')),
      h('p', {}, held ? t('askHeldText') : t('askSentText')),
      moderation === 'masked' ? h('p', {class: 'muted'}, t('askMaskedText')) : null,
      h('div', {class: 'actions'}, link, h('button', {type: 'button', onclick: () => this.dialog.close()}, t('close'))));
    this.form.hidden = true;
    this.sent.hidden = false;
    link.focus();
  }
}

if (!customElements.get('mc-ask-question')) customElements.define('mc-ask-question', AskQuestion);
