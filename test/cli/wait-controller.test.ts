// `fledge wait` as a child process against the emulator while the real controller runs in this
// process, on a clock 10x faster than the wall clock, with metrics scripted per scenario.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { createController } from '../../src/controller/controller.ts';
import type { Catalog } from '../../src/config/catalog.ts';
import { sandboxCatalog } from '../../src/sandbox/run.ts';
import type { IntervalMeasurement, Sample } from '../../src/core/types.ts';
import type { MeasureRequest, MetricsSource } from '../../src/ports.ts';
import { createApp, kubeconfigFile, readCanary, runFledge, setImage } from './support/child.ts';

const speed = 10;

/** Fixed traffic: 100 req/s, half to the canary; `canaryFailure` of canary requests fail. */
function scripted(canaryFailure: number): MetricsSource {
  const side = (requests: number, failure: number): Sample => ({
    kind: 'value',
    counts: { requests, events: { failures: Math.round(requests * failure), slow: 0 } },
  });
  return {
    measure: (request: MeasureRequest): Promise<IntervalMeasurement> => {
      const requests = Math.max(1, Math.round(((request.end - request.start) / 1000) * 50));
      return Promise.resolve({ start: request.start, end: request.end, canary: side(requests, canaryFailure), primary: side(requests, 0.001) });
    },
  };
}

interface Setup {
  /** The controller's catalog (the sandbox's has a 1 s scrape interval). */
  readonly catalog?: Catalog;
  readonly annotations?: Readonly<Record<string, string>>;
}

async function running(t: TestContext, canaryFailure: number, setup: Setup = {}): Promise<{ path: string; kc: Awaited<ReturnType<typeof withEmulator>>['kubeConfig'] }> {
  const { emulator, kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0 });
  await applyFiles(kc, crdFiles);
  const started = Date.now();
  const base = Date.parse('2026-11-23T10:00:00Z');
  const controller = await createController({
    kubeConfig: kc,
    metrics: scripted(canaryFailure),
    namespace: 'default',
    resyncMs: 100,
    clock: { now: () => base + (Date.now() - started) * speed },
    log: pino({ level: 'silent' }),
    ...(setup.catalog === undefined ? {} : { catalog: setup.catalog }),
  });
  t.after(() => controller.stop());
  await controller.start();
  await createApp(kc, 'app', 'app:1', setup.annotations ?? { 'fledge.dev/steps': '10,20,30,40,50', 'fledge.dev/interval': '20s', 'fledge.dev/bake': '20s' });
  return { path: kubeconfigFile(t, emulator.kubeconfig()), kc };
}

function waitArgs(path: string): string[] {
  return ['wait', 'deployment/app', '-n', 'default', '--kubeconfig', path, '--timeout', '60s', '--poll', '200ms'];
}

async function firstRevisionPromoted(t: TestContext, path: string): Promise<void> {
  const child = runFledge(t, waitArgs(path));
  assert.equal(await child.exited, 0, child.stderr.join('\n'));
}

test('with the controller running, a healthy revision is promoted and wait exits 0, never reading the previous success', { timeout: 90_000 }, async (t) => {
  const { path, kc } = await running(t, 0.001);
  await firstRevisionPromoted(t, path);
  const before = await readCanary(kc, 'app');
  await setImage(kc, 'app', 'app:2');
  const child = runFledge(t, waitArgs(path));
  assert.equal(await child.exited, 0, `${child.stdout.join('\n')}\n${child.stderr.join('\n')}`);
  const after = await readCanary(kc, 'app');
  assert.notEqual(after.status?.['lastPromotedRevision'], before.status?.['lastPromotedRevision']);
  assert.ok(child.stdout.some((l) => l.includes('Progressing')), `it saw the run progress before promotion:\n${child.stdout.join('\n')}`);
  assert.match(child.stdout.at(-1) ?? '', /promoted/);
});

test('with the controller running, a failing revision is rolled back and wait exits 1, saying why in its log and its JSON', { timeout: 90_000 }, async (t) => {
  const { path, kc } = await running(t, 0.4);
  await firstRevisionPromoted(t, path);
  await setImage(kc, 'app', 'app:bad');
  const child = runFledge(t, waitArgs(path));
  assert.equal(await child.exited, 1, `${child.stdout.join('\n')}\n${child.stderr.join('\n')}`);
  const canary = await readCanary(kc, 'app');
  assert.equal(canary.status?.['phase'], 'Failed');
  const sentence = String(canary.status?.['message']);
  assert.match(sentence, /^revision \w+ rolled back: the canary failed 40% of [\d,]+ requests in a single interval, past the 20% guardrail: rolled back at once, without waiting for more evidence$/);
  assert.ok(child.stderr.some((l) => l.endsWith(sentence)), `the last log line is the controller's sentence:\n${child.stderr.join('\n')}`);
  const json = runFledge(t, [...waitArgs(path), '-o', 'json']);
  assert.equal(await json.exited, 1);
  const result = JSON.parse(json.stdout.find((l) => l.includes('"type":"result"')) ?? '{}') as Record<string, unknown>;
  assert.equal(result['outcome'], 'failed');
  assert.equal(result['message'], sentence);
});

// A 5 s interval is too short for the linkerd template's 10 s scrape, but not for a controller
// whose template is scraped every second (the sandbox's): validity is the controller's call.
const shortInterval = { 'fledge.dev/steps': '50', 'fledge.dev/interval': '5s', 'fledge.dev/bake': '5s' };

test('wait follows a controller whose catalog allows what the default catalog would refuse (the sandbox\'s 1 s scrape)', { timeout: 90_000 }, async (t) => {
  const { path } = await running(t, 0.001, { catalog: await sandboxCatalog(), annotations: shortInterval });
  const child = runFledge(t, waitArgs(path));
  assert.equal(await child.exited, 0, `${child.stdout.join('\n')}\n${child.stderr.join('\n')}`);
});

test('wait exits 4 with the controller\'s own reason when the controller refuses the annotations', { timeout: 90_000 }, async (t) => {
  const { path } = await running(t, 0.001, { annotations: shortInterval });
  const child = runFledge(t, waitArgs(path));
  assert.equal(await child.exited, 4, `${child.stdout.join('\n')}\n${child.stderr.join('\n')}`);
  assert.match(child.stderr.join('\n'), /refuses this release \(InvalidAnnotation\).*fledge\.dev\/interval/);
});
