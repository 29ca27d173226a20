/** The list of threads, shared by both pages: rows keep their elements (and focus) on refresh. */
import {h, replace} from './dom.js';
import {formatTime, sideLabel} from './format.js';
import {t} from './strings.js';

export class ThreadList {
  constructor(host, {selectable}) {
    this.host = host;
    this.selectable = selectable;
    this.rows = new Map();
    this.items = [];
    this.selected = new Set();
    this.current = null;
    this.element = h('ul', {class: 'threads', 'aria-label': t('conversations')});
  }

  show(items) {
    const previous = new Map(this.items.map((item) => [item.id, item]));
    this.items = items;
    const wanted = new Set(items.map((item) => item.id));
    for (const [id, row] of this.rows) {
      if (!wanted.has(id)) {
        row.remove();
        this.rows.delete(id);
        this.selected.delete(id);
      }
    }
    items.forEach((item, index) => {
      let row = this.rows.get(item.id);
      if (!row) {
        row = this.newRow(item);
        this.rows.set(item.id, row);
      }
      this.fill(row, item);
      if (this.element.children[index] !== row) this.element.insertBefore(row, this.element.children[index] || null);
    });
    // What others wrote since the last look: changed threads, and new ones after the first load.
    const news = items.filter((item) => {
      const before = previous.get(item.id);
      const changed = before ? before.last_message?.id !== item.last_message?.id : this.loaded;
      return changed && item.last_message && item.last_message.author?.side !== this.host.side;
    });
    this.loaded = true;
    return news;
  }

  /** Empty, as before the first load (new filters: nothing in the next answer is news). */
  reset() {
    this.show([]);
    this.loaded = false;
  }

  newRow(item) {
    const row = h('li', {class: 'thread-row', 'data-thread-id': item.id});
    if (this.selectable) {
      row.pick = h('input', {type: 'checkbox', onchange: (event) => {
        if (event.target.checked) this.selected.add(item.id);
        else this.selected.delete(item.id);
        this.host.selectionChanged?.();
      }});
      row.append(h('span', {class: 'pick'}, row.pick));
    }
    row.button = h('button', {type: 'button', class: 'thread-open', onclick: () => this.host.openThread(item.id)});
    row.append(row.button);
    return row;
  }

  fill(row, item) {
    const mySide = this.host.side;
    const unread = item.unread_count > 0;
    row.classList.toggle('unread', unread);
    row.button.setAttribute('aria-current', String(item.id === this.current));
    if (row.pick) {
      row.pick.checked = this.selected.has(item.id);
      row.pick.setAttribute('aria-label', t('selectThread', {subject: item.subject}));
    }
    const last = item.last_message;
    const author = last ? (last.author.side === mySide && (mySide !== 'customer' || last.author.user_id === this.host.claims.sub)
      ? t('you') : (last.author.name || sideLabel(last.author.side))) : '';
    const about = [item.context?.title];
    const vendorName = () => this.host.vendorNames?.known(item.company_id, () => {
      const current = this.items.find((candidate) => candidate.id === item.id);
      if (current) this.fill(row, current);
    });
    let logo = null;
    if (mySide !== 'customer') {
      about.push(item.type === 'vendor_to_admin' ? t('typeVendorToAdmin') : t('typeVendorToCustomer'));
      // Whoever wrote last, the customer stays named.
      if (item.customer_name) about.push(item.customer_name);
      if (mySide === 'admin' && item.company_id) {
        about.push(vendorName() || t('vendorLabel', {id: item.company_id}));
      }
    } else if (item.company_id) {
      // The customer's conversations name their vendor (a store question's title already does).
      const name = vendorName();
      if (name && item.object?.type !== 'company') about.push(t('withVendor', {name}));
      const src = this.host.vendorNames?.logos.get(item.company_id);
      if (src) logo = h('img', {class: 'vendor-logo', src, alt: '', width: 24, height: 24});
    }
    const marks = [];
    if (unread) {
      marks.push(h('span', {class: 'badge', 'aria-hidden': 'true'}, String(item.unread_count)));
      marks.push(h('span', {class: 'visually-hidden'}, t('unreadMessages', {count: item.unread_count})));
    }
    if (item.awaiting_reply_from && item.awaiting_reply_from === mySide) {
      marks.push(h('span', {class: 'chip awaiting'}, t('awaitingYou', {time: formatTime(item.awaiting_since)})));
    }
    if (item.overdue) {  // escalated to the administration, still unanswered (issue 14)
      marks.push(h('span', {class: 'chip overdue'}, t('overdue')));
    }
    if (item.moderation) {  // its first message waits for review, or was rejected (issue 15)
      marks.push(item.moderation.state === 'rejected' ? h('span', {class: 'chip rejected'}, t('threadRejected'))
        : h('span', {class: 'chip held'}, t('threadHeld')));
    }
    if (item.status !== 'open') {
      marks.push(h('span', {class: `chip ${item.status}`},
        item.status === 'closed' ? t('statusClosed') : t('statusDeleted')));
    }
    replace(row.button,
      h('span', {class: 'line'},
        h('span', {class: 'subject'}, logo, unread ? h('span', {class: 'visually-hidden'}, `${t('unreadMarker')}: `) : null, item.subject),
        h('time', {class: 'time', datetime: item.last_message_at}, formatTime(item.last_message_at))),
      h('span', {class: 'about'}, about.filter(Boolean).join(' · ')),
      last ? h('span', {class: 'preview'}, t('previewBy', {name: author, preview: last.preview})) : null,
      marks.length ? h('span', {class: 'marks'}, marks) : null);
  }

  setCurrent(threadId) {
    this.current = threadId;
    for (const [id, row] of this.rows) row.button.setAttribute('aria-current', String(id === threadId));
  }

  focusRow(threadId) {
    this.rows.get(threadId)?.button.focus();
  }

  markRead(threadId) {
    const item = this.items.find((candidate) => candidate.id === threadId);
    const row = this.rows.get(threadId);
    if (item && row) {
      item.unread_count = 0;
      this.fill(row, item);
    }
  }
}
