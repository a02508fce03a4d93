// The intent model in a dedicated Web Worker, so that compiling ONNX Runtime, creating its session and
// running the model never block the page's main thread. engine.js starts it from a blob: URL (a worker
// script must have the page's origin; Gem's files usually come from another one), so this file is built
// into the panel as a string and imports ONNX Runtime from Gem's origin with CORS.
//
// Messages in: {id, type: 'load', ortUrl, wasmPaths, onnx: ArrayBuffer} | {id, type: 'run', ids: BigInt64Array}.
// Messages out: {id, scores: [intent, product, aspect, lang]} | {id, error}.
const HEADS = ['intent', 'product', 'aspect', 'lang'];
let ort = null;
let session = null;

async function handle(message) {
  if (message.type === 'load') {
    ort = await import(message.ortUrl);
    // One thread: no SharedArrayBuffer, so no COOP/COEP headers are needed on municipal sites.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = message.wasmPaths;
    session = await ort.InferenceSession.create(new Uint8Array(message.onnx), { executionProviders: ['wasm'] });
    return {};
  }
  if (message.type === 'run') {
    const output = await session.run({ ids: new ort.Tensor('int64', message.ids, [1, message.ids.length]) });
    const scores = HEADS.map((head) => output[head].data);
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
