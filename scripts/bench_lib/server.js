// Server (docs/protocol.md): live-data throughput and latency with wrk, resident handover sockets held open
// and their memory, and server CPU per 1,000 conversations for Gem's design (only live data, analytics and the
// occasional handover reach the server) versus a design where every message goes to a server-side NLU.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import WebSocket from 'ws';

import { ROOT } from '../../wasm/node.js';
import { OPEN_ALL_WEEK, startGemServer } from '../../tests/lib/gem-server.js';
import { readSplits } from './data.js';
import { nodeSystem } from './peers/index.js';
import { kb, mb, ms, table } from './format.js';

const MUNICIPALITY = 'GM0599';
const LIVE_PATHS = [
  `/v1/live/${MUNICIPALITY}/opening-hours`,
  `/v1/live/${MUNICIPALITY}/appointments?product=paspoort`,
  `/v1/live/${MUNICIPALITY}/waste?postcode=3011AB&house_number=5`,
  `/v1/live/${MUNICIPALITY}/status?reference=Z-2026-0042&postcode=3011AB&house_number=12`,
];
const WRK_TARGETS = [LIVE_PATHS[0], LIVE_PATHS[2]];
const WRK_ARGS = ['-t2', '-c64', '-d10s', '--latency'];
const SOCKET_COUNTS = (process.env.BENCH_SOCKETS ?? '1000,5000').split(',').map(Number);
const QUEUED_COUNT = Number(process.env.BENCH_QUEUED ?? 200);
// The conversation mix, stated as assumptions (the pilots give no per-conversation request counts):
export const MIX = {
  messages_per_conversation: Number(process.env.BENCH_MESSAGES_PER_CONVERSATION ?? 4),
  live_share: 0.3,           // conversations with one live look-up (opening hours, appointments, waste, status)
  handover_share: 7 / 425,   // Dongen pilot: 7 of 425 residents asked for a staff member
  analytics_posts: 1,        // one POST /v1/events per conversation when the web team turned analytics on
};
const REPLAY_CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 2000);

// The built binary: GEM_SERVER_BIN, the full build, or the server engineers' own build directory.
export function findServerBinary() {
  const candidates = [process.env.GEM_SERVER_BIN, join(ROOT, 'build/native/server/gem-server'), join(ROOT, 'build/h-server/server/gem-server')];
  return candidates.find((file) => file && existsSync(file)) ?? null;
}

// The real server with the demo configuration (tests/lib/gem-server.js, which takes the binary from GEM_SERVER_BIN).
export function startRealServer(binary, options = {}) {
  process.env.GEM_SERVER_BIN = binary;
  return startGemServer(options);
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

// utime + stime of a process in ms (/proc/PID/stat fields 14 and 15, after the command name).
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

export function rssBytes(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) * 1024;
}

const AGENT = { username: 'bench-agent', password: 'a long benchmark password' };

// The demo's sample live data with GM0599 open around the clock, so that handover is possible at any hour.
function seedOpenAllDay(dir) {
  const seed = JSON.parse(readFileSync(join(ROOT, 'server/data/live-data.json'), 'utf8'));
  seed.municipalities[MUNICIPALITY].weekly_hours = OPEN_ALL_WEEK;
  seed.holidays = [];
  const file = join(dir, 'live-data.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

// One agent signed in to the console socket: without an agent the server ends a handover at once (no_agent).
async function connectAgent(binary, server) {
  const env = { ...process.env, GEM_DATA_DIR: server.dataDir };
  delete env.GEM_ACCOUNT_PASSWORD;  // the password goes through stdin, as an operator types it
  const added = spawnSync(binary, ['--config', server.configFile, 'add-account', AGENT.username, '--role', 'agent',
    '--display-name', 'Bench', '--municipality', MUNICIPALITY], { input: `${AGENT.password}\n`, encoding: 'utf8', env });
  if (added.status !== 0) throw new Error(`gem-server add-account failed: ${added.stderr}`);
  const response = await fetch(`${server.url}/v1/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ username: AGENT.username, password: AGENT.password }) });
  if (!response.ok) throw new Error(`agent login failed: ${response.status} ${await response.text()}`);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/agent/socket`, { headers: { Origin: server.url, Cookie: cookie } });
  await new Promise((done, fail) => {
    socket.once('open', done);
    socket.once('error', fail);
  });
  const received = { frames: 0, bytes: 0 };
  socket.on('message', (data) => {
    received.frames += 1;
    received.bytes += data.length;
  });
  return { received, close: () => socket.close() };
}

async function startServer(binary) {
  const dir = mkdtempSync(join(tmpdir(), 'gem-bench-'));
  // The rate limit and the caps per address are lifted: wrk, the replay and the held sockets come from one
  // address, which they exist to slow down (docs/deployment.md).
  const caps = { limits: { connections_per_ip: 100000 }, handover: { max_queue: 100000, max_conversations_per_address: 1000 } };
  const server = await startRealServer(binary, { config: { live_seed: seedOpenAllDay(dir), ...caps }, dataDir: join(dir, 'data'),
    env: { GEM_RATE_PER_SECOND: '1000000', GEM_RATE_BURST: '1000000' } });
  const agent = await connectAgent(binary, server);
  return { origin: server.url, pid: server.process.pid, agent, stop: async () => {
    agent.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  } };
}

function wrkMs(value) {
  const [, n, unit] = value.match(/([\d.]+)(us|ms|s|m)/);
  return Number(n) * { us: 0.001, ms: 1, s: 1000, m: 60000 }[unit];
}

// Asynchronous: the server's access log is read by this process and must keep flowing while wrk runs.
async function runWrk(server, path) {
  const before = cpuMs(server.pid);
  const { stdout: out } = await promisify(execFile)('wrk', [...WRK_ARGS, `${server.origin}${path}`]);
  const cpu = cpuMs(server.pid) - before;
  const requests = Number(out.match(/(\d+) requests in/)[1]);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const latency = (q) => wrkMs(out.match(new RegExp(`^\\s+${q}%\\s+(\\S+)`, 'm'))[1]);
  return { path, requests, non2xx, requests_per_s: Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50_ms: latency(50), p99_ms: latency(99), server_cpu_ms: cpu, cpu_us_per_request: (1000 * cpu) / requests,
    rss_bytes: rssBytes(server.pid) };
}

const wsUrl = (origin) => `${origin.replace(/^http/, 'ws')}/v1/handover`;

function openSocket(origin) {
  return new Promise((done, fail) => {
    const socket = new WebSocket(wsUrl(origin), { headers: { Origin: origin } });
    socket.once('open', () => done(socket));
    socket.once('error', fail);
  });
}

// A resident's handover: resolves once the server answered `start` with `started`.
async function openHandover(origin, timeoutMs = 10000) {
  const socket = await openSocket(origin);
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      socket.terminate();
      fail(new Error(`no answer to start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'started' || message.type === 'error' || message.type === 'ended') {
        clearTimeout(timer);
        if (message.type === 'started') done(socket);
        else {
          socket.terminate();
          fail(new Error(`server: ${message.type} ${message.error ?? message.reason ?? ''}`));
        }
      }
    });
    socket.send(JSON.stringify({ type: 'start', municipality: MUNICIPALITY, lang: 'nl', consent: false, topic: null }));
  });
}

// Waits until the server has finished earlier work (less than 20 ms CPU in half a second), at most a minute.
async function settle(pid) {
  for (let i = 0; i < 120; i++) {
    const before = cpuMs(pid);
    await new Promise((r) => setTimeout(r, 500));
    if (cpuMs(pid) - before < 20) return;
  }
}

// Opens `count` sockets, 100 at a time: connected only, or each with a queued conversation (`start` → `started`).
async function holdSockets(server, count, { start }) {
  await settle(server.pid);
  const rssBefore = rssBytes(server.pid);
  const sockets = [];
  let failed = 0;
  let firstError = null;
  const begun = performance.now();
  const batch = start ? 20 : 100;
  for (let i = 0; i < count; i += batch) {
    const opened = await Promise.allSettled(Array.from({ length: Math.min(batch, count - i) },
      () => (start ? openHandover(server.origin) : openSocket(server.origin))));
    for (const r of opened) {
      if (r.status === 'fulfilled') sockets.push(r.value);
      else {
        failed += 1;
        firstError ??= r.reason.message;
      }
    }
  }
  const seconds = (performance.now() - begun) / 1000;
  await settle(server.pid);
  const rssHeld = rssBytes(server.pid);
  for (const socket of sockets) socket.terminate();
  return { requested: count, started: start, held: sockets.length, failed, first_error: firstError, seconds,
    rss_before_bytes: rssBefore, rss_held_bytes: rssHeld, bytes_per_socket: sockets.length ? (rssHeld - rssBefore) / sockets.length : null };
}

async function handoverConversation(origin) {
  const socket = await openHandover(origin);
  await new Promise((done) => {
    const timer = setTimeout(done, 2000);
    socket.on('message', (data) => {
      if (JSON.parse(data.toString()).type === 'ended') {
        clearTimeout(timer);
        done();
      }
    });
    socket.send(JSON.stringify({ type: 'message', text: 'Ik wil graag iemand spreken over mijn aanvraag.' }));
    socket.send(JSON.stringify({ type: 'end' }));
  });
  socket.close();
}

// Replays REPLAY_CONVERSATIONS conversations of the assumed mix, 8 at a time; server CPU from /proc.
async function replay(server) {
  // Conversation i takes part when the running count of `share` ticks over: evenly spread, deterministic.
  const picks = (i, share) => Math.floor((i + 1) * share) > Math.floor(i * share);
  const plan = Array.from({ length: REPLAY_CONVERSATIONS }, (_, i) => ({
    live: picks(i, MIX.live_share) ? LIVE_PATHS[i % LIVE_PATHS.length] : null,
    handover: picks(i, MIX.handover_share),
  }));
  const counts = { live: 0, handover: 0, analytics: 0, failed: 0 };
  const conversation = async ({ live, handover }) => {
    const events = { municipality: MUNICIPALITY, events: [{ type: 'conversation_started' }, { type: 'answer', product: 'paspoort', aspect: 'kosten' }] };
    const requests = [fetch(`${server.origin}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.origin }, body: JSON.stringify(events) })];
    if (live) requests.push(fetch(`${server.origin}${live}`));
    for (const r of await Promise.allSettled(requests)) {
      if (r.status === 'fulfilled') await r.value.arrayBuffer();
      if (r.status !== 'fulfilled' || !r.value.ok) counts.failed += 1;
    }
    counts.analytics += 1;
    if (live) counts.live += 1;
    if (handover) {
      await handoverConversation(server.origin).catch(() => { counts.failed += 1; });
      counts.handover += 1;
    }
  };
  const before = cpuMs(server.pid);
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < plan.length) await conversation(plan[next++]);
  }));
  const cpu = cpuMs(server.pid) - before;
  return { conversations: plan.length, ...counts, wall_s: (performance.now() - started) / 1000, server_cpu_ms: cpu,
    cpu_ms_per_1000: (cpu * 1000) / plan.length };
}

// CPU time of one message through the same model server-side (wasm core + ONNX Runtime, one thread, Node).
async function nluCpuPerMessage() {
  const { dev } = readSplits();
  const gem = await nodeSystem('gem');
  for (const r of dev.slice(0, 100)) await gem.understand(r.text);
  const start = process.cpuUsage();
  for (const r of dev) await gem.understand(r.text);
  const used = process.cpuUsage(start);
  await gem.close();
  return (used.user + used.system) / 1000 / dev.length;
}

export async function runServer(log) {
  const binary = findServerBinary();
  if (!binary) {
    log('server: not built (build/native/server/gem-server or build/h-server/server/gem-server): skipped');
    return { skipped: 'server not built: no build/native/server/gem-server (or build/h-server/server/gem-server, or GEM_SERVER_BIN)' };
  }
  log(`server: starting ${binary}`);
  const server = await startServer(binary);
  try {
    const idleRss = rssBytes(server.pid);
    const wrk = [];
    for (const path of WRK_TARGETS) {
      log(`server: wrk ${WRK_ARGS.join(' ')} ${path}`);
      wrk.push(await runWrk(server, path));
    }
    log(`server: replaying ${REPLAY_CONVERSATIONS} conversations`);
    await settle(server.pid);
    const ours = await replay(server);
    log('server: NLU CPU per message (for the server-side NLU design)');
    const nluMs = await nluCpuPerMessage();
    // Queued conversations first: memory freed by earlier sockets is kept by the allocator and would hide their cost.
    log(`server: holding ${QUEUED_COUNT} queued handover conversations`);
    const sockets = [await holdSockets(server, QUEUED_COUNT, { start: true })];
    for (const count of SOCKET_COUNTS) {
      log(`server: holding ${count} connected handover sockets`);
      sockets.push(await holdSockets(server, count, { start: false }));
    }
    const httpMs = wrk[0].cpu_us_per_request / 1000;
    const perMessageMs = nluMs + httpMs;
    const serverNlu = ours.cpu_ms_per_1000 + 1000 * MIX.messages_per_conversation * perMessageMs;
    return { binary: binary.slice(ROOT.length + 1), idle_rss_bytes: idleRss, wrk, sockets, replay: ours, mix: MIX,
      comparison: { nlu_cpu_ms_per_message: nluMs, http_cpu_ms_per_request: httpMs, ours_cpu_ms_per_1000: ours.cpu_ms_per_1000,
        server_nlu_cpu_ms_per_1000: serverNlu, ratio: serverNlu / ours.cpu_ms_per_1000 } };
  } finally {
    await server.stop();
  }
}


export function renderServer({ result: s }) {
  if (s.skipped) return `**${s.skipped}.** The section is written against docs/protocol.md and runs once the binary exists.`;
  const c = s.comparison;
  return `\`${s.binary}\` on loopback, rate limit lifted (\`GEM_RATE_PER_SECOND\`), sample live data; idle RSS ${mb(s.idle_rss_bytes)}.
wrk and the server share this machine's CPUs, so throughput is a lower bound.

**Live data** (\`wrk ${WRK_ARGS.join(' ')}\`):

${table(['endpoint', 'requests/s', 'p50', 'p99', 'non-2xx', 'server CPU per request', 'server RSS after'],
    s.wrk.map((w) => [`\`${w.path}\``, Math.round(w.requests_per_s).toLocaleString('en'), ms(w.p50_ms), ms(w.p99_ms), String(w.non2xx),
      `${w.cpu_us_per_request.toFixed(1)} µs`, mb(w.rss_bytes)]))}

**Resident handover sockets held open**: connected WebSockets on \`/v1/handover\`, and conversations waiting in the queue
(each sent \`start\` and got \`started\`, with one agent signed in; 20 at a time, 10 s timeout each). RSS after the server settled; memory freed by
earlier rows stays with the server's allocator, so a later row's per-socket figure is a lower bound.

${table(['sockets', 'held', 'failed', 'time to open', 'server RSS before', 'RSS while held', 'per socket'],
    s.sockets.map((k) => [`${k.requested} ${k.started ? 'queued conversations' : 'connected'}`, String(k.held),
      `${k.failed}${k.first_error ? ` (first: ${k.first_error})` : ''}`, `${k.seconds.toFixed(1)} s`,
      mb(k.rss_before_bytes), mb(k.rss_held_bytes), k.bytes_per_socket == null ? 'n/a' : kb(k.bytes_per_socket)]))}

**Server CPU per 1,000 conversations.** Replayed: ${s.replay.conversations} conversations, 8 at a time: ${s.replay.analytics} analytics
posts, ${s.replay.live} live look-ups, ${s.replay.handover} handovers (socket, one message, end); ${s.replay.failed} failed requests.
Server CPU (utime + stime from \`/proc/PID/stat\`) ${ms(s.replay.server_cpu_ms)} → **${ms(c.ours_cpu_ms_per_1000)} per 1,000 conversations**.

The alternative, every message to a server-side NLU, is estimated, not run: per message it costs one HTTP request
(${ms(c.http_cpu_ms_per_request)} server CPU, measured above for opening hours) plus running the same model server-side
(${ms(c.nlu_cpu_ms_per_message)} mean CPU time per message of a Node process running Gem's wasm core + ONNX Runtime, one thread, over the dev split, garbage collection included),
times ${s.mix.messages_per_conversation} messages per conversation (an assumption: the pilots report 60% understood first time and 37% after one
clarifying question, not message counts), on top of the same live data and handover: **${ms(c.server_nlu_cpu_ms_per_1000)} per 1,000
conversations, ${c.ratio.toFixed(1)}× ours**. Assumed mix: ${Math.round(100 * s.mix.live_share)}% of conversations make one live look-up,
${(100 * s.mix.handover_share).toFixed(1)}% ask for a person (Dongen pilot: 7 of 425), one analytics post each.`;
}
