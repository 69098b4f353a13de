import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/controller/work-queue.ts';
import type { ReconcileOutcome, WorkQueueOptions } from '../../src/controller/work-queue.ts';
import { FakeTime, settle } from './fake-time.ts';

const done: ReconcileOutcome = { requeueAfterMs: null };

function queue(time: FakeTime, options: Partial<WorkQueueOptions> & Pick<WorkQueueOptions, 'reconcile'>): WorkQueue {
  return new WorkQueue({ clock: time.clock, timers: time, concurrency: 1, ...options });
}

/** A reconcile whose runs finish only when the test releases them. */
function gated(): { reconcile: (key: string) => Promise<ReconcileOutcome>; runs: string[]; release: () => void; running: () => number } {
  const waiting: (() => void)[] = [];
  const runs: string[] = [];
  let running = 0;
  return {
    runs,
    running: () => running,
    release: () => waiting.shift()?.(),
    reconcile: async (key) => {
      runs.push(key);
      running++;
      await new Promise<void>((resolve) => waiting.push(resolve));
      running--;
      return done;
    },
  };
}

void describe('work queue', () => {
  void it('reconciles keys in the order they were added', async () => {
    const time = new FakeTime();
    const runs: string[] = [];
    const q = queue(time, { reconcile: (key) => (runs.push(key), Promise.resolve(done)) });
    for (const key of ['ns/a', 'ns/b', 'ns/c']) q.add(key);
    await settle();
    assert.deepEqual(runs, ['ns/a', 'ns/b', 'ns/c']);
  });

  void it('coalesces repeated adds of a waiting key into one reconcile', async () => {
    const time = new FakeTime();
    const gate = gated();
    const q = queue(time, { reconcile: gate.reconcile });
    q.add('ns/busy');
    q.add('ns/x');
    q.add('ns/x');
    q.add('ns/x');
    assert.equal(q.depth, 1);
    gate.release();
    await settle();
    gate.release();
    await settle();
    assert.deepEqual(gate.runs, ['ns/busy', 'ns/x']);
  });

  void it('never reconciles one key twice at once, and runs it once more for adds made meanwhile', async () => {
    const time = new FakeTime();
    const gate = gated();
    const q = queue(time, { reconcile: gate.reconcile, concurrency: 4 });
    q.add('ns/a');
    await settle();
    q.add('ns/a');
    q.add('ns/a');
    await settle();
    assert.equal(gate.running(), 1, 'the second add waits for the first run');
    gate.release();
    await settle();
    assert.deepEqual(gate.runs, ['ns/a', 'ns/a']);
    gate.release();
    await settle();
    assert.equal(gate.runs.length, 2, 'the adds during the run cause exactly one more run');
    assert.equal(q.inFlight, 0);
  });

  void it('reconciles different keys in parallel up to the concurrency', async () => {
    const time = new FakeTime();
    const gate = gated();
    const q = queue(time, { reconcile: gate.reconcile, concurrency: 2 });
    for (const key of ['a', 'b', 'c']) q.add(key);
    await settle();
    assert.equal(gate.running(), 2);
    assert.equal(q.depth, 1);
    gate.release();
    await settle();
    assert.deepEqual(gate.runs, ['a', 'b', 'c']);
    gate.release();
    gate.release();
    await settle();
  });

  void it('looks again after the delay reconcile asked for, not before', async () => {
    const time = new FakeTime();
    const runs: number[] = [];
    const q = queue(time, { reconcile: () => (runs.push(time.clock.now()), Promise.resolve({ requeueAfterMs: runs.length === 1 ? 30_000 : null })) });
    const start = time.clock.now();
    q.add('ns/a');
    await settle();
    await time.advance(29_999);
    assert.equal(runs.length, 1);
    await time.advance(1);
    assert.deepEqual(runs, [start, start + 30_000]);
    await time.advance(600_000);
    assert.equal(runs.length, 2, 'null means only on change');
  });

  void it('keeps the earliest of two delays for one key', async () => {
    const time = new FakeTime();
    const runs: number[] = [];
    const q = queue(time, { reconcile: () => (runs.push(time.clock.now()), Promise.resolve(done)) });
    const start = time.clock.now();
    q.addAfter('ns/a', 5000);
    q.addAfter('ns/a', 2000);
    q.addAfter('ns/a', 9000);
    await time.advance(20_000);
    assert.deepEqual(runs, [start + 2000]);
  });

  void it('while holding starts nothing and counts nothing (no onStart, onDone, backoff change), then runs the keys in their order', async () => {
    const time = new FakeTime();
    const runs: string[] = [];
    const events: string[] = [];
    let holding = true;
    const q = queue(time, {
      reconcile: (key) => {
        runs.push(key);
        return Promise.resolve(done);
      },
      holding: () => holding,
      onStart: (key) => events.push(`start ${key}`),
      onDone: (key) => events.push(`done ${key}`),
    });
    q.add('ns/a');
    q.add('ns/b');
    await settle();
    await time.advance(5_000);
    assert.deepEqual(runs, [], 'nothing ran while holding');
    assert.deepEqual(events, []);
    assert.equal(q.depth, 2, 'both keys keep their place');
    holding = false;
    await time.advance(1_000);
    assert.deepEqual(runs, ['ns/a', 'ns/b'], 'the next look runs them, in order');
    await q.shutdown();
  });

  void it('backs a failing key off exponentially from 100 ms to the 60 s cap', async () => {
    const time = new FakeTime();
    const runs: number[] = [];
    const errors: string[] = [];
    const q = queue(time, {
      reconcile: () => {
        runs.push(time.clock.now());
        return Promise.reject(new Error('API down'));
      },
      onError: (key) => errors.push(key),
    });
    q.add('ns/a');
    await settle();
    for (let i = 0; i < 14; i++) await time.advance(60_000);
    const gaps = runs.slice(1).map((at, i) => at - (runs[i] as number));
    assert.deepEqual(gaps.slice(0, 11), [100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 51_200, 60_000]);
    assert.ok(gaps.slice(10).every((gap) => gap === 60_000));
    assert.equal(errors.length, runs.length);
    await q.shutdown();
  });

  void it('starts the backoff again from 100 ms after a success', async () => {
    const time = new FakeTime();
    const runs: number[] = [];
    let failing = true;
    const q = queue(time, {
      reconcile: () => {
        runs.push(time.clock.now());
        return failing ? Promise.reject(new Error('API down')) : Promise.resolve(done);
      },
    });
    q.add('ns/a');
    await settle();
    await time.advance(100 + 200 + 400);
    assert.equal(runs.length, 4);
    failing = false;
    await time.advance(800);
    assert.equal(runs.length, 5, 'the fifth run succeeds');
    failing = true;
    q.add('ns/a');
    await settle();
    await time.advance(100);
    assert.equal(runs.length, 7);
    assert.equal((runs[6] as number) - (runs[5] as number), 100);
    await q.shutdown();
  });

  void it('keeps one timer for thousands of delayed keys and runs them in due order', async () => {
    const time = new FakeTime();
    const runs: string[] = [];
    const q = queue(time, { reconcile: (key) => (runs.push(key), Promise.resolve(done)), concurrency: 8 });
    const delays = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 5000) + 1);
    delays.forEach((delay, i) => q.addAfter(`ns/app-${i}`, delay * 10));
    assert.equal(time.active, 1);
    assert.ok(time.created <= 20, `created ${time.created} timers`);
    assert.equal(q.delayed, 5000);
    await time.advance(50_001);
    assert.equal(runs.length, 5000);
    const order = runs.map((key) => delays[Number(key.slice('ns/app-'.length))] as number);
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.equal(time.active, 0);
  });

  void it('lets an immediate add supersede a pending delay of the same key', async () => {
    const time = new FakeTime();
    const runs: number[] = [];
    const q = queue(time, { reconcile: () => (runs.push(time.clock.now()), Promise.resolve(done)) });
    q.addAfter('ns/a', 10_000);
    q.add('ns/a');
    await time.advance(60_000);
    assert.equal(runs.length, 1);
  });

  void it('on shutdown waits for the running reconcile and starts nothing more', async () => {
    const time = new FakeTime();
    const gate = gated();
    const q = queue(time, { reconcile: gate.reconcile });
    q.add('ns/a');
    q.add('ns/b');
    q.addAfter('ns/c', 1000);
    await settle();
    let finished = false;
    const stopping = q.shutdown().then(() => (finished = true));
    await settle();
    assert.equal(finished, false, 'waits for ns/a');
    gate.release();
    await stopping;
    await time.advance(5000);
    q.add('ns/d');
    await settle();
    assert.deepEqual(gate.runs, ['ns/a']);
    assert.equal(time.active, 0);
  });
});

describe('work queue on real timers', () => {
  it('waits out a delay longer than a Node timer can hold without firing every millisecond', async () => {
    const { systemTimers } = await import('../../src/controller/timers.ts');
    let armed = 0;
    const counting = { set: (fn: () => void, ms: number): unknown => { armed += 1; return systemTimers.set(fn, ms); }, clear: (handle: unknown): void => systemTimers.clear(handle) };
    const runs: string[] = [];
    const q = new WorkQueue({ timers: counting, reconcile: async (key) => { runs.push(key); return done; } });
    // 700 hours: an interval of 700h or a window a month away once asked for this.
    q.addAfter('default/far', 700 * 60 * 60 * 1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await q.shutdown();
    assert.deepEqual(runs, []);
    assert.ok(armed <= 2, `the timer was armed ${armed} times in 100 ms`);
  });
  void it('runs keys added as urgent ahead of keys already waiting (a change is not queued behind a resync)', async () => {
    const time = new FakeTime();
    const runs: string[] = [];
    const q = queue(time, { reconcile: (key) => (runs.push(key), Promise.resolve(done)) });
    q.add('ns/busy');
    for (const key of ['ns/a', 'ns/b', 'ns/c']) q.add(key);
    q.addUrgent('ns/changed');
    await settle();
    assert.deepEqual(runs, ['ns/busy', 'ns/changed', 'ns/a', 'ns/b', 'ns/c']);
  });

  void it('counts the outside changes waiting to be acted on (what Events yield to), until each runs', async () => {
    const time = new FakeTime();
    const gate = gated();
    const q = queue(time, { reconcile: gate.reconcile });
    q.add('ns/busy');
    q.addUrgent('ns/x');
    q.addUrgent('ns/y');
    q.addUrgent('ns/y');
    q.add('ns/resync');
    assert.equal(q.urgent, 2);
    gate.release();
    await settle();
    assert.equal(q.urgent, 1, 'ns/x runs');
    gate.release();
    await settle();
    assert.equal(q.urgent, 0, 'ns/y runs; the resync waiting behind it is not an outside change');
  });

  void it('runs a waiting key made urgent once, early, and not again from its old place', async () => {
    const time = new FakeTime();
    const gate = gated();
    const q = queue(time, { reconcile: gate.reconcile });
    q.add('ns/busy');
    q.add('ns/a');
    q.add('ns/b');
    q.addUrgent('ns/b');
    q.addUrgent('ns/b');
    assert.equal(q.depth, 2);
    for (let i = 0; i < 4; i++) {
      gate.release();
      await settle();
    }
    assert.deepEqual(gate.runs, ['ns/busy', 'ns/b', 'ns/a']);
  });

  void it('runs an in-flight key made urgent once more, ahead of waiting keys', async () => {
    const time = new FakeTime();
    const gate = gated();
    const q = queue(time, { reconcile: gate.reconcile });
    q.add('ns/x');
    q.add('ns/a');
    q.addUrgent('ns/x');
    for (let i = 0; i < 4; i++) {
      gate.release();
      await settle();
    }
    assert.deepEqual(gate.runs, ['ns/x', 'ns/x', 'ns/a']);
  });

  void it('runs a key whose step has baked ahead of the looks due at the same moment, after urgent ones', async () => {
    const time = new FakeTime();
    const gate = gated();
    const runs: string[] = [];
    // ns/step asks to be back in 10 s, when its bake ends; the others only to look again then.
    const outcome = (key: string): ReconcileOutcome => (key === 'ns/step' ? { requeueAfterMs: 10_000, advanceAfterMs: 10_000 } : { requeueAfterMs: 10_000, advanceAfterMs: 30_000 });
    const q = queue(time, {
      reconcile: (key) => {
        if (key === 'ns/slow') return gate.reconcile(key);
        runs.push(key);
        return Promise.resolve(runs.length <= 4 ? outcome(key) : done);
      },
    });
    for (const key of ['ns/a', 'ns/b', 'ns/step', 'ns/c']) q.add(key);
    await settle();
    runs.length = 0;
    // A slow run holds the only worker while the four come due and a change arrives.
    await time.advance(9_000);
    q.add('ns/slow');
    await time.advance(1_000);
    q.addUrgent('ns/changed');
    gate.release();
    await settle();
    assert.deepEqual(runs.slice(0, 2), ['ns/changed', 'ns/step']);
    assert.deepEqual(runs.slice(2).sort(), ['ns/a', 'ns/b', 'ns/c'], 'the looks after it, in their due order');
  });

  void it('moves a key still waiting behind other looks ahead once its step has baked', async () => {
    const time = new FakeTime();
    const gate = gated();
    const runs: number[] = [];
    const q = new WorkQueue({
      clock: time.clock,
      timers: time,
      concurrency: 1,
      reconcile: async (key) => {
        if (key !== 'ns/step') return gate.reconcile(key);
        runs.push(time.clock.now());
        // Its next look comes in 5 s; its bake ends in 8 s.
        return runs.length === 1 ? { requeueAfterMs: 5_000, advanceAfterMs: 8_000 } : done;
      },
    });
    const start = time.clock.now();
    q.add('ns/step');
    await settle();
    // At 5 s the look is due behind a long backlog of other looks, all stuck behind a slow run.
    await time.advance(4_000);
    q.add('ns/slow');
    for (let i = 0; i < 50; i++) q.add(`ns/look-${i}`);
    await time.advance(1_000);
    assert.equal(runs.length, 1, 'still waiting at its look time');
    await time.advance(3_000);
    gate.release();
    await settle();
    assert.deepEqual(runs, [start, start + 8_000], 'run once, as soon as a worker is free after the bake ended');
    assert.deepEqual(gate.runs, ['ns/slow', 'ns/look-0'], 'ahead of the 50 looks');
  });
});

