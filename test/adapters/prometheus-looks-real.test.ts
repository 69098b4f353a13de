// Finer looks against a real Prometheus (Debian's): the controller's windows (policy.lookMs, 2
// scrapes, queried one scrape back) through the batched adapter into the real decide(). A canary
// failing 10× as often as the primary is rolled back within two looks of its first window's data
// arriving, well before the interval it falls in has even ended; and consecutive looks count
// every scrape's increase exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import { decide } from '../../src/core/decide.ts';
import { deflated } from '../../src/core/progress.ts';
import { dueInterval, lookbackMs, lookMs, measureFrom } from '../../src/core/schedule.ts';
import type { CanaryState } from '../../src/core/state.ts';
import type { IntervalMeasurement, ReleasePolicy } from '../../src/core/types.ts';
import type { MetricsSource } from '../../src/ports.ts';
import { policy as basePolicy, running, runObservation } from '../support/builders.ts';
import { History, LinkerdCounters } from '../support/exporter.ts';
import { linkerdBatchTemplate } from '../support/linkerd-template.ts';
import { prometheusMissing, startPrometheus } from '../support/prometheus.ts';
import type { PrometheusHandle } from '../support/prometheus.ts';

const missing = prometheusMissing();
const minute = 60_000;
/** On every grid (a multiple of a minute since the epoch). */
const t0 = Date.UTC(2024, 0, 1);
/** The template's scrape interval; scrapes land 3 s after each 10 s mark (a phase off the grid). */
const scrapeMs = 10_000;
const phaseMs = 3_000;
const scrapes = 60;
/** The first step: the canary gets 10% from here; its first scrape with traffic is 3 s later. */
const stepAt = t0 + 2 * minute;
/** Per scrape: the canary 200 requests failing 1% from the step on; the primary 2000 failing 0.1%. */
const canaryTraffic = { requests: 200, failures: 2 };
const primaryTraffic = { requests: 2000, failures: 2 };

function backfill(): string {
  const counters = new LinkerdCounters();
  const history = new History();
  for (let n = 0; n <= scrapes; n += 1) {
    const at = t0 + phaseMs + n * scrapeMs;
    // Both series exist from the first scrape (increase() cannot count a series' first value).
    const started = n > 0;
    counters.serve({ namespace: 'shop', deployment: 'app-primary' }, started ? primaryTraffic : { requests: 0, failures: 0 });
    counters.serve({ namespace: 'shop', deployment: 'app' }, started && at > stepAt ? canaryTraffic : { requests: 0, failures: 0 });
    history.record(counters, at);
  }
  return history.openMetrics();
}

/** The controller's policy with the template's timing: lag 2 scrapes; `lookMs` as resolved, or once per interval. */
function timing(look: number): ReleasePolicy {
  return basePolicy({ intervalMs: minute, bakeMs: 30 * minute, metricsLagMs: 2 * scrapeMs, lookMs: look });
}

/** Measures exactly what observe.ts asks for: the due window, on the look grid, one scrape back. */
function measure(source: MetricsSource, policy: ReleasePolicy, due: { start: number; end: number }): Promise<IntervalMeasurement> {
  return source.measure({
    namespace: 'shop', canary: 'app', primary: 'app-primary', start: due.start, end: due.end,
    template: linkerdBatchTemplate, latencyEdgeMs: 500, intervalMs: lookMs(policy), lookbackMs: lookbackMs(policy),
  });
}

interface Followed {
  readonly rolledBackAt: number | null;
  readonly windows: readonly IntervalMeasurement[];
}

/** Reconciles as the controller does (at requeueAfterMs) from the first step until a rollback or 5 minutes. */
async function follow(source: MetricsSource, policy: ReleasePolicy): Promise<Followed> {
  let state: CanaryState = running(0, { stepStartedAt: stepAt, analyzedUntil: measureFrom(policy, stepAt), progressAt: stepAt, canaryWeight: 10 });
  const windows: IntervalMeasurement[] = [];
  let now = stepAt;
  for (let look = 0; look < 100 && now <= stepAt + 5 * minute; look += 1) {
    const due = dueInterval(state, policy, now);
    const interval = due === null ? null : await measure(source, policy, due);
    if (interval !== null) windows.push(interval);
    const decision = decide(state, runObservation(10, { interval }), policy, now);
    state = decision.state;
    if (state.phase === 'Failed') return { rolledBackAt: now, windows };
    now += Math.max(1000, decision.requeueAfterMs ?? 1000);
  }
  return { rolledBackAt: null, windows };
}

void describe('finer looks on a real Prometheus', { skip: missing ?? false }, () => {
  let prometheus: PrometheusHandle | undefined;

  before(async () => {
    prometheus = await startPrometheus({ backfill: backfill() });
  });
  after(async () => {
    await prometheus?.stop();
  });

  void it('roll a 10× canary back within 2 looks of its first window being readable, before its first interval is read', async () => {
    const source = createPrometheusMetrics({ url: prometheus!.url });
    const looking = timing(2 * scrapeMs);
    const firstWindowEnd = measureFrom(looking, stepAt) + lookMs(looking);
    const dataArrives = firstWindowEnd + looking.metricsLagMs;
    const fine = await follow(source, looking);
    assert.ok(fine.rolledBackAt !== null, 'the 10× canary was rolled back');
    assert.ok(fine.rolledBackAt <= dataArrives + 2 * lookMs(looking), `rolled back ${(fine.rolledBackAt - dataArrives) / 1000} s after the first window's data arrived`);
    // Judged once per interval, the same data is first read a whole interval after the step.
    const coarse = await follow(source, timing(minute));
    assert.ok(coarse.rolledBackAt !== null && coarse.rolledBackAt >= stepAt + minute + looking.metricsLagMs);
    assert.ok(fine.rolledBackAt < coarse.rolledBackAt, `looks: ${fine.rolledBackAt - stepAt} ms, intervals: ${coarse.rolledBackAt - stepAt} ms after the step`);
  });

  void it("count every scrape's increase once: each 2-scrape look holds exactly 2 scrapes of traffic", async () => {
    const source = createPrometheusMetrics({ url: prometheus!.url });
    const looking = timing(2 * scrapeMs);
    // Windows after the step, as the controller would read them, judged or not.
    for (let end = stepAt + 2 * lookMs(looking); end <= stepAt + 4 * minute; end += lookMs(looking)) {
      const window = deflated(await measure(source, looking, { start: end - lookMs(looking), end }), looking);
      assert.equal(window.canary.kind, 'value');
      assert.equal(window.primary.kind, 'value');
      if (window.canary.kind !== 'value' || window.primary.kind !== 'value') return;
      const { counts: canary } = window.canary;
      const { counts: primary } = window.primary;
      assert.ok(Math.abs(canary.requests - 2 * canaryTraffic.requests) < 1e-6, `canary requests ${canary.requests} in the look ending ${end - t0} ms`);
      assert.ok(Math.abs(canary.events.failures - 2 * canaryTraffic.failures) < 1e-6, `canary failures ${canary.events.failures}`);
      assert.ok(Math.abs(primary.requests - 2 * primaryTraffic.requests) < 1e-6, `primary requests ${primary.requests}`);
    }
  });
});
