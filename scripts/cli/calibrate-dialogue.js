// `gem calibrate-dialogue --heldout FILE.jsonl`: chooses the dialogue's recovery thresholds (gem::DialogueOptions)
// on the TRAINING split, never on dev or external. FILE holds, per training question, the probabilities of models
// that did not see it (k-fold; `scripts/calibrate-unsure --heldout FILE` writes them). They stand in for the model:
// every question starts a fresh conversation through the real dialogue (wasm core, content pack), as
// `gem eval --conversation` does, and is scored the same way: right first time, right after one quick reply, and
// "not understood" told to out-of-scope questions (recall) and to the others (precision).
//
// The search changes one threshold at a time from the defaults (or --from), keeps a change that gains the residents more (see
// `gain`), and goes round until nothing does; an unsure reading must stay able to be a button (`coherent`). With --min-recall a setting must also tell "not understood" to at
// least that share of the out-of-scope questions.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { loadUnderstanding } from '../../wasm/node.js';
import { Session } from '../../wasm/session.js';
import { converseAll } from './conversation-eval.js';
import { readJsonl } from './eval.js';

// The thresholds a question in a fresh conversation depends on, and the values tried (docs: dialogue.h).
export const SEARCH = {
  unsure_below: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
  too_unsure_to_guess: [0.05, 0.1, 0.15, 0.2, 0.3, 0.4],
  worth_offering: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2],
  aspect_sure: [0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
  second_product: [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
  two_products_first: [0.5, 0.6, 0.7, 0.8],
  other_product: [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1],  // 1: never (a second product is never that likely)
  named_product_wins: [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95],  // 0: only below unsure_below
};

// Only settings in which an unsure reading can itself be a "did you mean" button: below `unsure_below` there must be
// room above `too_unsure_to_guess`.
const coherent = (options) => options.too_unsure_to_guess < options.unsure_below;

// A model runner that answers with the held-out probabilities of the same token ids.
function heldOutRunner() {
  const table = new Map();
  return {
    table,
    run: async (ids) => {
      const scores = table.get(ids.join(','));
      if (!scores) throw new Error(`no held-out probabilities for token ids ${ids.join(',')}`);
      return scores.map((head) => Float32Array.from(head));
    },
    close: async () => {},
  };
}

function check(records, file) {
  records.forEach((r, i) => {
    if (!Array.isArray(r.scores) || r.scores.length !== 4 || !r.scores.every(Array.isArray)) {
      throw new Error(`${file}:${i + 1}: expected "scores": four arrays (intent, product, aspect, lang)`);
    }
  });
}

// What the residents gain, every question alike: for a product question a right answer at once counts 1, one
// after one press of a button ½; for an out-of-scope question being told "not understood" counts 1, a "did you
// mean …?" (which the resident can decline) ½, and an answer about a product 0. A tie goes to the setting with
// more right after one clarification.
export function gain({ counts, not_understood: nu }) {
  const product = counts.first + counts.one_step / 2;
  const outOfScope = nu.told_out_of_scope + nu.asked_out_of_scope / 2;
  return (product + outOfScope) / (counts.first + counts.one_step + counts.not_helped + nu.out_of_scope);
}
const better = (a, b) => (gain(a.report) !== gain(b.report) ? gain(a.report) > gain(b.report)
  : a.report.rates.right_after_one_clarification > b.report.rates.right_after_one_clarification);

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const describe = ({ options, report }) => `${JSON.stringify(options)}: gain ${pct(gain(report))}; first ${pct(report.rates.right_first_time)}, ` +
  `after one ${pct(report.rates.right_after_one_clarification)}; out of scope: told "not understood" ${pct(report.not_understood.recall)} ` +
  `(precision ${pct(report.not_understood.precision ?? 0)}), asked ${report.not_understood.asked_out_of_scope}, ` +
  `answered ${report.not_understood.answered_out_of_scope}`;

// `from`: thresholds to start from instead of the core's defaults (to retrace an earlier calibration).
export async function calibrateDialogue({ heldout, minRecall = null, from = {}, reportPath, municipality = 'GM0599', out }) {
  const records = readJsonl(heldout);
  check(records, heldout);
  const runner = heldOutRunner();
  const understanding = await loadUnderstanding({ runner });
  let collisions = 0;
  try {
    for (const r of records) {
      const key = understanding.tokenIds(r.text).join(',');
      if (runner.table.has(key)) collisions += 1;
      else runner.table.set(key, r.scores);
    }
    out.write(`${records.length} held-out training questions (${records[0]?.kfold ?? '?'}-fold) from ${heldout}` +
      `${collisions ? `; ${collisions} share their token ids with an earlier one and are read as it` : ''}\n`);
    const tried = [];
    const run = async (options) => {
      const report = await converseAll(records, municipality, { understanding, options });
      const result = { options, report };
      tried.push(result);
      out.write(`  ${describe(result)}\n`);
      return result;
    };
    // Where the search starts: the core's defaults (core/include/gem/dialogue.h) of the thresholds searched.
    const defaults = Session.defaultOptions(understanding);
    let best = await run(Object.fromEntries(Object.keys(SEARCH).map((name) => [name, from[name] ?? defaults[name]])));
    const floor = minRecall ?? 0;
    if (minRecall != null) out.write(`kept: settings that tell "not understood" to at least ${pct(floor)} of the out-of-scope questions\n`);
    for (let changed = true; changed;) {
      changed = false;
      for (const [name, values] of Object.entries(SEARCH)) {
        for (const value of values) {
          const options = { ...best.options, [name]: value };
          if (value === best.options[name] || !coherent(options)) continue;
          const result = await run(options);
          if (result.report.not_understood.recall >= floor && better(result, best)) {
            best = result;
            changed = true;
          }
        }
      }
    }
    out.write(`chosen: ${describe(best)}\n`);
    if (reportPath) {
      mkdirSync(dirname(reportPath), { recursive: true });
      writeFileSync(reportPath, `${JSON.stringify({ heldout, floor, chosen: best.options,
        tried: tried.map(({ options, report }) => ({ options, gain: gain(report), rates: report.rates,
          not_understood: report.not_understood })) }, null, 2)}\n`);
      out.write(`report written to ${reportPath}\n`);
    }
    return 0;
  } finally {
    await understanding.close();
  }
}
