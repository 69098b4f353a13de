// The controller's Prometheus metrics, on a dedicated Registry (served at /metrics).
// Per-canary series are removed when the Canary goes, so thousands of apps do not leak series.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { releaseOutcomes, type EndedRelease } from './release-outcome.ts';

export interface MetricsOptions {
  /** Also export prom-client's standard process_* and nodejs_* metrics. Default false. */
  readonly processMetrics?: boolean;
  /** Exported as fledge_build_info{version, node} = 1 when given. */
  readonly build?: { readonly version: string; readonly node: string };
  /** Read at scrape time; default 0. */
  readonly queueDepth?: () => number;
}

/** The work queue as the gauges read it: keys waiting, their average wait, and whether looks are coarsened. */
export interface QueueView {
  readonly depth: () => number;
  readonly averageWaitMs: () => number;
  readonly coarse: () => boolean;
}

interface CanarySeries {
  phase: string;
  evidence: string[];
}

/** One harm/safe pair per judged metric. */
export interface EvidenceSample {
  readonly metric: string;
  readonly harm: number;
  readonly safe: number;
}

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #canaries = new Map<string, CanarySeries>();
  readonly #weight: Gauge<'namespace' | 'name'>;
  readonly #evidence: Gauge<'namespace' | 'name' | 'metric' | 'kind'>;
  readonly #duration: Histogram;
  readonly #reconcileErrors: Counter<'code'>;
  readonly #outcomes: Counter<'verdict'>;
  readonly #apiErrors: Counter<'code'>;
  readonly #hookAnswers: Counter<'hook' | 'outcome'>;
  readonly #leader: Gauge;
  readonly #releases: Counter<'namespace' | 'app' | 'outcome'>;
  readonly #releaseDuration: Histogram<'outcome'>;
  #queue: QueueView = { depth: () => 0, averageWaitMs: () => 0, coarse: () => false };

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const canaries = this.#canaries;
    new Gauge({
      name: 'fledge_canaries', help: 'Canaries by phase.', labelNames: ['phase'], registers,
      collect() {
        this.reset();
        for (const series of canaries.values()) this.inc({ phase: series.phase });
      },
    });
    this.#weight = new Gauge({ name: 'fledge_canary_weight', help: 'Percent of requests routed to the canary.', labelNames: ['namespace', 'name'], registers });
    this.#evidence = new Gauge({
      name: 'fledge_canary_evidence', help: 'Running e-values of the judge per metric (kind harm or safe).',
      labelNames: ['namespace', 'name', 'metric', 'kind'], registers,
    });
    this.#duration = new Histogram({
      name: 'fledge_reconcile_duration_seconds', help: 'Time to reconcile one Canary.', registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    this.#reconcileErrors = new Counter({ name: 'fledge_reconcile_errors_total', help: 'Reconciles that failed, by error code.', labelNames: ['code'], registers });
    this.#outcomes = new Counter({ name: 'fledge_analysis_outcomes_total', help: 'Judged intervals by verdict.', labelNames: ['verdict'], registers });
    this.#apiErrors = new Counter({ name: 'fledge_api_errors_total', help: 'Kubernetes API errors by code.', labelNames: ['code'], registers });
    this.#hookAnswers = new Counter({ name: 'fledge_hook_answers_total', help: 'Hook calls by hook and outcome (passed: 2xx; failed: anything else after retries).', labelNames: ['hook', 'outcome'], registers });
    this.#leader = new Gauge({ name: 'fledge_leader', help: '1 while this process leads (or runs without leader election).', registers });
    const queue = (): QueueView => this.#queue;
    const depth = options.queueDepth ?? (() => queue().depth());
    new Gauge({ name: 'fledge_queue_depth', help: 'Canaries waiting for a reconcile worker.', registers, collect() { this.set(depth()); } });
    new Gauge({ name: 'fledge_queue_wait_seconds', help: 'How long a Canary ready to reconcile waits for a worker (running average).', registers, collect() { this.set(queue().averageWaitMs() / 1000); } });
    new Gauge({ name: 'fledge_looks_coarse', help: '1 while the controller is behind and judges once per interval instead of at every look.', registers, collect() { this.set(queue().coarse() ? 1 : 0); } });
    this.#releases = new Counter({
      name: 'fledge_release_outcomes_total', help: 'Releases (runs) that ended, by outcome: promoted, rolled_back or aborted.',
      labelNames: ['namespace', 'app', 'outcome'], registers,
    });
    this.#releaseDuration = new Histogram({
      name: 'fledge_release_duration_seconds', help: 'Time from the start of a release to its end, by outcome.', labelNames: ['outcome'], registers,
      buckets: [60, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400],
    });
    if (options.build !== undefined) {
      new Gauge({ name: 'fledge_build_info', help: 'Always 1; the labels say which Fledge and Node.js run.', labelNames: ['version', 'node'], registers }).set({ ...options.build }, 1);
    }
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  /** The phase and weight of one Canary, after a reconcile. */
  setCanary(namespace: string, name: string, phase: string, canaryWeight: number): void {
    const series = this.#series(namespace, name);
    series.phase = phase;
    this.#weight.set({ namespace, name }, canaryWeight);
  }

  /** Replaces the evidence series of one Canary (metrics no longer judged disappear). */
  setEvidence(namespace: string, name: string, samples: readonly EvidenceSample[]): void {
    const series = this.#series(namespace, name);
    for (const metric of series.evidence) this.#removeEvidence(namespace, name, metric);
    series.evidence = samples.map((s) => s.metric);
    for (const sample of samples) {
      this.#evidence.set({ namespace, name, metric: sample.metric, kind: 'harm' }, sample.harm);
      this.#evidence.set({ namespace, name, metric: sample.metric, kind: 'safe' }, sample.safe);
    }
  }

  /** Drops every series of a Canary that is gone. */
  forgetCanary(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const series = this.#canaries.get(key);
    if (series === undefined) return;
    for (const metric of series.evidence) this.#removeEvidence(namespace, name, metric);
    this.#weight.remove({ namespace, name });
    for (const outcome of releaseOutcomes) this.#releases.remove({ namespace, app: name, outcome });
    this.#canaries.delete(key);
  }

  /** A release of the app `namespace/app` ended. */
  releaseEnded(namespace: string, app: string, release: EndedRelease): void {
    this.#releases.inc({ namespace, app, outcome: release.outcome });
    if (release.seconds !== null) this.#releaseDuration.observe({ outcome: release.outcome }, release.seconds);
  }

  observeReconcile(seconds: number): void {
    this.#duration.observe(seconds);
  }

  reconcileError(code: string): void {
    this.#reconcileErrors.inc({ code });
  }

  analysisOutcome(verdict: string): void {
    this.#outcomes.inc({ verdict });
  }

  hookAnswer(hook: string, ok: boolean): void {
    this.#hookAnswers.inc({ hook, outcome: ok ? 'passed' : 'failed' });
  }

  apiError(code: string): void {
    this.#apiErrors.inc({ code });
  }

  /** Where the queue gauges are read at scrape time (the controller's work queue and look pace). */
  watchQueue(queue: QueueView): void {
    this.#queue = queue;
  }

  setLeader(leading: boolean): void {
    this.#leader.set(leading ? 1 : 0);
  }

  /** The exposition text and its content type, for /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #series(namespace: string, name: string): CanarySeries {
    const key = `${namespace}/${name}`;
    let series = this.#canaries.get(key);
    if (series === undefined) {
      series = { phase: 'Initializing', evidence: [] };
      this.#canaries.set(key, series);
    }
    return series;
  }

  #removeEvidence(namespace: string, name: string, metric: string): void {
    this.#evidence.remove({ namespace, name, metric, kind: 'harm' });
    this.#evidence.remove({ namespace, name, metric, kind: 'safe' });
  }
}
