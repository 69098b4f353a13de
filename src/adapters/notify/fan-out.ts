// One outbox entry fans out into jobs (Slack, each webhook); the entry is delivered once every
// job is done. Which targets already have a key is remembered (bounded), so an entry handed over
// again — because another of its targets failed — is not sent twice to the targets that had it.
import type { DeliveryOutcome } from '../../ports.ts';
import type { Job } from './channel.ts';

/** Keys whose done targets are remembered; the oldest are forgotten first. */
const rememberedKeys = 10_000;

export class FanOut {
  readonly #enqueue: (job: Job) => void;
  readonly #limit: number;
  /** key → targets that have it (sent, or refused it for good). */
  readonly #done = new Map<string, Set<string>>();

  constructor(enqueue: (job: Job) => void, limit = rememberedKeys) {
    this.#enqueue = enqueue;
    this.#limit = limit;
  }

  /** Enqueues the jobs whose target lacks `key`; calls `onDone` once, on a later tick, when all have ended. */
  run(key: string, jobs: readonly Job[], onDone: (outcome: DeliveryOutcome) => void): void {
    const done = this.#targets(key);
    const open = jobs.filter((job) => !done.has(job.target));
    let pending = open.length;
    let complete = true;
    const finish = (): void => queueMicrotask(() => onDone(complete ? 'delivered' : 'undelivered'));
    if (pending === 0) {
      finish();
      return;
    }
    for (const job of open) {
      this.#enqueue({
        ...job,
        settle: (end) => {
          if (end === 'done') done.add(job.target);
          else complete = false;
          pending -= 1;
          if (pending === 0) finish();
        },
      });
    }
  }

  #targets(key: string): Set<string> {
    let targets = this.#done.get(key);
    if (targets === undefined) {
      targets = new Set();
      this.#done.set(key, targets);
      const oldest = this.#done.keys().next();
      if (this.#done.size > this.#limit && oldest.done !== true) this.#done.delete(oldest.value);
    }
    return targets;
  }
}
