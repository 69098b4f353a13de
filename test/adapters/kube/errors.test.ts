import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { FledgeError } from '../../../src/errors.ts';
import { createApiCaller, KubeApiError, mapApiError } from '../../../src/adapters/kube/errors.ts';
import { createClusterObjects } from '../../../src/adapters/kube/cluster.ts';
import { withEmulator } from '../../support/emulator.ts';

const statusBody = (code: number, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code });

function mapped(error: unknown): KubeApiError {
  const result = mapApiError(error, 'get deployment default/web');
  assert.ok(result instanceof KubeApiError, `not mapped: ${String(result)}`);
  return result;
}

void describe('Kubernetes API error mapping', () => {
  void it('maps 409 to a retryable conflict and keeps the status code and the server message', () => {
    const error = mapped(new ApiException(409, 'Conflict', statusBody(409, 'the object has been modified'), {}));
    assert.equal(error.code, 'FLEDGE_API_CONFLICT');
    assert.equal(error.retryable, true);
    assert.equal(error.status, 409);
    assert.match(error.message, /get deployment default\/web: HTTP 409: the object has been modified/);
    assert.ok(error instanceof FledgeError);
  });

  void it('maps 429 and every 5xx to a retryable "unavailable"', () => {
    for (const code of [429, 500, 502, 503, 504]) {
      const error = mapped(new ApiException(code, 'x', statusBody(code, 'busy'), {}));
      assert.equal(error.code, 'FLEDGE_API_UNAVAILABLE', String(code));
      assert.equal(error.retryable, true);
    }
  });

  void it('maps other 4xx answers to a non-retryable rejection', () => {
    for (const code of [400, 401, 403, 404, 422]) {
      const error = mapped(new ApiException(code, 'x', undefined, {}));
      assert.equal(error.code, 'FLEDGE_API_REJECTED', String(code));
      assert.equal(error.retryable, false);
      assert.equal(error.status, code);
    }
  });

  void it('maps refused and reset connections and timeouts to "unavailable" without a status', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const fetchError = Object.assign(new Error('request failed, reason: socket hang up'), { name: 'FetchError', type: 'system', code: 'ECONNRESET' });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const wrapped = new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) });
    for (const raw of [refused, fetchError, timeout, wrapped]) {
      const error = mapped(raw);
      assert.equal(error.code, 'FLEDGE_API_UNAVAILABLE', raw.message);
      assert.equal(error.status, null);
    }
  });

  void it('leaves FledgeErrors and programming errors as they are', () => {
    const own = new FledgeError('FLEDGE_ROUTE_FOREIGN', 'x');
    assert.equal(mapApiError(own, 'x'), own);
    const bug = new TypeError('undefined is not a function');
    assert.equal(mapApiError(bug, 'x'), bug);
  });

  void it('reads a 404 as null, deletes a missing object quietly, and reports every mapped error', async () => {
    const seen: string[] = [];
    const caller = createApiCaller((error) => seen.push(error.code));
    const notFound = () => Promise.reject(new ApiException(404, 'Not Found', statusBody(404, 'not found'), {}));
    assert.equal(await caller.read('get x', notFound), null);
    await caller.remove('delete x', notFound);
    await assert.rejects(caller.call('get x', notFound), { code: 'FLEDGE_API_REJECTED', status: 404 });
    await assert.rejects(caller.call('get x', () => Promise.reject(new ApiException(500, 'x', '', {}))), { code: 'FLEDGE_API_UNAVAILABLE' });
    assert.deepEqual(seen, ['FLEDGE_API_REJECTED', 'FLEDGE_API_UNAVAILABLE']);
  });
});

void describe('API errors from a real client against the emulator', () => {
  const deployment = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
  };

  void it('surfaces 409, 429 and 500 answers with their codes', async (t) => {
    const { emulator, kubeConfig } = await withEmulator(t);
    const apiErrors: string[] = [];
    const cluster = createClusterObjects(kubeConfig, { clock: { now: () => Date.now() }, onApiError: (e) => apiErrors.push(e.code) });
    await cluster.createDeployment(deployment);
    const cases = [[409, 'FLEDGE_API_CONFLICT'], [429, 'FLEDGE_API_UNAVAILABLE'], [500, 'FLEDGE_API_UNAVAILABLE']] as const;
    for (const [status, code] of cases) {
      emulator.faults.failNext({ verb: 'get', resource: 'deployments' }, 1, status);
      await assert.rejects(cluster.getDeployment('default', 'web'), (error: unknown) => {
        assert.ok(error instanceof KubeApiError);
        assert.equal(error.code, code);
        assert.equal(error.status, status);
        return true;
      });
    }
    assert.deepEqual(apiErrors, cases.map(([, code]) => code));
    assert.equal((await cluster.getDeployment('default', 'web'))?.metadata?.name, 'web', 'the fault was used up');
  });

  void it('reports a stale replace as a conflict', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const cluster = createClusterObjects(kubeConfig, { clock: { now: () => Date.now() } });
    const created = await cluster.createDeployment(deployment);
    await cluster.patchDeployment('default', 'web', { metadata: { labels: { touched: 'yes' } } });
    await assert.rejects(cluster.replaceDeployment(created), { code: 'FLEDGE_API_CONFLICT', status: 409 });
  });

  void it('reports an unreachable API server as unavailable', async (t) => {
    const { emulator, kubeConfig } = await withEmulator(t);
    await emulator.stop();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const caller = createApiCaller();
    await assert.rejects(caller.call('list namespaces', () => core.listNamespace()), { code: 'FLEDGE_API_UNAVAILABLE', status: null });
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await assert.rejects(caller.read('get deployment', () => apps.readNamespacedDeployment({ namespace: 'default', name: 'x' })), { code: 'FLEDGE_API_UNAVAILABLE' });
  });
});
