// Simulated pods: what a kubelet would report for a pod that is starting, ready or crash-looping.
import { isRecord, readPath } from '../emulator/json.ts';
import { randomSuffix, timestamp } from '../emulator/names.ts';
import type { KubeObject } from '../emulator/types.ts';

export type PodState = 'starting' | 'ready' | 'crashing';

function containersOf(spec: unknown): Record<string, unknown>[] {
  const list = readPath(spec, ['containers']);
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function containerStatus(container: Record<string, unknown>, state: PodState, startedAt: string): Record<string, unknown> {
  const base = { name: container['name'], image: container['image'], imageID: '', containerID: `emulator://${String(container['name'])}` };
  if (state === 'ready') return { ...base, ready: true, started: true, restartCount: 0, state: { running: { startedAt } } };
  if (state === 'starting') return { ...base, ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } };
  return {
    ...base, ready: false, started: false, restartCount: 1,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' } },
    lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt, finishedAt: startedAt } },
  };
}

function condition(type: string, ok: boolean, at: string): Record<string, unknown> {
  const base = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: at };
  return ok ? base : { ...base, reason: 'ContainersNotReady', message: 'containers with unready status' };
}

/** The status of a pod in `state`, observed at `now`. */
export function podStatus(spec: unknown, state: PodState, podIp: string, now: number): Record<string, unknown> {
  const at = timestamp(now);
  const ready = state === 'ready';
  return {
    phase: state === 'starting' ? 'Pending' : 'Running',
    conditions: [
      condition('Initialized', true, at),
      condition('Ready', ready, at),
      condition('ContainersReady', ready, at),
      condition('PodScheduled', true, at),
    ],
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    podIP: podIp,
    podIPs: [{ ip: podIp }],
    startTime: at,
    qosClass: 'BestEffort',
    containerStatuses: containersOf(spec).map((c) => containerStatus(c, state, at)),
  };
}

export function isPodReady(pod: KubeObject): boolean {
  const conditions = readPath(pod, ['status', 'conditions']);
  return Array.isArray(conditions) && conditions.some((c) => isRecord(c) && c['type'] === 'Ready' && c['status'] === 'True');
}

export interface NewPod {
  readonly deployment: KubeObject;
  readonly hash: string;
  readonly state: PodState;
  readonly podIp: string;
  readonly now: number;
}

/** A pod of the Deployment's current template, owned by the Deployment. */
export function buildPod(input: NewPod): KubeObject {
  const { deployment, hash } = input;
  const template = readPath(deployment, ['spec', 'template']);
  const templateMeta = readPath(template, ['metadata']);
  const labels = isRecord(templateMeta) && isRecord(templateMeta['labels']) ? (templateMeta['labels'] as Record<string, string>) : {};
  const annotations = isRecord(templateMeta) && isRecord(templateMeta['annotations']) ? (templateMeta['annotations'] as Record<string, string>) : undefined;
  const name = deployment.metadata.name ?? '';
  const spec = { ...(isRecord(readPath(template, ['spec'])) ? (readPath(template, ['spec']) as Record<string, unknown>) : {}), nodeName: 'emulator-node' };
  const metadata: KubeObject['metadata'] = {
    name: `${name}-${hash}-${randomSuffix()}`,
    namespace: deployment.metadata.namespace ?? 'default',
    labels: { ...labels, 'pod-template-hash': hash },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deployment.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
  };
  if (annotations !== undefined) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status: podStatus(spec, input.state, input.podIp, input.now) };
}
