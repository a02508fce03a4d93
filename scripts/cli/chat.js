// `gem chat --municipality GM0599 [--jsonl]`: a conversation through the real wasm core, model and
// content pack. Interactive: type a message, a number to press a quick-reply button, /reset or /quit.
// --jsonl: one message per line (text, {"text": ...}, {"choose": "button-id"} or {"reset": true}) → one response per
// line; a reset starts a fresh conversation and answers with its welcome (marked "reset": true), so one process can
// run many scripted conversations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { ROOT, loadTools, loadUnderstanding } from '../../wasm/node.js';
import { Session } from '../../wasm/session.js';
import { checkContent, packFor } from './content.js';

// The municipality's pack, checked and compiled from content/ once per process (sessions of a calibration share it).
const packs = new Map();
async function contentFor(municipality) {
  if (!packs.has(municipality)) {
    packs.set(municipality, loadTools().then((tools) => {
      const { errors, source } = checkContent(tools);
      if (errors.length) throw new Error(`content has errors; run scripts/gem content check (first: ${errors[0].at}: ${errors[0].message})`);
      return { pack: packFor(tools, source, municipality), tsv: readFileSync(join(ROOT, 'content/gazetteer/gemeenten.tsv'), 'utf8') };
    }));
  }
  return packs.get(municipality);
}

// `understanding`: one to share (the caller closes it), else one is loaded; `options`: DialogueOptions by name.
export async function openSession(municipality, { understanding: shared = null, options = null } = {}) {
  const [understanding, { pack, tsv }] = await Promise.all([shared ?? loadUnderstanding(), contentFor(municipality)]);
  return { understanding, session: Session.create(understanding, pack, tsv, municipality, options) };
}

function show(response, out) {
  out.write(`\n${response.text}\n`);
  response.quick_replies.forEach((q, i) => out.write(`  [${i + 1}] ${q.label}\n`));
  for (const l of response.links) out.write(`  → ${l.title}: ${l.url}\n`);
  for (const e of response.events) out.write(`  (event ${e.type}${e.kind ? ` ${e.kind}` : ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''})\n`);
}

export async function chat(args, input, out) {
  const at = args.indexOf('--municipality');
  const municipality = at >= 0 ? args[at + 1] : 'GM0599';
  const jsonl = args.includes('--jsonl');
  const { understanding, session } = await openSession(municipality);
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let last = session.welcome();
  if (!jsonl) {
    show(last, out);
    out.write('\n> ');
  }
  for await (const line of lines) {
    const text = line.trim();
    if (jsonl) {
      if (!text) continue;
      let message = { text: line };
      if (text.startsWith('{')) {
        try {
          message = JSON.parse(text);
        } catch (error) {
          out.write(`${JSON.stringify({ error: `not valid JSON (${error.message})` })}\n`);
          continue;
        }
      }
      let response;
      if (message.reset === true) {
        session.reset();
        response = { ...session.welcome(), reset: true };
      } else {
        response = message.choose ? session.choose(message.choose) : await session.send(String(message.text ?? ''));
      }
      out.write(`${JSON.stringify(response)}\n`);
      continue;
    }
    if (text === '/quit') break;
    if (text === '/reset') {
      session.reset();
      last = session.welcome();
    } else if (/^\d+$/.test(text) && last.quick_replies[Number(text) - 1]) {
      last = session.choose(last.quick_replies[Number(text) - 1].id);
    } else if (text) {
      last = await session.send(line);
    }
    show(last, out);
    out.write('\n> ');
  }
  session.close();
  await understanding.close();
  return 0;
}
