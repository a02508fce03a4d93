// The intent model in a dedicated Web Worker of its own, so that compiling ONNX Runtime, creating its session
// and running the model never hold up the engine (model-runner.js starts it from the engine's worker). It starts
// from a blob: URL (a worker script must have the page's origin; Gem's files usually come from another one),
// so this file is built into the engine as a string and imports ONNX Runtime from Gem's origin with CORS.
//
// Messages in: {id, type: 'load', ortUrl, wasmPaths, onnx: ArrayBuffer} | {id, type: 'run', ids: Int32Array}.
// Messages out: {id, scores: [intent, product, aspect, lang]} | {id, error}.
import { loadModel } from './onnx-runtime.js';

let model = null;

async function handle(message) {
  if (message.type === 'load') {
    model = await loadModel({ ortUrl: message.ortUrl, wasmPaths: message.wasmPaths, onnx: new Uint8Array(message.onnx) });
    return {};
  }
  if (message.type === 'run') {
    const scores = await model.run(message.ids);
    return { scores, transfer: scores.map((s) => s.buffer) };
  }
  throw new Error(`unknown message type ${message.type}`);
}

self.onmessage = async ({ data }) => {
  try {
    const { transfer = [], ...result } = await handle(data);
    self.postMessage({ id: data.id, ...result }, transfer);
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error?.message ?? error) });
  }
};
