// Shared by the widget's browser tests: a page with the widget in Debian's Chromium, recording requests,
// console errors and CSP violations; axe-core (WCAG 2.1 A/AA); focus through shadow roots; announcements;
// screenshots into build/test-artifacts/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { serve } from '../../scripts/cli/serve.js';
import { buildWidget } from '../../widget/build.js';
import { launch } from './chromium.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'build/test-artifacts');
export const WAIT = { timeout: 30000 };

// The demo page's static mounts from server/config/gem-server.json (content packs, widget, page), with the
// widget built into `widgetDir`.
export const demoMounts = (widgetDir) => [
  { prefix: '/widget/content/', dir: join(ROOT, 'build/content') },
  { prefix: '/widget/', dir: widgetDir },
  { prefix: '/', dir: join(ROOT, 'widget/demo') },
];

// The demo page from the static server with the widget built once, and Chromium, as the test file's
// before/after hooks: `demo.origin` and `demo.browser` are there once the tests run.
export function demoPage() {
  const demo = {};
  before(async () => {
    assert.ok(existsSync(join(ROOT, 'build/content/GM0599.json')), 'content packs missing: run scripts/gem content build');
    await buildWidget({ quiet: true });
    demo.server = await serve({ port: 0, index: 'index.html' });
    demo.origin = `http://127.0.0.1:${demo.server.address().port}`;
    demo.browser = await launch();
  });
  after(async () => {
    await demo.browser?.close();
    demo.server?.close();
  });
  return demo;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_URL = '/__test__/axe.min.js';
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// A fresh context (empty sessionStorage) and page at `origin + path`, watching what the page does.
export async function openPage(browser, origin, { path = '/', viewport = { width: 1280, height: 800 }, context } = {}) {
  const ctx = context ?? await browser.newContext({ viewport, reducedMotion: 'reduce' });
  const page = await ctx.newPage();
  const watch = { requests: [], problems: [] };
  page.on('request', (r) => { if (!r.url().includes('/__test__/')) watch.requests.push(r); });
  page.on('console', (m) => { if (m.type() === 'error') watch.problems.push(m.text()); });
  page.on('pageerror', (e) => watch.problems.push(e.message));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // axe-core is served from the page's own origin, so the strict CSP (script-src 'self') stays as it is.
  await page.route(`**${AXE_URL}`, (route) => route.fulfill({ body: AXE_SOURCE, contentType: 'text/javascript' }));
  const response = await page.goto(`${origin}${path}`);
  await launcher(page).waitFor();
  return { ctx, page, watch, response, origin };
}

// No CSP violation, no console error (except `expected` patterns), no request to another origin.
export async function finish({ ctx, page, watch, origin }, { expected = [] } = {}) {
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'CSP violations');
  assert.deepEqual(watch.problems.filter((p) => !expected.some((re) => re.test(p))), [], 'console errors');
  const urls = watch.requests.map((r) => r.url());
  assert.ok(urls.every((url) => url.startsWith(origin)), `requests left the origin:\n${urls.join('\n')}`);
  await ctx.close();
}

export const launcher = (page) => page.locator('gem-assistant').locator('button.launcher');
export const panel = (page) => page.getByRole('dialog', { name: /Gem, digit/ });
export const input = (page) => panel(page).locator('textarea');
export const botMessages = (page) => panel(page).locator('.message--bot');
export const notes = (page) => panel(page).locator('.message--note');
export const status = (page) => panel(page).locator('.status');

export async function axe(page, state) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: AXE_URL });
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${n.target.join(' > ')}: ${n.failureSummary}`) }));
  }, WCAG_TAGS);
  assert.deepEqual(violations, [], `axe (${state}):\n${JSON.stringify(violations, null, 2)}`);
}

// What has keyboard focus, looking through shadow roots, in the next frame: the panel moves focus into its input
// in the frame that first draws it (shell.js), so a check right after opening reads it once that frame has come.
export function focused(page) {
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) {
      resolve({ tag: 'body', name: '', inWidget: false });
      return;
    }
    const inWidget = el.getRootNode() !== document;
    const name = (el.getAttribute('aria-label') || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
    resolve({ tag: el.tagName.toLowerCase(), name, cls: String(el.className), inWidget });
  })));
}

// Records every announcement added to the widget's live region, and every text its status region shows.
export async function recordAnnouncements(page) {
  await page.evaluate(() => {
    const root = document.querySelector('gem-assistant').shadowRoot;
    window.__announcements = [];
    window.__statuses = [];
    new MutationObserver((records) => {
      for (const r of records) for (const node of r.addedNodes) window.__announcements.push({ text: node.textContent, lang: node.lang });
    }).observe(root.querySelector('.announcer'), { childList: true });
    const statusRegion = root.querySelector('.panel [role="status"]');
    new MutationObserver(() => {
      if (statusRegion.textContent) window.__statuses.push(statusRegion.textContent);
    }).observe(statusRegion, { childList: true, characterData: true, subtree: true });
  });
}

export const announcements = (page) => page.evaluate(() => window.__announcements);

// Announcements are written a frame and a task after the message they repeat (shell.js), so a test waits for the
// first that matches before it counts them.
export async function announced(page, text, { exact = false } = {}) {
  const found = await page.waitForFunction(([t, whole]) => {
    const matching = window.__announcements.filter((a) => (whole ? a.text === t : a.text.includes(t)));
    return matching.length > 0 && matching;
  }, [text, exact], WAIT);
  return found.jsonValue();
}

export const statuses = (page) => page.evaluate(() => window.__statuses);

export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `widget-${name}.png`) });
}

export async function openByMouse(page) {
  await launcher(page).click();
  await panel(page).waitFor();
  await botMessages(page).first().waitFor(WAIT);
}

// Every visible button and answer link in the panel is at least 44 × 44 CSS px.
export async function smallTargets(page) {
  return panel(page).locator('button, .message__links a').evaluateAll((els) => els
    .filter((el) => el.checkVisibility())
    .map((el) => [el.textContent.trim() || el.getAttribute('aria-label'), el.getBoundingClientRect()])
    .filter(([, r]) => r.width < 44 || r.height < 44).map(([name, r]) => `${name}: ${r.width}×${r.height}`));
}

// Sends a typed message by keyboard without waiting for an answer (some are answered by a notice only).
export async function send(page, text) {
  await input(page).fill(text);
  await input(page).press('Enter');
}

// Sends a typed message by keyboard and waits until the dialogue has answered it.
export async function say(page, text) {
  const count = await botMessages(page).count();
  await input(page).fill(text);
  await input(page).press('Enter');
  await botMessages(page).nth(count).waitFor(WAIT);
}
