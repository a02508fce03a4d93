// The bare understanding page in headless Chromium: the same wasm core and ONNX model as in Node,
// under the strict Content-Security-Policy, with every request staying on the page's own origin.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { serve } from '../../scripts/cli/serve.js';
import { launch } from './chromium.js';

let server;
let browser;
let origin;
before(async () => {
  server = await serve({ port: 0 });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

test('understands a question in the browser, under the strict CSP, without leaving the origin', async () => {
  const page = await browser.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${origin}/classify.html`);
  await page.getByText('Klaar. Typ een vraag.').waitFor({ timeout: 30000 });
  await page.getByLabel('Uw vraag').fill('Kan ik met mijn ID-kaart naar Zuid-Afrika?');
  await page.getByRole('button', { name: 'Begrijp' }).click();
  await page.getByRole('status').filter({ hasText: 'Begrepen als' }).waitFor();
  const meaning = JSON.parse(await page.locator('#json').textContent());
  assert.equal(meaning.intent, 'product_vraag');
  assert.equal(meaning.product, 'identiteitskaart');
  assert.deepEqual(meaning.entities.map((e) => [e.type, e.value]), [['land', 'ZA']]);
  assert.deepEqual(problems, []);
  assert.ok(requests.every((url) => url.startsWith(origin)), requests.join('\n'));
  // The question itself never appears in any request.
  assert.ok(requests.every((url) => !url.includes('Zuid')));
  await page.close();
});
