// Every release that ends or stops says why in one sentence with the numbers that decided, and
// the same sentence on every surface: status.message, the Ready condition, the Event, Slack.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSlackRenderer } from '../../src/adapters/notify/slack-blocks.ts';
import { compileTemplate, defaultTemplate } from '../../src/adapters/notify/templates.ts';
import type { Notifier, ReleaseNotice } from '../../src/ports.ts';
import { runWait, type WaitOptions } from '../../src/cli/wait/loop.ts';
import { memoryHarness, type MemoryHarness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };
const terminal = (s: Record<string, any>): boolean => s.phase === 'Succeeded' || s.phase === 'Failed';

interface Seen {
  readonly harness: MemoryHarness;
  readonly notices: ReleaseNotice[];
}

async function started(t: Parameters<typeof memoryHarness>[0], annotations: Record<string, string> = fast): Promise<Seen> {
  const notices: ReleaseNotice[] = [];
  const notifier = (): Notifier => ({
    deliver: (entry, onDone) => {
      notices.push(entry.notice);
      setImmediate(() => onDone('delivered'));
    },
  });
  const harness = await memoryHarness(t, { notifier });
  await harness.deploy('app', { annotations });
  await harness.runUntil('app', (s) => s.phase === 'Ready');
  return { harness, notices };
}

/** What `fledge wait deployment/app` prints (text log, then JSON) about the revision the Deployment has now. */
async function waitSays(h: MemoryHarness): Promise<{ exit: number; text: string[]; result: Record<string, unknown> }> {
  const deps = { cluster: h.admin, canaries: { get: (namespace: string, name: string) => h.admin.getCanary(namespace, name) } };
  const once = async (output: WaitOptions['output']): Promise<{ exit: number; lines: string[] }> => {
    const lines: string[] = [];
    const options: WaitOptions = { namespace: 'default', name: 'app', revision: null, timeoutMs: 60_000, untilPaused: false, output, pollMs: 1000, retryForMs: 10_000 };
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), env: {}, isTty: false };
    const exit = await runWait({ options, deps, runtime: { now: () => 0, sleep: () => Promise.resolve() }, io });
    return { exit, lines };
  };
  const text = await once('text');
  const json = await once('json');
  const result = JSON.parse(json.lines.find((l) => l.includes('"type":"result"')) ?? '{}') as Record<string, unknown>;
  return { exit: text.exit, text: text.lines, result };
}

/** The sentence on every surface the controller writes: status, Ready condition, Event and the Slack message. */
async function assertEverywhere(seen: Seen, status: Record<string, any>, sentence: RegExp, eventReason: string): Promise<void> {
  const { harness, notices } = seen;
  assert.match(status.message, sentence);
  const ready = status.conditions.find((c: { type: string }) => c.type === 'Ready');
  assert.equal(ready.message, status.message, 'the Ready condition says the same');
  const event = (await harness.events()).find((e) => e.reason === eventReason);
  assert.ok(event !== undefined, `an Event ${eventReason}`);
  assert.equal(event.message, status.message, 'the Event says the same');
  for (let i = 0; i < 3; i += 1) await harness.step('app'); // the outbox delivers after the status write
  const notice = notices.find((n) => n.reason === eventReason);
  assert.ok(notice !== undefined, `a notice ${eventReason} (${notices.map((n) => n.reason).join(', ')})`);
  const slack = createSlackRenderer({ template: compileTemplate(defaultTemplate) }).release(notice);
  assert.ok(slack.text.includes(status.message.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')), slack.text);
  const wait = await waitSays(harness);
  assert.equal(wait.exit, 1, wait.text.join('\n'));
  assert.equal(wait.text.at(-1), `fledge: default/app: ${status.message}`, 'fledge wait ends with the sentence');
  assert.equal(wait.result['message'], status.message, 'and so does its JSON result');
}

describe('the reason for each outcome, in plain words with the numbers that decided', () => {
  it('an error regression: failure rates of both sides, the ratio, the time and the SLO', async (t) => {
    const seen = await started(t);
    const h = seen.harness;
    h.script = { ...h.script, canary: () => ({ failure: 0.04, slow: 0.002 }) };
    await h.setImage('app', 'app:2.0');
    const { status } = await h.runUntil('app', terminal);
    assert.equal(status.phase, 'Failed');
    const sentence = /^revision \w+ rolled back: the canary failed (3\.\d+|4)% of [\d,]+ requests against the primary's 0\.\d+% \(about [78](\.\d)?×\) over \d+ (seconds|minutes?); the SLO allows 1%$/;
    await assertEverywhere(seen, status, sentence, 'RolledBack');
    // The sentence stays while the revision stays, not replaced by a generic line.
    for (let i = 0; i < 3; i += 1) await h.step('app');
    assert.match((await h.canary('app')).status.message, sentence);
  });

  it('a latency regression: the slow-request share and the latency boundary', async (t) => {
    const seen = await started(t, { ...fast, 'fledge.dev/latency-p99-max': '300ms' });
    const h = seen.harness;
    h.script = { ...h.script, canary: () => ({ failure: 0.005, slow: 0.06 }) };
    await h.setImage('app', 'app:2.0');
    const { status } = await h.runUntil('app', terminal);
    assert.equal(status.phase, 'Failed');
    const sentence = /^revision \w+ rolled back: the canary answered [56](\.\d+)?% of [\d,]+ requests slower than 300 ms against the primary's 0\.\d+% \(about \d+×\) over \d+ \w+; the SLO allows 1%$/;
    await assertEverywhere(seen, status, sentence, 'RolledBack');
  });

  it('the guardrail: most of one interval failing rolls back at once and says so', async (t) => {
    const seen = await started(t);
    const h = seen.harness;
    h.script = { ...h.script, canary: () => ({ failure: 0.6, slow: 0 }) };
    await h.setImage('app', 'app:2.0');
    const { status } = await h.runUntil('app', terminal);
    const sentence = /^revision \w+ rolled back: the canary failed 60(\.\d+)?% of [\d,]+ requests in a single interval, past the \d+% guardrail: rolled back at once, without waiting for more evidence$/;
    await assertEverywhere(seen, status, sentence, 'RolledBack');
  });

  it('the progress deadline: how long the canary went without requests, and the deadline', async (t) => {
    const seen = await started(t);
    const h = seen.harness;
    h.script = { ...h.script, canary: () => 'down' };
    await h.setImage('app', 'app:2.0');
    const { status } = await h.runUntil('app', terminal, 400);
    const sentence = /^revision \w+ rolled back: the canary received no requests for \d+ minutes, past the progress deadline of 2 minutes$/;
    await assertEverywhere(seen, status, sentence, 'ProgressDeadlineExceeded');
  });

  it('a person: who, where in the run and how long into it', async (t) => {
    const seen = await started(t);
    const h = seen.harness;
    await h.setImage('app', 'app:2.0');
    await h.runUntil('app', (s) => s.step === 1);
    await h.admin.patchCanaryAnnotations('default', 'app', { 'fledge.dev/request': JSON.stringify({ id: 'abort-1', verb: 'abort' }) });
    const { status } = await h.runUntil('app', terminal);
    const sentence = /^revision \w+ rolled back: aborted by a person \(`fledge abort`\) at step 1\/2 \(10% of traffic\), \d+ \w+ into the release$/;
    await assertEverywhere(seen, status, sentence, 'Aborted');
  });

  it('a Prometheus outage pauses the release and says so, in status and in the Paused condition', async (t) => {
    const { harness: h } = await started(t);
    await h.setImage('app', 'app:2.0');
    await h.runUntil('app', (s) => s.step === 1);
    h.script = { ...h.script, outage: () => true };
    const { status } = await h.runUntil('app', (s) => s.phase === 'Paused');
    assert.equal(status.message, 'paused: Prometheus did not answer (connect ECONNREFUSED 127.0.0.1:9090); nothing moves on missing information');
    assert.equal(status.conditions.find((c: { type: string }) => c.type === 'Paused').message, status.message);
    assert.equal(status.stepText, '1/2', 'the step it holds, counted from 1');
  });

  it('a promotion says what the analysis saw, and keeps saying it once promoted', async (t) => {
    const { harness: h } = await started(t);
    await h.setImage('app', 'app:2.0');
    const { status } = await h.runUntil('app', terminal);
    assert.equal(status.phase, 'Succeeded');
    assert.match(status.message, /^revision \w+ promoted: analysis passed at every step: the canary failed [\d.]+% of [\d,]+ requests against the primary's [\d.]+% \(about [\d.]+×\) over \d+ \w+; the SLO allows 1%; and the canary answered [\d.]+% of [\d,]+ requests slower than 500 ms against the primary's [\d.]+% \(about [\d.]+×\) over \d+ \w+; the SLO allows 1%$/);
  });
});
