// The visible strings: t() fills placeholders and picks plural forms; every key the modules use exists.
import assert from 'node:assert/strict';
import {readFileSync, readdirSync} from 'node:fs';
import {test} from 'node:test';

import {STATIC, STATIC_URL} from './paths.mjs';

const {STRINGS, t} = await import(`${STATIC_URL}/strings.js`);

test('t fills the placeholders it is given and leaves the others empty', () => {
  assert.equal(t('previewBy', {name: 'Ann', preview: 'Hello'}), 'Ann: Hello');
  assert.equal(t('orderNumber', {number: 5001}), 'Order #5001');
  assert.equal(t('previewBy', {name: 'Ann'}), 'Ann: ');
});

test('t picks the plural form for the count, in the locale of STRINGS', () => {
  assert.equal(t('selected', {count: 1}), '1 selected');
  assert.equal(t('bulkReplyTitle', {count: 1}), 'Reply to 1 conversation');
  assert.equal(t('bulkReplyTitle', {count: 3}), 'Reply to 3 conversations');
  assert.equal(t('announceSent', {}), 'Sent to  vendors.'); // no count: the "other" form (0)
});

test('an unknown key is shown as itself, never as undefined', () => {
  assert.equal(t('noSuchKey'), 'noSuchKey');
  assert.equal(t('fieldNames'), 'fieldNames'); // an object that is not a plural is not text
});

test('a translation replaces entries in place', (context) => {
  const before = {...STRINGS};
  context.after(() => Object.assign(STRINGS, before));
  Object.assign(STRINGS, {askButton: 'Poser une question', selected: {one: '{count} choisie', other: '{count} choisies'},
    locale: 'fr'});
  assert.equal(t('askButton'), 'Poser une question');
  assert.equal(t('selected', {count: 1}), '1 choisie');
  assert.equal(t('selected', {count: 0}), '0 choisie'); // French: 0 is singular
  assert.equal(t('selected', {count: 2}), '2 choisies');
});

test('every entry is text or plural forms with "other", and the forms share their placeholders', () => {
  for (const [key, value] of Object.entries(STRINGS)) {
    if (key === 'locale' || key === 'fieldNames') continue;
    if (typeof value === 'string') continue;
    assert.equal(typeof value.other, 'string', key);
    const names = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort().join();
    for (const form of Object.values(value)) assert.equal(names(form), names(value.other), key);
  }
  for (const [field, name] of Object.entries(STRINGS.fieldNames)) assert.equal(typeof name, 'string', field);
});

test('every key the modules pass to t() is in STRINGS', () => {
  const used = new Set();
  for (const file of readdirSync(STATIC).filter((name) => name.endsWith('.js'))) {
    const source = readFileSync(`${STATIC}/${file}`, 'utf8');
    for (const match of source.matchAll(/\bt\('(\w+)'/g)) used.add(match[1]);
  }
  assert.ok(used.size > 100, `only ${used.size} keys found: has the pattern changed?`);
  const missing = [...used].filter((key) => !(key in STRINGS));
  assert.deepEqual(missing, []);
});
