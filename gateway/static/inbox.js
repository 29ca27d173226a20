/** The inbox page, common to the customer's Messages tab and the staff's Message Center: the
 * list, the open conversation, live updates, the unread badge and the bell. */
import {ApiError} from './api.js';
import {Bell} from './bell.js';
import {ConversationView} from './conversation.js';
import {h, replace, threadFromHash, threadFromLink} from './dom.js';
import {McElement} from './element.js';
import {t} from './strings.js';
import {ThreadList} from './thread-list.js';

export class Inbox extends McElement {
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
    // A link (a mail's, the bell's) names a thread: it opens, and the page shows it.
    const fromLink = threadFromLink();
    if (fromLink) this.openThread(fromLink, {focus: false}).then(() => this.scrollIntoView({block: 'start'}));
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
    // The bell hears of its own changes: bell_changed comes once its item is written (or read),
    // so it refetches at once. While the stream is down (poll) or was (resync), it refetches too.
    if (event.type === 'bell_changed' || event.type === 'poll' || event.type === 'resync') {
      this.soon('bell', () => this.bell.refresh(), 0);
    }
    if (event.type === 'bell_changed') return;
    this.soon('list', () => {
      this.refreshList();
      this.refreshUnread();
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
