import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment } from '@kubernetes/client-node';
import { canaryChanges, outsideDeploymentChange, routeChanges } from '../../src/controller/outside-changes.ts';
import { routeReads } from '../../src/controller/cached-reads.ts';

function app(input: { image?: string; replicas?: number; annotations?: Record<string, string>; resourceVersion?: string } = {}): V1Deployment {
  const labels = { app: 'app' };
  return {
    metadata: { name: 'app', namespace: 'default', resourceVersion: input.resourceVersion ?? '1', annotations: { 'fledge.dev/canary': 'true', ...input.annotations } },
    spec: { replicas: input.replicas ?? 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: input.image ?? 'app:1' }] } } },
    status: { readyReplicas: 1 },
  };
}

describe('telling outside changes from the controller’s own writes', () => {
  it('finds a new app and a new pod template or annotation urgent, a scale or status change not', () => {
    const urgent = outsideDeploymentChange();
    assert.equal(urgent(app(), 'add'), true);
    assert.equal(urgent(app({ replicas: 0, resourceVersion: '2' }), 'update'), false, 'the controller scaling the canary');
    const scaled: V1Deployment = { ...app({ replicas: 0, resourceVersion: '3' }), status: { readyReplicas: 0 } };
    assert.equal(urgent(scaled, 'update'), false, 'status');
    assert.equal(urgent(app({ image: 'app:2', resourceVersion: '4' }), 'update'), true, 'a new revision');
    assert.equal(urgent(app({ image: 'app:2', resourceVersion: '5', annotations: { 'fledge.dev/steps': '50' } }), 'update'), true, 'new annotations');
    assert.equal(urgent(app({ image: 'app:2', resourceVersion: '6', annotations: { 'fledge.dev/steps': '50' } }), 'resync'), false);
  });

  it('never finds a Deployment without the canary annotation urgent (primaries, other apps)', () => {
    const urgent = outsideDeploymentChange();
    const primary: V1Deployment = { ...app(), metadata: { name: 'app-primary', namespace: 'default', resourceVersion: '1' } };
    assert.equal(urgent(primary, 'add'), false);
    const resized: V1Deployment = { ...primary, spec: { ...app().spec, replicas: 3 } as NonNullable<V1Deployment['spec']> };
    assert.equal(urgent(resized, 'update'), false);
  });

  it('wakes an app for a Canary changed by someone, urgently, and not at all for its own status writes', () => {
    const { keysOf, urgent } = canaryChanges();
    const canary = { metadata: { name: 'app', namespace: 'default', generation: 1, annotations: {} } };
    assert.deepEqual(keysOf(canary, 'add'), ['default/app']);
    assert.equal(urgent(), false, 'created by the controller');
    assert.deepEqual(keysOf({ ...canary, status: { phase: 'Ready' } } as typeof canary, 'update'), []);
    assert.equal(urgent(), false);
    assert.deepEqual(keysOf({ metadata: { ...canary.metadata, annotations: { 'fledge.dev/request': '{"id":"1","verb":"promote"}' } } }, 'update'), ['default/app']);
    assert.equal(urgent(), true);
    assert.deepEqual(keysOf(canary, 'resync'), ['default/app']);
    assert.equal(urgent(), false);
  });

  it('wakes an app for its TrafficSplit edited, deleted or created by someone, urgently, and not for the echo of its own write', () => {
    const reads = routeReads({ synced: true, get: () => undefined });
    const { keysOf, urgent } = routeChanges((object, event) => reads.outsideChange(object, event), (object) => [`default/${object.metadata?.name ?? ''}`]);
    const split = (resourceVersion: string): { metadata: { name: string; namespace: string; resourceVersion: string } } => ({ metadata: { name: 'app', namespace: 'default', resourceVersion } });
    reads.wroteToApi?.('default', 'app', split('7'));
    assert.deepEqual(keysOf(split('7'), 'update'), [], 'the echo of the router\'s write');
    assert.equal(urgent(), false);
    assert.deepEqual(keysOf(split('8'), 'update'), ['default/app'], 'someone set other weights');
    assert.equal(urgent(), true);
    assert.deepEqual(keysOf(split('8'), 'resync'), ['default/app']);
    assert.equal(urgent(), false);
    reads.wroteToApi?.('default', 'app', null);
    assert.deepEqual(keysOf(split('9'), 'delete'), [], 'the echo of the router\'s delete');
    assert.deepEqual(keysOf(split('1'), 'add'), ['default/app'], 'created by someone');
    assert.equal(urgent(), true);
  });

  it('takes an event that comes while the router\'s write is under way for its echo, even before the write\'s answer', () => {
    const reads = routeReads({ synced: true, get: () => undefined });
    const { keysOf, urgent } = routeChanges((object, event) => reads.outsideChange(object, event), () => ['default/app']);
    const split = (resourceVersion: string): { metadata: { name: string; namespace: string; resourceVersion: string } } => ({ metadata: { name: 'app', namespace: 'default', resourceVersion } });
    const done = reads.writing?.('default', 'app');
    assert.deepEqual(keysOf(split('12'), 'update'), [], 'the echo, ahead of the answer');
    assert.equal(urgent(), false);
    reads.wroteToApi?.('default', 'app', split('12'));
    done?.();
    assert.deepEqual(keysOf(split('13'), 'update'), ['default/app'], 'after the write, a new version is someone\'s');
    assert.equal(urgent(), true);
  });
});
