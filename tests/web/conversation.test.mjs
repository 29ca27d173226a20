// The conversation view's pure parts: whose reading "Seen" reports, under which message, and
// which keys send.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {STATIC_URL} from './paths.mjs';

const {lastSeen, otherSide, sendsNow} = await import(`${STATIC_URL}/conversation.js`);

const message = (id, side, at) => ({id, author: {side}, created_at: at});

test('each side hears of the other side reading', () => {
  assert.equal(otherSide('vendor_to_customer', 'customer'), 'vendor');
  assert.equal(otherSide('vendor_to_customer', 'vendor'), 'customer');
  assert.equal(otherSide('vendor_to_admin', 'vendor'), 'admin');
  assert.equal(otherSide('vendor_to_admin', 'admin'), 'vendor');
  assert.equal(otherSide('vendor_to_customer', 'admin'), null); // the administration only looks on
});

test('"Seen" stands under the last of my messages written before the other side read', () => {
  const messages = [
    message('m1', 'customer', '2026-12-07T10:00:00Z'), message('m2', 'vendor', '2026-12-07T10:05:00Z'),
    message('m3', 'customer', '2026-12-07T10:10:00Z'), message('m4', 'customer', '2026-12-07T10:20:00Z'),
  ];
  assert.equal(lastSeen(messages, 'customer', '2026-12-07T10:15:00Z'), 'm3'); // m4 came after
  assert.equal(lastSeen(messages, 'customer', '2026-12-07T10:20:00+00:00'), 'm4');
  assert.equal(lastSeen(messages, 'vendor', '2026-12-07T10:06:00Z'), 'm2');
  assert.equal(lastSeen(messages, 'customer', '2026-12-07T09:00:00Z'), null); // read before I wrote
  assert.equal(lastSeen(messages, 'customer', undefined), null); // never read
});

test('Ctrl+Enter and Cmd+Enter send; Enter alone is a new line', () => {
  assert.equal(sendsNow({key: 'Enter', ctrlKey: true}), true);
  assert.equal(sendsNow({key: 'Enter', metaKey: true}), true);
  assert.equal(sendsNow({key: 'Enter'}), false);
  assert.equal(sendsNow({key: 'Enter', ctrlKey: true, isComposing: true}), false); // an IME's own Enter
});
