/** Staff start conversations: a vendor writes to the administration, the administration to a
 * vendor found by name, either of them to the customer of an order. And the vendor picker
 * (an ARIA combobox: arrows, Enter, Escape) the announcements choose their audience with. */
import {ApiError, settingsFor} from './api.js';
import {h, newKey, replace} from './dom.js';
import {t} from './strings.js';

const SEARCH_DELAY_MS = 200;
const SHOWN_VENDORS = 8;
let pickers = 0;

/** An input that finds a vendor by name as it is typed; `onChoose(vendor)` once one is picked. */
export class VendorPicker {
  constructor(host, {label, status = null, onChoose}) {
    this.host = host;
    this.status = status;
    this.onChoose = onChoose;
    this.options = [];
    this.active = -1;
    const id = `vendor-picker-${++pickers}`;
    this.listId = `${id}-list`;
    this.input = h('input', {type: 'text', id, role: 'combobox', autocomplete: 'off', maxlength: 100,
      'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': this.listId,
      placeholder: t('pickVendorPlaceholder')});
    this.list = h('ul', {id: this.listId, role: 'listbox', class: 'picker-options', 'aria-label': label, hidden: true});
    this.found = h('p', {class: 'visually-hidden', role: 'status'});
    this.element = h('div', {class: 'vendor-picker'}, h('label', {for: id}, label), this.input, this.list, this.found);
    this.input.addEventListener('input', () => this.searchSoon());
    this.input.addEventListener('focus', () => { if (!this.input.value) this.searchSoon(); });
    this.input.addEventListener('keydown', (event) => this.key(event));
    this.input.addEventListener('blur', () => setTimeout(() => this.close(), 150));
  }

  searchSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(), SEARCH_DELAY_MS);
  }

  async search() {
    const asked = this.input.value.trim();
    const query = {q: asked, limit: SHOWN_VENDORS};
    if (this.status) query.status = this.status;
    try {
      const page = await this.host.api.get('/v1/catalog/vendors', query);
      if (asked !== this.input.value.trim()) return; // typed on meanwhile: a newer search follows
      this.show(page.items);
      this.found.textContent = page.items.length ? t('vendorsFound', {count: page.total}) : t('noVendorMatches');
    } catch (error) {
      this.show([]);
      this.found.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
    }
  }

  show(vendors) {
    this.options = vendors;
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
    replace(this.list, vendors.length ? vendors.map((vendor, index) => h('li', {
      role: 'option', id: `${this.listId}-${index}`, 'aria-selected': 'false',
      onmousedown: (event) => event.preventDefault(), // the input keeps the focus
      onclick: () => this.choose(index),
    }, vendor.name, vendor.status !== 'A' ? h('span', {class: 'muted'}, ` · ${t(`vendorStatus${vendor.status}`)}`) : null))
      : h('li', {role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', id: `${this.listId}-none`,
        class: 'muted'}, t('noVendorMatches')));
    this.open(true);
  }

  open(on) {
    this.list.hidden = !on;
    this.input.setAttribute('aria-expanded', String(on));
  }

  close() {
    this.open(false);
    this.active = -1;
    this.input.removeAttribute('aria-activedescendant');
  }

  move(step) {
    if (!this.options.length) return;
    this.active = (this.active + step + this.options.length) % this.options.length;
    [...this.list.children].forEach((option, index) => option.setAttribute('aria-selected', String(index === this.active)));
    const option = this.list.children[this.active];
    this.input.setAttribute('aria-activedescendant', option.id);
    option.scrollIntoView({block: 'nearest'});
  }

  key(event) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (this.list.hidden) {
        clearTimeout(this.timer);
        this.search().then(() => this.move(event.key === 'ArrowDown' ? 1 : -1));
        return;
      }
      this.move(event.key === 'ArrowDown' ? 1 : -1);
    } else if (event.key === 'Enter' && !this.list.hidden) {
      event.preventDefault(); // choosing is not sending the form
      if (this.active >= 0) this.choose(this.active);
    } else if (event.key === 'Escape' && !this.list.hidden) {
      event.preventDefault();
      event.stopPropagation(); // the list closes, not the dialog around it
      this.close();
    }
  }

  choose(index) {
    const vendor = this.options[index];
    this.close();
    this.onChoose(vendor);
  }

  clear() {
    this.input.value = '';
    this.close();
  }
}

/** Whom an announcement goes to: every active vendor, or vendors chosen by name; and how many. */
export class Audience {
  constructor(host, onChange) {
    this.host = host;
    this.onChange = onChange;
    this.chosen = new Map();
    this.activeCount = null;
    this.all = h('input', {type: 'radio', name: 'audience', value: 'all', checked: true, onchange: () => this.changed()});
    this.some = h('input', {type: 'radio', name: 'audience', value: 'some', onchange: () => this.changed()});
    this.picker = new VendorPicker(host, {label: t('announceFindVendor'), status: 'A', onChoose: (vendor) => {
      this.chosen.set(vendor.company_id, vendor.name);
      this.picker.clear();
      this.some.checked = true;
      this.changed();
    }});
    this.chips = h('ul', {class: 'chips', 'aria-label': t('announceChosen')});
    this.count = h('p', {class: 'audience-count', role: 'status'});
    this.element = h('fieldset', {},
      h('legend', {}, t('announceTo')),
      h('label', {class: 'check'}, this.all, t('announceAll')),
      h('label', {class: 'check'}, this.some, t('announceSome')),
      this.picker.element, this.chips, this.count);
  }

  async refresh() {
    try {
      this.activeCount = (await this.host.api.get('/v1/catalog/vendors', {status: 'A', limit: 1})).total;
    } catch {
      this.activeCount = null;
    }
    this.changed();
  }

  /** What /v1/broadcasts takes: "all", or the chosen vendors' ids. */
  get companyIds() {
    return this.all.checked ? 'all' : [...this.chosen.keys()];
  }

  get size() {
    return this.all.checked ? this.activeCount : this.chosen.size;
  }

  changed() {
    replace(this.chips, [...this.chosen].map(([companyId, name]) => h('li', {},
      h('span', {}, name),
      h('button', {type: 'button', class: 'link', 'aria-label': t('announceRemoveVendor', {name}),
        onclick: () => { this.chosen.delete(companyId); this.changed(); this.picker.input.focus(); }}, '×'))));
    this.chips.hidden = !this.chosen.size;
    const size = this.size;
    this.count.textContent = size === null ? '' : t('announceWillReach', {count: size});
    this.onChange?.();
  }

  reset() {
    this.chosen.clear();
    this.all.checked = true;
    this.changed();
  }
}

const ROUTES = {
  vendor: [['admin', 'startToAdmin'], ['order', 'startToCustomer']],
  admin: [['vendor', 'startToVendor'], ['order', 'startToCustomer']],
};

/** The "New conversation" button of the Message Center, and its dialog. */
export class NewConversation {
  constructor(host) {
    this.host = host;
    this.routes = ROUTES[host.side] || [];
    this.button = h('button', {type: 'button', class: 'primary', 'aria-haspopup': 'dialog', onclick: () => this.open()},
      t('startButton'));
    this.element = h('div', {class: 'start'}, this.button);
    this.element.hidden = !this.routes.length;
    if (host.side === 'vendor') this.followSettings();
  }

  async followSettings() {
    try {
      const settings = await settingsFor(this.host.apiBase);
      if (settings.vendor_to_admin_enabled === false) this.routes = this.routes.filter(([route]) => route !== 'admin');
    } catch {
      // unknown settings: offer every way; sending tells what is not allowed
    }
  }

  /** Open the dialog; `orderId` starts it on the customer of that order (from the order's page). */
  open(orderId = null) {
    if (!this.routes.length) return;
    this.key = newKey();
    this.vendor = null;
    this.order = null;
    const titleId = 'start-title';
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.choices = this.routes.map(([route, label], index) => h('label', {class: 'check'},
      h('input', {type: 'radio', name: 'route', value: route, checked: index === 0, onchange: () => this.routeChanged()}),
      t(label)));
    this.vendorPicker = new VendorPicker(this.host, {label: t('startVendor'), onChoose: (vendor) => this.pickVendor(vendor)});
    this.vendorChosen = h('p', {class: 'chosen', role: 'status'});
    this.orderInput = h('input', {type: 'text', id: 'start-order', name: 'order', maxlength: 64, inputmode: 'numeric',
      onkeydown: (event) => { if (event.key === 'Enter') { event.preventDefault(); this.findOrder(); } }});
    this.orderShown = h('div', {class: 'order-found', role: 'status'});
    this.subject = h('input', {type: 'text', id: 'start-subject', name: 'subject', maxlength: 200});
    this.message = h('textarea', {id: 'start-message', name: 'message', maxlength: 10000, rows: 5});
    this.sendButton = h('button', {type: 'submit', class: 'primary'}, t('send'));
    this.vendorPart = h('div', {class: 'route-part'}, this.vendorPicker.element, this.vendorChosen);
    this.orderPart = h('div', {class: 'route-part'},
      h('label', {for: 'start-order'}, t('startOrder')),
      h('div', {class: 'row'}, this.orderInput, h('button', {type: 'button', onclick: () => this.findOrder()}, t('startFindOrder'))),
      this.orderShown);
    this.form = h('form', {onsubmit: (event) => { event.preventDefault(); this.send(); }},
      h('h2', {id: titleId}, t('startTitle')),
      this.choices.length > 1 ? h('fieldset', {}, h('legend', {}, t('startTo')), this.choices) : null,
      this.vendorPart, this.orderPart,
      h('label', {for: 'start-subject'}, t('startSubject')), this.subject,
      h('label', {for: 'start-message'}, t('startMessage')), this.message,
      this.problem,
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => this.dialog.close()}, t('cancel')),
        this.sendButton));
    this.dialog = h('dialog', {'aria-labelledby': titleId, class: 'start-dialog'}, this.form);
    this.dialog.addEventListener('close', () => { this.dialog.remove(); this.button.focus(); });
    this.host.root.append(this.dialog);
    if (orderId) {
      const orderChoice = this.form.querySelector('input[value=order]');
      if (orderChoice) orderChoice.checked = true;
      this.orderInput.value = orderId;
      this.findOrder();
    }
    this.routeChanged();
    this.dialog.showModal();
    (this.route === 'vendor' ? this.vendorPicker.input : this.route === 'order' && !orderId ? this.orderInput
      : this.route === 'order' ? this.message : this.subject).focus();
  }

  get route() {
    const checked = this.form.querySelector('input[name=route]:checked');
    return checked ? checked.value : this.routes[0][0];
  }

  routeChanged() {
    this.vendorPart.hidden = this.route !== 'vendor';
    this.orderPart.hidden = this.route !== 'order';
    // An order's conversation is titled by its order; a conversation about nothing needs a subject.
    this.subject.required = this.route !== 'order';
    this.subject.placeholder = this.route === 'order' ? t('startSubjectOptional') : '';
    this.problem.textContent = '';
  }

  pickVendor(vendor) {
    this.vendor = vendor;
    this.vendorPicker.input.value = vendor.name;
    this.vendorChosen.textContent = t('startVendorChosen', {name: vendor.name});
  }

  async findOrder() {
    const orderId = this.orderInput.value.trim().replace(/^#/, '');
    this.order = null;
    this.problem.textContent = '';
    if (!orderId) {
      replace(this.orderShown);
      return;
    }
    try {
      const resolved = await this.host.api.get(`/v1/context/order/${encodeURIComponent(orderId)}`);
      const customer = resolved.context.customer || {};
      if (!resolved.customer_id) {
        replace(this.orderShown, h('p', {class: 'error'}, t('startOrderGuest', {number: orderId})));
        return;
      }
      this.order = {id: resolved.object.id, customer};
      replace(this.orderShown, h('p', {}, t('startOrderFound', {number: resolved.context.number || orderId,
        name: customer.name || t('startTheCustomer')})));
    } catch (error) {
      replace(this.orderShown, h('p', {class: 'error'}, error instanceof ApiError && error.status === 404
        ? t('startOrderUnknown', {number: orderId}) : t('errorGeneric')));
    }
  }

  body() {
    const subject = this.subject.value.trim();
    const message = this.message.value;
    if (this.route === 'order') {
      return {type: 'vendor_to_customer', object: {type: 'order', id: this.order.id}, message,
        ...(subject ? {subject} : {})};
    }
    return {type: 'vendor_to_admin', object: {type: 'none'}, subject, message,
      ...(this.route === 'vendor' ? {company_id: this.vendor.company_id} : {})};
  }

  /** What is missing, with the field to go to; null when the conversation can start. */
  missing() {
    if (this.route === 'vendor' && !this.vendor) return [t('startPickVendor'), this.vendorPicker.input];
    if (this.route === 'order' && !this.order) return [t('startPickOrder'), this.orderInput];
    if (this.route !== 'order' && !this.subject.value.trim()) return [t('startNeedsSubject'), this.subject];
    if (!this.message.value.trim()) return [t('writeOrAttach'), this.message];
    return null;
  }

  async send() {
    const missing = this.missing();
    if (missing) {
      this.problem.textContent = missing[0];
      missing[1].focus();
      return;
    }
    this.sendButton.disabled = true;
    this.problem.textContent = '';
    try {
      const started = await this.host.api.post('/v1/threads', this.body(), this.key);
      this.dialog.close();
      this.host.dispatchEvent(new CustomEvent('mc-thread-started', {
        bubbles: true, composed: true, detail: {threadId: started.thread.id, created: started.created},
      }));
      // The same parties' open conversation goes on (rules.open_key): say so, it is not a new one.
      this.host.announce(t(started.created ? 'startSent' : 'startAppended'));
      this.host.openThread(started.thread.id);
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      this.sendButton.disabled = false;
    }
  }
}

/** The order an embedding page asks to write about: `#mc-write-order=<id>` (the order page's
 * "Message the customer" link). */
export function orderFromHash() {
  const match = /(?:^#|&)mc-write-order=([^&]+)/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}
