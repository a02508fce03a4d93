// Builds the widget into build/widget/ (esbuild):
//   gem.js          the one-script-tag loader (classic script, IIFE; must stay ≤ 6 KB brotli)
//   gem.mjs         the same loader as an ES module (import { mount } from '…/gem.mjs')
//   gem-panel.<hash>.js    the chat panel, loaded when the resident shows interest
//   engine-worker.<hash>.js  the engine's worker (engine-worker.js with engine-host.js and the wasm core's
//                          JavaScript), started by the loader when the resident shows interest
//   engine.<hash>.mjs      the same engine for the main thread, where the page forbids workers
//   core/ models/ gazetteer/ ort/   the wasm core, the model, the gazetteers and ONNX Runtime Web (copied; ONNX
//                   Runtime's wasm trimmed to what the model runs, widget/ort-trim.js)
//   themes/         the resolved themes, for reference (they are also built into gem.js)
// Every asset but gem.js and gem.mjs carries a hash of its content in its name (gem-panel.3f9a1c2b7d4e.js), so
// servers may let browsers keep it for a year (immutable) and a second visit downloads nothing; gem.js stays
// short-lived and is where a new build becomes visible. A manifest (logical name → hashed name) is built into
// the code that fetches each asset ('gem:assets', see widget/src/assets.js): the engine's files into the engine,
// the engine's and the panel's scripts into the loader.
// Content packs are not copied: `scripts/gem content build` writes them to build/content/, served as content/
// beside gem.js (scripts/cli/serve.js maps /widget/content/ there).
//
//   node widget/build.js            build, print sizes, fail if gem.js is over budget
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import * as esbuild from 'esbuild';

import { trimmedOrtFile } from './ort-trim.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'widget/src');
const LOADER_BUDGET_BROTLI = 6 * 1024;
const TARGET = ['chrome111', 'edge111', 'firefox115', 'safari16.4'];
const ROTTERDAM_TOKENS = join(ROOT, 'node_modules/@nl-design-system-unstable/rotterdam-design-tokens/dist/design-tokens.css');

function wasmDir() {
  return process.env.GEM_WASM_DIR || join(ROOT, 'build/wasm/wasm');
}

// --name: value; declarations of a CSS file (comments removed), in order.
function declarations(css) {
  const out = new Map();
  for (const m of css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/(--[\w-]+)\s*:\s*([^;{}]+);/g)) out.set(m[1], m[2].trim());
  return out;
}

// Replaces every var(--x[, fallback]) by its value in `tokens`, innermost first.
function resolveVars(value, tokens, seen = []) {
  let out = value;
  for (let guard = 0; /var\(/.test(out); guard++) {
    if (guard > 50) throw new Error(`theme: cannot resolve ${value}`);
    out = out.replace(/var\(\s*(--[\w-]+)\s*(?:,([^()]*))?\)/, (_, name, fallback) => {
      if (seen.includes(name)) throw new Error(`theme: circular token ${name}`);
      if (tokens.has(name)) return resolveVars(tokens.get(name), tokens, [...seen, name]);
      if (fallback !== undefined) return fallback.trim();
      throw new Error(`theme: unknown token ${name} in ${value}`);
    });
  }
  return out;
}

// widget/themes/*.css → {name: ':host{--gem-…:…}'} with every referenced design token resolved.
export function buildThemes() {
  const tokens = existsSync(ROTTERDAM_TOKENS) ? declarations(readFileSync(ROTTERDAM_TOKENS, 'utf8')) : new Map();
  const themes = {};
  for (const file of readdirSync(join(ROOT, 'widget/themes')).filter((f) => f.endsWith('.css')).sort()) {
    const name = file.replace(/\.css$/, '');
    const own = declarations(readFileSync(join(ROOT, 'widget/themes', file), 'utf8'));
    const body = [...own].map(([prop, value]) => `${prop}:${resolveVars(value, tokens)}`).join(';');
    themes[name] = `:host{${body}}`;
  }
  return themes;
}

// .css imports become minified strings (for constructable stylesheets); 'gem:themes' the resolved themes;
// 'gem:assets' the manifest of hashed asset names; 'gem:model-worker' the model's worker (model-worker.js) as a
// string, to start from a blob: URL; 'gem-core' the wasm build's JavaScript.
function plugins(themes, manifest = {}) {
  return [{
    name: 'gem',
    setup(build) {
      build.onResolve({ filter: /\.css$/ }, (args) => ({ path: join(args.resolveDir, args.path), namespace: 'css-text' }));
      build.onLoad({ filter: /.*/, namespace: 'css-text' }, async (args) => {
        const { code } = await esbuild.transform(readFileSync(args.path, 'utf8'), { loader: 'css', minify: true, target: TARGET });
        return { contents: `export default ${JSON.stringify(code.trim())};`, loader: 'js' };
      });
      build.onResolve({ filter: /^gem:themes$/ }, () => ({ path: 'themes', namespace: 'gem-themes' }));
      build.onLoad({ filter: /.*/, namespace: 'gem-themes' }, () => ({ contents: `export default ${JSON.stringify(themes)};`, loader: 'js' }));
      build.onResolve({ filter: /^gem:model-worker$/ }, (args) => ({ path: args.path.slice(4), namespace: 'gem-worker' }));
      build.onLoad({ filter: /.*/, namespace: 'gem-worker' }, async (args) => {
        // The Node branches of the Emscripten glue are never taken in a browser: leave their modules out.
        const worker = await esbuild.build({ entryPoints: [join(SRC, `${args.path}.js`)], bundle: true, minify: true,
          target: TARGET, legalComments: 'none', format: 'esm', write: false, plugins: plugins(themes, manifest),
          platform: 'browser', external: ['fs', 'path', 'crypto'] });
        return { contents: `export default ${JSON.stringify(worker.outputFiles[0].text)};`, loader: 'js' };
      });
      build.onResolve({ filter: /^gem:assets$/ }, () => ({ path: 'assets', namespace: 'gem-assets' }));
      build.onLoad({ filter: /.*/, namespace: 'gem-assets' }, () => ({ contents: `export default ${JSON.stringify(manifest)};`, loader: 'js' }));
      build.onResolve({ filter: /^gem-core$/ }, () => {
        const path = join(wasmDir(), 'gem-core.js');
        if (!existsSync(path)) return { errors: [{ text: `${path} is missing: build the WebAssembly module first (scripts/build)` }] };
        return { path };
      });
    },
  }];
}

// A name hashName gave: servers may let browsers keep such a file for a year (scripts/cli/serve.js).
export const HASHED_NAME = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

// Renames `dir/rel` to carry the first 12 hex digits of its SHA-256 before the extension
// (ort/ort.wasm.min.mjs → ort/ort.wasm.min.3f9a1c2b7d4e.mjs) and returns the new relative name.
function hashName(dir, rel) {
  const bytes = readFileSync(join(dir, rel));
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  const ext = extname(rel);
  const named = `${rel.slice(0, -ext.length)}.${hash}${ext}`;
  renameSync(join(dir, rel), join(dir, named));
  return named;
}

// Brotli as served: the best quality and the largest window browsers accept (16 MB; the default 4 MB window
// left ONNX Runtime's 14 MB wasm 54 KB larger).
const brotliParams = (bytes) => ({ [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24,
  [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length });

// Raw, gzip -9 and brotli as served: the build's size report and the size bench (scripts/bench_lib) alike.
export function compressedSizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: brotliParams(bytes) }).length,
  };
}

function copy(from, to) {
  if (!existsSync(from)) throw new Error(`${from} is missing`);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

// Brotli and gzip copies beside every compressible asset, which the server sends to browsers that accept
// them (a visitor then downloads 5–6 MB instead of 18 MB). Brotli at its best quality takes ~30 s for the
// ONNX Runtime wasm, so results are cached by content hash in build/compressed/.
const COMPRESSIBLE = new Set(['.js', '.mjs', '.wasm', '.json', '.onnx', '.bin', '.spm', '.tsv', '.css', '.svg']);
const CACHE = join(ROOT, 'build/compressed');

function compressedCopies(bytes) {
  const hash = createHash('sha256').update(bytes).digest('hex');
  const cached = (suffix, make) => {
    const file = join(CACHE, `${hash}${suffix}`);
    if (existsSync(file)) return readFileSync(file);
    const out = make();
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(`${file}.tmp-${process.pid}`, out);
    renameSync(`${file}.tmp-${process.pid}`, file);
    return out;
  };
  return {
    br: cached('.q11w24.br', () => brotliCompressSync(bytes, { params: brotliParams(bytes) })),
    gz: cached('.gz', () => gzipSync(bytes, { level: 9 })),
  };
}

export function precompress(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) precompress(file);
    else if (COMPRESSIBLE.has(extname(entry.name))) {
      const bytes = readFileSync(file);
      if (bytes.length < 1024) continue;
      const { br, gz } = compressedCopies(bytes);
      writeFileSync(`${file}.br`, br);
      writeFileSync(`${file}.gz`, gz);
    }
  }
}

// Replaces `target` by `dir` with two renames; another build swapping at the same moment makes it try again.
function swapIn(dir, target) {
  const old = `${target}.old-${process.pid}`;
  for (let attempt = 1; ; attempt++) {
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(target, old);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    try {
      renameSync(dir, target);
      break;
    } catch (error) {
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code) || attempt >= 5) throw error;
    }
  }
  rmSync(old, { recursive: true, force: true });
}

export async function buildWidget({ out: target = join(ROOT, 'build/widget'), quiet = false } = {}) {
  const themes = buildThemes();
  // Built beside the target and swapped in at the end, so that a page being served from the target (browser
  // test files run in parallel, each building first) never sees a half-written folder.
  const out = `${target}.building-${process.pid}`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, minify: true, target: TARGET, legalComments: 'none', logLevel: 'warning' };

  // What the engine fetches, copied and hashed first: their names go into the engine's manifest.
  const fetched = [];
  const take = (from, rel) => {
    copy(from, join(out, rel));
    fetched.push(rel);
  };
  take(join(wasmDir(), 'gem-core.wasm'), 'core/gem-core.wasm');
  for (const f of ['gem.spm', 'gem-nlu.json', 'gem-compact.bin', 'gem-intent.onnx']) take(join(ROOT, 'models', f), `models/${f}`);
  for (const f of ['gemeenten.tsv', 'gemeente-aliases.tsv', 'landen.tsv']) take(join(ROOT, 'content/gazetteer', f), `gazetteer/${f}`);
  const ort = join(ROOT, 'node_modules/onnxruntime-web/dist');
  for (const f of ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs']) take(join(ort, f), `ort/${f}`);
  // ONNX Runtime's wasm with only what the model runs (widget/ort-trim.js): 2.3 MB brotli → about 0.64 MB.
  const trimmedOrt = await trimmedOrtFile({ root: ROOT, ortWasm: join(ort, 'ort-wasm-simd-threaded.wasm'), cacheDir: join(ROOT, 'build/ort-trim') });
  take(trimmedOrt.path, 'ort/ort-wasm-simd-threaded.wasm');
  const engineAssets = Object.fromEntries(fetched.map((rel) => [rel, hashName(out, rel)]));
  // The engine, for a worker and for the main thread. The Node branches of the Emscripten glue are never taken in
  // a browser: leave their modules out.
  const engine = { ...common, plugins: plugins(themes, engineAssets), format: 'esm', platform: 'browser', external: ['fs', 'path', 'crypto'] };
  await Promise.all([
    esbuild.build({ ...engine, entryPoints: [join(SRC, 'engine-worker.js')], outfile: join(out, 'engine-worker.js') }),
    esbuild.build({ ...engine, entryPoints: [join(SRC, 'engine-host.js')], outfile: join(out, 'engine.mjs') }),
    // Most of the panel's functions run as it opens: V8's explicit compile hint (Chromium 136+, a comment other
    // browsers ignore) compiles them all while the file streams in, off the main thread, instead of each on the
    // main thread at its first call.
    esbuild.build({ ...common, banner: { js: '//# allFunctionsCalledOnLoad' }, plugins: plugins(themes), entryPoints: [join(SRC, 'panel.js')],
      outfile: join(out, 'gem-panel.js'), format: 'esm', platform: 'browser' }),
  ]);
  const loaderAssets = Object.fromEntries(['engine-worker.js', 'engine.mjs', 'gem-panel.js'].map((rel) => [rel, hashName(out, rel)]));
  await Promise.all([
    esbuild.build({ ...common, plugins: plugins(themes, loaderAssets), entryPoints: [join(SRC, 'loader.js')],
      outfile: join(out, 'gem.js'), format: 'iife' }),
    esbuild.build({ ...common, plugins: plugins(themes, loaderAssets), entryPoints: [join(SRC, 'module.js')],
      outfile: join(out, 'gem.mjs'), format: 'esm' }),
  ]);
  const manifest = { ...engineAssets, ...loaderAssets };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  mkdirSync(join(out, 'themes'), { recursive: true });
  for (const [name, css] of Object.entries(themes)) {
    writeFileSync(join(out, 'themes', `${name}.css`), `/* Gem theme "${name}", resolved by widget/build.js from widget/themes/${name}.css */\n${css}\n`);
  }

  precompress(out);
  swapIn(out, target);
  // The content packs (scripts/gem content build) are served beside the widget; the server ignores a
  // compressed copy older than its pack, so a later content build never serves stale text.
  const packs = join(ROOT, 'build/content');
  if (existsSync(packs)) precompress(packs);

  const report = Object.fromEntries([['gem.js', 'gem.js'], ['gem.mjs', 'gem.mjs'], ['gem-panel.js', manifest['gem-panel.js']],
    ['engine-worker.js', manifest['engine-worker.js']], ['engine.mjs', manifest['engine.mjs']]]
    .map(([name, file]) => [name, compressedSizes(readFileSync(join(target, file)))]));
  if (!quiet) {
    for (const [file, s] of Object.entries(report)) {
      console.log(`${file.padEnd(16)} ${String(s.raw).padStart(7)} B raw  ${String(s.gzip).padStart(6)} B gzip  ${String(s.brotli).padStart(6)} B brotli`);
    }
  }
  if (report['gem.js'].brotli > LOADER_BUDGET_BROTLI) {
    throw new Error(`gem.js is ${report['gem.js'].brotli} B brotli, over the ${LOADER_BUDGET_BROTLI} B budget`);
  }
  return { out: target, report, themes, manifest };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildWidget().catch((error) => {
    console.error(`widget build failed: ${error.message}`);
    process.exit(1);
  });
}
