import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readModelFiles } from '../../wasm/node.js';
const create = createRequire(import.meta.url)('../../build/wasm/wasm/gem-core.js');
const wasmBinary = readFileSync('build/wasm/wasm/gem-core.wasm');
const pack = readFileSync('build/content/GM0599.json', 'utf8');
const f = readModelFiles();
const compact = readFileSync('models/gem-compact.bin');
for (let i = 0; i < 4; i++) {
  let t = performance.now();
  const core = await create({ wasmBinary });
  const tCore = performance.now() - t; t = performance.now();
  const u = core.Understander.create({ spm: f.spm, metadata: f.metadata, municipalities: f.municipalities, aliases: f.aliases, countries: f.countries });
  const tU = performance.now() - t; t = performance.now();
  u.loadCompact(compact);
  const tC = performance.now() - t; t = performance.now();
  const s = core.Session.create(pack, f.municipalities, 'GM0599');
  const tS = performance.now() - t; t = performance.now();
  const a = u.analyse('wat kost een paspoort?'); const sc = u.compactScores(a);
  const tA = performance.now() - t;
  console.log(`core ${tCore.toFixed(1)}  understander ${tU.toFixed(1)}  compact ${tC.toFixed(1)}  session ${tS.toFixed(1)}  analyse+compact ${tA.toFixed(1)} ms`);
}
process.exit(0);
