import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus, type CanaryStatus } from '../../../src/adapters/kube/canary-resource.ts';
import { exitCodeOf, outcomeOf, type WaitLook } from '../../../src/cli/wait/outcome.ts';

function status(fields: Record<string, unknown>): CanaryStatus {
  const parsed = parseStatus(fields);
  assert.ok(parsed !== null);
  return parsed;
}

function lookAt(overrides: Partial<WaitLook>): WaitLook {
  return { bound: 'bbbbbbbbbb', current: 'bbbbbbbbbb', status: undefined, requestPending: false, untilPaused: false, generation: 1, ...overrides };
}

const previous = 'aaaaaaaaaa';
const ours = 'bbbbbbbbbb';
const newer = 'cccccccccc';

const table: { name: string; look: WaitLook; outcome: string; code: number | null }[] = [
  {
    name: 'keeps waiting while the previous revision\'s Succeeded is still in status',
    look: lookAt({ status: status({ phase: 'Succeeded', revision: previous, lastPromotedRevision: previous }) }),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'keeps waiting while the previous revision\'s Failed is still in status',
    look: lookAt({ status: status({ phase: 'Failed', revision: previous, lastPromotedRevision: 'dddddddddd', lastFailedRevision: previous }) }),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'keeps waiting before the controller has written any status',
    look: lookAt({}),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'keeps waiting while our run progresses',
    look: lookAt({ status: status({ phase: 'Progressing', revision: ours, lastPromotedRevision: previous, step: 1, canaryWeight: 10 }) }),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'exits 0 at once when the revision was already promoted',
    look: lookAt({ status: status({ phase: 'Succeeded', revision: ours, lastPromotedRevision: ours }) }),
    outcome: 'promoted',
    code: 0,
  },
  {
    name: 'exits 0 when the first revision the controller sees becomes the primary',
    look: lookAt({ status: status({ phase: 'Ready', revision: ours, lastPromotedRevision: ours }) }),
    outcome: 'promoted',
    code: 0,
  },
  {
    name: 'exits 1 when our revision is rolled back',
    look: lookAt({ status: status({ phase: 'Failed', revision: ours, lastPromotedRevision: previous, lastFailedRevision: ours, message: 'error rate 5x primary' }) }),
    outcome: 'failed',
    code: 1,
  },
  {
    name: 'exits 1 superseded when a newer revision replaces ours mid-run',
    look: lookAt({ current: newer, status: status({ phase: 'Progressing', revision: ours, lastPromotedRevision: previous }) }),
    outcome: 'superseded',
    code: 1,
  },
  {
    name: 'reports our promotion even when a newer revision is already applied',
    look: lookAt({ current: newer, status: status({ phase: 'Progressing', revision: newer, lastPromotedRevision: ours }) }),
    outcome: 'promoted',
    code: 0,
  },
  {
    name: 'exits 3 at the promotion gate with --until-paused',
    look: lookAt({ untilPaused: true, status: status({ phase: 'Paused', revision: ours, pausedBy: 'gate', step: 3 }) }),
    outcome: 'paused',
    code: 3,
  },
  {
    name: 'exits 3 when a person paused the run, with --until-paused',
    look: lookAt({ untilPaused: true, status: status({ phase: 'Paused', revision: ours, pausedBy: 'user', userPaused: true }) }),
    outcome: 'paused',
    code: 3,
  },
  {
    name: 'keeps waiting at a gate without --until-paused',
    look: lookAt({ status: status({ phase: 'Paused', revision: ours, pausedBy: 'gate' }) }),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'keeps waiting through a pause that ends by itself, even with --until-paused',
    look: lookAt({ untilPaused: true, status: status({ phase: 'Paused', revision: ours, pausedBy: 'metrics-unavailable' }) }),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'does not take the previous revision\'s gate pause for ours',
    look: lookAt({ untilPaused: true, status: status({ phase: 'Paused', revision: previous, pausedBy: 'gate' }) }),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'keeps waiting after `fledge retry` until the controller has handled it',
    look: lookAt({ requestPending: true, status: status({ phase: 'Failed', revision: ours, lastFailedRevision: ours }) }),
    outcome: 'waiting',
    code: null,
  },
  {
    name: 'exits 1 when the revision was rolled back earlier and is still what the Deployment asks for',
    look: lookAt({ status: status({ phase: 'Ready', revision: previous, lastPromotedRevision: previous, lastFailedRevision: ours, message: 'skipped' }) }),
    outcome: 'failed',
    code: 1,
  },
  {
    name: 'exits 4 with the controller\'s reason when it refuses the Deployment as it is now (ConfigValid=False)',
    look: lookAt({ generation: 3, status: status({ phase: 'Ready', revision: previous, lastPromotedRevision: previous, targetGeneration: 3, conditions: [refusal()] }) }),
    outcome: 'invalid',
    code: 4,
  },
  {
    name: 'keeps waiting while the refusal is about an older generation of the Deployment (the fix is not looked at yet)',
    look: lookAt({ generation: 4, status: status({ phase: 'Ready', revision: previous, lastPromotedRevision: previous, targetGeneration: 3, conditions: [refusal()] }) }),
    outcome: 'waiting',
    code: null,
  },
];

/** observedGeneration is the Canary's own generation: which Deployment generation it judged is status.targetGeneration. */
function refusal(): Record<string, unknown> {
  return {
    type: 'ConfigValid', status: 'False', reason: 'InvalidAnnotation', observedGeneration: 7,
    message: 'fledge.dev/interval "5s": too short for analysis linkerd', lastTransitionTime: '2026-11-26T00:00:00Z',
  };
}

void describe('fledge wait outcome', () => {
  for (const row of table) {
    void it(row.name, () => {
      const outcome = outcomeOf(row.look);
      assert.equal(outcome.kind, row.outcome);
      if (row.code !== null) assert.equal(exitCodeOf(outcome), row.code);
    });
  }

  void it('exits 2 on timeout and 5 when the cluster is unreachable', () => {
    assert.equal(exitCodeOf({ kind: 'timeout', revision: ours }), 2);
    assert.equal(exitCodeOf({ kind: 'unreachable', message: 'ECONNREFUSED' }), 5);
  });
});
