// Micrometer/Spring Boot-shaped metrics of workloads a test drives: http_server_requests_seconds
// (count by status, buckets in seconds), grpc_server_handled_total and a memory gauge, by
// namespace and app labels; served live or rendered as backfill history (OpenMetrics).

/** Bucket edges in seconds; every request takes 80 ms. */
const bucketsS = [0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface Side {
  readonly app: string;
  /** Per second. */
  readonly rps: number;
  readonly failureShare: number;
  readonly deadlineShare: number;
  readonly memoryBytes: number;
}

/** Spring Boot / Micrometer-shaped counters of one workload, by app label. */
export class SpringCounters {
  readonly #namespace: string;
  readonly #sides = new Map<string, { side: Side; requests: number; failures: number; deadline: number }>();

  constructor(namespace = 'shop') {
    this.#namespace = namespace;
  }

  add(side: Side, seconds: number): void {
    const kept = this.#sides.get(side.app) ?? { side, requests: 0, failures: 0, deadline: 0 };
    kept.requests += side.rps * seconds;
    kept.failures += side.rps * seconds * side.failureShare;
    kept.deadline += side.rps * seconds * side.deadlineShare;
    this.#sides.set(side.app, kept);
  }

  lines(): string[] {
    return [...this.#sides.values()].flatMap(({ side, requests, failures, deadline }) => {
      const labels = `namespace="${this.#namespace}",app="${side.app}"`;
      return [
        `http_server_requests_seconds_count{${labels},status="200"} ${requests - failures}`,
        `http_server_requests_seconds_count{${labels},status="503"} ${failures}`,
        // Every request takes 80 ms: all in the 0.1 s bucket and above.
        ...bucketsS.map((le) => `http_server_requests_seconds_bucket{${labels},le="${le}"} ${le >= 0.1 ? requests : 0}`),
        `http_server_requests_seconds_bucket{${labels},le="+Inf"} ${requests}`,
        `grpc_server_handled_total{${labels},grpc_code="OK"} ${requests - deadline}`,
        `grpc_server_handled_total{${labels},grpc_code="DeadlineExceeded"} ${deadline}`,
        `process_resident_memory_bytes{${labels}} ${side.memoryBytes}`,
      ];
    });
  }

  exposition(): string {
    return [...this.lines(), ''].join('\n');
  }
}


/** OpenMetrics history of `sides` from `from` to `to` every `stepMs` (counters start at `from`), for promtool backfill. */
export function springHistory(sides: readonly Side[], range: { from: number; to: number; stepMs: number; namespace?: string }): string {
  const counters = new SpringCounters(range.namespace);
  // OpenMetrics: one family per metric name (type unknown), each series' samples in time order.
  const families = new Map<string, Map<string, string[]>>();
  for (let at = range.from; at <= range.to; at += range.stepMs) {
    const seconds = at > range.from ? range.stepMs / 1000 : 0;
    for (const side of sides) counters.add(side, seconds);
    for (const line of counters.lines()) {
      const series = line.slice(0, line.lastIndexOf(' '));
      const name = series.slice(0, series.indexOf('{'));
      const family = families.get(name) ?? new Map<string, string[]>();
      families.set(name, family);
      family.set(series, [...(family.get(series) ?? []), `${line} ${(at / 1000).toFixed(3)}`]);
    }
  }
  const text = [...families].flatMap(([name, series]) => [`# TYPE ${name} unknown`, ...[...series.values()].flat()]);
  return [...text, '# EOF', ''].join('\n');
}

/** The series selector of one workload in the templates below. */
export const springSelector = 'namespace="{{namespace}}", app="{{workload}}"';

/**
 * An analysis template spec for an app exporting these metrics (the README's worked example):
 * requests, failures (5xx) and slow requests from http_server_requests_seconds.
 */
export function springTemplateSpec(scrapeInterval: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const sel = springSelector;
  return {
    description: 'Spring Boot http_server_requests_seconds, by namespace and app labels',
    scrapeInterval,
    counts: {
      requests: `sum(increase(http_server_requests_seconds_count{${sel}}[{{window}}]))`,
      failures: `sum(increase(http_server_requests_seconds_count{${sel}, status=~"5.."}[{{window}}]))`,
      slow: `sum(increase(http_server_requests_seconds_count{${sel}}[{{window}}])) - sum(increase(http_server_requests_seconds_bucket{${sel}, le="{{latencyEdgeSeconds}}"}[{{window}}]))`,
    },
    display: {
      successRate: `100 * (1 - (sum(increase(http_server_requests_seconds_count{${sel}, status=~"5.."}[{{window}}])) or vector(0)) / sum(increase(http_server_requests_seconds_count{${sel}}[{{window}}])))`,
      p99: `1000 * histogram_quantile(0.99, sum by (le) (increase(http_server_requests_seconds_bucket{${sel}}[{{window}}])))`,
    },
    ...overrides,
  };
}

