// The dedicated Web Worker that runs the engine (engine-host.js), so that compiling the wasm core, creating its
// session and answering never block the page's main thread. engine.js starts it from a blob: URL (a worker
// script must have the page's origin; Gem's files usually come from another one), so widget/build.js builds this
// file, with the engine, into the panel as a string: the worker starts fetching Gem's files at once.
//
// Messages in: {type: 'start', urls, municipality}, then {id, method, session, args} (EngineHost.call).
// Messages out: {started: true}; {id, result} | {id, error, loadFailed} | {id, progress}.
import { EngineHost } from './engine-host.js';

let host = null;

self.onmessage = async ({ data }) => {
  if (data.type === 'start') {
    host = new EngineHost({ urls: data.urls, municipality: data.municipality });
    self.postMessage({ started: true });
    return;
  }
  try {
    const result = await host.call(data, (progress) => self.postMessage({ id: data.id, progress }));
    self.postMessage({ id: data.id, result });
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error?.message ?? error), loadFailed: Boolean(error?.loadFailed) });
  }
};
