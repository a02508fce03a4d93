// Page impact in headless Chromium, on the demo page served by the real server: what the widget costs a
// host page before the resident opens it (bytes, main-thread blocking) and the time from clicking the
// launcher to the answer to a typed question, cold and warm cache, unthrottled and with Fast 3G.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT } from '../../wasm/node.js';
import { launch, launchWithProfile } from '../../tests/browser/chromium.js';
import { serve } from '../cli/serve.js';
import { findServerBinary, startRealServer } from './server.js';
import { compressedSizes } from '../../widget/build.js';
import { median } from './stats.js';
import { checkWasmCacheRule, traceWasm } from './wasm-cache-rule.js';
import { kb, ms, table } from './format.js';

// Chrome DevTools' "Fast 3G" preset: 562.5 ms latency, 1.6 Mbps down and 750 kbps up, each × 0.9.
export const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: (1.6e6 / 8) * 0.9, uploadThroughput: (750e3 / 8) * 0.9 };
// Desktop as the machine runs, and a mid-range phone: the CPU slowed 4× through CDP (Emulation.setCPUThrottlingRate),
// which is how Lighthouse emulates a phone. Residents use phones: the phone rows are the ones to watch.
export const PHONE_CPU_SLOWDOWN = 4;
const PROFILES = [
  { id: 'none', name: 'no throttling', device: 'desktop', cpu: 1, conditions: null, runs: Number(process.env.BENCH_REPEAT ?? 3) },
  { id: 'fast3g', name: 'Fast 3G', device: 'desktop', cpu: 1, conditions: FAST_3G, runs: Number(process.env.BENCH_FAST3G_REPEAT ?? 1) },
  { id: 'phone', name: 'no throttling', device: 'phone', cpu: PHONE_CPU_SLOWDOWN, conditions: null, runs: Number(process.env.BENCH_REPEAT ?? 3) },
  { id: 'phone-fast3g', name: 'Fast 3G', device: 'phone', cpu: PHONE_CPU_SLOWDOWN, conditions: FAST_3G, runs: Number(process.env.BENCH_FAST3G_REPEAT ?? 1) },
  // The fallback, measured: the same page with `worker-src blob:` taken out of its CSP, so the model runs on the
  // main thread. Its twin has the page passed through the same way with the CSP kept, for a fair comparison.
  { id: 'phone-csp-worker', name: 'no throttling, page re-served, CSP kept', device: 'phone', cpu: PHONE_CPU_SLOWDOWN, conditions: null,
    caches: ['cold'], csp: (policy) => policy, runs: Number(process.env.BENCH_REPEAT ?? 3) },
  { id: 'phone-csp-no-worker', name: 'no throttling, page re-served without worker-src blob:', device: 'phone', cpu: PHONE_CPU_SLOWDOWN,
    conditions: null, caches: ['cold'], csp: (policy) => policy.replace(/\s*worker-src [^;]*;?/, ''), runs: Number(process.env.BENCH_REPEAT ?? 3) },
];
// The engine's User Timing marks (widget/src/engine-host.js, `gem:<name>`), in the order a first answer normally
// passes them, with what each means in the report.
const MILESTONES = [
  ['core-ready', 'core compiled'],
  ['conversation-opened', 'conversation opened (welcome)'],
  ['compact-ready', 'compact tier ready'],
  ['message-received', 'message reached the engine'],
  ['answer-sent', 'answer left the engine'],
  ['model-ready', 'full model ready'],
];
const QUESTION = 'wat kost een paspoort?';
const ANSWER = /€/;  // every municipality's passport fee answer names an amount
const SETTLE_MS = 1000;
// How long the first visit of a warm run stays once the full model is there, as a resident reading the answer would.
// Chromium keeps a wasm module's compiled code once V8 has optimised 1 MB of it, which ONNX Runtime reaches some
// seconds after it loaded: a first visit closed at once left nothing compiled, so its second visit compiled ONNX
// Runtime again. (V8's other rule, 2 s after the last optimisation, is checked apart: wasm-cache-rule.js.)
const DWELL_MS = 10000;
const TIMEOUT_MS = 4 * 60 * 1000;  // per step of a visit; Fast 3G needs minutes for the full download

// The real gem-server when it is built (tests/lib/gem-server.js starts it), else the static demo server.
async function startServer() {
  const binary = findServerBinary();
  if (binary) {
    // Rate limit lifted: every visit comes from one address, many times in a row.
    const server = await startRealServer(binary, { env: { GEM_RATE_PER_SECOND: '1000000', GEM_RATE_BURST: '1000000' } });
    return { name: `gem-server (${binary.slice(ROOT.length + 1)}, demo configuration, rate limit lifted)`, origin: server.url, stop: () => server.stop() };
  }
  const server = await serve({ port: 0 });
  return { name: 'scripts/cli/serve.js (the static demo server: gem-server is not built)',
    origin: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((done) => server.close(done)) };
}

const isWidget = (url) => /^\/(widget|gem)\//.test(new URL(url).pathname);

// Records every response on the page's CDP session; `phase` labels them before/after opening.
async function recordNetwork(page, { conditions, cpu }, { keepBodies }) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  if (conditions) await cdp.send('Network.emulateNetworkConditions', conditions);
  if (cpu > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  const state = { phase: 'before', byId: new Map(), pending: [] };
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    state.byId.set(requestId, { url: response.url, phase: state.phase, status: response.status,
      encoding: headers['content-encoding'] ?? 'none', cache: headers['cache-control'] ?? '', fromCache: response.fromDiskCache,
      transferred: 0, decoded: 0 });
  });
  cdp.on('Network.dataReceived', ({ requestId, dataLength }) => {
    const r = state.byId.get(requestId);
    if (r) r.decoded += dataLength;
  });
  cdp.on('Network.loadingFinished', ({ requestId, encodedDataLength }) => {
    const r = state.byId.get(requestId);
    if (!r) return;
    r.transferred = encodedDataLength;
    if (keepBodies && r.phase === 'after') {
      state.pending.push(cdp.send('Network.getResponseBody', { requestId }).then(({ body, base64Encoded }) => {
        r.sizes = compressedSizes(Buffer.from(body, base64Encoded ? 'base64' : 'utf8'));
      }, () => {}));
    }
  });
  return state;
}

function totals(responses) {
  const sum = (k) => responses.reduce((n, r) => n + r[k], 0);
  return { requests: responses.length, transferred: sum('transferred'), decoded: sum('decoded') };
}

// Chromium's trace of the wasm modules it took from its code cache (the events DevTools shows): stop() resolves to
// their paths.
async function traceWasmCache(page) {
  const trace = await traceWasm(page);
  return {
    async stop() {
      const events = await trace.stop();
      return new Set(events.filter((e) => e.name === 'v8.wasm.moduleCacheHit' && e.args?.url).map((e) => new URL(e.args.url).pathname));
    },
  };
}

// One visit: load the page, wait, measure; open the launcher, ask, wait for the answer. `whole`: the visit also
// waits until the full model is ready (the engine's `gem:model-ready` mark; on Fast 3G some 25 s, long after the
// first answer), and stays DWELL_MS longer, so that a visit after it finds what it downloaded and compiled.
// `codeCache`: the visit records Chromium's trace of its WebAssembly code cache (which slows the page: untimed visits only).
async function visit(context, profile, { keepBodies, whole = false, codeCache = false }) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    // Times are taken in the page, from the click event to the frame in which the panel's input or the answer is
    // there: Playwright's own waiting polls at growing intervals (up to 500 ms) and would add its delays.
    document.addEventListener('click', () => { window.__clickAt ??= performance.now(); }, true);
    document.addEventListener('keydown', (event) => { if (event.key === 'Enter') window.__sentAt ??= performance.now(); }, true);
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const net = await recordNetwork(page, profile, { keepBodies });
  // The engine's worker fetches the core, the content, the models and ONNX Runtime itself; the page's CDP session
  // does not see that traffic, the worker's resource timing does.
  const workers = [];
  page.on('worker', (worker) => workers.push(worker));
  if (profile.csp) {
    await page.route((url) => url.pathname === '/', async (route) => {
      const response = await route.fetch();
      const headers = response.headers();
      await route.fulfill({ response, headers: { ...headers, 'content-security-policy': profile.csp(headers['content-security-policy'] ?? '') } });
    });
  }
  await page.goto(context.origin, { waitUntil: 'load', timeout: TIMEOUT_MS });
  await page.waitForTimeout(SETTLE_MS);
  const launcher = page.locator('gem-assistant').locator('button.launcher');
  await launcher.waitFor({ timeout: TIMEOUT_MS });
  // Playwright evaluates its own script in the page the first time it waits for a condition there (about 50–150 ms
  // of the main thread at 4× CPU): done now, before the click, so that it is not counted as the widget's.
  await page.waitForFunction(() => true, null, { polling: 'raf' });
  const blocking = (tasks) => ({ tbt_ms: tasks.reduce((n, t) => n + Math.max(0, t.duration - 50), 0),
    long_tasks: tasks.length, longest_ms: Math.max(0, ...tasks.map((t) => t.duration)) });
  const tasksBefore = await page.evaluate(() => window.__longTasks.slice());
  const before = [...net.byId.values()];

  net.phase = 'after';
  const wasmTrace = codeCache ? await traceWasmCache(page) : null;
  await launcher.click({ timeout: TIMEOUT_MS });
  // Checked once per frame (requestAnimationFrame) with plain DOM queries: computing ARIA roles or polling in
  // Playwright's own rhythm would add the harness's work and delays to the page's.
  const frameWatch = { polling: 'raf', timeout: TIMEOUT_MS };
  // Ready: the panel's input is there and has focus, so what the resident types goes into it.
  const panelAt = await (await page.waitForFunction(() => {
    const root = document.querySelector('gem-assistant')?.shadowRoot;
    if (!window.__panelAt && root?.activeElement?.matches('[role="dialog"] textarea')) window.__panelAt = performance.now();
    return window.__panelAt ?? false;
  }, null, frameWatch)).jsonValue();
  // Typed as a resident types, into the focused input. (Playwright's fill() would first wait for the input to stop
  // moving, which it does only when the panel's 160 ms slide-in has ended, and take several round trips.)
  await page.keyboard.insertText(QUESTION);
  await page.keyboard.press('Enter');
  const answerAt = await (await page.waitForFunction((answer) => {
    const root = document.querySelector('gem-assistant')?.shadowRoot;
    const bot = root ? [...root.querySelectorAll('.message--bot')] : [];
    if (!window.__answerAt && bot.some((m) => new RegExp(answer).test(m.textContent))) window.__answerAt = performance.now();
    return window.__answerAt ?? false;
  }, ANSWER.source, frameWatch)).jsonValue();
  const { clickAt, sentAt } = await page.evaluate(() => ({ clickAt: window.__clickAt, sentAt: window.__sentAt }));
  const panelMs = panelAt - clickAt;
  const answerMs = answerAt - clickAt;
  // What each realm (the page, the engine's worker) has fetched so far, by its resource timing.
  const resources = (realm) => realm.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => ({ url: e.name, transferred: e.transferSize, decoded: e.decodedBodySize })));
  const isOrtWasm = (r) => /\/ort\/ort-wasm-simd-threaded\.[0-9a-f]{12}\.wasm$/.test(new URL(r.url).pathname);
  // Whether ONNX Runtime's wasm had arrived (in the worker or the page) when the answer came: if not, the core's
  // compact tier answered.
  const [pageAtAnswer, ...workersAtAnswer] = await Promise.all([page, ...workers].map(resources));
  const ortAtAnswer = [pageAtAnswer, ...workersAtAnswer].flat().some(isOrtWasm);
  const transferred = (list) => list.reduce((n, r) => n + r.transferred, 0);
  const bytesAtAnswer = transferred([...net.byId.values()].filter((r) => r.phase === 'after')) + transferred(workersAtAnswer.flat());
  const modelReady = (realm) => realm.evaluate(() => performance.getEntriesByName('gem:model-ready').length > 0);
  for (const started = Date.now(); whole && Date.now() - started < TIMEOUT_MS;) {
    const ready = await Promise.all([page, ...workers].map((realm) => modelReady(realm).catch(() => false)));
    if (ready.includes(true)) break;
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(whole ? DWELL_MS : SETTLE_MS);
  await Promise.all(net.pending);
  const tasksAll = await page.evaluate(() => window.__longTasks.slice());
  const byWorkers = (await Promise.all(workers.map(resources))).flat();
  const after = [...net.byId.values()].filter((r) => r.phase === 'after')
    .concat(byWorkers.map((r) => ({ ...r, encoding: 'n/a', cache: '', worker: true })));
  const modelIn = workers.length ? 'worker' : ((await resources(page)).some(isOrtWasm) ? 'main thread' : 'not loaded yet');
  // The engine's milestones, in ms after the click, from whichever realm runs the engine (its worker, or the page).
  const clickEpoch = await page.evaluate((at) => performance.timeOrigin + at, clickAt);
  const marks = (realm) => realm.evaluate(() => ({ origin: performance.timeOrigin,
    marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('gem:')).map((m) => [m.name.slice(4), m.startTime]) }));
  const engine = {};
  for (const { origin, marks: list } of await Promise.all([page, ...workers].map((realm) => marks(realm).catch(() => ({ marks: [] }))))) {
    for (const [name, at] of list) engine[name] = origin + at - clickEpoch;
  }
  // Every wasm module the visit fetched: taken from the code cache, or compiled again.
  const cacheHits = wasmTrace ? await wasmTrace.stop() : null;
  const wasmCache = cacheHits && Object.fromEntries(after.map((r) => new URL(r.url).pathname).filter((path) => path.endsWith('.wasm'))
    .map((path) => [path, cacheHits.has(path) ? 'cache hit' : 'compiled']));
  await page.close();
  return {
    wasm_cache: wasmCache,
    before: { ...totals(before), widget: totals(before.filter((r) => isWidget(r.url))), ...blocking(tasksBefore),
      urls: before.map((r) => new URL(r.url).pathname) },
    after: { ...totals(after), ...blocking(tasksAll.slice(tasksBefore.length).filter((t) => t.start <= answerAt)),
      files: after.map((r) => ({ path: `${new URL(r.url).pathname}${r.worker ? ' (by the worker)' : ''}`, encoding: r.encoding, cache: r.cache, transferred: r.transferred,
        decoded: r.decoded, ...(r.sizes ? { gzip: r.sizes.gzip, brotli: r.sizes.brotli } : {}) })) },
    panel_ms: panelMs,
    answer_ms: answerMs,
    sent_ms: sentAt - clickAt,
    engine,
    wait_ms: answerAt - sentAt,
    model_in: modelIn,
    ort_at_answer: ortAtAnswer,
    bytes_at_answer: bytesAtAnswer,
  };
}

// Runs `use(context)` in a browser with a fresh profile on disk (an empty cache), as a resident's browser has: only
// there does Chromium keep compiled WebAssembly for the next visit. The profile is removed afterwards.
async function inFreshProfile(server, use) {
  const dir = mkdtempSync(join(tmpdir(), 'gem-bench-profile-'));
  const context = await launchWithProfile(dir, { viewport: { width: 1280, height: 800 } });
  context.origin = server.origin;
  try {
    return await use(context);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPage(log) {
  const server = await startServer();
  const browser = await launch();
  const scenarios = [];
  let bytes;
  let wasmCache;
  let wasmCacheRule;
  try {
    // An untimed visit reads every response body to compress it here (reading bodies over CDP slows the page).
    log('page: bytes before and after opening (untimed visit)');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.origin = server.origin;
    bytes = await visit(context, PROFILES[0], { keepBodies: true });
    await context.close();
    log('page: compiled code kept for a second visit (untimed visits)');
    wasmCache = await inFreshProfile(server, async (context) => {
      await visit(context, PROFILES[0], { keepBodies: false, whole: true });
      return (await visit(context, PROFILES[0], { keepBodies: false, codeCache: true })).wasm_cache;
    });
    log('page: does this browser keep a small module\'s optimised code (a test module, two visits)');
    wasmCacheRule = await checkWasmCacheRule(launchWithProfile);
    for (const profile of PROFILES.filter((p) => p.runs > 0)) {
      for (const cache of profile.caches ?? ['cold', 'warm']) {
        const visits = [];
        const failures = [];
        for (let run = 0; run < profile.runs; run++) {
          log(`page: ${profile.name}, ${cache} cache, run ${run + 1}/${profile.runs}`);
          // The warm visit is a second tab after a first visit in the same profile.
          await inFreshProfile(server, async (context) => {
            // A visit that gets no answer in time is reported as such, not dropped.
            try {
              if (cache === 'warm') await visit(context, profile, { keepBodies: false, whole: true });
              visits.push(await visit(context, profile, { keepBodies: false }));
            } catch (error) {
              failures.push(error.message.split('\n')[0]);
            }
          });
        }
        scenarios.push({ profile: profile.id, profile_name: profile.name, device: profile.device, cpu: profile.cpu, cache, runs: visits.length, failures,
          panel_ms: median(visits.map((v) => v.panel_ms)), answer_ms: median(visits.map((v) => v.answer_ms)),
          wait_ms: median(visits.map((v) => v.wait_ms)),
          answer_spread_ms: [Math.min(...visits.map((v) => v.answer_ms)), Math.max(...visits.map((v) => v.answer_ms))],
          tbt_before_ms: median(visits.map((v) => v.before.tbt_ms)), tbt_after_ms: median(visits.map((v) => v.after.tbt_ms)),
          longest_after_ms: median(visits.map((v) => v.after.longest_ms)),
          model_in: [...new Set(visits.map((v) => v.model_in))].join(', '),
          compact_answers: visits.filter((v) => !v.ort_at_answer).length, visits });
      }
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  return { server: server.name, question: QUESTION, fast3g: FAST_3G, bytes, wasm_cache: wasmCache, wasm_cache_rule: wasmCacheRule, scenarios };
}

export function renderPage({ result: p }) {
  const cold = p.scenarios.find((s) => s.profile === 'none' && s.cache === 'cold');
  const first = p.bytes;
  const device = (s) => (s.device === 'phone' ? `phone (CPU ${s.cpu}× slower)` : 'desktop');
  const timeRows = p.scenarios.map((s) => ({ failures: [], device: 'desktop', cpu: 1, ...s })).map((s) => (s.runs === 0
    ? [device(s), s.profile_name, s.cache, `0 of ${s.failures.length}`, 'n/a', '', `**no answer**: ${s.failures[0]}`, '', '', '', '', '', '', '']
    : [device(s), s.profile_name, s.cache, s.failures.length ? `${s.runs} (${s.failures.length} failed)` : String(s.runs), s.model_in ?? 'main thread',
      s.compact_answers == null ? 'n/a' : `${s.compact_answers} of ${s.runs}`, ms(s.panel_ms), ms(s.answer_ms),
      `${ms(s.answer_spread_ms[0])} – ${ms(s.answer_spread_ms[1])}`, s.wait_ms == null ? 'n/a' : ms(s.wait_ms),
      s.longest_after_ms == null ? 'n/a' : ms(s.longest_after_ms), s.tbt_after_ms == null ? 'n/a' : ms(s.tbt_after_ms),
      kb(median(s.visits.map((v) => v.bytes_at_answer))), kb(median(s.visits.map((v) => v.after.transferred)))]));
  const measured = p.scenarios.filter((s) => s.runs > 0);
  const at = (s, pick) => {
    const values = s.visits.map(pick).filter((v) => v != null);
    return values.length ? ms(median(values)) : 'n/a';
  };
  const engineRows = measured.map((s) => [device(s), s.profile_name, s.cache, ms(s.panel_ms), at(s, (v) => v.sent_ms),
    ...MILESTONES.map(([name]) => at(s, (v) => v.engine?.[name])), ms(s.answer_ms)]);
  const fileRows = first.after.files.map((f) => [f.path, f.encoding, kb(f.transferred), kb(f.decoded),
    f.gzip == null ? 'n/a' : kb(f.gzip), f.brotli == null ? 'n/a' : kb(f.brotli), f.cache || '—']);
  const sum = (k) => first.after.files.reduce((n, f) => n + (f[k] ?? 0), 0);
  fileRows.push(['**total after opening**', '', kb(sum('transferred')), kb(sum('decoded')), kb(sum('gzip')), kb(sum('brotli')), '']);
  const fast3g = p.scenarios.find((s) => s.profile === 'fast3g' && s.cache === 'cold');
  const warm = p.scenarios.find((s) => s.profile === 'none' && s.cache === 'warm');
  const biggest = [...first.after.files].sort((a, b) => b.transferred - a.transferred)[0];
  const ortBytes = first.after.files.filter((f) => f.path.includes('/ort/')).reduce((n, f) => n + f.transferred, 0);
  return `Server: ${p.server}. Headless Chromium, 1280×800, a fresh browser profile on disk per run (cold = empty HTTP cache and no compiled code
kept; warm = a second tab after a first visit in the same profile that stayed ${DWELL_MS / 1000} s after the full model was ready, as
a resident reading the answer would, so the browser may reuse what it downloaded and compiled then). The question typed right after opening: "${p.question}".
Fast 3G is Chrome DevTools' preset via CDP \`Network.emulateNetworkConditions\`: latency ${p.fast3g.latency} ms, download
${Math.round(p.fast3g.downloadThroughput)} B/s (1.6 Mbps × 0.9), upload ${Math.round(p.fast3g.uploadThroughput)} B/s (750 kbps × 0.9).
The phone rows slow the CPU ${PHONE_CPU_SLOWDOWN}× (CDP \`Emulation.setCPUThrottlingRate\`, as Lighthouse does for a mid-range phone).
The network emulation reaches the page and the engine's worker, but not the model's worker inside it (ONNX Runtime's
files arrive unthrottled there): the first answers here do not wait for those files, but on a real Fast 3G
connection ONNX Runtime's ${kb(ortBytes)} take some ${Math.round(ortBytes / p.fast3g.downloadThroughput)} s more before the full model answers.

**Before the widget is opened** (cold, no throttling): the page made ${first.before.requests} requests
(${kb(first.before.transferred)} transferred), of which the widget's: ${first.before.widget.requests} request(s),
${kb(first.before.widget.transferred)} transferred (${first.before.urls.filter((u) => /^\/(widget|gem)\//.test(u)).join(', ') || 'none'}).
Main-thread blocking before opening (long tasks over 50 ms, from navigation until ${SETTLE_MS} ms after load): total blocking
time ${ms(cold.tbt_before_ms)} (median of runs), longest task ${ms(first.before.longest_ms)}, ${first.before.long_tasks} long task(s) in the bytes visit.
While opening and answering (cold, no throttling, median of runs): blocking time ${ms(median(cold.visits.map((v) => v.after.tbt_ms)))},
longest task ${ms(median(cold.visits.map((v) => v.after.longest_ms)))}.

**From clicking the launcher** to the panel's input and to the answer to the typed question:

${table(['device', 'network', 'cache', 'runs', 'full model runs in', 'answered before ONNX Runtime arrived (compact tier)', 'panel ready', 'first answer (median)', 'spread', 'wait after sending', 'longest main-thread task', 'total blocking time', 'transferred before the answer', 'transferred after opening'], timeRows)}

The longest task and the total blocking time (the part of each long task over 50 ms) are counted on the page's main
thread from the click to the answer. Times are taken in the page: from the click event to the first frame in which
the panel's input is there with focus, or the answer is there (checked every frame). The question is typed into the focused input at
once (CDP \`Input.insertText\`) and sent with Enter: "first answer" is from the click, "wait after sending" from that Enter. "Full model runs in": where ONNX Runtime ran by the end of the visit (a second
after the answer); "not loaded yet" means the core's compact tier had answered long before. "Answered before ONNX
Runtime arrived": visits in which ONNX Runtime's wasm had not finished downloading when the answer came, so the compact
tier answered. The rows "page re-served" pass the demo page through the browser (Playwright route) to take
\`worker-src blob:\` out of its CSP: the engine and the model then run on the main thread (the fallback); the twin row passes it
through unchanged, for a fair comparison.

**Where the time to the first answer goes**: the engine's milestones (User Timing marks in the thread that runs it,
\`widget/src/engine-host.js\`), in ms after the click, median of runs; "n/a" where a visit ended before one (the full
model is not awaited). The question is typed as soon as the panel is ready; "message sent" is when the page handles
its Enter, "message reached the engine" when the engine starts on it, and "answer shown" the page's first frame with
the answer: the gaps between them are the page's main thread or the engine's thread being busy.

${table(['device', 'network', 'cache', 'panel ready', 'message sent', ...MILESTONES.map(([, label]) => label), 'answer shown'], engineRows)}

**Bytes after opening** (cold, no throttling): what the server sent (\`Content-Encoding\`, bytes on the wire) and the same
bodies compressed here with gzip -9 and brotli, to show what compression would save:

${table(['file', 'Content-Encoding', 'transferred', 'raw', 'gzip', 'brotli', 'Cache-Control'], fileRows)}
${fast3g?.runs ? `\n- On Fast 3G the first answer takes ${ms(fast3g.answer_ms)} cold, ${(fast3g.answer_ms / cold.answer_ms).toFixed(1)}× the unthrottled time.` : ''}
- The largest download after opening is \`${biggest.path}\` (${kb(biggest.transferred)} on the wire, ${biggest.encoding === 'none' ? 'not compressed' : biggest.encoding}).
- Compiled code kept for a second visit (an untimed first visit that stayed ${DWELL_MS / 1000} s after the full model was ready,
  then a second tab with Chromium's trace of its wasm code cache): ${p.wasm_cache ? Object.entries(p.wasm_cache).map(([path, how]) =>
    `\`${path}\` ${how === 'cache hit' ? 'came from the code cache' : 'was compiled again'}`).join('; ') : 'n/a (not measured in this run)'}.
  V8 hands a module's optimised code to the browser's cache at once when 1 MB of it is optimised, and otherwise 2 s
  after its last optimisation. ${p.wasm_cache_rule ? `The second rule, checked with a test module of 40 small functions
  that V8 optimised (${p.wasm_cache_rule.optimised} optimising compiles) and a second visit ${p.wasm_cache_rule.waited_ms / 1000} s later:
  ${p.wasm_cache_rule.kept ? 'the test module came from the code cache' : '**not kept** in this browser, so a module with less than 1 MB of optimised code, such as the core, is compiled again on every visit'}.` : 'The second rule was not checked in this run.'}
- Warm cache, no throttling: ${ms(warm.answer_ms)} to the first answer, ${kb(median(warm.visits.map((v) => v.after.transferred)))} transferred after opening
  (cold: ${kb(median(cold.visits.map((v) => v.after.transferred)))}); a warm cache only saves bytes when the server lets the browser cache
  (validators or max-age) — see the Cache-Control column.`;
}
