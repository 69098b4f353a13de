// The resolved configuration of one Canary, and its JSON view for the Canary's `spec`
// (read-only, for `kubectl get canary -o yaml`; written by the controller, never read back).
import { z } from 'zod';
import type { HookName, ReleasePolicy } from '../core/types.ts';
import type { AnalysisTemplate } from './analysis-schema.ts';
import { redactUrls, type TrackedRef } from './knob-values.ts';
import { routerKinds, type RouterKind } from './knobs.ts';
import { matchTextOf, type GatewayParent, type RequestMatch } from './route-values.ts';
import { formatDuration } from './values.ts';

/** Everything a Deployment's annotations decide, with strategy and analysis template applied. */
export interface CanaryConfig {
  /** `fledge.dev/canary` is "true". When false, the other fields are still valid (and checked). */
  readonly enabled: boolean;
  /** Strategy preset name (strategies/). */
  readonly strategy: string;
  /** The analysis template the MetricsSource renders (analysis/). */
  readonly analysis: AnalysisTemplate;
  /** Latency bucket edge in ms for the slow-request count; equals latency-p99-max. */
  readonly latencyEdgeMs: number;
  readonly slackChannel: string | null;
  /** Full URLs (they may hold tokens): never log them or put them in messages. */
  readonly webhooks: readonly string[];
  /** Listed ConfigMaps/Secrets, or 'pod-template': those the pod template references. */
  readonly track: readonly TrackedRef[] | 'pod-template';
  readonly router: RouterKind;
  /** How the gateway-api router shapes the HTTPRoute (ignored by SMI routers, which refuse these keys). */
  readonly route: RouteConfig;
  /** Hook URLs by hook (secrets: never log them) and the per-call timeout. */
  readonly hooks: HookConfig;
  /** What the core's state machine and judge need. */
  readonly policy: ReleasePolicy;
}

export interface RouteConfig {
  /** North–south parent; null: the mesh (GAMMA), the route's parent is the apex Service. */
  readonly gateway: GatewayParent | null;
  readonly hostnames: readonly string[];
  /** A/B: requests meeting all of these go to the canary during a run; empty: split by weight. */
  readonly match: readonly RequestMatch[];
}

export interface HookConfig {
  readonly urls: Readonly<Partial<Record<HookName, string>>>;
  readonly timeoutMs: number;
}

const duration = z.string().describe('a duration such as 1m30s');

/** Shape of the Canary `spec`: the resolved configuration in human units. */
export const canarySpecSchema = z.object({
  enabled: z.boolean(),
  strategy: z.string(),
  analysis: z.string(),
  steps: z.array(z.int().min(0).max(100)),
  interval: duration,
  bake: duration,
  metricsLag: duration,
  /** How often the judge looks: windows this long, each read metricsLag after it ends. */
  look: duration,
  promotion: z.enum(['schedule', 'evidence']),
  pauseBeforeEachStep: z.boolean(),
  manualGate: z.boolean(),
  progressDeadline: duration,
  onNoData: z.enum(['rollback', 'pause']),
  pauseLimit: duration,
  gateTimeout: duration.nullable(),
  window: z.object({ cron: z.string(), timezone: z.string() }).nullable(),
  judge: z.object({
    kind: z.enum(['sequential', 'threshold']),
    alpha: z.number(),
    beta: z.number(),
    maxFailedChecks: z.int(),
    successRateMin: z.number(),
    latencyP99MaxMs: z.number(),
    metrics: z.array(z.object({ name: z.string(), event: z.enum(['failures', 'slow', 'extra']), sloRate: z.number(), rMax: z.number() })),
    checks: z.array(z.object({ name: z.string(), max: z.number().optional(), min: z.number().optional(), for: z.int() })).optional(),
  }),
  slackChannel: z.string().nullable(),
  /** Scheme and host only: the paths of webhook URLs often hold tokens. */
  webhooks: z.array(z.string()),
  track: z.object({
    fromPodTemplate: z.boolean(),
    refs: z.array(z.object({ kind: z.enum(['ConfigMap', 'Secret']), name: z.string() })),
  }),
  router: z.enum(routerKinds),
  /** The request match of an A/B run as annotated (`header:x-beta=1`); null: split by weight. */
  match: z.string().nullable().optional(),
  /** Hook URLs, scheme and host only; the per-call timeout; rollout failures in a row before rollback. */
  hooks: z.object({
    urls: z.record(z.string(), z.string()),
    timeout: duration,
    rolloutFailures: z.int(),
  }),
});

export type CanarySpec = z.output<typeof canarySpecSchema>;

/** The Canary `spec` for a configuration. Pure; webhook URLs come out redacted. */
export function toCanarySpec(config: CanaryConfig): CanarySpec {
  const { policy } = config;
  return {
    enabled: config.enabled,
    strategy: config.strategy,
    analysis: config.analysis.name,
    steps: [...policy.steps],
    interval: formatDuration(policy.intervalMs),
    bake: formatDuration(policy.bakeMs),
    metricsLag: formatDuration(policy.metricsLagMs),
    look: formatDuration(policy.lookMs),
    promotion: policy.promotion,
    pauseBeforeEachStep: policy.pauseBeforeEachStep,
    manualGate: policy.manualGate,
    progressDeadline: formatDuration(policy.progressDeadlineMs),
    onNoData: policy.onNoData,
    pauseLimit: formatDuration(policy.pauseLimitMs),
    gateTimeout: policy.gateTimeoutMs === null ? null : formatDuration(policy.gateTimeoutMs),
    window: policy.window === null ? null : { ...policy.window },
    judge: {
      kind: policy.judge.kind,
      alpha: policy.judge.alpha,
      beta: policy.judge.beta,
      maxFailedChecks: policy.judge.maxFailedChecks,
      successRateMin: policy.judge.successRateMin,
      latencyP99MaxMs: policy.judge.latencyP99MaxMs,
      metrics: policy.judge.metrics.map((metric) => ({ ...metric })),
      ...(policy.judge.checks === undefined ? {} : { checks: policy.judge.checks.map((check) => ({ ...check })) }),
    },
    slackChannel: config.slackChannel,
    webhooks: config.webhooks.map((url) => redactUrls(url)),
    track: config.track === 'pod-template'
      ? { fromPodTemplate: true, refs: [] }
      : { fromPodTemplate: false, refs: config.track.map((ref) => ({ ...ref })) },
    router: config.router,
    ...(config.route.match.length === 0 ? {} : { match: matchTextOf(config.route.match) }),
    hooks: {
      urls: Object.fromEntries(Object.entries(config.hooks.urls).map(([hook, url]) => [hook, redactUrls(url)])),
      timeout: formatDuration(config.hooks.timeoutMs),
      rolloutFailures: policy.hooks?.rolloutFailureLimit ?? 0,
    },
  };
}
