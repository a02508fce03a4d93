// Safe rendering of the dialogue's Markdown subset to DOM nodes. Every piece of text becomes a Text
// node (textContent); no HTML string is ever parsed, so no text from any source can inject markup.
//
// The subset: paragraphs (separated by a blank line), "- " list items, **bold**, [title](https://…).
// Links with any other scheme than https: are shown as their title only.

const INLINE = /\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

// Only absolute https: URLs become links.
export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function defaultLink(doc, href, title) {
  const a = doc.createElement('a');
  a.href = href;
  a.textContent = title;
  return a;
}

function appendInline(doc, parent, text, options) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.append(doc.createTextNode(text.slice(last, match.index)));
    if (match[1] !== undefined) {
      const strong = doc.createElement('strong');
      appendInline(doc, strong, match[1], options);
      parent.append(strong);
    } else {
      const href = safeUrl(match[3]);
      parent.append(href ? (options.link ?? defaultLink)(doc, href, match[2]) : doc.createTextNode(match[2]));
    }
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(doc.createTextNode(text.slice(last)));
}

// Blocks: [{type: 'p', lines: [...]}, {type: 'ul', items: [...]}].
export function parseBlocks(markdown) {
  const blocks = [];
  let current = null;
  for (const raw of String(markdown ?? '').replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line) {
      current = null;
    } else if (/^[-*] /.test(line)) {
      if (current?.type !== 'ul') blocks.push((current = { type: 'ul', items: [] }));
      current.items.push(line.slice(2).trim());
    } else if (current?.type === 'ul' && /^\s{2,}\S/.test(raw)) {
      current.items[current.items.length - 1] += ` ${line}`;  // a list item continued on the next line
    } else {
      if (current?.type !== 'p') blocks.push((current = { type: 'p', lines: [] }));
      current.lines.push(line);
    }
  }
  return blocks;
}

// A DocumentFragment for `markdown`. options.link(doc, href, title) may build the link element
// (to mark external links); it must only use textContent for the title.
export function renderMarkdown(markdown, options = {}, doc = globalThis.document) {
  const fragment = doc.createDocumentFragment();
  for (const block of parseBlocks(markdown)) {
    if (block.type === 'p') {
      const p = doc.createElement('p');
      appendInline(doc, p, block.lines.join(' '), options);
      fragment.append(p);
    } else {
      const ul = doc.createElement('ul');
      for (const item of block.items) {
        const li = doc.createElement('li');
        appendInline(doc, li, item, options);
        ul.append(li);
      }
      fragment.append(ul);
    }
  }
  return fragment;
}

// The same text without markup, for announcements and speech.
export function plainText(markdown) {
  let text = parseBlocks(markdown)
    .map((block) => (block.type === 'p' ? block.lines.join(' ') : block.items.join('. ')))
    .join(' ');
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(INLINE, (_, bold, title) => bold ?? title);
  }
  return text.replace(/\s+/g, ' ').trim();
}
