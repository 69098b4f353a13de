// One small interface per outside system. Adapters in src/adapters/ implement them; the core
// never sees them; the controller receives them through createController(deps).
import type { HookName, IntervalMeasurement, MetricEvidence } from './core/types.ts';
import type { AnalysisTemplate } from './config/analysis-schema.ts';
import type { GatewayParent, RequestMatch } from './config/route-values.ts';

/** Wall-clock time. Inject a fake in tests. */
export interface Clock {
  now(): number;
}

/** Which workloads to measure over which interval, with which query templates. */
export interface MeasureRequest {
  readonly namespace: string;
  /** The canary workload (the user's Deployment name). */
  readonly canary: string;
  /** The primary workload (`<name>-primary`). */
  readonly primary: string;
  readonly start: number;
  readonly end: number;
  readonly template: AnalysisTemplate;
  /** Latency boundary in ms: requests slower than this count as "slow" (a histogram bucket edge). */
  readonly latencyEdgeMs: number;
  /**
   * The canary's look (policy.lookMs, at most its interval): windows whose ends are multiples of
   * it are shared with other canaries (measured batched); one off that grid (a status from before
   * ends were aligned) is measured on its own. Absent: any window may be shared.
   */
  readonly intervalMs?: number;
  /**
   * The queries read this much more before `start` (one scrape interval): a counter's increase
   * needs the scrape before the first one inside the window, so consecutive windows together
   * count every scrape's increase exactly once. The answer still belongs to [start, end).
   * Absent: 0 (the range is the window).
   */
  readonly lookbackMs?: number;
  /** The template's own Prometheus (allowed by --prometheus-allow), credentials read from its Secret; absent: the controller's. */
  readonly prometheus?: PrometheusTarget;
}

/** A Prometheus other than the controller's own. Credentials are values: never logged, never in a message. */
export interface PrometheusTarget {
  readonly url: string;
  readonly timeoutMs?: number;
  readonly bearerToken?: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

/**
 * Counts for canary and primary over an interval. Never throws: an unreachable or lying
 * source yields `error` samples, an empty answer yields `no-data`.
 */
export interface MetricsSource {
  measure(request: MeasureRequest): Promise<IntervalMeasurement>;
}

/** Where a TrafficSplit (or route) lives and what it splits. */
export interface RouteRef {
  readonly namespace: string;
  /** Apex service and split name (the app name). */
  readonly name: string;
  readonly primaryService: string;
  readonly canaryService: string;
  /** Owner reference target for a route Fledge creates (the Canary), so deleting it cleans up. */
  readonly owner?: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid: string };
  /** How a Gateway API route is shaped; SMI routers ignore it. Absent: kept as the route stored has it. */
  readonly shape?: RouteShape;
}

/** The parts of an HTTPRoute that come from the app's configuration and its apex Service. */
export interface RouteShape {
  /** The apex Service's ports: backends are addressed at the first, a mesh route has a parent per port. Never empty. */
  readonly ports: readonly number[];
  /** North–south parent; null: the mesh (GAMMA), the parent is the apex Service. */
  readonly gateway: GatewayParent | null;
  readonly hostnames: readonly string[];
  /** A/B: while the canary weight is above 0, requests meeting all of these go to the canary, all others to the primary. */
  readonly match: readonly RequestMatch[];
}

/**
 * Whether the implementation behind the route took it: some parent reports Accepted=True and
 * ResolvedRefs=True for the route's current generation. `message` says why not (the parent's
 * own message when it gave one).
 */
export interface RouteAcceptance {
  readonly accepted: boolean;
  readonly message: string;
}

/** Current routing as read back from the cluster. */
export type RouteState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'foreign'; readonly owner: string } // exists but is not Fledge's: never taken over
  /** `exact`: the split names both backends, only them, with weights summing to 100 (else it drifted). */
  | { readonly kind: 'routed'; readonly canaryWeight: number; readonly primaryWeight: number; readonly exact: boolean;
      /** Routers whose implementations report on routes (Gateway API); absent: nothing to wait for (SMI). */
      readonly acceptance?: RouteAcceptance };

/**
 * Where a router reads its route objects instead of the API server: a watch cache that also
 * holds this process's own writes (controller/cached-reads.ts), so a read after a write sees it.
 */
export interface RouteReads {
  /** The object as known (null: none); undefined when the API must be asked. */
  known(namespace: string, name: string): unknown;
  /** What a write or an API read returned (null after a delete or a 404); undefined: ask the API next time. */
  wrote(namespace: string, name: string, object: unknown): void;
  /** This process changed the object (what the write returned; null: deleted it); its watch event is an echo. */
  wroteToApi?(namespace: string, name: string, object: unknown): void;
  /**
   * This process is writing the object; call the answer when the write is done (or failed). A watch
   * event meanwhile is its echo (which can come before the write's answer), or a change the
   * conditional write will refuse (409: the reconcile is retried and reads it).
   */
  writing?(namespace: string, name: string): () => void;
}

/**
 * Sends traffic between primary and canary. `write` is idempotent, creates the route when
 * missing, always writes weights that sum to 100, and throws FledgeError on API failures.
 */
export interface TrafficRouter {
  read(ref: RouteRef): Promise<RouteState>;
  write(ref: RouteRef, canaryWeight: number): Promise<void>;
  remove(ref: RouteRef): Promise<void>;
}

/** One thing worth telling people about a release. */
export interface ReleaseNotice {
  readonly namespace: string;
  readonly name: string;
  readonly revision: string;
  readonly phase: string;
  readonly canaryWeight: number;
  readonly reason: string; // the EventReason
  readonly message: string;
  readonly severity: 'Normal' | 'Warning';
  readonly at: number;
  /** Where to post, from the Canary's annotations (already checked against the allow-list). */
  readonly slackChannel?: string;
  readonly webhooks?: readonly string[];
  /** Set for an outcome hook's notice: only this hook gets it (as a HookPayload), nobody else. */
  readonly hook?: OutcomeHookTarget;
}

/** Where an outcome hook's notice goes and what completes its payload. */
export interface OutcomeHookTarget {
  readonly name: 'post-rollout' | 'rollback';
  /** Checked against the allow-list when the notice was decided. A secret: never logged. */
  readonly url: string;
  readonly step: number;
  readonly steps: number;
  readonly evidence: readonly EvidenceSummary[];
  readonly timeoutMs: number;
}

/** A notice from a Canary's outbox (status.outbox), with the key receivers de-duplicate on. */
export interface OutboxNotice {
  /** The same on every delivery of this notice, also after a restart; different for every other notice. */
  readonly key: string;
  readonly notice: ReleaseNotice;
}

/**
 * `delivered`: every target has the notice, or refused it for good (a 4xx, logged as a warning).
 * `undelivered`: some target still lacks it (retries exhausted, queue full, shutting down); hand
 * it over again later.
 */
export type DeliveryOutcome = 'delivered' | 'undelivered';

/**
 * Fire-and-forget: `deliver` returns at once, never throws and never blocks or fails a reconcile.
 * It calls `onDone` exactly once, later (never from within `deliver`). Delivery is at least once:
 * a receiver may see a key again (after a restart, or when another target failed) and should
 * ignore repeats. Within one notifier a target that already has a key is not sent it again.
 */
export interface Notifier {
  deliver(entry: OutboxNotice, onDone: (outcome: DeliveryOutcome) => void): void;
}

/** One judged metric of a run, as hook payloads show it (docs/hooks.md): its name, counts, ratio and harm e-value. */
export type EvidenceSummary = Pick<MetricEvidence, 'canaryRequests' | 'canaryEvents' | 'primaryRequests' | 'primaryEvents' | 'ratio' | 'harm'> & {
  readonly metric: string;
};

/** The JSON a hook receives (docs/hooks.md), without `id` and `timestamp`, which the runner adds. */
export interface HookPayload {
  readonly hook: HookName;
  readonly namespace: string;
  readonly app: string;
  readonly revision: string;
  readonly phase: string;
  /** Percent of requests the canary gets now. */
  readonly weight: number;
  /** The current step, 1-based; 0 before the first. */
  readonly step: number;
  readonly steps: number;
  /** Rollout hook: the interval under way (ms since the epoch, and its length). Otherwise null. */
  readonly interval: { readonly start: number; readonly durationMs: number } | null;
  readonly evidence: readonly EvidenceSummary[];
  readonly message: string;
  /** When the call was decided, ms since the epoch. */
  readonly at: number;
}

/** One hook call: a signed JSON POST, retried within bounds. */
export interface HookRequest {
  /**
   * Idempotency key (`X-Fledge-Delivery`, `Idempotency-Key`, `id` in the body): the same on every
   * attempt and re-call of one (app, run, hook, look), different for every other.
   */
  readonly key: string;
  /** A secret (tokens in paths or queries): never logged, never in a reply's detail. */
  readonly url: string;
  readonly payload: HookPayload;
  /** Per attempt. */
  readonly timeoutMs: number;
}

/**
 * `ok`: answered 2xx (with a body that is not an HTML page). `final`: not ok, and asking again
 * cannot help (4xx, a redirect, an HTML page, a refused URL). `detail`: what happened, without the
 * URL, the reply excerpted, redacted and bounded (`HTTP 503: overloaded`, `timed out after 30s`).
 */
export interface HookReply {
  readonly ok: boolean;
  readonly final: boolean;
  readonly detail: string;
}

/**
 * Calls hooks. Fire-and-forget like the Notifier: `run` returns at once, never throws and never
 * blocks a reconcile; it calls `onDone` exactly once, later, within a bounded time (per-attempt
 * timeout × attempts + backoff). Redirects are never followed; replies are read up to a cap.
 */
export interface HookRunner {
  run(request: HookRequest, onDone: (reply: HookReply) => void): void;
}

// The cluster (Kubernetes objects) and the Canary object: see src/ports/.
export type { TemplateKind, TemplateObject, TemplateRef, TemplateStatus } from './ports/template-schema.ts';
export { parseTemplate, templateLabel, templatePlurals } from './ports/template-schema.ts';

/** The label on every object Fledge creates (and its value): ownership is this and an owner reference to the Canary. */
export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedByValue = 'fledge';
export type { ClusterObjects, EventRecord, InvolvedObject, MergePatch } from './ports/cluster.ts';
export type { CanaryObject, RequestReading } from './ports/canary-object.ts';
export { canaryWith, carriesSent, parseCanary, parseRequest, readRequest, requestAnnotation } from './ports/canary-object.ts';
export type { CanarySpec, CanaryStatus, Condition, OutboxEntry } from './ports/canary-schema.ts';
export { canaryApiVersion, canaryGroup, canaryKind, canaryPlural, canaryVersion } from './ports/canary-schema.ts';
export type { StatusExtra } from './ports/canary-status.ts';
export { fromStatus, parseStatus, setCondition, toStatus } from './ports/canary-status.ts';
