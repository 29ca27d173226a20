/** The administration's review of messages held for their contact details (issue 15): each
 * as its author wrote it, the details found marked, to approve (it is delivered as if just
 * posted) or reject with a reason its author reads. Only for admins holding
 * moderate_messages: for anyone else the API answers 403 and the tab stays hidden. */
import {ApiError} from './api.js';
import {h, replace} from './dom.js';
import {formatTime} from './format.js';
import {t} from './strings.js';

const KINDS = {email: 'foundEmail', phone: 'foundPhone', link: 'foundLink', messenger: 'foundMessenger',
  blocked_word: 'foundBlockedWord'};

/** The text as runs of text and <mark>ed details. The API counts characters as Python does (code
 * points), so the text is cut by code points, not by JavaScript's UTF-16 units. */
export function markedRuns(text, found) {
  const chars = Array.from(text || '');
  const runs = [];
  let at = 0;
  for (const detail of [...(found || [])].sort((a, b) => a.start - b.start)) {
    if (detail.start < at || detail.end <= detail.start) continue;
    if (detail.start > at) runs.push({text: chars.slice(at, detail.start).join('')});
    runs.push({text: chars.slice(detail.start, detail.end).join(''), kind: detail.kind});
    at = detail.end;
  }
  if (at < chars.length) runs.push({text: chars.slice(at).join('')});
  return runs;
}

function marked(text, found) {
  return markedRuns(text, found).map((run) => (run.kind
    ? h('mark', {'data-kind': run.kind}, run.text, h('span', {class: 'visually-hidden'}, ` (${t(KINDS[run.kind] || 'foundOther')})`))
    : run.text));
}

export class ReviewQueue {
  /** `onCount(count)`: how many messages wait (null: the caller may not review). */
  constructor(host, onCount) {
    this.host = host;
    this.onCount = onCount;
    this.list = h('ol', {class: 'reviews', 'aria-label': t('reviewTitle')});
    this.problem = h('p', {class: 'error', role: 'alert'});
    this.element = h('div', {class: 'panel'},
      h('div', {class: 'row'}, h('h3', {}, t('reviewTitle')),
        h('button', {type: 'button', onclick: () => this.refresh()}, t('refresh'))),
      h('p', {class: 'muted'}, t('reviewHint')),
      this.problem, this.list);
  }

  async refresh() {
    try {
      const page = await this.host.api.get('/v1/moderation', {limit: 50});
      this.problem.textContent = '';
      this.onCount(page.held_count);
      replace(this.list, page.items.length ? page.items.map((item) => this.itemView(item))
        : h('li', {class: 'muted'}, t('reviewNone')));
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        this.onCount(null);
        return;
      }
      this.problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
    }
  }

  itemView(item) {
    const reason = h('textarea', {rows: 2, maxlength: 500});
    const problem = h('p', {class: 'error', role: 'alert'});
    const from = item.direction === 'customer_to_vendor' ? 'reviewFromCustomer' : 'reviewFromVendor';
    return h('li', {class: 'review', 'data-message-id': item.message_id},
      h('div', {class: 'row'},
        h('h4', {}, item.thread?.subject || t('nothing')),
        h('time', {class: 'muted', datetime: item.created_at}, formatTime(item.created_at))),
      h('p', {class: 'muted'}, t(from, {name: item.author?.name || ''})),
      h('p', {class: 'held-text'}, marked(item.text, item.found)),
      h('label', {}, t('reviewReason'), reason),
      problem,
      h('div', {class: 'actions'},
        h('button', {type: 'button', class: 'primary', onclick: () => this.decide(item, 'approve', reason, problem)},
          t('reviewApprove')),
        h('button', {type: 'button', class: 'danger', onclick: () => this.decide(item, 'reject', reason, problem)},
          t('reviewReject'))));
  }

  async decide(item, decision, reasonBox, problem) {
    const reason = reasonBox.value.trim();
    if (decision === 'reject' && !reason) {
      problem.textContent = t('reviewReasonNeeded');
      reasonBox.focus();
      return;
    }
    try {
      await this.host.api.post(`/v1/moderation/${encodeURIComponent(item.message_id)}`,
        reason ? {decision, reason} : {decision});
      this.host.announce(t(decision === 'approve' ? 'reviewApproved' : 'reviewRejected'));
      await this.refresh();
    } catch (error) {
      problem.textContent = error instanceof ApiError ? error.sentence : t('errorGeneric');
    }
  }
}
