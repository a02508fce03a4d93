// PII redaction through the real wasm core, as the widget calls it: core.redact(text).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { loadCore } from '../../wasm/node.js';

let core;
before(async () => {
  core = await loadCore();
});

const KINDS = ['bsn', 'iban', 'phone', 'email', 'address', 'birth_date', 'document_number', 'licence_plate'];

describe('core.redact', () => {
  test('replaces every kind with its placeholder and counts them', () => {
    const text =
      'BSN 123456782, IBAN NL91 ABNA 0417 1643 00, bel 06-12345678, mail jan@voorbeeld.nl, ' +
      'Kerkstraat 12a, geboren op 12-03-1985, paspoort NXC1234R5, kenteken AB-123-C';
    const r = core.redact(text);
    assert.equal(
      r.text,
      'BSN [BSN], IBAN [IBAN], bel [TELEFOON], mail [E-MAIL], [ADRES], geboren op [GEBOORTEDATUM], ' +
        'paspoort [DOCUMENTNUMMER], kenteken [KENTEKEN]',
    );
    assert.deepEqual(Object.keys(r.counts), KINDS);
    for (const kind of KINDS) assert.equal(r.counts[kind], 1, kind);
    assert.deepEqual(r.matches.map((m) => m.kind), KINDS);
  });

  test('match offsets are UTF-16 offsets into the original string', () => {
    const text = '😀 é Mijn nummer: 06 1234 5678 — 𝔘 BSN 1234.56.782 ✓';
    const r = core.redact(text);
    assert.deepEqual(
      r.matches.map((m) => [m.kind, text.slice(m.start, m.end)]),
      [
        ['phone', '06 1234 5678'],
        ['bsn', '1234.56.782'],
      ],
    );
    assert.equal(r.text, '😀 é Mijn nummer: [TELEFOON] — 𝔘 BSN [BSN] ✓');
  });

  test('keeps text that only looks personal', () => {
    for (const text of [
      'afspraak op 12-03-2026 om 10:30',
      'Het kost € 1.234,56',
      '123456789',
      'nummer 12',
      'postcode 3011 AB',
      'zaaknummer Z-2026-0042',
      'Wat kost een paspoort?',
      '',
    ]) {
      const r = core.redact(text);
      assert.equal(r.text, text);
      assert.deepEqual(r.matches, []);
      assert.ok(Object.values(r.counts).every((n) => n === 0), text);
    }
  });

  test('lone surrogates, NUL and a megabyte of digits', () => {
    const r = core.redact('\uD800 06-12345678 \u0000 \uDFFF');
    assert.equal(r.counts.phone, 1);
    assert.equal(r.text, '\uFFFD [TELEFOON] \u0000 \uFFFD');  // embind passes lone surrogates as U+FFFD
    assert.equal(core.redact('1'.repeat(1 << 20)).matches.length, 0);
    const many = 'BSN 123456782 '.repeat(50000);
    assert.equal(core.redact(many).counts.bsn, 50000);
  });

  test('anything but a string is a TypeError', () => {
    for (const bad of [undefined, null, 123456782, { text: 'x' }]) {
      assert.throws(() => core.redact(bad), { name: 'TypeError', message: /text must be a string/ });
    }
  });
});
