// What this process did with outbox entries: which it handed to the notifier and are still in
// flight, and which were delivered but are still in an outbox (the next reconcile removes them).
// Memory only: after a restart every entry left in an outbox is handed over again, with its key.
import type { Logger } from 'pino';
import type { DeliveryOutcome, Notifier, OutboxNotice } from '../ports.ts';

interface Book {
  readonly inFlight: Set<string>;
  readonly delivered: Set<string>;
}

export interface HandOver {
  /** The app key, `namespace/name` (the work queue's key). */
  readonly app: string;
  /** The app's outbox as just written (or as stored, when nothing needed writing). */
  readonly entries: readonly OutboxNotice[];
  readonly notifier: Notifier;
  readonly log: Logger;
}

const none: ReadonlySet<string> = new Set();

export class Deliveries {
  readonly #books = new Map<string, Book>();
  #listener: (app: string) => void = () => undefined;

  /** Called with the app key whenever one of its entries is delivered (the controller enqueues it). */
  onDelivered(listener: (app: string) => void): void {
    this.#listener = listener;
  }

  /** Keys of `app` delivered by this process and not yet known to be gone from its outbox. */
  delivered(app: string): ReadonlySet<string> {
    return this.#books.get(app)?.delivered ?? none;
  }

  /**
   * Call after the app's status write succeeded (or was not needed). Forgets delivered keys the
   * outbox no longer holds, and hands every other entry to the notifier unless it is in flight
   * or delivered already: an entry is never handed over twice at once. Never throws.
   */
  handOver(input: HandOver): void {
    const book = this.#books.get(input.app) ?? { inFlight: new Set<string>(), delivered: new Set<string>() };
    const keys = new Set(input.entries.map((entry) => entry.key));
    for (const key of book.delivered) if (!keys.has(key)) book.delivered.delete(key);
    for (const entry of input.entries) {
      if (!book.inFlight.has(entry.key) && !book.delivered.has(entry.key)) this.#send(book, input, entry);
    }
    if (book.inFlight.size + book.delivered.size === 0) this.#books.delete(input.app);
    else this.#books.set(input.app, book);
  }

  #send(book: Book, input: HandOver, entry: OutboxNotice): void {
    const { key } = entry;
    let settled = false;
    const onDone = (outcome: DeliveryOutcome): void => {
      if (settled) return;
      settled = true;
      book.inFlight.delete(key);
      if (outcome !== 'delivered') return;
      book.delivered.add(key);
      this.#listener(input.app);
    };
    book.inFlight.add(key);
    try {
      input.notifier.deliver(entry, onDone);
    } catch (error) {
      // The port says deliver never throws; if one does, the entry stays for a later reconcile.
      book.inFlight.delete(key);
      input.log.warn({ key, err: error instanceof Error ? error.message : String(error) }, 'notifier threw; notice stays in the outbox');
    }
  }
}
