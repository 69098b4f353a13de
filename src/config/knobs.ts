// The annotation knobs: ONE table from which parsing (annotations.ts), resolution (resolve.ts)
// and the README's annotation table (annotation-docs.ts) all come, so they cannot drift.
// Each knob is one annotation `fledge.dev/<name>` read by one zod schema from trimmed text.
import type { z } from 'zod';
import { minIntervalMs } from './strategy-schema.ts';
import { booleanText, decimalText, durationText, oneOfText, weightsText } from './values.ts';
import {
  catalogNameText, cronText, hookTimeoutText, hookUrlText, latencyText, slackChannelText, timeZoneText, trackText, webhooksText,
  type TrackedRef,
} from './knob-values.ts';
import { gatewayText, hostnamesText, matchText } from './route-values.ts';

export const annotationPrefix = 'fledge.dev/';

/**
 * `fledge.dev/*` keys that are not knobs: written by Fledge or its CLI, never configuration
 * (`fledge.dev/request` carries `fledge promote` & co. on the Canary). They are not reported as unknown.
 */
export const reservedKeys: readonly string[] = ['request'];

export const routerKinds = ['smi-v1alpha2', 'smi-v1alpha1', 'smi-v1alpha3', 'smi-v1alpha4', 'gateway-api'] as const;
export type RouterKind = (typeof routerKinds)[number];

export interface Knob<T> {
  readonly schema: z.ZodType<T, string>;
  /** The value when the annotation is absent; undefined when it comes from elsewhere (see defaultText). */
  readonly default: T | undefined;
  /** The default as the README shows it. */
  readonly defaultText: string;
  /** What is allowed, ending every error message: "allowed is <this>". */
  readonly allowed: string;
  readonly description: string;
  /** The value may carry secrets (tokens in URLs): messages and the Canary spec show it redacted. */
  readonly secret?: boolean;
}

// T comes from the schema alone: a default such as 'sequential' must not widen it to string.
function knob<T>(definition: Omit<Knob<T>, 'default'> & { readonly default: NoInfer<T> | undefined }): Knob<T> {
  return definition;
}

const judges = ['sequential', 'threshold'] as const;

const hookAllowed = 'an http(s) URL that the controller allow-list (--webhook-allow) permits';

function hook(description: string): Knob<string> {
  return knob({ schema: hookUrlText, default: undefined, defaultText: 'none', secret: true, allowed: hookAllowed, description });
}
const promotions = ['schedule', 'evidence'] as const;
export const noDataChoices = ['rollback', 'pause'] as const;

export const knobs = {
  canary: knob({
    schema: booleanText, default: false, defaultText: 'false', allowed: 'true or false',
    description: 'Turns Fledge on for this Deployment. "false" or removing it hands the app back: all traffic to the primary.',
  }),
  strategy: knob({
    schema: catalogNameText, default: 'canary', defaultText: 'canary', allowed: 'the name of a file in strategies/',
    description: 'The release schedule preset: steps, bake time, interval, promotion mode (see the strategies below).',
  }),
  steps: knob({
    schema: weightsText, default: undefined, defaultText: "the strategy's",
    allowed: 'comma-separated whole percentages from 0 to 100, strictly increasing, such as 5,10,25,50',
    description: "Canary weights, step by step; overrides the strategy's. Promotion follows the last step.",
  }),
  interval: knob({
    schema: durationText(minIntervalMs), default: undefined, defaultText: "the strategy's",
    allowed: 'a duration of at least 5s, such as 30s or 1m',
    description: "How often canary and primary are measured and judged. At least twice the analysis template's scrape interval.",
  }),
  bake: knob({
    schema: durationText(minIntervalMs), default: undefined, defaultText: "the strategy's",
    allowed: 'a duration no shorter than the interval, such as 2m',
    description: 'Minimum time at each step before traffic moves on.',
  }),
  promotion: knob({
    schema: oneOfText(promotions), default: undefined, defaultText: "the strategy's", allowed: 'schedule or evidence',
    description: '"schedule": advance when the bake time is over and no harm is seen. "evidence": advance once the canary is shown to be no worse (needs traffic).',
  }),
  analysis: knob({
    schema: catalogNameText, default: 'linkerd', defaultText: 'linkerd', allowed: "an AnalysisTemplate in the app's namespace, a ClusterAnalysisTemplate, or a file in analysis/ (looked up in that order)",
    description: 'The analysis template: Prometheus queries for requests, failures and slow requests, extra metrics and gauge checks (see the templates below and "Writing an analysis template").',
  }),
  'success-rate-min': knob({
    schema: decimalText({ min: 0, max: 100, exclusiveMin: true, exclusiveMax: true, percent: true }), default: 99,
    defaultText: '99', allowed: 'a percentage above 0 and below 100, such as 99 or 99.5%',
    description: 'SLO: the share of requests that must not fail (5xx). A canary that breaks it alone is rolled back.',
  }),
  'latency-p99-max': knob({
    schema: latencyText, default: 500, defaultText: '500 (ms)',
    allowed: "milliseconds above 0 (500, 500ms or 1s) that are a bucket edge of the analysis template's latency histogram",
    description: 'SLO: p99 latency. Requests slower than this edge count as slow; p99 ≤ edge means at most 1% are slow.',
  }),
  judge: knob({
    schema: oneOfText(judges), default: 'sequential', defaultText: 'sequential', allowed: 'sequential or threshold',
    description: '"sequential": compare canary with primary by a sequential test valid at every look. "threshold": Flagger-style checks against the SLO.',
  }),
  'max-failed-checks': knob({
    schema: decimalText({ min: 1, max: 1000, integer: true }), default: 5, defaultText: '5',
    allowed: 'a whole number from 1 to 1000',
    description: 'Threshold judge: failed checks in a run before rolling back (no data is not a failed check).',
  }),
  alpha: knob({
    schema: decimalText({ min: 0, max: 0.5, exclusiveMin: true }), default: 0.05, defaultText: '0.05',
    allowed: 'a number above 0 and at most 0.5, such as 0.05',
    description: 'Sequential judge: the chance, over a whole run, of rolling back a canary that is as good as the primary.',
  }),
  beta: knob({
    schema: decimalText({ min: 0, max: 0.5, exclusiveMin: true }), default: 0.05, defaultText: '0.05',
    allowed: 'a number above 0 and at most 0.5, such as 0.05',
    description: 'Evidence promotion: the chance of advancing a canary that is worse than the margin.',
  }),
  'progress-deadline': knob({
    schema: durationText(60_000), default: 600_000, defaultText: '10m',
    allowed: 'a duration of at least 1m and at least twice the interval, such as 10m',
    description: 'A run that makes no progress this long (canary not ready, no data) is rolled back.',
  }),
  'on-no-data': knob({
    schema: oneOfText(noDataChoices), default: 'rollback', defaultText: 'rollback', allowed: 'rollback or pause',
    description: 'What a run does when its canary has received no traffic by the progress deadline: "rollback", or "pause" to wait at the promotion gate for `fledge promote` or `fledge abort` (see gate-timeout).',
  }),
  'pause-limit': knob({
    schema: durationText(60_000), default: 1_800_000, defaultText: '30m',
    allowed: 'a duration of at least 1m, such as 30m or 2h',
    description: 'A run paused this long by no canary data or Prometheus errors moves all traffic back to the primary and waits for `fledge resume` or `fledge abort`.',
  }),
  'gate-timeout': knob({
    schema: durationText(60_000), default: undefined, defaultText: 'none (wait forever)',
    allowed: 'a duration of at least 1m, such as 4h',
    description: 'A run waiting this long at the promotion gate for `fledge promote` (manual-gate, or on-no-data: pause) is aborted (rolled back).',
  }),
  window: knob({
    schema: cronText, default: undefined, defaultText: 'none (any time)',
    allowed: 'a 5-field cron expression (minute hour day month weekday), such as * 9-16 * * 1-5',
    description: 'The minutes when traffic may move to the canary, checked minute by minute; outside them the release waits.',
  }),
  'window-timezone': knob({
    schema: timeZoneText, default: 'UTC', defaultText: 'UTC', allowed: 'an IANA time zone, such as Europe/Berlin',
    description: 'The time zone the window is read in.',
  }),
  'manual-gate': knob({
    schema: booleanText, default: false, defaultText: 'false', allowed: 'true or false',
    description: 'Pause before promotion until someone runs `fledge promote`.',
  }),
  'slack-channel': knob({
    schema: slackChannelText, default: undefined, defaultText: 'none',
    allowed: 'a Slack channel name such as #releases, or a channel ID such as C0123456789',
    description: 'Where release notices go (with a bot token; an incoming webhook posts to its own channel).',
  }),
  webhooks: knob({
    schema: webhooksText, default: undefined, defaultText: 'none', secret: true,
    allowed: 'up to 10 comma-separated http(s) URLs',
    description: 'URLs that receive every release notice as signed JSON. Shown redacted (scheme and host) in messages.',
  }),
  'hook-pre-rollout': hook('Called (signed JSON POST, see docs/hooks.md) once the canary is ready, before any traffic moves; anything but 2xx rolls the run back.'),
  'hook-rollout': hook('Called at the start of every interval while the canary has traffic (load generators, smoke tests); hook-failures failures in a row roll the run back.'),
  'hook-confirm-promotion': hook('Polled before promotion until it answers 2xx; the run is Paused (ConfirmationPending) meanwhile and aborted after gate-timeout (1h when unset).'),
  'hook-post-rollout': hook('Told once a run is promoted (at least once, de-duplicated by the Idempotency-Key header).'),
  'hook-rollback': hook('Told once a run is rolled back (at least once, de-duplicated by the Idempotency-Key header).'),
  'hook-timeout': knob({
    schema: hookTimeoutText, default: 30_000, defaultText: '30s', allowed: 'a duration from 1s to 5m',
    description: 'How long one hook call may take (each of up to 3 attempts); a call that times out has failed.',
  }),
  'hook-failures': knob({
    schema: decimalText({ min: 1, max: 100, integer: true }), default: 3, defaultText: '3', allowed: 'a whole number from 1 to 100',
    description: 'Rollout-hook failures in a row that roll the run back (each one is a Warning Event).',
  }),
  track: knob({
    schema: trackText, default: undefined, defaultText: 'what the pod template references',
    allowed: 'comma-separated configmap/NAME or secret/NAME, such as configmap/app-config,secret/app-tls, or none',
    description: 'ConfigMaps and Secrets whose contents are part of the revision: a change to them starts a release. By default those the pod template references (volumes, env, envFrom).',
  }),
  router: knob({
    schema: oneOfText(routerKinds), default: 'smi-v1alpha2', defaultText: 'smi-v1alpha2',
    allowed: 'smi-v1alpha2, smi-v1alpha1, smi-v1alpha3, smi-v1alpha4 or gateway-api',
    description: 'What routes traffic: an SMI TrafficSplit of that version (v1alpha2 has integer weights; Linkerd\'s SMI extension serves v1alpha1 and v1alpha2), or a Gateway API HTTPRoute (`gateway-api`: Linkerd 2.14+, Istio, Cilium, Envoy Gateway, Kong, NGINX Gateway Fabric). See Routing.',
  }),
  gateway: knob({
    schema: gatewayText, default: undefined, defaultText: 'none (mesh: the route\'s parent is the app\'s Service)',
    allowed: '[NAMESPACE/]NAME[:SECTION] of a Gateway, with fledge.dev/router: gateway-api',
    description: 'North–south: the Gateway (and listener) the HTTPRoute attaches to, instead of the app\'s Service (the mesh, GAMMA).',
  }),
  hostnames: knob({
    schema: hostnamesText, default: undefined, defaultText: 'none (every hostname of the Gateway)',
    allowed: 'comma-separated DNS names such as a.example.com,b.example.com, with fledge.dev/gateway',
    description: 'The HTTPRoute\'s hostnames when it attaches to a Gateway.',
  }),
  match: knob({
    schema: matchText, default: undefined, defaultText: 'none (split by weight)',
    allowed: 'comma-separated header:NAME=VALUE, header:NAME~REGEX, cookie:NAME=VALUE or query:NAME=VALUE, with fledge.dev/router: gateway-api',
    description: 'A/B: during a run only requests meeting all of these reach the canary, all others stay on the primary; the steps become checkpoints (each baked and judged, weights unused).',
  }),
};

export type KnobName = keyof typeof knobs;
export const knobNames = Object.keys(knobs) as KnobName[];

/** Parsed knob values, by name. */
export type KnobValues = { [K in KnobName]: (typeof knobs)[K] extends Knob<infer T> ? T : never };

export type { TrackedRef };
