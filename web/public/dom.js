// DOM building without HTML strings: every piece of text goes through textContent or a
// text node, so untrusted post text can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') el.textContent = value;
    else if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

// Appends strings (as text), nodes and arrays of them; null, undefined and false are skipped.
export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// h('a', {href: '#/inbox', class: 'x'}, 'text', otherNode)
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

export function svg(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

// The URL when it is a web link (http or https), else null: posts come from anywhere, and
// only those become links.
export function webUrl(url) {
  return typeof url === 'string' && /^https?:\/\/./i.test(url) ? url : null;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let uid = 0;
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// Text with marked ranges: ranges = [{start, end, title, cls, describe}] in UTF-16 offsets,
// sorted or not; overlapping ranges after the first are dropped. `describe`, when given, is
// read by screen readers after the marked words (a visually hidden text inside the mark).
export function markedText(text, ranges) {
  const out = [];
  let at = 0;
  const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start || b.end - a.end);
  for (const r of sorted) {
    if (r.start < at || r.end > text.length) continue;
    if (r.start > at) out.push(document.createTextNode(text.slice(at, r.start)));
    const hidden = r.describe ? h('span', { class: 'visually-hidden' }, ` (${r.describe})`) : null;
    out.push(h('mark', { class: r.cls, title: r.title, 'data-kind': r.kind }, text.slice(r.start, r.end), hidden));
    at = r.end;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

// Snippet whose matches sit between U+0001 and U+0002.
export function snippetText(snippet) {
  const out = [];
  const parts = String(snippet || '').split('\u0001');
  parts.forEach((part, i) => {
    if (i === 0) {
      if (part) out.push(document.createTextNode(part));
      return;
    }
    const end = part.indexOf('\u0002');
    if (end < 0) {
      out.push(h('mark', {}, part));
    } else {
      out.push(h('mark', {}, part.slice(0, end)));
      if (end + 1 < part.length) out.push(document.createTextNode(part.slice(end + 1)));
    }
  });
  return out;
}
