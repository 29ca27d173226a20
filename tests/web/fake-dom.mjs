// A few lines of DOM for the safe-HTML copier: the trees an HTML parser makes of hostile
// bodies, built by hand (Node has no parser; the browser tests in tests/ui use the real one).
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const DOCUMENT_FRAGMENT_NODE = 11;

class FakeNode {
  constructor(nodeType, nodeName) {
    this.nodeType = nodeType;
    this.nodeName = nodeName;
    this.childNodes = [];
    this.attributes = new Map();
  }

  append(...children) {
    for (const child of children) this.childNodes.push(typeof child === 'string' ? text(child) : child);
  }

  getAttribute(name) { return this.attributes.has(name) ? this.attributes.get(name) : null; }

  setAttribute(name, value) { this.attributes.set(name, String(value)); }
}

export function text(data) {
  const node = new FakeNode(TEXT_NODE, '#text');
  node.data = data;
  return node;
}

/** el('a', {href: …}, child, …): an HTML element as the parser names it (upper case). */
export function el(tag, attributes = {}, ...children) {
  return ns(tag.toUpperCase(), attributes, ...children);
}

/** An element whose nodeName keeps its case (SVG's <a> is "a"). */
export function ns(nodeName, attributes = {}, ...children) {
  const node = new FakeNode(ELEMENT_NODE, nodeName);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function fragment(...children) {
  const node = new FakeNode(DOCUMENT_FRAGMENT_NODE, '#document-fragment');
  node.append(...children);
  return node;
}

export const doc = {
  createElement: (tag) => el(tag),
  createDocumentFragment: () => fragment(),
};

/** What a copy came to, as markup (attributes in the order they were set). */
export function serialize(node) {
  if (node.nodeType === TEXT_NODE) return node.data;
  const inner = node.childNodes.map(serialize).join('');
  if (node.nodeType === DOCUMENT_FRAGMENT_NODE) return inner;
  const tag = node.nodeName.toLowerCase();
  const attributes = [...node.attributes].map(([name, value]) => ` ${name}="${value}"`).join('');
  return tag === 'br' ? `<br${attributes}>` : `<${tag}${attributes}>${inner}</${tag}>`;
}
