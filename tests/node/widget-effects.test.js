// The widget's effect modules without a browser: live look-ups (widget/src/live.js), the handover's
// availability check (widget/src/handover.js) and the privacy effect (widget/src/privacy.js), with a fake
// `fetch` and a fake redaction. The real server and core are tested in tests/browser/ and tests/server/.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { availability } from '../../widget/src/handover.js';
import { LiveLookUp, liveRequest } from '../../widget/src/live.js';
import { Privacy } from '../../widget/src/privacy.js';

function fakeFetch(status, body) {
  const urls = [];
  const fetchImpl = async (url) => {
    urls.push(url);
    if (status === 0) throw new TypeError('Failed to fetch');
    return { ok: status < 300, status, json: async () => body };
  };
  return { fetchImpl, urls };
}

test('liveRequest: each kind\'s path and exactly the protocol fields the core put in params', () => {
  assert.deepEqual(liveRequest({ kind: 'opening_hours', params: { municipality: 'GM0344', product: 'paspoort' } }, 'GM0599'),
    { path: 'v1/live/GM0344/opening-hours', query: {} });
  assert.deepEqual(liveRequest({ kind: 'appointment_slots', params: { municipality: 'Utrecht', product: 'paspoort' } }, 'GM0599'),
    { path: 'v1/live/GM0599/appointments', query: { product: 'paspoort', limit: '3' } });
  assert.deepEqual(liveRequest({ kind: 'waste_collection', params: { postcode: '3011AB', house_number: '5a', product: 'afval' } }, 'GM0599'),
    { path: 'v1/live/GM0599/waste', query: { postcode: '3011AB', house_number: '5a' } });
  assert.deepEqual(liveRequest({ kind: 'waste_collection', params: { postcode: '3011AB' } }, 'GM0599'),
    { error: { kind: 'invalid', field: 'house_number' } });
  // The status look-up sends the reference with its second factor, the address; an empty product is left out.
  assert.deepEqual(liveRequest({ kind: 'application_status',
    params: { municipality: 'GM0599', reference: 'Z-2026-0042', product: '', postcode: '3011 AB', house_number: '12', text: 'Z-2026-0042 3011 AB 12' } }, 'GM0599'),
    { path: 'v1/live/GM0599/status', query: { reference: 'Z-2026-0042', postcode: '3011 AB', house_number: '12' } });
  assert.deepEqual(liveRequest({ kind: 'application_status',
    params: { reference: 'Z-2026-0042', product: 'paspoort', postcode: '3011 AB', house_number: '12' } }, 'GM0599').query,
    { reference: 'Z-2026-0042', postcode: '3011 AB', house_number: '12', product: 'paspoort' });
  assert.deepEqual(liveRequest({ kind: 'application_status', params: { reference: 'Z 2026', postcode: '3011 AB', house_number: '12' } }, 'GM0599'),
    { error: { kind: 'invalid', field: 'reference' } });
  // Without the whole address nothing is sent: the server would refuse the reference alone.
  assert.deepEqual(liveRequest({ kind: 'application_status', params: { reference: 'Z-2026-0042', house_number: '12' } }, 'GM0599'),
    { error: { kind: 'invalid', field: 'postcode' } });
  assert.deepEqual(liveRequest({ kind: 'application_status', params: { reference: 'Z-2026-0042', postcode: '3011 AB', house_number: '<b>' } }, 'GM0599'),
    { error: { kind: 'invalid', field: 'house_number' } });
  assert.deepEqual(liveRequest({ kind: 'weather', params: {} }, 'GM0599'), { error: { kind: 'invalid', field: 'kind' } });
});

test('LiveLookUp: the server\'s answer or its error kind; offline and without a server nothing is fetched', async () => {
  const event = { kind: 'opening_hours', params: {} };
  const ok = fakeFetch(200, { open_now: true });
  assert.deepEqual(await new LiveLookUp({ server: 'https://s.example', municipality: 'GM0599', fetchImpl: ok.fetchImpl }).lookUp(event),
    { data: { open_now: true } });
  assert.deepEqual(ok.urls, ['https://s.example/v1/live/GM0599/opening-hours']);
  const cases = [[404, { error: 'unknown_municipality' }, 'unknown_municipality', ''], [400, { error: 'invalid_request', field: 'postcode' }, 'invalid', 'postcode'],
    [429, {}, 'busy', ''], [503, { error: 'unavailable' }, 'unreachable', ''], [0, null, 'unreachable', '']];
  for (const [status, body, kind, field] of cases) {
    const { fetchImpl } = fakeFetch(status, body);
    assert.deepEqual(await new LiveLookUp({ server: 'https://s.example', municipality: 'GM0599', fetchImpl }).lookUp(event),
      { error: { kind, field } }, `HTTP ${status}`);
  }
  const none = fakeFetch(200, {});
  assert.deepEqual(await new LiveLookUp({ server: '', municipality: 'GM0599', fetchImpl: none.fetchImpl }).lookUp(event),
    { error: { kind: 'not_connected', field: '' } });
  assert.deepEqual(await new LiveLookUp({ server: '', municipality: 'GM0599', fetchImpl: none.fetchImpl, online: () => false }).lookUp(event),
    { error: { kind: 'offline', field: '' } });
  assert.deepEqual(none.urls, []);
});

test('availability: the event for the core — unavailable, failed, closed, no_agent or consent', async () => {
  const alternatives = { phone: '14 010' };
  const check = (status, body, server = 'https://s.example') => availability({ server, municipality: 'GM0599', fetchImpl: fakeFetch(status, body).fetchImpl });
  assert.deepEqual(await check(200, {}, ''), { type: 'unavailable' });
  assert.deepEqual(await check(0, null), { type: 'failed' });
  assert.deepEqual(await check(200, { open: false, agents_available: 0, alternatives }), { type: 'closed', alternatives });
  assert.deepEqual(await check(200, { open: true, agents_available: 0, alternatives }), { type: 'no_agent', alternatives });
  assert.deepEqual(await check(200, { open: true, agents_available: 2, queue_length: 1, eta_seconds: 90, alternatives }),
    { type: 'consent', queue_length: 1, eta_seconds: 90 });
});

test('privacy: one redaction per message; the transcript keeps the newest redacted items that fit in one frame', async () => {
  let calls = 0;
  const privacy = new Privacy((text) => {
    calls += 1;
    return { text: text.replace(/\d{9}/g, '[BSN]'), counts: {} };
  });
  const messages = [
    { role: 'bot', text: 'Welkom **bij** Gem.', links: [] },
    { role: 'user', text: 'mijn bsn is 111222333' },
    { role: 'note', text: 'Deel geen BSN.' },
    { role: 'live', text: 'Open:', items: ['maandag 9–17'] },
  ];
  assert.equal(privacy.of(messages[1]), privacy.of(messages[1]));
  assert.equal(calls, 1);
  const transcript = await privacy.transcript(messages, { type: 'start', municipality: 'GM0599' });
  assert.deepEqual(transcript, [{ role: 'assistant', text: 'Welkom bij Gem.' }, { role: 'resident', text: 'mijn bsn is [BSN]' },
    { role: 'assistant', text: 'Open: maandag 9–17' }]);
  assert.equal(calls, 3);
  // Long conversations: only what fits in 4 KiB, newest first kept, each item at most 600 characters.
  const long = Array.from({ length: 30 }, (_, i) => ({ role: 'user', text: `${i} ${'x'.repeat(700)}` }));
  const kept = await privacy.transcript(long, { type: 'start', municipality: 'GM0599' });
  assert.ok(kept.length >= 5 && kept.length < 30, String(kept.length));
  assert.match(kept.at(-1).text, /^29 /);
  assert.ok(kept.every((item) => item.text.length === 600 && item.text.endsWith('…')));
  assert.ok(Buffer.byteLength(JSON.stringify({ type: 'start', municipality: 'GM0599', transcript: kept })) <= 4000);
});
