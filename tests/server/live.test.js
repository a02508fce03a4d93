// Live data against the real gem-server on loopback: every endpoint, its validation and caching.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startGemServer } from '../lib/gem-server.js';

let server;
before(async () => { server = await startGemServer(); });
after(() => server?.stop());

const get = (path, headers = {}) => fetch(`${server.url}${path}`, { headers });
async function json(path, status = 200) {
  const res = await get(path);
  assert.equal(res.status, status, `${path}: ${res.status}`);
  return { res, body: await res.json() };
}
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODES = ['GM0599', 'GM0855', 'GM0344', 'GM0766', 'GM0505'];

test('opening hours: today, seven days, phone, cacheable', async () => {
  for (const gm of CODES) {
    const { res, body } = await json(`/v1/live/${gm}/opening-hours`);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(body.municipality, gm);
    assert.equal(typeof body.open_now, 'boolean');
    assert.equal(body.week.length, 7);
    assert.equal(body.today.date, body.week[0].date);
    assert.deepEqual(body.today.periods, body.week[0].periods);
    assert.match(body.phone, /^14 0\d+$/);
    for (const day of body.week) {
      assert.match(day.date, ISO_DATE);
      for (const p of day.periods) assert.ok(p.from < p.to, JSON.stringify(p));
      assert.ok(day.exception === null || (day.exception.nl && day.exception.en));
    }
    // Seven consecutive days.
    const dates = body.week.map((d) => Date.parse(`${d.date}T12:00:00Z`));
    for (let i = 1; i < 7; i++) assert.equal(dates[i] - dates[i - 1], 86400000);
  }
});

test('opening hours refuse query parameters (requests carry only what is needed)', async () => {
  const { body } = await json('/v1/live/GM0599/opening-hours?name=Jan', 400);
  assert.deepEqual([body.error, body.field], ['invalid_request', 'name']);
});

test('appointments: slots in the future, earliest first, limit, location', async () => {
  const { res, body } = await json('/v1/live/GM0599/appointments?product=paspoort&limit=5');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
  assert.equal(body.product, 'paspoort');
  assert.equal(body.slots.length, 5);
  assert.match(body.booking_url, /^https:\/\//);
  const starts = body.slots.map((s) => Date.parse(s.start));
  assert.ok(starts.every((t) => t > Date.now()), 'slots lie in the future');
  assert.deepEqual([...starts].sort((a, b) => a - b), starts);
  for (const s of body.slots) {
    assert.match(s.start, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+0[12]:00$/);
    assert.ok(s.location.name && s.location.address);
  }
  assert.equal((await json('/v1/live/GM0599/appointments?product=paspoort')).body.slots.length, 3, 'default limit 3');
  // Same request, same answer: availability is deterministic across requests (and instances).
  assert.deepEqual((await json('/v1/live/GM0599/appointments?product=paspoort&limit=5')).body, body);
  // A product the municipality does not book: no slots, not an error.
  assert.deepEqual((await json('/v1/live/GM0855/appointments?product=hondenbelasting')).body.slots, []);
});

test('appointments: validation', async () => {
  for (const [query, field] of [['', 'product'], ['product=paspoort&limit=0', 'limit'], ['product=paspoort&limit=11', 'limit'],
    ['product=paspoort&limit=x', 'limit'], ['product=pizza', 'product'], ['product=paspoort&postcode=3011AB', 'postcode']]) {
    const { body } = await json(`/v1/live/GM0599/appointments?${query}`, 400);
    assert.equal(body.error, 'invalid_request');
    assert.equal(body.field, field, query);
    assert.ok(body.reason.length > 5);
  }
});

test('waste: collections for a postcode and house number', async () => {
  const { res, body } = await json('/v1/live/GM0855/waste?postcode=5038%20ab&house_number=12-a');
  assert.equal(res.headers.get('cache-control'), 'private, max-age=3600');
  assert.equal(body.postcode, '5038AB');
  assert.equal(body.house_number, '12A');
  assert.ok(body.collections.length >= 6, 'four weeks of a two-weekly calendar with four streams');
  const streams = new Set(body.collections.map((c) => c.stream));
  assert.deepEqual([...streams].sort(), ['gft', 'papier', 'pmd', 'rest']);
  for (const c of body.collections) {
    assert.match(c.date, ISO_DATE);
    assert.ok(c.label.nl && c.label.en);
  }
  const dates = body.collections.map((c) => c.date);
  assert.deepEqual([...dates].sort(), dates);
});

test('waste: bad and unknown addresses', async () => {
  for (const [query, field] of [['house_number=1', 'postcode'], ['postcode=3011AB', 'house_number'],
    ['postcode=0123AB&house_number=1', 'postcode'], ['postcode=3011SS&house_number=1', 'postcode'],
    ['postcode=3011AB&house_number=0', 'house_number'], ['postcode=3011AB&house_number=123456', 'house_number'],
    ['postcode=3011AB&house_number=5%3Cb%3E', 'house_number'], ['postcode=3011AB&house_number=5&name=Jan', 'name']]) {
    const { body } = await json(`/v1/live/GM0599/waste?${query}`, 400);
    assert.equal(body.field, field, query);
  }
  // A Tilburg postcode is not Rotterdam's.
  assert.equal((await json('/v1/live/GM0599/waste?postcode=5038AB&house_number=1', 404)).body.error, 'not_found');
});

test('application status by reference plus postcode and house number, with a strict limit of its own', async () => {
  const own = await startGemServer();
  const get = async (query, status = 200) => {
    const res = await fetch(`${own.url}/v1/live/GM0599/status?${query}`);
    assert.equal(res.status, status, `${query}: ${res.status}`);
    return { res, body: await res.json() };
  };
  const address = 'postcode=3011%20ab&house_number=12';
  try {
    const { res, body } = await get(`reference=Z-2026-0042&${address}`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual([body.reference, body.product, body.status], ['Z-2026-0042', 'paspoort', 'ready']);
    assert.match(body.label.nl, /paspoort/);
    assert.match(body.updated, /^2026-11-20T14:00:00\+01:00$/);
    assert.equal((await get(`reference=Z-2026-0042&product=paspoort&${address}`)).body.status, 'ready');
    // Wrong product, unknown number, another address, another municipality's number: all the same 404.
    for (const q of [`reference=Z-2026-0042&product=rijbewijs&${address}`, `reference=Z-2026-9999&${address}`,
      'reference=Z-2026-0042&postcode=3011AB&house_number=13']) {
      assert.equal((await get(q, 404)).body.error, 'not_found');
    }
    // The reference alone is not enough.
    assert.equal((await get('reference=Z-2026-0042', 400)).body.field, 'postcode');
    assert.equal((await get('reference=Z-2026-0042&postcode=3011AB', 400)).body.field, 'house_number');
    assert.equal((await get('reference=abc&postcode=3011AB&house_number=12', 400)).body.field, 'reference');
    // 8 look-ups so far (bad ones count too); two more pass, then 429 with Retry-After, while other live
    // data still answers.
    await get(`reference=Z-2026-0042&${address}`);
    await get(`reference=Z-2026-0042&${address}`);
    const refused = await get(`reference=Z-2026-0107&${address}`, 429);
    assert.equal(refused.body.error, 'rate_limited');
    assert.ok(Number(refused.res.headers.get('retry-after')) >= 1);
    assert.equal((await fetch(`${own.url}/v1/live/GM0599/opening-hours`)).status, 200);
  } finally {
    await own.stop();
  }
  assert.equal((await json('/v1/live/GM0855/status?reference=Z-2026-0042&postcode=3011AB&house_number=12', 404)).body.error, 'not_found');
});

test('unknown municipality is 404, a malformed code 400', async () => {
  assert.equal((await json('/v1/live/GM9999/opening-hours', 404)).body.error, 'unknown_municipality');
  assert.equal((await json('/v1/live/GM12/opening-hours', 400)).body.error, 'invalid_request');
  assert.equal((await json('/v1/live/GM0599/unknown', 404)).body.error, 'not_found');
  assert.equal((await fetch(`${server.url}/v1/live/GM0599/opening-hours`, { method: 'POST' })).status, 405);
});
