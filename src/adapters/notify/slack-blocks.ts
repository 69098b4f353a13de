// Block Kit for a release notice: a header (app and namespace), fields (revision, phase, canary
// weight, event), the judge's reason, links; the colour bar and emoji follow the outcome.
// Shared by the incoming-webhook and bot-token channels.
import type { ReleaseNotice } from '../../ports.ts';
import { escapeSlack, type Template } from './templates.ts';

export interface SlackMessage {
  /** Notification and fallback text (the rendered template). */
  readonly text: string;
  readonly attachments?: readonly unknown[];
}

export interface SlackRendererOptions {
  readonly template: Template;
  /** A URL template (same placeholders) for a "Dashboard" link; values are URL-encoded. */
  readonly dashboard?: Template;
}

export interface SlackRenderer {
  /** The full message: posted once per notice (webhook) or kept up to date (bot). */
  release(notice: ReleaseNotice): SlackMessage;
  /** A one-line thread reply for the release's timeline (bot). */
  reply(notice: ReleaseNotice): SlackMessage;
}

interface Tone {
  readonly emoji: string;
  readonly color: string;
}

const failureReasons: ReadonlySet<string> = new Set(['RolledBack', 'ProgressDeadlineExceeded', 'Aborted']);

function toneOf(notice: ReleaseNotice): Tone {
  if (notice.reason === 'Promoted') return { emoji: ':white_check_mark:', color: '#2eb886' };
  if (failureReasons.has(notice.reason)) return { emoji: ':x:', color: '#a30200' };
  if (notice.severity === 'Warning') return { emoji: ':warning:', color: '#daa038' };
  return { emoji: ':hatching_chick:', color: '#439fe0' };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function field(label: string, value: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: `*${label}*\n${clip(value, 1900)}` };
}

function blocksOf(notice: ReleaseNotice, tone: Tone, dashboard: string | undefined): unknown[] {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', emoji: true, text: clip(`${tone.emoji} ${notice.name} · ${notice.namespace}`, 150) } },
    {
      type: 'section',
      fields: [
        field('Revision', `\`${escapeSlack(notice.revision)}\``),
        field('Phase', escapeSlack(notice.phase)),
        field('Canary weight', `${notice.canaryWeight}%`),
        field('Event', escapeSlack(notice.reason)),
      ],
    },
  ];
  if (notice.message !== '') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(escapeSlack(notice.message), 3000) } });
  }
  const context = [`<!date^${Math.floor(notice.at / 1000)}^{date_short_pretty} {time}|${new Date(notice.at).toISOString()}>`];
  if (dashboard !== undefined) context.push(`<${dashboard}|Dashboard>`);
  blocks.push({ type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) });
  return blocks;
}

export function createSlackRenderer(options: SlackRendererOptions): SlackRenderer {
  const text = (notice: ReleaseNotice): string => clip(options.template.render(notice, escapeSlack), 3000);
  return {
    release(notice) {
      const tone = toneOf(notice);
      const dashboard = options.dashboard?.render(notice, encodeURIComponent);
      return { text: `${tone.emoji} ${text(notice)}`, attachments: [{ color: tone.color, blocks: blocksOf(notice, tone, dashboard) }] };
    },
    reply(notice) {
      return { text: `${toneOf(notice).emoji} ${text(notice)}` };
    },
  };
}
