// The dedicated Web Worker that runs the engine (engine-host.js), so that compiling the wasm core, creating its
// session and answering never block the page's main thread. widget/build.js bundles it with the engine as
// engine-worker.<hash>.js. A worker script must have the page's origin (Gem's files usually come from another
// one), so the loader (engine-start.js) starts the worker from a few lines of blob: script that keep the messages
// arriving meanwhile, import this module from Gem's origin and call `serve` with them. (A dynamic import: the
// page's CSP governs it by `script-src`, which names Gem's origin already; a static one would need it in
// `worker-src` too.)
//
// Messages in: {type: 'start', base, municipality}, then {id, method, session, args} (EngineHost.call).
// Messages out: {started: true}; {id, result} | {id, error, loadFailed} | {id, progress}.
import { EngineHost } from './engine-host.js';

export function serve(early) {
  let host = null;
  const handle = async (data) => {
    if (data.type === 'start') {
      host = new EngineHost({ base: data.base, municipality: data.municipality });
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
  self.onmessage = ({ data }) => handle(data);
  for (const data of early) handle(data);
}
