// Measurements go to the Prometheus their template names: the controller's own, or a template's
// (`prometheus.address`, allowed by --prometheus-allow, credentials from its Secret). One client
// (with its own batch cache) per address and credentials, at most `maxServers` kept (least
// recently used dropped), so memory stays bounded however many templates name servers. An
// unreachable server answers its own canaries' queries with errors (they pause); the others
// never wait for it, and every query is bounded by its client's timeout.
import { createHash } from 'node:crypto';
import type { MeasureRequest, MetricsSource, PrometheusTarget } from '../ports.ts';

export interface RoutedMetricsOptions {
  /** The controller's own Prometheus: requests without `prometheus`. */
  readonly own: MetricsSource;
  /** A source for another server (called once per address and credentials while kept). */
  readonly make: (target: PrometheusTarget) => MetricsSource;
  /** Servers kept at once; default 32. */
  readonly maxServers?: number;
}

/** Address, timeout and a hash of the credentials: a changed Secret makes a new client. */
function keyOf(target: PrometheusTarget): string {
  const secret = `${target.bearerToken ?? ''}\u0000${target.basicAuth?.username ?? ''}\u0000${target.basicAuth?.password ?? ''}`;
  return `${target.url} ${target.timeoutMs ?? ''} ${createHash('sha256').update(secret).digest('hex')}`;
}

export function createRoutedMetrics(options: RoutedMetricsOptions): MetricsSource {
  const servers = new Map<string, MetricsSource>();
  const max = options.maxServers ?? 32;
  const sourceFor = (target: PrometheusTarget): MetricsSource => {
    const key = keyOf(target);
    const known = servers.get(key);
    if (known !== undefined) {
      servers.delete(key);
      servers.set(key, known);
      return known;
    }
    const made = options.make(target);
    servers.set(key, made);
    if (servers.size > max) servers.delete(servers.keys().next().value ?? '');
    return made;
  };
  return {
    measure(request: MeasureRequest) {
      const { prometheus, ...rest } = request;
      return prometheus === undefined ? options.own.measure(request) : sourceFor(prometheus).measure(rest);
    },
  };
}
