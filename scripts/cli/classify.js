// `gem classify`: one JSON result per input line; a bad line gets an error object, never a crash.
import { createInterface } from 'node:readline';

import { loadUnderstanding } from '../../wasm/node.js';

function textOf(line) {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('{')) return line;
  let parsed;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new Error(`not valid JSON (${error.message})`);
  }
  if (typeof parsed?.text !== 'string') throw new Error('a JSON line needs a string field "text"');
  return parsed.text;
}

export async function classify(input, out) {
  const nlu = await loadUnderstanding();
  // Read only once the model is loaded: lines arriving before iteration starts would be lost.
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  let failures = 0;
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '') continue;
    let result;
    try {
      const meaning = await nlu.understand(textOf(line));
      result = {
        text: meaning.text,
        intent: meaning.intent,
        product: meaning.product,
        aspect: meaning.aspect,
        confidence: Number(meaning.confidence.toFixed(4)),
        alternatives: meaning.alternatives.map((a) => ({ ...a, confidence: Number(a.confidence.toFixed(4)) })),
        entities: meaning.entities,
        lang: meaning.lang,
        ...(meaning.corrections.length ? { corrections: meaning.corrections } : {}),
        ...(meaning.truncated ? { truncated: true } : {}),
      };
    } catch (error) {
      failures += 1;
      result = { line: number, error: error.message };
    }
    out.write(`${JSON.stringify(result)}\n`);
  }
  await nlu.close();
  return failures ? 1 : 0;
}
