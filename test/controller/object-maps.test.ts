// Thousands of cached and held objects (Canaries, their conditions, Deployments, Services) each
// cost about 240 bytes more when V8 gives them a map of their own, which it does to spread copies
// (`{ ...object, field }`) once the spread site has seen objects of many shapes. The caches' and
// the status writes' objects are built as literals instead; these tests ask V8 whether two of
// them share a map (%HaveSameMap, allowed for this process only).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import type { KubernetesObject } from '@kubernetes/client-node';
import { cachedDeployment, cachedService } from '../../src/controller/cache-shapes.ts';
import { canaryWith, parseCanary, setCondition, type CanaryObject, type CanaryStatus } from '../../src/ports.ts';

setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- natives syntax is parsed, so only a function made after the flag can use it
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: unknown, b: unknown) => boolean;

/** As a watch event delivers it: parsed from JSON, so its map is JSON.parse's. */
function fromJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Objects like `like`, of other shapes, through the same code first, as a long-running controller
 * sends them: the same fields in another order, one missing, one added.
 */
function warm(like: Record<string, unknown>, run: (value: Record<string, unknown>) => unknown): void {
  const keys = Object.keys(like);
  const variants: Array<Record<string, unknown>> = [
    Object.fromEntries([...keys].reverse().map((key) => [key, like[key]])),
    Object.fromEntries(keys.slice(1).map((key) => [key, like[key]])),
    { ...like, extra: 1 },
  ];
  for (let i = 0; i < 20; i += 1) for (const variant of variants) run(variant);
}

const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'app', uid: 'u-1', controller: true };

function service(name: string): KubernetesObject {
  return fromJson({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', ownerReferences: [owner] }, spec: { selector: { app: name }, ports: [{ port: 80 }], clusterIP: '10.0.0.1' } });
}

function primary(name: string, replicas: number): KubernetesObject {
  return fromJson({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' }, spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { annotations: { 'fledge.dev/revision': name } } } }, status: { replicas, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'm' }] } });
}

const condition = (message: string, observedGeneration: number): Parameters<typeof setCondition>[1] => ({ type: 'Ready', status: 'True', reason: 'Progressing', message, observedGeneration });

describe('cached and written objects share their maps', () => {
  it('conditions set on a status', () => {
    warm(condition('step 0', 0), (value) => setCondition([], value as unknown as Parameters<typeof setCondition>[1], 0));
    const [a] = setCondition([], condition('step 1', 1), 1_000);
    const [b] = setCondition([], condition('step 2', 2), 2_000);
    assert.ok(sameMap(a, b));
  });

  it('the Services and Deployments the caches keep', () => {
    warm({ selector: { app: 'x' }, ports: [] }, (value) => cachedService(fromJson({ metadata: { name: 'x', ownerReferences: [owner] }, spec: value }) as KubernetesObject));
    const one = cachedService(service('a')) as KubernetesObject & { spec: object };
    const two = cachedService(service('b')) as KubernetesObject & { spec: object };
    assert.ok(sameMap(one, two) && sameMap(one.spec, two.spec), 'Services');
    warm({ replicas: 1, selector: {}, template: {} }, (value) => cachedDeployment(fromJson({ metadata: { name: 'x' }, spec: value, status: { ...value, conditions: [] } }) as KubernetesObject));
    const [a, b] = [cachedDeployment(primary('a', 1)), cachedDeployment(primary('b', 3))];
    assert.ok(sameMap(a, b) && sameMap(a.spec, b.spec) && sameMap(a.status, b.status), 'Deployments');
  });

  it('Canaries as read and as rewritten with a new status or metadata', () => {
    const canary = (name: string): CanaryObject => parseCanary(fromJson({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name, namespace: 'default' }, spec: {} }));
    warm({ ...canary('x'), status: {} }, (value) => canaryWith(value as unknown as CanaryObject, { metadata: { name: 'x' } }));
    const status = (phase: string): CanaryStatus => ({ phase } as unknown as CanaryStatus);
    const [a, b] = [canaryWith(canary('a'), { status: status('Progressing') }), canaryWith(canary('b'), { status: status('Succeeded') })];
    assert.ok(sameMap(a, b), 'with a new status');
    assert.ok(sameMap(canaryWith(a, { metadata: { name: 'a', resourceVersion: '2' } }), canaryWith(b, { metadata: { name: 'b', resourceVersion: '3' } })), 'with the answer\'s metadata');
  });
});
