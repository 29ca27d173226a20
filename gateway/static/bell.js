/** The in-app bell (hidden where the API has no notifications). */
import {h, replace} from './dom.js';
import {formatTime, sideLabel} from './format.js';
import {t} from './strings.js';

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

export class Bell {
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
    const asked = (this.asked = (this.asked || 0) + 1);
    try {
      const page = await this.host.api.get('/v1/notifications', {limit: 20});
      if (asked !== this.asked) return; // a newer answer is on its way: this one may be older
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
