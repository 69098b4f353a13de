// The load generator's jobs: at most one per target (a new call for the same target replaces
// the running job, so back-to-back rollout hooks give continuous load), bounded in rate,
// duration and number. The Driver sends the requests; jobs only say how many and how long.

/** One stretch of load: `rate` requests per second to `target` for `durationMs`. */
export interface LoadJob {
  readonly target: string;
  readonly rate: number;
  readonly durationMs: number;
}

/** Sends a job's load; `stop` ends it early. Real HTTP in `fledge loadtester`, simulated users in the sandbox. */
export interface LoadDriver {
  start(job: LoadJob): { stop(): void };
}

export interface LoadLimits {
  readonly maxRate: number;
  readonly maxDurationMs: number;
  readonly maxJobs: number;
}

export const defaultLimits: LoadLimits = { maxRate: 1000, maxDurationMs: 10 * 60_000, maxJobs: 20 };

interface Running {
  readonly job: LoadJob;
  readonly handle: { stop(): void };
  readonly timer: NodeJS.Timeout;
}

export type StartOutcome = { readonly kind: 'started'; readonly replaced: boolean } | { readonly kind: 'refused'; readonly why: string };

export class LoadJobs {
  readonly #driver: LoadDriver;
  readonly #limits: LoadLimits;
  readonly #running = new Map<string, Running>();

  constructor(driver: LoadDriver, limits: LoadLimits = defaultLimits) {
    this.#driver = driver;
    this.#limits = limits;
  }

  /** Starts (or replaces) the job for its target, unless it breaks a limit. */
  start(job: LoadJob): StartOutcome {
    const limits = this.#limits;
    if (!(job.rate > 0 && job.rate <= limits.maxRate)) return { kind: 'refused', why: `rate must be above 0 and at most ${limits.maxRate} per second` };
    if (!(job.durationMs > 0 && job.durationMs <= limits.maxDurationMs)) return { kind: 'refused', why: `duration must be above 0 and at most ${limits.maxDurationMs / 1000}s` };
    const replaced = this.#running.has(job.target);
    if (!replaced && this.#running.size >= limits.maxJobs) return { kind: 'refused', why: `already ${limits.maxJobs} jobs running` };
    this.stop(job.target);
    const handle = this.#driver.start(job);
    const timer = setTimeout(() => this.stop(job.target), job.durationMs);
    timer.unref();
    this.#running.set(job.target, { job, handle, timer });
    return { kind: 'started', replaced };
  }

  stop(target: string): void {
    const running = this.#running.get(target);
    if (running === undefined) return;
    clearTimeout(running.timer);
    running.handle.stop();
    this.#running.delete(target);
  }

  /** Jobs running now. */
  list(): LoadJob[] {
    return [...this.#running.values()].map((running) => running.job);
  }

  stopAll(): void {
    for (const target of [...this.#running.keys()]) this.stop(target);
  }
}
