import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadlineAt, deploymentStatus, planPods } from '../../../src/sandbox/workloads/rollout.ts';
import type { KubeObject } from '../../../src/sandbox/emulator/types.ts';

const t0 = Date.parse('2025-01-01T00:00:00Z');

function deployment(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): KubeObject {
  return { metadata: { name: 'web', generation: 1, uid: 'u' }, spec: { replicas: 2, ...spec }, ...(status === undefined ? {} : { status }) };
}

function pod(name: string, hash: string, ready: boolean): KubeObject {
  return {
    metadata: { name, labels: { 'pod-template-hash': hash }, creationTimestamp: '2025-01-01T00:00:00Z' },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

void test('a scale-up creates the missing pods and a scale-down removes unready pods first', () => {
  assert.deepEqual(planPods(deployment({ replicas: 3 }), [pod('a', 'h', true)], 'h'), { create: 2, remove: [] });
  const plan = planPods(deployment({ replicas: 1 }), [pod('a', 'h', true), pod('b', 'h', false)], 'h');
  assert.deepEqual(plan.remove.map((p) => p.metadata.name), ['b']);
});

void test('a rolling update keeps old pods until new ones are ready', () => {
  const old = [pod('o1', 'old', true), pod('o2', 'old', true)];
  assert.deepEqual(planPods(deployment(), old, 'new'), { create: 2, remove: [] });
  const halfway = planPods(deployment(), [...old, pod('n1', 'new', true), pod('n2', 'new', false)], 'new');
  assert.equal(halfway.remove.length, 1);
  const done = planPods(deployment(), [...old, pod('n1', 'new', true), pod('n2', 'new', true)], 'new');
  assert.deepEqual(done.remove.map((p) => p.metadata.name).sort(), ['o1', 'o2']);
});

void test('Recreate drops old pods at once and a paused Deployment changes nothing', () => {
  const old = [pod('o1', 'old', true)];
  assert.deepEqual(planPods(deployment({ strategy: { type: 'Recreate' } }), old, 'new').remove.map((p) => p.metadata.name), ['o1']);
  assert.deepEqual(planPods(deployment({ paused: true }), old, 'new'), { create: 0, remove: [] });
});

void test('status counts pods, omits zeros and reports a complete rollout', () => {
  const status = deploymentStatus({ deployment: deployment(), pods: [pod('a', 'h', true), pod('b', 'h', true)], hash: 'h', now: t0 });
  assert.equal(status['observedGeneration'], 1);
  assert.equal(status['readyReplicas'], 2);
  assert.equal('unavailableReplicas' in status, false);
  const conditions = status['conditions'] as { type: string; status: string; reason: string }[];
  assert.deepEqual(conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Available=True/MinimumReplicasAvailable', 'Progressing=True/NewReplicaSetAvailable']);
});

void test('a rollout without progress past its deadline is ProgressDeadlineExceeded', () => {
  const pods = [pod('a', 'h', false), pod('b', 'h', false)];
  const first = deploymentStatus({ deployment: deployment({ progressDeadlineSeconds: 60 }), pods, hash: 'h', now: t0 });
  const progressing = (first['conditions'] as { reason: string }[])[1]!;
  assert.equal(progressing.reason, 'ReplicaSetUpdated');
  const later = deployment({ progressDeadlineSeconds: 60 }, first);
  assert.equal(deadlineAt(later), t0 + 60_000);
  const before = deploymentStatus({ deployment: later, pods, hash: 'h', now: t0 + 59_000 });
  assert.equal((before['conditions'] as { reason: string }[])[1]!.reason, 'ReplicaSetUpdated');
  const after = deploymentStatus({ deployment: later, pods, hash: 'h', now: t0 + 60_000 });
  const exceeded = (after['conditions'] as { status: string; reason: string }[])[1]!;
  assert.deepEqual([exceeded.status, exceeded.reason], ['False', 'ProgressDeadlineExceeded']);
  assert.equal((after['conditions'] as { status: string }[])[0]!.status, 'False');
});
