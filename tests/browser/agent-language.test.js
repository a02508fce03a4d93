// The agent console /agent speaks Dutch by default, also in an English browser, and switches to English
// and back with a keyboard-operable button; axe-core (WCAG 2.1 A/AA) passes in both languages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { launch } from './chromium.js';
import { startGemServer } from '../lib/gem-server.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let server;
let browser;
before(async () => {
  server = await startGemServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function axe(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), WCAG_TAGS);
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('Dutch by default in an English browser, English with the switch, and back', async () => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}/agent`);
  await page.locator('#signin-form').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  assert.equal(await page.locator('h1').innerText(), 'Gem – gesprekken met inwoners');
  assert.equal(await page.locator('#language').innerText(), 'English');
  assert.equal(await page.locator('#language').getAttribute('lang'), 'en');
  assert.deepEqual(await axe(page), [], 'Dutch, 320 px');

  // Keyboard only: Tab to the switch, Enter.
  for (let i = 0; i < 6 && !(await page.evaluate(() => document.activeElement?.id === 'language')); i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'language');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('h1').innerText(), 'Gem – conversations with residents');
  assert.equal(await page.locator('label[for="username"]').innerText(), 'User name');
  assert.equal(await page.locator('#language').innerText(), 'Nederlands');
  assert.equal(await page.locator('#language').getAttribute('lang'), 'nl');
  assert.deepEqual(await axe(page), [], 'English, 320 px');

  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  assert.equal(await page.locator('label[for="username"]').innerText(), 'Gebruikersnaam');
  assert.deepEqual(problems, []);
  await context.close();
});
