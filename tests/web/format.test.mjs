// The pure formatters: dates, amounts, durations, shares, context values, and tokens' claims.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {STATIC_URL} from './paths.mjs';

const {STRINGS} = await import(`${STATIC_URL}/strings.js`);
const format = await import(`${STATIC_URL}/format.js`);
STRINGS.locale = 'en-US';

test('a time is shown in the locale, and nothing for a missing or broken one', () => {
  const shown = format.formatTime('2024-03-05T14:30:00Z');
  assert.match(shown, /Mar \d, 2024/);
  assert.equal(format.formatTime(null), '');
  assert.equal(format.formatTime(''), '');
  assert.equal(format.formatTime('not a date'), '');
});

test('amounts have two decimals; nothing is a dash; what is not a number is shown as it is', () => {
  assert.equal(format.formatAmount(1234.5), '1,234.50');
  assert.equal(format.formatAmount('19.9'), '19.90');
  assert.equal(format.formatAmount(0), '0.00');
  assert.equal(format.formatAmount(null), '—');
  assert.equal(format.formatAmount(''), '—');
  assert.equal(format.formatAmount('n/a'), 'n/a');
});

test('durations read as seconds, minutes, or hours and minutes', () => {
  assert.equal(format.formatDuration(42.4), '42 s');
  assert.equal(format.formatDuration(59.6), '1 min');
  assert.equal(format.formatDuration(125), '2 min');
  assert.equal(format.formatDuration(3600), '1 h 0 min');
  assert.equal(format.formatDuration(2 * 86400 + 90 * 60), '49 h 30 min');
  assert.equal(format.formatDuration(null), '—');
  assert.equal(format.formatDuration(undefined), '—');
});

test('shares are whole percentages', () => {
  assert.equal(format.formatShare(0.756), '76%');
  assert.equal(format.formatShare(1), '100%');
  assert.equal(format.formatShare(0), '0%');
  assert.equal(format.formatShare(null), '—');
});

test('context values: lists are counted, objects spelt out, nothing is a dash', () => {
  assert.equal(format.formatValue([1, 2, 3]), '3 items');
  assert.equal(format.formatValue([1]), '1 item');
  assert.equal(format.formatValue({a: 1}), '{"a":1}');
  assert.equal(format.formatValue(7), '7');
  assert.equal(format.formatValue(false), 'false');
  assert.equal(format.formatValue(undefined), '—');
});

test('a change shows amounts as amounts, other fields as values', () => {
  assert.deepEqual(format.changeValues({field: 'price', then: 10, now: 12.5}), {then: '10.00', now: '12.50'});
  assert.deepEqual(format.changeValues({field: 'total', then: null, now: '3'}), {then: '—', now: '3.00'});
  assert.deepEqual(format.changeValues({field: 'status', then: 'P', now: 'C'}), {then: 'P', now: 'C'});
  assert.deepEqual(format.changeValues({field: 'items', then: [1], now: [1, 2]}), {then: '1 item', now: '2 items'});
});

function token(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({alg: 'HS256', typ: 'JWT'})}.${part(claims)}.signature`;
}

test('a token\'s claims are read (base64url, UTF-8); a broken token has none', () => {
  const claims = {sub: 'c-1', role: 'customer', name: 'Zoë Ødegård ✓', company_id: null};
  assert.deepEqual(format.claimsOf(token(claims)), claims);
  assert.deepEqual(format.claimsOf('not-a-token'), {});
  assert.deepEqual(format.claimsOf('a.!!!.c'), {});
  assert.deepEqual(format.claimsOf(''), {});
  assert.deepEqual(format.claimsOf(undefined), {});
});

test('roles become sides, and sides have their words', () => {
  assert.equal(format.sideOfRole('vendor'), 'vendor');
  assert.equal(format.sideOfRole('system'), null);
  assert.equal(format.sideOfRole('__proto__'), null);
  assert.equal(format.sideOfRole('toString'), null);
  assert.equal(format.sideLabel('admin'), 'Marketplace');
  assert.equal(format.sideLabel('customer'), 'Customer');
  assert.equal(format.sideLabel('nobody'), '');
  assert.equal(format.sideLabel('constructor'), '');
});

test('a price is written in the catalog\'s currency, as CS-Cart writes it', () => {
  const euro = {code: 'EUR', symbol: '\u20ac', after: true, decimals: 2, decimals_separator: ',', thousands_separator: '.'};
  assert.equal(format.formatAmount(1234567.5, euro), '1.234.567,50\u00a0\u20ac');
  assert.equal(format.formatAmount('89', {...euro, after: false, symbol: '$', decimals_separator: '.', thousands_separator: ','}), '$89.00');
  assert.equal(format.formatAmount(1500, {code: 'SEK', symbol: 'kr', after: true, decimals: 0, decimals_separator: ',', thousands_separator: ' '}), '1 500\u00a0kr');
  assert.equal(format.formatAmount(-3.456, {code: 'USD', symbol: '$', after: false, decimals: 2}), '-$3.46');
  assert.equal(format.formatAmount(null, euro), '—');
  assert.deepEqual(format.changeValues({field: 'price', then: 10, now: 12.5}, euro), {then: '10,00\u00a0\u20ac', now: '12,50\u00a0\u20ac'});
});

test('a currency code alone is written the reader\'s way', () => {
  assert.equal(format.formatAmount(89, {code: 'USD', symbol: null}), (89).toLocaleString(undefined, {style: 'currency', currency: 'USD'}));
  assert.equal(format.formatAmount(89, {code: 'XQQ1'}), '89.00');
});
