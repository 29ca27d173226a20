/** One conversation, laid out as people know it from Intercom or Zendesk: the header, the
 * messages in a scroll area of their own that opens at the newest (older ones load at its top
 * when it is scrolled there), the reply box pinned under them (Ctrl/Cmd+Enter sends), "Seen"
 * under the last message the other side has read, and the context (a card for the customer, a
 * panel for the vendor and the admin) beside them on wide screens, behind a button on phones;
 * and the modal yes/no question. */
import {ApiError} from './api.js';
import {FilePicker, ImageViewer, filesView} from './attachments.js';
import {h, newKey, replace} from './dom.js';
import {changeValues, formatAmount, formatTime, sideLabel} from './format.js';
import {partyLine} from './parties.js';
import {ReplyPicker} from './reply-picker.js';
import {renderBody, safeUrl} from './safe-html.js';
import {STRINGS, t} from './strings.js';

export function contextView(thread, {staff}) {
  const context = thread.context || {};
  const parts = [];
  const link = (url, label) => {
    const href = safeUrl(url);
    return href ? h('a', {href, target: '_blank', rel: 'noopener noreferrer'}, label) : null;
  };
  const facts = (rows) => h('dl', {}, rows.filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));

  if (context.type === 'product') {
    const image = safeUrl(context.image_url);
    parts.push(h('section', {class: 'product'},
      image ? h('img', {src: image, alt: context.name || '', loading: 'lazy'}) : null,
      h('div', {},
        h('h4', {}, context.name || t('product')),
        facts([[t('code'), context.code], [t('price'), formatAmount(context.price, context.currency)]]),
        link(context.url, t('viewProduct')))));
  } else if (context.type === 'order') {
    const customer = context.customer || {};
    parts.push(h('section', {},
      h('h4', {}, t('orderNumber', {number: context.number ?? context.id})),
      facts([[t('total'), formatAmount(context.total, context.currency)], [t('date'), formatTime(context.date)],
        [t('status'), context.status]]),
      link(context.url, t('viewOrder'))));
    if (staff) {
      parts.push(h('section', {},
        h('h4', {}, t('customer')),
        facts([[t('name'), customer.name],
          [t('email'), customer.email ? link(`mailto:${customer.email}`, customer.email) : null],
          [t('phone'), customer.phone ? link(`tel:${customer.phone}`, customer.phone) : null]])));
    }
  } else if (context.type === 'company') {
    parts.push(h('section', {},
      h('h4', {}, context.name || t('company')),
      facts([[t('email'), context.email ? link(`mailto:${context.email}`, context.email) : null]]),
      link(context.url, t('viewStore'))));
  } else {
    parts.push(h('p', {class: 'muted'}, t('noContext')));
  }

  if (staff && thread.customer && context.type !== 'order') {
    const customer = thread.customer;
    parts.push(h('section', {},
      h('h4', {}, t('customer')),
      facts([[t('name'), customer.name],
        [t('email'), customer.email ? link(`mailto:${customer.email}`, customer.email) : null]])));
  }

  if (staff && thread.context_snapshot) {
    const changes = thread.context_changes || [];
    const names = STRINGS.fieldNames || {};
    parts.push(h('section', {class: 'what-changed'},
      h('h4', {}, t('changesTitle')),
      changes.length
        ? h('ul', {class: 'changes'}, changes.map((change) => h('li', {}, t('changeLine', {
          field: names[change.field] || change.field, ...changeValues(change, context.currency)}))))
        : h('p', {class: 'muted'}, t('noChanges'))));
  }
  if (staff && thread.context_as_of) parts.push(h('p', {class: 'muted'}, t('asOf', {time: formatTime(thread.context_as_of)})));
  return parts;
}

/** Ctrl+Enter (Cmd+Enter on a Mac) in a message box sends it. */
export function sendsNow(event) {
  return event.key === 'Enter' && Boolean(event.ctrlKey || event.metaKey) && !event.isComposing;
}

// Within this many pixels of the newest message the view follows new ones down.
const NEAR_THE_END_PX = 80;

/** Whose reading a side's "Seen" reports: the other side of the conversation. */
export function otherSide(threadType, side) {
  if (side === 'customer') return 'vendor';
  if (side === 'vendor') return threadType === 'vendor_to_admin' ? 'admin' : 'customer';
  if (side === 'admin') return threadType === 'vendor_to_admin' ? 'vendor' : null;
  return null;
}

/** The id of the last message of `side` that the other side had read by `readAt` (ISO), or null. */
export function lastSeen(messages, side, readAt) {
  if (!readAt) return null;
  const read = Date.parse(readAt);
  let seen = null;
  for (const message of messages) {
    if (message.author.side === side && Date.parse(message.created_at) <= read) seen = message;
  }
  return seen?.id || null;
}

/** A selector that finds the same control in the conversation drawn anew, or null. */
function focusKey(element) {
  if (element.id) return `#${CSS.escape(element.id)}`;
  if (element.dataset.attachmentId) return `[data-attachment-id="${CSS.escape(element.dataset.attachmentId)}"]`;
  for (const name of ['context-toggle', 'scroller', 'older']) if (element.classList.contains(name)) return `.${name}`;
  return null;
}

export class ConversationView {
  constructor(host, {staff}) {
    this.host = host;
    this.staff = staff;
    this.thread = null;
    this.messages = new Map();
    this.nextBefore = null;
    this.files = new FilePicker(host, 'reply'); // kept across renders: uploads go on while messages arrive
    this.viewer = new ImageViewer(host);
    this.contextOpen = false;
    this.element = h('div', {class: 'conversation-body'},
      h('p', {class: 'empty-conversation'}, t('chooseConversation')));
  }

  get id() { return this.thread?.id || null; }

  async open(threadId, {focus = true} = {}) {
    this.messages = new Map();
    this.replyKey = null;
    this.draft = '';
    this.files.clear();
    this.contextOpen = false;
    this.scroller = null; // a new conversation opens at its newest message
    await this.load(threadId);
    if (this.thread && focus) this.heading?.focus();
  }

  async load(threadId = this.id) {
    if (!threadId) return;
    try {
      const thread = await this.host.api.get(`/v1/threads/${encodeURIComponent(threadId)}`);
      const fresh = thread.messages.items.filter((message) => !this.messages.has(message.id));
      const first = !this.thread || this.thread.id !== thread.id;
      for (const message of thread.messages.items) this.messages.set(message.id, message);
      if (first) this.nextBefore = thread.messages.next_before;
      this.thread = thread;
      this.render();
      if (!first) {
        for (const message of fresh) {
          if (message.author.side !== this.host.side) {
            this.host.announce(t('newMessageFrom', {name: message.author.name || sideLabel(message.author.side)}));
          }
        }
      }
      if (thread.unread_count > 0 || fresh.length) await this.markRead();
    } catch (error) {
      this.showProblem(error);
    }
  }

  async markRead() {
    if (document.visibilityState === 'hidden' || !this.id) return;
    try {
      await this.host.api.post(`/v1/threads/${encodeURIComponent(this.id)}/read`, {});
      this.host.threadWasRead?.(this.id);
    } catch {
      // the unread mark stays; reading still works
    }
  }

  async loadOlder() {
    if (this.loadingOlder || !this.nextBefore) return;
    this.loadingOlder = true;
    if (this.olderButton) this.olderButton.textContent = t('olderLoading');
    try {
      const page = await this.host.api.get(`/v1/threads/${encodeURIComponent(this.id)}/messages`,
        {before: this.nextBefore, limit: 50});
      for (const message of page.items) this.messages.set(message.id, message);
      this.nextBefore = page.next_before;
      this.render();
    } catch (error) {
      this.showProblem(error);
    } finally {
      this.loadingOlder = false;
    }
  }

  /** Where the messages were scrolled, to keep the reader's place when they are drawn anew: at
   * the end, or so many pixels above it (older messages added at the top move nothing). */
  scrollPlace() {
    const scroller = this.scroller;
    if (!scroller || !scroller.isConnected) return {atEnd: true};
    const fromEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    return {atEnd: fromEnd <= NEAR_THE_END_PX, fromEnd};
  }

  keepPlace(place) {
    const scroller = this.scroller;
    const settle = () => {
      scroller.scrollTop = place.atEnd ? scroller.scrollHeight
        : scroller.scrollHeight - scroller.clientHeight - place.fromEnd;
    };
    settle();
    // Pictures take their height when they arrive: the newest message stays in view.
    for (const image of scroller.querySelectorAll('img')) {
      if (!image.complete) image.addEventListener('load', () => { if (this.scrollPlace().atEnd || place.atEnd) settle(); }, {once: true});
    }
    // Older messages load when the top of the scroll area comes into view.
    this.watcher?.disconnect();
    if (this.olderButton && 'IntersectionObserver' in window) {
      this.watcher = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) this.loadOlder();
      }, {root: scroller});
      this.watcher.observe(this.olderButton);
    }
  }

  showProblem(error) {
    replace(this.element, h('div', {class: 'banner', role: 'alert'},
      error instanceof ApiError ? error.sentence : t('errorGeneric'),
      h('button', {type: 'button', onclick: () => this.load()}, t('retry'))));
  }

  render() {
    const thread = this.thread;
    const focused = this.host.root.activeElement;
    const keepReplyFocus = focused && focused === this.replyBox;
    // Drawn anew on every event: the control that had the focus keeps it.
    const refocus = focused && this.element.contains(focused) && !keepReplyFocus ? focusKey(focused) : null;
    if (this.replyBox) this.draft = this.replyBox.value;

    this.heading = h('h3', {id: 'conversation-title', tabindex: '-1'}, thread.subject);
    const status = h('span', {class: `chip ${thread.status}`},
      {open: t('statusOpen'), closed: t('statusClosed'), deleted: t('statusDeleted')}[thread.status] || thread.status);
    const actions = h('div', {class: 'actions'});
    if (this.staff && thread.status !== 'deleted') {
      const closing = thread.status === 'open';
      actions.append(h('button', {type: 'button', onclick: () => this.setStatus(closing ? 'closed' : 'open')},
        closing ? t('closeThread') : t('reopenThread')));
    }
    if (this.staff && this.host.side === 'admin' && thread.status !== 'deleted') {
      actions.append(h('button', {type: 'button', class: 'danger', onclick: () => this.remove()}, t('deleteThread')));
    }

    const ordered = [...this.messages.values()].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
    const other = otherSide(thread.type, this.host.side);
    this.seenId = other ? lastSeen(ordered, this.host.side, (thread.read_at || {})[other]) : null;
    const list = h('ol', {class: 'messages', 'aria-label': t('messagesList')}, ordered.map((message) => this.messageView(message)));

    this.replyBox = h('textarea', {id: 'reply', name: 'reply', rows: 3, maxlength: 10000,
      onkeydown: (event) => {
        if (!sendsNow(event)) return;
        event.preventDefault();
        this.reply();
      }});
    this.replyBox.value = this.draft || '';
    this.replyProblem = h('p', {class: 'error', role: 'alert'});
    this.replyButton = h('button', {type: 'submit', class: 'primary'}, t('replySend'));
    const shortcut = h('p', {class: 'muted hint', id: 'reply-shortcut'}, t('sendShortcut'));
    const reply = h('form', {class: 'reply', onsubmit: (event) => { event.preventDefault(); this.reply(); }},
      h('label', {for: 'reply'}, t('replyLabel')),
      thread.status === 'closed' ? h('p', {class: 'muted'}, t('closedNote')) : null,
      this.replyBox,
      this.staff ? this.savedReplies().attach(this.replyBox) : null,
      this.files.element,
      h('div', {class: 'row'}, shortcut, this.replyProblem, this.replyButton));
    // The picker names its hint first; the shortcut is described too.
    this.replyBox.setAttribute('aria-describedby',
      [this.replyBox.getAttribute('aria-describedby'), 'reply-shortcut'].filter(Boolean).join(' '));
    this.files.watch(reply);

    // A conversation whose first message waits for review, or was rejected, takes no reply.
    const review = thread.moderation;
    const reviewNote = review ? h('p', {class: review.state === 'rejected' ? 'error' : 'muted'}, review.state === 'rejected'
      ? t('threadRejectedNote', {reason: review.reason || ''}) : t('threadHeldNote')) : null;
    this.olderButton = this.nextBefore
      ? h('button', {type: 'button', class: 'link older', onclick: () => this.loadOlder()}, t('loadOlder')) : null;
    const place = this.scrollPlace();
    this.scroller = h('div', {class: 'scroller', tabindex: '0', role: 'region', 'aria-label': t('messagesList')},
      this.olderButton, list, reviewNote);
    const dialogue = h('div', {class: 'dialogue'},
      this.scroller,
      thread.status !== 'deleted' && !review ? reply : null);
    const context = h('aside', {class: `context${this.contextOpen ? ' open' : ''}`, id: 'conversation-context',
      'aria-label': t('aboutThis')}, contextView(thread, {staff: this.staff}));
    // On phones the messages come first; the context opens from this button (always shown on wide screens).
    const contextButton = h('button', {type: 'button', class: 'context-toggle', 'aria-controls': 'conversation-context',
      'aria-expanded': String(this.contextOpen), onclick: () => {
        this.contextOpen = !this.contextOpen;
        context.classList.toggle('open', this.contextOpen);
        contextButton.setAttribute('aria-expanded', String(this.contextOpen));
        if (this.contextOpen) context.scrollIntoView({block: 'nearest'});
      }}, t('showContext'));
    actions.prepend(contextButton);

    replace(this.element, h('article', {class: 'conversation', 'aria-labelledby': 'conversation-title'},
      h('header', {class: 'conv-head'}, h('div', {class: 'title'}, this.heading, ' ', status, partyLine(thread, this.host)), actions),
      dialogue,
      context));
    this.keepPlace(place);
    if (refocus) this.element.querySelector(refocus)?.focus({preventScroll: true});
    if (keepReplyFocus) this.replyBox.focus();
  }

  messageView(message) {
    const mine = message.author.side === this.host.side
      && (this.host.side !== 'customer' || message.author.user_id === this.host.claims.sub);
    const state = message.moderation?.state;  // held and rejected ones reach their author's side alone
    return h('li', {class: `message ${mine ? 'mine' : 'theirs'}`, 'data-message-id': message.id},
      h('div', {class: 'meta'},
        h('span', {class: 'author'}, mine ? t('you') : (message.author.name || sideLabel(message.author.side))),
        mine ? null : h('span', {class: 'side'}, sideLabel(message.author.side)),
        message.automatic ? h('span', {class: 'side automatic'}, t('automaticReply')) : null,
        state === 'held' ? h('span', {class: 'chip held'}, t('messageHeld')) : null,
        state === 'rejected' ? h('span', {class: 'chip rejected'}, t('messageRejected')) : null,
        h('time', {datetime: message.created_at}, formatTime(message.created_at))),
      h('div', {class: 'text'}, renderBody(message.body)),
      state === 'rejected' && message.moderation.reason
        ? h('p', {class: 'error'}, t('messageRejectedReason', {reason: message.moderation.reason})) : null,
      filesView(message, this.host.api, this.viewer),
      message.id === this.seenId ? this.seenView() : null);
  }

  seenView() {
    const other = otherSide(this.thread.type, this.host.side);
    const at = this.thread.read_at[other];
    return h('p', {class: 'seen'}, t('seen'), ' ', h('time', {datetime: at}, formatTime(at)));
  }

  /** The saved replies picker, one per conversation (the reply box is made anew at each render). */
  savedReplies() {
    this.picker = this.picker || new ReplyPicker(this.host.api, this.id);
    return this.picker;
  }

  async reply() {
    const body = this.replyBox.value;
    if (this.files.busy || this.files.failed) {
      this.replyProblem.textContent = t('waitForUploads');
      return;
    }
    const attachments = this.files.ids;
    if (!body.trim() && !attachments.length) {
      this.replyProblem.textContent = t('writeOrAttach');
      this.replyBox.focus();
      return;
    }
    this.replyKey = this.replyKey || newKey();
    this.replyButton.disabled = true;
    this.replyProblem.textContent = '';
    try {
      const savedReply = this.picker?.used; // counted as a use of that saved reply
      const sent = savedReply ? {body, attachments, saved_reply_id: savedReply} : {body, attachments};
      const message = await this.host.api.post(`/v1/threads/${encodeURIComponent(this.id)}/messages`, sent, this.replyKey);
      this.picker?.sent();
      this.messages.set(message.id, message);
      this.files.clear();
      this.replyKey = null;
      this.draft = '';
      this.replyBox.value = '';
      await this.load();
      this.replyBox.focus();
      this.host.threadChanged?.();
    } catch (error) {
      this.replyProblem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
      this.replyButton.disabled = false;
    }
  }

  async setStatus(status) {
    try {
      await this.host.api.call('PATCH', `/v1/threads/${encodeURIComponent(this.id)}`, {body: {status}});
      await this.load();
      this.host.threadChanged?.();
      this.heading.focus();
    } catch (error) {
      this.host.announce(error instanceof ApiError ? error.sentence : t('errorGeneric'));
    }
  }

  async remove() {
    if (!(await confirmDialog(this.host, t('deleteThreadConfirm'), t('bulkDeleteText'), t('delete')))) return;
    try {
      await this.host.api.call('DELETE', `/v1/threads/${encodeURIComponent(this.id)}`);
      this.thread = null;
      replace(this.element, h('p', {class: 'empty-conversation'}, t('chooseConversation')));
      this.host.threadChanged?.();
      this.host.closeConversation?.();
    } catch (error) {
      this.host.announce(error instanceof ApiError ? error.sentence : t('errorGeneric'));
    }
  }
}

/** A modal yes/no question (window.confirm cannot be styled, translated or read well). */
export function confirmDialog(host, title, text, yes) {
  return new Promise((resolve) => {
    const dialog = h('dialog', {'aria-labelledby': 'confirm-title'},
      h('form', {method: 'dialog'},
        h('h2', {id: 'confirm-title'}, title),
        text ? h('p', {}, text) : null,
        h('div', {class: 'actions'},
          h('button', {value: 'no'}, t('cancel')),
          h('button', {value: 'yes', class: 'primary'}, yes))));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'yes');
      dialog.remove();
    });
    host.root.append(dialog);
    dialog.showModal();
  });
}
