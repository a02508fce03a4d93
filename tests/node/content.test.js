// The content tooling: YAML positions, syntax errors with file and line, the real content passing the
// core's checker, and packs per municipality.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { ROOT, loadCore, loadTools } from '../../wasm/node.js';
import { withScratchCopy } from '../lib/content-scratch.js';
import { ContentSyntaxError, checkContent, dueForReview, packFor, parsePack, readYamlWithPositions } from '../../scripts/cli/content.js';

let tools;
before(async () => {
  tools = await loadTools();
});

describe('content', () => {
  test('the real content passes the checker', () => {
    const { errors } = checkContent(tools);
    assert.deepEqual(errors, []);
  });

  test('mappings carry their file and line', () => {
    const data = readYamlWithPositions(join(ROOT, 'content/products/paspoort.yml'));
    assert.equal(data._file, 'content/products/paspoort.yml');
    assert.match(data._at, /^content\/products\/paspoort\.yml:\d+$/);
    const line = readFileSync(join(ROOT, 'content/products/paspoort.yml'), 'utf8').split('\n').findIndex((l) => l.startsWith('sections:')) + 1;
    assert.equal(data._lines.sections, line);
  });

  test('a YAML syntax error names the file and line', () => {
    withScratchCopy((root) => {
    const file = join(root, 'content/products/afval.yml');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(3, 0, 'title: [unclosed');
    writeFileSync(file, lines.join('\n'));
    const { errors } = checkContent(tools, root);
    assert.ok(errors.length >= 1);
    assert.match(errors[0].at, /^content\/products\/afval\.yml:\d+$/);
    });
  });

  test('a duplicate key is an error with its line', () => {
    withScratchCopy((root) => {
    const file = join(root, 'content/variables.yml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}phone: {value: "twee keer"}\n`);
    const lineCount = readFileSync(file, 'utf8').trimEnd().split('\n').length;
    const { errors } = checkContent(tools, root);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].at, `content/variables.yml:${lineCount}`);
    assert.match(errors[0].message, /duplicate key/);
    });
  });

  test('a semantic error from the core names the file and line', () => {
    withScratchCopy((root) => {
    const file = join(root, 'content/products/hondenbelasting.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{fee.hondenbelasting}', '{fee.hond}'));
    const { errors } = checkContent(tools, root);
    assert.ok(errors.some((e) => /^content\/products\/hondenbelasting\.yml:\d+$/.test(e.at) && e.message.startsWith('unknown variable {fee.hond}')),
      JSON.stringify(errors));
    });
  });

  test('a product without a section residents ask about fails with the file and the key', () => {
    withScratchCopy((root) => {
      const file = join(root, 'content/products/melding_openbare_ruimte.yml');
      // Drop the 'kosten' section (its nl and en lines) that content/required-sections.yml asks for.
      const lines = readFileSync(file, 'utf8').split('\n');
      const start = lines.indexOf('  kosten:');
      assert.ok(start > 0, 'the product has a kosten section to remove');
      lines.splice(start, 3);
      writeFileSync(file, lines.join('\n'));
      const { errors } = checkContent(tools, root);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(errors[0].at, /^content\/products\/melding_openbare_ruimte\.yml:\d+$/);
      assert.match(errors[0].message, /has no section 'kosten', which residents ask about \(required by content\/required-sections\.yml:\d+\)/);
    });
  });

  test('a source due for review is listed by gem content due', () => {
    const { source } = checkContent(tools);
    const due = dueForReview(tools, source, { today: '2028-01-01', maxAgeMonths: 12 });
    assert.ok(due.some((d) => d.at.startsWith('content/municipalities/GM0599.yml:') && d.url.startsWith('https://')));
    assert.deepEqual(dueForReview(tools, source, { today: '2026-12-02', maxAgeMonths: 12 }), []);
    assert.ok(due.every((d, i) => i === 0 || due[i - 1].checked <= d.checked), 'oldest first');
  });

  test('packs carry each municipality\'s tone and values', () => {
    const { source } = checkContent(tools);
    const rotterdam = parsePack(packFor(tools, source, 'GM0599'));
    const tilburg = parsePack(packFor(tools, source, 'GM0855'));
    const zwolle = parsePack(packFor(tools, source, 'GM0193'));
    assert.equal(rotterdam.tone, 'je');
    assert.equal(tilburg.tone, 'u');
    assert.equal(rotterdam.variables.home.phone.nl, '14 010');
    assert.equal(tilburg.variables.fallback['fee.paspoort.adult'].nl, 'maximaal € 88,65');
    // Utrecht says "u hebt": the pack carries it in every u-form, written once as "heeft".
    const utrecht = JSON.stringify(parsePack(packFor(tools, source, 'GM0344')).products.rijbewijs);
    assert.match(utrecht, /\{Hebt u\|Heb je\}/);
    assert.doesNotMatch(utrecht, /Heeft u/);
    assert.match(JSON.stringify(tilburg.products.rijbewijs), /\{Heeft u\|Heb je\}/);
    // Zwolle has no file of its own: the almanac's values (tests/node/registers.test.js), the formal tone.
    assert.equal(zwolle.tone, 'u');
    assert.match(zwolle.variables.home.phone.nl, /^14 038$/);
    assert.throws(() => packFor(tools, source, 'GM9999'), /unknown municipality GM9999/);
  });

  test('the tooling is a module of its own: the core residents download has none of it', async () => {
    const core = await loadCore();
    assert.equal(typeof tools.compilePack, 'function');
    for (const name of ['checkContent', 'compilePack']) assert.equal(core[name], undefined, name);
    assert.equal(typeof core.Session, 'function');
  });
});
