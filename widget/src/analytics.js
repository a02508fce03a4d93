// Privacy-preserving usage counts for the municipality (POST /v1/events, docs/protocol.md): only when the web
// team sets data-analytics="on" and data-server, only after the resident opened the widget, only the
// enumerated event types with labels or a score — never text, never an id. Events are batched; a batch that
// cannot be sent is dropped rather than stored.
import { postEvents } from './server.js';

const TYPES = new Set(['conversation_started', 'understood_first_time', 'understood_after_clarification', 'not_understood',
  'answer', 'handover_requested', 'handover_accepted', 'handover_no_agent', 'thumbs_up', 'thumbs_down', 'nps']);
const MAX_BATCH = 50;
const FLUSH_MS = 2000;
const LABEL = /^[a-z_]{1,40}$/;

function label(value) {
  return typeof value === 'string' && LABEL.test(value) ? value : null;
}

export class Analytics {
  constructor({ server, municipality, win, fetchImpl = win.fetch.bind(win) }) {
    this.server = server;
    this.municipality = municipality;
    this.win = win;
    this.fetch = fetchImpl;
    this.pending = [];
    this.timer = null;
    // The last batch still goes out when the resident leaves the page.
    win.addEventListener('pagehide', () => this.flush());
  }

  track(type, fields = {}) {
    if (!TYPES.has(type)) throw new Error(`unknown analytics event ${type}`);
    const event = { type };
    if (type === 'answer') Object.assign(event, { product: label(fields.product), aspect: label(fields.aspect) });
    if (type === 'nps') {
      if (!Number.isInteger(fields.score) || fields.score < 0 || fields.score > 10) throw new Error('nps score must be 0–10');
      event.score = fields.score;
    }
    this.pending.push(event);
    if (this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.timer) this.timer = this.win.setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush() {
    this.win.clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const events = this.pending.splice(0, MAX_BATCH);
    postEvents(this.server, this.municipality, events, this.fetch).catch(() => {});
    if (this.pending.length) this.flush();
  }
}

// How a resident's question went, from the dialogue's responses: answered at once, answered after the
// assistant asked something back (which product, "did you mean …?"), or not understood. `meaning` is the
// understanding of a typed message (null for a button). `state` is the conversation's {clarifying} and is
// updated; the result is the list of events to count.
export function outcomeEvents(state, response, meaning) {
  const events = response.events ?? [];
  if (events.some((e) => e.type === 'feedback_request' && !e.kind) && response.topic?.product) {
    const first = !state.clarifying;
    state.clarifying = false;
    return [{ type: first ? 'understood_first_time' : 'understood_after_clarification' },
      { type: 'answer', product: response.topic.product, aspect: response.topic.aspect ?? null }];
  }
  // Not understood: read as out of scope, or unsure and not answered (the dialogue said it cannot help, or asked
  // "did you mean …?"; an unsure reading the dialogue still answered counts as understood).
  const unanswered = response.not_understood || response.awaiting === 'did_you_mean';
  if (meaning && (meaning.intent === 'buiten_bereik' || (meaning.low_confidence && unanswered))) {
    state.clarifying = true;
    return [{ type: 'not_understood' }];
  }
  // A typed question the assistant asked something back about ("which document?", "what about it?").
  // Buttons the resident browses through are not a clarification.
  if (meaning && (response.quick_replies ?? []).length && response.intent === 'product_vraag') state.clarifying = true;
  return [];
}
