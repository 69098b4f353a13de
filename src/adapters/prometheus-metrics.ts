// MetricsSource backed by Prometheus: renders the analysis template's queries for canary and
// primary over [start, end), evaluates them as instant queries at `end`, and turns the answers
// into Samples. It measures what it is asked; waiting until an interval's data is complete
// (policy.metricsLagMs) is the state machine's job.
import type { Logger } from 'pino';
import { rangeOf, renderQuery } from '../core/render-query.ts';
import type { IntervalMeasurement, Sample } from '../core/types.ts';
import { FledgeError } from '../errors.ts';
import type { MeasureRequest, MetricsSource } from '../ports.ts';
import type { BasicAuth } from './prometheus-auth.ts';
import { createBatchedMetrics } from './prometheus-batch.ts';
import type { BatchCacheOptions } from './prometheus-batch.ts';
import { createQueryClient } from './prometheus-client.ts';
import { withExtras } from './prometheus-extras.ts';
import type { QueryAnswer, QueryClient } from './prometheus-client.ts';
import { countPurposes, displayPurposes, toSample } from './prometheus-counts.ts';
import type { Purpose, SideAnswers } from './prometheus-counts.ts';

export interface PrometheusMetricsOptions {
  /**
   * Base URL of Prometheus, e.g. http://prometheus.monitoring:9090 (the API is under /api/v1).
   * No user info: credentials come as values below (read from files), never in the URL.
   */
  readonly url: string;
  /** Bound on each query, from request to parsed answer. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Secrets as values: sent as headers, never logged, never in a message. */
  readonly bearerToken?: string;
  readonly basicAuth?: BasicAuth;
  readonly headers?: Readonly<Record<string, string>>;
  readonly logger?: Logger;
  /**
   * Measure templates with a `batch` section with one query per count for all canaries over the
   * same window (see prometheus-batch.ts); `false` measures every canary on its own. Default on.
   */
  readonly batch?: boolean | BatchCacheOptions;
}

export const defaultTimeoutMs = 10_000;

const purposes: readonly Purpose[] = [...countPurposes, ...displayPurposes];

function templateFor(request: MeasureRequest, purpose: Purpose): string {
  const { counts, display } = request.template;
  switch (purpose) {
    case 'requests':
    case 'failures':
    case 'slow':
      return counts[purpose];
    case 'successRate':
    case 'p99':
      return display[purpose];
  }
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The URL itself may carry credentials, so no message here repeats it. */
function checkUrl(url: string): void {
  const parsed = parseUrl(url);
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', 'the Prometheus URL is not an http(s) URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new FledgeError(
      'FLEDGE_CONFIG_INVALID',
      'the Prometheus URL carries a user name or password; remove them from the URL and use --prometheus-token-file or --prometheus-basic-auth-file',
    );
  }
}

function checkOptions(options: PrometheusMetricsOptions): void {
  checkUrl(options.url);
  const timeout = options.timeoutMs ?? defaultTimeoutMs;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new FledgeError('FLEDGE_CONFIG_INVALID', `the Prometheus timeout must be a positive number of ms, not ${String(timeout)}`);
  }
}

interface Side {
  readonly label: string;
  readonly workload: string;
}

async function measureSide(client: QueryClient, request: MeasureRequest, side: Side): Promise<Sample> {
  const vars = { namespace: request.namespace, workload: side.workload, window: rangeOf(request), latencyEdge: request.latencyEdgeMs };
  const answers = await Promise.all(
    purposes.map(async (purpose): Promise<QueryAnswer> => {
      const rendered = renderQuery(templateFor(request, purpose), vars);
      if (!rendered.ok) return { kind: 'error', message: `cannot render analysis template "${request.template.name}": ${rendered.message}` };
      return client.instant(rendered.query, request.end);
    }),
  );
  const byPurpose = Object.fromEntries(purposes.map((purpose, index) => [purpose, answers[index]])) as unknown as SideAnswers;
  return toSample(byPurpose, `${side.label} ${request.namespace}/${side.workload}`);
}

function emptyInterval(request: MeasureRequest): IntervalMeasurement {
  const message = `cannot measure an empty interval (start ${request.start} is not before end ${request.end})`;
  return { start: request.start, end: request.end, canary: { kind: 'error', message }, primary: { kind: 'error', message } };
}

function logOutcome(logger: Logger | undefined, request: MeasureRequest, measurement: IntervalMeasurement): void {
  if (logger === undefined) return;
  const fields = { namespace: request.namespace, canary: request.canary, start: request.start, end: request.end };
  for (const [side, sample] of [['canary', measurement.canary], ['primary', measurement.primary]] as const) {
    if (sample.kind === 'error') logger.warn({ ...fields, side }, sample.message);
  }
  logger.debug({ ...fields, canarySample: measurement.canary.kind, primarySample: measurement.primary.kind }, 'measured interval');
}

/**
 * A MetricsSource reading Prometheus. Throws FledgeError FLEDGE_CONFIG_INVALID for an unusable
 * URL (not http(s), or with user info) or timeout; `measure` itself never throws: failures are
 * `error` samples whose messages are fixed text (see prometheus-client.ts).
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions): MetricsSource {
  checkOptions(options);
  const client = createQueryClient({
    url: options.url,
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    auth: {
      ...(options.bearerToken === undefined ? {} : { bearerToken: options.bearerToken }),
      ...(options.basicAuth === undefined ? {} : { basicAuth: options.basicAuth }),
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    },
  });
  const perCanary: MetricsSource = {
    async measure(request) {
      if (!(request.end > request.start)) return emptyInterval(request);
      const [canary, primary] = await Promise.all([
        measureSide(client, request, { label: 'canary', workload: request.canary }),
        measureSide(client, request, { label: 'primary', workload: request.primary }),
      ]);
      return { start: request.start, end: request.end, canary, primary };
    },
  };
  const batch = options.batch ?? true;
  const source = batch === false ? perCanary : createBatchedMetrics({ client, perCanary, ...(options.logger === undefined ? {} : { logger: options.logger }), ...(batch === true ? {} : batch) });
  return {
    async measure(request) {
      const measurement = await withExtras(client, request, await source.measure(request));
      logOutcome(options.logger, request, measurement);
      return measurement;
    },
  };
}
