// Text → typed values for annotations and catalog files: durations, decimals, percentages,
// weight lists. Schemas here take a (trimmed, non-empty) string and report problems as short
// phrases that read after `"VALUE" is …`, e.g. "too short"; callers add key, value and what is allowed.
import { z } from 'zod';

const unitMs = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof unitMs;
const unitOrder: readonly Unit[] = ['h', 'm', 's', 'ms'];

/**
 * Parses `500ms`, `30s`, `2m`, `1h30m`, `1.5s` into milliseconds (rounded to whole ms).
 * Units go from largest to smallest, each at most once; a bare number has no unit and is refused.
 * Returns null for anything else.
 */
export function parseDuration(text: string): number | null {
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let total = 0;
  let lastUnit = -1;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(text)) !== null) {
    const unit = match[2] as Unit;
    if (unitOrder.indexOf(unit) <= lastUnit) return null;
    lastUnit = unitOrder.indexOf(unit);
    total += Number(match[1]) * unitMs[unit];
    consumed = part.lastIndex;
  }
  if (lastUnit < 0 || consumed !== text.length) return null;
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? ms : null;
}

/** Milliseconds → the shortest text `parseDuration` reads back: 90000 → "1m30s", 500 → "500ms". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let text = '';
  for (const unit of unitOrder) {
    const count = Math.floor(rest / unitMs[unit]);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * unitMs[unit];
  }
  return text;
}

const decimal = /^-?\d+(\.\d+)?$/;

/** A plain decimal such as `0.05`, `-3` or `99.5`; null for anything else (no `''`, `1e3`, `0x10`, `Infinity`). */
export function parseDecimal(text: string): number | null {
  return decimal.test(text) ? Number(text) : null;
}

/** A percentage written `99`, `99.5` or `99.5%`; null for anything else. */
export function parsePercent(text: string): number | null {
  return parseDecimal(text.endsWith('%') ? text.slice(0, -1) : text);
}

/** Why a list of canary weights cannot be used, or null: whole numbers 0..100, strictly increasing, at least one. */
export function weightsProblem(weights: readonly number[]): string | null {
  if (weights.length === 0) return 'an empty list';
  if (!weights.every((w) => Number.isInteger(w))) return 'not a list of whole numbers';
  if (!weights.every((w) => w >= 0 && w <= 100)) return 'out of range (a weight is a percentage, 0 to 100)';
  if (!weights.every((w, i) => i === 0 || w > (weights[i - 1] ?? -1))) return 'not strictly increasing';
  return null;
}

/** Parses `"5,10,25,50"` (spaces allowed) into weights; null when an entry is not a whole number. */
export function parseWeights(text: string): number[] | null {
  const parts = text.split(',').map((part) => part.trim());
  if (!parts.every((part) => /^\d+$/.test(part))) return null;
  return parts.map(Number);
}

/** Zod: text → milliseconds, at least `minMs`. */
export function durationText(minMs = 0): z.ZodType<number, string> {
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'not a duration' });
      return z.NEVER;
    }
    if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: 'too short' });
      return z.NEVER;
    }
    return ms;
  });
}

export interface DecimalRange {
  readonly min: number;
  readonly max: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  /** Also accept a trailing `%`. */
  readonly percent?: boolean;
  readonly integer?: boolean;
}

function rangeProblem(value: number, range: DecimalRange): string | null {
  if (range.exclusiveMin === true ? value <= range.min : value < range.min) return 'too small';
  if (range.exclusiveMax === true ? value >= range.max : value > range.max) return 'too large';
  return null;
}

/** Zod: text → a decimal number in [min, max] (either end exclusive when asked). */
export function decimalText(range: DecimalRange): z.ZodType<number, string> {
  const whole = range.integer === true;
  return z.string().transform((text, ctx) => {
    const value = range.percent === true ? parsePercent(text) : parseDecimal(text);
    const problem = value === null || (whole && !Number.isInteger(value))
      ? (whole ? 'not a whole number' : 'not a number')
      : rangeProblem(value, range);
    if (value === null || problem !== null) {
      ctx.addIssue({ code: 'custom', message: problem ?? 'invalid' });
      return z.NEVER;
    }
    return value;
  });
}

/** Zod: `"5,10,25,50"` → weights that pass `weightsProblem`. */
export const weightsText: z.ZodType<number[], string> = z.string().transform((text, ctx) => {
  const weights = parseWeights(text);
  const problem = weights === null ? 'not a comma-separated list of whole numbers' : weightsProblem(weights);
  if (weights === null || problem !== null) {
    ctx.addIssue({ code: 'custom', message: problem ?? 'invalid' });
    return z.NEVER;
  }
  return weights;
});

/** Zod: exactly `true` or `false` (any case). */
export const booleanText: z.ZodType<boolean, string> = z.stringbool(
  { truthy: ['true'], falsy: ['false'], error: 'neither true nor false' },
);

/** Zod: one of the given words, exactly. */
export function oneOfText<const T extends readonly [string, ...string[]]>(values: T): z.ZodType<T[number], string> {
  return z.enum(values, { error: 'not one of the choices' });
}
