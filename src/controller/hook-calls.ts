// What this process asked of the hooks and what they answered, per app and run (docs/hooks.md).
// A call is made at most once per (app, run, hook, look) while its answer is held; answers wake
// the app through the work queue, and its next reconcile folds them into the Canary's status.
// Memory only: after a restart, whatever status does not record yet is asked again.
import type { HookResult } from '../core/state.ts';
import type { HookName } from '../core/types.ts';
import type { HookReply, HookRequest, HookRunner, Notifier } from '../ports.ts';

interface Book {
  readonly run: string;
  readonly inFlight: Set<string>;
  readonly answers: Map<string, HookResult>;
}

export interface HookCall {
  /** The app key, `namespace/name`. */
  readonly app: string;
  /** The run (revision and start) the call belongs to. */
  readonly run: string;
  readonly hook: HookName;
  readonly look: string;
  readonly request: HookRequest;
}

/** Answers kept per app: a run looks at far fewer (one per interval, and a few gates). */
const maxAnswers = 200;

export class HookCalls {
  readonly #runner: HookRunner;
  readonly #answered: (hook: HookName, ok: boolean) => void;
  readonly #books = new Map<string, Book>();
  #listener: (app: string) => void = () => undefined;

  /** `answered` is told of every answer, outcome hooks' too (for /metrics). */
  constructor(runner: HookRunner, answered: (hook: HookName, ok: boolean) => void = () => undefined) {
    this.#runner = runner;
    this.#answered = answered;
  }

  /** Called with the app key whenever one of its hooks answered (the controller enqueues it). */
  onAnswer(listener: (app: string) => void): void {
    this.#listener = listener;
  }

  /** The answers held for `app`'s `run`. */
  results(app: string, run: string): HookResult[] {
    const book = this.#books.get(app);
    return book === undefined || book.run !== run ? [] : [...book.answers.values()];
  }

  /** Starts the call unless it is in flight or answered. A call for a new run forgets the old run. */
  call(call: HookCall): void {
    const current = this.#books.get(call.app);
    const book = current !== undefined && current.run === call.run ? current : { run: call.run, inFlight: new Set<string>(), answers: new Map<string, HookResult>() };
    this.#books.set(call.app, book);
    const id = `${call.hook}/${call.look}`;
    if (book.inFlight.has(id) || book.answers.has(id)) return;
    book.inFlight.add(id);
    this.#runner.run(call.request, (reply) => {
      this.#answered(call.hook, reply.ok);
      book.inFlight.delete(id);
      book.answers.set(id, { hook: call.hook, look: call.look, ok: reply.ok, detail: reply.detail });
      for (const old of book.answers.keys()) {
        if (book.answers.size <= maxAnswers) break;
        book.answers.delete(old);
      }
      if (this.#books.get(call.app) === book) this.#listener(call.app);
    });
  }

  /** Forgets an app (deleted or handed back). */
  forget(app: string): void {
    this.#books.delete(app);
  }

  /**
   * A Notifier that sends outcome-hook notices (`notice.hook` set) through the runner, as hook
   * payloads, and every other notice to `notifier`. A 2xx, or a refusal for good (4xx), is
   * delivered; anything else stays in the outbox and is handed over again, with the same key.
   */
  notices(notifier: Notifier): Notifier {
    return {
      deliver: (entry, onDone) => {
        const { notice } = entry;
        const target = notice.hook;
        if (target === undefined) return notifier.deliver(entry, onDone);
        const request: HookRequest = {
          key: entry.key,
          url: target.url,
          timeoutMs: target.timeoutMs,
          payload: {
            hook: target.name, namespace: notice.namespace, app: notice.name, revision: notice.revision, phase: notice.phase,
            weight: notice.canaryWeight, step: target.step, steps: target.steps, interval: null, evidence: target.evidence,
            message: notice.message, at: notice.at,
          },
        };
        this.#runner.run(request, (reply: HookReply) => {
          this.#answered(target.name, reply.ok);
          onDone(reply.ok || reply.final ? 'delivered' : 'undelivered');
        });
      },
    };
  }
}
