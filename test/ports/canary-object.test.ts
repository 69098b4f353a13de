// The answer to a status write: what was sent, with the server's metadata, when the server stored
// exactly that; otherwise the server's version, validated like any read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writtenCanary, type CanaryObject } from '../../src/ports/canary-object.ts';
import { canaryApiVersion, canaryKind } from '../../src/ports/canary-schema.ts';
import { toStatus } from '../../src/ports/canary-status.ts';
import { running } from '../support/builders.ts';

const sent: CanaryObject = {
  apiVersion: canaryApiVersion,
  kind: canaryKind,
  metadata: { name: 'app', namespace: 'default', resourceVersion: '7' },
  spec: { steps: [10, 50] },
  status: toStatus(running(1), { observedGeneration: 1, conditions: [] }),
};
/** What the API server answers: the stored object, as JSON. */
const answer = (change: (stored: Record<string, any>) => void = () => undefined): unknown => {
  const stored = JSON.parse(JSON.stringify({ ...sent, metadata: { ...sent.metadata, resourceVersion: '8', generation: 1 } })) as Record<string, any>;
  change(stored);
  return stored;
};

describe('the answer to a Canary status write', () => {
  it('is the status sent, with the new resourceVersion, when the server stored it as sent', () => {
    const written = writtenCanary(sent, answer());
    assert.equal(written.status, sent.status, 'the object sent, not a second parse of it');
    assert.equal(written.metadata.resourceVersion, '8');
    assert.equal(written.metadata.generation, 1);
  });

  it('is the server\'s version when it stored something else (a field changed by a webhook, a spec changed meanwhile)', () => {
    const cut = writtenCanary(sent, answer((stored) => { stored['status']['message'] = 'cut by a webhook'; }));
    assert.equal(cut.status?.message, 'cut by a webhook');
    assert.equal(cut.status?.phase, sent.status?.phase);
    const respecced = writtenCanary(sent, answer((stored) => { stored['spec'] = { steps: [5] }; }));
    assert.deepEqual(respecced.spec['steps'], [5]);
  });

  it('marks a status the server answered that does not parse', () => {
    const broken = writtenCanary(sent, answer((stored) => { stored['status']['phase'] = 42; }));
    assert.equal(broken.statusInvalid, true);
    assert.equal(broken.status, undefined);
  });
});
