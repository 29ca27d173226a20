/** Who the reader is talking with, under a conversation's title: the vendor (and its logo, when
 * the catalog has one) for the customer and, in a vendor's thread, the administration; the
 * customer for the vendor's staff and the administration. Staff talking about an order with
 * each other may write to its customer from there. */
import {h, replace} from './dom.js';
import {t} from './strings.js';

export function partyLine(thread, host) {
  const parts = [withWhom(thread, host), writeToCustomer(thread, host)].filter(Boolean);
  return parts.length ? h('div', {class: 'party'}, parts) : null;
}

function withWhom(thread, host) {
  // The customer talks with a vendor; so does the administration in a vendor-to-administration thread.
  if (host.side === 'customer' || (host.side === 'admin' && thread.type === 'vendor_to_admin')) {
    if (!thread.company_id || !host.vendorNames) return null;
    const line = h('span', {class: 'with'});
    host.vendorNames.name(thread.company_id).then((name) => {
      const src = host.vendorNames.logos.get(thread.company_id);
      replace(line, src ? h('img', {class: 'vendor-logo', src, alt: '', width: 24, height: 24}) : null,
        t('withVendor', {name}));
    });
    return line;
  }
  if (thread.type === 'vendor_to_customer' && thread.customer_name) {
    return h('span', {class: 'with'}, t('withCustomer', {name: thread.customer_name}));
  }
  return null;
}

function writeToCustomer(thread, host) {
  if (thread.type !== 'vendor_to_admin' || thread.object?.type !== 'order' || !host.starter) return null;
  return h('button', {type: 'button', class: 'link', 'aria-haspopup': 'dialog',
    onclick: () => host.starter.open(thread.object.id)}, t('writeToOrderCustomer', {number: thread.object.id}));
}
