/** <mc-messages>: the customer's Messages tab. */
import {VendorNames} from './admin.js';
import {h} from './dom.js';
import {Inbox} from './inbox.js';
import {t} from './strings.js';

export class Messages extends Inbox {
  build() {
    this.vendorNames = new VendorNames(this); // each conversation names its vendor
    this.frame(h('section', {class: 'frame messages-tab'},
      this.buildHeader(t('messagesTitle')),
      this.buildWorkspace()));
  }
}

if (!customElements.get('mc-messages')) customElements.define('mc-messages', Messages);
