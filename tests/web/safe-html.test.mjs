// The safe-HTML copier: only text, <br> and http(s)/mailto links come out of a message body.
import assert from 'node:assert/strict';
import {before, test} from 'node:test';

import {doc, el, fragment, ns, serialize, text} from './fake-dom.mjs';
import {STATIC_URL} from './paths.mjs';

const {copySafe, renderBody, safeUrl} = await import(`${STATIC_URL}/safe-html.js`);

before(() => {
  globalThis.location = {href: 'https://shop.example/account/messages?tab=1'};
});

function copied(...children) {
  const into = doc.createDocumentFragment();
  copySafe(fragment(...children), into, doc);
  return serialize(into);
}

const LINK = 'rel="nofollow noreferrer noopener" target="_blank"';

test('text and line breaks are kept as they are', () => {
  assert.equal(copied(text('Hello'), el('br'), text('<b>not markup</b> & more')),
    'Hello<br><b>not markup</b> & more');
  // Text stays one text node: what looks like markup in it is never parsed again.
  const into = doc.createDocumentFragment();
  copySafe(fragment(text('<img src=x onerror=alert(1)>')), into, doc);
  assert.equal(into.childNodes.length, 1);
  assert.equal(into.childNodes[0].nodeType, 3);
});

test('http(s) and mailto links are kept, opened apart and without a referrer', () => {
  assert.equal(copied(el('a', {href: 'https://example.com/a?b=1'}, 'a link')),
    `<a href="https://example.com/a?b=1" ${LINK}>a link</a>`);
  assert.equal(copied(el('a', {href: 'mailto:ann@example.com'}, 'mail')), `<a href="mailto:ann@example.com" ${LINK}>mail</a>`);
  // A relative link is made absolute against the page.
  assert.equal(copied(el('a', {href: '/help'}, 'help')), `<a href="https://shop.example/help" ${LINK}>help</a>`);
});

test('a link\'s other attributes are never copied', () => {
  const hostile = el('a', {href: 'https://example.com', onclick: 'steal()', style: 'position:fixed', target: '_self',
    rel: 'opener', id: 'x'}, 'text');
  assert.equal(copied(hostile), `<a href="https://example.com/" ${LINK}>text</a>`);
});

test('script, data, vbscript, tel and unparsable links lose the link and keep the words', () => {
  for (const href of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)', 'tel:+1555', 'http://[::1', '', null]) {
    const attributes = href === null ? {} : {href};
    assert.equal(copied(el('a', attributes, 'click ', el('br'), 'me')), 'click <br>me', String(href));
  }
});

test('any other element is reduced to its text; scripts, styles and images leave nothing runnable', () => {
  const body = [
    el('script', {}, 'alert(1)'),
    el('img', {src: 'x', onerror: 'alert(1)'}),
    el('iframe', {src: 'https://evil.example'}),
    el('b', {onmouseover: 'alert(1)'}, 'bold ', el('i', {}, 'italic')),
    el('div', {}, el('a', {href: 'https://ok.example'}, 'inner')),
    ns('svg', {}, ns('a', {href: 'https://svg.example'}, 'svg link')), // not an HTML <a>
    el('form', {action: 'https://evil.example'}, el('input', {value: 'x'}), el('button', {}, 'Go')),
  ];
  assert.equal(copied(...body), `alert(1)bold italic<a href="https://ok.example/" ${LINK}>inner</a>svg linkGo`);
});

test('a hostile link inside a safe one keeps only its words', () => {
  const nested = el('a', {href: 'https://outer.example'}, 'outer ', el('a', {href: 'javascript:x()'}, 'inner'));
  assert.equal(copied(nested), `<a href="https://outer.example/" ${LINK}>outer inner</a>`);
});

test('comments and other nodes are dropped', () => {
  const comment = {nodeType: 8, nodeName: '#comment', data: 'secret', childNodes: []};
  assert.equal(copied(text('a'), comment, text('b')), 'ab');
});

test('renderBody parses into an inert template, and copies only its safe part', () => {
  const parsed = [];
  const template = el('template');
  const parsingDoc = {
    ...doc,
    createElement(tag) {
      if (tag !== 'template') return doc.createElement(tag);
      return {
        set innerHTML(html) {
          parsed.push(html);
          template.content = fragment(text('Hi '), el('script', {}, 'x()'), el('a', {href: 'https://a.example'}, 'a'));
        },
        get content() { return template.content; },
      };
    },
  };
  assert.equal(serialize(renderBody('Hi <script>x()</script><a href="https://a.example">a</a>', parsingDoc)),
    `Hi x()<a href="https://a.example/" ${LINK}>a</a>`);
  renderBody(null, parsingDoc);
  assert.deepEqual(parsed.at(-1), '');
});

test('safeUrl lets only http(s), mailto and tel leave the page', () => {
  assert.equal(safeUrl('https://example.com/x'), 'https://example.com/x');
  assert.equal(safeUrl('tel:+1555'), 'tel:+1555');
  assert.equal(safeUrl('//cdn.example/p.png'), 'https://cdn.example/p.png');
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('data:image/png;base64,AAAA'), null);
  assert.equal(safeUrl('blob:https://shop.example/1'), null);
  assert.equal(safeUrl(''), null);
  assert.equal(safeUrl(undefined), null);
  assert.equal(safeUrl('/relative', 'not a base'), null);
});
