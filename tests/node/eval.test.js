// Scripted evaluation through the real command line: `gem chat --jsonl` with resets, and `gem eval --conversation`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { ROOT } from '../../wasm/node.js';

const GEM = join(ROOT, 'scripts/gem');
const dir = mkdtempSync(join(tmpdir(), 'gem-eval-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function gem(args, input = '') {
  const run = spawnSync(GEM, args, { cwd: ROOT, input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const lines = (stdout) => stdout.trim().split('\n').map((line) => JSON.parse(line));

describe('gem chat --jsonl', () => {
  test('a {"reset": true} line starts a fresh conversation: the follow-up no longer has the earlier topic', () => {
    const run = gem(['chat', '--jsonl'], [
      'wat kost een paspoort', 'wat kost dat',
      '{"reset": true}', 'wat kost dat',
      '{not json',
    ].join('\n'));
    assert.equal(run.status, 0, run.stderr);
    const [first, followUp, reset, afterReset, bad] = lines(run.stdout);
    assert.equal(first.topic.product, 'paspoort');
    // Without a reset the follow-up is about the passport; after it, the conversation has no product any more.
    assert.equal(followUp.topic.product, 'paspoort');
    assert.equal(followUp.topic.aspect, 'kosten');
    assert.equal(reset.reset, true);
    assert.ok(reset.text.length > 0 && Array.isArray(reset.quick_replies), 'a reset answers with the welcome');
    assert.equal(reset.topic.product, null);
    assert.notEqual(afterReset.topic.product, 'paspoort');
    assert.match(bad.error, /not valid JSON/);
  });
});

describe('gem eval --conversation', () => {
  test('sorts each question into right first time, right after one button, or not helped, and lists the misses', () => {
    const file = join(dir, 'questions.jsonl');
    const records = [
      { text: 'wat kost een paspoort', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' },
      // Gem asks what the resident wants to know about the passport; the "kosten" button answers it.
      { text: 'paspoort', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten', style: 'short' },
      { text: 'wat voor weer wordt het morgen', intent: 'product_vraag', product: 'hondenbelasting', aspect: 'kosten', lang: 'nl' },
      { text: 'hoi', intent: 'begroeting' },
    ];
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const reportPath = join(dir, 'report.json');
    const run = gem(['eval', '--conversation', file, '--report', reportPath]);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')).splits[file];
    assert.equal(report.examples, 4);
    assert.equal(report.scored, 3, 'only questions with an expected product are scored');
    assert.deepEqual(report.counts, { first: 1, one_step: 1, not_helped: 1 });
    assert.equal(report.rates.right_first_time, 1 / 3);
    assert.equal(report.rates.right_after_one_clarification, 2 / 3);
    const byText = Object.fromEntries(report.misses.map((m) => [m.text, m]));
    assert.equal(byText['wat kost een paspoort'], undefined, 'a question answered first time is no miss');
    assert.equal(byText.paspoort.outcome, 'one_step');
    assert.equal(byText.paspoort.pressed, 'aspect:kosten');
    assert.ok(byText.paspoort.buttons.includes('aspect:kosten'));
    const weather = byText['wat voor weer wordt het morgen'];
    assert.equal(weather.outcome, 'not_helped');
    assert.deepEqual(weather.expected, { product: 'hondenbelasting', aspect: 'kosten' });
    assert.deepEqual(report.groups['style:short'], { first: 0, one_step: 1, not_helped: 0 });
    assert.match(run.stdout, /right first time\s+33\.3%/);
    assert.match(run.stdout, /miss: "wat voor weer wordt het morgen" expected hondenbelasting\/kosten/);
  });

  test('an unknown split is a usage error that names the splits', () => {
    const run = gem(['eval', '--conversation', '--split', 'nope']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--split needs one of train, dev, external/);
  });
});
