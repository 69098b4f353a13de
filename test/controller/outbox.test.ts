import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { createNotifier } from '../../src/adapters/notify/factory.ts';
import type { ManagedNotifier } from '../../src/adapters/notify/channel.ts';
import { outboxKey } from '../../src/controller/outbox.ts';
import { reconcile } from '../../src/controller/reconcile.ts';
import { releaseHarness, type Harness } from '../support/release-harness.ts';
import { captureLogs, receivers, type Received, type Responder } from '../adapters/notify/fixtures.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };
const terminal = (s: Record<string, any>) => s.phase === 'Succeeded' || s.phase === 'Failed';

interface Hook {
  readonly url: string;
  /** 2xx answers, in order. */
  readonly accepted: Received[];
  /** 503 answers, in order. */
  readonly refused: Received[];
  up: boolean;
}

const keyOf = (request: Received): string => String(request.headers['idempotency-key']);

/** What a receiver that de-duplicates on the key keeps: one notice per key. */
function deduped(hook: Hook): Map<string, { reason: string; message: string }> {
  return new Map(hook.accepted.map((r) => [keyOf(r), JSON.parse(r.body) as { reason: string; message: string }]));
}

/** A release whose notices go to one loopback webhook, with a fresh notifier per (re)start. */
async function setup(t: TestContext, serve: (respond: Responder) => Promise<{ url: string }>): Promise<{ h: Harness; hook: Hook; notifiers: ManagedNotifier[] }> {
  const state = { accepted: [] as Received[], refused: [] as Received[], up: true };
  const server = await serve((request) => {
    (state.up ? state.accepted : state.refused).push(request);
    return { status: state.up ? 200 : 503 };
  });
  const hook: Hook = Object.assign(state, { url: `${server.url}/fledge` });
  const notifiers: ManagedNotifier[] = [];
  const notifier = (): ManagedNotifier => {
    const created = createNotifier({ sleep: () => new Promise((resolve) => setImmediate(resolve)), maxRetries: 1, perChannelIntervalMs: 0 });
    notifiers.push(created);
    return created;
  };
  const h = await releaseHarness(t, { notifier, webhookAllowList: [hook.url] });
  t.after(() => Promise.all(notifiers.map((n) => n.close())));
  await h.deploy('app', { annotations: { ...fast, 'fledge.dev/webhooks': hook.url } });
  return { h, hook, notifiers };
}

/** Stops the notifiers (undelivered jobs are dropped, as when the process dies) and rebuilds every client. */
async function restart(h: Harness, notifiers: readonly ManagedNotifier[]): Promise<void> {
  await Promise.all(notifiers.map((n) => n.close()));
  h.restart();
}

/** Every entry ever seen in the outbox (runUntil reads status after every reconcile). */
function outboxWatcher(): { seen: Map<string, string>; watch: (done: (s: Record<string, any>) => boolean) => (s: Record<string, any>) => boolean } {
  const seen = new Map<string, string>();
  return {
    seen,
    watch: (done) => (s) => {
      for (const e of s.outbox ?? []) seen.set(e.key, `${e.reason}: ${e.message}`);
      return done(s);
    },
  };
}

describe('the notice outbox', () => {
  const serve = receivers();

  it('delivers every notice of a release to a receiver that was down across a restart, each key once after de-dup, and empties the outbox', async (t) => {
    const { h, hook, notifiers } = await setup(t, serve);
    const { seen, watch } = outboxWatcher();
    hook.up = false;
    await h.runUntil('app', watch((s) => s.phase === 'Ready'));
    await h.setImage('app', 'app:2.0');
    const midRun = await h.runUntil('app', watch((s) => s.canaryWeight === 50));
    const queued: string[] = midRun.status.outbox.map((e: { key: string }) => e.key);
    assert.ok(queued.length >= 3, `notices wait in the outbox while the receiver is down (${queued.length})`);
    assert.ok(hook.refused.length > 0 && hook.accepted.length === 0);

    await restart(h, notifiers);
    hook.up = true;
    const done = await h.runUntil('app', watch((s) => terminal(s) && s.outbox.length === 0));
    assert.equal(done.status.phase, 'Succeeded');

    const kept = deduped(hook);
    for (const key of queued) assert.ok(kept.has(key), `${key}, queued before the restart, arrives after it with the same key`);
    for (const request of hook.refused) assert.ok(kept.has(keyOf(request)), 'every key tried while the receiver was down arrives later');
    const told = new Map([...kept].map(([key, n]) => [key, `${n.reason}: ${n.message}`]));
    assert.deepEqual(told, seen, 'every notice ever queued arrives, under the key it was queued with');
    assert.equal(kept.size, done.status.noticeSeq, 'one key per notice decided');
    const reasons = new Set([...kept.values()].map((n) => n.reason));
    for (const reason of ['Initialized', 'NewRevision', 'StepAdvanced', 'Promoted']) assert.ok(reasons.has(reason), reason);
  });

  it('removes a delivered notice from the outbox and does not send it again in later reconciles', async (t) => {
    const { h, hook } = await setup(t, serve);
    const ready = await h.runUntil('app', (s) => s.phase === 'Ready' && s.noticeSeq > 0 && s.outbox.length === 0);
    assert.equal(hook.accepted.length, ready.status.noticeSeq);
    for (let i = 0; i < 5; i += 1) {
      await h.step('app');
      await new Promise((resolve) => setTimeout(resolve, 10));
      h.advance(30_000);
    }
    assert.equal(hook.accepted.length, ready.status.noticeSeq, 'nothing is sent again');
    await h.setImage('app', 'app:2.0');
    const done = await h.runUntil('app', (s) => terminal(s) && s.outbox.length === 0);
    const keys = hook.accepted.map(keyOf);
    assert.equal(keys.length, done.status.noticeSeq);
    assert.equal(new Set(keys).size, keys.length, 'each key arrived exactly once, without de-dup');
  });

  it('gives a notice the same key on every redelivery, also after a restart, and every other notice another key', async (t) => {
    const { h, hook, notifiers } = await setup(t, serve);
    hook.up = false;
    await h.runUntil('app', (s) => s.phase === 'Ready');
    const [initialized] = (await h.canary('app')).status.outbox;
    assert.equal(initialized.reason, 'Initialized');
    await h.step('app');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await restart(h, notifiers);
    await h.step('app');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const tries = hook.refused.filter((r) => (JSON.parse(r.body) as { reason: string }).reason === 'Initialized');
    assert.ok(tries.length >= 2, `tried before and after the restart (${tries.length})`);
    assert.ok(tries.every((r) => keyOf(r) === initialized.key && (JSON.parse(r.body) as { id: string }).id === initialized.key));
    assert.equal((await h.canary('app')).status.outbox[0].key, initialized.key);

    await h.setImage('app', 'app:2.0');
    await h.step('app');
    const keys = (await h.canary('app')).status.outbox.map((e: { key: string }) => e.key);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(keys.length >= 2);
    assert.notEqual(outboxKey({ uid: 'a', namespace: 'default', name: 'app', seq: 1 }), outboxKey({ uid: 'b', namespace: 'default', name: 'app', seq: 1 }), 'a recreated Canary does not reuse keys');
  });

  it('drops the oldest undelivered notices beyond 20, and those older than a day, with a warning Event and log line', async (t) => {
    const { h, hook } = await setup(t, serve);
    hook.up = false;
    await h.runUntil('app', (s) => s.phase === 'Ready');
    const custom = h.kc.makeApiClient(CustomObjectsApi);
    const canary = await h.canary('app');
    const at = (ms: number) => new Date(h.now() - ms).toISOString();
    const entry = (n: number, ageMs: number) => ({
      key: `old-${n}`, queuedAt: at(ageMs), revision: 'r0', phase: 'Ready', canaryWeight: 0, reason: `Old${n}`, message: `old notice ${n}`,
      severity: 'Normal', slackChannel: null, webhooks: [hook.url],
    });
    // One entry past the age limit, then a full outbox of 20.
    const outbox = [entry(0, 25 * 3_600_000), ...Array.from({ length: 20 }, (_, i) => entry(i + 1, 3_600_000 - i))];
    await custom.replaceNamespacedCustomObjectStatus({
      group: 'fledge.dev', version: 'v1alpha1', plural: 'canaries', namespace: 'default', name: 'app',
      body: { ...canary, status: { ...canary.status, outbox, noticeSeq: 21 } },
    });
    await h.setImage('app', 'app:2.0');
    const logs = captureLogs();
    await reconcile({ ...h.deps, log: logs.logger }, { namespace: 'default', name: 'app' });

    const status = (await h.canary('app')).status;
    assert.equal(status.outbox.length, 20);
    assert.deepEqual(status.outbox.slice(0, 2).map((e: { key: string }) => e.key), ['old-2', 'old-3']);
    assert.equal(status.outbox.at(-1).reason, 'NewRevision');
    const warnings = logs.records(40).filter((r) => r.msg === 'undelivered notice dropped from the outbox');
    assert.deepEqual(warnings.map((w) => [w.key, w.why]), [['old-0', 'expired'], ['old-1', 'full']]);
    const events = await h.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default' });
    const dropped = events.items.find((e) => e.reason === 'NoticesDropped');
    assert.equal(dropped?.type, 'Warning');
    assert.match(dropped?.message ?? '', /outbox full \(at most 20\): Old1/);
    assert.match(dropped?.message ?? '', /older than 24h: Old0/);
  });
});
