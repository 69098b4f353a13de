// The controller's two listeners (health: /healthz, /readyz; metrics: /metrics) over the
// controller's http-server, and the telemetry that feeds ControllerMetrics.
import { build, listen, type ElectionState } from './http-server.ts';
import { packageVersion } from '../version.ts';
import { ControllerMetrics } from './metrics.ts';
import type { ControllerOptions } from './controller.ts';

export interface Probes {
  readonly metrics: ControllerMetrics;
  /** Bound URLs (useful when a port was 0). */
  readonly health: string;
  readonly metricsUrl: string;
  readonly close: () => Promise<void>;
}

/** Starts both listeners; `readiness()` answers /readyz. */
export async function startProbes(input: {
  healthAddr: string;
  metricsAddr: string;
  readiness: () => { cachesSynced: boolean; election: ElectionState };
}): Promise<Probes> {
  const metrics = new ControllerMetrics({ processMetrics: true, build: { version: packageVersion(), node: process.version } });
  const health = await listen(build({ readiness: input.readiness, metrics, serve: ['health'] }), input.healthAddr);
  const served = await listen(build({ readiness: input.readiness, metrics, serve: ['metrics'] }), input.metricsAddr);
  return {
    metrics,
    health: health.url,
    metricsUrl: served.url,
    close: async () => {
      await Promise.all([health.close(), served.close()]);
    },
  };
}

/** What the controller reports to ControllerMetrics. */
export function telemetryOf(metrics: ControllerMetrics): NonNullable<ControllerOptions['telemetry']> {
  return {
    verdict: (outcome) => metrics.analysisOutcome(outcome),
    canary: (names, phase, weight) => metrics.setCanary(names.namespace, names.app, phase, weight),
    reconciled: (ms) => metrics.observeReconcile(ms / 1000),
    failed: (code) => metrics.reconcileError(code),
    apiError: (code) => metrics.apiError(code),
    hookAnswer: (hook, ok) => metrics.hookAnswer(hook, ok),
    evidence: (names, samples) => metrics.setEvidence(names.namespace, names.app, samples),
    released: (names, release) => metrics.releaseEnded(names.namespace, names.app, release),
    queue: (queue) => metrics.watchQueue(queue),
  };
}
