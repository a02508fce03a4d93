// The agent console: sign in, see the queue, accept, read the consented (redacted) transcript,
// chat, end or release. Talks to /v1/agent/* and the WebSocket /v1/agent/socket (docs/protocol.md).
// Everything the resident wrote is set with textContent, never as HTML.
'use strict';

const TEXT = {
  nl: {
    skip: 'Naar de inhoud', title: 'Gem – gesprekken met inwoners', logout: 'Afmelden', switch_language: 'English',
    signin_title: 'Aanmelden', username: 'Gebruikersnaam', password: 'Wachtwoord', signin: 'Aanmelden',
    queue_title: 'Wachtrij', queue_empty: 'Er wacht niemand.', chats_title: 'Mijn gesprekken',
    chats_empty: 'U hebt geen open gesprekken.', transcript: 'Gesprek met de assistent (geanonimiseerd)',
    message: 'Bericht', send: 'Versturen', release: 'Terug naar de wachtrij', end: 'Gesprek beëindigen',
    accept: 'Aannemen', waiting: (s) => `wacht ${Math.max(1, Math.round(s / 60))} min.`,
    no_topic: 'geen onderwerp', language: { nl: 'Nederlands', en: 'Engels' },
    chat_title: (n) => `Gesprek ${n}`, consent_no: 'De inwoner deelt het eerdere gesprek niet.',
    resident: 'Inwoner', assistant: 'Assistent', you: 'U', typing: 'De inwoner typt…',
    new_item: (n) => (n === 1 ? 'Er wacht een nieuwe inwoner.' : `Er wachten ${n} nieuwe inwoners.`),
    new_message: 'Nieuw bericht van de inwoner.', assigned: 'Gesprek aangenomen.',
    ended: { agent_ended: 'U hebt het gesprek beëindigd.', resident_ended: 'De inwoner heeft het gesprek beëindigd.',
      cancelled: 'De inwoner heeft het gesprek beëindigd.', released: 'Het gesprek staat weer in de wachtrij.',
      agent_gone: 'Het gesprek staat weer in de wachtrij.' },
    signed_in_as: (n) => `Aangemeld als ${n}`, connected: 'Verbonden.', reconnecting: 'Verbinding verbroken. Opnieuw verbinden…',
    errors: { unauthorized: 'Gebruikersnaam of wachtwoord klopt niet.', rate_limited: 'Te veel pogingen. Probeer het later opnieuw.',
      empty: 'Vul uw gebruikersnaam en wachtwoord in.', empty_message: 'Typ eerst een bericht.',
      taken: 'Een collega heeft dit gesprek al aangenomen.', busy: 'U hebt al het maximale aantal gesprekken.',
      other: 'Er ging iets mis. Probeer het opnieuw.' },
  },
  en: {
    skip: 'Skip to content', title: 'Gem – conversations with residents', logout: 'Sign out', switch_language: 'Nederlands',
    signin_title: 'Sign in', username: 'User name', password: 'Password', signin: 'Sign in',
    queue_title: 'Queue', queue_empty: 'Nobody is waiting.', chats_title: 'My conversations',
    chats_empty: 'You have no open conversations.', transcript: 'Conversation with the assistant (redacted)',
    message: 'Message', send: 'Send', release: 'Back to the queue', end: 'End conversation',
    accept: 'Accept', waiting: (s) => `waiting ${Math.max(1, Math.round(s / 60))} min`,
    no_topic: 'no topic', language: { nl: 'Dutch', en: 'English' },
    chat_title: (n) => `Conversation ${n}`, consent_no: 'The resident does not share the earlier conversation.',
    resident: 'Resident', assistant: 'Assistant', you: 'You', typing: 'The resident is typing…',
    new_item: (n) => (n === 1 ? 'A new resident is waiting.' : `${n} new residents are waiting.`),
    new_message: 'New message from the resident.', assigned: 'Conversation accepted.',
    ended: { agent_ended: 'You ended the conversation.', resident_ended: 'The resident ended the conversation.',
      cancelled: 'The resident ended the conversation.', released: 'The conversation is back in the queue.',
      agent_gone: 'The conversation is back in the queue.' },
    signed_in_as: (n) => `Signed in as ${n}`, connected: 'Connected.', reconnecting: 'Connection lost. Reconnecting…',
    errors: { unauthorized: 'User name or password is wrong.', rate_limited: 'Too many attempts. Try again later.',
      empty: 'Enter your user name and password.', empty_message: 'Type a message first.',
      taken: 'A colleague has already accepted this conversation.', busy: 'You already have the maximum number of conversations.',
      other: 'Something went wrong. Please try again.' },
  },
};
// Dutch by default, like the widget; the switch in the header changes the console's own texts.
let lang = 'nl';
let t = TEXT[lang];

const $ = (id) => document.getElementById(id);
const state = { csrf: null, socket: null, queue: new Set(), chats: new Map(), count: 0, retry: 0 };

function translatePage() {
  document.documentElement.lang = lang;
  $('language').lang = lang === 'nl' ? 'en' : 'nl';
  document.title = t.title;
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = t[el.dataset.text];
  for (const el of $('chat-template').content.querySelectorAll('[data-text]')) el.textContent = t[el.dataset.text];
}

function announce(text) {
  // Clearing first makes a repeated sentence be read again.
  $('announcer').textContent = '';
  setTimeout(() => { $('announcer').textContent = text; }, 50);
}

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
  const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' });
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}

// ---- sign in / out -------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const username = $('username').value.trim();
  const password = $('password').value;
  const error = $('signin-error');
  error.textContent = '';
  if (!username || !password) {
    error.textContent = t.errors.empty;
    (username ? $('password') : $('username')).focus();
    return;
  }
  const { ok, data } = await api('POST', '/v1/agent/login', { username, password });
  if (!ok) {
    error.textContent = t.errors[data.error] || t.errors.other;
    $('password').value = '';
    $('password').focus();
    return;
  }
  $('password').value = '';
  enterConsole(data);
}

function enterConsole(session) {
  state.csrf = session.csrf;
  $('account-name').textContent = t.signed_in_as(session.name);
  $('account').hidden = false;
  $('signin').hidden = true;
  $('console').hidden = false;
  $('queue-title').tabIndex = -1;
  $('queue-title').focus();
  connect();
}

async function signOut() {
  await api('POST', '/v1/agent/logout');
  state.csrf = null;
  if (state.socket) state.socket.close();
  state.socket = null;
  clearChats();
  state.queue.clear();
  $('queue-list').replaceChildren();
  $('console').hidden = true;
  $('account').hidden = true;
  $('signin').hidden = false;
  $('username').focus();
}

// ---- socket --------------------------------------------------------------------------------

function connect() {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/agent/socket`);
  state.socket = socket;
  socket.addEventListener('open', () => {
    state.retry = 0;
    $('connection').textContent = t.connected;
  });
  socket.addEventListener('message', (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    const handler = handlers[frame.type];
    if (handler) handler(frame);
  });
  socket.addEventListener('close', () => {
    if (state.socket !== socket || !state.csrf) return;
    $('connection').textContent = t.reconnecting;
    clearChats();  // the server sends every open conversation again on reconnect
    state.retry = Math.min(state.retry + 1, 5);
    setTimeout(connect, 1000 * state.retry);
  });
}

function clearChats() {
  for (const chat of state.chats.values()) chat.element.remove();
  state.chats.clear();
  $('chats-empty').hidden = false;
}

function send(frame) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(frame));
}

const handlers = {
  queue(frame) {
    const list = $('queue-list');
    const fresh = frame.items.filter((item) => !state.queue.has(item.conversation));
    state.queue = new Set(frame.items.map((item) => item.conversation));
    const focused = document.activeElement && list.contains(document.activeElement)
      ? document.activeElement.dataset.conversation : null;
    list.replaceChildren(...frame.items.map(queueItem));
    $('queue-empty').hidden = frame.items.length > 0;
    // Keep keyboard focus where it was when the list is redrawn.
    if (focused) list.querySelector(`[data-conversation="${CSS.escape(focused)}"]`)?.focus();
    if (fresh.length) announce(t.new_item(fresh.length));
  },
  assigned(frame) {
    if (state.chats.has(frame.conversation)) return;
    state.chats.set(frame.conversation, createChat(frame));
    $('chats-empty').hidden = true;
    announce(t.assigned);
  },
  message(frame) {
    const chat = state.chats.get(frame.conversation);
    if (!chat || chat.seen.has(frame.id)) return;
    chat.seen.add(frame.id);
    addMessage(chat, frame.from, frame.text);
    if (frame.from === 'resident') {
      chat.typing.textContent = '';
      announce(t.new_message);
    }
  },
  resident_typing(frame) {
    const chat = state.chats.get(frame.conversation);
    if (!chat) return;
    chat.typing.textContent = t.typing;
    clearTimeout(chat.typingTimer);
    chat.typingTimer = setTimeout(() => { chat.typing.textContent = ''; }, 4000);
  },
  ended(frame) {
    const chat = state.chats.get(frame.conversation);
    if (!chat) return;
    state.chats.delete(frame.conversation);
    const hadFocus = chat.element.contains(document.activeElement);
    chat.element.remove();
    $('chats-empty').hidden = state.chats.size > 0;
    announce(t.ended[frame.reason] || t.ended.resident_ended);
    if (hadFocus) $('chats-title').focus();
  },
  error(frame) {
    const message = t.errors[frame.error] || t.errors.other;
    const active = document.activeElement?.closest?.('.chat');
    const target = active ? active.querySelector('.error') : null;
    if (target) target.textContent = message;
    else announce(message);
    if (frame.error === 'unauthorized') signOut();
  },
};

function topicText(topic) {
  if (!topic || (!topic.product && !topic.aspect)) return t.no_topic;
  return [topic.product, topic.aspect].filter(Boolean).join(' – ').replaceAll('_', ' ');
}

function queueItem(item) {
  const li = document.createElement('li');
  const text = document.createElement('span');
  text.textContent = `${topicText(item.topic)} · ${t.language[item.lang] || item.lang} · ${item.municipality} · ${t.waiting(item.waiting_seconds)}`;
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = t.accept;
  button.dataset.conversation = item.conversation;
  button.setAttribute('aria-describedby', `q-${item.conversation}`);
  text.id = `q-${item.conversation}`;
  button.addEventListener('click', () => send({ type: 'accept', conversation: item.conversation }));
  li.append(text, ' ', button);
  return li;
}

function createChat(frame) {
  const element = $('chat-template').content.firstElementChild.cloneNode(true);
  const n = ++state.count;
  const id = `chat-${n}`;
  element.setAttribute('aria-labelledby', `${id}-title`);
  const title = element.querySelector('.chat-title');
  title.id = `${id}-title`;
  title.textContent = t.chat_title(n);
  title.tabIndex = -1;
  element.querySelector('.chat-meta').textContent =
    `${topicText(frame.topic)} · ${t.language[frame.lang] || frame.lang} · ${frame.municipality}`;
  const transcript = element.querySelector('.transcript');
  if (frame.consent && frame.transcript.length) {
    for (const item of frame.transcript) {
      const li = document.createElement('li');
      const who = document.createElement('strong');
      who.textContent = `${item.role === 'assistant' ? t.assistant : t.resident}: `;
      li.append(who, item.text);
      transcript.append(li);
    }
    element.querySelector('.chat-transcript').open = true;
  } else {
    element.querySelector('.chat-transcript').replaceWith(Object.assign(document.createElement('p'), { textContent: t.consent_no }));
  }
  const log = element.querySelector('.messages');
  log.setAttribute('aria-label', t.chat_title(n));
  const textarea = element.querySelector('textarea');
  textarea.id = `${id}-message`;
  element.querySelector('label').htmlFor = textarea.id;
  const error = element.querySelector('.error');
  error.id = `${id}-error`;
  textarea.setAttribute('aria-describedby', error.id);
  const chat = { element, log, typing: element.querySelector('.typing'), seen: new Set(), typingTimer: null };
  let lastTyping = 0;
  textarea.addEventListener('input', () => {
    error.textContent = '';
    if (Date.now() - lastTyping > 2000) {
      lastTyping = Date.now();
      send({ type: 'typing', conversation: frame.conversation });
    }
  });
  textarea.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter makes a new line.
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      element.querySelector('form').requestSubmit();
    }
  });
  element.querySelector('form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      error.textContent = t.errors.empty_message;
      textarea.focus();
      return;
    }
    send({ type: 'message', conversation: frame.conversation, text });
    addMessage(chat, 'agent', text);
    textarea.value = '';
    textarea.focus();
  });
  element.querySelector('.release').addEventListener('click', () => send({ type: 'release', conversation: frame.conversation }));
  element.querySelector('.end').addEventListener('click', () => send({ type: 'end', conversation: frame.conversation }));
  $('chats').append(element);
  title.focus();
  return chat;
}

function addMessage(chat, from, text) {
  const p = document.createElement('p');
  p.className = `message from-${from}`;
  const who = document.createElement('strong');
  who.textContent = `${from === 'agent' ? t.you : t.resident}: `;
  p.append(who, text);
  chat.log.append(p);
  chat.log.scrollTop = chat.log.scrollHeight;
}

// ---- start ---------------------------------------------------------------------------------

translatePage();
$('language').addEventListener('click', () => {
  lang = lang === 'nl' ? 'en' : 'nl';
  t = TEXT[lang];
  translatePage();
});
$('signin-form').addEventListener('submit', signIn);
$('logout').addEventListener('click', signOut);
api('GET', '/v1/agent/session').then(({ ok, data }) => {
  if (ok) enterConsole(data);
  else $('username').focus();
});
