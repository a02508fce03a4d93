// `gem eval FILE.jsonl`: how well the real wasm core + ONNX model understand labelled sentences.
// A line holds `text` and the expected `intent`, `product`, `aspect`; a null or missing expected value
// is not scored. Out of scope counts as recognised when the reading is buiten_bereik or low confidence.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

import { loadUnderstanding } from '../../wasm/node.js';

const HEADS = ['intent', 'product', 'aspect'];
const OUT_OF_SCOPE = 'buiten_bereik';

export function readJsonl(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => [line, i + 1])
    .filter(([line]) => line.trim() !== '')
    .map(([line, number]) => {
      let record;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new Error(`${file}:${number}: not valid JSON (${error.message})`);
      }
      if (typeof record.text !== 'string') throw new Error(`${file}:${number}: expected a string field "text"`);
      return record;
    });
}

const percent = (n, d) => (d === 0 ? null : n / d);

function f1Table(pairs) {
  const labels = [...new Set(pairs.flatMap(([e, p]) => [e, p]))].sort();
  return Object.fromEntries(
    labels.map((label) => {
      const tp = pairs.filter(([e, p]) => e === label && p === label).length;
      const expected = pairs.filter(([e]) => e === label).length;
      const predicted = pairs.filter(([, p]) => p === label).length;
      const precision = percent(tp, predicted) ?? 0;
      const recall = percent(tp, expected) ?? 0;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return [String(label), { precision, recall, f1, support: expected }];
    }),
  );
}

// Scores a list of {record, meaning} pairs; exported so the benchmarks score peers the same way.
export function score(results) {
  const report = { examples: results.length, accuracy: {}, scored: {}, f1: {}, confusions: [], subsets: {} };
  for (const head of HEADS) {
    const pairs = results
      .filter(({ record }) => record[head] != null)
      .map(({ record, meaning }) => [record[head], meaning[head] ?? null]);
    report.scored[head] = pairs.length;
    report.accuracy[head] = percent(pairs.filter(([e, p]) => e === p).length, pairs.length);
    report.f1[head] = f1Table(pairs);
  }
  const isOos = ({ meaning }) => meaning.intent === OUT_OF_SCOPE || meaning.low_confidence;
  const expectedOos = results.filter(({ record }) => record.intent === OUT_OF_SCOPE);
  const predictedOos = results.filter(isOos);
  const hits = expectedOos.filter(isOos).length;
  report.out_of_scope = {
    expected: expectedOos.length,
    recall: percent(hits, expectedOos.length),
    precision: percent(hits, predictedOos.length),
  };
  const counts = new Map();
  for (const { record, meaning } of results) {
    for (const head of HEADS) {
      if (record[head] == null || record[head] === meaning[head]) continue;
      const key = `${head}: ${record[head]} → ${meaning[head] ?? 'null'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  report.confusions = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 15)
    .map(([pair, count]) => ({ pair, count }));
  // The external split labels how each question is written (style): one subset per style as well.
  const styles = [...new Set(results.map(({ record }) => record.style).filter(Boolean))].sort()
    .map((style) => [`style:${style}`, (r) => r.style === style]);
  for (const [name, keep] of [['typo', (r) => r.typo], ['en', (r) => r.lang === 'en'], ['nl', (r) => r.lang !== 'en'], ...styles]) {
    const subset = results.filter(({ record }) => keep(record));
    if (subset.length === 0) continue;
    report.subsets[name] = { examples: subset.length, accuracy: {} };
    for (const head of HEADS) {
      const scored = subset.filter(({ record }) => record[head] != null);
      report.subsets[name].accuracy[head] = percent(scored.filter(({ record, meaning }) => record[head] === meaning[head]).length, scored.length);
    }
  }
  return report;
}

const pct = (x) => (x == null ? '   n/a' : `${(100 * x).toFixed(1).padStart(5)}%`);

export function formatReport(report) {
  const lines = [`${report.examples} examples`];
  for (const head of HEADS) lines.push(`${head.padEnd(8)} accuracy ${pct(report.accuracy[head])}  (${report.scored[head]} scored)`);
  const oos = report.out_of_scope;
  lines.push(`out of scope recognised (recall) ${pct(oos.recall)}, precision ${pct(oos.precision)} (${oos.expected} expected)`);
  for (const [name, s] of Object.entries(report.subsets)) {
    lines.push(`subset ${name.padEnd(4)} (${s.examples}): ${HEADS.map((h) => `${h} ${pct(s.accuracy[h])}`).join('  ')}`);
  }
  if (report.latency_ms) lines.push(`latency per message: median ${report.latency_ms.median.toFixed(3)} ms, p95 ${report.latency_ms.p95.toFixed(3)} ms`);
  for (const head of HEADS) {
    const weak = Object.entries(report.f1[head]).filter(([, v]) => v.support > 0).sort((a, b) => a[1].f1 - b[1].f1).slice(0, 5);
    lines.push(`lowest F1 ${head}: ${weak.map(([label, v]) => `${label} ${v.f1.toFixed(2)}`).join(', ')}`);
  }
  lines.push('most frequent confusions:');
  for (const { pair, count } of report.confusions) lines.push(`  ${String(count).padStart(3)}  ${pair}`);
  return `${lines.join('\n')}\n`;
}

export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export async function evaluate(records, reportPath, out) {
  const nlu = await loadUnderstanding();
  const results = [];
  const times = [];
  for (const record of records) {
    const start = performance.now();
    const meaning = await nlu.understand(record.text);
    times.push(performance.now() - start);
    results.push({ record, meaning });
  }
  await nlu.close();
  const report = score(results);
  times.sort((a, b) => a - b);
  report.latency_ms = { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
  report.errors = results
    .filter(({ record, meaning }) => HEADS.some((h) => record[h] != null && record[h] !== meaning[h]))
    .map(({ record, meaning }) => ({ text: record.text, expected: Object.fromEntries(HEADS.map((h) => [h, record[h] ?? null])),
      got: Object.fromEntries(HEADS.map((h) => [h, meaning[h] ?? null])), confidence: meaning.confidence }));
  out.write(formatReport(report));
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  out.write(`report written to ${reportPath}\n`);
  return 0;
}
