// The safety layer against the real gem-server: security headers, CORS allow-list, size limits,
// malformed input, rate limits, static files without traversal, the access log, graceful shutdown
// and configuration errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';

import { ROOT, serverBinary, startGemServer } from '../lib/gem-server.js';
import { startRedis } from './handover_fixture.js';

let server;
before(async () => { server = await startGemServer(); });
after(() => server?.stop());

const ROTTERDAM = 'https://www.rotterdam.nl';

// fetch() normalises paths ("/a/../b"); this sends the target exactly as written.
function raw(path, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((done, fail) => {
    const req = request(`${server.url}${path}`, { method, headers }, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', fail);
    req.path = path;
    req.end(body);
  });
}

function assertSecurityHeaders(headers, what) {
  const h = (name) => (typeof headers.get === 'function' ? headers.get(name) : headers[name]);
  const csp = h('content-security-policy');
  assert.ok(csp, `${what}: CSP`);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(h('x-content-type-options'), 'nosniff', what);
  assert.equal(h('referrer-policy'), 'no-referrer', what);
}

test('security headers on pages, assets, API answers and errors', async () => {
  for (const path of ['/', '/widget/gem.js', '/v1/live/GM0599/opening-hours', '/v1/live/GM9999/opening-hours', '/nope',
    '/dashboard']) {
    const res = await fetch(`${server.url}${path}`);
    assertSecurityHeaders(res.headers, path);
    assert.equal(res.headers.get('strict-transport-security'), null, 'HSTS only when configured');
  }
});

test('HSTS when configured', async () => {
  const hsts = await startGemServer({ env: { GEM_HSTS: '1' } });
  try {
    const res = await fetch(`${hsts.url}/`);
    assert.match(res.headers.get('strict-transport-security'), /max-age=\d+/);
  } finally {
    await hsts.stop();
  }
});

test('static files: MIME types, ETag revalidation, the demo page at /', async () => {
  const page = await fetch(`${server.url}/`);
  assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(await page.text(), /<script src="\/widget\/gem.js"/);
  for (const [path, type] of [['/widget/gem.js', 'text/javascript; charset=utf-8'], ['/gem/gem.js', 'text/javascript; charset=utf-8'],
    ['/demo.css', 'text/css; charset=utf-8'], ['/favicon.svg', 'image/svg+xml'],
    ['/widget/content/GM0599.json', 'application/json; charset=utf-8']]) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), type, path);
    const etag = res.headers.get('etag');
    assert.ok(etag, path);
    assert.equal(res.headers.get('cache-control'), 'no-cache', `${path}: its name stays, so browsers revalidate`);
    const again = await fetch(`${server.url}${path}`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, path);
  }
});

test('static files: every asset of the widget build has a content-hashed name that browsers keep for a year', async () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'build/widget/manifest.json'), 'utf8'));
  assert.ok(Object.keys(manifest).length >= 10, Object.keys(manifest).join());
  for (const [name, hashed] of Object.entries(manifest)) {
    const bytes = readFileSync(join(ROOT, 'build/widget', hashed));
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    assert.equal(hashed, name.replace(/(\.[a-z0-9]+)$/, `.${hash}$1`), 'the name carries the hash of the bytes');
    const res = await fetch(`${server.url}/widget/${hashed}`);
    assert.equal(res.status, 200, hashed);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', hashed);
    if (hashed.endsWith('.wasm')) assert.equal(res.headers.get('content-type'), 'application/wasm', hashed);
    await res.arrayBuffer();
  }
  // The unhashed names are gone: an old gem.js cannot mix with new assets.
  assert.equal((await fetch(`${server.url}/widget/gem-panel.js`)).status, 404);
});

test('static files: the brotli or gzip copy for clients that take it, never a stale copy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gem-static-'));
  const text = 'export const answer = "Gem";\n'.repeat(400);
  for (const name of ['fresh.js', 'stale.js']) {
    writeFileSync(join(dir, name), text);
    writeFileSync(join(dir, `${name}.br`), brotliCompressSync(text));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(text));
  }
  const past = new Date(Date.now() - 3600_000);
  utimesSync(join(dir, 'stale.js.br'), past, past);  // a content rebuild after the widget build
  utimesSync(join(dir, 'stale.js.gz'), past, past);
  const own = await startGemServer({ config: { static: [{ prefix: '/t/', dir }] } });
  const get = (path, encoding) => new Promise((done, fail) => {
    request(`${own.url}${path}`, { headers: encoding ? { 'Accept-Encoding': encoding } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => done({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', fail).end();
  });
  try {
    const br = await get('/t/fresh.js', 'gzip, deflate, br');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(br.headers.vary, /Accept-Encoding/);
    assert.equal(brotliDecompressSync(br.body).toString(), text);
    const gz = await get('/t/fresh.js', 'gzip, br;q=0');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), text);
    const plain = await get('/t/fresh.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), text);
    assert.notEqual(plain.headers.etag, br.headers.etag);
    const stale = await get('/t/stale.js', 'br, gzip');
    assert.equal(stale.headers['content-encoding'], undefined);
    assert.equal(stale.body.toString(), text);
  } finally {
    await own.stop();
  }
});

test('no way out of a static mount', async () => {
  for (const path of ['/widget/../../etc/passwd', '/widget/..%2f..%2fREADME.md', '/widget/%2e%2e/%2e%2e/README.md',
    '/../README.md', '/widget/./gem.js', '/widget//gem.js', '/widget/..\\..\\README.md', '/%00', '/widget/gem.js%00.html']) {
    const res = await raw(path);
    assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`);
    assert.doesNotMatch(res.body, /root:|# Gem/);
  }
});

test('CORS: the municipality\'s own website is allowed, others get 403', async () => {
  const ok = await fetch(`${server.url}/v1/live/GM0599/opening-hours`, { headers: { Origin: ROTTERDAM } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), ROTTERDAM);
  assert.equal(ok.headers.get('vary'), 'Origin');
  assert.equal(ok.headers.get('access-control-allow-credentials'), null, 'no cookies for residents');

  // Tilburg's site may not use Rotterdam's endpoints; an unknown site nothing.
  for (const origin of ['https://www.tilburg.nl', 'https://evil.example', 'http://www.rotterdam.nl', 'null']) {
    const res = await fetch(`${server.url}/v1/live/GM0599/opening-hours`, { headers: { Origin: origin } });
    assert.equal(res.status, 403, origin);
    assert.equal((await res.json()).error, 'forbidden_origin');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  }
  // The server's own origin is always allowed.
  const self = await fetch(`${server.url}/v1/live/GM0599/opening-hours`, { headers: { Origin: server.url } });
  assert.equal(self.status, 200);

  // Preflight for POST /v1/events from an allowed site; refused for another.
  const pre = await fetch(`${server.url}/v1/events`, { method: 'OPTIONS', headers: { Origin: ROTTERDAM,
    'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), ROTTERDAM);
  assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
  const bad = await fetch(`${server.url}/v1/events`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example',
    'Access-Control-Request-Method': 'POST' } });
  assert.equal(bad.status, 403);

  // Events for Rotterdam sent from Tilburg's site: 403 (the municipality is in the body).
  const events = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { Origin: 'https://www.tilburg.nl',
    'Content-Type': 'application/json' }, body: JSON.stringify({ municipality: 'GM0599', events: [{ type: 'thumbs_up' }] }) });
  assert.equal(events.status, 403);
});

test('bodies over 16 KiB: 413 too_large', async () => {
  const body = JSON.stringify({ municipality: 'GM0599', events: [{ type: 'thumbs_up' }], pad: 'x'.repeat(17000) });
  const res = await raw('/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  assert.equal(res.status, 413);
  assert.equal(JSON.parse(res.body).error, 'too_large');
  assertSecurityHeaders(res.headers, '413');
});

test('malformed JSON and wrong shapes: 400 with a reason', async () => {
  const post = (body, type = 'application/json') => fetch(`${server.url}/v1/events`, { method: 'POST',
    headers: { 'Content-Type': type }, body });
  for (const [body, field] of [['{"municipality":', undefined], ['[]', undefined], ['"x"', undefined],
    ['{"municipality":"GM0599"}', 'events'], ['{"municipality":"GM0599","events":[]}', 'events'],
    ['{"municipality":"GM0599","events":[{"type":"answer","product":"paspoort","text":"mijn naam is Jan"}]}', 'events[].text'],
    ['{"municipality":"GM0599","events":[{"type":"nps","score":11}]}', 'events[].score'],
    ['{"municipality":"GM0599","events":[{"type":"answer","product":"<script>"}]}', 'events[].product'],
    ['{"municipality":"GM0599","events":[{"type":"conversation_started"}],"ip":"1.2.3.4"}', 'ip']]) {
    const res = await post(body);
    assert.equal(res.status, 400, body);
    const answer = await res.json();
    assert.equal(answer.error, 'invalid_request');
    assert.equal(answer.field, field, body);
    assert.ok(answer.reason.length > 5);
  }
  assert.equal((await post('{}', 'application/x-www-form-urlencoded')).status, 400);
  const many = JSON.stringify({ municipality: 'GM0599', events: Array.from({ length: 51 }, () => ({ type: 'thumbs_up' })) });
  assert.equal((await post(many)).status, 400);
  // A malformed HTTP request line.
  const garbage = await raw('/v1/live/GM0599/opening-hours', { headers: { 'Content-Length': 'abc' } }).catch(() => ({ status: 400 }));
  assert.equal(garbage.status, 400);
});

test('a flood from one IP gets 429 with Retry-After; static files are not limited', async () => {
  const limited = await startGemServer({ env: { GEM_RATE_PER_SECOND: '1', GEM_RATE_BURST: '5' } });
  try {
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await fetch(`${limited.url}/v1/live/GM0599/opening-hours`)).status);
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    const res = await fetch(`${limited.url}/v1/live/GM0599/opening-hours`);
    assert.equal(res.status, 429);
    assert.equal((await res.json()).error, 'rate_limited');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.equal((await fetch(`${limited.url}/widget/gem.js`)).status, 200);
    // A refused site learns nothing from the answer either: no CORS header on the 429.
    const foreign = await fetch(`${limited.url}/v1/live/GM0599/opening-hours`, { headers: { Origin: 'https://evil.example' } });
    assert.equal(foreign.status, 429);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    // Without a trusted proxy, X-Forwarded-For cannot buy a fresh bucket.
    const spoofed = await fetch(`${limited.url}/v1/live/GM0599/opening-hours`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    assert.equal(spoofed.status, 429);
  } finally {
    await limited.stop();
  }
});

test('behind a trusted proxy each forwarded client has its own bucket', async () => {
  const proxied = await startGemServer({ env: { GEM_RATE_PER_SECOND: '1', GEM_RATE_BURST: '2', GEM_TRUSTED_PROXIES: '127.0.0.1' } });
  try {
    const from = async (ip) => (await fetch(`${proxied.url}/v1/live/GM0599/opening-hours`,
      { headers: { 'X-Forwarded-For': `198.51.100.1, ${ip}` } })).status;
    assert.deepEqual([await from('203.0.113.1'), await from('203.0.113.1'), await from('203.0.113.1')], [200, 200, 429]);
    assert.equal(await from('203.0.113.2'), 200);
  } finally {
    await proxied.stop();
  }
});

test('the access log has method, path, status and duration; never a query string or body', async () => {
  const secret = 'Jansen3011AB';
  await fetch(`${server.url}/v1/live/GM0599/waste?postcode=3011AB&house_number=7&x=${secret}`);
  await fetch(`${server.url}/v1/live/GM0599/status?reference=${secret}&postcode=3011AB&house_number=1`);
  await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ municipality: 'GM0599', events: [{ type: 'answer', product: secret }] }) });
  await raw('/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ municipality: 'GM0599', pad: secret.repeat(2000) }) });
  await raw(`/v1/live/GM0599/opening-hours?${secret}`);
  await new Promise((r) => setTimeout(r, 100));
  const log = server.logs();
  assert.ok(!log.includes(secret), 'no query string or body in the log');
  assert.ok(!log.includes('?'), 'no query strings at all');
  assert.match(log, /^\S+Z GET \/v1\/live\/GM0599\/status 404 [\d.]+ms$/m);
  assert.match(log, /^\S+Z POST \/v1\/events 413 [\d.]+ms$/m);
  assert.doesNotMatch(log, /127\.0\.0\.1 /, 'no client IP');
});

test('SIGTERM stops the server gracefully (exit 0)', async () => {
  const s = await startGemServer();
  assert.equal((await fetch(`${s.url}/v1/live/GM0599/opening-hours`)).status, 200);
  assert.equal(await s.stop(), 0);
  assert.match(s.logs(), /gem-server stopped/);
});

test('bad configuration stops the server with a message naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gem-config-'));
  const run = (config, env = {}) => {
    const file = join(dir, 'c.json');
    writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
    return spawnSync(serverBinary(), ['--config', file], { env: { ...process.env, GEM_DATA_DIR: dir, ...env }, encoding: 'utf8', timeout: 10000 });
  };
  for (const [config, env, message] of [
    ['{"port":', {}, /not valid JSON/],
    [{ prot: 8080 }, {}, /unknown key "prot"/],
    [{ port: 'x' }, {}, /config.port/],
    [{ municipalities: { GM599: { name: 'x' } } }, {}, /GM followed by four digits/],
    [{ municipalities: { GM0599: { name: 'Rotterdam', origins: ['www.rotterdam.nl'] } } }, {}, /not an origin/],
    [{}, { GEM_PORT: 'eighty' }, /GEM_PORT="eighty"/],
    [{}, { GEM_POSTGRES_URL: 'mysql://x' }, /GEM_POSTGRES_URL/],
    [{}, { GEM_TRUSTED_PROXIES: '127.0.0.1,proxy.local' }, /"proxy.local" is not an IP address/],
  ]) {
    const r = run(config, env);
    assert.equal(r.status, 2, `${JSON.stringify(config)} ${JSON.stringify(env)}: ${r.stderr}`);
    assert.match(r.stderr, /configuration error/);
    assert.match(r.stderr, message);
  }
  const none = spawnSync(serverBinary(), [], { env: { ...process.env, GEM_CONFIG: '' }, encoding: 'utf8' });
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--config/);
});

test('static files: no dotfiles, no node_modules, no source maps, no symlinks out of the mount', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gem-static-'));
  const dir = join(root, 'site');
  mkdirSync(join(dir, 'node_modules/pkg'), { recursive: true });
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(root, 'secret.txt'), 'outside the mount');
  for (const name of ['ok.js', 'ok.js.map', '.env', '.git/config', 'node_modules/pkg/index.js']) writeFileSync(join(dir, name), 'x');
  symlinkSync(join(root, 'secret.txt'), join(dir, 'leak.txt'));
  symlinkSync(join(dir, 'ok.js'), join(dir, 'alias.js'));  // a link inside the mount is fine
  const own = await startGemServer({ config: { static: [{ prefix: '/s/', dir }] } });
  try {
    assert.equal((await fetch(`${own.url}/s/ok.js`)).status, 200);
    assert.equal((await fetch(`${own.url}/s/alias.js`)).status, 200);
    for (const path of ['/s/ok.js.map', '/s/.env', '/s/.git/config', '/s/node_modules/pkg/index.js', '/s/leak.txt']) {
      const res = await fetch(`${own.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /outside the mount/);
    }
  } finally {
    await own.stop();
  }
});

test('405 names the allowed methods', async () => {
  const res = await fetch(`${server.url}/v1/live/GM0599/opening-hours`, { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
});

test('the access log escapes spaces in paths, so fields cannot shift', async () => {
  await raw('/no%20such%20file');
  await new Promise((r) => setTimeout(r, 100));
  assert.match(server.logs(), /^\S+Z GET \/no%20such%20file 404 [\d.]+ms$/m);
});

test('the data directory and its files are for the service user only', async () => {
  const mode = (path) => statSync(path).mode & 0o777;
  assert.equal(mode(server.dataDir), 0o700);
  for (const name of readdirSync(server.dataDir)) assert.equal(mode(join(server.dataDir, name)) & 0o077, 0, name);
});

test('/healthz, /readyz and Prometheus /metrics on its own address, without paths, queries or addresses', async () => {
  const own = await startGemServer({ env: { GEM_METRICS_LISTEN: '127.0.0.1:0' } });
  try {
    const health = await fetch(`${own.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${own.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, checks: { data_dir: 'ok' } });
    assert.equal((await fetch(`${own.url}/metrics`)).status, 404, 'not on the public address');

    const metricsUrl = /gem-server metrics on (http:\/\/[\d.]+:\d+\/metrics)/.exec(own.logs())[1];
    await fetch(`${own.url}/v1/live/GM0599/waste?postcode=3011AB&house_number=7`);
    await fetch(`${own.url}/secret-path-Jansen`);
    const res = await fetch(metricsUrl);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^gem_http_requests_total\{route="\/v1\/live\/\{gm\}\/waste",status="200"\} 1$/m);
    assert.match(text, /^gem_http_requests_total\{route="other",status="404"\} 2$/m);  // /metrics on the public address, and the made-up path
    assert.match(text, /^gem_http_request_duration_seconds_bucket\{route="\/v1\/live\/\{gm\}\/waste",le="\+Inf"\} 1$/m);
    assert.match(text, /^gem_open_connections\{kind="websocket"\} 0$/m);
    assert.match(text, /^gem_refused_connections_total \d+$/m);
    assert.doesNotMatch(text, /3011AB|Jansen|secret|127\.0\.0\.1/, 'no queries, paths or addresses');

    assert.match(text, /^gem_handover_queue_length\{municipality="GM0599"\} 0$/m);
  } finally {
    await own.stop();
  }
});

test('/readyz says 503 when Redis cannot be reached', async () => {
  const redis = await startRedis(mkdtempSync(join(tmpdir(), 'gem-ready-')));
  const own = await startGemServer({ env: redis.env });
  try {
    assert.equal((await fetch(`${own.url}/readyz`)).status, 200);
    await redis.stop();
    const answer = await fetch(`${own.url}/readyz`);
    assert.equal(answer.status, 503);
    assert.deepEqual((await answer.json()).checks, { data_dir: 'ok', redis: 'unreachable' });
    assert.equal((await fetch(`${own.url}/healthz`)).status, 200, 'alive all the same');
  } finally {
    await own.stop();
  }
});
