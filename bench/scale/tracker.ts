// Follows the release of every app from the bench's watches: when each canary was scaled up,
// when each step started and when it was due, and how each run ended.
import type { WatchedObject } from './watch.ts';

export interface Timing {
  readonly intervalMs: number;
  /** The judge's look (2 scrapes for the sequential judge, at most the interval): windows end every look. */
  readonly lookMs: number;
  readonly bakeMs: number;
  readonly lagMs: number;
}

interface StepStart {
  readonly step: number;
  readonly startedAt: number;
  /** analyzedUntil as the step began: the first interval of the step ends a whole number of intervals later. */
  readonly analyzedUntil: number;
}

function time(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * When the core would advance from a step at the earliest with a prompt controller: after the
 * bake, and once the first look ending after the step's start is complete (lag after its end).
 */
export function scheduledAdvance(start: StepStart, timing: Timing): number {
  const looks = Math.max(1, Math.floor((start.startedAt - start.analyzedUntil) / timing.lookMs) + 1);
  const firstEnd = start.analyzedUntil + looks * timing.lookMs;
  return Math.max(start.startedAt + timing.bakeMs, firstEnd + timing.lagMs);
}

export class ReleaseTracker {
  readonly #timing: Timing;
  readonly #phases = new Map<string, string>();
  readonly #changedAt = new Map<string, number>();
  readonly #scaledUpAt = new Map<string, number>();
  readonly #steps = new Map<string, StepStart>();
  readonly stepLagsMs: number[] = [];
  /** Each lag's [when the step was due, when it started] (ms since the epoch), for SCALE_TIMELINE. */
  readonly stepDue: [number, number][] = [];
  /** When each app entered each step of its release (status.stepStartedAt), in order. */
  readonly stepStarts = new Map<string, number[]>();
  /** Traffic steps the releases have taken so far (every step start seen, the first ones included). */
  stepsTaken = 0;
  readonly scaleUpMs: number[] = [];
  /** Each scale-up's [app, when the change was sent, when the run started] (ms since the epoch), for SCALE_TIMELINE. */
  readonly scaleUps: [string, number, number][] = [];
  /** During the release, each app's phase changes as [app, phase, when the bench saw it] (ms since the epoch), for SCALE_TIMELINE. */
  readonly phaseChanges: [string, string, number][] = [];
  #releasing = false;

  constructor(timing: Timing) {
    this.#timing = timing;
  }

  /** From now on a Deployment change starts a release; bootstrap is over. */
  startRelease(): void {
    this.#releasing = true;
  }

  changed(app: string, at: number): void {
    this.#changedAt.set(app, at);
  }

  /**
   * The run starts (status.runStartedAt) at the reconcile that scales the canary up: the scale
   * request follows that decision at once, so this is the change-to-scale-up time without a
   * second watch on every Deployment (which would double the bench's load on the emulator).
   */
  #runStarted(name: string, runStartedAt: number | null): void {
    const changed = this.#changedAt.get(name);
    if (changed === undefined || runStartedAt === null || runStartedAt < changed || this.#scaledUpAt.has(name)) return;
    this.#scaledUpAt.set(name, runStartedAt);
    this.scaleUpMs.push(runStartedAt - changed);
    this.scaleUps.push([name, changed, runStartedAt]);
  }

  onCanary(object: WatchedObject): void {
    const name = object.metadata.name;
    const status = object.status ?? {};
    const phase = typeof status['phase'] === 'string' ? status['phase'] : '';
    const before = this.#phases.get(name);
    this.#phases.set(name, phase);
    if (!this.#releasing) return;
    if (before !== phase) this.phaseChanges.push([name, phase, Date.now()]);
    this.#runStarted(name, time(status['runStartedAt']));
    const step = typeof status['step'] === 'number' ? status['step'] : -1;
    const startedAt = time(status['stepStartedAt']);
    const analyzedUntil = time(status['analyzedUntil']);
    const previous = this.#steps.get(name);
    if (step < 0 || startedAt === null || analyzedUntil === null || previous?.step === step) return;
    if (previous !== undefined && step === previous.step + 1) {
      const due = scheduledAdvance(previous, this.#timing);
      this.stepLagsMs.push(startedAt - due);
      this.stepDue.push([due, startedAt]);
    }
    this.#steps.set(name, { step, startedAt, analyzedUntil });
    this.stepStarts.set(name, [...(this.stepStarts.get(name) ?? []), startedAt]);
    this.stepsTaken += 1;
  }

  count(phase: string): number {
    let count = 0;
    for (const value of this.#phases.values()) if (value === phase) count += 1;
    return count;
  }

  get canaries(): number {
    return this.#phases.size;
  }
}
