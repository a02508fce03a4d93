// The NLU example splits (content/nlu/train, dev, external): dev and external must stay fair held-out measures.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { exportSplit, trainingExamples } from '../../scripts/cli/nlu-data.js';
import { ROOT } from '../../wasm/node.js';

// Case, accents, punctuation and spacing do not make a sentence new.
const key = (text) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const train = trainingExamples(); // the training split and the exported consented samples: all that trains
const dev = exportSplit('dev');
const external = exportSplit('external');
const label = (e) => e.product ?? e.intent;

test('the development split shares no sentence with the training split', () => {
  const trained = new Set(train.map((e) => key(e.text)));
  assert.ok(trained.size > 1000 && dev.length > 300, 'both splits are loaded');
  const shared = dev.filter((e) => trained.has(key(e.text))).map((e) => e.text);
  assert.deepEqual(shared, [], `${shared.length} development sentences also occur in training`);
});

test('every label in the development split has training examples', () => {
  const trained = new Set(train.map(label));
  const untrained = [...new Set(dev.map(label))].filter((l) => !trained.has(l));
  assert.deepEqual(untrained, []);
});

test('the external split shares no sentence with the training split', () => {
  const trained = new Set(train.map((e) => key(e.text)));
  assert.ok(external.length >= 300, `${external.length} external questions, expected at least 300`);
  const shared = external.filter((e) => trained.has(key(e.text))).map((e) => e.text);
  assert.deepEqual(shared, [], `${shared.length} external sentences also occur in training`);
});

test('every external question names its public source and how it is written, with a label training knows', () => {
  const styles = new Set(['faq', 'question', 'story', 'colloquial', 'short', 'two_products', 'flemish']);
  const trained = new Set(train.map(label));
  const bad = external.filter((e) => !/^https?:\/\/\S+$/.test(e.source ?? '') || !styles.has(e.style) || !trained.has(label(e)))
    .map((e) => `${e.text} (${label(e)}, ${e.style}, ${e.source})`);
  assert.deepEqual(bad, []);
});

// scripts/train's loader (scripts/train_lib/data.py) on an NLU folder; no torch needed.
function pythonLoad(nluDir) {
  const code = `import json, sys
sys.path.insert(0, "scripts")
sys.dont_write_bytecode = True
from train_lib import data
try:
    examples, files = data.load_examples(quiet=True, nlu_dir=sys.argv[1])
except data.DataError as e:
    print(json.dumps({"error": str(e)}))
else:
    print(json.dumps({"files": files, "examples": [[e.text, e.origin] for e in examples]}))`;
  const run = spawnSync('python3', ['-c', code, nluDir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function nluFolder(files) {
  const dir = mkdtempSync(join(tmpdir(), 'gem-nlu-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('scripts/train reads the training split and the consented samples (with their origin), never dev or external', () => {
  const dir = nluFolder({
    'train/paspoort.yml': 'product: paspoort\nexamples:\n  - {text: "wat kost een paspoort", aspect: kosten}\n',
    'samples/paspoort.yml': 'product: paspoort\nexamples:\n  - {text: "pasje kwijt op schiphol", aspect: kwijt, origin: "sample:17"}\n',
    'dev/paspoort.yml': 'product: paspoort\nexamples:\n  - {text: "hoeveel is een paspoort"}\n',
    'external/paspoort.yml': 'product: paspoort\nexamples:\n  - {text: "Wat kost een paspoort?"}\n',
  });
  try {
    const loaded = pythonLoad(dir);
    assert.deepEqual(loaded.examples, [['wat kost een paspoort', null], ['pasje kwijt op schiphol', 'sample:17']]);
    // The Node view of what trains (the split tests above) is the same, in the same order.
    assert.deepEqual(trainingExamples(dir).map((e) => [e.text, e.origin ?? null]), loaded.examples);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sample with a malformed origin is refused, naming its file and example', () => {
  const dir = nluFolder({
    'train/paspoort.yml': 'product: paspoort\nexamples:\n  - {text: "paspoort"}\n',
    'samples/paspoort.yml': 'product: paspoort\nexamples:\n  - {text: "paspoort verlengen", origin: 17}\n',
  });
  try {
    assert.match(pythonLoad(dir).error, /samples\/paspoort\.yml example 1: `origin` must be a non-empty string/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the split tests above check every sentence scripts/train reads', () => {
  const loaded = pythonLoad(join(ROOT, 'content/nlu'));
  assert.ok(loaded.examples.length > 1000, `${loaded.examples.length} training examples`);
  const outside = loaded.files.filter((f) => !/\/content\/nlu\/(train|samples)\/[^/]+\.yml$/.test(f));
  assert.deepEqual(outside, []);
  const texts = new Set(train.map((e) => e.text.trim().toLowerCase()));
  assert.deepEqual(loaded.examples.filter(([t]) => !texts.has(t.toLowerCase())), []);
});
