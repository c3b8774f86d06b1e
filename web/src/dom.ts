/** A tiny hyperscript: h('div.card', {onclick}, child, ...). Strings become text nodes (never HTML). */
type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K | `${K}.${string}`, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name as K);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = [el.className, String(v)].filter(Boolean).join(' ');
    // Through the CSSOM: a style attribute is inline style, which the dashboard's Content-Security-Policy refuses.
    else if (k === 'style') el.style.cssText = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A link inside the single-page app. */
export function link(href: string, text: string, cls = ''): HTMLAnchorElement {
  return h('a', { href, class: cls || null }, text);
}

/**
 * A link opening `url` in a new tab, or null when it is not an http(s) URL: an alert fired before the server checked
 * runbook links may hold a "javascript:" one.
 */
export function externalLink(url: string | undefined, text: string, attrs: Attrs = {}): HTMLAnchorElement | null {
  return url !== undefined && /^https?:\/\//i.test(url.trim()) ? h('a', { ...attrs, href: url, target: '_blank', rel: 'noopener' }, text) : null;
}
