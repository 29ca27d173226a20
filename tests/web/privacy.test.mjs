// A customer's export put together from its pages (privacy.js): a conversation that went on from
// one page to the next is one conversation again, and every page is asked for with its cursor.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import './fake-dom.mjs';
import {STATIC_URL} from './paths.mjs';

const {wholeExport} = await import(`${STATIC_URL}/privacy.js`);

test('the pages become one document, conversations whole, in order', async () => {
  const pages = {
    '': {customer: {id: 'c1', names: ['Ann'], emails: ['ann@x.test']}, preferences: null, notifications: [],
      conversations: [{id: 't1', messages: [{id: 'm1'}]}, {id: 't2', messages: [{id: 'm2'}]}], next_cursor: 'a'},
    a: {customer: null, preferences: null, notifications: [],
      conversations: [{id: 't2', continued: true, messages: [{id: 'm3'}]}], next_cursor: 'b'},
    b: {customer: null, preferences: {email: {vendor_to_customer: true}}, conversations: [],
      notifications: [{kind: 'mail', id: 'n1'}], next_cursor: null},
  };
  const asked = [];
  const api = {get: async (path, query) => { asked.push([path, query.cursor ?? '']); return pages[query.cursor ?? '']; }};
  const whole = await wholeExport(api, '/v1/privacy/me');
  assert.deepEqual(asked.map(([, cursor]) => cursor), ['', 'a', 'b']);
  assert.deepEqual(whole.conversations, [{id: 't1', messages: [{id: 'm1'}]}, {id: 't2', messages: [{id: 'm2'}, {id: 'm3'}]}]);
  assert.equal(whole.customer.id, 'c1');
  assert.deepEqual(whole.preferences, {email: {vendor_to_customer: true}});
  assert.deepEqual(whole.notifications, [{kind: 'mail', id: 'n1'}]);
});
