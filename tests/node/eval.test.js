// Scripted evaluation through the real command line: `gem chat --jsonl` with resets, and `gem eval --conversation`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { SEARCH } from '../../scripts/cli/calibrate-dialogue.js';
import { ROOT, loadUnderstanding } from '../../wasm/node.js';
import { Session } from '../../wasm/session.js';

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
    // Told "not understood": the weather (labelled a product here) is; the greeting is not.
    assert.deepEqual(report.not_understood, { out_of_scope: 0, told: 1, told_out_of_scope: 0, asked_out_of_scope: 0,
      answered_out_of_scope: 0, recall: null, precision: 0 });
    assert.match(run.stdout, /miss: "wat voor weer wordt het morgen" expected hondenbelasting\/kosten/);
  });

  test('counts the answers beside which another product was offered, and when that button led to the right answer', () => {
    // "pasje" reads as the ID card with the passport close behind (tests/conversations/88-ander-product-knop.yml).
    const records = [
      { text: 'wat kost een pasje', intent: 'product_vraag', product: 'identiteitskaart', aspect: 'kosten' },
      { text: 'wat kost een pasje', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' },
      { text: 'wat kost een paspoort', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' },
    ];
    const file = join(dir, 'other-product.jsonl');
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const reportPath = join(dir, 'other-product.json');
    const run = gem(['eval', '--conversation', file, '--report', reportPath]);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')).splits[file];
    assert.deepEqual(report.counts, { first: 2, one_step: 1, not_helped: 0 });
    assert.deepEqual(report.other_product, { offered: 2, beside_right: 1, led_there: 1 });
    assert.match(run.stdout, /another product's button beside 2 answers: 1 of them right at once, 1 led to the right answer/);
  });

  test('an unknown split is a usage error that names the splits', () => {
    const run = gem(['eval', '--conversation', '--split', 'nope']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--split needs one of train, dev, external/);
  });
});

describe('gem calibrate-dialogue', () => {
  // Held-out probabilities as scripts/calibrate-unsure --heldout writes them; here the shipped model's own, so
  // that the default setting must score exactly what `gem eval --conversation` scores with the model.
  const questions = [
    { text: 'wat kost een paspoort', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' },
    { text: 'paspoort', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' },
    { text: 'ik ben mijn rijbewijs kwijt', intent: 'product_vraag', product: 'rijbewijs', aspect: 'kwijt' },
    { text: 'verhuizing doorgeven', intent: 'product_vraag', product: 'verhuizing', aspect: 'aanvragen' },
    { text: 'wanneer wordt het afval opgehaald', intent: 'product_vraag', product: 'afval', aspect: 'wanneer' },
    { text: 'wat kost een id kaart', intent: 'product_vraag', product: 'identiteitskaart', aspect: 'kosten' },
    { text: 'hoe laat is het in tokio', intent: 'buiten_bereik' },
    { text: 'wat voor weer wordt het morgen', intent: 'buiten_bereik' },
    { text: 'recept voor appeltaart', intent: 'buiten_bereik' },
    { text: 'hoi', intent: 'begroeting' },
  ];

  test('starts from the defaults and never chooses a setting that gains the residents less', async () => {
    const understanding = await loadUnderstanding();
    const records = [];
    let coreDefaults;
    try {
      coreDefaults = Session.defaultOptions(understanding);
      for (const q of questions) {
        const scores = await understanding.withScores(q.text, (analysis, s) => s.map((head) => Array.from(head)));
        records.push({ ...q, lang: 'nl', kfold: 3, scores });
      }
    } finally {
      await understanding.close();
    }
    const heldout = join(dir, 'heldout.jsonl');
    writeFileSync(heldout, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const reportPath = join(dir, 'calibration.json');
    const run = gem(['calibrate-dialogue', '--heldout', heldout, '--report', reportPath]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^10 held-out training questions \(3-fold\)/);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    const [defaults] = report.tried;
    assert.deepEqual(defaults.options, Object.fromEntries(Object.keys(SEARCH).map((name) => [name, coreDefaults[name]])));
    assert.equal(coreDefaults.unsure_below, 0.4);
    assert.equal(report.floor, 0, 'no recall floor unless --min-recall');

    const questionsFile = join(dir, 'same-questions.jsonl');
    writeFileSync(questionsFile, `${questions.map((q) => JSON.stringify(q)).join('\n')}\n`);
    const evalReport = join(dir, 'same-questions-report.json');
    assert.equal(gem(['eval', '--conversation', questionsFile, '--report', evalReport]).status, 0);
    const withModel = JSON.parse(readFileSync(evalReport, 'utf8')).splits[questionsFile];
    assert.deepEqual(defaults.rates, withModel.rates, 'held-out probabilities stand in for the model exactly');
    assert.deepEqual(defaults.not_understood, withModel.not_understood);

    // The gain: product questions right at once 1, after one press ½; out of scope told "not understood" 1, asked ½.
    const { counts } = withModel;
    const nu = withModel.not_understood;
    assert.equal(defaults.gain, (counts.first + counts.one_step / 2 + nu.told_out_of_scope + nu.asked_out_of_scope / 2) /
      (counts.first + counts.one_step + counts.not_helped + nu.out_of_scope));
    const chosen = report.tried.find((t) => JSON.stringify(t.options) === JSON.stringify(report.chosen));
    assert.ok(chosen.gain >= defaults.gain);
    assert.ok(report.tried.every((t) => t.gain <= chosen.gain), 'nothing tried gains more than the chosen setting');
    assert.ok(report.tried.length > 20, 'every threshold is tried');
    assert.match(run.stdout, /chosen: \{/);
  });

  test('a line without probabilities is an error that names the file and line', () => {
    const heldout = join(dir, 'bad-heldout.jsonl');
    writeFileSync(heldout, `${JSON.stringify({ text: 'paspoort', intent: 'product_vraag', scores: [[1]] })}\n`);
    const run = gem(['calibrate-dialogue', '--heldout', heldout]);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /bad-heldout\.jsonl:1: expected "scores": four arrays/);
  });
});
