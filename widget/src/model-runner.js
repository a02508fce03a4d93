// Runs the intent model for the engine (engine-host.js): in a Web Worker of its own, started by the engine's
// worker, so that compiling ONNX Runtime, creating its session and running the model never hold up the core,
// which answers from its compact tier meanwhile; where no worker can start (the page forbids them, and the
// engine runs on the main thread), in the engine's thread. Either way the result is a runner for
// wasm/understanding.js: {run(ids) → Promise<[intent, product, aspect, lang] scores>, close()}.
import workerSource from 'gem:model-worker';  // widget/src/model-worker.js, built as a string by widget/build.js

import { loadModel } from './onnx-runtime.js';

// Starting a worker from a blob: URL needs `worker-src blob:` in a page's Content-Security-Policy
// (docs/privacy/webteams.md); a worker's own workers fall under the page's policy too.
function workerRunner({ ortUrl, wasmPaths, onnx }) {
  const blob = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  let worker;
  try {
    worker = new Worker(blob, { type: 'module', name: 'gem-model' });
  } catch (error) {
    throw Object.assign(new Error(`the model's worker did not start: ${error.message}`), { workerFailed: true });
  } finally {
    URL.revokeObjectURL(blob);
  }
  const pending = new Map();
  let next = 0;
  const fail = (error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.onmessage = ({ data }) => {
    const call = pending.get(data.id);
    pending.delete(data.id);
    if (data.error) call?.reject(new Error(data.error));
    else call?.resolve(data);
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    fail(Object.assign(new Error(`the model's worker did not start${event.message ? `: ${event.message}` : ''}`), { workerFailed: true }));
  };
  const call = (message, transfer = []) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message }, transfer);
  });
  // The worker takes a copy over: the main thread keeps the bytes in case the worker cannot start.
  const copy = onnx.slice().buffer;
  return call({ type: 'load', ortUrl, wasmPaths, onnx: copy }, [copy]).then(() => ({
    run: async (ids) => (await call({ type: 'run', ids: Int32Array.from(ids) })).scores,
    close: async () => worker.terminate(),
  }), (error) => {
    worker.terminate();
    throw error;
  });
}

// `ownWorker`: false where workers are known not to start (the engine already runs on the main thread for that
// reason, and has said so); `log`: where a failed worker is reported (console by default).
export async function startModel({ ortUrl, wasmPaths, onnx }, { ownWorker = true, log = console } = {}) {
  if (ownWorker && typeof Worker === 'function') {
    try {
      return await workerRunner({ ortUrl, wasmPaths, onnx });
    } catch (error) {
      if (!error.workerFailed) throw error;  // the worker ran: a download failed, which this thread would not fix
      log.warn?.(`Gem runs its model beside its core, which may delay answers: ${error.message}.`);
    }
  }
  return loadModel({ ortUrl, wasmPaths, onnx });
}
