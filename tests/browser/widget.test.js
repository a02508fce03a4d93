// The chat widget on the demo page, in headless Chromium under the strict Content-Security-Policy:
// no request before the launcher is used, conversations by mouse and by keyboard only, focus and
// announcements, axe-core (WCAG 2.1 A/AA) closed, open, mid-conversation and at 320 px, themes, safe rendering.
// Screenshots of the key states go to build/test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import * as esbuild from 'esbuild';

import { CSP, serve } from '../../scripts/cli/serve.js';
import { HASHED_NAME, buildWidget } from '../../widget/build.js';
import { launch } from './chromium.js';
import * as harness from './widget-harness.js';

const { ROOT, WAIT, axe, botMessages, focused, input, launcher, openByMouse, panel, recordAnnouncements, say, shot } = harness;

let server;
let browser;
let origin;
let loaderSize;

before(async () => {
  assert.ok(existsSync(join(ROOT, 'build/content/GM0599.json')), 'content packs missing: run scripts/gem content build');
  ({ report: { 'gem.js': loaderSize } } = await buildWidget({ quiet: true }));
  server = await serve({ port: 0, index: 'index.html' });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// The demo page as on a site without data-server (this static server has no /v1/ API).
function openPage({ path = '/', ...options } = {}) {
  return harness.openPage(browser, origin, { path: `${path}${path.includes('?') ? '&' : '?'}server=off`, ...options });
}
const finish = (run, options) => harness.finish(run, options);

test('the loader alone: no request and no storage before the launcher is used; prefetch on hover', async () => {
  const run = await openPage();
  const { page, watch, response } = run;
  assert.ok(loaderSize.brotli <= 6 * 1024, `gem.js is ${loaderSize.brotli} B brotli`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);

  await page.waitForTimeout(1000);
  const widgetRequests = watch.requests.map((r) => r.url()).filter((url) => url.includes('/widget/')).map((url) => new URL(url).pathname);
  assert.deepEqual(widgetRequests, ['/widget/gem.js']);
  assert.deepEqual(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie]), [0, 0, '']);
  // Nothing leaks into the page: one custom element, no globals of ours.
  assert.equal(await page.evaluate(() => ['createGemCore', 'ort', 'Gem'].filter((n) => n in window).length), 0);
  await assert.doesNotReject(launcher(page).getAttribute('aria-expanded').then((v) => assert.equal(v, 'false')));
  assert.equal(await launcher(page).getAttribute('aria-controls'), null);
  assert.equal(await page.getByRole('button', { name: 'Vraag het Gem' }).count(), 1);
  const box = await launcher(page).boundingBox();
  assert.ok(box.width >= 44 && box.height >= 44, `launcher ${box.width}×${box.height}`);
  await axe(page, 'closed');
  await shot(page, 'closed');

  const onnx = page.waitForRequest((r) => /\/widget\/models\/gem-intent\.[0-9a-f]{12}\.onnx$/.test(r.url()));
  await launcher(page).hover();
  await onnx;  // hover prefetches the heavy parts...
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');  // ...but opens nothing
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await finish(run);
});

test('a conversation by mouse: welcome, quick replies, a typed follow-up, links, feedback, announcements', async () => {
  const run = await openPage();
  const { page } = run;
  await openByMouse(page);
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'true');
  assert.equal(await launcher(page).getAttribute('aria-controls'), 'gem-panel');
  assert.deepEqual(await focused(page), { tag: 'textarea', name: '', cls: '', inWidget: true });
  await panel(page).getByText('Ik ben Gem, de digitale assistent van de gemeente Rotterdam').waitFor();
  const topics = panel(page).getByRole('group', { name: 'Onderwerpen' });
  assert.deepEqual(await topics.getByRole('button').allTextContents(), ['Paspoort', 'ID-kaart', 'Verhuizen', 'Afval', 'Parkeervergunning']);
  await recordAnnouncements(page);
  await axe(page, 'open');
  await shot(page, 'open');

  await topics.getByRole('button', { name: 'Paspoort' }).click();
  await panel(page).getByText('Met een paspoort kun je naar alle landen reizen').waitFor();
  await panel(page).getByRole('group', { name: 'Wat wil je weten over paspoort?' }).getByRole('button', { name: 'Kosten' }).click();
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor();
  // Focus went back to the input after the quick replies it was on were replaced.
  assert.equal((await focused(page)).tag, 'textarea');

  await input(page).fill('en voor een kind?');
  await panel(page).getByRole('button', { name: 'Verstuur' }).click();
  const answer = botMessages(page).filter({ hasText: 'kind onder 18 kost maximaal € 67,05' });
  await answer.waitFor(WAIT);

  // Every message says which language it is in; the user's message gets the detected language.
  const langs = await panel(page).locator('.message').evaluateAll((els) => els.map((el) => el.getAttribute('lang')));
  assert.ok(langs.length >= 6 && langs.every((l) => l === 'nl'), langs.join());
  // Links: https only, other sites marked in text and opening in a new tab.
  const link = answer.getByRole('link', { name: /Paspoort aanvragen/ });
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /noopener/);
  assert.match(await link.textContent(), /\(andere website, opent in een nieuw tabblad\)/);
  // Thumbs up/down on the answer.
  const feedback = answer.getByRole('group', { name: 'Heb ik je goed geholpen?' });
  await feedback.getByRole('button', { name: 'Ja' }).click();
  assert.equal(await feedback.getByRole('button', { name: 'Ja' }).getAttribute('aria-pressed'), 'true');
  await answer.getByText('Bedankt voor je reactie.').waitFor();

  // The log is not itself live; each bot message was announced once, in its language, by the separate region.
  const roles = await page.evaluate(() => {
    const root = document.querySelector('gem-assistant').shadowRoot;
    const log = root.querySelector('[role="log"]');
    return { log: log.getAttribute('aria-live'), announcer: root.querySelector('.announcer').getAttribute('aria-live'),
      status: root.querySelectorAll('[role="status"]').length };
  });
  assert.deepEqual(roles, { log: 'off', announcer: 'polite', status: 2 });
  const announcements = await page.evaluate(() => window.__announcements);
  assert.equal(announcements.filter((a) => a.text.includes('88,65')).length, 1, JSON.stringify(announcements));
  assert.equal(announcements.filter((a) => a.text.includes('kind onder 18 kost maximaal € 67,05')).length, 1, JSON.stringify(announcements));
  assert.ok(announcements.every((a) => a.lang === 'nl' && a.text.startsWith('Gem: ')));
  assert.match(announcements[0].text, /Keuzes: Kosten, Afspraak/);
  // Targets: every button and every link under an answer is at least 44 × 44 CSS px.
  assert.deepEqual(await harness.smallTargets(page), []);
  await axe(page, 'mid-conversation');
  await shot(page, 'conversation');

  // Close: focus back on the launcher.
  await panel(page).getByRole('button', { name: 'Chat sluiten' }).click();
  assert.equal(await panel(page).count(), 0);
  assert.equal(await launcher(page).getAttribute('aria-expanded'), 'false');
  assert.equal((await focused(page)).cls, 'launcher');

  // The conversation survives navigation (sessionStorage, written after opening) ...
  const stored = await page.evaluate(() => sessionStorage.getItem('gem:conversation:GM0599'));
  assert.match(stored, /67,05/);
  await page.reload();
  await launcher(page).click();
  await botMessages(page).filter({ hasText: 'kind onder 18 kost maximaal € 67,05' }).waitFor();
  // Closing after a real conversation added the NPS question (widget-feedback.test.js tests it).
  assert.equal(await panel(page).locator('.message').count(), langs.length + 1);
  // ... and "new conversation" clears it.
  await panel(page).getByRole('button', { name: 'Nieuw gesprek' }).click();
  await panel(page).getByText('Ik ben Gem').waitFor();
  assert.equal(await panel(page).locator('.message').count(), 1);
  assert.doesNotMatch(await page.evaluate(() => sessionStorage.getItem('gem:conversation:GM0599') ?? ''), /67,05/);
  assert.equal((await focused(page)).tag, 'textarea');
  await finish(run);
});

test('a conversation by keyboard only, with focus order and focus return', async () => {
  const run = await openPage();
  const { page } = run;
  // Tab through the page to the launcher.
  for (let i = 0; i < 40 && (await focused(page)).cls !== 'launcher'; i++) await page.keyboard.press('Tab');
  assert.equal((await focused(page)).cls, 'launcher');
  await page.keyboard.press('Enter');
  await panel(page).waitFor();
  assert.equal((await focused(page)).tag, 'textarea');

  await page.keyboard.type('paspoort');
  await page.keyboard.press('Enter');
  await panel(page).getByText('Met een paspoort kun je naar alle landen reizen').waitFor(WAIT);
  // Shift+Enter starts a new line instead of sending.
  await page.keyboard.type('a');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('b');
  assert.equal(await input(page).inputValue(), 'a\nb');
  await input(page).fill('');

  // Back to the quick replies with Shift+Tab, press one with Enter.
  for (let i = 0; i < 8 && (await focused(page)).name !== 'Kosten'; i++) await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focused(page), { tag: 'button', name: 'Kosten', cls: 'choice', inWidget: true });
  await shot(page, 'keyboard-focus');
  await page.keyboard.press('Enter');
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor();
  assert.equal((await focused(page)).tag, 'textarea');

  // Under the answer, "more about" the product: the next aspect is one keypress away.
  const more = panel(page).getByRole('group', { name: 'Meer over paspoort' });
  const [next] = await more.getByRole('button').allTextContents();
  assert.ok(next, 'no "more about" buttons under the answer');
  await axe(page, 'more about');
  for (let i = 0; i < 8 && (await focused(page)).name !== next; i++) await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focused(page), { tag: 'button', name: next, cls: 'choice', inWidget: true });
  const answered = await botMessages(page).count();
  await page.keyboard.press('Enter');
  await botMessages(page).nth(answered).waitFor(WAIT);
  assert.doesNotMatch(await botMessages(page).nth(answered).innerText(), /88,65/);
  assert.equal((await focused(page)).tag, 'textarea');

  // Focus order: launcher → close → new conversation → language → transcript → … → input → send → out.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).name, 'Verstuur');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).inWidget, false, 'no keyboard trap');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused(page)).name, 'Verstuur');
  await launcher(page).focus();
  const order = [];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    order.push(f.name || f.cls);
  }
  assert.deepEqual(order.slice(0, 3), ['Chat sluiten', 'Nieuw gesprek', 'English']);
  assert.equal((await focused(page)).cls, 'transcript');

  // Esc closes and returns focus to the launcher; Enter opens again, conversation intact.
  await page.keyboard.press('Escape');
  assert.equal(await panel(page).count(), 0);
  assert.equal((await focused(page)).cls, 'launcher');
  await page.keyboard.press('Enter');
  await panel(page).waitFor();
  assert.equal((await focused(page)).tag, 'textarea');
  assert.equal(await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).count(), 1);
  await finish(run);
});

// While the full model loads: a clear question, which the core's compact tier answers, then one it is not sure
// of, which waits for the full model with an announced status. Returns that question and the status line.
async function askWhileModelLoads(page) {
  await harness.say(page, 'wat kost een paspoort?');
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor(WAIT);
  const question = 'waar kan ik mijn klacht kwijt over de buren';
  await input(page).fill(question);
  await page.keyboard.press('Enter');
  const status = panel(page).getByRole('status');
  await status.filter({ hasText: 'Gem is bijna klaar. Je vraag wordt beantwoord zodra Gem geladen is.' }).waitFor();
  return { question, status };
}

// Holds back the responses to `pattern`, in the page and in its workers, until the function it resolves to is called.
async function holdBack(context, pattern) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await context.route(pattern, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

test('while the full model loads: quick replies work, the compact tier answers what it is sure of, other messages wait with an announced status', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const release = await holdBack(context, /\/widget\/models\/gem-intent\.[0-9a-f]{12}\.onnx$/);
  const run = await openPage({ context });
  const { page } = run;
  await openByMouse(page);
  await panel(page).getByRole('button', { name: 'Afval' }).click();
  await botMessages(page).nth(1).waitFor();  // answered by the dialogue alone, without the model

  const { question, status } = await askWhileModelLoads(page);
  assert.equal(await panel(page).locator('.message--user').filter({ hasText: question }).count(), 1);
  const answered = await botMessages(page).count();
  await shot(page, 'waiting-for-model');

  release();
  await botMessages(page).nth(answered).waitFor(WAIT);
  assert.equal(await status.textContent(), '');
  await finish(run);
});

// A message typed while the understanding loads (the compact tier held back here): once the compact tier is there,
// a message it is sure of is answered before the full model's downloads start, which would otherwise share the CPU
// with it; a message it is not sure of starts them at once, since it waits for the full model.
test('typed while the understanding loads: the compact tier answers before the full model starts loading, and an unsure message starts it', async () => {
  for (const { question, answer, answeredFirst } of [
    { question: 'wat kost een paspoort?', answer: 'maximaal € 88,65', answeredFirst: true },
    { question: 'waar kan ik mijn klacht kwijt over de buren', answer: '', answeredFirst: false },
  ]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    const releaseCompact = await holdBack(context, /\/widget\/models\/gem-compact\.[0-9a-f]{12}\.bin$/);
    let page = null;
    const answersWhenModelAsked = [];
    await context.route(/\/widget\/models\/gem-intent\.[0-9a-f]{12}\.onnx$/, async (route) => {
      answersWhenModelAsked.push(await botMessages(page).count());
      await route.continue();
    });
    const run = await openPage({ context });
    page = run.page;
    await openByMouse(page);
    const before = await botMessages(page).count();
    await input(page).fill(question);
    await page.keyboard.press('Enter');
    await panel(page).getByRole('status').filter({ hasText: 'Gem is bijna klaar' }).waitFor(WAIT);
    releaseCompact();
    await botMessages(page).nth(before).filter({ hasText: answer }).waitFor(WAIT);
    for (let i = 0; i < 100 && !answersWhenModelAsked.length; i++) await page.waitForTimeout(100);
    assert.deepEqual(answersWhenModelAsked, [answeredFirst ? before + 1 : before], question);
    await finish(run);
  }
});

// A question typed before the core has arrived: the welcome comes first, without its topic buttons (the answer's
// would replace them at once), then the answer; the live region announces both, in that order.
test('typed before Gem has loaded: the welcome without topics, then the answer, both announced in order', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const releaseCore = await holdBack(context, /\/widget\/core\/gem-core\.[0-9a-f]{12}\.wasm$/);
  const run = await openPage({ context });
  const { page } = run;
  await launcher(page).click();
  await panel(page).waitFor();
  await recordAnnouncements(page);
  // Every set of buttons the group of quick replies shows from now on.
  await page.evaluate(() => {
    const root = document.querySelector('gem-assistant').shadowRoot;
    window.__offered = [];
    new MutationObserver(() => {
      const labels = [...root.querySelectorAll('.choices:not([hidden]) button')].map((b) => b.textContent);
      if (labels.length) window.__offered.push(labels.join('|'));
    }).observe(root.querySelector('.choices'), { childList: true, subtree: true, attributes: true });
  });
  await input(page).fill('wat kost een paspoort?');
  await page.keyboard.press('Enter');
  releaseCore();
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor(WAIT);
  const [welcome, answer] = await botMessages(page).allTextContents();
  assert.match(welcome, /Ik ben Gem/);
  assert.match(answer, /maximaal € 88,65/);
  const offered = await page.evaluate(() => window.__offered);
  assert.ok(offered.length >= 1 && offered.every((labels) => !/Verhuizen|Parkeervergunning/.test(labels)), offered.join(' / '));
  await page.waitForFunction(() => window.__announcements.some((a) => a.text.includes('88,65')), null, WAIT);
  const announced = (await harness.announcements(page)).map((a) => a.text);
  const welcomeAt = announced.findIndex((text) => text.includes('Ik ben Gem'));
  const answerAt = announced.findIndex((text) => text.includes('88,65'));
  assert.ok(welcomeAt >= 0 && welcomeAt < answerAt, announced.join(' / '));
  assert.doesNotMatch(announced[welcomeAt], /Parkeervergunning/);
  await finish(run);
});

// The full model's download fails (a network problem) while a message waits for it: the message is marked not
// sent, the status line says so, and "try again" has the engine fetch the model again and answer (same core).
test('a full model that did not download: the waiting message can be sent again, and the engine fetches the model again', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  let attempts = 0;
  let fail;
  const failing = new Promise((resolve) => { fail = resolve; });
  await context.route(/\/widget\/models\/gem-intent\.[0-9a-f]{12}\.onnx$/, async (route) => {
    attempts += 1;
    if (attempts > 1) return route.continue();
    await failing;
    return route.abort('failed');
  });
  const run = await openPage({ context });
  const { page } = run;
  await openByMouse(page);
  const { question, status } = await askWhileModelLoads(page);
  const answered = await botMessages(page).count();
  fail();
  const failed = panel(page).locator('.message--failed').filter({ hasText: question });
  await failed.waitFor(WAIT);
  assert.match(await status.textContent(), /Gem kon niet worden geladen/);
  await failed.getByRole('button', { name: 'Opnieuw proberen' }).click();
  await botMessages(page).nth(answered).waitFor(WAIT);
  assert.equal(await panel(page).locator('.message--failed').count(), 0);
  assert.equal(attempts, 2);
  await finish(run, { expected: [/Failed to load resource|ERR_FAILED/] });
});

// The wasm core's download fails (a network problem): the panel says Gem could not be loaded, with nothing else
// shown, and "load again" starts a new engine, which fetches the core again, welcomes the resident and answers.
test('a core that did not download: the panel says so, and "load again" fetches it again and welcomes', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  let attempts = 0;
  await context.route(/\/widget\/core\/gem-core\.[0-9a-f]{12}\.wasm$/, (route) => {
    attempts += 1;
    return attempts === 1 ? route.abort('failed') : route.continue();
  });
  const run = await openPage({ context });
  const { page } = run;
  await launcher(page).click();
  const again = panel(page).getByRole('button', { name: 'Opnieuw laden' });
  await again.waitFor(WAIT);
  assert.match(await harness.status(page).textContent(), /Gem kon niet worden geladen/);
  assert.equal(await botMessages(page).count(), 0);
  await again.click();
  await botMessages(page).filter({ hasText: 'Ik ben Gem' }).waitFor(WAIT);
  assert.equal(attempts, 2);
  await harness.say(page, 'wat kost een paspoort?');
  assert.match(await botMessages(page).last().innerText(), /€ 88,65/);
  await finish(run, { expected: [/Failed to load resource|ERR_FAILED/] });
});

// Where the transcript is scrolled, once the frame in which the widget scrolls it has been drawn.
async function scrolled(page) {
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  return panel(page).locator('.transcript').evaluate((t) => {
    const answer = [...t.querySelectorAll('.message--bot')].at(-1);
    return { top: t.scrollTop, end: t.scrollHeight - t.clientHeight, height: t.clientHeight, answerTop: answer.offsetTop, answerHeight: answer.offsetHeight };
  });
}

test('the transcript on a phone: a long answer is shown from its top, also after the resident scrolled to the end', async () => {
  const run = await openPage({ viewport: { width: 320, height: 640 } });
  const { page } = run;
  await openByMouse(page);
  await say(page, 'Ik wil verhuizen naar Rotterdam, wat moet ik doen?');
  let at = await scrolled(page);
  assert.ok(at.answerHeight > at.height, `the answer is longer than the transcript is high: ${JSON.stringify(at)}`);
  assert.equal(at.top, Math.min(at.answerTop - 8, at.end), 'the answer starts at the top of the transcript');
  // The resident scrolls to the end and asks again: the next answer is shown from its top too.
  await panel(page).locator('.transcript').evaluate((t) => { t.scrollTop = t.scrollHeight; });
  await say(page, 'wat kost een paspoort?');
  at = await scrolled(page);
  assert.equal(at.top, Math.min(at.answerTop - 8, at.end), 'the second answer starts at the top of the transcript');
  await finish(run);
});

test('reflow at 320 CSS px: the panel fills the screen, nothing scrolls sideways, axe passes', async () => {
  const run = await openPage({ viewport: { width: 320, height: 640 } });
  const { page } = run;
  await axe(page, '320 px closed');
  await openByMouse(page);
  await input(page).fill('Kan ik met mijn ID-kaart naar Zuid-Afrika?');
  await page.keyboard.press('Enter');
  await botMessages(page).nth(1).waitFor(WAIT);
  const box = await panel(page).boundingBox();
  assert.deepEqual([box.x, box.y, box.width, box.height], [0, 0, 320, 640]);
  const overflow = await page.evaluate(() => {
    const root = document.querySelector('gem-assistant').shadowRoot;
    const p = root.querySelector('.panel');
    const t = root.querySelector('.transcript');
    return { page: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth, transcript: t.scrollWidth - t.clientWidth };
  });
  assert.deepEqual(overflow, { page: 320, panel: 0, transcript: 0 });
  assert.equal(await launcher(page).isVisible(), false);  // under the full-screen panel, out of the tab order
  await axe(page, '320 px open');
  await shot(page, '320px');
  await page.keyboard.press('Escape');
  assert.equal((await focused(page)).cls, 'launcher');
  assert.ok(await launcher(page).isVisible());
  await finish(run);
});

test('200% text and the WCAG text-spacing overrides: nothing is clipped, the input stays reachable', async () => {
  const run = await openPage();
  const { page } = run;
  // Text at double size (the widget's base size follows the --gem-font-size token, normally the browser's
  // default), and the text-spacing overrides of WCAG 1.4.12 inside the shadow root.
  await page.evaluate(() => {
    const host = document.querySelector('gem-assistant');
    host.style.setProperty('--gem-font-size', '32px');
    const spacing = new CSSStyleSheet();
    spacing.replaceSync(`* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
      p { margin-block-end: 2em !important; }`);
    host.shadowRoot.adoptedStyleSheets = [...host.shadowRoot.adoptedStyleSheets, spacing];
  });
  await openByMouse(page);
  await panel(page).getByRole('button', { name: 'Paspoort' }).click();
  await botMessages(page).nth(1).waitFor();
  await panel(page).getByRole('button', { name: 'Kosten' }).scrollIntoViewIfNeeded();
  const clipped = await page.evaluate(() => {
    const root = document.querySelector('gem-assistant').shadowRoot;
    const out = [];
    for (const el of root.querySelectorAll('button, label, .title, .subtitle, .status, .choices__label, .privacy, .message')) {
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`);
    }
    const p = root.querySelector('.panel');
    if (p.scrollWidth > p.clientWidth) out.push(`panel ${p.scrollWidth} > ${p.clientWidth}`);
    return out;
  });
  assert.deepEqual(clipped, []);
  await input(page).scrollIntoViewIfNeeded();
  assert.ok(await input(page).isVisible());
  await input(page).fill('wat kost het?');
  await page.keyboard.press('Enter');
  await botMessages(page).filter({ hasText: 'maximaal € 88,65' }).waitFor(WAIT);
  await shot(page, 'text-200-spacing');
  await finish(run);
});

test('themes: the Rotterdam design tokens and the default theme, switched on the demo page', async () => {
  const run = await openPage({ path: '/?theme=rotterdam' });
  const { page } = run;
  const background = () => launcher(page).evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(await background(), 'rgb(0, 129, 31)');  // --rotterdam-color-base-green
  await openByMouse(page);
  await panel(page).getByRole('button', { name: 'Parkeervergunning' }).click();
  await botMessages(page).nth(1).waitFor();
  const send = await panel(page).getByRole('button', { name: 'Verstuur' }).evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(send, 'rgb(161, 43, 94)');  // --rotterdam-color-magenta-tint-02
  await axe(page, 'Rotterdam theme');
  await shot(page, 'rotterdam');
  await page.keyboard.press('Escape');
  await page.getByRole('radio', { name: 'Standaard' }).check();
  assert.equal(await background(), 'rgb(21, 66, 115)');

  // Windows high contrast (forced colours): boundaries stay visible, focus uses the system highlight.
  await page.emulateMedia({ forcedColors: 'active' });
  await launcher(page).focus();
  await page.keyboard.press('Enter');
  await panel(page).waitFor();
  await page.keyboard.press('Shift+Tab');
  const outline = await page.evaluate(() => {
    const el = document.querySelector('gem-assistant').shadowRoot.activeElement;
    const style = getComputedStyle(el);
    return { style: style.outlineStyle, width: style.outlineWidth, border: getComputedStyle(el.closest('.panel')).borderTopStyle };
  });
  assert.deepEqual(outline, { style: 'solid', width: '3px', border: 'solid' });
  await shot(page, 'forced-colors');
  await finish(run);
});

test('language switch, handover and live data without a server', async () => {
  const run = await openPage();
  const { page } = run;
  await openByMouse(page);
  await panel(page).getByRole('button', { name: 'English' }).click();
  await panel(page).getByText('Hello! I am Gem').waitFor();
  assert.equal(await botMessages(page).last().getAttribute('lang'), 'en');
  assert.equal(await page.getByRole('button', { name: 'Ask Gem' }).count(), 1);
  assert.equal(await panel(page).getAttribute('lang'), 'en');
  await panel(page).getByRole('button', { name: 'Nederlands' }).waitFor();
  await panel(page).getByRole('button', { name: 'Nederlands' }).click();
  await botMessages(page).last().getByText('Hallo! Ik ben Gem').waitFor();

  await input(page).fill('ik wil een medewerker spreken');
  await page.keyboard.press('Enter');
  await panel(page).getByRole('button', { name: 'Chat met een medewerker' }).click();
  await panel(page).getByText('Doorverbinden met een medewerker kan via deze website nog niet').waitFor();
  await botMessages(page).filter({ hasText: '14 010' }).last().waitFor();

  await input(page).fill('wanneer wordt het afval opgehaald? 3011 AB 12');
  await page.keyboard.press('Enter');
  await panel(page).getByText('Actuele gegevens kan ik op deze website nog niet opvragen').waitFor(WAIT);
  await shot(page, 'notes');
  await finish(run);
});

test('the <gem-assistant> element and the ES module: other municipalities and their packs, position', async () => {
  const run = await openPage();
  const { page, watch } = run;
  // A municipality without a hand-written file: its own pack from the registers, formal tone, bottom left.
  await page.evaluate(() => {
    document.querySelector('gem-assistant').remove();
    const el = document.createElement('gem-assistant');
    el.setAttribute('municipality', 'GM0363');
    el.setAttribute('position', 'bottom-left');
    document.body.append(el);
  });
  await openByMouse(page);
  assert.match(await botMessages(page).first().textContent(), /de gemeente Amsterdam/);
  assert.equal(await panel(page).locator('.subtitle').textContent(), 'Gemeente Amsterdam');
  await panel(page).getByLabel('Uw vraag').waitFor();  // the generic content says 'u'
  assert.ok((await launcher(page).boundingBox()).x < 100);

  // The ES module entry: import and mount.
  await page.evaluate(async () => {
    document.querySelector('gem-assistant').remove();
    const { mount } = await import('/widget/gem.mjs');
    mount({ municipality: 'GM0344', lang: 'en' });
  });
  await page.getByRole('button', { name: 'Ask Gem' }).click();
  await botMessages(page).first().waitFor(WAIT);
  assert.match(await botMessages(page).first().textContent(), /municipality of Utrecht/);
  // Opened in English: the welcome and the panel's own texts, with no Dutch first.
  assert.equal(await botMessages(page).first().getAttribute('lang'), 'en');
  await panel(page).getByLabel('Your question').waitFor();
  assert.equal(await panel(page).getByRole('button', { name: 'Send' }).count(), 1);
  await finish(run);
});

test('the municipality picker: any of the 342 by keyboard, the widget then loads only that pack', async () => {
  const run = await openPage();
  const { page, watch } = run;
  const picker = page.getByLabel('Gemeente van de assistent');
  assert.equal(await picker.locator('option').count(), 342);
  assert.equal(await picker.inputValue(), 'GM0599');
  await picker.focus();
  await page.keyboard.type('Zwolle');
  assert.equal(await picker.inputValue(), 'GM0193');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Kies');
  await Promise.all([page.waitForURL(/municipality=GM0193/), page.keyboard.press('Enter')]);
  assert.match(page.url(), /server=off/);
  assert.equal(await page.locator('.brand span').textContent(), 'Zwolle');
  await axe(page, 'municipality picker');
  await openByMouse(page);
  await input(page).fill('wat is het telefoonnummer van de gemeente?');
  await page.keyboard.press('Enter');
  await botMessages(page).filter({ hasText: '14 038' }).first().waitFor(WAIT);
  const packs = watch.requests.map((r) => r.url()).filter((url) => /\/content\/[^/]+\.json$/.test(url));
  assert.deepEqual(packs.map((url) => url.split('/').pop()), ['GM0193.json']);
  await finish(run);
});

test('safe rendering: no text, typed or answered, ever becomes markup', async () => {
  const run = await openPage();
  const { page } = run;
  // The Markdown renderer itself, in the page's real DOM.
  const { outputFiles } = await esbuild.build({ entryPoints: [join(ROOT, 'widget/src/markdown.js')], bundle: true, write: false,
    format: 'iife', globalName: 'gemMarkdown' });
  await page.evaluate(outputFiles[0].text);
  const rendered = await page.evaluate(() => {
    const render = (md) => {
      const div = document.createElement('div');
      div.append(window.gemMarkdown.renderMarkdown(md));
      return div.innerHTML;
    };
    return {
      html: render('<img src=x onerror="window.__pwned=1"> & <b>b</b>'),
      js: render('[klik](javascript:window.__pwned=1) en [data](data:text/html,x) en [http](http://example.org)'),
      ok: render('Hallo **vet [link](https://example.org/a?b=1&c=2)**\n\n- een\n- twee\n\nEinde'),
    };
  });
  assert.equal(rendered.html, '<p>&lt;img src=x onerror="window.__pwned=1"&gt; &amp; &lt;b&gt;b&lt;/b&gt;</p>');
  assert.equal(rendered.js, '<p>klik en data en http</p>');
  assert.equal(rendered.ok, '<p>Hallo <strong>vet <a href="https://example.org/a?b=1&amp;c=2">link</a></strong></p><ul><li>een</li><li>twee</li></ul><p>Einde</p>');

  await openByMouse(page);
  await input(page).fill('<img src=x onerror="window.__pwned=1"> **paspoort**');
  await page.keyboard.press('Enter');
  await botMessages(page).nth(1).waitFor(WAIT);
  const user = panel(page).locator('.message--user');
  assert.match(await user.textContent(), /<img src=x onerror="window.__pwned=1"> \*\*paspoort\*\*/);
  assert.equal(await page.evaluate(() => document.querySelector('gem-assistant').shadowRoot.querySelectorAll('img').length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await finish(run);
});

// What each realm (the page and its workers) fetched itself from Gem, by its resource timing: transferSize is 0
// for a response from the HTTP cache and only the headers' size for a revalidation (304).
async function fetchedFromGem(page, workers) {
  const entries = (realm) => realm.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => ({ url: e.name, path: new URL(e.name).pathname, bytes: e.transferSize })));
  const [byPage, ...byWorkers] = await Promise.all([page, ...workers].map(entries));
  const gem = (list) => list.filter((r) => r.path.startsWith('/widget/'));
  return { page: gem(byPage), workers: gem(byWorkers.flat()) };
}

// The compact tier may answer before ONNX Runtime has arrived: wait until a worker has all three of its files.
async function ortArrived(page, workers) {
  const ort = async () => (await fetchedFromGem(page, workers)).workers.filter((r) => r.path.startsWith('/widget/ort/'));
  for (let i = 0; i < 300 && (await ort()).length < 3; i++) await page.waitForTimeout(100);
  return ort();
}

// What a resident's browser fetches on a second visit: the content-hashed assets come from its cache without
// asking the server; gem.js and the content pack (fixed names) are only revalidated (a 304: headers, no body).
test('a second visit downloads nothing: hashed assets from the cache, gem.js and the pack revalidated', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const visit = async () => {
    // Not harness.openPage: Playwright turns the HTTP cache off for a page with routes (it serves axe that way).
    const page = await context.newPage();
    const workers = [];
    page.on('worker', (worker) => workers.push(worker));
    await page.goto(`${origin}/?server=off`);
    await openByMouse(page);
    await harness.say(page, 'wat kost een paspoort?');
    await ortArrived(page, workers);
    const fetched = await fetchedFromGem(page, workers);
    await page.close();
    return [...fetched.page, ...fetched.workers];
  };
  const isHashed = (url) => HASHED_NAME.test(url);
  const first = await visit();
  const firstBytes = first.reduce((n, r) => n + r.bytes, 0);
  assert.ok(firstBytes > 2e6, `the first visit downloads the core, the model and ONNX Runtime: ${firstBytes} B`);
  const second = await visit();
  const hashed = second.filter((r) => isHashed(r.path));
  assert.ok(hashed.length >= 12, `hashed assets on the second visit: ${hashed.map((r) => r.path).join(', ')}`);
  assert.deepEqual(hashed.filter((r) => r.bytes > 0).map((r) => r.path), [], 'hashed assets asked of the server again');
  // gem.js and the pack: asked again, answered with headers only (a body would be ≥ 2.8 KB).
  const asked = second.filter((r) => !isHashed(r.path));
  assert.ok(asked.some((r) => r.path === '/widget/gem.js'), asked.map((r) => r.path).join());
  assert.deepEqual(asked.filter((r) => r.bytes > 1024).map((r) => `${r.path} ${r.bytes} B`), [], 'downloaded again');
  await context.close();
});

// The engine (the wasm core, the content pack and the compact tier) runs in a dedicated worker started from a
// blob: URL (the page's CSP allows `worker-src blob:`), and ONNX Runtime with the full model in a worker of the
// engine's own, so the page's main thread only renders and the core answers while ONNX Runtime compiles: the page
// itself fetches the panel, the engine's worker its script, the core, the content and the models, the model's
// worker ONNX Runtime.
test('the engine and the model run in Web Workers: the page fetches only the panel, each worker its own files', async () => {
  const run = await openPage();
  const { page, watch } = run;
  const workers = [];
  page.on('worker', (worker) => workers.push(worker));
  await openByMouse(page);
  await harness.say(page, 'wat kost een paspoort?');
  assert.match(await botMessages(page).last().innerText(), /paspoort/i);
  // The model's worker starts once the compact tier is ready, which may be after this answer.
  await ortArrived(page, workers);
  assert.deepEqual(workers.map((w) => w.url().slice(0, 5)), ['blob:', 'blob:']);
  const logical = (list) => list.map((r) => r.path.replace(/\.[0-9a-f]{12}\./, '.')).sort();
  const [engine, model] = await Promise.all(workers.map(async (worker) => logical((await fetchedFromGem(page, [worker])).workers)));
  assert.deepEqual(model, ['/widget/ort/ort-wasm-simd-threaded.mjs', '/widget/ort/ort-wasm-simd-threaded.wasm', '/widget/ort/ort.wasm.min.mjs']);
  for (const file of ['/widget/engine-worker.js', '/widget/core/gem-core.wasm', '/widget/content/GM0599.json', '/widget/models/gem-compact.bin',
    '/widget/models/gem-intent.onnx', '/widget/gazetteer/gemeenten.tsv']) {
    assert.ok(engine.includes(file), `${file} not fetched by the engine's worker: ${engine.join(', ')}`);
  }
  assert.ok(!engine.some((file) => file.startsWith('/widget/ort/') || file === '/widget/engine.mjs'), engine.join(', '));
  assert.deepEqual(logical((await fetchedFromGem(page, [])).page), ['/widget/gem-panel.js', '/widget/gem.js']);
  assert.ok(watch.requests.some((r) => r.url().includes('/widget/ort/')), 'the page watches the worker\u2019s requests too');
  await finish(run);
});

// A page whose CSP forbids workers (no `worker-src blob:`): Gem still answers, on the main thread, and says
// why in the console for the web team.
test('a page that forbids workers still gets answers, and the console says which CSP source to add', async () => {
  const strict = await serve({ port: 0, index: 'index.html', csp: CSP.replace(' worker-src blob:;', '') });
  try {
    const strictOrigin = `http://127.0.0.1:${strict.address().port}`;
    const run = await harness.openPage(browser, strictOrigin, { path: '/?server=off' });
    const { page } = run;
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await openByMouse(page);
    await harness.say(page, 'wat kost een paspoort?');
    assert.match(await botMessages(page).last().innerText(), /paspoort/i);
    assert.ok(warnings.some((w) => /main thread/.test(w) && /worker-src blob:/.test(w)), warnings.join('\n'));
    assert.deepEqual(page.workers(), []);
    // The blocked worker is the one CSP report this page makes.
    const violations = await page.evaluate(() => window.__cspViolations);
    assert.ok(violations.length >= 1 && violations.every((v) => /^(worker-src|script-src) blob/.test(v)), violations.join());
    await page.evaluate(() => { window.__cspViolations = []; });
    await harness.finish(run, { expected: [/Content Security Policy/] });
  } finally {
    strict.close();
  }
});

// The realistic embedding: the municipality's page on its own origin, gem.js and every asset from Gem's origin
// (CORS); the page's CSP names Gem's origin as web teams are told to (docs/privacy/webteams.md).
test('embedded across origins: the page on one origin, Gem on another, the engine and the model still in workers', async () => {
  const csp = `default-src 'self'; script-src 'self' ${origin} 'wasm-unsafe-eval'; connect-src 'self' ${origin}; ` +
    "worker-src blob:; style-src 'self'; object-src 'none'; base-uri 'none'";
  const html = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Paspoort — Gemeente</title>
    <script src="${origin}/widget/gem.js" data-municipality="GM0599" defer></script></head>
    <body><main><h1>Paspoort aanvragen</h1></main></body></html>`;
  // The municipality's site: another loopback port, so another origin in the same address space.
  const site = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(html));
  await new Promise((done) => site.listen(0, '127.0.0.1', done));
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  try {
    const page = await context.newPage();
    const problems = [];
    const workers = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('worker', (worker) => workers.push(worker));
    await page.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    await openByMouse(page);
    await harness.say(page, 'wat kost een paspoort?');
    assert.match(await botMessages(page).last().innerText(), /paspoort/i);
    // The model's worker starts once the compact tier is ready, which may be after this answer.
    for (let i = 0; i < 300 && workers.length < 2; i++) await page.waitForTimeout(100);
    assert.deepEqual(workers.map((w) => w.url().slice(0, 5)), ['blob:', 'blob:']);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    site.close();
  }
});
