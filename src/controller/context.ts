// What one reconcile of one app works with: its dependencies and what it read.
import type { Logger } from 'pino';
import type { V1Deployment } from '@kubernetes/client-node';
import type { CanaryObject, Clock, ClusterObjects, MetricsSource, Notifier, RouteRef, TrafficRouter } from '../ports.ts';
import type { Catalog } from '../config/catalog.ts';
import type { CanaryConfig } from '../config/canary-config.ts';
import type { RouterKind } from '../config/knobs.ts';
import type { Deliveries } from './deliveries.ts';
import type { HookCalls } from './hook-calls.ts';
import type { AppNames } from './names.ts';
import type { AppAnalysis } from './app-analysis.ts';
import type { EndedRelease } from './release-outcome.ts';
import type { HeldLooks } from './held-looks.ts';
import type { LookPace } from './look-pace.ts';

/** Counters and gauges reconcile reports to (`/metrics`); a no-op in tests that do not care. */
export interface ReconcileTelemetry {
  /** One judged interval's outcome: continue, rollback, or pause:<cause>. */
  readonly verdict: (outcome: string) => void;
  readonly canary: (names: AppNames, phase: string, weight: number) => void;
  readonly evidence?: (names: AppNames, samples: ReadonlyArray<{ metric: string; harm: number; safe: number }>) => void;
  /** One hook call answered (after its retries): 2xx or not. */
  readonly hookAnswer?: (hook: string, ok: boolean) => void;
  /** A run ended (promoted, rolled back or aborted); called once, after its status was written. */
  readonly released?: (names: AppNames, release: EndedRelease) => void;
}

export interface ReconcileDeps {
  readonly cluster: ClusterObjects;
  readonly routerFor: (kind: RouterKind) => TrafficRouter;
  readonly metrics: MetricsSource;
  readonly notifier: Notifier;
  /** This process's memory of outbox entries in flight and delivered (see outbox.ts). */
  readonly deliveries: Deliveries;
  /** This process's hook calls and their answers (see hook-calls.ts). */
  readonly hooks: HookCalls;
  readonly catalog: Catalog;
  readonly clock: Clock;
  readonly log: Logger;
  readonly telemetry?: ReconcileTelemetry;
  /** Webhook URLs a Deployment may name must start with one of these (empty: none allowed). */
  readonly webhookAllowList?: readonly string[];
  /**
   * Prometheus addresses an analysis template may name must start with one of these (see
   * allow-list.ts); absent: only the controller's own Prometheus (templates without an address).
   */
  readonly prometheusAllowList?: readonly string[];
  /** False when the controller may not read cluster-scoped objects (one namespace): ClusterAnalysisTemplates are not looked up. */
  readonly clusterTemplates?: boolean;
  /** The namespace a ClusterAnalysisTemplate's Secret is read from (default fledge-system). */
  readonly controllerNamespace?: string;
  /** Looks judged but not written yet (see held-looks.ts); absent: every look is written. */
  readonly looks?: HeldLooks;
  /** How often the controller can afford to look (see look-pace.ts); absent: always as the policy says. */
  readonly pace?: LookPace;
}

export interface AppContext {
  readonly deps: ReconcileDeps;
  readonly names: AppNames;
  readonly target: V1Deployment;
  readonly canary: CanaryObject;
  readonly config: CanaryConfig;
  /** The analysis template looked up and pinned for this reconcile; null when the built-in catalog answered alone. */
  readonly analysis: Extract<AppAnalysis, { kind: 'ok' }> | null;
  readonly router: TrafficRouter;
  readonly route: RouteRef;
  /** The router the Canary's spec named before this reconcile brought the spec up to date (a switch leaves the other router's route behind). */
  readonly priorRouter: string | null;
  readonly log: Logger;
}

export function routeRefOf(names: AppNames, canary: CanaryObject): RouteRef {
  return {
    namespace: names.namespace,
    name: names.app,
    primaryService: names.primaryService,
    canaryService: names.canaryService,
    owner: { apiVersion: canary.apiVersion, kind: canary.kind, name: canary.metadata.name ?? names.app, uid: canary.metadata.uid ?? '' },
  };
}
