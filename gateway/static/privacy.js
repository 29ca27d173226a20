/** A customer's data on request (docs/privacy.md): "Download my data" in the customer's Messages
 * tab, and the administration's Privacy tab (manage_privacy): a customer's export, and their
 * erasure followed until it is done. */
import {confirmDialog} from './conversation.js';
import {h, replace} from './dom.js';
import {t} from './strings.js';

// Items a page of the export holds (the API's most): a customer with 50,000 messages is 50 calls.
const PAGE = 1000;
const ERASURE_POLL_MS = 2000;

/** Every page of an export, put together as one document: a conversation that went on from
 * one page to the next is one conversation again. */
export async function wholeExport(api, path) {
  const whole = {customer: null, conversations: [], preferences: null, notifications: []};
  let cursor = null;
  do {
    const page = await api.get(path, {limit: PAGE, cursor});
    if (page.customer) whole.customer = page.customer;
    if (page.preferences) whole.preferences = page.preferences;
    for (const {continued, ...conversation} of page.conversations) {
      const last = whole.conversations[whole.conversations.length - 1];
      if (continued && last?.id === conversation.id) last.messages.push(...conversation.messages);
      else whole.conversations.push(conversation);
    }
    whole.notifications.push(...page.notifications);
    cursor = page.next_cursor;
  } while (cursor);
  return whole;
}

/** The document handed to the person as a JSON file. */
function save(document_, name) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], {type: 'application/json'}));
  const link = h('a', {href: url, download: name, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** The customer's own: a button in the Messages tab's header, and what came of it. */
export class MyData {
  constructor(host) {
    this.host = host;
    this.status = h('span', {class: 'note', role: 'status'});
    this.button = h('button', {type: 'button', class: 'my-data', onclick: () => this.download()}, t('myDataDownload'));
    this.element = h('div', {class: 'my-data-bar'}, this.button, this.status);
  }

  async download() {
    this.button.disabled = true;
    replace(this.status, t('myDataPreparing'));
    try {
      save(await wholeExport(this.host.api, '/v1/privacy/me'), 'my-messages.json');
      replace(this.status, t('myDataDone'));
    } catch (error) {
      replace(this.status, error.sentence || t('errorGeneric'));
    } finally {
      this.button.disabled = false;
    }
  }
}

/** The administration's Privacy tab: a customer's data exported, or erased (asked twice). */
export class PrivacyRequests {
  constructor(host) {
    this.host = host;
    this.customer = h('input', {type: 'text', name: 'customer_id', required: true, maxlength: 64, autocomplete: 'off'});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.status = h('p', {class: 'note', role: 'status'});
    this.counts = h('div', {class: 'erasure-counts'});
    this.eraseButton = h('button', {type: 'button', onclick: () => this.erase()}, t('privacyErase'));
    this.form = h('form', {onsubmit: (event) => { event.preventDefault(); this.download(); }},
      h('h3', {}, t('privacyTitle')),
      h('p', {class: 'note'}, t('privacyIntro')),
      h('label', {}, t('privacyCustomerId'), this.customer),
      this.problem,
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('privacyDownload')), this.eraseButton),
      this.status,
      this.counts);
    this.element = h('div', {class: 'panel'}, this.form);
  }

  chosen() {
    const id = this.customer.value.trim();
    replace(this.problem, id ? '' : t('privacyNeedsCustomer'));
    if (!id) this.customer.focus();
    return id;
  }

  async download() {
    const id = this.chosen();
    if (!id) return;
    replace(this.status, t('privacyPreparing'));
    try {
      save(await wholeExport(this.host.api, `/v1/privacy/customers/${encodeURIComponent(id)}`), `customer-${id}.json`);
      replace(this.status, t('privacyDownloaded', {id}));
    } catch (error) {
      replace(this.status, '');
      replace(this.problem, error.sentence || t('errorGeneric'));
    }
  }

  async erase() {
    const id = this.chosen();
    if (!id) return;
    if (!(await confirmDialog(this.host, t('privacyEraseTitle', {id}), t('privacyEraseWarning'), t('privacyEraseConfirm')))) {
      this.eraseButton.focus();
      return;
    }
    replace(this.counts);
    replace(this.status, t('privacyErasing', {id}));
    try {
      const erasure = await this.host.api.call('DELETE', `/v1/privacy/customers/${encodeURIComponent(id)}`);
      this.follow(erasure.id, id);
    } catch (error) {
      replace(this.status, '');
      replace(this.problem, error.sentence || t('errorGeneric'));
    }
  }

  /** The erasure asked until it is done, then what it erased. */
  async follow(erasureId, customerId) {
    const erasure = await this.host.api.get(`/v1/privacy/erasures/${encodeURIComponent(erasureId)}`);
    if (erasure.status !== 'done') {
      setTimeout(() => this.follow(erasureId, customerId).catch((error) => replace(this.problem, error.sentence)), ERASURE_POLL_MS);
      return;
    }
    replace(this.status, t('privacyErased', {id: customerId}));
    const rows = Object.entries(erasure.counts).filter(([, count]) => count > 0)
      .map(([kind, count]) => h('tr', {}, h('th', {scope: 'row'}, kind.replaceAll('_', ' ')), h('td', {}, String(count))));
    replace(this.counts, h('table', {}, h('caption', {}, t('privacyCountsTitle')), h('tbody', {}, rows)));
  }
}
