// The resident's side of a human handover (docs/protocol.md): whether a staff member can be reached
// (GET /v1/handover/{gm}/availability), then the WebSocket /v1/handover: start or resume, queue, agent
// joined/typing/left, messages, ended; reconnects with `resume` when the connection drops.
// It never redacts or words anything itself: the controller (conversation.js) hands it text that is already
// redacted, gets callbacks (`ui`) for everything that happens, and the core says it.
//
//   const event = await availability({ server, municipality, fetchImpl });  // for the core's handover(event)
//   const handover = new Handover({ server, win, ui });
//   handover.start({ municipality, lang, consent, transcript, topic });   // or handover.resume(saved)
//   handover.send(text); handover.cancel(); handover.end();
import { getJson, handoverSocketUrl } from './server.js';

const RETRY_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const TYPING_SHOWN_MS = 6000;

// Whether a staff member can be reached now, as the event the core's handover() puts into words:
// unavailable (no server on this site), failed (no answer), closed, no_agent (both with the server's
// alternatives: phone, contact form, call-back) or consent (someone is free: may the conversation go along?).
export async function availability({ server, municipality, fetchImpl }) {
  if (!server) return { type: 'unavailable' };
  let answer;
  try {
    answer = await getJson(server, `v1/handover/${municipality}/availability`, {}, fetchImpl);
  } catch {
    return { type: 'failed' };
  }
  const alternatives = answer.alternatives ?? null;
  if (!answer.open) return { type: 'closed', alternatives };
  if (!(answer.agents_available > 0)) return { type: 'no_agent', alternatives };
  return { type: 'consent', queue_length: answer.queue_length ?? 0, eta_seconds: answer.eta_seconds ?? 0 };
}

export class Handover {
  constructor({ server, win, ui }) {
    this.url = handoverSocketUrl(server);
    this.win = win;
    this.ui = ui;
    this.reset();
  }

  reset() {
    this.socket?.close();
    this.socket = null;
    this.win.clearTimeout(this.retryTimer);
    this.win.clearTimeout(this.typingTimer);
    this.state = 'idle';  // idle | connecting | queued | agent
    this.conversation = null;
    this.token = null;
    this.agentName = '';
    this.position = null;
    this.seen = [];
    this.retries = 0;
    this.lost = false;
  }

  get active() {
    return this.state !== 'idle';
  }

  // Messages can go to the agent only over an open socket; otherwise the local assistant answers.
  get connected() {
    return this.active && !this.lost && this.socket?.readyState === 1;
  }

  // What sessionStorage keeps, so that the handover survives navigation within the site.
  snapshot() {
    return this.conversation && this.token
      ? { conversation: this.conversation, token: this.token, state: this.state, agentName: this.agentName, seen: this.seen.slice(-50) }
      : null;
  }

  start(request) {
    this.reset();
    this.state = 'connecting';
    this.open({ type: 'start', ...request });
  }

  resume(saved) {
    this.reset();
    Object.assign(this, { conversation: saved.conversation, token: saved.token, state: saved.state === 'agent' ? 'agent' : 'queued',
      agentName: saved.agentName ?? '', seen: saved.seen ?? [] });
    this.open(null);
  }

  send(text) {
    this.write({ type: 'message', text });
  }

  typing() {
    this.write({ type: 'typing' });
  }

  cancel() {
    this.write({ type: 'cancel' });
  }

  end() {
    this.write({ type: 'end' });
  }

  // Stops without telling the server (the server ends it when the socket closes without a resume).
  close() {
    this.reset();
  }

  write(message) {
    if (this.socket?.readyState === 1) this.socket.send(JSON.stringify(message));
  }

  // `first` is the opening frame (start); without it the socket resumes the saved conversation.
  open(first) {
    const socket = new this.win.WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (socket !== this.socket) return;
      socket.send(JSON.stringify(first ?? { type: 'resume', conversation: this.conversation, token: this.token }));
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.socket) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.receive(message);
    });
    socket.addEventListener('close', () => {
      if (socket !== this.socket || !this.active) return;
      this.connectionLost();
    });
  }

  receive(message) {
    const wasLost = this.lost;
    if (wasLost && message.type !== 'error') {
      this.lost = false;
      this.retries = 0;
      this.ui.reconnected();
    }
    switch (message.type) {
      case 'started':
        this.conversation = message.conversation;
        this.token = message.token;
        this.ui.changed();
        break;
      case 'queued':
        if (this.state !== 'queued' || this.position !== message.position) {
          this.state = 'queued';
          this.position = message.position;
          this.ui.queued(message.position, message.eta_seconds);
        }
        this.ui.changed();
        break;
      case 'agent_joined': {
        const again = this.state === 'agent' && this.agentName === message.name;
        this.state = 'agent';
        this.agentName = String(message.name ?? '');
        this.position = null;
        if (!again) this.ui.joined(this.agentName);
        this.ui.changed();
        break;
      }
      case 'agent_typing':
        this.ui.typing(this.agentName);
        this.win.clearTimeout(this.typingTimer);
        this.typingTimer = this.win.setTimeout(() => this.ui.typing(null), TYPING_SHOWN_MS);
        break;
      case 'message':
        if (typeof message.text !== 'string' || this.seen.includes(message.id)) break;
        this.seen.push(message.id);
        this.win.clearTimeout(this.typingTimer);
        this.ui.typing(null);
        this.ui.message(this.agentName, message.text);
        this.ui.changed();
        break;
      case 'agent_left':
        this.state = 'queued';
        this.agentName = '';
        this.position = null;
        this.ui.left();
        this.ui.changed();
        break;
      case 'ended':
        this.finish(message.reason);
        break;
      case 'error':
        // A resume the server no longer knows, or a start it refused: the handover is over.
        if (!this.conversation || wasLost || this.state === 'connecting') this.finish('failed');
        break;
      default:
        break;
    }
  }

  finish(reason) {
    this.reset();
    this.ui.ended(reason);
    this.ui.changed();
  }

  connectionLost() {
    if (!this.conversation) {
      this.finish('failed');  // never got started: nothing to resume
      return;
    }
    if (!this.lost) {
      this.lost = true;
      this.ui.lost();
    }
    const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    this.win.clearTimeout(this.retryTimer);
    this.retryTimer = this.win.setTimeout(() => this.open(null), delay);
  }

  // The browser went offline: an open socket can linger for minutes before it fails, so count it lost now.
  offline() {
    if (!this.active || this.lost) return;
    const { socket } = this;
    this.socket = null;
    socket?.close();
    this.connectionLost();
  }

  // The browser is back online: try at once instead of waiting for the next retry.
  retryNow() {
    if (!this.lost) return;
    this.win.clearTimeout(this.retryTimer);
    this.open(null);
  }
}
