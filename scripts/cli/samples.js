// scripts/gem samples export: the samples editors labelled in the inbox (GET /v1/staff/samples/export, or a file
// saved from it) as training examples, content/nlu/samples/<product-or-intent>.yml in the format of
// content/nlu/train (content/nlu/README.md), each example with `origin: "sample:<id>"` so it can be told apart
// and removed. Existing sample files are merged without duplicates. A text that is in the dev or external split
// is refused (evaluation data is never trained on): then nothing is written. "New topic" samples are listed for
// the editor, not written; "out of scope" samples go to buiten_bereik.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';

import { ROOT } from '../../wasm/node.js';

const OUT_OF_SCOPE = 'buiten_bereik';
const PRODUCT_QUESTION = 'product_vraag';

export class SamplesError extends Error {}

// The taxonomy the model is trained on (models/gem-nlu.json): intents, products, aspects.
function taxonomy(root) {
  const { labels } = JSON.parse(readFileSync(join(root, 'models/gem-nlu.json'), 'utf8'));
  return { intent: new Set(labels.intent), product: new Set(labels.product.filter(Boolean)), aspect: new Set(labels.aspect.filter(Boolean)) };
}

// The same sentence, however it is capitalised, spaced or ended.
export function sameText(text) {
  return String(text).normalize('NFKC').toLowerCase().replace(/[\s.?!,;:]+/g, ' ').trim();
}

// Every example text of the YAML files in `dir`, with where it stands: Map(sameText → "file:line").
function textsIn(root, dir) {
  const found = new Map();
  const full = join(root, dir);
  if (!existsSync(full)) return found;
  for (const name of readdirSync(full).filter((f) => f.endsWith('.yml')).sort()) {
    const file = join(full, name);
    const lineCounter = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
    const examples = doc.get('examples');
    for (const item of examples?.items ?? []) {
      const node = item.get?.('text', true);
      if (!node?.value) continue;
      const key = sameText(node.value);
      if (!found.has(key)) found.set(key, `${relative(root, file)}:${lineCounter.linePos(node.range[0]).line}`);
    }
  }
  return found;
}

// The line of `export.json` where the sample with `id` starts (its "id" key), for error messages.
function lineOfId(source, id) {
  const at = source.search(new RegExp(`"id"\\s*:\\s*"?${String(id).replace(/[^\w-]/g, '')}"?\\s*[,}]`));
  return at < 0 ? 1 : source.slice(0, at).split('\n').length;
}

// Where one labelled sample goes: {file, label} for training, {topic: true} for a new topic. Throws on a label
// outside the taxonomy.
function destination(sample, known, where) {
  const label = sample.label ?? {};
  if (label.kind === 'new_topic') return { topic: true };
  if (label.kind === 'out_of_scope') return { file: OUT_OF_SCOPE, header: { intent: OUT_OF_SCOPE }, aspect: null };
  if (label.kind !== undefined) throw new SamplesError(`${where}: unknown label kind '${label.kind}' (expected new_topic or out_of_scope)`);
  const intent = label.intent ?? PRODUCT_QUESTION;
  if (!known.intent.has(intent)) throw new SamplesError(`${where}: unknown intent '${intent}'`);
  const product = label.product ?? null;
  const aspect = label.aspect ?? null;
  if (product !== null && !known.product.has(product)) throw new SamplesError(`${where}: unknown product '${product}'`);
  if (aspect !== null && !known.aspect.has(aspect)) throw new SamplesError(`${where}: unknown aspect '${aspect}'`);
  if (intent !== PRODUCT_QUESTION && (product || aspect)) {
    throw new SamplesError(`${where}: intent '${intent}' takes no product or aspect (only ${PRODUCT_QUESTION} does)`);
  }
  if (product) return { file: product, header: { product }, aspect };
  return { file: intent, header: { intent }, aspect: intent === PRODUCT_QUESTION ? aspect : null };
}

// One example line in the training files' flow style; JSON strings are valid YAML strings.
function exampleLine(example) {
  const parts = [`text: ${JSON.stringify(example.text)}`];
  if (example.aspect) parts.push(`aspect: ${example.aspect}`);
  if (example.lang && example.lang !== 'nl') parts.push(`lang: ${example.lang}`);
  parts.push(`origin: ${JSON.stringify(example.origin)}`);
  return `  - {${parts.join(', ')}}`;
}

function readSampleFile(file) {
  if (!existsSync(file)) return [];
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new SamplesError(`${file}: ${doc.errors[0].message}`);
  return (doc.toJS()?.examples ?? []).map((e) => ({ text: e.text, aspect: e.aspect ?? null, lang: e.lang ?? 'nl', origin: e.origin }));
}

function writeSampleFile(file, header, examples) {
  const [key, value] = Object.entries(header)[0];
  const body = [
    `# Consented samples labelled by the municipality's editors (scripts/gem samples export; docs/verbeterlus.md).`,
    '# Each example names its sample in `origin`; remove a line to take a sample out of training.',
    `${key}: ${value}`,
    'examples:',
    ...examples.map(exampleLine),
    '',
  ].join('\n');
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, body);
  renameSync(temporary, file);
}

// Reads an export ({format: 1, samples: [...]}) and writes the sample files under `root`. Returns a report:
// {written: {file: n}, skipped: [...], topics: [...]}; throws a SamplesError naming file and line.
export function exportSamples(source, { root = ROOT, name = 'export.json' } = {}) {
  let data;
  try {
    data = JSON.parse(source);
  } catch (error) {
    throw new SamplesError(`${name}: not JSON (${error.message})`);
  }
  if (data?.format !== 1 || !Array.isArray(data.samples)) throw new SamplesError(`${name}:1: expected {"format": 1, "samples": [...]}`);
  const known = taxonomy(root);
  const evaluation = new Map([...textsIn(root, 'content/nlu/external'), ...textsIn(root, 'content/nlu/dev')]);
  const training = textsIn(root, 'content/nlu/train');
  const problems = [];
  const topics = [];
  const planned = new Map();  // file → {header, additions}
  for (const sample of data.samples) {
    const where = `${name}:${lineOfId(source, sample?.id)}: sample ${sample?.id}`;
    try {
      if (!sample || (typeof sample.id !== 'number' && typeof sample.id !== 'string') || typeof sample.text !== 'string' || !sample.text.trim()) {
        throw new SamplesError(`${where}: expected an id and a text`);
      }
      const target = destination(sample, known, where);
      if (target.topic) {
        topics.push({ id: sample.id, date: sample.date ?? '', municipality: sample.municipality ?? '', text: sample.text });
        continue;
      }
      const inEvaluation = evaluation.get(sameText(sample.text));
      if (inEvaluation) {
        throw new SamplesError(`${where}: its text is in an evaluation split (${inEvaluation}); evaluation sentences are never trained on`);
      }
      if (!planned.has(target.file)) planned.set(target.file, { header: target.header, additions: [] });
      planned.get(target.file).additions.push({ text: sample.text.trim(), aspect: target.aspect, lang: sample.lang === 'en' ? 'en' : 'nl',
        origin: `sample:${sample.id}` });
    } catch (error) {
      if (!(error instanceof SamplesError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length) throw new SamplesError(`nothing written:\n${problems.join('\n')}`);

  const dir = join(root, 'content/nlu/samples');
  const report = { written: {}, skipped: [], topics };
  // Duplicates: the same sample again, or a sentence already in a sample file or the training split.
  const existing = new Map();
  for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yml')) : []) {
    for (const e of readSampleFile(join(dir, file))) {
      existing.set(e.origin, `content/nlu/samples/${file}`);
      existing.set(sameText(e.text), `content/nlu/samples/${file}`);
    }
  }
  for (const [base, { header, additions }] of [...planned].sort(([a], [b]) => a.localeCompare(b))) {
    const file = join(dir, `${base}.yml`);
    const examples = readSampleFile(file);
    let added = 0;
    for (const example of additions) {
      const duplicate = existing.get(example.origin) ?? existing.get(sameText(example.text)) ?? training.get(sameText(example.text));
      if (duplicate) {
        report.skipped.push(`${example.origin}: already in ${duplicate}`);
        continue;
      }
      examples.push(example);
      existing.set(example.origin, `content/nlu/samples/${base}.yml`);
      existing.set(sameText(example.text), `content/nlu/samples/${base}.yml`);
      added += 1;
    }
    if (!added) continue;
    mkdirSync(dir, { recursive: true });
    writeSampleFile(file, header, examples);
    report.written[relative(root, file)] = added;
  }
  return report;
}

// GET /v1/staff/samples/export as an editor: sign in (GEM_STAFF_USER, GEM_STAFF_PASSWORD), fetch, sign out.
export async function fetchExport(server, { user, password, fetchImpl = fetch }) {
  if (!user || !password) throw new SamplesError('--server needs GEM_STAFF_USER and GEM_STAFF_PASSWORD in the environment');
  const url = (path) => new URL(path, server.endsWith('/') ? server : `${server}/`).href;
  const login = await fetchImpl(url('v1/agent/login'), { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password }) });
  if (!login.ok) throw new SamplesError(`${server}: sign-in refused (HTTP ${login.status})`);
  const { csrf } = await login.json();
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  try {
    const response = await fetchImpl(url('v1/staff/samples/export'), { headers: { cookie } });
    if (!response.ok) throw new SamplesError(`${server}: GET /v1/staff/samples/export gave HTTP ${response.status}`);
    return await response.text();
  } finally {
    await fetchImpl(url('v1/agent/logout'), { method: 'POST', headers: { cookie, 'x-csrf-token': csrf ?? '' } }).catch(() => {});
  }
}

// The command: `samples export --in FILE | --server URL`; prints what was written and the new topics.
export async function samplesCommand(args, out, { option, env = process.env, root = ROOT } = {}) {
  if (args[0] !== 'export') throw new SamplesError('samples needs export');
  const file = option(args, '--in');
  const server = option(args, '--server');
  if (Boolean(file) === Boolean(server)) throw new SamplesError('samples export needs --in FILE or --server URL');
  const source = file ? readFileSync(file, 'utf8') : await fetchExport(server, { user: env.GEM_STAFF_USER, password: env.GEM_STAFF_PASSWORD });
  const report = exportSamples(source, { root, name: file ?? `${server}/v1/staff/samples/export` });
  const written = Object.entries(report.written);
  out.write(written.length ? written.map(([f, n]) => `${f}: ${n} new example(s)\n`).join('') : 'no new examples\n');
  for (const line of report.skipped) out.write(`skipped ${line}\n`);
  if (report.topics.length) {
    out.write(`\nNew topics (not training data; content to write first):\n`);
    for (const t of report.topics) out.write(`  sample:${t.id} ${t.date} ${t.municipality}: ${t.text}\n`);
  }
  return 0;
}
