// The settings tab's pure parts: which sections a token shows, and a 422's details read per field.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {STATIC_URL} from './paths.mjs';

const {mayAdminister, messagesAt, flatten} = await import(`${STATIC_URL}/settings-screen.js`);

test('a full admin may every section; restricted staff only what their token names; others none', () => {
  assert.equal(mayAdminister({role: 'admin'}, 'manage_webhooks'), true);
  assert.equal(mayAdminister({role: 'admin', permissions: ['manage_settings']}, 'manage_settings'), true);
  assert.equal(mayAdminister({role: 'admin', permissions: ['manage_settings']}, 'manage_webhooks'), false);
  assert.equal(mayAdminister({role: 'admin', permissions: []}, 'manage_settings'), false);
  assert.equal(mayAdminister({role: 'vendor'}, 'manage_settings'), false);
});

test('the messages at a field are found however deep, a list entry named by its line', () => {
  const details = {moderation_allowed_domains: {1: ['Not a domain name.']},
    notifications: {retry: {attempts: ['Must be between 1 and 20.']}}, url: ['Use https.']};
  assert.deepEqual(messagesAt(details, ['moderation_allowed_domains']), ['Line 2: Not a domain name.']);
  assert.deepEqual(messagesAt(details, ['notifications', 'retry', 'attempts']), ['Must be between 1 and 20.']);
  assert.deepEqual(messagesAt(details, ['url']), ['Use https.']);
  assert.deepEqual(messagesAt(details, ['notifications', 'coalesce_seconds']), []);
  assert.deepEqual(messagesAt({url: ['x']}, ['url', 'deeper']), []);
  assert.deepEqual(flatten({_schema: ['At most 20 webhook endpoints.']}), ['At most 20 webhook endpoints.']);
});
