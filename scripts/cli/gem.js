// gem — the project's command line. Understanding runs through the real wasm core and ONNX model,
// exactly the path the browser takes.
//
//   scripts/gem classify              UTF-8 lines (text or {"text": ...}) on stdin → one JSON per line
//   scripts/gem eval FILE.jsonl       accuracy per head, out-of-scope precision/recall, F1, confusions
//        [--report FILE.json]         (default build/eval-report.json)
//   scripts/gem nlu-export SPLIT      content/nlu/SPLIT/*.yml as JSONL on stdout (SPLIT: train | dev)
//   scripts/gem content check|build   validate content/; compile one pack per municipality (build/content)
//   scripts/gem content import-almanac FILE [--checked DATE]     the almanac's XML export → content/registers/almanac.yml
//   scripts/gem content import-catalogue FILE [--municipality GMxxxx] [--checked DATE]
//                                     a product catalogue (SC XML or API JSON) → content/registers/catalogue/
//   scripts/gem chat [--municipality GM0599] [--jsonl]   a conversation (REPL, or one JSON line per message)
import { chat } from './chat.js';
import { classify } from './classify.js';
import { contentCommand } from './content.js';
import { evaluate } from './eval.js';
import { exportSplit } from './nlu-data.js';

const USAGE = `usage: scripts/gem classify < lines
       scripts/gem eval FILE.jsonl [--report FILE.json]
       scripts/gem nlu-export train|dev
       scripts/gem content check|build [--out DIR] [--verbose]
       scripts/gem content import-almanac exportOO_gemeenten.xml [--checked YYYY-MM-DD]
       scripts/gem content import-catalogue FILE [--municipality GMxxxx] [--checked YYYY-MM-DD]
       scripts/gem chat [--municipality GM0599] [--jsonl]`;

async function main(argv) {
  const [command, ...args] = argv;
  switch (command) {
    case 'classify':
      return classify(process.stdin, process.stdout);
    case 'eval': {
      const file = args.find((a) => !a.startsWith('--'));
      const reportAt = args.indexOf('--report');
      if (!file) throw new UsageError('eval needs a JSONL file');
      return evaluate(file, reportAt >= 0 ? args[reportAt + 1] : 'build/eval-report.json', process.stdout);
    }
    case 'nlu-export':
      if (!['train', 'dev'].includes(args[0])) throw new UsageError('nlu-export needs train or dev');
      for (const example of exportSplit(args[0])) process.stdout.write(`${JSON.stringify(example)}\n`);
      return 0;
    case 'content':
      if (!['check', 'build', 'import-almanac', 'import-catalogue'].includes(args[0])) {
        throw new UsageError('content needs check, build, import-almanac or import-catalogue');
      }
      return contentCommand(args, process.stdout);
    case 'chat':
      return chat(args, process.stdin, process.stdout);
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code ?? 0;
  },
  (error) => {
    process.stderr.write(`gem: ${error.message}\n${error instanceof UsageError ? `${USAGE}\n` : ''}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
