// ONNX Runtime Web from Gem's origin and the intent model on it, in whichever thread calls this: the model's
// worker (model-worker.js) or, where no worker can start, the engine's own thread (model-runner.js).
import { ortRunner } from '../../wasm/understanding.js';

export async function loadModel({ ortUrl, wasmPaths, onnx }) {
  const ort = await import(ortUrl);
  ort.env.wasm.wasmPaths = wasmPaths;
  return ortRunner(ort, onnx);
}
