// The widget's conversation controller (widget/src/conversation.js) without a browser: a fake session with the
// core's Session API (docs/core-api.md; the controller awaits every call, as it does the engine's RemoteSession), a fake `fetch` for the server, a fake sessionStorage, and a view that
// records what it is told. The real core and the real panel are tested in tests/browser/.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Conversation } from '../../widget/src/conversation.js';
import { availability } from '../../widget/src/handover.js';
import { LiveLookUp } from '../../widget/src/live.js';
import { Privacy } from '../../widget/src/privacy.js';
import { Samples } from '../../widget/src/samples.js';
import { beforeCore } from '../../widget/src/strings.js';

const response = (text, extra = {}) => ({ lang: 'nl', text, quick_replies: [], links: [], events: [], ...extra });

// The core's Session API, scripted: `answers` maps a typed text to a response (or an Error to throw).
class FakeSession {
  constructor(answers = {}) {
    this.answers = answers;
    this.calls = [];
    this.lang = 'nl';
    this.awaiting = 'none';
    this.noted = [];
    this.product = null;
  }

  welcome() {
    return response('Hallo! Ik ben Gem.', { quick_replies: [
      { id: 'product:paspoort', label: 'Paspoort', kind: 'dialogue' },
      { id: 'handover', label: 'Chat met een medewerker', kind: 'action' }] });
  }

  // An answer with `waitsForModel` is one the compact tier was not sure of: `onWait` is called, then the
  // full model answers (true) or turns out not to have loaded (an Error).
  async send(text, { onWait } = {}) {
    this.calls.push(['send', text]);
    const answer = this.answers[text];
    if (answer instanceof Error) throw answer;
    const { meaning, waitsForModel, ...shown } = answer ?? response(`Antwoord op ${text}`);
    if (waitsForModel) onWait?.();
    if (waitsForModel instanceof Error) throw waitsForModel;
    return { ...shown, meaning: { lang: 'nl', ...meaning } };
  }

  choose(id) {
    this.calls.push(['choose', id]);
    const answer = this.answers[id];
    if (answer instanceof Error) throw answer;
    this.product = 'paspoort';
    return answer ?? response(`Gekozen: ${id}`);
  }

  live(kind, result) {
    this.calls.push(['live', kind, result]);
    return result.error ? response(`Opzoeken mislukt: ${result.error.kind} ${result.error.field}`, { plain: true })
      : response(`Gevonden voor ${kind}`, { plain: true, items: ['maandag: 09:00–17:00'] });
  }

  handover(event) {
    this.calls.push(['handover', event]);
    if (event.type === 'consent') {
      return response('Er is een medewerker vrij. Mag de medewerker het gesprek lezen?', { plain: true, quick_replies_label: 'Mag het?',
        quick_replies: [{ id: 'handover:consent_yes', label: 'Ja', kind: 'action' }, { id: 'handover:consent_no', label: 'Nee', kind: 'action' }] });
    }
    return response(`Overdracht: ${event.type}${event.reason ? ` ${event.reason}` : ''}`, { plain: true });
  }

  privacyNote(redaction, context) {
    this.calls.push(['privacyNote', redaction, context]);
    const kinds = Object.keys(redaction.counts).filter((k) => !this.noted.includes(k));
    if (!kinds.length) return null;
    this.noted.push(...kinds);
    return response(`Deel geen ${kinds.join(', ')}.${context.toAgent ? ' De medewerker ziet het niet.' : ''}`);
  }

  say(key) {
    return response(`[${key}]`);
  }

  sampleOffer(understood) {
    this.calls.push(['sampleOffer', understood]);
    return response('Wil je deze vraag delen?', { items: [`Gem begreep: ${understood.product ?? 'niets'}.`] });
  }

  ui() {
    return { feedback: 'Had je hier iets aan?', bot: 'Gem:', notice: 'Melding:', choices: 'Keuzes', nps: 'Aanraden?', nps_scale: '0–10', nps_thanks: 'Bedankt voor een {score}.' };
  }

  setLanguage(lang) {
    this.lang = lang;
  }

  state() {
    return { lang: this.lang, tone: 'je', awaiting: this.awaiting, handover: 'none', topic: { product: this.product, aspect: null } };
  }

  save() {
    return JSON.stringify({ lang: this.lang, product: this.product, noted: this.noted });
  }

  restore(saved) {
    const state = JSON.parse(saved);
    if (state.product === 'verdwenen') return { restored: false, error: "unknown product 'verdwenen'" };
    Object.assign(this, { lang: state.lang, product: state.product, noted: state.noted });
    return { restored: true };
  }

  reset() {
    this.product = null;
    this.noted = [];
  }
}

// A fetch that answers from `routes` (path → [status, body]) and records every URL and request.
function fakeFetch(routes = {}) {
  const urls = [];
  const requests = [];
  const fetchImpl = async (url, options) => {
    urls.push(url);
    requests.push({ url, ...options });
    assert.equal(options.credentials, 'omit');
    const { pathname } = new URL(url);
    const [status, body] = routes[pathname] ?? [404, { error: 'not_found' }];
    return { ok: status < 300, status, json: async () => body };
  };
  return { fetchImpl, urls, requests };
}

// Redaction that replaces digits runs of 9 by [BSN], counting calls.
function fakeRedact() {
  const redact = (text) => {
    redact.calls += 1;
    const count = (text.match(/\d{9}/g) ?? []).length;
    return { text: text.replace(/\d{9}/g, '[BSN]'), counts: count ? { bsn: count } : {} };
  };
  redact.calls = 0;
  return redact;
}

// A view that records what the controller tells it.
function recordingView() {
  const view = { shown: [], updated: [], statuses: [], announced: [], offers: [], loadFailures: 0,
    get offered() { return this.offers.at(-1) ?? null; } };
  return Object.assign(view, {
    show: (message) => view.shown.push(message),
    update: (message) => view.updated.push(message),
    clear: () => view.shown.splice(0),
    choices: (choices) => view.offers.push(choices),
    status: (text) => view.statuses.push(text),
    announce: (text) => view.announced.push(text),
    relabel: () => {},
    loadFailed: () => { view.loadFailures += 1; },
  });
}

function storage() {
  const map = new Map();
  return { map, get: (k) => map.get(k) ?? null, set: (k, v) => map.set(k, v), remove: (k) => map.delete(k) };
}

const quiet = { error: () => {}, warn: () => {} };

// A controller on a fake session; `handover` is an optional fake socket factory.
function setup({ answers, session = new FakeSession(answers), routes, server = 'https://gem.example.nl',
  handover = null, store = storage(), samples = true } = {}) {
  const ui = recordingView();
  const fetch = fakeFetch(routes);
  const redact = fakeRedact();
  const conversation = new Conversation({
    engine: { load: async () => session },
    storage: store, storageKey: 'gem:conversation:GM0599', municipality: 'GM0599', lang: 'nl', ui, log: quiet,
    effects: {
      live: new LiveLookUp({ server, municipality: 'GM0599', fetchImpl: fetch.fetchImpl }),
      availability: () => availability({ server, municipality: 'GM0599', fetchImpl: fetch.fetchImpl }),
      handover,
      privacy: new Privacy(redact),
      samples: samples ? new Samples({ server, municipality: 'GM0599', fetchImpl: fetch.fetchImpl, redact }) : null,
    },
  });
  return { conversation, session, ui, fetch, redact, store };
}

const texts = (ui, role) => ui.shown.filter((m) => !role || m.role === role).map((m) => m.text);

test('opening welcomes; a dialogue quick reply goes back to the core, with the label as the resident\'s message', async () => {
  const { conversation, session, ui } = setup();
  await conversation.open();
  assert.deepEqual(texts(ui), ['Hallo! Ik ben Gem.']);
  assert.deepEqual(ui.offered.replies.map((r) => r.id), ['product:paspoort', 'handover']);
  await conversation.press(ui.offered.replies[0]);
  assert.deepEqual(session.calls, [['choose', 'product:paspoort']]);
  assert.deepEqual(texts(ui), ['Hallo! Ik ben Gem.', 'Paspoort', 'Gekozen: product:paspoort']);
  assert.equal(ui.shown[1].role, 'user');
});

test('a question typed while Gem loads comes after the welcome, which then offers no topics: the answer\'s buttons would replace them at once', async () => {
  const answer = response('Een paspoort kost € 88,65.', { quick_replies: [{ id: 'aspect:afspraak', label: 'Afspraak', kind: 'dialogue' }] });
  const { conversation, ui } = setup({ answers: { 'wat kost een paspoort?': answer } });
  conversation.open();
  conversation.submit('wat kost een paspoort?');
  await conversation.queue;
  assert.deepEqual(conversation.messages.map((m) => m.text), ['Hallo! Ik ben Gem.', 'wat kost een paspoort?', 'Een paspoort kost € 88,65.']);
  assert.deepEqual(ui.offers.map((choices) => choices?.replies.map((r) => r.id) ?? null), [null, ['aspect:afspraak']]);
  assert.equal(ui.announced.some((text) => /Paspoort/.test(text)), false, ui.announced.join('|'));
});

test('an action quick reply is performed by the widget: availability from the server, the consent question from the core', async () => {
  const { conversation, session, ui, fetch } = setup({ routes: {
    '/v1/handover/GM0599/availability': [200, { open: true, agents_available: 1, queue_length: 2, eta_seconds: 240, alternatives: {} }],
  } });
  await conversation.open();
  await conversation.press(ui.offered.replies[1]);
  assert.deepEqual(fetch.urls, ['https://gem.example.nl/v1/handover/GM0599/availability']);
  assert.ok(!session.calls.some(([call]) => call === 'choose'), 'an action is not sent to choose');
  assert.deepEqual(session.calls.at(-1), ['handover', { type: 'consent', queue_length: 2, eta_seconds: 240 }]);
  assert.deepEqual(ui.offered.replies.map((r) => [r.id, r.kind]), [['handover:consent_yes', 'action'], ['handover:consent_no', 'action']]);
  assert.equal(ui.shown.at(-1).role, 'live');
});

test('a failed button press is said in text, as an error inside Gem (not swallowed)', async () => {
  const { conversation, ui } = setup({ answers: { 'product:paspoort': new Error("choose: unknown button 'product:paspoort'") } });
  await conversation.open();
  await conversation.press(ui.offered.replies[0]);
  const note = ui.shown.at(-1);
  assert.equal(note.role, 'note');
  assert.equal(note.text, beforeCore('nl').error_internal);
  assert.ok(ui.announced.at(-1).includes(beforeCore('nl').error_internal));
  // The queue goes on: the next press works.
  await conversation.press({ id: 'aspect:kosten', label: 'Kosten', kind: 'dialogue' });
  assert.equal(ui.shown.at(-1).text, 'Gekozen: aspect:kosten');
});

test('an unknown action is an error said in text', async () => {
  const { conversation, ui } = setup();
  await conversation.open();
  await conversation.press({ id: 'handover:teleport', label: 'Beam me up', kind: 'action' });
  assert.equal(ui.shown.at(-1).text, beforeCore('nl').error_internal);
});

test('a typed message is drawn again only when the answer changes what it shows: its language, or a failed mark', async () => {
  const { conversation, ui } = setup({ answers: {
    'how much is a passport?': { ...response('A passport costs …', { lang: 'en' }), meaning: { lang: 'en' } },
    'wat kost het?': new Error('respond: malformed state'),
  } });
  await conversation.open();
  const dutch = conversation.submit('wat kost een paspoort?');
  await conversation.queue;
  assert.deepEqual(ui.updated, [], 'a Dutch question answered in Dutch is left as it was drawn');
  const english = conversation.submit('how much is a passport?');
  await conversation.queue;
  assert.deepEqual(ui.updated.map((m) => [m.text, m.lang]), [['how much is a passport?', 'en']]);
  const failing = conversation.submit('wat kost het?');
  await conversation.queue;
  assert.equal(ui.updated.at(-1), failing);
  assert.equal(failing.failed, true);
  assert.equal(dutch.lang, 'nl');
  assert.equal(english.lang, 'en');
});

test('a dialogue error while answering is an error inside Gem, not a network problem; the message can be sent again', async () => {
  const { conversation, ui } = setup({ answers: { 'wat kost het?': new Error('respond: malformed state') } });
  await conversation.open();
  const message = conversation.submit('wat kost het?');
  await conversation.queue;
  assert.equal(message.failed, true);
  assert.equal(ui.shown.at(-1).text, beforeCore('nl').error_internal);
  assert.ok(!ui.statuses.includes(beforeCore('nl').load_failed), ui.statuses.join('|'));
});

test('understanding that could not be loaded is a network problem: said in the status line, the message marked not sent', async () => {
  const failed = Object.assign(new Error('the understanding did not load: Failed to fetch'), { loadFailed: true });
  const { conversation, ui } = setup({ answers: { 'wat kost een paspoort?': failed } });
  await conversation.open();
  const message = conversation.submit('wat kost een paspoort?');
  await conversation.queue;
  assert.equal(message.failed, true);
  assert.equal(ui.statuses.at(-1), beforeCore('nl').load_failed);
  assert.deepEqual(texts(ui, 'note'), [], 'no "error inside Gem" note');
});

test('a message the compact tier is not sure of waits for the full model with an announced status, then is answered', async () => {
  const { conversation, ui } = setup({ answers: { 'mijn kat is zoek': { waitsForModel: true, ...response('Over dieren') } } });
  await conversation.open();
  conversation.submit('mijn kat is zoek');
  await conversation.queue;
  assert.ok(ui.statuses.includes(conversation.t('waiting')), ui.statuses.join('|'));
  assert.equal(ui.statuses.at(-1), '');
  assert.equal(texts(ui).at(-1), 'Over dieren');
});

test('a full model that did not load while a message waited for it: a network problem, the message can be sent again', async () => {
  const failed = Object.assign(new Error('the model did not load: Failed to fetch'), { loadFailed: true });
  const { conversation, ui } = setup({ answers: { 'mijn kat is zoek': { waitsForModel: failed, ...response('—') } } });
  await conversation.open();
  const message = conversation.submit('mijn kat is zoek');
  await conversation.queue;
  assert.equal(message.failed, true);
  assert.equal(ui.statuses.at(-1), beforeCore('nl').load_failed);
  assert.deepEqual(texts(ui, 'note'), [], 'no "error inside Gem" note');
});

test('a core that could not be loaded: status and retry button; opening again retries', async () => {
  let attempts = 0;
  const session = new FakeSession();
  const ui = recordingView();
  const conversation = new Conversation({
    engine: { load: async () => { attempts += 1; if (attempts === 1) throw new TypeError('Failed to fetch'); return session; } },
    storage: storage(), storageKey: 'k', lang: 'nl', ui, log: quiet,
    effects: { live: null, availability: null, privacy: new Privacy(fakeRedact()) },
  });
  await conversation.open();
  assert.equal(ui.loadFailures, 1);
  assert.equal(ui.statuses.at(-1), beforeCore('nl').load_failed);
  await conversation.open();
  assert.deepEqual(texts(ui), ['Hallo! Ik ben Gem.']);
});

test('a live_request: exactly the core\'s params go to the server; the core words the data, or the error as a note', async () => {
  const live = (kind, params) => response('Even kijken.', { events: [{ type: 'live_request', kind, params }] });
  const { conversation, session, ui, fetch } = setup({
    answers: {
      afval: live('waste_collection', { municipality: 'GM0599', product: 'afval', postcode: '3011 AB', house_number: '12' }),
      status: live('application_status', { municipality: 'GM0599', product: 'paspoort', reference: 'Z-2026-9999', postcode: '3011 AB', house_number: '12' }),
      lang: live('application_status', { municipality: 'GM0599', product: 'paspoort', reference: 'Z-2026-000000000000000000000000000042', postcode: '3011 AB', house_number: '12' }),
    },
    routes: { '/v1/live/GM0599/waste': [200, { collections: [] }] },
  });
  await conversation.open();
  conversation.submit('afval');
  await conversation.queue;
  assert.deepEqual(fetch.urls, ['https://gem.example.nl/v1/live/GM0599/waste?postcode=3011+AB&house_number=12']);
  assert.deepEqual(session.calls.find(([c]) => c === 'live'), ['live', 'waste_collection', { data: { collections: [] } }]);
  assert.deepEqual([ui.shown.at(-1).role, ui.shown.at(-1).text], ['live', 'Gevonden voor waste_collection']);

  conversation.submit('status');
  await conversation.queue;
  assert.equal(fetch.urls[1], 'https://gem.example.nl/v1/live/GM0599/status?reference=Z-2026-9999&postcode=3011+AB&house_number=12&product=paspoort');
  assert.deepEqual([ui.shown.at(-1).role, ui.shown.at(-1).text], ['note', 'Opzoeken mislukt: not_found ']);

  // A reference the protocol does not allow is not sent at all.
  conversation.submit('lang');
  await conversation.queue;
  assert.equal(fetch.urls.length, 2);
  assert.equal(ui.shown.at(-1).text, 'Opzoeken mislukt: invalid reference');
});

test('without a server a look-up is not_connected and nothing is fetched', async () => {
  const { conversation, ui, fetch } = setup({ server: '', answers: {
    open: response('De openingstijden:', { events: [{ type: 'live_request', kind: 'opening_hours', params: { municipality: 'GM0599' } }] }) } });
  await conversation.open();
  conversation.submit('open');
  await conversation.queue;
  assert.deepEqual(fetch.urls, []);
  assert.equal(ui.shown.at(-1).text, 'Opzoeken mislukt: not_connected ');
});

test('privacy: each message is redacted once, and the core says the note (address expected after it asked for one)', async () => {
  const { conversation, session, ui, redact } = setup();
  await conversation.open();
  session.awaiting = 'address';
  conversation.submit('mijn bsn is 111222333');
  await conversation.queue;
  assert.equal(redact.calls, 1);
  const [, redaction, context] = session.calls.find(([c]) => c === 'privacyNote');
  assert.deepEqual([redaction.text, context], ['mijn bsn is [BSN]', { toAgent: false, addressExpected: true }]);
  assert.deepEqual(texts(ui, 'note'), ['Deel geen bsn.']);
  // The transcript for a staff member reuses the redaction: no second call for the same message.
  const items = await conversation.privacy.transcript(conversation.messages, { type: 'start', municipality: 'GM0599' });
  assert.ok(items.some((i) => i.role === 'resident' && i.text === 'mijn bsn is [BSN]'), JSON.stringify(items));
  assert.equal(items.some((i) => /111222333/.test(i.text)), false);
  const userMessages = conversation.messages.filter((m) => m.role === 'user').length;
  const assistantMessages = conversation.messages.filter((m) => ['bot', 'live'].includes(m.role)).length;
  assert.equal(redact.calls, userMessages + assistantMessages);
});

test('privacy: an address is expected while the status look-up asks for it, and when a look-up used it', async () => {
  const status = response('', { events: [{ type: 'live_request', kind: 'application_status',
    params: { municipality: 'GM0599', product: 'paspoort', reference: 'Z-2026-0042', postcode: '3011 AB', house_number: '12' } }] });
  const { conversation, session } = setup({ answers: { 'Z-2026-0042 3011 AB 12': status } });
  await conversation.open();
  const expected = () => session.calls.filter(([c]) => c === 'privacyNote').at(-1)[2].addressExpected;
  for (const [awaiting, text, address] of [['none', 'wat kost een paspoort', false], ['reference', 'Z-2026-0042', true],
    ['status_address', '3011 AB 12', true], ['none', 'Z-2026-0042 3011 AB 12', true]]) {
    session.awaiting = awaiting;
    conversation.submit(text);
    await conversation.queue;
    assert.equal(expected(), address, `${awaiting}: ${text}`);
  }
});

test('during a handover the resident\'s message goes to the staff member redacted, and the assistant stays silent', async () => {
  const sent = [];
  const sockets = [];
  const handover = (events) => {
    const socket = { events, connected: true, active: true, state: 'agent', send: (text) => sent.push(text), snapshot: () => null,
      start: () => {}, close: () => {} };
    sockets.push(socket);
    return socket;
  };
  const { conversation, session, ui, redact } = setup({ handover });
  await conversation.open();
  conversation.submit('mijn bsn is 111222333');
  await conversation.queue;
  assert.deepEqual(sent, ['mijn bsn is [BSN]']);
  assert.equal(redact.calls, 1);
  assert.ok(!session.calls.some(([c]) => c === 'send'));
  assert.deepEqual(texts(ui, 'note'), ['Deel geen bsn. De medewerker ziet het niet.']);
  // The socket's steps are worded by the core.
  await sockets[0].events.joined('Sanne');
  await sockets[0].events.ended('agent_ended');
  assert.deepEqual(session.calls.filter(([c]) => c === 'handover').map(([, e]) => e),
    [{ type: 'agent_joined', name: 'Sanne' }, { type: 'ended', reason: 'agent_ended' }]);
  assert.deepEqual(texts(ui, 'note').slice(-2), ['Overdracht: agent_joined', 'Overdracht: ended agent_ended']);
});

test('save and restore: messages, choices and feedback come back; a state the core refuses starts afresh', async () => {
  const store = storage();
  const first = setup({ store });
  await first.conversation.open();
  await first.conversation.press(first.ui.offered.replies[0]);
  assert.equal(store.map.get('gem:conversation:GM0599'), undefined, 'written once per turn, in a task of its own');
  first.conversation.flush();  // the task, or the panel when the page is left
  assert.ok(store.map.get('gem:conversation:GM0599'));

  const second = setup({ store });
  await second.conversation.open();
  assert.deepEqual(texts(second.ui), ['Hallo! Ik ben Gem.', 'Paspoort', 'Gekozen: product:paspoort']);
  assert.equal(second.session.product, 'paspoort');

  // The saved state names a product the content no longer has: the core refuses it, the conversation starts afresh.
  const saved = JSON.parse(store.map.get('gem:conversation:GM0599'));
  saved.state = JSON.stringify({ lang: 'nl', product: 'verdwenen', noted: [] });
  store.map.set('gem:conversation:GM0599', JSON.stringify(saved));
  const third = setup({ store });
  await third.conversation.open();
  third.conversation.flush();
  assert.deepEqual(texts(third.ui), ['Hallo! Ik ben Gem.']);
  assert.doesNotMatch(store.map.get('gem:conversation:GM0599'), /verdwenen/);
});

test('NPS: offered once when the core asks, the score counted once and its thanks filled in', async () => {
  const tracked = [];
  const { conversation, ui } = setup({ answers: { doei: response('Tot ziens!', { events: [{ type: 'feedback_request', kind: 'nps' }] }) } });
  conversation.analytics = { track: (type, fields) => tracked.push([type, fields]), flush: () => {} };
  await conversation.open();
  conversation.submit('doei');
  await conversation.queue;
  conversation.submit('doei');
  await conversation.queue;
  const nps = ui.shown.filter((m) => m.role === 'nps');
  assert.equal(nps.length, 1);
  conversation.score(nps[0], 8);
  conversation.score(nps[0], 9);
  assert.deepEqual(tracked.filter(([t]) => t === 'nps'), [['nps', { score: 8 }]]);
  assert.equal(ui.announced.at(-1), 'Bedankt voor een 9.');
});

test('a core that loads but fails on its first call: said as an error inside Gem, not left silent', async () => {
  const session = new FakeSession();
  session.ui = () => { throw new Error('ui: malformed pack'); };
  const { conversation, ui } = setup({ session });
  await conversation.open();
  assert.deepEqual(texts(ui), [beforeCore('nl').error_internal]);
});

// ---- sharing one question (samples.js): only on the resident's press, only the redacted question and labels ----

const SAMPLE_ROUTES = { '/v1/samples': [204, null] };
const unsure = (text) => response(text, { intent: 'buiten_bereik', not_understood: true,
  meaning: { intent: 'product_vraag', product: 'paspoort', aspect: 'kosten', low_confidence: true } });
const sampleRequests = (fetch) => fetch.requests.filter((r) => new URL(r.url).pathname === '/v1/samples');

test('not understood: the offer shows the redacted question and what Gem understood; nothing is sent without a press', async () => {
  const { conversation, session, ui, fetch } = setup({ routes: SAMPLE_ROUTES,
    answers: { 'mijn bsn 123456789 werkt niet': unsure('Dat begreep ik niet.'), 'wat kost een paspoort': response('€ 84,70.') } });
  await conversation.open();
  conversation.submit('mijn bsn 123456789 werkt niet');
  await conversation.queue;
  const offer = ui.shown.find((m) => m.role === 'sample');
  assert.equal(offer.state, 'offered');
  assert.equal(offer.draft.text, 'mijn bsn [BSN] werkt niet');
  assert.deepEqual(offer.draft.understood, { intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' });
  assert.deepEqual(session.calls.find(([call]) => call === 'sampleOffer'),
    ['sampleOffer', { reason: 'not_understood', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' }]);
  assert.equal(offer.understood, 'Gem begreep: paspoort.');
  assert.ok(ui.announced.some((text) => /Wil je deze vraag delen\? .*mijn bsn \[BSN\] werkt niet/.test(text)));
  // An understood question gets no offer; the conversation goes on and still nothing is sent.
  conversation.submit('wat kost een paspoort');
  await conversation.queue;
  assert.equal(ui.shown.filter((m) => m.role === 'sample').length, 1);
  assert.deepEqual(sampleRequests(fetch), []);
  // Declining sends nothing, and a declined offer cannot be shared afterwards.
  conversation.declineSample(offer);
  await conversation.shareSample(offer);
  assert.equal(offer.state, 'declined');
  assert.deepEqual(sampleRequests(fetch), []);
});

test('an unsure reading counts as not understood only when the dialogue did not answer it', async () => {
  const tracked = [];
  const unsureMeaning = { intent: 'bedankt', product: null, aspect: null, low_confidence: true };
  const { conversation, ui } = setup({ routes: SAMPLE_ROUTES, answers: {
    // Answered although the model was unsure (the dialogue's own threshold is lower): no offer, no "not understood".
    'dank je wel': response('Graag gedaan!', { intent: 'bedankt', meaning: unsureMeaning }),
    // Asked "did you mean …?": not understood.
    'pas weg': response('Bedoel je: paspoort of identiteitskaart?', { intent: 'product_vraag', awaiting: 'did_you_mean',
      meaning: { ...unsureMeaning, intent: 'product_vraag' } }),
  } });
  conversation.analytics = { track: (type) => tracked.push(type), flush: () => {} };
  await conversation.open();
  conversation.submit('dank je wel');
  await conversation.queue;
  assert.deepEqual(tracked.filter((t) => t === 'not_understood'), []);
  assert.equal(ui.shown.filter((m) => m.role === 'sample').length, 0);
  conversation.submit('pas weg');
  await conversation.queue;
  assert.deepEqual(tracked.filter((t) => t === 'not_understood'), ['not_understood']);
  assert.equal(ui.shown.filter((m) => m.role === 'sample').length, 1);
});

test('sharing sends exactly the redacted question and the labels, once per press, never the conversation', async () => {
  const { conversation, ui, fetch } = setup({ routes: SAMPLE_ROUTES,
    answers: { 'bel me op maandag over 123456789': unsure('Dat begreep ik niet.'), 'iets anders 987654321': unsure('Weer niet.') } });
  await conversation.open();
  conversation.submit('bel me op maandag over 123456789');
  await conversation.queue;
  conversation.submit('iets anders 987654321');
  await conversation.queue;
  const [first, second] = ui.shown.filter((m) => m.role === 'sample');
  await conversation.shareSample(first);
  await conversation.shareSample(first);  // a second press on a shared question sends nothing
  const sent = sampleRequests(fetch);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].method, 'POST');
  assert.equal(sent[0].credentials, 'omit');
  assert.deepEqual(JSON.parse(sent[0].body), { municipality: 'GM0599', lang: 'nl', text: 'bel me op maandag over [BSN]',
    reason: 'not_understood', understood: { intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' } });
  assert.doesNotMatch(sent[0].body, /123456789|iets anders|begreep/);
  assert.equal(first.state, 'sent');
  assert.equal(second.state, 'offered');
  assert.equal(ui.announced.at(-1), 'sample_sent');  // the fake core's ui() has no texts: the key itself
});

test('a thumbs-down offers to share the question behind that answer; thumbs up and answers to buttons do not', async () => {
  const answered = response('Een paspoort kost € 84,70.', { intent: 'product_vraag', events: [{ type: 'feedback_request' }],
    topic: { product: 'paspoort', aspect: 'kosten' } });
  const { conversation, session, ui, fetch } = setup({ routes: SAMPLE_ROUTES, answers: { 'prijs pas?': answered, 'aspect:kosten': answered } });
  await conversation.open();
  conversation.submit('prijs pas?');
  await conversation.queue;
  const answer = ui.shown.at(-1);
  conversation.rate(answer, 'up');
  assert.ok(!ui.shown.some((m) => m.role === 'sample'));
  conversation.rate(answer, 'down');
  conversation.rate(answer, 'down');
  await conversation.queue;
  const offers = ui.shown.filter((m) => m.role === 'sample');
  assert.equal(offers.length, 1);
  assert.deepEqual(session.calls.find(([call]) => call === 'sampleOffer')[1],
    { reason: 'thumbs_down', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' });
  await conversation.press({ id: 'aspect:kosten', label: 'Kosten', kind: 'dialogue' });
  conversation.rate(ui.shown.at(-1), 'down');
  await conversation.queue;
  assert.equal(ui.shown.filter((m) => m.role === 'sample').length, 1);
  await conversation.shareSample(offers[0]);
  assert.equal(JSON.parse(sampleRequests(fetch)[0].body).reason, 'thumbs_down');
  assert.equal(JSON.parse(sampleRequests(fetch)[0].body).text, 'prijs pas?');
});

test('without a Gem server nothing is offered; a refused share says so and can be tried again', async () => {
  const offline = setup({ server: '', answers: { 'huh 123456789': unsure('Dat begreep ik niet.') } });
  await offline.conversation.open();
  offline.conversation.submit('huh 123456789');
  await offline.conversation.queue;
  assert.ok(!offline.ui.shown.some((m) => m.role === 'sample'));
  assert.deepEqual(offline.fetch.urls, []);

  const refused = setup({ routes: { '/v1/samples': [429, { error: 'busy' }] }, answers: { huh: unsure('Dat begreep ik niet.') } });
  await refused.conversation.open();
  refused.conversation.submit('huh');
  await refused.conversation.queue;
  const offer = refused.ui.shown.find((m) => m.role === 'sample');
  await refused.conversation.shareSample(offer);
  assert.equal(offer.state, 'failed');
  await refused.conversation.shareSample(offer);
  assert.equal(sampleRequests(refused.fetch).length, 2);
});

test('an offer survives navigation; one that was being sent is offered again, not sent again', async () => {
  const store = storage();
  const first = setup({ store, routes: SAMPLE_ROUTES, answers: { huh: unsure('Dat begreep ik niet.') } });
  await first.conversation.open();
  first.conversation.submit('huh');
  await first.conversation.queue;
  const offer = first.ui.shown.find((m) => m.role === 'sample');
  offer.state = 'sending';
  first.conversation.save();
  first.conversation.flush();
  const second = setup({ store, routes: SAMPLE_ROUTES });
  await second.conversation.open();
  const restored = second.ui.shown.find((m) => m.role === 'sample');
  assert.equal(restored.state, 'offered');
  assert.equal(restored.draft.text, 'huh');
  assert.deepEqual(second.fetch.urls, []);
});

test('a draft fits the protocol: at most 500 characters and 2 KB, labels only when they look like labels', async () => {
  const samples = new Samples({ server: 'https://gem.example.nl', municipality: 'GM0599', fetchImpl: null, redact: fakeRedact() });
  const long = await samples.draft({ text: '🙂'.repeat(600), reason: 'not_understood', understood: { intent: 'x<script>', product: 'paspoort' }, lang: 'nl' });
  assert.ok(long.text.length <= 500);
  assert.ok(new TextEncoder().encode(JSON.stringify({ municipality: 'GM0599', ...long })).length <= 2048);
  assert.deepEqual(long.understood, { intent: 'buiten_bereik', product: 'paspoort', aspect: null });
  assert.equal(await samples.draft({ text: '  ', reason: 'not_understood' }), null);
  assert.equal(await samples.draft({ text: 'hoi', reason: 'automatic' }), null);
  assert.equal(await new Samples({ server: 'https://gem.example.nl', municipality: '', redact: fakeRedact() }).draft({ text: 'hoi', reason: 'thumbs_down' }), null);
});
