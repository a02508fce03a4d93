// Consented samples (issue #19, POST /v1/samples in docs/protocol.md): when Gem did not understand a typed
// question, or after a thumbs-down, the resident may share that one question with the municipality so its
// editors can teach Gem. The offer shows exactly what would be sent — the question after the core's redaction
// (placeholders such as [TELEFOON]) and what Gem understood, in the core's words — and nothing leaves the
// device until the resident presses "share". One question per consent; never the conversation; never
// automatically; never without a Gem server. The conversation controller (conversation.js) shows the offer as a
// transcript message; the view (sample-offer.js) draws it.
//
//   const samples = new Samples({ server, municipality, fetchImpl, redact });
//   const draft = samples.draft({ text, reason, understood, lang });   // null when nothing can be shared
//   await samples.share(draft);                                        // 'sent' | 'failed'
import { postJson } from './server.js';

export const REASONS = ['not_understood', 'thumbs_down'];
const TEXT_CHARS = 500;     // the protocol's limit for the redacted text
const BODY_BYTES = 2048;    // the protocol's limit for the whole request
const LABEL = /^[a-z_]{1,40}$/;
const MUNICIPALITY = /^GM\d{4}$/;

const label = (value) => (typeof value === 'string' && LABEL.test(value) ? value : null);

// The request body for one draft: exactly the protocol's fields, nothing else.
export function sampleBody(municipality, { lang, text, reason, understood }) {
  return { municipality, lang, text, reason, understood: { intent: understood.intent, product: understood.product, aspect: understood.aspect } };
}

export class Samples {
  // `redact(text)` is the core's (a promise of {text, counts}); without a server (or a municipality) nothing is ever offered.
  constructor({ server, municipality, fetchImpl, redact }) {
    this.server = server || '';
    this.municipality = MUNICIPALITY.test(municipality ?? '') ? municipality : '';
    this.fetch = fetchImpl;
    this.redact = redact;
  }

  get available() {
    return Boolean(this.server && this.municipality);
  }

  // A promise of what would be sent for one typed question: {lang, text (redacted, bounded), reason,
  // understood (labels)}, or null when there is no server or nothing to share. The draft is what the offer shows and what `share`
  // sends, unchanged.
  async draft({ text, reason, understood = {}, lang }) {
    if (!this.available || !REASONS.includes(reason)) return null;
    let redacted = (await this.redact(String(text ?? ''))).text.replace(/\s+/g, ' ').trim();
    if (!redacted) return null;
    if (redacted.length > TEXT_CHARS) redacted = `${redacted.slice(0, TEXT_CHARS - 1)}…`;
    const draft = { lang: lang === 'en' ? 'en' : 'nl', text: redacted, reason,
      understood: { intent: label(understood.intent) ?? 'buiten_bereik', product: label(understood.product), aspect: label(understood.aspect) } };
    // Characters outside ASCII take up to four bytes: shorten until the request fits the protocol's limit.
    const encoder = new TextEncoder();
    while (encoder.encode(JSON.stringify(sampleBody(this.municipality, draft))).length > BODY_BYTES) {
      draft.text = `${draft.text.slice(0, Math.floor(draft.text.length * 0.9) - 1)}…`;
    }
    return draft;
  }

  // Sends one draft the resident agreed to share: 'sent' or 'failed' (the server refused it or was unreachable).
  async share(draft) {
    if (!this.available || !draft) return 'failed';
    try {
      await postJson(this.server, 'v1/samples', sampleBody(this.municipality, draft), this.fetch);
      return 'sent';
    } catch {
      return 'failed';
    }
  }
}
