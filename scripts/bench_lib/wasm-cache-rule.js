// Whether this browser keeps a small WebAssembly module's optimised code for a next visit.
//
// V8 hands a module's code to Chromium's code cache at once when 1 MB of it has been optimised (TurboFan),
// and otherwise some 2 s after the last optimisation (V8's `wasm_caching_timeout_ms`). ONNX Runtime passes 1 MB;
// the core stays far below it (kept with that timeout at 0, its code was 168,889 B), so it depends on the second
// rule. This check makes that rule visible:
// a module of 40 small functions, each run until V8 optimises it, instantiated while it streams from a loopback
// server with the same headers as Gem's assets, then a second visit in the same profile after `waitMs`.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { leb } from '../../widget/ort-trim.js';

const FUNCTIONS = 40;
// Chromium caches modules of at least 128 KB only: a custom section pads the module past that.
const PADDING = 200 * 1024;

const section = (id, content) => [id, ...leb(content.length), ...content];

// (func (param $n i32) (result i32) (local $sum i32): $sum += $n * $n while $n counts down to 0; return $sum)
const BODY = [0x01, 0x01, 0x7f, 0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x01, 0x20, 0x00, 0x20, 0x00,
  0x6c, 0x6a, 0x21, 0x01, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x01, 0x0b];

export function testModule() {
  const exports = [FUNCTIONS];
  const code = [FUNCTIONS];
  for (let i = 0; i < FUNCTIONS; i += 1) {
    const name = [...Buffer.from(`f${i}`)];
    exports.push(name.length, ...name, 0x00, i);
    code.push(BODY.length, ...BODY);
  }
  return Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
    ...section(3, [FUNCTIONS, ...new Array(FUNCTIONS).fill(0)]),
    ...section(7, exports),
    ...section(10, code),
    ...section(0, [0x03, ...Buffer.from('pad'), ...new Array(PADDING).fill(0)])]);
}

const PAGE = `<!doctype html><title>wasm cache rule</title><script type="module">
const { instance } = await WebAssembly.instantiateStreaming(fetch('/module.wasm'));
let sum = 0;
for (let f = 0; f < ${FUNCTIONS}; f += 1) for (let i = 0; i < 20; i += 1) sum += instance.exports['f' + f](200000);
window.ran = sum;
</script>`;

// Chromium's trace of `page` (its workers included), with the code cache's events (`v8.wasm.moduleCacheHit`, …) and
// any `more` categories: {stop() → the events}.
export async function traceWasm(page, more = []) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['disabled-by-default-devtools.timeline', ...more] } });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      await complete;
      return events;
    },
  };
}

// Resolves to {kept, optimised, waited_ms}: `kept` when the second visit took the module from the code cache,
// `optimised` the number of optimising compiles (wasm.TopTierCompilation) in the first visit.
export async function checkWasmCacheRule(launchWithProfile, { waitMs = 6000 } = {}) {
  const module = testModule();
  const server = http.createServer((request, response) => {
    if (request.url === '/module.wasm') {
      response.writeHead(200, { 'content-type': 'application/wasm', 'cache-control': 'public, max-age=31536000, immutable' });
      response.end(module);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    response.end(PAGE);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}/`;
  const dir = mkdtempSync(join(tmpdir(), 'gem-bench-wasm-cache-'));
  const context = await launchWithProfile(dir);
  const traced = async (wait) => {
    const page = await context.newPage();
    const trace = await traceWasm(page, ['v8.wasm']);
    await page.goto(origin);
    await page.waitForFunction(() => window.ran !== undefined);
    await page.waitForTimeout(wait);
    const events = await trace.stop();
    await page.close();
    return events;
  };
  try {
    const first = await traced(waitMs);
    const second = await traced(0);
    return {
      kept: second.some((e) => e.name === 'v8.wasm.moduleCacheHit'),
      optimised: first.filter((e) => e.name === 'wasm.TopTierCompilation').length,
      waited_ms: waitMs,
    };
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
    server.close();
  }
}
