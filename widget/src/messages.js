// The transcript (role="log", not itself live): one renderer per message kind — the resident's message
// (with "not sent" and retry when it failed), the assistant's answer (the core's Markdown subset, links,
// read aloud, thumbs), live data (server text as text nodes only, a list, links), a note, a staff member's
// message, the satisfaction question, the offer to share one question. Every message carries its lang; all text is set as Text nodes.
import { h, icon } from './dom.js';
import { npsQuestion, thumbs } from './feedback.js';
import { plainText, renderMarkdown } from './markdown.js';
import { sampleOffer } from './sample-offer.js';

// Links: only https; other sites are marked (icon plus text) and open in a new tab.
function link({ doc, win, t }, href, title) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return doc.createTextNode(title);
  }
  if (url.protocol !== 'https:') return doc.createTextNode(title);
  const a = h(doc, 'a', { href: url.href }, title);
  if (url.host !== win.location.host) {
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.append(icon(doc, 'external', 'external'), h(doc, 'span', { class: 'sr-only' }, ` ${t('external')}`));
  }
  return a;
}

function linkList(view, links) {
  const items = links.map((l) => link(view, l.url, l.title)).filter(Boolean).map((a) => h(view.doc, 'li', {}, a));
  return items.length ? h(view.doc, 'ul', { class: 'message__links', 'aria-label': view.t('links') }, ...items) : null;
}

const prefix = ({ doc, t }, key) => h(doc, 'span', { class: 'sr-only' }, `${t(key)} `);

const RENDERERS = {
  user(view, message) {
    const { doc, t } = view;
    const el = h(doc, 'div', { class: `message message--user${message.failed ? ' message--failed' : ''}`, lang: message.lang },
      prefix(view, 'user'), message.text);
    if (message.failed) {
      el.append(h(doc, 'span', { class: 'message__status' }, t('not_sent'), ' ',
        h(doc, 'button', { type: 'button', class: 'text-button', onclick: () => view.retry(message) }, t('retry'))));
    }
    return el;
  },

  bot(view, message) {
    const { doc, win } = view;
    const body = h(doc, 'div', { class: 'message__body' });
    body.append(renderMarkdown(message.text, { link: (d, href, title) => link(view, href, title) }, doc));
    const el = h(doc, 'div', { class: 'message message--bot', lang: message.lang }, prefix(view, 'bot'), body,
      linkList(view, message.links ?? []));
    const actions = [];
    if ('speechSynthesis' in win) actions.push(view.speech.button(message));
    if (message.feedback) actions.push(...thumbs(view, message));
    if (actions.length) el.append(h(doc, 'div', { class: 'message__actions' }, ...actions));
    return el;
  },

  // Server data: text nodes only, never Markdown, so no answer can carry markup or links of its own.
  live(view, message) {
    const { doc } = view;
    return h(doc, 'div', { class: 'message message--bot', lang: message.lang }, prefix(view, 'bot'), h(doc, 'p', {}, message.text),
      message.items?.length ? h(doc, 'ul', {}, ...message.items.map((item) => h(doc, 'li', {}, item))) : null,
      linkList(view, message.links ?? []));
  },

  note(view, message) {
    return h(view.doc, 'div', { class: 'message message--note', lang: message.lang }, prefix(view, 'notice'), message.text);
  },

  agent(view, message) {
    const { doc, t } = view;
    return h(doc, 'div', { class: 'message message--agent', lang: message.lang },
      h(doc, 'p', { class: 'message__from' }, message.name ? t('agent_from', { agent: message.name }) : t('agent')),
      h(doc, 'p', { class: 'message__text' }, message.text));
  },

  nps: npsQuestion,
  sample: sampleOffer,
};

// Reading an answer aloud with the browser's own, local speech synthesis: no audio or text leaves the device.
class Speech {
  constructor(view) {
    this.view = view;
    this.speaking = null;
  }

  button(message) {
    const { doc, win, t } = this.view;
    const button = h(doc, 'button', { type: 'button', class: 'text-button', 'aria-pressed': 'false' }, icon(doc, 'speaker'), t('read_aloud'));
    button.addEventListener('click', () => {
      const wasMine = this.speaking === button;
      this.stop();
      if (wasMine) return;
      const utterance = new win.SpeechSynthesisUtterance(plainText(message.text));
      utterance.lang = message.lang === 'en' ? 'en-GB' : 'nl-NL';
      utterance.addEventListener('end', () => this.speaking === button && this.stop());
      this.speaking = button;
      button.setAttribute('aria-pressed', 'true');
      win.speechSynthesis.speak(utterance);
    });
    return button;
  }

  stop() {
    if (!this.speaking) return;
    this.speaking.setAttribute('aria-pressed', 'false');
    this.speaking = null;
    this.view.win.speechSynthesis?.cancel();
  }
}

export class Transcript {
  // view: {doc, win, t(key, params), conversation}; `retry(message)` sends a failed message again.
  constructor(view, { retry }) {
    this.view = Object.assign(view, { retry });
    view.speech = new Speech(view);
    this.elements = new WeakMap();
    this.el = h(view.doc, 'div', { class: 'transcript', role: 'log', 'aria-live': 'off', tabindex: '0' });
    this.pendingScroll = null;
    this.atEnd = true;
    this.el.addEventListener('scroll', () => {
      const t = this.el;
      this.atEnd = t.scrollHeight - t.scrollTop - t.clientHeight < 4;
    }, { passive: true });
  }

  render(message) {
    const el = RENDERERS[message.role](this.view, message);
    this.elements.set(message, el);
    return el;
  }

  show(message, { first = false } = {}) {
    const el = this.render(message);
    if (first) {
      this.el.prepend(el);
      this.scroll({ top: true });
    } else {
      this.el.append(el);
      // An answer is shown from its top (it may be long); anything else keeps the end in view.
      this.scroll(message.role === 'bot' ? { el } : { end: true });
    }
  }

  // A message drawn again; when focus was inside it (a button that is now gone), it goes to the new
  // element's status line.
  update(message) {
    const old = this.elements.get(message);
    if (!old) return;
    const focused = old.contains(old.getRootNode().activeElement);
    const fresh = this.render(message);
    old.replaceWith(fresh);
    if (focused) fresh.querySelector('[data-focus]')?.focus();
  }

  clear() {
    this.view.speech.stop();
    this.el.replaceChildren();
  }

  stopSpeaking() {
    this.view.speech.stop();
  }

  // Scrolling waits for the next frame, and the last request of a task wins: reading where an element is, or
  // setting scrollTop, makes the browser lay the page out at once, and a reply adds several elements in one task.
  scroll(target) {
    if (!this.pendingScroll) {
      this.view.win.requestAnimationFrame(() => {
        const { top, el, end } = this.pendingScroll;
        this.pendingScroll = null;
        const t = this.el;
        if (top) t.scrollTop = 0;
        else if (el?.isConnected) t.scrollTop = Math.min(el.offsetTop - 8, t.scrollHeight);  // the transcript is the offset parent
        else if (end) t.scrollTop = t.scrollHeight;
      });
    }
    this.pendingScroll = target;
  }

  // Runs `change`; a transcript that was scrolled to the end stays at the end when its height changes. Whether
  // it is at the end is known from its last scroll event (or the scroll still to come), not by measuring now.
  keepBottom(change) {
    change();
    if (!this.pendingScroll && this.atEnd) this.scroll({ end: true });
  }
}
