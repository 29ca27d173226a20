/**
 * Message Center web components: one ES module, no build step.
 *
 *   <script type="module" src="https://<gateway>/ui/message-center.js"></script>
 *   <mc-ask-question product-id="101" api-base="https://<gateway>" token="<JWT>"></mc-ask-question>
 *   <mc-ask-question order-id="5001" …>   <mc-ask-question company-id="1" …>
 *     (optional: messages-url, the Messages tab's address for the link shown after sending;
 *      label, the button's words where the page has several)
 *   <mc-messages api-base="…" token="…" events-url="https://<push>/v1/events"></mc-messages>
 *   <mc-message-center api-base="…" token="…" events-url="…"></mc-message-center>
 *
 * Or, instead of attributes: element.configure({apiBase, token, eventsUrl}).
 * `events-url` is the push process's stream (default: api-base + /v1/events); without a stream
 * the pages poll every 20 s. Every visible string is in STRINGS: replace its entries to
 * translate (Object.assign(STRINGS, {...}) before the elements render).
 *
 * Message bodies are the API's sanitised HTML (only <a> and <br>): they are parsed inert and
 * copied node by node, links and line breaks only. Everything else (names, subjects, previews,
 * context) is set as text.
 */

export const STRINGS = {
  locale: undefined, // a BCP 47 tag for dates and numbers; undefined: the browser's

  // asking
  askButton: 'Ask a question',
  askTitleProduct: 'Ask the vendor about this product',
  askTitleOrder: 'Ask the vendor about this order',
  askTitleCompany: 'Ask this vendor a question',
  askHint: 'The vendor answers in your Messages; you also get an email.',
  askLabel: 'Your question',
  askSend: 'Send question',
  askSending: 'Sending…',
  askSentTitle: 'Your question was sent',
  askSentText: 'The vendor’s answer will appear in your Messages.',
  askOpenConversation: 'Open the conversation',
  cancel: 'Cancel',
  close: 'Close',

  // lists
  messagesTitle: 'Messages',
  centerTitle: 'Message Center',
  conversations: 'Conversations',
  noConversations: 'No conversations yet.',
  noMatches: 'No conversations match these filters.',
  loadMore: 'Show more conversations',
  loading: 'Loading…',
  unreadBadge: {one: '{count} unread', other: '{count} unread'},
  unreadMessages: {one: '{count} unread message', other: '{count} unread messages'},
  unreadMarker: 'Unread',
  awaitingYou: 'Awaiting your reply since {time}',
  awaitingThem: 'Awaiting reply',
  statusOpen: 'Open',
  statusClosed: 'Closed',
  statusDeleted: 'Deleted',
  typeVendorToCustomer: 'Customer',
  typeVendorToAdmin: 'Administration',
  vendorLabel: 'Vendor {id}',
  customerLabel: 'Customer {id}',
  previewBy: '{name}: {preview}',
  you: 'You',
  sideCustomer: 'Customer',
  sideVendor: 'Vendor',
  sideAdmin: 'Marketplace',
  liveStream: 'Live',
  livePolling: 'Updates every 20 s',
  newMessageIn: 'New message in “{subject}”',
  newMessageFrom: 'New message from {name}',

  // filters
  filters: 'Filters',
  filtersActive: {one: 'Filters ({count})', other: 'Filters ({count})'},
  search: 'Search messages',
  searchButton: 'Search',
  filterType: 'Type',
  filterTypeAll: 'All conversations',
  filterStatus: 'Status',
  filterStatusAny: 'Open and closed',
  filterUnread: 'Unread only',
  filterAwaiting: 'Awaiting my reply',
  filterCustomer: 'Customer name or email',
  filterVendor: 'Vendor ID',
  filterFrom: 'Started from',
  filterTo: 'Started until',
  apply: 'Apply',
  clear: 'Clear',

  // bulk
  selectAll: 'Select all shown',
  selectThread: 'Select “{subject}”',
  selected: {one: '{count} selected', other: '{count} selected'},
  bulkReply: 'Reply to selected',
  bulkDelete: 'Delete selected',
  bulkReplyTitle: {one: 'Reply to {count} conversation', other: 'Reply to {count} conversations'},
  bulkDeleteTitle: {one: 'Delete {count} conversation?', other: 'Delete {count} conversations?'},
  bulkDeleteText: 'Deleted conversations disappear for the customer and the vendor.',
  bulkDone: 'Done: {done} of {count}.',
  delete: 'Delete',
  send: 'Send',

  // conversation
  chooseConversation: 'Choose a conversation to read it.',
  backToList: 'Back to conversations',
  messagesList: 'Messages',
  loadOlder: 'Show older messages',
  replyLabel: 'Your reply',
  replySend: 'Send reply',
  closeThread: 'Close conversation',
  reopenThread: 'Reopen conversation',
  deleteThread: 'Delete conversation',
  deleteThreadConfirm: 'Delete this conversation?',
  closedNote: 'This conversation is closed. Replying opens it again.',

  // context
  aboutThis: 'About this conversation',
  product: 'Product',
  order: 'Order',
  company: 'Vendor',
  customer: 'Customer',
  name: 'Name',
  code: 'Code',
  price: 'Price',
  total: 'Total',
  date: 'Date',
  status: 'Status',
  email: 'Email',
  phone: 'Phone',
  orderNumber: 'Order #{number}',
  viewProduct: 'View product',
  viewOrder: 'View order',
  viewStore: 'View store',
  noContext: 'This conversation is not about a product, an order or a store.',
  changesTitle: 'What changed since the question was asked',
  noChanges: 'Nothing has changed since the question was asked.',
  changeLine: '{field}: {then} → {now}',
  asOf: 'As of {time}',
  nothing: '—',
  itemsCount: {one: '{count} item', other: '{count} items'},
  fieldNames: {
    name: 'Name', code: 'Code', price: 'Price', image_url: 'Image', url: 'Link', status: 'Status',
    number: 'Number', total: 'Total', date: 'Date', status_code: 'Status code', items: 'Items',
    email: 'Email', 'customer.name': 'Customer name', 'customer.email': 'Customer email',
    'customer.phone': 'Customer phone',
  },

  // administration
  tabsLabel: 'Message Center sections',
  tabConversations: 'Conversations',
  tabAnnouncements: 'Announcements',
  tabResponseTimes: 'Response times',
  announceTitle: 'Send an announcement to vendors',
  announceTo: 'Send to',
  announceAll: 'All active vendors',
  announceSome: 'These vendors',
  announceIds: 'Vendor IDs, separated by commas',
  announceSubject: 'Subject',
  announceMessage: 'Message',
  announceSend: 'Send announcement',
  announceSent: {one: 'Sent to {count} vendor.', other: 'Sent to {count} vendors.'},
  receiptsTitle: 'Read receipts',
  receiptsNone: 'Announcements you send appear here with who has read them.',
  receiptsCount: '{read} of {count} vendors have read it',
  receiptsSending: 'Being delivered: {written} of {count} vendors so far',
  receiptVendor: 'Vendor',
  receiptRead: 'Read',
  receiptWhen: 'When',
  receiptYes: 'Read',
  receiptNo: 'Not yet',
  refresh: 'Refresh',
  timesTitle: 'Vendors’ response times',
  timesFrom: 'From',
  timesTo: 'To',
  timesShow: 'Show',
  timesVendor: 'Vendor',
  timesThreads: 'Conversations',
  timesAnswered: 'Answered',
  timesMedian: 'Median first reply',
  timesWithinDay: 'Answered within 24 h',
  timesNone: 'No customer conversations started in this period.',
  hours: '{h} h {m} min',
  minutes: '{m} min',
  seconds: '{s} s',

  // notifications
  bell: 'Notifications',
  bellUnread: {one: 'Notifications, {count} unread', other: 'Notifications, {count} unread'},
  bellEmpty: 'No notifications.',
  bellMarkAll: 'Mark all as read',

  // errors
  errorNetwork: 'The Message Center cannot be reached. Check your connection and try again.',
  errorUnauthorized: 'Please sign in again to use messages.',
  errorForbidden: 'You are not allowed to do this.',
  errorNotFound: 'This conversation does not exist or is no longer available.',
  errorUnavailable: 'The Message Center is busy or down for a moment. Try again shortly.',
  errorTooLarge: 'The message is too long.',
  errorGeneric: 'Something went wrong. Try again.',
  retry: 'Try again',
  signInToSee: 'Sign in to see your messages.',
};

const POLL_MS = 20000;
const RECEIPTS_REFRESH_MS = 5000;

// ---------------------------------------------------------------------------------------
// Strings, formatting, DOM

export function t(key, params = {}) {
  let text = STRINGS[key];
  if (text && typeof text === 'object') {
    const form = new Intl.PluralRules(STRINGS.locale).select(Number(params.count ?? 0));
    text = text[form] ?? text.other;
  }
  if (typeof text !== 'string') return key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? '').toString());
}

function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(STRINGS.locale, {dateStyle: 'medium', timeStyle: 'short'});
}

function formatAmount(value) {
  if (value === null || value === undefined || value === '') return t('nothing');
  const number = Number(value);
  if (Number.isNaN(number)) return String(value);
  return number.toLocaleString(STRINGS.locale, {minimumFractionDigits: 2, maximumFractionDigits: 2});
}

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return t('nothing');
  const total = Math.round(seconds);
  if (total < 60) return t('seconds', {s: total});
  const minutes = Math.round(total / 60);
  if (minutes < 60) return t('minutes', {m: minutes});
  return t('hours', {h: Math.floor(minutes / 60), m: minutes % 60});
}

function formatShare(share) {
  if (share === null || share === undefined) return t('nothing');
  return share.toLocaleString(STRINGS.locale, {style: 'percent', maximumFractionDigits: 0});
}

/** A context change's before and after, amounts shown as amounts. */
function changeValues(change) {
  const show = ['price', 'total'].includes(change.field) ? formatAmount : formatValue;
  return {then: show(change.then), now: show(change.now)};
}

function formatValue(value) {
  if (value === null || value === undefined || value === '') return t('nothing');
  if (Array.isArray(value)) return t('itemsCount', {count: value.length});
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** An element with attributes, listeners (on…) and children; strings become text nodes. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** Only http(s), mailto and tel links leave the page; anything else (javascript:, data:) is dropped. */
function safeUrl(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url, location.href);
    return ['http:', 'https:', 'mailto:', 'tel:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * A message body: the API's sanitised HTML. The one use of innerHTML in this module: on an
 * inert <template> (nothing in it loads or runs), then copied node by node, keeping only
 * text, <br> and http(s)/mailto links; any other markup is reduced to its text.
 */
function renderBody(html) {
  const template = document.createElement('template');
  template.innerHTML = html || '';
  const fragment = document.createDocumentFragment();
  copySafe(template.content, fragment);
  return fragment;
}

function copySafe(from, into) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      into.append(node.data);
    } else if (node.nodeName === 'BR') {
      into.append(document.createElement('br'));
    } else if (node.nodeName === 'A') {
      const href = safeUrl(node.getAttribute('href'));
      if (href && !href.startsWith('tel:')) {
        const link = h('a', {href, rel: 'nofollow noreferrer noopener', target: '_blank'});
        copySafe(node, link);
        into.append(link);
      } else {
        copySafe(node, into);
      }
    } else if (node.nodeType === Node.ELEMENT_NODE || node.nodeType === Node.DOCUMENT_FRAGMENT_NODE) {
      copySafe(node, into);
    }
  }
}

/** The claims of a JWT, for what the page shows (the API decides what is allowed). */
function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = part.padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

function sideOfRole(role) {
  return {customer: 'customer', vendor: 'vendor', admin: 'admin'}[role] || null;
}

function sideLabel(side) {
  return {customer: t('sideCustomer'), vendor: t('sideVendor'), admin: t('sideAdmin')}[side] || '';
}

function newKey() {
  return globalThis.crypto?.randomUUID?.() || `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

function threadFromHash() {
  const match = /^#mc-thread=([^&]+)/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

// ---------------------------------------------------------------------------------------
// The API

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** What to tell the person: the contract's code in their language, or the server's words. */
  get sentence() {
    const known = {
      network: 'errorNetwork', unauthorized: 'errorUnauthorized', forbidden: 'errorForbidden',
      not_found: 'errorNotFound', unavailable: 'errorUnavailable', payload_too_large: 'errorTooLarge',
    }[this.code];
    if (known) return t(known);
    if (this.code === 'validation_error') {
      const details = Object.values(this.details || {}).flat().filter((item) => typeof item === 'string');
      return details.length ? details.join(' ') : this.message;
    }
    return this.message || t('errorGeneric');
  }
}

class Api {
  constructor(base, token) {
    this.base = (base || '').replace(/\/+$/, '');
    this.token = token;
  }

  async call(method, path, {query, body, key, auth = true} = {}) {
    const url = new URL(this.base + path, location.href);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '' && value !== false) url.searchParams.set(name, value);
    }
    const headers = {Accept: 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (auth && this.token) headers.Authorization = `Bearer ${this.token}`;
    if (key) headers['Idempotency-Key'] = key;
    let response;
    try {
      response = await fetch(url, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    } catch {
      throw new ApiError(0, 'network', t('errorNetwork'));
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data && data.error) || {};
      throw new ApiError(response.status, error.code || 'error', error.message || t('errorGeneric'), error.details || {});
    }
    return data;
  }

  get(path, query) { return this.call('GET', path, {query}); }
  post(path, body, key) { return this.call('POST', path, {body, key}); }
}

const publicSettings = new Map();

function settingsFor(apiBase) {
  if (!publicSettings.has(apiBase)) {
    const loading = new Api(apiBase).call('GET', '/v1/settings/public', {auth: false});
    loading.catch(() => publicSettings.delete(apiBase)); // try again on the next element
    publicSettings.set(apiBase, loading);
  }
  return publicSettings.get(apiBase);
}

// ---------------------------------------------------------------------------------------
// Live updates: one EventSource per stream and token, shared by the elements of a page.

const feeds = new Map();

class LiveFeed {
  constructor(url, token) {
    this.url = url;
    this.token = token;
    this.listeners = new Set();
    this.source = null;
    this.pollTimer = null;
    this.retryTimer = null;
    this.state = 'connecting';
  }

  subscribe(listener) {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.open();
    else listener({type: 'state', state: this.state});
    return () => {
      this.listeners.delete(listener);
      if (!this.listeners.size) this.close();
    };
  }

  emit(event) {
    for (const listener of [...this.listeners]) listener(event);
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.emit({type: 'state', state});
  }

  open() {
    clearTimeout(this.retryTimer);
    if (!this.url || !this.token || typeof EventSource === 'undefined') {
      this.startPolling();
      return;
    }
    const url = new URL(this.url, location.href);
    url.searchParams.set('token', this.token);
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      const wasPolling = this.stopPolling();
      this.setState('stream');
      if (wasPolling) this.emit({type: 'resync'}); // what happened while the stream was down
    };
    source.onmessage = (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      this.emit(data);
    };
    source.onerror = () => {
      // While the browser reconnects by itself, and after it gave up, the page polls.
      this.startPolling();
      if (source.readyState === EventSource.CLOSED) {
        this.source = null;
        this.retryTimer = setTimeout(() => this.open(), 60000);
      }
    };
  }

  startPolling() {
    this.setState('polling');
    if (!this.pollTimer) this.pollTimer = setInterval(() => this.emit({type: 'poll'}), POLL_MS);
  }

  stopPolling() {
    const was = Boolean(this.pollTimer);
    clearInterval(this.pollTimer);
    this.pollTimer = null;
    return was;
  }

  close() {
    this.stopPolling();
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    this.source = null;
    feeds.delete(`${this.url} ${this.token}`);
  }
}

function liveFeed(url, token) {
  const key = `${url} ${token}`;
  if (!feeds.has(key)) feeds.set(key, new LiveFeed(url, token));
  return feeds.get(key);
}

// ---------------------------------------------------------------------------------------
// Styles (inside each shadow root; themable through the --mc-* custom properties)

const STYLES = `
:host { display: block; container-type: inline-size; color: var(--mc-text, #1c2330);
  font: var(--mc-font-size, 15px)/1.45 var(--mc-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif); }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
h2, h3, h4 { margin: 0; line-height: 1.25; }
h2 { font-size: 1.3em; } h3 { font-size: 1.1em; } h4 { font-size: 1em; }
p { margin: 0; }
a { color: var(--mc-link, #1f56b3); }
button, input, select, textarea { font: inherit; color: inherit; }
button { cursor: pointer; border-radius: 6px; border: 1px solid var(--mc-border, #c5ccd8); background: #fff;
  padding: .45em .9em; min-height: 2.4em; }
button:hover { background: var(--mc-hover, #f1f4f9); }
button.primary { background: var(--mc-accent, #1f56b3); border-color: var(--mc-accent, #1f56b3); color: #fff; font-weight: 600; }
button.primary:hover { filter: brightness(1.08); }
button.danger { color: var(--mc-danger, #b42318); border-color: currentColor; }
button:disabled { opacity: .6; cursor: default; }
button.link { border: 0; background: none; padding: .2em 0; min-height: 0; color: var(--mc-link, #1f56b3); text-decoration: underline; }
:focus-visible { outline: 3px solid var(--mc-focus, #f0a500); outline-offset: 2px; }
input[type=text], input[type=search], input[type=date], select, textarea { border: 1px solid var(--mc-border, #c5ccd8);
  border-radius: 6px; padding: .45em .6em; background: #fff; min-width: 0; max-width: 100%; }
textarea { width: 100%; resize: vertical; min-height: 5.5em; }
label { display: inline-flex; flex-direction: column; gap: .2em; font-size: .92em; }
label.check { flex-direction: row; align-items: center; gap: .45em; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  clip-path: inset(50%); white-space: nowrap; }
.muted { color: var(--mc-muted, #5b6576); font-size: .9em; }
.error { color: var(--mc-danger, #b42318); }
.error:empty, .note:empty { display: none; }
.badge { display: inline-block; min-width: 1.6em; padding: .05em .5em; border-radius: 999px; text-align: center;
  background: var(--mc-accent, #1f56b3); color: #fff; font-size: .8em; font-weight: 700; line-height: 1.5; }
.chip { display: inline-block; padding: 0 .5em; border-radius: 4px; font-size: .8em; background: #eef1f6; color: #394150; }
.chip.awaiting { background: #fff3d6; color: #7a4d00; }
.chip.closed { background: #e9e9ee; }
.frame { border: 1px solid var(--mc-border, #d7dce5); border-radius: 10px; background: var(--mc-surface, #fff); }
.head { display: flex; flex-wrap: wrap; align-items: center; gap: .6em; justify-content: space-between; padding: .8em 1em;
  border-bottom: 1px solid var(--mc-border, #d7dce5); }
.head .title { display: flex; align-items: center; gap: .5em; flex-wrap: wrap; }
.live { font-size: .8em; color: var(--mc-muted, #5b6576); }
.live::before { content: "●"; margin-right: .3em; color: #9aa3b2; }
.live[data-state=stream]::before { color: #1a7f37; }
.banner { margin: .8em 1em; padding: .6em .8em; border-radius: 6px; background: #fdecea; color: #8a1c12;
  display: flex; flex-wrap: wrap; gap: .6em; align-items: center; justify-content: space-between; }
.banner:empty { display: none; }

/* the list */
.threads { list-style: none; margin: 0; padding: 0; }
.thread-row { display: flex; align-items: stretch; border-bottom: 1px solid #eceff4; }
.thread-row .pick { display: flex; align-items: flex-start; padding: .95em 0 0 .8em; }
.thread-row .pick input { width: 1.15em; height: 1.15em; }
.thread-open { flex: 1; min-width: 0; display: grid; gap: .15em; text-align: left; border: 0; border-radius: 0;
  background: none; padding: .7em .9em; }
.thread-open[aria-current=true] { background: var(--mc-selected, #e8effb); }
.thread-open .line { display: flex; gap: .5em; align-items: baseline; justify-content: space-between; min-width: 0; }
.thread-open .subject { font-weight: 400; overflow-wrap: anywhere; }
.thread-row.unread .subject { font-weight: 700; }
.thread-row.unread .thread-open { box-shadow: inset 3px 0 0 var(--mc-accent, #1f56b3); }
.thread-open .time { flex: none; font-size: .8em; color: var(--mc-muted, #5b6576); }
.thread-open .about, .thread-open .preview { font-size: .88em; color: var(--mc-muted, #5b6576); overflow-wrap: anywhere; }
.thread-open .preview { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
.thread-row.unread .preview { color: var(--mc-text, #1c2330); }
.thread-open .marks { display: flex; flex-wrap: wrap; gap: .35em; align-items: center; }
.list-foot { padding: .8em; text-align: center; }
.empty { padding: 1.5em 1em; color: var(--mc-muted, #5b6576); text-align: center; }
.bulk { display: flex; flex-wrap: wrap; gap: .5em .8em; align-items: center; padding: .6em .9em; border-bottom: 1px solid #eceff4;
  background: #fafbfd; }

/* the workspace: list and conversation side by side on wide screens, one at a time on phones */
.workspace { display: grid; grid-template-columns: minmax(0, 1fr); }
.list-pane, .conversation-pane { min-width: 0; }
.workspace.reading .list-pane { display: none; }
.workspace:not(.reading) .conversation-pane { display: none; }
.back { margin: .6em 1em 0; }
@container (min-width: 760px) {
  .workspace { grid-template-columns: minmax(250px, 36%) minmax(0, 1fr); }
  .workspace.reading .list-pane, .workspace .list-pane { display: block; border-right: 1px solid var(--mc-border, #d7dce5); }
  .workspace:not(.reading) .conversation-pane { display: block; }
  .back { display: none; }
}

/* a conversation */
.conversation { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0; }
.conv-head { grid-area: auto; padding: .8em 1em; border-bottom: 1px solid #eceff4; display: flex; flex-wrap: wrap; gap: .5em;
  align-items: center; justify-content: space-between; }
.conv-head h3 { overflow-wrap: anywhere; }
.conv-head .actions { display: flex; flex-wrap: wrap; gap: .4em; }
.dialogue { min-width: 0; padding: .8em 1em; display: grid; gap: .8em; align-content: start; }
.messages { list-style: none; margin: 0; padding: 0; display: grid; gap: .7em; }
.message { max-width: min(38em, 92%); padding: .55em .8em; border-radius: 10px; background: #f2f4f8; justify-self: start; }
.message.mine { background: var(--mc-mine, #e3ecfb); justify-self: end; }
.message .meta { display: flex; flex-wrap: wrap; gap: .2em .6em; font-size: .8em; color: var(--mc-muted, #5b6576); }
.message .author { font-weight: 600; color: var(--mc-text, #1c2330); }
.message .text { overflow-wrap: anywhere; margin-top: .2em; }
.reply { display: grid; gap: .5em; }
.reply .row { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; justify-content: space-between; }
.context { min-width: 0; padding: .8em 1em; border-bottom: 1px solid #eceff4; display: grid; gap: .7em; align-content: start;
  background: #fafbfd; }
.context h4 { font-size: .95em; }
.context dl { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: .2em .8em; margin: 0; font-size: .92em; }
.context dt { color: var(--mc-muted, #5b6576); }
.context dd { margin: 0; overflow-wrap: anywhere; }
.context .product { display: flex; gap: .8em; align-items: flex-start; }
.context img { width: 88px; height: 88px; object-fit: cover; border-radius: 8px; background: #e9edf3; flex: none; }
.context .changes { margin: 0; padding-left: 1.1em; font-size: .9em; }
.context .changes li { overflow-wrap: anywhere; }
.context section { display: grid; gap: .35em; }
.empty-conversation { padding: 2em 1em; color: var(--mc-muted, #5b6576); text-align: center; }
@container (min-width: 1080px) {
  .center .conversation { grid-template-columns: minmax(0, 1fr) minmax(240px, 300px);
    grid-template-areas: "head head" "dialogue context"; }
  .center .conv-head { grid-area: head; }
  .center .dialogue { grid-area: dialogue; }
  .center .context { grid-area: context; border-bottom: 0; border-left: 1px solid #eceff4; min-height: 100%; }
}

/* filters */
.filters { padding: .7em 1em; border-bottom: 1px solid var(--mc-border, #d7dce5); display: grid; gap: .6em; }
.searchbar { display: flex; gap: .5em; flex-wrap: wrap; align-items: flex-end; }
.searchbar label { flex: 1 1 12em; }
.filters details > summary { cursor: pointer; font-size: .92em; padding: .2em 0; }
.filter-grid { display: flex; flex-wrap: wrap; gap: .6em 1em; align-items: flex-end; padding-top: .5em; }
.filter-grid .buttons { display: flex; gap: .5em; }

/* tabs and panels */
.tabs { display: flex; flex-wrap: wrap; gap: .3em; padding: .5em 1em 0; border-bottom: 1px solid var(--mc-border, #d7dce5); }
.tabs [role=tab] { border-radius: 6px 6px 0 0; border-bottom: 0; background: #f4f6fa; }
.tabs [role=tab][aria-selected=true] { background: #fff; font-weight: 600; box-shadow: inset 0 3px 0 var(--mc-accent, #1f56b3); }
.panel { padding: 1em; display: grid; gap: 1.2em; }
.panel form { display: grid; gap: .7em; max-width: 40em; }
.panel fieldset { border: 1px solid #e1e5ec; border-radius: 8px; display: grid; gap: .4em; padding: .6em .9em; }
.panel label:not(.check) { display: grid; }
.panel input[type=text], .panel textarea { width: 100%; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92em; }
caption { text-align: left; font-weight: 600; padding-bottom: .4em; }
th, td { text-align: left; padding: .4em .6em; border-bottom: 1px solid #eceff4; }
.receipt { display: grid; gap: .5em; padding: .8em; border: 1px solid #e1e5ec; border-radius: 8px; }
.receipt .row { display: flex; flex-wrap: wrap; gap: .5em; justify-content: space-between; align-items: center; }

/* notifications */
.bell { position: relative; }
.bell > button { display: inline-flex; align-items: center; gap: .35em; }
.icon { width: 1.2em; height: 1.2em; }
.bell-panel { position: absolute; right: 0; top: calc(100% + 4px); z-index: 10; width: min(22em, 90vw); max-height: 24em;
  overflow: auto; background: #fff; border: 1px solid var(--mc-border, #d7dce5); border-radius: 8px;
  box-shadow: 0 8px 24px rgba(20, 30, 50, .15); padding: .5em; }
.bell-panel ul { list-style: none; margin: 0; padding: 0; }
.bell-panel li button { width: 100%; text-align: left; border: 0; display: grid; gap: .1em; }
.bell-panel li.unread button { font-weight: 600; }

/* asking */
.ask { display: inline-block; }
dialog { border: 0; border-radius: 12px; padding: 0; width: min(32em, calc(100vw - 1.5em)); box-shadow: 0 12px 40px rgba(20, 30, 50, .3); }
dialog::backdrop { background: rgba(15, 20, 30, .45); }
dialog form, dialog .sent { display: grid; gap: .7em; padding: 1.2em; }
dialog .actions { display: flex; flex-wrap: wrap; justify-content: flex-end; gap: .5em; }
`;

// ---------------------------------------------------------------------------------------
// The base of the three elements: configuration, the API, live updates, announcements.

class McElement extends HTMLElement {
  static get observedAttributes() { return ['api-base', 'token', 'events-url']; }

  constructor() {
    super();
    this.options = {};
    this.root = this.attachShadow({mode: 'open'});
    this.cleanups = [];
  }

  /** {apiBase, token, eventsUrl}: instead of (or over) the attributes. */
  configure(options = {}) {
    Object.assign(this.options, options);
    this.restart();
    return this;
  }

  get apiBase() { return this.options.apiBase ?? this.getAttribute('api-base') ?? ''; }
  get token() { return this.options.token ?? this.getAttribute('token') ?? ''; }
  get eventsUrl() {
    return this.options.eventsUrl ?? this.getAttribute('events-url') ?? `${this.apiBase.replace(/\/+$/, '')}/v1/events`;
  }
  get api() { return new Api(this.apiBase, this.token); }
  get claims() { return claimsOf(this.token); }
  get side() { return sideOfRole(this.claims.role); }

  connectedCallback() { this.restart(); }
  disconnectedCallback() { this.stop(); }
  attributeChangedCallback() { if (this.isConnected) this.restart(); }

  restart() {
    if (this.restartQueued) return;
    this.restartQueued = true;
    queueMicrotask(() => {
      this.restartQueued = false;
      if (!this.isConnected) return;
      this.stop();
      this.start();
    });
  }

  stop() {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const timer of Object.values(this.pending || {})) clearTimeout(timer);
  }

  /** Live updates for this element until it stops. */
  follow(onEvent) {
    const unsubscribe = liveFeed(this.eventsUrl, this.token).subscribe((event) => {
      if (event.type === 'state') {
        this.setAttribute('live', event.state);
        if (this.liveLabel) {
          this.liveLabel.dataset.state = event.state;
          this.liveLabel.textContent = event.state === 'stream' ? t('liveStream') : t('livePolling');
        }
        return;
      }
      onEvent(event);
    });
    this.cleanups.push(unsubscribe);
  }

  every(ms, action) {
    const timer = setInterval(action, ms);
    this.cleanups.push(() => clearInterval(timer));
  }

  listen(target, type, handler) {
    target.addEventListener(type, handler);
    this.cleanups.push(() => target.removeEventListener(type, handler));
  }

  frame(...children) {
    this.announcer = h('div', {class: 'visually-hidden', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true'});
    this.root.replaceChildren(h('style', {}, STYLES), ...children, this.announcer);
  }

  /** Said by screen readers (the live region), e.g. a new message. */
  announce(text) {
    if (!this.announcer) return;
    this.announcer.textContent = '';
    setTimeout(() => { this.announcer.textContent = text; }, 50);
  }

  /** Coalesces a burst of events (thread_started and message_posted come together). */
  soon(name, action, ms = 250) {
    this.pending = this.pending || {};
    clearTimeout(this.pending[name]);
    this.pending[name] = setTimeout(action, ms);
  }
}

// ---------------------------------------------------------------------------------------
// <mc-ask-question product-id | order-id | company-id>

const ASK_TARGETS = [
  {attribute: 'product-id', type: 'product', setting: 'show_on_product', title: 'askTitleProduct'},
  {attribute: 'order-id', type: 'order', setting: 'show_on_order', title: 'askTitleOrder'},
  {attribute: 'company-id', type: 'company', setting: 'show_on_vendor', title: 'askTitleCompany'},
];

class AskQuestion extends McElement {
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
    this.question = h('textarea', {id: 'question', name: 'question', required: true, maxlength: 10000, rows: 5});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.sendButton = h('button', {type: 'submit', class: 'primary'}, t('askSend'));
    this.form = h('form', {onsubmit: (event) => { event.preventDefault(); this.send(target); }},
      h('h2', {id: titleId}, t(target.title)),
      h('p', {class: 'muted'}, t('askHint')),
      h('label', {for: 'question'}, t('askLabel')),
      this.question,
      this.problem,
      h('div', {class: 'actions'},
        h('button', {type: 'button', onclick: () => this.dialog.close()}, t('cancel')),
        this.sendButton));
    this.sent = h('div', {class: 'sent', hidden: true});
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
    this.sendButton.disabled = false;
    this.dialog.showModal();
    this.question.focus();
  }

  async send(target) {
    if (!this.question.value.trim()) {
      this.problem.textContent = t('askLabel');
      this.question.focus();
      return;
    }
    this.sendButton.disabled = true;
    this.sendButton.textContent = t('askSending');
    this.problem.textContent = '';
    try {
      const started = await this.api.post('/v1/threads', {
        type: 'vendor_to_customer', object: {type: target.type, id: target.id}, message: this.question.value,
      }, this.key);
      this.showSent(started.thread.id);
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

  showSent(threadId) {
    const base = this.getAttribute('messages-url') || '';
    const link = h('a', {href: `${base}#mc-thread=${encodeURIComponent(threadId)}`,
      onclick: () => this.dialog.close()}, t('askOpenConversation'));
    replace(this.sent,
      h('h2', {tabindex: '-1'}, t('askSentTitle')),
      h('p', {}, t('askSentText')),
      h('div', {class: 'actions'}, link, h('button', {type: 'button', onclick: () => this.dialog.close()}, t('close'))));
    this.form.hidden = true;
    this.sent.hidden = false;
    link.focus();
  }
}

// ---------------------------------------------------------------------------------------
// The context of a thread: a card for the customer, a panel for the vendor and the admin.

function contextView(thread, {staff}) {
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
        facts([[t('code'), context.code], [t('price'), formatAmount(context.price)]]),
        link(context.url, t('viewProduct')))));
  } else if (context.type === 'order') {
    const customer = context.customer || {};
    parts.push(h('section', {},
      h('h4', {}, t('orderNumber', {number: context.number ?? context.id})),
      facts([[t('total'), formatAmount(context.total)], [t('date'), formatTime(context.date)],
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
          field: names[change.field] || change.field, ...changeValues(change)}))))
        : h('p', {class: 'muted'}, t('noChanges'))));
  }
  if (staff && thread.context_as_of) parts.push(h('p', {class: 'muted'}, t('asOf', {time: formatTime(thread.context_as_of)})));
  return parts;
}

// ---------------------------------------------------------------------------------------
// One conversation: header, messages, reply box, context (used by both pages).

class ConversationView {
  constructor(host, {staff}) {
    this.host = host;
    this.staff = staff;
    this.thread = null;
    this.messages = new Map();
    this.nextBefore = null;
    this.element = h('div', {class: 'conversation-body'},
      h('p', {class: 'empty-conversation'}, t('chooseConversation')));
  }

  get id() { return this.thread?.id || null; }

  async open(threadId, {focus = true} = {}) {
    this.messages = new Map();
    this.replyKey = null;
    this.draft = '';
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
    try {
      const page = await this.host.api.get(`/v1/threads/${encodeURIComponent(this.id)}/messages`,
        {before: this.nextBefore, limit: 50});
      for (const message of page.items) this.messages.set(message.id, message);
      this.nextBefore = page.next_before;
      this.render();
    } catch (error) {
      this.showProblem(error);
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
    const list = h('ol', {class: 'messages', 'aria-label': t('messagesList')}, ordered.map((message) => this.messageView(message)));

    this.replyBox = h('textarea', {id: 'reply', name: 'reply', rows: 3, maxlength: 10000, required: true});
    this.replyBox.value = this.draft || '';
    this.replyProblem = h('p', {class: 'error', role: 'alert'});
    this.replyButton = h('button', {type: 'submit', class: 'primary'}, t('replySend'));
    const reply = h('form', {class: 'reply', onsubmit: (event) => { event.preventDefault(); this.reply(); }},
      h('label', {for: 'reply'}, t('replyLabel')),
      thread.status === 'closed' ? h('p', {class: 'muted'}, t('closedNote')) : null,
      this.replyBox,
      h('div', {class: 'row'}, this.replyProblem, this.replyButton));

    const dialogue = h('div', {class: 'dialogue'},
      this.nextBefore ? h('button', {type: 'button', class: 'link', onclick: () => this.loadOlder()}, t('loadOlder')) : null,
      list,
      thread.status !== 'deleted' ? reply : null);
    const context = h('aside', {class: 'context', 'aria-label': t('aboutThis')}, contextView(thread, {staff: this.staff}));

    replace(this.element, h('article', {class: 'conversation', 'aria-labelledby': 'conversation-title'},
      h('header', {class: 'conv-head'}, h('div', {class: 'title'}, this.heading, ' ', status), actions),
      context,
      dialogue));
    if (keepReplyFocus) this.replyBox.focus();
  }

  messageView(message) {
    const mine = message.author.side === this.host.side
      && (this.host.side !== 'customer' || message.author.user_id === this.host.claims.sub);
    return h('li', {class: `message ${mine ? 'mine' : 'theirs'}`, 'data-message-id': message.id},
      h('div', {class: 'meta'},
        h('span', {class: 'author'}, mine ? t('you') : (message.author.name || sideLabel(message.author.side))),
        mine ? null : h('span', {class: 'side'}, sideLabel(message.author.side)),
        h('time', {datetime: message.created_at}, formatTime(message.created_at))),
      h('div', {class: 'text'}, renderBody(message.body)));
  }

  async reply() {
    const body = this.replyBox.value;
    if (!body.trim()) {
      this.replyProblem.textContent = t('replyLabel');
      this.replyBox.focus();
      return;
    }
    this.replyKey = this.replyKey || newKey();
    this.replyButton.disabled = true;
    this.replyProblem.textContent = '';
    try {
      const message = await this.host.api.post(`/v1/threads/${encodeURIComponent(this.id)}/messages`, {body}, this.replyKey);
      this.messages.set(message.id, message);
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
function confirmDialog(host, title, text, yes) {
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

// ---------------------------------------------------------------------------------------
// The list of threads, shared by both pages: rows keep their elements (and focus) on refresh.

class ThreadList {
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
    if (mySide !== 'customer') {
      about.push(item.type === 'vendor_to_admin' ? t('typeVendorToAdmin') : t('typeVendorToCustomer'));
      if (mySide === 'admin' && item.company_id) {
        about.push(this.host.vendorNames?.known(item.company_id, () => {
          const current = this.items.find((candidate) => candidate.id === item.id);
          if (current) this.fill(row, current);
        }) || t('vendorLabel', {id: item.company_id}));
      }
    }
    const marks = [];
    if (unread) {
      marks.push(h('span', {class: 'badge', 'aria-hidden': 'true'}, String(item.unread_count)));
      marks.push(h('span', {class: 'visually-hidden'}, t('unreadMessages', {count: item.unread_count})));
    }
    if (item.awaiting_reply_from && item.awaiting_reply_from === mySide) {
      marks.push(h('span', {class: 'chip awaiting'}, t('awaitingYou', {time: formatTime(item.awaiting_since)})));
    }
    if (item.status !== 'open') {
      marks.push(h('span', {class: `chip ${item.status}`},
        item.status === 'closed' ? t('statusClosed') : t('statusDeleted')));
    }
    replace(row.button,
      h('span', {class: 'line'},
        h('span', {class: 'subject'}, unread ? h('span', {class: 'visually-hidden'}, `${t('unreadMarker')}: `) : null, item.subject),
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

// ---------------------------------------------------------------------------------------
// The in-app bell (hidden where the API has no notifications).

function bellIcon() {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 '
    + '0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

class Bell {
  constructor(host) {
    this.host = host;
    this.count = h('span', {class: 'badge', hidden: true});
    this.button = h('button', {type: 'button', 'aria-expanded': 'false', 'aria-controls': 'bell-panel',
      onclick: () => this.toggle()}, bellIcon(), h('span', {class: 'visually-hidden'}, t('bell')), this.count);
    this.list = h('ul');
    this.panel = h('div', {class: 'bell-panel', id: 'bell-panel', role: 'region', 'aria-label': t('bell'), hidden: true},
      h('button', {type: 'button', class: 'link', onclick: () => this.markAll()}, t('bellMarkAll')), this.list);
    this.element = h('div', {class: 'bell', hidden: true}, this.button, this.panel);
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !this.panel.hidden) { this.toggle(false); this.button.focus(); }
    });
  }

  async refresh() {
    try {
      const page = await this.host.api.get('/v1/notifications', {limit: 20});
      this.element.hidden = false;
      this.show(page);
    } catch {
      this.element.hidden = true;
    }
  }

  show(page) {
    const unread = page.unread_count || 0;
    this.count.hidden = !unread;
    this.count.textContent = String(unread);
    this.button.setAttribute('aria-label', unread ? t('bellUnread', {count: unread}) : t('bell'));
    replace(this.list, page.items.length ? page.items.map((item) => h('li', {class: item.read ? 'read' : 'unread'},
      h('button', {type: 'button', onclick: () => this.openItem(item)},
        h('span', {}, item.title || ''),
        h('span', {class: 'muted'}, t('previewBy', {name: item.author?.name || sideLabel(item.author?.side), preview: item.preview || ''})),
        h('time', {class: 'muted', datetime: item.created_at}, formatTime(item.created_at)))))
      : h('li', {class: 'muted'}, t('bellEmpty')));
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
  }

  async openItem(item) {
    this.toggle(false);
    try {
      await this.host.api.post('/v1/notifications/read', {ids: [item.id]});
    } catch {
      // still open the conversation
    }
    if (item.thread_id) this.host.openThread(item.thread_id);
    this.refresh();
  }

  async markAll() {
    try {
      this.show({...(await this.host.api.post('/v1/notifications/read', {all: true})), items: []});
    } catch {
      // nothing changed
    }
    this.refresh();
  }
}

// ---------------------------------------------------------------------------------------
// The inbox page, common to the customer's Messages tab and the staff's Message Center.

class Inbox extends McElement {
  get staff() { return false; }

  start() {
    if (!this.token) {
      this.frame(h('p', {class: 'empty'}, t('signInToSee')));
      return;
    }
    this.build();
    this.follow((event) => this.onLive(event));
    this.listen(window, 'hashchange', () => { const id = threadFromHash(); if (id) this.openThread(id); });
    this.listen(document, 'mc-thread-started', () => this.soon('list', () => this.refreshList()));
    // A conversation that got messages while the tab was in the background is read on return.
    this.listen(document, 'visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.conversation.id) this.conversation.load();
    });
    this.refreshList();
    this.refreshUnread();
    this.bell.refresh();
    const fromLink = threadFromHash();
    if (fromLink) this.openThread(fromLink, {focus: false});
  }

  buildHeader(title) {
    this.unreadBadge = h('span', {class: 'badge', hidden: true});
    this.liveLabel = h('span', {class: 'live', 'data-state': 'connecting'});
    this.bell = new Bell(this);
    return h('header', {class: 'head'},
      h('div', {class: 'title'}, h('h2', {}, title), this.unreadBadge, this.liveLabel),
      this.bell.element);
  }

  buildWorkspace() {
    this.list = new ThreadList(this, {selectable: this.staff});
    this.conversation = new ConversationView(this, {staff: this.staff});
    this.problem = h('div', {class: 'banner', role: 'alert'});
    this.moreButton = h('button', {type: 'button', hidden: true, onclick: () => this.loadMore()}, t('loadMore'));
    this.emptyNote = h('p', {class: 'empty', hidden: true});
    this.listPane = h('nav', {class: 'list-pane', 'aria-label': t('conversations')},
      this.bulkBar || null, this.problem, this.emptyNote, this.list.element, h('div', {class: 'list-foot'}, this.moreButton));
    this.backButton = h('button', {type: 'button', class: 'back', onclick: () => this.closeConversation()}, `← ${t('backToList')}`);
    this.conversationPane = h('div', {class: 'conversation-pane'}, this.backButton, this.conversation.element);
    this.workspace = h('div', {class: 'workspace'}, this.listPane, this.conversationPane);
    return this.workspace;
  }

  query() { return {}; }

  async refreshList() {
    const shown = this.list.items.length;
    this.listPane.setAttribute('aria-busy', 'true');
    try {
      const page = await this.api.get('/v1/threads', {...this.query(), limit: Math.min(100, Math.max(20, shown))});
      this.cursor = page.next_cursor;
      this.afterList(page.items);
    } catch (error) {
      this.showProblem(error);
    } finally {
      this.listPane.removeAttribute('aria-busy');
    }
  }

  async loadMore() {
    try {
      const page = await this.api.get('/v1/threads', {...this.query(), limit: 20, cursor: this.cursor});
      this.cursor = page.next_cursor;
      this.afterList([...this.list.items, ...page.items.filter((item) => !this.list.rows.has(item.id))]);
    } catch (error) {
      this.showProblem(error);
    }
  }

  afterList(items) {
    this.problem.replaceChildren();
    const news = this.list.show(items);
    this.moreButton.hidden = !this.cursor;
    this.emptyNote.hidden = items.length > 0;
    this.emptyNote.textContent = this.filtered?.() ? t('noMatches') : t('noConversations');
    for (const item of news) {
      if (item.id !== this.conversation.id) this.announce(t('newMessageIn', {subject: item.subject}));
    }
    this.selectionChanged?.();
  }

  showProblem(error) {
    replace(this.problem, h('span', {}, error instanceof ApiError ? error.sentence : t('errorGeneric')),
      h('button', {type: 'button', onclick: () => this.refreshList()}, t('retry')));
  }

  async refreshUnread() {
    try {
      const counts = await this.api.get('/v1/unread');
      const total = counts.total || 0;
      this.unreadBadge.hidden = !total;
      this.unreadBadge.textContent = t('unreadBadge', {count: total});
    } catch {
      this.unreadBadge.hidden = true;
    }
  }

  onLive(event) {
    this.soon('list', () => {
      this.refreshList();
      this.refreshUnread();
      this.bell.refresh();
    });
    const touchesOpen = event.type !== 'message_posted' && event.type !== 'thread_started'
      ? true : event.thread_id === this.conversation.id;
    if (this.conversation.id && touchesOpen) this.soon('conversation', () => this.conversation.load());
  }

  async openThread(threadId, {focus = true} = {}) {
    this.list.setCurrent(threadId);
    this.workspace.classList.add('reading');
    await this.conversation.open(threadId, {focus});
  }

  closeConversation() {
    const id = this.conversation.id;
    this.workspace.classList.remove('reading');
    this.list.setCurrent(null);
    if (id) this.list.focusRow(id);
  }

  threadWasRead(threadId) {
    this.list.markRead(threadId);
    this.refreshUnread();
  }

  threadChanged() {
    this.soon('list', () => this.refreshList());
  }
}

// ---------------------------------------------------------------------------------------
// <mc-messages>: the customer's Messages tab

class Messages extends Inbox {
  build() {
    this.frame(h('section', {class: 'frame messages-tab'},
      this.buildHeader(t('messagesTitle')),
      this.buildWorkspace()));
  }
}

// ---------------------------------------------------------------------------------------
// <mc-message-center>: the vendor's and the administration's page

class MessageCenter extends Inbox {
  get staff() { return true; }

  build() {
    const admin = this.side === 'admin';
    this.bulkBar = this.buildBulkBar(admin);
    const conversations = h('div', {id: 'panel-conversations', role: admin ? 'tabpanel' : null,
      'aria-labelledby': admin ? 'tab-conversations' : null}, this.buildFilters(admin), this.buildWorkspace());
    const sections = [conversations];
    let tabs = null;
    if (admin) {
      this.vendorNames = new VendorNames(this);
      this.announcements = new Announcements(this);
      this.responseTimes = new ResponseTimes(this);
      sections.push(this.announcements.element, this.responseTimes.element);
      tabs = this.buildTabs([
        ['conversations', t('tabConversations'), conversations],
        ['announcements', t('tabAnnouncements'), this.announcements.element],
        ['response-times', t('tabResponseTimes'), this.responseTimes.element],
      ]);
    }
    this.frame(h('section', {class: 'frame center'}, this.buildHeader(t('centerTitle')), tabs, sections));
    if (admin) this.every(RECEIPTS_REFRESH_MS, () => { if (!this.announcements.element.hidden) this.announcements.refresh(); });
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
      if (name === 'announcements') this.announcements.refresh();
      if (name === 'response-times') this.responseTimes.load();
    };
    const list = h('div', {class: 'tabs', role: 'tablist', 'aria-label': t('tabsLabel')}, tabs);
    list.addEventListener('keydown', (event) => {
      const current = tabs.findIndex((tab) => tab.getAttribute('aria-selected') === 'true');
      const moves = {ArrowRight: 1, ArrowLeft: -1, Home: -current, End: tabs.length - 1 - current};
      if (!(event.key in moves)) return;
      event.preventDefault();
      choose((current + moves[event.key] + tabs.length) % tabs.length, true);
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

// ---------------------------------------------------------------------------------------
// Vendors' names for the administration's pages (threads and receipts carry only their ids)

class VendorNames {
  constructor(host) {
    this.host = host;
    this.names = new Map();
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
        .then((resolved) => resolved.context?.name, () => null)
        .then((name) => {
          const shown = name || t('vendorLabel', {id: companyId});
          this.names.set(companyId, shown);
          return shown;
        }));
    }
    return this.loading.get(companyId);
  }
}

// ---------------------------------------------------------------------------------------
// The administration's announcements, with read receipts

const SENT_ANNOUNCEMENTS = 'mc-announcements';

class Announcements {
  constructor(host) {
    this.host = host;
    this.ids = this.remembered();
    this.idsInput = h('input', {type: 'text', name: 'company_ids', 'aria-label': t('announceIds'), placeholder: '1, 2'});
    this.subject = h('input', {type: 'text', name: 'subject', required: true, maxlength: 200});
    this.message = h('textarea', {name: 'message', required: true, maxlength: 10000, rows: 5});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.result = h('p', {class: 'note', role: 'status'});
    this.form = h('form', {onsubmit: (event) => { event.preventDefault(); this.send(); }},
      h('h3', {}, t('announceTitle')),
      h('fieldset', {},
        h('legend', {}, t('announceTo')),
        h('label', {class: 'check'}, h('input', {type: 'radio', name: 'audience', value: 'all', checked: true}), t('announceAll')),
        h('label', {class: 'check'}, h('input', {type: 'radio', name: 'audience', value: 'some'}), t('announceSome')),
        this.idsInput),
      h('label', {}, t('announceSubject'), this.subject),
      h('label', {}, t('announceMessage'), this.message),
      this.problem,
      h('div', {}, h('button', {type: 'submit', class: 'primary'}, t('announceSend'))),
      this.result);
    this.receipts = h('div', {class: 'receipts'});
    this.element = h('div', {class: 'panel'}, this.form,
      h('section', {'aria-labelledby': 'receipts-title'}, h('h3', {id: 'receipts-title'}, t('receiptsTitle')), this.receipts));
    this.idsInput.addEventListener('input', () => { this.form.querySelector('input[value=some]').checked = true; });
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
    const data = new FormData(this.form);
    const some = data.get('audience') === 'some';
    const companyIds = some ? this.idsInput.value.split(',').map((id) => id.trim()).filter(Boolean) : 'all';
    this.problem.textContent = '';
    try {
      const sent = await this.host.api.post('/v1/broadcasts', {company_ids: companyIds, subject: this.subject.value,
        message: this.message.value}, this.key || (this.key = newKey()));
      this.key = null;
      this.remember(sent.id);
      this.result.textContent = t('announceSent', {count: sent.thread_count});
      this.subject.value = '';
      this.message.value = '';
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

// ---------------------------------------------------------------------------------------
// The vendors' response-time figures

class ResponseTimes {
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

// ---------------------------------------------------------------------------------------

for (const [name, element] of [['mc-ask-question', AskQuestion], ['mc-messages', Messages],
  ['mc-message-center', MessageCenter]]) {
  if (!customElements.get(name)) customElements.define(name, element);
}

export {AskQuestion, Messages, MessageCenter};
