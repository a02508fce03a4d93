// Helpers for the handover tests against the real gem-server (started by tests/lib/gem-server.js) and,
// when asked, a real redis-server on loopback. The live-data seed makes one municipality always open
// (GM0599, GM0344) and one always closed (GM0855).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

import { OPEN_ALL_WEEK, serverBinary, startGemServer } from '../lib/gem-server.js';

export const BINARY = serverBinary();
export const RESIDENT_ORIGIN = 'https://www.rotterdam.nl';
export const PASSWORD = 'a long test password';
export const BUS_SECRET = 'test bus secret, 32 characters or more';

export function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'gem-handover-'));
}

// A data directory and config overrides for startGemServer; `extra` is merged in.
export function handoverSetup(extra = {}) {
  const dir = tempDir();
  const seed = path.join(dir, 'seed.json');
  fs.writeFileSync(seed, JSON.stringify({
    holidays: [],
    municipalities: { GM0599: { weekly_hours: OPEN_ALL_WEEK }, GM0855: { weekly_hours: {} }, GM0344: { weekly_hours: OPEN_ALL_WEEK } },
  }));
  return {
    dataDir: path.join(dir, 'data'),
    config: { live_seed: seed, limits: { rate_per_second: 1000, rate_burst: 1000 }, ...extra },
  };
}

// The password goes through stdin, as an operator would type it.
export function addAccount(server, name, municipalities = ['GM0599'], role = 'agent') {
  const args = ['--config', server.configFile, 'add-account', name, '--role', role, '--display-name', name[0].toUpperCase() + name.slice(1)];
  for (const gm of municipalities) args.push('--municipality', gm);
  const env = { ...process.env, GEM_DATA_DIR: server.dataDir };
  delete env.GEM_ACCOUNT_PASSWORD;
  const result = spawnSync(BINARY, args, { input: `${PASSWORD}\n`, encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`add-account failed: ${result.stderr}`);
}

export async function startServer(setup, env = {}) {
  const server = await startGemServer({ ...setup, env });
  server.ws = server.url.replace('http', 'ws');
  return server;
}

export async function freePort() {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

// `extraArgs`: more redis-server options, e.g. an ACL user.
export async function startRedis(dir, extraArgs = []) {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const deadline = Date.now() + 10000;
  while (!/Ready to accept connections/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = `redis://127.0.0.1:${port}/0`;
  // `env`: what a gem-server instance needs to share handovers through this Redis.
  return {
    url, port, env: { GEM_REDIS_URL: url, GEM_BUS_SECRET: BUS_SECRET },
    stop: async () => { child.kill('SIGTERM'); await once(child, 'exit'); },
  };
}

export async function login(server, username, password = PASSWORD) {
  const response = await fetch(`${server.url}/v1/agent/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  const body = await response.json();
  const cookie = (response.headers.get('set-cookie') || '').split(';')[0];
  return { response, body, cookie, csrf: body.csrf };
}

// A WebSocket that queues incoming JSON frames so tests can await the next one of a type.
export class Socket {
  static async open(url, headers) {
    const socket = new Socket(new WebSocket(url, { headers }));
    await new Promise((resolve, reject) => {
      socket.ws.once('open', resolve);
      socket.ws.once('error', reject);
      socket.ws.once('unexpected-response', (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return socket;
  }
  constructor(ws) {
    this.ws = ws;
    this.frames = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.waiters.forEach((w) => w());
    });
  }
  send(frame) { this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)); }
  // The next not yet taken frame of `type` (earlier frames of other types stay for later).
  async next(type, timeout = 5000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const i = this.frames.findIndex((f) => f.type === type);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      if (Date.now() > deadline) throw new Error(`no "${type}" frame; have ${JSON.stringify(this.frames)}`);
      await new Promise((resolve) => {
        const w = () => { this.waiters = this.waiters.filter((x) => x !== w); resolve(); };
        this.waiters.push(w);
        setTimeout(w, 100);
      });
    }
  }
  close() { this.ws.close(); return this.closed; }
}

export function resident(server, origin = RESIDENT_ORIGIN) {
  return Socket.open(`${server.ws}/v1/handover`, { Origin: origin });
}

export function agent(server, cookie, origin = server.url) {
  return Socket.open(`${server.ws}/v1/agent/socket`, { Origin: origin, Cookie: cookie });
}

// An agent's console that the hub has registered: online once its first queue frame has come, not when the socket
// opened (the hub registers the agent after the handshake; under load a resident could otherwise start in between
// and be told no_agent). The first queue frame is taken.
export async function onlineAgent(server, cookie) {
  const socket = await agent(server, cookie);
  await socket.next('queue');
  return socket;
}
