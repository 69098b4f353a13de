// The work queue's ready keys, in three lanes taken in order: urgent (changes made outside the
// controller), advancing (runs that may move a release on: a step's bake has ended), then the
// rest (looks, resyncs, echoes of the controller's own writes). A key may sit in more than one
// lane at once; the queue skips an entry whose key has run since (it is no longer dirty, or it is
// in flight).

export type Lane = 'urgent' | 'advancing' | 'ready';

const order: readonly Lane[] = ['urgent', 'advancing', 'ready'];

export class Lanes {
  readonly #keys: Record<Lane, string[]> = { urgent: [], advancing: [], ready: [] };
  /** Keys in the urgent and advancing lanes, so each is there once (the ready lane relies on the queue's dirty set). */
  readonly #queued: Record<Exclude<Lane, 'ready'>, Set<string>> = { urgent: new Set(), advancing: new Set() };

  /** Whether `key` waits in the urgent lane, or in the advancing one. */
  has(lane: Exclude<Lane, 'ready'>, key: string): boolean {
    return this.#queued[lane].has(key);
  }

  /** Keys waiting in the urgent lane, or in the advancing one. */
  size(lane: Exclude<Lane, 'ready'>): number {
    return this.#queued[lane].size;
  }

  /** Puts `key` at the end of `lane`. */
  push(lane: Lane, key: string): void {
    if (lane !== 'ready') this.#queued[lane].add(key);
    this.#keys[lane].push(key);
  }

  /** The first key of the first lane that has one. */
  take(): string | undefined {
    for (const lane of order) {
      const key = this.#keys[lane].shift();
      if (key === undefined) continue;
      if (lane !== 'ready') this.#queued[lane].delete(key);
      return key;
    }
    return undefined;
  }

  clear(): void {
    for (const lane of order) this.#keys[lane] = [];
    this.#queued.urgent.clear();
    this.#queued.advancing.clear();
  }
}
