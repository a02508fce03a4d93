// A KCC agent for the privacy test: signs in with the server's real agent login and holds the real agent
// socket, in a browser context of its own (its own cookie jar), so the resident's page never sees staff
// traffic. Everything the agent receives is kept, to check what a staff member gets to read.
export async function connectAgent(browser, origin, { username, password }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/agent`);
  const login = await page.evaluate(async (credentials) => {
    const response = await fetch('/v1/agent/login', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentials) });
    return { status: response.status, body: await response.text() };
  }, { username, password });
  if (login.status !== 200) throw new Error(`agent login failed: ${login.status} ${login.body}`);
  await page.evaluate(() => new Promise((resolve, reject) => {
    const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/v1/agent/socket`);
    window.gemTestAgent = { socket, received: [] };
    socket.addEventListener('message', (event) => window.gemTestAgent.received.push(JSON.parse(event.data)));
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('agent socket failed')));
  }));

  const received = () => page.evaluate(() => window.gemTestAgent.received);
  const send = (frame) => page.evaluate((f) => window.gemTestAgent.socket.send(JSON.stringify(f)), frame);
  // Waits for the first received frame that `predicate` accepts.
  const waitFor = async (predicate, timeout = 30000) => {
    for (const end = Date.now() + timeout; Date.now() < end; await page.waitForTimeout(100)) {
      const frame = (await received()).find(predicate);
      if (frame) return frame;
    }
    throw new Error(`agent: no such frame within ${timeout} ms; received ${JSON.stringify(await received())}`);
  };
  return { received, send, waitFor, close: () => context.close() };
}
