// Quality: every system on the held-out dev split and on the external split (questions written outside the project),
// scored by the same function as `scripts/gem eval`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { ROOT, loadUnderstanding } from '../../wasm/node.js';
import { converseAll } from '../cli/conversation-eval.js';
import { score } from '../cli/eval.js';
import { readSplits } from './data.js';
import { SYSTEMS, isPython, nodeSystem, pythonPeer } from './peers/index.js';

// Whether models/ was trained on the current training split (`scripts/train --check`, no training), since the peers
// are trained on the split as it is now.
function gemModelCheck() {
  const check = spawnSync(join(ROOT, 'scripts/train'), ['--check'], { cwd: ROOT, encoding: 'utf8' });
  return { current: check.status === 0, output: `${check.stdout}${check.stderr}`.trim() };
}

// The score of one system on one split, and how often it answered "none" where a label was expected (Gem may; the
// peers always pick one).
function scoreSplit(records, meanings) {
  const report = score(records.map((record, i) => ({ record, meaning: meanings[i] })));
  const abstained = Object.fromEntries(['product', 'aspect'].map((head) => [head,
    records.filter((r, i) => r[head] != null && meanings[i][head] == null).length]));
  return { report, abstained };
}

export async function runQuality(log) {
  const { train, dev, external } = readSplits();
  const model = gemModelCheck();
  const systems = [];
  for (const { id, name } of SYSTEMS) {
    log(`quality: ${name}`);
    let onDev;
    let onExternal;
    if (isPython(id)) {
      const peer = pythonPeer(id);
      const noThreshold = (m) => ({ ...m, low_confidence: false });
      onDev = peer.predictions.map(noThreshold);
      onExternal = peer.also.map(noThreshold);
    } else {
      const system = await nodeSystem(id, train);
      const understandAll = async (records) => {
        const meanings = [];
        for (const record of records) meanings.push(await system.understand(record.text));
        return meanings;
      };
      onDev = await understandAll(dev);
      onExternal = await understandAll(external);
      await system.close();
    }
    systems.push({ id, name, ...scoreSplit(dev, onDev), external: scoreSplit(external, onExternal) });
  }
  // What a resident experiences: only Gem holds a conversation (the peers classify). The misses are in
  // `scripts/gem eval --conversation`'s report, not here.
  log('quality: Gem in conversations');
  const conversations = {};
  const understanding = await loadUnderstanding();  // one model for both splits
  try {
    for (const [split, records] of [['dev', dev], ['external', external]]) {
      const { misses, ...summary } = await converseAll(records, undefined, { understanding });
      conversations[split] = summary;
    }
  } finally {
    await understanding.close();
  }
  return { examples: dev.length, external_examples: external.length, train_examples: train.length, gem_model: model, systems,
    conversations };
}
