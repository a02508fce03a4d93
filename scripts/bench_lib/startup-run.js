// One start of the engine in this process, step by step as the widget's worker takes them (widget/src/engine-host.js):
// instantiate the wasm core, open a conversation over the content pack (with its welcome), create the understanding,
// load the compact tier, answer the first question from it. Prints one JSON line of times in ms.
//
// scripts/bench speed runs it in fresh processes with V8 set as Chromium runs a module on a first visit: each
// function compiled by the baseline compiler when it first runs, no optimising tier, one thread. That makes the
// numbers steady enough to compare two builds, where browser visits on this shared machine vary by ±30%.
//   node --wasm-lazy-compilation --no-wasm-tier-up --single-threaded scripts/bench_lib/startup-run.js
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, loadCore, loadTools, readModelFiles } from '../../wasm/node.js';
import { Session } from '../../wasm/session.js';
import { Understanding } from '../../wasm/understanding.js';
import { checkContent, packFor } from '../cli/content.js';

const QUESTION = 'wat kost een paspoort?';
const MUNICIPALITY = 'GM0599';

// Untimed: the pack as the widget's build makes it, and every file as the bytes the worker fetches.
const tools = await loadTools();
const pack = new TextEncoder().encode(packFor(tools, checkContent(tools).source, MUNICIPALITY));
const encode = (text) => (typeof text === 'string' ? new TextEncoder().encode(text) : new Uint8Array(text));
const files = Object.fromEntries(Object.entries(readModelFiles()).map(([name, data]) => [name, encode(data)]));
const compact = new Uint8Array(readFileSync(join(ROOT, 'models/gem-compact.bin')));

const times = {};
const timed = async (step, run) => {
  const start = performance.now();
  const result = await run();
  times[step] = performance.now() - start;
  return result;
};

const core = await timed('instantiate', () => loadCore());
const conversation = await timed('conversation', () => {
  const session = core.Session.create(pack, files.municipalities, MUNICIPALITY);
  session.setLanguage('nl');
  session.welcome();
  return session;
});
const understander = await timed('understanding', () => core.Understander.create(files));
await timed('compact', () => understander.loadCompact(compact));
// No full model: the first question must be one the compact tier answers, as in the bench's browser visits.
const understanding = new Understanding(core, understander, new Promise(() => {}), true);
const response = await timed('first_message', () => new Session(understanding, conversation).send(QUESTION, {
  onWait: () => { throw new Error(`the compact tier is not sure of "${QUESTION}"`); },
}));
if (response.meaning.tier !== 'compact') throw new Error(`"${QUESTION}" was answered by the ${response.meaning.tier} tier`);
console.log(JSON.stringify(times));
