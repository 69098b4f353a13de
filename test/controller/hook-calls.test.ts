import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HookCalls, type HookCall } from '../../src/controller/hook-calls.ts';
import type { DeliveryOutcome, HookReply, HookRequest, HookRunner, Notifier, OutboxNotice } from '../../src/ports.ts';

/** A runner whose calls the test answers by hand. */
function manual(): { runner: HookRunner; pending: Array<{ request: HookRequest; answer: (reply: HookReply) => void }> } {
  const pending: Array<{ request: HookRequest; answer: (reply: HookReply) => void }> = [];
  return { pending, runner: { run: (request, onDone) => pending.push({ request, answer: onDone }) } };
}

const payload = { hook: 'rollout', namespace: 'ns', app: 'app', revision: 'r1', phase: 'Progressing', weight: 10, step: 1, steps: 2, interval: null, evidence: [], message: '', at: 0 } as const;

function call(run: string, look: string): HookCall {
  return { app: 'ns/app', run, hook: 'rollout', look, request: { key: `${run}/${look}`, url: 'http://h/', payload, timeoutMs: 1000 } };
}

describe('HookCalls', () => {
  it('calls once per (run, hook, look) while in flight or answered, and wakes the app on an answer', () => {
    const { runner, pending } = manual();
    const answered: string[] = [];
    const calls = new HookCalls(runner, (hook, ok) => answered.push(`${hook} ${ok}`));
    const woken: string[] = [];
    calls.onAnswer((app) => woken.push(app));
    calls.call(call('r1@0', '100'));
    calls.call(call('r1@0', '100'));
    assert.equal(pending.length, 1);
    pending[0]?.answer({ ok: false, final: false, detail: 'HTTP 503' });
    calls.call(call('r1@0', '100'));
    assert.equal(pending.length, 1, 'an answered look is not asked again');
    assert.deepEqual(woken, ['ns/app']);
    assert.deepEqual(answered, ['rollout false'], 'counted for /metrics');
    assert.deepEqual(calls.results('ns/app', 'r1@0'), [{ hook: 'rollout', look: '100', ok: false, detail: 'HTTP 503' }]);
  });

  it('forgets a run once the app calls for another, and ignores late answers of the old run', () => {
    const { runner, pending } = manual();
    const calls = new HookCalls(runner);
    const woken: string[] = [];
    calls.onAnswer((app) => woken.push(app));
    calls.call(call('r1@0', '100'));
    calls.call(call('r2@5', '0'));
    pending[0]?.answer({ ok: true, final: true, detail: 'HTTP 200' });
    assert.deepEqual(calls.results('ns/app', 'r1@0'), []);
    assert.deepEqual(calls.results('ns/app', 'r2@5'), []);
    assert.deepEqual(woken, []);
  });

  it('sends outcome-hook notices through the runner (and nowhere else), other notices to the notifier', async () => {
    const { runner, pending } = manual();
    const calls = new HookCalls(runner);
    const notified: string[] = [];
    const notifier: Notifier = { deliver: (entry, onDone) => { notified.push(entry.key); onDone('delivered'); } };
    const wrapped = calls.notices(notifier);
    const base = { namespace: 'ns', name: 'app', revision: 'r1', phase: 'Succeeded', canaryWeight: 0, reason: 'Promoted', message: 'm', severity: 'Normal' as const, at: 1 };
    const outcomes: DeliveryOutcome[] = [];
    wrapped.deliver({ key: 'n1', notice: base }, (o) => outcomes.push(o));
    const hooked: OutboxNotice = { key: 'n2', notice: { ...base, reason: 'PostRolloutHook', hook: { name: 'post-rollout', url: 'http://h/post', step: 2, steps: 2, evidence: [], timeoutMs: 1000 } } };
    wrapped.deliver(hooked, (o) => outcomes.push(o));
    wrapped.deliver({ ...hooked, key: 'n3' }, (o) => outcomes.push(o));
    assert.deepEqual(notified, ['n1']);
    assert.equal(pending[0]?.request.key, 'n2', 'the outbox key is the idempotency key');
    assert.equal(pending[0]?.request.payload.hook, 'post-rollout');
    pending[0]?.answer({ ok: false, final: false, detail: 'HTTP 503' });
    pending[1]?.answer({ ok: false, final: true, detail: 'HTTP 410' });
    assert.deepEqual(outcomes, ['delivered', 'undelivered', 'delivered']);
  });
});
