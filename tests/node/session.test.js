// The Session contract (docs/core-api.md) through the real wasm core, model and content packs: what the widget
// calls besides send/choose — live, handover, privacyNote, sampleOffer, say, ui, setLanguage, state, restore.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, loadTools, loadUnderstanding } from '../../wasm/node.js';
import { Session } from '../../wasm/session.js';
import { checkContent, packFor } from '../../scripts/cli/content.js';

const tsv = readFileSync(join(ROOT, 'content/gazetteer/gemeenten.tsv'), 'utf8');

let understanding;
let packs;
before(async () => {
  understanding = await loadUnderstanding();
  const tools = await loadTools();
  const { source } = checkContent(tools);
  packs = { GM0599: packFor(tools, source, 'GM0599'), GM0855: packFor(tools, source, 'GM0855') };
});
after(async () => {
  await understanding?.close();
});

const open = (code = 'GM0599') => Session.create(understanding, packs[code], tsv, code);

test('a pack and gazetteer given as UTF-8 bytes open the same conversation as strings; a missing pack says so', async () => {
  const fromText = open();
  const fromBytes = Session.create(understanding, new TextEncoder().encode(packs.GM0599), Buffer.from(tsv), 'GM0599');
  assert.deepEqual(fromBytes.welcome(), fromText.welcome());
  const question = 'wat kost een paspoort in Tilburg?';
  assert.deepEqual(await fromBytes.send(question), await fromText.send(question));
  fromBytes.close();
  fromText.close();
  assert.throws(() => Session.create(understanding, undefined, tsv, 'GM0599'), /pack is missing/);
});

test('state() is the public view: language, tone, what the assistant awaits, topic and handover phase', async () => {
  const session = open();
  session.welcome();
  const response = await session.send('wanneer wordt het afval bij mij opgehaald?');
  assert.equal(response.awaiting, 'address');
  assert.deepEqual(session.state(), { lang: 'nl', tone: 'je', awaiting: 'address',
    topic: { product: 'afval', aspect: 'wanneer', municipality: null, person: null }, handover: 'none' });
  session.setLanguage('en');
  assert.equal(session.state().lang, 'en');
  assert.throws(() => session.setLanguage('fr'), /expected 'nl' or 'en'/);
  session.close();
});

test('the application status look-up carries the reference as typed, never a BSN typed beside it', async () => {
  const session = open('GM0855');
  await session.send('hoe staat het met mijn aanvraag voor een paspoort?');
  assert.equal(session.state().awaiting, 'reference');
  const response = await session.send('mijn bsn is 111222333 en het nummer is Z-2026-0042, 5038 AB 12');
  const lookUp = response.events.find((e) => e.type === 'live_request');
  assert.equal(lookUp.kind, 'application_status');
  assert.deepEqual(lookUp.params, { municipality: 'GM0855', product: 'paspoort', reference: 'Z-2026-0042', postcode: '5038 AB', house_number: '12' });
  assert.ok(!JSON.stringify(lookUp).includes('111222333'));
  session.close();
});

test('the status look-up waits for its address: the reference is kept in the saved state until then, and only then', async () => {
  const session = open('GM0855');
  await session.send('hoe staat het met mijn aanvraag voor een paspoort?');
  const asked = await session.send('T-2026-1188');
  assert.equal(asked.awaiting, 'status_address');
  assert.equal(asked.events.length, 0);
  // A reload in between: the saved state comes back with its reference and passes the checks.
  const saved = session.save();
  const restored = open('GM0855');
  assert.deepEqual(restored.restore(saved), { restored: true });
  const lookUp = (await restored.send('5038 AB 10')).events.find((e) => e.type === 'live_request');
  assert.deepEqual(lookUp.params, { municipality: 'GM0855', product: 'paspoort', reference: 'T-2026-1188', postcode: '5038 AB', house_number: '10' });
  assert.ok(!restored.save().includes('T-2026-1188'), 'not kept after the look-up');
  // A saved state with a reference it is not waiting for is refused.
  const forged = JSON.stringify({ ...JSON.parse(saved), awaiting: 'none' });
  const other = open('GM0855');
  assert.match(other.restore(forged).error ?? '', /'reference'/);
  for (const s of [session, restored, other]) s.close();
});

test('live() puts the server data into words in the conversation language', () => {
  const session = open();
  session.setLanguage('en');
  const hours = session.live('opening_hours', { data: { open_now: false, phone: '14 010',
    week: [{ date: '2026-11-23', periods: [{ from: '08:30', to: '17:00' }] }] } });
  assert.equal(hours.text, 'The municipality is closed now. Phone: 14 010 Opening hours:');
  assert.deepEqual(hours.items, ['Monday 23 November: 08:30–17:00']);
  assert.equal(hours.plain, true);
  const busy = session.live('opening_hours', { error: { kind: 'busy' } });
  assert.equal(busy.text, 'It is very busy right now. Please try again in a minute.');
  assert.throws(() => session.live('opening_hours', {}), /expected \{data\} or \{error/);
  session.close();
});

test('handover() records the phase and words each step in the municipality tone', () => {
  const session = open();
  const consent = session.handover({ type: 'consent', queue_length: 0, eta_seconds: 60 });
  assert.match(consent.text, /^Er is een medewerker vrij\. Er wacht niemand voor je\./);
  assert.deepEqual(consent.quick_replies.map((q) => [q.id, q.kind]),
    [['handover:consent_yes', 'action'], ['handover:consent_no', 'action']]);
  assert.equal(session.state().handover, 'consent');
  assert.equal(session.handover({ type: 'agent_joined', name: 'Sanne' }).text, 'Sanne, medewerker van de gemeente, chat nu met je.');
  assert.equal(session.state().handover, 'connected');
  assert.throws(() => session.handover({ type: 'teleported' }), /unknown type 'teleported'/);
  session.close();
});

test('privacyNote() notes each kind once; say() and ui() give the core words', () => {
  const session = open('GM0855');
  const note = session.privacyNote(understanding.core.redact('bel me op 06-12345678'));
  assert.equal(note.text, 'U hoeft uw telefoonnummer hier niet te delen. Gem heeft dat niet nodig om u te helpen.');
  assert.equal(session.privacyNote(understanding.core.redact('of op 06-87654321')), null);
  assert.equal(session.say('new_conversation').text, 'We beginnen opnieuw. Waar kan ik u mee helpen?');
  assert.throws(() => session.say('hello'), /unknown key 'hello'/);
  const ui = session.ui();
  assert.equal(ui.input_label, 'Uw vraag');
  assert.equal(ui.nps_thanks, 'Bedankt! U gaf een {score}.');
  assert.ok(Object.values(ui).every((text) => !/\{[^}]*\|/.test(text)), 'no tone alternation reaches the widget');
  session.close();
});

test('sampleOffer() asks in the municipality tone and names what Gem understood in words, never ids', () => {
  const session = open('GM0855');
  const offer = session.sampleOffer({ reason: 'thumbs_down', intent: 'product_vraag', product: 'paspoort', aspect: 'kosten' });
  assert.equal(offer.text, 'Help Gem beter te worden. Wilt u deze vraag delen met de gemeente?');
  assert.deepEqual(offer.items, ['Gem begreep: Paspoort: Kosten.']);
  assert.deepEqual(session.sampleOffer({ reason: 'not_understood', intent: 'buiten_bereik', product: null, aspect: null }).items,
    ['Gem begreep niet waar de vraag over ging.']);
  session.setLanguage('en');
  assert.match(session.sampleOffer({ reason: 'not_understood', intent: 'product_vraag', product: 'afval', aspect: null }).items[0],
    /^Gem was not sure\. Gem thought of: .+\.$/);
  assert.throws(() => session.sampleOffer({ reason: 'automatic', intent: 'product_vraag' }), /expected not_understood or thumbs_down/);
  session.close();
});

test('restore() checks the saved state against the pack and starts afresh when it does not fit', async () => {
  const session = open();
  await session.send('wat kost een paspoort?');
  const saved = session.save();
  const other = open();
  assert.deepEqual(other.restore(saved), { restored: true });
  assert.equal(other.state().topic.product, 'paspoort');
  const stale = JSON.stringify({ ...JSON.parse(saved), product: 'fietsvergunning' });
  const result = other.restore(stale);
  assert.equal(result.restored, false);
  assert.match(result.error, /'product' is 'fietsvergunning'/);
  assert.equal(other.state().topic.product, null, 'the conversation starts afresh');
  assert.equal((await other.send('wat kost een rijbewijs?')).topic.product, 'rijbewijs');
  session.close();
  other.close();
});
