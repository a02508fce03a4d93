// Size: the bytes a visitor downloads for Gem, per part (raw, gzip -9, brotli), and what nlp.js would need in a
// browser (its bundle + the trained model JSON); Gem's wasm memory after 100 messages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as esbuild from 'esbuild';

import { ROOT } from '../../wasm/node.js';
import { compressedSizes } from '../../widget/build.js';
import { readSplits } from './data.js';
import { nlpjsPeer, nodeSystem } from './peers/index.js';

const WIDGET = join(ROOT, 'build/widget');
const MUNICIPALITY = 'GM0599';


// Logical name → content-hashed name, written by widget/build.js.
const manifest = () => JSON.parse(readFileSync(join(WIDGET, 'manifest.json'), 'utf8'));

// The build's .br/.gz copies are the same files precompressed for the server, not more downloads.
const filesIn = (dir) => (existsSync(dir)
  ? readdirSync(dir).filter((f) => !/\.(br|gz)$/.test(f)).sort().map((f) => join(dir, f)) : []);

function contentPack() {
  const candidates = [join(WIDGET, 'content', `${MUNICIPALITY}.json`), join(ROOT, 'build/content', `${MUNICIPALITY}.json`)];
  return candidates.filter(existsSync).slice(0, 1);
}

// The parts of the widget build, in the order the visitor gets them.
export function gemParts() {
  return [
    { part: 'loader (gem.js, on every page)', files: [join(WIDGET, 'gem.js')] },
    { part: 'panel (gem-panel.<hash>.js)', files: [join(WIDGET, manifest()['gem-panel.js'])] },
    { part: "engine (engine-worker.<hash>.js, in the engine's worker)", files: [join(WIDGET, manifest()['engine-worker.js'])] },
    { part: 'core wasm (core/)', files: filesIn(join(WIDGET, 'core')) },
    { part: 'ONNX Runtime Web (ort/)', files: filesIn(join(WIDGET, 'ort')) },
    { part: 'model (models/)', files: filesIn(join(WIDGET, 'models')) },
    { part: `content pack (${MUNICIPALITY}.json)`, files: contentPack() },
    { part: 'gazetteers (gazetteer/)', files: filesIn(join(WIDGET, 'gazetteer')) },
  ].map(({ part, files }) => {
    const per = files.map((file) => ({ file: file.slice(ROOT.length + 1), ...compressedSizes(readFileSync(file)) }));
    const sum = (k) => per.reduce((n, f) => n + f[k], 0);
    return { part, files: per, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
  });
}

// nlp.js in a browser: its core, NLU and Dutch pack bundled by esbuild (minified), plus the exported models.
async function nlpjsBrowser(train) {
  const result = await esbuild.build({
    stdin: { contents: "export { containerBootstrap } from '@nlpjs/core'; export { Nlp } from '@nlpjs/nlp'; export { LangNl } from '@nlpjs/lang-nl';",
      resolveDir: ROOT, loader: 'js' },
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error',
  });
  const peer = await nlpjsPeer(train);
  return [
    { part: 'nlp.js bundle (@nlpjs/core + nlp + lang-nl, esbuild --minify)', ...compressedSizes(Buffer.from(result.outputFiles[0].contents)) },
    { part: 'nlp.js trained models (3 heads, minified export JSON)', ...compressedSizes(Buffer.from(peer.exportModels())) },
  ];
}

async function wasmMemory(dev) {
  const gem = await nodeSystem('gem');
  await gem.understand(dev[0].text);
  const before = gem.heapBytes();
  for (let i = 0; i < 100; i++) await gem.understand(dev[i % dev.length].text);
  const after = gem.heapBytes();
  await gem.close();
  return { before_bytes: before, after_100_bytes: after };
}

export async function runSize(log) {
  const { train, dev } = readSplits();
  log('size: widget build');
  const parts = gemParts();
  log('size: nlp.js browser bundle');
  const nlpjs = await nlpjsBrowser(train);
  log('size: wasm memory');
  return { municipality: MUNICIPALITY, parts, nlpjs, wasm_memory: await wasmMemory(dev) };
}
