// The /dashboard page in headless Chromium against the real gem-server: sign in with the keyboard
// only, figures, charts with data tables, language switch, axe-core (WCAG 2.1 A/AA) signed out and
// in, no CSP violations and no request leaving the server's origin; and an editor's inbox of shared
// samples at 320 px, worked through with the keyboard.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { launch } from '../browser/chromium.js';
import { serverBinary, startGemServer } from '../lib/gem-server.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const PASSWORD = 'a long enough test password';

let server;
let browser;
before(async () => {
  server = await startGemServer();
  for (const [name, role] of [['lead', 'agent'], ['redacteur', 'editor']]) {
    const r = spawnSync(serverBinary(), ['--config', server.configFile, 'add-account', name, '--role', role,
      '--display-name', name, '--municipality', 'GM0599'],
    { env: { ...process.env, GEM_DATA_DIR: server.dataDir, GEM_ACCOUNT_PASSWORD: PASSWORD }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  for (const [text, product, reason] of [['wat kost een paspoort', 'paspoort', 'not_understood'],
    ['mijn paspoort is gestolen', 'paspoort', 'thumbs_down'], ['mag ik een dakkapel bouwen', null, 'not_understood']]) {
    const shared = await fetch(`${server.url}/v1/samples`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ municipality: 'GM0599', lang: 'nl', text, reason, understood: { intent: 'product_vraag', product, aspect: null } }) });
    assert.equal(shared.status, 204);
  }
  const events = [{ type: 'conversation_started' }, { type: 'conversation_started' }, { type: 'understood_first_time' },
    { type: 'answer', product: 'paspoort', aspect: 'kosten' }, { type: 'answer', product: 'grofvuil', aspect: null },
    { type: 'answer', product: 'paspoort', aspect: null }, { type: 'handover_requested' }, { type: 'nps', score: 10 }];
  const res = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ municipality: 'GM0599', events }) });
  assert.equal(res.status, 204);
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

async function tabTo(page, selector, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

test('sign in with the keyboard and read the figures, charts and tables', async () => {
  // A clock far from Amsterdam's: the figures are counted by the day in Amsterdam, and today's must show.
  const context = await browser.newContext({ timezoneId: 'Pacific/Kiritimati' });
  const page = await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/401/.test(m.text())) problems.push(m.text()); });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${server.url}/dashboard`);
  await page.locator('#signin-form').waitFor();
  assert.deepEqual(await axe(page), [], 'signed out');
  assert.equal(await page.locator('#inbox').isHidden(), true);

  // A wrong password is announced and focus returns to the password field.
  await tabTo(page, '#username');
  await page.keyboard.type('lead');
  await page.keyboard.press('Tab');
  await page.keyboard.type('wrong password!');
  await page.keyboard.press('Enter');
  await page.locator('#signin-error:not(:empty)').waitFor();
  assert.equal(await page.locator('#signin-error').getAttribute('role'), 'alert');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');

  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#report:not([hidden]) .figure').first().waitFor();
  const amsterdamToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
  assert.equal(await page.locator('#to').inputValue(), amsterdamToday);
  const figures = await page.locator('.figure').allInnerTexts();
  assert.ok(figures.some((f) => /Gesprekken\s+2/.test(f)), figures.join(' | '));
  assert.ok(figures.some((f) => /Doorverbonden met een medewerker\s+50%/.test(f)), figures.join(' | '));
  assert.ok(figures.some((f) => /NPS\s+100/.test(f)), figures.join(' | '));
  assert.equal(await page.locator('.chart svg[role="img"]').count(), 2);
  assert.equal(await page.locator('#inbox').isHidden(), true, 'agents see no samples');
  assert.deepEqual(await axe(page), [], 'signed in');

  // The table behind a chart opens with the keyboard.
  await tabTo(page, '.chart:nth-of-type(2) summary');
  await page.keyboard.press('Enter');
  const rows = await page.locator('.chart:nth-of-type(2) tbody tr').allInnerTexts();
  assert.deepEqual(rows.map((r) => r.replace(/\s+/g, ' ').trim()), ['paspoort 2', 'grofvuil 1']);

  // English.
  await page.locator('#language').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.ok((await page.locator('.figure').allInnerTexts()).some((f) => /Conversations\s+2/.test(f)));
  assert.deepEqual(await axe(page), [], 'English');

  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(problems, []);
  assert.ok(requests.every((u) => u.startsWith(server.url)), requests.join('\n'));
  await context.close();
});

test('an editor works through the inbox with the keyboard at 320 px', async () => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}/dashboard`);
  await tabTo(page, '#username');
  await page.keyboard.type('redacteur');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#inbox:not([hidden]) .sample').first().waitFor();
  assert.match(await page.locator('#inbox-status').innerText(), /3 gedeelde vragen geladen/);
  assert.equal(await page.locator('#inbox-status').getAttribute('role'), 'status');
  // Grouped by what Gem guessed; the shared text is shown as text.
  // (Within a day the order is random by design, so the groups are compared as a set.)
  assert.deepEqual((await page.locator('.group h3').allInnerTexts()).sort(), ['Gem dacht: paspoort', 'Gem dacht: product vraag']);
  const passports = page.locator('.group', { hasText: 'Gem dacht: paspoort' });
  assert.equal(await passports.locator('.sample').count(), 2);
  assert.ok((await page.locator('#failures').innerText()).includes('Waar inwoners vastliepen'));
  assert.deepEqual(await axe(page), [], 'inbox at 320 px');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling at 320 px');

  // Label the dakkapel question: product by typing in the select, then save with Enter.
  const dakkapel = page.locator('.sample', { hasText: 'dakkapel' });
  const id = (await dakkapel.getAttribute('id')).replace('sample-', '');
  await tabTo(page, `#product-${id}`);
  await page.keyboard.type('omgevingsv');
  await page.keyboard.press('Tab');
  await page.keyboard.type('aanv');
  assert.equal(await page.locator(`#aspect-${id}`).inputValue(), 'aanvragen');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Label opslaan');
  await page.keyboard.press('Enter');
  await page.locator('#inbox-status', { hasText: 'Label opgeslagen' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Label opslaan', 'focus stays where the user is');
  assert.match(await dakkapel.locator('.meta').innerText(), /label: product vraag · omgevingsvergunning · aanvragen/);

  // Delete a passport question with the keyboard: focus goes to the other one.
  const first = passports.locator('.sample').first();
  const firstId = await first.getAttribute('id');
  await first.locator('.delete').focus();
  await page.keyboard.press('Enter');
  await page.locator('#inbox-status', { hasText: 'Vraag verwijderd' }).waitFor();
  assert.equal(await page.locator(`#${firstId}`).count(), 0);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('sample')), true);

  // What the server now holds: the label, and two questions.
  const session = await page.evaluate(() => fetch('/v1/staff/samples?municipality=GM0599').then((r) => r.json()));
  assert.equal(session.samples.length, 2);
  assert.deepEqual(session.samples.find((s) => s.id === id).label,
    { kind: 'taxonomy', intent: 'product_vraag', product: 'omgevingsvergunning', aspect: 'aanvragen' });

  await page.locator('#language').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#inbox-title').innerText(), 'Shared questions');
  assert.match(await dakkapel.locator('.meta').innerText(), /label: product vraag/);
  assert.deepEqual(await axe(page), [], 'inbox in English');
  assert.deepEqual(problems, []);
  await context.close();
});
