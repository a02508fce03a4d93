// Speed: per-message latency, text in → meaning out, warm (after a warm-up), repeated runs.
// Gem and nlp.js in Node; the Python peers in Python (their own runtime); Gem also in headless Chromium.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, wasmDir } from '../../wasm/node.js';
import { launch } from '../../tests/browser/chromium.js';
import { readSplits } from './data.js';
import { SYSTEMS, isPython, nodeSystem, pythonPeer } from './peers/index.js';
import { median, summariseRuns, timeEach } from './stats.js';

export const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const WARMUP = 100;

// Files the page needs, served from the checkout by request interception (no server: this measures compute only).
const PAGE_ORIGIN = 'http://gem.bench';
const PAGE_FILES = {
  '/': null,
  '/gem-core.js': join(wasmDir(), 'gem-core.js'),
  '/gem-core.wasm': join(wasmDir(), 'gem-core.wasm'),
  '/understanding.js': join(ROOT, 'wasm/understanding.js'),
  '/models/gem.spm': join(ROOT, 'models/gem.spm'),
  '/models/gem-nlu.json': join(ROOT, 'models/gem-nlu.json'),
  '/models/gem-intent.onnx': join(ROOT, 'models/gem-intent.onnx'),
  '/gazetteer/gemeenten.tsv': join(ROOT, 'content/gazetteer/gemeenten.tsv'),
  '/gazetteer/gemeente-aliases.tsv': join(ROOT, 'content/gazetteer/gemeente-aliases.tsv'),
  '/gazetteer/landen.tsv': join(ROOT, 'content/gazetteer/landen.tsv'),
};
const ORT_DIR = join(ROOT, 'node_modules/onnxruntime-web/dist');
const TYPES = { js: 'text/javascript', mjs: 'text/javascript', wasm: 'application/wasm', json: 'application/json' };

async function serveFromCheckout(page) {
  await page.route(`${PAGE_ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title><script src="/gem-core.js"></script>' });
    const file = path.startsWith('/ort/') ? join(ORT_DIR, path.slice(5)) : PAGE_FILES[path];
    if (!file) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ body: readFileSync(file), contentType: TYPES[path.split('.').pop()] ?? 'application/octet-stream' });
  });
}

// Gem in headless Chromium: the same modules as the widget, timed inside the page with performance.now().
async function chromiumRuns(texts) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await serveFromCheckout(page);
    await page.goto(`${PAGE_ORIGIN}/`);
    return await page.evaluate(async ({ texts, repeat, warmup }) => {
      const ort = await import('/ort/ort.wasm.min.mjs');
      const { Understanding } = await import('/understanding.js');
      ort.env.wasm.wasmPaths = '/ort/';
      const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
      const text = async (url) => (await fetch(url)).text();
      const nlu = await Understanding.create({
        createGemCore: globalThis.createGemCore, ort, wasmBinary: await bytes('/gem-core.wasm'),
        files: { spm: await bytes('/models/gem.spm'), metadata: await text('/models/gem-nlu.json'),
          onnx: await bytes('/models/gem-intent.onnx'), municipalities: await text('/gazetteer/gemeenten.tsv'),
          aliases: await text('/gazetteer/gemeente-aliases.tsv'), countries: await text('/gazetteer/landen.tsv') },
      });
      const runs = [];
      for (let r = 0; r < repeat; r++) {
        for (const t of texts.slice(0, warmup)) await nlu.understand(t);
        const times = [];
        for (const t of texts) {
          const start = performance.now();
          await nlu.understand(t);
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        runs.push({ median_ms: times[Math.floor(times.length / 2)], p95_ms: times[Math.min(times.length - 1, Math.floor(0.95 * times.length))], messages: times.length });
      }
      await nlu.close();
      return runs;
    }, { texts, repeat: REPEAT, warmup: WARMUP });
  } finally {
    await browser.close();
  }
}

// The engine's start on a first visit (startup-run.js), in fresh Node processes with V8 running the core as
// Chromium does then: lazy compilation by the baseline compiler only, on one thread.
const STARTUP_FLAGS = ['--wasm-lazy-compilation', '--no-wasm-tier-up', '--single-threaded'];
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 9);

// One object of step → ms per process, the steps in the order startup-run.js takes them.
function startupRuns() {
  const script = join(ROOT, 'scripts/bench_lib/startup-run.js');
  return Array.from({ length: STARTUP_RUNS }, () => {
    const run = spawnSync(process.execPath, [...STARTUP_FLAGS, script], { encoding: 'utf8' });
    if (run.status !== 0) {
      throw new Error(`startup-run.js failed: ${run.error?.message ?? (run.stderr || run.stdout).trim().split('\n').pop()}`);
    }
    return JSON.parse(run.stdout.trim().split('\n').pop());
  });
}

function startupSummary(runs) {
  const steps = Object.keys(runs[0]);
  const total = runs.map((r) => steps.reduce((n, step) => n + r[step], 0));
  const row = (step, values) => ({ step, median_ms: median(values), spread_ms: [Math.min(...values), Math.max(...values)] });
  return { runs: runs.length, flags: STARTUP_FLAGS, steps: [...steps.map((step) => row(step, runs.map((r) => r[step]))), row('total', total)] };
}

export async function runSpeed(log) {
  const { train, dev } = readSplits();
  const texts = dev.map((r) => r.text);
  const rows = [];
  for (const { id, name } of SYSTEMS) {
    log(`speed: ${name} (${REPEAT} runs × ${texts.length} messages)`);
    let runs;
    if (isPython(id)) {
      runs = pythonPeer(id, { repeat: REPEAT }).latency_runs;
    } else {
      const system = await nodeSystem(id, train);
      runs = [];
      for (let r = 0; r < REPEAT; r++) runs.push(await timeEach(texts, system.understand, { warmup: WARMUP }));
      await system.close();
    }
    rows.push({ id, name, runtime: isPython(id) ? 'Python 3 (Debian)' : `Node ${process.version}`, ...summariseRuns(runs) });
  }
  log('speed: Gem in headless Chromium');
  rows.push({ id: 'gem-chromium', name: 'Gem (wasm core + ONNX)', runtime: 'headless Chromium', ...summariseRuns(await chromiumRuns(texts)) });
  log(`speed: the engine's start, ${STARTUP_RUNS} fresh processes`);
  return { repeat: REPEAT, warmup: WARMUP, rows, startup: startupSummary(startupRuns()) };
}
