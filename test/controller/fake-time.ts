// A fake clock and timers for controller tests: time moves only when the test says so.
import type { Timers } from '../../src/controller/timers.ts';

interface Pending {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** Lets pending promise callbacks (async reconciles) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeTime implements Timers {
  #now: number;
  #nextId = 1;
  #pending: Pending[] = [];
  /** Timers ever created (to show that many keys share one). */
  created = 0;

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  readonly clock = { now: (): number => this.#now };

  get active(): number {
    return this.#pending.length;
  }

  set(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.created++;
    this.#pending.push({ id, due: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clear(handle: unknown): void {
    this.#pending = this.#pending.filter((p) => p.id !== handle);
  }

  /** Moves time forward by `ms`, firing due timers in order and letting async work settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const next = [...this.#pending].sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (next === undefined || next.due > end) break;
      this.#pending = this.#pending.filter((p) => p.id !== next.id);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
      await settle();
    }
    this.#now = end;
    await settle();
  }
}
