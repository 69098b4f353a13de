// `fledge controller` settings: flags first, then FLEDGE_* environment variables, then
// defaults, validated once by zod. Credentials are only ever named by file path.
import { z } from 'zod';
import { parseDuration } from '../../config/values.ts';
import { FledgeError } from '../../errors.ts';

/** Flag name → environment variable. */
export const settingEnv = {
  kubeconfig: 'KUBECONFIG',
  context: 'FLEDGE_CONTEXT',
  namespace: 'FLEDGE_NAMESPACE',
  'prometheus-url': 'FLEDGE_PROMETHEUS_URL',
  'prometheus-token-file': 'FLEDGE_PROMETHEUS_TOKEN_FILE',
  'prometheus-basic-auth-file': 'FLEDGE_PROMETHEUS_BASIC_AUTH_FILE',
  'prometheus-timeout': 'FLEDGE_PROMETHEUS_TIMEOUT',
  'metrics-addr': 'FLEDGE_METRICS_ADDR',
  'health-addr': 'FLEDGE_HEALTH_ADDR',
  'leader-elect': 'FLEDGE_LEADER_ELECT',
  'leader-namespace': 'FLEDGE_LEADER_NAMESPACE',
  resync: 'FLEDGE_RESYNC',
  concurrency: 'FLEDGE_CONCURRENCY',
  'log-level': 'FLEDGE_LOG_LEVEL',
  'log-format': 'FLEDGE_LOG_FORMAT',
  'slack-token-file': 'FLEDGE_SLACK_TOKEN_FILE',
  'slack-webhook-file': 'FLEDGE_SLACK_WEBHOOK_FILE',
  'slack-channel': 'FLEDGE_SLACK_CHANNEL',
  'slack-api-url': 'FLEDGE_SLACK_API_URL',
  'dashboard-link': 'FLEDGE_DASHBOARD_LINK',
  'message-template': 'FLEDGE_MESSAGE_TEMPLATE',
  'notify-interval': 'FLEDGE_NOTIFY_INTERVAL',
  'webhook-secret-file': 'FLEDGE_WEBHOOK_SECRET_FILE',
  'webhook-allow': 'FLEDGE_WEBHOOK_ALLOW',
  'prometheus-allow': 'FLEDGE_PROMETHEUS_ALLOW',
} as const;

export type SettingName = keyof typeof settingEnv;

const address = z.string().regex(/^(\[[0-9a-f:]+\]|[0-9a-zA-Z.-]*):\d{1,5}$/, 'expected HOST:PORT, e.g. 127.0.0.1:8080 or :8080 (all interfaces)');
const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms < 1000) ctx.addIssue({ code: 'custom', message: 'expected a duration of at least 1s, e.g. 30s' });
  return ms ?? 0;
});
const optional = z.string().min(1).optional();

export const settingsSchema = z.object({
  kubeconfig: optional,
  context: optional,
  /** Watch one namespace; all when absent. */
  namespace: optional,
  /** Without user info: credentials only come from the files below, so they stay out of argv and env dumps. */
  'prometheus-url': z.url({ protocol: /^https?$/ }).refine(
    (url) => !URL.canParse(url) || (new URL(url).username === '' && new URL(url).password === ''),
    'must not carry a user name or password; use --prometheus-token-file or --prometheus-basic-auth-file',
  ),
  /** A file holding a bearer token, or `user:password` for basic auth (mounted from a Secret). */
  'prometheus-token-file': optional,
  'prometheus-basic-auth-file': optional,
  'prometheus-timeout': z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null || ms < 100) ctx.addIssue({ code: 'custom', message: 'expected a duration of at least 100ms, e.g. 10s' });
    return ms ?? 0;
  }).default(10_000),
  'metrics-addr': address.default('127.0.0.1:8080'),
  'health-addr': address.default('127.0.0.1:8081'),
  'leader-elect': z.stringbool().default(false),
  /** Where the Lease lives. */
  'leader-namespace': z.string().min(1).default('fledge-system'),
  resync: duration.default(30_000),
  concurrency: z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.int().min(1).max(64)).default(4),
  'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  'log-format': z.enum(['json', 'pretty']).default('json'),
  'slack-token-file': optional,
  'slack-webhook-file': optional,
  'slack-channel': optional,
  /** Slack's Web API base (bot token); the notifier's default is https://slack.com/api. */
  'slack-api-url': z.url({ protocol: /^https?$/ }).optional(),
  /** A URL template for the "Dashboard" link of Slack messages (the message placeholders, URL-encoded). */
  'dashboard-link': optional,
  /** The one-line text of every notice (docs/notifications.md); unknown placeholders stop the start. */
  'message-template': optional,
  /** Least time between two posts to one Slack channel or webhook URL. */
  'notify-interval': duration.default(1000),
  'webhook-secret-file': optional,
  /** Comma-separated URL prefixes a Deployment's fledge.dev/webhooks may use. */
  'webhook-allow': z.string().transform((text) => text.split(',').map((s) => s.trim()).filter((s) => s !== '')).default([]),
  /** Comma-separated URL prefixes an analysis template's prometheus.address may use; absent: only --prometheus-url. */
  'prometheus-allow': z.string().transform((text) => text.split(',').map((s) => s.trim()).filter((s) => s !== '')).optional(),
});

export type ControllerSettings = z.output<typeof settingsSchema>;

/** Flags win over the environment; empty environment values count as unset. */
export function readSettings(
  flags: Readonly<Record<string, string | boolean | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): ControllerSettings {
  const raw: Record<string, string> = {};
  for (const [name, variable] of Object.entries(settingEnv)) {
    const flag = flags[name];
    const value = flag === undefined ? env[variable] : String(flag);
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const result = settingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const variable = settingEnv[name as SettingName] as string | undefined;
    return `--${name}${variable === undefined ? '' : ` (or ${variable})`}: ${issue.message}`;
  });
  throw new FledgeError('FLEDGE_USAGE', problems.join('; '));
}

/** `host:port` → listen arguments; an empty host means every interface. */
export function listenAddress(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon).replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(text.slice(colon + 1)) };
}
