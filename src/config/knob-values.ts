// Zod schemas for the annotation values that are more than a number or a duration: cron
// windows, time zones, Slack channels, webhook URLs, tracked ConfigMaps/Secrets, latency edges.
// Like values.ts: input is trimmed non-empty text, problems are phrases that read after "is".
import { CronTime } from 'cron';
import { z } from 'zod';
import { nextOpening } from '../core/window.ts';
import { parseDecimal, parseDuration } from './values.ts';

/** A fixed start for the never-opens check, so `fledge validate` and the controller agree. */
const neverCheckFrom = Date.UTC(2024, 0, 1);

/** A ConfigMap or Secret whose contents are part of the revision under analysis. */
export interface TrackedRef {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
}

function fail(ctx: z.RefinementCtx, message: string): typeof z.NEVER {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** A 5-field cron expression (minute hour day-of-month month day-of-week), as `cron` reads it. */
export const cronText: z.ZodType<string, string> = z.string().transform((text, ctx) => {
  const fields = text.split(/\s+/);
  if (fields.length !== 5) return fail(ctx, `not a 5-field cron expression (it has ${fields.length})`);
  const cron = fields.join(' ');
  try {
    new CronTime(cron, 'UTC');
  } catch (error) {
    return fail(ctx, `not a valid cron expression (${(error as Error).message})`);
  }
  // A window that never opens would hold every release forever (February 30th, April 31st).
  if (nextOpening({ cron, timezone: 'UTC' }, neverCheckFrom) === null) return fail(ctx, 'a window that never opens (no matching minute in 8 years)');
  return cron;
});

/** True when both Intl and the cron library know the IANA zone name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    new CronTime('* * * * *', name);
    return true;
  } catch {
    return false;
  }
}

export const timeZoneText: z.ZodType<string, string> = z.string().transform((text, ctx) =>
  isTimeZone(text) ? text : fail(ctx, 'not an IANA time zone'),
);

/** Latency edge in ms: `500`, `500ms`, `1s`, `0.5`; above 0. */
export const latencyText: z.ZodType<number, string> = z.string().transform((text, ctx) => {
  const plain = parseDecimal(text);
  const ms = plain ?? (/^\d/.test(text) ? parseExactDuration(text) : null);
  if (ms === null) return fail(ctx, 'not a number of milliseconds');
  return ms > 0 ? ms : fail(ctx, 'too small');
});

// Durations for latency keep fractions of a millisecond (`0.5ms`), unlike parseDuration's whole ms.
function parseExactDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (match === null) return parseDuration(text);
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

const slackName = /^#?[a-z0-9][a-z0-9._-]{0,79}$/;
const slackId = /^[CGD][A-Z0-9]{8,}$/;

export const slackChannelText: z.ZodType<string, string> = z.string().transform((text, ctx) =>
  slackName.test(text) || slackId.test(text) ? text : fail(ctx, 'not a Slack channel name or ID'),
);

function entries(text: string): string[] {
  return text.split(',').map((entry) => entry.trim());
}

/** At most this many webhooks per app: each notice is sent to all of them. */
export const maxWebhooks = 10;

export const webhooksText: z.ZodType<string[], string> = z.string().transform((text, ctx) => {
  const urls = entries(text);
  if (urls.length > maxWebhooks) return fail(ctx, `too many URLs (${urls.length})`);
  const bad = urls.findIndex((entry) => !isHttpUrl(entry));
  if (bad >= 0) return fail(ctx, `not a list of http(s) URLs (entry ${bad + 1} is not one)`);
  return [...new Set(urls)];
});

/** One http(s) URL (a hook). Checked against the controller's allow-list at reconcile time. */
export const hookUrlText: z.ZodType<string, string> = z.string().transform((text, ctx) =>
  isHttpUrl(text) ? text : fail(ctx, 'not an http(s) URL'),
);

/** A duration from 1 s to 5 min (a hook call's timeout). */
export const hookTimeoutText: z.ZodType<number, string> = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) return fail(ctx, 'not a duration');
  if (ms < 1000) return fail(ctx, 'too short');
  return ms <= 300_000 ? ms : fail(ctx, 'too long');
});

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
}

/**
 * Webhook URLs often carry a token in the path or query: show only scheme and host
 * (`https://hooks.slack.com/…`). Messages, Events and the Canary spec use this form.
 */
export function redactUrls(text: string): string {
  return entries(text).map(redactUrl).join(',');
}

function redactUrl(entry: string): string {
  if (URL.canParse(entry)) {
    const url = new URL(entry);
    const rest = `${url.pathname === '/' ? '' : url.pathname}${url.search}${url.hash}`;
    return `${url.protocol}//${url.host}${rest === '' ? '' : '/…'}`;
  }
  const start = entry.includes('//') ? entry.indexOf('//') + 2 : 0;
  const cut = entry.slice(start).search(/[/?#]/);
  return cut < 0 ? entry : `${entry.slice(0, start + cut)}/…`;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const trackKinds: Readonly<Record<string, TrackedRef['kind']>> = { configmap: 'ConfigMap', secret: 'Secret' };

/** `configmap/app-config,secret/app-tls` → refs; `none` → [] (track nothing). */
export const trackText: z.ZodType<TrackedRef[], string> = z.string().transform((text, ctx) => {
  if (text.toLowerCase() === 'none') return [];
  const refs = entries(text).map(parseRef);
  const bad = refs.findIndex((ref) => ref === null);
  if (bad >= 0) return fail(ctx, `not a list of configmap/NAME or secret/NAME (entry ${bad + 1} is not one)`);
  const unique = new Map(refs.flatMap((ref) => (ref === null ? [] : [[`${ref.kind}/${ref.name}`, ref] as const])));
  return [...unique.values()];
});

function parseRef(entry: string): TrackedRef | null {
  const [kind = '', name = '', ...rest] = entry.split('/');
  const knownKind = trackKinds[kind.toLowerCase()];
  if (knownKind === undefined || rest.length > 0 || name.length > 253 || !dnsSubdomain.test(name)) return null;
  return { kind: knownKind, name };
}

/** The name of a catalog entry (checked against the catalog later). */
export const catalogNameText: z.ZodType<string, string> = z
  .string()
  .regex(/^[a-z0-9-]+$/, { error: 'not a preset name (lower-case letters, digits and dashes)' });
