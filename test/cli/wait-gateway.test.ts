// The release driven through an HTTPRoute, as a mesh that knows nothing of Fledge would see it:
// an independent reader finds the HTTPRoute whose parentRefs name the apex Service, reads only
// spec.rules[].backendRefs, splits traffic by those weights (the metrics come from its split, not
// from what the controller meant to write) and reports the route accepted as an implementation
// does. The real controller runs in this process on a 10x clock; `fledge wait` runs as a child.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles, httpRouteCrd } from '../support/release-harness.ts';
import { createController } from '../../src/controller/controller.ts';
import { parentsStatus } from '../../src/sandbox/route-status.ts';
import type { IntervalMeasurement, Sample } from '../../src/core/types.ts';
import type { MeasureRequest, MetricsSource } from '../../src/ports.ts';
import { createApp, kubeconfigFile, readCanary, runFledge, setImage } from './support/child.ts';

const speed = 10;
const routes = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespace: 'default' };
type Obj = Record<string, any>;

/** The mesh: what share of the app's requests the canary gets, from the route alone. */
class IndependentReader {
  canaryShare = 0;
  readonly seen = new Set<number>();
  #stopped = false;

  constructor(private readonly kc: KubeConfig, private readonly apex: string) {}

  /** The route whose parents name the apex Service (GAMMA), whatever it is called. */
  #routeFor(items: readonly Obj[]): Obj | undefined {
    return items.find((route) => (route['spec']?.parentRefs as Obj[] | undefined ?? [])
      .some((p) => (p['group'] === '' || p['group'] === 'core') && p['kind'] === 'Service' && p['name'] === this.apex));
  }

  async #look(): Promise<void> {
    const api = this.kc.makeApiClient(CustomObjectsApi);
    const { items } = (await api.listNamespacedCustomObject(routes)) as { items: Obj[] };
    const route = this.#routeFor(items);
    if (route === undefined) return;
    const refs = (route['spec'].rules as Obj[]).flatMap((rule) => (rule['backendRefs'] as Obj[] | undefined) ?? []);
    const weight = (name: string): number => refs.filter((b) => b['name'] === name).reduce((sum, b) => sum + Number(b['weight'] ?? 1), 0);
    const canary = weight(`${this.apex}-canary`);
    const total = canary + weight(`${this.apex}-primary`);
    this.canaryShare = total === 0 ? 0 : canary / total;
    this.seen.add(Math.round(this.canaryShare * 100));
    const generation = route['metadata'].generation as number;
    const reported = (route['status']?.parents as Obj[] | undefined)?.[0]?.['conditions']?.[0]?.observedGeneration;
    if (reported !== generation) {
      await api.replaceNamespacedCustomObjectStatus({ ...routes, name: route['metadata'].name, body: { ...route, status: parentsStatus(route, { accepted: true, now: Date.now(), controllerName: 'example.com/reader' }) } });
    }
  }

  /** Looks every 100 ms until stopped (bounded by the test's lifetime). */
  start(): void {
    const loop = async (): Promise<void> => {
      while (!this.#stopped) {
        await this.#look().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    void loop();
  }

  stop(): void {
    this.#stopped = true;
  }
}

/** 100 req/s to the app, split as the reader splits them; `canaryFailure` of the canary's fail. */
function measuredFrom(reader: IndependentReader, canaryFailure: number): MetricsSource {
  const side = (requests: number, failure: number): Sample => (requests === 0
    ? { kind: 'no-data' }
    : { kind: 'value', counts: { requests, events: { failures: Math.round(requests * failure), slow: 0 } } });
  return {
    measure: (request: MeasureRequest): Promise<IntervalMeasurement> => {
      const total = Math.round(((request.end - request.start) / 1000) * 100);
      const canary = Math.round(total * reader.canaryShare);
      return Promise.resolve({ start: request.start, end: request.end, canary: side(canary, canaryFailure), primary: side(total - canary, 0.001) });
    },
  };
}

async function running(t: TestContext, canaryFailure: number): Promise<{ path: string; kc: KubeConfig; reader: IndependentReader }> {
  const { emulator, kubeConfig: kc } = await withEmulator(t, { podReadyDelayMs: 0 });
  await applyFiles(kc, [...crdFiles, httpRouteCrd]);
  const reader = new IndependentReader(kc, 'app');
  reader.start();
  t.after(() => reader.stop());
  const started = Date.now();
  const base = Date.parse('2026-11-23T10:00:00Z');
  const controller = await createController({
    kubeConfig: kc,
    metrics: measuredFrom(reader, canaryFailure),
    namespace: 'default',
    resyncMs: 100,
    clock: { now: () => base + (Date.now() - started) * speed },
    log: pino({ level: 'silent' }),
  });
  t.after(() => controller.stop());
  await controller.start();
  await createApp(kc, 'app', 'app:1', { 'fledge.dev/router': 'gateway-api', 'fledge.dev/steps': '10,30,50', 'fledge.dev/interval': '20s', 'fledge.dev/bake': '20s' });
  return { path: kubeconfigFile(t, emulator.kubeconfig()), kc, reader };
}

function waitArgs(path: string): string[] {
  return ['wait', 'deployment/app', '-n', 'default', '--kubeconfig', path, '--timeout', '60s', '--poll', '200ms'];
}

async function noTrafficSplit(kc: KubeConfig): Promise<void> {
  const splits = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default' })) as { items: unknown[] };
  assert.deepEqual(splits.items, [], 'no TrafficSplit is written when the router is gateway-api');
}

test('read by an independent mesh, a healthy revision is promoted through the HTTPRoute and wait exits 0', { timeout: 90_000 }, async (t) => {
  const { path, kc, reader } = await running(t, 0.001);
  assert.equal(await runFledge(t, waitArgs(path)).exited, 0);
  await setImage(kc, 'app', 'app:2');
  const child = runFledge(t, waitArgs(path));
  assert.equal(await child.exited, 0, `${child.stdout.join('\n')}\n${child.stderr.join('\n')}`);
  assert.match(child.stdout.at(-1) ?? '', /promoted/);
  assert.ok(reader.seen.has(10) && reader.seen.has(30), `the mesh saw the steps' weights: ${[...reader.seen].join(', ')}`);
  assert.equal(reader.canaryShare, 0, 'after promotion all traffic is on the primary');
  await noTrafficSplit(kc);
  // The mesh reports on each new weight within moments: no step was ever called not accepted.
  const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default' });
  assert.deepEqual(events.items.filter((e) => e.reason === 'RouteNotAccepted').map((e) => e.message), []);
});

test('read by an independent mesh, a failing revision is rolled back through the HTTPRoute and wait exits 1', { timeout: 90_000 }, async (t) => {
  const { path, kc, reader } = await running(t, 0.4);
  assert.equal(await runFledge(t, waitArgs(path)).exited, 0);
  await setImage(kc, 'app', 'app:bad');
  const child = runFledge(t, waitArgs(path));
  assert.equal(await child.exited, 1, `${child.stdout.join('\n')}\n${child.stderr.join('\n')}`);
  assert.match(child.stderr.join('\n'), /rolled back/);
  assert.equal((await readCanary(kc, 'app')).status?.['phase'], 'Failed');
  assert.equal(reader.canaryShare, 0, 'after the rollback all traffic is on the primary');
  await noTrafficSplit(kc);
});
