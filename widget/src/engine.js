// The page's side of the engine (engine-host.js: the wasm core, the content pack, the compact tier, ONNX
// Runtime and the model). It starts the engine in a dedicated Web Worker, or on the main thread where the page
// forbids workers, and gives the conversation a session that talks to it (RemoteSession). Prefetch on
// hover/focus or opening the panel starts it; nothing here sends what residents type.
import workerSource from 'gem:engine-worker';  // widget/src/engine-worker.js, built as a string by widget/build.js

import { assetUrl } from './assets.js';

const engines = new Map();

export function validMunicipality(code) {
  return /^GM\d{4}$/.test(code ?? '') ? code : '';
}

// Where the engine finds each file: the hashed names from the build's manifest, from Gem's origin.
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

const workerFailed = (detail) =>
  Object.assign(new Error(`the engine's worker did not start${detail ? `: ${detail}` : ''}`), { workerFailed: true });

// The engine in a Web Worker: resolves to {call(message, progress) → Promise, close()} once it runs. Starting a
// worker from a blob: URL needs `worker-src blob:` in a page's Content-Security-Policy (docs/privacy/webteams.md);
// without it this rejects with `workerFailed`.
function workerEngine(start) {
  const blob = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  let worker;
  try {
    worker = new Worker(blob, { type: 'module', name: 'gem-engine' });
  } catch (error) {
    throw workerFailed(error.message);
  } finally {
    URL.revokeObjectURL(blob);
  }
  const pending = new Map();
  let next = 0;
  let started;
  const running = new Promise((resolve, reject) => { started = { resolve, reject }; });
  worker.onmessage = ({ data }) => {
    if (data.started) {
      started.resolve();
      return;
    }
    const call = pending.get(data.id);
    if (!call) return;
    if (data.progress) {
      call.progress(data.progress);
      return;
    }
    pending.delete(data.id);
    if ('error' in data) call.reject(Object.assign(new Error(data.error), { loadFailed: data.loadFailed }));
    else call.resolve(data.result);
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    const error = workerFailed(event.message);
    started.reject(error);
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.postMessage({ type: 'start', urls: start.urls, municipality: start.municipality });
  const engine = {
    call: (message, progress = () => {}) => new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject, progress });
      worker.postMessage({ id, ...message });
    }),
    close: () => worker.terminate(),
  };
  return running.then(() => engine, (error) => {
    worker.terminate();
    throw error;
  });
}

// The engine on the page's main thread: the same protocol, without a worker (the page may stutter). The engine's
// code is then imported from Gem's origin (engine.mjs), not from the worker's script.
async function mainThreadEngine({ engineUrl, urls, municipality }) {
  const { EngineHost } = await import(engineUrl);
  const host = new EngineHost({ urls, municipality, modelWorker: false });
  return { call: (message, progress = () => {}) => host.call(message, progress), close() {} };
}

// `log`: where a web team sees why Gem runs on the main thread (console by default).
async function startEngine(start, log) {
  if (typeof Worker === 'function') {
    try {
      return await workerEngine(start);
    } catch (error) {
      if (!error.workerFailed) throw error;  // the worker ran: a download failed, which the main thread would not fix
      log.warn?.(`Gem runs on the page's main thread, which may make the page stutter: ${error.message}. ` +
        "Allow workers from blob: URLs in the page's Content-Security-Policy (worker-src blob:).");
    }
  }
  return mainThreadEngine(start);
}

// One engine per widget folder and municipality, shared by prefetch and the panel.
export function engineFor({ base, municipality }, { log = console } = {}) {
  const code = validMunicipality(municipality);
  const key = `${base}|${code}`;
  if (!engines.has(key)) {
    const engine = startEngine({ urls: engineUrls(base, code), municipality: code, engineUrl: assetUrl(base, 'engine.mjs') }, log);
    engines.set(key, engine);
    engine.catch(() => forget(key, engine));
  }
  return engines.get(key);
}

// A failed engine is forgotten, so that the next attempt ("retry") starts again.
function forget(key, engine) {
  if (engines.get(key) !== engine) return;
  engines.delete(key);
  engine.then((running) => running.close(), () => {});
}

// A conversation in the engine, with the core's Session API (wasm/session.js, docs/core-api.md), asynchronous:
// every method resolves to what the core's returns, except save(), state() and ui() (with the thumbs question
// as `feedback`), which read what the last call brought back, so the page never waits for them.
export class RemoteSession {
  constructor(engine, { session, mirror }) {
    this.engine = engine;
    this.id = session;
    this.mirror = mirror;
  }

  async call(method, args = [], onWait = null) {
    const { result, mirror } = await this.engine.call({ method, session: this.id, args },
      (progress) => { if (progress.waiting) onWait?.(); });
    this.mirror = mirror;
    return result;
  }

  welcome() { return this.call('welcome'); }
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
// and the site's municipality by name.
export function engineLink(config) {
  let engine = null;
  let municipalityName = '';
  return {
    get municipalityName() {
      return municipalityName;
    },
    async load() {
      const starting = engineFor(config);
      const key = `${config.base}|${validMunicipality(config.municipality)}`;
      try {
        engine = await starting;
        const opened = await engine.call({ method: 'open' });
        municipalityName = opened.municipalityName;
        return new RemoteSession(engine, opened);
      } catch (error) {
        forget(key, starting);
        throw error;
      }
    },
    redact: (text) => engine.call({ method: 'redact', args: [String(text)] }),
  };
}
