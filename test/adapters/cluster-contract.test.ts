// One contract for the cluster port (ClusterObjects and the SMI TrafficRouter), run against the
// in-memory implementation and against the emulator through client-node as the controller's
// ServiceAccount: where reconcile relies on API-server behaviour, the two must agree.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { createClusterObjects } from '../../src/adapters/kube/cluster.ts';
import { createMemoryCluster } from '../../src/adapters/memory/cluster.ts';
import { createRouter } from '../../src/adapters/router-factory.ts';
import type { RouterKind } from '../../src/config/knobs.ts';
import { isFledgeError } from '../../src/errors.ts';
import type { CanaryObject, ClusterObjects, RouteRef, TrafficRouter } from '../../src/ports.ts';
import { withEmulator } from '../support/emulator.ts';
import { controllerKubeConfig } from '../support/rbac.ts';
import { applyFiles, crdFiles } from '../support/release-harness.ts';

interface Subject {
  readonly objects: ClusterObjects;
  router(kind: RouterKind): TrafficRouter;
  /** As the cluster admin: a TrafficSplit someone else made. */
  createSplit(split: Record<string, unknown>): Promise<void>;
  /** The next `count` calls of `verb` on `resource` answer `status`. */
  failNext(match: { verb: 'get' | 'update' | 'create'; resource: string }, count: number, status: 409 | 429 | 500): void;
  /** As the cluster admin: the Events in `default`. */
  events(): Promise<Array<{ reason?: string | undefined; count?: number | undefined }>>;
}

const clock = { now: () => Date.parse('2026-11-23T10:00:00Z') };
let serial = 0;
const fresh = (prefix: string): string => `${prefix}-${(serial += 1)}`;

async function memorySubject(): Promise<Subject> {
  const cluster = createMemoryCluster({ clock });
  return {
    objects: cluster.objects,
    router: (kind) => cluster.routerFor(kind),
    failNext: (match, count, status) => cluster.log.failNext(match, count, status),
    createSplit: async (split) => {
      const metadata = split['metadata'] as { name: string };
      cluster.store.create('trafficsplits', { verb: 'create', resource: 'trafficsplits', namespace: 'default', name: metadata.name }, split as never);
    },
    events: async () => cluster.store.list('events', 'default') as Array<{ reason?: string; count?: number }>,
  };
}

async function emulatorSubject(t: { after(fn: () => unknown): void }): Promise<Subject> {
  const { emulator, kubeConfig: kc } = await withEmulator(t);
  await applyFiles(kc, crdFiles);
  const controllerKc = await controllerKubeConfig(emulator, kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    // The admin's: the port also serves the CLI (patch, delete), which the controller's RBAC does not allow.
    objects: createClusterObjects(kc, { clock }),
    router: (kind) => createRouter(kind, controllerKc),
    failNext: (match, count, status) => emulator.faults.failNext(match, count, status),
    createSplit: async (body) => {
      await custom.createNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default', body });
    },
    events: async () => (await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default' })).items,
  };
}

function deployment(name: string, image = 'app:1'): V1Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', labels: { team: 'a' } },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image }] } } },
  };
}

function canary(name: string): CanaryObject {
  return { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name, namespace: 'default' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name } } };
}

/** The Deployment once the cluster's own controller has had its turn. */
async function settled(s: Subject, name: string): Promise<V1Deployment> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const found = await s.objects.getDeployment('default', name);
  assert.ok(found);
  return found;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isFledgeError(error) && error.code === code);
}

function contract(label: string, subjectFor: (t: { after(fn: () => unknown): void }) => Promise<Subject>): void {
  describe(`the cluster port (${label})`, () => {
    let s: Subject;
    const cleanups: Array<() => unknown> = [];
    before(async () => {
      s = await subjectFor({ after: (fn) => cleanups.push(fn) });
    });
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    it('reads a missing object as null and deletes a missing one without error', async () => {
      assert.equal(await s.objects.getDeployment('default', 'nothing'), null);
      assert.equal(await s.objects.getService('default', 'nothing'), null);
      assert.equal(await s.objects.getConfigMap('default', 'nothing'), null);
      assert.equal(await s.objects.getSecret('default', 'nothing'), null);
      assert.equal(await s.objects.getCanary('default', 'nothing'), null);
      await s.objects.deleteService('default', 'nothing');
      await s.objects.deleteCanary('default', 'nothing');
    });

    it('creates with uid, resourceVersion and generation 1, and refuses a second create of the name as a conflict', async () => {
      const name = fresh('create');
      const created = await s.objects.createDeployment(deployment(name));
      assert.ok(created.metadata?.uid);
      assert.ok(created.metadata?.resourceVersion);
      assert.equal(created.metadata?.generation, 1);
      await rejectsWith(s.objects.createDeployment(deployment(name)), 'FLEDGE_API_CONFLICT');
    });

    it('replaces only at the current resourceVersion, and moves generation on spec changes only', async () => {
      const name = fresh('replace');
      const created = await s.objects.createDeployment(deployment(name));
      // Re-read: the cluster's deployment controller may have written status since (a new resourceVersion).
      const current = await settled(s, name);
      const relabelled = await s.objects.replaceDeployment({ ...current, metadata: { ...current.metadata, labels: { team: 'b' } } });
      assert.notEqual(relabelled.metadata?.resourceVersion, created.metadata?.resourceVersion);
      assert.equal(relabelled.metadata?.generation, 1);
      await rejectsWith(s.objects.replaceDeployment({ ...created, metadata: { ...created.metadata, labels: { team: 'c' } } }), 'FLEDGE_API_CONFLICT');
      const changed = { ...relabelled, spec: { ...relabelled.spec!, template: deployment(name, 'app:2').spec!.template } };
      assert.equal((await s.objects.replaceDeployment(changed)).metadata?.generation, 2);
      assert.equal((await s.objects.getDeployment('default', name))?.metadata?.labels?.['team'], 'b');
    });

    it('ignores status in a Deployment replace, and scales through /scale', async () => {
      const name = fresh('scale');
      await s.objects.createDeployment(deployment(name));
      await s.objects.replaceDeployment({ ...(await settled(s, name)), status: { readyReplicas: 99 } });
      assert.notEqual((await s.objects.getDeployment('default', name))?.status?.readyReplicas, 99);
      const before = Number((await s.objects.getDeployment('default', name))?.metadata?.resourceVersion);
      const version = Number(await s.objects.scaleDeployment('default', name, 0));
      const scaled = await s.objects.getDeployment('default', name);
      assert.equal(scaled?.spec?.replicas, 0);
      // The Deployment's resourceVersion after the change (its controller may have written status since).
      assert.ok(version > before && version <= Number(scaled?.metadata?.resourceVersion), `scale answered ${version}; before ${before}, after ${scaled?.metadata?.resourceVersion}`);
      assert.equal(scaled?.metadata?.generation, 2);
      await rejectsWith(s.objects.scaleDeployment('default', fresh('missing'), 1), 'FLEDGE_API_REJECTED');
    });

    it('keeps ownerReferences, merge-patches Deployments, and collects them once their owner is gone', async () => {
      const name = fresh('owned');
      const parent = await s.objects.createCanary(canary(fresh('owner')));
      const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: parent.metadata.name!, uid: parent.metadata.uid!, controller: true };
      const body = deployment(name);
      await s.objects.createDeployment({ ...body, metadata: { ...body.metadata, ownerReferences: [owner] } });
      const patched = await s.objects.patchDeployment('default', name, { metadata: { annotations: { note: 'yes' }, labels: { team: null } } });
      assert.equal(patched.metadata?.annotations?.['note'], 'yes');
      assert.equal(patched.metadata?.labels?.['team'], undefined);
      assert.equal(patched.metadata?.ownerReferences?.[0]?.uid, owner.uid);
      await s.objects.deleteCanary('default', owner.name);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await s.objects.getDeployment('default', name), null);
    });

    it('refuses names Kubernetes refuses, and objects in a namespace that does not exist', async () => {
      await rejectsWith(s.objects.createService({ metadata: { name: 'web', namespace: 'nowhere' }, spec: { ports: [{ port: 80 }] } }), 'FLEDGE_API_REJECTED');
      await rejectsWith(s.objects.createDeployment(deployment('Upper-Case')), 'FLEDGE_API_REJECTED');
      const service = { metadata: { name: `s${'x'.repeat(63)}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
      await rejectsWith(s.objects.createService(service), 'FLEDGE_API_REJECTED');
    });

    it('applies ConfigMaps (create, then replace) and deletes Services idempotently', async () => {
      const name = fresh('settings');
      await s.objects.applyConfigMap({ metadata: { name, namespace: 'default' }, data: { a: '1' } });
      const second = await s.objects.applyConfigMap({ metadata: { name, namespace: 'default' }, data: { a: '2' } });
      assert.equal(second.data?.['a'], '2');
      const service = fresh('svc');
      await s.objects.createService({ metadata: { name: service, namespace: 'default' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
      await s.objects.deleteService('default', service);
      await s.objects.deleteService('default', service);
      assert.equal(await s.objects.getService('default', service), null);
    });

    it('writes a Canary\'s status only, at the current resourceVersion, and patches its annotations', async () => {
      const name = fresh('canary');
      const created = await s.objects.createCanary(canary(name));
      assert.equal(created.metadata.generation, 1);
      const status = { phase: 'Ready', message: 'hi' } as unknown as NonNullable<CanaryObject['status']>;
      const written = await s.objects.updateCanaryStatus({ ...created, spec: { changed: true }, status });
      assert.equal(written.status?.phase, 'Ready');
      assert.equal(written.spec['changed'], undefined, 'the status write ignores spec');
      assert.equal(written.metadata.generation, 1);
      await rejectsWith(s.objects.updateCanaryStatus({ ...created, status }), 'FLEDGE_API_CONFLICT');
      const respecced = await s.objects.updateCanary({ ...written, spec: { ...written.spec, steps: [20, 40] }, status: { ...status, phase: 'Failed' } });
      assert.deepEqual(respecced.spec['steps'], [20, 40]);
      assert.equal(respecced.metadata.generation, 2, 'a spec change moves the generation');
      assert.equal(respecced.status?.phase, 'Ready', 'the main resource ignores status');
      await rejectsWith(s.objects.updateCanary({ ...written, spec: { steps: [1] } }), 'FLEDGE_API_CONFLICT');
      await s.objects.patchCanaryAnnotations('default', name, { a: '1', b: '2' });
      const patched = await s.objects.patchCanaryAnnotations('default', name, { a: null });
      assert.deepEqual(patched.metadata.annotations, { b: '2' });
      assert.ok((await s.objects.listCanaries('default')).some((c) => c.metadata.name === name));
      assert.equal((await s.objects.listCanaries('kube-system')).length, 0);
      await s.objects.deleteCanary('default', name);
      assert.equal(await s.objects.getCanary('default', name), null);
    });

    it('keeps HorizontalPodAutoscalers: defaulted, listed, replaced at the current resourceVersion, refused when invalid, deleted idempotently', async () => {
      const name = fresh('hpa');
      const body = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, maxReplicas: 4 } };
      const created = await s.objects.createHpa(body);
      assert.equal(created.spec?.minReplicas, 1);
      assert.equal(created.spec?.metrics?.[0]?.resource?.target.averageUtilization, 80);
      assert.ok((await s.objects.listHpas('default')).some((h) => h.metadata?.name === name));
      const replaced = await s.objects.replaceHpa({ ...created, spec: { ...created.spec!, maxReplicas: 6 } });
      assert.equal((await s.objects.getHpa('default', name))?.spec?.maxReplicas, 6);
      await rejectsWith(s.objects.replaceHpa({ ...created, spec: { ...created.spec!, maxReplicas: 5 } }), 'FLEDGE_API_CONFLICT');
      await rejectsWith(s.objects.replaceHpa({ ...replaced, spec: { ...replaced.spec!, minReplicas: 0 } }), 'FLEDGE_API_REJECTED');
      await s.objects.deleteHpa('default', name);
      await s.objects.deleteHpa('default', name);
      assert.equal(await s.objects.getHpa('default', name), null);
    });

    it('answers failures with the same codes: 409 a conflict, 429 and 500 unavailable and retryable', async () => {
      const name = fresh('faults');
      const created = await s.objects.createCanary(canary(name));
      const status = { phase: 'Ready' } as unknown as NonNullable<CanaryObject['status']>;
      for (const [answer, code] of [[409, 'FLEDGE_API_CONFLICT'], [429, 'FLEDGE_API_UNAVAILABLE'], [500, 'FLEDGE_API_UNAVAILABLE']] as const) {
        s.failNext({ verb: 'update', resource: 'canaries/status' }, 1, answer);
        await assert.rejects(s.objects.updateCanaryStatus({ ...created, status }), (error: unknown) => isFledgeError(error) && error.code === code && error.retryable);
      }
      s.failNext({ verb: 'get', resource: 'deployments' }, 1, 500);
      await rejectsWith(s.objects.getDeployment('default', name), 'FLEDGE_API_UNAVAILABLE');
      assert.equal((await s.objects.updateCanaryStatus({ ...created, status })).status?.phase, 'Ready', 'a fault is used up');
    });

    it('records a repeated Event once, with its count', async () => {
      const created = await s.objects.createCanary(canary(fresh('events')));
      const record = { canary: created, severity: 'Warning' as const, reason: `Repeat${serial}`, message: 'twice' };
      await s.objects.recordEvent(record);
      await s.objects.recordEvent(record);
      const events = (await s.events()).filter((e) => e.reason === record.reason);
      assert.deepEqual(events.map((e) => e.count), [2]);
    });

    it('routes: creates a split at the weight, reads it back exact, and removes it idempotently', async () => {
      const router = s.router('smi-v1alpha2');
      const name = fresh('route');
      const ref: RouteRef = { namespace: 'default', name, primaryService: `${name}-primary`, canaryService: `${name}-canary` };
      assert.deepEqual(await router.read(ref), { kind: 'missing' });
      await router.write(ref, 10);
      assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 10, primaryWeight: 90, exact: true });
      await router.write(ref, 10);
      await router.write(ref, 50);
      assert.deepEqual(await router.read(ref), { kind: 'routed', canaryWeight: 50, primaryWeight: 50, exact: true });
      await assert.rejects(router.write(ref, 101), RangeError);
      await router.remove(ref);
      await router.remove(ref);
      assert.deepEqual(await router.read(ref), { kind: 'missing' });
    });

    it('never writes or removes a split that is not Fledge\'s', async () => {
      const router = s.router('smi-v1alpha2');
      const name = fresh('foreign');
      const ref: RouteRef = { namespace: 'default', name, primaryService: `${name}-primary`, canaryService: `${name}-canary` };
      await s.createSplit({
        apiVersion: 'split.smi-spec.io/v1alpha2', kind: 'TrafficSplit', metadata: { name, namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'flagger' } },
        spec: { service: name, backends: [{ service: `${name}-primary`, weight: 70 }, { service: `${name}-canary`, weight: 30 }] },
      });
      assert.deepEqual(await router.read(ref), { kind: 'foreign', owner: 'flagger' });
      await rejectsWith(router.write(ref, 0), 'FLEDGE_ROUTE_FOREIGN');
      await router.remove(ref);
      assert.deepEqual(await router.read(ref), { kind: 'foreign', owner: 'flagger' });
    });
  });
}

contract('in memory', () => memorySubject());
contract('emulator over HTTP', (t) => emulatorSubject(t));
