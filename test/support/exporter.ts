// Linkerd-style proxy metrics that a test drives by hand: `serve` adds requests to a pod's
// counters, `restart` resets a pod like a restarted proxy. The same counters are exposed
// live over HTTP (`startExporter`, for Prometheus to scrape) or recorded at explicit times
// (`History`, OpenMetrics for `promtool tsdb create-blocks-from openmetrics`).
//
// Series: response_total{namespace, deployment, pod, direction="inbound", classification,
// status_code} and the histogram response_latency_ms{…, le} (_bucket, _count, _sum), in ms.

export interface PodRef {
  readonly namespace: string;
  readonly deployment: string;
  /** Defaults to `<deployment>-0`. */
  readonly pod?: string;
}

export interface Traffic {
  readonly requests: number;
  /**
   * Of those, answered 5xx (classification="failure"). Like Linkerd, the failure series is
   * created lazily: giving this field (even 0) creates it. increase() cannot count the first
   * value of a series born inside the window, so exact tests create it before the window.
   */
  readonly failures?: number;
  /** Of those, slower than `slowMs` (they take `slowMs`; the others take `fastMs`). */
  readonly slow?: number;
  readonly fastMs?: number;
  readonly slowMs?: number;
}

/** Bucket edges in ms: a subset of the Linkerd proxy's. */
export const bucketsMs = [5, 10, 50, 100, 500, 1000, 5000, 10000] as const;

interface PodCounters {
  readonly labels: string;
  success: number;
  failure: number;
  /** Whether the failure series exists yet. */
  failed: boolean;
  buckets: number[];
  count: number;
  sum: number;
}

function labelsOf(ref: PodRef): string {
  const pod = ref.pod ?? `${ref.deployment}-0`;
  return `namespace="${ref.namespace}",deployment="${ref.deployment}",pod="${pod}",direction="inbound"`;
}

export class LinkerdCounters {
  readonly #pods = new Map<string, PodCounters>();

  /** Adds traffic to a pod's counters (creating its series at zero when `requests` is 0). */
  serve(ref: PodRef, traffic: Traffic): void {
    const pod = this.#pod(ref);
    const failures = traffic.failures ?? 0;
    const slow = traffic.slow ?? 0;
    const fastMs = traffic.fastMs ?? 20;
    const slowMs = traffic.slowMs ?? 2000;
    pod.success += traffic.requests - failures;
    pod.failure += failures;
    pod.failed ||= traffic.failures !== undefined;
    const fast = traffic.requests - slow;
    bucketsMs.forEach((edge, index) => {
      pod.buckets[index] = (pod.buckets[index] ?? 0) + (fastMs <= edge ? fast : 0) + (slowMs <= edge ? slow : 0);
    });
    pod.count += traffic.requests;
    pod.sum += fast * fastMs + slow * slowMs;
  }

  /** The pod's proxy restarts: its counters start again from nothing. */
  restart(ref: PodRef): void {
    this.#pods.delete(labelsOf(ref));
  }

  #pod(ref: PodRef): PodCounters {
    const labels = labelsOf(ref);
    let pod = this.#pods.get(labels);
    if (pod === undefined) {
      pod = { labels, success: 0, failure: 0, failed: false, buckets: bucketsMs.map(() => 0), count: 0, sum: 0 };
      this.#pods.set(labels, pod);
    }
    return pod;
  }

  /** Sample lines (`name{labels} value`) per metric family, as of now. */
  samples(): { response: string[]; latency: string[] } {
    const response: string[] = [];
    const latency: string[] = [];
    for (const pod of this.#pods.values()) {
      response.push(`response_total{${pod.labels},classification="success",status_code="200"} ${pod.success}`);
      if (pod.failed) response.push(`response_total{${pod.labels},classification="failure",status_code="500"} ${pod.failure}`);
      bucketsMs.forEach((edge, index) => latency.push(`response_latency_ms_bucket{${pod.labels},le="${edge}"} ${pod.buckets[index] ?? 0}`));
      latency.push(`response_latency_ms_bucket{${pod.labels},le="+Inf"} ${pod.count}`);
      latency.push(`response_latency_ms_count{${pod.labels}} ${pod.count}`);
      latency.push(`response_latency_ms_sum{${pod.labels}} ${pod.sum}`);
    }
    return { response, latency };
  }

  /** Prometheus text exposition format, for live scraping. */
  exposition(): string {
    const { response, latency } = this.samples();
    return ['# TYPE response_total counter', ...response, '# TYPE response_latency_ms histogram', ...latency, ''].join('\n');
  }
}

/** Snapshots of counters at explicit times, rendered as OpenMetrics with timestamps. */
export class History {
  readonly #response: string[] = [];
  readonly #latency: string[] = [];

  record(counters: LinkerdCounters, atMs: number): void {
    const seconds = (atMs / 1000).toFixed(3);
    const { response, latency } = counters.samples();
    this.#response.push(...response.map((line) => `${line} ${seconds}`));
    this.#latency.push(...latency.map((line) => `${line} ${seconds}`));
  }

  openMetrics(): string {
    return ['# TYPE response counter', ...this.#response, '# TYPE response_latency_ms histogram', ...this.#latency, '# EOF', ''].join('\n');
  }
}

export { startExporter, type Exporter as ExporterHandle } from '../../src/sandbox/exporter.ts';
