// The compact tier through the wasm module: loadCompact / compactScores / compactSure give what the Python
// exporter computed (tests/fixtures/compact-parity.json), bad bytes are refused, and `gem eval --tier compact`
// reports the share the tier is sure about.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ROOT, loadCore, readModelFiles } from '../../wasm/node.js';

const compactBytes = readFileSync(join(ROOT, 'models/gem-compact.bin'));
const fixture = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/compact-parity.json'), 'utf8'));
const labels = JSON.parse(readModelFiles().metadata).labels;

let core;
let nlu;
before(async () => {
  core = await loadCore();
  nlu = core.Understander.create(readModelFiles());
});
after(() => nlu?.delete());

function compactOf(understander, text) {
  const analysis = understander.analyse(text);
  try {
    return { ids: Array.from(analysis.ids()), scores: understander.compactScores(analysis) };
  } finally {
    analysis.delete();
  }
}

describe('before a compact model is loaded', () => {
  test('compactScores refuses and compactSure is never sure', () => {
    const fresh = core.Understander.create(readModelFiles());
    try {
      assert.throws(() => compactOf(fresh, 'wat kost een paspoort'), /no compact model loaded/);
      const even = (head) => new Float32Array(labels[head].length).fill(1 / labels[head].length);
      const certain = new Float32Array(labels.intent.length);
      certain[labels.intent.indexOf('begroeting')] = 1;
      assert.equal(fresh.compactSure(certain, even('product'), even('aspect'), Float32Array.of(1, 0)), false);
    } finally {
      fresh.delete();
    }
  });

  test('malformed bytes are refused with what was expected where', () => {
    const fresh = core.Understander.create(readModelFiles());
    try {
      assert.throws(() => fresh.loadCompact(compactBytes.subarray(0, 100)), /gem-compact\.bin: expected the intent biases \(44 bytes\) at offset 88, but the file ends at 100/);
      const wrongMagic = Uint8Array.from(compactBytes);
      wrongMagic[0] = 0x58;
      assert.throws(() => fresh.loadCompact(wrongMagic), /expected the magic "GEMC" at offset 0/);
      assert.throws(() => fresh.loadCompact('GEMC'), /expected the bytes of gem-compact\.bin/);
      assert.throws(() => compactOf(fresh, 'hoi'), /no compact model loaded/);
    } finally {
      fresh.delete();
    }
  });
});

describe('with models/gem-compact.bin', () => {
  before(() => nlu.loadCompact(compactBytes));

  test('four probability vectors in the label order of gem-nlu.json', () => {
    const { scores } = compactOf(nlu, 'hoe vraag ik een parkeervergunning aan');
    assert.equal(scores.length, 4);
    ['intent', 'product', 'aspect', 'lang'].forEach((head, k) => {
      assert.ok(scores[k] instanceof Float32Array);
      assert.equal(scores[k].length, labels[head].length, head);
      assert.ok(Math.abs(scores[k].reduce((a, b) => a + b, 0) - 1) < 1e-4, `${head} sums to 1`);
    });
  });

  for (const example of fixture.examples) {
    test(`same ids, scores and sureness as the exporter: ${example.text}`, () => {
      const { ids, scores } = compactOf(nlu, example.text);
      assert.deepEqual(ids, example.ids);
      example.scores.forEach((want, k) => {
        want.forEach((p, l) => assert.ok(Math.abs(scores[k][l] - p) < 1e-5, `head ${k} label ${l}: ${scores[k][l]} vs ${p}`));
      });
      assert.equal(nlu.compactSure(...scores), example.sure);
    });
  }

  test('gem eval --tier compact reports the sure share and its accuracy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gem-compact-eval-'));
    try {
      const records = [
        { text: 'wat kost een paspoort', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten', lang: 'nl' },
        { text: 'bedankt!', intent: 'bedankt', lang: 'nl' },
        { text: 'xqzv', intent: 'buiten_bereik', lang: 'nl' },
        { text: 'ik ben mijn rijbewijs kwijt', intent: 'product_vraag', product: 'rijbewijs', aspect: 'kwijt', lang: 'nl' },
      ];
      const file = join(dir, 'set.jsonl');
      writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n'));
      const out = execFileSync(join(ROOT, 'scripts/gem'), ['eval', '--tier', 'compact', file, '--report', join(dir, 'r.json')],
        { encoding: 'utf8' });
      const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
      const sure = records.filter((r) => nlu.compactSure(...compactOf(nlu, r.text).scores)).length;
      assert.equal(report.compact.sure_examples, sure);
      assert.equal(report.compact.sure, sure / records.length);
      assert.match(out, new RegExp(`compact tier sure about ${(100 * sure / records.length).toFixed(1)}% of the questions`));
      assert.equal(report.examples, records.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
