import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { LeaderElector } from '../../src/controller/leader-election.ts';
import type { Timers } from '../../src/controller/timers.ts';
import { systemTimers } from '../../src/controller/timers.ts';
import { withEmulator } from '../support/emulator.ts';

const lease = { namespace: 'default', name: 'fledge-controller' };
const fast = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 50 };

/** Polls `predicate` every 20 ms, failing after `limitMs` (a bound against hangs, not a timing assertion). */
async function eventually(predicate: () => boolean | Promise<boolean>, what: string, limitMs = 8000): Promise<void> {
  for (let waited = 0; waited < limitMs; waited += 20) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`gave up waiting: ${what}`);
}

/** Timers that can be frozen to simulate a process that died without releasing. */
function freezable(): Timers & { freeze(): void } {
  let frozen = false;
  return {
    set: (fn, ms) => systemTimers.set(() => frozen || fn(), ms),
    clear: (handle) => systemTimers.clear(handle),
    freeze: () => (frozen = true),
  };
}

interface Candidate {
  readonly elector: LeaderElector;
  readonly timers: Timers & { freeze(): void };
  readonly started: number[];
  readonly stopped: number[];
}

function candidate(kc: KubeConfig, identity: string, t: { after(fn: () => unknown): void }): Candidate {
  const started: number[] = [];
  const stopped: number[] = [];
  const timers = freezable();
  const elector = new LeaderElector({
    kc, ...lease, identity, ...fast, timers,
    onStartedLeading: () => started.push(Date.now()),
    onStoppedLeading: () => stopped.push(Date.now()),
  });
  t.after(() => elector.release());
  elector.start();
  return { elector, timers, started, stopped };
}

async function readLease(kc: KubeConfig): Promise<{ holder: string; renewedAt: number; durationMs: number; transitions: number }> {
  const found = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease(lease);
  const spec = found.spec ?? {};
  return {
    holder: spec.holderIdentity ?? '',
    renewedAt: Date.parse(String(spec.renewTime as unknown as string)),
    durationMs: (spec.leaseDurationSeconds ?? 0) * 1000,
    transitions: spec.leaseTransitions ?? 0,
  };
}

void describe('leader election on a Lease', () => {
  void it('lets exactly one of two controllers lead, and hands over when the leader releases', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const a = candidate(kubeConfig, 'a', t);
    const b = candidate(kubeConfig, 'b', t);
    await eventually(() => a.elector.isLeader || b.elector.isLeader, 'a leader');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(Number(a.elector.isLeader) + Number(b.elector.isLeader), 1, 'never two leaders');
    const [leader, standby] = a.elector.isLeader ? [a, b] : [b, a];
    assert.equal((await readLease(kubeConfig)).holder, leader === a ? 'a' : 'b');

    await leader.elector.release();
    assert.equal(leader.stopped.length, 1);
    await eventually(() => standby.elector.isLeader, 'the standby takes over');
    const after = await readLease(kubeConfig);
    assert.equal(after.holder, standby === a ? 'a' : 'b');
    assert.equal(after.transitions, 1);
    assert.ok((standby.started[0] as number) >= (leader.stopped[0] as number), 'the new leader started after the old one stopped');
  });

  void it('waits for the lease of a leader that died to expire before taking over', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const a = candidate(kubeConfig, 'a', t);
    await eventually(() => a.elector.isLeader, 'a leads');
    const b = candidate(kubeConfig, 'b', t);
    a.timers.freeze();
    const last = await readLease(kubeConfig);
    await eventually(() => b.elector.isLeader, 'b takes over', 10_000);
    assert.ok((b.started[0] as number) > last.renewedAt + last.durationMs, 'b started only after the last renewal of a expired');
  });

  void it('stops leading before its lease expires when renewals fail', async (t) => {
    const { emulator, kubeConfig } = await withEmulator(t);
    const a = candidate(kubeConfig, 'a', t);
    await eventually(() => a.elector.isLeader, 'a leads');
    emulator.faults.failNext({ verb: 'update', resource: 'leases' }, 100_000, 500);
    await eventually(() => !a.elector.isLeader, 'a steps down');
    const last = await readLease(kubeConfig);
    const stoppedAt = a.stopped[0] as number;
    assert.equal(last.holder, 'a', 'the lease still names a: nobody else could renew it');
    assert.ok(stoppedAt >= last.renewedAt, 'it led until after its last renewal');
    assert.ok(stoppedAt < last.renewedAt + last.durationMs, 'it stopped before the lease could expire');
    emulator.faults.clear();
    await eventually(() => a.elector.isLeader, 'a leads again once the API answers');
  });

  void it('refuses a renew deadline that is not shorter than the lease', () => {
    assert.throws(() => new LeaderElector({
      kc: {} as KubeConfig, ...lease, identity: 'x', leaseDurationMs: 2000, renewDeadlineMs: 2000,
      onStartedLeading: () => undefined, onStoppedLeading: () => undefined,
    }), RangeError);
  });
});
