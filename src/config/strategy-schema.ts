// The shape of a file in strategies/: a named release schedule (weights, timing, promotion mode).
// Files use human durations (`bake: 1m`); the parsed Strategy carries milliseconds.
import { z } from 'zod';
import { parseDuration, weightsProblem } from './values.ts';

/** Shortest analysis interval Fledge accepts anywhere: shorter windows hold too few scrapes to count. */
export const minIntervalMs = 5000;

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'a duration such as 30s, 2m or 1h30m' });
    return z.NEVER;
  }
  return ms;
});

const weights = z.array(z.number()).superRefine((list, ctx) => {
  const problem = weightsProblem(list);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `weights are ${problem}: whole numbers 0..100, strictly increasing` });
});

export const strategyFileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes'),
    description: z.string().min(1),
    /** Canary weights, in order; promotion follows the last one. `[0]` = blue-green. */
    steps: weights,
    /** Minimum time at each step before advancing (schedule mode) or before evidence may advance it. */
    bake: duration,
    /** Analysis interval: how often canary and primary are measured and judged. */
    interval: duration,
    promotion: z.enum(['schedule', 'evidence']),
    /** Wait for `fledge resume` / `fledge promote` before every step. */
    pauseBeforeEachStep: z.boolean().default(false),
  })
  .superRefine((file, ctx) => {
    if (file.interval < minIntervalMs) ctx.addIssue({ code: 'custom', path: ['interval'], message: 'must be at least 5s' });
    if (file.bake < file.interval) ctx.addIssue({ code: 'custom', path: ['bake'], message: 'must be at least the interval' });
    if (file.promotion === 'evidence' && file.steps.every((w) => w === 0)) {
      ctx.addIssue({ code: 'custom', path: ['promotion'], message: 'evidence needs a step with traffic (a weight above 0)' });
    }
  })
  .transform((file) => ({
    name: file.name,
    description: file.description,
    steps: file.steps,
    bakeMs: file.bake,
    intervalMs: file.interval,
    promotion: file.promotion,
    pauseBeforeEachStep: file.pauseBeforeEachStep,
  }));

/** A validated strategy; durations in milliseconds. */
export type Strategy = z.output<typeof strategyFileSchema>;
