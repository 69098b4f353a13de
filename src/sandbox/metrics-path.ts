// How the controller gets its metrics in the sandbox: Debian's Prometheus scraping the simulated
// pods, read through the normal Prometheus adapter; or, when no `prometheus` binary is on PATH
// (or `direct` is asked for), the direct source computed from the same counters.
import { createPrometheusMetrics } from '../adapters/prometheus-metrics.ts';
import type { Sample } from '../core/types.ts';
import type { MetricsSource } from '../ports.ts';
import type { DirectMetrics } from './direct-metrics.ts';
import { startExporter } from './exporter.ts';
import type { PodMetrics } from './pod-metrics.ts';
import { prometheusInstallHint, prometheusInstalled, startSandboxPrometheus } from './prometheus.ts';

export type MetricsMode = 'auto' | 'prometheus' | 'direct';

export interface MetricsPath {
  readonly source: MetricsSource;
  /** For people: which source the controller reads. */
  readonly label: string;
  /** A plain sentence about the choice (e.g. how to get the real path). */
  readonly notice: string;
  /** Makes the source unreachable until `endOutage`. */
  startOutage(): Promise<void>;
  endOutage(): Promise<void>;
  stop(): Promise<void>;
}

export interface MetricsPathOptions {
  readonly mode: MetricsMode;
  readonly pods: PodMetrics;
  readonly direct: DirectMetrics;
  readonly scrapeIntervalMs: number;
}

function directPath(direct: DirectMetrics, notice: string, label = direct.label): MetricsPath {
  let available = true;
  const outage: Sample = { kind: 'error', message: 'metrics source unavailable (simulated outage)' };
  const source: MetricsSource = {
    measure: async (request) => (available ? direct.measure(request) : { start: request.start, end: request.end, canary: outage, primary: outage }),
  };
  return {
    source,
    label,
    notice,
    startOutage: () => Promise.resolve(void (available = false)),
    endOutage: () => Promise.resolve(void (available = true)),
    stop: () => Promise.resolve(),
  };
}

export async function startMetricsPath(options: MetricsPathOptions): Promise<MetricsPath> {
  if (options.mode === 'direct') return directPath(options.direct, 'Using the direct metrics source (asked for with --metrics direct).', 'direct metrics source (--metrics direct)');
  if (!prometheusInstalled()) {
    return directPath(options.direct, `Prometheus is not installed: using the ${options.direct.label}. For the real path: ${prometheusInstallHint}`);
  }
  const exporter = await startExporter(options.pods);
  const started = await startSandboxPrometheus({ target: exporter.target, scrapeIntervalMs: options.scrapeIntervalMs });
  if (!started.ok) {
    await exporter.stop();
    return directPath(options.direct, `Prometheus did not start (${started.message}): using the direct metrics source.`, 'direct metrics source (Prometheus did not start)');
  }
  const { prometheus } = started;
  return {
    source: createPrometheusMetrics({ url: prometheus.url, timeoutMs: 2000 }),
    label: `Prometheus at ${prometheus.url}`,
    notice: `Prometheus at ${prometheus.url} scrapes the simulated pods (${exporter.target}/metrics) every ${options.scrapeIntervalMs} ms.`,
    startOutage: () => prometheus.pause(),
    endOutage: () => prometheus.resume(),
    stop: async () => {
      await prometheus.stop();
      await exporter.stop();
    },
  };
}
