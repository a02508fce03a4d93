// The engine: Gem's local intelligence, in whichever thread runs it. widget/build.js builds this file with the
// wasm core's JavaScript into its own asset (engine.mjs), which a dedicated Web Worker imports
// (engine-worker.js) — or, where the page forbids workers, the main thread (engine.js). Either way the
// conversation reaches it through `call`, one protocol for both, so the page's main thread never compiles
// the core, parses a content pack, creates ONNX Runtime's session or runs the model.
//
// It loads in three phases, all starting at once, from Gem's own origin (the widget's folder, `base`):
//   1. the dialogue: the wasm core (compiled while it downloads) and the municipality's content pack —
//      enough for the welcome and the quick replies;
//   2. understanding: the gazetteers and the core's compact tier, which answers the typed messages it is sure
//      of at once;
//   3. ONNX Runtime Web and the full model, in a worker of their own (model-runner.js), which answer the rest,
//      and everything once they are ready. They start once the compact tier is ready: on a slow network their
//      4 MB would otherwise share the bandwidth with the files before, and on a warm visit compiling them would
//      share the CPU with the core's start. A typed message already waiting is answered first, unless the
//      compact tier is not sure of it.
// Nothing here sends what residents type: every request is for one of Gem's files.
//
// Each phase's end is a User Timing mark (`gem:core-ready`, …, once per engine, in the thread that runs it), so that
// `scripts/bench page` can show where the time to a first answer goes. A mark holds a name and a time, no text.
import createGemCore from 'gem-core';  // the wasm build's gem-core.js, bundled by widget/build.js

import { Session } from '../../wasm/session.js';
import { assetUrl } from './assets.js';
import { Understanding } from '../../wasm/understanding.js';
import { startModel } from './model-runner.js';

// What the page's side keeps a copy of after every call, so that it can read them without a round trip:
// the state to store (sessionStorage), the read-only state, and the panel's texts in the current language.
function mirror(session) {
  return { saved: session.save(), state: session.state(), ui: { ...session.ui(), feedback: session.say('feedback').text } };
}

// The session methods a conversation may call (docs/core-api.md); `send` is handled apart (it may wait).
const SESSION_CALLS = new Set(['welcome', 'choose', 'live', 'handover', 'privacyNote', 'sampleOffer', 'say',
  'setLanguage', 'reset', 'restore']);

// The wasm core, compiled while it downloads (instantiateStreaming), which also lets the browser keep the
// compiled code for the next visit. A failed download rejects (Emscripten's factory alone would never settle).
function startCore(download) {
  return new Promise((resolve, reject) => {
    createGemCore({
      instantiateWasm(imports, ready) {
        download.then((response) => WebAssembly.instantiateStreaming(response, imports))
          .then(({ instance, module }) => ready(instance, module), reject);
        return {};
      },
    }).then(resolve, reject);
  });
}

// Where the engine finds each file in the widget's folder: the hashed names from the build's manifest.
function engineUrls(base, municipality) {
  const url = (path) => assetUrl(base, path);
  return {
    core: url('core/gem-core.wasm'),
    pack: municipality ? url(`content/${municipality}.json`) : '',
    genericPack: url('content/generic.json'),
    municipalities: url('gazetteer/gemeenten.tsv'),
    aliases: url('gazetteer/gemeente-aliases.tsv'),
    countries: url('gazetteer/landen.tsv'),
    spm: url('models/gem.spm'),
    metadata: url('models/gem-nlu.json'),
    compact: url('models/gem-compact.bin'),
    onnx: url('models/gem-intent.onnx'),
    ort: url('ort/ort.wasm.min.mjs'),
    ortWasm: { mjs: url('ort/ort-wasm-simd-threaded.mjs'), wasm: url('ort/ort-wasm-simd-threaded.wasm') },
  };
}

export class EngineHost {
  // `base`: the widget's folder (Gem's origin); `municipality`: the site's CBS code ('' for none);
  // `modelWorker`: false where no worker can start (the engine runs on the main thread), so the model runs
  // beside the core.
  constructor({ base, municipality = '', modelWorker = true }) {
    const urls = engineUrls(base, municipality);
    this.urls = urls;
    this.modelWorker = modelWorker;
    this.municipality = municipality;
    this.sessions = new Map();
    this.nextSession = 1;
    const get = async (url) => {
      // Static assets need no cookies: a site hosting Gem on its own domain does not send its cookies along.
      const response = await fetch(url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
      if (!response.ok) throw new Error(`${new URL(url).pathname}: HTTP ${response.status}`);
      return response;
    };
    this.bytes = async (url) => new Uint8Array(await (await get(url)).arrayBuffer());
    this.text = async (url) => (await get(url)).text();

    this.marked = new Set();
    this.municipalities = this.text(urls.municipalities);
    this.core = startCore(get(urls.core));
    this.core.then(() => this.milestone('core-ready'), () => {});
    // The pack and the understanding's files go to the core as bytes: handed over as strings, they would be
    // decoded here and encoded to UTF-8 again by a JavaScript loop, some 25 ms of a desktop's first answer.
    const pack = urls.pack ? this.bytes(urls.pack).catch(() => this.bytes(urls.genericPack)) : this.bytes(urls.genericPack);
    this.dialogue = Promise.all([this.core, pack, this.municipalities]);
    this.dialogue.catch(() => {});  // reported where it is awaited
    this.understanding = null;
    this.understood = false;  // the compact tier is there (the full model may still be loading)
    this.answering = 0;  // typed messages being answered
    this.modelWanted = false;  // a message has waited for the full model: from then on phase 3 starts at once
    this.wake = null;  // starts phase 3 while it waits for messages being answered
    this.understand();
  }

  // Marks one of the phases scripts/bench_lib/page.js lists (MILESTONES), the first time it is reached.
  milestone(name) {
    if (this.marked.has(name)) return;
    this.marked.add(name);
    globalThis.performance?.mark?.(`gem:${name}`);
  }

  // Resolves when no typed message is being answered, or one waits for the full model. It resolves in a task of
  // its own, so that an answer is posted before phase 3 starts its downloads.
  idle() {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        setTimeout(resolve, 0);
      };
      if (this.answering === 0 || this.modelWanted) this.wake();
    });
  }

  // Phases 2 and 3, started again by the next typed message when a download failed.
  understand() {
    if (this.understanding) return this.understanding;
    const { urls } = this;
    const files = Promise.all([this.bytes(urls.spm), this.bytes(urls.metadata), this.bytes(urls.compact),
      this.municipalities, this.bytes(urls.aliases), this.bytes(urls.countries)]);
    let compactReady;
    const model = new Promise((resolve) => { compactReady = resolve; }).then(() => this.idle()).then(() => this.bytes(urls.onnx))
      .then((onnx) => startModel({ ortUrl: urls.ort, wasmPaths: urls.ortWasm, onnx }, { ownWorker: this.modelWorker }))
      .then((runner) => {
        this.milestone('model-ready');
        return runner;
      });
    const loading = Promise.all([this.dialogue, files]).then(([[core], [spm, metadata, compact, municipalities, aliases, countries]]) =>
      // The same core as the dialogue's: the session and the understander share one wasm instance.
      Understanding.create({ core, runner: model, files: { spm, metadata, compact, municipalities, aliases, countries } }));
    loading.then(compactReady, compactReady);  // without a compact tier the full model is all there is
    this.understanding = loading;
    loading.then(() => {
      this.milestone('compact-ready');
      if (this.understanding === loading) this.understood = true;
    }, () => {});
    const forget = () => {
      if (this.understanding !== loading) return;
      this.understanding = null;
      this.understood = false;
    };
    loading.catch(forget);
    model.catch(forget);
    return loading;
  }

  // One call from the conversation: `progress(update)` reports {waiting: true} while a typed message waits
  // for the full model. Resolves to what the page needs; rejects with an Error (`loadFailed` when a download
  // failed, so the message can be sent again).
  async call({ method, session: id, args = [] }, progress = () => {}) {
    switch (method) {
      case 'open': return this.open(args[0]);
      case 'redact': return (await this.dialogue)[0].redact(String(args[0] ?? ''));
      case 'send': return this.send(this.session(id), String(args[0] ?? ''), progress);
      case 'close': {
        this.session(id).close();
        this.sessions.delete(id);
        return null;
      }
      default: {
        if (!SESSION_CALLS.has(method)) throw new Error(`unknown engine call '${method}'`);
        const session = this.session(id);
        const result = session[method](...args);
        return { result: result ?? null, mirror: mirror(session) };
      }
    }
  }

  session(id) {
    const session = this.sessions.get(id);
    if (!session) throw new Error(`no conversation ${id}`);
    return session;
  }

  // A new conversation, and the site's municipality by name from the gazetteer ('' for none). With `lang`, the
  // conversation is set to that language and its welcome comes along: asked for afterwards, it would wait a round
  // trip, by when this thread is busy building the understanding.
  async open({ lang = '' } = {}) {
    const [core, pack, tsv] = await this.dialogue;
    const session = new Session(null, core.Session.create(pack, tsv, this.municipality));
    const id = this.nextSession++;
    this.sessions.set(id, session);
    const row = this.municipality ? tsv.split('\n').find((line) => line.startsWith(`${this.municipality}\t`)) : null;
    let welcome = null;
    if (lang) {
      session.setLanguage(lang);
      welcome = session.welcome();
    }
    this.milestone('conversation-opened');
    return { session: id, municipalityName: row?.split('\t')[1]?.trim() ?? '', welcome, mirror: mirror(session) };
  }

  async send(session, text, progress) {
    this.milestone('message-received');
    this.answering += 1;
    try {
      if (!session.understanding) {
        if (!this.understood) progress({ waiting: true });
        try {
          session.understanding = await this.understand();
        } catch (error) {
          throw Object.assign(new Error(`the understanding did not load: ${error.message}`), { loadFailed: true });
        }
      }
      // The compact tier is not sure: the message waits for the full model, which must not wait for it.
      const onWait = () => {
        this.modelWanted = true;
        this.wake?.();
        progress({ waiting: true });
      };
      const result = await session.send(text, { onWait });
      this.milestone('answer-sent');
      return { result, mirror: mirror(session) };
    } catch (error) {
      // The full model failed to load: the next message tries again with a new one (same core).
      if (error.loadFailed && this.understanding === null) session.understanding = null;
      throw error;
    } finally {
      this.answering -= 1;
      if (this.answering === 0) this.wake?.();
    }
  }
}
