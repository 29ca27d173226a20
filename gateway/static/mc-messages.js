/** <mc-messages>: the customer's Messages tab. */
import {h} from './dom.js';
import {Inbox} from './inbox.js';
import {t} from './strings.js';

export class Messages extends Inbox {
  build() {
    this.frame(h('section', {class: 'frame messages-tab'},
      this.buildHeader(t('messagesTitle')),
      this.buildWorkspace()));
  }
}

if (!customElements.get('mc-messages')) customElements.define('mc-messages', Messages);
