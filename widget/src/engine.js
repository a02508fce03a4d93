// The panel's side of the engine: a conversation in it (RemoteSession) and what the controller needs of it
// (engineLink). The loader starts the engine (engine-start.js) when the resident shows interest; nothing here
// sends what residents type anywhere but to the engine.

// A conversation in the engine, with the core's Session API (wasm/session.js, docs/core-api.md), asynchronous:
// every method resolves to what the core's returns, except save(), state() and ui() (with the thumbs question
// as `feedback`), which read what the last call brought back, so the page never waits for them.
export class RemoteSession {
  // `welcome`: the welcome that came with the opening (EngineHost.open), in the language it was opened in.
  constructor(engine, { session, mirror, welcome = null }) {
    this.engine = engine;
    this.id = session;
    this.mirror = mirror;
    this.openingWelcome = welcome;
  }

  async call(method, args = [], onWait = null) {
    this.openingWelcome = null;  // the conversation moves on: a welcome from now on is asked for
    const { result, mirror } = await this.engine.call({ method, session: this.id, args },
      (progress) => { if (progress.waiting) onWait?.(); });
    this.mirror = mirror;
    return result;
  }

  welcome() {
    const welcome = this.openingWelcome;
    this.openingWelcome = null;
    return welcome ? Promise.resolve(welcome) : this.call('welcome');
  }
  // Resolves to the response with `meaning`; `onWait` is called when the message waits for the full model.
  send(text, { onWait } = {}) { return this.call('send', [String(text)], onWait); }
  choose(buttonId) { return this.call('choose', [String(buttonId)]); }
  live(kind, result) { return this.call('live', [String(kind), result ?? {}]); }
  handover(event) { return this.call('handover', [event ?? {}]); }
  privacyNote(redaction, context = {}) { return this.call('privacyNote', [redaction, context]); }
  sampleOffer(understood) { return this.call('sampleOffer', [understood ?? {}]); }
  say(key, params = {}) { return this.call('say', [String(key), params]); }
  setLanguage(lang) { return this.call('setLanguage', [String(lang)]); }
  reset() { return this.call('reset'); }
  restore(state) { return this.call('restore', [String(state)]); }

  save() { return this.mirror.saved; }
  state() { return this.mirror.state; }
  ui() { return this.mirror.ui; }
}

// What the conversation controller needs of the engine (conversation.js): a session, the core's redaction,
// and the site's municipality by name. `engines`: the loader's {start() → engine, forget(engine)}.
export function engineLink(engines) {
  let engine = null;
  let municipalityName = '';
  return {
    get municipalityName() {
      return municipalityName;
    },
    // A conversation in `lang`, opened with its welcome.
    async load({ lang } = {}) {
      const starting = engines.start();
      try {
        engine = await starting;
        const opened = await engine.call({ method: 'open', args: [{ lang }] });
        municipalityName = opened.municipalityName;
        return new RemoteSession(engine, opened);
      } catch (error) {
        engines.forget(starting);
        throw error;
      }
    },
    redact: (text) => engine.call({ method: 'redact', args: [String(text)] }),
  };
}
