// `gem eval --conversation`: what a resident experiences, end to end through the dialogue (wasm core, model and
// content pack). Each labelled question starts a fresh conversation and ends in one of three outcomes:
//   first        the first answer's topic has the expected product (and aspect, when one is expected);
//   one_step     otherwise, pressing one of that answer's quick replies leads to it;
//   not_helped   neither.
// Only questions with an expected product are scored: the topic is what a product question is answered by.
// Every question also counts for what the resident is told: "not understood" (the dialogue's not-understood or
// out-of-scope answer, also one that offers guesses after saying so, but not a bare "did you mean …?"), whose recall
// and precision on out-of-scope questions are reported.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { openSession } from './chat.js';

const OUTCOMES = ['first', 'one_step', 'not_helped'];
const OUT_OF_SCOPE = 'buiten_bereik';

const reaches = (response, record) =>
  response.topic.product === record.product && (record.aspect == null || response.topic.aspect === record.aspect);

const seen = (response) => ({ intent: response.intent, product: response.topic.product, aspect: response.topic.aspect });

// One question in a fresh conversation: its outcome, and the button that led to the answer when one did.
async function converse(session, record) {
  session.reset();
  session.welcome();
  const first = await session.send(record.text);
  if (record.product == null) return { outcome: null, first };
  if (reaches(first, record)) return { outcome: 'first', first };
  // Every button is pressed from the same point in the conversation.
  const state = session.save();
  for (const { id } of first.quick_replies) {
    session.restore(state);
    if (reaches(session.choose(id), record)) return { outcome: 'one_step', first, button: id };
  }
  return { outcome: 'not_helped', first };
}

// Scores labelled records (as `gem nlu-export` writes them) through one session of `municipality`.
// `understanding`: one to share (left open), else one is loaded; `options`: DialogueOptions by name.
export async function converseAll(records, municipality = 'GM0599', { understanding: shared = null, options = null } = {}) {
  const scored = records.filter((r) => r.product != null);
  const { understanding, session } = await openSession(municipality, { understanding: shared, options });
  const zero = () => Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  const counts = zero();
  // What the first answer told: "not understood" (to any question, and to out-of-scope ones); and of the
  // out-of-scope questions, how many were asked "did you mean …?" or answered about a product (their worst outcome).
  const told = { out_of_scope: 0, told: 0, told_out_of_scope: 0, asked_out_of_scope: 0, answered_out_of_scope: 0 };
  // The same outcomes per language and per writing style (the external split labels its style).
  const groups = {};
  const misses = [];
  const buttons = new Map();
  // Beside an answer (not a "did you mean …?"), another product's button (DialogueOptions::other_product): how
  // often it is there, how often beside an answer that was right anyway (its cost: one aspect button fewer), and
  // how often it was the press that led to the right answer.
  const other = { offered: 0, beside_right: 0, led_there: 0 };
  try {
    for (const record of records) {
      const { outcome, first, button } = await converse(session, record);
      const outOfScope = record.intent === OUT_OF_SCOPE;
      told.out_of_scope += outOfScope;
      const notUnderstood = first.not_understood === true;
      told.told += notUnderstood;
      told.told_out_of_scope += outOfScope && notUnderstood;
      told.asked_out_of_scope += outOfScope && !notUnderstood && first.awaiting === 'did_you_mean';
      told.answered_out_of_scope += outOfScope && first.topic.product != null;
      if (!outcome) continue;
      counts[outcome] += 1;
      if (first.awaiting !== 'did_you_mean' && first.quick_replies.some((q) => q.id.startsWith('read:'))) {
        other.offered += 1;
        other.beside_right += outcome === 'first';
        other.led_there += outcome === 'one_step' && button.startsWith('read:');
      }
      for (const group of [`lang:${record.lang ?? 'nl'}`, ...(record.style ? [`style:${record.style}`] : [])]) {
        groups[group] ??= zero();
        groups[group][outcome] += 1;
      }
      if (button) buttons.set(button.split(':')[0], (buttons.get(button.split(':')[0]) ?? 0) + 1);
      if (outcome !== 'first') {
        misses.push({ text: record.text, outcome, expected: { product: record.product, aspect: record.aspect ?? null },
          got: seen(first), buttons: first.quick_replies.map((q) => q.id), ...(button ? { pressed: button } : {}),
          lang: record.lang ?? 'nl', ...(record.style ? { style: record.style } : {}),
          ...(record.source ? { source: record.source } : {}) });
      }
    }
  } finally {
    session.close();
    if (!shared) await understanding.close();
  }
  const rate = (n) => (scored.length === 0 ? null : n / scored.length);
  return {
    municipality,
    examples: records.length,
    scored: scored.length,
    counts,
    rates: { right_first_time: rate(counts.first), right_after_one_clarification: rate(counts.first + counts.one_step),
      not_helped: rate(counts.not_helped) },
    // Told "not understood": of the out-of-scope questions (recall) and of all it was told to (precision).
    not_understood: { ...told, recall: told.out_of_scope ? told.told_out_of_scope / told.out_of_scope : null,
      precision: told.told ? told.told_out_of_scope / told.told : null },
    groups: Object.fromEntries(Object.entries(groups).sort()),
    // Which kind of button (product:, aspect:, read:, …) did the clarifying.
    clarified_by: Object.fromEntries([...buttons].sort((a, b) => b[1] - a[1])),
    other_product: other,
    misses,
  };
}

const pct = (x) => (x == null ? '   n/a' : `${(100 * x).toFixed(1).padStart(5)}%`);

export function formatConversationReport(name, report, { listMisses = true } = {}) {
  const { rates, counts } = report;
  const lines = [`${name}: ${report.scored} product questions in fresh conversations (${report.municipality}; ${report.examples - report.scored} without a product not scored)`,
    `  right first time                      ${pct(rates.right_first_time)}  (${counts.first})`,
    `  right after at most one clarification ${pct(rates.right_after_one_clarification)}  (+${counts.one_step})`,
    `  not helped                            ${pct(rates.not_helped)}  (${counts.not_helped})`];
  const told = report.not_understood;
  if (told.out_of_scope) {
    lines.push(`  told "not understood": ${told.told} of ${report.examples} questions; out of scope ${told.told_out_of_scope} of ${told.out_of_scope}` +
      ` (recall ${pct(told.recall).trim()}, precision ${pct(told.precision).trim()});` +
      ` of the others ${told.asked_out_of_scope} asked "did you mean …?", ${told.answered_out_of_scope} answered about a product`);
  }
  const other = report.other_product;
  lines.push(`  another product's button beside ${other.offered} answers: ${other.beside_right} of them right at once, ` +
    `${other.led_there} led to the right answer`);
  for (const [group, c] of Object.entries(report.groups)) {
    const n = OUTCOMES.reduce((sum, o) => sum + c[o], 0);
    lines.push(`  ${group.padEnd(22)} (${String(n).padStart(3)}): first ${pct(c.first / n)}, after one ${pct((c.first + c.one_step) / n)}, not helped ${c.not_helped}`);
  }
  if (listMisses) {
    for (const m of report.misses.filter((x) => x.outcome === 'not_helped')) {
      lines.push(`  miss: "${m.text}" expected ${m.expected.product}/${m.expected.aspect ?? '-'}, got ${m.got.intent} ${m.got.product ?? '-'}/${m.got.aspect ?? '-'} [${m.buttons.join(' ')}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// Runs every named set of records and writes one JSON report with a section per set.
export async function evaluateConversations(sets, { municipality, reportPath, out }) {
  const report = { splits: {} };
  for (const [name, records] of sets) {
    report.splits[name] = await converseAll(records, municipality);
    out.write(formatConversationReport(name, report.splits[name]));
  }
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  out.write(`report written to ${reportPath}\n`);
  return 0;
}
