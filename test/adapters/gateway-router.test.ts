// What only the Gateway API router does, through client-node against the emulator serving the
// real HTTPRoute CRD (whose schema checks every route written): Gateway parents and hostnames,
// A/B rules, a missing Gateway named, v1beta1 reads, and weights kept when no shape is given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { createRouter } from '../../src/adapters/router-factory.ts';
import type { RouteRef } from '../../src/ports.ts';
import { withEmulator } from '../support/emulator.ts';
import { crdFiles, installCrds } from '../fixtures/crds/install.ts';

type Obj = Record<string, any>;
const base: RouteRef = { namespace: 'default', name: 'app', primaryService: 'app-primary', canaryService: 'app-canary' };
const gvp = { group: 'gateway.networking.k8s.io', plural: 'httproutes', namespace: 'default', name: 'app' };

async function setup(t: { after(fn: () => unknown): void }) {
  const { kubeConfig } = await withEmulator(t);
  await installCrds(kubeConfig, crdFiles.httpRoute);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  return { router: createRouter('gateway-api', kubeConfig), get: async (version = 'v1') => (await api.getNamespacedCustomObject({ ...gvp, version })) as Obj };
}

test('north–south: the route attaches to the Gateway listener with its hostnames, and a missing Gateway is named', async (t) => {
  const { router, get } = await setup(t);
  const ref: RouteRef = { ...base, shape: { ports: [8080], gateway: { namespace: 'infra', name: 'public', sectionName: 'https' }, hostnames: ['shop.example.com'], match: [] } };
  await router.write(ref, 10);
  const route = await get();
  assert.deepEqual(route['spec'].parentRefs, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'infra', sectionName: 'https' }]);
  assert.deepEqual(route['spec'].hostnames, ['shop.example.com']);
  const state = await router.read(ref);
  assert.equal(state.kind === 'routed' ? state.acceptance?.message : '', 'HTTPRoute app is not accepted: its parent Gateway infra/public does not exist');
});

test('A/B: the match rule and the catch-all pass the HTTPRoute schema, read back at their checkpoint, and go when the run ends', async (t) => {
  const { router, get } = await setup(t);
  const ref: RouteRef = {
    ...base,
    shape: { ports: [80], gateway: null, hostnames: [], match: [
      { on: 'header', name: 'x-beta', value: '1', regex: false },
      { on: 'header', name: 'user-agent', value: '.*Firefox.*', regex: true },
      { on: 'cookie', name: 'group', value: 'b', regex: false },
      { on: 'query', name: 'beta', value: 'yes', regex: false },
    ] },
  };
  await router.write(ref, 25);
  const rules = (await get())['spec'].rules as Obj[];
  assert.equal(rules.length, 2);
  assert.deepEqual(rules[0]?.['matches'][0].queryParams, [{ type: 'Exact', name: 'beta', value: 'yes' }]);
  assert.equal(rules[0]?.['matches'][0].headers.length, 3);
  const state = await router.read(ref);
  assert.deepEqual(state.kind === 'routed' ? [state.canaryWeight, state.exact] : null, [25, true]);
  await router.write(ref, 0);
  assert.equal(((await get())['spec'].rules as Obj[]).length, 1);
});

test('the route reads the same through v1beta1, and a write without a shape keeps the parents and moves only weights', async (t) => {
  const { router, get } = await setup(t);
  await router.write({ ...base, shape: { ports: [8080, 9090], gateway: null, hostnames: [], match: [] } }, 30);
  const beta = await get('v1beta1');
  assert.equal(beta['apiVersion'], 'gateway.networking.k8s.io/v1beta1');
  assert.deepEqual(beta['spec'].parentRefs.map((p: Obj) => p['port']), [8080, 9090]);
  await router.write(base, 0); // as `fledge abort` on a held release does: no configuration at hand
  const route = await get();
  assert.deepEqual(route['spec'].parentRefs.map((p: Obj) => p['port']), [8080, 9090]);
  assert.deepEqual((route['spec'].rules[0].backendRefs as Obj[]).map((b) => [b['name'], b['port'], b['weight']]), [['app-primary', 8080, 100], ['app-canary', 8080, 0]]);
});
