// The human handover as the conversation controller runs it (DOM-free): the resident asks for a person, the
// availability check (handover.js) says whether someone is free, the resident consents or not, then the socket
// (handover.js Handover) reports queue, agent and end. Every step is put into words by the core
// (session.handover(event)); the redacted transcript and messages come from the privacy effect.
const TYPING_EVERY_MS = 3000;

export class HandoverFlow {
  // `availability()` → Promise<event>; `socket(events)` → a Handover (null without a server).
  constructor(conversation, { availability, socket }) {
    this.c = conversation;
    this.availability = availability;
    this.socket = socket?.(this.events()) ?? null;
    this.alternatives = null;
    this.lastTyping = -Infinity;
  }

  get active() {
    return Boolean(this.socket?.active);
  }

  // Messages go to the staff member only over an open socket; otherwise the assistant answers.
  get connected() {
    return Boolean(this.socket?.connected);
  }

  // '' without a handover, else the socket's state (connecting | queued | agent).
  get state() {
    return this.active ? this.socket.state : '';
  }

  // The core's words for one step (a promise: the core runs in the engine).
  words(event) {
    return this.c.session.handover(event);
  }

  async request() {
    const { c } = this;
    c.track('handover_requested');
    c.ui.status(c.t('handover_checking'), true);
    const event = await this.availability();
    c.ui.status('');
    this.alternatives = event.alternatives ?? null;
    if (event.type === 'closed' || event.type === 'no_agent') c.track('handover_no_agent');
    await c.respond(await this.words(event), { announce: true, role: event.type === 'consent' ? 'live' : null });
  }

  async start(consent) {
    const { c } = this;
    if (!this.socket) return;
    c.flow.agentJoined = false;
    const { topic } = c.session.state();
    const request = { municipality: c.municipality, lang: c.lang, consent,
      topic: topic?.product ? { product: topic.product, aspect: topic.aspect ?? null } : null };
    if (consent) request.transcript = await c.privacy.transcript(c.messages, request);
    c.ui.status((await this.words({ type: 'started' })).text, true);
    this.socket.start(request);
    c.ui.relabel();
    c.save();
  }

  async toAgent(message) {
    this.socket.send((await this.c.privacy.of(message)).text);
    await this.c.notePrivacy(message, { toAgent: true });
  }

  // "… is typing" for the staff member, at most every few seconds.
  typing() {
    if (!this.connected || this.socket.state !== 'agent') return;
    const now = this.c.timers.now?.() ?? Date.now();
    if (now - this.lastTyping < TYPING_EVERY_MS) return;
    this.lastTyping = now;
    this.socket.typing();
  }

  // The resident leaves the queue or ends the chat (the toolbar button).
  leave() {
    const { socket } = this;
    if (!socket?.active) return;
    if (socket.connected) {
      if (socket.state === 'agent') socket.end();
      else socket.cancel();
      return;
    }
    // Without a connection the server cannot be told; it ends the conversation when no resume comes.
    const reason = socket.state === 'agent' ? 'resident_ended' : 'cancelled';
    socket.close();
    this.events().ended(reason);
  }

  // A new conversation: the server is told when it can be, and the handover is forgotten.
  stop() {
    if (this.connected) {
      if (this.socket.state === 'agent') this.socket.end();
      else this.socket.cancel();
    }
    this.socket?.close();
  }

  snapshot() {
    return this.socket?.snapshot() ?? null;
  }

  // A saved handover continues: the server replays its state and the messages not seen yet.
  resume(saved) {
    if (!saved?.token || !this.socket) return false;
    this.socket.resume(saved);
    return true;
  }

  offline() {
    this.socket?.offline();
  }

  online() {
    this.socket?.retryNow();
  }

  // What the socket reports, put into words by the core: notes, the status line, the staff member's messages.
  events() {
    const { c } = this;
    // The socket does not wait for its callbacks: an error in one is said like any error inside Gem.
    const said = (step) => (...args) => step(...args).catch((error) => c.failed(error));
    const words = (event) => this.words(event);
    const status = said(async (event) => c.ui.status((await words(event)).text));
    return {
      changed: () => {
        c.ui.relabel();
        c.save();
      },
      queued: (position, eta) => status({ type: 'queued', position, eta_seconds: eta }),
      joined: said(async (name) => {
        c.ui.status('');
        c.say(await words({ type: 'agent_joined', name }), { role: 'note' });
        if (!c.flow.agentJoined) c.track('handover_accepted');
        c.flow.agentJoined = true;
      }),
      typing: (name) => (name === null ? c.ui.status('') : status({ type: 'typing', name })),
      message: (name, text) => {
        c.add({ role: 'agent', name, text, lang: c.lang });
        c.ui.announce(`${name || c.t('agent').replace(/:$/, '')}: ${text}`, c.lang);
      },
      left: said(async () => c.say(await words({ type: 'agent_left' }), { role: 'note' })),
      ended: said(async (reason) => {
        c.ui.status('');
        const failed = reason === 'failed';
        const event = { type: 'ended', reason, ...(failed && this.alternatives ? { alternatives: this.alternatives } : {}) };
        c.say(await words(event), { role: failed ? 'live' : 'note' });
      }),
      lost: () => status({ type: 'lost' }),
      reconnected: () => status({ type: 'reconnected' }),
    };
  }
}
