// A scratch copy of content/ (and the labels it needs) for tests that import into it or break it on purpose.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from '../../wasm/node.js';

export function withScratchCopy(use) {
  const root = mkdtempSync(join(tmpdir(), 'gem-content-'));
  try {
    cpSync(join(ROOT, 'content'), join(root, 'content'), { recursive: true });
    mkdirSync(join(root, 'models'));
    cpSync(join(ROOT, 'models/gem-nlu.json'), join(root, 'models/gem-nlu.json'));
    return use(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
