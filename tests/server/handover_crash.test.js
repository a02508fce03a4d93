// Crash and race consistency of the handover (issue 16, CI test 3), against the real gem-server and a
// real redis-server on loopback: rounds of residents starting, agents accepting, messages and closes,
// ended by `kill -9` at a random moment; in each round a resident's disconnect races an agent's accept.
// After every kill the shared store must be consistent: each conversation queued exactly once or owned
// by exactly one agent, nothing orphaned, queues within their cap; and the restarted instance must not
// count the killed instance's agents as online.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

import {
  BINARY, addAccount, agent, handoverSetup, login, resident, startRedis, startServer, tempDir,
} from './handover_fixture.js';

const MAX_QUEUE = 4;
const ROUNDS = 6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Every gem:handover:* key with its value, read in one atomic step (a Lua script).
const DUMP = `
local out = {}
for _, k in ipairs(redis.call('KEYS', 'gem:handover:*')) do
  local t = redis.call('TYPE', k).ok
  if t == 'string' then out[k] = {string = redis.call('GET', k)}
  elseif t == 'list' then out[k] = {list = redis.call('LRANGE', k, 0, -1)}
  elseif t == 'hash' then out[k] = {hash = redis.call('HGETALL', k)}
  else out[k] = {other = t} end
end
return cjson.encode(out)`;

function storeSnapshot(redis) {
  const result = spawnSync('redis-cli', ['-p', String(redis.port), '--raw', 'EVAL', DUMP, '0'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const raw = JSON.parse(result.stdout);
  const keys = new Map();
  for (const [key, value] of Object.entries(raw)) {
    const name = key.slice('gem:handover:'.length);
    if (value.string !== undefined) keys.set(name, value.string);
    else if (value.list !== undefined) keys.set(name, Array.isArray(value.list) ? value.list : []);
    else if (value.hash !== undefined) {
      const pairs = Array.isArray(value.hash) ? value.hash : [];
      const hash = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) hash[pairs[i]] = pairs[i + 1];
      keys.set(name, hash);
    } else keys.set(name, value);
  }
  return keys;
}

// The invariants; returns a list of violations (empty when consistent) and a summary. `givenBack`: how many
// conversations agents have given back so far (released, or withdrawn from a killed instance): those go back to
// the front of their queue even when it is full, so a queue may pass its cap by at most that many; new residents
// are refused at the cap.
function checkConsistency(keys, givenBack = 0) {
  const problems = [];
  const conversations = new Map();
  for (const [key, value] of keys) {
    const m = /^conv:([0-9a-f]+)$/.exec(key);
    if (m) conversations.set(m[1], JSON.parse(value));
  }
  const queues = [...keys].filter(([k]) => k.startsWith('queue:'));
  const owners = [...keys].filter(([k]) => k.startsWith('agent:'));
  const index = keys.get('conversations') ?? {};
  for (const [id, c] of conversations) {
    const queued = queues.flatMap(([k, list]) => list.filter((x) => x === id).map(() => k));
    const owned = owners.filter(([, hash]) => id in hash).map(([k]) => k.slice('agent:'.length));
    if (index[id] !== c.municipality) problems.push(`${id}: not in the index`);
    if (c.state === 'queued') {
      if (queued.length !== 1 || queued[0] !== `queue:${c.municipality}`) problems.push(`${id}: queued ${queued.length} times (${queued})`);
      if (owned.length) problems.push(`${id}: queued but owned by ${owned}`);
    } else if (c.state === 'with_agent') {
      if (queued.length) problems.push(`${id}: with ${c.agent} but also in ${queued}`);
      if (owned.length !== 1 || owned[0] !== c.agent) problems.push(`${id}: with ${c.agent} but owned by [${owned}]`);
    } else problems.push(`${id}: unknown state ${c.state}`);
  }
  for (const [key, list] of queues) {
    if (list.length > MAX_QUEUE + givenBack) problems.push(`${key}: ${list.length} entries, cap ${MAX_QUEUE} (+${givenBack} given back)`);
    if (new Set(list).size !== list.length) problems.push(`${key}: duplicate entries`);
    for (const id of list) if (!conversations.has(id)) problems.push(`${key}: orphaned entry ${id}`);
  }
  for (const [key, hash] of owners) for (const id of Object.keys(hash)) if (!conversations.has(id)) problems.push(`${key}: orphaned ${id}`);
  for (const id of Object.keys(index)) if (!conversations.has(id)) problems.push(`index: orphaned ${id}`);
  for (const key of keys.keys()) {
    const m = /^conv:([0-9a-f]+):(\w+)$/.exec(key);
    if (m && !conversations.has(m[1])) problems.push(`${key}: left behind by an ended conversation`);
  }
  const states = [...conversations.values()].map((c) => c.state);
  return { problems, queued: states.filter((s) => s === 'queued').length, owned: states.filter((s) => s === 'with_agent').length };
}

const start = (municipality = 'GM0599') => ({ type: 'start', municipality, lang: 'nl', consent: false, topic: null });
const CHAOS_ORIGIN = 'https://www.utrecht.nl';

describe('crash and race consistency', { skip: !fs.existsSync(BINARY) && `no ${BINARY}` }, () => {
  let redis; let setup; let cookies;

  before(async () => {
    redis = await startRedis(tempDir());
    setup = handoverSetup({ handover: { max_queue: MAX_QUEUE, max_conversations_per_address: 1000 } });
    const first = await startServer(setup, redis.env);
    // anna and bert work the chaos in GM0344 (its queue fills to the cap); carla takes the races in GM0599.
    addAccount(first, 'anna', ['GM0344']);
    addAccount(first, 'bert', ['GM0344']);
    addAccount(first, 'carla', ['GM0599']);
    // Sessions live in the data folder: they outlast the kills.
    cookies = (await Promise.all(['anna', 'bert', 'carla'].map((n) => login(first, n)))).map((s) => s.cookie);
    await first.stop();
  });
  after(async () => { await redis?.stop(); });

  test('kill -9 at random moments leaves every conversation queued once or owned once', async () => {
    let totals = { queued: 0, owned: 0, busy: 0, races: 0 };
    let givenBack = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServer(setup, redis.env);
      const sockets = [];
      try {
        // The killed predecessor's agents are not online any more (same data folder = same instance).
        const availability = await (await fetch(`${server.url}/v1/handover/GM0344/availability`)).json();
        assert.equal(availability.agents_available, 0, `round ${round}: a killed instance's agents still count as online`);

        const agents = await Promise.all(cookies.map((cookie) => agent(server, cookie)));
        sockets.push(...agents);
        // Online once the hub has registered them (their first queue frame), not when the socket opened:
        // under load a resident could otherwise start in between and be told no_agent.
        await Promise.all(agents.map((a) => a.next('queue', 10000)));

        // The race: a resident disconnects at the moment an agent accepts; the accept must hold.
        const racer = await resident(server);
        sockets.push(racer);
        racer.send(start());
        const { conversation } = await racer.next('started');
        agents[2].send({ type: 'accept', conversation });
        racer.ws.terminate();
        const assigned = await agents[2].next('assigned');
        assert.equal(assigned.conversation, conversation);
        await sleep(30);
        const raced = JSON.parse(storeSnapshot(redis).get(`conv:${conversation}`));
        assert.equal(raced.state, 'with_agent', `round ${round}: the accept was lost`);
        assert.equal(raced.agent, 'carla');
        assert.deepEqual(checkConsistency(storeSnapshot(redis), givenBack).problems, []);
        agents[2].send({ type: 'end', conversation });
        await agents[2].next('ended');
        totals.races += 1;

        // Chaos: residents start, agents accept what they see queued, both sides write, some leave;
        // then kill -9 at a random moment.
        const residents = await Promise.all(Array.from({ length: 7 }, () => resident(server, CHAOS_ORIGIN)));
        sockets.push(...residents);
        for (const a of agents.slice(0, 2)) {
          a.ws.on('message', (data) => {
            const frame = JSON.parse(data.toString());
            if (frame.type === 'queue' && frame.items.length && Math.random() < 0.7) {
              const pick = frame.items[Math.floor(Math.random() * frame.items.length)];
              a.send({ type: 'accept', conversation: pick.conversation });
            }
            if (frame.type === 'assigned') {
              a.send({ type: 'message', conversation: frame.conversation, text: 'Goedemiddag' });
              if (Math.random() < 0.4) {
                const type = Math.random() < 0.5 ? 'end' : 'release';
                if (type === 'release') givenBack += 1;
                a.send({ type, conversation: frame.conversation });
              }
            }
          });
        }
        residents.forEach((r, i) => {
          r.ws.on('message', (data) => {
            const frame = JSON.parse(data.toString());
            if (frame.type === 'ended' && frame.reason === 'busy') totals.busy += 1;
            if (frame.type === 'started' || frame.type === 'agent_joined') r.send({ type: 'message', text: `bericht ${i}` });
            if (frame.type === 'agent_joined' && Math.random() < 0.3) r.send({ type: 'end' });
            if (frame.type === 'queued' && Math.random() < 0.2) r.ws.terminate();
          });
          setTimeout(() => r.send(start('GM0344')), Math.random() * 60);
        });
        await sleep(20 + Math.random() * 200);
        server.process.kill('SIGKILL');
        await server.stop();

        const { problems, queued, owned } = checkConsistency(storeSnapshot(redis), givenBack);
        assert.deepEqual(problems, [], `round ${round} after kill -9`);
        totals = { ...totals, queued, owned };
        givenBack += owned;  // the next instance withdraws them from the killed one
      } finally {
        sockets.forEach((s) => s.ws.terminate());
        await server.stop();
      }
    }
    // The rounds did real work: conversations were left queued and owned across the kills.
    assert.equal(totals.races, ROUNDS);
    assert.ok(totals.queued + totals.owned > 0, JSON.stringify(totals));
  });
});
