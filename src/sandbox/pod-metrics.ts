// Linkerd-style proxy counters of the simulated pods, exposed in the Prometheus text format:
//   response_total{namespace, deployment, pod, direction="inbound", classification, status_code}
//   response_latency_ms_bucket{…, le} (+ _count, _sum), in milliseconds, Linkerd's bucket edges.
// All pods share one registry and one loopback endpoint (Prometheus scrapes it with
// honor_labels). Per-deployment running totals feed the direct metrics source.

/** The Linkerd proxy's latency bucket edges (ms); +Inf is implicit. */
export const bucketEdgesMs = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000] as const;

export interface PodKey {
  readonly namespace: string;
  readonly deployment: string;
  readonly pod: string;
}

/** What one pod answered during one tick. */
export interface Served {
  readonly failures: number;
  /** Latency of every request served (successes and failures), in ms. */
  readonly latenciesMs: readonly number[];
}

/** Cumulative counts of one pod or one deployment. `buckets[i]` counts requests ≤ bucketEdgesMs[i]. */
export interface Totals {
  requests: number;
  failures: number;
  buckets: number[];
  sumMs: number;
}

export function emptyTotals(): Totals {
  return { requests: 0, failures: 0, buckets: bucketEdgesMs.map(() => 0), sumMs: 0 };
}

function bucketIndex(latencyMs: number): number {
  const index = bucketEdgesMs.findIndex((edge) => latencyMs <= edge);
  return index === -1 ? bucketEdgesMs.length : index;
}

function add(totals: Totals, served: Served): void {
  totals.requests += served.latenciesMs.length;
  totals.failures += served.failures;
  for (const latency of served.latenciesMs) {
    totals.sumMs += latency;
    // Cumulative buckets: a request counts in its own bucket and every larger one.
    for (let index = bucketIndex(latency); index < bucketEdgesMs.length; index += 1) totals.buckets[index] = (totals.buckets[index] ?? 0) + 1;
  }
}

interface PodSeries {
  readonly key: PodKey;
  readonly totals: Totals;
}

function labels(key: PodKey): string {
  return `namespace="${key.namespace}",deployment="${key.deployment}",pod="${key.pod}",direction="inbound"`;
}

function podLines(series: PodSeries): { response: string[]; latency: string[] } {
  const { key, totals } = series;
  const base = labels(key);
  const response = [`response_total{${base},classification="success",status_code="200"} ${totals.requests - totals.failures}`];
  // Like the proxy, the failure series appears with the first failure.
  if (totals.failures > 0) response.push(`response_total{${base},classification="failure",status_code="500"} ${totals.failures}`);
  const latency = bucketEdgesMs.map((edge, index) => `response_latency_ms_bucket{${base},le="${edge}"} ${totals.buckets[index] ?? 0}`);
  latency.push(`response_latency_ms_bucket{${base},le="+Inf"} ${totals.requests}`);
  latency.push(`response_latency_ms_count{${base}} ${totals.requests}`, `response_latency_ms_sum{${base}} ${totals.sumMs}`);
  return { response, latency };
}

export class PodMetrics {
  readonly #pods = new Map<string, PodSeries>();
  readonly #deployments = new Map<string, Totals>();

  /** Adds what a pod served to its counters and to its deployment's running totals. */
  record(key: PodKey, served: Served): void {
    const id = `${key.namespace}/${key.pod}`;
    let series = this.#pods.get(id);
    if (series === undefined) {
      series = { key, totals: emptyTotals() };
      this.#pods.set(id, series);
    }
    add(series.totals, served);
    add(this.#deploymentTotals(key.namespace, key.deployment), served);
  }

  /** Forgets pods that no longer exist: their series end, as a deleted pod's do. */
  retain(alive: ReadonlySet<string>): void {
    for (const [id, series] of this.#pods) if (!alive.has(`${series.key.namespace}/${series.key.pod}`)) this.#pods.delete(id);
  }

  /** Running totals of a deployment since the sandbox started (survive pod deletion). */
  deploymentTotals(namespace: string, deployment: string): Totals | undefined {
    return this.#deployments.get(`${namespace}/${deployment}`);
  }

  /** Every deployment with totals, as `namespace/name`. */
  deploymentIds(): string[] {
    return [...this.#deployments.keys()];
  }

  /** Prometheus text exposition format (0.0.4). */
  exposition(): string {
    const response: string[] = [];
    const latency: string[] = [];
    for (const series of this.#pods.values()) {
      const lines = podLines(series);
      response.push(...lines.response);
      latency.push(...lines.latency);
    }
    return ['# TYPE response_total counter', ...response, '# TYPE response_latency_ms histogram', ...latency, ''].join('\n');
  }

  #deploymentTotals(namespace: string, deployment: string): Totals {
    const id = `${namespace}/${deployment}`;
    let totals = this.#deployments.get(id);
    if (totals === undefined) {
      totals = emptyTotals();
      this.#deployments.set(id, totals);
    }
    return totals;
  }
}
