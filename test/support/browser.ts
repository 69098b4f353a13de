// A real headless Chromium (Debian's `chromium`) driven by puppeteer-core, for browser tests.
// Tests skip with a clear message only where chromium is not installed; CI installs it (.ci/run).
import { existsSync } from 'node:fs';
import type { Browser } from 'puppeteer-core';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser binary ($CHROMIUM, else the usual paths); null when there is none. */
export function chromiumPath(): string | null {
  const env = process.env['CHROMIUM'];
  if (env !== undefined && env !== '' && existsSync(env)) return env;
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** For describe(…, { skip }): a reason to skip when chromium is absent, else false. */
export function skipWithoutChromium(): string | false {
  return chromiumPath() === null ? 'chromium is not installed here (apt-get install chromium); CI installs it, so these tests run there' : false;
}

/** Launches headless chromium, closed in t.after. */
export async function launchBrowser(t: { after(fn: () => unknown): void }): Promise<Browser> {
  const { launch } = await import('puppeteer-core');
  const browser = await launch({
    executablePath: chromiumPath() ?? 'chromium',
    headless: true,
    // Root in a container has no user namespaces for chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  t.after(() => browser.close());
  return browser;
}
