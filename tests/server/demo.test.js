// The demo as a municipality embeds Gem (scripts/demo): the municipal page on one loopback origin, served with the
// CSP that docs/privacy/webteams.md gives web teams, and gem.js, its assets, live data and the handover from the
// real gem-server on another, which lists the page's origin for every municipality.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { embeddingConfig, serve } from '../../scripts/cli/serve.js';
import { buildWidget } from '../../widget/build.js';
import { launch } from '../browser/chromium.js';
import { freePort, handoverSetup, startServer } from './handover_fixture.js';
import { ROOT } from '../lib/gem-server.js';

const WAIT = { timeout: 30000 };
let server;
let site;
let page;
let browser;

before(async () => {
  await buildWidget({ quiet: true });
  const pagePort = await freePort();
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  // The demo's configuration as scripts/demo writes it.
  const { municipalities } = embeddingConfig(JSON.parse(readFileSync(join(ROOT, 'server/config/gem-server.json'), 'utf8')), pageOrigin);
  const setup = handoverSetup();
  server = await startServer({ ...setup, config: { ...setup.config, municipalities } });
  site = await serve({ port: pagePort, gem: server.url });
  page = pageOrigin;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  site?.close();
  await server?.stop();
});

test('the demo page on its own origin talks to Gem on another: answers, live data, the engine and the model in workers', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  try {
    const tab = await context.newPage();
    const problems = [];
    const workers = [];
    const fromGem = [];
    tab.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    tab.on('pageerror', (e) => problems.push(e.message));
    tab.on('worker', (worker) => workers.push(worker.url().slice(0, 5)));
    tab.on('response', (r) => { if (r.url().startsWith(server.url)) fromGem.push(`${r.status()} ${new URL(r.url()).pathname}`); });
    await tab.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await tab.goto(`${page}/`);
    assert.match(response.headers()['content-security-policy'], new RegExp(`script-src 'self' ${server.url} 'wasm-unsafe-eval'`));
    assert.equal(await tab.locator('script[data-municipality]').getAttribute('src'), `${server.url}/widget/gem.js`);
    // Nothing from Gem before the resident shows interest, except gem.js itself.
    assert.deepEqual(fromGem, ['200 /widget/gem.js']);

    await tab.locator('gem-assistant').locator('button.launcher').click();
    const panel = tab.getByRole('dialog', { name: /Gem, digit/ });
    const answers = panel.locator('.message--bot');
    await answers.first().waitFor(WAIT);
    const ask = async (text) => {
      const before = await answers.count();
      await panel.locator('textarea').fill(text);
      await panel.locator('textarea').press('Enter');
      await answers.nth(before).waitFor(WAIT);
      return answers.last();
    };
    assert.match(await (await ask('wat kost een paspoort?')).innerText(), /paspoort/i);
    // Live data: the opening hours come from gem-server, across origins (the seed keeps Rotterdam open).
    await ask('is het gemeentehuis nu open?');
    await panel.getByText('De gemeente is nu open.').waitFor(WAIT);
    assert.ok(fromGem.some((r) => /^200 \/v1\/live\//.test(r)), fromGem.join(', '));
    assert.ok(fromGem.every((r) => !r.startsWith('4') && !r.startsWith('5')), fromGem.join(', '));
    // The model's worker starts once the compact tier is ready, which may be after the first answer.
    for (let i = 0; i < 300 && workers.length < 2; i++) await tab.waitForTimeout(100);
    assert.deepEqual(workers, ['blob:', 'blob:'], 'the engine\u2019s worker and the model\u2019s');
    assert.deepEqual(await tab.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
