// Slack with a bot token (Web API): ONE message per release, kept up to date with
// `chat.update`, and a thread reply per later notice, so the channel shows each release once
// with its latest state and its timeline underneath. Slack answers HTTP 200 `{ok:false, error}`
// for most errors and 429 + Retry-After (seconds) when rate limited; both are handled here.
// The token travels only in the Authorization header.
import type { ReleaseNotice } from '../../ports.ts';
import type { Attempt, HttpDeps, Job, NoticeChannel } from './channel.ts';
import { tagOf } from './channel.ts';
import { errorAttempt, postJson, statusAttempt, type HttpReply } from './http.ts';
import type { SlackMessage, SlackRenderer } from './slack-blocks.ts';

export interface SlackBotOptions {
  readonly botToken: string;
  /** Web API base, e.g. https://slack.com/api (no trailing slash). */
  readonly apiUrl: string;
  readonly http: HttpDeps;
  readonly renderer: SlackRenderer;
  /** Channel for notices that name none; without it such notices skip Slack. */
  readonly defaultChannel?: string;
  /** Releases whose message id is remembered (oldest forgotten first). */
  readonly maxReleases?: number;
}

interface ApiOutcome {
  readonly attempt: Attempt;
  /** Slack's error string (`channel_not_found` …) when it answered ok:false. */
  readonly error: string | null;
  readonly ts: string | null;
  readonly channel: string | null;
}

interface Thread {
  /** The channel id Slack answered with (chat.update needs the id, not the name). */
  readonly channel: string;
  readonly ts: string;
}

interface Upserted {
  readonly attempt: Attempt;
  /** A new message was posted (this notice opened the release's thread). */
  readonly opened: boolean;
}

/** Shared by the two jobs of one notice: did the first one open the release's message? */
interface Progress {
  opened: boolean;
}

const retryableErrors: ReadonlySet<string> = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** chat.update cannot edit the message any more: post a fresh one. */
const lostMessageErrors: ReadonlySet<string> = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

function parseApiReply(reply: HttpReply): ApiOutcome {
  const none = { error: null, ts: null, channel: null };
  if (reply.status !== 200) return { attempt: statusAttempt(reply), ...none };
  let body: { ok?: unknown; error?: unknown; ts?: unknown; channel?: unknown } = {};
  try {
    body = JSON.parse(reply.body) as typeof body;
  } catch {
    return { attempt: { kind: 'retry', why: 'invalid_response', retryAfterMs: null }, ...none };
  }
  if (body.ok === true) {
    const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
    return { attempt: { kind: 'sent' }, error: null, ts: text(body.ts), channel: text(body.channel) };
  }
  // Slack error strings are snake_case codes; anything else is not echoed into logs.
  const error = typeof body.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? body.error : 'invalid_response';
  const attempt: Attempt = retryableErrors.has(error)
    ? { kind: 'retry', why: error, retryAfterMs: reply.retryAfterMs }
    : { kind: 'failed', why: error };
  return { ...none, attempt, error };
}

class LruMap<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly limit: number) {}

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    const oldest = this.#map.keys().next();
    if (this.#map.size > this.limit && oldest.done !== true) this.#map.delete(oldest.value);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }
}

export function createSlackBotChannel(options: SlackBotOptions): NoticeChannel {
  const threads = new LruMap<Thread>(options.maxReleases ?? 5000);

  const call = async (method: string, payload: object, signal: AbortSignal): Promise<ApiOutcome> => {
    const { http } = options;
    try {
      const reply = await postJson({
        fetch: http.fetch,
        url: `${options.apiUrl}/${method}`,
        headers: { authorization: `Bearer ${options.botToken}` },
        body: JSON.stringify(payload),
        signal,
        timeoutMs: http.timeoutMs,
        now: http.clock.now(),
      });
      return parseApiReply(reply);
    } catch (error) {
      return { attempt: errorAttempt(error), error: null, ts: null, channel: null };
    }
  };

  /** Updates the release's message, or posts it when there is none (or it can no longer be edited). */
  const upsert = async (release: string, channel: string, message: SlackMessage, signal: AbortSignal): Promise<Upserted> => {
    const thread = threads.get(release);
    if (thread !== undefined) {
      const updated = await call('chat.update', { channel: thread.channel, ts: thread.ts, ...message }, signal);
      if (updated.error === null || !lostMessageErrors.has(updated.error)) return { attempt: updated.attempt, opened: false };
      threads.delete(release);
    }
    const posted = await call('chat.postMessage', { channel, ...message }, signal);
    if (posted.ts === null) return { attempt: posted.attempt, opened: false };
    threads.set(release, { channel: posted.channel ?? channel, ts: posted.ts });
    return { attempt: posted.attempt, opened: true };
  };

  const reply = async (release: string, message: SlackMessage, signal: AbortSignal): Promise<Attempt> => {
    const thread = threads.get(release);
    if (thread === undefined) return { kind: 'failed', why: 'no release message to reply to' };
    const posted = await call('chat.postMessage', { channel: thread.channel, thread_ts: thread.ts, ...message }, signal);
    return posted.attempt;
  };

  return {
    plan(notice: ReleaseNotice): readonly Job[] {
      const channel = notice.slackChannel ?? options.defaultChannel;
      if (channel === undefined) return [];
      const release = `${channel}|${notice.namespace}/${notice.name}@${notice.revision}`;
      const lane = `slack-bot:${channel}`;
      const progress: Progress = { opened: false };
      const main: Job = {
        lane, target: lane, tag: tagOf(notice),
        send: async (signal) => {
          const upserted = await upsert(release, channel, options.renderer.release(notice), signal);
          progress.opened = upserted.opened;
          return upserted.attempt;
        },
      };
      const threaded: Job = {
        lane, target: `${lane} thread`, tag: tagOf(notice),
        send: (signal) => (progress.opened ? Promise.resolve({ kind: 'skipped' }) : reply(release, options.renderer.reply(notice), signal)),
      };
      return [main, threaded];
    },
  };
}
