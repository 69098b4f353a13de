// Message text from a template string with `{{placeholder}}`s. Templates are checked once, when
// the notifier is created: an unknown placeholder is a configuration error, not a blank.
import type { ReleaseNotice } from '../../ports.ts';
import { FledgeError } from '../../errors.ts';

export const placeholders = ['name', 'namespace', 'revision', 'phase', 'weight', 'reason', 'message', 'severity'] as const;
export type Placeholder = (typeof placeholders)[number];

/** The text of a Slack message (notification line, thread reply) and the webhook payload's `text`. */
export const defaultTemplate = '{{name}}.{{namespace}} {{reason}}: revision {{revision}}, {{phase}}, canary at {{weight}}%. {{message}}';

export interface Template {
  /** Fills the placeholders; `escape` is applied to each value (not to the template's own text). */
  render(notice: ReleaseNotice, escape?: (value: string) => string): string;
}

const placeholderPattern = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

function isPlaceholder(name: string): name is Placeholder {
  return (placeholders as readonly string[]).includes(name);
}

/** Throws FLEDGE_CONFIG_INVALID naming the first unknown placeholder. `what` names the setting. */
export function compileTemplate(source: string, what = 'notification template'): Template {
  for (const match of source.matchAll(placeholderPattern)) {
    const name = match[1] ?? '';
    if (!isPlaceholder(name)) {
      throw new FledgeError('FLEDGE_CONFIG_INVALID', `${what}: unknown placeholder {{${name}}}; allowed: ${placeholders.map((p) => `{{${p}}}`).join(' ')}`);
    }
  }
  return {
    render(notice, escape = (value) => value) {
      const values = valuesOf(notice);
      return source.replace(placeholderPattern, (_whole, name: string) => escape(isPlaceholder(name) ? values[name] : ''));
    },
  };
}

function valuesOf(notice: ReleaseNotice): Record<Placeholder, string> {
  return {
    name: notice.name,
    namespace: notice.namespace,
    revision: notice.revision,
    phase: notice.phase,
    weight: String(notice.canaryWeight),
    reason: notice.reason,
    message: notice.message,
    severity: notice.severity,
  };
}

/** Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
