// The content tooling: YAML positions, syntax errors with file and line, the real content passing the
// core's checker, and packs per municipality.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';

import { ROOT, loadCore } from '../../wasm/node.js';
import { withScratchCopy } from '../lib/content-scratch.js';
import { ContentSyntaxError, checkContent, packFor, readYamlWithPositions } from '../../scripts/cli/content.js';

let core;
before(async () => {
  core = await loadCore();
});

describe('content', () => {
  test('the real content passes the checker', () => {
    const { errors } = checkContent(core);
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
    const { errors } = checkContent(core, root);
    assert.ok(errors.length >= 1);
    assert.match(errors[0].at, /^content\/products\/afval\.yml:\d+$/);
    });
  });

  test('a duplicate key is an error with its line', () => {
    withScratchCopy((root) => {
    const file = join(root, 'content/variables.yml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}phone: {value: "twee keer"}\n`);
    const lineCount = readFileSync(file, 'utf8').trimEnd().split('\n').length;
    const { errors } = checkContent(core, root);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].at, `content/variables.yml:${lineCount}`);
    assert.match(errors[0].message, /duplicate key/);
    });
  });

  test('a semantic error from the core names the file and line', () => {
    withScratchCopy((root) => {
    const file = join(root, 'content/products/hondenbelasting.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{fee.hondenbelasting}', '{fee.hond}'));
    const { errors } = checkContent(core, root);
    assert.ok(errors.some((e) => /^content\/products\/hondenbelasting\.yml:\d+$/.test(e.at) && e.message.startsWith('unknown variable {fee.hond}')),
      JSON.stringify(errors));
    });
  });

  test('packs carry each municipality\'s tone and values', () => {
    const { source } = checkContent(core);
    const rotterdam = JSON.parse(packFor(core, source, 'GM0599'));
    const tilburg = JSON.parse(packFor(core, source, 'GM0855'));
    const zwolle = JSON.parse(packFor(core, source, 'GM0193'));
    assert.equal(rotterdam.tone, 'je');
    assert.equal(tilburg.tone, 'u');
    assert.notEqual(rotterdam.variables.home['fee.paspoort.adult'].nl, tilburg.variables.home['fee.paspoort.adult']?.nl ?? '');
    // Zwolle has no file of its own: the almanac's values (tests/node/registers.test.js), the formal tone.
    assert.equal(zwolle.tone, 'u');
    assert.match(zwolle.variables.home.phone.nl, /^14 038$/);
    assert.throws(() => packFor(core, source, 'GM9999'), /unknown municipality GM9999/);
  });
});
