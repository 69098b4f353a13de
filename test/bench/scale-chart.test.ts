import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaleChart } from '../../bench/scale/chart.ts';
import type { ScaleResult } from '../../bench/scale/run-n.ts';
import type { Usage } from '../../bench/scale/usage.ts';

const usage = (rssMiB: number): Usage => ({ uptimeMs: 0, cpuMs: 0, maxRssBytes: rssMiB * 2 ** 20, rssBytes: 0, heapUsedBytes: 0, apiRequests: 0, watchRequests: 0, measurements: 0, reconciles: 0, reconcileFailures: 0, coarseMs: 0, byKind: {}, sampled: {} });

function result(n: number, lagsMs: number[], rssMiB: number, released = true): ScaleResult {
  return {
    n, settings: { steps: [10, 50], intervalMs: 10_000, scrapeMs: 1000, concurrency: 16, resyncMs: 30_000, prometheus: 'fake', batch: true, compiled: undefined },
    bootstrapMs: 1000, bootstrapped: n, released, releaseMs: 1000, succeeded: n, failed: 0, completed: true,
    before: usage(0), after: usage(rssMiB), emulatorCpuMs: { bootstrap: 0, release: 0 }, stepLagsMs: lagsMs, scaleUpMs: [], stepsTaken: 2 * n, drift: null, stepStarts: new Map(),
    queries: { count: 0, latenciesMs: [] },
  };
}

test('the scale chart plots p99 and median step lag and peak RSS at each released size', () => {
  const svg = scaleChart([result(100, [100, 200], 200), result(1000, [300, 400], 350), result(5000, [800, 1800], 680), result(9000, [], 0, false)]) ?? '';
  assert.match(svg, /^<svg /);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 3, 'p99, median and RSS');
  assert.equal((svg.match(/<circle /g) ?? []).length, 9, 'three sizes released, three points per line');
  for (const n of ['100', '1000', '5000']) assert.ok(svg.includes(`>${n}</text>`), `N = ${n} on the axis`);
  assert.ok(!svg.includes('>9000</text>'), 'a size that never released is left out');
});

test('no chart when no size released', () => {
  assert.equal(scaleChart([result(100, [], 0, false)]), null);
});
