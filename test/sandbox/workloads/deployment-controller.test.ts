import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { withEmulator } from '../../support/emulator.ts';
import { deployment, eventually } from '../emulator/fixtures.ts';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function podsOf(kc: KubeConfig, app: string) {
  return (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default', labelSelector: `app=${app}` })).items;
}

function condition(d: V1Deployment, type: string) {
  return d.status?.conditions?.find((c) => c.type === type);
}

void test('with no ready delay a new Deployment is ready as soon as it is created', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', { replicas: 2 }) });
  const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.equal(d.status?.observedGeneration, 1);
  assert.deepEqual([d.status?.replicas, d.status?.updatedReplicas, d.status?.readyReplicas, d.status?.availableReplicas], [2, 2, 2, 2]);
  assert.equal(condition(d, 'Available')?.status, 'True');
  assert.equal(condition(d, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  const pods = await podsOf(kubeConfig, 'web');
  assert.equal(pods.length, 2);
  for (const pod of pods) {
    const hash = pod.metadata?.labels?.['pod-template-hash'] ?? '';
    assert.match(pod.metadata?.name ?? '', new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
    assert.equal(pod.status?.phase, 'Running');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, d.metadata?.uid);
  }
});

void test('pods stay unready until the ready delay has passed', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t, { podReadyDelayMs: 600_000 });
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('slow', { replicas: 2 }) });
  const pending = await apps.readNamespacedDeployment({ name: 'slow', namespace: 'default' });
  assert.equal(pending.status?.replicas, 2);
  assert.equal(pending.status?.readyReplicas, undefined, 'zero counts are omitted like the real API');
  assert.equal(condition(pending, 'Available')?.status, 'False');
  assert.equal(condition(pending, 'Progressing')?.reason, 'ReplicaSetUpdated');
  assert.ok((await podsOf(kubeConfig, 'slow')).every((p) => p.status?.phase === 'Pending'));

  emulator.workloads.setPodReadyDelay(50);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('quick', { replicas: 2 }) });
  await eventually(async () => ((await apps.readNamespacedDeployment({ name: 'quick', namespace: 'default' })).status?.readyReplicas === 2 ? true : undefined), 'quick to become ready');
});

void test('a new pod template replaces the pods, and old ones go once the new ones are ready', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', { replicas: 2 }) });
  const before = await podsOf(kubeConfig, 'web');
  const patched = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example/app:2' }] } } } } }, merge);
  assert.equal(patched.metadata?.generation, 2);
  const after = await eventually(async () => {
    const pods = await podsOf(kubeConfig, 'web');
    return pods.length === 2 && pods.every((p) => p.spec?.containers[0]?.image === 'example/app:2') ? pods : undefined;
  }, 'the new pods');
  assert.notEqual(after[0]!.metadata?.labels?.['pod-template-hash'], before[0]!.metadata?.labels?.['pod-template-hash']);
  const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.equal(d.status?.observedGeneration, 2);
  assert.equal(d.status?.updatedReplicas, 2);
});

void test('the scale subresource reads and changes replicas', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', { replicas: 1 }) });
  const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'default' });
  assert.equal(scale.spec?.replicas, 1);
  assert.equal(scale.status?.selector, 'app=web');
  await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: 'default', body: { ...scale, spec: { replicas: 3 } } });
  await eventually(async () => ((await podsOf(kubeConfig, 'web')).length === 3 ? true : undefined), 'three pods');
  const patched = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'default', body: { spec: { replicas: 0 } } }, merge);
  assert.equal(patched.spec?.replicas, 0);
  await eventually(async () => ((await podsOf(kubeConfig, 'web')).length === 0 ? true : undefined), 'no pods');
  const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.equal(d.spec?.replicas, 0);
  assert.equal(d.status?.replicas, undefined);
});

void test('a rollout to a never-ready image keeps the old pods and exceeds its progress deadline', async (t) => {
  const { emulator, kubeConfig } = await withEmulator(t);
  emulator.workloads.neverReady({ image: 'example/app:bad' });
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', { replicas: 2, progressDeadlineSeconds: 1 }) });
  await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'example/app:bad' }] } } } } }, merge);
  const stuck = await eventually(async () => {
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    return condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? d : undefined;
  }, 'ProgressDeadlineExceeded', 10_000);
  assert.equal(condition(stuck, 'Progressing')?.status, 'False');
  assert.equal(stuck.status?.readyReplicas, 2, 'the old pods still serve');
  assert.equal(stuck.status?.updatedReplicas, 2);
  const crashing = (await podsOf(kubeConfig, 'web')).filter((p) => p.spec?.containers[0]?.image === 'example/app:bad');
  assert.equal(crashing.length, 2);
  assert.ok(crashing.every((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff'));
});

void test('a deleted pod is replaced, and deleting the Deployment deletes its pods', async (t) => {
  const { kubeConfig } = await withEmulator(t);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web', { replicas: 1 }) });
  const [first] = await podsOf(kubeConfig, 'web');
  await core.deleteNamespacedPod({ name: first!.metadata!.name!, namespace: 'default' });
  const [replacement] = await eventually(async () => {
    const pods = await podsOf(kubeConfig, 'web');
    return pods.length === 1 && pods[0]!.metadata?.name !== first!.metadata?.name ? pods : undefined;
  }, 'a replacement pod');
  assert.equal((await core.readNamespacedPod({ name: replacement!.metadata!.name!, namespace: 'default' })).status?.phase, 'Running');
  await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'default' });
  assert.deepEqual(await podsOf(kubeConfig, 'web'), []);
});
