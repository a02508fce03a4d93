// scripts/gem samples export (scripts/cli/samples.js) on a scratch copy of content/: labelled samples become
// training examples with their origin, merged without duplicates; evaluation sentences are refused; new topics
// are listed; --server signs in, fetches the export and signs out.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';

import { ROOT } from '../../wasm/node.js';
import { readExamples } from '../../scripts/cli/nlu-data.js';
import { SamplesError, exportSamples, fetchExport, samplesCommand } from '../../scripts/cli/samples.js';
import { withScratchCopy } from '../lib/content-scratch.js';

const fixture = (name) => readFileSync(join(ROOT, 'tests/fixtures/samples', name), 'utf8');
const samplesDir = (root) => join(root, 'content/nlu/samples');

test('labelled samples are written as training files with their origin; new topics are listed, not written', () => withScratchCopy((root) => {
  const report = exportSamples(fixture('export.json'), { root });
  assert.deepEqual(report.written, { 'content/nlu/samples/buiten_bereik.yml': 1, 'content/nlu/samples/paspoort.yml': 1,
    'content/nlu/samples/product_vraag.yml': 1 });
  assert.deepEqual(report.topics.map((t) => [t.id, t.text]), [[9, 'waar koop ik een hondenpenning']]);
  // The files read like the training split (the same reader), each example marked with its sample.
  assert.deepEqual(readExamples(join(samplesDir(root), 'paspoort.yml')).map(({ text, intent, product, aspect, lang }) => ({ text, intent, product, aspect, lang })),
    [{ text: 'mijn pas is verlopen wat nu bel [TELEFOON]', intent: 'product_vraag', product: 'paspoort', aspect: 'geldigheid', lang: 'nl' }]);
  assert.deepEqual(YAML.parse(readFileSync(join(samplesDir(root), 'buiten_bereik.yml'), 'utf8')),
    { intent: 'buiten_bereik', examples: [{ text: 'is it going to rain tomorrow in rotterdam', lang: 'en', origin: 'sample:8' }] });
  assert.deepEqual(YAML.parse(readFileSync(join(samplesDir(root), 'product_vraag.yml'), 'utf8')).examples,
    [{ text: 'en wat kost dat dan voor mijn zoontje', aspect: 'kosten', origin: 'sample:10' }]);
  assert.ok(!readdirSync(samplesDir(root)).some((f) => f.includes('hondenpenning') || f.endsWith('.tmp')));
}));

test('a second export merges: samples already there are skipped, new ones are added, nothing is lost', () => withScratchCopy((root) => {
  exportSamples(fixture('export.json'), { root });
  const again = exportSamples(fixture('export.json'), { root });
  assert.deepEqual(again.written, {});
  assert.equal(again.skipped.length, 3);
  // Sample 7 again (under another id the same sentence) and a new one for the same file.
  const next = JSON.parse(fixture('export.json'));
  next.samples = [{ ...next.samples[0], id: 70, text: 'Mijn pas is verlopen, wat nu? Bel [TELEFOON]' },
    { ...next.samples[0], id: 71, text: 'pas verlopen op vakantie', label: { intent: 'product_vraag', product: 'paspoort', aspect: 'kwijt' } }];
  const report = exportSamples(JSON.stringify(next), { root });
  assert.deepEqual(report.written, { 'content/nlu/samples/paspoort.yml': 1 });
  assert.deepEqual(report.skipped, ['sample:70: already in content/nlu/samples/paspoort.yml']);
  const examples = YAML.parse(readFileSync(join(samplesDir(root), 'paspoort.yml'), 'utf8')).examples;
  assert.deepEqual(examples.map((e) => e.origin), ['sample:7', 'sample:71']);
}));

test('a text of the dev or external split is refused with file and line, and then nothing is written', () => withScratchCopy((root) => {
  assert.throws(() => exportSamples(fixture('evaluation-texts.json'), { root, name: 'evaluation-texts.json' }), (error) => {
    assert.ok(error instanceof SamplesError);
    const lines = error.message.split('\n');
    assert.equal(lines.length, 3, error.message);  // "nothing written:" and the two refused samples
    assert.match(lines[1], /^evaluation-texts\.json:11: sample 12: its text is in an evaluation split \(content\/nlu\/dev\/paspoort\.yml:6\)/);
    assert.match(lines[2], /^evaluation-texts\.json:17: sample 13: its text is in an evaluation split \(content\/nlu\/external\/afval\.yml:6\)/);
    return true;
  });
  assert.ok(!existsSync(samplesDir(root)));
}));

test('labels outside the taxonomy and malformed exports are errors that name the place', () => withScratchCopy((root) => {
  const bad = JSON.parse(fixture('export.json'));
  bad.samples[0].label.product = 'fietsvergunning';
  bad.samples[1].label = { kind: 'spam' };
  bad.samples[2].label = { intent: 'begroeting', aspect: 'kosten' };
  assert.throws(() => exportSamples(JSON.stringify(bad, null, 2), { root }),
    /export\.json:\d+: sample 7: unknown product 'fietsvergunning'\n.*sample 8: unknown label kind 'spam'.*\n.*sample 9: intent 'begroeting' takes no product or aspect/);
  assert.throws(() => exportSamples('{"format": 2, "samples": []}', { root }), /export\.json:1: expected \{"format": 1/);
  assert.throws(() => exportSamples('{"format": 1,', { root }), /export\.json: not JSON/);
  assert.ok(!existsSync(samplesDir(root)));
}));

test('--server signs in as the editor, fetches the export with the session cookie and signs out', async () => {
  const calls = [];
  const fetchImpl = async (url, options = {}) => {
    calls.push([new URL(url).pathname, options.method ?? 'GET', options.headers ?? {}, options.body]);
    if (url.endsWith('/v1/agent/login')) {
      return { ok: true, status: 200, json: async () => ({ csrf: 'c1' }), headers: new Map([['set-cookie', 'gem_session=s3cret; HttpOnly; Path=/']]) };
    }
    if (url.endsWith('/v1/staff/samples/export')) return { ok: true, status: 200, text: async () => fixture('export.json') };
    return { ok: true, status: 204 };
  };
  const text = await fetchExport('http://127.0.0.1:9/', { user: 'editor', password: 'pw', fetchImpl });
  assert.equal(JSON.parse(text).samples.length, 4);
  assert.deepEqual(calls.map(([path, method]) => `${method} ${path}`), ['POST /v1/agent/login', 'GET /v1/staff/samples/export', 'POST /v1/agent/logout']);
  assert.deepEqual(JSON.parse(calls[0][3]), { username: 'editor', password: 'pw' });
  assert.equal(calls[1][2].cookie, 'gem_session=s3cret');
  assert.equal(calls[2][2]['x-csrf-token'], 'c1');
  await assert.rejects(fetchExport('http://127.0.0.1:9/', { user: '', password: '', fetchImpl }), /GEM_STAFF_USER and GEM_STAFF_PASSWORD/);
});

test('the command prints what it wrote and the new topics; --in and --server exclude each other', async () => {
  let printed = '';
  const out = { write: (s) => { printed += s; } };
  const option = (args, name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  // With --in the command does its work before it first waits, so the scratch copy is still there.
  const [done, both] = withScratchCopy((root) => {
    const file = join(root, 'export.json');
    writeFileSync(file, fixture('export.json'));
    return [samplesCommand(['export', '--in', file], out, { option, root }),
      samplesCommand(['export', '--in', file, '--server', 'http://x'], out, { option, root })];
  });
  assert.equal(await done, 0);
  assert.match(printed, /content\/nlu\/samples\/paspoort\.yml: 1 new example/);
  assert.match(printed, /New topics[^\n]*\n {2}sample:9 2026-12-01 GM0599: waar koop ik een hondenpenning/);
  await assert.rejects(both, /--in FILE or --server URL/);
});
