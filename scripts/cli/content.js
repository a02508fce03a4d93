// `gem content check|build`: reads content/ (YAML) with positions, lets the core check it and compile
// one pack per municipality. YAML syntax errors are reported here; everything else by the core.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

import { ROOT, loadTools } from '../../wasm/node.js';

export class ContentSyntaxError extends Error {
  constructor(problems) {
    super(problems.map((p) => `${p.at}: ${p.message}`).join('\n'));
    this.problems = problems;
  }
}

// A YAML file as plain data where every mapping also carries "_at" (file:line) and "_lines" (key → line).
export function readYamlWithPositions(file, root = ROOT) {
  const name = relative(root, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset) => lineCounter.linePos(offset).line;
  if (doc.errors.length) {
    throw new ContentSyntaxError(doc.errors.map((e) => ({
      at: `${name}:${lineOf(e.pos[0])}`,
      message: e.code === 'DUPLICATE_KEY' ? `duplicate key: ${e.message.split('\n')[0]}` : e.message.split('\n')[0],
    })));
  }
  const convert = (node) => {
    if (isMap(node)) {
      const out = { _at: `${name}:${lineOf(node.range[0])}`, _lines: {} };
      for (const pair of node.items) {
        const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
        out._lines[key] = lineOf(pair.key.range[0]);
        out[key] = convert(pair.value);
      }
      return out;
    }
    if (isSeq(node)) return node.items.map(convert);
    if (isScalar(node)) return node.value;
    return null;
  };
  const data = convert(doc.contents);
  if (data && typeof data === 'object' && !Array.isArray(data)) data._file = name;
  return data;
}

const yamlFiles = (dir) => readdirSync(dir).filter((f) => f.endsWith('.yml')).sort().map((f) => join(dir, f));

// All content as one JSON document for the core. Syntax errors of every file are collected first.
export function readContentSource(root = ROOT) {
  const problems = [];
  const read = (file) => {
    try {
      return readYamlWithPositions(file, root);
    } catch (error) {
      if (!(error instanceof ContentSyntaxError)) throw error;
      problems.push(...error.problems);
      return null;
    }
  };
  const dir = join(root, 'content');
  const source = {
    variables: read(join(dir, 'variables.yml')),
    products: yamlFiles(join(dir, 'products')).map(read).filter(Boolean),
    dialogue: read(join(dir, 'dialogue.yml')),
    widget: read(join(dir, 'widget.yml')),
    countries: read(join(dir, 'countries.yml')),
    municipalities: yamlFiles(join(dir, 'municipalities')).map(read).filter(Boolean),
  };
  if (problems.length) throw new ContentSyntaxError(problems);
  return source;
}

export function readMunicipalities(root = ROOT) {
  return readFileSync(join(root, 'content/gazetteer/gemeenten.tsv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => line.split('\t')).map(([code, name]) => ({ code, name: name.replace(/ \(.*\)$/, '') }));
}

export function labelSet(root = ROOT) {
  const meta = JSON.parse(readFileSync(join(root, 'models/gem-nlu.json'), 'utf8'));
  return {
    products: meta.labels.product.filter((l) => l !== null),
    aspects: meta.labels.aspect.filter((l) => l !== null),
    municipalities: readMunicipalities(root).map((m) => m.code),
  };
}

// `tools`: the gem-tools wasm module (loadTools()).
export function checkContent(tools, root = ROOT) {
  let source;
  try {
    source = readContentSource(root);
  } catch (error) {
    if (error instanceof ContentSyntaxError) return { errors: error.problems, source: null };
    throw error;
  }
  return { errors: JSON.parse(tools.checkContent(JSON.stringify(source), labelSet(root))), source };
}

// The pack for one municipality; one without a content file gets the generic pack with its own name.
export function packFor(tools, source, code, root = ROOT) {
  const municipality = readMunicipalities(root).find((m) => m.code === code);
  if (!municipality) throw new Error(`unknown municipality ${code}: expected a CBS code from content/gazetteer/gemeenten.tsv`);
  return tools.compilePack(JSON.stringify(source), labelSet(root), code, municipality.name);
}

// Sources whose check date is older than `maxAgeMonths` (default 12) before `today`, oldest first.
export function dueForReview(tools, source, { today = new Date().toISOString().slice(0, 10), maxAgeMonths = 12 } = {}) {
  return JSON.parse(tools.reviewDue(JSON.stringify(source), today, maxAgeMonths));
}

function maxAgeOption(args) {
  if (!args.includes('--max-age')) return 12;
  const months = Number(args[args.indexOf('--max-age') + 1]);
  if (!Number.isInteger(months) || months < 0) throw new Error('--max-age: expected a number of months, e.g. --max-age 12');
  return months;
}

export async function contentCommand(args, out) {
  const [action] = args;
  const tools = await loadTools();
  const { errors, source } = checkContent(tools);
  for (const e of errors) out.write(`${e.at}: ${e.message}\n`);
  if (errors.length) {
    out.write(`content check: ${errors.length} error(s)\n`);
    return 1;
  }
  const files = source.products.length + source.municipalities.length + 4;
  const maxAgeMonths = maxAgeOption(args);
  const due = dueForReview(tools, source, { maxAgeMonths });
  if (action === 'due') {
    for (const d of due) out.write(`${d.at}: checked ${d.checked}, look again at ${d.url}\n`);
    out.write(`content due: ${due.length} source(s) checked more than ${maxAgeMonths} months ago\n`);
    return 0;
  }
  if (action === 'check') {
    out.write(`content check: ${files} files, ${source.products.length} products, ${source.municipalities.length} municipalities, no errors\n`);
    if (due.length) out.write(`warning: ${due.length} source(s) checked more than ${maxAgeMonths} months ago; list them with: scripts/gem content due\n`);
    return 0;
  }
  if (action !== 'build') throw new Error(`unknown content action '${action}' (expected check or build)`);
  const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, 'build/content');
  mkdirSync(outDir, { recursive: true });
  const targets = [...source.municipalities.map((m) => m.municipality), 'generic'];
  for (const code of targets) {
    // The generic pack serves every municipality without its own file; the widget sets the name.
    const pack = code === 'generic' ? tools.compilePack(JSON.stringify(source), labelSet(), 'generic', '') : packFor(tools, source, code);
    writeFileSync(join(outDir, `${code}.json`), pack);
    out.write(`${code}.json  ${pack.length} bytes, ${brotliCompressSync(pack).length} brotli\n`);
  }
  out.write(`content build: ${targets.length} packs in ${relative(process.cwd(), outDir) || '.'}\n`);
  return 0;
}
