// What the numbers were measured on: CPU, memory, Node and Chromium versions, commit.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

import { ROOT } from '../../wasm/node.js';
import { CHROMIUM } from '../../tests/browser/chromium.js';

function run(command, args) {
  try {
    return execFileSync(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

export function machineInfo() {
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no']);
  return {
    date: new Date().toISOString(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    ram_gib: Math.round(totalmem() / 2 ** 30),
    load: loadavg()[0],  // other work on the machine makes timings slower and noisier
    os: run('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']) ?? 'unknown',
    node: process.version,
    chromium: run(CHROMIUM, ['--version']) ?? 'not installed',
    python: run('/usr/bin/python3', ['--version']) ?? 'not installed',
    commit: `${run('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown'}${dirty ? ' (with uncommitted changes)' : ''}`,
  };
}
