// scripts/bench: numbers for BENCHMARKS.md, from one run on this machine. Timings are noisy on shared
// machines, so each measurement is repeated and reported as median and p95 over all repetitions.
import { execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, gzipSync } from 'node:zlib';

import { ROOT, loadUnderstanding, wasmDir } from '../../wasm/node.js';
import { formatReport, quantile, readJsonl, score } from './eval.js';

const REPEAT = 3;

function sizes(file) {
  const bytes = readFileSync(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotliCompressSync(bytes).length };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function main() {
  const dev = readJsonl(join(ROOT, 'build/dev.jsonl'));
  const nlu = await loadUnderstanding();
  const results = [];
  const times = [];
  for (let round = 0; round < REPEAT; round++) {
    for (const record of dev) {
      const start = performance.now();
      const meaning = await nlu.understand(record.text);
      times.push(performance.now() - start);
      if (round === 0) results.push({ record, meaning });
    }
  }
  times.sort((a, b) => a - b);
  const heapBefore = nlu.heapBytes();
  for (let i = 0; i < 100; i++) await nlu.understand(dev[i % dev.length].text);
  const heapAfter = nlu.heapBytes();
  await nlu.close();

  const report = score(results);
  const files = [
    ['core wasm (gem-core.wasm)', join(wasmDir(), 'gem-core.wasm')],
    ['core loader (gem-core.js)', join(wasmDir(), 'gem-core.js')],
    ['SentencePiece model (gem.spm)', join(ROOT, 'models/gem.spm')],
    ['intent model (gem-intent.onnx)', join(ROOT, 'models/gem-intent.onnx')],
    ['labels + lexicon (gem-nlu.json)', join(ROOT, 'models/gem-nlu.json')],
    ['content pack (GM0599.json)', join(ROOT, 'build/content/GM0599.json')],
    ['ONNX Runtime Web (ort.wasm.min.mjs)', join(ROOT, 'node_modules/onnxruntime-web/dist/ort.wasm.min.mjs')],
    ['ONNX Runtime Web (ort-wasm-simd-threaded.wasm)', join(ROOT, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm')],
  ].map(([name, file]) => ({ name, ...sizes(file) }));

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`;
  const commit = (() => {
    try {
      return execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
    } catch {
      return 'uncommitted';
    }
  })();
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const md = `# Benchmarks

Produced by \`scripts/bench\` on ${new Date().toISOString().slice(0, 10)} (commit ${commit}); machine: ${machine}.
Numbers, not pass/fail: they change between runs on shared machines.

## Understanding quality (held-out development split, ${report.examples} sentences never seen in training)

Command: \`scripts/gem nlu-export dev > build/dev.jsonl && scripts/gem eval build/dev.jsonl\`

| measure | Gem | target |
|---|---|---|
| product accuracy | ${pct(report.accuracy.product)} (${report.scored.product} scored) | ≥ 92% |
| aspect accuracy | ${pct(report.accuracy.aspect)} (${report.scored.aspect} scored) | ≥ 85% |
| intent accuracy | ${pct(report.accuracy.intent)} (${report.scored.intent} scored) | ≥ 90% |
| out of scope recognised (buiten_bereik or low confidence) | ${pct(report.out_of_scope.recall)} of ${report.out_of_scope.expected}, precision ${pct(report.out_of_scope.precision)} | ≥ 85% |
${Object.entries(report.subsets).map(([name, s]) => `| subset ${name} (${s.examples}): product / aspect / intent | ${pct(s.accuracy.product ?? 0)} / ${pct(s.accuracy.aspect ?? 0)} / ${pct(s.accuracy.intent ?? 0)} | |`).join('\n')}

<details><summary>Full eval output</summary>

\`\`\`
${formatReport(report).trim()}
\`\`\`
</details>

## Speed: one message, text in → meaning out (wasm core + ONNX Runtime Web, one thread, Node)

${times.length} messages (${REPEAT} passes over the dev split): median **${quantile(times, 0.5).toFixed(3)} ms**, p95 ${quantile(times, 0.95).toFixed(3)} ms (target: median under 2 ms).
Wasm heap of the core: ${kb(heapBefore)} before and ${kb(heapAfter)} after 100 more messages.

## Size: what a visitor downloads

| file | raw | gzip | brotli |
|---|---|---|---|
${files.map((f) => `| ${f.name} | ${kb(f.raw)} | ${kb(f.gzip)} | ${kb(f.brotli)} |`).join('\n')}

The core wasm target is under 250 KB brotli (without ONNX Runtime, which is by far the largest asset).
`;
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
  process.stdout.write(md);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack}\n`);
  process.exitCode = 1;
});
