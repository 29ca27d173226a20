/** The administration's tools: vendors' names (threads and receipts carry only ids; the
 * customer's list names them too),
 * announcements with read receipts, and the vendors' response-time figures. */
import {ApiError} from './api.js';
import {h, newKey, replace} from './dom.js';
import {formatDuration, formatShare, formatTime} from './format.js';
import {Audience} from './start-conversation.js';
import {t} from './strings.js';

export class VendorNames {
  constructor(host) {
    this.host = host;
    this.names = new Map();
    this.logos = new Map(); // the catalog's logo of a vendor, when it has one
    this.loading = new Map();
  }

  /** The name when it is known; otherwise null, and `then` is called once it is. */
  known(companyId, then) {
    if (this.names.has(companyId)) return this.names.get(companyId);
    this.name(companyId).then(() => then());
    return null;
  }

  name(companyId) {
    if (!this.loading.has(companyId)) {
      this.loading.set(companyId, this.host.api.get(`/v1/context/company/${encodeURIComponent(companyId)}`)
        .then((resolved) => {
          if (resolved.summary?.image_url) this.logos.set(companyId, resolved.summary.image_url);
          return resolved.context?.name;
        }, () => null)
        .then((name) => {
          const shown = name || t('vendorLabel', {id: companyId});
          this.names.set(companyId, shown);
          return shown;
        }));
    }
    return this.loading.get(companyId);
  }
}

const SENT_ANNOUNCEMENTS = 'mc-announcements';

export class Announcements {
  constructor(host) {
    this.host = host;
    this.ids = this.remembered();
    this.audience = new Audience(host);
    this.subject = h('input', {type: 'text', name: 'subject', required: true, maxlength: 200});
    this.message = h('textarea', {name: 'message', required: true, maxlength: 10000, rows: 5});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.result = h('p', {class: 'note', role: 'status'});
    this.form = h('form', {onsubmit: (event) => { event.preventDefault(); this.send(); }},
      h('h3', {}, t('announceTitle')),
      this.audience.element,
      h('label', {}, t('announceSubject'), this.subject),
      h('label', {}, t('announceMessage'), this.message),
      this.problem,
      h('div', {}, h('button', {type: 'submit', class: 'primary'}, t('announceSend'))),
      this.result);
    this.receipts = h('div', {class: 'receipts'});
    this.element = h('div', {class: 'panel'}, this.form,
      h('section', {'aria-labelledby': 'receipts-title'}, h('h3', {id: 'receipts-title'}, t('receiptsTitle')), this.receipts));
  }

  remembered() {
    try {
      return JSON.parse(localStorage.getItem(SENT_ANNOUNCEMENTS) || '[]').slice(0, 10);
    } catch {
      return [];
    }
  }

  remember(id) {
    this.ids = [id, ...this.ids.filter((known) => known !== id)].slice(0, 10);
    try {
      localStorage.setItem(SENT_ANNOUNCEMENTS, JSON.stringify(this.ids));
    } catch {
      // private browsing: receipts stay for this page only
    }
  }

  async send() {
    const companyIds = this.audience.companyIds;
    this.problem.textContent = '';
    if (!companyIds.length) {
      this.problem.textContent = t('announceNoVendors');
      this.audience.picker.input.focus();
      return;
    }
    try {
      const sent = await this.host.api.post('/v1/broadcasts', {company_ids: companyIds, subject: this.subject.value,
        message: this.message.value}, this.key || (this.key = newKey()));
      this.key = null;
      this.remember(sent.id);
      this.result.textContent = t('announceSent', {count: sent.thread_count});
      this.subject.value = '';
      this.message.value = '';
      this.audience.reset();
      await this.refresh();
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
    }
  }

  async refresh() {
    if (!this.ids.length) {
      replace(this.receipts, h('p', {class: 'muted'}, t('receiptsNone')));
      return;
    }
    const shown = await Promise.all(this.ids.map((id) => this.host.api.get(`/v1/broadcasts/${encodeURIComponent(id)}`)
      .catch(() => null)));
    const views = [];
    for (const status of shown.filter(Boolean)) {
      const rows = await Promise.all(status.vendors.map(async (vendor) => h('tr', {},
        h('td', {}, await this.host.vendorNames.name(vendor.company_id)),
        h('td', {}, vendor.read ? t('receiptYes') : t('receiptNo')),
        h('td', {}, vendor.read_at ? h('time', {datetime: vendor.read_at}, formatTime(vendor.read_at)) : t('nothing')))));
      views.push(h('article', {class: 'receipt', 'data-broadcast-id': status.id},
        h('div', {class: 'row'},
          h('h4', {}, status.subject),
          h('time', {class: 'muted', datetime: status.created_at}, formatTime(status.created_at))),
        h('p', {class: 'read-count'}, status.status === 'sending'
          ? t('receiptsSending', {written: status.vendors.length, count: status.thread_count})
          : t('receiptsCount', {read: status.read_count, count: status.thread_count})),
        h('div', {class: 'table-wrap'}, h('table', {},
          h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, t('receiptVendor')), h('th', {scope: 'col'}, t('receiptRead')),
            h('th', {scope: 'col'}, t('receiptWhen')))),
          h('tbody', {}, rows)))));
    }
    replace(this.receipts, h('div', {}, h('button', {type: 'button', onclick: () => this.refresh()}, t('refresh'))), views);
    // An announcement to many vendors is written after the answer: look again until it is.
    clearTimeout(this.again);
    if (shown.some((status) => status && status.status === 'sending')) this.again = setTimeout(() => this.refresh(), 2000);
  }
}

export class ResponseTimes {
  constructor(host) {
    this.host = host;
    const today = new Date();
    const monthAgo = new Date(today.getTime() - 30 * 86400000);
    const day = (date) => date.toISOString().slice(0, 10);
    this.from = h('input', {type: 'date', name: 'from', value: day(monthAgo)});
    this.to = h('input', {type: 'date', name: 'to', value: day(today)});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.table = h('div', {class: 'table-wrap'});
    this.element = h('div', {class: 'panel'},
      h('form', {onsubmit: (event) => { event.preventDefault(); this.load(); }},
        h('h3', {}, t('timesTitle')),
        h('div', {class: 'filter-grid'}, h('label', {}, t('timesFrom'), this.from), h('label', {}, t('timesTo'), this.to),
          h('div', {class: 'buttons'}, h('button', {type: 'submit', class: 'primary'}, t('timesShow'))))),
      this.problem, this.table);
  }

  async load() {
    const start = new Date(`${this.from.value}T00:00:00Z`);
    const end = new Date(`${this.to.value}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    this.problem.textContent = '';
    try {
      const figures = await this.host.api.get('/v1/reports/response-times', {from: start.toISOString(), to: end.toISOString()});
      if (!figures.vendors.length) {
        replace(this.table, h('p', {class: 'muted'}, t('timesNone')));
        return;
      }
      const names = await Promise.all(figures.vendors.map((vendor) => this.host.vendorNames.name(vendor.company_id)));
      replace(this.table, h('table', {},
        h('caption', {}, t('timesTitle')),
        h('thead', {}, h('tr', {}, [t('timesVendor'), t('timesThreads'), t('timesAnswered'), t('timesMedian'), t('timesWithinDay')]
          .map((label) => h('th', {scope: 'col'}, label)))),
        h('tbody', {}, figures.vendors.map((vendor, index) => h('tr', {},
          h('th', {scope: 'row'}, names[index]),
          h('td', {}, String(vendor.threads)),
          h('td', {}, String(vendor.answered)),
          h('td', {}, formatDuration(vendor.median_first_reply_seconds)),
          h('td', {}, formatShare(vendor.answered_within_24h_share)))))));
    } catch (error) {
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
    }
  }
}
