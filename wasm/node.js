// Loading the understanding stack in Node from a checkout: the wasm build, the models and gazetteers.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';

import { Understanding } from './understanding.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function wasmDir() {
  return process.env.GEM_WASM_DIR || join(ROOT, 'build/wasm/wasm');
}

export function readModelFiles(root = ROOT) {
  const read = (path) => readFileSync(join(root, path));
  return {
    spm: read('models/gem.spm'),
    metadata: read('models/gem-nlu.json').toString('utf8'),
    onnx: read('models/gem-intent.onnx'),
    municipalities: read('content/gazetteer/gemeenten.tsv').toString('utf8'),
    aliases: read('content/gazetteer/gemeente-aliases.tsv').toString('utf8'),
    countries: read('content/gazetteer/landen.tsv').toString('utf8'),
  };
}

// A wasm module of the build: its factory (createGemCore, createGemTools) and its bytes.
function wasmModule(name) {
  const dir = wasmDir();
  const script = join(dir, `${name}.js`);
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: build the WebAssembly module first (scripts/build)`);
  }
  // The wasm bytes are handed over: the generated loader would otherwise fetch() a file path under Node 20.
  return { create: createRequire(import.meta.url)(script), wasmBinary: readFileSync(join(dir, `${name}.wasm`)) };
}

function coreFactory() {
  const { create, wasmBinary } = wasmModule('gem-core');
  return { createGemCore: create, wasmBinary };
}

// The bare wasm core (redaction, sessions); `loadUnderstanding` adds the model.
export async function loadCore() {
  const { create, wasmBinary } = wasmModule('gem-core');
  return create({ wasmBinary });
}

// The build-time tooling (checkContent, compilePack): a module of its own, never shipped to residents.
export async function loadTools() {
  const { create, wasmBinary } = wasmModule('gem-tools');
  return create({ wasmBinary });
}

// `runner`: what runs the model instead of ONNX Runtime (see Understanding.create).
export async function loadUnderstanding({ root = ROOT, runner = undefined } = {}) {
  return Understanding.create({ ...coreFactory(), ort, runner, files: readModelFiles(root) });
}
