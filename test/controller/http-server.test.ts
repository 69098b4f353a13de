import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { build, isReady, listen, parseAddress } from '../../src/controller/http-server.ts';
import type { HttpServerOptions, ReadinessInput } from '../../src/controller/http-server.ts';
import { ControllerMetrics } from '../../src/controller/metrics.ts';

async function serve(t: { after(fn: () => unknown): void }, options: Partial<HttpServerOptions> & { state?: ReadinessInput } = {}) {
  const state = { value: options.state ?? { cachesSynced: true, election: 'disabled' as const } };
  const metrics = new ControllerMetrics({ queueDepth: () => 7 });
  const server = build({ readiness: () => state.value, metrics, ...options });
  const listening = await listen(server, '127.0.0.1:0');
  t.after(() => listening.close());
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${listening.url}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' };
  };
  return { get, metrics, state };
}

void describe('health and metrics endpoints', () => {
  void it('answers /healthz while the process is alive', async (t) => {
    const { get } = await serve(t);
    assert.deepEqual(await get('/healthz').then((r) => [r.status, r.text]), [200, 'ok\n']);
  });

  void it('is not ready until its caches have synced', async (t) => {
    const { get, state } = await serve(t, { state: { cachesSynced: false, election: 'disabled' } });
    const before = await get('/readyz');
    assert.equal(before.status, 503);
    assert.match(before.text, /caches not synced/);
    state.value = { cachesSynced: true, election: 'disabled' };
    assert.equal((await get('/readyz')).status, 200);
  });

  void it('reports a standby replica as ready, and a leader once synced', () => {
    assert.equal(isReady({ cachesSynced: false, election: 'standby' }).ready, true);
    assert.equal(isReady({ cachesSynced: false, election: 'leading' }).ready, false);
    assert.equal(isReady({ cachesSynced: true, election: 'leading' }).ready, true);
    assert.equal(isReady({ cachesSynced: true, election: 'stopped' }).ready, false);
  });

  void it('exposes every controller metric in Prometheus text format', async (t) => {
    const { get, metrics } = await serve(t);
    metrics.setCanary('shop', 'cart', 'Progressing', 25);
    metrics.setCanary('shop', 'web', 'Progressing', 10);
    metrics.setCanary('shop', 'api', 'Succeeded', 0);
    metrics.setEvidence('shop', 'cart', [{ metric: 'errors', harm: 3.5, safe: 0.25 }]);
    metrics.observeReconcile(0.02);
    metrics.reconcileError('FLEDGE_API_UNAVAILABLE');
    metrics.analysisOutcome('continue');
    metrics.apiError('FLEDGE_API_CONFLICT');
    metrics.setLeader(true);
    const { status, text, type } = await get('/metrics');
    assert.equal(status, 200);
    assert.match(type, /^text\/plain/);
    for (const line of [
      'fledge_canaries{phase="Progressing"} 2',
      'fledge_canaries{phase="Succeeded"} 1',
      'fledge_canary_weight{namespace="shop",name="cart"} 25',
      'fledge_canary_evidence{namespace="shop",name="cart",metric="errors",kind="harm"} 3.5',
      'fledge_canary_evidence{namespace="shop",name="cart",metric="errors",kind="safe"} 0.25',
      'fledge_reconcile_duration_seconds_count 1',
      'fledge_reconcile_errors_total{code="FLEDGE_API_UNAVAILABLE"} 1',
      'fledge_analysis_outcomes_total{verdict="continue"} 1',
      'fledge_api_errors_total{code="FLEDGE_API_CONFLICT"} 1',
      'fledge_leader 1',
      'fledge_queue_depth 7',
    ]) assert.ok(text.includes(line), `missing: ${line}`);
  });

  void it('drops the series of a Canary that is gone', async (t) => {
    const { get, metrics } = await serve(t);
    metrics.setCanary('shop', 'cart', 'Failed', 0);
    metrics.setEvidence('shop', 'cart', [{ metric: 'errors', harm: 40, safe: 0 }]);
    metrics.forgetCanary('shop', 'cart');
    const { text } = await get('/metrics');
    assert.ok(!text.includes('name="cart"'), text);
    assert.ok(!text.includes('phase="Failed"'));
  });

  void it('serves only the endpoints it was built for', async (t) => {
    const { get } = await serve(t, { serve: ['metrics'] });
    assert.equal((await get('/healthz')).status, 404);
    assert.equal((await get('/metrics')).status, 200);
    assert.equal((await get('/nope')).status, 404);
    assert.equal((await get('/metrics', { method: 'POST' })).status, 405);
  });

  void it('parses listen addresses and rejects bad ones', () => {
    assert.deepEqual(parseAddress(':8080'), { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(parseAddress('127.0.0.1:9090'), { host: '127.0.0.1', port: 9090 });
    assert.deepEqual(parseAddress('[::1]:80'), { host: '::1', port: 80 });
    assert.deepEqual(parseAddress('8081'), { host: '0.0.0.0', port: 8081 });
    assert.throws(() => parseAddress('localhost:http'), RangeError);
  });
});
