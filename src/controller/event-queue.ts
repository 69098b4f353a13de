// Events are sent after the reconcile that recorded them, not during it (as client-go's recorder
// does): a reconcile's own writes (route, scale, status) are not held up by an Event's round trip,
// and when thousands of apps act at once, their Events trail behind the writes that matter; while
// changes made outside the controller wait to be acted on, none is sent at all (for a bounded
// time), so Events take no CPU from the reconciles that act on those changes. The
// queue keeps their order, is bounded (the oldest are dropped with a warning when it is full), and
// an Event the API refuses is logged, never retried: Events are for people, status is the record.
import type { Logger } from 'pino';
import type { Clock, ClusterObjects, EventRecord } from '../ports.ts';
import { Interner } from './intern.ts';

export interface EventQueueOptions {
  /** Events waiting at most; beyond it the oldest are dropped (default 10,000). */
  readonly limit?: number;
  /** Events sent at once (default 4). */
  readonly concurrency?: number;
  /** Longest stretch Events are held while the controller is busy (see yieldTo; default 2000 ms). */
  readonly holdMs?: number;
  /** The clock the hold is timed by (default Date.now). */
  readonly now?: () => number;
}

/** How soon a held queue looks again whether it may send. */
const recheckMs = 20;

/** What an Event names of its Canary: a waiting Event does not keep a whole Canary (its status, its history) alive. */
function identityOf(canary: EventRecord['canary']): EventRecord['canary'] {
  const { apiVersion, kind, metadata } = canary;
  return { apiVersion, kind, metadata: { name: metadata.name, namespace: metadata.namespace, uid: metadata.uid }, spec: {} } as EventRecord['canary'];
}

export class EventQueue {
  readonly #send: (record: EventRecord) => Promise<void>;
  readonly #log: Logger;
  readonly #limit: number;
  readonly #concurrency: number;
  /** Waiting Events from #head on; the slots before it are emptied as Events leave (sent or dropped). */
  readonly #waiting: Array<EventRecord | undefined> = [];
  #head = 0;
  #sending = 0;
  #dropped = 0;
  #idle: Array<() => void> = [];
  /** One identity per Canary for all of its waiting Events (thousands wait when thousands of apps act at once); emptied whenever the queue is. */
  readonly #identities = new Map<string, EventRecord['canary']>();
  /** One copy of each short message waiting (5000 apps entering a step record the same "step 2/2: …" sentence), at most 1000; emptied whenever the queue is. */
  readonly #texts = new Interner({ limit: 1_000 });
  readonly #holdMs: number;
  readonly #now: () => number;
  #busy: (() => boolean) | null = null;
  /** When the current hold began; null when not holding. Once a hold has lasted holdMs, Events go out until the controller is not busy once. */
  #heldSince: number | null = null;
  #recheck: ReturnType<typeof setTimeout> | null = null;

  constructor(send: (record: EventRecord) => Promise<void>, log: Logger, options: EventQueueOptions = {}) {
    this.#send = send;
    this.#log = log;
    this.#limit = options.limit ?? 10_000;
    this.#concurrency = options.concurrency ?? 4;
    this.#holdMs = options.holdMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Holds the waiting Events while `busy()` (the work queue has outside changes waiting), for at
   * most holdMs at a stretch; null: never held.
   */
  yieldTo(busy: (() => boolean) | null): void {
    this.#busy = busy;
    this.#heldSince = null;
    // A look again that a hold had set: the pump below sets it anew if still holding.
    if (this.#recheck !== null) clearTimeout(this.#recheck);
    this.#recheck = null;
    this.#pump();
  }

  /** Queues `record` to be sent; returns at once. */
  record(record: EventRecord): void {
    if (this.size >= this.#limit) {
      this.#take();
      this.#dropped += 1;
      if (this.#dropped === 1 || this.#dropped % 1000 === 0) this.#log.warn({ dropped: this.#dropped }, 'too many Events waiting to be sent: the oldest are dropped');
    }
    // Every waiting Event has the same shape (its fields in the object, not beside it: about 100 bytes less each).
    const waiting: Required<EventRecord> = { canary: this.#identity(record.canary), severity: record.severity, reason: record.reason, message: this.#texts.string(record.message), at: record.at };
    this.#waiting.push(waiting);
    this.#pump();
  }

  /** The oldest waiting Event, out of the list: its slot lets go of it at once, not when the sent part of the list is cut off. */
  #take(): EventRecord {
    const record = this.#waiting[this.#head] as EventRecord;
    this.#waiting[this.#head] = undefined;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    return record;
  }

  #identity(canary: EventRecord['canary']): EventRecord['canary'] {
    const { uid, namespace, name } = canary.metadata;
    const key = uid ?? `${namespace ?? ''}/${name ?? ''}`;
    const known = this.#identities.get(key);
    if (known !== undefined) return known;
    const identity = identityOf(canary);
    this.#identities.set(key, identity);
    return identity;
  }

  /** Events waiting to be sent. */
  get size(): number {
    return this.#waiting.length - this.#head;
  }

  /** Resolves once every queued Event was sent (or refused). */
  drained(): Promise<void> {
    if (this.size === 0 && this.#sending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    if (this.size > 0 && this.#holding()) return;
    while (this.#sending < this.#concurrency && this.size > 0) {
      const record = this.#take();
      this.#sending += 1;
      void this.#deliver(record);
    }
    if (this.size === 0 && this.#sending === 0) {
      this.#identities.clear();
      this.#texts.clear();
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /**
   * Whether waiting Events are held now; while they are, the queue looks again every recheckMs.
   * Never past a tenth of the limit: holding Events back must not be what drops them (at 5000
   * apps acting at once they come faster than they are sent, and a hold to half the limit cost
   * up to half of them).
   */
  #holding(): boolean {
    if (this.#busy?.() !== true || this.size * 10 >= this.#limit) {
      this.#heldSince = null;
      return false;
    }
    const now = this.#now();
    this.#heldSince ??= now;
    if (now - this.#heldSince >= this.#holdMs) return false;
    if (this.#recheck === null) {
      this.#recheck = setTimeout(() => {
        this.#recheck = null;
        this.#pump();
      }, recheckMs);
    }
    return true;
  }

  async #deliver(record: EventRecord): Promise<void> {
    try {
      await this.#send(record);
    } catch (error) {
      const { namespace, name } = record.canary.metadata;
      this.#log.warn({ canary: `${namespace ?? ''}/${name ?? ''}`, reason: record.reason, err: error instanceof Error ? error.message : String(error) }, 'could not record an Event');
    } finally {
      this.#sending -= 1;
      this.#pump();
    }
  }
}

/** `cluster` whose recordEvent queues the Event on `queue` and returns at once; the Event keeps the time it was recorded. */
export function withQueuedEvents(cluster: ClusterObjects, queue: EventQueue, clock: Clock): ClusterObjects {
  return {
    ...cluster,
    recordEvent: (record) => {
      queue.record({ ...record, at: record.at ?? clock.now() });
      return Promise.resolve();
    },
  };
}
