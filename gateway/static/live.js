/** Live updates: one EventSource per stream and token, shared by the elements of a page; while
 * the stream is down (or refused) the page polls every POLL_MS, and asks for the stream again
 * a minute after the browser gave up. */
export const POLL_MS = 20000;

const feeds = new Map();

export class LiveFeed {
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

export function liveFeed(url, token) {
  const key = `${url} ${token}`;
  if (!feeds.has(key)) feeds.set(key, new LiveFeed(url, token));
  return feeds.get(key);
}
