// How Prometheus answers become a Sample for one side (canary or primary).
//
// - requests: one finite number > 0 is a value; an empty vector, NaN, ±Inf or zero requests
//   is no-data (nothing to judge).
// - failures/slow: an empty vector is 0 (`sum(increase(x{classification="failure"}[1m]))` is
//   empty when nothing failed); NaN/±Inf is an error (the query is broken, not quiet).
// - any count query that fails, returns several series, or a count below -0.5 (beyond the
//   rounding noise of extrapolation) makes the side an error.
// - display queries (successRate, p99) never fail a side: a bad answer leaves them undefined.
import type { Counts, Sample } from '../core/types.ts';
import type { QueryAnswer } from './prometheus-client.ts';

export const countPurposes = ['requests', 'failures', 'slow'] as const;
export const displayPurposes = ['successRate', 'p99'] as const;
export type Purpose = (typeof countPurposes)[number] | (typeof displayPurposes)[number];

export type SideAnswers = Readonly<Record<Purpose, QueryAnswer>>;

type Reading =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'empty' }
  | { readonly kind: 'non-finite' }
  | { readonly kind: 'error'; readonly message: string };

type Count = { readonly kind: 'count'; readonly value: number } | { readonly kind: 'none' } | { readonly kind: 'error'; readonly message: string };

/** Extrapolated counts can dip just below zero; anything lower is a broken query. */
const negativeNoise = -0.5;

function read(answer: QueryAnswer): Reading {
  if (answer.kind === 'error') return answer;
  const [first, ...others] = answer.values;
  if (first === undefined) return { kind: 'empty' };
  if (others.length > 0) {
    return { kind: 'error', message: `returned ${answer.values.length} series; one is expected (aggregate with sum())` };
  }
  return Number.isFinite(first) ? { kind: 'number', value: first } : { kind: 'non-finite' };
}

function readCount(answer: QueryAnswer, purpose: Purpose): Count {
  const reading = read(answer);
  const fail = (message: string): Count => ({ kind: 'error', message: `${purpose} query: ${message}` });
  switch (reading.kind) {
    case 'error':
      return fail(reading.message);
    case 'empty':
      return purpose === 'requests' ? { kind: 'none' } : { kind: 'count', value: 0 };
    case 'non-finite':
      return purpose === 'requests' ? { kind: 'none' } : fail('returned NaN or an infinite value, not a count');
    case 'number':
      if (reading.value < negativeNoise) return fail(`returned a negative count (${reading.value})`);
      return { kind: 'count', value: Math.max(0, reading.value) };
  }
}

function readDisplay(answer: QueryAnswer): number | undefined {
  const reading = read(answer);
  return reading.kind === 'number' ? reading.value : undefined;
}

function withDisplay(counts: Counts, answers: SideAnswers): Counts {
  const successRate = readDisplay(answers.successRate);
  const p99Ms = readDisplay(answers.p99);
  return {
    ...counts,
    ...(successRate === undefined ? {} : { successRate }),
    ...(p99Ms === undefined ? {} : { p99Ms }),
  };
}

/** The Sample of one side; `side` names it in messages, e.g. "canary shop/app". */
export function toSample(answers: SideAnswers, side: string): Sample {
  const [requests, failures, slow] = countPurposes.map((purpose) => readCount(answers[purpose], purpose));
  const errors = [requests, failures, slow].flatMap((count) => (count?.kind === 'error' ? [count.message] : []));
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more failed ${errors.length > 2 ? 'queries' : 'query'})` : '';
    return { kind: 'error', message: `${side} ${errors[0] ?? ''}${more}` };
  }
  if (requests?.kind !== 'count' || requests.value === 0) return { kind: 'no-data' };
  const events = { failures: valueOf(failures), slow: valueOf(slow) };
  return { kind: 'value', counts: withDisplay({ requests: requests.value, events }, answers) };
}

function valueOf(count: Count | undefined): number {
  return count?.kind === 'count' ? count.value : 0;
}
