// The widget's satisfaction question (NPS 0–10) and its personal-data warning, in headless Chromium on the
// demo page without a server: keyboard use, announcements, axe-core in each new state, once per conversation.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { serve } from '../../scripts/cli/serve.js';
import { buildWidget } from '../../widget/build.js';
import { launch } from './chromium.js';
import {
  ROOT, WAIT, announced, axe, botMessages, finish, focused, input, launcher, notes, openByMouse, openPage, panel,
  recordAnnouncements, say, shot, smallTargets,
} from './widget-harness.js';

let server;
let browser;
let origin;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'build/content/GM0599.json')), 'content packs missing: run scripts/gem content build');
  await buildWidget({ quiet: true });
  server = await serve({ port: 0, index: 'index.html' });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const nps = (page) => panel(page).getByRole('group', { name: 'Zou je Gem aanraden aan anderen? Kies een cijfer.' });

test('NPS at the end of a conversation: eleven buttons in a labelled group, chosen by keyboard, thanks announced', async () => {
  const run = await openPage(browser, origin, { path: '/?server=off' });
  const { page } = run;
  await openByMouse(page);
  await recordAnnouncements(page);
  await say(page, 'wat kost een paspoort?');
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor();
  assert.equal(await nps(page).count(), 0, 'no NPS question before the conversation ends');

  await say(page, 'tot ziens');
  await nps(page).waitFor();
  const group = nps(page);
  assert.deepEqual(await group.getByRole('button').allTextContents(), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  assert.equal(await group.getAttribute('aria-describedby') !== null, true);
  assert.match(await group.textContent(), /0 betekent: zeker niet\. 10 betekent: zeker wel\./);
  const asked = await announced(page, 'Zou je Gem aanraden');
  assert.equal(asked.length, 1, 'the question is announced once');
  assert.deepEqual(await smallTargets(page), []);
  await axe(page, 'NPS asked');
  await shot(page, 'nps-asked');

  // From the input, Shift+Tab reaches the scores (the last controls in the transcript); Enter chooses one.
  await input(page).focus();
  for (let i = 0; i < 10 && (await focused(page)).name !== '10'; i++) await page.keyboard.press('Shift+Tab');
  assert.equal((await focused(page)).name, '10');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focused(page), { tag: 'button', name: '8', cls: 'nps__score', inWidget: true });
  await page.keyboard.press('Enter');
  assert.equal(await group.getByRole('button', { name: '8', exact: true }).getAttribute('aria-pressed'), 'true');
  assert.equal(await group.getByRole('button', { name: '10' }).getAttribute('aria-pressed'), 'false');
  await panel(page).getByText('Bedankt! Je gaf een 8.').waitFor();
  assert.equal((await announced(page, 'Bedankt! Je gaf een 8.', { exact: true })).length, 1);
  assert.equal((await focused(page)).name, '8', 'focus stays on the chosen score');
  await axe(page, 'NPS answered');
  await shot(page, 'nps-answered');

  // Once per conversation: another goodbye does not ask again, and the answer survives navigation.
  await say(page, 'doei');
  assert.equal(await panel(page).locator('.message--nps').count(), 1);
  await page.reload();
  await launcher(page).click();
  await panel(page).getByText('Bedankt! Je gaf een 8.').waitFor();
  assert.equal(await nps(page).getByRole('button', { name: '8', exact: true }).getAttribute('aria-pressed'), 'true');
  await finish(run);
});

test('NPS offered on closing after a real conversation, once, without holding up the closing', async () => {
  const run = await openPage(browser, origin, { path: '/?server=off' });
  const { page } = run;
  await openByMouse(page);
  await page.keyboard.press('Escape');  // opened and closed without a conversation: nothing to rate
  await launcher(page).click();
  assert.equal(await panel(page).locator('.message--nps').count(), 0);

  await panel(page).getByRole('button', { name: 'Paspoort' }).click();
  await panel(page).getByRole('button', { name: 'Kosten' }).click();
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await panel(page).count(), 0, 'the panel closed at once');
  assert.equal((await focused(page)).cls, 'launcher');
  await page.keyboard.press('Enter');
  await nps(page).waitFor();
  assert.equal(await panel(page).locator('.message--nps').count(), 1);
  assert.equal((await focused(page)).tag, 'textarea', 'opening still puts focus in the input');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  assert.equal(await panel(page).locator('.message--nps').count(), 1, 'offered once per conversation');

  // A new conversation may be rated again.
  await panel(page).getByRole('button', { name: 'Nieuw gesprek' }).click();
  await panel(page).getByText('Ik ben Gem').waitFor();
  assert.equal(await panel(page).locator('.message--nps').count(), 0);
  await finish(run);
});

test('personal data: a polite note in the conversation\'s language and tone, announced once; the message stays local and is answered', async () => {
  const run = await openPage(browser, origin, { path: '/?server=off' });
  const { page, watch } = run;
  await openByMouse(page);
  await recordAnnouncements(page);
  const requestsBefore = watch.requests.length;

  // (Answered with "did you mean …?": the point is that it is answered, locally, and the note follows.)
  await say(page, 'mijn bsn is 111222333, wat kost een rijbewijs');
  const warning = notes(page).filter({ hasText: 'Je hoeft je BSN hier niet te delen.' });
  await warning.waitFor();
  assert.equal(await warning.getAttribute('lang'), 'nl');
  assert.match(await panel(page).locator('.message--user').last().textContent(), /111222333/, 'the resident\'s own message is shown as typed');
  const warned = await announced(page, 'niet te delen');
  assert.equal(warned.length, 1);
  assert.match(warned[0].text, /^Melding: Je hoeft je BSN hier niet te delen\. Gem heeft dat niet nodig om je te helpen\.$/);
  await axe(page, 'personal-data warning');
  await shot(page, 'pii-warning');

  // The same kind again: no second note. Two new kinds: one note naming both.
  await say(page, 'nogmaals 111222333');
  await say(page, 'bel me op 06-12345678 of mail naar jan@example.nl');
  await notes(page).filter({ hasText: 'Je hoeft je telefoonnummer en e-mailadres hier niet te delen.' }).waitFor();
  assert.equal(await notes(page).filter({ hasText: 'BSN' }).count(), 1);

  // An address the assistant asked for is not warned about; the same address elsewhere is.
  await say(page, 'wanneer wordt het afval opgehaald?');
  await say(page, '3011 AB 12');
  assert.equal(await notes(page).filter({ hasText: 'je adres hier' }).count(), 0);
  await say(page, 'ik woon op 3011 AB 12, wat kost een ID-kaart?');
  await notes(page).filter({ hasText: 'Je hoeft je adres hier niet te delen.' }).waitFor();

  // In English.
  await panel(page).getByRole('button', { name: 'English' }).click();
  await panel(page).getByText('Hello! I am Gem').waitFor();
  await say(page, 'my IBAN is NL91ABNA0417164300, how much is a passport?');
  const english = notes(page).filter({ hasText: "You don't need to share your bank account number here." });
  await english.waitFor();
  assert.equal(await english.getAttribute('lang'), 'en');

  // Nothing typed left the browser: no request at all after opening (there is no server on this page).
  const urls = watch.requests.slice(requestsBefore).map((r) => r.url());
  assert.ok(urls.every((u) => !/111222333|12345678|example\.nl|NL91/.test(u)), urls.join('\n'));
  await finish(run);
});

test('personal data in a municipality that says "u"', async () => {
  const run = await openPage(browser, origin, { path: '/?server=off' });
  const { page, watch } = run;
  await page.evaluate(() => {
    document.querySelector('gem-assistant').remove();
    const el = document.createElement('gem-assistant');
    el.setAttribute('municipality', 'GM0363');
    document.body.append(el);
  });
  await openByMouse(page);
  await say(page, 'mijn geboortedatum is 12-03-1980, wat kost een paspoort?');
  await notes(page).filter({ hasText: 'U hoeft uw geboortedatum hier niet te delen. Gem heeft dat niet nodig om u te helpen.' }).waitFor(WAIT);
  watch.problems = watch.problems.filter((p) => !/404/.test(p));  // GM0363 has no pack of its own
  await finish(run);
});
