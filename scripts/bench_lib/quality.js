// Quality: every system on the held-out dev split, scored by the same function as `scripts/gem eval`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { ROOT } from '../../wasm/node.js';
import { score } from '../cli/eval.js';
import { readSplits } from './data.js';
import { SYSTEMS, isPython, nodeSystem, pythonPeer } from './peers/index.js';

// Whether models/ was trained on the current training split (`scripts/train --check`, no training), since the peers
// are trained on the split as it is now.
function gemModelCheck() {
  const check = spawnSync(join(ROOT, 'scripts/train'), ['--check'], { cwd: ROOT, encoding: 'utf8' });
  return { current: check.status === 0, output: `${check.stdout}${check.stderr}`.trim() };
}

export async function runQuality(log) {
  const { train, dev } = readSplits();
  const model = gemModelCheck();
  const systems = [];
  for (const { id, name } of SYSTEMS) {
    log(`quality: ${name}`);
    let meanings;
    if (isPython(id)) {
      meanings = pythonPeer(id).predictions.map((m) => ({ ...m, low_confidence: false }));
    } else {
      const system = await nodeSystem(id, train);
      meanings = [];
      for (const record of dev) meanings.push(await system.understand(record.text));
      await system.close();
    }
    const report = score(dev.map((record, i) => ({ record, meaning: meanings[i] })));
    // Gem may answer "no product"/"no aspect" where one was expected; the peers always pick one.
    const abstained = Object.fromEntries(['product', 'aspect'].map((head) => [head,
      dev.filter((r, i) => r[head] != null && meanings[i][head] == null).length]));
    systems.push({ id, name, report, abstained });
  }
  return { examples: dev.length, train_examples: train.length, gem_model: model, systems };
}
