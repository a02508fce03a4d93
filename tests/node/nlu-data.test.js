// The NLU example splits (content/nlu/train, content/nlu/dev): dev must stay a fair held-out measure.
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

test('the development split shares no sentence with the training split', () => {
  const trained = new Set(train.map((e) => key(e.text)));
  assert.ok(trained.size > 1000 && dev.length > 300, 'both splits are loaded');
  const shared = dev.filter((e) => trained.has(key(e.text))).map((e) => e.text);
  assert.deepEqual(shared, [], `${shared.length} development sentences also occur in training`);
});

test('every label in the development split has training examples', () => {
  const label = (e) => e.product ?? e.intent;
  const trained = new Set(train.map(label));
  const untrained = [...new Set(dev.map(label))].filter((l) => !trained.has(l));
  assert.deepEqual(untrained, []);
});
