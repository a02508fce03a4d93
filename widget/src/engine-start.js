// Starting the engine (engine-host.js: the wasm core, the content pack, the compact tier, ONNX Runtime and the
// model). The loader starts it as soon as the resident shows interest (hover, focus or click), beside the panel's
// download, in a dedicated Web Worker, or on the main thread where the page forbids workers. The panel then talks
// to it (engine.js). Nothing here sends what residents type.
import { assetUrl } from './assets.js';

const engines = new Map();

export function validMunicipality(code) {
  return /^GM\d{4}$/.test(code ?? '') ? code : '';
}

const workerFailed = (detail) =>
  Object.assign(new Error(`the engine's worker did not start${detail ? `: ${detail}` : ''}`), { workerFailed: true });

// The worker's first script: it keeps the messages that arrive while it imports the engine (engine-worker.js)
// from Gem's origin, with CORS, then hands them over.
const bootstrap = (workerUrl) => `const early = [];
self.onmessage = ({ data }) => early.push(data);
import(${JSON.stringify(workerUrl)}).then(({ serve }) => serve(early), (error) => self.postMessage({ notLoaded: String(error) }));`;

// The engine in a Web Worker: resolves to {call(message, progress) → Promise, close()} once it runs. A worker
// script must have the page's origin, so the worker starts from a blob: URL; that needs `worker-src blob:` in a
// page's Content-Security-Policy (docs/privacy/webteams.md); without it this rejects with `workerFailed`.
function workerEngine({ workerUrl, base, municipality }) {
  const blob = URL.createObjectURL(new Blob([bootstrap(workerUrl)], { type: 'text/javascript' }));
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
    if (data.notLoaded) {  // the engine's script did not download: the main thread would not fare better
      started.reject(Object.assign(new Error(`the engine did not load: ${data.notLoaded}`), { loadFailed: true }));
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
  worker.postMessage({ type: 'start', base, municipality });  // queued until the worker's script has run
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
// code is then imported from Gem's origin (engine.mjs).
async function mainThreadEngine({ engineUrl, base, municipality }) {
  const { EngineHost } = await import(engineUrl);
  const host = new EngineHost({ base, municipality, modelWorker: false });
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

const keyOf = ({ base, municipality }) => `${base}|${validMunicipality(municipality)}`;

// One engine per widget folder and municipality, shared by every <gem-assistant> of the page: resolves to
// {call, close} (see workerEngine).
export function engineFor(config, { log = console } = {}) {
  const key = keyOf(config);
  if (!engines.has(key)) {
    const { base } = config;
    const engine = startEngine({ base, municipality: validMunicipality(config.municipality),
      workerUrl: assetUrl(base, 'engine-worker.js'), engineUrl: assetUrl(base, 'engine.mjs') }, log);
    engines.set(key, engine);
    engine.catch(() => forgetEngine(config, engine));
  }
  return engines.get(key);
}

// A failed engine is forgotten, so that the next attempt ("retry") starts again.
export function forgetEngine(config, engine) {
  const key = keyOf(config);
  if (engines.get(key) !== engine) return;
  engines.delete(key);
  engine.then((running) => running.close(), () => {});
}
