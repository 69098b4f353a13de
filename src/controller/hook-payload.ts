// The hook payload and idempotency key of a call a decision asked for (docs/hooks.md).
import { createHash } from 'node:crypto';
import type { CanaryState } from '../core/state.ts';
import type { HookName } from '../core/types.ts';
import type { EvidenceSummary, HookPayload } from '../ports.ts';
import type { AppContext } from './context.ts';

/** The run a call belongs to: its revision and when it started (a retried revision is a new run). */
export function runOf(state: CanaryState): string {
  return `${state.revision ?? ''}@${state.runStartedAt ?? 0}`;
}

/**
 * 32 hex digits, the same every time for one (Canary uid, run, hook, look), different for every
 * other: receivers de-duplicate on it.
 */
export function hookKey(input: { uid: string; run: string; hook: HookName; look: string }): string {
  const text = ['fledge-hook', input.uid, input.run, input.hook, input.look].join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function evidenceSummary(state: CanaryState): EvidenceSummary[] {
  return (state.evidence?.metrics ?? []).map((m) => ({
    metric: m.name,
    canaryRequests: m.canaryRequests,
    canaryEvents: m.canaryEvents,
    primaryRequests: m.primaryRequests,
    primaryEvents: m.primaryEvents,
    ratio: m.ratio === null || !Number.isFinite(m.ratio) ? null : m.ratio,
    harm: Number.isFinite(m.harm) ? m.harm : Number.MAX_VALUE,
  }));
}

export function hookPayload(ctx: AppContext, input: { state: CanaryState; hook: HookName; look: string; now: number }): HookPayload {
  const { state, hook, look } = input;
  const { policy } = ctx.config;
  return {
    hook,
    namespace: ctx.names.namespace,
    app: ctx.names.app,
    revision: state.revision ?? '',
    phase: state.phase,
    weight: state.canaryWeight,
    step: state.step + 1,
    steps: policy.steps.length,
    interval: hook === 'rollout' ? { start: Number(look), durationMs: policy.intervalMs } : null,
    evidence: evidenceSummary(state),
    message: state.message,
    at: input.now,
  };
}
