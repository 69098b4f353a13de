// The real driver: GET requests to the target at the job's rate, spread over 100 ms ticks, each
// with a timeout; at most `maxInFlight` at once (a slow target gets fewer, never a pile-up).
import type { LoadDriver, LoadJob } from './jobs.ts';

export interface HttpDriverOptions {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
  readonly maxInFlight?: number;
  /** Told of every answer (status, or 0 for a network error or timeout). */
  readonly onAnswer?: (target: string, status: number) => void;
}

const tickMs = 100;

export function createHttpDriver(options: HttpDriverOptions = {}): LoadDriver {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxInFlight = options.maxInFlight ?? 200;
  return {
    start(job: LoadJob) {
      let inFlight = 0;
      let owed = 0;
      const one = (): void => {
        inFlight += 1;
        doFetch(job.target, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers: { 'user-agent': 'fledge-loadtester' } })
          .then(async (response) => {
            await response.arrayBuffer().catch(() => undefined);
            options.onAnswer?.(job.target, response.status);
          }, () => options.onAnswer?.(job.target, 0))
          .finally(() => {
            inFlight -= 1;
          });
      };
      const timer = setInterval(() => {
        owed += (job.rate * tickMs) / 1000;
        while (owed >= 1) {
          owed -= 1;
          if (inFlight < maxInFlight) one();
        }
      }, tickMs);
      timer.unref();
      return { stop: () => clearInterval(timer) };
    },
  };
}
