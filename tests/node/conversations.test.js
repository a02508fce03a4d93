// Conversations as data (tests/conversations/*.yml) through the real wasm core, model and content.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import YAML from 'yaml';

import { ROOT, loadTools, loadUnderstanding } from '../../wasm/node.js';
import { Session } from '../../wasm/session.js';
import { checkContent, packFor } from '../../scripts/cli/content.js';

const dir = join(ROOT, 'tests/conversations');
const files = readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
const tsv = readFileSync(join(ROOT, 'content/gazetteer/gemeenten.tsv'), 'utf8');

let understanding;
let tools;
let source;
const packs = new Map();
before(async () => {
  [understanding, tools] = await Promise.all([loadUnderstanding(), loadTools()]);
  const checked = checkContent(tools);
  assert.deepEqual(checked.errors, [], 'content must pass scripts/gem content check');
  source = checked.source;
});
after(async () => {
  await understanding?.close();
});

function packOf(code) {
  if (!packs.has(code)) packs.set(code, packFor(tools, source, code));
  return packs.get(code);
}

function verify(response, expect, where) {
  const topic = response.topic;
  for (const key of ['product', 'aspect', 'person', 'municipality']) {
    if (key in expect) assert.equal(topic[key], expect[key], `${where}: topic.${key}`);
  }
  if ('intent' in expect) assert.equal(response.intent, expect.intent, `${where}: intent`);
  if ('lang' in expect) assert.equal(response.lang, expect.lang, `${where}: lang`);
  for (const fragment of expect.text ?? []) {
    assert.ok(response.text.includes(fragment), `${where}: text should contain "${fragment}"\n--- text:\n${response.text}`);
  }
  for (const fragment of expect.not_text ?? []) {
    assert.ok(!response.text.includes(fragment), `${where}: text should not contain "${fragment}"\n--- text:\n${response.text}`);
  }
  const urls = (response.links ?? []).map((l) => l.url);
  for (const fragment of expect.links ?? []) {
    assert.ok(urls.some((url) => url.includes(fragment)), `${where}: no link containing "${fragment}" (got ${urls.join(', ')})`);
  }
  const ids = response.quick_replies.map((q) => q.id);
  for (const id of expect.buttons ?? []) assert.ok(ids.includes(id), `${where}: button ${id} missing (got ${ids.join(', ')})`);
  const types = response.events.map((e) => e.type);
  for (const type of expect.events ?? []) assert.ok(types.includes(type), `${where}: event ${type} missing (got ${types.join(', ')})`);
  if ('awaiting' in expect) assert.equal(response.awaiting, expect.awaiting, `${where}: awaiting`);
  const lookUps = response.events.filter((e) => e.type === 'live_request');
  if (expect.live === false) assert.deepEqual(lookUps, [], `${where}: no live_request expected`);
  else if ('live' in expect) assert.ok(lookUps.some((e) => e.kind === expect.live), `${where}: live_request ${expect.live} missing`);
  if ('live_params' in expect) {
    const lookUp = lookUps.find((e) => e.kind === expect.live);
    assert.deepEqual(lookUp?.params, expect.live_params, `${where}: live_request params`);
  }
  if ('handover' in expect) assert.equal(types.includes('handover_offer'), expect.handover, `${where}: handover offer`);
}

describe('conversations', () => {
  test('there are at least 40', () => assert.ok(files.length >= 40, `${files.length} conversation files`));
  for (const file of files) {
    const spec = YAML.parse(readFileSync(join(dir, file), 'utf8'));
    // A documented misreading of the current model runs as a TODO: reported on every run, not hidden,
    // and it does not fail the suite until the model is retrained.
    test(file, spec.known_issue ? { todo: spec.known_issue } : {}, async () => {
      const session = Session.create(understanding, packOf(spec.municipality), tsv, spec.municipality);
      try {
        session.welcome();
        for (const [i, turn] of spec.turns.entries()) {
          const where = `${file} turn ${i + 1} (${turn.say ?? turn.choose})`;
          const response = 'choose' in turn ? session.choose(turn.choose) : await session.send(turn.say);
          verify(response, turn.expect ?? {}, where);
        }
      } finally {
        session.close();
      }
    });
  }
});
