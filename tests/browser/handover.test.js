// A real handover end to end in headless Chromium: a resident in the widget on the demo page (one
// browser context) and a member of staff in the agent console /agent (another context), both on the
// real gem-server. The console is used with the keyboard only and checked with axe-core in every state.
//   GEM_SERVER_BIN=…/gem-server node --test tests/browser/handover.test.js
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { OPEN_ALL_WEEK, startGemServer } from '../lib/gem-server.js';
import { addAccount, PASSWORD } from '../server/handover_fixture.js';
import { buildWidget } from '../../widget/build.js';
import { launch } from './chromium.js';
import { ROOT, WAIT, axe as axeWidget, demoMounts, finish, input, notes, openByMouse, openPage, panel, say, status } from './widget-harness.js';

const WIDGET = join(ROOT, 'build/handover-browser-test');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let dir;
let server;
let browser;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'build/content/GM0599.json')), 'content packs missing: run scripts/gem content build');
  await buildWidget({ out: WIDGET, quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'gem-handover-browser-'));
  // Rotterdam open around the clock, so the handover works at any hour.
  const data = JSON.parse(readFileSync(join(ROOT, 'server/data/live-data.json'), 'utf8'));
  data.municipalities.GM0599.weekly_hours = OPEN_ALL_WEEK;
  data.municipalities.GM0599.exceptions = [];
  data.holidays = [];
  writeFileSync(join(dir, 'live.json'), JSON.stringify(data));
  server = await startGemServer({ config: {
    live_seed: join(dir, 'live.json'),
    limits: { rate_per_second: 1000, rate_burst: 1000 },
    static: demoMounts(WIDGET),
  } });
  addAccount(server, 'anna');
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  rmSync(WIDGET, { recursive: true, force: true });
});

async function axe(page, state) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: '/__test__/axe.min.js' });
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' > ')}: ${n.failureSummary}`) }));
  }, WCAG_TAGS);
  assert.deepEqual(violations, [], `axe (agent console, ${state}):\n${JSON.stringify(violations, null, 2)}`);
}

// Presses Tab until the focused element matches `name` (its accessible text), like a keyboard user.
async function tabTo(page, name, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const current = await page.evaluate(() => {
      const el = document.activeElement;
      const label = el.labels?.[0]?.textContent || el.getAttribute('aria-label') || el.textContent || '';
      const style = getComputedStyle(el);
      return { text: label.replace(/\s+/g, ' ').trim(), outline: style.outlineStyle, width: style.outlineWidth };
    });
    if (name.test(current.text)) {
      assert.notEqual(current.outline, 'none', `focus on "${current.text}" is not visible`);
      return;
    }
  }
  assert.fail(`could not reach ${name} with Tab`);
}

async function openConsole(locale = 'nl-NL') {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', locale });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.route('**/__test__/axe.min.js', (route) => route.fulfill({ body: AXE_SOURCE, contentType: 'text/javascript' }));
  const response = await page.goto(`${server.url}/agent`);
  assert.match(response.headers()['content-security-policy'], /script-src 'self'/);
  return { ctx, page, problems };
}

test('a resident in the widget and an agent in the console hand over a conversation end to end', async () => {
  const { ctx, page, problems } = await openConsole();
  await page.getByRole('heading', { name: 'Aanmelden' }).waitFor(WAIT);
  await axe(page, 'sign-in');

  // A wrong password: the error is text, announced, and focus returns to the password.
  await tabTo(page, /^Gebruikersnaam$/);
  await page.keyboard.type('anna');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').filter({ hasText: 'Gebruikersnaam of wachtwoord klopt niet.' }).waitFor(WAIT);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await axe(page, 'sign-in error');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByText('Aangemeld als anna', { exact: false }).waitFor(WAIT);
  await page.getByText('Er wacht niemand.').waitFor(WAIT);
  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === 'gem_session');
  assert.ok(session && session.httpOnly && session.secure && session.sameSite === 'Strict', JSON.stringify(cookies));
  assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is not readable by scripts');
  await axe(page, 'empty queue');

  // The resident asks for a person and shares the conversation.
  const resident = await openPage(browser, server.url);
  await openByMouse(resident.page);
  await say(resident.page, 'bel me op 06-12345678 over mijn paspoort');
  await say(resident.page, 'ik wil een medewerker spreken');
  // Joining the queue relabels the panel: only the button to leave the queue changes. The other labels are not
  // written again (a rewrite makes the browser lay their text out anew, on a phone inside a long task).
  await resident.page.evaluate(() => {
    const root = document.querySelector('gem-assistant').shadowRoot;
    const leave = root.querySelector('.toolbar').lastElementChild;
    window.__labelWrites = [];
    const observer = new MutationObserver((records) => {
      for (const { target, attributeName } of records) {
        const el = target.nodeType === Node.ELEMENT_NODE ? target : target.parentElement;
        window.__labelWrites.push(leave.contains(el) ? 'leave' : `${el.localName}.${el.className}${attributeName ? `[${attributeName}]` : ''}`);
      }
    });
    for (const part of ['.header', '.toolbar', '.composer']) {
      observer.observe(root.querySelector(part), { subtree: true, childList: true, characterData: true, attributes: true });
    }
  });
  await panel(resident.page).getByRole('button', { name: 'Chat met een medewerker' }).click();
  const consent = panel(resident.page).getByRole('group', { name: 'Mag de medewerker het gesprek tot nu toe lezen?' });
  await consent.getByRole('button', { name: 'Ja, deel het gesprek' }).click();
  await status(resident.page).filter({ hasText: /^Je bent nummer 1 in de wachtrij\./ }).waitFor(WAIT);
  const writes = await resident.page.evaluate(() => window.__labelWrites);
  assert.ok(writes.includes('leave'), 'the button to leave the queue appears');
  assert.deepEqual(writes.filter((w) => w !== 'leave'), [], 'labels that did not change are not written again');

  // The agent hears of the new resident, accepts with the keyboard and reads the redacted transcript.
  const accept = page.getByRole('button', { name: 'Aannemen' });
  await accept.waitFor(WAIT);
  await page.locator('#announcer').filter({ hasText: 'Er wacht een nieuwe inwoner.' }).waitFor(WAIT);
  await axe(page, 'queue with a resident');
  await tabTo(page, /^Aannemen$/);
  await page.keyboard.press('Enter');
  const chat = page.getByRole('article', { name: 'Gesprek 1' });
  await chat.waitFor(WAIT);
  const transcript = await chat.locator('.transcript').textContent();
  assert.match(transcript, /bel me op \[[A-Z]+\] over mijn paspoort/);
  assert.doesNotMatch(transcript, /12345678/);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Gesprek 1', 'focus moves to the new conversation');
  await notes(resident.page).filter({ hasText: 'Anna, medewerker van de gemeente, chat nu met je.' }).waitFor(WAIT);
  await axe(page, 'conversation open');

  // Chat both ways; markup typed by either side stays text.
  await tabTo(page, /^Bericht$/);
  await page.keyboard.type('Goedemiddag, <b>ik</b> help u graag.');
  await page.keyboard.press('Enter');
  const fromAgent = panel(resident.page).locator('.message--agent').filter({ hasText: 'Goedemiddag, <b>ik</b> help u graag.' });
  await fromAgent.waitFor(WAIT);
  await input(resident.page).pressSequentially('Ik ben mijn paspoort <i>kwijt</i>');
  await chat.getByText('De inwoner typt…').waitFor(WAIT);
  await input(resident.page).press('Enter');
  const log = chat.getByRole('log');
  await log.getByText('Inwoner: Ik ben mijn paspoort <i>kwijt</i>').waitFor(WAIT);
  assert.equal(await log.locator('i, b').count(), 0, 'resident text is never markup');
  await page.locator('#announcer').filter({ hasText: 'Nieuw bericht van de inwoner.' }).waitFor(WAIT);
  await axe(page, 'chatting');

  // The agent ends the conversation; the resident is told and the assistant takes over again.
  await tabTo(page, /^Gesprek beëindigen$/);
  await page.keyboard.press('Enter');
  await page.locator('#announcer').filter({ hasText: 'U hebt het gesprek beëindigd.' }).waitFor(WAIT);
  assert.equal(await page.getByRole('article').count(), 0);
  await notes(resident.page).filter({ hasText: /beëindigd/ }).waitFor(WAIT);
  await axe(page, 'after the end');
  await axeWidget(resident.page, 'after the agent ended');

  // Sign out with the keyboard: back to the sign-in form, and the session is gone on the server.
  await tabTo(page, /^Afmelden$/);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Aanmelden' }).waitFor(WAIT);
  const after = await page.evaluate(async () => (await fetch('/v1/agent/session')).status);
  assert.equal(after, 401);

  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations on /agent');
  assert.deepEqual(problems.filter((p) => !/401/.test(p)), [], 'console errors on /agent');
  await ctx.close();
  await finish(resident);
});

test('the console is Dutch by default and speaks English after the switch, also at 400% zoom', async () => {
  const { ctx, page } = await openConsole('en-GB');
  await page.setViewportSize({ width: 320, height: 400 });
  await page.getByRole('heading', { name: 'Aanmelden' }).waitFor(WAIT);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  await axe(page, 'Dutch sign-in in an English browser, 320 px');
  // The switch names the other language in that language, and works with the keyboard.
  const english = page.getByRole('button', { name: 'English' });
  assert.equal(await english.getAttribute('lang'), 'en');
  await english.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
  assert.equal(await page.getByRole('button', { name: 'Nederlands' }).getAttribute('lang'), 'nl');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Enter your user name and password.' }).waitFor(WAIT);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no horizontal scrolling at 320 px');
  await axe(page, 'English sign-in error, 320 px');
  await page.getByRole('button', { name: 'Nederlands' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Aanmelden' }).waitFor(WAIT);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nl');
  await ctx.close();
});
