// Slack incoming webhook: one Block Kit message per notice, into the channel the webhook was
// created for (incoming webhooks cannot pick a channel or edit a message). The webhook URL is
// the credential: it is used for the request and nowhere else.
import type { ReleaseNotice } from '../../ports.ts';
import type { Attempt, HttpDeps, Job, NoticeChannel } from './channel.ts';
import { tagOf } from './channel.ts';
import { errorAttempt, postJson, statusAttempt } from './http.ts';
import type { SlackRenderer } from './slack-blocks.ts';

export interface SlackWebhookOptions {
  readonly webhookUrl: string;
  readonly http: HttpDeps;
  readonly renderer: SlackRenderer;
  /** Posts only notices that name a Slack channel, unless a default channel is configured. */
  readonly defaultChannel?: string;
}

/** Log name and rate-limit lane of the webhook. */
export const slackWebhookTarget = 'slack-webhook';

export function createSlackWebhookChannel(options: SlackWebhookOptions): NoticeChannel {
  const send = async (notice: ReleaseNotice, signal: AbortSignal): Promise<Attempt> => {
    const { http } = options;
    try {
      const reply = await postJson({
        fetch: http.fetch,
        url: options.webhookUrl,
        headers: {},
        body: JSON.stringify(options.renderer.release(notice)),
        signal,
        timeoutMs: http.timeoutMs,
        now: http.clock.now(),
      });
      return statusAttempt(reply);
    } catch (error) {
      return errorAttempt(error);
    }
  };
  return {
    plan(notice): readonly Job[] {
      if ((notice.slackChannel ?? options.defaultChannel) === undefined) return [];
      return [{ lane: slackWebhookTarget, target: slackWebhookTarget, tag: tagOf(notice), send: (signal) => send(notice, signal) }];
    },
  };
}
