// The offer to share one question (widget/src/samples.js, sample-offer.js) in headless Chromium on the demo
// page: shown after "not understood" and after a thumbs-down, with the redacted question and what Gem
// understood in words; keyboard only, announcements, focus, axe-core in each state, 320 px. The server's
// POST /v1/samples is a test double here (page.route); tests/browser/privacy.test.js sends to the real one.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  WAIT, announced, axe, demoPage, finish, focused, input, openByMouse, openPage, panel, recordAnnouncements, say, shot, smallTargets,
} from './widget-harness.js';

const demo = demoPage();

const OFFER = 'Help Gem beter te worden. Wil je deze vraag delen met de gemeente?';
const offer = (page) => panel(page).getByRole('group', { name: OFFER });

// The demo page with the static server as its Gem server: POST /v1/samples answered 204 and recorded; the
// other server requests (analytics) answered 204 without a body.
async function openWithServer(options = {}) {
  const run = await openPage(demo.browser, demo.origin, options);
  run.samples = [];
  await run.page.route('**/v1/**', (route) => {
    const request = route.request();
    if (new URL(request.url()).pathname === '/v1/samples') run.samples.push(JSON.parse(request.postData()));
    return route.fulfill({ status: 204 });
  });
  await openByMouse(run.page);
  await recordAnnouncements(run.page);
  return run;
}

test('not understood: the offer shows the redacted question; nothing is sent until "share" is pressed by keyboard', async () => {
  const run = await openWithServer();
  const { page } = run;
  await say(page, 'blorp fnargl wibbel, bel me op 06-12345678');
  await offer(page).waitFor(WAIT);
  assert.match(await offer(page).locator('.sample__text').textContent(), /^blorp fnargl wibbel, bel me op \[TELEFOON\]$/);
  assert.match(await offer(page).textContent(), /Gem (begreep niet waar de vraag over ging|twijfelde)\./);
  assert.ok((await announced(page, OFFER)).some((a) => a.text.includes('[TELEFOON]')), 'the offer is announced');
  assert.equal((await focused(page)).cls.includes('sample'), false, 'the offer does not take focus');
  await axe(page, 'sample offered');
  await shot(page, 'sample-offered');
  await page.waitForTimeout(500);
  assert.deepEqual(run.samples, [], 'nothing sent before the press');

  // From the input, Shift+Tab reaches "Niet delen", then "Deel deze vraag"; Enter shares.
  await input(page).focus();
  for (let i = 0; i < 12 && (await focused(page)).name !== 'Deel deze vraag'; i++) await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focused(page), { tag: 'button', name: 'Deel deze vraag', cls: 'sample__share', inWidget: true });
  await page.keyboard.press('Enter');
  await panel(page).locator('.message--sample .thanks', { hasText: 'Bedankt! Je vraag is gedeeld.' }).waitFor(WAIT);
  assert.equal(run.samples.length, 1);
  assert.equal(run.samples[0].text, 'blorp fnargl wibbel, bel me op [TELEFOON]');
  assert.deepEqual(Object.keys(run.samples[0]).sort(), ['lang', 'municipality', 'reason', 'text', 'understood']);
  assert.equal(run.samples[0].reason, 'not_understood');
  assert.equal((await focused(page)).name, 'Bedankt! Je vraag is gedeeld.', 'focus goes to the outcome, not to the page');
  assert.equal((await announced(page, 'Bedankt! Je vraag is gedeeld.', { exact: true })).length, 1);
  assert.equal(await offer(page).getByRole('button').count(), 0, 'a shared question cannot be sent twice');
  await axe(page, 'sample sent');
  await finish(run);
});

test('a thumbs-down offers the question with what Gem understood in words; "do not share" sends nothing (320 px)', async () => {
  const run = await openWithServer({ viewport: { width: 320, height: 640 } });
  const { page } = run;
  await say(page, 'wat kost een paspoort?');
  await panel(page).getByRole('group', { name: 'Heb ik je goed geholpen?' }).getByRole('button', { name: 'Nee' }).click();
  await offer(page).waitFor(WAIT);
  assert.equal((await offer(page).locator('.sample__text').textContent()).trim(), 'wat kost een paspoort?');
  assert.match(await offer(page).locator('.sample__understood').textContent(), /^Gem begreep: Paspoort: Kosten\.$/);
  assert.deepEqual(await smallTargets(page), []);
  const width = await panel(page).evaluate((el) => [el.scrollWidth, el.clientWidth]);
  assert.ok(width[0] <= width[1], `no horizontal scrolling at 320 px: ${width}`);
  await axe(page, 'sample offered at 320 px');
  await shot(page, 'sample-offered-320');
  await offer(page).getByRole('button', { name: 'Niet delen' }).click();
  await panel(page).getByText('Niet gedeeld. Er is niets verstuurd.').waitFor(WAIT);
  await page.waitForTimeout(500);
  assert.deepEqual(run.samples, []);
  await finish(run);
});

test('without a Gem server on the site nothing is offered', async () => {
  const run = await openPage(demo.browser, demo.origin, { path: '/?server=off' });
  const { page } = run;
  await openByMouse(page);
  await say(page, 'blorp fnargl wibbel');
  await page.waitForTimeout(300);
  assert.equal(await panel(page).locator('.message--sample').count(), 0);
  await finish(run);
});
