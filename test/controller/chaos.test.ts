// The controller as a careless or hostile cluster treats it: while 25 apps go through 8 releases
// each (good and bad), at seeded random moments other teams take one of Fledge's names, people
// edit the split, the apex and the canary's size by hand, the controller's RBAC loses a rule for
// a moment, and writes that break a CRD's schema are attempted. The controller runs as its
// ServiceAccount with exactly deploy/'s RBAC. Every release must end as its revision deserves,
// no foreign object may change, nothing may be left stuck, and status writes stay bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, type KubeConfig, type V1ClusterRole, type V1Service,
} from '@kubernetes/client-node';
import { createController } from '../../src/controller/controller.ts';
import { fastCatalog, splitMetrics } from '../support/controller-child.ts';
import { withEmulator } from '../support/emulator.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';
import { controllerKubeConfig, controllerUser } from '../support/rbac.ts';
import { seeded } from '../support/sim.ts';
import { runApp, terminal } from '../support/release-loop.ts';
import { until } from '../support/until.ts';

const appCount = 25;
const releasesPerApp = 8;
const badShare = 0.4;
const seed = 20261126;
/** Each kind of chaos happens at least this often over the run. */
const minimumPerKind = 8;
const namespace = 'default';
const annotations = { 'fledge.dev/canary': 'true', 'fledge.dev/steps': '50', 'fledge.dev/interval': '5s', 'fledge.dev/bake': '5s' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function retrying(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    try {
      await write();
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
}


/** A foreign object as its owner would check it: anything Fledge could have changed. */
interface Watched { kind: string; name: string; fingerprint: string }

function fingerprint(object: { metadata?: { resourceVersion?: string; ownerReferences?: unknown; labels?: unknown; annotations?: unknown } }): string {
  const { resourceVersion, ownerReferences, labels, annotations: notes } = object.metadata ?? {};
  return JSON.stringify({ resourceVersion, ownerReferences, labels, notes });
}

/** The chaos agent: seeded actions on the apps while they release, until stopped. */
class Chaos {
  readonly counts = new Map<string, number>();
  readonly foreign: Watched[] = [];
  readonly changedForeign: string[] = [];
  readonly kinder: string[] = [];
  refused = 0;
  readonly #random = seeded(seed);
  readonly #admin: KubeConfig;
  #running = true;
  #stopBy = Number.POSITIVE_INFINITY;
  readonly #loop: Promise<void>;

  constructor(admin: KubeConfig) {
    this.#admin = admin;
    this.#loop = this.#run();
  }

  /** Stops once every kind of chaos happened often enough, or after `graceMs` more (then enough() says which fell short). */
  async stop(graceMs = 120_000): Promise<void> {
    this.#running = false;
    this.#stopBy = Date.now() + graceMs;
    await this.#loop;
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random.uniform() * items.length)] as T;
  }

  async #run(): Promise<void> {
    const actions = [() => this.#grab(), () => this.#editSplit(), () => this.#scaleCanary(), () => this.#revoke(), () => this.#invalidWrites(), () => this.#resetApex()];
    // Asked to stop, it still goes on until every kind of chaos happened often enough: a fast
    // machine finishes the releases sooner, but must not see less chaos.
    while (this.#running || (!this.enough() && Date.now() < this.#stopBy)) {
      await sleep(150 + this.#random.uniform() * 350);
      const index = Math.floor(this.#random.uniform() * actions.length);
      const name = ['grab', 'edit-split', 'scale-canary', 'revoke', 'invalid-write', 'reset-apex'][index] ?? '';
      try {
        await actions[index]?.();
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
      } catch {
        // The object was missing or changed meanwhile: the world moved on, as it does.
      }
    }
  }

  enough(): boolean {
    return ['grab', 'edit-split', 'scale-canary', 'revoke', 'invalid-write', 'reset-apex'].every((name) => (this.counts.get(name) ?? 0) >= minimumPerKind);
  }

  #app(): string {
    return `app-${Math.floor(this.#random.uniform() * appCount)}`;
  }

  /**
   * Another team takes `app-N-canary`: Fledge's Service is gone and theirs stands there for 1–3 s.
   * Fledge may recreate its Service between the delete and the create (409): the team tries again,
   * and after 20 lost races takes it by replacing it with theirs (no owner, their selector).
   */
  async #grab(): Promise<void> {
    const core = this.#admin.makeApiClient(CoreV1Api);
    const name = `${this.#app()}-canary`;
    const body = { metadata: { name, labels: { team: 'other' } }, spec: { selector: { app: 'other' }, ports: [{ port: 80 }] } };
    let theirs: V1Service | undefined;
    for (let attempt = 0; attempt < 20 && theirs === undefined; attempt += 1) {
      await core.deleteNamespacedService({ namespace, name }).catch(() => undefined);
      theirs = await core.createNamespacedService({ namespace, body }).catch((error: { code?: number }) => {
        if (error.code === 409) return undefined;
        throw error;
      });
    }
    if (theirs === undefined) {
      const current = await core.readNamespacedService({ namespace, name });
      theirs = await core.replaceNamespacedService({ namespace, name, body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' } } });
    }
    const watched = { kind: 'Service', name, fingerprint: fingerprint(theirs) };
    this.foreign.push(watched);
    await sleep(1000 + this.#random.uniform() * 2000);
    const now = await core.readNamespacedService({ namespace, name });
    if (fingerprint(now) !== watched.fingerprint) this.changedForeign.push(`Service ${name}: ${watched.fingerprint} → ${fingerprint(now)}`);
    await core.deleteNamespacedService({ namespace, name });
  }

  async #editSplit(): Promise<void> {
    const custom = this.#admin.makeApiClient(CustomObjectsApi);
    const app = this.#app();
    const body = [{ op: 'replace', path: '/spec/backends', value: [{ service: `${app}-primary`, weight: 70 }, { service: `${app}-canary`, weight: 30 }] }];
    await custom.patchNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace, name: app, body });
  }

  async #scaleCanary(): Promise<void> {
    const apps = this.#admin.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeploymentScale({ namespace, name: this.#app(), body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] });
  }

  /** A GitOps tool re-applies the apex Service with the app's own selector. */
  async #resetApex(): Promise<void> {
    const core = this.#admin.makeApiClient(CoreV1Api);
    const app = this.#app();
    await core.patchNamespacedService({ namespace, name: app, body: [{ op: 'replace', path: '/spec/selector', value: { app } }] });
  }

  /** One rule of the controller's ClusterRole disappears for 0.5–2 s, then comes back as it was. */
  async #revoke(): Promise<void> {
    const rbac = this.#admin.makeApiClient(RbacAuthorizationV1Api);
    const role: V1ClusterRole = await rbac.readClusterRole({ name: 'fledge-controller' });
    const rules = role.rules ?? [];
    const dropped = Math.floor(this.#random.uniform() * rules.length);
    await rbac.replaceClusterRole({ name: 'fledge-controller', body: { ...role, rules: rules.filter((_, i) => i !== dropped) } });
    await sleep(500 + this.#random.uniform() * 1500);
    await retrying(async () => {
      const current = await rbac.readClusterRole({ name: 'fledge-controller' });
      await rbac.replaceClusterRole({ name: 'fledge-controller', body: { ...current, rules } });
    });
  }

  /** Writes a real API server refuses by the CRDs' schemas; the emulator must refuse them too. */
  async #invalidWrites(): Promise<void> {
    const custom = this.#admin.makeApiClient(CustomObjectsApi);
    const app = this.#app();
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['Canary status.phase "Bogus"', () => custom.patchNamespacedCustomObjectStatus({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace, name: app, body: [{ op: 'replace', path: '/status/phase', value: 'Bogus' }] })],
      ['TrafficSplit weight "half"', () => custom.patchNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace, name: app, body: [{ op: 'replace', path: '/spec/backends/0/weight', value: 'half' }] })],
    ];
    const [what, write] = this.#pick(attempts);
    // A 404 (the app has no split yet) says nothing about schemas; only an accepted write does.
    const outcome = await write().then(() => 'accepted', (error: { code?: number }) => (error.code === 422 ? 'refused' : 'skipped'));
    if (outcome === 'accepted') this.kinder.push(`${what} on ${app} was accepted`);
    if (outcome === 'refused') this.refused += 1;
  }
}

/** Apps created with another team's object already under one of Fledge's names: never released, never changed. */
async function strangers(admin: KubeConfig): Promise<{ names: string[]; watched: Watched[] }> {
  const core = admin.makeApiClient(CoreV1Api);
  const apps = admin.makeApiClient(AppsV1Api);
  const watched: Watched[] = [];
  const names = ['legacy-0', 'legacy-1', 'legacy-2'];
  const taken = [
    () => core.createNamespacedService({ namespace, body: { metadata: { name: 'legacy-0-primary' }, spec: { selector: { app: 'payments' }, ports: [{ port: 80 }] } } }),
    () => core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'legacy-1-config-primary' }, data: { theirs: 'yes' } } }),
    () => core.createNamespacedSecret({ namespace, body: { metadata: { name: 'legacy-2-creds-primary' }, data: { token: 'dGhlaXJz' } } }),
  ];
  for (const [index, take] of taken.entries()) {
    const object = await take();
    watched.push({ kind: object.kind ?? ['Service', 'ConfigMap', 'Secret'][index] ?? '', name: object.metadata?.name ?? '', fingerprint: fingerprint(object) });
  }
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'legacy-1-config' }, data: { a: '1' } } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'legacy-2-creds' }, data: { a: 'MQ==' } } });
  const track: Record<string, string> = { 'legacy-1': 'configmap/legacy-1-config', 'legacy-2': 'secret/legacy-2-creds' };
  for (const name of names) {
    const labels = { app: name };
    const extra = track[name] === undefined ? {} : { 'fledge.dev/track': track[name] };
    await apps.createNamespacedDeployment({ namespace, body: {
      metadata: { name, annotations: { ...annotations, ...extra } },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: `${name}:1` }] } } },
    } });
  }
  return { names, watched };
}

async function read(admin: KubeConfig, watched: Watched): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  const object = watched.kind === 'Service' ? await core.readNamespacedService({ namespace, name: watched.name })
    : watched.kind === 'ConfigMap' ? await core.readNamespacedConfigMap({ namespace, name: watched.name })
      : await core.readNamespacedSecret({ namespace, name: watched.name });
  return fingerprint(object);
}

async function leftovers(admin: KubeConfig, index: number): Promise<string[]> {
  const name = `app-${index}`;
  const custom = admin.makeApiClient(CustomObjectsApi);
  const apps = admin.makeApiClient(AppsV1Api);
  const canary = await until(`${name} to settle`, async () => (await custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace, name })) as { status: Record<string, any> },
    (c) => terminal(c.status['phase']), 60);
  const split = await until(`${name}'s split at 0`, async () => (await custom.getNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace, name })) as { spec: { backends: Array<{ service: string; weight: number }> } },
    (s) => Number(s.spec.backends.find((b) => b.service === `${name}-canary`)?.weight) === 0, 60).catch((error: unknown) => String(error));
  const target = await until(`${name} at zero`, () => apps.readNamespacedDeployment({ namespace, name }), (d) => d.spec?.replicas === 0, 60).catch((error: unknown) => String(error));
  return [canary, split, target].flatMap((value) => (typeof value === 'string' ? [value] : []));
}

test(`chaos across ${appCount * releasesPerApp} releases: foreign objects untouched, no stuck run, no hot loop, outcomes as deserved`, { timeout: 600_000 }, async (t) => {
  const statusWrites = new Map<string, number>();
  const { emulator, kubeConfig: admin } = await withEmulator(t, {
    podReadyDelayMs: 200,
    watchWindow: 500_000,
    audit: (record) => {
      if (record.user === controllerUser && record.resource === 'canaries/status' && record.allowed && record.verb !== 'get') {
        statusWrites.set(record.name, (statusWrites.get(record.name) ?? 0) + 1);
      }
    },
  });
  await applyFiles(admin, crdFiles);
  const kc = await controllerKubeConfig(emulator, admin);
  const controller = await createController({
    kubeConfig: kc, metrics: splitMetrics(admin), catalog: await fastCatalog(), resyncMs: 2000, concurrency: 8, log: pino({ level: 'silent' }),
  });
  await controller.start();
  t.after(() => controller.stop());
  const { names: legacy, watched: standing } = await strangers(admin);
  const chaos = new Chaos(admin);
  t.after(() => chaos.stop());
  const started = Date.now();
  const outcomes = (await Promise.all(Array.from({ length: appCount }, (_, i) => runApp(admin, i, { annotations, releases: releasesPerApp, badShare, seed, releaseSeconds: 240 })))).flat();
  await chaos.stop();
  const minutes = (Date.now() - started) / 60_000;
  const stuck = (await Promise.all(Array.from({ length: appCount }, (_, i) => leftovers(admin, i)))).flat();
  const custom = admin.makeApiClient(CustomObjectsApi);
  const held = await Promise.all(legacy.map(async (name) => ((await custom.getNamespacedCustomObject({ group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace, name })) as { status?: { conditions?: Array<{ type: string; reason: string }> } }).status?.conditions?.find((c) => c.type === 'ConfigValid')?.reason));
  const changedStanding = (await Promise.all(standing.map(async (w) => ((await read(admin, w)) === w.fingerprint ? [] : [`${w.kind} ${w.name} changed`])))).flat();
  const wrong = outcomes.filter((o) => o.phase !== (o.bad ? 'Failed' : 'Succeeded'));
  const perMinute = [...statusWrites].map(([app, writes]) => [app, writes / minutes] as const).sort((a, b) => b[1] - a[1]);
  const worst = perMinute[0] ?? ['none', 0];
  console.log(`chaos test: ${outcomes.length} releases in ${Math.round(minutes * 60)}s; chaos ${JSON.stringify(Object.fromEntries(chaos.counts))}; ` +
    `foreign objects watched ${chaos.foreign.length + standing.length}, changed ${chaos.changedForeign.length + changedStanding.length}; ` +
    `wrong outcomes ${wrong.length}, stuck ${stuck.length}; status writes per app per minute: max ${worst[1].toFixed(1)} (${worst[0]}), ` +
    `median ${(perMinute[Math.floor(perMinute.length / 2)]?.[1] ?? 0).toFixed(1)}; schema-invalid writes refused ${chaos.refused}, accepted ${chaos.kinder.length}`);
  assert.ok(outcomes.length >= 200);
  assert.ok(chaos.enough(), `every kind of chaos happened at least ${minimumPerKind} times: ${JSON.stringify(Object.fromEntries(chaos.counts))}`);
  assert.ok(chaos.refused >= 1, 'schema-invalid writes were attempted and refused');
  assert.deepEqual(chaos.changedForeign, []);
  assert.deepEqual(changedStanding, []);
  assert.deepEqual(held, ['ForeignObject', 'ForeignObject', 'ForeignObject']);
  assert.deepEqual(chaos.kinder, []);
  assert.deepEqual(wrong, []);
  assert.deepEqual(stuck, []);
  assert.ok(worst[1] <= 120, `status writes per app per minute peaked at ${worst[1].toFixed(1)} (${worst[0]})`);
});
