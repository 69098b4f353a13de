// createNotifier: the Notifier port over Slack (incoming webhook or bot token) and generic JSON
// webhooks. deliver() is synchronous and never throws: it queues and returns; the dispatcher
// delivers off the caller's path, and deliver() reports back per outbox entry (fan-out.ts).
//
// Targets per notice: Slack gets it when the notice names a `slackChannel` or a `defaultChannel`
// is configured (bot token: posted to that channel; incoming webhook: to the webhook's own
// channel; with both credentials the bot token wins, since only it can edit messages). Each URL
// in `notice.webhooks` gets the signed JSON payload.
import { pino, type Logger } from 'pino';
import type { Clock, ReleaseNotice } from '../../ports.ts';
import { FledgeError } from '../../errors.ts';
import { tagOf, type HttpDeps, type Job, type ManagedNotifier, type NoticeChannel } from './channel.ts';
import { Dispatcher } from './dispatcher.ts';
import { FanOut } from './fan-out.ts';
import { describeError } from './http.ts';
import { createJsonWebhookChannel } from './json-webhook.ts';
import { createSlackRenderer } from './slack-blocks.ts';
import { createSlackBotChannel } from './slack-bot.ts';
import { createSlackWebhookChannel } from './slack-webhook.ts';
import { compileTemplate, defaultTemplate, type Template } from './templates.ts';

export interface SlackOptions {
  /** Incoming-webhook URL (a credential). */
  readonly webhookUrl?: string | undefined;
  /** Bot token `xoxb-…` with chat:write (a credential). */
  readonly botToken?: string | undefined;
  /** Web API base; default https://slack.com/api. */
  readonly apiUrl?: string | undefined;
  /** Channel for notices whose Canary names none; without it those notices skip Slack. */
  readonly defaultChannel?: string | undefined;
  /** `dashboard`: a URL template with the message placeholders (values URL-encoded). */
  readonly links?: { readonly dashboard?: string | undefined } | undefined;
}

export interface NotifierOptions {
  readonly slack?: SlackOptions | undefined;
  /** HMAC-SHA256 key for X-Fledge-Signature (a credential). */
  readonly webhookSecret?: string | undefined;
  /** Message text; placeholders {{name}} {{namespace}} {{revision}} {{phase}} {{weight}} {{reason}} {{message}} {{severity}}. */
  readonly template?: string | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly clock?: Clock | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  readonly logger?: Logger | undefined;
  /** Retries after the first attempt before a notice is dropped (default 4). */
  readonly maxRetries?: number | undefined;
  /** Least time between two posts to one channel or webhook (default 1000 ms). */
  readonly perChannelIntervalMs?: number | undefined;
  /** Per-request timeout (default 10 s). */
  readonly requestTimeoutMs?: number | undefined;
  /** Most notices waiting for delivery before the oldest is dropped (default 1000). */
  readonly maxQueue?: number | undefined;
}

/** Log fields that could ever hold a credential; belt and braces, since none are logged. */
const redactPaths = [
  'url', 'webhookUrl', 'botToken', 'token', 'secret', 'webhookSecret', 'authorization',
  '*.url', '*.webhookUrl', '*.botToken', '*.token', '*.secret', '*.webhookSecret', '*.authorization', 'headers.*',
];

const defaultClock: Clock = { now: () => Date.now() };
/** Unref'd: pending retries never keep the process alive; close() drains deliberately. */
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
const closeDrainMs = 5000;

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

function checkUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', `${what} is not a valid URL`); // the value itself may be a secret
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FledgeError('FLEDGE_CONFIG_INVALID', `${what} must be an http(s) URL`);
  return value;
}

function checkCount(value: number | undefined, fallback: number, what: string): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < 0) throw new FledgeError('FLEDGE_CONFIG_INVALID', `${what} must be a whole number ≥ 0, got ${result}`);
  return result;
}

function dashboardLink(slack: SlackOptions): { dashboard?: Template } {
  const source = slack.links?.dashboard;
  return present(source) ? { dashboard: compileTemplate(source, 'slack.links.dashboard') } : {};
}

function slackChannel(slack: SlackOptions | undefined, http: HttpDeps, template: Template): NoticeChannel | null {
  if (slack === undefined || (!present(slack.botToken) && !present(slack.webhookUrl))) return null;
  const renderer = createSlackRenderer({ template, ...dashboardLink(slack) });
  const defaultChannel = present(slack.defaultChannel) ? { defaultChannel: slack.defaultChannel } : {};
  if (present(slack.botToken)) {
    const apiUrl = checkUrl(slack.apiUrl ?? 'https://slack.com/api', 'slack.apiUrl').replace(/\/+$/, '');
    return createSlackBotChannel({ botToken: slack.botToken, apiUrl, http, renderer, ...defaultChannel });
  }
  const webhookUrl = checkUrl(slack.webhookUrl ?? '', 'slack.webhookUrl');
  return createSlackWebhookChannel({ webhookUrl, http, renderer, ...defaultChannel });
}

/** The notifier's child logger: credentials under the usual field names are redacted. */
export function notifierLogger(base: Logger | undefined): Logger {
  return (base ?? pino({ level: 'silent' })).child({ component: 'notifier' }, { redact: { paths: redactPaths, censor: '[redacted]' } });
}

/** Throws FLEDGE_CONFIG_INVALID for a bad template, URL or count; never for a notice. */
export function createNotifier(options: NotifierOptions = {}): ManagedNotifier {
  const logger = notifierLogger(options.logger);
  const clock = options.clock ?? defaultClock;
  const template = compileTemplate(options.template ?? defaultTemplate);
  const http: HttpDeps = { fetch: options.fetch ?? fetch, clock, timeoutMs: checkCount(options.requestTimeoutMs, 10_000, 'requestTimeoutMs') };
  const secret = present(options.webhookSecret) ? { secret: options.webhookSecret } : {};
  const slack = slackChannel(options.slack, http, template);
  const channels: NoticeChannel[] = [...(slack === null ? [] : [slack]), createJsonWebhookChannel({ http, template, ...secret })];
  const dispatcher = new Dispatcher({
    clock,
    sleep: options.sleep ?? defaultSleep,
    logger,
    maxRetries: checkCount(options.maxRetries, 4, 'maxRetries'),
    intervalMs: checkCount(options.perChannelIntervalMs, 1000, 'perChannelIntervalMs'),
    maxQueue: checkCount(options.maxQueue, 1000, 'maxQueue'),
    backoffMs: 500,
    maxBackoffMs: 30_000,
  });
  const fanOut = new FanOut((job) => dispatcher.enqueue(job));
  let closed = false;
  /** A notice that cannot be planned never will be: nothing to send, with a warning. */
  const planned = (notice: ReleaseNotice, key: string): Job[] => {
    try {
      return channels.flatMap((channel) => [...channel.plan(notice, key)]);
    } catch (error) {
      logger.warn({ ...tagOf(notice), why: describeError(error) }, 'notice not queued');
      return [];
    }
  };

  return {
    deliver(entry, onDone) {
      if (closed) {
        queueMicrotask(() => onDone('undelivered'));
        return;
      }
      fanOut.run(entry.key, planned(entry.notice, entry.key), onDone);
    },
    flush: (timeoutMs) => dispatcher.flush(timeoutMs),
    async close() {
      closed = true;
      await dispatcher.close(closeDrainMs);
    },
  };
}
