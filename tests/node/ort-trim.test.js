// widget/ort-trim.js: ONNX Runtime's wasm with only the functions the intent model runs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadUnderstanding, ROOT } from '../../wasm/node.js';
import { inputsOf, ortDigest, stubFunctions } from '../../widget/ort-trim.js';

// A module that imports one function and defines two, `one` (index 1) and `two` (index 2), each returning its number.
// The code section's size is written in five bytes, as LLVM writes it.
const MODULE = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 5, 1, 0x60, 0, 1, 0x7f,  // type 0: [] → [i32]
  0x02, 9, 1, 3, 0x65, 0x6e, 0x76, 1, 0x66, 0x00, 0,  // import env.f: type 0
  0x03, 3, 2, 0, 0,  // two functions of type 0
  0x07, 13, 2, 3, 0x6f, 0x6e, 0x65, 0x00, 1, 3, 0x74, 0x77, 0x6f, 0x00, 2,  // export one = 1, two = 2
  0x0a, 0x8b, 0x80, 0x80, 0x80, 0x00, 2, 4, 0, 0x41, 1, 0x0b, 4, 0, 0x41, 2, 0x0b,  // bodies: i32.const 1; i32.const 2
]);

const instantiate = async (bytes) => (await WebAssembly.instantiate(bytes, { env: { f: () => 0 } })).instance.exports;

test('a function left out traps, a kept one runs as before, and the indices count the imports', async () => {
  const full = await instantiate(MODULE);
  assert.equal(full.one(), 1);
  assert.equal(full.two(), 2);
  const { bytes, functions, kept } = stubFunctions(MODULE, new Set([1]));
  assert.deepEqual({ functions, kept }, { functions: 2, kept: 1 });
  const trimmed = await instantiate(bytes);
  assert.equal(trimmed.one(), 1);
  assert.throws(() => trimmed.two(), (error) => error instanceof WebAssembly.RuntimeError && /unreachable/.test(error.message));
  const none = await instantiate(stubFunctions(MODULE, new Set()).bytes);
  assert.throws(() => none.one(), WebAssembly.RuntimeError);
});

// The same two functions in a table, and `call(i)`, which calls slot i through it (call_indirect).
const TABLE_MODULE = Buffer.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 10, 2, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 1, 0x7f,  // type 0: [] → [i32]; type 1: [i32] → [i32]
  0x02, 9, 1, 3, 0x65, 0x6e, 0x76, 1, 0x66, 0x00, 0,  // import env.f: type 0
  0x03, 4, 3, 0, 0, 1,  // one, two: type 0; call: type 1
  0x04, 4, 1, 0x70, 0x00, 2,  // a funcref table of two slots
  0x07, 20, 3, 3, 0x6f, 0x6e, 0x65, 0x00, 1, 3, 0x74, 0x77, 0x6f, 0x00, 2, 4, 0x63, 0x61, 0x6c, 0x6c, 0x00, 3,
  0x09, 8, 1, 0x00, 0x41, 0, 0x0b, 2, 1, 2,  // slots 0 and 1: one, two
  0x0a, 19, 3, 4, 0, 0x41, 1, 0x0b, 4, 0, 0x41, 2, 0x0b, 7, 0, 0x20, 0, 0x11, 0, 0, 0x0b,
]);

test('a table slot that held a function left out still traps when called; the other slots call what they did', async () => {
  const full = await instantiate(TABLE_MODULE);
  assert.deepEqual([full.call(0), full.call(1)], [1, 2]);
  const trimmed = await instantiate(stubFunctions(TABLE_MODULE, new Set([1, 3])).bytes);
  assert.equal(trimmed.call(0), 1);
  assert.throws(() => trimmed.call(1), WebAssembly.RuntimeError);
  const onlyTwo = await instantiate(stubFunctions(TABLE_MODULE, new Set([2, 3])).bytes);
  assert.throws(() => onlyTwo.call(0), WebAssembly.RuntimeError);
  assert.equal(onlyTwo.call(1), 2);
  // With both left out, both slots point at the first of them (one), so that the table compresses well.
  const neither = stubFunctions(TABLE_MODULE, new Set([3])).bytes;
  assert.ok(neither.includes(Buffer.from([0x09, 8, 1, 0x00, 0x41, 0, 0x0b, 2, 1, 1])), 'the element section still names both functions');
  const none = await instantiate(neither);
  assert.throws(() => none.call(0), WebAssembly.RuntimeError);
  assert.throws(() => none.call(1), WebAssembly.RuntimeError);
});

test('a file that is not WebAssembly is refused', () => {
  assert.throws(() => stubFunctions(Buffer.from('not wasm at all'), new Set()), /not a WebAssembly module/);
});

test('the profile covers every input length the core gives, from 1 to max_tokens', () => {
  const inputs = inputsOf([[1, 2, 3], [4, 5]], { maxTokens: 6, perLength: 2 });
  assert.deepEqual(inputs.map((ids) => ids.length), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
  assert.ok(inputs.flat().every((id) => id >= 1 && id <= 5));
});

test("the widget's ONNX Runtime is trimmed and gives the full one's probabilities to the bit", async () => {
  const dir = join(ROOT, 'build/widget/ort');
  const name = existsSync(dir) && readdirSync(dir).find((f) => /^ort-wasm-simd-threaded\.[0-9a-f]{12}\.wasm$/.test(f));
  assert.ok(name, 'build/widget has no ONNX Runtime wasm: build the widget first');
  const widgetOrt = join(dir, name);
  const fullOrt = join(ROOT, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm');
  assert.ok(readFileSync(widgetOrt).length < readFileSync(fullOrt).length / 2, 'the widget ships the untrimmed ONNX Runtime');
  // Questions as residents type them, which the build's profile (texts of lexicon words) never saw.
  const nlu = await loadUnderstanding({ runner: { run: async () => { throw new Error('not used'); }, close() {} } });
  const inputs = ['wat kost een paspoort?', 'How do I tell the council I moved?', '?',
    `ik sta op Schiphol en mijn pas is weg, ${'wat moet ik nu doen '.repeat(12)}`].map((text) => nlu.tokenIds(text));
  const onnx = join(ROOT, 'models/gem-intent.onnx');
  assert.equal(ortDigest(readFileSync(widgetOrt), onnx, inputs), ortDigest(readFileSync(fullOrt), onnx, inputs));
});
