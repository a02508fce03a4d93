// The benchmark's inputs: the training split and the two evaluation splits (held-out dev, external) written by
// scripts/bench (`scripts/gem nlu-export train|dev|external`), the same files for every system.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../../wasm/node.js';
import { readJsonl } from '../cli/eval.js';

export const BENCH_DIR = join(ROOT, 'build/bench');
export const TRAIN_FILE = join(BENCH_DIR, 'train.jsonl');
export const DEV_FILE = join(BENCH_DIR, 'dev.jsonl');
export const EXTERNAL_FILE = join(BENCH_DIR, 'external.jsonl');

export function readSplits() {
  for (const file of [TRAIN_FILE, DEV_FILE, EXTERNAL_FILE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run scripts/bench (it exports the splits first)`);
  }
  return { train: readJsonl(TRAIN_FILE), dev: readJsonl(DEV_FILE), external: readJsonl(EXTERNAL_FILE) };
}
