/**
 * Message bodies: the API's sanitised HTML (only <a> and <br>), shown without trusting it.
 * renderBody() is the one use of innerHTML in the Message Center: on an inert <template>
 * (nothing in it loads or runs), then copied node by node by copySafe(), keeping only text,
 * <br> and http(s)/mailto links; any other markup is reduced to its text. Everything else the
 * elements show (names, subjects, previews, context) is set as text.
 *
 * copySafe() reads nodes only through nodeType, nodeName, childNodes, data and getAttribute,
 * and makes them through the `doc` it is given: the Node tests (tests/web/) hand it trees of
 * their own.
 */

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const DOCUMENT_FRAGMENT_NODE = 11;
const LEAVING = ['http:', 'https:', 'mailto:', 'tel:'];

/** Only http(s), mailto and tel links leave the page; anything else (javascript:, data:) is dropped. */
export function safeUrl(url, base = globalThis.location?.href) {
  if (!url) return null;
  try {
    const parsed = new URL(url, base);
    return LEAVING.includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A message body (the API's HTML) as a fragment of text, <br> and safe links. */
export function renderBody(html, doc = globalThis.document) {
  const template = doc.createElement('template');
  template.innerHTML = html || '';
  const fragment = doc.createDocumentFragment();
  copySafe(template.content, fragment, doc);
  return fragment;
}

/** Copies `from`'s children into `into`: text, <br> and http(s)/mailto links (opened apart, no referrer). */
export function copySafe(from, into, doc = globalThis.document) {
  for (const node of from.childNodes) {
    if (node.nodeType === TEXT_NODE) {
      into.append(node.data);
    } else if (node.nodeName === 'BR') {
      into.append(doc.createElement('br'));
    } else if (node.nodeName === 'A') {
      const href = safeUrl(node.getAttribute('href'));
      if (href && !href.startsWith('tel:')) {
        const link = doc.createElement('a');
        link.setAttribute('href', href);
        link.setAttribute('rel', 'nofollow noreferrer noopener');
        link.setAttribute('target', '_blank');
        copySafe(node, link, doc);
        into.append(link);
      } else {
        copySafe(node, into, doc);
      }
    } else if (node.nodeType === ELEMENT_NODE || node.nodeType === DOCUMENT_FRAGMENT_NODE) {
      copySafe(node, into, doc);
    }
  }
}
