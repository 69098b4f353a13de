// Shared vocabulary of the notification adapters: a channel turns a notice into jobs, the
// dispatcher runs jobs. Nothing here may carry a secret into a log line: targets are named by
// kind and ordinal (`slack-webhook`, `webhook#1`), never by URL or token.
import type { Clock, Notifier, ReleaseNotice } from '../../ports.ts';

/** The result of one delivery attempt, as a value. */
export type Attempt =
  | { readonly kind: 'sent' }
  /** Worth retrying (429, 5xx, network); `retryAfterMs` is what the receiver asked for, if anything. */
  | { readonly kind: 'retry'; readonly why: string; readonly retryAfterMs: number | null }
  /** Retrying cannot help (4xx, Slack `ok:false` with a permanent error). */
  | { readonly kind: 'failed'; readonly why: string }
  /** Nothing needed sending after all (no request was made). */
  | { readonly kind: 'skipped' };

/** Log fields that name a notice. Safe to log. */
export interface NoticeTag {
  readonly namespace: string;
  readonly name: string;
  readonly revision: string;
  readonly reason: string;
}

/** How a job ended: `done` (sent, skipped, or refused for good) or `dropped` (may be tried again later). */
export type JobEnd = 'done' | 'dropped';

/** One HTTP delivery to one target, retried by the dispatcher as a whole. */
export interface Job {
  /** Rate-limit lane: jobs on one lane run one at a time, in order, spaced by the interval. */
  readonly lane: string;
  /** How logs name the target (never a URL or token); unique among the jobs of one notice. */
  readonly target: string;
  readonly tag: NoticeTag;
  /** Makes one attempt. May throw; a throw counts as a retryable network error. */
  readonly send: (signal: AbortSignal) => Promise<Attempt>;
  /** Told once how the job ended, whichever way (also when dropped from the queue or on close). */
  readonly settle?: (end: JobEnd) => void;
}

/** One notification technology: which jobs a notice needs. `key` is the outbox entry's idempotency key. */
export interface NoticeChannel {
  plan(notice: ReleaseNotice, key: string): readonly Job[];
}

/** What the HTTP-speaking channels share. */
export interface HttpDeps {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** Per-request timeout; a hung receiver never holds its lane longer than this. */
  readonly timeoutMs: number;
}

/** A Notifier that owns a delivery queue. */
export interface ManagedNotifier extends Notifier {
  /** Resolves once every queued notice is delivered or dropped, or after `timeoutMs` (default 30 s). */
  flush(timeoutMs?: number): Promise<void>;
  /** Stops accepting notices, drains for a few seconds, then drops what is left (with a warning). */
  close(): Promise<void>;
}

export function tagOf(notice: ReleaseNotice): NoticeTag {
  return { namespace: notice.namespace, name: notice.name, revision: notice.revision, reason: notice.reason };
}
