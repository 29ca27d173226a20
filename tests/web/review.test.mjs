// The review tab's pure part: a held message's text cut into runs, its contact details marked.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {STATIC_URL} from './paths.mjs';

const {markedRuns} = await import(`${STATIC_URL}/review.js`);

test('the details found are marked, the rest is plain text, in order', () => {
  const text = 'Call +1 415 555 2671 or mail ann@shop.example';
  assert.deepEqual(markedRuns(text, [{start: 29, end: 45, kind: 'email'}, {start: 5, end: 20, kind: 'phone'}]), [
    {text: 'Call '}, {text: '+1 415 555 2671', kind: 'phone'}, {text: ' or mail '},
    {text: 'ann@shop.example', kind: 'email'}]);
});

test('positions count characters as the API does, not UTF-16 units', () => {
  // "🙂" is one character for the API (Python) and two units for JavaScript.
  assert.deepEqual(markedRuns('🙂 wa.me/1 ok', [{start: 2, end: 10, kind: 'messenger'}]), [
    {text: '🙂 '}, {text: 'wa.me/1 ', kind: 'messenger'}, {text: 'ok'}]);
});

test('overlapping, empty or missing details never break the text', () => {
  assert.deepEqual(markedRuns('abcdef', [{start: 1, end: 3, kind: 'link'}, {start: 2, end: 4, kind: 'link'},
    {start: 5, end: 5, kind: 'link'}]), [{text: 'a'}, {text: 'bc', kind: 'link'}, {text: 'def'}]);
  assert.deepEqual(markedRuns('plain', undefined), [{text: 'plain'}]);
  assert.deepEqual(markedRuns('', []), []);
});
