// The dashboard and the report in a real headless Chromium, against the HTTP emulator with
// releases reconciled by the controller. FLEDGE_SCREENSHOTS=DIR keeps screenshots of both pages.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { releaseHarness, type Harness } from '../support/release-harness.ts';
import { launchBrowser, skipWithoutChromium } from '../support/browser.ts';
import { ReleaseFeed } from '../../src/dashboard/feed.ts';
import { createReleaseReader } from '../../src/dashboard/release-reader.ts';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.ts';
import { writeReport } from '../../src/cli/report-command.ts';
import { decodeRun } from '../../src/ports/canary-history.ts';

// Functions passed to page.evaluate run in the page; the project compiles without the DOM types.
declare const document: any;
declare const window: any;

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';
const shots = process.env['FLEDGE_SCREENSHOTS'];
const bounded = { timeout: 20_000 };

interface Fixture {
  readonly h: Harness;
  readonly dashboard: Dashboard;
  readonly browser: Browser;
}

async function fixture(t: TestContext): Promise<Fixture> {
  const h = await releaseHarness(t);
  for (const name of ['checkout', 'search']) {
    await h.deploy(name, { annotations: fast });
    await h.runUntil(name, (s) => s.phase === 'Ready');
  }
  const feed = new ReleaseFeed({ kc: h.kc, namespace: 'default' });
  await feed.start();
  t.after(() => feed.stop());
  const dashboard = await startDashboard({ feed, reader: createReleaseReader(h.kc), scope: 'namespace default', address: '127.0.0.1', port: 0 });
  t.after(() => dashboard.close());
  return { h, dashboard, browser: await launchBrowser(t) };
}

/** Script errors of every page opened (each test asserts there were none). */
const pageErrors: string[] = [];

/** A page that records every URL it requests. */
async function openPage(browser: Browser, url: string, requested: string[] = []): Promise<Page> {
  const page = await browser.newPage();
  page.on('request', (request) => void requested.push(request.url()));
  page.on('pageerror', (error) => void pageErrors.push(String(error)));
  await page.setViewport({ width: 1200, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/** Points per plot, by plot key, as uPlot holds them. */
function plotPoints(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => Object.fromEntries(window.fledgePlots.map((p: any) => [p.key, p.chart.data[0].length])));
}

describe('fledge dashboard in a browser', { skip: skipWithoutChromium() }, () => {
  it('lists every release and updates a row when its phase changes, without reloading', async (t) => {
    const { h, dashboard, browser } = await fixture(t);
    const page = await openPage(browser, dashboard.url);
    const phase = (name: string): string => `tr[data-release="default/${name}"] td[data-field="phase"]`;
    await page.waitForSelector(phase('search'), bounded);
    assert.equal(await page.$eval(phase('checkout'), (td) => td.textContent), 'Ready');
    assert.equal(await page.$eval(phase('search'), (td) => td.textContent), 'Ready');
    await h.setImage('checkout', 'checkout:2.0');
    await h.runUntil('checkout', (s) => s.phase === 'Progressing');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Progressing', bounded, phase('checkout'));
    await h.runUntil('checkout', (s) => s.canaryWeight === 10);
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === '10%', bounded, 'tr[data-release="default/checkout"] td[data-field="weight"]');
    if (shots !== undefined) await page.screenshot({ path: join(shots, 'dashboard-list.png') });
  });

  it('plots one point per recorded look of the release, and the page follows the run', async (t) => {
    const { h, dashboard, browser } = await fixture(t);
    h.script = { ...h.script, canary: () => ({ failure: 0.004, slow: 0.003 }), primary: () => ({ failure: 0.002, slow: 0.002 }) };
    await h.setImage('checkout', 'checkout:2.0');
    await h.runUntil('checkout', (s) => s.canaryWeight === 50);
    const requested: string[] = [];
    const page = await openPage(browser, `${dashboard.url}releases/default/checkout`, requested);
    const looks = async (): Promise<number> => decodeRun((await h.canary('checkout')).status.history.current).looks.atMs.length;
    const before = await looks();
    await page.waitForFunction((n) => document.body.dataset['looks'] === String(n), bounded, before);
    const points = await plotPoints(page);
    assert.deepEqual(Object.keys(points).sort(), ['evidence', 'rate-failures', 'rate-slow', 'weight']);
    for (const [key, n] of Object.entries(points)) assert.equal(n, before, `${key} has a point per look`);
    const done = await h.runUntil('checkout', terminal);
    const after = decodeRun(done.status.history.last).looks.atMs.length;
    assert.ok(after > before);
    await page.waitForFunction((n) => document.body.dataset['looks'] === String(n), bounded, after);
    for (const [key, n] of Object.entries(await plotPoints(page))) assert.equal(n, after, `${key} follows the run`);
    assert.match(await page.$eval('#message', (p) => p.textContent ?? ''), /promoted/);
    assert.deepEqual(requested.filter((url) => !url.startsWith(dashboard.url)), [], 'everything comes from the dashboard itself');
    assert.ok(requested.includes(`${dashboard.url}assets/uplot.js`));
    assert.deepEqual(pageErrors, []);
    if (shots !== undefined) await page.screenshot({ path: join(shots, 'dashboard-release.png'), fullPage: true });
  });

  it('pressing Pause, confirmed, pauses the canary', async (t) => {
    const { h, dashboard, browser } = await fixture(t);
    await h.setImage('checkout', 'checkout:2.0');
    await h.runUntil('checkout', (s) => s.canaryWeight === 10);
    const page = await openPage(browser, `${dashboard.url}releases/default/checkout`);
    await page.waitForSelector('button[data-verb="pause"]:not([disabled])', bounded);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.click('button[data-verb="pause"]');
    await page.waitForFunction(() => (document.getElementById('answer')?.textContent ?? '') !== '', bounded);
    assert.match(dialogs[0] ?? '', /pause default\/checkout/);
    assert.match(await page.$eval('#answer', (s) => s.textContent ?? ''), /will hold the canary at 10%/);
    await h.step('checkout');
    const canary = await h.canary('checkout');
    assert.equal(canary.status.phase, 'Paused');
    assert.equal(canary.status.pausedBy, 'user');
    await page.waitForFunction(() => document.getElementById('phase')?.textContent === 'Paused', bounded);
  });

  it('does nothing when the confirmation is dismissed', async (t) => {
    const { h, dashboard, browser } = await fixture(t);
    await h.setImage('checkout', 'checkout:2.0');
    await h.runUntil('checkout', (s) => s.canaryWeight === 10);
    const page = await openPage(browser, `${dashboard.url}releases/default/checkout`);
    await page.waitForSelector('button[data-verb="abort"]:not([disabled])', bounded);
    page.on('dialog', (dialog) => void dialog.dismiss());
    await page.click('button[data-verb="abort"]');
    await h.step('checkout');
    assert.equal((await h.canary('checkout')).status.phase, 'Progressing');
    assert.equal((await h.canary('checkout')).metadata.annotations?.['fledge.dev/request'], undefined);
  });

  it('the report renders offline, with the same plots', async (t) => {
    const { h, browser } = await fixture(t);
    await h.setImage('checkout', 'checkout:2.0');
    const done = await h.runUntil('checkout', terminal);
    const file = join(mkdtempSync(join(tmpdir(), 'fledge-report-')), 'report.html');
    assert.equal(await writeReport({ kc: h.kc, namespace: 'default', name: 'checkout', file, now: h.now() }), null);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /<script[^>]+src=|<link[^>]+href=/, 'nothing is loaded from elsewhere');
    const page = await browser.newPage();
    page.on('pageerror', (error) => void pageErrors.push(String(error)));
    const fetched: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.url().startsWith('file:')) return void request.continue();
      fetched.push(request.url());
      return void request.abort();
    });
    await page.setOfflineMode(true);
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const looks = decodeRun(done.status.history.last).looks.atMs.length;
    const points = await plotPoints(page);
    assert.deepEqual(Object.keys(points).sort(), ['evidence', 'rate-failures', 'rate-slow', 'weight']);
    for (const [key, n] of Object.entries(points)) assert.equal(n, looks, `${key} has a point per look`);
    assert.deepEqual(fetched, []);
    assert.deepEqual(pageErrors, []);
  });
});

describe('the dashboard refuses', () => {
  it('state-changing requests without the token, and requests to a name that is not loopback', async (t) => {
    const h = await releaseHarness(t);
    await h.deploy('checkout', { annotations: fast });
    await h.runUntil('checkout', (s) => s.phase === 'Ready');
    await h.setImage('checkout', 'checkout:2.0');
    await h.runUntil('checkout', (s) => s.canaryWeight === 10);
    const feed = new ReleaseFeed({ kc: h.kc, namespace: 'default' });
    await feed.start();
    t.after(() => feed.stop());
    const dashboard = await startDashboard({ feed, reader: createReleaseReader(h.kc), scope: 'namespace default', address: '127.0.0.1', port: 0 });
    t.after(() => dashboard.close());
    const pause = `${dashboard.url}api/releases/default/checkout/pause`;
    for (const headers of [{}, { 'X-Fledge-Token': 'guessed' }]) {
      const refused = await fetch(pause, { method: 'POST', headers });
      assert.equal(refused.status, 403);
      assert.match(((await refused.json()) as { message: string }).message, /token/);
    }
    assert.equal((await h.canary('checkout')).metadata.annotations?.['fledge.dev/request'], undefined, 'nothing was requested');
    const { request } = await import('node:http');
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(dashboard.url, { headers: { Host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(rebound, 403);
    const token = { 'X-Fledge-Token': dashboard.token };
    assert.equal((await fetch(`${dashboard.url}api/releases/default/checkout/delete`, { method: 'POST', headers: token })).status, 404, 'only the CLI\'s verbs');
    assert.equal((await fetch(`${dashboard.url}api/releases/default/nothing/pause`, { method: 'POST', headers: token })).status, 404);
    assert.equal((await fetch(`${dashboard.url}api/releases/default/nothing`)).status, 404);
    assert.equal((await fetch(pause, { method: 'PUT', headers: token })).status, 405);
    const refusedByCheck = await fetch(`${dashboard.url}api/releases/default/checkout/retry`, { method: 'POST', headers: token });
    assert.equal(refusedByCheck.status, 409, 'the CLI\'s own checks apply');
    assert.match(((await refusedByCheck.json()) as { message: string }).message, /only a rolled-back revision can be retried/);
    const accepted = await fetch(pause, { method: 'POST', headers: token });
    assert.equal(accepted.status, 202);
    assert.match((await h.canary('checkout')).metadata.annotations?.['fledge.dev/request'] ?? '', /"verb":"pause"/);
  });
});
