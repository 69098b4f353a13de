// Builds the view's panel of a canary from its Canary status and the last seconds of the
// simulated pods' counters (the direct source, whatever the controller reads).
import type { Counts, Sample } from '../core/types.ts';
import type { AnalysisTemplate } from '../config/analysis-schema.ts';
import type { CanaryObject, CanaryStatus } from './cluster-setup.ts';
import type { DirectMetrics } from './direct-metrics.ts';
import type { CanaryPanel, MetricLine, SideStats } from './view.ts';

function stats(sample: Sample): SideStats {
  if (sample.kind !== 'value') return { failureRate: null, p99Ms: null };
  const counts: Counts = sample.counts;
  return { failureRate: counts.requests > 0 ? counts.events.failures / counts.requests : null, p99Ms: counts.p99Ms ?? null };
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function metricLine(raw: Record<string, unknown>): MetricLine {
  return {
    name: typeof raw['name'] === 'string' ? raw['name'] : '?',
    canaryRequests: Math.round(num(raw['canaryRequests'])),
    canaryEvents: Math.round(num(raw['canaryEvents'])),
    primaryRequests: Math.round(num(raw['primaryRequests'])),
    primaryEvents: Math.round(num(raw['primaryEvents'])),
    towardRollback: typeof raw['towardRollback'] === 'number' ? raw['towardRollback'] : null,
  };
}

export interface PanelInput {
  readonly namespace: string;
  readonly app: string;
  readonly image: string;
  readonly steps: number;
  readonly canary: CanaryObject | null;
  readonly direct: DirectMetrics;
  readonly template: AnalysisTemplate;
  readonly now: number;
  /** Width of the recent window for failure rate and p99. */
  readonly recentMs: number;
}

function statusPart(status: CanaryStatus | undefined): Pick<CanaryPanel, 'phase' | 'step' | 'canaryWeight' | 'message' | 'evidence'> {
  if (status === undefined) return { phase: 'Waiting', step: 0, canaryWeight: 0, message: 'waiting for the controller', evidence: [] };
  return {
    phase: status.phase ?? 'Waiting',
    step: status.step ?? 0,
    canaryWeight: status.canaryWeight ?? 0,
    message: status.message ?? '',
    evidence: (status.evidence?.metrics ?? []).map(metricLine),
  };
}

export async function panelOf(input: PanelInput): Promise<CanaryPanel> {
  const recent = await input.direct.measure({
    namespace: input.namespace, canary: input.app, primary: `${input.app}-primary`,
    start: input.now - input.recentMs, end: input.now, template: input.template, latencyEdgeMs: 500,
  });
  return {
    name: `${input.namespace}/${input.app}`,
    ...statusPart(input.canary?.status),
    steps: input.steps,
    image: input.image,
    canary: stats(recent.canary),
    primary: stats(recent.primary),
  };
}
