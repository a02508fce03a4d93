// ONNX Runtime Web's wasm holds the kernels of every ONNX operator (14 MB, 2.3 MB brotli); the intent model uses a
// few. ONNX Runtime's own answer is a build with only the model's operators, made from its source, which neither
// Debian nor npm ships. This makes the same from the shipped binary, for widget/build.js:
//   1. run the model in Node (widget/ort-run.js) with V8 compiling each wasm function only when it is first called
//      (--wasm-lazy-compilation, no tier-up; --trace-wasm-compilation-times names each), on token id lists of every
//      length the core gives (1 to max_tokens);
//   2. keep every function V8 compiled, and replace the body of every other one with `unreachable` (3 bytes);
//      the function table's slots of those all point at one of them; then Binaryen's wasm-opt -Oz, which now finds
//      much of the kept code dead (whatever comes after a call that traps) and drops the functions nothing calls;
//   3. run the trimmed wasm on the same inputs, and on inputs it was not profiled on: every output must be the same
//      to the bit, or the build fails. A function the profile missed traps loudly; it never computes something else.
// Imports, exports, the function table's slots and the data stay as they are.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadUnderstanding } from '../wasm/node.js';

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), 'ort-run.js');

// ---- the wasm binary format (https://webassembly.github.io/spec/core/binary/) -----------------------------------

function reader(bytes, at = 0) {
  return {
    get at() { return at; },
    byte() { return bytes[at++]; },
    u32() {  // unsigned LEB128 (u64 limits of memory64 too: their values fit a double here)
      let value = 0;
      let scale = 1;
      for (;;) {
        const b = bytes[at++];
        value += (b & 0x7f) * scale;
        if (!(b & 0x80)) return value;
        scale *= 128;
      }
    },
    skip(n) { at += n; },
  };
}

// Unsigned LEB128, as the binary format writes sizes and indices (also for scripts/bench_lib/wasm-cache-rule.js).
export function leb(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}

// The sections of a module: [{id, header, start, end}] (where its id byte is, and its content's byte range).
function sections(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('not a WebAssembly module');
  const r = reader(bytes, 8);
  const out = [];
  while (r.at < bytes.length) {
    const header = r.at;
    const id = r.byte();
    const size = r.u32();
    out.push({ id, header, start: r.at, end: r.at + size });
    r.skip(size);
  }
  return out;
}

// How many functions the module imports: defined functions are numbered after them.
function importedFunctions(bytes, section) {
  if (!section) return 0;
  const r = reader(bytes, section.start);
  const limits = () => {
    const flags = r.byte();
    r.u32();
    if (flags & 1) r.u32();
  };
  let functions = 0;
  for (let n = r.u32(); n > 0; n--) {
    r.skip(r.u32());  // module name
    r.skip(r.u32());  // field name
    const kind = r.byte();
    if (kind === 0) {
      r.u32();
      functions++;
    } else if (kind === 1) {
      r.byte();
      limits();
    } else if (kind === 2) {
      limits();
    } else if (kind === 3) {
      r.skip(2);
    } else if (kind === 4) {
      r.byte();
      r.u32();
    } else {
      throw new Error(`import section: unknown import kind ${kind}`);
    }
  }
  return functions;
}

// The function indices of a table's flag-0 element segments (the form Emscripten writes), with `map` applied to
// each; null (leave the section as it is) for any other form.
function mapElements(bytes, section, map) {
  const r = reader(bytes, section.start);
  const count = r.u32();
  const out = [...leb(count)];
  for (let s = 0; s < count; s++) {
    if (r.byte() !== 0) return null;
    const offset = r.at;  // a constant expression: i32.const n or global.get g, then end
    const opcode = r.byte();
    if (opcode !== 0x41 && opcode !== 0x23) return null;
    r.u32();
    if (r.byte() !== 0x0b) return null;
    out.push(0, ...bytes.subarray(offset, r.at));
    const n = r.u32();
    out.push(...leb(n));
    for (let i = 0; i < n; i++) out.push(...leb(map(r.u32())));
  }
  return r.at === section.end ? Buffer.from(out) : null;
}

// The module with the body of every defined function whose index is not in `keep` replaced by `unreachable`, and
// every table slot that held one of them pointing at the first of them instead (the same slots, so function
// pointers keep their values; a call through one still traps: unreachable, or a signature mismatch), which
// compresses better than thousands of different indices.
export function stubFunctions(bytes, keep) {
  const all = sections(bytes);
  const code = all.find((s) => s.id === 10);
  if (!code) throw new Error('no code section');
  const first = importedFunctions(bytes, all.find((s) => s.id === 2));
  const r = reader(bytes, code.start);
  const count = r.u32();
  const parts = [Buffer.from(leb(count))];
  const STUB = Buffer.from([3, 0x00, 0x00, 0x0b]);  // size 3: no locals, unreachable, end
  let kept = 0;
  let target = -1;  // the first function left out
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const start = r.at;
    r.skip(size);
    if (keep.has(first + i)) {
      parts.push(Buffer.from(leb(size)), bytes.subarray(start, start + size));
      kept++;
    } else {
      parts.push(STUB);
      if (target < 0) target = first + i;
    }
  }
  const replaced = new Map([[code, Buffer.concat(parts)]]);
  const element = all.find((s) => s.id === 9);
  const elements = element && target >= 0
    ? mapElements(bytes, element, (index) => (index >= first && !keep.has(index) ? target : index)) : null;
  if (elements) replaced.set(element, elements);
  const out = [bytes.subarray(0, 8)];
  for (const s of all) {
    const body = replaced.get(s);
    out.push(body ? Buffer.concat([Buffer.from([s.id, ...leb(body.length)]), body]) : bytes.subarray(s.header, s.end));
  }
  return { bytes: Buffer.concat(out), functions: count, kept };
}

// The last lines a child process printed, for an error message.
const lastLines = (text) => (text || '').trim().split('\n').slice(-3).join(' | ');

// The WebAssembly features ONNX Runtime Web's wasm uses; wasm-opt must be told them (the file does not say).
const FEATURES = ['simd', 'threads', 'bulk-memory', 'sign-ext', 'mutable-globals', 'nontrapping-float-to-int'];

// Binaryen's size optimisations (Debian's binaryen, which emscripten depends on).
function optimise(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'gem-ort-opt-'));
  try {
    writeFileSync(join(dir, 'in.wasm'), bytes);
    const result = spawnSync('wasm-opt', [...FEATURES.map((f) => `--enable-${f}`), '-Oz', join(dir, 'in.wasm'), '-o', join(dir, 'out.wasm')],
      { encoding: 'utf8' });
    if (result.error) throw new Error(`wasm-opt did not run (apt-get install binaryen): ${result.error.message}`);
    if (result.status !== 0) throw new Error(`wasm-opt failed on the trimmed ONNX Runtime: ${lastLines(result.stderr)}`);
    return readFileSync(join(dir, 'out.wasm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- profiling and checking -------------------------------------------------------------------------------------

function run(wasm, onnx, inputs, { trace = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gem-ort-trim-'));
  try {
    const wasmPath = join(dir, 'ort.wasm');
    const inputsPath = join(dir, 'inputs.json');
    const resultPath = join(dir, 'result.json');
    writeFileSync(wasmPath, wasm);
    writeFileSync(inputsPath, JSON.stringify(inputs));
    // No tier-up while tracing: the optimising compiler runs on background threads, whose trace lines cut into
    // other lines (a build failed so), and it compiles only what already ran.
    const flags = trace ? ['--wasm-lazy-compilation', '--no-wasm-tier-up', '--trace-wasm-compilation-times'] : [];
    const result = spawnSync(process.execPath, [...flags, RUNNER, wasmPath, onnx, inputsPath, resultPath],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (result.status !== 0 || !existsSync(resultPath)) {
      const how = result.signal ? `killed by ${result.signal}` : `exit status ${result.status}`;
      const why = [result.error?.message, lastLines(result.stderr) && `stderr: ${lastLines(result.stderr)}`,
        lastLines(result.stdout) && `stdout: ${lastLines(result.stdout)}`].filter(Boolean).join('; ');
      throw new Error(`ONNX Runtime did not run the model (${how})${why ? `: ${why}` : ''}`);
    }
    return { ...JSON.parse(readFileSync(resultPath, 'utf8')), log: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The SHA-256 of the probabilities ORT's `wasm` (bytes) gives for `onnx` (a path) on `inputs` (token id lists).
export const ortDigest = (wasm, onnx, inputs) => run(wasm, onnx, inputs).digest;

// Token id lists of every length from 1 to `maxTokens`, `perLength` of each, cut in turn from `idsOfTexts` (the
// ids of texts, joined).
export function inputsOf(idsOfTexts, { maxTokens, perLength }) {
  const stream = idsOfTexts.flat();
  const inputs = [];
  let at = 0;
  for (let n = 1; n <= maxTokens; n++) {
    for (let k = 0; k < perLength; k++, at += n) inputs.push(Array.from({ length: n }, (_, j) => stream[(at + j) % stream.length]));
  }
  return inputs;
}

// Trims `wasm` (ORT's bytes) to what `onnx` (a path) uses on `profile`, checked on `profile` and `check` (lists of
// token id lists). Returns {bytes, functions, kept}; throws if the trimmed wasm differs in any output.
export function trimOrt(wasm, onnx, { profile, check }) {
  const traced = run(wasm, onnx, profile, { trace: true });
  // V8 prints "Compiled function <module>#<index> using Liftoff, …" for each function the first time it runs.
  const used = new Set([...traced.log.matchAll(/Compiled function \S*#(\d+) /g)].map((m) => Number(m[1])));
  if (used.size === 0) throw new Error('no wasm function was traced: this Node cannot profile ONNX Runtime');
  const stubbed = stubFunctions(wasm, used);
  const trimmed = { ...stubbed, bytes: optimise(stubbed.bytes) };
  for (const [name, inputs] of [['profiled', profile], ['held-out', check]]) {
    const full = name === 'profiled' ? traced : run(wasm, onnx, inputs);
    const small = run(trimmed.bytes, onnx, inputs);
    if (small.digest !== full.digest) throw new Error(`the trimmed ONNX Runtime gives other outputs on the ${name} inputs`);
  }
  return trimmed;
}

// The trimmed ORT wasm for the committed model, as a file: made once per ORT wasm, model and tokeniser, then kept in
// `cacheDir` (the widget is built again by every browser test file). Returns {path, functions, kept}.
export async function trimmedOrtFile({ root, ortWasm, cacheDir }) {
  const wasm = readFileSync(ortWasm);
  const onnx = join(root, 'models/gem-intent.onnx');
  const metadata = JSON.parse(readFileSync(join(root, 'models/gem-nlu.json'), 'utf8'));
  // The core's own token ids for texts of lexicon words, seven to a text: half to profile, half to check.
  const nlu = await loadUnderstanding({ root, runner: { run: async () => { throw new Error('not used'); }, close() {} } });
  const texts = [];
  for (let i = 0; i < metadata.lexicon.length; i += 7) texts.push(metadata.lexicon.slice(i, i + 7).join(' '));
  const ids = texts.map((text) => nlu.tokenIds(text));
  const options = { maxTokens: metadata.max_tokens, perLength: 2 };
  const profile = inputsOf(ids.filter((_, i) => i % 2 === 0), options);
  const check = inputsOf(ids.filter((_, i) => i % 2 === 1), options);
  const here = dirname(fileURLToPath(import.meta.url));
  const key = createHash('sha256');
  // Everything the kept functions depend on: the wasm, the model, the profile, this file and how the session is
  // made (ort-run.js, wasm/understanding.js).
  for (const part of [wasm, readFileSync(onnx), JSON.stringify([profile, check]), process.version, readFileSync(join(here, 'ort-trim.js')),
    readFileSync(RUNNER), readFileSync(join(root, 'wasm/understanding.js'))]) key.update(part);
  const path = join(cacheDir, `ort-${key.digest('hex').slice(0, 16)}.wasm`);
  const report = `${path}.json`;
  if (existsSync(path) && existsSync(report)) return { path, ...JSON.parse(readFileSync(report, 'utf8')) };
  const trimmed = trimOrt(wasm, onnx, { profile, check });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(`${path}.${process.pid}`, trimmed.bytes);
  writeFileSync(`${report}.${process.pid}`, JSON.stringify({ functions: trimmed.functions, kept: trimmed.kept }));
  renameSync(`${path}.${process.pid}`, path);  // whole files only: builds may run side by side
  renameSync(`${report}.${process.pid}`, report);
  for (const old of readdirSync(cacheDir)) {
    if (/^ort-[0-9a-f]{16}\.wasm(\.json)?$/.test(old) && !path.endsWith(old.replace(/\.json$/, ''))) rmSync(join(cacheDir, old), { force: true });
  }
  return { path, functions: trimmed.functions, kept: trimmed.kept };
}
