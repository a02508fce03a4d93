// gem — the project's command line. Understanding runs through the real wasm core and ONNX model,
// exactly the path the browser takes.
//
//   scripts/gem classify              UTF-8 lines (text or {"text": ...}) on stdin → one JSON per line
//   scripts/gem eval FILE.jsonl | --split SPLIT
//        [--report FILE.json]         accuracy per head, out-of-scope precision/recall, F1, confusions
//                                     (default build/eval-report.json)
//   scripts/gem eval --tier compact FILE.jsonl | --split SPLIT [--report FILE.json]
//                                     the same for the core's compact tier alone, plus the share it is sure
//                                     about and its accuracy there (default build/eval-compact-report.json)
//   scripts/gem eval --conversation FILE.jsonl | --split SPLIT [--split SPLIT ...] [--municipality GM0599]
//        [--report FILE.json]         each question in a fresh conversation: right first time, right after one
//                                     clarification (a quick reply), not helped, and the misses
//                                     (default build/eval-conversation-report.json)
//   scripts/gem calibrate-dialogue --heldout FILE.jsonl [--min-recall 0.9] [--from JSON] [--report FILE.json]
//                                     the dialogue's recovery thresholds, chosen on k-fold held-out probabilities
//                                     of the training split (scripts/calibrate-unsure --heldout FILE writes them)
//                                     (default build/calibrate-dialogue-report.json)
//   scripts/gem nlu-export SPLIT      content/nlu/SPLIT/*.yml as JSONL on stdout (SPLIT: train | dev | external)
//   scripts/gem content check|build   validate content/; compile one pack per municipality (build/content)
//   scripts/gem content due [--max-age MONTHS]   sources whose check date is older than 12 months
//   scripts/gem content import-almanac FILE [--checked DATE]     the almanac's XML export → content/registers/almanac.yml
//   scripts/gem content import-catalogue FILE [--municipality GMxxxx] [--checked DATE]
//                                     a product catalogue (SC XML or API JSON) → content/registers/catalogue/
//   scripts/gem chat [--municipality GM0599] [--jsonl]   a conversation (REPL, or one JSON line per message)
//   scripts/gem samples export --in export.json | --server URL
//                                     labelled samples → content/nlu/samples/*.yml (--server signs in with
//                                     GEM_STAFF_USER and GEM_STAFF_PASSWORD)
import { calibrateDialogue } from './calibrate-dialogue.js';
import { chat } from './chat.js';
import { classify } from './classify.js';
import { contentCommand } from './content.js';
import { evaluateCompact } from './compact-eval.js';
import { evaluateConversations } from './conversation-eval.js';
import { evaluate, readJsonl } from './eval.js';
import { SPLITS, exportSplit } from './nlu-data.js';
import { samplesCommand } from './samples.js';

const USAGE = `usage: scripts/gem classify < lines
       scripts/gem eval FILE.jsonl | --split train|dev|external [--report FILE.json]
       scripts/gem eval --tier compact FILE.jsonl | --split train|dev|external [--report FILE.json]
       scripts/gem eval --conversation FILE.jsonl | --split SPLIT [--split SPLIT ...] [--municipality GM0599] [--report FILE.json]
       scripts/gem nlu-export train|dev|external
       scripts/gem content check|build|due [--out DIR] [--verbose] [--max-age MONTHS]
       scripts/gem content import-almanac exportOO_gemeenten.xml [--checked YYYY-MM-DD]
       scripts/gem content import-catalogue FILE [--municipality GMxxxx] [--checked YYYY-MM-DD]
       scripts/gem calibrate-dialogue --heldout FILE.jsonl [--min-recall 0.9] [--from '{"unsure_below": 0.5}'] [--report FILE.json]
       scripts/gem chat [--municipality GM0599] [--jsonl]
       scripts/gem samples export --in export.json | --server URL`;

async function main(argv) {
  const [command, ...args] = argv;
  switch (command) {
    case 'classify':
      return classify(process.stdin, process.stdout);
    case 'eval': {
      const sets = evalInputs(args);
      const conversation = args.includes('--conversation');
      const report = option(args, '--report');
      if (conversation) {
        return evaluateConversations(sets, { municipality: option(args, '--municipality') ?? 'GM0599',
          reportPath: report ?? 'build/eval-conversation-report.json', out: process.stdout });
      }
      if (sets.length !== 1) throw new UsageError('eval without --conversation takes one JSONL file or one --split');
      const tier = option(args, '--tier');
      if (tier === 'compact') return evaluateCompact(sets[0][1], report ?? 'build/eval-compact-report.json', process.stdout);
      if (tier !== undefined && tier !== 'full') throw new UsageError('--tier is compact or full');
      return evaluate(sets[0][1], report ?? 'build/eval-report.json', process.stdout);
    }
    case 'calibrate-dialogue': {
      const heldout = option(args, '--heldout');
      if (!heldout) throw new UsageError('calibrate-dialogue needs --heldout FILE.jsonl (scripts/calibrate-unsure --heldout FILE)');
      const minRecall = option(args, '--min-recall');
      if (minRecall !== undefined && !(Number(minRecall) >= 0 && Number(minRecall) <= 1)) throw new UsageError('--min-recall is a number from 0 to 1');
      const from = option(args, '--from');
      let start = {};
      try {
        start = from === undefined ? {} : JSON.parse(from);
      } catch (error) {
        throw new UsageError(`--from is a JSON object of thresholds: ${error.message}`);
      }
      return calibrateDialogue({ heldout, minRecall: minRecall === undefined ? null : Number(minRecall), from: start,
        reportPath: option(args, '--report') ?? 'build/calibrate-dialogue-report.json', out: process.stdout });
    }
    case 'nlu-export':
      if (!SPLITS.includes(args[0])) throw new UsageError(`nlu-export needs one of ${SPLITS.join(', ')}`);
      for (const example of exportSplit(args[0])) process.stdout.write(`${JSON.stringify(example)}\n`);
      return 0;
    case 'content':
      if (!['check', 'build', 'due', 'import-almanac', 'import-catalogue'].includes(args[0])) {
        throw new UsageError('content needs check, build, due, import-almanac or import-catalogue');
      }
      return contentCommand(args, process.stdout);
    case 'chat':
      return chat(args, process.stdin, process.stdout);
    case 'samples':
      return samplesCommand(args, process.stdout, { option });
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command ? 0 : 2;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

class UsageError extends Error {}

// The value after `name`, if given.
function option(args, name) {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  if (at + 1 >= args.length || args[at + 1].startsWith('--')) throw new UsageError(`${name} needs a value`);
  return args[at + 1];
}

// The labelled sets `eval` reads: [name, records] for a JSONL file and for each `--split NAME`.
function evalInputs(args) {
  const sets = [];
  const valued = new Set(['--split', '--report', '--municipality', '--tier']);
  args.forEach((arg, i) => {
    if (arg === '--split') {
      if (!SPLITS.includes(args[i + 1])) throw new UsageError(`--split needs one of ${SPLITS.join(', ')}`);
      sets.push([args[i + 1], exportSplit(args[i + 1])]);
    } else if (!arg.startsWith('--') && !valued.has(args[i - 1])) {
      sets.push([arg, readJsonl(arg)]);
    }
  });
  if (sets.length === 0) throw new UsageError('eval needs a JSONL file or --split');
  return sets;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code ?? 0;
  },
  (error) => {
    process.stderr.write(`gem: ${error.message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
