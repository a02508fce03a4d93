// `gem content check|build|import-almanac|import-catalogue`: reads content/ (YAML) with positions, adds
// the national registers' data (content/registers/, see registers/store.js), lets the core check it and
// compile one pack per municipality. YAML syntax errors and register rules are checked here; the rest
// by the core.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

import { ROOT, loadTools } from '../../wasm/node.js';
import { checkRegisters, importAlmanac, importCatalogue, readRegisters, withRegisters } from './registers/store.js';
import { ImportError } from './registers/xml.js';

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

// All content as one JSON document for the core, the registers' values merged into the municipalities.
// Syntax errors of every file are collected first.
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
    required_sections: read(join(dir, 'required-sections.yml')),
    municipalities: yamlFiles(join(dir, 'municipalities')).map(read).filter(Boolean),
  };
  const registers = readRegisters(root, read);
  if (problems.length) throw new ContentSyntaxError(problems);
  source.municipalities = withRegisters(source.municipalities, registers, readMunicipalities(root));
  return { source, registers };
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
  let read;
  try {
    read = readContentSource(root);
  } catch (error) {
    if (error instanceof ContentSyntaxError) return { errors: error.problems, source: null };
    throw error;
  }
  const { source, registers } = read;
  const labels = labelSet(root);
  const errors = [
    ...JSON.parse(tools.checkContent(JSON.stringify(source), labels)),
    ...checkRegisters(source, registers, readMunicipalities(root), labels),
  ];
  return { errors, source };
}

// The pack for one municipality: its own values (hand-written and from the registers) over the national ones.
export function packFor(tools, source, code, root = ROOT) {
  const municipality = readMunicipalities(root).find((m) => m.code === code);
  if (!municipality) throw new Error(`unknown municipality ${code}: expected a CBS code from content/gazetteer/gemeenten.tsv`);
  return tools.compilePack(JSON.stringify(source), labelSet(root), code, municipality.name);
}

// A compiled pack as one object. A pack is JSON Lines: the first line without the products' sections, then the
// sections of each product that its `answers` lists, a line each (the core reads them when first needed).
export function parsePack(text) {
  const [first, ...lines] = String(text).split('\n');
  const pack = JSON.parse(first);
  pack.answers.forEach((product, i) => { pack.products[product].sections = JSON.parse(lines[i]); });
  return pack;
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

const option = (args, name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

// import-almanac FILE / import-catalogue FILE: parse a register export and write its snapshot.
function importCommand(action, args, out) {
  const file = args.slice(1).find((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  if (!file) throw new Error(`${action} needs a file`);
  const options = { root: ROOT, gazetteer: readMunicipalities(), checked: option(args, '--checked'), out };
  try {
    if (!existsSync(file)) throw new ImportError(file, 'no such file');
    if (action === 'import-almanac') importAlmanac(file, options);
    else importCatalogue(file, { ...options, municipality: option(args, '--municipality') });
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    out.write(`${error.message}\n${action}: nothing written\n`);
    return 1;
  }
  return 0;
}

export async function contentCommand(args, out) {
  const [action] = args;
  if (action.startsWith('import-')) return importCommand(action, args, out);
  const tools = await loadTools();
  const { errors, source } = checkContent(tools);
  for (const e of errors) out.write(`${e.at}: ${e.message}\n`);
  if (errors.length) {
    out.write(`content check: ${errors.length} error(s)\n`);
    return 1;
  }
  const own = source.municipalities.filter((m) => !m.registers).length;
  const files = source.products.length + own + 5;
  const maxAgeMonths = maxAgeOption(args);
  const due = dueForReview(tools, source, { maxAgeMonths });
  if (action === 'due') {
    for (const d of due) out.write(`${d.at}: checked ${d.checked}, look again at ${d.url}\n`);
    out.write(`content due: ${due.length} source(s) checked more than ${maxAgeMonths} months ago\n`);
    return 0;
  }
  if (action === 'check') {
    out.write(`content check: ${files} files, ${source.products.length} products, ${own} municipality files, `
      + `${source.municipalities.length} municipalities with their own values, no errors\n`);
    if (due.length) out.write(`warning: ${due.length} source(s) checked more than ${maxAgeMonths} months ago; list them with: scripts/gem content due\n`);
    return 0;
  }
  if (action !== 'build') throw new Error(`unknown content action '${action}' (expected check or build)`);
  const outDir = option(args, '--out') ?? join(ROOT, 'build/content');
  const verbose = args.includes('--verbose');
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  const labels = labelSet();
  // Each pack is compiled from the national content plus its own municipality only: the whole was
  // checked above, and the core checks what it compiles again, so less to check is a faster build.
  const { municipalities, ...national } = source;
  const base = JSON.stringify(national).slice(0, -1);
  const sourceFor = (code) => `${base},"municipalities":${JSON.stringify(municipalities.filter((m) => m.municipality === code))}}`;
  // Every municipality its own pack; the generic one serves a page that names none.
  const targets = [...readMunicipalities(), { code: 'generic', name: '' }];
  let bytes = 0;
  for (const { code, name } of targets) {
    const pack = tools.compilePack(sourceFor(code), labels, code, name);
    writeFileSync(join(outDir, `${code}.json`), pack);
    bytes += pack.length;
    if (verbose || code === 'generic') out.write(`${code}.json  ${pack.length} bytes, ${brotliCompressSync(pack).length} brotli\n`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  out.write(`content build: ${targets.length} packs in ${relative(process.cwd(), outDir) || '.'}, ${seconds} s, `
    + `${(bytes / 1e6).toFixed(1)} MB in all, ${Math.round(bytes / targets.length / 1000)} kB per pack on average (a site loads one)\n`);
  return 0;
}
