// Debian's Chromium driven by playwright-core: no browser download, no network beyond loopback.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

// A browser with a profile on disk in `dir`, as a resident's browser has: unlike a context of launch()'s browser, it
// keeps compiled WebAssembly beside its HTTP cache for the next visit. Returns the browser context.
export function launchWithProfile(dir, contextOptions = {}) {
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS, ...contextOptions });
}
