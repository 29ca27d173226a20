// The API client: requests as the gateway expects them, the contract's errors in words, and
// the public settings fetched once per gateway, again after a failure.
import assert from 'node:assert/strict';
import {beforeEach, test} from 'node:test';

import {STATIC_URL} from './paths.mjs';

const {Api, ApiError, settingsFor} = await import(`${STATIC_URL}/api.js`);
const {STRINGS} = await import(`${STATIC_URL}/strings.js`);

let calls;
let answers;

function answer(status, body) {
  return {status, ok: status >= 200 && status < 300,
    json: async () => (body === undefined ? Promise.reject(new SyntaxError('no body')) : body)};
}

beforeEach(() => {
  globalThis.location = {href: 'https://shop.example/account'};
  calls = [];
  answers = [];
  globalThis.fetch = async (url, options) => {
    calls.push({url: String(url), ...options});
    const next = answers.shift();
    if (next instanceof Error) throw next;
    return next;
  };
});

test('a call carries the token, the idempotency key and JSON; empty query values are left out', async () => {
  answers.push(answer(201, {id: 't1'}));
  const api = new Api('https://gw.example/', 'TOKEN');
  const result = await api.call('POST', '/v1/threads', {query: {a: 1, b: '', c: null, d: false, e: 0}, body: {x: 1}, key: 'K'});
  assert.deepEqual(result, {id: 't1'});
  assert.equal(calls[0].url, 'https://gw.example/v1/threads?a=1&e=0');
  assert.equal(calls[0].method, 'POST');
  assert.deepEqual(calls[0].headers, {Accept: 'application/json', 'Content-Type': 'application/json',
    Authorization: 'Bearer TOKEN', 'Idempotency-Key': 'K'});
  assert.equal(calls[0].body, '{"x":1}');
});

test('without api-base the page\'s own origin is called; without auth no token is sent', async () => {
  answers.push(answer(200, {}), answer(204));
  await new Api('', 'TOKEN').call('GET', '/v1/settings/public', {auth: false});
  assert.equal(calls[0].url, 'https://shop.example/v1/settings/public');
  assert.equal(calls[0].headers.Authorization, undefined);
  assert.equal(await new Api('', 'TOKEN').post('/v1/threads/t/read', {}), null); // 204: no body
});

test('an error answer becomes an ApiError with the contract\'s code, in the reader\'s words', async () => {
  answers.push(answer(404, {error: {code: 'not_found', message: 'No thread t9.'}}));
  const error = await new Api('', 'T').get('/v1/threads/t9').catch((caught) => caught);
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 404);
  assert.equal(error.code, 'not_found');
  assert.equal(error.sentence, STRINGS.errorNotFound);
});

test('validation errors say what the server said about the fields', async () => {
  answers.push(answer(422, {error: {code: 'validation_error', message: 'Invalid input.',
    details: {message: ['Shorter than minimum length 1.'], object: {type: ['Not a valid choice.']}}}}));
  const error = await new Api('', 'T').post('/v1/threads', {}).catch((caught) => caught);
  assert.equal(error.sentence, 'Shorter than minimum length 1.');
  assert.equal(new ApiError(422, 'validation_error', 'Invalid input.', {}).sentence, 'Invalid input.');
});

test('a network failure, or an answer that is not JSON, still reads as a sentence', async () => {
  answers.push(new TypeError('Failed to fetch'), answer(502));
  const offline = await new Api('', 'T').get('/v1/unread').catch((caught) => caught);
  assert.equal(offline.code, 'network');
  assert.equal(offline.sentence, STRINGS.errorNetwork);
  const proxy = await new Api('', 'T').get('/v1/unread').catch((caught) => caught);
  assert.equal(proxy.status, 502);
  assert.equal(proxy.sentence, STRINGS.errorGeneric);
  assert.equal(new ApiError(503, 'unavailable', 'x').sentence, STRINGS.errorUnavailable);
  assert.equal(new ApiError(409, 'conflict', 'Being written.').sentence, 'Being written.');
});

test('the public settings are fetched once per gateway, and again after a failure', async () => {
  answers.push(new TypeError('offline'));
  await assert.rejects(settingsFor('https://one.example'));
  answers.push(answer(200, {show_on_product: true}));
  assert.deepEqual(await settingsFor('https://one.example'), {show_on_product: true});
  assert.deepEqual(await settingsFor('https://one.example'), {show_on_product: true});
  assert.equal(calls.length, 2);
  assert.equal(calls[1].headers.Authorization, undefined);
});
