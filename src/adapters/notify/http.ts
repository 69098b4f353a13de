// One JSON POST and the classification of its outcome. Errors are described by code only:
// fetch's messages can contain the URL ("Failed to parse URL from …"), and URLs are secrets.
import type { Attempt } from './channel.ts';

export interface JsonPost {
  readonly fetch: typeof fetch;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Aborted when the notifier closes. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /** For HTTP-date `Retry-After` values. */
  readonly now: number;
}

export interface HttpReply {
  readonly status: number;
  /** Parsed `Retry-After`, in ms; null when absent or unreadable. */
  readonly retryAfterMs: number | null;
  readonly body: string;
}

/** Longest wait a receiver may ask for; beyond it we wait this long and the retry budget decides. */
const maxRetryAfterMs = 5 * 60_000;

/** POSTs `body` as JSON. Throws on network errors and timeouts (callers use `errorAttempt`). */
export async function postJson(request: JsonPost): Promise<HttpReply> {
  const response = await request.fetch(request.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'fledge-notifier', ...request.headers },
    body: request.body,
    redirect: 'manual', // a redirect would resend the body (and its signature) somewhere unchecked
    signal: AbortSignal.any([request.signal, AbortSignal.timeout(request.timeoutMs)]),
  });
  const body = await response.text();
  return { status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), request.now), body };
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), maxRetryAfterMs);
}

/** 2xx sent; 408, 429 and 5xx retry; anything else (4xx, 3xx) fails for good. */
export function statusAttempt(reply: HttpReply): Attempt {
  if (reply.status >= 200 && reply.status < 300) return { kind: 'sent' };
  const why = `HTTP ${reply.status}`;
  if (reply.status === 408 || reply.status === 429 || reply.status >= 500) {
    return { kind: 'retry', why, retryAfterMs: reply.retryAfterMs };
  }
  return { kind: 'failed', why };
}

/** A thrown fetch error is retryable unless the URL is malformed; described by code, never message. */
export function errorAttempt(error: unknown): Attempt {
  const why = describeError(error);
  return why === 'ERR_INVALID_URL' ? { kind: 'failed', why } : { kind: 'retry', why, retryAfterMs: null };
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return error.name;
  const cause: unknown = error.cause;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code; // e.g. ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET
  }
  return error.name;
}
