// deploy/ grants the controller exactly what it calls. Representative scenarios run as the
// controller's ServiceAccount with deploy/'s RBAC — the manager leading through its Lease with
// every watch listed, then reconciles of a bootstrap, a promotion with tracked ConfigMap and
// Secret copies, a rollback, a drift repair, a hand-back and analysis templates' status — and the emulator's audit of them
// must show no request refused and every (group, resource, verb) the roles grant used at least once.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { reconcileTemplate } from '../../src/controller/template-status.ts';
import type { AuditRecord } from '../../src/sandbox/emulator/index.ts';
import { runManager } from '../../src/controller/manager.ts';
import { releaseHarness, type Harness } from '../support/release-harness.ts';
import { controllerAccount, controllerNamespace, controllerRbac, controllerUser } from '../support/rbac.ts';
import { kubectlPath, type K8sObject } from './support.ts';

/**
 * Granted verbs no scenario here exercises, each with the reason; keep it empty unless a verb is
 * granted ahead of code that needs it (the test also fails when an entry here is used or not granted).
 */
const grantedButNotExercised: Readonly<Record<string, string>> = {};

const namespace = 'default';
const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/track': 'configmap/shop-config,secret/shop-secret' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';
const key = (group: string, resource: string, verb: string): string => `${group === '' ? 'core' : group}/${resource} ${verb}`;

/** `core/configmaps get`, … for every rule of every role bound to the controller's ServiceAccount. */
function granted(objects: readonly K8sObject[]): Set<string> {
  const boundToController = (binding: K8sObject): boolean => (binding['subjects'] as Array<Record<string, string>>)
    .some((s) => s['kind'] === 'ServiceAccount' && s['name'] === controllerAccount && s['namespace'] === controllerNamespace);
  const roleRefs = objects.filter((o) => ['RoleBinding', 'ClusterRoleBinding'].includes(o.kind) && boundToController(o)).map((b) => `${b['roleRef'].kind}/${b['roleRef'].name}`);
  const roles = objects.filter((o) => roleRefs.includes(`${o.kind}/${o.metadata.name}`));
  const rules = roles.flatMap((role) => role['rules'] as Array<Record<string, string[] | undefined>>);
  return new Set(rules.flatMap((rule) => (rule['apiGroups'] ?? []).flatMap((group) =>
    (rule['resources'] ?? []).flatMap((resource) => (rule['verbs'] ?? []).map((verb) => key(group, resource, verb))))));
}

/** The manager as deploy/ runs it: leader election in fledge-system, every watch, until it is ready and leading. */
async function leadAndWatch(kc: KubeConfig): Promise<void> {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const abort = new AbortController();
  const running = runManager({
    kubeConfig: kc, log, signal: abort.signal,
    leaderElection: { namespace: controllerNamespace, name: 'fledge-controller', identity: 'coverage' },
    controller: { metrics: { measure: () => Promise.reject(new Error('no analysis here')) }, resyncMs: 1000 },
    probes: { healthAddr: '127.0.0.1:0', metricsAddr: '127.0.0.1:0' },
  });
  const health = (): string | undefined => lines.find((l) => l['msg'] === 'fledge controller starting')?.['health'] as string | undefined;
  for (let i = 0; i < 300; i += 1) {
    const url = health();
    const ready = url !== undefined && lines.some((l) => l['msg'] === 'leading') && (await fetch(`${url}/readyz`)).status === 200;
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  abort.abort();
  assert.equal(await running, 'stopped', JSON.stringify(lines.filter((l) => l['level'] !== 30)));
}

async function reconcileAFewTimes(h: Harness, name: string, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    await h.step(name);
    await new Promise((resolve) => setTimeout(resolve, 10));
    h.advance(2000);
  }
}

async function releaseScenarios(h: Harness): Promise<void> {
  const core = h.kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'shop-config' }, data: { mode: 'a' } } });
  await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'shop-secret' }, stringData: { token: 'a' } } });
  // An autoscaled app: its HPA is read, the primary's created (and updated, and deleted at hand-back).
  await h.kc.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({ namespace, body: {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'shop' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop' }, minReplicas: 1, maxReplicas: 4 },
  } });
  // Bootstrap: primary, Services, Canary, split, and the first -primary copies of the tracked objects.
  await h.deploy('shop', { annotations: fast });
  await h.runUntil('shop', (s) => s.phase === 'Ready');
  // A promotion of a new revision made of changed tracked objects: the copies are replaced.
  await core.replaceNamespacedConfigMap({ namespace, name: 'shop-config', body: { metadata: { name: 'shop-config' }, data: { mode: 'b' } } });
  await core.replaceNamespacedSecret({ namespace, name: 'shop-secret', body: { metadata: { name: 'shop-secret' }, stringData: { token: 'b' } } });
  await h.setImage('shop', 'shop:2.0');
  assert.equal((await h.runUntil('shop', terminal)).status.phase, 'Succeeded');
  // A rollback.
  h.script = { ...h.script, canary: () => ({ failure: 0.05, slow: 0.002 }) };
  await h.setImage('shop', 'shop:3.0');
  assert.equal((await h.runUntil('shop', terminal)).status.phase, 'Failed');
  // A changed annotation: the Canary's spec mirrors the resolved config again (an update).
  await h.kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({
    namespace, name: 'shop', body: [{ op: 'replace', path: '/metadata/annotations/fledge.dev~1steps', value: '20,50' }],
  });
  await reconcileAFewTimes(h, 'shop', 1);
  assert.deepEqual((await h.canary('shop')).spec.steps, [20, 50]);
  // Drift: the primary's HPA edited by hand is written again.
  await h.kc.makeApiClient(AutoscalingV2Api).patchNamespacedHorizontalPodAutoscaler({
    namespace, name: 'shop-primary', body: [{ op: 'replace', path: '/spec/maxReplicas', value: 9 }],
  });
  await reconcileAFewTimes(h, 'shop', 1);
  // Drift: a Service deleted by hand is created again.
  await core.deleteNamespacedService({ namespace, name: 'shop-canary' });
  await reconcileAFewTimes(h, 'shop', 2);
  assert.ok(await core.readNamespacedService({ namespace, name: 'shop-canary' }));
  // Hand-back: the annotation set to "false" removes the split and the Canary.
  await h.kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({
    namespace, name: 'shop', body: [{ op: 'replace', path: '/metadata/annotations/fledge.dev~1canary', value: 'false' }],
  });
  for (let i = 0; i < 10 && (await h.canary('shop').then(() => true, () => false)); i += 1) await reconcileAFewTimes(h, 'shop', 1);
  await assert.rejects(h.canary('shop'), /404|not found/i);
  // Analysis templates: each gets its Ready condition written (a bad one also an Event).
  const custom = h.kc.makeApiClient(CustomObjectsApi);
  const gv = { group: 'fledge.dev', version: 'v1alpha1' };
  const spec = { description: 'x', scrapeInterval: '10s', counts: { requests: 'a', failures: 'b', slow: 'c' }, display: { successRate: 'd', p99: 'e' } };
  await custom.createNamespacedCustomObject({ ...gv, plural: 'analysistemplates', namespace, body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'AnalysisTemplate', metadata: { name: 'mine' }, spec } });
  await custom.createClusterCustomObject({ ...gv, plural: 'clusteranalysistemplates', body: { apiVersion: 'fledge.dev/v1alpha1', kind: 'ClusterAnalysisTemplate', metadata: { name: 'ours' }, spec } });
  await reconcileTemplate(h.deps, { kind: 'AnalysisTemplate', namespace, name: 'mine' });
  await reconcileTemplate(h.deps, { kind: 'ClusterAnalysisTemplate', namespace: null, name: 'ours' });
  await gatewayScenario(h);
}

/** The HTTPRoute router: created at bootstrap, updated by a promotion, deleted at hand-back. */
async function gatewayScenario(h: Harness): Promise<void> {
  h.acceptRoutes = true;
  h.script = { ...h.script, canary: () => ({ failure: 0.005, slow: 0.002 }) };
  await h.deploy('cart', { annotations: { ...fast, 'fledge.dev/track': 'none', 'fledge.dev/router': 'gateway-api' } });
  await h.runUntil('cart', (s) => s.phase === 'Ready');
  await h.setImage('cart', 'cart:2.0');
  assert.equal((await h.runUntil('cart', terminal)).status.phase, 'Succeeded');
  await h.kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({
    namespace, name: 'cart', body: [{ op: 'replace', path: '/metadata/annotations/fledge.dev~1canary', value: 'false' }],
  });
  for (let i = 0; i < 10 && (await h.canary('cart').then(() => true, () => false)); i += 1) await reconcileAFewTimes(h, 'cart', 1);
  assert.equal(await h.route('cart'), null);
  // North–south behind a Gateway no implementation serves: the route is not accepted, so the Gateway is looked up.
  await h.deploy('front', { annotations: { ...fast, 'fledge.dev/track': 'none', 'fledge.dev/router': 'gateway-api', 'fledge.dev/gateway': 'public' } });
  await reconcileAFewTimes(h, 'front', 3);
}

const describe = (records: readonly AuditRecord[]): string[] => records.map((r) => `${r.verb} ${r.resource} (${r.group || 'core'}) in "${r.namespace}" ${r.name}`);

test('deploy/ grants the controller exactly the verbs it uses: nothing it asks is refused, nothing granted goes unused', { skip: kubectlPath === undefined, timeout: 300_000 }, async (t: TestContext) => {
  const audit: AuditRecord[] = [];
  const h = await releaseHarness(t, { gatewayApi: true, audit: (record) => { if (record.user === controllerUser) audit.push(record); } });
  await leadAndWatch(h.controllerKc);
  await releaseScenarios(h);
  const used = new Set(audit.filter((r) => r.allowed).map((r) => key(r.group, r.resource, r.verb)));
  const grants = granted(await controllerRbac());

  await t.test('no request of the controller was refused', () => {
    assert.deepEqual(describe(audit.filter((r) => !r.allowed)), []);
  });
  await t.test('every verb the controller roles grant was used', () => {
    const unused = [...grants].filter((k) => !used.has(k) && grantedButNotExercised[k] === undefined).sort();
    assert.deepEqual(unused, [], `granted but never called: trim deploy/base/rbac/ or add the scenario that needs them (used: ${[...used].sort().join(', ')})`);
  });
  await t.test('the verbs excused from use are granted and indeed unused', () => {
    for (const excused of Object.keys(grantedButNotExercised)) {
      assert.ok(grants.has(excused), `${excused} is not granted`);
      assert.ok(!used.has(excused), `${excused} is used now: remove it from grantedButNotExercised`);
    }
  });
});
