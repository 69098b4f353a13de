// The simulated deployment controller: keeps each Deployment's pods in line with its spec and
// writes its status. Reacts to store events right after the write that caused them.
import type { Cluster } from '../emulator/cluster.ts';
import { deleteObject } from '../emulator/deletion.ts';
import { readPath, stableStringify, str } from '../emulator/json.ts';
import { createObject, updateObject } from '../emulator/lifecycle.ts';
import { safeHash } from '../emulator/names.ts';
import type { StoreEvent } from '../emulator/store.ts';
import type { KubeObject, ResourceType } from '../emulator/types.ts';
import { buildPod, podStatus, type PodState } from './pods.ts';
import { deadlineAt, deploymentStatus, planPods } from './rollout.ts';

export interface NeverReadyMatch {
  readonly namespace?: string;
  /** Exact image string of any container in the pod template. */
  readonly image?: string;
  readonly deployment?: string;
}

const deployments = 'apps/deployments';
const pods = '/pods';

export function templateHash(deployment: KubeObject): string {
  return safeHash(stableStringify(readPath(deployment, ['spec', 'template']) ?? {}));
}

function ownerName(pod: KubeObject): string | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.kind === 'Deployment' && r.controller === true)?.name;
}

export class DeploymentController {
  private readonly dirty = new Set<string>();
  private immediate: NodeJS.Immediate | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private readonly rules: NeverReadyMatch[] = [];
  private readonly unsubscribe: () => void;
  private ipCounter = 10;
  private stopped = false;

  constructor(private readonly cluster: Cluster, private readyDelayMs: number) {
    this.unsubscribe = cluster.store.subscribe((event) => this.onEvent(event));
  }

  neverReady(match: NeverReadyMatch): void {
    this.rules.push(match);
  }

  setPodReadyDelay(ms: number): void {
    this.readyDelayMs = ms;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    for (const timer of [...this.timers, ...this.deadlines.values()]) clearTimeout(timer);
    this.timers.clear();
    this.deadlines.clear();
  }

  private onEvent(event: StoreEvent): void {
    const { object } = event;
    if (event.resource === deployments) this.enqueue(object.metadata.namespace, object.metadata.name);
    if (event.resource === pods) this.enqueue(object.metadata.namespace, ownerName(object));
  }

  private enqueue(namespace: string | undefined, name: string | undefined): void {
    if (name === undefined || this.stopped) return;
    this.dirty.add(`${namespace ?? ''}/${name}`);
    this.immediate ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.immediate = undefined;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const key of keys) {
      const [namespace = '', name = ''] = key.split('/');
      this.reconcile(namespace, name);
    }
  }

  private typeOf(resource: string): ResourceType | undefined {
    return this.cluster.registry.byKey(resource);
  }

  private matchesRule(deployment: KubeObject): boolean {
    const images = JSON.stringify(readPath(deployment, ['spec', 'template', 'spec', 'containers']) ?? []);
    return this.rules.some((r) => (r.namespace === undefined || r.namespace === deployment.metadata.namespace)
      && (r.deployment === undefined || r.deployment === deployment.metadata.name)
      && (r.image === undefined || images.includes(`"image":${JSON.stringify(r.image)}`)));
  }

  private reconcile(namespace: string, name: string): void {
    const deployment = this.cluster.store.get(deployments, namespace, name);
    const podType = this.typeOf(pods);
    if (deployment === undefined || podType === undefined || deployment.metadata.deletionTimestamp !== undefined) return;
    const hash = templateHash(deployment);
    const owned = (): KubeObject[] => this.cluster.store.dependents(deployment.metadata.uid ?? '')
      .filter((d) => d.resource === pods && d.object.metadata.deletionTimestamp === undefined)
      .map((d) => d.object);
    const plan = planPods(deployment, owned(), hash);
    for (const pod of plan.remove) deleteObject(this.cluster, podType, { version: 'v1', namespace, name: pod.metadata.name ?? '' });
    for (let i = 0; i < plan.create; i += 1) this.createPod(podType, deployment, hash);
    this.writeStatus(deployment, owned(), hash);
  }

  private createPod(podType: ResourceType, deployment: KubeObject, hash: string): void {
    const state: PodState = this.matchesRule(deployment) ? 'crashing' : this.readyDelayMs <= 0 ? 'ready' : 'starting';
    this.ipCounter += 1;
    const podIp = `10.244.${Math.floor(this.ipCounter / 250) % 250}.${(this.ipCounter % 250) + 2}`;
    const pod = buildPod({ deployment, hash, state, podIp, now: this.cluster.now() });
    const created = createObject(this.cluster, { type: podType, version: 'v1', namespace: deployment.metadata.namespace, keepStatus: true }, pod);
    if (created.ok && state === 'starting') this.later(this.readyDelayMs, () => this.makeReady(podType, created.value, deployment));
  }

  /** The pod turns ready, unless a neverReady rule now covers its Deployment. */
  private makeReady(podType: ResourceType, pod: KubeObject, deployment: KubeObject): void {
    const current = this.cluster.store.get(pods, pod.metadata.namespace, pod.metadata.name ?? '');
    if (current === undefined) return;
    const state: PodState = this.matchesRule(deployment) ? 'crashing' : 'ready';
    const status = podStatus(current['spec'], state, str(readPath(current, ['status', 'podIP'])), this.cluster.now());
    const target = { type: podType, version: 'v1', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '', subresource: 'status' as const };
    updateObject(this.cluster, target, { ...current, status });
  }

  private writeStatus(deployment: KubeObject, owned: readonly KubeObject[], hash: string): void {
    const type = this.typeOf(deployments);
    if (type === undefined) return;
    const status = deploymentStatus({ deployment, pods: owned, hash, now: this.cluster.now() });
    const namespace = deployment.metadata.namespace;
    const name = deployment.metadata.name ?? '';
    const target = { type, version: 'v1', namespace, name, subresource: 'status' as const };
    const { resourceVersion: _unconditional, ...metadata } = deployment.metadata;
    const written = updateObject(this.cluster, target, { ...deployment, metadata, status });
    if (written.ok) this.scheduleDeadline(written.value);
  }

  /** Re-checks a rollout when its progress deadline passes. */
  private scheduleDeadline(deployment: KubeObject): void {
    const key = `${deployment.metadata.namespace ?? ''}/${deployment.metadata.name ?? ''}`;
    clearTimeout(this.deadlines.get(key));
    this.deadlines.delete(key);
    const due = deadlineAt(deployment);
    if (due === undefined) return;
    const timer = setTimeout(() => {
      this.deadlines.delete(key);
      this.enqueue(deployment.metadata.namespace, deployment.metadata.name);
    }, Math.max(0, due - this.cluster.now()) + 5);
    timer.unref();
    this.deadlines.set(key, timer);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}
