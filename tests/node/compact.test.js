// The compact tier through the wasm module: loadCompact / compactScores / compactSure give what the Python
// exporter computed (tests/fixtures/compact-parity.json), bad bytes are refused, and `gem eval --tier compact`
// reports the share the tier is sure about.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import * as ort from 'onnxruntime-web';

import { ROOT, loadCore, readModelFiles } from '../../wasm/node.js';
import { compactAnswers, ortRunner, Understanding } from '../../wasm/understanding.js';

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
      const answers = (text) => {
        const analysis = nlu.analyse(text);
        try {
          return compactAnswers(nlu, analysis, nlu.compactScores(analysis));
        } finally {
          analysis.delete();
        }
      };
      const sure = records.filter((r) => answers(r.text)).length;
      assert.equal(report.compact.sure_examples, sure);
      assert.equal(report.compact.sure, sure / records.length);
      assert.match(out, new RegExp(`compact tier sure about ${(100 * sure / records.length).toFixed(1)}% of the questions`));
      assert.equal(report.examples, records.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// How the widget uses the tiers: the full model is still loading (its runner a pending promise); the compact
// tier answers what it is sure of, the rest waits (onWait) and is answered by the full model once it is there.
test('Understanding: the compact tier answers while the full model loads, then only the full model does', async () => {
  const files = { ...readModelFiles(), compact: compactBytes };
  let arrive;
  const loading = new Promise((resolve) => { arrive = resolve; });
  const understanding = await Understanding.create({ core, runner: loading, files });
  const tierOf = (text, options) => understanding.withScores(text, (analysis, scores, tier) => tier, options);
  try {
    const sure = { text: 'wat kost een paspoort' };
    const unsure = fixture.examples.find((e) => !e.sure);
    assert.ok(unsure, 'the parity fixture has an example the compact tier is not sure of');
    assert.equal(await tierOf(sure.text), 'compact');
    // Sure that it does not understand is not enough: "not understood" is the full model's call.
    const offTopic = 'wie wint het wk voetbal';
    const analysis = understanding.understander.analyse(offTopic);
    assert.equal(understanding.understander.compactSure(...understanding.understander.compactScores(analysis)), true);
    analysis.delete();
    let waitedForOutOfScope = false;
    const outOfScope = tierOf(offTopic, { onWait: () => { waitedForOutOfScope = true; } });

    let waited = 0;
    const pending = tierOf(unsure.text, { onWait: () => { waited += 1; } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(waited, 1, 'the unsure message waits for the full model');
    arrive(await ortRunner(ort, files.onnx));
    assert.equal(await pending, 'full');
    assert.equal(await outOfScope, 'full');
    assert.ok(waitedForOutOfScope);
    assert.equal(await tierOf(sure.text, { onWait: () => { waited += 1; } }), 'full', 'once the full model is there it answers everything');
    assert.equal(waited, 1);
  } finally {
    await understanding.close();
  }
});

test('Understanding: a full model that fails to load rejects waiting messages with loadFailed', async () => {
  const files = { ...readModelFiles(), compact: compactBytes };
  const understanding = await Understanding.create({ core, runner: Promise.reject(new TypeError('Failed to fetch')), files });
  const unsure = fixture.examples.find((e) => !e.sure);
  await assert.rejects(understanding.withScores(unsure.text, () => 'answered'), (error) => error.loadFailed === true);
  await understanding.close();
});
