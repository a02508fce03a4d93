// The NLU example splits (content/nlu/train, dev, external): dev and external must stay fair held-out measures.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { exportSplit } from '../../scripts/cli/nlu-data.js';

// Case, accents, punctuation and spacing do not make a sentence new.
const key = (text) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const train = exportSplit('train');
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
