// Reading the NLU examples (content/nlu/*/*.yml) into flat records with every label spelled out.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

import { ROOT } from '../../wasm/node.js';

// The splits under content/nlu: training, held-out development, and external evaluation (see its README).
export const SPLITS = ['train', 'dev', 'external'];

export function readExamples(file) {
  const doc = YAML.parse(readFileSync(file, 'utf8'));
  const intent = doc.intent ?? 'product_vraag';
  const product = doc.product ?? null;
  if (!Array.isArray(doc.examples)) throw new Error(`${file}: expected a list "examples"`);
  return doc.examples.map((e) => ({
    text: e.text,
    intent,
    product,
    aspect: e.aspect ?? null,
    lang: e.lang ?? 'nl',
    ...(e.typo ? { typo: true } : {}),
    ...(e.style ? { style: e.style } : {}),
    ...(e.source ? { source: e.source } : {}),
    ...(e.origin ? { origin: e.origin } : {}),
  }));
}

export function exportSplit(split, nluDir = join(ROOT, 'content/nlu')) {
  const dir = join(nluDir, split);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .flatMap((f) => readExamples(join(dir, f)));
}

// What scripts/train reads (scripts/train_lib/data.py, train_files): the training split, then the exported
// consented samples (content/nlu/samples, written by `scripts/gem samples export`) when there are any.
export const TRAINING_DIRS = ['train', 'samples'];

export function trainingExamples(nluDir = join(ROOT, 'content/nlu')) {
  return TRAINING_DIRS.filter((d) => existsSync(join(nluDir, d))).flatMap((d) => exportSplit(d, nluDir));
}
