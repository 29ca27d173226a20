/** <mc-messages>: the customer's Messages tab. */
import {VendorNames} from './admin.js';
import {h} from './dom.js';
import {Inbox} from './inbox.js';
import {MyData} from './privacy.js';
import {t} from './strings.js';

export class Messages extends Inbox {
  build() {
    this.vendorNames = new VendorNames(this); // each conversation names its vendor
    const header = this.buildHeader(t('messagesTitle'));
    this.myData = new MyData(this); // their own data, as the marketplace keeps it (docs/privacy.md)
    header.querySelector('.title').after(this.myData.element);
    this.frame(h('section', {class: 'frame messages-tab'}, header, this.buildWorkspace()));
  }
}

if (!customElements.get('mc-messages')) customElements.define('mc-messages', Messages);
