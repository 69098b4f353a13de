// Rules that span several knobs (and the strategy or template they fall back on). Each rule
// blames the knob to change and shows its effective value, annotated or not. A rule that
// involves a knob already refused on its own is skipped: one bad value, one message.
import type { AnalysisTemplate } from './analysis-schema.ts';
import type { KnobReading } from './annotations.ts';
import { knobIssue, type ConfigIssue } from './issues.ts';
import type { KnobName, RouterKind } from './knobs.ts';
import type { Strategy } from './strategy-schema.ts';
import { formatDuration } from './values.ts';

/** The values in force once annotations, strategy and template are combined. Durations in ms. */
export interface Effective {
  readonly strategy: Strategy;
  readonly analysis: AnalysisTemplate;
  readonly steps: readonly number[];
  readonly intervalMs: number;
  readonly bakeMs: number;
  readonly promotion: 'schedule' | 'evidence';
  readonly progressDeadlineMs: number;
  readonly latencyMs: number;
  readonly scrapeMs: number;
  readonly router: RouterKind;
}

interface Rule {
  /** Knobs whose values the rule reads; skipped when one of them was refused. */
  readonly involves: readonly KnobName[];
  readonly check: (input: Effective, reading: KnobReading) => ConfigIssue | null;
}

function shown(reading: KnobReading, name: KnobName, effective: string): string {
  return reading.shown[name] ?? effective;
}

const timing: readonly KnobName[] = ['strategy', 'interval', 'bake', 'steps', 'promotion'];

const rules: readonly Rule[] = [
  {
    involves: [...timing, 'analysis'],
    check: (e, reading) => {
      if (e.intervalMs >= 2 * e.scrapeMs) return null;
      const problem = `too short for analysis ${e.analysis.name}, which is scraped every ${formatDuration(e.scrapeMs)} (an interval needs two scrapes)`;
      return knobIssue('interval', shown(reading, 'interval', formatDuration(e.intervalMs)), problem,
        `a duration of at least ${formatDuration(2 * e.scrapeMs)} with this template`);
    },
  },
  {
    involves: timing,
    check: (e, reading) => {
      if (e.bakeMs >= e.intervalMs) return null;
      if (reading.shown.interval !== undefined && reading.shown.bake === undefined) {
        return knobIssue('interval', reading.shown.interval, `longer than the bake time (${formatDuration(e.bakeMs)}, from strategy ${e.strategy.name})`,
          'a duration no longer than the bake time; or set fledge.dev/bake as well');
      }
      return knobIssue('bake', shown(reading, 'bake', formatDuration(e.bakeMs)), `shorter than the interval (${formatDuration(e.intervalMs)})`);
    },
  },
  {
    involves: [...timing, 'progress-deadline'],
    check: (e, reading) => {
      if (e.progressDeadlineMs >= 2 * e.intervalMs) return null;
      return knobIssue('progress-deadline', shown(reading, 'progress-deadline', formatDuration(e.progressDeadlineMs)),
        `shorter than twice the interval (2 × ${formatDuration(e.intervalMs)})`,
        `a duration of at least ${formatDuration(2 * e.intervalMs)} with this interval`);
    },
  },
  {
    involves: timing,
    check: (e, reading) => {
      if (e.promotion !== 'evidence' || e.steps.some((weight) => weight > 0)) return null;
      if (reading.shown.promotion === undefined) {
        return knobIssue('steps', shown(reading, 'steps', e.steps.join(',')), 'without a weight above 0, which evidence promotion needs (no traffic, no evidence)',
          'weights with at least one above 0; or set fledge.dev/promotion to schedule');
      }
      return knobIssue('promotion', reading.shown.promotion, `impossible with steps ${e.steps.join(',')} (no traffic reaches the canary, so there is no evidence)`,
        'schedule with these steps');
    },
  },
  {
    involves: ['analysis', 'latency-p99-max'],
    check: (e, reading) => {
      const buckets = e.analysis.latencyBucketsMs;
      if (buckets === undefined || buckets.includes(e.latencyMs)) return null;
      return knobIssue('latency-p99-max', shown(reading, 'latency-p99-max', String(e.latencyMs)),
        `not a bucket edge of analysis ${e.analysis.name}'s latency histogram (its query would find no series)`,
        `one of ${buckets.join(', ')} (ms)`);
    },
  },
  ...(['match', 'gateway'] as const).map((name): Rule => ({
    involves: ['router', name],
    check: (e, reading) => {
      const value = reading.shown[name];
      if (e.router === 'gateway-api' || value === undefined) return null;
      const why = name === 'match'
        ? 'only for the gateway-api router: SMI TrafficSplits cannot send only matching requests to the canary (Linkerd does not implement SMI HTTPRouteGroup matches)'
        : 'only for the gateway-api router: a TrafficSplit has no parent Gateway';
      return knobIssue(name, value, `${why}, and fledge.dev/router is ${e.router}`, 'nothing with an SMI router; or set fledge.dev/router: gateway-api');
    },
  })),
  {
    involves: ['gateway', 'hostnames'],
    check: (_e, reading) => {
      const value = reading.shown.hostnames;
      if (value === undefined || reading.shown.gateway !== undefined) return null;
      return knobIssue('hostnames', value, 'set without fledge.dev/gateway (a mesh route, whose parent is the Service, has no hostnames)',
        'hostnames together with fledge.dev/gateway');
    },
  },
];

/** Cross-field problems in rule order, at most one per key. */
export function crossFieldIssues(reading: KnobReading, effective: Effective): ConfigIssue[] {
  const issues = rules
    .filter((rule) => !rule.involves.some((name) => reading.failed.has(name)))
    .flatMap((rule) => rule.check(effective, reading) ?? []);
  return issues.filter((issue, index) => issues.findIndex((other) => other.key === issue.key) === index);
}
