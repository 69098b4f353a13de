// What the simulated deployment controller decides: which pods to add or remove, and the
// Deployment status (replica counts, Available and Progressing conditions) that results.
import { isRecord, readPath, str } from '../emulator/json.ts';
import { timestamp } from '../emulator/names.ts';
import type { KubeObject } from '../emulator/types.ts';
import { isPodReady } from './pods.ts';

export interface PodPlan {
  readonly create: number;
  readonly remove: readonly KubeObject[];
}

function numberAt(object: unknown, path: readonly string[], fallback: number): number {
  const value = readPath(object, path);
  return typeof value === 'number' ? value : fallback;
}

export function desiredReplicas(deployment: KubeObject): number {
  return numberAt(deployment, ['spec', 'replicas'], 1);
}

function hashOf(pod: KubeObject): string | undefined {
  return pod.metadata.labels?.['pod-template-hash'];
}

/** Unready and newest pods go first. */
function removalOrder(pods: readonly KubeObject[]): KubeObject[] {
  return [...pods].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b))
    || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
}

/**
 * Rolling update with unlimited surge: new pods are created at once; old pods stay while they
 * are needed to cover for new pods that are not ready (Recreate drops them at once).
 */
export function planPods(deployment: KubeObject, pods: readonly KubeObject[], hash: string): PodPlan {
  if (readPath(deployment, ['spec', 'paused']) === true) return { create: 0, remove: [] };
  const desired = desiredReplicas(deployment);
  const fresh = pods.filter((p) => hashOf(p) === hash);
  const old = pods.filter((p) => hashOf(p) !== hash);
  const freshReady = fresh.filter(isPodReady).length;
  const recreate = readPath(deployment, ['spec', 'strategy', 'type']) === 'Recreate';
  const keepOld = recreate ? 0 : Math.max(0, desired - freshReady);
  const remove = [...removalOrder(fresh).slice(0, Math.max(0, fresh.length - desired)), ...removalOrder(old).slice(0, Math.max(0, old.length - keepOld))];
  return { create: Math.max(0, desired - fresh.length), remove };
}

/** maxUnavailable resolved against the desired count (percentages round down). */
function maxUnavailable(deployment: KubeObject, desired: number): number {
  if (readPath(deployment, ['spec', 'strategy', 'type']) === 'Recreate') return 0;
  const raw = readPath(deployment, ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable']) ?? '25%';
  if (typeof raw === 'number') return raw;
  const percent = /^(\d+)%$/.exec(str(raw));
  return percent === null ? 0 : Math.floor((desired * Number(percent[1])) / 100);
}

interface Counts {
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly unavailableReplicas: number;
}

function countPods(deployment: KubeObject, pods: readonly KubeObject[], hash: string): Counts {
  const ready = pods.filter(isPodReady).length;
  return {
    replicas: pods.length,
    updatedReplicas: pods.filter((p) => hashOf(p) === hash).length,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: Math.max(0, desiredReplicas(deployment) - ready),
  };
}

type Condition = Record<string, unknown>;

function previousCondition(deployment: KubeObject, type: string): Condition | undefined {
  const list = readPath(deployment, ['status', 'conditions']);
  return Array.isArray(list) ? list.filter(isRecord).find((c) => c['type'] === type) : undefined;
}

function condition(previous: Condition | undefined, next: { type: string; status: string; reason: string; message: string }, at: string, touched: boolean): Condition {
  const same = previous?.['status'] === next.status;
  const lastTransitionTime = same ? previous?.['lastTransitionTime'] ?? at : at;
  const lastUpdateTime = same && previous?.['reason'] === next.reason && !touched ? previous['lastUpdateTime'] ?? at : at;
  return { ...next, lastUpdateTime, lastTransitionTime };
}

export interface StatusInput {
  readonly deployment: KubeObject;
  /** Owned pods after this pass's changes. */
  readonly pods: readonly KubeObject[];
  readonly hash: string;
  readonly now: number;
}

/** Progress deadline has passed without progress since the Progressing condition's last update. */
function deadlinePassed(input: StatusInput, previous: Condition | undefined): boolean {
  if (previous?.['reason'] === 'ProgressDeadlineExceeded') return true;
  const since = Date.parse(str(previous?.['lastUpdateTime']));
  const deadlineMs = numberAt(input.deployment, ['spec', 'progressDeadlineSeconds'], 600) * 1000;
  return !Number.isNaN(since) && input.now - since >= deadlineMs;
}

function progressing(input: StatusInput, counts: Counts, progressed: boolean): Condition {
  const at = timestamp(input.now);
  const previous = previousCondition(input.deployment, 'Progressing');
  const rs = `${input.deployment.metadata.name ?? ''}-${input.hash}`;
  const desired = desiredReplicas(input.deployment);
  const complete = counts.updatedReplicas === desired && counts.replicas === desired && counts.availableReplicas >= desired;
  if (readPath(input.deployment, ['spec', 'paused']) === true) {
    return condition(previous, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, at, false);
  }
  if (complete) {
    return condition(previous, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.` }, at, progressed);
  }
  if (!progressed && deadlinePassed(input, previous)) {
    return condition(previous, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.` }, at, false);
  }
  return condition(previous, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` }, at, progressed);
}

/** The status the deployment controller writes; zero counts are omitted as the real API does. */
export function deploymentStatus(input: StatusInput): Record<string, unknown> {
  const { deployment } = input;
  const counts = countPods(deployment, input.pods, input.hash);
  const before = isRecord(deployment['status']) ? deployment['status'] : {};
  const progressed = before['observedGeneration'] !== deployment.metadata.generation
    || (before['updatedReplicas'] ?? 0) !== counts.updatedReplicas || (before['readyReplicas'] ?? 0) !== counts.readyReplicas;
  const desired = desiredReplicas(deployment);
  const available = counts.availableReplicas >= desired - maxUnavailable(deployment, desired);
  const availableCondition = condition(previousCondition(deployment, 'Available'), available
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, timestamp(input.now), false);
  const status: Record<string, unknown> = { observedGeneration: deployment.metadata.generation };
  for (const [key, value] of Object.entries(counts)) if (value !== 0) status[key] = value;
  status['conditions'] = [availableCondition, progressing(input, counts, progressed)];
  return status;
}

/** When the Progressing deadline would pass (ms since epoch), if the rollout is still going. */
export function deadlineAt(deployment: KubeObject): number | undefined {
  const previous = previousCondition(deployment, 'Progressing');
  if (previous?.['reason'] !== 'ReplicaSetUpdated') return undefined;
  const since = Date.parse(str(previous['lastUpdateTime']));
  return Number.isNaN(since) ? undefined : since + numberAt(deployment, ['spec', 'progressDeadlineSeconds'], 600) * 1000;
}
