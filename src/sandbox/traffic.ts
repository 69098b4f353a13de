// The traffic generator: every tick it draws the number of requests that arrived (Poisson at the
// configured rate), lets the mesh spread them over ready pods by the current weights, and has each
// pod answer them by its revision's behaviour (failure rate, log-normal latency). Counts go to the
// pods' Linkerd-style counters. Wall-clock time; seeded, so a seed repeats the same draws.
import type { PodMetrics } from './pod-metrics.ts';
import type { Random } from './random.ts';
import { spread, type Route } from './routes.ts';

/** How the pods of one image answer. */
export interface Behaviour {
  /** Share of requests answered 5xx, 0..1. */
  readonly failureRate: number;
  /** Median latency in ms; latencies are log-normal around it. */
  readonly latencyMedianMs: number;
  /** Spread of log-latency (σ of the underlying normal). p99 ≈ median × e^(2.33σ). */
  readonly latencySigma: number;
}

export type BehaviourOf = (image: string) => Behaviour;

export interface ServedCounts {
  requests: number;
  failures: number;
  /** Of the requests, those that carried the A/B tester headers. */
  matched: number;
}

export interface TrafficOptions {
  readonly routes: () => readonly Route[];
  readonly metrics: PodMetrics;
  readonly behaviour: BehaviourOf;
  readonly random: Random;
  /** Requests per second per app, read on every tick (scenarios may change it). */
  readonly rps: () => number;
  /** Called after every tick with the tick's time (the direct source snapshots here). */
  readonly onTick?: (at: number) => void;
  readonly now?: () => number;
  /** Default 100 ms; 0 = no timer (the caller ticks). */
  readonly tickMs?: number;
}

export interface Traffic {
  /** Runs one tick covering `elapsedMs` (the timer calls it; tests call it directly). */
  tick(elapsedMs: number): void;
  /** Requests and failures served per deployment (`namespace/name`) since start. */
  served(): ReadonlyMap<string, ServedCounts>;
  /** Requests the mesh could not route to any ready pod. */
  unserved(): number;
  stop(): void;
}

function answer(random: Random, behaviour: Behaviour, requests: number): { failures: number; latenciesMs: number[] } {
  const failures = random.binomial(requests, behaviour.failureRate);
  const latenciesMs: number[] = [];
  for (let index = 0; index < requests; index += 1) {
    latenciesMs.push(behaviour.latencyMedianMs * Math.exp(behaviour.latencySigma * random.normal()));
  }
  return { failures, latenciesMs };
}

export function createTraffic(options: TrafficOptions): Traffic {
  const served = new Map<string, ServedCounts>();
  let unserved = 0;
  const now = options.now ?? Date.now;

  const serveRoute = (route: Route, requests: number): void => {
    const { matched } = route;
    if (matched === undefined) {
      serveBackends(route, requests, false);
      return;
    }
    const tagged = options.random.binomial(requests, Math.min(1, matched.share));
    serveBackends({ ...route, backends: matched.backends }, tagged, true);
    serveBackends(route, requests - tagged, false);
  };

  const serveBackends = (route: Route, requests: number, tagged: boolean): void => {
    const result = spread(route, requests, options.random);
    unserved += result.unserved;
    for (const assignment of result.assignments) {
      const answered = answer(options.random, options.behaviour(assignment.pod.image), assignment.requests);
      options.metrics.record({ namespace: route.namespace, deployment: assignment.deployment, pod: assignment.pod.name }, answered);
      const id = `${route.namespace}/${assignment.deployment}`;
      const counts = served.get(id) ?? { requests: 0, failures: 0, matched: 0 };
      counts.requests += assignment.requests;
      if (tagged) counts.matched += assignment.requests;
      counts.failures += answered.failures;
      served.set(id, counts);
    }
  };

  const tick = (elapsedMs: number): void => {
    const mean = (Math.max(0, options.rps()) * elapsedMs) / 1000;
    for (const route of options.routes()) serveRoute(route, options.random.poisson(mean));
    options.onTick?.(now());
  };

  let last = now();
  const tickMs = options.tickMs ?? 100;
  const timer = tickMs <= 0 ? undefined : setInterval(() => {
    const at = now();
    tick(at - last);
    last = at;
  }, tickMs);

  return {
    tick,
    served: () => served,
    unserved: () => unserved,
    stop: () => clearInterval(timer),
  };
}
