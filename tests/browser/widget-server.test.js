// The widget against the real gem-server (live data, human handover, analytics), in headless Chromium:
// the server serves the demo page and the widget (so its strict CSP applies), a staff member is simulated
// by a real agent WebSocket client signed in with the server's real agent login. Offline states with
// context.setOffline. axe-core in every new state; screenshots into build/test-artifacts/.
//   GEM_SERVER_BIN=…/gem-server node --test tests/browser/widget-server.test.js
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { OPEN_ALL_WEEK, serverBinary, startGemServer } from '../lib/gem-server.js';
import { agent as agentSocket, login } from '../server/handover_fixture.js';
import { buildWidget } from '../../widget/build.js';
import { parsePack } from '../../scripts/cli/content.js';
import { launch } from './chromium.js';
import {
  ROOT, WAIT, announced, axe, botMessages, demoMounts, finish, focused, input, launcher, notes, openByMouse, openPage, panel,
  recordAnnouncements, say, send, shot, smallTargets, status, statuses,
} from './widget-harness.js';

const WIDGET = join(ROOT, 'build/widget-server-test');
let dir;
let server;
let browser;
let origin;

// The sample live data, with Rotterdam open around the clock (so handover works at any hour) and
// Tilburg always closed.
function seed(file) {
  const data = JSON.parse(readFileSync(join(ROOT, 'server/data/live-data.json'), 'utf8'));
  data.municipalities.GM0599.weekly_hours = OPEN_ALL_WEEK;
  data.municipalities.GM0599.exceptions = [];
  data.municipalities.GM0855.weekly_hours = {};
  data.municipalities.GM0855.exceptions = [];
  data.holidays = [];
  writeFileSync(file, JSON.stringify(data));
  return file;
}

const PASSWORD = 'a long test password for Sanne';

// The server's own account command (same configuration and data directory); the password from the environment.
function addAgent(name, displayName, municipalities) {
  const args = ['--config', server.configFile, 'add-account', name, '--role', 'agent', '--display-name', displayName];
  for (const gm of municipalities) args.push('--municipality', gm);
  const result = spawnSync(serverBinary(), args, { encoding: 'utf8',
    env: { ...process.env, GEM_DATA_DIR: server.dataDir, GEM_ACCOUNT_PASSWORD: PASSWORD } });
  assert.equal(result.status, 0, result.stderr);
}

before(async () => {
  assert.ok(existsSync(join(ROOT, 'build/content/GM0599.json')), 'content packs missing: run scripts/gem content build');
  await buildWidget({ out: WIDGET, quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'gem-widget-test-'));
  server = await startGemServer({ config: {
    live_seed: seed(join(dir, 'live.json')),
    limits: { rate_per_second: 1000, rate_burst: 1000 },
    static: demoMounts(WIDGET),
  } });
  server.ws = server.url.replace(/^http/, 'ws');
  origin = server.url;
  addAgent('sanne', 'Sanne', ['GM0599']);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(WIDGET, { recursive: true, force: true });
});

// A staff member of Rotterdam, signed in, with the agent socket open.
async function staffMember() {
  const { cookie } = await login(server, 'sanne', PASSWORD);
  return agentSocket(server, cookie);
}

// The next conversation waiting in Rotterdam's queue that no test has taken yet, as the agent sees it.
const taken = new Set();
async function nextWaiting(staff) {
  for (;;) {
    const item = (await staff.next('queue', 15000)).items.find((i) => i.municipality === 'GM0599' && !taken.has(i.conversation));
    if (item) {
      taken.add(item.conversation);
      return item;
    }
  }
}

// What the page sent to the server, as {method, path, query, body}.
function sent(watch, prefix) {
  return watch.requests.map((r) => ({ method: r.method(), url: new URL(r.url()), body: r.postData() }))
    .filter((r) => r.url.pathname.startsWith(prefix))
    .map((r) => ({ method: r.method, path: r.url.pathname, query: Object.fromEntries(r.url.searchParams), body: r.body ? JSON.parse(r.body) : null }));
}

test('live data: opening hours, appointment slots, waste collection and application status from the server', async () => {
  const run = await openPage(browser, origin);
  const { page, watch } = run;
  await openByMouse(page);
  await recordAnnouncements(page);

  await say(page, 'wat zijn de openingstijden van het stadhuis?');
  const hours = botMessages(page).filter({ hasText: 'De gemeente is nu open. Telefoon: 14 010 Openingstijden:' });
  await hours.waitFor(WAIT);
  // Seven days, each named and dated in Dutch by Intl, with its hours.
  const days = await hours.locator('li').allTextContents();
  assert.equal(days.length, 7);
  assert.match(await hours.textContent(), /^Gem: De gemeente is nu open\./, 'screen readers hear who says it');
  assert.ok(days.every((d) => /^(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} [a-z]+: 00:00–24:00$/.test(d)), days.join('\n'));
  assert.ok((await statuses(page)).includes('Ik zoek het op…'), 'loading was shown in the status region');
  assert.equal(await status(page).textContent(), '');
  assert.equal((await announced(page, 'De gemeente is nu open')).length, 1);

  await say(page, 'wanneer kan ik een afspraak maken voor een paspoort');
  const slots = botMessages(page).filter({ hasText: 'De eerste vrije afspraken:' });
  await slots.waitFor(WAIT);
  const slotItems = await slots.locator('ul:not(.message__links) > li').allTextContents();
  assert.ok(slotItems.length >= 1 && slotItems.length <= 3, slotItems.join('\n'));
  assert.match(await slots.getByRole('link', { name: /Afspraak maken/ }).getAttribute('href'), /^https:\/\//);
  assert.ok(slotItems.every((s) => /^[a-z]+dag \d{1,2} [a-z]+, \d\d:\d\d, Stadswinkel \w+, .+$/.test(s)), slotItems.join('\n'));

  await say(page, 'wanneer wordt het afval opgehaald?');
  await say(page, '3011 AB 12');
  const waste = botMessages(page).filter({ hasText: 'Ophaaldagen voor 3011AB 12:' });
  await waste.waitFor(WAIT);
  assert.match(await waste.locator('li').first().textContent(), /^[a-z]+dag \d{1,2} [a-z]+: .+/);

  // The address given for the waste calendar is not reused: the status look-up asks for its own, and says why.
  await say(page, 'wat is de status van mijn aanvraag voor een paspoort');
  await say(page, 'Z-2026-0042');
  await botMessages(page).filter({ hasText: 'Wat is je postcode en huisnummer? Bijvoorbeeld: 1234 AB 5. Zo weet ik zeker dat de aanvraag van jou is.' }).waitFor(WAIT);
  await say(page, '3011ab, 12');
  await botMessages(page).filter({ hasText: 'Aanvraag Z-2026-0042: Uw paspoort ligt klaar. U kunt het ophalen bij de Stadswinkel. Bijgewerkt op vrijdag 20 november.' }).waitFor(WAIT);
  await axe(page, 'live data');
  await shot(page, 'live-data');

  // Only the fields of the protocol went out: no typed text.
  const live = sent(watch, '/v1/live/');
  assert.deepEqual(live.map(({ path, query }) => ({ path, query })), [
    { path: '/v1/live/GM0599/opening-hours', query: {} },
    { path: '/v1/live/GM0599/appointments', query: { product: 'paspoort', limit: '3' } },
    { path: '/v1/live/GM0599/waste', query: { postcode: '3011 AB', house_number: '12' } },
    { path: '/v1/live/GM0599/status', query: { reference: 'Z-2026-0042', postcode: '3011 AB', house_number: '12', product: 'paspoort' } },
  ]);
  await finish(run);
});

test('live data in English, and its error states: unknown reference, invalid reference, unknown municipality, unreachable', async () => {
  const run = await openPage(browser, origin);
  const { page, ctx, watch } = run;
  await openByMouse(page);
  await panel(page).getByRole('button', { name: 'English' }).click();
  await panel(page).getByText('Hello! I am Gem').waitFor();
  await say(page, 'what are the opening hours of the town hall?');
  const hours = botMessages(page).filter({ hasText: 'The municipality is open now.' });
  await hours.waitFor(WAIT);
  assert.match(await hours.locator('li').first().textContent(), /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+: /);
  await panel(page).getByRole('button', { name: 'Nederlands' }).click();
  await botMessages(page).last().getByText('Hallo! Ik ben Gem').waitFor();

  // Number and address in one message; not found says nothing about which of the three did not match.
  await say(page, 'wat is de status van mijn aanvraag voor een paspoort');
  await send(page, 'Z-2026-0042 3011 AB 13');
  await notes(page).filter({ hasText: 'Ik kan geen aanvraag vinden met nummer Z-2026-0042 op dit adres. Kijk of het nummer, de postcode en het huisnummer kloppen.' }).waitFor(WAIT);
  await send(page, 'Z-2026-9999 3011 AB 12');
  await notes(page).filter({ hasText: 'Ik kan geen aanvraag vinden met nummer Z-2026-9999 op dit adres.' }).waitFor(WAIT);
  await say(page, 'wat is de status van mijn aanvraag voor een paspoort');
  // Longer than the protocol's 32 characters: the core says so at once (a dialogue answer), and nothing is sent.
  const statusRequests = sent(watch, '/v1/live/GM0599/status').length;
  await send(page, 'Z-2026-000000000000000000000000000042');
  await botMessages(page).filter({ hasText: 'Dat nummer klopt niet. Het nummer staat in de bevestiging van je aanvraag' }).waitFor(WAIT);
  assert.equal(sent(watch, '/v1/live/GM0599/status').length, statusRequests);
  // A municipality the server does not serve (404 unknown_municipality).
  await say(page, 'wat zijn de openingstijden van het stadhuis in Amsterdam?');
  await notes(page).filter({ hasText: 'Voor deze gemeente kan ik dit niet opzoeken.' }).waitFor(WAIT);

  await ctx.setOffline(true);
  await say(page, 'wat zijn de openingstijden van het stadhuis?');  // answered locally, looked up not
  await notes(page).filter({ hasText: 'Er is geen internetverbinding.' }).waitFor(WAIT);
  await axe(page, 'live data errors, offline');
  await shot(page, 'live-offline');
  await ctx.setOffline(false);
  await finish(run, { expected: [/404|400|ERR_INTERNET_DISCONNECTED/] });
});

test('handover: availability, consent, redacted transcript, queue, agent joins, types, chats, resume after navigation, ends', async () => {
  const staff = await staffMember();
  const run = await openPage(browser, origin);
  const { page } = run;
  await openByMouse(page);
  await recordAnnouncements(page);
  await say(page, 'bel me op 06-12345678 over mijn paspoort');
  await say(page, 'ik wil een medewerker spreken');
  await panel(page).getByRole('button', { name: 'Chat met een medewerker' }).click();

  const consent = panel(page).getByRole('group', { name: 'Mag de medewerker het gesprek tot nu toe lezen?' });
  await consent.waitFor(WAIT);
  assert.deepEqual(await consent.getByRole('button').allTextContents(), ['Ja, deel het gesprek', 'Nee, begin opnieuw']);
  await botMessages(page).filter({ hasText: /Er is een medewerker vrij\. Er wacht niemand voor je\. De wachttijd is ongeveer \d+ minuut|minuten\./ }).waitFor();
  await panel(page).getByText('Dan haalt Gem eerst persoonlijke gegevens eruit, zoals een BSN of telefoonnummer.').waitFor();
  await axe(page, 'handover consent');
  await shot(page, 'handover-consent');

  await consent.getByRole('button', { name: 'Ja, deel het gesprek' }).click();
  await status(page).filter({ hasText: /^Je bent nummer 1 in de wachtrij\./ }).waitFor(WAIT);
  const cancelButton = panel(page).getByRole('button', { name: 'Wachtrij verlaten' });
  await cancelButton.waitFor();
  await axe(page, 'handover queued');
  await shot(page, 'handover-queued');

  // The staff member accepts and gets the transcript, redacted.
  const item = await nextWaiting(staff);
  staff.send({ type: 'accept', conversation: item.conversation });
  const assigned = await staff.next('assigned', 10000);
  assert.equal(assigned.consent, true);
  const transcript = JSON.stringify(assigned.transcript);
  assert.doesNotMatch(transcript, /12345678/);
  assert.match(transcript, /bel me op \[[A-Z]+\] over mijn paspoort/);
  assert.ok(assigned.transcript.every((t) => ['resident', 'assistant'].includes(t.role)));
  await notes(page).filter({ hasText: 'Sanne, medewerker van de gemeente, chat nu met je.' }).waitFor(WAIT);
  await panel(page).getByRole('button', { name: 'Chat met medewerker stoppen' }).waitFor();

  staff.send({ type: 'typing', conversation: item.conversation });
  await status(page).filter({ hasText: 'Sanne typt…' }).waitFor(WAIT);
  staff.send({ type: 'message', conversation: item.conversation, text: 'Goedemorgen! <b>Waarmee</b> kan ik helpen?' });
  const agentMessage = panel(page).locator('.message--agent').filter({ hasText: 'Goedemorgen! <b>Waarmee</b> kan ik helpen?' });
  await agentMessage.waitFor(WAIT);
  assert.equal(await agentMessage.getAttribute('lang'), 'nl');
  assert.match(await agentMessage.textContent(), /^Sanne, medewerker:/);
  assert.equal(await panel(page).locator('.message--agent b').count(), 0, 'agent text is never markup');
  assert.equal((await announced(page, 'Sanne: Goedemorgen! <b>Waarmee</b> kan ik helpen?', { exact: true })).length, 1);

  // The resident's messages go to the staff member, redacted; the assistant stays silent.
  const bots = await botMessages(page).count();
  await input(page).fill('mijn BSN is 111222333, wat kost een paspoort?');
  await input(page).press('Enter');
  const fromResident = await staff.next('message', 10000);
  assert.equal(fromResident.text, 'mijn BSN is [BSN], wat kost een paspoort?');
  await notes(page).filter({ hasText: 'Je hoeft je BSN hier niet te delen. Gem heeft dat niet nodig om je te helpen. De medewerker ziet dit niet' }).waitFor();
  await page.waitForTimeout(1000);
  assert.equal(await botMessages(page).count(), bots, 'the assistant stayed silent');
  assert.deepEqual(await smallTargets(page), []);
  await axe(page, 'handover chatting');
  await shot(page, 'handover-agent');

  // Navigation within the site: the handover resumes with the token from sessionStorage.
  const stored = JSON.parse(await page.evaluate(() => sessionStorage.getItem('gem:conversation:GM0599')));
  assert.equal(stored.handover.conversation, item.conversation);
  assert.match(stored.handover.token, /\S{16,}/);
  await page.reload();
  await launcher(page).click();
  await agentMessage.waitFor(WAIT);
  await panel(page).getByRole('button', { name: 'Chat met medewerker stoppen' }).waitFor(WAIT);
  await page.waitForTimeout(500);  // the resume frame
  staff.send({ type: 'message', conversation: item.conversation, text: 'Een paspoort kost € 84,70.' });
  await panel(page).locator('.message--agent').filter({ hasText: 'Een paspoort kost € 84,70.' }).waitFor(WAIT);
  assert.equal(await panel(page).locator('.message--agent').count(), 2, 'no message twice after resuming');

  // The staff member hands it back to the queue, takes it again, then the resident ends the chat.
  staff.send({ type: 'release', conversation: item.conversation });
  await notes(page).filter({ hasText: 'De medewerker heeft het gesprek verlaten. Je staat weer in de wachtrij.' }).waitFor(WAIT);
  staff.send({ type: 'accept', conversation: item.conversation });
  await panel(page).getByRole('button', { name: 'Chat met medewerker stoppen' }).click();
  await notes(page).filter({ hasText: 'Je hebt het gesprek met de medewerker beëindigd. Gem helpt je weer verder.' }).waitFor(WAIT);
  assert.equal(await panel(page).getByRole('button', { name: 'Chat met medewerker stoppen' }).count(), 0);
  assert.equal((await page.evaluate(() => JSON.parse(sessionStorage.getItem('gem:conversation:GM0599')))).handover, null);
  // The assistant answers again.
  await say(page, 'wat kost een ID-kaart?');
  await botMessages(page).filter({ hasText: 'maximaal € 80,10' }).waitFor(WAIT);
  await axe(page, 'handover ended');
  await staff.close();
  await finish(run);
});

test('handover by keyboard: nobody available, then without consent, cancelled; agent ends; closed municipality', async () => {
  const run = await openPage(browser, origin);
  const { page } = run;
  await openByMouse(page);
  // No staff member signed in: the alternatives instead of a queue.
  await say(page, 'ik wil een medewerker spreken');
  await panel(page).getByRole('button', { name: 'Chat met een medewerker' }).click();
  const nobody = botMessages(page).filter({ hasText: 'Er is nu geen medewerker vrij. Zo bereik je de gemeente:' });
  await nobody.waitFor(WAIT);
  assert.equal(await nobody.getByRole('link', { name: /Contactformulier/ }).count(), 1);

  const staff = await staffMember();
  await say(page, 'mijn e-mail is jan@example.nl');
  await say(page, 'ik wil een medewerker spreken');
  // Keyboard only: Shift+Tab from the input to the button, Enter; the same for the consent answer.
  const pressByKeyboard = async (name) => {
    await input(page).focus();
    for (let i = 0; i < 6 && (await focused(page)).name !== name; i++) await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).name, name);
    await page.keyboard.press('Enter');
  };
  await pressByKeyboard('Chat met een medewerker');
  await panel(page).getByRole('button', { name: 'Nee, begin opnieuw' }).waitFor(WAIT);
  await pressByKeyboard('Nee, begin opnieuw');
  await status(page).filter({ hasText: /^Je bent nummer \d+ in de wachtrij\./ }).waitFor(WAIT);
  // This one leaves the queue before anyone takes it: Tab from the launcher reaches "leave the queue".
  taken.add((await page.evaluate(() => JSON.parse(sessionStorage.getItem('gem:conversation:GM0599')))).handover.conversation);
  await launcher(page).focus();
  for (let i = 0; i < 6 && (await focused(page)).name !== 'Wachtrij verlaten'; i++) await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Wachtrij verlaten');
  await page.keyboard.press('Enter');
  await notes(page).filter({ hasText: 'Je staat niet meer in de wachtrij. Gem helpt je weer verder.' }).waitFor(WAIT);

  // Again without consent; the staff member gets no transcript, accepts and ends.
  await say(page, 'ik wil een medewerker spreken');
  await panel(page).getByRole('button', { name: 'Chat met een medewerker' }).click();
  await panel(page).getByRole('button', { name: 'Nee, begin opnieuw' }).click();
  staff.send({ type: 'accept', conversation: (await nextWaiting(staff)).conversation });
  const assigned = await staff.next('assigned', 10000);
  assert.equal(assigned.consent, false);
  assert.deepEqual(assigned.transcript ?? [], []);
  await notes(page).filter({ hasText: 'Sanne, medewerker van de gemeente, chat nu met je.' }).waitFor(WAIT);
  staff.send({ type: 'end', conversation: assigned.conversation });
  await notes(page).filter({ hasText: 'De medewerker heeft het gesprek beëindigd. Gem helpt je weer verder.' }).waitFor(WAIT);
  await staff.close();

  // Tilburg is closed: phone, contact form and call-back instead of a queue.
  await page.evaluate(() => {
    sessionStorage.clear();
    document.querySelector('gem-assistant').remove();
    const el = document.createElement('gem-assistant');
    el.setAttribute('municipality', 'GM0855');
    el.setAttribute('server', location.origin);
    document.body.append(el);
  });
  await openByMouse(page);
  const { tone } = parsePack(readFileSync(join(ROOT, 'build/content/GM0855.json'), 'utf8'));
  await say(page, 'ik wil een medewerker spreken');
  await panel(page).getByRole('button', { name: 'Chat met een medewerker' }).click();
  const closed = botMessages(page).filter({ hasText: 'De gemeente is nu gesloten, dus er is geen medewerker om mee te chatten.' });
  await closed.waitFor(WAIT);
  assert.deepEqual(await closed.locator('li').allTextContents(), ['Bel 14 013.', 'Contactformulier (andere website, opent in een nieuw tabblad)',
    `${tone === 'je' ? 'Laat je' : 'Laat u'} terugbellen (andere website, opent in een nieuw tabblad)`]);
  assert.equal(await closed.getByRole('link', { name: /Contactformulier/ }).getAttribute('href'), 'https://www.tilburg.nl/contact');
  await axe(page, 'handover closed');
  await shot(page, 'handover-closed');
  await finish(run);
});

test('network loss during a handover: said in the status, the assistant answers meanwhile, the chat resumes; new conversation ends it', async () => {
  const staff = await staffMember();
  const run = await openPage(browser, origin);
  const { page, ctx } = run;
  await openByMouse(page);
  await say(page, 'ik wil een medewerker spreken');
  await panel(page).getByRole('button', { name: 'Chat met een medewerker' }).click();
  await panel(page).getByRole('button', { name: 'Ja, deel het gesprek' }).click();
  const { conversation } = await nextWaiting(staff);
  staff.send({ type: 'accept', conversation });
  await notes(page).filter({ hasText: 'Sanne, medewerker van de gemeente' }).waitFor(WAIT);

  await ctx.setOffline(true);
  await status(page).filter({ hasText: 'De verbinding met de medewerker is weg.' }).waitFor(WAIT);
  await notes(page).filter({ hasText: 'Er is geen internetverbinding. Gem werkt gewoon verder op dit apparaat' }).waitFor();
  await say(page, 'wat kost een paspoort?');
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor(WAIT);
  await axe(page, 'handover connection lost');
  await shot(page, 'handover-offline');

  await ctx.setOffline(false);
  await status(page).filter({ hasText: 'Weer verbonden met de medewerker.' }).waitFor(WAIT);
  staff.send({ type: 'message', conversation, text: 'Bent u er nog?' });
  await panel(page).locator('.message--agent').filter({ hasText: 'Bent u er nog?' }).waitFor(WAIT);

  // "New conversation" ends the handover and forgets its token with everything else.
  await panel(page).getByRole('button', { name: 'Nieuw gesprek' }).click();
  const ended = await staff.next('ended', 10000);
  assert.deepEqual([ended.conversation, ended.reason], [conversation, 'resident_ended']);
  await panel(page).getByText('Ik ben Gem').waitFor();
  assert.doesNotMatch(await page.evaluate(() => sessionStorage.getItem('gem:conversation:GM0599') ?? ''), /token/);
  assert.equal(await panel(page).getByRole('button', { name: 'Chat met medewerker stoppen' }).count(), 0);
  await staff.close();
  await finish(run, { expected: [/ERR_INTERNET_DISCONNECTED|WebSocket/] });
});

test('analytics: enumerated events only, batched to /v1/events, nothing before opening, never text', async () => {
  const run = await openPage(browser, origin);
  const { page, watch } = run;
  await page.waitForTimeout(500);
  assert.deepEqual(sent(watch, '/v1/'), [], 'nothing before opening');
  await openByMouse(page);
  await panel(page).getByRole('button', { name: 'Paspoort' }).click();
  await panel(page).getByRole('button', { name: 'Kosten' }).click();
  const answer = botMessages(page).filter({ hasText: 'maximaal € 88,65' });
  await answer.waitFor();
  await answer.getByRole('button', { name: 'Ja' }).click();
  await say(page, 'hoe lang is een id kaart geldig? mijn telefoon is 06-12345678');
  await say(page, 'tot ziens');
  await panel(page).getByRole('group', { name: /Zou je Gem aanraden/ }).getByRole('button', { name: '9' }).click();

  const posted = page.waitForResponse((r) => r.url().endsWith('/v1/events'));
  await page.waitForTimeout(2500);  // the batch goes out two seconds after its first event
  assert.equal((await posted).status(), 204);
  const batches = sent(watch, '/v1/events');
  const events = batches.flatMap((b) => b.body.events);
  assert.ok(batches.every((b) => b.method === 'POST' && Object.keys(b.body).join() === 'municipality,events' && b.body.municipality === 'GM0599'));
  const types = events.map((e) => e.type);
  for (const type of ['conversation_started', 'understood_first_time', 'answer', 'thumbs_up', 'nps']) assert.ok(types.includes(type), types.join());
  assert.deepEqual(events.find((e) => e.type === 'answer'), { type: 'answer', product: 'paspoort', aspect: 'kosten' });
  assert.deepEqual(events.find((e) => e.type === 'nps'), { type: 'nps', score: 9 });
  assert.equal(types.filter((t) => t === 'conversation_started').length, 1);
  assert.doesNotMatch(JSON.stringify(batches), /12345678|tot ziens|hoe lang/);
  for (const e of events) assert.deepEqual(Object.keys(e).filter((k) => !['type', 'product', 'aspect', 'score'].includes(k)), []);
  await finish(run);
});
