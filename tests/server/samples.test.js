// Samples (#19) end to end against the real gem-server: the resident's POST /v1/samples (CORS, bounds,
// errors, rate limit, the server's own redaction), roles on staff accounts (agents see no samples,
// editors only their municipalities), labelling, deletion, export, what the SQLite file holds, and
// retention; then the same store in a real PostgreSQL shared by two instances.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';

import { ROOT, startGemServer } from '../lib/gem-server.js';
import { postgresBin, startPostgres } from '../lib/postgres.js';
import { addAccount, agent, handoverSetup, login, RESIDENT_ORIGIN, startServer } from './handover_fixture.js';

const SAMPLE = {
  municipality: 'GM0599', lang: 'nl', text: 'wat kost een paspoort voor mijn dochter', reason: 'not_understood',
  understood: { intent: 'product_vraag', product: 'paspoort', aspect: null },
};
// The privacy browser test's corpus (tests/browser/privacy.test.js): what the server's redaction must catch.
const PII = ['123456782', '06-12345678', '+31 6 87654321', 'j.devries@example.nl', 'NL91ABNA0417164300', '12-03-1985', 'Coolsingel 127'];

function share(server, body, { origin = RESIDENT_ORIGIN, raw } = {}) {
  return fetch(`${server.url}/v1/samples`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin },
    body: raw ?? JSON.stringify(body) });
}

async function staff(server, name, method, path, body) {
  const { cookie, csrf } = await login(server, name);
  const res = await fetch(`${server.url}${path}`, { method, headers: { Cookie: cookie, 'X-CSRF-Token': csrf,
    ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

const inbox = (server, name, gm = 'GM0599') => staff(server, name, 'GET', `/v1/staff/samples?municipality=${gm}`);

// The data-flow statement (docs/privacy/data-flow.json) must describe what the server accepts and stores.
const FLOW = JSON.parse(readFileSync(join(ROOT, 'docs/privacy/data-flow.json'), 'utf8'));
const SHARE = FLOW.resident_requests.find((r) => r.id === 'samples-share');
const STORED = FLOW.server.storage.find((s) => s.what === 'shared samples');
const COLUMNS = 'id,day,municipality,lang,text,reason,understood_intent,understood_product,understood_aspect,label_kind,label_intent,label_product,label_aspect';

function sqlite(file, sql) {
  return execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();
}

function dataBytes(dir) {
  return readdirSync(dir).filter((f) => f.startsWith('samples.sqlite')).map((f) => readFileSync(join(dir, f), 'latin1')).join('');
}

test('data-flow.json lists the sample request with the label set, and the columns the server stores', () => {
  const validate = new Ajv2020({ strict: true }).compile({ ...SHARE.body, $defs: FLOW.$defs });
  assert.equal(validate(SAMPLE), true, JSON.stringify(validate.errors));
  for (const bad of [{ ...SAMPLE, session: 'x' }, { ...SAMPLE, text: 'x'.repeat(501) }, { ...SAMPLE, understood: { intent: 'Jan' } }]) {
    assert.equal(validate(bad), false, JSON.stringify(bad));
  }
  const { labels } = JSON.parse(readFileSync(join(ROOT, 'models/gem-nlu.json'), 'utf8'));
  assert.deepEqual(FLOW.$defs.intent.enum, [null, ...labels.intent]);
  assert.equal(STORED.columns.join(','), COLUMNS);
  assert.deepEqual(SHARE.body_typed_text, ['text']);
  for (const id of ['samples-inbox', 'samples-label', 'samples-delete', 'samples-export']) {
    assert.ok(FLOW.staff_requests.some((r) => r.id === id), id);
  }
});

describe('samples in SQLite', () => {
  let server;
  const setup = handoverSetup();
  before(async () => {
    server = await startServer(setup);
    addAccount(server, 'redacteur', ['GM0599'], 'editor');
    addAccount(server, 'tilburg', ['GM0855'], 'editor');
    addAccount(server, 'kcc', ['GM0599'], 'agent');
    addAccount(server, 'beheer', ['GM0344'], 'admin');
  });
  after(() => server?.stop());

  test('a resident shares one question: 204, from the municipality\'s website (CORS)', async () => {
    const preflight = await fetch(`${server.url}/v1/samples`, { method: 'OPTIONS', headers: { Origin: RESIDENT_ORIGIN,
      'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
    const res = await share(server, SAMPLE);
    assert.equal(res.status, 204, await res.text());
    assert.equal(res.headers.get('access-control-allow-origin'), RESIDENT_ORIGIN);
    assert.equal(res.headers.get('set-cookie'), null);
    // Tilburg's website cannot send Rotterdam's samples.
    assert.equal((await share(server, SAMPLE, { origin: 'https://www.tilburg.nl' })).status, 403);
  });

  test('bad samples get a clear error and are not stored', async () => {
    const cases = [
      [{ ...SAMPLE, session: 'abc' }, 400, 'session'],
      [{ ...SAMPLE, reason: 'bored' }, 400, 'reason'],
      [{ ...SAMPLE, text: 'x'.repeat(501) }, 400, 'text'],
      [{ ...SAMPLE, understood: { intent: 'product_vraag', product: 'Jan de Vries' } }, 400, 'understood.product'],
      [{ ...SAMPLE, municipality: 'GM9999' }, 404, undefined],
    ];
    for (const [body, status, field] of cases) {
      const res = await share(server, body);
      assert.equal(res.status, status, JSON.stringify(body));
      const answer = await res.json();
      if (field) assert.deepEqual([answer.error, answer.field], ['invalid_request', field]);
      else assert.equal(answer.error, 'unknown_municipality');
    }
    assert.equal((await share(server, null, { raw: JSON.stringify({ ...SAMPLE, text: 'x'.repeat(2100) }) })).status, 413);
    const plain = await fetch(`${server.url}/v1/samples`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify(SAMPLE) });
    assert.equal(plain.status, 400);
    const { body } = await inbox(server, 'redacteur');
    assert.equal(body.samples.length, 1, 'only the valid sample of the first test');
  });

  test('the server redacts again: no personal data from the test corpus is stored', async () => {
    const text = `Mijn BSN is ${PII[0]}. Bel ${PII[1]} of ${PII[2]}, mail ${PII[3]}. Rekening ${PII[4]}. Geboren op ${PII[5]}, ik woon op ${PII[6]}.`;
    assert.equal((await share(server, { ...SAMPLE, text, reason: 'thumbs_down' })).status, 204);
    const { body } = await inbox(server, 'redacteur');
    const stored = body.samples.find((s) => s.reason === 'thumbs_down');
    assert.match(stored.text, /\[BSN\]/);
    assert.deepEqual(PII.filter((p) => stored.text.includes(p)), []);
    assert.deepEqual(PII.filter((p) => dataBytes(server.dataDir).includes(p)), [], 'not in the SQLite file either');
  });

  test('roles: agents see no samples, editors only their municipalities, admins all', async () => {
    assert.equal((await inbox(server, 'kcc')).status, 403);
    assert.equal((await inbox(server, 'redacteur', 'GM0855')).status, 403);
    assert.equal((await inbox(server, 'tilburg')).status, 403);
    assert.equal((await inbox(server, 'beheer')).status, 200);
    assert.equal((await fetch(`${server.url}/v1/staff/samples?municipality=GM0599`)).status, 401);
    const { status, body } = await inbox(server, 'redacteur');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body.samples[0]).sort(), ['date', 'id', 'label', 'lang', 'municipality', 'reason', 'text', 'understood']);
    assert.match(body.samples[0].date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal((await inbox(server, 'redacteur', 'GM9999')).status, 404);
    // A staff page on another origin cannot read the inbox.
    const { cookie } = await login(server, 'redacteur');
    const foreign = await fetch(`${server.url}/v1/staff/samples?municipality=GM0599`, { headers: { Cookie: cookie, Origin: RESIDENT_ORIGIN } });
    assert.equal(foreign.status, 403);
    // Editors do not take residents' live conversations.
    const socket = await agent(server, cookie);
    assert.equal((await socket.next('error')).error, 'forbidden');
    await socket.closed;
  });

  test('an editor labels, marks and deletes; the export holds only taxonomy-labelled samples', async () => {
    for (const text of ['mag ik een dakkapel bouwen', 'hoe laat gaat de bioscoop open']) assert.equal((await share(server, { ...SAMPLE, text })).status, 204);
    const { body } = await inbox(server, 'redacteur');
    const id = (text) => body.samples.find((s) => s.text === text).id;
    const dakkapel = id('mag ik een dakkapel bouwen');
    const bioscoop = id('hoe laat gaat de bioscoop open');
    const paspoort = id(SAMPLE.text);

    const { cookie } = await login(server, 'redacteur');
    const noCsrf = await fetch(`${server.url}/v1/staff/samples/${dakkapel}/label`, { method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: JSON.stringify({ intent: 'product_vraag' }) });
    assert.equal(noCsrf.status, 403);
    const labelled = await staff(server, 'redacteur', 'POST', `/v1/staff/samples/${dakkapel}/label`,
      { intent: 'product_vraag', product: 'omgevingsvergunning', aspect: 'aanvragen' });
    assert.equal(labelled.status, 200, JSON.stringify(labelled.body));
    assert.deepEqual(labelled.body.label, { kind: 'taxonomy', intent: 'product_vraag', product: 'omgevingsvergunning', aspect: 'aanvragen' });
    assert.equal((await staff(server, 'redacteur', 'POST', `/v1/staff/samples/${dakkapel}/label`, { intent: 'product_vraag', product: 'fiets' })).status, 400);
    assert.equal((await staff(server, 'redacteur', 'POST', `/v1/staff/samples/${bioscoop}/label`, { kind: 'out_of_scope' })).status, 200);
    // Tilburg's editor cannot touch (or find) Rotterdam's samples; an agent cannot either.
    assert.equal((await staff(server, 'tilburg', 'DELETE', `/v1/staff/samples/${paspoort}`)).status, 404);
    assert.equal((await staff(server, 'kcc', 'DELETE', `/v1/staff/samples/${paspoort}`)).status, 403);
    assert.equal((await staff(server, 'redacteur', 'DELETE', `/v1/staff/samples/${paspoort}`)).status, 204);
    assert.equal((await staff(server, 'redacteur', 'DELETE', `/v1/staff/samples/${paspoort}`)).status, 404);
    assert.equal(dataBytes(server.dataDir).includes(SAMPLE.text), false, 'a deleted sample leaves no text in the file');

    const after = (await inbox(server, 'redacteur')).body;
    assert.equal(after.samples.some((s) => s.id === paspoort), false);
    assert.deepEqual(after.failures.products.find((p) => p.product === 'omgevingsvergunning'), { product: 'omgevingsvergunning', count: 1 });
    assert.equal(after.failures.out_of_scope, 1);

    const exported = await staff(server, 'redacteur', 'GET', '/v1/staff/samples/export');
    assert.equal(exported.status, 200);
    assert.equal(exported.body.format, 1);
    assert.deepEqual(exported.body.samples.map((s) => s.id), [dakkapel]);
    assert.equal(exported.body.samples[0].text, 'mag ik een dakkapel bouwen');
    assert.equal((await staff(server, 'kcc', 'GET', '/v1/staff/samples/export')).status, 403);
    assert.deepEqual((await staff(server, 'tilburg', 'GET', '/v1/staff/samples/export')).body.samples, []);
    assert.deepEqual((await staff(server, 'beheer', 'GET', '/v1/staff/samples/export')).body.samples.map((s) => s.id), [dakkapel]);
  });

  test('the SQLite file holds the day, the language, the redacted text and labels: no address, no session', async () => {
    const file = join(server.dataDir, 'samples.sqlite');
    assert.equal(sqlite(file, "SELECT group_concat(name, ',') FROM pragma_table_info('samples')"), COLUMNS, 'as data-flow.json lists them');
    assert.match(sqlite(file, 'SELECT DISTINCT day FROM samples'), /^\d{4}-\d{2}-\d{2}$/);
    const bytes = dataBytes(server.dataDir);
    assert.equal(bytes.includes('127.0.0.1'), false, 'no client address');
    const { cookie, csrf } = await login(server, 'redacteur');
    assert.equal(bytes.includes(cookie.split('=')[1]) || bytes.includes(csrf), false, 'no session');
    assert.doesNotMatch(server.logs(), /dakkapel|bioscoop/, 'no text in the log');
  });

  test('too many samples from one address: 429 with Retry-After', async () => {
    let res;
    for (let i = 0; i < 25; i++) {
      res = await share(server, { ...SAMPLE, text: `vraag ${i}` });
      if (res.status === 429) break;
    }
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
  });
});

test('retention: the sweeper deletes samples older than samples.retention_days when the server starts', async () => {
  const setup = handoverSetup({ samples: { retention_days: 30 } });
  let server = await startGemServer(setup);
  addAccount(server, 'redacteur', ['GM0599'], 'editor');
  assert.equal((await share(server, SAMPLE)).status, 204);
  await server.stop();
  const file = join(setup.dataDir, 'samples.sqlite');
  const old = new Date(Date.now() - 31 * 86400000).toISOString().slice(0, 10);
  const kept = new Date(Date.now() - 29 * 86400000).toISOString().slice(0, 10);
  sqlite(file, `INSERT INTO samples (id, day, municipality, lang, text, reason) VALUES
    ('00000000000000aa', '${old}', 'GM0599', 'nl', 'te oud om te bewaren', 'not_understood'),
    ('00000000000000bb', '${kept}', 'GM0599', 'nl', 'nog net bewaard', 'not_understood')`);
  server = await startGemServer(setup);
  try {
    let texts = [];
    for (let i = 0; i < 50; i++) {
      texts = (await inbox(server, 'redacteur')).body.samples.map((s) => s.text);
      if (!texts.includes('te oud om te bewaren')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(texts.sort(), ['nog net bewaard', SAMPLE.text].sort());
    assert.equal(dataBytes(setup.dataDir).includes('te oud om te bewaren'), false);
    await assert.rejects(startGemServer({ config: { samples: { retention_days: 0 } } }), /samples.retention_days/);
  } finally {
    await server.stop();
  }
});

describe('samples in PostgreSQL, shared by two instances', { skip: postgresBin() ? false : 'Debian postgresql not installed' }, () => {
  let pg;
  before(async () => { pg = await startPostgres(); });
  after(() => pg?.stop());

  test('a sample sent to one instance is labelled on the other; the table has no resident columns', async () => {
    const a = await startGemServer({ ...handoverSetup(), env: { GEM_POSTGRES_URL: pg.url } });
    const b = await startGemServer({ ...handoverSetup(), env: { GEM_POSTGRES_URL: pg.url } });
    try {
      assert.equal((await share(a, SAMPLE)).status, 204);
      assert.equal((await share(a, { ...SAMPLE, text: `mijn BSN is ${PII[0]}`, reason: 'thumbs_down' })).status, 204);
      addAccount(b, 'redacteur', ['GM0599'], 'editor');
      const { body } = await inbox(b, 'redacteur');
      assert.deepEqual(body.samples.map((s) => s.text).sort(), ['mijn BSN is [BSN]', SAMPLE.text]);
      const id = body.samples.find((s) => s.text === SAMPLE.text).id;
      assert.equal((await staff(b, 'redacteur', 'POST', `/v1/staff/samples/${id}/label`, { intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' })).status, 200);
      const other = body.samples.find((s) => s.text !== SAMPLE.text).id;
      assert.equal((await staff(b, 'redacteur', 'DELETE', `/v1/staff/samples/${other}`)).status, 204);
      assert.deepEqual((await staff(b, 'redacteur', 'GET', '/v1/staff/samples/export')).body.samples.map((s) => [s.id, s.label.aspect]), [[id, 'kosten']]);
      assert.equal(pg.psql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'gem_samples'"),
        COLUMNS);
      assert.equal(pg.psql('SELECT count(*) FROM gem_samples'), '1');
      assert.equal(pg.psql("SELECT count(*) FROM gem_samples WHERE text LIKE '%123456782%'"), '0');
      assert.equal(existsSync(join(a.dataDir, 'samples.sqlite')), false, 'not in SQLite when PostgreSQL is configured');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
