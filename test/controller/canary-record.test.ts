// The Canary as Kubernetes people read it: its spec follows the annotations (it is not a stale
// copy of the first ones), its conditions are valid metav1.Conditions, and observedGeneration is
// the Canary's own generation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileVersionSchema } from '../../src/sandbox/emulator/schema/index.ts';
import { pausedReasons } from '../../src/controller/status.ts';
import { conditionReasonPattern } from '../../src/ports/canary-schema.ts';
import type { KubeObject } from '../../src/sandbox/emulator/types.ts';
import { memoryHarness } from '../support/release-harness.ts';

const fast = { 'fledge.dev/interval': '30s', 'fledge.dev/bake': '30s', 'fledge.dev/steps': '10,50', 'fledge.dev/progress-deadline': '2m' };

/**
 * `[]metav1.Condition` as controller-gen writes it into a CRD (k8s.io/apimachinery
 * pkg/apis/meta/v1/types.go, type Condition): the schema every Kubernetes tool expects.
 */
const metav1Conditions = {
  type: 'object',
  properties: {
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'],
        properties: {
          lastTransitionTime: { type: 'string', format: 'date-time' },
          message: { type: 'string', maxLength: 32768 },
          observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
          reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
          status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
          type: {
            type: 'string',
            maxLength: 316,
            pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
          },
        },
      },
    },
  },
};

const schema = compileVersionSchema(metav1Conditions, false);

function conditionProblems(status: Record<string, any>): string[] {
  return schema.validate({ conditions: status['conditions'] } as unknown as KubeObject, undefined).map((c) => `${c.field}: ${c.message}`);
}

describe('the Canary record', () => {
  it('keeps spec current: a changed annotation is written to spec, and observedGeneration follows the Canary\'s own generation', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('app', { annotations: fast });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    const before = await h.canary('app');
    assert.deepEqual(before.spec.steps, [10, 50]);
    assert.equal(before.status.observedGeneration, before.metadata.generation);

    await h.edit('deployments', 'app', (d) => {
      d.metadata.annotations['fledge.dev/steps'] = '20,40,60';
      d.metadata.annotations['fledge.dev/strategy'] = 'progressive';
    });
    await h.step('app');
    const after = await h.canary('app');
    assert.deepEqual(after.spec.steps, [20, 40, 60], 'fledge status reads STEP from spec: it must not be the first annotations');
    assert.equal(after.spec.strategy, 'progressive');
    assert.equal(after.metadata.generation, before.metadata.generation + 1);
    assert.equal(after.status.observedGeneration, after.metadata.generation, 'the Canary\'s generation, not the Deployment\'s');
    assert.equal(after.status.targetGeneration, (await h.deployment('app')).metadata?.generation);
    for (const condition of after.status.conditions) assert.equal(condition.observedGeneration, after.metadata.generation, condition.type);

    const written = after.metadata.resourceVersion;
    await h.step('app');
    assert.equal((await h.canary('app')).metadata.generation, after.metadata.generation, 'an unchanged config is not written again');
    assert.ok(Number((await h.canary('app')).metadata.resourceVersion) >= Number(written));
  });

  it('keeps the last valid spec while the annotations do not parse', async (t) => {
    const h = await memoryHarness(t);
    await h.deploy('app', { annotations: fast });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    await h.edit('deployments', 'app', (d) => {
      d.metadata.annotations['fledge.dev/steps'] = 'ten';
    });
    await h.step('app');
    const canary = await h.canary('app');
    assert.deepEqual(canary.spec.steps, [10, 50]);
    const valid = canary.status.conditions.find((c: { type: string }) => c.type === 'ConfigValid');
    assert.equal(valid.status, 'False');
    assert.equal(valid.reason, 'InvalidAnnotation');
    assert.deepEqual(conditionProblems(canary.status), []);
  });

  it('writes conditions that are valid metav1.Conditions through a release that pauses for missing data, with CamelCase reasons', async (t) => {
    const h = await memoryHarness(t);
    const problems: string[] = [];
    const transitions = new Map<string, { status: string; lastTransitionTime: string }>();
    h.beforeStep = async () => {
      const status = (await h.canary('app').catch(() => ({ status: {} }))).status ?? {};
      problems.push(...conditionProblems(status));
      for (const c of status.conditions ?? []) {
        const seen = transitions.get(c.type);
        if (seen !== undefined && seen.status === c.status) assert.equal(c.lastTransitionTime, seen.lastTransitionTime, `${c.type}: lastTransitionTime moved without a status change`);
        transitions.set(c.type, { status: c.status, lastTransitionTime: c.lastTransitionTime });
      }
    };
    await h.deploy('app', { annotations: { ...fast, 'fledge.dev/progress-deadline': '10m' } });
    await h.runUntil('app', (s) => s.phase === 'Ready');
    const healthy = h.script.canary;
    h.script = { ...h.script, canary: () => 'down' };
    await h.setImage('app', 'app:2.0');
    const paused = await h.runUntil('app', (s) => s.phase === 'Paused' && s.pausedBy === 'no-data');
    const pausedCondition = paused.status.conditions.find((c: { type: string }) => c.type === 'Paused');
    assert.equal(pausedCondition.status, 'True');
    assert.equal(pausedCondition.reason, 'NoData', 'not the old kebab-case no-data');
    h.script = { ...h.script, canary: healthy };
    await h.runUntil('app', (s) => s.phase === 'Succeeded');
    assert.deepEqual(problems, []);
    assert.deepEqual(conditionProblems((await h.canary('app')).status), []);
  });

  it('has a CamelCase Paused reason for every pause cause', () => {
    for (const [cause, reason] of Object.entries(pausedReasons)) assert.match(reason, conditionReasonPattern, cause);
    assert.equal(pausedReasons['metrics-unavailable'], 'MetricsUnavailable');
    assert.equal(pausedReasons['step-gate'], 'StepGate');
  });
});

describe('the README\'s reason table', () => {
  it('lists every Paused reason the controller writes', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- reasons:start -->'), readme.indexOf('<!-- reasons:end -->'));
    const pausedRow = table.split('\n').find((line) => line.startsWith('| `Paused`')) ?? '';
    for (const reason of Object.values(pausedReasons)) assert.ok(pausedRow.includes(`\`${reason}\``), `${reason} is missing from the README's Paused row`);
  });
});
