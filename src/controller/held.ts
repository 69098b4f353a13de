// A release that cannot go on: a bad annotation, a Deployment Fledge cannot derive valid objects
// from, or someone else's object under one of Fledge's names. The Canary says so
// (`ConfigValid=False` with the reason and a message naming what is wrong and what is allowed),
// an Event says it once, and nothing else is created or changed.
import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryObject } from '../ports.ts';
import { abortHeldRun } from './abort-held.ts';
import type { CanaryState } from '../core/state.ts';
import type { ReconcileDeps } from './context.ts';
import type { AppNames } from './names.ts';
import { conditionsFor, stateOf, writeStatus, type ConfigIssue } from './status.ts';

/** Someone else's object may go away without an event Fledge watches: look again this often. */
export const heldRecheckMs = 5 * 60_000;

const eventReasons: Readonly<Record<ConfigIssue['reason'], string>> = {
  InvalidAnnotation: 'ConfigInvalid',
  InvalidTarget: 'ConfigInvalid',
  HookNotAllowed: 'HookRefused',
  ForeignObject: 'ForeignObject',
  InvalidAnalysisTemplate: 'AnalysisTemplateInvalid',
  PrometheusNotAllowed: 'PrometheusRefused',
};

/** A run aborted while held ended: /metrics counts it, once its status is written. */
function reportAbort(deps: ReconcileDeps, input: { names: AppNames; stored: CanaryState; aborted: CanaryState | null; now: number }): void {
  const started = input.stored.runStartedAt;
  if (input.aborted === null) return;
  deps.telemetry?.released?.(input.names, { outcome: 'aborted', seconds: started === null ? null : Math.max(0, (input.now - started) / 1000) });
}

export async function holdRelease(
  deps: ReconcileDeps,
  input: { canary: CanaryObject; target: V1Deployment; names: AppNames; issue: ConfigIssue },
): Promise<{ requeueAfterMs: number | null }> {
  const { canary, issue } = input;
  const stored = stateOf(canary);
  const aborted = await abortHeldRun(deps, { canary, state: stored, names: input.names, why: issue.message.slice(0, 200) });
  const state = aborted ?? stored;
  const message = issue.message.slice(0, 1000);
  const already = canary.status?.conditions.some((c) => c.type === 'ConfigValid' && c.status === 'False' && c.message === message);
  if (already !== true) {
    deps.log.warn({ canary: `${input.names.namespace}/${input.names.app}`, reason: issue.reason }, issue.message);
    await deps.cluster.recordEvent({ canary, severity: 'Warning', reason: eventReasons[issue.reason], message: issue.message });
  }
  const targetGeneration = input.target.metadata?.generation ?? 0;
  const conditions = conditionsFor({ state, targetRevision: null, configIssue: issue });
  const prefix = issue.reason === 'ForeignObject' ? 'waiting' : 'configuration invalid';
  const said = aborted === null ? `${prefix}: ${issue.message}` : state.message;
  const now = deps.clock.now();
  await writeStatus(deps.cluster, canary, { state: { ...state, message: said }, conditions, targetGeneration, now });
  reportAbort(deps, { names: input.names, stored, aborted, now });
  return { requeueAfterMs: issue.reason === 'ForeignObject' ? heldRecheckMs : null };
}
