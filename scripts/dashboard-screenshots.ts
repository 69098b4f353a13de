// Takes the README's dashboard screenshots (docs/images/dashboard-*.png) in headless Chromium:
// the controller releases against the emulator on a fake clock, one release promoted and one
// rolled back as its evidence climbs to the line. Run: npx tsx scripts/dashboard-screenshots.ts
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { releaseHarness } from '../test/support/release-harness.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { ReleaseFeed } from '../src/dashboard/feed.ts';
import { createReleaseReader } from '../src/dashboard/release-reader.ts';
import { startDashboard } from '../src/dashboard/server.ts';

const out = fileURLToPath(new URL('../docs/images/', import.meta.url));
const cleanups: Array<() => unknown> = [];
const t = { after: (fn: () => unknown) => cleanups.push(fn) } as unknown as TestContext;
const slow = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '2m', 'fledge.dev/steps': '5,10,25,50', 'fledge.dev/progress-deadline': '5m' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';

try {
  const h = await releaseHarness(t);
  for (const name of ['checkout', 'search', 'cart']) {
    await h.deploy(name, { annotations: slow });
    await h.runUntil(name, (s) => s.phase === 'Ready');
  }
  h.script = { ...h.script, rps: 40, canary: () => ({ failure: 0.002, slow: 0.004 }), primary: () => ({ failure: 0.002, slow: 0.004 }) };
  await h.setImage('search', 'search:2.0');
  await h.runUntil('search', terminal, 2000);
  await h.setImage('cart', 'cart:2.0');
  await h.runUntil('cart', (s) => s.canaryWeight === 25, 2000);
  // After 5 minutes, checkout's new revision fails 3% of its requests against the primary's 0.2%.
  const badFrom = h.now() + 5 * 60_000;
  h.script = { ...h.script, rps: 200, canary: (at) => (at > badFrom ? { failure: 0.03, slow: 0.006 } : { failure: 0.002, slow: 0.004 }) };
  await h.setImage('checkout', 'checkout:2.0');
  await h.runUntil('checkout', terminal, 2000);
  const feed = new ReleaseFeed({ kc: h.kc, namespace: 'default' });
  await feed.start();
  cleanups.push(() => feed.stop());
  const dashboard = await startDashboard({ feed, reader: createReleaseReader(h.kc), scope: 'namespace default', address: '127.0.0.1', port: 0 });
  cleanups.push(() => dashboard.close());
  const browser = await launchBrowser(t);
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 290 });
  await page.goto(dashboard.url, { waitUntil: 'load' });
  await page.waitForSelector('tr[data-release="default/search"]');
  await page.screenshot({ path: join(out, 'dashboard-list.png') });
  await page.setViewport({ width: 1100, height: 900 });
  await page.goto(`${dashboard.url}releases/default/checkout`, { waitUntil: 'load' });
  await page.waitForFunction('document.body.dataset.looks !== undefined && document.body.dataset.looks !== "0"');
  await page.screenshot({ path: join(out, 'dashboard-release.png'), fullPage: true });
  console.log(`wrote ${out}dashboard-list.png and dashboard-release.png`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}
