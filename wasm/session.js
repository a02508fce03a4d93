// One resident's conversation: understanding (wasm core + ONNX model) and the dialogue over a
// municipality's content pack. The core owns the conversation: its state and every word the assistant says.
// Responses are plain objects: {lang, text, items?, plain?, quick_replies:[{id, label, kind}], links, events,
// awaiting, topic, ...}; docs/core-api.md describes each method.
//
//   const session = Session.create(understanding, packJson, municipalitiesTsv, 'GM0599');
//   session.welcome();  await session.send('wat kost een paspoort?');  session.choose('aspect:kosten');
//   session.live('opening_hours', { data });  session.handover({ type: 'agent_joined', name: 'Sanne' });
export class Session {
  // `municipality` is the site's CBS code; it must match the pack unless the pack is the generic one.
  // `options`: numeric DialogueOptions by name ({unsure_below: 0.4}), for calibration; the defaults otherwise.
  static create(understanding, packJson, municipalitiesTsv, municipality = '', options = null) {
    const { Session: CoreSession } = understanding.core;
    return new Session(understanding, options
      ? CoreSession.createWithOptions(packJson, municipalitiesTsv, municipality, JSON.stringify(options))
      : CoreSession.create(packJson, municipalitiesTsv, municipality));
  }

  // The numeric DialogueOptions by name that `create` uses without `options`.
  static defaultOptions(understanding) {
    return JSON.parse(understanding.core.Session.defaultOptions());
  }

  constructor(understanding, session) {
    this.understanding = understanding;
    this.session = session;
  }

  welcome() {
    return JSON.parse(this.session.welcome());
  }

  // Resolves to the response, with `meaning` (what the message was understood as, and by which `tier`:
  // 'full' or 'compact') attached. `onWait`: see Understanding.withScores.
  async send(text, { onWait } = {}) {
    const { response, meaning, tier } = await this.understanding.withScores(text, (analysis, scores, by) =>
      ({ ...JSON.parse(this.session.respond(this.understanding.understander, analysis, ...scores)), tier: by }), { onWait });
    return { ...response, meaning: { ...meaning, tier } };
  }

  // A quick reply of kind 'dialogue'.
  choose(buttonId) {
    return JSON.parse(this.session.choose(String(buttonId)));
  }

  // The bubble for a live look-up: `result` is {data} (the server's JSON) or {error: {kind, field}}.
  live(kind, result) {
    return JSON.parse(this.session.live(String(kind), JSON.stringify(result ?? {})));
  }

  // A step of a human handover ({type: 'queued', position, eta_seconds}, …): the core records it and answers.
  handover(event) {
    return JSON.parse(this.session.handover(JSON.stringify(event ?? {})));
  }

  // The note about personal data in `redaction` (core.redact(text)), or null when there is nothing new to say.
  privacyNote(redaction, { toAgent = false, addressExpected = false } = {}) {
    const note = this.session.privacyNote(JSON.stringify(redaction?.counts ?? {}), Boolean(toAgent), Boolean(addressExpected));
    return note ? JSON.parse(note) : null;
  }

  // The offer to share one question (a consented sample): `text` asks, `items[0]` says what Gem understood.
  // `understood` is {reason: 'not_understood' | 'thumbs_down', intent, product, aspect}.
  sampleOffer(understood) {
    return JSON.parse(this.session.sampleOffer(JSON.stringify(understood ?? {})));
  }

  // A bubble for a moment only the widget knows: 'new_conversation', 'offline', … (docs/core-api.md).
  say(key, params = {}) {
    return JSON.parse(this.session.say(String(key), JSON.stringify(params)));
  }

  // The panel's own texts for the current language and tone: {key: text}.
  ui() {
    return JSON.parse(this.session.ui());
  }

  setLanguage(lang) {
    this.session.setLanguage(String(lang));
  }

  // {lang, tone, awaiting, topic: {product, aspect, municipality, person}, handover}: read-only.
  state() {
    return JSON.parse(this.session.state());
  }

  reset() {
    this.session.reset();
  }

  // The conversation state as a string (for sessionStorage), and back. `restore` checks the state against the
  // content pack: {restored: true}, or {restored: false, error} with the conversation started afresh.
  save() {
    return this.session.save();
  }

  restore(state) {
    return JSON.parse(this.session.restore(String(state)));
  }

  close() {
    this.session.delete();
  }
}
