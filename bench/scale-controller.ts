// The controller as its own process for `npm run bench:scale`: the real createController against
// the API at --kubeconfig, with the real Prometheus MetricsSource (batched, as `fledge controller`
// builds it) against --prometheus-url (the bench's fake or real Prometheus behind a counting
// proxy) and the catalog's scrape interval set to --scrape (the metrics lag is 2 × that). It
// counts its API requests and measurements and reports them with its own CPU time and peak RSS
// over IPC:
//   parent → { kind: 'snapshot' }   child → { kind: 'snapshot', usage }
//   child → { kind: 'ready' } once the controller has started; SIGTERM stops it cleanly.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { KubeConfig } from '@kubernetes/client-node';
import { createPrometheusMetrics } from '../src/adapters/prometheus-metrics.ts';
import { createController } from '../src/controller/controller.ts';
import { loadCatalog, type Catalog } from '../src/config/catalog.ts';
import type { IntervalMeasurement } from '../src/core/types.ts';
import type { MeasureRequest, MetricsSource } from '../src/ports.ts';
import { requestKind } from './scale/request-kinds.ts';
import type { Usage } from './scale/usage.ts';

const counters = { apiRequests: 0, watchRequests: 0, measurements: 0, reconciles: 0, reconcileFailures: 0, coarseMs: 0 };
/** Requests by verb and kind ("get trafficsplits"); the informers' watches are "watch (informers)". */
const byKind: Record<string, number> = {};

/** Request times of a sample of apps (app-00000 … app-00049), for the cost of one steady-state step. */
const sampled: Record<string, Array<readonly [number, string]>> = {};
const sampledApp = /\bapp-000[0-4]\d\b/;

function count(kind: string, context: { getUrl(): string; getBody(): unknown }): void {
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  // An Event is named in its body only.
  const body = context.getBody();
  if (kind === 'create events') {
    if (typeof body === 'string') sampleEvent(body);
    return;
  }
  const app = sampledApp.exec(context.getUrl())?.[0];
  if (app !== undefined) (sampled[app] ??= []).push([Date.now(), kind]);
}

/**
 * An Event counts when it happened (its firstTimestamp: the reconcile that recorded it), not
 * when the event queue sent it, and is named by its reason, so a step's Events say what they are.
 */
function sampleEvent(body: string): void {
  const app = sampledApp.exec(body)?.[0];
  if (app === undefined) return;
  const reason = /"reason":"(\w+)"/.exec(body)?.[1] ?? '?';
  const at = Date.parse(/"firstTimestamp":"([^"]+)"/.exec(body)?.[1] ?? '');
  (sampled[app] ??= []).push([Number.isNaN(at) ? Date.now() : at, `create events (${reason})`]);
}

/**
 * Counts the plain JSON requests (json-requests.ts: the only callers of http.request with a URL
 * and options; client-node's API classes and axios pass one options object), which set up their
 * authentication once a second, not per request. An Event names its app in the body only, which
 * is sampled as it is sent.
 */
function countJsonRequests(): void {
  const request = http.request.bind(http) as (...args: unknown[]) => http.ClientRequest;
  const counting = (...args: unknown[]): http.ClientRequest => {
    const sent = request(...args);
    const [url, options] = args as [unknown, { method?: string } | undefined];
    if (!(url instanceof URL) || options?.method === undefined) return sent;
    const path = url.pathname + url.search;
    counters.apiRequests += 1;
    count(requestKind(options.method, path), { getUrl: () => path, getBody: () => undefined });
    if (options.method !== 'POST' || !url.pathname.endsWith('/events')) return sent;
    const end = sent.end.bind(sent) as (...rest: unknown[]) => http.ClientRequest;
    sent.end = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk)) sampleEvent(chunk.toString('utf8'));
      return end(chunk, ...rest);
    }) as typeof sent.end;
    return sent;
  };
  (http as unknown as { request: typeof counting }).request = counting;
}

/** Counts every request the generated API clients and the watches make through this config (the plain JSON requests: countJsonRequests). */
class CountingKubeConfig extends KubeConfig {
  override applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
    counters.apiRequests += 1;
    count(requestKind(context.getHttpMethod(), context.getUrl()), context);
    return super.applySecurityAuthentication(context);
  }

  override applyToFetchOptions(opts: Parameters<KubeConfig['applyToFetchOptions']>[0]): ReturnType<KubeConfig['applyToFetchOptions']> {
    counters.watchRequests += 1;
    byKind['watch (informers)'] = (byKind['watch (informers)'] ?? 0) + 1;
    return super.applyToFetchOptions(opts);
  }
}

/** The Prometheus adapter, counting measurements. */
function countedMetrics(url: string, batch: boolean): MetricsSource {
  const source = createPrometheusMetrics({ url, batch });
  return {
    measure: async (request: MeasureRequest): Promise<IntervalMeasurement> => {
      counters.measurements += 1;
      return source.measure(request);
    },
  };
}

async function catalogWithScrape(scrape: string): Promise<Catalog> {
  const catalog = await loadCatalog();
  const analysis = new Map([...catalog.analysis].map(([name, template]) => [name, { ...template, scrapeInterval: scrape }]));
  return { ...catalog, analysis };
}

/** The heap in use right after a full garbage collection: what the controller keeps alive. */
function liveHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  // For looking into it: SCALE_HEAP_SNAPSHOT=DIR writes a heap snapshot there.
  const dir = process.env['SCALE_HEAP_SNAPSHOT'];
  if (dir !== undefined) writeHeapSnapshot(join(dir, `controller-${process.pid}.heapsnapshot`));
  return process.memoryUsage().heapUsed;
}

function usage(): Usage {
  const resources = process.resourceUsage();
  return {
    uptimeMs: process.uptime() * 1000,
    cpuMs: (resources.userCPUTime + resources.systemCPUTime) / 1000,
    maxRssBytes: resources.maxRSS * 1024,
    rssBytes: process.memoryUsage.rss(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    memory: process.memoryUsage(),
    heapSpaces: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, { committedMiB: Math.round(space.physical_space_size / 2 ** 20), usedMiB: Math.round(space.space_used_size / 2 ** 20) }])),
    ...counters,
    byKind: { ...byKind },
    sampled,
  };
}

/**
 * For looking into the release's first seconds: SCALE_ALLOC_PROFILE=FILE samples every allocation
 * (collected ones too) for SCALE_ALLOC_MS (default 2000) from the snapshot before the release.
 */
function allocationProfile(): void {
  const file = process.env['SCALE_ALLOC_PROFILE'];
  if (file === undefined) return;
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  setTimeout(() => {
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (error === null) writeFileSync(file, JSON.stringify(result.profile));
      session.disconnect();
    });
  }, Number(process.env['SCALE_ALLOC_MS'] ?? 2000));
}

async function main(): Promise<void> {
  countJsonRequests();
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      scrape: { type: 'string', default: '1s' },
      resync: { type: 'string', default: '30000' },
      concurrency: { type: 'string', default: '16' },
      'prometheus-url': { type: 'string' },
      batch: { type: 'string', default: 'on' },
    },
    strict: true,
  });
  if (values.kubeconfig === undefined) throw new Error('--kubeconfig PATH is required');
  if (values['prometheus-url'] === undefined) throw new Error('--prometheus-url URL is required');
  const kubeConfig = new CountingKubeConfig();
  kubeConfig.loadFromFile(values.kubeconfig);
  const controller = await createController({
    kubeConfig,
    metrics: countedMetrics(values['prometheus-url'], values.batch !== 'off'),
    catalog: await catalogWithScrape(values.scrape),
    resyncMs: Number(values.resync),
    concurrency: Number(values.concurrency),
    log: pino({ level: process.env['SCALE_CONTROLLER_LOG'] ?? 'warn' }, pino.destination(2)),
    telemetry: {
      verdict: () => undefined,
      canary: () => undefined,
      reconciled: () => {
        counters.reconciles += 1;
      },
      failed: () => {
        counters.reconcileFailures += 1;
      },
      // How long the controller judged once per interval because it was behind (look-pace.ts), sampled every 100 ms.
      queue: (queue) => {
        setInterval(() => {
          if (queue.coarse()) counters.coarseMs += 100;
        }, 100).unref();
      },
    },
  });
  process.on('message', (message: { kind?: string; collect?: boolean }) => {
    if (message.kind !== 'snapshot') return;
    if (message.collect !== true) allocationProfile();
    const before = usage();
    process.send?.({ kind: 'snapshot', usage: message.collect === true ? { ...before, liveHeapBytes: liveHeap() } : before });
  });
  process.once('SIGTERM', () => {
    void controller.stop().finally(() => process.exit(0));
  });
  await controller.start();
  process.send?.({ kind: 'ready' });
}

await main();
