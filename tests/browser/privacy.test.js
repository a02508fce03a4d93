// The data-flow statement (docs/privacy/data-flow.json), verified: the real gem-server serves the demo
// page, headless Chromium drives the real widget through conversations full of personal data, and every
// request, query field, body field and WebSocket frame the page sends is checked against the statement.
// Typed text may leave the browser only in a consented handover, and then only redacted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { OPEN_ALL_WEEK, ROOT, serverBinary, startGemServer } from '../lib/gem-server.js';
import { launch } from './chromium.js';
import { connectAgent } from './privacy-agent.js';
import { DataFlow, leaks, loadDataFlow } from './privacy-flow.js';

const WAIT = { timeout: 30000 };
const FLOW = loadDataFlow();

// Personal data a resident might type. The BSN and IBAN pass their checks (11-check, mod-97), so a
// redactor that recognises only valid numbers must still catch them.
const PII = {
  name: 'Jan de Vries',
  bsn: '123456782',
  phone: '06-12345678',
  phoneIntl: '+31 6 87654321',
  email: 'j.devries@example.nl',
  iban: 'NL91ABNA0417164300',
  birthDate: '12-03-1985',
  street: 'Coolsingel 127',
  postcode: '3012 CL',
};
const HEALTH = ['diabetes', 'rolstoel'];
const REFERENCE = 'Z-2026-0042';
// The address the sample application Z-2026-0042 was made for (server/data/live-data.json): its second factor.
const STATUS_ADDRESS = { postcode: '3011 AB', house_number: '12' };

// The host page's own files (not Gem's): the demo document and its stylesheet, script and icon.
const HOST_PAGE_FILES = ['/', '/demo.css', '/demo.js', '/favicon.svg'];

// A KCC agent of Rotterdam, created with the server's own account command.
const AGENT = { username: 'privacy-agent', password: 'privacy-test-password' };

let dataDir;
let server;
let browser;
let origin;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gem-privacy-'));
  const added = spawnSync(serverBinary(), ['--config', join(ROOT, 'server/config/gem-server.json'), 'add-account', AGENT.username,
    '--role', 'agent', '--municipality', 'GM0599', '--display-name', 'Sanne'],
  { env: { ...process.env, GEM_DATA_DIR: dataDir, GEM_ACCOUNT_PASSWORD: AGENT.password }, encoding: 'utf8' });
  assert.equal(added.status, 0, `add-account: ${added.stderr}`);
  // The sample live data, with Rotterdam's desk open around the clock and no holidays, so a staff member
  // can be reached whenever the test runs (handover availability follows the opening hours).
  const seed = JSON.parse(readFileSync(join(ROOT, 'server/data/live-data.json'), 'utf8'));
  seed.holidays = [];
  Object.assign(seed.municipalities.GM0599, { exceptions: [],
    weekly_hours: OPEN_ALL_WEEK });
  const seedFile = join(dataDir, 'live-seed.json');
  writeFileSync(seedFile, JSON.stringify(seed));
  server = await startGemServer({ dataDir, config: { live_seed: seedFile } });
  origin = server.url;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// A fresh context and the demo page, with everything the page sends recorded from the first byte.
// Served by gem-server, the demo page's script tag gets data-server and data-analytics="on" (demo.js);
// without `analytics` the test takes the attribute away again before gem.js runs, as a web team that
// does not switch analytics on would have it.
async function openDemo({ analytics = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const traffic = { requests: [], sockets: [], problems: [] };
  page.on('request', (request) => {
    const entry = { method: request.method(), url: request.url(), postData: request.postData(), headers: null };
    traffic.requests.push(entry);
    request.allHeaders().then((headers) => { entry.headers = headers; }, () => {});
  });
  page.on('websocket', (ws) => {
    const socket = { url: ws.url(), sent: [] };
    traffic.sockets.push(socket);
    ws.on('framesent', (frame) => socket.sent.push(String(frame.payload)));
  });
  page.on('pageerror', (error) => traffic.problems.push(error.message));
  if (!analytics) {
    await page.addInitScript(() => {
      // Mutation records are delivered between two deferred scripts: after demo.js, before gem.js.
      const watch = new MutationObserver(() => document.querySelector('script[data-analytics]')?.removeAttribute('data-analytics'));
      watch.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-analytics'] });
    });
  }
  await page.goto(`${origin}/`);
  await launcher(page).waitFor();
  const tag = await page.evaluate(() => {
    const script = document.querySelector('script[src*="gem.js"]');
    return { base: new URL('.', script.src).href, server: script.dataset.server, analytics: script.dataset.analytics ?? null };
  });
  assert.equal(tag.server, origin, 'the demo page points the widget at this gem-server');
  assert.equal(tag.analytics, analytics ? 'on' : null);
  return { context, page, traffic, analytics, flow: new DataFlow(FLOW, { base: tag.base, server: tag.server }) };
}

const launcher = (page) => page.locator('gem-assistant').locator('button.launcher');
const panel = (page) => page.getByRole('dialog', { name: /Gem, digit/ });
const botMessages = (page) => panel(page).locator('.message--bot');
const notes = (page) => panel(page).locator('.message--note');

async function openWidget(page) {
  await launcher(page).click();
  await botMessages(page).first().waitFor(WAIT);
}

// Types a message the way a resident does.
async function send(page, text) {
  await panel(page).locator('textarea').fill(text);
  await panel(page).locator('textarea').press('Enter');
}

// Types a message and waits for the assistant's answer to it.
async function say(page, text) {
  const before = await botMessages(page).count();
  await send(page, text);
  await botMessages(page).nth(before).waitFor(WAIT);
}

// Everything the browser holds for this page: storage keys, cookies, IndexedDB databases, Cache Storage.
async function browserState({ context, page }) {
  const inPage = await page.evaluate(async () => ({
    sessionStorage: Object.keys(sessionStorage),
    localStorage: Object.keys(localStorage),
    documentCookie: document.cookie,
    indexedDB: (await indexedDB.databases()).map((db) => db.name),
    caches: await caches.keys(),
  }));
  return { ...inPage, cookies: (await context.cookies()).map((c) => `${c.domain} ${c.name}`) };
}

function assertNothingStored(state, when) {
  assert.deepEqual(state, { sessionStorage: [], localStorage: [], documentCookie: '', indexedDB: [], caches: [], cookies: [] },
    `browser storage ${when}`);
}

const isHostPageFile = (url) => url.startsWith(origin) && HOST_PAGE_FILES.includes(new URL(url).pathname);
// blob: URLs are the browser's own memory (the model's worker script), listed under in_browser, not requests.
const inBrowser = (url) => url.startsWith('blob:');
const gemRequests = (traffic) => traffic.requests.filter((r) => !isHostPageFile(r.url) && !inBrowser(r.url));

// Checks everything recorded against the statement. `allowed` maps a request id to the personal data
// that request may carry by design (e.g. live-waste: the postcode). `consented`: the resident agreed to a
// handover with the conversation, or pressed "share" under one question. Returns the matched requests.
function verifyTraffic({ traffic, flow, analytics }, { secrets, allowed = {}, consented = false }) {
  const problems = [];
  const matched = [];
  for (const request of traffic.requests.filter((r) => inBrowser(r.url))) problems.push(...flow.checkInBrowser(request.url));
  for (const request of gemRequests(traffic)) {
    if (!request.url.startsWith(`${origin}/`)) problems.push(`third-party or other-origin request: ${request.url}`);
    const { entry, problems: found, typedText, rest } = flow.checkRequest(request);
    problems.push(...found);
    if (!entry) continue;
    matched.push({ ...request, id: entry.id });
    if (entry.id === 'analytics-events' && !analytics) problems.push(`analytics sent without data-analytics="on": ${request.postData}`);
    if (request.headers?.cookie) problems.push(`${entry.id}: sent a cookie: ${request.headers.cookie}`);
    const headerValues = Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n');
    const wire = `${decodeURIComponent(request.url)}\n${rest}\n${headerValues}`;
    const leaked = leaks(wire, secrets.filter((s) => !(allowed[entry.id] ?? []).includes(s)));
    if (leaked.length) problems.push(`${entry.id}: carries typed text ${JSON.stringify(leaked)}: ${request.method} ${request.url} ${request.postData ?? ''}`);
    // A body field that may hold typed text (a shared question): only after consent, and redacted.
    if (typedText.length && !consented) problems.push(`${entry.id}: typed text without the resident's consent: ${request.postData}`);
    const unredacted = leaks(typedText.join('\n'), Object.values(PII));
    if (unredacted.length) problems.push(`${entry.id}: body text not redacted ${JSON.stringify(unredacted)}: ${request.postData}`);
  }
  for (const socket of traffic.sockets) {
    if (!socket.url.replace(/^ws/, 'http').startsWith(`${origin}/`)) problems.push(`WebSocket to another origin: ${socket.url}`);
    const entry = flow.match('WEBSOCKET', socket.url);
    if (!entry) {
      problems.push(`WebSocket ${socket.url}: not in data-flow.json`);
      continue;
    }
    for (const payload of socket.sent) {
      const { frame, problems: found, typedText, rest } = flow.checkFrame(entry, payload);
      problems.push(...found);
      const leaked = leaks(rest, secrets);
      if (leaked.length) problems.push(`${entry.id}: ${frame?.type} frame carries typed text outside its text fields ${JSON.stringify(leaked)}: ${payload}`);
      if (typedText.length && !consented && frame?.type === 'start') problems.push(`${entry.id}: a transcript without consent: ${payload}`);
      // In the fields that may hold typed text: redacted, so no personal data at all.
      const unredacted = leaks(typedText.join('\n'), Object.values(PII));
      if (unredacted.length) problems.push(`${entry.id}: ${frame?.type} frame text not redacted ${JSON.stringify(unredacted)}: ${payload}`);
    }
  }
  problems.push(...traffic.problems.map((p) => `page error: ${p}`));
  assert.deepEqual(problems, [], problems.join('\n'));
  return matched;
}

test('data-flow.json: its labels are the model\'s; the checker rejects unlisted URLs, extra fields, a transcript without consent', () => {
  const { labels } = JSON.parse(readFileSync(join(ROOT, 'models/gem-nlu.json'), 'utf8'));
  assert.deepEqual(FLOW.$defs.product.enum, labels.product);
  assert.deepEqual(FLOW.$defs.aspect.enum, labels.aspect);
  const sample = FLOW.resident_requests.find((r) => r.id === 'samples-share');
  assert.deepEqual(sample.body.properties.understood.properties.intent, { $ref: '#/$defs/intent' });
  assert.deepEqual(FLOW.$defs.intent.enum, [null, ...labels.intent]);
  const flow = new DataFlow(FLOW, { base: 'https://gem.example.nl/gem/', server: 'https://gem.example.nl' });
  // The checker itself rejects what it must: an unknown path, an extra field, a transcript without consent.
  assert.equal(flow.match('GET', 'https://gem.example.nl/v1/live/GM0599/bsn'), null);
  assert.equal(flow.match('GET', 'https://tracker.example.com/gem/gem.js'), null);
  assert.notDeepEqual(flow.checkRequest({ method: 'GET', url: 'https://gem.example.nl/v1/live/GM0599/waste?postcode=3012CL&house_number=127&name=Jan' }).problems, []);
  assert.deepEqual(flow.checkRequest({ method: 'GET', url: 'https://gem.example.nl/v1/live/GM0599/waste?postcode=3012CL&house_number=127' }).problems, []);
  const socket = flow.match('WEBSOCKET', 'wss://gem.example.nl/v1/handover');
  assert.notDeepEqual(flow.checkFrame(socket, JSON.stringify({ type: 'start', municipality: 'GM0599', lang: 'nl', consent: false, topic: null,
    transcript: [{ role: 'resident', text: '[BSN]' }] })).problems, []);
  assert.deepEqual(flow.checkFrame(socket, JSON.stringify({ type: 'start', municipality: 'GM0599', lang: 'nl', consent: true, topic: null,
    transcript: [{ role: 'resident', text: 'mijn BSN is [BSN]' }] })).typedText, ['mijn BSN is [BSN]']);
  assert.deepEqual(leaks('GET /x?q=06%2012345678', ['06 12345678']), ['06 12345678']);
  // A shared question: only the listed fields; its text is the one place typed text may be, the rest is checked apart.
  const shared = { municipality: 'GM0599', lang: 'nl', text: 'mijn BSN is [BSN]', reason: 'not_understood',
    understood: { intent: 'buiten_bereik', product: null, aspect: null } };
  const checked = flow.checkRequest({ method: 'POST', url: 'https://gem.example.nl/v1/samples', postData: JSON.stringify(shared) });
  assert.deepEqual([checked.entry.id, checked.problems, checked.typedText], ['samples-share', [], ['mijn BSN is [BSN]']]);
  assert.doesNotMatch(checked.rest, /BSN/);
  for (const extra of [{ conversation: 'c1' }, { transcript: [] }, { reason: 'automatic' }, { text: 'x'.repeat(501) },
    { understood: { intent: 'product_vraag', product: 'fietsvergunning', aspect: null } }]) {
    assert.notDeepEqual(flow.checkRequest({ method: 'POST', url: 'https://gem.example.nl/v1/samples',
      postData: JSON.stringify({ ...shared, ...extra }) }).problems, [], JSON.stringify(extra));
  }
});

test('before the launcher is used: no request by Gem, nothing stored; hover prefetches but stores nothing', async () => {
  const run = await openDemo();
  const { page, traffic, flow } = run;
  // The resident reads, scrolls and tabs through the page, without touching the launcher.
  await page.mouse.move(200, 300);
  await page.mouse.wheel(0, 600);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.waitForTimeout(1500);
  const early = gemRequests(traffic).map((r) => flow.match(r.method, r.url)?.id ?? r.url);
  assert.deepEqual(early, ['asset-loader'], 'only the page\'s own script tag loads gem.js');
  assert.deepEqual(traffic.sockets, []);
  assertNothingStored(await browserState(run), 'before use');

  const onnx = page.waitForRequest((r) => /\/models\/gem-intent\.[0-9a-f]{12}\.onnx$/.test(r.url()));
  await launcher(page).hover();
  await onnx;
  await page.waitForTimeout(500);
  assertNothingStored(await browserState(run), 'after hover (prefetch), before opening');
  const after = verifyTraffic(run, { secrets: Object.values(PII) });
  const ids = new Set(after.map((r) => r.id));
  assert.ok([...ids].every((id) => id.startsWith('asset-')), [...ids].join());
  for (const id of ['asset-panel', 'asset-core', 'asset-content-pack', 'asset-model', 'asset-onnx-runtime']) assert.ok(ids.has(id), `prefetch fetched no ${id}`);
  await run.context.close();

  // Keyboard focus on the launcher is interest too: the same prefetch, still nothing stored.
  const byKeyboard = await openDemo();
  const model = byKeyboard.page.waitForRequest((r) => /\/models\/gem-intent\.[0-9a-f]{12}\.onnx$/.test(r.url()));
  await launcher(byKeyboard.page).focus();
  await model;
  await byKeyboard.page.waitForTimeout(500);
  assertNothingStored(await browserState(byKeyboard), 'after focus (prefetch), before opening');
  verifyTraffic(byKeyboard, { secrets: Object.values(PII) });
  await byKeyboard.context.close();
});

test('typed questions full of personal data: no request carries any of it; storage only as listed', async () => {
  const run = await openDemo();
  const { page } = run;
  await openWidget(page);
  const messages = [
    `Hallo, ik ben ${PII.name}, mijn BSN is ${PII.bsn}. Wat kost een paspoort?`,
    `Ik heb ${HEALTH[0]} en zit in een ${HEALTH[1]}, kan ik een gehandicaptenparkeerkaart krijgen?`,
    `Bel me op ${PII.phone} of ${PII.phoneIntl}, of mail naar ${PII.email} over mijn verhuizing`,
    `Mijn rekening is ${PII.iban}, kan ik kwijtschelding krijgen?`,
    `Ik ben geboren op ${PII.birthDate} en woon op ${PII.street}, ${PII.postcode} Rotterdam. Hoe geef ik een verhuizing door?`,
  ];
  for (const message of messages) await say(page, message);
  verifyTraffic(run, { secrets: [...Object.values(PII), ...HEALTH, ...messages] });
  const state = await browserState(run);
  assert.ok(state.sessionStorage.length > 0, 'the conversation is kept in sessionStorage after opening');
  for (const key of state.sessionStorage) assert.ok(run.flow.storageKeyListed('sessionStorage', key), `sessionStorage key not listed: ${key}`);
  assert.deepEqual({ ...state, sessionStorage: [] }, { sessionStorage: [], localStorage: [], documentCookie: '', indexedDB: [], caches: [], cookies: [] });

  // "Nieuw gesprek" clears what was kept (the welcome of the new conversation may be stored again).
  await panel(page).getByRole('button', { name: /Nieuw gesprek/ }).click();
  await botMessages(page).first().waitFor(WAIT);
  const kept = await page.evaluate(() => Object.values(sessionStorage).join('\n'));
  assert.deepEqual(leaks(kept, [...Object.values(PII), ...HEALTH]), [], 'typed text survived "Nieuw gesprek"');
  await run.context.close();
});

const queryOf = (url) => Object.fromEntries(new URL(url).searchParams);

test('live look-ups: waste sends postcode and house number only, appointments a product label, opening hours nothing', async () => {
  const run = await openDemo();
  const { page } = run;
  await openWidget(page);
  await say(page, `Ik ben ${PII.name}. Wanneer wordt mijn afval opgehaald?`);
  const waste = page.waitForRequest((r) => /\/v1\/live\/GM\d{4}\/waste/.test(r.url()), WAIT);
  await say(page, `${PII.postcode} 127`);
  const { postcode, ...rest } = queryOf((await waste).url());
  assert.equal(postcode.replace(/\s/g, ''), PII.postcode.replace(/\s/g, ''));
  assert.deepEqual(rest, { house_number: '127' });
  const hours = page.waitForRequest((r) => /\/v1\/live\/GM\d{4}\/opening-hours/.test(r.url()), WAIT);
  await say(page, 'Tot hoe laat is de balie op donderdag open?');
  assert.equal(new URL((await hours).url()).search, '');
  const slots = page.waitForRequest((r) => /\/v1\/live\/GM\d{4}\/appointments/.test(r.url()), WAIT);
  await say(page, 'Ik wil een afspraak maken voor een ID-kaart');
  assert.deepEqual(Object.keys(queryOf((await slots).url())).sort(), ['limit', 'product']);
  await page.waitForLoadState('networkidle');
  const ids = verifyTraffic(run, { secrets: [...Object.values(PII), ...HEALTH], allowed: { 'live-waste': [PII.postcode] } }).map((r) => r.id);
  for (const id of ['live-waste', 'live-opening-hours', 'live-appointments']) assert.ok(ids.includes(id), ids.join());
  await run.context.close();
});

test('application status: only the reference and its address leave, not a BSN typed beside it', async () => {
  const run = await openDemo();
  const { page } = run;
  await openWidget(page);
  // A passport: the product of the sample application (a look-up for another product answers "not found").
  await say(page, 'Hoe staat het met mijn aanvraag voor een paspoort?');
  const status = page.waitForRequest((r) => /\/v1\/live\/GM\d{4}\/status/.test(r.url()), WAIT);
  // The reference alone is not looked up: the assistant asks for the address first, and does not tell the
  // resident off for giving it.
  await say(page, `Mijn BSN is ${PII.bsn} en het nummer van mijn aanvraag is ${REFERENCE}`);
  // The look-up's answer (or "not found") is all the resident sees next, so wait for the request itself.
  await send(page, `${STATUS_ADDRESS.postcode} ${STATUS_ADDRESS.house_number}`);
  const { reference, postcode, house_number: houseNumber, ...rest } = queryOf((await status).url());
  assert.deepEqual([reference, postcode, houseNumber], [REFERENCE, STATUS_ADDRESS.postcode, STATUS_ADDRESS.house_number]);
  assert.deepEqual(Object.keys(rest).filter((k) => k !== 'product'), []);
  // The look-up found it; only then is every note that this message could bring on the screen.
  await botMessages(page).filter({ hasText: /ligt klaar/ }).waitFor(WAIT);
  assert.equal(await notes(page).filter({ hasText: /hoeft je adres/i }).count(), 0, 'no note about the address that was asked for');
  assert.equal(await notes(page).filter({ hasText: /hoeft je BSN/i }).count(), 1, 'the BSN typed beside the reference is noted');
  verifyTraffic(run, { secrets: [...Object.values(PII), REFERENCE, STATUS_ADDRESS.postcode],
    allowed: { 'live-status': [REFERENCE, STATUS_ADDRESS.postcode] } });
  await run.context.close();
});

// A conversation full of personal data, then a handover to a real agent (consent given or refused),
// a message to the agent with more personal data, a reply, and the resident ending the chat.
async function handoverConversation({ consent }) {
  const agent = await connectAgent(browser, origin, AGENT);
  const run = await openDemo();
  const { page } = run;
  await openWidget(page);
  const typed = [
    `Mijn BSN is ${PII.bsn} en ik woon op ${PII.street}, ${PII.postcode} Rotterdam. Wat kost een paspoort?`,
    `Ik heb ${HEALTH[0]} en zit in een ${HEALTH[1]}. Bel me op ${PII.phone} of mail ${PII.email}.`,
    `Mijn IBAN is ${PII.iban} en ik ben geboren op ${PII.birthDate}. Kan ik kwijtschelding krijgen?`,
    'Ik wil een medewerker spreken',
  ];
  for (const text of typed) await say(page, text);
  await panel(page).getByRole('button', { name: 'Chat met een medewerker' }).click();
  await panel(page).getByRole('button', { name: consent ? 'Ja, deel het gesprek' : 'Nee, begin opnieuw' }).click();
  const queue = await agent.waitFor((f) => f.type === 'queue' && f.items?.length > 0);
  const { conversation } = queue.items.at(-1);
  await agent.send({ type: 'accept', conversation });
  const assigned = await agent.waitFor((f) => f.type === 'assigned' && f.conversation === conversation);
  await panel(page).getByText(/chat nu met/).waitFor(WAIT);

  const toAgent = `Mijn nummer is ${PII.phoneIntl} en mijn BSN is ${PII.bsn}`;
  await send(page, toAgent);
  const fromResident = await agent.waitFor((f) => f.type === 'message' && f.conversation === conversation);
  await agent.send({ type: 'message', conversation, text: 'Goedemorgen, ik help u verder.' });
  await panel(page).getByText('Goedemorgen, ik help u verder.').waitFor(WAIT);
  await panel(page).getByRole('button', { name: 'Chat met medewerker stoppen' }).click();
  await agent.waitFor((f) => f.type === 'ended' && f.conversation === conversation);
  const agentSaw = JSON.stringify(await agent.received());
  await agent.close();
  assert.deepEqual(await run.context.cookies(), [], 'no cookie for the resident, also not in a handover');
  return { run, typed, toAgent, assigned, fromResident, agentSaw };
}

const startFrames = (traffic) => traffic.sockets.flatMap((s) => s.sent).map((p) => JSON.parse(p)).filter((f) => f.type === 'start');

test('handover with consent: the transcript and messages reach the agent redacted, placeholders only', async () => {
  const { run, typed, toAgent, assigned, fromResident, agentSaw } = await handoverConversation({ consent: true });
  verifyTraffic(run, { secrets: [...Object.values(PII), ...HEALTH, ...typed, toAgent], consented: true });
  const [start] = startFrames(run.traffic);
  assert.equal(start.consent, true);
  const transcript = start.transcript.map((item) => item.text).join('\n');
  for (const placeholder of ['[BSN]', '[TELEFOON]', '[E-MAIL]', '[IBAN]', '[ADRES]', '[GEBOORTEDATUM]']) {
    assert.ok(transcript.includes(placeholder), `transcript lacks ${placeholder}:\n${transcript}`);
  }
  assert.ok(assigned.transcript.length > 0, 'the agent got the consented transcript');
  assert.match(fromResident.text, /\[TELEFOON\].*\[BSN\]/);
  // What the staff member could read: no personal data at all (health words were shared with consent).
  assert.deepEqual(leaks(agentSaw, Object.values(PII)), [], agentSaw);
  await run.context.close();
});

test('handover without consent: no transcript at all; later messages to the agent redacted', async () => {
  const { run, typed, toAgent, assigned, fromResident, agentSaw } = await handoverConversation({ consent: false });
  verifyTraffic(run, { secrets: [...Object.values(PII), ...HEALTH, ...typed, toAgent] });
  const [start] = startFrames(run.traffic);
  assert.equal(start.consent, false);
  assert.equal('transcript' in start, false);
  assert.deepEqual(assigned.transcript ?? [], []);
  assert.match(fromResident.text, /\[TELEFOON\].*\[BSN\]/);
  assert.deepEqual(leaks(agentSaw, [...Object.values(PII), ...HEALTH, ...typed]), [], agentSaw);
  await run.context.close();
});

test('after the chats ended, the server\'s data directory keeps nothing of them', async () => {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const files = readdirSync(dataDir).filter((name) => name !== 'live-seed.json');
  // The consented transcript carried these words; the agent wrote the last one.
  const traces = [...HEALTH, '[BSN]', 'Goedemorgen, ik help u verder.'];
  const found = files.flatMap((name) => leaks(readFileSync(join(dataDir, name), 'latin1'), traces).map((trace) => `${name}: ${trace}`));
  assert.deepEqual(found, [], `ended conversations left on disk (files: ${files.join(', ')})`);
});

// Sharing one question (issue #19): offered after "not understood" and after a thumbs-down; nothing leaves the
// browser until the resident presses "Deel deze vraag", and then only that question, redacted, with labels.
const offers = (page) => panel(page).locator('.message--sample');
const GIBBERISH = 'blorp fnargl wibbel';

test('samples: offered after "not understood" and after a thumbs-down, but nothing is sent without the press', async () => {
  const run = await openDemo({ analytics: true });
  const { page } = run;
  await openWidget(page);
  const typed = [`${GIBBERISH}, mijn BSN is ${PII.bsn} en bel ${PII.phone}`, `Wat kost een paspoort? Mail me op ${PII.email}`];
  await say(page, typed[0]);
  await offers(page).first().waitFor(WAIT);
  await say(page, typed[1]);
  await panel(page).getByRole('button', { name: 'Nee', exact: true }).last().click();
  await offers(page).nth(1).waitFor(WAIT);
  await offers(page).first().getByRole('button', { name: 'Niet delen' }).click();
  await offers(page).first().getByText('Niet gedeeld. Er is niets verstuurd.').waitFor(WAIT);
  // Closing sends the analytics batch; the open offer is still not sent.
  await page.keyboard.press('Escape');
  await page.waitForTimeout(2500);
  const ids = verifyTraffic(run, { secrets: [...Object.values(PII), ...HEALTH, ...typed] }).map((r) => r.id);
  assert.ok(!ids.includes('samples-share'), `a sample without the press: ${ids.join()}`);
  await run.context.close();
});

test('samples: a shared question is exactly what the offer showed, redacted; the server keeps no personal data of it', async () => {
  const run = await openDemo();
  const { page } = run;
  await openWidget(page);
  const typed = `${GIBBERISH}. BSN ${PII.bsn}, IBAN ${PII.iban}, bel ${PII.phoneIntl} of mail ${PII.email}, geboren ${PII.birthDate}, `
    + `ik woon op ${PII.street}, ${PII.postcode} Rotterdam`;
  await say(page, typed);
  const offer = offers(page).last();
  await offer.waitFor(WAIT);
  const shown = (await offer.locator('.sample__text').textContent()).trim();
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/samples'), WAIT);
  await offer.getByRole('button', { name: 'Deel deze vraag' }).click();
  const body = JSON.parse((await posted).postData());
  assert.equal(body.text, shown, 'the request carries exactly the text the offer showed');
  for (const placeholder of ['[BSN]', '[IBAN]', '[TELEFOON]', '[E-MAIL]', '[GEBOORTEDATUM]', '[ADRES]']) {
    assert.ok(body.text.includes(placeholder), `shared text lacks ${placeholder}: ${body.text}`);
  }
  assert.deepEqual(Object.keys(body).sort(), ['lang', 'municipality', 'reason', 'text', 'understood']);
  // The server's answer (204) needs its POST /v1/samples route (branch samples-server).
  await offer.getByText('Bedankt! Je vraag is gedeeld.').waitFor(WAIT);
  verifyTraffic(run, { secrets: [...Object.values(PII), ...HEALTH, typed], consented: true });
  const sent = run.traffic.requests.filter((r) => r.url.endsWith('/v1/samples'));
  assert.equal(sent.length, 1, 'one question per press');
  const stored = readdirSync(dataDir).filter((name) => name !== 'live-seed.json')
    .flatMap((name) => leaks(readFileSync(join(dataDir, name), 'latin1'), Object.values(PII)).map((trace) => `${name}: ${trace}`));
  assert.deepEqual(stored, [], 'personal data on the server\'s disk');
  await run.context.close();
});

test('analytics on: nothing before opening, then enumerated events only, without text', async () => {
  const run = await openDemo({ analytics: true });
  const { page } = run;
  await launcher(page).hover();
  await page.waitForTimeout(2500);
  assert.deepEqual(run.traffic.requests.filter((r) => r.method !== 'GET').map((r) => r.url), [], 'analytics before opening');
  await openWidget(page);
  const typed = [`Wat kost een paspoort? Mijn BSN is ${PII.bsn}`, `Ik heb ${HEALTH[0]}, krijg ik een gehandicaptenparkeerkaart?`, 'blorp fnargl wibbel'];
  for (const text of typed) await say(page, text);
  await panel(page).getByRole('button', { name: 'Ja', exact: true }).first().click();
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/v1/events'), WAIT);
  await page.keyboard.press('Escape');
  await posted;
  await page.waitForTimeout(2500);
  const matched = verifyTraffic(run, { secrets: [...Object.values(PII), ...HEALTH, ...typed] });
  const events = matched.filter((r) => r.id === 'analytics-events').flatMap((r) => JSON.parse(r.postData).events.map((e) => e.type));
  for (const type of ['conversation_started', 'answer', 'thumbs_up']) assert.ok(events.includes(type), `no ${type} in ${events}`);
  assert.deepEqual(await run.context.cookies(), []);
  await run.context.close();
});

test('the server logged time, method, path, status and duration only: no query, no typed text', () => {
  const log = server.logs();
  const lines = log.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
  assert.ok(lines.some((line) => line.includes('/v1/live/GM0599/waste')), 'the access log has the look-ups');
  for (const line of lines) assert.match(line, /^\S+Z [A-Z]+ \/\S* \d{3} [\d.]+ms$/, line);
  assert.deepEqual(leaks(log, [...Object.values(PII), ...HEALTH, REFERENCE]), [], log);
});
