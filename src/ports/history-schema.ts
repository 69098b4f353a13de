// `status.history`: the looks of the current and the last finished run, stored by column: one
// comma-separated line per quantity, one value per look (empty where there is none), so that
// 2 × 120 looks stay a few KiB and `kubectl describe` shows a line per quantity, not per value.
import { z } from 'zod';

const time = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();
/** Numbers separated by commas, one per look; an empty value where the side had no data or no interval was judged. */
const perLook = z.string().regex(/^[-+0-9.eE,]*$/);

export const runLooksSchema = z.object({
  /** ms since the run's startedAt. */
  atMs: perLook,
  /** Canary weight (percent) after each look. */
  weight: perLook,
  /** 1-based step after each look; 0 before the first step and after the run. */
  step: perLook,
  /** Phase after each look, comma-separated. */
  phase: z.string().regex(/^[A-Za-z,]*$/),
  canaryRequests: perLook,
  primaryRequests: perLook,
  /** Per event name (`failures`, `slow`, …), the window's count on each side. */
  canaryEvents: z.record(z.string(), perLook),
  primaryEvents: z.record(z.string(), perLook),
  /** Per metric name, the e-value against the canary after each look (null: the metric was not judged then). */
  evidence: z.record(z.string(), perLook),
  /** Reasons given at some looks (pause, rollback, promotion), by look index. */
  notes: z.array(z.object({ look: count, text: z.string() })),
});

export const runHistorySchema = z.object({
  revision: z.string(),
  startedAt: time,
  endedAt: time.nullable(),
  /** `Succeeded`, `Failed`, `Superseded`, `Withdrawn`; null while in flight. */
  outcome: z.string().nullable(),
  /** The evidence at which the run is rolled back; null for judges without one. */
  rollbackAt: z.number().nullable(),
  /** Looks removed by thinning (at most 120 are kept, thinned rather than cut). */
  thinned: count,
  looks: runLooksSchema,
});

export const historySchema = z.object({
  current: runHistorySchema.nullable().default(null),
  last: runHistorySchema.nullable().default(null),
});

export type RunHistoryStatus = z.output<typeof runHistorySchema>;
export type HistoryStatus = z.output<typeof historySchema>;
