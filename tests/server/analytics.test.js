// Analytics end to end against the real gem-server: enumerated events in, daily counts out through
// the signed-in dashboard API, in SQLite (default) and in a real PostgreSQL started on loopback,
// shared by two server instances.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { serverBinary, startGemServer } from '../lib/gem-server.js';
import { postgresBin, startPostgres } from '../lib/postgres.js';

const PASSWORD = 'correct horse battery staple';

function addAccount(server, name, role, municipalities) {
  const args = ['--config', server.configFile, 'add-account', name, '--role', role, '--display-name', name];
  for (const gm of municipalities) args.push('--municipality', gm);
  const r = spawnSync(serverBinary(), args, { env: { ...process.env, GEM_DATA_DIR: server.dataDir, GEM_ACCOUNT_PASSWORD: PASSWORD },
    encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

async function signIn(server, name) {
  const res = await fetch(`${server.url}/v1/agent/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: name, password: PASSWORD }) });
  assert.equal(res.status, 200, await res.clone().text());
  return res.headers.get('set-cookie').split(';')[0];
}

async function sendEvents(server, municipality, events) {
  const res = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ municipality, events }) });
  assert.equal(res.status, 204, await res.text());
}

async function dashboard(server, cookie, gm, query = '') {
  const res = await fetch(`${server.url}/v1/dashboard/${gm}${query}`, { headers: cookie ? { Cookie: cookie } : {} });
  return { status: res.status, body: await res.json() };
}

const PILOT_DAY = [
  { type: 'conversation_started' }, { type: 'conversation_started' }, { type: 'conversation_started' }, { type: 'conversation_started' },
  { type: 'understood_first_time' }, { type: 'understood_first_time' }, { type: 'understood_first_time' },
  { type: 'understood_after_clarification' }, { type: 'not_understood' },
  { type: 'answer', product: 'paspoort', aspect: 'kosten' }, { type: 'answer', product: 'paspoort', aspect: null },
  { type: 'answer', product: 'afval', aspect: 'wanneer' },
  { type: 'handover_requested' }, { type: 'handover_accepted' },
  { type: 'thumbs_up' }, { type: 'nps', score: 10 }, { type: 'nps', score: 9 }, { type: 'nps', score: 4 }, { type: 'nps', score: 8 },
];

function assertPilotFigures(body, times = 1) {
  assert.equal(body.totals.conversations, 4 * times);
  assert.equal(body.totals.handover_requested, 1 * times);
  assert.equal(body.figures.containment, 0.75);
  assert.equal(body.figures.handover_rate, 0.25);
  assert.equal(body.figures.first_time_right, 0.6);
  assert.equal(body.figures.clarification_rate, 0.2);
  assert.equal(body.figures.nps, 25);  // 2 promoters, 1 detractor of 4
  assert.deepEqual(body.top_products, [{ product: 'paspoort', count: 2 * times }, { product: 'afval', count: 1 * times }]);
  assert.equal(body.daily.length, 1);
  assert.equal(body.daily[0].conversation_started, 4 * times);
}

describe('analytics in SQLite', () => {
  let server;
  before(async () => {
    server = await startGemServer();
    addAccount(server, 'rotterdam-teamlead', 'agent', ['GM0599']);
  });
  after(() => server?.stop());

  test('counts per municipality per day, figures for the signed-in dashboard', async () => {
    await sendEvents(server, 'GM0599', PILOT_DAY.slice(0, 10));
    await sendEvents(server, 'GM0599', PILOT_DAY.slice(10));
    await sendEvents(server, 'GM0855', [{ type: 'conversation_started' }]);
    const cookie = await signIn(server, 'rotterdam-teamlead');
    const { status, body } = await dashboard(server, cookie, 'GM0599');
    assert.equal(status, 200);
    assert.equal(body.municipality, 'GM0599');
    assertPilotFigures(body);
    // Another municipality's counts stay apart, and its dashboard is not this account's.
    assert.equal((await dashboard(server, cookie, 'GM0855')).status, 403);
  });

  test('the dashboard needs a signed-in account and valid dates', async () => {
    assert.equal((await dashboard(server, null, 'GM0599')).status, 401);
    assert.equal((await dashboard(server, 'gem_session=forged', 'GM0599')).status, 401);
    const cookie = await signIn(server, 'rotterdam-teamlead');
    for (const q of ['?from=2026-13-01', '?from=2026-11-23&to=2026-11-01', '?from=2020-01-01&to=2026-01-01']) {
      const { status, body } = await dashboard(server, cookie, 'GM0599', q);
      assert.equal(status, 400, q);
      assert.equal(body.error, 'invalid_request');
    }
    const { body } = await dashboard(server, cookie, 'GM0599', '?from=2020-01-01&to=2020-01-31');
    assert.equal(body.totals.conversations, 0);
    assert.equal(body.figures.nps, null);
  });

  test('the /dashboard page is served with the strict CSP', async () => {
    const res = await fetch(`${server.url}/dashboard`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(await res.text(), /<script src="\/dashboard\/dashboard.js" defer><\/script>/);
    assert.equal((await fetch(`${server.url}/dashboard/dashboard.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8');
  });
});

describe('analytics in PostgreSQL, shared by two instances', { skip: postgresBin() ? false : 'Debian postgresql not installed' }, () => {
  let pg;
  before(async () => { pg = await startPostgres(); });
  after(() => pg?.stop());

  test('events sent to either instance add up in one table; no visitor columns', async () => {
    const a = await startGemServer({ env: { GEM_POSTGRES_URL: pg.url } });
    const b = await startGemServer({ env: { GEM_POSTGRES_URL: pg.url } });
    try {
      await sendEvents(a, 'GM0599', PILOT_DAY);
      await sendEvents(b, 'GM0599', PILOT_DAY);
      addAccount(a, 'lead', 'agent', ['GM0599']);
      const { status, body } = await dashboard(a, await signIn(a, 'lead'), 'GM0599');
      assert.equal(status, 200);
      assertPilotFigures(body, 2);
      const { psql } = pg;
      assert.equal(psql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'gem_daily_counts'"),
        'municipality,day,counter,count');
      assert.equal(psql("SELECT count FROM gem_daily_counts WHERE counter = 'conversation_started'"), '8');
      assert.equal(existsSync(join(a.dataDir, 'analytics.sqlite')), false, 'not in SQLite when PostgreSQL is configured');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('an unreachable PostgreSQL stops the server at start with a clear message', async () => {
    await assert.rejects(startGemServer({ env: { GEM_POSTGRES_URL: 'postgresql://postgres@127.0.0.1:1/gem' } }),
      /cannot connect to PostgreSQL/);
  });
});
