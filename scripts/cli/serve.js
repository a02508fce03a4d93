// A small static server for the demo: only the listed folders, only GET, only on loopback.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

import { ROOT, wasmDir } from '../../wasm/node.js';
import { HASHED_NAME } from '../../widget/build.js';

const MOUNTS = [
  ['/wasm/understanding.js', join(ROOT, 'wasm/understanding.js')],
  ['/wasm/', wasmDir()],
  ['/models/', join(ROOT, 'models')],
  ['/content/gazetteer/', join(ROOT, 'content/gazetteer')],
  ['/vendor/ort/', join(ROOT, 'node_modules/onnxruntime-web/dist')],
  ['/widget/content/', join(ROOT, 'build/content')],
  ['/widget/', join(ROOT, 'build/widget')],
  ['/', join(ROOT, 'widget/demo')],
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.tsv': 'text/tab-separated-values; charset=utf-8', '.svg': 'image/svg+xml' };
// The policy a web team sets for Gem (docs/privacy/webteams.md); `worker-src blob:` lets the engine run in a worker.
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// The policy of a municipality's page that embeds Gem from another origin, as docs/privacy/webteams.md tells web
// teams to write it: Gem's origin for scripts and connections (its WebSocket too), the worker from blob:.
export function pageCsp(gem) {
  return `default-src 'self'; script-src 'self' ${gem} 'wasm-unsafe-eval'; style-src 'self'; ` +
    `connect-src 'self' ${gem} ${gem.replace(/^http/, 'ws')}; worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`;
}

// gem-server's configuration for such a page: its origin added to every municipality's allowed origins.
export function embeddingConfig(config, page) {
  const municipalities = Object.fromEntries(Object.entries(config.municipalities)
    .map(([code, m]) => [code, { ...m, origins: [...(m.origins ?? []), page] }]));
  return { ...config, municipalities };
}

function resolve(urlPath, index, mounts) {
  const path = normalize(decodeURIComponent(urlPath.split('?')[0]));
  for (const [prefix, dir] of mounts) {
    if (path === prefix) return prefix.endsWith('/') ? join(dir, index) : dir;
    if (prefix.endsWith('/') && path.startsWith(prefix)) {
      const file = join(dir, path.slice(prefix.length));
      return file.startsWith(dir) ? file : null;
    }
  }
  return null;
}

// The stat of a compressed copy that is not older than its original, or null.
function fresher(copy, original) {
  try {
    const stat = statSync(copy);
    return stat.isFile() && stat.mtimeMs >= original.mtimeMs ? stat : null;
  } catch {
    return null;
  }
}

// `index`: the page served at / (the demo page); the bare understanding page stays at /classify.html.
// `csp`: another Content-Security-Policy (tests of a page that forbids workers).
// `gem`: Gem's origin (e.g. http://127.0.0.1:8081, a gem-server): then this serves only the municipality's demo page,
// which loads gem.js from there, the realistic cross-origin embedding (scripts/demo).
export function serve({ port = 8080, host = '127.0.0.1', index = 'index.html', gem = null, csp = gem ? pageCsp(gem) : CSP } = {}) {
  const mounts = gem ? MOUNTS.filter(([prefix]) => prefix === '/') : MOUNTS;
  const server = createServer((req, res) => {
    const file = req.method === 'GET' ? resolve(req.url, index, mounts) : null;
    let stat = null;
    try {
      stat = file !== null ? statSync(file) : null;
    } catch {
      stat = null;
    }
    const ok = stat?.isFile() ?? false;
    if (!ok) {
      res.writeHead(req.method === 'GET' ? 404 : 405, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (gem && extname(file) === '.html') {
      // The page names Gem's origin in its script tag, as a municipality's page does.
      const html = readFileSync(file, 'utf8').replaceAll('src="/widget/gem.js"', `src="${gem}/widget/gem.js"`);
      res.writeHead(200, { 'content-type': TYPES['.html'], 'content-security-policy': csp, 'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache' }).end(html);
      return;
    }
    // Content-hashed names (widget/build.js) never change their bytes; everything else is revalidated.
    const cache = HASHED_NAME.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache';
    // The build's brotli copy (0.64 MB instead of 4.2 MB for ONNX Runtime's trimmed wasm), as gem-server sends it.
    const brotli = /\bbr\b/.test(req.headers['accept-encoding'] ?? '') ? fresher(`${file}.br`, stat) : null;
    const sent = brotli ?? stat;
    const etag = `"${sent.size}-${sent.mtimeMs}"`;
    const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp,
      'x-content-type-options': 'nosniff', 'cache-control': cache, vary: 'Accept-Encoding', etag,
      // Public files, fetched without credentials: any site may embed the widget from here.
      'access-control-allow-origin': '*',
      ...(brotli ? { 'content-encoding': 'br' } : {}) };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, headers);
    createReadStream(brotli ? `${file}.br` : file).pipe(res);
  });
  return new Promise((done) => server.listen(port, host, () => done(server)));
}

// PORT (8080); GEM_ORIGIN: Gem's origin, to serve only the municipality's page that embeds it from there.
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8080);
  serve({ port, gem: process.env.GEM_ORIGIN || null }).then(() => console.log(`Gem demo: http://127.0.0.1:${port}/  (Ctrl+C stops)`));
}
