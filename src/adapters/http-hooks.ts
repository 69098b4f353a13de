// The HookRunner over HTTP (docs/hooks.md): one signed JSON POST per attempt, with a timeout,
// a few retries with backoff, no redirects followed and replies read up to a cap. Every call
// ends in a HookReply within (retries + 1) × timeout + backoff; nothing throws to the caller.
// Details name no URL (URLs are secrets) and show at most a short, redacted reply excerpt.
import { signBody } from './notify/json-webhook.ts';
import { describeError, parseRetryAfter } from './notify/http.ts';
import type { Clock, HookReply, HookRequest, HookRunner } from '../ports.ts';

export interface HttpHookRunnerOptions {
  /** HMAC-SHA256 key for X-Fledge-Signature (the webhooks' secret); unsigned without it. */
  readonly secret?: string | undefined;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Retries after the first attempt (default 2). */
  readonly retries?: number;
  /** Backoff before the first retry, doubled each time (default 1 s). */
  readonly backoffMs?: number;
  /** Reply bytes read at most (default 64 KiB); the rest is not read. */
  readonly maxReplyBytes?: number;
}

/** Reply characters shown in a detail. */
const excerptChars = 200;

type Attempt = { readonly reply: HookReply; readonly retry: boolean; readonly retryAfterMs: number | null };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** URLs (scheme and host kept) and `token=…`-like values masked, control characters dropped, bounded. */
export function redactReply(text: string, max = excerptChars): string {
  const printable = [...text].map((c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? ' ' : c)).join('');
  const cleaned = printable
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/\s?#"'<>]+)[^\s"'<>]*/gi, (_match, origin: string) => `${origin}/…`)
    .replace(/\b(token|secret|password|passwd|api[-_]?key|authorization|bearer)(["']?\s*[:=]\s*|\s+)["']?[^\s"',;&]+/gi, '$1$2[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length <= max ? cleaned : `${cleaned.slice(0, max - 1)}…`;
}

/** Reads at most `max` bytes of a body; `more` when it was longer. Stops reading at the cap. */
async function readCapped(response: Response, max: number): Promise<{ text: string; more: boolean }> {
  if (response.body === null) return { text: '', more: false };
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), more: false };
    chunks.push(value);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return { text: Buffer.concat(chunks).subarray(0, max).toString('utf8'), more: true };
    }
  }
}

function isHtml(contentType: string | null, text: string): boolean {
  return (contentType ?? '').toLowerCase().includes('text/html') || /^\s*<(!doctype html|html)/i.test(text);
}

function excerpt(text: string, html: boolean, more: boolean): string {
  if (html) return 'an HTML page, not a hook reply';
  const shown = redactReply(text);
  const cut = more ? ' (reply cut at the size cap)' : '';
  return shown === '' ? cut.trim() : `${shown}${cut}`;
}

function classify(response: Response, body: { text: string; more: boolean }, now: number): Attempt {
  const { status } = response;
  const html = isHtml(response.headers.get('content-type'), body.text);
  const shown = excerpt(body.text, html, body.more);
  const detail = `HTTP ${status}${shown === '' ? '' : `: ${shown}`}`;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  if (status >= 200 && status < 300) {
    // A proxy's login or error page answering 200 is not a hook saying yes.
    return html ? { reply: { ok: false, final: true, detail }, retry: false, retryAfterMs } : { reply: { ok: true, final: true, detail }, retry: false, retryAfterMs };
  }
  if (status >= 300 && status < 400) return { reply: { ok: false, final: true, detail: `HTTP ${status}: redirect not followed` }, retry: false, retryAfterMs };
  const retry = status === 408 || status === 429 || status >= 500;
  return { reply: { ok: false, final: !retry, detail }, retry, retryAfterMs };
}

function failure(error: unknown, timeoutMs: number): Attempt {
  const why = describeError(error);
  const detail = why === 'TimeoutError' ? `timed out after ${timeoutMs / 1000}s` : `not reachable (${why})`;
  return { reply: { ok: false, final: why === 'ERR_INVALID_URL', detail }, retry: why !== 'ERR_INVALID_URL', retryAfterMs: null };
}

/** Creates the runner. Throws nothing; bad URLs end as a final failure. */
export function createHttpHookRunner(options: HttpHookRunnerOptions = {}): HookRunner {
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? { now: () => Date.now() };
  const sleep = options.sleep ?? defaultSleep;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 1000;
  const maxReplyBytes = options.maxReplyBytes ?? 64 * 1024;

  const attempt = async (request: HookRequest): Promise<Attempt> => {
    const now = clock.now();
    const timestamp = Math.floor(now / 1000);
    const body = JSON.stringify({ id: request.key, ...request.payload, timestamp });
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'fledge-hooks',
      'x-fledge-hook': request.payload.hook,
      'x-fledge-timestamp': String(timestamp),
      'x-fledge-delivery': request.key,
      'idempotency-key': request.key,
    };
    if (options.secret !== undefined && options.secret !== '') headers['x-fledge-signature'] = signBody(options.secret, body);
    try {
      // One deadline for the answer and its body: a hook that trickles bytes cannot hold a call.
      const signal = AbortSignal.timeout(request.timeoutMs);
      const response = await doFetch(request.url, { method: 'POST', headers, body, redirect: 'manual', signal });
      return classify(response, await readCapped(response, maxReplyBytes), now);
    } catch (error) {
      return failure(error, request.timeoutMs);
    }
  };

  const call = async (request: HookRequest): Promise<HookReply> => {
    let last = await attempt(request);
    for (let retry = 0; retry < retries && last.retry; retry += 1) {
      const wait = Math.min(Math.max(last.retryAfterMs ?? 0, backoffMs * 2 ** retry), 30_000);
      await sleep(wait);
      last = await attempt(request);
    }
    const tries = last.retry && retries > 0 ? ` (after ${retries + 1} attempts)` : '';
    return { ...last.reply, detail: `${last.reply.detail}${tries}` };
  };

  return {
    run(request, onDone) {
      call(request).then(onDone, (error: unknown) => onDone({ ok: false, final: false, detail: `failed (${describeError(error)})` }));
    },
  };
}
