// A request the API server refuses for good (400/403/404/422, someone else's object in the
// way) is neither retried in a hot loop nor in silence: the Canary gets `Reconciled=False`
// naming the refusal, an Event says it, and the app is looked at again after refusalRetryMs.
// Refusals that retrying can cure (409, 429, 5xx) still go to the work queue's backoff.
import { isFledgeError, type FledgeError } from '../errors.ts';
import type { ReconcileDeps } from './context.ts';
import { reconcile, type ReconcileResult } from './reconcile.ts';
import { refusedCondition, stateOf, writeStatus } from './status.ts';

export const refusalRetryMs = 5 * 60_000;

function permanent(error: unknown): error is FledgeError {
  return isFledgeError(error) && !error.retryable && error.code !== 'FLEDGE_NOT_LEADER';
}

async function report(deps: ReconcileDeps, key: { namespace: string; name: string }, error: FledgeError): Promise<void> {
  const message = `${error.message} (${error.code}); looking again in ${refusalRetryMs / 60_000}m`;
  deps.log.warn({ canary: `${key.namespace}/${key.name}`, code: error.code }, message);
  const canary = await deps.cluster.getCanary(key.namespace, key.name);
  if (canary === null) return;
  await deps.cluster.recordEvent({ canary, severity: 'Warning', reason: 'ReconcileRefused', message });
  const state = stateOf(canary);
  const targetGeneration = canary.status?.targetGeneration ?? 0;
  await writeStatus(deps.cluster, canary, { state, conditions: [refusedCondition(error.code, message)], targetGeneration, now: deps.clock.now() });
}

/** reconcile, with permanent refusals reported on the Canary and retried slowly instead of thrown. */
export async function reconcileOrReport(deps: ReconcileDeps, key: { namespace: string; name: string }): Promise<ReconcileResult> {
  try {
    return await reconcile(deps, key);
  } catch (error) {
    if (!permanent(error)) throw error;
    await report(deps, key, error).catch((failure: unknown) =>
      deps.log.warn({ canary: `${key.namespace}/${key.name}`, err: failure instanceof Error ? failure.message : String(failure) }, 'could not report a refused request on the Canary'));
    return { requeueAfterMs: refusalRetryMs };
  }
}
