// autoscaling/v2 HorizontalPodAutoscalers in the emulator: stored and defaulted, refused where a
// real API server refuses them, and listed by the real kubectl (`kubectl get hpa`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AutoscalingV2Api, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { withEmulator } from '../../support/emulator.ts';

const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

function hpa(name: string, spec: Record<string, unknown>): V2HorizontalPodAutoscaler {
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name }, spec: spec as never };
}

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: number; body?: string };
    assert.equal(e.code, 422, String(e.body));
    return String(e.body);
  }
  throw new Error('accepted');
}

describe('HorizontalPodAutoscalers in the emulator', () => {
  it('stores one with minReplicas and a CPU target defaulted, and keeps status to the status subresource', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const api = kubeConfig.makeApiClient(AutoscalingV2Api);
    const created = await api.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: hpa('web', { scaleTargetRef: ref, maxReplicas: 5 }) });
    assert.equal(created.spec?.minReplicas, 1);
    assert.deepEqual(JSON.parse(JSON.stringify(created.spec?.metrics)), [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    const withStatus = { ...created, status: { currentReplicas: 3, desiredReplicas: 4 } };
    await api.replaceNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'web', body: withStatus });
    assert.equal((await api.readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'web' })).status?.currentReplicas, undefined);
    await api.replaceNamespacedHorizontalPodAutoscalerStatus({ namespace: 'default', name: 'web', body: withStatus });
    assert.equal((await api.readNamespacedHorizontalPodAutoscaler({ namespace: 'default', name: 'web' })).status?.desiredReplicas, 4);
  });

  it('refuses what a real API server refuses: no target, minReplicas 0, maxReplicas under minReplicas, a malformed metric', async (t) => {
    const { kubeConfig } = await withEmulator(t);
    const api = kubeConfig.makeApiClient(AutoscalingV2Api);
    const create = (spec: Record<string, unknown>): Promise<unknown> => api.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: hpa('web', spec) });
    assert.match(await refusal(create({ maxReplicas: 3 })), /spec\.scaleTargetRef\.kind: Required value/);
    assert.match(await refusal(create({ scaleTargetRef: ref, minReplicas: 0, maxReplicas: 3 })), /spec\.minReplicas: Invalid value: 0: must be greater than or equal to 1/);
    assert.match(await refusal(create({ scaleTargetRef: ref, minReplicas: 4, maxReplicas: 2 })), /spec\.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/);
    assert.match(await refusal(create({ scaleTargetRef: ref, minReplicas: 1 })), /spec\.maxReplicas: Required value/);
    const noTarget = { scaleTargetRef: ref, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu' } }] };
    assert.match(await refusal(create(noTarget)), /spec\.metrics\[0\]\.resource\.target: Required value/);
    const badType = { scaleTargetRef: ref, maxReplicas: 3, metrics: [{ type: 'Cpu' }] };
    assert.match(await refusal(create(badType)), /spec\.metrics\[0\]\.type: Unsupported value: \W+Cpu/);
    const zero = { scaleTargetRef: ref, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] };
    assert.match(await refusal(create(zero)), /averageUtilization: Invalid value: 0: must be greater than 0/);
  });

  it('is listed by kubectl get hpa with its reference, targets and bounds', { skip: kubectlPath === undefined }, async (t) => {
    const { emulator, kubeConfig } = await withEmulator(t);
    const api = kubeConfig.makeApiClient(AutoscalingV2Api);
    await api.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: hpa('web', { scaleTargetRef: ref, minReplicas: 2, maxReplicas: 10 }) });
    const dir = mkdtempSync(join(tmpdir(), 'fledge-hpa-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    await emulator.writeKubeconfig(join(dir, 'kubeconfig'));
    const { stdout } = await promisify(execFile)(kubectlPath!, ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'get', 'hpa'], { timeout: 30_000 });
    const [header, row] = stdout.trim().split('\n');
    assert.match(header ?? '', /NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
    assert.match(row ?? '', /web\s+Deployment\/web\s+cpu: <unknown>\/80%\s+2\s+10\s+0\s+/);
  });
});
