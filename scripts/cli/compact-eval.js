// `gem eval --tier compact`: the core's compact tier (models/gem-compact.bin) on its own, as it answers while
// ONNX Runtime and the full model are still loading: accuracy per head, the share of questions it is sure
// about (and so answers itself), and how often it is right on that share.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ROOT, loadCore, readModelFiles } from '../../wasm/node.js';
import { compactAnswers } from '../../wasm/understanding.js';
import { formatReport, score } from './eval.js';

const PRODUCT_QUESTION = 'product_vraag';

// Every label the dialogue acts on is right: intent and language, and for product questions product and aspect.
export function allRight(record, meaning) {
  if (meaning.intent !== record.intent || meaning.lang !== (record.lang ?? 'nl')) return false;
  if (record.intent !== PRODUCT_QUESTION) return true;
  return (meaning.product ?? null) === (record.product ?? null) && (meaning.aspect ?? null) === (record.aspect ?? null);
}

export function compactReport(results) {
  const report = score(results);
  const sure = results.filter((r) => r.sure);
  const ratio = (n, d) => (d === 0 ? null : n / d);
  report.compact = {
    sure: ratio(sure.length, results.length),
    sure_examples: sure.length,
    all_right: ratio(results.filter((r) => allRight(r.record, r.meaning)).length, results.length),
    sure_all_right: ratio(sure.filter((r) => allRight(r.record, r.meaning)).length, sure.length),
    sure_accuracy: score(sure).accuracy,
  };
  return report;
}

export function formatCompact(report) {
  const c = report.compact;
  const pct = (x) => (x == null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  return `${formatReport(report)}compact tier sure about ${pct(c.sure)} of the questions (${c.sure_examples}); `
    + `on those, every label right ${pct(c.sure_all_right)} (intent ${pct(c.sure_accuracy.intent)}, `
    + `product ${pct(c.sure_accuracy.product)}, aspect ${pct(c.sure_accuracy.aspect)}); `
    + `every label right over all questions ${pct(c.all_right)}\n`;
}

export async function evaluateCompact(records, reportPath, out) {
  const core = await loadCore();
  const nlu = core.Understander.create(readModelFiles());
  try {
    nlu.loadCompact(readFileSync(join(ROOT, 'models/gem-compact.bin')));
    const results = records.map((record) => {
      const analysis = nlu.analyse(record.text);
      try {
        const scores = nlu.compactScores(analysis);
        // `sure`: the widget lets the compact tier answer this one itself (the same rule).
        return { record, meaning: JSON.parse(nlu.interpret(analysis, ...scores)), sure: compactAnswers(nlu, analysis, scores) };
      } finally {
        analysis.delete();
      }
    });
    const report = compactReport(results);
    out.write(formatCompact(report));
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    out.write(`report written to ${reportPath}\n`);
    return 0;
  } finally {
    nlu.delete();
  }
}
