// Which conversation a page's address opens: the mails' and the bell's links (CS-Cart's
// `thread_id`, or `thread`) and the components' own `#mc-thread=`.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {STATIC_URL} from './paths.mjs';

const {threadFromLink} = await import(`${STATIC_URL}/dom.js`);

test('a link from a mail names its thread in the query, as CS-Cart does or as before', () => {
  assert.equal(threadFromLink('https://shop.test/index.php?dispatch=vendor_communication.view&thread_id=t%2F1'), 't/1');
  assert.equal(threadFromLink('https://portal.test/vendor?thread=t2'), 't2');
});

test("the components' own link in the hash comes first, and a page without one opens nothing", () => {
  assert.equal(threadFromLink('https://shop.test/?thread_id=old#mc-thread=t3'), 't3');
  assert.equal(threadFromLink('https://shop.test/index.php?dispatch=products.view&product_id=7'), null);
  assert.equal(threadFromLink('https://shop.test/?thread_id=#other'), null);
});
