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

test('the development split shares no sentence with the training split', () => {
  const train = new Set(exportSplit('train').map((e) => key(e.text)));
  const dev = exportSplit('dev');
  assert.ok(train.size > 1000 && dev.length > 300, 'both splits are loaded');
  const shared = dev.filter((e) => train.has(key(e.text))).map((e) => e.text);
  assert.deepEqual(shared, [], `${shared.length} development sentences also occur in training`);
});

test('every label in the development split has training examples', () => {
  const label = (e) => e.product ?? e.intent;
  const trained = new Set(exportSplit('train').map(label));
  const untrained = [...new Set(exportSplit('dev').map(label))].filter((l) => !trained.has(l));
  assert.deepEqual(untrained, []);
});
