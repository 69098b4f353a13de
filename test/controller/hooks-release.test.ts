// Releases with hooks, end to end: the controller's reconcile (with deploy/'s RBAC) against the
// emulator, hooks answered by a real HTTP receiver on 127.0.0.1, signed with the webhooks' secret.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { createHttpHookRunner } from '../../src/adapters/http-hooks.ts';
import { releaseHarness, type Harness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };
const terminal = (s: Record<string, any>) => s.phase === 'Succeeded' || s.phase === 'Failed';
const secret = 'hook-secret';

interface Call {
  readonly hook: string;
  readonly key: string;
  readonly body: Record<string, any>;
  /** The canary weight the router had last written when the call arrived. */
  readonly weightThen: number;
  readonly signed: boolean;
}

type Answer = (hook: string, n: number) => { status: number; body?: string; type?: string };

/** One receiver for every hook (`/<hook>`), answering by `answer`; it records calls in order. */
async function hookServer(t: TestContext, h: () => Harness | undefined, answer: Answer): Promise<{ base: string; calls: Call[] }> {
  const calls: Call[] = [];
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const hook = (req.url ?? '/').slice(1).split('?')[0] ?? '';
      const signed = req.headers['x-fledge-signature'] === `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      calls.push({ hook, key: String(req.headers['idempotency-key']), body: JSON.parse(raw), weightThen: h()?.writes.at(-1)?.canaryWeight ?? 0, signed });
      const n = (seen.get(hook) ?? 0) + 1;
      seen.set(hook, n);
      const reply = answer(hook, n);
      if (reply.status === 0) return; // never answers
      res.writeHead(reply.status, { 'content-type': reply.type ?? 'text/plain' }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

async function setup(t: TestContext, answer: Answer, hooks: readonly string[]): Promise<{ h: Harness; calls: Call[] }> {
  const ref: { harness?: Harness } = {};
  const server = await hookServer(t, () => ref.harness, answer);
  const runner = () => createHttpHookRunner({ secret, retries: 1, backoffMs: 1 });
  const harness = await releaseHarness(t, { webhookAllowList: [`${server.base}/`], hookRunner: runner });
  ref.harness = harness;
  const annotations = Object.fromEntries(hooks.map((hook) => [`fledge.dev/hook-${hook}`, `${server.base}/${hook}`]));
  await harness.deploy('app', { annotations: { ...fast, ...annotations, 'fledge.dev/hook-timeout': '2s' } });
  await harness.runUntil('app', (s) => s.phase === 'Ready');
  return { h: harness, calls: server.calls };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), what);
}

async function eventReasons(h: Harness): Promise<string[]> {
  const events = await h.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'default' });
  return events.items.map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
}

describe('a release with every hook', () => {
  it('calls them in order: pre-rollout before traffic, rollout per interval, confirm-promotion until yes, post-rollout once', async (t) => {
    const { h, calls } = await setup(t, (hook, n) => (hook === 'confirm-promotion' && n === 1 ? { status: 409, body: 'change freeze until 10:05' } : { status: 200 }),
      ['pre-rollout', 'rollout', 'confirm-promotion', 'post-rollout', 'rollback']);
    await h.setImage('app', 'app:2.0');
    const paused = await h.runUntil('app', (s) => s.pausedBy === 'confirmation' || terminal(s));
    assert.equal(paused.status.phase, 'Paused', paused.status.message);
    assert.equal(paused.status.conditions.find((c: any) => c.type === 'Paused').reason, 'ConfirmationPending');
    assert.equal(paused.status.conditions.find((c: any) => c.type === 'Hooks').reason, 'ConfirmationPending');
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Succeeded', done.status.message);
    await until(() => calls.some((c) => c.hook === 'post-rollout'), 'the post-rollout hook is told');

    const order = calls.map((c) => c.hook).filter((hook, i, all) => hook !== all[i - 1]);
    t.diagnostic(`calls: ${calls.map((c) => `${c.hook}@${c.weightThen}%`).join(', ')}`);
    assert.deepEqual([order[0], order[1], order.at(-1)], ['pre-rollout', 'rollout', 'post-rollout'], order.join());
    assert.equal(calls[0]?.hook, 'pre-rollout');
    assert.equal(calls[0]?.weightThen, 0, 'no traffic moved before the pre-rollout hook was called');
    assert.equal(calls.filter((c) => c.hook === 'pre-rollout').length, 1, 'pre-rollout is asked once');
    const firstRollout = calls.findIndex((c) => c.hook === 'rollout');
    const firstConfirm = calls.findIndex((c) => c.hook === 'confirm-promotion');
    assert.ok(firstRollout > 0 && firstConfirm > firstRollout, 'rollout load starts before promotion is asked for');
    const rollouts = calls.filter((c) => c.hook === 'rollout');
    assert.ok(rollouts.length >= 2, `rollout is called every interval (${rollouts.length})`);
    assert.ok(rollouts.every((c) => c.weightThen > 0 && c.body.interval.durationMs === 30_000), 'only while the canary has traffic, with the interval');
    assert.equal(new Set(rollouts.map((c) => c.body.interval.start)).size, rollouts.length, 'once per interval');
    const confirms = calls.filter((c) => c.hook === 'confirm-promotion');
    assert.equal(confirms.length, 2, 'polled until it said yes');
    assert.equal(calls.at(-1)?.hook, 'post-rollout');
    assert.ok(calls.every((c) => c.signed), 'every call is signed with the webhooks secret');
    assert.ok(!calls.some((c) => c.hook === 'rollback'));
    const post = calls.find((c) => c.hook === 'post-rollout');
    assert.equal(post?.body.revision, done.status.revision);
    assert.equal(post?.body.phase, 'Succeeded');
    assert.ok(Array.isArray(post?.body.evidence) && post.body.evidence.length === 2);
    // The outbox entry is delivered and leaves at the next reconcile; the hook is not told twice.
    await h.step('app');
    await h.step('app');
    assert.equal(calls.filter((c) => c.hook === 'post-rollout').length, 1);
    assert.deepEqual((await h.canary('app')).status.outbox, []);
    const reasons = await eventReasons(h);
    assert.ok(reasons.some((r) => r.startsWith('HookPassed: pre-rollout')), reasons.join('\n'));
    assert.ok(reasons.some((r) => r.startsWith('ConfirmationPending')));
    assert.ok(reasons.some((r) => r.startsWith('PromotionConfirmed')));
    assert.equal(h.violations.length, 0, h.violations.join());
  });

  it('rolls back when the pre-rollout hook fails, with its reply in status and the Event, and tells the rollback hook', async (t) => {
    const { h, calls } = await setup(t, (hook) => (hook === 'pre-rollout' ? { status: 500, body: 'smoke test failed: /healthz 404 token=abc' } : { status: 200 }), ['pre-rollout', 'rollback']);
    await h.setImage('app', 'app:2.0');
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Failed');
    assert.match(done.status.message, /pre-rollout hook failed: HTTP 500: smoke test failed: \/healthz 404 token=\[redacted\] \(after 2 attempts\)/);
    assert.ok(!done.status.message.includes('abc'));
    assert.ok(h.writes.every((w) => w.canaryWeight === 0), 'no traffic ever moved to the canary');
    await until(() => calls.some((c) => c.hook === 'rollback'), 'the rollback hook is told');
    assert.deepEqual(calls.map((c) => c.hook), ['pre-rollout', 'pre-rollout', 'rollback']);
    const reasons = await eventReasons(h);
    assert.ok(reasons.some((r) => r.startsWith('HookFailed: revision') && r.includes('pre-rollout hook failed')), reasons.join('\n'));
    assert.equal(done.status.conditions.find((c: any) => c.type === 'Hooks').reason, 'HookFailed');
  });

  it('rolls back after hook-failures rollout failures in a row (an HTML error page counts), never silently', async (t) => {
    const { h } = await setup(t, (hook) => (hook === 'rollout' ? { status: 200, type: 'text/html', body: '<html>proxy error</html>' } : { status: 200 }), ['rollout']);
    await h.setImage('app', 'app:2.0');
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Failed');
    assert.match(done.status.message, /rollout hook failed: HTTP 200: an HTML page, not a hook reply \(3 in a row; 3 in a row roll back\)/);
    const failures = (await eventReasons(h)).filter((r) => r.startsWith('HookFailed'));
    assert.ok(failures.length >= 3, failures.join('\n'));
  });

  it('aborts at the gate timeout when the confirm-promotion hook never answers, traffic back on the primary', async (t) => {
    const { h, calls } = await setup(t, (hook) => (hook === 'confirm-promotion' ? { status: 0 } : { status: 200 }), ['confirm-promotion']);
    const { AppsV1Api } = await import('@kubernetes/client-node');
    const apps = h.kc.makeApiClient(AppsV1Api);
    const current = await apps.readNamespacedDeployment({ namespace: 'default', name: 'app' });
    current.metadata!.annotations = { ...current.metadata!.annotations, 'fledge.dev/gate-timeout': '1m' };
    current.spec!.template.spec!.containers[0]!.image = 'app:2.0';
    await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'app', body: current });
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Failed');
    assert.match(done.status.message, /the confirm-promotion hook did not confirm within 1m/);
    assert.ok(calls.some((c) => c.hook === 'confirm-promotion'), 'it was asked');
    assert.equal(h.writes.at(-1)?.canaryWeight, 0);
  });

  it('a restarted controller neither asks a passed gate again nor forgets a confirmation (both are in status)', async (t) => {
    const { h, calls } = await setup(t, () => ({ status: 200 }), ['pre-rollout', 'confirm-promotion', 'post-rollout']);
    await h.setImage('app', 'app:2.0');
    const stepped = await h.runUntil('app', (s) => s.hooks?.preRolloutPassed === true && s.step >= 1);
    assert.equal(stepped.status.phase, 'Progressing');
    h.restart();
    const promoting = await h.runUntil('app', (s) => s.hooks?.confirmed === true || terminal(s));
    assert.equal(promoting.status.phase, 'Promoting', promoting.status.message);
    h.restart();
    const done = await h.runUntil('app', terminal);
    assert.equal(done.status.phase, 'Succeeded');
    await until(() => calls.some((c) => c.hook === 'post-rollout'), 'the post-rollout hook is told');
    assert.deepEqual(calls.map((c) => c.hook), ['pre-rollout', 'confirm-promotion', 'post-rollout']);
  });

  it('refuses a hook the allow-list does not permit: ConfigValid=False, nothing moves, no call', async (t) => {
    const { h, calls } = await setup(t, () => ({ status: 200 }), []);
    const { AppsV1Api } = await import('@kubernetes/client-node');
    const apps = h.kc.makeApiClient(AppsV1Api);
    const current = await apps.readNamespacedDeployment({ namespace: 'default', name: 'app' });
    current.metadata!.annotations = { ...current.metadata!.annotations, 'fledge.dev/hook-pre-rollout': 'http://169.254.169.254/latest/meta-data?token=x' };
    current.spec!.template.spec!.containers[0]!.image = 'app:2.0';
    await apps.replaceNamespacedDeployment({ namespace: 'default', name: 'app', body: current });
    await h.step('app');
    const canary = await h.canary('app');
    const valid = canary.status.conditions.find((c: any) => c.type === 'ConfigValid');
    assert.equal(valid.status, 'False');
    assert.equal(valid.reason, 'HookNotAllowed');
    assert.match(valid.message, /fledge\.dev\/hook-pre-rollout: http:\/\/169\.254\.169\.254\/… is a private/);
    assert.ok(!valid.message.includes('token=x'));
    assert.equal(calls.length, 0);
    assert.ok(h.writes.every((w) => w.canaryWeight === 0));
  });
});
