/** <mc-message-center>: the vendor's and the administration's page (the token's role decides
 * which): filters, bulk actions, and for the administration announcements and response times. */
import {Announcements, ResponseTimes, VendorNames} from './admin.js';
import {ApiError} from './api.js';
import {confirmDialog} from './conversation.js';
import {h, newKey} from './dom.js';
import {Inbox} from './inbox.js';
import {PrivacyRequests} from './privacy.js';
import {ReviewQueue} from './review.js';
import {SavedRepliesPanel} from './saved-replies-panel.js';
import {SettingsScreen, mayAdminister} from './settings-screen.js';
import {NewConversation, orderFromHash} from './start-conversation.js';
import {t} from './strings.js';

const RECEIPTS_REFRESH_MS = 5000;
// Held messages send no events (nobody is told of them until approved): the count is polled.
const REVIEW_REFRESH_MS = 15000;

export class MessageCenter extends Inbox {
  get staff() { return true; }

  build() {
    const admin = this.side === 'admin';
    this.bulkBar = this.buildBulkBar(admin);
    const conversations = h('div', {id: 'panel-conversations', role: admin ? 'tabpanel' : null,
      'aria-labelledby': admin ? 'tab-conversations' : null}, this.buildFilters(admin),
    new SavedRepliesPanel(this).element, this.buildWorkspace());
    const sections = [conversations];
    let tabs = null;
    if (admin) {
      this.vendorNames = new VendorNames(this);
      this.announcements = new Announcements(this);
      this.responseTimes = new ResponseTimes(this);
      this.review = new ReviewQueue(this, (count) => this.reviewCount(count));
      sections.push(this.announcements.element, this.responseTimes.element, this.review.element);
      const entries = [
        ['conversations', t('tabConversations'), conversations],
        ['review', t('tabReview'), this.review.element],
        ['announcements', t('tabAnnouncements'), this.announcements.element],
        ['response-times', t('tabResponseTimes'), this.responseTimes.element],
      ];
      // The privacy tab, for admins who answer customers' data requests.
      if (mayAdminister(this.claims, 'manage_privacy')) {
        this.privacy = new PrivacyRequests(this);
        sections.push(this.privacy.element);
        entries.push(['privacy', t('tabPrivacy'), this.privacy.element]);
      }
      // The settings tab, for admins whose token allows one of its sections.
      this.settings = new SettingsScreen(this);
      if (this.settings.allowed) {
        sections.push(this.settings.element);
        entries.push(['settings', t('tabSettings'), this.settings.element]);
      }
      tabs = this.buildTabs(entries);
      this.reviewTab = tabs.querySelector('#tab-review');
      this.reviewTab.hidden = true; // until the API says this admin may review
    }
    const header = this.buildHeader(t('centerTitle'));
    // Staff write first too: to the administration, to a vendor, to an order's customer.
    this.starter = new NewConversation(this);
    header.querySelector('.title').after(this.starter.element);
    this.frame(h('section', {class: 'frame center'}, header, tabs, sections));
    const order = orderFromHash();
    if (order) this.starter.open(order);
    if (admin) {
      this.every(RECEIPTS_REFRESH_MS, () => { if (!this.announcements.element.hidden) this.announcements.refresh(); });
      // Not asked without moderate_messages: the 403 would be the page's console error.
      if (mayAdminister(this.claims, 'moderate_messages')) this.review.refresh();
      this.every(REVIEW_REFRESH_MS, () => { if (!this.reviewTab.hidden) this.review.refresh(); });
    }
  }

  /** The review tab's count; null hides it (no moderate_messages). */
  reviewCount(count) {
    this.reviewTab.hidden = count === null;
    if (count !== null) this.reviewTab.textContent = t('tabReviewCount', {count});
  }

  buildTabs(entries) {
    const tabs = entries.map(([name, label, panel], index) => {
      panel.id = `panel-${name}`;
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', `tab-${name}`);
      panel.hidden = index !== 0;
      return h('button', {type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}`,
        'aria-selected': String(index === 0), tabindex: index === 0 ? '0' : '-1',
        onclick: () => choose(index)}, label);
    });
    const choose = (chosen, focus = false) => {
      tabs.forEach((tab, index) => {
        const on = index === chosen;
        tab.setAttribute('aria-selected', String(on));
        tab.tabIndex = on ? 0 : -1;
        entries[index][2].hidden = !on;
      });
      if (focus) tabs[chosen].focus();
      const name = entries[chosen][0];
      if (name === 'announcements') {
        this.announcements.refresh();
        this.announcements.audience.refresh();
      }
      if (name === 'response-times') this.responseTimes.load();
      if (name === 'review') this.review.refresh();
      if (name === 'settings') this.settings.load();
    };
    const list = h('div', {class: 'tabs', role: 'tablist', 'aria-label': t('tabsLabel')}, tabs);
    list.addEventListener('keydown', (event) => {
      // Among the tabs shown (the review tab is hidden from admins who may not review).
      const shown = tabs.filter((tab) => !tab.hidden);
      const current = shown.findIndex((tab) => tab.getAttribute('aria-selected') === 'true');
      const moves = {ArrowRight: 1, ArrowLeft: -1, Home: -current, End: shown.length - 1 - current};
      if (!(event.key in moves)) return;
      event.preventDefault();
      choose(tabs.indexOf(shown[(current + moves[event.key] + shown.length) % shown.length]), true);
    });
    return list;
  }

  buildFilters(admin) {
    const field = (name, label, control) => h('label', {}, label, control);
    const select = (name, options) => h('select', {name}, options.map(([value, label]) => h('option', {value}, label)));
    this.searchInput = h('input', {type: 'search', name: 'q', maxlength: 200});
    const grid = h('div', {class: 'filter-grid'},
      field('type', t('filterType'), select('type', [['', t('filterTypeAll')],
        ['vendor_to_customer', t('typeVendorToCustomer')], ['vendor_to_admin', t('typeVendorToAdmin')]])),
      field('status', t('filterStatus'), select('status', [['', t('filterStatusAny')], ['open', t('statusOpen')],
        ['closed', t('statusClosed')], ...(admin ? [['deleted', t('statusDeleted')]] : [])])),
      h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'unread'}), t('filterUnread')),
      h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'awaiting_reply'}), t('filterAwaiting')),
      h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'overdue'}), t('filterOverdue')),
      field('customer', t('filterCustomer'), h('input', {type: 'text', name: 'customer', maxlength: 200})),
      admin ? field('company_id', t('filterVendor'), h('input', {type: 'text', name: 'company_id', maxlength: 64})) : null,
      field('created_from', t('filterFrom'), h('input', {type: 'date', name: 'created_from'})),
      field('created_to', t('filterTo'), h('input', {type: 'date', name: 'created_to'})),
      h('div', {class: 'buttons'},
        h('button', {type: 'submit', class: 'primary'}, t('apply')),
        h('button', {type: 'reset'}, t('clear'))));
    this.filterSummary = h('summary', {}, t('filters'));
    this.filterDetails = h('details', {}, this.filterSummary, grid);
    if (this.getBoundingClientRect().width >= 900) this.filterDetails.open = true;
    this.filterForm = h('form', {class: 'filters', role: 'search', 'aria-label': t('filters'),
      onsubmit: (event) => { event.preventDefault(); this.applyFilters(); },
      onreset: () => setTimeout(() => this.applyFilters())},
    h('div', {class: 'searchbar'}, h('label', {}, t('search'), this.searchInput),
      h('button', {type: 'submit'}, t('searchButton'))),
    this.filterDetails);
    return this.filterForm;
  }

  query() {
    if (!this.filterForm) return {};
    const data = new FormData(this.filterForm);
    const text = (name) => (data.get(name) || '').toString().trim();
    const day = (name, after = 0) => {
      const value = text(name);
      if (!value) return undefined;
      const date = new Date(`${value}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() + after);
      return date.toISOString();
    };
    return {
      q: text('q'), type: text('type'), status: text('status'), customer: text('customer'),
      company_id: text('company_id'), unread: data.get('unread') ? 'true' : undefined,
      awaiting_reply: data.get('awaiting_reply') ? 'true' : undefined,
      overdue: data.get('overdue') ? 'true' : undefined,
      created_from: day('created_from'), created_to: day('created_to', 1),
    };
  }

  filtered() {
    return Object.values(this.query()).some((value) => value);
  }

  applyFilters() {
    const active = Object.entries(this.query()).filter(([name, value]) => value && name !== 'q').length;
    this.filterSummary.textContent = active ? t('filtersActive', {count: active}) : t('filters');
    this.list.reset();
    this.refreshList();
  }

  buildBulkBar(admin) {
    this.selectAll = h('input', {type: 'checkbox', onchange: (event) => {
      for (const item of this.list.items) {
        if (event.target.checked) this.list.selected.add(item.id);
        else this.list.selected.delete(item.id);
      }
      this.list.show(this.list.items);
      this.selectionChanged();
    }});
    this.selectedCount = h('span', {class: 'muted', 'aria-live': 'polite'});
    this.bulkReplyButton = h('button', {type: 'button', onclick: () => this.bulkReply()}, t('bulkReply'));
    this.bulkDeleteButton = admin ? h('button', {type: 'button', class: 'danger', onclick: () => this.bulkDelete()}, t('bulkDelete')) : null;
    return h('div', {class: 'bulk'},
      h('label', {class: 'check'}, this.selectAll, t('selectAll')),
      this.selectedCount, this.bulkReplyButton, this.bulkDeleteButton);
  }

  selectionChanged() {
    if (!this.selectAll) return;
    const count = this.list.selected.size;
    this.selectedCount.textContent = count ? t('selected', {count}) : '';
    this.bulkReplyButton.disabled = !count;
    if (this.bulkDeleteButton) this.bulkDeleteButton.disabled = !count;
    this.selectAll.checked = count > 0 && count === this.list.items.length;
    this.selectAll.indeterminate = count > 0 && count < this.list.items.length;
  }

  bulkReply() {
    const ids = [...this.list.selected];
    const box = h('textarea', {id: 'bulk-body', required: true, maxlength: 10000, rows: 5});
    const problem = h('p', {class: 'error', role: 'alert'});
    const key = newKey();
    const dialog = h('dialog', {'aria-labelledby': 'bulk-title'},
      h('form', {onsubmit: async (event) => {
        event.preventDefault();
        if (!box.value.trim()) { box.focus(); return; }
        try {
          const result = await this.api.call('POST', '/v1/threads/bulk', {body: {action: 'reply', thread_ids: ids, body: box.value}, key});
          dialog.close();
          this.bulkDone(result, ids.length);
        } catch (error) {
          problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
        }
      }},
      h('h2', {id: 'bulk-title'}, t('bulkReplyTitle', {count: ids.length})),
      h('label', {for: 'bulk-body'}, t('replyLabel')), box, problem,
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => dialog.close()}, t('cancel')),
        h('button', {type: 'submit', class: 'primary'}, t('send')))));
    dialog.addEventListener('close', () => { dialog.remove(); this.bulkReplyButton.focus(); });
    this.root.append(dialog);
    dialog.showModal();
    box.focus();
  }

  async bulkDelete() {
    const ids = [...this.list.selected];
    if (!(await confirmDialog(this, t('bulkDeleteTitle', {count: ids.length}), t('bulkDeleteText'), t('delete')))) return;
    try {
      const result = await this.api.post('/v1/threads/bulk', {action: 'delete', thread_ids: ids});
      this.bulkDone(result, ids.length);
    } catch (error) {
      this.announce(error instanceof ApiError ? error.sentence : t('errorGeneric'));
    }
  }

  bulkDone(result, count) {
    const done = (result.results || []).filter((outcome) => outcome.status < 300).length;
    this.list.selected.clear();
    this.announce(t('bulkDone', {done, count}));
    this.selectedCount.textContent = t('bulkDone', {done, count});
    this.refreshList();
    if (this.conversation.id) this.conversation.load();
  }
}

if (!customElements.get('mc-message-center')) customElements.define('mc-message-center', MessageCenter);
