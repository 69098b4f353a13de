// Generic JSON webhook: POSTs each notice to every URL the Canary lists (already checked against
// the operator's allow-list), signed with HMAC-SHA256 when a secret is configured.
//
// Headers:
//   X-Fledge-Signature: sha256=<hex HMAC-SHA256(webhookSecret, raw request body)>
//   X-Fledge-Timestamp: <unix seconds when this attempt was signed> (also `timestamp` in the body)
//   X-Fledge-Delivery:  <notice id> (stable across retries and redeliveries: receivers dedupe on it)
//   Idempotency-Key:    <notice id> (the same value, under the conventional name)
//
// A receiver verifies a request by
//   1. computing HMAC-SHA256 over the raw body bytes exactly as received (before any JSON
//      parsing) with the shared secret, hex-encoded, prefixed with "sha256=";
//   2. comparing it with X-Fledge-Signature in constant time (Node: crypto.timingSafeEqual);
//   3. rejecting requests whose body `timestamp` differs from X-Fledge-Timestamp or is more than
//      ~5 minutes old (the timestamp is inside the signed body, so it cannot be altered).
// In Node:
//   const expected = 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
//   const ok = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
import { createHmac } from 'node:crypto';
import type { ReleaseNotice } from '../../ports.ts';
import type { Attempt, HttpDeps, Job, NoticeChannel } from './channel.ts';
import { tagOf } from './channel.ts';
import { errorAttempt, postJson, statusAttempt } from './http.ts';
import type { Template } from './templates.ts';

export interface JsonWebhookOptions {
  readonly http: HttpDeps;
  readonly template: Template;
  /** HMAC key; without it requests go unsigned (no X-Fledge-Signature). */
  readonly secret?: string;
}

/** The request body. `webhooks` and `slackChannel` are left out: one receiver never learns another's URL. */
export interface WebhookPayload {
  /** The notice's key (the outbox key): the same on every retry and redelivery, also after a restart. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly revision: string;
  readonly phase: string;
  readonly canaryWeight: number;
  readonly reason: string;
  readonly message: string;
  readonly severity: 'Normal' | 'Warning';
  /** When the event happened, ms since the epoch. */
  readonly at: number;
  /** The rendered message template. */
  readonly text: string;
  /** When this attempt was signed, unix seconds; equals X-Fledge-Timestamp. */
  readonly timestamp: number;
}

/** `sha256=<hex>` of the raw body. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function payloadOf(notice: ReleaseNotice, id: string, text: string, timestamp: number): WebhookPayload {
  return {
    id, namespace: notice.namespace, name: notice.name, revision: notice.revision, phase: notice.phase,
    canaryWeight: notice.canaryWeight, reason: notice.reason, message: notice.message,
    severity: notice.severity, at: notice.at, text, timestamp,
  };
}

export function createJsonWebhookChannel(options: JsonWebhookOptions): NoticeChannel {
  /** Stable ordinal per URL, so logs can name a target (`webhook#2`) without its URL. */
  const ordinals = new Map<string, number>();
  const targetOf = (url: string): string => {
    let ordinal = ordinals.get(url);
    if (ordinal === undefined) {
      ordinal = ordinals.size + 1;
      ordinals.set(url, ordinal);
    }
    return `webhook#${ordinal}`;
  };

  const send = async (url: string, notice: ReleaseNotice, id: string, signal: AbortSignal): Promise<Attempt> => {
    const { http } = options;
    const now = http.clock.now();
    const timestamp = Math.floor(now / 1000);
    const body = JSON.stringify(payloadOf(notice, id, options.template.render(notice), timestamp));
    const headers: Record<string, string> = { 'x-fledge-timestamp': String(timestamp), 'x-fledge-delivery': id, 'idempotency-key': id };
    if (options.secret !== undefined) headers['x-fledge-signature'] = signBody(options.secret, body);
    try {
      return statusAttempt(await postJson({ fetch: http.fetch, url, headers, body, signal, timeoutMs: http.timeoutMs, now }));
    } catch (error) {
      return errorAttempt(error);
    }
  };

  return {
    plan(notice, key): readonly Job[] {
      return [...new Set(notice.webhooks ?? [])].map((url) => {
        const target = targetOf(url);
        return { lane: target, target, tag: tagOf(notice), send: (signal) => send(url, notice, key, signal) };
      });
    },
  };
}
