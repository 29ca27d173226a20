/** DOM helpers: elements built from tags, attributes and children (strings become text nodes,
 * never markup), and small page helpers. */

/** An element with attributes, listeners (on…) and children; strings become text nodes. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

export function newKey() {
  return globalThis.crypto?.randomUUID?.() || `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

export function threadFromHash(hash = location.hash) {
  const match = /^#mc-thread=([^&]+)/.exec(hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The thread a link names: `#mc-thread=<id>` (the components' own links), else the query's
 * `thread_id` (the mails' and the bell's, CS-Cart's name) or `thread`. */
export function threadFromLink(url = location.href) {
  const {hash, searchParams} = new URL(url);
  return threadFromHash(hash) || searchParams.get('thread_id') || searchParams.get('thread') || null;
}
