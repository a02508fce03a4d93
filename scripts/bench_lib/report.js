// BENCHMARKS.md from the latest result of each section (build/bench/results/*.json).
import { renderPage } from './page.js';
import { renderServer } from './server.js';
import { kb, ms, pct, ratio, table } from './format.js';

function header(section) {
  const m = section.machine;
  const load = m.load == null ? '' : `, load average ${m.load.toFixed(1)} on ${m.cpu.split(' ')[0]} CPUs at the start`;
  return `_Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC, commit ${m.commit}${load}; command: \`${section.command}\`._`;
}

// One table row per system for one split ({report, abstained}).
function qualityRows(systems, pick) {
  return systems.map((system) => {
    const { report: r, abstained } = pick(system);
    const typo = r.subsets.typo?.accuracy ?? {};
    return [system.name, pct(r.accuracy.product), pct(r.accuracy.aspect), pct(r.accuracy.intent),
      pct(r.out_of_scope.recall), pct(r.out_of_scope.precision),
      `${pct(typo.product)} / ${pct(typo.aspect)} / ${pct(typo.intent)}`, `${abstained.product} / ${abstained.aspect}`];
  });
}

const QUALITY_HEADER = ['system', 'product', 'aspect', 'intent', 'out of scope recall', 'out of scope precision',
  'typo subset: product / aspect / intent', '"none" answered where a label was expected: product / aspect'];

// The external split, when this result has it (results from before the split existed do not).
function externalQuality(q) {
  if (!q.systems.every((s) => s.external)) return 'External split: not in this result; run `scripts/bench quality` again.';
  const gem = q.systems.find((s) => s.id === 'gem')?.external.report;
  const styles = Object.entries(gem?.subsets ?? {}).filter(([name]) => name.startsWith('style:'))
    .map(([name, s]) => `${name.slice(6)} ${s.examples}: product ${pct(s.accuracy.product)}, aspect ${pct(s.accuracy.aspect)}`);
  return `External split: ${q.external_examples} questions written outside this project (FAQ headings of municipal and
national sites, expat pages, a consular chatbot's test set, forum-style questions; \`content/nlu/external\`), never trained
on, scored the same way:

${table(QUALITY_HEADER, qualityRows(q.systems, (s) => s.external))}
${styles.length ? `\n- Gem by writing style: ${styles.join('; ')}.` : ''}`;
}

// Gem's dialogue on both splits, as `scripts/gem eval --conversation` scores it.
function conversationQuality(q) {
  if (!q.conversations) return 'Conversations: not in this result; run `scripts/bench quality` again.';
  const told = (c) => (c.not_understood?.out_of_scope
    ? `${pct(c.not_understood.recall)} / ${c.not_understood.precision == null ? 'n/a' : pct(c.not_understood.precision)}` : 'n/a');
  const rows = Object.entries(q.conversations).map(([split, c]) => [`${split} (${c.scored} product questions)`,
    pct(c.rates.right_first_time), pct(c.rates.right_after_one_clarification), pct(c.rates.not_helped), told(c),
    c.other_product ? `${c.other_product.offered} / ${c.other_product.beside_right} / ${c.other_product.led_there}` : 'n/a']);
  const municipality = Object.values(q.conversations)[0]?.municipality;
  return `What a resident experiences, Gem only (the peers classify; they hold no conversation): every product question
of both splits in a fresh conversation of ${municipality}, scored like \`scripts/gem eval --conversation\`: right first time (the
answer's topic has the expected product and aspect), right after at most one clarification (one of that answer's
buttons leads there) or not helped. Every question of the splits also counts for what Gem told the resident: "not
understood" (its not-understood or out-of-scope answer; a "did you mean …?" is a question back, not that), with its
recall on the out-of-scope questions and its precision over all it was told to. The last column counts the answers
beside which another product took the last button (one the message names by a term, or the model's next product at
\`other_product\`): in all, beside an answer that was right anyway (where it cost an aspect button), and where
pressing it led to the right answer.

${table(['split', 'right first time', 'right after at most one clarification', 'not helped', 'told "not understood": out-of-scope recall / precision',
    'another product\'s button: beside / right anyway / led there'], rows)}`;
}

function quality({ result: q }) {
  const gem = q.systems.find((s) => s.id === 'gem')?.report;
  const stale = q.gem_model && !q.gem_model.current
    ? `**Not a fair comparison in this run:** the peers were trained on the current training split, Gem's model on an older
one (\`scripts/train --check\`: "${q.gem_model.output.replace(/\s+/g, ' ')}"). Run \`scripts/train\`, then this section again.\n\n`
    : '';
  return `${stale}${behind(q)}Held-out dev split: ${q.examples} sentences (${gem?.subsets.typo?.examples ?? 0} with typos), written separately from the
${q.train_examples} training sentences that every system was trained on.

${table(QUALITY_HEADER, qualityRows(q.systems, (s) => s))}

${externalQuality(q)}

${conversationQuality(q)}

- Scored like \`scripts/gem eval\`: a head is scored only on sentences that have that label (${gem?.scored.product} product,
  ${gem?.scored.aspect} aspect, ${gem?.scored.intent} intent on dev). Out of scope counts as recognised when the answer is
  \`buiten_bereik\` or low confidence (Gem's own threshold; nlp.js's "None"); the SVM and fastText have no rejection
  threshold, so only \`buiten_bereik\` counts for them.
- Peers: one classifier per head (intent on all training sentences, product on those naming a product, aspect on those
  naming an aspect). So a peer always names a product and an aspect, which the scoring never penalises, while Gem may
  answer "none" (last column): this favours the peers.
- nlp.js \`@nlpjs/nlp\` + \`@nlpjs/lang-nl\` defaults, with and without \`{spellCheck: true, spellCheckDistance: 2}\`. SVM: one
  TF-IDF vectoriser (\`char_wb\` 2–5-grams, sublinear tf) and a LinearSVC (C=1) per head. fastText: per head, 50 epochs,
  lr 0.5, word bigrams, character 2–5-grams, dim 50, one thread. Text lower-cased; no tuning on the dev or external split.`;
}

// Where a peer beats Gem, on either split, said first and plainly.
function behind(q) {
  const gem = q.systems.find((s) => s.id === 'gem');
  if (!gem) return '';
  const measures = [['product', (r) => r.accuracy.product], ['aspect', (r) => r.accuracy.aspect], ['intent', (r) => r.accuracy.intent],
    ['out of scope recall', (r) => r.out_of_scope.recall], ['out of scope precision', (r) => r.out_of_scope.precision],
    ['typo product', (r) => r.subsets.typo?.accuracy.product], ['typo aspect', (r) => r.subsets.typo?.accuracy.aspect],
    ['typo intent', (r) => r.subsets.typo?.accuracy.intent]];
  const splits = [['dev', (s) => s.report], ...(gem.external ? [['external', (s) => s.external?.report]] : [])];
  const lines = splits.flatMap(([split, reportOf]) => measures.flatMap(([name, get]) => {
    const value = (s) => (reportOf(s) ? get(reportOf(s)) ?? 0 : 0);
    const best = q.systems.filter((s) => s.id !== 'gem').sort((a, b) => value(b) - value(a))[0];
    return value(best) > value(gem) ? [`${split} ${name}: ${best.name} ${pct(value(best))} vs Gem ${pct(value(gem))}`] : [];
  }));
  return lines.length ? `**Where a peer is ahead of Gem:** ${lines.join('; ')}.\n\n` : '**Gem is ahead of every peer on every measure below.**\n\n';
}

function speed({ result: s }) {
  const gemNode = s.rows.find((r) => r.id === 'gem');
  const gemChromium = s.rows.find((r) => r.id === 'gem-chromium');
  const faster = s.rows.filter((r) => !r.id.startsWith('gem') && r.median_ms < gemNode.median_ms);
  const rows = s.rows.map((r) => [r.name, r.runtime, ms(r.median_ms), ms(r.p95_ms),
    `${ms(r.spread_ms[0])} – ${ms(r.spread_ms[1])}`, ratio(r.median_ms, r.id === 'gem-chromium' ? gemChromium.median_ms : gemNode.median_ms)]);
  return `Per message, text in → intent, product and aspect out, warm: ${s.warmup} untimed messages first, then every dev
sentence timed once; ${s.repeat} runs. Median = median of the run medians; p95 = median of the run p95s; spread = lowest and
highest run median. Ratio: median ÷ Gem's median in the same runtime (above 1 = slower than Gem).

${table(['system', 'runtime', 'median', 'p95', 'spread of medians', 'ratio vs Gem'], rows)}

- Gem's time includes everything the browser does: normalising, spelling correction, entities (gazetteers, postcodes,
  dates), SentencePiece and ONNX Runtime Web (one thread), then labels and alternatives. The peers classify only.
- The SVM and fastText run in Python, their own runtime (no Node port exists): compare them with care.
- Gem in Chromium runs the same modules as the widget, timed in the page with \`performance.now()\`, which Chromium
  coarsens to 0.1 ms on pages that are not cross-origin isolated: read its median to that precision.
${faster.length ? `- **Faster per message than Gem:** ${faster.map((r) => `${r.name} (${r.runtime}, ${ratio(r.median_ms, gemNode.median_ms)})`).join(', ')}.` : '- No peer is faster per message than Gem.'}
${s.startup ? startup(s.startup) : ''}`;
}

const STARTUP_STEP_NAMES = {
  instantiate: 'instantiate the wasm core (compile its bytes, start the runtime)',
  conversation: 'open a conversation over the content pack, with its welcome',
  understanding: 'create the understanding (SentencePiece, lexicon, gazetteers)',
  compact: 'load the compact tier',
  first_message: 'answer "wat kost een paspoort?" from the compact tier',
  total: '**total**',
};

// The engine's start on a first visit (startup-run.js): steady enough to compare builds, unlike browser visits.
function startup(u) {
  const rows = u.steps.map((r) => [STARTUP_STEP_NAMES[r.step] ?? r.step, ms(r.median_ms), `${ms(r.spread_ms[0])} – ${ms(r.spread_ms[1])}`]);
  return `
**The engine's start on a first visit**: the steps the widget's worker takes before its first answer
(\`scripts/bench_lib/startup-run.js\`), each in a fresh Node process with V8 running the core as Chromium does on a
first visit: every function compiled by the baseline compiler when it first runs, no optimising tier, one thread
(\`node ${u.flags.join(' ')}\`). Median of ${u.runs} processes. Within one run they vary far less than browser
visits do; between runs this shared machine's speed moves them all, so compare two builds in alternating processes of
one run. A phone takes some 4× as long, and its browser also fetches the files and draws the panel meanwhile (see
"Page impact").

${table(['step', 'median', 'spread'], rows)}`;
}

function size({ result: z }) {
  const total = (k) => z.parts.reduce((n, p) => n + p[k], 0);
  const rows = z.parts.map((p) => [p.part, p.files.map((f) => f.file.split('/').pop()).join(', ') || '—', kb(p.raw), kb(p.gzip), kb(p.brotli)]);
  rows.push(['**total once opened**', '', kb(total('raw')), kb(total('gzip')), kb(total('brotli'))]);
  const ort = z.parts.find((p) => p.part.startsWith('ONNX'));
  const model = z.parts.find((p) => p.part.startsWith('model'));
  const withoutOrt = total('brotli') - ort.brotli;
  const nlpjsBrotli = z.nlpjs.reduce((n, p) => n + p.brotli, 0);
  return `Files of \`build/widget\` (gzip -9, and brotli at quality 11 with a 16 MB window as the build compresses, computed
here; what a server actually sends is in "Page impact"). Only the loader is fetched before the resident hovers, focuses
or clicks the launcher.

${table(['part', 'files', 'raw', 'gzip', 'brotli'], rows)}

What nlp.js would need in a browser for the same three heads:

${table(['part', 'raw', 'gzip', 'brotli'], z.nlpjs.map((p) => [p.part, kb(p.raw), kb(p.gzip), kb(p.brotli)]))}

- Once opened Gem downloads ${kb(total('brotli'))} brotli, of which ONNX Runtime Web ${kb(ort.brotli)} and the model
  ${kb(model.brotli)} (ONNX weights hardly compress). nlp.js would need ${kb(nlpjsBrotli)} brotli (bundle + models):
  ${ratio(total('brotli'), nlpjsBrotli)} less than Gem. **Gem loses on download size**; without ONNX Runtime it is still
  ${ratio(withoutOrt, nlpjsBrotli)} nlp.js's size. The loader, the only file on every page view, is ${kb(z.parts[0].brotli)} brotli.
- Gem's core wasm memory: ${kb(z.wasm_memory.before_bytes)} after one message, ${kb(z.wasm_memory.after_100_bytes)} after 100 more
  (the core's wasm heap size, Node; ONNX Runtime's own wasm memory is not included).`;
}

const SECTIONS = [
  ['quality', 'Understanding quality', quality],
  ['speed', 'Speed', speed],
  ['size', 'Size: what a visitor downloads', size],
  ['page', 'Page impact (headless Chromium, the demo page)', renderPage],
  ['server', 'Server', renderServer],
];

// `kept`: section title → its text in the current BENCHMARKS.md, for the sections this machine has no result of
// (a fresh checkout has no build/bench/results/): they stay as they were, with their own "Measured" line.
export function renderReport(results, machine, kept = {}) {
  const parts = [`# Benchmarks

Written by \`scripts/bench\` (all sections) or \`scripts/bench SECTION\` (\`quality\`, \`speed\`, \`size\`, \`page\`, \`server\`;
each section keeps its last result in \`build/bench/results/\`). Numbers, not pass/fail: shared machines are noisy, so
compare ratios within one run.

Machine: ${machine.cpu}, ${machine.ram_gib} GiB RAM, ${machine.os}; Node ${machine.node}, ${machine.chromium}, ${machine.python}.

Inputs, the same for every system: \`scripts/gem nlu-export train > build/bench/train.jsonl\`,
\`scripts/gem nlu-export dev > build/bench/dev.jsonl\` and \`scripts/gem nlu-export external > build/bench/external.jsonl\`.`];
  for (const [id, title, render] of SECTIONS) {
    const section = results[id];
    parts.push(`## ${title}\n\n${section ? `${header(section)}\n\n${render(section)}` : kept[title] ?? `Not measured yet: run \`scripts/bench ${id}\`.`}`);
  }
  return `${parts.join('\n\n')}\n`;
}

// The sections of a BENCHMARKS.md: title → text up to the next section.
export function sectionsOf(markdown) {
  const kept = {};
  for (const part of markdown.split(/^## /m).slice(1)) {
    const end = part.indexOf('\n');
    kept[part.slice(0, end).trim()] = part.slice(end + 1).trim();
  }
  return kept;
}
