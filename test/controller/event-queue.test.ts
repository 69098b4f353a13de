// Events go out after the reconcile that recorded them: in order, bounded, and an Event the API
// refuses is logged rather than failing the reconcile.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EventQueue, withQueuedEvents } from '../../src/controller/event-queue.ts';
import type { ClusterObjects, EventRecord } from '../../src/ports.ts';
import { createMemoryCluster } from '../../src/adapters/memory/cluster.ts';

const canary = { apiVersion: 'fledge.dev/v1alpha1', kind: 'Canary', metadata: { namespace: 'default', name: 'app', uid: 'u' }, spec: {} };
const event = (reason: string): EventRecord => ({ canary, severity: 'Normal', reason, message: reason }) as EventRecord;

function logged(): { log: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

/** A queue whose sends wait until `open()`, recording the reasons sent in order. */
function gated(log: pino.Logger, options: { limit?: number } = {}): { queue: EventQueue; sent: string[]; open: () => void } {
  const sent: string[] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => { open = resolve; });
  const queue = new EventQueue(async (r) => {
    await gate;
    sent.push(r.reason);
  }, log, { concurrency: 1, ...options });
  return { queue, sent, open: () => open() };
}

describe('event queue', () => {
  it('returns before the Event is sent, and sends Events in the order they were recorded', async () => {
    const { queue, sent, open } = gated(logged().log);
    const cluster = withQueuedEvents({ recordEvent: async () => assert.fail('not sent in the reconcile') } as unknown as ClusterObjects, queue, { now: () => 0 });
    for (const reason of ['Started', 'StepAdvanced', 'Promoted']) await cluster.recordEvent(event(reason));
    assert.deepEqual(sent, [], 'nothing sent yet: the reconcile did not wait');
    open();
    await queue.drained();
    assert.deepEqual(sent, ['Started', 'StepAdvanced', 'Promoted']);
  });

  it('dates an Event when the reconcile recorded it, not when the queue sent it', async () => {
    const time = { now: Date.parse('2026-01-01T00:00:00Z') };
    const clock = { now: () => time.now };
    const memory = createMemoryCluster({ clock });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    const queue = new EventQueue(async (r) => {
      await gate;
      await memory.objects.recordEvent(r);
    }, logged().log);
    await withQueuedEvents(memory.objects, queue, clock).recordEvent(event('StepAdvanced'));
    // The queue is behind: the Event is sent a minute after the reconcile recorded it.
    time.now += 60_000;
    open();
    await queue.drained();
    const sent = memory.store.list('events', 'default') as unknown as Array<{ reason?: string; firstTimestamp: string | Date; lastTimestamp: string | Date }>;
    const iso = (t: string | Date): string => new Date(t).toISOString();
    assert.deepEqual(sent.map((e) => [e.reason, iso(e.firstTimestamp), iso(e.lastTimestamp)]), [['StepAdvanced', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']]);
  });

  it('keeps only the Canary\'s identity while an Event waits, not its status', async () => {
    const sent: EventRecord[] = [];
    const queue = new EventQueue(async (r) => {
      sent.push(r);
    }, logged().log);
    queue.record({ ...event('Big'), canary: { ...canary, status: { history: 'x'.repeat(10_000) } } } as unknown as EventRecord);
    await queue.drained();
    assert.deepEqual(sent[0]?.canary.metadata, { namespace: 'default', name: 'app', uid: 'u' });
    assert.equal((sent[0]?.canary as { status?: unknown }).status, undefined);
    assert.equal(sent[0]?.canary.kind, 'Canary');
  });

  it('keeps one identity per Canary for all its waiting Events; a Canary made again (a new uid) gets its own', async () => {
    const seen: EventRecord[] = [];
    const recording = new EventQueue(async (r) => { seen.push(r); }, logged().log, { concurrency: 1 });
    for (const reason of ['A', 'B']) recording.record({ ...event(reason), canary: { ...canary, status: { phase: reason } } } as unknown as EventRecord);
    recording.record({ ...event('C'), canary: { ...canary, metadata: { ...canary.metadata, uid: 'u2' } } } as EventRecord);
    await recording.drained();
    assert.deepEqual(seen.map((r) => r.reason), ['A', 'B', 'C']);
    assert.equal(seen[0]?.canary, seen[1]?.canary, 'one object for both of the first Canary\'s Events');
    assert.notEqual(seen[2]?.canary, seen[0]?.canary);
    assert.equal(seen[2]?.canary.metadata.uid, 'u2');
  });

  it('lets go of an Event once it is sent while others still wait, and sends every one in order with its time and message', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const sentRefs: Array<WeakRef<EventRecord>> = [];
    const sent: EventRecord[] = [];
    const queue = new EventQueue(async (r) => {
      if (sentRefs.length > 0) await held;
      sentRefs.push(new WeakRef(r));
      if (sentRefs.length > 1) sent.push(r);
    }, logged().log, { concurrency: 1 });
    for (let i = 0; i < 50; i += 1) queue.record({ ...event('StepAdvanced'), message: 'step 2/2: 50% of traffic to the canary', at: i });
    // The first Event has been sent; the second waits on the API, 48 more wait in the queue.
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
    assert.equal(sentRefs[0]?.deref(), undefined, 'the sent Event is not kept by the queue');
    release();
    await queue.drained();
    assert.deepEqual(sent.map((r) => r.at), Array.from({ length: 49 }, (_, i) => i + 1), 'every other one sent, in order, with its time');
    assert.ok(sent.every((r) => r.message === 'step 2/2: 50% of traffic to the canary'));
  });

  it('logs an Event the API refuses and goes on with the next', async () => {
    const { log, lines } = logged();
    const sent: string[] = [];
    const queue = new EventQueue(async (r) => {
      if (r.reason === 'Refused') throw new Error('events is forbidden');
      sent.push(r.reason);
    }, log);
    queue.record(event('Refused'));
    queue.record(event('Next'));
    await queue.drained();
    assert.deepEqual(sent, ['Next']);
    assert.ok(lines.some((l) => l['msg'] === 'could not record an Event' && l['reason'] === 'Refused' && String(l['err']).includes('forbidden')));
  });

  it('drops the oldest waiting Events beyond its limit, with a warning', async () => {
    const { log, lines } = logged();
    const { queue, sent, open } = gated(log, { limit: 3 });
    for (let i = 0; i < 6; i += 1) queue.record(event(`E${i}`));
    assert.equal(queue.size, 3);
    open();
    await queue.drained();
    assert.deepEqual(sent, ['E0', 'E3', 'E4', 'E5'], 'the one in flight, then the newest three');
    assert.ok(lines.some((l) => String(l['msg']).includes('oldest are dropped')));
  });

  describe('while outside changes wait to be acted on', () => {
    const sendsTo = (sent: string[]) => async (r: EventRecord): Promise<void> => {
      sent.push(r.reason);
    };
    const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

    it('sends nothing while the controller is busy, and everything in order once it is not', { timeout: 5_000 }, async (t) => {
      const sent: string[] = [];
      const queue = new EventQueue(sendsTo(sent), logged().log, { holdMs: 60_000 });
      let busy = true;
      queue.yieldTo(() => busy);
      t.after(() => queue.yieldTo(null));
      for (const reason of ['NewRevision', 'StepAdvanced']) queue.record(event(reason));
      await settle(100);
      assert.deepEqual(sent, [], 'held while changes wait');
      busy = false;
      await queue.drained();
      assert.deepEqual(sent, ['NewRevision', 'StepAdvanced']);
    });

    it('holds for at most holdMs at a stretch: a controller busy for good still sends its Events', { timeout: 5_000 }, async (t) => {
      const sent: string[] = [];
      const time = { now: 0 };
      const queue = new EventQueue(sendsTo(sent), logged().log, { holdMs: 1_000, now: () => time.now });
      queue.yieldTo(() => true);
      t.after(() => queue.yieldTo(null));
      queue.record(event('NewRevision'));
      await settle(60);
      assert.deepEqual(sent, []);
      time.now = 1_000;
      await queue.drained();
      assert.deepEqual(sent, ['NewRevision'], 'sent once the hold reached its limit');
      queue.record(event('StepAdvanced'));
      await queue.drained();
      assert.deepEqual(sent, ['NewRevision', 'StepAdvanced'], 'and not held again until the controller was idle once');
    });

    it('holds no more once a tenth of the queue is full: holding Events must not be what drops them', { timeout: 5_000 }, async (t) => {
      const sent: string[] = [];
      const queue = new EventQueue(sendsTo(sent), logged().log, { holdMs: 60_000, limit: 20 });
      queue.yieldTo(() => true);
      t.after(() => queue.yieldTo(null));
      queue.record(event('E0'));
      await settle(60);
      assert.deepEqual(sent, [], 'one of twenty: held');
      queue.record(event('E1'));
      await queue.drained();
      assert.deepEqual(sent, ['E0', 'E1'], 'two of twenty: sent, busy or not');
    });

    it('holds nothing once told to stop yielding (a stopping controller sends what it recorded)', { timeout: 5_000 }, async (t) => {
      const sent: string[] = [];
      const queue = new EventQueue(sendsTo(sent), logged().log, { holdMs: 60_000 });
      queue.yieldTo(() => true);
      t.after(() => queue.yieldTo(null));
      queue.record(event('Promoted'));
      await settle(60);
      assert.deepEqual(sent, []);
      queue.yieldTo(null);
      await queue.drained();
      assert.deepEqual(sent, ['Promoted']);
    });
  });
});
