// The dedicated Web Worker that runs the engine (engine-host.js), so that compiling the wasm core and ONNX
// Runtime, creating their sessions and answering never block the page's main thread. engine.js starts it from a
// blob: URL (a worker script must have the page's origin; Gem's files usually come from another one), so this
// file is built into the panel as a string and imports the engine from Gem's origin with CORS.
//
// Messages in: {type: 'start', engineUrl, urls, municipality}, then {id, method, session, args} (EngineHost.call).
// Messages out: {started: true} | {started: false, error}; {id, result} | {id, error, loadFailed} | {id, progress}.
let host = null;

self.onmessage = async ({ data }) => {
  if (data.type === 'start') {
    host = import(data.engineUrl).then(({ EngineHost }) => new EngineHost({ urls: data.urls, municipality: data.municipality }));
    host.then(() => self.postMessage({ started: true }), (error) => self.postMessage({ started: false, error: String(error?.message ?? error) }));
    return;
  }
  try {
    // Calls are taken in the order they came, also while the engine's module is still arriving.
    const result = await (await host).call(data, (progress) => self.postMessage({ id: data.id, progress }));
    self.postMessage({ id: data.id, result });
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error?.message ?? error), loadFailed: Boolean(error?.loadFailed) });
  }
};
