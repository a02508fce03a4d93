// The national registers: the almanac export and product catalogues (real formats, fixtures in
// tests/fixtures/registers/), the committed snapshot, and how its values reach every municipality's pack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';

import { ROOT, loadTools } from '../../wasm/node.js';
import { withScratchCopy } from '../lib/content-scratch.js';
import { checkContent, packFor, parsePack, readMunicipalities } from '../../scripts/cli/content.js';
import { parseAlmanac } from '../../scripts/cli/registers/almanac.js';
import { parseCatalogue } from '../../scripts/cli/registers/catalogue.js';
import { ALMANAC_FILE, importAlmanac, importCatalogue, placeName } from '../../scripts/cli/registers/store.js';
import { ImportError } from '../../scripts/cli/registers/xml.js';

const FIXTURES = join(ROOT, 'tests/fixtures/registers');
const fixture = (name) => join(FIXTURES, name);
const gazetteer = readMunicipalities();
const quiet = { lines: [], write(s) { this.lines.push(...s.trimEnd().split('\n')); } };

let tools;
before(async () => {
  tools = await loadTools();
});

// The line of `fragment`, searching from `from` (a fragment that is not there fails the test).
function lineOf(text, fragment, from = 0) {
  const at = text.indexOf(fragment, from);
  assert.ok(at >= 0, `fixture has no "${fragment}"`);
  return text.slice(0, at).split('\n').length;
}

// A copy of a fixture with `edit` applied, in a scratch folder.
function broken(name, edit, use) {
  const dir = mkdtempSync(join(tmpdir(), 'gem-broken-'));
  try {
    const file = join(dir, name);
    writeFileSync(file, edit(readFileSync(fixture(name), 'utf8')));
    return use(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('almanac export', () => {
  const text = readFileSync(fixture('exportOO_gemeenten.xml'), 'utf8');
  const records = parseAlmanac(text, 'exportOO_gemeenten.xml');
  const byCode = new Map(records.map((r) => [r.code, r]));

  test('reads the top-level municipalities, not their departments or other organisations', () => {
    assert.deepEqual(records.map((r) => r.code), ['GM0193', 'GM1949', 'GM1892', 'GM0070', 'GM9998']);
    const zwolle = byCode.get('GM0193');
    assert.equal(zwolle.name, 'Gemeente Zwolle');
    assert.equal(zwolle.phone, '14 038');  // not the council's number nested below it
    assert.equal(zwolle.website, 'https://www.zwolle.nl');
    assert.equal(zwolle.contact, 'https://www.zwolle.nl/stuur-ons-een-bericht');  // the general form, not the permit desk's
    assert.equal(zwolle.appointment, 'https://www.zwolle.nl/afspraak-maken');
    assert.deepEqual(zwolle.visit, { street: 'Lubeckplein 2', postcode: '8017 JZ', city: 'ZWOLLE' });
    assert.deepEqual(zwolle.post, { street: 'Postbus 10007', postcode: '8000 GA', city: 'ZWOLLE' });
    assert.equal(zwolle.page, 'https://organisaties.overheid.nl/33731/Gemeente_Zwolle');
    assert.equal(zwolle.line, lineOf(text, '<p:organisatie p:systeemId="33731"'));
  });

  test('takes the CBS code from the TOOI identifier when there is no organisation code', () => {
    assert.equal(byCode.get('GM1949').name, 'Gemeente Waadhoeke');
    assert.equal(byCode.get('GM1949').line, lineOf(text, 'p:systeemId="23087139"'));
  });

  test('marks a municipality that has ended (merged away)', () => {
    assert.equal(byCode.get('GM0070').ended, '2018-01-01');
    assert.equal(byCode.get('GM0193').ended, '');
  });

  test('place names in capitals are written as names', () => {
    assert.equal(placeName('NIEUWERKERK AAN DEN IJSSEL'), 'Nieuwerkerk aan den IJssel');
    assert.equal(placeName("'S-HERTOGENBOSCH"), "'s-Hertogenbosch");
    assert.equal(placeName('DEN HELDER'), 'Den Helder');
    assert.equal(placeName('Capelle aan den IJssel'), 'Capelle aan den IJssel');
  });

  test('malformed XML names the file and line and writes nothing', () => {
    withScratchCopy((root) => {
      const snapshot = join(root, ALMANAC_FILE);
      const before = readFileSync(snapshot, 'utf8');
      broken('exportOO_gemeenten.xml', (t) => t.replace('<p:naam>Gemeente Waadhoeke</p:naam>', '<p:naam>Gemeente Waadhoeke</p:nam>'), (file) => {
        const line = lineOf(readFileSync(file, 'utf8'), '</p:nam>');
        assert.throws(() => importAlmanac(file, { root, gazetteer, checked: '2026-12-01', out: quiet }),
          (e) => e instanceof ImportError && e.at === `${file}:${line}` && /not well-formed XML/.test(e.message));
      });
      assert.equal(readFileSync(snapshot, 'utf8'), before);
    });
  });

  test('a municipality without a CBS code, a duplicate, a DOCTYPE or another document is an error with its line', () => {
    const cases = [
      [(t) => t.replace('<p:resourceIdentifier p:naam="Organisatiecode">gm1892</p:resourceIdentifier>', '').replace('p:resourceIdentifierTOOI="https://identifier.overheid.nl/tooi/id/gemeente/gm1892"', ''),
        'p:systeemId="33612"', /Gemeente Zuidplas: no CBS code/],
      [(t) => t.replaceAll('gm1892', 'gm0193'), 'p:systeemId="33612"', /GM0193 appears twice \(also at line \d+\)/],
      [(t) => t.replace('<p:overheidsorganisaties', '<!DOCTYPE x [<!ENTITY a "b">]>\n<p:overheidsorganisaties'), '<!DOCTYPE', /DOCTYPE is not expected/],
      [(t) => t.replaceAll('overheidsorganisaties', 'rapport'), null, /expected the almanac export/],
    ];
    for (const [edit, at, message] of cases) {
      broken('exportOO_gemeenten.xml', edit, (file) => {
        const line = at ? lineOf(readFileSync(file, 'utf8'), at) : 1;
        withScratchCopy((root) => assert.throws(() => importAlmanac(file, { root, gazetteer, checked: '2026-12-01', out: quiet }),
          (e) => e instanceof ImportError && e.at === `${file}:${line}` && message.test(e.message), String(message)));
      });
    }
  });

  test('import: values with source and date; missing municipalities reported and kept; unknown ones reported', () => {
    withScratchCopy((root) => {
      const out = { lines: [], write(s) { this.lines.push(...s.trimEnd().split('\n')); } };
      const result = importAlmanac(fixture('exportOO_gemeenten.xml'), { root, gazetteer, checked: '2026-12-01', out });
      assert.equal(result.written, 3);
      assert.equal(result.missing.length, gazetteer.length - 3);
      assert.ok(out.lines.includes('  missing from the export: GM0014 Groningen (kept from the previous import)'), out.lines.slice(0, 3).join('\n'));
      assert.ok(out.lines.some((l) => l.includes('GM9998 Gemeente Nieuwland')));
      const snapshot = parseYaml(readFileSync(join(root, ALMANAC_FILE), 'utf8')).municipalities;
      assert.equal(Object.keys(snapshot).length, gazetteer.length);
      assert.deepEqual(snapshot.GM0193.phone, { value: '14 038', source: 'https://organisaties.overheid.nl/33731/Gemeente_Zwolle', checked: '2026-12-01' });
      assert.notEqual(snapshot.GM0014.phone.checked, '2026-12-01');  // kept as it was
      assert.equal(snapshot.GM9998, undefined);
      assert.equal(snapshot.GM0070, undefined);
    });
  });

  test('the command line reports a malformed export and writes nothing', () => {
    const before = readFileSync(join(ROOT, ALMANAC_FILE), 'utf8');
    broken('exportOO_gemeenten.xml', (t) => t.replace('</p:organisaties>\n</p:overheidsorganisaties>', '</p:organisaties>'), (file) => {
      const run = spawnSync(join(ROOT, 'scripts/gem'), ['content', 'import-almanac', file], { encoding: 'utf8' });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: not well-formed XML`));
      assert.match(run.stdout, /import-almanac: nothing written/);
    });
    assert.equal(readFileSync(join(ROOT, ALMANAC_FILE), 'utf8'), before);
  });
});

describe('product catalogues', () => {
  test('Samenwerkende Catalogi XML: UPL, page and authority per product', () => {
    const text = readFileSync(fixture('sc-zwolle.xml'), 'utf8');
    const catalogue = parseCatalogue(text, 'sc-zwolle.xml');
    assert.equal(catalogue.format, 'Samenwerkende Catalogi');
    assert.deepEqual(catalogue.authorities, ['http://standaarden.overheid.nl/owms/terms/Zwolle_(gemeente)']);
    assert.deepEqual(catalogue.entries.map((e) => [e.upl[0].uri.split('/').pop(), e.page]), [
      ['paspoort', 'https://www.zwolle.nl/paspoort-aanvragen'],
      ['verhuismelding', 'https://www.zwolle.nl/verhuizing-doorgeven'],
      ['omgevingsvergunning_kap', 'https://www.zwolle.nl/boom-kappen'],
    ]);
    assert.equal(catalogue.entries[1].at, `sc-zwolle.xml:${lineOf(text, '<overheidproduct:scproduct', text.lastIndexOf('<overheidproduct:scproduct', text.indexOf('verhuizing-doorgeven')))}`);
  });

  test('import: the municipality found by its authority, mapped links set, the rest listed for the editor', () => {
    withScratchCopy((root) => {
      const out = { lines: [], write(s) { this.lines.push(...s.trimEnd().split('\n')); } };
      const result = importCatalogue(fixture('sc-zwolle.xml'), { root, gazetteer, checked: '2026-12-02', out });
      assert.equal(result.code, 'GM0193');
      assert.deepEqual(Object.keys(result.variables), ['url.paspoort', 'url.verhuizing']);
      assert.ok(out.lines.some((l) => /unmapped .*omgevingsvergunning kap: Boom kappen https:\/\/www\.zwolle\.nl\/boom-kappen/.test(l)), out.lines.join('\n'));
      const written = parseYaml(readFileSync(join(root, 'content/registers/catalogue/GM0193.yml'), 'utf8'));
      assert.deepEqual(written.variables['url.paspoort'], {
        value: 'https://www.zwolle.nl/paspoort-aanvragen', source: 'https://www.zwolle.nl/paspoort-aanvragen', checked: '2026-12-02',
        upl: 'http://standaarden.overheid.nl/owms/terms/paspoort',
      });
      assert.equal(written.unmapped[0].page, 'https://www.zwolle.nl/boom-kappen');

      // The catalogue's page wins over the national one; the almanac still gives the appointment page.
      const { errors, source } = checkContent(tools, root);
      assert.deepEqual(errors, []);
      const pack = parsePack(packFor(tools, source, 'GM0193', root));
      assert.equal(pack.variables.home['url.paspoort'].nl, 'https://www.zwolle.nl/paspoort-aanvragen');
      assert.equal(pack.variables.home['url.afspraak'].nl, 'https://www.zwolle.nl/afspraak-maken');
    });
  });

  test('product catalogue API JSON: products not offered are skipped, the API record is the source', () => {
    withScratchCopy((root) => {
      const result = importCatalogue(fixture('producten-waadhoeke.json'), { root, gazetteer, checked: '2026-12-02', out: quiet });
      assert.equal(result.code, 'GM1949');
      assert.deepEqual(Object.keys(result.variables), ['url.paspoort']);  // parkeervergunning: productAanwezig false
      assert.equal(result.variables['url.paspoort'].value, 'https://www.waadhoeke.nl/paspoort');
      assert.match(result.variables['url.paspoort'].source, /\/api\/v1\/producten\//);
      assert.deepEqual(result.unmapped.map((e) => e.upl[0].label), ['afvalpas']);
    });
  });

  test('malformed catalogues and a catalogue of another municipality are errors with file and line', () => {
    broken('producten-waadhoeke.json', (t) => t.replace('"upnLabel": "afvalpas",', '"upnLabel": "afvalpas"'), (file) => {
      const line = lineOf(readFileSync(file, 'utf8'), '"upnLabel": "afvalpas"') + 1;
      withScratchCopy((root) => assert.throws(() => importCatalogue(file, { root, gazetteer, out: quiet }),
        (e) => e instanceof ImportError && e.at === `${file}:${line}` && /not valid JSON/.test(e.message)));
    });
    broken('sc-zwolle.xml', (t) => t.replace('<dcterms:identifier>https://www.zwolle.nl/boom-kappen</dcterms:identifier>', ''), (file) => {
      const text = readFileSync(file, 'utf8');
      const line = lineOf(text, '<overheidproduct:scproduct', text.lastIndexOf('<overheidproduct:scproduct', text.indexOf('Boom kappen')));
      withScratchCopy((root) => assert.throws(() => importCatalogue(file, { root, gazetteer, out: quiet }),
        (e) => e.at === `${file}:${line}` && /without <dcterms:identifier>/.test(e.message)));
    });
    withScratchCopy((root) => {
      assert.throws(() => importCatalogue(fixture('sc-zwolle.xml'), { root, gazetteer, municipality: 'GM0014', out: quiet }),
        /this catalogue is of GM0193 \(its authority\), not GM0014/);
      assert.ok(!existsSync(join(root, 'content/registers/catalogue/GM0014.yml')));
    });
  });
});

describe('snapshot and packs', () => {
  const snapshot = parseYaml(readFileSync(join(ROOT, ALMANAC_FILE), 'utf8')).municipalities;

  test('the committed snapshot has every municipality of gemeenten.tsv with a website and phone number, sourced and dated', () => {
    for (const { code, name } of gazetteer) {
      const entry = snapshot[code];
      assert.ok(entry, `${code} ${name} missing from ${ALMANAC_FILE}`);
      for (const field of ['website', 'phone']) {
        assert.ok(entry[field]?.value, `${code} ${name}: no ${field}`);
        assert.match(entry[field].source, /^https:\/\/organisaties\.overheid\.nl\/\d+\//);
        assert.match(entry[field].checked, /^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });

  test('the content check fails when a municipality has no phone number', () => {
    withScratchCopy((root) => {
      const file = join(root, ALMANAC_FILE);
      const text = readFileSync(file, 'utf8');
      const start = text.indexOf('  GM0014:');
      const phone = text.indexOf('    phone:', start);
      writeFileSync(file, text.slice(0, phone) + text.slice(text.indexOf('\n', phone) + 1));
      const { errors } = checkContent(tools, root);
      assert.deepEqual(errors.map((e) => [e.at, e.message.split(':')[0]]), [[`${ALMANAC_FILE}:${lineOf(text, '  GM0014:')}`, 'GM0014 Groningen has no phone number']]);
    });
  });

  test('the demo page offers exactly the municipalities of gemeenten.tsv', () => {
    const page = readFileSync(join(ROOT, 'widget/demo/index.html'), 'utf8');
    const options = [...page.matchAll(/<option value="(GM\d{4})"[^>]*>([^<]*)<\/option>/g)].map((m) => m[1]).sort();
    assert.deepEqual(options, gazetteer.map((m) => m.code).sort());
  });

  test('every municipality gets its own values; hand-written ones still win', () => {
    const { errors, source } = checkContent(tools);
    assert.deepEqual(errors, []);
    const zwolle = parsePack(packFor(tools, source, 'GM0193')).variables.home;
    assert.equal(zwolle.phone.nl, snapshot.GM0193.phone.value);
    assert.equal(zwolle['url.website'].nl, snapshot.GM0193.website.value);
    assert.equal(zwolle['address.stadswinkel'].nl, 'het gemeentehuis (Lubeckplein 2, Zwolle)');
    for (const file of ['GM0344', 'GM0505', 'GM0599', 'GM0766', 'GM0855']) {
      const own = parseYaml(readFileSync(join(ROOT, `content/municipalities/${file}.yml`), 'utf8')).variables;
      const home = parsePack(packFor(tools, source, file)).variables.home;
      for (const [name, value] of Object.entries(own)) {
        const written = typeof value === 'string' ? value : value.value ?? value.nl;  // plain, {value, …} or {nl, en, …}
        assert.equal(home[name].nl, typeof written === 'string' ? written : written.nl, `${file} ${name}`);
      }
      if (!own.phone) assert.equal(home.phone.nl, snapshot[file].phone.value);
    }
  });
});
