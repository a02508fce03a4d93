// The conversation controller: what the widget does with one conversation, without a DOM. It keeps the
// messages as shown, runs the resident's actions one at a time (a queue), saves and restores everything in
// sessionStorage, and decides which of the core's events to act on. The core (a Session, docs/core-api.md)
// owns the conversation and every word the assistant says; it runs in the engine (engine.js, usually in a
// Web Worker), so every call to it is awaited, except save(), state() and ui(), which read what the last call
// brought back. Effects do the I/O (live.js, handover.js, privacy.js, analytics.js, samples.js); the view
// (panel.js and its modules) draws what `ui` is told.
//
//   const conversation = new Conversation({ engine, storage, storageKey, lang, effects, ui });
//   conversation.open();  conversation.submit('wat kost een paspoort?');  conversation.press(reply);
//
// `ui` (the view) gets: show(message, {first}), update(message), clear(), choices(choices|null),
// status(text, busy), announce(text, lang), relabel(), loadFailed().
import { outcomeEvents } from './analytics.js';
import { HandoverFlow } from './handover-flow.js';
import { plainText } from './markdown.js';
import { beforeCore } from './strings.js';

const THINKING_DELAY_MS = 300;
const MAX_STORED_MESSAGES = 200;
// The privacy note does not tell the resident off for an address the assistant asked for: while it awaits an
// address (the status look-up's `reference` and `status_address` too: the address is its second factor), or
// when the message completed a look-up that needs one.
const ADDRESS_AWAITED = ['address', 'reference', 'status_address'];
const ADDRESS_LOOK_UPS = ['waste_collection', 'application_status'];
const MESSAGE_ROLES = ['bot', 'user', 'note', 'live', 'agent', 'nps', 'sample'];
const SAMPLE_STATES = ['offered', 'sending', 'sent', 'declined', 'failed'];

// What one conversation remembers besides the core's state (stored with it, cleared by "new conversation").
function newFlow() {
  return { started: false, clarifying: false, answered: 0, npsOffered: false, agentJoined: false };
}

const hasFeedbackRequest = (response) => (response.events ?? []).some((e) => e.type === 'feedback_request' && !e.kind);

export class Conversation {
  // engine: {load() → Promise<Session> (engine.js RemoteSession), municipalityName};
  // storage: {get, set, remove} (sessionStorage); effects: {live, availability, handover(ui), privacy, analytics,
  // samples (samples.js, optional)};
  // timers: {setTimeout, clearTimeout, now}; log: where errors inside Gem are reported for developers.
  constructor({ engine, storage, storageKey, municipality = '', lang, effects, ui, timers = globalThis, log = console }) {
    this.engine = engine;
    this.municipality = municipality;
    this.storage = storage;
    this.storageKey = storageKey;
    this.lang = lang === 'en' ? 'en' : 'nl';
    this.live = effects.live;
    this.availability = effects.availability;
    this.privacy = effects.privacy;
    this.analytics = effects.analytics ?? null;
    this.samples = effects.samples?.available ? effects.samples : null;
    this.ui = ui;
    this.timers = timers;
    this.log = log;
    this.handover = new HandoverFlow(this, { availability: effects.availability, socket: effects.handover });
    this.session = null;
    this.texts = {};
    this.messages = [];
    this.choices = null;
    this.flow = newFlow();
    this.queue = Promise.resolve();
    this.opened = false;
    this.ready = Promise.resolve();
    this.savePending = false;
  }

  // A text of the panel: the core's ui() once it is there, a few tone-free texts before. {name} placeholders
  // are filled from `params`.
  t(key, params = {}) {
    const text = this.texts[key] ?? beforeCore(this.lang)[key] ?? key;
    return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
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

  // ---- loading -------------------------------------------------------------------------------------

  open() {
    if (this.opened) return this.ready;
    this.opened = true;
    this.ready = this.start();
    return this.ready;
  }

  async start() {
    this.ui.status(this.t('loading'), true);
    try {
      this.session = await this.engine.load({ lang: this.lang });
    } catch (error) {
      this.log.warn?.('Gem could not load:', error);
      this.opened = false;
      this.ui.status(this.t('load_failed'));
      this.ui.loadFailed();
      return;
    }
    try {
      const saved = this.load();
      if (!saved || !(await this.restore(saved))) {
        // Opened in this language, with the welcome (engine.load), unless a restore was tried first.
        if (saved) await this.session.setLanguage(this.lang);
        this.refreshTexts();
        // Anything typed before the dialogue was there stays below the welcome. A question already waiting is
        // answered next, with buttons of its own: the welcome's topics would be gone before they could be used.
        const welcome = await this.session.welcome();
        const waiting = this.messages.some((m) => m.role === 'user');
        this.respond(waiting ? { ...welcome, quick_replies: [] } : welcome, { announce: true, first: true, welcome: true });
      }
      this.ui.status('');
    } catch (error) {
      this.failed(error);
    }
  }

  // The panel's texts from the core, with the thumbs question (`feedback`, a text of the dialogue).
  refreshTexts() {
    this.texts = { ...this.session.ui() };
    this.ui.relabel();
  }

  // "Gemeente Rotterdam", or a general line when the site names no municipality.
  subtitle() {
    const name = this.engine.municipalityName;
    return name ? this.t('subtitle_of', { municipality: name }) : this.t('subtitle');
  }

  // The session once the conversation has started (welcomed or restored), or null when the core could not be
  // loaded (the status line says so, with a retry button).
  async loaded() {
    await this.ready;
    return this.session;
  }

  // ---- the queue: one action at a time, and no error goes unsaid ------------------------------------

  enqueue(task) {
    this.queue = this.queue.then(task).catch((error) => this.failed(error));
    return this.queue;
  }

  // An error inside Gem (the core refused something, a bug): said as such, never as a network problem.
  failed(error) {
    this.log.error?.('Gem:', error);
    this.ui.status('');
    this.note(this.t('error_internal'));
  }

  // ---- what the resident does -------------------------------------------------------------------------

  submit(text) {
    if (!String(text).trim()) return null;
    this.begin();
    const message = this.add({ role: 'user', text, lang: this.lang });
    // While a staff member owns the conversation the assistant stays silent; without a connection it answers.
    if (this.handover.connected) this.enqueue(() => this.handover.toAgent(message));
    else this.ask(message);
    return message;
  }

  retry(message) {
    this.update(message, { failed: false });
    if (!this.opened) this.open();
    return this.ask(message);
  }

  ask(message) {
    return this.enqueue(async () => {
      const session = await this.loaded();
      if (!session) {
        this.update(message, { failed: true });
        return;
      }
      const addressBefore = ADDRESS_AWAITED.includes(session.state().awaiting);
      const thinking = this.timers.setTimeout(() => this.ui.status(this.t('thinking'), true), THINKING_DELAY_MS);
      let response;
      let notLoaded = null;
      try {
        // Understanding is still loading, or the compact tier is not sure without the full model: say so
        // while the message waits.
        const onWait = () => {
          this.timers.clearTimeout(thinking);
          this.ui.status(this.t('waiting'), true);
        };
        response = await session.send(message.text, { onWait });
      } catch (error) {
        this.update(message, { failed: true });
        if (!error.loadFailed) throw error;
        notLoaded = error;
      } finally {
        this.timers.clearTimeout(thinking);
        this.ui.status('');
      }
      if (notLoaded) {
        // Understanding or the full model did not load: a network problem, and the message can be sent again.
        this.log.warn?.('Gem could not load its understanding:', notLoaded);
        this.ui.status(this.t('load_failed'));
        return;
      }
      // Not failed: a message is asked again only after retry() took its mark away.
      if (response.meaning?.lang) this.update(message, { lang: response.meaning.lang });
      const addressExpected = addressBefore
        || (response.events ?? []).some((e) => e.type === 'live_request' && ADDRESS_LOOK_UPS.includes(e.kind));
      const lookUps = this.respond(response, { announce: true, meaning: response.meaning, question: message });
      await this.notePrivacy(message, { addressExpected });
      await lookUps;
    });
  }

  // A quick reply: `dialogue` goes back to the core, `action` is something the widget does.
  press(reply) {
    this.showChoices(null);
    this.begin();
    this.add({ role: 'user', text: reply.label, lang: this.lang, pressed: true });
    return this.enqueue(async () => {
      const session = await this.loaded();
      if (!session) return;
      if (reply.kind === 'action') await this.perform(reply.id);
      else await this.respond(await session.choose(reply.id), { announce: true });
    });
  }

  async perform(action) {
    switch (action) {
      case 'handover':
      case 'handover:request': return this.handover.request();
      case 'handover:consent_yes': return this.handover.start(true);
      case 'handover:consent_no': return this.handover.start(false);
      case 'handover:cancel': return this.handover.leave();
      default: throw new Error(`unknown quick-reply action '${action}'`);
    }
  }

  // Thumbs up/down for one answer: counted once, changing one's mind only changes what is shown.
  rate(message, value) {
    if (message.feedback === 'asked') this.track(value === 'up' ? 'thumbs_up' : 'thumbs_down');
    message.feedback = value;
    if (value === 'down' && message.asked) this.enqueue(() => this.offerSample(message.asked, 'thumbs_down', message.asked));
    this.save();
  }

  // ---- sharing one question (samples.js) ----------------------------------------------------------------

  // Offers to share one typed question, shown as a message: what would be sent (redacted) and what Gem
  // understood (the core's words). Nothing is sent here; at most one offer per question.
  async offerSample(question, reason, understood) {
    if (!this.samples || !this.session || question.sampleOffered) return null;
    question.sampleOffered = true;
    const draft = await this.samples.draft({ text: question.text, reason, understood, lang: this.lang });
    if (!draft) {
      question.sampleOffered = false;
      return null;
    }
    const words = await this.session.sampleOffer({ reason, ...draft.understood });
    const message = this.add({ role: 'sample', lang: words.lang || this.lang, state: 'offered', draft,
      text: words.text, understood: words.items?.[0] ?? '' });
    this.ui.announce(`${this.t('bot')} ${message.text} ${this.t('sample_text')} ${draft.text} ${message.understood}`, message.lang);
    return message;
  }

  // The resident pressed "share": this one draft, exactly as shown, is sent once.
  async shareSample(message) {
    if (!this.samples || !['offered', 'failed'].includes(message.state)) return;
    this.update(message, { state: 'sending' });
    const state = await this.samples.share(message.draft);
    this.update(message, { state });
    this.ui.announce(this.t(state === 'sent' ? 'sample_sent' : 'sample_failed'), message.lang);
  }

  declineSample(message) {
    if (!['offered', 'failed'].includes(message.state)) return;
    this.update(message, { state: 'declined' });
    this.ui.announce(this.t('sample_declined'), message.lang);
  }

  // The satisfaction score 0–10: counted once, the thanks announced.
  score(message, score) {
    if (message.score === null) this.track('nps', { score });
    message.score = score;
    this.ui.announce(this.t('nps_thanks', { score }), message.lang);
    this.save();
  }

  close() {
    // After a real conversation, the satisfaction question waits in the transcript; closing is never held up.
    if (this.flow.answered > 0 && !this.handover.active) this.offerNps({ announce: false });
  }

  // ---- the core's responses and events --------------------------------------------------------------

  // Shows a response and acts on its events; resolves when its live look-ups (and an offer to share the
  // question) are done.
  // `question` is the typed message the response answers (for the offer to share it).
  respond(response, { announce = false, first = false, welcome = false, meaning = null, role = null, question = null } = {}) {
    this.adoptLang(response.lang);
    const replies = response.quick_replies ?? [];
    // First, so that scrolling to the new message sees the final layout.
    this.showChoices(replies.length ? { label: response.quick_replies_label || '', replies, lang: this.lang } : null);
    const message = this.say(response, { role, first, announce, withChoices: true, feedback: hasFeedbackRequest(response) });
    // An answer with thumbs remembers what it answered, so that a thumbs-down can offer to share the question.
    if (question && message?.feedback) {
      message.asked = { text: question.text, intent: response.intent, product: response.topic?.product ?? null, aspect: response.topic?.aspect ?? null };
    }
    let notUnderstood = false;
    if (!welcome && !first) {
      for (const event of outcomeEvents(this.flow, response, meaning)) {
        if (event.type === 'answer') this.flow.answered += 1;
        if (event.type === 'not_understood') notUnderstood = true;
        this.track(event.type, event);
      }
    }
    const lookUps = [];
    // Gem did not understand (the core's reading was unsure or out of scope): offer to share the question.
    if (notUnderstood && question) lookUps.push(this.offerSample(question, 'not_understood', meaning));
    for (const event of response.events ?? []) {
      if (event.type === 'live_request') lookUps.push(this.lookUp(event, announce));
      if (event.type === 'feedback_request' && event.kind === 'nps') this.offerNps({ announce });
    }
    this.save();
    return Promise.all(lookUps);
  }

  // One response as one message: Markdown from the dialogue (bot), server data as plain text (live), or a
  // note. A response that only carries events (a look-up for a reference just given) shows no empty bubble.
  say(response, { role = null, first = false, announce = true, withChoices = false, feedback = false } = {}) {
    if (!response || !(response.text?.trim() || response.links?.length || response.items?.length)) return null;
    const kind = role ?? (response.plain || response.items?.length ? 'live' : 'bot');
    const lang = response.lang || this.lang;
    const message = kind === 'note'
      ? { role: 'note', text: response.text, lang }
      : { role: kind, text: response.text ?? '', lang, links: response.links ?? [],
        ...(kind === 'live' ? { items: response.items ?? [] } : { feedback: feedback ? 'asked' : null }) };
    this.add(message, { first });
    if (announce) this.announceMessage(message, withChoices);
    return message;
  }

  announceMessage(message, withChoices) {
    if (message.role === 'note') {
      this.ui.announce(`${this.t('notice')} ${message.text}`, message.lang);
      return;
    }
    const labels = withChoices && this.choices ? ` ${this.t('choices')}: ${this.choices.replies.map((r) => r.label).join(', ')}.` : '';
    const items = message.items?.length ? ` ${message.items.join('; ')}` : '';
    const links = message.role === 'live' && message.links?.length ? ` ${message.links.map((l) => l.title).join(' ')}` : '';
    this.ui.announce(`${this.t('bot')} ${plainText(message.text)}${items}${links}${labels}`, message.lang);
  }

  note(text) {
    return this.say({ text, lang: this.lang }, { role: 'note' });
  }

  // A live look-up: the effect fetches exactly what the core asked for; the core puts the outcome into words.
  async lookUp(event, announce) {
    this.ui.status(this.t('live_loading'), true);
    const result = await this.live.lookUp(event);
    this.ui.status('');
    // The reference goes back only so the core can name it in a not-found answer.
    const response = await this.session.live(event.kind, result.error && event.params?.reference
      ? { ...result, reference: event.params.reference } : result);
    this.say(response, { role: result.error ? 'note' : 'live', announce: announce || Boolean(result.error) });
    this.save();
  }

  // The polite note about personal data (the core says it once per kind per conversation).
  async notePrivacy(message, { addressExpected = false, toAgent = false } = {}) {
    const response = await this.session.privacyNote(await this.privacy.of(message), { toAgent, addressExpected });
    if (response) this.say(response, { role: 'note' });
    this.save();
  }

  offerNps({ announce = true } = {}) {
    if (this.flow.npsOffered) return;
    this.flow.npsOffered = true;
    this.add({ role: 'nps', lang: this.lang, score: null });
    if (announce) this.ui.announce(`${this.t('bot')} ${this.t('nps')} ${this.t('nps_scale')}`, this.lang);
    this.save();
  }

  // The browser went offline or came back.
  offline() {
    if (this.session) this.session.say('offline').then((response) => this.note(response.text), (error) => this.failed(error));
    this.handover.offline();
  }

  online() {
    this.handover.online();
  }

  typing() {
    this.handover.typing();
  }

  leaveHandover() {
    this.handover.leave();
  }

  // ---- language and a new conversation ------------------------------------------------------------

  // The page or the resident chose a language: the core speaks it from the next bubble on.
  setLang(lang) {
    const next = lang === 'en' ? 'en' : lang === 'nl' ? 'nl' : this.lang;
    if (next === this.lang && Object.keys(this.texts).length) return this.queue;
    this.lang = next;
    if (!this.session) this.ui.relabel();
    return this.enqueue(async () => {
      const session = await this.loaded();
      if (!session) return;
      await session.setLanguage(this.lang);
      this.refreshTexts();
    });
  }

  // The language of a response: the core already speaks it, and its texts came back with it.
  adoptLang(lang) {
    const next = lang === 'en' ? 'en' : lang === 'nl' ? 'nl' : this.lang;
    if (next === this.lang && Object.keys(this.texts).length) return;
    this.lang = next;
    if (this.session) this.refreshTexts();
    else this.ui.relabel();
  }

  // The language button: the other language, and the welcome in it.
  switchLanguage() {
    this.setLang(this.lang === 'en' ? 'nl' : 'en');
    return this.enqueue(async () => {
      const session = await this.loaded();
      if (!session) return;
      this.respond(await session.welcome(), { announce: true, welcome: true });
    });
  }

  restart() {
    this.handover.stop();
    this.ui.status('');
    this.analytics?.flush();
    this.flow = newFlow();
    this.storage.remove(this.storageKey);
    this.savePending = false;  // what was about to be written is the old conversation
    this.messages = [];
    this.ui.clear();
    this.showChoices(null);
    return this.enqueue(async () => {
      const session = await this.loaded();
      if (!session) return;
      await session.reset();
      await session.setLanguage(this.lang);
      this.refreshTexts();
      this.respond(await session.welcome(), { announce: true, welcome: true });
    });
  }

  // ---- messages and choices --------------------------------------------------------------------------

  add(message, { first = false } = {}) {
    if (first) this.messages.unshift(message);
    else this.messages.push(message);
    this.ui.show(message, { first });
    return message;
  }

  // A message is drawn again only when what it shows changed: drawing it anew makes the browser lay it out again,
  // in the task that shows the answer.
  update(message, changes) {
    if (Object.entries(changes).every(([key, value]) => message[key] === value)) return;
    Object.assign(message, changes);
    this.ui.update(message);
    this.save();
  }

  showChoices(choices) {
    this.choices = choices;
    this.ui.choices(choices);
  }

  // ---- sessionStorage: written only after the resident opened the widget ------------------------------

  // Written once per turn, in a task of its own after the view has been drawn: one answer changes the
  // conversation in several steps, and each write is the whole transcript as JSON (milliseconds on a phone).
  // The panel flushes it when the page is left (pagehide).
  save() {
    if (!this.session || this.savePending) return;
    this.savePending = true;
    this.timers.setTimeout(() => this.flush(), 0);
  }

  flush() {
    if (!this.savePending || !this.session) return;
    this.savePending = false;
    const messages = this.messages.slice(-MAX_STORED_MESSAGES);
    this.storage.set(this.storageKey, JSON.stringify({
      v: 2, lang: this.lang, state: this.session.save(), messages, choices: this.choices,
      flow: this.flow, handover: this.handover.snapshot(),
    }));
  }

  load() {
    try {
      const saved = JSON.parse(this.storage.get(this.storageKey) ?? 'null');
      return saved?.v === 2 && typeof saved.state === 'string' ? saved : null;
    } catch {
      return null;
    }
  }

  // False when the core refused the saved state (the conversation then starts afresh).
  async restore(saved) {
    const { restored, error } = await this.session.restore(saved.state);
    if (!restored) {
      this.log.warn?.('Gem could not restore the conversation:', error);
      this.storage.remove(this.storageKey);
      return false;
    }
    this.flow = { ...newFlow(), ...saved.flow };
    this.lang = saved.lang === 'en' ? 'en' : 'nl';
    await this.session.setLanguage(this.lang);
    this.refreshTexts();
    for (const message of saved.messages ?? []) {
      if (MESSAGE_ROLES.includes(message?.role) && (typeof message.text === 'string' || message.role === 'nps')) {
        if (message.role === 'sample' && !(SAMPLE_STATES.includes(message.state) && message.draft)) continue;
        // A share that was on its way when the page changed is offered again: it needs a new press.
        const state = message.state === 'sending' ? 'offered' : message.state;
        this.add({ ...message, failed: false, ...(message.role === 'sample' ? { state } : {}) });
      }
    }
    this.showChoices(saved.choices?.replies?.length ? saved.choices : null);
    // A handover in progress continues: the server replays its state and the messages not seen yet.
    if (this.handover.resume(saved.handover)) this.ui.relabel();
    return true;
  }
}
