/** The base of the three elements: configuration (attributes or configure()), the API, live
 * updates, the live region for announcements, timers that stop with the element. */
import {Api} from './api.js';
import {h} from './dom.js';
import {claimsOf, sideOfRole} from './format.js';
import {liveFeed} from './live.js';
import {t} from './strings.js';
import {STYLES} from './styles.js';

export class McElement extends HTMLElement {
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
