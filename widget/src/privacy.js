// The privacy effect: the core's redaction (gem::redact: BSN, IBAN, phone, e-mail, address, … → [BSN] …),
// done once per message and reused — for the note about personal data, for a message to a staff member and
// for the transcript a resident agreed to share.
import { plainText } from './markdown.js';

// The protocol's frame limit is 4 KiB; the transcript gets what fits after the other start fields.
const TRANSCRIPT_BYTES = 4000;
const TRANSCRIPT_ITEM_CHARS = 600;
const TRANSCRIPT_ITEMS = 50;
const ROLES = { user: 'resident', bot: 'assistant', live: 'assistant' };

// What a message says, as text: the resident's words as typed, an answer without its Markdown, with its list.
function wordsOf(message) {
  if (message.role === 'user') return message.text;
  return [plainText(message.text), ...(message.items ?? [])].join(' ');
}

export class Privacy {
  // `redact(text)` is the core's: (a promise of) {text, counts: {kind: n}, …}.
  constructor(redact) {
    this.redact = redact;
    this.done = new WeakMap();
  }

  // A promise of the redaction of one message (computed the first time it is needed).
  of(message) {
    if (!this.done.has(message)) this.done.set(message, Promise.resolve(this.redact(wordsOf(message))));
    return this.done.get(message);
  }

  // The conversation so far for the staff member, every item redacted: the newest items that fit in the
  // start frame `request`, each at most TRANSCRIPT_ITEM_CHARS long.
  async transcript(messages, request) {
    const encoder = new TextEncoder();
    const items = [];
    for (const message of [...messages].reverse()) {
      if (!ROLES[message.role] || items.length >= TRANSCRIPT_ITEMS) continue;
      const redacted = (await this.of(message)).text;
      const item = { role: ROLES[message.role],
        text: redacted.length > TRANSCRIPT_ITEM_CHARS ? `${redacted.slice(0, TRANSCRIPT_ITEM_CHARS - 1)}…` : redacted };
      const frame = JSON.stringify({ type: 'start', ...request, transcript: [item, ...items] });
      if (encoder.encode(frame).length > TRANSCRIPT_BYTES) break;
      items.unshift(item);
    }
    return items;
  }
}
