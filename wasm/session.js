// One resident's conversation: understanding (wasm core + ONNX model) and the dialogue over a
// municipality's content pack. Responses are plain objects: {text, quick_replies, links, events, ...}.
//
//   const session = Session.create(understanding, packJson, municipalitiesTsv, 'GM0599');
//   session.welcome();  await session.send('wat kost een paspoort?');  session.choose('aspect:kosten');
export class Session {
  // `municipality` is the site's CBS code; it must match the pack unless the pack is the generic one.
  static create(understanding, packJson, municipalitiesTsv, municipality = '') {
    return new Session(understanding, understanding.core.Session.create(packJson, municipalitiesTsv, municipality));
  }

  constructor(understanding, session) {
    this.understanding = understanding;
    this.session = session;
  }

  welcome() {
    return JSON.parse(this.session.welcome());
  }

  // Resolves to the response, with `meaning` (what the message was understood as) attached.
  async send(text) {
    const { response, meaning } = await this.understanding.withScores(text, (analysis, scores) =>
      JSON.parse(this.session.respond(this.understanding.understander, analysis, ...scores)));
    return { ...response, meaning };
  }

  choose(buttonId) {
    return JSON.parse(this.session.choose(String(buttonId)));
  }

  reset() {
    this.session.reset();
  }

  // The conversation state as a string (for sessionStorage), and back.
  save() {
    return this.session.save();
  }

  restore(state) {
    this.session.restore(String(state));
  }

  close() {
    this.session.delete();
  }
}
