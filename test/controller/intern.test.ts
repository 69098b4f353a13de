// Cached objects share one copy of each string they repeat; the table stays bounded and leaves
// out what is unique to one object version.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Interner } from '../../src/controller/intern.ts';

const deployment = (name: string, resourceVersion: string): Record<string, any> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', uid: `uid-${name}-${resourceVersion}`, resourceVersion, labels: { app: name }, creationTimestamp: new Date(0) },
  spec: { strategy: { type: 'RollingUpdate' }, template: { spec: { containers: [{ name, image: 'app:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] } } },
  status: { conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }] },
});

describe('interning the strings of cached objects', () => {
  it('keeps every value as it was, in the same object, and keeps each repeated string once in its table', () => {
    const interner = new Interner();
    const a = deployment('a', '1');
    const before = structuredClone(a);
    assert.equal(interner.object(a as never), a, 'the same object, changed in place');
    assert.deepEqual(a, before);
    const afterA = interner.size;
    interner.object(deployment('b', '2') as never);
    // b adds only its own name ("b"): everything else it says, a said first.
    assert.equal(interner.size, afterA + 1);
  });

  it('leaves out resourceVersions and uids, and keeps no string longer than its limit (a sentence outlives no object)', () => {
    const interner = new Interner({ maxLength: 16 });
    const sentence = 'a sentence longer than sixteen characters';
    const object = { metadata: { resourceVersion: '123', uid: 'u-1', name: 'x' }, message: sentence, conditions: [{ message: sentence }] };
    interner.object(object as never);
    assert.equal(interner.size, 1, 'only "x"');
    assert.deepEqual(object, { metadata: { resourceVersion: '123', uid: 'u-1', name: 'x' }, message: sentence, conditions: [{ message: sentence }] });
  });

  it('stays within its limit by starting again when it is full', () => {
    const interner = new Interner({ limit: 10 });
    for (let i = 0; i < 25; i += 1) interner.string(`s${i}`);
    assert.ok(interner.size <= 10, `${interner.size} strings kept`);
    assert.equal(interner.string('s24'), 's24');
  });
});
