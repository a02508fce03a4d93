// scripts/bench [SECTION...]: side-by-side benchmarks of Gem and its peers, from one run on this machine.
// Sections: quality, speed, size, page, server (default: all). Each section's result is kept in
// build/bench/results/SECTION.json and BENCHMARKS.md is written from the latest result of every section (a section
// without a result here keeps its text from the current BENCHMARKS.md).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../../wasm/node.js';
import { BENCH_DIR } from '../bench_lib/data.js';
import { machineInfo } from '../bench_lib/machine.js';
import { runPage } from '../bench_lib/page.js';
import { runQuality } from '../bench_lib/quality.js';
import { renderReport, sectionsOf } from '../bench_lib/report.js';
import { runServer } from '../bench_lib/server.js';
import { runSize } from '../bench_lib/size.js';
import { runSpeed } from '../bench_lib/speed.js';

const SECTIONS = { quality: runQuality, speed: runSpeed, size: runSize, page: runPage, server: runServer };
const RESULTS = join(BENCH_DIR, 'results');

const log = (line) => process.stderr.write(`bench: ${line}\n`);

async function main(args) {
  const unknown = args.filter((a) => !(a in SECTIONS));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown section ${unknown.join(', ')}; expected some of: ${Object.keys(SECTIONS).join(', ')}\n`);
    return 2;
  }
  const chosen = args.length > 0 ? args : Object.keys(SECTIONS);
  const machine = machineInfo();
  mkdirSync(RESULTS, { recursive: true });
  for (const id of chosen) {
    const result = await SECTIONS[id](log);
    writeFileSync(join(RESULTS, `${id}.json`), `${JSON.stringify({ machine, command: `scripts/bench ${id}`, result }, null, 2)}\n`);
  }
  const results = Object.fromEntries(Object.keys(SECTIONS)
    .filter((id) => existsSync(join(RESULTS, `${id}.json`)))
    .map((id) => [id, JSON.parse(readFileSync(join(RESULTS, `${id}.json`), 'utf8'))]));
  const file = join(ROOT, 'BENCHMARKS.md');
  const md = renderReport(results, machine, existsSync(file) ? sectionsOf(readFileSync(file, 'utf8')) : {});
  writeFileSync(file, md);
  process.stdout.write(md);
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error) => {
  process.stderr.write(`bench: ${error.stack}\n`);
  process.exitCode = 1;
});
