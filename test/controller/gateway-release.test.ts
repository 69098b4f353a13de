// Releases through a Gateway API HTTPRoute (fledge.dev/router: gateway-api): the same promotion
// and rollback as through a TrafficSplit, held while the implementation has not accepted the
// route, A/B by request match, and the bad inputs refused before any traffic moves.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { memoryHarness, releaseHarness, type ScenarioHarness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/router': 'gateway-api', 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';

function weightsOf(route: Record<string, any> | null): Record<string, number> {
  const rules = (route?.['spec']?.rules ?? []) as Array<{ backendRefs: Array<{ name: string; weight: number }> }>;
  return Object.fromEntries(rules.flatMap((r) => r.backendRefs).map((b) => [b.name, b.weight]));
}

async function ready(h: ScenarioHarness, annotations: Record<string, string> = fast): Promise<void> {
  h.acceptRoutes = true;
  await h.deploy('shop', { annotations });
  await h.runUntil('shop', (s) => s.phase === 'Ready');
}

const condition = (canary: Record<string, any>, type: string): Record<string, any> | undefined =>
  (canary['status']?.conditions as Array<Record<string, any>>).find((c) => c['type'] === type);

test('through the API as the controller (deploy/ RBAC): a good revision is promoted and a bad one rolled back, all through the HTTPRoute, and no TrafficSplit is written', { timeout: 240_000 }, async (t: TestContext) => {
  const h = await releaseHarness(t, { gatewayApi: true });
  await ready(h);
  const route = await h.route('shop');
  assert.deepEqual(route?.['spec']?.parentRefs, [{ group: '', kind: 'Service', name: 'shop', port: 8080 }], 'mesh (GAMMA): the parent is the app\'s Service');
  assert.deepEqual(weightsOf(route), { 'shop-primary': 100, 'shop-canary': 0 });

  await h.setImage('shop', 'shop:2.0');
  const good = await h.runUntil('shop', terminal);
  assert.equal(good['status'].phase, 'Succeeded');
  assert.deepEqual([...new Set(h.writes.map((w) => w.canaryWeight))], [0, 10, 50]);
  assert.deepEqual(weightsOf(await h.route('shop')), { 'shop-primary': 100, 'shop-canary': 0 });

  h.script = { ...h.script, canary: () => ({ failure: 0.2, slow: 0.002 }) };
  await h.setImage('shop', 'shop:3.0');
  const bad = await h.runUntil('shop', terminal);
  assert.equal(bad['status'].phase, 'Failed');
  assert.deepEqual(weightsOf(await h.route('shop')), { 'shop-primary': 100, 'shop-canary': 0 });

  const splits = await h.kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'split.smi-spec.io', version: 'v1alpha2', plural: 'trafficsplits', namespace: 'default' }) as { items: unknown[] };
  assert.deepEqual(splits.items, [], 'no TrafficSplit when the router is gateway-api');
});

test('a route its implementation never accepts holds the run (RouteNotAccepted, with the parent\'s message) and rolls back at the progress deadline', async (t) => {
  const h = await memoryHarness(t);
  await ready(h, { ...fast, 'fledge.dev/progress-deadline': '2m' });
  h.acceptRoutes = false;
  await h.setImage('shop', 'shop:2.0');
  const held = await h.runUntil('shop', (s) => s.pausedBy === 'route');
  assert.equal(held['status'].phase, 'Paused');
  assert.match(held['status'].message, /traffic has not moved: HTTPRoute shop is not accepted: Service shop:8080 \(sandbox\.fledge\.dev\/mesh\) reports Accepted=False .*no Gateway API implementation serves this parent/);
  assert.equal(condition(held, 'Paused')?.['reason'], 'RouteNotAccepted');
  assert.ok((await h.events()).some((e) => e.reason === 'RouteNotAccepted' && /not accepted/.test(e.message ?? '')));
  const weightsWhileHeld = new Set(h.writes.map((w) => w.canaryWeight));
  const ended = await h.runUntil('shop', terminal);
  assert.equal(ended['status'].phase, 'Failed');
  assert.match(ended['status'].message, /route was not accepted within the progress deadline/);
  assert.ok(!weightsWhileHeld.has(50), 'never advanced to the second step');
});

test('a route accepted late goes on from there and is promoted', async (t) => {
  const h = await memoryHarness(t);
  await ready(h);
  h.acceptRoutes = false;
  await h.setImage('shop', 'shop:2.0');
  await h.runUntil('shop', (s) => s.pausedBy === 'route');
  h.acceptRoutes = true;
  assert.equal((await h.runUntil('shop', terminal))['status'].phase, 'Succeeded');
  assert.ok((await h.events()).some((e) => e.reason === 'Resumed' && /route accepted/.test(e.message ?? '')));
});

test('A/B: during the run only requests meeting the match reach the canary; all others stay on the primary', async (t) => {
  const h = await memoryHarness(t);
  await ready(h, { ...fast, 'fledge.dev/match': 'header:x-beta=1,cookie:group=b' });
  await h.setImage('shop', 'shop:2.0');
  await h.runUntil('shop', (s) => s.step === 0 && s.phase === 'Progressing');
  const rules = (await h.route('shop'))?.['spec']?.rules as Array<Record<string, any>>;
  assert.equal(rules.length, 2);
  assert.deepEqual(rules[0]?.['matches'], [{
    path: { type: 'PathPrefix', value: '/' },
    headers: [{ type: 'Exact', name: 'x-beta', value: '1' }, { type: 'RegularExpression', name: 'Cookie', value: '(^|;\\s*)group=b(;|$)' }],
  }]);
  assert.deepEqual(rules[0]?.['backendRefs'].map((b: Record<string, unknown>) => [b['name'], b['weight']]), [['shop-primary', 0], ['shop-canary', 100]]);
  assert.deepEqual(rules[1]?.['backendRefs'].map((b: Record<string, unknown>) => [b['name'], b['weight']]), [['shop-primary', 100], ['shop-canary', 0]]);
  assert.equal((await h.canary('shop'))['spec'].match, 'header:x-beta=1,cookie:group=b');
  assert.ok((await h.events()).some((e) => e.reason === 'StepAdvanced' && e.message === 'checkpoint 1/2: requests matching header:x-beta=1,cookie:group=b to the canary, all others to the primary'));
  assert.equal((await h.runUntil('shop', terminal))['status'].phase, 'Succeeded');
  assert.equal(((await h.route('shop'))?.['spec']?.rules as unknown[]).length, 1, 'the match rule goes with the run');
});

test('an HTTPRoute edited by hand is written again', async (t) => {
  const h = await memoryHarness(t);
  await ready(h);
  await h.edit('httproutes', 'shop', (route) => {
    route['spec'].rules = [{ backendRefs: [{ group: '', kind: 'Service', name: 'shop-canary', port: 8080, weight: 1 }] }];
  });
  await h.step('shop');
  assert.deepEqual(weightsOf(await h.route('shop')), { 'shop-primary': 100, 'shop-canary': 0 });
  assert.ok((await h.events()).some((e) => e.reason === 'DriftRepaired' && /HTTPRoute shop was edited/.test(e.message ?? '')));
});

test('an HTTPRoute of the app\'s name that is someone else\'s is never taken over', async (t) => {
  const h = await memoryHarness(t);
  await h.put('httproutes', {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: { name: 'shop', labels: { 'app.kubernetes.io/managed-by': 'flagger' } },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'shop', port: 8080 }], rules: [{ backendRefs: [{ name: 'shop', port: 8080 }] }] },
  });
  await h.deploy('shop', { annotations: fast });
  for (let i = 0; i < 5; i += 1) await h.step('shop');
  const canary = await h.canary('shop');
  assert.equal(condition(canary, 'ConfigValid')?.['reason'], 'ForeignObject');
  assert.match(condition(canary, 'ConfigValid')?.['message'], /HTTPRoute shop \(owner: flagger\): not Fledge's/);
  assert.deepEqual((await h.route('shop'))?.['spec']?.rules, [{ backendRefs: [{ name: 'shop', port: 8080 }] }]);
});

test('an apex Service without a port is a configuration error naming the Service and the router', async (t) => {
  const h = await memoryHarness(t);
  await h.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop' }, spec: { clusterIP: 'None', selector: { app: 'shop' } } });
  await h.deploy('shop', { annotations: fast });
  await h.step('shop');
  const invalid = condition(await h.canary('shop'), 'ConfigValid');
  assert.equal(invalid?.['reason'], 'InvalidTarget');
  assert.match(invalid?.['message'], /Service shop has no port, and fledge\.dev\/router: gateway-api routes to a Service port/);
  assert.equal(await h.route('shop'), null, 'nothing routed');
});

test('north–south: the route attaches to the named Gateway listener with its hostnames', async (t) => {
  const h = await memoryHarness(t);
  await ready(h, { ...fast, 'fledge.dev/gateway': 'infra/public:https', 'fledge.dev/hostnames': 'shop.example.com' });
  const route = await h.route('shop');
  assert.deepEqual(route?.['spec']?.parentRefs, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'infra', sectionName: 'https' }]);
  assert.deepEqual(route?.['spec']?.hostnames, ['shop.example.com']);
});

test('an app moved from SMI to gateway-api loses the TrafficSplit Fledge wrote for it: a mesh never follows both', async (t) => {
  const h = await memoryHarness(t);
  await h.deploy('shop', { annotations: { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s' } });
  await h.runUntil('shop', (s) => s.phase === 'Ready');
  assert.deepEqual(await h.split('shop'), { 'shop-primary': 100, 'shop-canary': 0 });
  const current = await h.deployment('shop');
  current.metadata!.annotations = { ...current.metadata!.annotations, 'fledge.dev/router': 'gateway-api' };
  await h.admin.replaceDeployment(current);
  h.acceptRoutes = true;
  await h.step('shop');
  assert.equal(h.cluster.store.peek('trafficsplits', 'default', 'shop'), null);
  assert.deepEqual(weightsOf(await h.route('shop')), { 'shop-primary': 100, 'shop-canary': 0 });
  assert.ok((await h.events()).some((e) => e.reason === 'RouterChanged' && /now routes through HTTPRoute shop/.test(e.message ?? '')));
});

test('a Gateway nobody serves (missing, or refusing the namespace) holds the run with a message naming fledge.dev/gateway and its value', async (t) => {
  const h = await memoryHarness(t);
  await ready(h, { ...fast, 'fledge.dev/gateway': 'infra/missing' });
  h.acceptRoutes = null; // no implementation serves that Gateway: nobody writes the route's status
  await h.setImage('shop', 'shop:2.0');
  const held = await h.runUntil('shop', (s) => s.pausedBy === 'route');
  assert.match(held['status'].message, /HTTPRoute shop.* Gateway infra\/missing.*\(check fledge\.dev\/gateway: "infra\/missing": the Gateway must exist and allow routes from namespace default\)/);
});

test('hand-back deletes the HTTPRoute with the Canary, and the app serves directly again', async (t) => {
  const h = await memoryHarness(t);
  await ready(h);
  const current = await h.deployment('shop');
  current.metadata!.annotations = { ...current.metadata!.annotations, 'fledge.dev/canary': 'false' };
  await h.admin.replaceDeployment(current);
  for (let i = 0; i < 20 && (await h.canary('shop').then(() => true, () => false)); i += 1) {
    await h.step('shop');
    h.cluster.workloads.settle();
    h.advance(2000);
  }
  await assert.rejects(h.canary('shop'), /not found/);
  assert.equal(await h.route('shop'), null);
});

test('a Gateway that does not exist is named as such while the run holds', async (t) => {
  const h = await memoryHarness(t);
  await ready(h, { ...fast, 'fledge.dev/gateway': 'public' });
  h.acceptRoutes = null;
  await h.setImage('shop', 'shop:2.0');
  const held = await h.runUntil('shop', (s) => s.pausedBy === 'route');
  assert.match(held['status'].message, /HTTPRoute shop is not accepted: its parent Gateway default\/public does not exist \(check fledge\.dev\/gateway: "public"/);
  // Once the Gateway is there, the message goes back to what the implementation says (here: nothing yet).
  await h.put('gateways', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'public' }, spec: { gatewayClassName: 'x', listeners: [] } });
  await h.step('shop');
  assert.match((await h.canary('shop'))['status'].message, /HTTPRoute shop.* Gateway public/);
  assert.doesNotMatch((await h.canary('shop'))['status'].message, /does not exist/);
});

test('deleting the Deployment deletes the Canary and, with it, the HTTPRoute it owns', async (t) => {
  const h = await memoryHarness(t);
  await ready(h);
  assert.notEqual(await h.route('shop'), null);
  await h.remove('deployments', 'shop');
  await h.step('shop');
  h.cluster.workloads.settle();
  await assert.rejects(h.canary('shop'), /not found/);
  assert.equal(await h.route('shop'), null);
});

test('an app moved back from gateway-api to SMI loses its HTTPRoute', async (t) => {
  const h = await memoryHarness(t);
  await ready(h);
  const current = await h.deployment('shop');
  current.metadata!.annotations = { ...current.metadata!.annotations, 'fledge.dev/router': 'smi-v1alpha2' };
  await h.admin.replaceDeployment(current);
  await h.step('shop');
  assert.equal(await h.route('shop'), null);
  assert.deepEqual(await h.split('shop'), { 'shop-primary': 100, 'shop-canary': 0 });
  assert.ok((await h.events()).some((e) => e.reason === 'RouterChanged' && /HTTPRoute shop removed: shop now routes through TrafficSplit shop/.test(e.message ?? '')));
});
