import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { cachedCanary, cachedDeployment, cachedService, sendingCanary, validatedCanary } from '../../src/controller/cache-shapes.ts';
import { canaryWith } from '../../src/ports.ts';
import { appServices } from '../../src/controller/objects.ts';
import { namesOf } from '../../src/controller/names.ts';
import { primaryRevisionOf } from '../../src/controller/objects.ts';
import { viewOf } from '../../src/controller/observe.ts';
import { ownedBy } from '../../src/controller/ownership.ts';

const labels = { app: 'app' };
const owner = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', name: 'app', uid: 'u-1', controller: true };
const managedFields = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }];

function deployment(name: string, annotations: Record<string, string>): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', resourceVersion: '7', generation: 3, annotations, ownerReferences: [owner], managedFields },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels, annotations: { 'fledge.dev/revision': 'r1' } }, spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: 'x'.repeat(100) }] }] } },
    },
    status: { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2 },
  };
}

describe('what the watch caches keep', () => {
  it('keeps an app’s whole spec, without managedFields', () => {
    const app = deployment('app', { 'fledge.dev/canary': 'true' });
    const kept = cachedDeployment(app);
    assert.deepEqual(kept.spec, app.spec);
    assert.equal(kept.metadata?.managedFields, undefined);
    assert.deepEqual({ ...kept.metadata, managedFields }, app.metadata);
  });

  it('keeps of a primary what reconcile reads: readiness, revision, ownership, resourceVersion; not its pods’ spec', () => {
    const primary = deployment('app-primary', {});
    const kept = cachedDeployment(primary);
    assert.deepEqual(viewOf(kept), viewOf(primary));
    assert.equal(primaryRevisionOf(kept), 'r1');
    assert.equal(ownedBy(kept.metadata, 'u-1'), true);
    assert.equal(kept.metadata?.resourceVersion, '7');
    assert.deepEqual(kept.spec?.selector, primary.spec?.selector);
    assert.equal(kept.spec?.template.spec, undefined);
  });

  it('keeps of a Deployment\'s conditions what the progress deadline reads, without their messages and times', () => {
    const stalled = deployment('app-primary', {});
    stalled.status = { ...stalled.status, conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: new Date(0), lastTransitionTime: new Date(0) },
      { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "app-primary-5d8f" has timed out progressing.', lastUpdateTime: new Date(0), lastTransitionTime: new Date(0) },
    ] };
    const kept = cachedDeployment(stalled);
    assert.deepEqual(viewOf(kept), viewOf(stalled));
    assert.equal(viewOf(kept).stalled, true);
    assert.deepEqual(kept.status?.conditions, [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }]);
  });

  it('keeps of a backend Service Fledge owns its metadata, selector and ports; any other Service whole', () => {
    const served = (spec: V1Service['spec']): NonNullable<V1Service['spec']> => ({ ...spec, type: 'ClusterIP', clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' });
    const asServed = (service: V1Service): V1Service => ({ ...service, metadata: { ...service.metadata, resourceVersion: '9', uid: 'svc-1', managedFields }, spec: served(service.spec), status: { loadBalancer: {} } });
    const target = deployment('app', { 'fledge.dev/canary': 'true' });
    const [primary, canary, apex] = appServices({ target, names: namesOf('default', 'app'), owner, apex: null }).map(asServed);
    for (const backend of [primary!, canary!]) {
      const kept = cachedService(backend) as V1Service;
      assert.deepEqual(kept.spec, { selector: backend.spec?.selector, ports: backend.spec?.ports });
      assert.equal(kept.status, undefined);
      assert.deepEqual({ ...kept.metadata, managedFields }, backend.metadata, 'ownership and resourceVersion read as before');
      assert.ok(ownedBy(kept.metadata, 'u-1'));
    }
    // The apex (not owned: Fledge rewrites it whole, keeping the user's fields) and a Service owned by something else.
    const theirs = asServed({ ...canary!, metadata: { ...canary!.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x', uid: 'u-2' }] } });
    for (const service of [apex!, theirs]) {
      const kept = cachedService(service) as V1Service;
      assert.deepEqual({ ...kept, metadata: { ...kept.metadata, managedFields } }, service);
    }
  });

  it('validates a Canary once as it enters the cache; a changed Canary is read afresh', () => {
    const raw = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'app', namespace: 'default', resourceVersion: '1', managedFields }, spec: {} };
    const first = cachedCanary(raw);
    assert.equal(cachedCanary(first), first, 'reading the cached object does not parse it again');
    assert.equal(first.metadata.managedFields, undefined);
    const changed = cachedCanary({ ...raw, metadata: { ...raw.metadata, resourceVersion: '2', annotations: { a: 'b' } } });
    assert.notEqual(changed, first);
    assert.deepEqual(changed.metadata.annotations, { a: 'b' });
    const written = validatedCanary({ ...first, metadata: { ...first.metadata, resourceVersion: '3' } });
    assert.equal(cachedCanary(written), written);
  });

  it('takes the watch event of a Canary this process wrote as the object the write returned, not parsed again', () => {
    const wrote = validatedCanary(cachedCanary({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'echo', namespace: 'default', resourceVersion: '10' }, spec: {} } as KubernetesObject));
    const echo = JSON.parse(JSON.stringify(wrote)) as typeof wrote;
    assert.equal(cachedCanary(echo), wrote, 'the same version: the written object');
    const later = JSON.parse(JSON.stringify({ ...wrote, metadata: { ...wrote.metadata, resourceVersion: '11' }, spec: { analysis: 'x' } })) as typeof wrote;
    const read = cachedCanary(later);
    assert.notEqual(read, wrote, 'someone else\'s later version is parsed');
    assert.deepEqual(read.spec, { analysis: 'x' });
  });

  it('takes a watch event that comes before the write\'s answer as what was sent when it carries the same spec and status', () => {
    const base = cachedCanary({ apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { name: 'early', namespace: 'default', resourceVersion: '20' }, spec: {}, status: { phase: 'Ready', message: 'primary serves revision r1' } } as KubernetesObject);
    assert.ok(base.status !== undefined && base.statusInvalid !== true, 'the stored status parses');
    const sent = canaryWith(base, { status: { ...base.status, phase: 'Progressing', message: 'revision r2: scaling up the canary' } });
    const done = sendingCanary(sent);
    const echo = JSON.parse(JSON.stringify({ ...sent, metadata: { ...sent.metadata, resourceVersion: '21', managedFields } })) as KubernetesObject;
    const read = cachedCanary(echo);
    assert.equal(read.status, sent.status, 'the status sent, not parsed again');
    assert.equal(read.metadata.resourceVersion, '21', 'at the event\'s version');
    assert.equal(read.metadata.managedFields, undefined);
    const other = JSON.parse(JSON.stringify({ ...sent, metadata: { ...sent.metadata, resourceVersion: '22' }, status: { ...sent.status, message: 'edited' } })) as KubernetesObject;
    assert.notEqual(cachedCanary(other).status, sent.status, 'a different status is parsed');
    done();
    const after = JSON.parse(JSON.stringify({ ...sent, metadata: { ...sent.metadata, resourceVersion: '23' } })) as KubernetesObject;
    assert.notEqual(cachedCanary(after).status, sent.status, 'once the write has answered, an event is parsed as any other');
  });
});
