// The chat panel (gem-panel.js), loaded by the loader when the resident shows interest.
//
// Accessibility model (see docs/accessibility.md):
// - the panel is a non-modal dialog labelled by its title; opening puts focus in the textarea, Esc or the
//   close button closes it and puts focus back on the launcher; focus never moves on its own otherwise;
// - the transcript is role="log" but not itself live (aria-live="off"): each new bot message is announced
//   once through a separate, short-lived live region (as Microsoft's Web Chat does), so nothing is read twice;
// - loading, waiting and thinking are shown and announced in a role="status" region;
// - quick replies are buttons in a group labelled with the dialogue's question;
// - every message carries a lang attribute; all text is set with textContent (markdown.js).
import panelCss from './panel.css';
import { engineFor } from './engine.js';
import { plainText, renderMarkdown } from './markdown.js';
import { strings, withTone } from './strings.js';

const SVG = 'http://www.w3.org/2000/svg';
const ICONS = {
  close: 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z',
  send: 'M3 20.5v-6.6l8-1.9-8-1.9V3.5L22 12z',
  external: 'M14 3v2h3.6l-9.8 9.8 1.4 1.4L19 6.4V10h2V3zM5 5v14h14v-6h-2v4H7V7h4V5z',
  restart: 'M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z',
  speaker: 'M3 9v6h4l5 5V4L7 9zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z',
};
const ANNOUNCEMENT_MS = 10000;
const THINKING_DELAY_MS = 300;
const MAX_STORED_MESSAGES = 200;

function icon(doc, name, className) {
  const svg = doc.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  if (className) svg.setAttribute('class', className);
  const path = doc.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

// h(doc, 'button', {class: 'x', onclick: f}, child, 'text'): attributes by setAttribute, text by Text nodes.
function h(doc, tag, attrs = {}, ...children) {
  const el = doc.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  }
  return el;
}

export function prefetch(config) {
  engineFor(config);
}

export function createPanel(context) {
  return new Panel(context);
}

class Panel {
  constructor({ host, root, launcher, config }) {
    this.host = host;
    this.root = root;
    this.launcher = launcher;
    this.config = config;
    this.doc = host.ownerDocument;
    this.win = this.doc.defaultView;
    this.lang = config.lang === 'en' ? 'en' : 'nl';
    this.tone = 'u';
    this.info = null;
    this.session = null;
    this.modelReady = false;
    this.messages = [];
    this.choices = null;
    this.queue = Promise.resolve();
    this.storageKey = `gem:conversation:${config.municipality || 'generic'}`;
    this.speaking = null;

    const sheet = new CSSStyleSheet();
    sheet.replaceSync(panelCss);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    this.build();
    this.win.addEventListener('offline', () => this.session && this.note(this.t('offline')));
  }

  t(key, ...args) {
    return strings(this.lang, this.tone)(key, ...args);
  }

  // ---- DOM -------------------------------------------------------------------------------------

  build() {
    const { doc } = this;
    this.title = h(doc, 'h2', { class: 'title', id: 'gem-title' });
    this.subtitle = h(doc, 'p', { class: 'subtitle' });
    this.closeButton = h(doc, 'button', { type: 'button', class: 'icon-button close', onclick: () => this.close() },
      icon(doc, 'close'));
    this.newButton = h(doc, 'button', { type: 'button', class: 'text-button', onclick: () => this.restart() },
      icon(doc, 'restart'), h(doc, 'span'));
    this.langButton = h(doc, 'button', { type: 'button', class: 'text-button', onclick: () => this.switchLang() });
    this.transcript = h(doc, 'div', { class: 'transcript', role: 'log', 'aria-live': 'off', tabindex: '0' });
    this.choicesLabel = h(doc, 'p', { class: 'choices__label', id: 'gem-choices-label' });
    this.choicesList = h(doc, 'ul', { class: 'choices__list' });
    this.choicesBox = h(doc, 'div', { class: 'choices', role: 'group', 'aria-labelledby': 'gem-choices-label', hidden: true },
      this.choicesLabel, this.choicesList);
    this.status = h(doc, 'p', { class: 'status', role: 'status' });
    this.inputLabel = h(doc, 'label', { class: 'composer__label', for: 'gem-input' });
    this.input = h(doc, 'textarea', { id: 'gem-input', rows: '1', maxlength: '1000', autocomplete: 'off',
      'aria-describedby': 'gem-hint', enterkeyhint: 'send' });
    this.sendButton = h(doc, 'button', { type: 'submit', class: 'send' }, icon(doc, 'send'), h(doc, 'span'));
    this.hint = h(doc, 'p', { id: 'gem-hint', class: 'sr-only' });
    this.privacy = h(doc, 'p', { class: 'privacy' });
    this.form = h(doc, 'form', { class: 'composer', novalidate: true },
      this.inputLabel, h(doc, 'div', { class: 'composer__row' }, this.input, this.sendButton), this.hint, this.privacy);
    this.panel = h(doc, 'section', { class: 'panel', id: 'gem-panel', role: 'dialog', 'aria-labelledby': 'gem-title',
      'aria-modal': 'false', hidden: true, part: 'panel' },
    h(doc, 'div', { class: 'header' }, h(doc, 'div', { class: 'header__titles' }, this.title, this.subtitle), this.closeButton),
    h(doc, 'div', { class: 'toolbar' }, this.newButton, this.langButton),
    this.transcript, this.choicesBox, this.status, this.form);
    // Announcements live outside the panel, so a closing panel never cuts one off.
    this.announcer = h(doc, 'div', { class: 'sr-only announcer', 'aria-live': 'polite', 'aria-atomic': 'false' });

    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        this.close();
      }
    });
    this.root.append(this.panel, this.announcer);
    this.relabel();
  }

  // All of the panel's own texts, for the current language and tone.
  relabel() {
    this.panel.setAttribute('lang', this.lang);
    this.title.textContent = this.t('title');
    this.subtitle.textContent = this.info?.name ? this.t('subtitleOf', this.info.name) : this.t('subtitle');
    this.closeButton.setAttribute('aria-label', this.t('close'));
    this.newButton.lastChild.textContent = this.t('newConversation');
    this.langButton.textContent = this.t('otherLang');
    this.langButton.setAttribute('lang', this.t('otherLangCode'));
    this.transcript.setAttribute('aria-label', this.t('transcript'));
    this.inputLabel.textContent = this.t('inputLabel');
    this.sendButton.lastChild.textContent = this.t('send');
    this.hint.textContent = this.t('inputHint');
    this.privacy.textContent = this.t('privacy');
    if (this.choices) this.choicesLabel.textContent = this.choices.label || this.t('choices');
  }

  // ---- opening and closing ----------------------------------------------------------------------

  get isOpen() {
    return !this.panel.hidden;
  }

  open() {
    this.panel.hidden = false;
    this.host.toggleAttribute('data-open', true);
    this.launcher.setAttribute('aria-controls', 'gem-panel');
    this.launcher.setAttribute('aria-expanded', 'true');
    this.input.focus();
    if (!this.started) {
      this.started = true;
      this.start();
    }
  }

  close() {
    this.stopSpeaking();
    this.panel.hidden = true;
    this.host.removeAttribute('data-open');
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }

  setStatus(text, busy = false) {
    this.keepBottom(() => {
      this.status.textContent = text;
      this.status.classList.toggle('status--busy', Boolean(text) && busy);
    });
  }

  // Runs `change`; a transcript that was scrolled to the end stays at the end when its height changes.
  keepBottom(change) {
    const t = this.transcript;
    const atEnd = t.scrollHeight - t.scrollTop - t.clientHeight < 4;
    change();
    if (atEnd) t.scrollTop = t.scrollHeight;
  }

  // ---- loading ------------------------------------------------------------------------------------

  async start() {
    this.setStatus(this.t('loading'), true);
    const engine = engineFor(this.config);
    this.loadUnderstanding(engine);
    this.sessionReady = (async () => {
      const { info } = await engine.dialogue;
      this.info = info;
      this.tone = info.tone;
      this.session = await engine.createSession();
      return this.session;
    })();
    try {
      await this.sessionReady;
    } catch {
      this.loadFailed();
      return;
    }
    const saved = this.load();
    this.relabel();
    if (saved) {
      this.restoreFrom(saved);
    } else {
      this.setSessionLang(this.lang);
      // Anything typed before the dialogue was there stays below the welcome.
      this.respond(this.session.welcome(), { announce: true, first: true });
    }
    if (this.status.classList.contains('status--busy')) this.setStatus('');
  }

  loadUnderstanding(engine = engineFor(this.config)) {
    this.understandingFailed = false;
    this.understandingReady = engine.understanding.then((understanding) => {
      this.modelReady = true;
      return understanding;
    }, (error) => {
      this.understandingFailed = true;
      throw error;
    });
    this.understandingReady.catch(() => {});
  }

  loadFailed() {
    this.started = false;
    this.setStatus(this.t('loadFailed'));
    const retry = h(this.doc, 'button', { type: 'button', class: 'text-button', onclick: () => {
      retry.remove();
      this.started = true;
      this.start();
      this.input.focus();
    } }, this.t('retryLoad'));
    this.status.after(retry);
  }

  // Typed messages wait for the model; the wait is shown and announced once.
  async understandingSession() {
    const session = await this.sessionReady;
    if (!this.modelReady) {
      if (this.understandingFailed) this.loadUnderstanding();
      this.setStatus(this.t('waiting'), true);
    }
    session.understanding = await this.understandingReady;
    return session;
  }

  // ---- the conversation ---------------------------------------------------------------------------

  enqueue(task) {
    this.queue = this.queue.then(task).catch(() => {});
    return this.queue;
  }

  submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    this.input.value = '';
    const message = this.addMessage({ role: 'user', text, lang: this.lang });
    this.ask(message);
  }

  ask(message) {
    this.enqueue(async () => {
      let thinking;
      try {
        const session = await this.understandingSession();
        thinking = this.win.setTimeout(() => this.setStatus(this.t('thinking'), true), THINKING_DELAY_MS);
        const response = await session.send(message.text);
        this.win.clearTimeout(thinking);
        this.setStatus('');
        if (response.meaning?.lang) this.updateMessage(message, { lang: response.meaning.lang, failed: false });
        this.respond(response, { announce: true });
      } catch {
        this.win.clearTimeout(thinking);
        this.setStatus(this.t('loadFailed'));
        this.updateMessage(message, { failed: true });
      }
    });
  }

  choose(reply) {
    this.showChoices(null);
    this.input.focus();
    this.addMessage({ role: 'user', text: reply.label, lang: this.lang });
    this.enqueue(async () => {
      const session = await this.sessionReady;
      if (reply.id === 'handover') {
        this.note(this.t('handoverUnavailable'));
        this.respond(session.choose('product:contact'), { announce: true });
      } else {
        this.respond(session.choose(reply.id), { announce: true });
      }
    });
  }

  respond(response, { announce = false, first = false } = {}) {
    this.lang = response.lang === 'en' ? 'en' : response.lang === 'nl' ? 'nl' : this.lang;
    this.syncHostLang();
    this.relabel();
    const events = response.events ?? [];
    const choices = (response.quick_replies ?? []).length
      ? { label: response.quick_replies_label || '', replies: response.quick_replies, lang: this.lang } : null;
    this.showChoices(choices);  // first, so that scrolling to the new message sees the final layout
    const message = this.addMessage({
      role: 'bot', text: response.text ?? '', lang: this.lang, links: response.links ?? [],
      feedback: events.some((e) => e.type === 'feedback_request') ? 'asked' : null,
    }, { first });
    if (announce) {
      const labels = choices ? ` ${this.t('choicesAnnounced')}: ${choices.replies.map((r) => r.label).join(', ')}.` : '';
      this.announce(`${this.t('bot')} ${plainText(message.text)}${labels}`, this.lang);
    }
    for (const event of events) {
      if (event.type === 'live_request') {
        const offline = this.win.navigator.onLine === false;
        const text = this.config.server && !offline
          ? withTone(this.info?.texts.live_unavailable?.[this.lang] ?? this.t('liveNotConnected'), this.tone)
          : offline ? this.t('offline') : this.t('liveNotConnected');
        this.note(text, { announce });
      }
    }
    this.save();
  }

  // A message from the widget itself (not from the dialogue), shown and announced like the others.
  note(text, { announce = true } = {}) {
    this.addMessage({ role: 'note', text, lang: this.lang });
    if (announce) this.announce(`${this.t('note')} ${text}`, this.lang);
    this.save();
  }

  announce(text, lang) {
    const item = h(this.doc, 'p', { lang }, text);
    this.announcer.append(item);
    this.win.setTimeout(() => item.remove(), ANNOUNCEMENT_MS);
  }

  addMessage(message, { first = false } = {}) {
    const el = this.renderMessage(message);
    message.el = el;
    if (first) {
      this.messages.unshift(message);
      this.transcript.prepend(el);
    } else {
      this.messages.push(message);
      this.transcript.append(el);
    }
    if (first) this.transcript.scrollTop = 0;
    else this.scrollTo(el, message.role === 'bot');
    return message;
  }

  updateMessage(message, changes) {
    Object.assign(message, changes);
    const el = this.renderMessage(message);
    message.el?.replaceWith(el);
    message.el = el;
    this.save();
  }

  scrollTo(el, fromTop) {
    const { transcript } = this;
    const top = el.offsetTop - 8;  // the transcript is the offset parent
    transcript.scrollTop = fromTop ? Math.min(top, transcript.scrollHeight) : transcript.scrollHeight;
  }

  renderMessage(message) {
    const { doc } = this;
    const t = strings(message.lang, this.tone);
    const prefix = h(doc, 'span', { class: 'sr-only' }, `${t(message.role)} `);
    if (message.role === 'user') {
      const el = h(doc, 'div', { class: `message message--user${message.failed ? ' message--failed' : ''}`, lang: message.lang },
        prefix, message.text);
      if (message.failed) {
        el.append(h(doc, 'span', { class: 'message__status' }, t('notSent'), ' ',
          h(doc, 'button', { type: 'button', class: 'text-button', onclick: () => {
            this.updateMessage(message, { failed: false });
            if (!this.started) this.open();
            this.ask(message);
          } }, t('retry'))));
      }
      return el;
    }
    if (message.role === 'note') {
      return h(doc, 'div', { class: 'message message--note', lang: message.lang }, prefix, message.text);
    }
    const body = h(doc, 'div', { class: 'message__body' });
    body.append(renderMarkdown(message.text, { link: (d, href, title) => this.link(d, href, title, t) }, doc));
    const el = h(doc, 'div', { class: 'message message--bot', lang: message.lang }, prefix, body);
    if (message.links?.length) {
      el.append(h(doc, 'ul', { class: 'message__links', 'aria-label': t('links') },
        ...message.links.map((l) => h(doc, 'li', {}, this.link(doc, l.url, l.title, t))).filter((li) => li.firstChild)));
    }
    const actions = [];
    if ('speechSynthesis' in this.win) actions.push(this.readAloudButton(message, t));
    if (message.feedback) actions.push(...this.feedbackControls(message, t));
    if (actions.length) el.append(h(doc, 'div', { class: 'message__actions' }, ...actions));
    return el;
  }

  // Links: only https; other sites are marked (icon plus text) and open in a new tab.
  link(doc, href, title, t) {
    let url;
    try {
      url = new URL(href);
    } catch {
      return doc.createTextNode(title);
    }
    if (url.protocol !== 'https:') return doc.createTextNode(title);
    const external = url.host !== this.win.location.host;
    const a = h(doc, 'a', { href: url.href }, title);
    if (external) {
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.append(icon(doc, 'external', 'external'), h(doc, 'span', { class: 'sr-only' }, ` ${t('external')}`));
    }
    return a;
  }

  readAloudButton(message, t) {
    const button = h(this.doc, 'button', { type: 'button', class: 'text-button', 'aria-pressed': 'false' },
      icon(this.doc, 'speaker'), t('readAloud'));
    button.addEventListener('click', () => {
      const speech = this.win.speechSynthesis;
      const wasMine = this.speaking === button;
      this.stopSpeaking();
      if (wasMine) return;
      // The browser's own, local speech synthesis: no audio or text leaves the device.
      const utterance = new this.win.SpeechSynthesisUtterance(plainText(message.text));
      utterance.lang = message.lang === 'en' ? 'en-GB' : 'nl-NL';
      utterance.addEventListener('end', () => this.speaking === button && this.stopSpeaking());
      this.speaking = button;
      button.setAttribute('aria-pressed', 'true');
      speech.speak(utterance);
    });
    return button;
  }

  stopSpeaking() {
    if (!this.speaking) return;
    this.speaking.setAttribute('aria-pressed', 'false');
    this.speaking = null;
    this.win.speechSynthesis?.cancel();
  }

  // Thumbs up/down for one answer. The choice stays on this device (in the conversation's storage).
  feedbackControls(message, t) {
    const { doc } = this;
    const question = this.info?.texts.feedback?.[message.lang]
      ? withTone(this.info.texts.feedback[message.lang], this.tone) : t('feedback');
    const id = `gem-feedback-${this.messages.indexOf(message)}`;
    const thanks = h(doc, 'p', { class: 'thanks' }, message.feedback === 'asked' ? '' : t('thanks'));
    const buttons = [['up', t('yes')], ['down', t('no')]].map(([value, label]) => {
      const button = h(doc, 'button', { type: 'button', class: 'text-button', 'aria-pressed': String(message.feedback === value) }, label);
      button.addEventListener('click', () => {
        message.feedback = value;
        for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
        thanks.textContent = t('thanks');
        this.save();
      });
      return button;
    });
    return [h(doc, 'div', { role: 'group', 'aria-labelledby': id, class: 'feedback' },
      h(doc, 'p', { class: 'question', id }, question), ...buttons), thanks];
  }

  showChoices(choices) {
    this.choices = choices;
    this.choicesList.replaceChildren();
    this.choicesBox.hidden = !choices;
    if (!choices) return;
    this.choicesBox.setAttribute('lang', choices.lang ?? this.lang);
    this.choicesLabel.textContent = choices.label || this.t('choices');
    for (const reply of choices.replies) {
      this.choicesList.append(h(this.doc, 'li', {},
        h(this.doc, 'button', { type: 'button', class: 'choice', onclick: () => this.choose(reply) }, reply.label)));
    }
  }

  // ---- language, new conversation, storage ------------------------------------------------------

  setSessionLang(lang) {
    if (!this.session) return;
    const state = JSON.parse(this.session.save());
    if (state.lang === lang) return;
    state.lang = lang;
    this.session.restore(JSON.stringify(state));
  }

  syncHostLang() {
    if (this.host.getAttribute('lang') !== this.lang) {
      this.syncing = true;
      this.host.setAttribute('lang', this.lang);
      this.syncing = false;
    }
  }

  // From the loader, when the page changes the element's lang attribute.
  setLang(lang) {
    if (this.syncing || lang === this.lang || !['nl', 'en'].includes(lang)) return;
    this.lang = lang;
    this.setSessionLang(lang);
    this.relabel();
  }

  switchLang() {
    this.lang = this.t('otherLangCode');
    this.syncHostLang();
    this.relabel();
    this.enqueue(async () => {
      await this.sessionReady;
      this.setSessionLang(this.lang);
      this.respond(this.session.welcome(), { announce: true });
    });
  }

  restart() {
    this.stopSpeaking();
    this.clearStorage();
    this.messages = [];
    this.transcript.replaceChildren();
    this.showChoices(null);
    this.input.focus();
    this.enqueue(async () => {
      const session = await this.sessionReady;
      session.reset();
      this.setSessionLang(this.lang);
      this.respond(session.welcome(), { announce: true });
    });
  }

  // sessionStorage, written only after the resident opened the widget: the dialogue state and transcript.
  save() {
    if (!this.session) return;
    const messages = this.messages.slice(-MAX_STORED_MESSAGES).map(({ el, ...m }) => m);
    try {
      this.win.sessionStorage.setItem(this.storageKey, JSON.stringify({
        v: 1, lang: this.lang, state: this.session.save(), messages, choices: this.choices,
      }));
    } catch {
      // Storage may be full or blocked: the conversation still works, it just will not survive navigation.
    }
  }

  load() {
    try {
      const saved = JSON.parse(this.win.sessionStorage.getItem(this.storageKey) ?? 'null');
      return saved?.v === 1 && typeof saved.state === 'string' ? saved : null;
    } catch {
      return null;
    }
  }

  clearStorage() {
    try {
      this.win.sessionStorage.removeItem(this.storageKey);
    } catch {
      // nothing stored
    }
  }

  restoreFrom(saved) {
    try {
      this.session.restore(saved.state);
    } catch {
      this.clearStorage();
      this.respond(this.session.welcome(), { announce: true });
      return;
    }
    this.lang = saved.lang === 'en' ? 'en' : 'nl';
    this.syncHostLang();
    this.relabel();
    for (const message of saved.messages ?? []) {
      if (['bot', 'user', 'note'].includes(message?.role) && typeof message.text === 'string') {
        this.addMessage({ ...message, failed: false });
      }
    }
    this.showChoices(saved.choices?.replies?.length ? saved.choices : null);
  }
}
