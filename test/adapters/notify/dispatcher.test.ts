import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attempt, Job } from '../../../src/adapters/notify/channel.ts';
import { Dispatcher, type DispatcherOptions } from '../../../src/adapters/notify/dispatcher.ts';
import { captureLogs, fakeTime } from './fixtures.ts';

function dispatcher(overrides: Partial<DispatcherOptions> = {}) {
  const time = fakeTime();
  const logs = captureLogs();
  const d = new Dispatcher({
    clock: time.clock, sleep: time.sleep, logger: logs.logger,
    maxRetries: 4, intervalMs: 0, maxQueue: 1000, backoffMs: 500, maxBackoffMs: 30_000,
    ...overrides,
  });
  return { d, time, logs };
}

function job(lane: string, id: string, log: string[], attempts: Attempt[] = [{ kind: 'sent' }]): Job {
  let i = 0;
  return {
    lane, target: lane, tag: { namespace: 'shop', name: id, revision: 'r1', reason: 'StepAdvanced' },
    send: () => {
      log.push(id);
      const attempt = attempts[Math.min(i++, attempts.length - 1)]!;
      return Promise.resolve(attempt);
    },
  };
}

void describe('delivery dispatcher', () => {
  void test('jobs on one lane are delivered in the order they were queued', async () => {
    const { d } = dispatcher();
    const sent: string[] = [];
    for (const id of ['a', 'b', 'c', 'd']) d.enqueue(job('slack', id, sent));
    await d.flush();
    assert.deepEqual(sent, ['a', 'b', 'c', 'd']);
  });

  void test('a full queue drops the oldest waiting notice with a warning', async () => {
    const { d, logs } = dispatcher({ maxQueue: 3 });
    const sent: string[] = [];
    for (const id of ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']) d.enqueue(job('slack', id, sent));
    await d.flush();
    assert.deepEqual(sent, ['n3', 'n4', 'n5']);
    const warnings = logs.records(40);
    assert.deepEqual(warnings.map((w) => w.name), ['n0', 'n1', 'n2']);
    assert.ok(warnings.every((w) => w.msg === 'notification queue full: dropped the oldest notice'));
  });

  void test('the oldest notice is dropped whichever lane it waits in', async () => {
    const { d } = dispatcher({ maxQueue: 2 });
    const sent: string[] = [];
    d.enqueue(job('a', 'first', sent));
    d.enqueue(job('b', 'second', sent));
    d.enqueue(job('a', 'third', sent));
    await d.flush();
    assert.deepEqual(sent.sort(), ['second', 'third']);
  });

  void test('retries back off exponentially up to the cap, then drop the notice with a warning', async () => {
    const { d, time, logs } = dispatcher({ maxRetries: 6, maxBackoffMs: 8000 });
    const sent: string[] = [];
    d.enqueue(job('hook', 'x', sent, [{ kind: 'retry', why: 'HTTP 503', retryAfterMs: null }]));
    await d.flush();
    assert.equal(sent.length, 7);
    assert.deepEqual(time.sleeps, [500, 1000, 2000, 4000, 8000, 8000]);
    const [warning] = logs.records(40);
    assert.equal(warning?.msg, 'notification dropped');
    assert.equal(warning?.attempts, 7);
    assert.equal(warning?.why, 'HTTP 503');
  });

  void test('a job that throws is retried like a network error', async () => {
    const { d, logs } = dispatcher();
    let calls = 0;
    d.enqueue({
      lane: 'hook', target: 'webhook#1', tag: { namespace: 'shop', name: 'a', revision: 'r', reason: 'Promoted' },
      send: () => (++calls === 1 ? Promise.reject(new TypeError('fetch failed')) : Promise.resolve({ kind: 'sent' })),
    });
    await d.flush();
    assert.equal(calls, 2);
    assert.equal(logs.records(40).length, 0);
  });

  void test('a lane waits the interval between posts, other lanes do not wait for it', async () => {
    const { d, time } = dispatcher({ intervalMs: 1000 });
    const at: Record<string, number> = {};
    const timed = (lane: string, id: string): Job => ({
      lane, target: lane, tag: { namespace: 'shop', name: id, revision: 'r', reason: 'StepAdvanced' },
      send: () => { at[id] = time.clock.now(); return Promise.resolve({ kind: 'sent' }); },
    });
    d.enqueue(timed('a', 'a1'));
    d.enqueue(timed('a', 'a2'));
    d.enqueue(timed('b', 'b1'));
    await d.flush();
    assert.ok(at.a2! - at.a1! >= 1000);
    assert.equal(at.b1, at.a1);
  });

  void test('closing drops notices still waiting after the drain time, with a warning', async () => {
    const { d, logs } = dispatcher();
    const sent: string[] = [];
    d.enqueue({
      lane: 'slow', target: 'slow', tag: { namespace: 'shop', name: 'stuck', revision: 'r', reason: 'Promoted' },
      send: (signal) => new Promise<Attempt>((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'retry', why: 'AbortError', retryAfterMs: null }))),
    });
    d.enqueue(job('slow', 'waiting', sent));
    await d.close(20);
    d.enqueue(job('slow', 'late', sent));
    await d.flush();
    assert.deepEqual(sent, []);
    assert.ok(logs.records(40).some((r) => r.msg === 'notifier closed: dropped undelivered notices' && r.dropped === 1));
  });
});
