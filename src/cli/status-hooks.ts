// The hooks line of `fledge status NAME`: which hooks the Canary names and where its run stands
// with them (docs/hooks.md). Nothing for Canaries without hooks.
import type { CanaryObject } from '../adapters/kube/canary-resource.ts';

function named(canary: CanaryObject): string[] {
  const hooks: unknown = canary.spec['hooks'];
  if (typeof hooks !== 'object' || hooks === null || !('urls' in hooks)) return [];
  const urls: unknown = hooks.urls;
  return typeof urls === 'object' && urls !== null ? Object.keys(urls) : [];
}

function stateOf(hook: string, canary: CanaryObject): string {
  const progress = canary.status?.hooks;
  if (progress === undefined) return hook;
  if (hook === 'pre-rollout') return `pre-rollout ${progress.preRolloutPassed ? 'passed' : 'not passed'}`;
  if (hook === 'rollout') return `rollout ${progress.rolloutFailures} failure(s) in a row`;
  if (hook === 'confirm-promotion') return `confirm-promotion ${progress.confirmed ? 'confirmed' : `not confirmed (${progress.confirmPolls} poll(s) refused)`}`;
  return hook;
}

/** `hooks: pre-rollout passed, rollout 0 failure(s) in a row, …; last failure: …`, or none. */
export function hookLines(canary: CanaryObject): string[] {
  const hooks = named(canary);
  if (hooks.length === 0) return [];
  const failure = canary.status?.hooks.lastFailure ?? null;
  return [`hooks: ${hooks.map((hook) => stateOf(hook, canary)).join(', ')}${failure === null ? '' : `; last failure: ${failure}`}`];
}
