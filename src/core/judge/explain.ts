// Sentences a person reads: the numbers that decided, in plain words ("the canary failed 3.7% of
// 1,204 requests against the primary's 0.34% (about 11×) over 4 minutes; the SLO allows 1%").
// Pure; no code here branches on a metric's name, only on the event it counts.
import type { EventName, Evidence, JudgePolicy, MetricEvidence, MetricPolicy } from '../types.ts';
import { rateOf } from './counts.ts';
import { formatNumber, formatPercent } from './format.ts';

/** A whole count with thousands separators: 1204 → "1,204". */
export function formatCount(value: number): string {
  const whole = Math.round(value);
  const sign = whole < 0 ? '-' : '';
  return sign + String(Math.abs(whole)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function plural(value: number, unit: string): string {
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** A span in words: "45 seconds", "1 minute", "4 minutes", "2 hours 5 minutes". */
export function spanWords(ms: number): string {
  if (ms < 60_000) return plural(Math.max(0, Math.round(ms / 1000)), 'second');
  const minutes = Math.round(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return plural(minutes, 'minute');
  return minutes % 60 === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(minutes % 60, 'minute')}`;
}

/** A ratio as a person says it: "about 11×", "about 1.5×" (two significant digits). */
export function aboutTimes(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'infinitely many times';
  const shown = ratio >= 10 ? Math.round(ratio) : Number(ratio.toPrecision(2));
  return `about ${shown >= 1000 ? formatCount(shown) : String(shown)}×`;
}

/**
 * How far an e-value has come towards its threshold, on the scale evidence grows on (log):
 * 0 at e ≤ 1 (no evidence), 1 at the threshold, above 1 past it. Null without a threshold > 1.
 */
export function towardThreshold(value: number, bound: number | null): number | null {
  if (bound === null || !(bound > 1)) return null;
  if (!(value > 1)) return 0;
  return Math.log(value) / Math.log(bound);
}

type Phrase = (share: string, requests: string, judge: JudgePolicy) => string;

/** What the canary did, per counted event. */
const canaryDid: Readonly<Record<EventName | 'extra', Phrase>> = {
  failures: (share, requests) => `the canary failed ${share} of ${requests} requests`,
  slow: (share, requests, judge) => `the canary answered ${share} of ${requests} requests slower than ${formatNumber(judge.latencyP99MaxMs)} ms`,
  // A template's own count metric: its events per its requests (its name leads the sentence).
  extra: (share, requests) => `the canary counted ${share} of ${requests}`,
};

function primaryPart(evidence: MetricEvidence): string {
  const primary = rateOf(evidence.primaryEvents, evidence.primaryRequests);
  if (primary === null) return '';
  if (primary === 0) return ` against the primary's 0% of ${formatCount(evidence.primaryRequests)}`;
  const ratio = evidence.ratio === null ? '' : ` (${aboutTimes(evidence.ratio)})`;
  return ` against the primary's ${formatPercent(primary)}${ratio}`;
}

/**
 * One metric's run so far compared with the primary and its SLO: "the canary failed 3.7% of 1,204
 * requests against the primary's 0.34% (about 11×) over 4 minutes; the SLO allows 1%". Sentences
 * stay within Latin-1 (no dashes): a string with one wider character takes two bytes a character,
 * and these are kept in every Canary's status, history and Events.
 */
export function comparison(input: { metric: MetricPolicy; evidence: MetricEvidence; judge: JudgePolicy; measuredMs?: number | undefined }): string {
  const { metric, evidence, judge } = input;
  const canary = rateOf(evidence.canaryEvents, evidence.canaryRequests) ?? 0;
  const did = canaryDid[metric.event](formatPercent(canary), formatCount(evidence.canaryRequests), judge);
  const over = input.measuredMs === undefined || input.measuredMs <= 0 ? '' : ` over ${spanWords(input.measuredMs)}`;
  const primary = primaryPart(evidence);
  const alone = evidence.primaryRequests > 0 ? '' : ' (the primary had no requests to compare)';
  // An extra metric has no SLO (rate 1): it is judged against the primary only.
  const slo = metric.sloRate >= 1 ? '' : `; the SLO allows ${formatPercent(metric.sloRate)}`;
  return `${did}${primary}${over}${alone}${slo}`;
}

/** A short line per metric for `status.evidence` and panels: "canary 3.7% of 1,204, primary 0.34% of 9,800 (about 11×)". */
export function countsLine(evidence: Pick<MetricEvidence, 'canaryEvents' | 'canaryRequests' | 'primaryEvents' | 'primaryRequests' | 'ratio'>): string {
  const side = (events: number, requests: number): string => {
    const rate = rateOf(events, requests);
    return rate === null ? 'no requests' : `${formatPercent(rate)} of ${formatCount(requests)}`;
  };
  const ratio = evidence.ratio === null ? '' : ` (${aboutTimes(evidence.ratio)})`;
  return `canary ${side(evidence.canaryEvents, evidence.canaryRequests)}, primary ${side(evidence.primaryEvents, evidence.primaryRequests)}${ratio}`;
}

/**
 * The run's numbers when analysis let it through every step: each judged metric compared with the
 * primary and its SLO; null when the canary served nothing to compare.
 */
export function passedSentence(judge: JudgePolicy, evidence: Evidence | null): string | null {
  if (evidence === null) return null;
  const parts = judge.metrics.flatMap((metric) => {
    const counted = evidence.metrics.find((m) => m.name === metric.name);
    return counted === undefined || counted.canaryRequests === 0 ? [] : [comparison({ metric, evidence: counted, judge, measuredMs: evidence.measuredMs })];
  });
  return parts.length === 0 ? null : `analysis passed at every step: ${parts.join('; and ')}`;
}
