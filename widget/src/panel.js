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
// With data-server it also looks up live data, hands the conversation to a staff member (handover.js) and,
// with data-analytics="on", counts enumerated events (analytics.js); see docs/protocol.md.
import panelCss from './panel.css';
import { Analytics, outcomeEvents } from './analytics.js';
import { engineFor, validMunicipality } from './engine.js';
import { Handover } from './handover.js';
import { describeLive } from './live.js';
import { plainText, renderMarkdown, safeUrl } from './markdown.js';
import { fetchAvailability, fetchLive, referenceFrom } from './server.js';
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
const TYPING_EVERY_MS = 3000;
// The protocol's frame limit is 4 KiB; the transcript gets what fits after the other start fields.
const TRANSCRIPT_BYTES = 4000;
const TRANSCRIPT_ITEM_CHARS = 600;
// Personal data the assistant never needs; an address only matters when it is not answering an address question.
const PII_KINDS = ['bsn', 'iban', 'document_number', 'phone', 'email', 'birth_date', 'licence_plate'];
const MESSAGE_ROLES = ['bot', 'user', 'note', 'live', 'agent', 'nps'];
const ENDED_REASONS = ['agent_ended', 'resident_ended', 'cancelled', 'no_agent', 'closed', 'shutdown'];

// What one conversation remembers besides the dialogue state (stored with it, cleared by "new conversation").
function newFlow() {
  return { started: false, clarifying: false, answered: 0, npsOffered: false, piiWarned: [], topic: null, agentJoined: false };
}

// Only an absolute http(s) URL is a server.
function serverUrl(value) {
  try {
    const url = new URL(value);
    return ['https:', 'http:'].includes(url.protocol) ? url.href : '';
  } catch {
    return '';
  }
}

const minutes = (seconds) => Math.max(1, Math.round((Number(seconds) || 0) / 60));

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
    this.flow = newFlow();
    this.ids = 0;
    this.municipality = validMunicipality(config.municipality);
    this.server = this.municipality ? serverUrl(config.server) : '';
    this.analytics = this.server && config.analytics === 'on'
      ? new Analytics({ server: this.server, municipality: this.municipality, win: this.win }) : null;
    this.handover = this.server ? new Handover({ server: this.server, win: this.win, ui: this.handoverUi() }) : null;

    const sheet = new CSSStyleSheet();
    sheet.replaceSync(panelCss);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    this.build();
    this.win.addEventListener('offline', () => {
      if (this.session) this.note(this.t('offline'));
      this.handover?.offline();
    });
    this.win.addEventListener('online', () => this.handover?.retryNow());
  }

  track(type, fields) {
    this.analytics?.track(type, fields);
  }

  // The first thing the resident does in a conversation starts it (opening and closing alone does not).
  begin() {
    if (this.flow.started) return;
    this.flow.started = true;
    this.track('conversation_started');
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
    this.handoverButton = h(doc, 'button', { type: 'button', class: 'text-button', hidden: true, onclick: () => this.leaveHandover() });
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
    h(doc, 'div', { class: 'toolbar' }, this.newButton, this.langButton, this.handoverButton),
    this.transcript, this.choicesBox, this.status, this.form);
    // Announcements live outside the panel, so a closing panel never cuts one off.
    this.announcer = h(doc, 'div', { class: 'sr-only announcer', 'aria-live': 'polite', 'aria-atomic': 'false' });

    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('input', () => this.typing());
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
    const handover = this.handover?.active ? this.handover.state : '';
    this.handoverButton.hidden = !handover;
    this.handoverButton.textContent = this.t(handover === 'agent' ? 'endChat' : 'cancelQueue');
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
    // After a real conversation, the satisfaction question waits in the transcript; closing is never held up.
    if (this.flow.answered > 0 && !this.handover?.active) this.offerNps({ announce: false });
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
      const { info, core } = await engine.dialogue;
      this.info = info;
      this.core = core;
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
      this.respond(this.session.welcome(), { announce: true, first: true, welcome: true });
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
    this.begin();
    const message = this.addMessage({ role: 'user', text, lang: this.lang });
    // While a staff member owns the conversation the assistant stays silent; without a connection it answers.
    if (this.handover?.connected) this.toAgent(message);
    else this.ask(message);
  }

  ask(message) {
    this.enqueue(async () => {
      let thinking;
      try {
        const session = await this.understandingSession();
        const pendingBefore = session.state().awaiting;
        thinking = this.win.setTimeout(() => this.setStatus(this.t('thinking'), true), THINKING_DELAY_MS);
        const response = await session.send(message.text);
        this.win.clearTimeout(thinking);
        this.setStatus('');
        if (response.meaning?.lang) this.updateMessage(message, { lang: response.meaning.lang, failed: false });
        const addressNeeded = ['address', 'reference'].includes(pendingBefore)
          || (response.events ?? []).some((e) => e.type === 'live_request' && e.kind === 'waste_collection');
        const lookUps = this.respond(response, { announce: true, typed: message.text, meaning: response.meaning });
        this.warnPii(this.redact(message.text), { addressNeeded });
        await lookUps;
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
    this.begin();
    this.addMessage({ role: 'user', text: reply.label, lang: this.lang });
    this.enqueue(async () => {
      const session = await this.sessionReady;
      if (reply.id === 'handover') await this.requestHandover(session);
      else if (reply.id === 'consent:yes' || reply.id === 'consent:no') this.startHandover(reply.id === 'consent:yes');
      else await this.respond(session.choose(reply.id), { announce: true });
    });
  }

  // Shows a response of the dialogue and acts on its events; resolves when its live look-ups are done.
  respond(response, { announce = false, first = false, welcome = false, typed = '', meaning = null } = {}) {
    this.lang = response.lang === 'en' ? 'en' : response.lang === 'nl' ? 'nl' : this.lang;
    this.syncHostLang();
    this.relabel();
    const events = response.events ?? [];
    const choices = (response.quick_replies ?? []).length
      ? { label: response.quick_replies_label || '', replies: response.quick_replies, lang: this.lang } : null;
    this.showChoices(choices);  // first, so that scrolling to the new message sees the final layout
    // A response that only carries events (a look-up for a reference just given) shows no empty bubble.
    const message = response.text?.trim() || response.links?.length ? this.addMessage({
      role: 'bot', text: response.text ?? '', lang: this.lang, links: response.links ?? [],
      feedback: events.some((e) => e.type === 'feedback_request' && !e.kind) ? 'asked' : null,
    }, { first }) : null;
    if (announce && message) {
      const labels = choices ? ` ${this.t('choicesAnnounced')}: ${choices.replies.map((r) => r.label).join(', ')}.` : '';
      this.announce(`${this.t('bot')} ${plainText(message.text)}${labels}`, this.lang);
    }
    if (!welcome && !first) {
      for (const event of outcomeEvents(this.flow, response, meaning)) {
        if (event.type === 'answer') this.flow.answered += 1;
        this.track(event.type, event);
      }
      if (response.topic?.product) this.flow.topic = { product: response.topic.product, aspect: response.topic.aspect ?? null };
    }
    const lookUps = [];
    for (const event of events) {
      if (event.type === 'live_request') lookUps.push(this.lookUp(event, typed, announce));
      if (event.type === 'feedback_request' && event.kind === 'nps') this.offerNps({ announce });
    }
    this.save();
    return Promise.all(lookUps);
  }

  // ---- live data (GET /v1/live/…) ------------------------------------------------------------------

  async lookUp(event, typed, announce) {
    if (!this.server) {
      this.note(this.t(this.win.navigator.onLine === false ? 'offline' : 'liveNotConnected'), { announce });
      return;
    }
    const { lang, tone } = this;
    // A reference is taken from the redacted text only: a BSN typed beside it stays in the browser.
    const reference = referenceFrom(this.redact(typed).text);
    if (event.kind === 'application_status' && !reference) {
      this.note(this.t('liveInvalid_reference'));
      return;
    }
    this.setStatus(this.t('liveLoading'), true);
    try {
      const data = await fetchLive(this.server, this.municipality, event, reference, this.win.fetch.bind(this.win));
      this.setStatus('');
      const described = describeLive(event.kind, data, lang, tone);
      this.addMessage({ role: 'live', lang, ...described });
      this.announce(`${this.t('bot')} ${described.text} ${described.items.join('; ')}`.trim(), lang);
      this.save();
    } catch (error) {
      this.setStatus('');
      this.note(this.liveProblem(error, event, reference));
    }
  }

  liveProblem(error, event, reference) {
    switch (error.kind) {
      case 'not_found':
        return event.kind === 'application_status' ? this.t('liveNotFound', reference) : this.t('liveInvalid');
      case 'unknown_municipality': return this.t('liveUnknownMunicipality');
      case 'invalid': return this.t(['postcode', 'house_number', 'reference'].includes(error.field) ? `liveInvalid_${error.field}` : 'liveInvalid');
      case 'busy': return this.t('liveBusy');
      default: return this.t('liveUnreachable');
    }
  }

  // ---- personal data --------------------------------------------------------------------------------

  // The core's redaction of `text` (gem::redact): {text with placeholders such as [BSN], counts, matches}.
  redact(text) {
    return this.core.redact(text);
  }

  // A polite note, once per kind of data in a conversation; the message itself stays and is answered.
  warnPii(redacted, { addressNeeded = false, toAgent = false } = {}) {
    const counts = redacted.counts ?? {};
    const kinds = [...PII_KINDS, ...(addressNeeded ? [] : ['address'])]
      .filter((kind) => counts[kind] > 0 && !this.flow.piiWarned.includes(kind));
    if (!kinds.length) return;
    this.flow.piiWarned.push(...kinds);
    const names = kinds.map((kind) => this.t(`pii_${kind}`));
    const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} ${this.t('and')} ${names.at(-1)}` : names[0];
    this.note(`${this.t('pii', list)}${toAgent ? ` ${this.t('piiAgent')}` : ''}`);
  }

  // ---- satisfaction (NPS) -------------------------------------------------------------------------------

  offerNps({ announce = true } = {}) {
    if (this.flow.npsOffered) return;
    this.flow.npsOffered = true;
    this.addMessage({ role: 'nps', lang: this.lang, score: null });
    if (announce) this.announce(`${this.t('bot')} ${this.t('nps')} ${this.t('npsScale')}`, this.lang);
    this.save();
  }

  // ---- human handover (docs/protocol.md) ------------------------------------------------------------

  async requestHandover(session) {
    if (!this.server) {
      this.note(this.t('handoverUnavailable'));
      await this.respond(session.choose('product:contact'), { announce: true });
      return;
    }
    this.track('handover_requested');
    this.setStatus(this.t('handoverChecking'), true);
    let availability = null;
    try {
      availability = await fetchAvailability(this.server, this.municipality, this.win.fetch.bind(this.win));
    } catch {
      availability = null;
    }
    this.setStatus('');
    this.alternatives = availability?.alternatives ?? null;
    if (!availability) {
      this.note(this.t('handoverFailed'));
      await this.respond(session.choose('product:contact'), { announce: true });
      return;
    }
    if (!availability.open || !(availability.agents_available > 0)) {
      this.track('handover_no_agent');
      this.showAlternatives(availability.open ? 'handoverNoAgent' : 'handoverClosed');
      return;
    }
    const text = `${this.t('handoverWait', availability.queue_length ?? 0, minutes(availability.eta_seconds))} ${this.t('consentQuestion')} ${this.t('consentExplain')}`;
    const choices = { label: this.t('consentQuestion'), lang: this.lang,
      replies: [{ id: 'consent:yes', label: this.t('consentYes') }, { id: 'consent:no', label: this.t('consentNo') }] };
    this.showChoices(choices);
    this.addMessage({ role: 'live', lang: this.lang, text, items: [], links: [] });
    this.announce(`${this.t('bot')} ${text} ${this.t('choicesAnnounced')}: ${this.t('consentYes')}, ${this.t('consentNo')}.`, this.lang);
    this.save();
  }

  // Phone, contact form and call-back link from the server's availability answer.
  showAlternatives(key) {
    const alt = this.alternatives ?? {};
    const links = [[this.t('contactForm'), alt.contact_form_url], [this.t('callback'), alt.callback_url]]
      .filter(([, url]) => safeUrl(url)).map(([title, url]) => ({ title, url }));
    const items = alt.phone ? [this.t('callPhone', alt.phone)] : [];
    this.addMessage({ role: 'live', lang: this.lang, text: this.t(key), items, links });
    this.announce(`${this.t('bot')} ${[this.t(key), ...items, ...links.map((l) => l.title)].join(' ')}`, this.lang);
    this.save();
  }

  startHandover(consent) {
    if (!this.handover) return;
    this.flow.agentJoined = false;
    this.setStatus(this.t('connecting'), true);
    const request = { municipality: this.municipality, lang: this.lang, consent, topic: this.flow.topic };
    if (consent) request.transcript = this.transcriptForAgent(request);
    this.handover.start(request);
    this.relabel();
    this.save();
  }

  // The conversation so far, every item redacted by the core; the newest items that fit in one frame.
  transcriptForAgent(request) {
    const encoder = new TextEncoder();
    const items = [];
    const roles = { user: 'resident', bot: 'assistant', live: 'assistant' };
    for (const message of [...this.messages].reverse()) {
      if (!roles[message.role] || items.length >= 50) continue;
      const text = [plainText(message.text), ...(message.items ?? [])].join(' ');
      const redacted = this.redact(text).text;
      const item = { role: roles[message.role],
        text: redacted.length > TRANSCRIPT_ITEM_CHARS ? `${redacted.slice(0, TRANSCRIPT_ITEM_CHARS - 1)}…` : redacted };
      const frame = JSON.stringify({ type: 'start', ...request, transcript: [item, ...items] });
      if (encoder.encode(frame).length > TRANSCRIPT_BYTES) break;
      items.unshift(item);
    }
    return items;
  }

  toAgent(message) {
    const redacted = this.redact(message.text);
    this.handover.send(redacted.text);
    this.warnPii(redacted, { toAgent: true });
    this.save();
  }

  typing() {
    if (!this.handover?.connected || this.handover.state !== 'agent') return;
    const now = Date.now();
    if (now - (this.lastTyping ?? 0) < TYPING_EVERY_MS) return;
    this.lastTyping = now;
    this.handover.typing();
  }

  leaveHandover() {
    const { handover } = this;
    if (!handover?.active) return;
    if (handover.connected) {
      if (handover.state === 'agent') handover.end();
      else handover.cancel();
      return;
    }
    // Without a connection the server cannot be told; it ends the conversation when no resume comes.
    const reason = handover.state === 'agent' ? 'resident_ended' : 'cancelled';
    handover.close();
    this.handoverUi().ended(reason);
  }

  handoverUi() {
    return {
      changed: () => {
        this.relabel();
        this.save();
      },
      queued: (position, eta) => this.setStatus(this.t('queued', position, minutes(eta))),
      joined: (name) => {
        this.setStatus('');
        this.note(this.t('agentJoined', name));
        if (!this.flow.agentJoined) this.track('handover_accepted');
        this.flow.agentJoined = true;
      },
      typing: (name) => this.setStatus(name === null ? '' : this.t('agentTyping', name || this.t('agent'))),
      message: (name, text) => {
        this.addMessage({ role: 'agent', name, text, lang: this.lang });
        this.announce(`${name || this.t('agent')}: ${text}`, this.lang);
      },
      left: () => this.note(this.t('agentLeft')),
      ended: (reason) => {
        this.setStatus('');
        if (reason === 'failed') this.showAlternatives('handoverFailed');
        else this.note(this.t(ENDED_REASONS.includes(reason) ? `ended_${reason}` : 'ended_shutdown'));
      },
      lost: () => this.setStatus(this.t('reconnecting')),
      reconnected: () => this.setStatus(this.t('reconnected')),
    };
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
    const prefix = h(doc, 'span', { class: 'sr-only' }, `${t(message.role === 'live' ? 'bot' : message.role)} `);
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
    if (message.role === 'agent') {
      return h(doc, 'div', { class: 'message message--agent', lang: message.lang },
        h(doc, 'p', { class: 'message__from' }, message.name ? t('agentFrom', message.name) : t('agent')),
        h(doc, 'p', { class: 'message__text' }, message.text));
    }
    if (message.role === 'nps') return this.npsQuestion(message, t);
    if (message.role === 'live') {
      // Server data: text nodes only, never Markdown, so no answer can carry markup or links of its own.
      const el = h(doc, 'div', { class: 'message message--bot', lang: message.lang }, prefix, h(doc, 'p', {}, message.text));
      if (message.items?.length) el.append(h(doc, 'ul', {}, ...message.items.map((item) => h(doc, 'li', {}, item))));
      if (message.links?.length) {
        el.append(h(doc, 'ul', { class: 'message__links', 'aria-label': t('links') },
          ...message.links.map((l) => h(doc, 'li', {}, this.link(doc, l.url, l.title, t)))));
      }
      return el;
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
    const id = `gem-feedback-${(this.ids += 1)}`;
    const thanks = h(doc, 'p', { class: 'thanks' }, message.feedback === 'asked' ? '' : t('thanks'));
    const buttons = [['up', t('yes')], ['down', t('no')]].map(([value, label]) => {
      const button = h(doc, 'button', { type: 'button', class: 'text-button', 'aria-pressed': String(message.feedback === value) }, label);
      button.addEventListener('click', () => {
        // Counted once per answer; changing one's mind only changes what is shown.
        if (message.feedback === 'asked') this.track(value === 'up' ? 'thumbs_up' : 'thumbs_down');
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

  // 0–10 as eleven buttons in a group labelled by the question and described by the scale.
  npsQuestion(message, t) {
    const { doc } = this;
    const id = `gem-nps-${(this.ids += 1)}`;
    const thanks = h(doc, 'p', { class: 'thanks' }, message.score === null ? '' : t('npsThanks', message.score));
    const buttons = Array.from({ length: 11 }, (_, score) => {
      const button = h(doc, 'button', { type: 'button', class: 'nps__score', 'aria-pressed': String(message.score === score) }, String(score));
      button.addEventListener('click', () => {
        if (message.score === null) this.track('nps', { score });
        message.score = score;
        for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
        thanks.textContent = t('npsThanks', score);
        this.announce(thanks.textContent, message.lang);
        this.save();
      });
      return button;
    });
    return h(doc, 'div', { class: 'message message--bot message--nps', lang: message.lang },
      h(doc, 'div', { role: 'group', class: 'nps', 'aria-labelledby': `${id}-q`, 'aria-describedby': `${id}-scale` },
        h(doc, 'p', { class: 'question', id: `${id}-q` }, t('nps')),
        h(doc, 'p', { class: 'nps__scale', id: `${id}-scale` }, t('npsScale')),
        h(doc, 'ul', { class: 'nps__scores' }, ...buttons.map((b) => h(doc, 'li', {}, b)))),
      thanks);
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
    this.session.setLanguage(lang);
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
      this.respond(this.session.welcome(), { announce: true, welcome: true });
    });
  }

  restart() {
    this.stopSpeaking();
    if (this.handover?.connected) {
      if (this.handover.state === 'agent') this.handover.end();
      else this.handover.cancel();
    }
    this.handover?.close();
    this.setStatus('');
    this.analytics?.flush();
    this.flow = newFlow();
    this.clearStorage();
    this.relabel();
    this.messages = [];
    this.transcript.replaceChildren();
    this.showChoices(null);
    this.input.focus();
    this.enqueue(async () => {
      const session = await this.sessionReady;
      session.reset();
      this.setSessionLang(this.lang);
      this.respond(session.welcome(), { announce: true, welcome: true });
    });
  }

  // sessionStorage, written only after the resident opened the widget: the dialogue state and transcript.
  save() {
    if (!this.session) return;
    const messages = this.messages.slice(-MAX_STORED_MESSAGES).map(({ el, ...m }) => m);
    try {
      this.win.sessionStorage.setItem(this.storageKey, JSON.stringify({
        v: 1, lang: this.lang, state: this.session.save(), messages, choices: this.choices,
        flow: this.flow, handover: this.handover?.snapshot() ?? null,
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
      if (!this.session.restore(saved.state).restored) throw new Error('saved conversation does not fit the content');
    } catch {
      this.clearStorage();
      this.respond(this.session.welcome(), { announce: true, welcome: true });
      return;
    }
    this.flow = { ...newFlow(), ...saved.flow };
    this.lang = saved.lang === 'en' ? 'en' : 'nl';
    this.syncHostLang();
    this.relabel();
    for (const message of saved.messages ?? []) {
      if (MESSAGE_ROLES.includes(message?.role) && (typeof message.text === 'string' || message.role === 'nps')) {
        this.addMessage({ ...message, failed: false });
      }
    }
    this.showChoices(saved.choices?.replies?.length ? saved.choices : null);
    // A handover in progress continues: the server replays its state and the messages not seen yet.
    if (saved.handover?.token && this.handover) {
      this.handover.resume(saved.handover);
      this.relabel();
    }
  }
}
