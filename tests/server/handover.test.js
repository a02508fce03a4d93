// Human handover against the real gem-server on loopback: resident socket ↔ agent session, resume,
// release, cancel, closed hours, no agent, sign-in with cookie flags and CSRF, bad input, no message
// text in the log, graceful shutdown keeping the queue, two instances sharing through real Redis,
// and the webhook vendor adapter with a real local HTTP receiver.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';

import {
  BINARY, BUS_SECRET, RESIDENT_ORIGIN, addAccount, agent, handoverSetup, login, onlineAgent, resident, startRedis, startServer, tempDir,
} from './handover_fixture.js';

const MARKER = `geheim-${crypto.randomUUID()}`;  // must never appear in the server's output

const start = (extra = {}) => ({
  type: 'start', municipality: 'GM0599', lang: 'nl', consent: true,
  transcript: [{ role: 'resident', text: `Mijn paspoort is kwijt ${MARKER}` }, { role: 'assistant', text: 'Wilt u een medewerker spreken?' }],
  topic: { product: 'paspoort', aspect: 'kwijt' }, ...extra,
});

describe('handover on one server', { skip: !fs.existsSync(BINARY) && `no ${BINARY}` }, () => {
  let server; let anna;

  before(async () => {
    server = await startServer(handoverSetup());
    addAccount(server, 'anna');
    addAccount(server, 'bert');
    anna = await login(server, 'anna');
  });
  after(async () => { await server?.stop(); });

  test('sign-in sets a strict session cookie and returns a CSRF token', async () => {
    assert.equal(anna.response.status, 200);
    const cookie = anna.response.headers.get('set-cookie');
    assert.match(cookie, /^gem_session=[0-9a-f]{64};/);
    for (const flag of [/HttpOnly/i, /Secure/i, /SameSite=Strict/i, /Path=\//i]) assert.match(cookie, flag);
    assert.match(anna.csrf, /^[0-9a-f]{64}$/);
    assert.equal(anna.body.name, 'Anna');
    assert.deepEqual(anna.body.municipalities, ['GM0599']);

    const wrong = await login(server, 'anna', 'not the password');
    assert.equal(wrong.response.status, 401);
    assert.equal(wrong.body.error, 'unauthorized');
    assert.equal(wrong.cookie, '');

    const session = await fetch(`${server.url}/v1/agent/session`, { headers: { Cookie: anna.cookie } });
    assert.equal(session.status, 200);
    assert.equal((await session.json()).csrf, anna.csrf);
    assert.equal((await fetch(`${server.url}/v1/agent/session`)).status, 401);

    const foreign = await fetch(`${server.url}/v1/agent/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Origin: RESIDENT_ORIGIN },
      body: JSON.stringify({ username: 'anna', password: 'a long test password' }),
    });
    assert.equal(foreign.status, 403);
  });

  test('logout needs the CSRF token and ends the session on the server', async () => {
    const bert = await login(server, 'bert');
    const noToken = await fetch(`${server.url}/v1/agent/logout`, { method: 'POST', headers: { Cookie: bert.cookie } });
    assert.equal(noToken.status, 403);
    assert.equal((await noToken.json()).error, 'csrf');
    const ok = await fetch(`${server.url}/v1/agent/logout`, { method: 'POST', headers: { Cookie: bert.cookie, 'X-CSRF-Token': bert.csrf } });
    assert.equal(ok.status, 204);
    assert.match(ok.headers.get('set-cookie'), /Max-Age=0/);
    assert.equal((await fetch(`${server.url}/v1/agent/session`, { headers: { Cookie: bert.cookie } })).status, 401);
    const socket = await agent(server, bert.cookie);
    assert.equal((await socket.next('error')).error, 'unauthorized');
    await socket.closed;
  });

  test('without an agent online the resident gets no_agent and the alternatives', async () => {
    const availability = await (await fetch(`${server.url}/v1/handover/GM0599/availability`)).json();
    assert.equal(availability.open, true);
    assert.equal(availability.agents_available, 0);
    const r = await resident(server);
    r.send(start());
    const ended = await r.next('ended');
    assert.equal(ended.reason, 'no_agent');
    assert.equal(ended.alternatives.phone, '14 010');
    await r.close();
  });

  test('closed hours: availability says closed and start ends with closed', async () => {
    const response = await fetch(`${server.url}/v1/handover/GM0855/availability`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const availability = await response.json();
    assert.equal(availability.open, false);
    assert.equal(availability.alternatives.contact_form_url, 'https://www.tilburg.nl/contact');
    assert.equal((await fetch(`${server.url}/v1/handover/GM9999/availability`)).status, 404);
    assert.equal((await fetch(`${server.url}/v1/handover/rotterdam/availability`)).status, 400);
    const r = await resident(server, 'https://www.tilburg.nl');
    r.send(start({ municipality: 'GM0855' }));
    assert.equal((await r.next('ended')).reason, 'closed');
    await r.close();
  });

  test('a resident and an agent talk; resume replays what was missed; release and end', async () => {
    const a = await agent(server, anna.cookie);
    assert.deepEqual((await a.next('queue')).items, []);
    const availability = await (await fetch(`${server.url}/v1/handover/GM0599/availability`)).json();
    assert.equal(availability.agents_available, 1);

    const r = await resident(server);
    r.send(start());
    const started = await r.next('started');
    assert.equal((await r.next('queued')).position, 1);
    const queue = await a.next('queue');
    const item = queue.items.find((i) => i.conversation === started.conversation);
    assert.deepEqual(item.topic, { product: 'paspoort', aspect: 'kwijt' });
    assert.equal(item.municipality, 'GM0599');

    a.send({ type: 'accept', conversation: started.conversation });
    const assigned = await a.next('assigned');
    assert.equal(assigned.consent, true);
    assert.equal(assigned.transcript[0].text, `Mijn paspoort is kwijt ${MARKER}`);
    assert.equal((await r.next('agent_joined')).name, 'Anna');

    r.send({ type: 'typing' });
    assert.equal((await a.next('resident_typing')).conversation, started.conversation);
    r.send({ type: 'message', text: `Hallo ${MARKER}` });
    assert.equal((await a.next('message')).text, `Hallo ${MARKER}`);
    a.send({ type: 'typing', conversation: started.conversation });
    await r.next('agent_typing');
    a.send({ type: 'message', conversation: started.conversation, text: `Goedemiddag ${MARKER}` });
    assert.equal((await r.next('message')).text, `Goedemiddag ${MARKER}`);

    // The resident's connection drops; the agent writes; a new socket resumes.
    await r.close();
    a.send({ type: 'message', conversation: started.conversation, text: 'Bent u er nog?' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const wrongToken = await resident(server);
    wrongToken.send({ type: 'resume', conversation: started.conversation, token: 'f'.repeat(64) });
    assert.equal((await wrongToken.next('error')).error, 'not_found');
    await wrongToken.close();
    const r2 = await resident(server);
    r2.send({ type: 'resume', conversation: started.conversation, token: started.token });
    assert.equal((await r2.next('agent_joined')).name, 'Anna');
    const replayed = await r2.next('message');
    assert.equal(replayed.text, 'Bent u er nog?');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(r2.frames.filter((f) => f.type === 'message').length, 0, 'only unseen messages are replayed');

    // The agent releases: back to the queue, the resident hears agent_left.
    a.send({ type: 'release', conversation: started.conversation });
    await r2.next('agent_left');
    assert.equal((await r2.next('queued')).position, 1);
    assert.equal((await a.next('ended')).reason, 'released');
    a.send({ type: 'accept', conversation: started.conversation });
    await a.next('assigned');
    await r2.next('agent_joined');
    a.send({ type: 'end', conversation: started.conversation });
    assert.equal((await r2.next('ended')).reason, 'agent_ended');
    await a.close();
    await r2.close();
  });

  test('the resident can cancel while queued', async () => {
    const a = await onlineAgent(server, anna.cookie);
    const r = await resident(server);
    r.send(start());
    const started = await r.next('started');
    r.send({ type: 'cancel' });
    assert.equal((await r.next('ended')).reason, 'cancelled');
    const availability = await (await fetch(`${server.url}/v1/handover/GM0599/availability`)).json();
    assert.equal(availability.queue_length, 0);
    a.send({ type: 'accept', conversation: started.conversation });
    assert.equal((await a.next('error')).error, 'not_found');
    await a.close();
    await r.close();
  });

  test('bad input gets error frames or a closed socket, never a crash', async () => {
    const a = await onlineAgent(server, anna.cookie);
    const r = await resident(server);
    r.send('{not json');
    assert.equal((await r.next('error')).error, 'invalid_request');
    r.send(JSON.stringify({ type: 'message', text: 'x'.repeat(4100) }));
    assert.equal((await r.next('error')).error, 'too_large');
    r.send(start({ lang: 'de' }));
    assert.equal((await r.next('error')).error, 'invalid_request');
    r.send(start());
    await r.next('started');
    r.send({ type: 'message', text: 'x'.repeat(2001) });
    assert.equal((await r.next('error')).error, 'too_large');
    // A frame over 64 KiB closes the socket (1009: message too big).
    const big = await resident(server);
    big.send(JSON.stringify({ type: 'start', padding: 'x'.repeat(70 * 1024) }));
    assert.equal((await big.closed).code, 1009);
    // Origins: an unknown website cannot even connect; Utrecht's website cannot act for Rotterdam.
    await assert.rejects(resident(server, 'https://evil.example'), /HTTP 403/);
    const utrecht = await resident(server, 'https://www.utrecht.nl');
    utrecht.send(start());
    assert.equal((await utrecht.next('error')).error, 'forbidden_origin');
    await utrecht.close();
    // The agent socket wants the server's own origin.
    const foreign = await agent(server, anna.cookie, RESIDENT_ORIGIN);
    assert.equal((await foreign.next('error')).error, 'forbidden_origin');
    a.send({ type: 'end', conversation: 'nope' });
    assert.equal((await a.next('error')).error, 'not_found');
    // A flood of frames is refused frame by frame; the socket stays usable.
    for (let i = 0; i < 40; i++) r.send({ type: 'typing' });
    assert.equal((await r.next('error')).error, 'rate_limited');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    r.frames.length = 0;
    r.send({ type: 'cancel' });
    await r.next('ended');
    await a.close();
    await r.close();
    // Still serving.
    assert.equal((await fetch(`${server.url}/v1/handover/GM0599/availability`)).status, 200);
  });

  // Runs after the flood test above: its socket's frame bucket must not pass to a new socket.
  test('an ended chat leaves no text in the data folder (checkpointed at once, off the network thread)', async () => {
    const secret = `dossier-${crypto.randomUUID()}`;
    const a = await onlineAgent(server, anna.cookie);
    const r = await resident(server);
    r.send(start({ transcript: [{ role: 'resident', text: `${secret} ${'x'.repeat(1500)}` }] }));
    const { conversation } = await r.next('started');
    a.send({ type: 'accept', conversation });
    await r.next('agent_joined');
    for (let i = 0; i < 10; i++) r.send({ type: 'message', text: `${secret} ${i} ${'y'.repeat(1500)}` });
    for (let i = 0; i < 10; i++) await a.next('message');
    const files = () => fs.readdirSync(server.dataDir).map((name) => fs.readFileSync(`${server.dataDir}/${name}`, 'latin1'));
    assert.ok(files().some((content) => content.includes(secret)), 'the live chat is written through to the data folder');
    a.send({ type: 'end', conversation });
    await r.next('ended');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(!files().some((content) => content.includes(secret)), 'an ended chat left text in the data folder');
    await a.close();
    await r.close();
  });

  test('no message text in the server output', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(server.logs().includes('/v1/handover'), 'the access log is captured');
    assert.ok(!server.logs().includes(MARKER), 'message text leaked into the log');
    assert.ok(!server.logs().includes('Bent u er nog'), 'message text leaked into the log');
  });

  test('sign-in is rate limited per client', async () => {
    let last;
    for (let i = 0; i < 6; i++) last = await login(server, 'carla', 'wrong password!!');
    assert.equal(last.response.status, 429);
    assert.ok(Number(last.response.headers.get('retry-after')) > 0);
  });
});

describe('graceful shutdown keeps the queue', { skip: !fs.existsSync(BINARY) && `no ${BINARY}` }, () => {
  test('a queued handover is still queued after a restart and resumes', async () => {
    const setup = handoverSetup();
    let server = await startServer(setup);
    addAccount(server, 'anna');
    const anna = await login(server, 'anna');
    await onlineAgent(server, anna.cookie);  // someone must be online to queue at all
    const r = await resident(server);
    r.send(start());
    const started = await r.next('started');
    await r.next('queued');
    await server.stop();
    const closed = await r.closed;
    assert.equal(closed.code, 1001);

    server = await startServer(setup);
    try {
      const a2 = await agent(server, anna.cookie);
      const queue = await a2.next('queue');
      assert.deepEqual(queue.items.map((i) => i.conversation), [started.conversation]);
      const r2 = await resident(server);
      r2.send({ type: 'resume', conversation: started.conversation, token: started.token });
      assert.equal((await r2.next('queued')).position, 1);
      a2.send({ type: 'accept', conversation: started.conversation });
      assert.equal((await a2.next('assigned')).transcript.length, 2);
      await r2.next('agent_joined');
      await a2.close();
      await r2.close();
    } finally {
      await server.stop();
    }
  });
});

describe('two instances share handovers through Redis', { skip: !fs.existsSync(BINARY) && `no ${BINARY}` }, () => {
  test('resident on A, agent on B', async () => {
    const dir = tempDir();
    const redis = await startRedis(dir);
    const a = await startServer(handoverSetup(), redis.env);
    const b = await startServer(handoverSetup(), redis.env);
    addAccount(b, 'anna');
    try {
      const anna = await login(b, 'anna');
      const agentOnB = await onlineAgent(b, anna.cookie);
      // A knows about B's agent through Redis.
      const availability = await (await fetch(`${a.url}/v1/handover/GM0599/availability`)).json();
      assert.equal(availability.agents_available, 1);

      const residentOnA = await resident(a);
      residentOnA.send(start());
      const started = await residentOnA.next('started');
      let queue = await agentOnB.next('queue');
      while (!queue.items.length) queue = await agentOnB.next('queue');
      assert.equal(queue.items[0].conversation, started.conversation);
      agentOnB.send({ type: 'accept', conversation: started.conversation });
      await agentOnB.next('assigned');
      assert.equal((await residentOnA.next('agent_joined')).name, 'Anna');
      residentOnA.send({ type: 'message', text: 'Hallo vanaf A' });
      assert.equal((await agentOnB.next('message')).text, 'Hallo vanaf A');
      agentOnB.send({ type: 'message', conversation: started.conversation, text: 'Hallo vanaf B' });
      assert.equal((await residentOnA.next('message')).text, 'Hallo vanaf B');

      // The resident reconnects to B (the load balancer chose it) and resumes there.
      await residentOnA.close();
      const residentOnB = await resident(b);
      residentOnB.send({ type: 'resume', conversation: started.conversation, token: started.token });
      assert.equal((await residentOnB.next('agent_joined')).name, 'Anna');
      agentOnB.send({ type: 'end', conversation: started.conversation });
      assert.equal((await residentOnB.next('ended')).reason, 'agent_ended');
      await agentOnB.close();
      await residentOnB.close();
    } finally {
      await a.stop();
      await b.stop();
      await redis.stop();
    }
  });
});

describe('Redis credentials and signed bus messages', { skip: !fs.existsSync(BINARY) && `no ${BINARY}` }, () => {
  test('an ACL user signs in; unsigned, wrongly signed or stale bus messages are dropped', async () => {
    const redis = await startRedis(tempDir(), ['--user', 'default', 'off', '--user', 'gem', 'on', '>redis pass word', '~*', '&*', '+@all']);
    const setup = handoverSetup();
    try {
      await assert.rejects(startServer(setup, redis.env), /GEM_REDIS_PASSWORD/);
      const credentials = { ...redis.env, GEM_REDIS_USERNAME: 'gem', GEM_REDIS_PASSWORD: 'redis pass word' };
      await assert.rejects(startServer(setup, { ...credentials, GEM_REDIS_PASSWORD: 'wrong' }), /GEM_REDIS_USERNAME\/GEM_REDIS_PASSWORD failed/);
      await assert.rejects(startServer(setup, { ...credentials, GEM_BUS_SECRET: 'short' }), /GEM_BUS_SECRET/);
      await assert.rejects(startServer(setup, { ...credentials, GEM_REDIS_TLS: '1' }), /TLS/);

      const server = await startServer(setup, credentials);
      try {
        addAccount(server, 'anna');
        const a = await onlineAgent(server, (await login(server, 'anna')).cookie);
        const publish = (wire) => {
          const r = spawnSync('redis-cli', ['-p', String(redis.port), '--user', 'gem', '--pass', 'redis pass word', '--no-auth-warning',
            'PUBLISH', 'gem:handover:events', wire], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
        };
        const forged = (text) => JSON.stringify({ agent: 'anna', frame: { type: 'message', conversation: 'c1', from: 'resident', text, id: 1 } });
        const signed = (secret, message, at = Math.floor(Date.now() / 1000)) => {
          const body = `${at} ${message}`;
          return `${crypto.createHmac('sha256', secret).update(body).digest('hex')} ${body}`;
        };
        publish(forged('unsigned'));
        publish(signed('not the bus secret, but long enough', forged('wrong secret')));
        publish(signed(BUS_SECRET, forged('stale'), Math.floor(Date.now() / 1000) - 600));
        publish(signed(BUS_SECRET, forged('signed')));
        // Only the signed, fresh message arrives (bus messages are delivered in order).
        assert.equal((await a.next('message')).text, 'signed');
        assert.deepEqual(a.frames.filter((f) => f.type === 'message'), []);
        for (let i = 0; i < 50 && !/dropped a bus message/.test(server.logs()); i++) await new Promise((r) => setTimeout(r, 20));
        assert.match(server.logs(), /dropped a bus message without a valid signature/);
        assert.ok(!server.logs().includes('wrong secret'), 'bus message content in the log');
        await a.close();
      } finally {
        await server.stop();
      }
    } finally {
      await redis.stop();
    }
  });
});

describe('one shutdown deadline', { skip: !fs.existsSync(BINARY) && `no ${BINARY}` }, () => {
  test('SIGTERM with queued handovers, open sockets, a socket that never answers and a vendor that hangs: exit 0 within the deadline', async () => {
    const hanging = [];
    const vendor = net.createServer((socket) => hanging.push(socket));  // accepts, reads nothing, never answers
    vendor.listen(0, '127.0.0.1');
    await once(vendor, 'listening');
    const server = await startServer(handoverSetup({
      handover: { vendors: { GM0344: { webhook_url: `http://127.0.0.1:${vendor.address().port}/gem`, secret: 'vendor shared secret 0123456789' } } },
    }));
    try {
      addAccount(server, 'anna');
      const a = await onlineAgent(server, (await login(server, 'anna')).cookie);
      const queued = await resident(server);
      queued.send(start());
      await queued.next('queued');
      for (let i = 0; i < 2; i++) {
        const r = await resident(server, 'https://www.utrecht.nl');
        r.send(start({ municipality: 'GM0344' }));
        await r.next('started');
      }
      while (hanging.length < 1) await new Promise((res) => setTimeout(res, 20));
      // A WebSocket whose client never reads and never answers the close handshake.
      const silent = net.connect(server.port, '127.0.0.1');
      silent.write(`GET /v1/handover HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nOrigin: ${RESIDENT_ORIGIN}\r\n\r\n`);
      await once(silent, 'data');
      silent.pause();

      const started = Date.now();
      const code = await server.stop();
      const seconds = (Date.now() - started) / 1000;
      console.log(`# SIGTERM to exit: ${seconds.toFixed(2)} s (deadline 5 s)`);
      assert.equal(code, 0, server.logs());
      assert.ok(seconds < 5.75, `shutdown took ${seconds} s`);
      assert.match(server.logs(), /webhook to 127\.0\.0\.1: 1 event\(s\) not sent before the shutdown deadline/);
      assert.doesNotMatch(server.logs(), /longer than its deadline/);
      silent.destroy();
    } finally {
      await server.stop();
      hanging.forEach((s) => s.destroy());
      vendor.close();
    }
  });
});

describe('webhook vendor adapter', { skip: !fs.existsSync(BINARY) && `no ${BINARY}` }, () => {
  test('events go out signed; the vendor answers through the signed webhook', async () => {
    const secret = 'vendor shared secret 0123456789';
    const received = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const server = await startServer(handoverSetup({
      handover: { vendors: { GM0344: { webhook_url: `http://127.0.0.1:${receiver.address().port}/gem`, secret } } },
    }));
    const sign = (timestamp, body) => `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
    const post = (body, signature, timestamp = String(Math.floor(Date.now() / 1000))) => {
      return fetch(`${server.url}/v1/handover/webhook/GM0344`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Gem-Timestamp': timestamp, 'X-Gem-Signature': signature ?? sign(timestamp, body) },
        body,
      });
    };
    try {
      const r = await resident(server, 'https://www.utrecht.nl');
      r.send(start({ municipality: 'GM0344' }));
      const started = await r.next('started');
      const waitFor = async (n) => { while (received.length < n) await new Promise((res) => setTimeout(res, 20)); };
      await waitFor(1);
      const queued = received[0];
      assert.equal(queued.headers['x-gem-signature'], sign(queued.headers['x-gem-timestamp'], queued.body));
      const event = JSON.parse(queued.body);
      assert.equal(event.event, 'queued');
      assert.equal(event.conversation, started.conversation);
      assert.equal(event.transcript.length, 2);

      const joined = JSON.stringify({ event: 'agent_joined', conversation: started.conversation, name: 'Sam' });
      assert.equal((await post(joined, 'sha256=' + '0'.repeat(64))).status, 401);
      assert.equal((await post(joined)).status, 204);
      assert.equal((await r.next('agent_joined')).name, 'Sam');
      r.send({ type: 'message', text: 'Hoi Sam' });
      await waitFor(2);
      assert.equal(JSON.parse(received[1].body).text, 'Hoi Sam');
      const hello = JSON.stringify({ event: 'message', conversation: started.conversation, text: 'Hoi!' });
      const sent = String(Math.floor(Date.now() / 1000));
      assert.equal((await post(hello, undefined, sent)).status, 204);
      assert.equal((await r.next('message')).text, 'Hoi!');
      // The same signed request again (a replay within the five minutes its timestamp is valid) is refused.
      const replay = await post(hello, undefined, sent);
      assert.equal(replay.status, 409);
      assert.equal((await replay.json()).error, 'replayed');
      await assert.rejects(r.next('message', 300), /no "message" frame/);
      assert.equal((await post(JSON.stringify({ event: 'message', conversation: 'unknown', text: 'x' }))).status, 404);
      assert.equal((await post(JSON.stringify({ event: 'ended', conversation: started.conversation }))).status, 204);
      assert.equal((await r.next('ended')).reason, 'agent_ended');
      await waitFor(3);
      assert.equal(JSON.parse(received[2].body).event, 'ended');
      await r.close();
    } finally {
      await server.stop();
      receiver.close();
    }
  });
});
