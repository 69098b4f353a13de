// Knob values + catalog → CanaryConfig: looks up strategy and analysis template, applies
// defaults, checks the rules that span several knobs, and builds the core's ReleasePolicy.
import type { GaugeCheckPolicy, HookName, HookPolicy, JudgePolicy, MetricPolicy, ReleasePolicy } from '../core/types.ts';
import type { AnalysisTemplate } from './analysis-schema.ts';
import type { CanaryConfig, RouteConfig } from './canary-config.ts';
import type { Catalog } from './catalog.ts';
import type { KnobReading } from './annotations.ts';
import { knobIssue, type ConfigIssue } from './issues.ts';
import { knobs, type KnobName, type KnobValues } from './knobs.ts';
import type { Strategy } from './strategy-schema.ts';
import { crossFieldIssues, type Effective } from './cross-field.ts';
import { nearest } from './suggest.ts';
import { parseDuration } from './values.ts';
import { matchTextOf } from './route-values.ts';

/** Guardrail constants of DESIGN.md §3 (not knobs). */
export const guardrails = { catastropheRatio: 0.2, catastropheMinRequests: 20, noDataIntervals: 3 } as const;

/**
 * The judged metrics, as data. Errors: the SLO allows 100 − success-rate-min percent failures;
 * evidence mode tolerates up to 2× the primary's rate. Latency: "p99 ≤ edge" ⇔ at most 1% of
 * requests slower than the edge; evidence mode tolerates up to 1.5× the primary's rate.
 */
export function judgeMetrics(successRateMin: number, analysis?: Pick<AnalysisTemplate, 'metrics'>): MetricPolicy[] {
  return [
    { name: 'errors', event: 'failures', sloRate: (100 - successRateMin) / 100, rMax: 2 },
    { name: 'latency', event: 'slow', sloRate: 0.01, rMax: 1.5 },
    // Extra count metrics have no SLO (rate 1: the absolute tests stay at 1): judged canary against primary only.
    ...(analysis?.metrics ?? []).map((metric): MetricPolicy => ({ name: metric.name, event: 'extra', sloRate: 1, rMax: 2 })),
  ];
}

function checkPolicies(analysis: AnalysisTemplate): GaugeCheckPolicy[] {
  return (analysis.checks ?? []).map((check) => ({
    name: check.name,
    for: check.for,
    ...(check.max === undefined ? {} : { max: check.max }),
    ...(check.min === undefined ? {} : { min: check.min }),
  }));
}

export interface Resolution {
  /** Null when anything (including a knob on its own) was invalid. */
  readonly config: CanaryConfig | null;
  /** Problems found here (catalog names, cross-field rules); the reading's own come on top. */
  readonly issues: readonly ConfigIssue[];
}

type Values = Partial<KnobValues>;

function withDefault<K extends KnobName>(values: Values, name: K): KnobValues[K] | undefined {
  return values[name] ?? (knobs[name].default as KnobValues[K] | undefined);
}

function lookup<T>(reading: KnobReading, name: 'strategy' | 'analysis', known: ReadonlyMap<string, T>): T | ConfigIssue | null {
  if (reading.failed.has(name)) return null;
  const wanted = withDefault(reading.values, name) ?? '';
  const found = known.get(wanted);
  if (found !== undefined) return found;
  const names = [...known.keys()];
  const guess = nearest(wanted, names);
  const hint = guess === null ? '' : ` (did you mean ${guess}?)`;
  if (name === 'strategy') return knobIssue(name, wanted, `not a known strategy${hint}`, `one of ${names.join(', ')} (the files in strategies/)`);
  return knobIssue(name, wanted, `not a known analysis: no AnalysisTemplate in the app's namespace, no ClusterAnalysisTemplate, no built-in${hint}`, `an AnalysisTemplate, a ClusterAnalysisTemplate, or one of ${names.join(', ')} (the files in analysis/)`);
}

function isIssue(value: unknown): value is ConfigIssue {
  return typeof value === 'object' && value !== null && 'message' in value && 'detail' in value;
}

/** Resolves a reading against the catalog. Pure apart from the catalog it is given. */
export function resolveConfig(reading: KnobReading, catalog: Catalog): Resolution {
  const strategy = lookup(reading, 'strategy', catalog.strategies);
  const analysis = lookup(reading, 'analysis', catalog.analysis);
  const found = [strategy, analysis].filter(isIssue);
  if (strategy === null || analysis === null || isIssue(strategy) || isIssue(analysis)) return { config: null, issues: found };
  const effective = effectiveValues(reading.values, strategy, analysis);
  const issues = crossFieldIssues(reading, effective);
  if (issues.length > 0 || reading.failed.size > 0) return { config: null, issues };
  return { config: buildConfig(reading.values, effective), issues: [] };
}

function effectiveValues(values: Values, strategy: Strategy, analysis: AnalysisTemplate): Effective {
  return {
    strategy,
    analysis,
    steps: values.steps ?? strategy.steps,
    intervalMs: values.interval ?? strategy.intervalMs,
    bakeMs: values.bake ?? strategy.bakeMs,
    promotion: values.promotion ?? strategy.promotion,
    progressDeadlineMs: withDefault(values, 'progress-deadline') ?? 0,
    latencyMs: withDefault(values, 'latency-p99-max') ?? 0,
    scrapeMs: parseDuration(analysis.scrapeInterval) ?? 0,
    router: withDefault(values, 'router') ?? 'smi-v1alpha2',
  };
}

function judgePolicy(values: Values, latencyMs: number, analysis: AnalysisTemplate): JudgePolicy {
  const successRateMin = withDefault(values, 'success-rate-min') ?? 99;
  const checks = checkPolicies(analysis);
  return {
    kind: withDefault(values, 'judge') ?? 'sequential',
    metrics: judgeMetrics(successRateMin, analysis),
    ...(checks.length === 0 ? {} : { checks }),
    alpha: withDefault(values, 'alpha') ?? 0.05,
    beta: withDefault(values, 'beta') ?? 0.05,
    ...guardrails,
    maxFailedChecks: withDefault(values, 'max-failed-checks') ?? 5,
    successRateMin,
    latencyP99MaxMs: latencyMs,
  };
}

/** How long a run may wait: the deadline, the pause limit, the gate timeout and the window. */
function waiting(values: Values, effective: Effective): Pick<ReleasePolicy, 'progressDeadlineMs' | 'onNoData' | 'pauseLimitMs' | 'gateTimeoutMs' | 'window'> {
  return {
    progressDeadlineMs: effective.progressDeadlineMs,
    onNoData: withDefault(values, 'on-no-data') ?? 'rollback',
    pauseLimitMs: withDefault(values, 'pause-limit') ?? 1_800_000,
    gateTimeoutMs: values['gate-timeout'] ?? null,
    window: values.window === undefined ? null : { cron: values.window, timezone: withDefault(values, 'window-timezone') ?? 'UTC' },
  };
}

const hookNames: readonly HookName[] = ['pre-rollout', 'rollout', 'confirm-promotion', 'post-rollout', 'rollback'];

/** Hook URLs by hook, from the `hook-<name>` knobs. */
function hookUrls(values: Values): Partial<Record<HookName, string>> {
  return Object.fromEntries(hookNames.flatMap((hook) => {
    const url = values[`hook-${hook}`];
    return url === undefined ? [] : [[hook, url]];
  }));
}

/** A confirm-promotion hook that never says yes is bounded by the gate timeout, or an hour. */
const defaultConfirmTimeoutMs = 3_600_000;

function hookPolicy(values: Values, urls: Partial<Record<HookName, string>>, intervalMs: number): HookPolicy {
  return {
    configured: hookNames.filter((hook) => urls[hook] !== undefined),
    rolloutFailureLimit: withDefault(values, 'hook-failures') ?? 3,
    confirmTimeoutMs: values['gate-timeout'] ?? defaultConfirmTimeoutMs,
    confirmPollMs: intervalMs,
  };
}

function routeConfig(values: Values): RouteConfig {
  return { gateway: values.gateway ?? null, hostnames: values.hostnames ?? [], match: values.match ?? [] };
}

/** A/B runs (gateway-api with a match) tell the core, which then speaks of checkpoints. */
function abMatchOf(values: Values, effective: Effective): Pick<ReleasePolicy, 'abMatch'> {
  return effective.router === 'gateway-api' && values.match !== undefined ? { abMatch: matchTextOf(values.match) } : {};
}

/**
 * How often the judge looks: the sequential judge (valid under continuous monitoring) every 2
 * scrapes, the shortest window increase() can count; the threshold judge, Flagger's rule of one
 * check per interval, once per interval.
 */
export function lookFor(judge: JudgePolicy['kind'], timing: { intervalMs: number; scrapeMs: number }): number {
  if (judge !== 'sequential' || !(timing.scrapeMs > 0)) return timing.intervalMs;
  return Math.min(timing.intervalMs, 2 * timing.scrapeMs);
}

function buildConfig(values: Values, effective: Effective): CanaryConfig {
  const urls = hookUrls(values);
  const judge = judgePolicy(values, effective.latencyMs, effective.analysis);
  const policy: ReleasePolicy = {
    steps: effective.steps,
    bakeMs: effective.bakeMs,
    intervalMs: effective.intervalMs,
    metricsLagMs: 2 * effective.scrapeMs,
    lookMs: lookFor(judge.kind, effective),
    promotion: effective.promotion,
    pauseBeforeEachStep: effective.strategy.pauseBeforeEachStep,
    manualGate: withDefault(values, 'manual-gate') ?? false,
    ...waiting(values, effective),
    judge,
    hooks: hookPolicy(values, urls, effective.intervalMs),
    ...abMatchOf(values, effective),
  };
  return {
    enabled: withDefault(values, 'canary') ?? false,
    strategy: effective.strategy.name,
    analysis: effective.analysis,
    latencyEdgeMs: effective.latencyMs,
    slackChannel: values['slack-channel'] ?? null,
    webhooks: values.webhooks ?? [],
    track: values.track ?? 'pod-template',
    router: effective.router,
    route: routeConfig(values),
    hooks: { urls, timeoutMs: withDefault(values, 'hook-timeout') ?? 30_000 },
    policy,
  };
}
