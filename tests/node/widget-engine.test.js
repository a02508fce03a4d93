// The panel's side of the engine (widget/src/engine.js) with a scripted engine: what it asks of the engine and
// when. The real engine, in its worker and on the main thread, is tested in tests/browser/.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { engineLink } from '../../widget/src/engine.js';

// An engine that records its calls; `open` brings the welcome when it is given a language, as EngineHost.open does.
function scriptedEngine() {
  const calls = [];
  const mirror = (n) => ({ saved: `state ${n}`, state: { lang: 'nl' }, ui: { feedback: 'Had je hier iets aan?' } });
  return {
    calls,
    async call(request) {
      calls.push(request);
      if (request.method === 'open') {
        const lang = request.args?.[0]?.lang;
        return { session: 7, municipalityName: 'Rotterdam', welcome: lang ? { text: `welkom (${lang})` } : null, mirror: mirror(calls.length) };
      }
      return { result: { text: `${request.method} ${JSON.stringify(request.args ?? [])}` }, mirror: mirror(calls.length) };
    },
  };
}

test('a conversation opens in the page\'s language with its welcome: the welcome costs no second call', async () => {
  const engine = scriptedEngine();
  const link = engineLink({ start: async () => engine, forget: () => assert.fail('nothing failed') });
  const session = await link.load({ lang: 'en' });
  assert.deepEqual(engine.calls, [{ method: 'open', args: [{ lang: 'en' }] }]);
  assert.equal(link.municipalityName, 'Rotterdam');
  assert.deepEqual(await session.welcome(), { text: 'welkom (en)' });
  assert.equal(engine.calls.length, 1, 'the welcome came with the opening');
  assert.equal(session.save(), 'state 1');

  // Once used, or once the conversation moved on, a welcome is the engine's again.
  await session.welcome();
  await session.setLanguage('nl');
  await session.welcome();
  assert.deepEqual(engine.calls.slice(1).map((c) => [c.method, c.session]), [['welcome', 7], ['setLanguage', 7], ['welcome', 7]]);
});

test('a restore before the welcome: the welcome that came with the opening is not used for the restored conversation', async () => {
  const engine = scriptedEngine();
  const session = await engineLink({ start: async () => engine, forget: () => {} }).load({ lang: 'nl' });
  await session.restore('{"saved": true}');
  assert.deepEqual(await session.welcome(), { text: 'welcome []' });
  assert.deepEqual(engine.calls.map((c) => c.method), ['open', 'restore', 'welcome']);
});

test('an engine that fails to start is forgotten, so that the next try starts a new one', async () => {
  const forgotten = [];
  const starting = Promise.reject(Object.assign(new Error('the engine did not load: HTTP 404'), { loadFailed: true }));
  const link = engineLink({ start: () => starting, forget: (engine) => forgotten.push(engine) });
  await assert.rejects(link.load({ lang: 'nl' }), /did not load/);
  assert.deepEqual(forgotten, [starting]);
});
