// The systems compared, each trained once per benchmark process on the same training split.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { loadUnderstanding, wasmDir } from '../../../wasm/node.js';
import { DEV_FILE, EXTERNAL_FILE, TRAIN_FILE } from '../data.js';
import { SPELL_CHECK, trainNlpjs } from './nlpjs.js';

const PYTHON = '/usr/bin/python3';  // Debian's, which has python3-sklearn and python3-fasttext
const PYTHON_PEERS = join(import.meta.dirname, 'python_peers.py');

export const SYSTEMS = [
  { id: 'gem', name: 'Gem (wasm core + ONNX)' },
  { id: 'nlpjs', name: 'nlp.js' },
  { id: 'nlpjs-spell', name: 'nlp.js + spell check' },
  { id: 'svm', name: 'TF-IDF char n-gram + LinearSVC' },
  { id: 'fasttext', name: 'fastText' },
];

// The wasm build can be rebuilt while a long benchmark runs: load the loader script that matches the wasm file on
// disk now (not a cached older one), and retry a load that met a half-written build.
async function loadGem(attempts = 3) {
  const require = createRequire(import.meta.url);
  for (let attempt = 1; ; attempt++) {
    delete require.cache[join(wasmDir(), 'gem-core.js')];
    try {
      return await loadUnderstanding();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await sleep(15000);
    }
  }
}

let nlpjs;
export function nlpjsPeer(train) {
  nlpjs ??= trainNlpjs(train);
  return nlpjs;
}

// Resolves to {understand(text) → meaning, close()} for a system that runs in Node.
export async function nodeSystem(id, train) {
  if (id === 'gem') {
    const nlu = await loadGem();
    return { understand: (text) => nlu.understand(text), close: () => nlu.close(), heapBytes: () => nlu.heapBytes() };
  }
  const peer = await nlpjsPeer(train);
  const settings = id === 'nlpjs-spell' ? SPELL_CHECK : {};
  return { understand: (text) => peer.understand(text, settings), close: async () => {} };
}

// The Python peers run in their own runtime: one process trains, predicts the dev split (and the external split as
// `also`) and times `repeat` runs.
export function pythonPeer(id, { repeat = 0 } = {}) {
  const out = execFileSync(PYTHON, [PYTHON_PEERS, id, TRAIN_FILE, DEV_FILE, '--also', EXTERNAL_FILE, '--repeat', String(repeat)],
    { maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.toString());
}

export const isPython = (id) => id === 'svm' || id === 'fasttext';
