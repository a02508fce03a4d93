// Runs the intent model on ONNX Runtime Web in Node with a given ORT wasm, for widget/ort-trim.js:
//   node widget/ort-run.js <ort wasm> <model.onnx> <inputs.json> <result.json>
// inputs.json is a list of token id lists. The session is made as the widget makes it (wasm/understanding.js
// ortRunner: one thread, the wasm backend). Writes {"digest": …, "runs": n} to result.json: the SHA-256 of every
// head's probabilities in order, so that two ORT wasm files can be compared to the bit. A file, not stdout: V8's
// compilation trace goes to stdout, from more than one thread.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

import { ortRunner } from '../wasm/understanding.js';

const [wasmPath, onnxPath, inputsPath, resultPath] = process.argv.slice(2);
ort.env.wasm.wasmBinary = readFileSync(wasmPath);
const runner = await ortRunner(ort, readFileSync(onnxPath));
const inputs = JSON.parse(readFileSync(inputsPath, 'utf8'));
const digest = createHash('sha256');
for (const ids of inputs) {
  for (const scores of await runner.run(ids)) digest.update(new Uint8Array(scores.buffer, scores.byteOffset, scores.byteLength));
}
await runner.close();
writeFileSync(resultPath, JSON.stringify({ digest: digest.digest('hex'), runs: inputs.length }));
