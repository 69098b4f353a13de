// Plays a scenario's releases against a running sandbox: waits for the controller to take the
// app over, then applies each release and follows it to its end, redrawing the view meanwhile
// and staging a metrics outage when the scenario asks for one.
import type { KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog } from '../config/catalog.ts';
import { readCanary, setImage, type CanaryStatus, type Timing } from './cluster-setup.ts';
import type { DirectMetrics } from './direct-metrics.ts';
import { panelOf } from './live.ts';
import type { MetricsPath } from './metrics-path.ts';
import { followRelease, waitInitialized, type Ending } from './release.ts';
import type { Release, Scenario } from './scenarios.ts';
import type { JudgedShare, ReleaseResult } from './summary.ts';
import type { Traffic } from './traffic.ts';
import type { Screen } from './view.ts';

export interface Stage {
  readonly scenario: Scenario;
  readonly timing: Timing;
  readonly kubeConfig: KubeConfig;
  readonly path: MetricsPath;
  readonly direct: DirectMetrics;
  readonly traffic: Traffic;
  readonly screen: Screen;
  readonly catalog: Catalog;
  readonly started: number;
}

const stepCount = 3; // cluster-setup's fledge.dev/steps "10,25,50"

function servedByCanary(stage: Stage): { requests: number; failures: number; matched: number } {
  const counts = stage.traffic.served().get(`${stage.scenario.namespace}/${stage.scenario.app}`);
  return { requests: counts?.requests ?? 0, failures: counts?.failures ?? 0, matched: counts?.matched ?? 0 };
}

interface Live {
  image: string;
  events: string[];
}

/** Draws the view once from the Canary as it is now. */
async function drawOnce(stage: Stage, live: Live): Promise<void> {
  const { scenario } = stage;
  const template = stage.catalog.analysis.get('linkerd');
  if (template === undefined) return;
  const canary = await readCanary(stage.kubeConfig, scenario).catch(() => null);
  const now = Date.now();
  const panel = await panelOf({
    namespace: scenario.namespace, app: scenario.app, image: live.image, steps: stepCount, canary,
    direct: stage.direct, template, now, recentMs: stage.timing.intervalMs * 2,
  });
  stage.screen.draw({ title: `${scenario.name}: ${scenario.description}`, elapsedMs: now - stage.started, metricsSource: stage.path.label, canaries: [panel], events: live.events });
}

/** Redraws the view every half second until the signal aborts, then once more: the last frame shows how the releases ended. */
async function drawLoop(stage: Stage, live: Live, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await drawOnce(stage, live);
    await sleep(500, undefined, { signal }).catch(() => undefined);
  }
  await drawOnce(stage, live);
}

/** Starts the outage once the canary has had traffic for `afterIntervals`, ends it `forIntervals` later. */
async function stageOutage(stage: Stage, live: Live, weight: () => number, signal: AbortSignal): Promise<void> {
  const outage = stage.scenario.outage;
  if (outage === undefined) return;
  while (!signal.aborted && weight() <= 0) await sleep(250);
  await sleep(outage.afterIntervals * stage.timing.intervalMs);
  if (signal.aborted) return;
  const say = (line: string): void => {
    live.events.push(line);
    stage.screen.log(line);
  };
  say(`metrics outage: ${stage.path.label} goes away for ${(outage.forIntervals * stage.timing.intervalMs) / 1000}s`);
  await stage.path.startOutage();
  await sleep(outage.forIntervals * stage.timing.intervalMs);
  await stage.path.endOutage();
  say('metrics are back');
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** The canary's share of each judged metric's events over the run, from the Canary's evidence. */
function judgedShares(status: CanaryStatus): JudgedShare[] {
  return (status.evidence?.metrics ?? []).map((metric) => {
    const requests = count(metric['canaryRequests']);
    return { name: typeof metric['name'] === 'string' ? metric['name'] : '?', canaryShare: requests > 0 ? count(metric['canaryEvents']) / requests : null };
  });
}

async function playOne(stage: Stage, live: Live, release: Release, previous: CanaryStatus): Promise<{ result: ReleaseResult; status: CanaryStatus }> {
  const { scenario, timing } = stage;
  const before = servedByCanary(stage);
  const startedAt = Date.now();
  const phases: string[] = [];
  let last: CanaryStatus = previous;
  live.image = release.image;
  const line = `release ${release.image} (${release.note}); expected: ${release.expect}`;
  live.events.push(line);
  stage.screen.log(line);
  await setImage(stage.kubeConfig, { namespace: scenario.namespace, app: scenario.app, image: release.image });
  const done = new AbortController();
  const outage = stageOutage(stage, live, () => last.canaryWeight ?? 0, done.signal);
  const followed = await followRelease({
    read: () => readCanary(stage.kubeConfig, scenario),
    previousRevision: previous.revision,
    expect: release.expect,
    timeoutMs: timing.progressDeadlineMs + 10 * timing.bakeMs + 60_000,
    onStatus: (status) => {
      last = status;
      if (status.phase !== undefined && phases[phases.length - 1] !== status.phase) phases.push(status.phase);
    },
  });
  done.abort();
  await outage;
  const after = servedByCanary(stage);
  const ending: Ending = followed.ending;
  const end = `${release.image}: ${ending} — ${last.message ?? ''}`;
  live.events.push(end);
  stage.screen.log(end);
  return {
    result: {
      image: release.image, note: release.note, expected: release.expect, ending, durationMs: Date.now() - startedAt,
      canaryRequests: after.requests - before.requests, canaryFailures: after.failures - before.failures, phases,
      ...(scenario.ab === undefined ? {} : { canaryUnmatched: after.requests - before.requests - (after.matched - before.matched) }),
      reason: last.message ?? '', judged: judgedShares(last),
    },
    status: last,
  };
}

/** Plays every release in order; stops early when the controller never takes the app over. */
export async function playReleases(stage: Stage): Promise<ReleaseResult[]> {
  const live: Live = { image: stage.scenario.initialImage, events: [] };
  const drawing = new AbortController();
  const draw = drawLoop(stage, live, drawing.signal);
  try {
    const initial = await waitInitialized({ read: () => readCanary(stage.kubeConfig, stage.scenario), timeoutMs: 60_000 });
    if (initial === null) {
      stage.screen.log('the controller did not take the app over within 60 s');
      return [];
    }
    // Let the mesh see the app's own pods scaled away, so a release's canary counts are its own.
    await sleep(1000);
    const results: ReleaseResult[] = [];
    let status = initial;
    for (const release of stage.scenario.releases) {
      const played = await playOne(stage, live, release, status);
      results.push(played.result);
      status = played.status;
      // A paused release (no traffic) is left paused: later releases would only supersede it.
      if (played.result.ending === 'paused' || played.result.ending === 'timed-out') break;
    }
    return results;
  } finally {
    drawing.abort();
    await draw;
  }
}
